//! Resource control: how much memory a job will need, estimated from the image's header and the
//! options before any pixel is decoded, and checked against the job's budget. A job that cannot
//! fit fails at once with `RESOURCE_LIMIT`, instead of growing the WebAssembly memory until the
//! browser refuses and the worker dies mid-video.
//!
//! The model is per pixel, with coefficients measured by counting every allocation of real jobs
//! (tests/resources.rs keeps it honest: the estimate must be at least the measured peak and not
//! far above it). A job's peak is the larger of two phases:
//!
//! - **decoding**: the decoder's own pixel buffer at full size (its native layout, e.g. 3 bytes a
//!   pixel for a JPEG) plus the reduced RGBA copy being made from it;
//! - **rendering**: the per-frame buffers (and, for WebCodecs frames in I420, the I420 copy of
//!   what they are sampled from), plus the camera's kept source, or for the local motions the
//!   larger of the source with the analysis (on its grid) and the motion's own fields (at the
//!   output size): the source is fitted to the output and dropped before the fields are built.
//!   Video length does not appear: frames are made one at a time and leave for the encoder at once.

use crate::error::{EngineError, ErrorCode, Result};
use crate::motion::MotionMode;
use crate::options::Format;
use crate::plan::{RenderPlan, VideoLayout};

const MIB: f64 = 1024.0 * 1024.0;

/// Bytes per output pixel of a GIF: the RGBA frames its palette is made from (at most
/// [`PALETTE_SAMPLES`](crate::encode::gif::PALETTE_SAMPLES)), and the previous frame's
/// palette indices.
const GIF_BYTES_PER_PX: f64 = 4.0 * crate::encode::gif::PALETTE_SAMPLES as f64 + 2.0;
/// Bytes per output pixel of every job: the frame buffer, the fitted source, resampling rows.
const FRAME_BYTES_PER_PX: f64 = 8.0;
/// Bytes per analysis-grid pixel: luma, the structure tensor, texture energy and their blurs, the
/// maps, at their peak while the analysis runs (measured ≈ 73–83).
const ANALYSIS_BYTES_PER_PX: f64 = 84.0;
/// Bytes per output pixel of the flow field (velocities, gates, the blend's local statistics), and
/// of a textured sky drifting over it when the picture has one (its layer, field, alpha and
/// frames); tests/resources.rs measures both.
const FLOW_BYTES_PER_PX: f64 = 32.0;
/// Bytes per output pixel of the sky motion: its field and blend as flow's, its layer, alpha and
/// the still picture, the fill's pyramid while the layer is made; tests/resources.rs measures it.
const SKY_BYTES_PER_PX: f64 = 32.0;
/// Bytes per output pixel of shimmer: four complex i16 bands plus the blurs that make them
/// (measured ≈ 45–48).
const SHIMMER_BYTES_PER_PX: f64 = 50.0;
/// Bytes per analysis-grid pixel of an analysis as bytes (four `f32` maps).
const CACHED_ANALYSIS_BYTES_PER_PX: f64 = 16.0;
/// Bytes per RGBA byte of the I420 copy of the images a video's frames are sampled from (the
/// camera's kept source, the resonance warp's fitted image, flow's fitted image and mean), made
/// for a WebCodecs video (Y, and a quarter each of Cb and Cr: 1.5 of RGBA's 4 bytes a pixel).
const I420_SOURCE_BYTES_PER_RGBA_BYTE: f64 = 1.5 / 4.0;
/// Bytes per output pixel of an I420 frame and its one-channel resampling rows or positions.
const I420_FRAME_BYTES_PER_PX: f64 = 2.0;
/// Allocations that do not grow with the image: tables, the analysis' waveforms, rayon's queues.
const FIXED_BYTES: f64 = 2.0 * MIB;
/// Headroom for what the model does not see (allocator rounding, decoder internals).
const MARGIN: f64 = 1.05;

/// What a job's decoding will hold: see [`crate::decode::OpenedImage::decode_peak_bytes`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodeCost {
    /// Peak bytes while decoding.
    pub peak: u64,
    /// Bytes of the RGBA image kept afterwards.
    pub kept: u64,
}

/// A job's estimated peak memory in bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryEstimate {
    /// Peak while the image (and the freeze mask) is decoded.
    pub decoding: u64,
    /// Peak while the job analyses and renders.
    pub rendering: u64,
}

