//! Quantonium Video: one still image in, a short video out, computed on the user's device.
//!
//! The crate is a pure Rust core with one thin binding layer:
//!
//! - [`options`] — the user's raw options, their defaults and their bounds (the one place they live);
//! - [`plan`] — options resolved against a decoded image: sizes, frame count, the camera path;
//! - [`decode`] — bytes to an [`image::Rgba8Image`], refusing what is not an image;
//! - [`budget`] — a job's memory, estimated before decoding and checked against its budget;
//! - [`render`] — frame `i` of `N`, one at a time, with real filtering;
//! - [`encode`] — the Rust side of encoding: MJPEG frames and the AVI (RIFF) container;
//! - `api` (wasm32 only) — the only module that knows about wasm-bindgen and JavaScript.
//!
//! Frames are produced one at a time by a [`render::Renderer`]; nothing ever holds a whole video.
//!
//! ```
//! use quantonium_video::{options::RenderOptions, Job};
//! # let png = quantonium_video::testing::png_bytes(&quantonium_video::testing::gradient(64, 48));
//! let options = RenderOptions { resolution: Some("32x32".parse()?), duration: Some(1.0), fps: Some(4.0), ..Default::default() };
//! let mut job = Job::new(&png, &options)?;
//! assert_eq!(job.plan().frames, 4);
//! let frame0 = job.render_frame(0)?.to_vec();
//! assert_eq!(frame0.len(), 32 * 32 * 4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod analysis;
pub mod budget;
pub mod decode;
pub mod encode;
pub mod error;
pub mod header;
pub mod image;
pub mod job;
pub mod motion;
pub mod options;
pub mod plan;
pub mod raster;
pub mod render;
#[doc(hidden)]
pub mod testing;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod api;

pub use error::{EngineError, ErrorCode};
pub use job::Job;

/// The engine's version, as reported by `status()` in JavaScript.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
