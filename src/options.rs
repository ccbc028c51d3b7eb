//! The user's options as they arrive (from JavaScript or a test), with their defaults and bounds.
//!
//! Every field is optional; [`RenderOptions::validate`] is the authority on what is allowed and
//! turns the raw options into [`ValidOptions`] with every default applied. The JavaScript layer
//! documents the same defaults but never applies them itself: defaults live here only.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{EngineError, Result};
use crate::motion::MotionMode;

/// Output container (and with it the codec family).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// MP4 with H.264 (AV1 where H.264 cannot be encoded), encoded by WebCodecs.
    #[default]
    Mp4,
    /// WebM with VP9 (VP8 as fallback), encoded by WebCodecs.
    Webm,
    /// AVI (RIFF) with Motion-JPEG frames, encoded here in Rust.
    Avi,
    /// Animated GIF, encoded here in Rust: for small loops (see [`limits::MAX_GIF_SIDE`]).
    Gif,
}

impl Format {
    /// The lowercase name used in options and metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Mp4 => "mp4",
            Format::Webm => "webm",
            Format::Avi => "avi",
            Format::Gif => "gif",
        }
    }
}

/// An output size in pixels. Parsed from `"WxH"` or given as `{width, height}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ResolutionRepr")]
pub struct Resolution {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ResolutionRepr {
    Text(String),
    Size { width: f64, height: f64 },
}

impl TryFrom<ResolutionRepr> for Resolution {
    type Error = String;

    fn try_from(repr: ResolutionRepr) -> Result<Self, String> {
        match repr {
            ResolutionRepr::Text(text) => text.parse(),
            ResolutionRepr::Size { width, height } => {
                let int = |v: f64, name: &str| {
                    if v.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&v) {
                        Ok(v as u32)
                    } else {
                        Err(format!("{name} must be a whole number of pixels, got {v}"))
                    }
                };
                Ok(Resolution { width: int(width, "width")?, height: int(height, "height")? })
            }
        }
    }
}