impl MemoryEstimate {
    /// Estimates `plan` with the decode costs of its image and of its freeze mask, if any.
    pub fn new(plan: &RenderPlan, image: DecodeCost, mask: Option<DecodeCost>) -> Self {
        let out_px = f64::from(plan.width) * f64::from(plan.height);
        let mask_kept = mask.map_or(0.0, |m| m.kept as f64);
        let mut per_px = FRAME_BYTES_PER_PX * out_px;
        // The decoded source, held while the job renders: the camera's, for good.
        let mut source = image.kept as f64;
        if plan.video_layout() == VideoLayout::I420 && !matches!(plan.format, Format::Avi | Format::Gif) {
            // WebCodecs gets I420 frames (crate::render::yuv); AVI's JPEG encoder takes RGBA. The
            // camera converts its kept source, the resonance warp its fitted (output-size) image,
            // flow the fitted image and its blend's mean.
            let converted = match plan.motion {
                MotionMode::Camera => image.kept as f64,
                MotionMode::Flow | MotionMode::Sky => 8.0 * out_px,
                _ => 4.0 * out_px,
            };
            per_px += I420_FRAME_BYTES_PER_PX * out_px + I420_SOURCE_BYTES_PER_RGBA_BYTE * converted;
        }
        if plan.motion.needs_analysis() {
            let (gw, gh) = crate::analysis::working_size(plan.width, plan.height, plan.quantum_precision);
            let analysis = ANALYSIS_BYTES_PER_PX * f64::from(gw) * f64::from(gh);
            let motion = match plan.motion {
                MotionMode::Flow => FLOW_BYTES_PER_PX * out_px,
                MotionMode::Sky => SKY_BYTES_PER_PX * out_px,
                MotionMode::Shimmer => SHIMMER_BYTES_PER_PX * out_px,
                // The modal field lives on a coarse grid: a fraction of the analysis.
                _ => 0.0,
            };
            // The analysis reads the source; the fields are built after it is fitted and dropped.
            per_px += (source + analysis).max(motion);
            source = 0.0;
            if mask.is_some() {
                // The analysis kept as bytes (for the page's cache) from before the mask changed it.
                per_px += CACHED_ANALYSIS_BYTES_PER_PX * f64::from(gw) * f64::from(gh);
            }
        }
        if plan.format == Format::Gif {
            per_px += GIF_BYTES_PER_PX * out_px;
        }
        let rendering = (source + mask_kept + per_px + FIXED_BYTES) * MARGIN;
        let decoding = (mask_kept + image.peak as f64).max(mask.map_or(0.0, |m| m.peak as f64));
        let decoding = (decoding + FIXED_BYTES) * MARGIN;
        MemoryEstimate { decoding: decoding as u64, rendering: rendering as u64 }
    }

    /// The larger phase.
    pub fn peak(&self) -> u64 {
        self.decoding.max(self.rendering)
    }

    /// Checks the estimate against `budget` bytes.
    ///
    /// # Errors
    /// `RESOURCE_LIMIT` stating both figures and what to lower.
    pub fn check(&self, budget: u64) -> Result<()> {
        if self.peak() <= budget {
            return Ok(());
        }
        let (phase, lower) = if self.decoding >= self.rendering {
            ("decoding the image", "use a smaller image")
        } else {
            ("rendering", "choose a smaller resolution or quantumPrecision")
        };
        Err(EngineError::new(
            ErrorCode::ResourceLimit,
            format!(
                "this job needs about {:.0} MiB ({phase}), over its memory budget of {:.0} MiB; {lower}, or raise \
                 `memoryBudget`",
                self.peak() as f64 / MIB,
                budget as f64 / MIB
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::RenderOptions;

    fn plan(size: u32, motion: MotionMode, precision: f64) -> RenderPlan {
        let o = RenderOptions {
            resolution: Some(format!("{size}x{size}").parse().expect("size")),
            motion: Some(motion),
            quantum_precision: Some(precision),
            ..Default::default()
        };
        RenderPlan::new(&o.validate().expect("valid"), 4000, 3000)
    }

    const PHOTO: DecodeCost = DecodeCost { peak: 84_000_000, kept: 48_000_000 };

    #[test]
    fn estimate_grows_with_output_precision_and_motion() {
        let camera = MemoryEstimate::new(&plan(1024, MotionMode::Camera, 512.0), PHOTO, None);
        let resonance = MemoryEstimate::new(&plan(1024, MotionMode::Resonance, 512.0), PHOTO, None);
        let fine = MemoryEstimate::new(&plan(1024, MotionMode::Resonance, 1024.0), PHOTO, None);
        let big = MemoryEstimate::new(&plan(2048, MotionMode::Shimmer, 512.0), PHOTO, None);
        assert!(camera.rendering < resonance.rendering && resonance.rendering < fine.rendering);
        assert!(fine.rendering < big.rendering);
        assert_eq!(camera.decoding, resonance.decoding, "decoding does not depend on the motion");
        // Length never matters: frames are streamed.
        let mut long = plan(1024, MotionMode::Resonance, 512.0);
        long.frames *= 7;
        assert_eq!(MemoryEstimate::new(&long, PHOTO, None), resonance);
    }

    #[test]
    fn over_budget_is_resource_limit_naming_both_figures() {
        let e = MemoryEstimate::new(&plan(2048, MotionMode::Resonance, 2048.0), PHOTO, None);
        assert!(e.check(e.peak()).is_ok());
        let err = e.check(e.peak() - 1).expect_err("over budget");
        assert_eq!(err.code, ErrorCode::ResourceLimit);
        assert!(err.message.contains("MiB") && err.message.contains("memoryBudget"), "{}", err.message);
        assert!(err.message.contains("quantumPrecision"), "rendering dominates: {}", err.message);
    }
}
