//! One generation job: options validated, image decoded, frames rendered on demand, and — for
//! AVI — each frame encoded to a JPEG chunk as soon as it is rendered. This is the pull API the
//! worker drives frame by frame, so it can yield, report progress and stop between frames.

use crate::analysis::Analysis;
use crate::budget::MemoryEstimate;
use crate::decode;
use crate::encode::avi::AviWriter;
use crate::encode::gif::{self, GifWriter};
use crate::encode::jpeg::JpegFrameEncoder;
use crate::error::{EngineError, ErrorCode, Result};
use crate::motion::fields::Fields;
use crate::motion::freeze::FreezeMask;
use crate::options::{Format, RenderOptions};
use crate::plan::RenderPlan;
use crate::render::{Renderer, VideoLayout};

/// A video being generated.
#[derive(Debug)]
pub struct Job {
    plan: RenderPlan,
    estimate: MemoryEstimate,
    analysis: Option<Analysis>,
    analysis_from_cache: bool,
    /// With a freeze mask: the fresh analysis as bytes from before the mask changed its mobility.
    masked_out: Option<Vec<u8>>,
    renderer: Renderer,
    avi: Option<(AviWriter, JpegFrameEncoder)>,
    /// The GIF being written, from [`Job::gif_header`] on.
    gif: Option<GifWriter>,
    /// The frame currently in the renderer's buffer, so an AVI chunk of a frame just rendered for
    /// preview is not rendered twice.
    rendered: Option<u32>,
}

impl Job {
    /// Validates `options` (first, so a bad option is reported without decoding), decodes `bytes`
    /// and prepares the renderer.
    ///
    /// # Errors
    /// `INVALID_OPTION`, `UNSUPPORTED_FORMAT`, `IMAGE_TOO_LARGE`, `RESOURCE_LIMIT` (the job's
    /// memory estimate, made before decoding, is over `memoryBudget`) or `CORRUPT_IMAGE`.
    pub fn new(bytes: &[u8], options: &RenderOptions) -> Result<Self> {
        Job::with_freeze_mask(bytes, options, None)
    }

    /// Like [`Job::new`], with a freeze mask: an image (any format the engine decodes) whose dark
    /// pixels (luma below one half) never move. It is cover-fitted to the output exactly like the
    /// photo, so it should have the photo's aspect ratio. It stops the local (resonance) motion; the
    /// camera, when on, still moves the whole frame.
    ///
    /// # Errors
    /// As [`Job::new`]; a mask that cannot be decoded gives `INVALID_OPTION` naming `freezeMask`.
    pub fn with_freeze_mask(bytes: &[u8], options: &RenderOptions, freeze_mask: Option<&[u8]>) -> Result<Self> {
        Job::build(bytes, options, freeze_mask, None)
    }

    /// Like [`Job::with_freeze_mask`], reusing an earlier analysis of the same image and options
    /// (`cached`, from [`Analysis::to_bytes`]) instead of analysing again. Bytes that do not read
    /// back for this job's grid and precision are ignored and the image is analysed as usual;
    /// [`Job::analysis_from_cache`] says which happened.
    ///
    /// # Errors
    /// As [`Job::with_freeze_mask`].
    pub fn build(
        bytes: &[u8],
        options: &RenderOptions,
        freeze_mask: Option<&[u8]>,
        cached: Option<&[u8]>,
    ) -> Result<Self> {
        let valid = options.validate()?;
        let output = (valid.width, valid.height);
        let mask_error =
            |e: EngineError| EngineError::invalid_option("freezeMask", format!("{}: {}", e.code, e.message));
        let mask = freeze_mask.map(|m| decode::open(m, valid.max_input_bytes).map_err(mask_error)).transpose()?;
        let opened = decode::open(bytes, valid.max_input_bytes)?;
        let plan = RenderPlan::new(&valid, opened.width(), opened.height());
        // Large photos are reduced while decoding: the job never holds them at full size in RGBA.
        let reduction = decode::reduction_for((plan.source_width, plan.source_height), output);
        let mask_reduction = mask.as_ref().map_or(1, |m| decode::reduction_for((m.width(), m.height()), output));
        let estimate = MemoryEstimate::new(
            &plan,
            opened.decode_cost(reduction),
            mask.as_ref().map(|m| m.decode_cost(mask_reduction)),
        );
        estimate.check(valid.memory_budget)?;
        let mask = mask.map(|m| m.decode(mask_reduction).map_err(mask_error)).transpose()?;
        let image = opened.decode(reduction)?;
        let precision = plan.quantum_precision;
        let (analysis_from_cache, mut analysis) = if plan.motion.needs_analysis() {
            let (gw, gh) = crate::analysis::working_size(plan.width, plan.height, precision);
            match cached.and_then(|c| Analysis::from_bytes(c, gw, gh, precision)) {
                Some(a) => (true, Some(a)),
                None => (false, Some(Analysis::new(&image, plan.width, plan.height, precision))),
            }
        } else {
            (false, None)
        };
        // The freeze mask changes the analysis' mobility below: what a cache may keep is taken first.
        let masked_out =
            (!analysis_from_cache && mask.is_some()).then(|| analysis.as_ref().map(Analysis::to_bytes)).flatten();
        let frozen = mask.as_ref().map(|m| FreezeMask::new(m, plan.width, plan.height));
        if let (Some(a), Some(m)) = (analysis.as_mut(), mask.as_ref()) {
            FreezeMask::new(m, a.width, a.height).apply_to(&mut a.maps.mobility);
        }
        let arrows = options.arrows_in_output((plan.source_width, plan.source_height), output);
        let renderer = if plan.motion.needs_analysis() {
            let maps = analysis.as_ref().map(|a| &a.maps);
            let maps = maps.ok_or_else(|| EngineError::new(ErrorCode::Internal, "local motion needs the analysis"))?;
            let (fitted, reduction) = Renderer::fitted(image, plan.width, plan.height);
            let fields = Fields::new(plan.motion, &fitted, maps, frozen.as_ref(), plan.motion_params(), &arrows)
                .ok_or_else(|| EngineError::new(ErrorCode::Internal, "a local motion without a field"))?;
            Renderer::with_fields(fitted, reduction, &plan, fields, frozen)
        } else {
            Renderer::camera(image, &plan)
        };
        let avi = (plan.format == Format::Avi).then(|| {
            (
                AviWriter::new(plan.width, plan.height, plan.fps),
                JpegFrameEncoder::new(JpegFrameEncoder::DEFAULT_QUALITY),
            )
        });
        Ok(Job { plan, estimate, analysis, analysis_from_cache, masked_out, renderer, avi, gif: None, rendered: None })
    }

