//! The binding layer: the only module that knows about wasm-bindgen and JavaScript. It converts
//! options and errors at the boundary and hands out an opaque [`Engine`] handle; the pixels stay in
//! linear memory and JavaScript reads them through a view (see [`Engine::render_frame`]).
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod panic;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{EngineError, ErrorCode};
use crate::job::Job;
use crate::motion::MotionMode;
use crate::options::{limits, RenderOptions};

// Re-exported so the linker keeps wasm-bindgen-rayon's `initThreadPool` export.
#[cfg(feature = "threads")]
#[allow(unused_imports)]
pub use wasm_bindgen_rayon::init_thread_pool;

#[wasm_bindgen(start)]
fn start() {
    panic::install_hook();
}

/// Errors cross to JavaScript as plain `{code, message}` objects (structured-clone safe).
#[derive(Serialize)]
struct JsErrorData<'a> {
    code: &'a str,
    message: &'a str,
}

fn to_js(err: EngineError) -> JsValue {
    let data = JsErrorData { code: err.code.as_str(), message: &err.message };
    serde_wasm_bindgen::to_value(&data).unwrap_or_else(|_| JsValue::from_str(&err.to_string()))
}

fn options_from_js(options: JsValue) -> Result<RenderOptions, EngineError> {
    if options.is_undefined() || options.is_null() {
        return Ok(RenderOptions::default());
    }
    let object = options
        .dyn_ref::<js_sys::Object>()
        .ok_or_else(|| EngineError::new(ErrorCode::InvalidOption, "options must be an object"))?;
    let keys: Vec<String> = js_sys::Object::keys(object).iter().filter_map(|k| k.as_string()).collect();
    RenderOptions::check_field_names(keys.iter().map(String::as_str))?;
    serde_wasm_bindgen::from_value(options)
        .map_err(|e| EngineError::new(ErrorCode::InvalidOption, format!("options: {e}")))
}

/// An opaque handle on one generation job.
#[wasm_bindgen]
pub struct Engine {
    job: Job,
}

