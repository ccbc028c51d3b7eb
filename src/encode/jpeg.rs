//! Frames to baseline JPEG for Motion-JPEG AVI. Reuses one RGB scratch buffer across frames.

use image::codecs::jpeg::JpegEncoder;
use image::ExtendedColorType;

use crate::error::{EngineError, ErrorCode, Result};
use crate::image::Rgba8Image;

/// Encodes RGBA frames as JPEG at a fixed quality.
#[derive(Debug)]
pub struct JpegFrameEncoder {
    quality: u8,
    rgb: Vec<u8>,
}

impl JpegFrameEncoder {
    /// The quality used for AVI output: visually clean for photos at about 1.5–2.5 bits per pixel.
    pub const DEFAULT_QUALITY: u8 = 88;

    /// An encoder at `quality` (1–100).
    pub fn new(quality: u8) -> Self {
        JpegFrameEncoder { quality: quality.clamp(1, 100), rgb: Vec::new() }
    }

    /// Encodes an image.
    ///
    /// # Errors
    /// `ENCODER_ERROR` if the JPEG encoder fails.
    pub fn encode(&mut self, img: &Rgba8Image) -> Result<Vec<u8>> {
        self.encode_rgba(img.data(), img.width(), img.height())
    }

    /// Encodes raw RGBA pixels (`width * height * 4` bytes); alpha is dropped.
    ///
    /// # Errors
    /// `ENCODER_ERROR` if the size does not match or the JPEG encoder fails.
    pub fn encode_rgba(&mut self, rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
        if rgba.len() != width as usize * height as usize * 4 {
            return Err(EngineError::new(ErrorCode::Internal, "JPEG input size mismatch"));
        }
        self.rgb.clear();
        self.rgb.extend(rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]));
        let mut out = Vec::with_capacity(self.rgb.len() / 8);
        JpegEncoder::new_with_quality(&mut out, self.quality)
            .encode(&self.rgb, width, height, ExtendedColorType::Rgb8)
            .map_err(|e| EngineError::new(ErrorCode::EncoderError, format!("JPEG encoding failed: {e}")))?;
        Ok(out)
    }
}
