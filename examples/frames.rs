//! Writes a video's frames as raw RGBA to stdout, one after another: the pixels every encoder gets,
//! for other tools to encode or compare against (`npm run bench` hands them to ffmpeg's
//! `palettegen`/`paletteuse` beside the engine's own GIF of the same job).
//!
//! ```text
//! cargo run --release --example frames -- IMAGE MOTION WIDTHxHEIGHT SECONDS FPS SEED > frames.rgba
//! ffmpeg -f rawvideo -pix_fmt rgba -s WIDTHxHEIGHT -framerate FPS -i frames.rgba …
//! ```

use std::io::Write;
use std::process::ExitCode;

use quantonium_video::motion::MotionMode;
use quantonium_video::options::{RenderOptions, Resolution};
use quantonium_video::Job;

const USAGE: &str = "usage: frames IMAGE MOTION WIDTHxHEIGHT SECONDS FPS SEED";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("frames: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [image, motion, size, seconds, fps, seed] = args.as_slice() else {
        return Err(USAGE.into());
    };
    let number = |text: &str, what: &str| text.parse::<f64>().map_err(|_| format!("{what} is not a number: {text:?}"));
    let motion = MotionMode::ALL
        .into_iter()
        .find(|m| m.as_str() == motion)
        .ok_or_else(|| format!("unknown motion {motion:?}"))?;
    let options = RenderOptions {
        resolution: Some(size.parse::<Resolution>()?),
        duration: Some(number(seconds, "SECONDS")?),
        fps: Some(number(fps, "FPS")?),
        seed: Some(number(seed, "SEED")?),
        motion: Some(motion),
        ..Default::default()
    };
    let bytes = std::fs::read(image).map_err(|e| format!("{image}: {e}"))?;
    let mut job = Job::new(&bytes, &options).map_err(|e| e.to_string())?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for index in 0..job.plan().frames {
        let frame = job.render_frame(index).map_err(|e| e.to_string())?;
        out.write_all(frame).map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}
