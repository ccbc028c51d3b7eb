//! The [`Renderer`]: owns the (possibly pre-reduced) source and one output buffer, and renders any
//! frame on demand. Frames are never stored: rendering frame `i` overwrites frame `i - 1`.

use crate::error::{EngineError, ErrorCode, Result};
use crate::image::Rgba8Image;
use crate::motion::fields::Fields;
use crate::motion::flow::FlowField;
use crate::motion::freeze::FreezeMask;
use crate::motion::modal::ModalField;
use crate::motion::shimmer::ShimmerField;
use crate::motion::sky::Sky;
use crate::plan::RenderPlan;
use crate::raster::fill::fill_unknown;
use crate::raster::fit;
use crate::raster::reduce::box_reduce_image;
use crate::raster::resample::{resample, resample_samples};
use crate::raster::View;
use crate::render::advect::{advect, advect_i420, FlowBlend, FlowPlanes};
use crate::render::camera::CameraPath;
use crate::render::layer::{Composite, Coverage};
use crate::render::planar::{warp_i420, SourceI420};
use crate::render::positions::WarpPositions;
use crate::render::preview;
use crate::render::warp::warp;
use crate::render::yuv::{i420_len, I420};
use crate::render::VideoLayout;

/// How frames are made.
#[derive(Debug)]
enum Pipeline {
    /// Camera only: each frame is an area-filtered view of the source (best quality for zooms).
    /// `planes` is the source in I420, made at the first video frame.
    Camera { source: Rgba8Image, path: CameraPath, planes: Option<I420> },
    /// Motion fields over the fitted image, composed with an optional camera, resampled once.
    /// `planes` is the fitted image in I420, made at the first video frame.
    Warp {
        fitted: Rgba8Image,
        field: Option<ModalField>,
        camera: Option<CameraPath>,
        frozen: Option<FreezeMask>,
        planes: Option<SourceI420>,
    },
    /// Two advected copies of the fitted image, blended. `planes` are the fitted image and the
    /// blend's mean in I420, made at the first video frame (boxed: they are large inline). For the
    /// sky, `fitted` is the sky layer (the sky, everything else filled in from it) and `layer`
    /// puts the still picture under it. For flow over a picture with a textured sky, `sky` drifts
    /// the sky over the flowing rest.
    Flow {
        fitted: Rgba8Image,
        field: FlowField,
        blend: FlowBlend,
        frozen: Option<FreezeMask>,
        planes: Option<Box<FlowPlanes>>,
        layer: Option<Box<Composite>>,
        sky: Option<Box<SkyOverlay>>,
    },
    /// The fitted image plus its phase-rotated bands.
    Shimmer { fitted: Rgba8Image, field: ShimmerField },
}

/// The sky drifting over flow, as the sky motion draws it: its layer, field, blend and coverage,
/// and its frames (reused buffers).
#[derive(Debug)]
struct SkyOverlay {
    layer: Rgba8Image,
    field: FlowField,
    blend: FlowBlend,
    coverage: Coverage,
    planes: Option<Box<FlowPlanes>>,
    rgba: Vec<u8>,
    i420: Vec<u8>,
}

impl SkyOverlay {
    /// The overlay that drifts `sky`, found in `fitted`, by `field`.
    fn new(fitted: &Rgba8Image, sky: &Sky, field: FlowField) -> Box<Self> {
        let (w, h) = (fitted.width() as usize, fitted.height() as usize);
        let alpha = sky.alpha(w, h, SKY_EDGE_PX);
        let known: Vec<bool> = alpha.iter().map(|&a| a > 0).collect();
        let layer = fill_unknown(fitted, &known);
        let blend = FlowBlend::new(&layer, field.amplitude());
        let coverage = Coverage::new(w, h, alpha);
        Box::new(SkyOverlay { layer, field, blend, coverage, planes: None, rgba: vec![0; w * h * 4], i420: Vec::new() })
    }
}

/// Renders frames of one video.
#[derive(Debug)]
pub struct Renderer {
    pipeline: Pipeline,
    /// Source pixels per working-source pixel, after the one-off reduction of huge inputs.
    reduction: u32,
    width: u32,
    height: u32,
    frames: u32,
    looped: bool,
    buffer: Vec<u8>,
    /// The last I420 frame (empty until the first).
    i420: Vec<u8>,
    /// Which buffer holds the frame rendered last (`None` before the first).
    last: Option<VideoLayout>,
    /// The last preview, in RGBA.
    preview: Vec<u8>,
}

impl Renderer {
    /// Largest source-to-output scale the per-frame filter handles directly (its kernel then has
    /// 2·8+1 taps); larger sources are first box-reduced by a whole factor, once.
    pub const MAX_DIRECT_SCALE: f64 = 8.0;

