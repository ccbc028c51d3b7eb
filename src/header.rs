//! What a file's header declares, read before any decoder runs: the image size (so a small file
//! declaring a gigantic image is refused before anything is allocated, whatever the decoder's own
//! order of checks), and whether a JPEG reaches its end-of-image marker (JPEG decoders fill a
//! truncated scan with grey and report success; a truncated download must be an error).

use image::ImageFormat;

use crate::error::{EngineError, ErrorCode, Result};

fn u16_le(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 2).map(|s| u32::from(u16::from_le_bytes([s[0], s[1]])))
}

fn u16_be(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 2).map(|s| u32::from(u16::from_be_bytes([s[0], s[1]])))
}

fn u24_le(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 3).map(|s| u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
}

fn u32_le(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u32_be(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn corrupt(message: impl Into<String>) -> EngineError {
    EngineError::new(ErrorCode::CorruptImage, message)
}

/// The width and height the header of `bytes` (already identified as `format`) declares, or
/// `None` when the header is too short to say (the decoder then reports the damage).
///
/// # Errors
/// `CORRUPT_IMAGE` for a BMP header of no known kind.
pub fn declared_size(bytes: &[u8], format: ImageFormat) -> Result<Option<(u32, u32)>> {
    Ok(match format {
        ImageFormat::Png => {
            if bytes.get(12..16) != Some(b"IHDR") {
                return Err(corrupt("a PNG must start with its IHDR chunk"));
            }
            u32_be(bytes, 16).zip(u32_be(bytes, 20))
        }
        ImageFormat::Gif => u16_le(bytes, 6).zip(u16_le(bytes, 8)),
        ImageFormat::Bmp => match u32_le(bytes, 14) {
            None => None,
            Some(12) => u16_le(bytes, 18).zip(u16_le(bytes, 20)),
            Some(40 | 52 | 56 | 64 | 108 | 124) => u32_le(bytes, 18)
                .zip(u32_le(bytes, 22))
                .map(|(w, h)| ((w as i32).unsigned_abs(), (h as i32).unsigned_abs())),
            Some(other) => return Err(corrupt(format!("not a valid BMP: unknown header size {other}"))),
        },
        ImageFormat::Jpeg => jpeg_frame_size(bytes),
        ImageFormat::WebP => match bytes.get(12..16) {
            Some(b"VP8 ") if bytes.get(23..26) == Some(&[0x9D, 0x01, 0x2A]) => {
                u16_le(bytes, 26).zip(u16_le(bytes, 28)).map(|(w, h)| (w & 0x3FFF, h & 0x3FFF))
            }
            Some(b"VP8L") if bytes.get(20) == Some(&0x2F) => {
                u32_le(bytes, 21).map(|bits| (1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)))
            }
            Some(b"VP8X") => u24_le(bytes, 24).zip(u24_le(bytes, 27)).map(|(w, h)| (w + 1, h + 1)),
            _ => None,
        },
        _ => None,
    })
}

/// Walks a JPEG's marker segments from the start: `(marker, offset of its payload)` for each, up
/// to and including the first start of scan.
fn jpeg_segments(bytes: &[u8]) -> impl Iterator<Item = (u8, usize)> + '_ {
    let mut at = 2;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1; // fill bytes
        }
        if bytes.get(at) != Some(&0xFF) {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        let payload = at + 4;
        let length = u16_be(bytes, at + 2)? as usize;
        at += 2 + length;
        done = marker == 0xDA;
        Some((marker, payload))
    })
}

/// The size in a JPEG's start-of-frame segment (any SOFn).
fn jpeg_frame_size(bytes: &[u8]) -> Option<(u32, u32)> {
    jpeg_segments(bytes)
        .find(|(m, _)| matches!(m, 0xC0..=0xCF) && !matches!(m, 0xC4 | 0xC8 | 0xCC))
        .and_then(|(_, p)| u16_be(bytes, p + 3).zip(u16_be(bytes, p + 1)))
}

/// Checks that a JPEG's scan data ends with the end-of-image marker.
///
/// # Errors
/// `CORRUPT_IMAGE` when the file stops before it.
pub fn check_jpeg_end(bytes: &[u8]) -> Result<()> {
    let scan = jpeg_segments(bytes).find(|(m, _)| *m == 0xDA).map(|(_, p)| p);
    let ended = scan.is_some_and(|p| bytes.get(p..).is_some_and(|rest| rest.windows(2).any(|w| w == [0xFF, 0xD9])));
    if ended {
        Ok(())
    } else {
        Err(corrupt("the JPEG is truncated: its image data stops before the end-of-image marker"))
    }
}