#[wasm_bindgen]
impl Engine {
    /// Validates options, decodes the image and prepares the renderer.
    /// Throws `{code, message}` on bad input.
    /// `freeze_mask`: optional image bytes whose dark pixels never move.
    /// `cached_analysis`: bytes from an earlier job's `analysisBytes()` for the same image and
    /// `analysisKey`; ignored unless they read back exactly (see `analysisFromCache()`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        bytes: &[u8],
        options: JsValue,
        freeze_mask: Option<Vec<u8>>,
        cached_analysis: Option<Vec<u8>>,
    ) -> Result<Engine, JsValue> {
        let options = options_from_js(options).map_err(to_js)?;
        Job::build(bytes, &options, freeze_mask.as_deref(), cached_analysis.as_deref())
            .map(|job| Engine { job })
            .map_err(to_js)
    }

    /// Whether the analysis came from the `cached_analysis` bytes.
    #[wasm_bindgen(js_name = analysisFromCache)]
    pub fn analysis_from_cache(&self) -> bool {
        self.job.analysis_from_cache()
    }

    /// The analysis this job made, as bytes for a cache; `undefined` when it came from the cache
    /// or the motion needs none.
    #[wasm_bindgen(js_name = analysisBytes)]
    pub fn analysis_bytes(&self) -> Option<Vec<u8>> {
        self.job.analysis_bytes()
    }

    /// The resolved plan: `{format, width, height, fps, frames, duration, seed, sourceWidth, …}`.
    pub fn plan(&self) -> Result<JsValue, JsValue> {
        serde_wasm_bindgen::to_value(self.job.plan())
            .map_err(|e| to_js(EngineError::new(ErrorCode::Internal, e.to_string())))
    }

    /// The image analysis as `{width, height, precision, waveforms, coherence, summary}`, or
    /// `undefined` for the camera alone (the only motion that needs no analysis).
    pub fn analysis(&self) -> Result<JsValue, JsValue> {
        match self.job.analysis() {
            Some(a) => serde_wasm_bindgen::to_value(&a.report())
                .map_err(|e| to_js(EngineError::new(ErrorCode::Internal, e.to_string()))),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The mobility map (`width * height` bytes of the analysis grid; 255 = free to move), empty
    /// without analysis.
    #[wasm_bindgen(js_name = mobilityMap)]
    pub fn mobility_map(&self) -> Vec<u8> {
        self.job.analysis().map(|a| a.mobility_bytes()).unwrap_or_default()
    }

    /// The orientation map (`width * height` bytes; 0 = −90°, 255 = +90°), empty without analysis.
    #[wasm_bindgen(js_name = orientationMap)]
    pub fn orientation_map(&self) -> Vec<u8> {
        self.job.analysis().map(|a| a.orientation_bytes()).unwrap_or_default()
    }

    /// The motion amplitude really used, in output pixels (the request, unless the fold-over guard
    /// reduced it, or 0 when nothing in the image can move); `undefined` for camera-only motion.
    #[wasm_bindgen(js_name = amplitudeUsed)]
    pub fn amplitude_used(&self) -> Option<f64> {
        self.job.renderer().amplitude_used()
    }

    /// The job's memory estimate in bytes (made before decoding, checked against `memoryBudget`).
    #[wasm_bindgen(js_name = memoryEstimate)]
    pub fn memory_estimate(&self) -> f64 {
        self.job.memory_estimate().peak() as f64
    }

    /// Renders frame `index` into the engine's frame buffer and returns the buffer's address in
    /// linear memory (`width * height * 4` RGBA bytes). The bytes are valid until the next call;
    /// JavaScript reads them through a fresh view on `memory().buffer` (which may be shared).
    #[wasm_bindgen(js_name = renderFrame)]
    pub fn render_frame(&mut self, index: u32) -> Result<usize, JsValue> {
        self.job.render_frame(index).map(|pixels| pixels.as_ptr() as usize).map_err(to_js)
    }

    /// The layout of [`Engine::render_video_frame`]'s pixels, as WebCodecs names it: `"I420"`
    /// (BT.709 limited range, `width * height * 3 / 2` bytes) for the camera, resonance and flow
    /// motions, `"RGBA"` for shimmer (its bands are added per RGBA channel).
    #[wasm_bindgen(js_name = videoFrameFormat)]
    pub fn video_frame_format(&self) -> String {
        self.job.video_layout().as_str().to_owned()
    }

    /// Renders frame `index` for a video encoder, in [`Engine::video_frame_format`], and returns
    /// its address in linear memory (valid until the next render, like [`Engine::render_frame`]).
    #[wasm_bindgen(js_name = renderVideoFrame)]
    pub fn render_video_frame(&mut self, index: u32) -> Result<usize, JsValue> {
        self.job.render_video_frame(index).map(|pixels| pixels.as_ptr() as usize).map_err(to_js)
    }

    /// The frame rendered last, shrunk to `width x height` (at most the frame's size) for a live
    /// preview: the address of `width * height * 4` RGBA bytes in linear memory, valid until the
    /// next preview. Costs the preview's pixels, not the frame's (see `render::preview`).
    #[wasm_bindgen(js_name = previewFrame)]
    pub fn preview_frame(&mut self, width: u32, height: u32) -> Result<usize, JsValue> {
        self.job.preview(width, height).map(|pixels| pixels.as_ptr() as usize).map_err(to_js)
    }

    /// Renders frame `index` and returns it as an AVI chunk (a JPEG), copied out of linear memory.
    #[wasm_bindgen(js_name = aviChunk)]
    pub fn avi_chunk(&mut self, index: u32) -> Result<Vec<u8>, JsValue> {
        self.job.avi_chunk(index).map_err(to_js)
    }

    /// The AVI header, after every chunk has been taken.
    #[wasm_bindgen(js_name = aviHeader)]
    pub fn avi_header(&self) -> Result<Vec<u8>, JsValue> {
        self.job.avi_header().map_err(to_js)
    }

    /// The AVI index that ends the file.
    #[wasm_bindgen(js_name = aviIndex)]
    pub fn avi_index(&self) -> Result<Vec<u8>, JsValue> {
        self.job.avi_index().map_err(to_js)
    }

    /// Starts a GIF: renders the frames its palette is made from and returns the file's first
    /// bytes.
    #[wasm_bindgen(js_name = gifHeader)]
    pub fn gif_header(&mut self) -> Result<Vec<u8>, JsValue> {
        self.job.gif_header().map_err(to_js)
    }

    /// Renders frame `index` (in order) and returns its GIF bytes.
    #[wasm_bindgen(js_name = gifFrame)]
    pub fn gif_frame(&mut self, index: u32) -> Result<Vec<u8>, JsValue> {
        self.job.gif_frame(index).map_err(to_js)
    }

    /// The GIF's last bytes.
    #[wasm_bindgen(js_name = gifTrailer)]
    pub fn gif_trailer(&mut self) -> Result<Vec<u8>, JsValue> {
        self.job.gif_trailer().map_err(to_js)
    }
}

/// What, besides the image's bytes, an analysis depends on: the engine version, the output size
/// and the precision (`"0.1.0/1024x1024/p512"`); `undefined` when the options' motion needs no
/// analysis. Throws `{code, message}` for invalid options.
#[wasm_bindgen(js_name = analysisKey)]
pub fn analysis_key(options: JsValue) -> Result<Option<String>, JsValue> {
    let valid = options_from_js(options).and_then(|o| o.validate()).map_err(to_js)?;
    Ok(valid
        .motion
        .needs_analysis()
        .then(|| format!("{}/{}x{}/p{}", crate::VERSION, valid.width, valid.height, valid.quantum_precision)))
}

/// The options with every default applied (`{format, duration, fps, width, height, frames, ...}`),
/// without an image: the worker chooses the video's encoder from them while the image is decoded
/// and analysed. Throws `{code, message}` for invalid options.
#[wasm_bindgen(js_name = validateOptions)]
pub fn validate_options(options: JsValue) -> Result<JsValue, JsValue> {
    let valid = options_from_js(options).and_then(|o| o.validate()).map_err(to_js)?;
    serde_wasm_bindgen::to_value(&valid).map_err(|e| JsValue::from_str(&e.to_string()))
}

/// The module's linear memory, so JavaScript can view frames without copying them first.
/// (Not named `memory`: that name is taken by the module's own memory export.)
#[wasm_bindgen(js_name = linearMemory)]
pub fn linear_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// The engine's version.
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}