    /// A camera-only renderer: `frames` frames of `width x height` with the one-way camera of `seed`.
    pub fn new(source: Rgba8Image, width: u32, height: u32, frames: u32, seed: u64) -> Self {
        let (source, reduction) = reduce(source, width, height);
        let path = CameraPath::new((source.width(), source.height()), (width, height), seed);
        let buffer = vec![0; width as usize * height as usize * 4];
        Renderer {
            pipeline: Pipeline::Camera { source, path, planes: None },
            reduction,
            width,
            height,
            frames,
            looped: false,
            buffer,
            i420: Vec::new(),
            last: None,
            preview: Vec::new(),
        }
    }

    /// A camera-only renderer for `plan`.
    pub fn camera(source: Rgba8Image, plan: &RenderPlan) -> Self {
        let mut r = Renderer::new(source, plan.width, plan.height, plan.frames, plan.seed);
        r.looped = plan.looped;
        r
    }

    /// The picture the local motions are drawn over: `source`, box-reduced once when it is far
    /// larger than the output, cover-fitted to `width x height`; and the reduction.
    pub fn fitted(source: Rgba8Image, width: u32, height: u32) -> (Rgba8Image, u32) {
        let (source, reduction) = reduce(source, width, height);
        (fit(&source, width, height), reduction)
    }

    /// The renderer for `plan` that draws the motion `fields` over `fitted` (from
    /// [`Renderer::fitted`], with its `reduction`); `frozen` (at the output size) marks pixels the
    /// motion never moves.
    pub fn with_fields(
        fitted: Rgba8Image,
        reduction: u32,
        plan: &RenderPlan,
        fields: Fields,
        frozen: Option<FreezeMask>,
    ) -> Self {
        let (width, height, frames) = (plan.width, plan.height, plan.frames);
        let pipeline = match fields {
            Fields::Flow { field, sky } => {
                let blend = FlowBlend::new(&fitted, field.amplitude());
                let sky = sky.map(|(sky, field)| SkyOverlay::new(&fitted, &sky, field));
                Pipeline::Flow { fitted, field, blend, frozen, planes: None, layer: None, sky }
            }
            Fields::Sky { field, sky } => {
                // The sky layer: the sky, everything else filled in from it; the still picture
                // is composited under it by the sky's coverage.
                let (fitted, layer) = match sky {
                    Some(sky) => {
                        let alpha = sky.alpha(width as usize, height as usize, SKY_EDGE_PX);
                        let known: Vec<bool> = alpha.iter().map(|&a| a > 0).collect();
                        let layer = fill_unknown(&fitted, &known);
                        (layer, Some(Box::new(Composite::new(fitted, alpha))))
                    }
                    None => (fitted, None),
                };
                let blend = FlowBlend::new(&fitted, field.amplitude());
                Pipeline::Flow { fitted, field, blend, frozen, planes: None, layer, sky: None }
            }
            Fields::Shimmer(field) => Pipeline::Shimmer { fitted, field },
            Fields::Modal(field) => {
                let camera =
                    plan.motion.has_camera().then(|| CameraPath::new((width, height), (width, height), plan.seed));
                Pipeline::Warp { fitted, field: Some(field), camera, frozen, planes: None }
            }
        };
        let buffer = vec![0; width as usize * height as usize * 4];
        Renderer {
            pipeline,
            reduction,
            width,
            height,
            frames,
            looped: plan.looped,
            buffer,
            i420: Vec::new(),
            last: None,
            preview: Vec::new(),
        }
    }

    /// Output width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Output height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Number of frames in the video.
    pub fn frames(&self) -> u32 {
        self.frames
    }

    /// The whole-number factor by which a huge source was reduced before rendering (1 = none).
    pub fn reduction(&self) -> u32 {
        self.reduction
    }

    /// The modal field, when the motion has resonance.
    pub fn field(&self) -> Option<&ModalField> {
        match &self.pipeline {
            Pipeline::Warp { field, .. } => field.as_ref(),
            _ => None,
        }
    }

