//! A render plan: validated options resolved against a decoded image. It is what a job reports
//! before it renders anything (frame count, sizes), and what metadata is built from.

use serde::Serialize;

use crate::motion::{MotionMode, MotionParams};
use crate::options::{Format, ValidOptions};

/// How a video's frames are handed to a video encoder ([`RenderPlan::video_layout`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoLayout {
    /// 4 bytes a pixel, R G B A.
    Rgba,
    /// BT.709 limited-range I420 ([`crate::render::yuv`]): Y, then Cb, then Cr.
    I420,
}

impl VideoLayout {
    /// The name WebCodecs' `VideoFrame` uses for it.
    pub fn as_str(self) -> &'static str {
        match self {
            VideoLayout::Rgba => "RGBA",
            VideoLayout::I420 => "I420",
        }
    }
}

/// Everything a job will do, decided before the first frame.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderPlan {
    /// Container.
    pub format: Format,
    /// Output width in pixels.
    pub width: u32,
    /// Output height in pixels.
    pub height: u32,
    /// Frames per second.
    pub fps: u32,
    /// Number of frames.
    pub frames: u32,
    /// Video length in seconds: `frames / fps`.
    pub duration: f64,
    /// Seed of the random choices.
    pub seed: u64,
    /// Decoded source width.
    pub source_width: u32,
    /// Decoded source height.
    pub source_height: u32,
    /// Analysis length ("quantum precision").
    pub quantum_precision: u32,
    /// Number of oscillation modes ("resonance depth").
    pub resonance_depth: u32,
    /// Motion.
    pub motion: MotionMode,
    /// Requested largest displacement in output pixels.
    pub amplitude: f64,
    /// Seamless loop.
    #[serde(rename = "loop")]
    pub looped: bool,
}

impl RenderPlan {
    /// What the motion fields are built for: size, length, depth, amplitude and seed.
    pub fn motion_params(&self) -> MotionParams {
        MotionParams {
            width: self.width,
            height: self.height,
            frames: self.frames,
            fps: self.fps,
            depth: self.resonance_depth,
            amplitude: self.amplitude,
            seed: self.seed,
        }
    }

    /// The layout in which a video encoder is best handed this video's frames: I420 for the camera,
    /// the resonance warps and flow (they sample one-byte planes, 1.5 samples a pixel of a
    /// one-channel kernel instead of one four-channel sample, and the encoder converts nothing);
    /// RGBA for shimmer, whose bands are added per RGBA channel. AVI never asks: its JPEG encoder takes RGBA
    /// frames. The job, the renderer and the memory estimate all follow this rule.
    pub fn video_layout(&self) -> VideoLayout {
        match self.motion {
            MotionMode::Shimmer => VideoLayout::Rgba,
            MotionMode::Camera
            | MotionMode::Resonance
            | MotionMode::ResonanceCamera
            | MotionMode::Flow
            | MotionMode::Sky => VideoLayout::I420,
        }
    }

    /// Resolves `options` for a `source_width x source_height` image.
    pub fn new(options: &ValidOptions, source_width: u32, source_height: u32) -> Self {
        RenderPlan {
            format: options.format,
            width: options.width,
            height: options.height,
            fps: options.fps,
            frames: options.frames,
            duration: f64::from(options.frames) / f64::from(options.fps),
            seed: options.seed,
            source_width,
            source_height,
            quantum_precision: options.quantum_precision,
            resonance_depth: options.resonance_depth,
            motion: options.motion,
            amplitude: options.amplitude,
            looped: options.looped,
        }
    }

    /// Presentation time of frame `index` in microseconds, rounded (WebCodecs' time unit).
    pub fn timestamp_us(&self, index: u32) -> i64 {
        (f64::from(index) * 1e6 / f64::from(self.fps)).round() as i64
    }
}