/// Threads rayon really uses (1 until `initThreadPool` has run, or in the single-threaded build).
#[wasm_bindgen(js_name = threadCount)]
pub fn thread_count() -> usize {
    rayon::current_num_threads()
}

/// Whether this build was compiled with wasm SIMD (simd128).
#[wasm_bindgen(js_name = isSimdBuild)]
pub fn is_simd_build() -> bool {
    cfg!(target_feature = "simd128")
}

/// Whether this is the threaded build (shared memory, atomics).
#[wasm_bindgen(js_name = isThreadedBuild)]
pub fn is_threaded_build() -> bool {
    cfg!(feature = "threads")
}

/// Bounds and defaults, for `capabilities()`.
#[wasm_bindgen]
pub fn limits() -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Limits {
        max_duration: f64,
        min_fps: u32,
        max_fps: u32,
        min_side: u32,
        max_side: u32,
        max_input_bytes: usize,
        max_memory_budget: u64,
        default_duration: f64,
        default_fps: u32,
        default_resolution: String,
        quantum_precision: u32,
        resonance_depth: u32,
        min_precision: u32,
        max_precision: u32,
        max_depth: u32,
        default_amplitude_share: f64,
        max_amplitude_share: f64,
        motions: [&'static str; 6],
    }
    let l = Limits {
        max_duration: limits::MAX_DURATION,
        min_fps: limits::MIN_FPS,
        max_fps: limits::MAX_FPS,
        min_side: limits::MIN_SIDE,
        max_side: limits::MAX_SIDE,
        max_input_bytes: limits::MAX_INPUT_BYTES,
        max_memory_budget: limits::MAX_MEMORY_BUDGET,
        default_duration: limits::DEFAULT_DURATION,
        default_fps: limits::DEFAULT_FPS,
        default_resolution: format!("{0}x{0}", limits::DEFAULT_SIZE),
        quantum_precision: limits::DEFAULT_PRECISION,
        resonance_depth: limits::DEFAULT_DEPTH,
        min_precision: limits::MIN_PRECISION,
        max_precision: limits::MAX_PRECISION,
        max_depth: limits::MAX_DEPTH,
        default_amplitude_share: limits::DEFAULT_AMPLITUDE_SHARE,
        max_amplitude_share: limits::MAX_AMPLITUDE_SHARE,
        motions: MotionMode::ALL.map(MotionMode::as_str),
    };
    serde_wasm_bindgen::to_value(&l).map_err(|e| to_js(EngineError::new(ErrorCode::Internal, e.to_string())))
}
