//! Motion: what moves, and how, over one exactly looping period.
//!
//! - [`field`] — one frame's displacement on the motion grid, shared by the motions and the renderer;
//! - [`modal`] — the resonance motion: K oscillation modes per location, evolved by phase rotation;
//! - [`flow`] — looping two-phase advection along the image's streaks (water, clouds), and the
//!   sky's drift;
//! - [`sky`] — where the sky is, without a learned model;
//! - [`freeze`] — the user's anchor mask: pixels that never move;
//! - [`fields`] — the fields of one video, built once from the analysis for its motion;
//! - [`shimmer`] — phase rotation of oriented band-pass components (glints, haze): content seems
//!   to drift while nothing is resampled;
//!
//! The camera's zoom-and-pan is not a field: the renderer draws it as a view of the source.
//!
//! Time is sampled at `t_n = n·T/N` (never `n/(N−1)`), and every frequency is an integer number of
//! cycles per loop, so frame `N` is bit-identical to frame 0 and the video loops without a seam.

pub mod field;
pub mod fields;
pub mod flow;
pub mod freeze;
pub mod grid;
pub mod modal;
pub mod shimmer;
pub mod sky;

use serde::{Deserialize, Serialize};

/// Hermite smoothstep of `x` between the edges `e0 < e1`: 0 below, 1 above, smooth between.
pub(crate) fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// A hash of integer lattice coordinates to [0, 1) (SplitMix64).
pub fn lattice_hash(seed: u64, x: i64, y: i64) -> f64 {
    let mut z = seed ^ (x as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (y as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Everything a local motion needs to know about the video.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MotionParams {
    /// Output width in pixels.
    pub width: u32,
    /// Output height in pixels.
    pub height: u32,
    /// Frames per loop (N).
    pub frames: u32,
    /// Frames per second (for the mode frequencies in hertz).
    pub fps: u32,
    /// Number of modes (K) of the resonance motion.
    pub depth: u32,
    /// Requested `max |D|` in output pixels.
    pub amplitude: f64,
    /// Seed of the noise and the wind.
    pub seed: u64,
}

/// Which motion a video gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MotionMode {
    /// Modal sway and ripple where the image is textured (grass, leaves, water); still elsewhere.
    #[default]
    #[serde(rename = "resonance")]
    Resonance,
    /// The slow zoom-in with a gentle pan (a closed path when `loop` is on).
    #[serde(rename = "camera")]
    Camera,
    /// Both at once, composed into one resampling.
    #[serde(rename = "resonance+camera")]
    ResonanceCamera,
    /// Texture drifting steadily along the image's streaks, as water and clouds do.
    #[serde(rename = "flow")]
    Flow,
    /// Oriented fine detail whose phase rotates: glints and haze seem to move, the picture stays.
    #[serde(rename = "shimmer")]
    Shimmer,
    /// The sky drifts on a steady wind; the horizon and everything below or against it stay still.
    #[serde(rename = "sky")]
    Sky,
}

impl MotionMode {
    /// The option's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MotionMode::Resonance => "resonance",
            MotionMode::Camera => "camera",
            MotionMode::ResonanceCamera => "resonance+camera",
            MotionMode::Flow => "flow",
            MotionMode::Shimmer => "shimmer",
            MotionMode::Sky => "sky",
        }
    }

    /// Every mode, in the order the demo lists them.
    pub const ALL: [MotionMode; 6] = [
        MotionMode::Resonance,
        MotionMode::Flow,
        MotionMode::Sky,
        MotionMode::Shimmer,
        MotionMode::Camera,
        MotionMode::ResonanceCamera,
    ];

    /// Whether the image must be analysed (every mode but the camera moves what the maps allow).
    pub fn needs_analysis(self) -> bool {
        self != MotionMode::Camera
    }

    /// Whether the modal field is needed.
    pub fn has_resonance(self) -> bool {
        matches!(self, MotionMode::Resonance | MotionMode::ResonanceCamera)
    }

    /// Whether the camera moves.
    pub fn has_camera(self) -> bool {
        matches!(self, MotionMode::Camera | MotionMode::ResonanceCamera)
    }
}