impl FromStr for Resolution {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("expected \"WIDTHxHEIGHT\" such as \"1024x1024\", got {text:?}");
        let (w, h) = text.trim().split_once(['x', 'X']).ok_or_else(bad)?;
        let width = w.trim().parse().map_err(|_| bad())?;
        let height = h.trim().parse().map_err(|_| bad())?;
        Ok(Resolution { width, height })
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

/// Bounds and defaults, shared by validation, docs and `capabilities()`.
pub mod limits {
    /// Default video length in seconds.
    pub const DEFAULT_DURATION: f64 = 4.0;
    /// Default output size of a GIF: GIF is for small loops.
    pub const DEFAULT_GIF_SIZE: u32 = 480;
    /// Largest side of a GIF: beyond it a GIF is tens of megabytes where a video is one.
    pub const MAX_GIF_SIDE: u32 = 1024;
    /// Most direction arrows (`paths`) a video may have.
    pub const MAX_PATHS: usize = 32;
    /// Most points all the arrows together may have.
    pub const MAX_PATH_POINTS: usize = 1024;
    /// Longest video in seconds.
    pub const MAX_DURATION: f64 = 30.0;
    /// Default frame rate.
    pub const DEFAULT_FPS: u32 = 24;
    /// Frame rate bounds, inclusive.
    pub const MIN_FPS: u32 = 1;
    /// Frame rate bounds, inclusive.
    pub const MAX_FPS: u32 = 60;
    /// Default output size.
    pub const DEFAULT_SIZE: u32 = 1024;
    /// Smallest output side in pixels.
    pub const MIN_SIDE: u32 = 16;
    /// Largest output side in pixels.
    pub const MAX_SIDE: u32 = 2048;
    /// Largest input file in bytes (50 MB: a camera's largest JPEGs, with room to spare).
    pub const MAX_INPUT_BYTES: usize = 50 * 1024 * 1024;
    /// Largest decoded image side; bigger declared images are refused before allocation.
    pub const MAX_IMAGE_SIDE: u32 = 16384;
    /// Largest decoded allocation in bytes.
    pub const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;
    /// Default "quantum precision": samples per analysed waveform, and the long side of the
    /// analysis grid.
    pub const DEFAULT_PRECISION: u32 = 512;
    /// Precision bounds (powers of two), inclusive.
    pub const MIN_PRECISION: u32 = 64;
    /// Precision bounds (powers of two), inclusive.
    pub const MAX_PRECISION: u32 = 4096;
    /// Default "resonance depth": the number of oscillation modes.
    pub const DEFAULT_DEPTH: u32 = 8;
    /// Largest resonance depth.
    pub const MAX_DEPTH: u32 = 32;
    /// Default motion amplitude as a share of the output's shorter side.
    pub const DEFAULT_AMPLITUDE_SHARE: f64 = 0.01;
    /// Largest motion amplitude as a share of the output's shorter side.
    pub const MAX_AMPLITUDE_SHARE: f64 = 0.05;
    /// Default and largest memory budget of one job, in bytes (768 MiB): the threaded build's
    /// memory cannot pass 1 GiB, and code, stacks and the thread pool need the rest.
    pub const MAX_MEMORY_BUDGET: u64 = 768 * 1024 * 1024;
    /// Smallest memory budget a page may set (16 MiB).
    pub const MIN_MEMORY_BUDGET: u64 = 16 * 1024 * 1024;
}

/// Raw options. Unknown fields are an error, so a typo never silently falls back to a default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RenderOptions {
    /// Container: `mp4` (default), `webm` or `avi`.
    pub format: Option<Format>,
    /// Seconds, `0 < duration <= 30`; default 4.
    pub duration: Option<f64>,
    /// Frames per second, whole number 1–60; default 24.
    pub fps: Option<f64>,
    /// Output size, even sides 16–2048; default 1024x1024.
    pub resolution: Option<Resolution>,
    /// Seed for every random choice (noise, wind, camera direction); default 0. Same seed, same video.
    pub seed: Option<f64>,
    /// Motion: `resonance` (default), `flow`, `sky`, `shimmer`, `camera` or `resonance+camera`.
    pub motion: Option<MotionMode>,
    /// Largest displacement in output pixels; default 1 % of the shorter side, at most 5 %.
    pub amplitude: Option<f64>,
    /// Number of oscillation modes, 1–32; default 8.
    pub resonance_depth: Option<f64>,
    /// Samples per analysed waveform and long side of the analysis grid: a power of two from 64
    /// to 4096; default 512.
    pub quantum_precision: Option<f64>,
    /// Whether the video loops seamlessly (the camera returns to its start); default true.
    #[serde(rename = "loop")]
    pub looped: Option<bool>,
    /// Largest input file in bytes, 1 to 50 MB (the default): a page may accept less.
    pub max_input_bytes: Option<f64>,
    /// Memory the job may use, in bytes, 16 MiB to 768 MiB (the default). A job whose estimate
    /// (made from the image's header and the options, before decoding) is larger fails with
    /// `RESOURCE_LIMIT`.
    pub memory_budget: Option<f64>,
    /// Direction arrows for `flow`: which way things flow, drawn over the picture.
    pub paths: Option<Vec<FlowPath>>,
}

/// A direction the flow follows, drawn over the picture: its points in 0–1 image coordinates
/// (`[0, 0]` the top-left corner of the image, `[1, 1]` its bottom-right), in the order things
/// flow. Like the freeze mask, it is cover-fitted with the image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowPath {
    /// At least two points.
    pub points: Vec<[f64; 2]>,
}

/// Options after validation, every default applied.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidOptions {
    /// Container.
    pub format: Format,
    /// Seconds.
    pub duration: f64,
    /// Frames per second.
    pub fps: u32,
    /// Output width in pixels.
    pub width: u32,
    /// Output height in pixels.
    pub height: u32,
    /// Seed.
    pub seed: u64,
    /// Number of frames: `round(duration * fps)`, at least 1.
    pub frames: u32,
    /// Motion.
    pub motion: MotionMode,
    /// Largest displacement in output pixels.
    pub amplitude: f64,
    /// Number of oscillation modes.
    pub resonance_depth: u32,
    /// Analysis length.
    pub quantum_precision: u32,
    /// Seamless loop.
    pub looped: bool,
    /// Largest input file in bytes.
    pub max_input_bytes: usize,
    /// Memory budget in bytes.
    pub memory_budget: u64,
}

impl RenderOptions {
    /// The option names, as spelled in JavaScript.
    pub const FIELDS: [&'static str; 13] = [
        "format",
        "duration",
        "fps",
        "resolution",
        "seed",
        "motion",
        "amplitude",
        "resonanceDepth",
        "quantumPrecision",
        "loop",
        "maxInputBytes",
        "memoryBudget",
        "paths",
    ];

