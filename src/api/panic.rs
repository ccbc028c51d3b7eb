//! Getting a Rust panic's message to the page.
//!
//! The release wasm aborts on panic: the instance traps and the worker that ran it is unusable.
//! The page replaces the engine worker, but a user (and a bug report) needs the panic's message,
//! not "unreachable executed". Two routes, because a panic can happen on two kinds of thread:
//!
//! - on the engine worker's own thread, the message is stored on that thread's global
//!   (`__quantoniumPanic`), where the worker reads it after the `WebAssembly.RuntimeError`;
//! - on a rayon pool thread, the engine thread is blocked waiting for the pool and will never
//!   answer, so the message is posted on a `BroadcastChannel` whose name the page chose: the page
//!   hears it directly and replaces the worker at once (instead of waiting for its timeout).

use std::sync::Mutex;

use wasm_bindgen::prelude::*;

/// The page's channel name. In linear memory, which the pool threads share.
static CHANNEL: Mutex<Option<String>> = Mutex::new(None);

/// Installs the hook: the console message of `console_error_panic_hook`, then both routes above.
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let payload = info.payload();
        let message =
            payload.downcast_ref::<&str>().copied().or_else(|| payload.downcast_ref::<String>().map(String::as_str));
        let message = message.unwrap_or("(no message)");
        match info.location() {
            Some(at) => report(&format!("{message} (at {at})")),
            None => report(message),
        }
    }));
}

/// Sets the `BroadcastChannel` name that panics are posted on (the page listens on it).
#[wasm_bindgen(js_name = setPanicChannel)]
pub fn set_panic_channel(name: String) {
    if let Ok(mut channel) = CHANNEL.lock() {
        *channel = Some(name);
    }
}

fn report(message: &str) {
    let message = JsValue::from_str(message);
    // Errors are ignored on purpose: this runs while the program is already failing.
    let _ = js_sys::Reflect::set(&js_sys::global(), &JsValue::from_str("__quantoniumPanic"), &message);
    // `try_lock`: a panic while the lock is held (only possible inside `set_panic_channel`) must not
    // deadlock the hook.
    let name = CHANNEL.try_lock().ok().and_then(|c| c.clone());
    if let Some(channel) = name.and_then(|n| web_sys::BroadcastChannel::new(&n).ok()) {
        let _ = channel.post_message(&message);
        channel.close();
    }
}

/// Fault injection for the recovery tests: panics with `message`, on this thread or (`on_pool`)
/// inside a rayon job on a pool thread. A test hook only; nothing in the engine calls it.
#[wasm_bindgen(js_name = panicForTesting)]
pub fn panic_for_testing(message: String, on_pool: bool) {
    if on_pool {
        let current = rayon::current_thread_index();
        rayon::scope(|s| {
            s.spawn(|_| {
                if rayon::current_thread_index() != current {
                    panic!("{message}");
                }
            });
        });
        // The spawned job ran on this thread (no pool): panic here instead.
    }
    panic!("{message}");
}