    /// What this job will produce.
    pub fn plan(&self) -> &RenderPlan {
        &self.plan
    }

    /// The memory this job was estimated to need (and checked against its budget) before decoding.
    pub fn memory_estimate(&self) -> MemoryEstimate {
        self.estimate
    }

    /// Whether the analysis was read from the `cached` bytes given to [`Job::build`].
    pub fn analysis_from_cache(&self) -> bool {
        self.analysis_from_cache
    }

    /// The analysis this job made, as bytes for a cache ([`Analysis::to_bytes`]); `None` when it
    /// came from the cache or the motion needs none.
    pub fn analysis_bytes(&self) -> Option<Vec<u8>> {
        if self.analysis_from_cache {
            return None;
        }
        self.masked_out.clone().or_else(|| self.analysis.as_ref().map(Analysis::to_bytes))
    }

    /// The image analysis (present when the motion has resonance).
    pub fn analysis(&self) -> Option<&Analysis> {
        self.analysis.as_ref()
    }

    /// The renderer (for its motion field and camera).
    pub fn renderer(&self) -> &Renderer {
        &self.renderer
    }

    /// Renders frame `index` and returns its RGBA pixels, valid until the next render.
    ///
    /// # Errors
    /// `INVALID_OPTION` when `index` is out of range.
    pub fn render_frame(&mut self, index: u32) -> Result<&[u8]> {
        if self.rendered != Some(index) {
            self.rendered = None;
            self.renderer.render(index)?;
            self.rendered = Some(index);
        }
        Ok(self.renderer.buffer())
    }

    /// The layout of [`Job::render_video_frame`]'s pixels.
    pub fn video_layout(&self) -> VideoLayout {
        self.plan.video_layout()
    }

    /// Renders frame `index` for a video encoder, in [`Job::video_layout`] (I420 for the camera,
    /// the resonance motions and flow, RGBA for shimmer), valid until the next render.
    ///
    /// # Errors
    /// `INVALID_OPTION` when `index` is out of range.
    pub fn render_video_frame(&mut self, index: u32) -> Result<&[u8]> {
        match self.plan.video_layout() {
            VideoLayout::Rgba => self.render_frame(index),
            VideoLayout::I420 => self.renderer.render_i420(index),
        }
    }

    /// The frame rendered last (by either render call), shrunk to `width x height` in RGBA for a
    /// live preview, valid until the next preview.
    ///
    /// # Errors
    /// `INVALID_OPTION` before the first frame, or for a size outside 1×1 to the frame's.
    pub fn preview(&mut self, width: u32, height: u32) -> Result<&[u8]> {
        self.renderer.preview(width, height)
    }

    /// Renders frame `index` (unless it is already the current frame), encodes it as JPEG and
    /// returns it as an AVI `00dc` chunk.
    /// Frames must be requested in order 0, 1, 2, …
    ///
    /// # Errors
    /// `INVALID_OPTION` if this job is not an AVI job or frames are out of order;
    /// `ENCODER_ERROR` if encoding fails or the file would pass 4 GiB.
    pub fn avi_chunk(&mut self, index: u32) -> Result<Vec<u8>> {
        let (writer, _) = self.avi.as_ref().ok_or_else(not_avi)?;
        if index != writer.frames() {
            return Err(EngineError::new(
                ErrorCode::InvalidOption,
                format!("AVI frames must come in order: expected frame {}, got {index}", writer.frames()),
            ));
        }
        let (width, height) = (self.plan.width, self.plan.height);
        self.render_frame(index)?;
        let pixels = self.renderer.buffer();
        let (writer, jpeg) = self.avi.as_mut().ok_or_else(not_avi)?;
        let data = jpeg.encode_rgba(pixels, width, height)?;
        writer.chunk(&data)
    }