    /// Refuses any name not in [`RenderOptions::FIELDS`]. Deserializers that only look up known
    /// keys (serde-wasm-bindgen does) would otherwise ignore a typo and silently use a default.
    ///
    /// # Errors
    /// `INVALID_OPTION` naming the unknown field and listing the known ones.
    pub fn check_field_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<()> {
        for name in names {
            if !Self::FIELDS.contains(&name) {
                return Err(EngineError::invalid_option(
                    name,
                    format!("unknown option; the options are {}", Self::FIELDS.join(", ")),
                ));
            }
        }
        Ok(())
    }

    /// Checks every field and applies defaults.
    ///
    /// # Errors
    /// `INVALID_OPTION` naming the first offending field and its allowed range.
    pub fn validate(&self) -> Result<ValidOptions> {
        use limits::*;
        let duration = positive_up_to(
            "duration",
            self.duration.unwrap_or(DEFAULT_DURATION),
            MAX_DURATION,
            &format!("must be seconds in (0, {MAX_DURATION}]"),
        )?;
        let fps = whole_number(
            "fps",
            self.fps.unwrap_or(DEFAULT_FPS as f64),
            MIN_FPS as f64..=MAX_FPS as f64,
            &format!("must be a whole number from {MIN_FPS} to {MAX_FPS}"),
        )? as u32;
        let format = self.format.unwrap_or_default();
        let default_side = if format == Format::Gif { DEFAULT_GIF_SIZE } else { DEFAULT_SIZE };
        let Resolution { width, height } =
            self.resolution.unwrap_or(Resolution { width: default_side, height: default_side });
        if format == Format::Gif && width.max(height) > MAX_GIF_SIDE {
            return Err(EngineError::invalid_option(
                "resolution",
                format!(
                    "a GIF is at most {MAX_GIF_SIDE} px a side (it would be tens of megabytes; use mp4 or webm), got {width}x{height}"
                ),
            ));
        }
        for (name, side) in [("width", width), ("height", height)] {
            if !(MIN_SIDE..=MAX_SIDE).contains(&side) || side % 2 != 0 {
                return Err(EngineError::invalid_option(
                    "resolution",
                    format!(
                        "{name} must be an even number of pixels from {MIN_SIDE} to {MAX_SIDE}, got {width}x{height}"
                    ),
                ));
            }
        }
        let seed = whole_number(
            "seed",
            self.seed.unwrap_or(0.0),
            0.0..=9_007_199_254_740_991.0,
            "must be a whole number from 0 to 2^53-1",
        )?;
        let frames = ((duration * fps as f64).round() as u32).max(1);
        let short = f64::from(width.min(height));
        let max_amplitude = MAX_AMPLITUDE_SHARE * short;
        let amplitude = positive_up_to(
            "amplitude",
            self.amplitude.unwrap_or(DEFAULT_AMPLITUDE_SHARE * short),
            max_amplitude,
            &format!("must be pixels in (0, {max_amplitude}] (5% of the shorter side at {width}x{height})"),
        )?;
        let depth = whole_number(
            "resonanceDepth",
            self.resonance_depth.unwrap_or(f64::from(DEFAULT_DEPTH)),
            1.0..=f64::from(MAX_DEPTH),
            &format!("must be a whole number from 1 to {MAX_DEPTH}"),
        )?;
        let precision_rule = format!("must be a power of two from {MIN_PRECISION} to {MAX_PRECISION}");
        let precision = whole_number(
            "quantumPrecision",
            self.quantum_precision.unwrap_or(f64::from(DEFAULT_PRECISION)),
            f64::from(MIN_PRECISION)..=f64::from(MAX_PRECISION),
            &precision_rule,
        )?;
        if !(precision as u32).is_power_of_two() {
            return Err(EngineError::invalid_option("quantumPrecision", format!("{precision_rule}, got {precision}")));
        }
        let max_input = whole_number(
            "maxInputBytes",
            self.max_input_bytes.unwrap_or(MAX_INPUT_BYTES as f64),
            1.0..=MAX_INPUT_BYTES as f64,
            &format!("must be a whole number of bytes from 1 to {MAX_INPUT_BYTES}"),
        )?;
        let budget = whole_number(
            "memoryBudget",
            self.memory_budget.unwrap_or(MAX_MEMORY_BUDGET as f64),
            MIN_MEMORY_BUDGET as f64..=MAX_MEMORY_BUDGET as f64,
            &format!(
                "must be a whole number of bytes from {MIN_MEMORY_BUDGET} (16 MiB) to {MAX_MEMORY_BUDGET} (768 MiB)"
            ),
        )?;
        let motion = self.motion.unwrap_or_default();
        self.check_paths(motion)?;
        Ok(ValidOptions {
            format,
            duration,
            fps,
            width,
            height,
            seed: seed as u64,
            frames,
            motion,
            amplitude,
            resonance_depth: depth as u32,
            quantum_precision: precision as u32,
            looped: self.looped.unwrap_or(true),
            max_input_bytes: max_input as usize,
            memory_budget: budget as u64,
        })
    }
}

