//! The engine's one pixel type: tightly packed 8-bit RGBA, row-major, no padding between rows.

use crate::error::{EngineError, ErrorCode, Result};

/// `x` rounded half up to a byte, clamped to 0..=255 (NaN gives 0).
///
/// It converts `x + 0.5` to an integer and clamps that, which gives the same bytes as clamping
/// the float first, but vectorises in wasm, where the float clamp before a saturating conversion
/// did not (shimmer's per-pixel loop is bound by it).
#[inline]
pub fn round_to_u8(x: f32) -> u8 {
    ((x + 0.5) as i32).clamp(0, 255) as u8
}

/// An 8-bit sRGB RGBA image with `width * 4` bytes per row.
#[derive(Clone, PartialEq, Eq)]
pub struct Rgba8Image {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

impl std::fmt::Debug for Rgba8Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rgba8Image({}x{})", self.width, self.height)
    }
}

impl Rgba8Image {
    /// Wraps `data`, which must hold exactly `width * height * 4` bytes.
    ///
    /// # Errors
    /// `INTERNAL` when the length does not match the size (a caller bug, never user input).
    pub fn from_raw(width: u32, height: u32, data: Vec<u8>) -> Result<Self> {
        let expected = width as usize * height as usize * 4;
        if width == 0 || height == 0 || data.len() != expected {
            return Err(EngineError::new(
                ErrorCode::Internal,
                format!("{width}x{height} RGBA needs {expected} bytes, got {}", data.len()),
            ));
        }
        Ok(Rgba8Image { width, height, data })
    }

    /// The pixel bytes, giving up the image.
    pub fn into_raw(self) -> Vec<u8> {
        self.data
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// All pixels, row after row.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Row `y` (`width * 4` bytes).
    pub fn row(&self, y: usize) -> &[u8] {
        let stride = self.width as usize * 4;
        &self.data[y * stride..(y + 1) * stride]
    }

    /// The RGBA value at `(x, y)`.
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        let i = (y as usize * self.width as usize + x as usize) * 4;
        [self.data[i], self.data[i + 1], self.data[i + 2], self.data[i + 3]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_to_u8_gives_the_bytes_of_clamping_first() {
        let clamp_first = |x: f32| (x.clamp(0.0, 255.0) + 0.5) as u8;
        let mut values =
            vec![f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, 0.0, -0.5, 0.5, 254.5, 255.49, 1e10, -1e10];
        values.extend((-2000..300_000).map(|i| i as f32 * 0.001 - 1.0));
        for x in values {
            assert_eq!(round_to_u8(x), clamp_first(x), "{x}");
        }
    }
}