    /// The AVI header, once every frame's chunk has been taken.
    ///
    /// # Errors
    /// `INVALID_OPTION` if this is not an AVI job or frames are missing.
    pub fn avi_header(&self) -> Result<Vec<u8>> {
        let (writer, _) = self.avi.as_ref().ok_or_else(not_avi)?;
        if writer.frames() != self.plan.frames {
            return Err(EngineError::new(
                ErrorCode::InvalidOption,
                format!("the AVI has {} of its {} frames", writer.frames(), self.plan.frames),
            ));
        }
        Ok(writer.header())
    }

    /// The AVI index that ends the file.
    ///
    /// # Errors
    /// `INVALID_OPTION` if this is not an AVI job.
    pub fn avi_index(&self) -> Result<Vec<u8>> {
        Ok(self.avi.as_ref().ok_or_else(not_avi)?.0.index())
    }

    /// Writes a whole AVI into memory: a convenience for native use and tests (the browser
    /// streams the chunks instead).
    ///
    /// # Errors
    /// As [`Job::avi_chunk`].
    pub fn write_avi(&mut self) -> Result<Vec<u8>> {
        let mut chunks = Vec::new();
        for i in 0..self.plan.frames {
            chunks.push(self.avi_chunk(i)?);
        }
        let mut file = self.avi_header()?;
        chunks.iter().for_each(|c| file.extend_from_slice(c));
        file.extend_from_slice(&self.avi_index()?);
        Ok(file)
    }
}

impl Job {
    /// Starts the GIF: renders [`gif::PALETTE_SAMPLES`] frames spread over the loop, makes the
    /// palette from them, and returns the file's first bytes (header, palette, loop extension).
    ///
    /// # Errors
    /// `INVALID_OPTION` if this is not a GIF job or the GIF is started already; `ENCODER_ERROR`
    /// if the encoder fails.
    pub fn gif_header(&mut self) -> Result<Vec<u8>> {
        if self.plan.format != Format::Gif || self.gif.is_some() {
            return Err(EngineError::new(ErrorCode::InvalidOption, "this job is not a GIF that has yet to start"));
        }
        let frames = self.plan.frames;
        let count = gif::PALETTE_SAMPLES.min(frames);
        let mut samples = Vec::with_capacity(count as usize);
        for k in 0..count {
            samples.push(self.render_frame(k * frames / count)?.to_vec());
        }
        let mut writer =
            GifWriter::new(self.plan.width, self.plan.height, &samples, gif::delays(frames, self.plan.fps))?;
        let header = writer.take();
        self.gif = Some(writer);
        Ok(header)
    }

    /// Renders frame `index` (in order: 0, 1, 2, …) and returns its GIF bytes.
    ///
    /// # Errors
    /// `INVALID_OPTION` before [`Job::gif_header`] or out of order; `ENCODER_ERROR` if encoding
    /// fails.
    pub fn gif_frame(&mut self, index: u32) -> Result<Vec<u8>> {
        let next = self.gif.as_ref().ok_or_else(not_started)?.frames();
        if index != next {
            return Err(EngineError::new(
                ErrorCode::InvalidOption,
                format!("GIF frames must come in order: expected frame {next}, got {index}"),
            ));
        }
        self.render_frame(index)?;
        let pixels = self.renderer.buffer();
        self.gif.as_mut().ok_or_else(not_started)?.frame(pixels)
    }

    /// The GIF's last bytes, once every frame is written.
    ///
    /// # Errors
    /// `INVALID_OPTION` before [`Job::gif_header`]; `ENCODER_ERROR` if frames are missing.
    pub fn gif_trailer(&mut self) -> Result<Vec<u8>> {
        self.gif.take().ok_or_else(not_started)?.finish()
    }

    /// Writes a whole GIF into memory: for native use and tests (the browser streams it).
    ///
    /// # Errors
    /// As the three steps.
    pub fn write_gif(&mut self) -> Result<Vec<u8>> {
        let mut file = self.gif_header()?;
        for i in 0..self.plan.frames {
            file.extend_from_slice(&self.gif_frame(i)?);
        }
        file.extend_from_slice(&self.gif_trailer()?);
        Ok(file)
    }
}

fn not_started() -> EngineError {
    EngineError::new(ErrorCode::InvalidOption, "the GIF has not been started (gifHeader first) or is finished")
}

fn not_avi() -> EngineError {
    EngineError::new(ErrorCode::InvalidOption, "this job's `format` is not \"avi\"")
}