impl RenderOptions {
    /// `INVALID_OPTION` naming `paths` unless they are for `flow` and every one has two to
    /// [`MAX_PATH_POINTS`](limits::MAX_PATH_POINTS) points inside the picture.
    fn check_paths(&self, motion: MotionMode) -> Result<()> {
        use limits::{MAX_PATHS, MAX_PATH_POINTS};
        let Some(paths) = self.paths.as_ref().filter(|p| !p.is_empty()) else {
            return Ok(());
        };
        let refuse = |why: String| Err(EngineError::invalid_option("paths", why));
        if motion != MotionMode::Flow {
            return refuse(format!("direction arrows apply to motion \"flow\", not \"{}\"", motion.as_str()));
        }
        if paths.len() > MAX_PATHS {
            return refuse(format!("at most {MAX_PATHS} arrows, got {}", paths.len()));
        }
        let points: usize = paths.iter().map(|p| p.points.len()).sum();
        if points > MAX_PATH_POINTS {
            return refuse(format!("at most {MAX_PATH_POINTS} points in all, got {points}"));
        }
        for (i, path) in paths.iter().enumerate() {
            if path.points.len() < 2 {
                return refuse(format!("arrow {i} needs at least 2 points, got {}", path.points.len()));
            }
            if let Some([x, y]) =
                path.points.iter().find(|[x, y]| !((0.0..=1.0).contains(x) && (0.0..=1.0).contains(y)))
            {
                return refuse(format!("arrow {i}: points are 0–1 image coordinates, got [{x}, {y}]"));
            }
        }
        Ok(())
    }

    /// The arrows in the output's pixels, for an image of `source` size cover-fitted to `output`.
    pub fn arrows_in_output(&self, source: (u32, u32), output: (u32, u32)) -> Vec<Vec<(f32, f32)>> {
        let (sw, sh) = (f64::from(source.0), f64::from(source.1));
        let (w, h) = (f64::from(output.0), f64::from(output.1));
        let scale = (sw / w).min(sh / h);
        let (ox, oy) = ((sw - w * scale) / 2.0, (sh - h * scale) / 2.0);
        self.paths
            .iter()
            .flatten()
            .map(|p| {
                p.points.iter().map(|[u, v]| (((u * sw - ox) / scale) as f32, ((v * sh - oy) / scale) as f32)).collect()
            })
            .collect()
    }
}

/// `value` when it is a whole number within `range` (NaN and infinities never are); otherwise
/// `INVALID_OPTION` naming `field`, saying what it `must` be and what it was.
fn whole_number(field: &str, value: f64, range: std::ops::RangeInclusive<f64>, must: &str) -> Result<f64> {
    if value.fract() == 0.0 && range.contains(&value) {
        Ok(value)
    } else {
        Err(EngineError::invalid_option(field, format!("{must}, got {value}")))
    }
}