    /// The flow field, when the motion is `flow`.
    pub fn flow(&self) -> Option<&FlowField> {
        match &self.pipeline {
            Pipeline::Flow { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The shimmer bands, when the motion is `shimmer`.
    pub fn shimmer(&self) -> Option<&ShimmerField> {
        match &self.pipeline {
            Pipeline::Shimmer { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The local motion's amplitude actually used, in output pixels (`None` for the camera alone;
    /// 0 when nothing in the image can move).
    pub fn amplitude_used(&self) -> Option<f64> {
        match &self.pipeline {
            Pipeline::Camera { .. } => None,
            Pipeline::Warp { field, .. } => field.as_ref().map(ModalField::amplitude),
            Pipeline::Flow { field, .. } => Some(field.amplitude()),
            Pipeline::Shimmer { field, .. } => Some(field.amplitude()),
        }
    }

    /// The camera view of frame `index`, when the camera moves.
    pub fn view(&self, index: u32) -> Option<View> {
        match &self.pipeline {
            Pipeline::Camera { path, .. } => Some(path.frame_view(index, self.frames, self.looped)),
            Pipeline::Warp { camera, .. } => camera.map(|p| p.frame_view(index, self.frames, self.looped)),
            Pipeline::Flow { .. } | Pipeline::Shimmer { .. } => None,
        }
    }

    /// Renders frame `index` and returns its RGBA pixels (`width * height * 4` bytes), valid until
    /// the next call. With `loop` on, frame `frames` (one past the last) may be rendered too: it is
    /// bit-identical to frame 0, which is how the seamless loop is tested.
    ///
    /// # Errors
    /// `INVALID_OPTION` when `index` is out of range.
    pub fn render(&mut self, index: u32) -> Result<&[u8]> {
        self.check_index(index)?;
        let view = self.view(index);
        match &mut self.pipeline {
            Pipeline::Camera { source, .. } => {
                let view = view.unwrap_or(View::IDENTITY);
                resample(source, view, &mut self.buffer, self.width as usize, self.height as usize);
            }
            Pipeline::Warp { fitted, field, frozen, .. } => {
                let displacement = field.as_ref().map(|f| f.frame(index)).filter(|d| !d.is_zero);
                let positions = WarpPositions::new(self.width as usize, view, displacement.as_ref(), frozen.as_ref());
                warp(fitted, &mut self.buffer, |y, xs, ys| positions.row(y, xs, ys));
            }
            Pipeline::Flow { fitted, field, blend, frozen, layer, sky, .. } => {
                if field.is_still() {
                    self.buffer.copy_from_slice(fitted.data());
                } else {
                    advect(fitted, blend, field, index, frozen.as_ref(), &mut self.buffer);
                }
                if let Some(layer) = layer {
                    layer.under_rgba(&mut self.buffer);
                }
                if let Some(o) = sky {
                    advect(&o.layer, &o.blend, &o.field, index, frozen.as_ref(), &mut o.rgba);
                    o.coverage.over_rgba(&mut self.buffer, &o.rgba);
                }
            }
            Pipeline::Shimmer { fitted, field } => match field.frame(index) {
                Some(frame) => field.render(fitted, &frame, &mut self.buffer),
                None => self.buffer.copy_from_slice(fitted.data()),
            },
        }
        self.last = Some(VideoLayout::Rgba);
        Ok(&self.buffer)
    }

    /// `INVALID_OPTION` unless `index` is a frame of the video (or, looped, one past the last).
    fn check_index(&self, index: u32) -> Result<()> {
        let limit = if self.looped { self.frames } else { self.frames - 1 };
        if index > limit {
            return Err(EngineError::new(
                ErrorCode::InvalidOption,
                format!("frame index {index} is out of range: the video has {} frames", self.frames),
            ));
        }
        Ok(())
    }

    /// Renders frame `index` in I420 (`width * height * 3 / 2` bytes), valid until the next call.
    /// The source is converted once, at the first call.
    ///
    /// # Errors
    /// `INVALID_OPTION` when `index` is out of range; `INTERNAL` for shimmer, which renders RGBA
    /// only ([`RenderPlan::video_layout`] is not I420 for it).
    pub fn render_i420(&mut self, index: u32) -> Result<&[u8]> {
        self.check_index(index)?;
        let view = self.view(index);
        let (w, h) = (self.width as usize, self.height as usize);
        if self.i420.is_empty() {
            self.i420 = vec![0; i420_len(w, h)];
        }
        match &mut self.pipeline {
            Pipeline::Camera { source, planes, .. } => {
                let planes = planes.get_or_insert_with(|| I420::from_rgba(source));
                let view = view.unwrap_or(View::IDENTITY);
                let (y, chroma) = self.i420.split_at_mut(w * h);
                let (cb, cr) = chroma.split_at_mut(chroma.len() / 2);
                resample_samples(planes.y.samples(), view, y, w, h);
                // Chroma pixel i covers luma pixels 2i and 2i + 1: the same scale, on a half-size plane.
                let half = View { scale: view.scale, offset_x: view.offset_x / 2.0, offset_y: view.offset_y / 2.0 };
                resample_samples(planes.cb.samples(), half, cb, w / 2, h / 2);
                resample_samples(planes.cr.samples(), half, cr, w / 2, h / 2);
            }
            Pipeline::Warp { fitted, field, frozen, planes, .. } => {
                // Positions reach past the image by the displacement at most (the camera keeps its
                // view inside).
                let reach = field.as_ref().map_or(0.0, ModalField::amplitude);
                let planes = planes.get_or_insert_with(|| SourceI420::new(fitted, reach));
                let displacement = field.as_ref().map(|f| f.frame(index)).filter(|d| !d.is_zero);
                let positions = WarpPositions::new(w, view, displacement.as_ref(), frozen.as_ref());
                warp_i420(planes, &mut self.i420, |y, xs, ys| positions.row(y, xs, ys));
            }
            Pipeline::Flow { fitted, field, blend, frozen, planes, layer, sky } => {
                let planes = planes.get_or_insert_with(|| Box::new(FlowPlanes::new(fitted, blend, field)));
                if field.is_still() {
                    planes.image().copy_to(&mut self.i420);
                } else {
                    advect_i420(planes, blend, field, index, frozen.as_ref(), &mut self.i420);
                }
                if let Some(layer) = layer {
                    layer.under_i420(&mut self.i420);
                }
                if let Some(o) = sky {
                    let SkyOverlay { layer, field, blend, coverage, planes, i420, .. } = &mut **o;
                    let planes = planes.get_or_insert_with(|| Box::new(FlowPlanes::new(layer, blend, field)));
                    i420.resize(self.i420.len(), 0);
                    advect_i420(planes, blend, field, index, frozen.as_ref(), i420);
                    coverage.over_i420(&mut self.i420, i420);
                }
            }
            Pipeline::Shimmer { .. } => {
                return Err(EngineError::new(ErrorCode::Internal, "shimmer renders RGBA only"));
            }
        }
        self.last = Some(VideoLayout::I420);
        Ok(&self.i420)
    }

    /// The frame rendered last, shrunk to `width x height` (at most the frame's size), in RGBA,
    /// valid until the next preview.
    ///
    /// # Errors
    /// `INVALID_OPTION` before the first frame, or for a size outside 1×1 to the frame's.
    pub fn preview(&mut self, width: u32, height: u32) -> Result<&[u8]> {
        let frame = (self.width as usize, self.height as usize);
        let to = (width as usize, height as usize);
        match self.last {
            Some(VideoLayout::Rgba) => preview::from_rgba(&self.buffer, frame.0, frame.1, to, &mut self.preview)?,
            Some(VideoLayout::I420) => preview::from_i420(&self.i420, frame.0, frame.1, to, &mut self.preview)?,
            None => return Err(EngineError::new(ErrorCode::InvalidOption, "no frame has been rendered to preview")),
        }
        Ok(&self.preview)
    }

    /// The frame rendered last (all zeros before the first call).
    pub fn buffer(&self) -> &[u8] {
        &self.buffer
    }
}

/// How many pixels the sky's edge takes to go from still to fully moving: a soft edge, too narrow
/// to show a halo.
const SKY_EDGE_PX: f32 = 3.0;

/// Box-reduces a source far larger than the output, once, so per-frame kernels stay small.
fn reduce(source: Rgba8Image, width: u32, height: u32) -> (Rgba8Image, u32) {
    let fit = (f64::from(source.width()) / f64::from(width)).min(f64::from(source.height()) / f64::from(height));
    let reduction = if fit > Renderer::MAX_DIRECT_SCALE { (fit / 4.0).floor() as u32 } else { 1 };
    if reduction > 1 {
        match box_reduce_image(&source, reduction) {
            Ok(reduced) => (reduced, reduction),
            // Unreachable (the size is the source's own, reduced), and rendering the source
            // unreduced is still correct, only slower.
            Err(_) => (source, 1),
        }
    } else {
        (source, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::gradient;

    #[test]
    fn frame_zero_is_the_source_when_sizes_match() {
        let src = gradient(64, 48);
        let mut r = Renderer::new(src.clone(), 64, 48, 10, 3);
        assert_eq!(r.render(0).expect("frame"), src.data());
    }

    #[test]
    fn frames_differ_along_the_move_and_index_is_checked() {
        let mut r = Renderer::new(gradient(300, 200), 100, 100, 24, 5);
        let first = r.render(0).expect("frame").to_vec();
        let last = r.render(23).expect("frame").to_vec();
        assert_ne!(first, last);
        assert_eq!(r.render(24).map(|_| ()).unwrap_err().code, ErrorCode::InvalidOption);
    }

    #[test]
    fn huge_sources_are_reduced_once_and_still_cover_the_frame() {
        let mut r = Renderer::new(gradient(4000, 3000), 100, 100, 2, 0);
        assert_eq!(r.reduction(), 7, "30x cover scale reduced to about 4x");
        let frame = r.render(0).expect("frame").to_vec();
        assert_eq!(frame.len(), 100 * 100 * 4);
        // The gradient's red channel rises left to right in every row.
        let reds: Vec<u8> = (0..100).map(|x| frame[(50 * 100 + x) * 4]).collect();
        assert!(reds.windows(2).all(|w| w[1] >= w[0]), "{reds:?}");
    }
}