/// `value` when it is finite, above zero and at most `max`; otherwise `INVALID_OPTION` naming
/// `field`, saying what it `must` be and what it was.
fn positive_up_to(field: &str, value: f64, max: f64, must: &str) -> Result<f64> {
    if value.is_finite() && value > 0.0 && value <= max {
        Ok(value)
    } else {
        Err(EngineError::invalid_option(field, format!("{must}, got {value}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn field_error(options: RenderOptions) -> String {
        let err = options.validate().expect_err("options should be refused");
        assert_eq!(err.code, ErrorCode::InvalidOption);
        err.message
    }

    #[test]
    fn defaults_match_the_documented_ones() {
        let v = RenderOptions::default().validate().expect("defaults are valid");
        assert_eq!(v.format, Format::Mp4);
        assert_eq!((v.duration, v.fps, v.width, v.height, v.seed), (4.0, 24, 1024, 1024, 0));
        assert_eq!(v.frames, 96);
        assert_eq!(
            (v.motion, v.amplitude, v.resonance_depth, v.quantum_precision, v.looped),
            (MotionMode::Resonance, 10.24, 8, 512, true)
        );
        assert_eq!((v.max_input_bytes, v.memory_budget), (50 * 1024 * 1024, 768 * 1024 * 1024));
    }

    #[test]
    fn resolution_parses_both_spellings() {
        assert_eq!("640x480".parse::<Resolution>(), Ok(Resolution { width: 640, height: 480 }));
        assert_eq!(" 32X16 ".parse::<Resolution>(), Ok(Resolution { width: 32, height: 16 }));
        assert!("640*480".parse::<Resolution>().is_err());
        assert!("x480".parse::<Resolution>().is_err());
    }

    #[test]
    fn out_of_range_fields_are_named() {
        let res = |w, h| Some(Resolution { width: w, height: h });
        assert!(field_error(RenderOptions { duration: Some(0.0), ..Default::default() }).contains("`duration`"));
        assert!(field_error(RenderOptions { duration: Some(30.5), ..Default::default() }).contains("`duration`"));
        assert!(field_error(RenderOptions { duration: Some(f64::NAN), ..Default::default() }).contains("`duration`"));
        assert!(field_error(RenderOptions { fps: Some(0.0), ..Default::default() }).contains("`fps`"));
        assert!(field_error(RenderOptions { fps: Some(61.0), ..Default::default() }).contains("`fps`"));
        assert!(field_error(RenderOptions { fps: Some(23.976), ..Default::default() }).contains("`fps`"));
        assert!(field_error(RenderOptions { resolution: res(2050, 1024), ..Default::default() }).contains("2048"));
        assert!(field_error(RenderOptions { resolution: res(8, 8), ..Default::default() }).contains("`resolution`"));
        assert!(field_error(RenderOptions { resolution: res(101, 100), ..Default::default() }).contains("even"));
        assert!(field_error(RenderOptions { seed: Some(-1.0), ..Default::default() }).contains("`seed`"));
        assert!(field_error(RenderOptions { amplitude: Some(52.0), ..Default::default() }).contains("51.2"));
        assert!(field_error(RenderOptions { amplitude: Some(0.0), ..Default::default() }).contains("`amplitude`"));
        assert!(field_error(RenderOptions { resonance_depth: Some(33.0), ..Default::default() }).contains("1 to 32"));
        assert!(field_error(RenderOptions { resonance_depth: Some(0.0), ..Default::default() })
            .contains("`resonanceDepth`"));
        for p in [32.0, 100.0, 8192.0, 512.5] {
            let message = field_error(RenderOptions { quantum_precision: Some(p), ..Default::default() });
            assert!(message.contains("power of two"), "{p}: {message}");
        }
        let budget = |b| RenderOptions { memory_budget: Some(b), ..Default::default() };
        assert!(field_error(budget(1e6)).contains("`memoryBudget`"));
        assert!(field_error(budget(1e12)).contains("768 MiB"));
        let max_input = |b| RenderOptions { max_input_bytes: Some(b), ..Default::default() };
        assert!(field_error(max_input(0.0)).contains("`maxInputBytes`"));
        assert!(field_error(max_input(60e6)).contains("52428800"));
        assert!(field_error(max_input(1.5)).contains("whole number"));
    }

    #[test]
    fn unknown_field_names_are_refused() {
        assert!(RenderOptions::check_field_names(["format", "seed"]).is_ok());
        let err = RenderOptions::check_field_names(["fps", "fromat"]).expect_err("typo");
        assert_eq!(err.code, ErrorCode::InvalidOption);
        assert!(err.message.contains("`fromat`") && err.message.contains("resolution"), "{}", err.message);
        // serde (used natively) refuses them too.
        let parsed: Result<RenderOptions, _> = serde_json_like("fromat");
        assert!(parsed.is_err());
    }

    /// Deserializes `{<name>: "mp4"}` through serde's value machinery, without a JSON crate.
    fn serde_json_like(name: &str) -> Result<RenderOptions, serde::de::value::Error> {
        use serde::de::value::{MapDeserializer, StrDeserializer};
        use serde::de::IntoDeserializer;
        let entries = vec![(name, "mp4")];
        let map: MapDeserializer<'_, _, serde::de::value::Error> = MapDeserializer::new(entries.into_iter().map(
            |(k, v)| -> (StrDeserializer<'_, _>, StrDeserializer<'_, _>) {
                (k.into_deserializer(), v.into_deserializer())
            },
        ));
        RenderOptions::deserialize(map)
    }

    #[test]
    fn frame_count_is_rounded_duration_times_fps() {
        let v = RenderOptions { duration: Some(30.0), fps: Some(60.0), ..Default::default() }.validate();
        assert_eq!(v.map(|v| v.frames), Ok(1800));
        let v = RenderOptions { duration: Some(0.01), fps: Some(1.0), ..Default::default() }.validate();
        assert_eq!(v.map(|v| v.frames), Ok(1), "a tiny duration still makes one frame");
    }
}
