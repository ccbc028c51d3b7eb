//! Bytes to pixels. The format is decided from the magic bytes, never from a file name or MIME
//! type, and the decoder runs under limits so a small file that declares a gigantic image fails
//! before anything large is allocated.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use crate::error::{EngineError, ErrorCode, Result};
use crate::header;
use crate::image::Rgba8Image;
use crate::options::limits::{MAX_DECODE_ALLOC, MAX_IMAGE_SIDE, MAX_INPUT_BYTES};

/// Identifies the image format from the first bytes of a file.
///
/// # Errors
/// `UNSUPPORTED_FORMAT` for anything but JPEG, PNG, GIF, BMP and WebP.
pub fn sniff(bytes: &[u8]) -> Result<ImageFormat> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        Ok(ImageFormat::Jpeg)
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Ok(ImageFormat::Png)
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Ok(ImageFormat::Gif)
    } else if starts(b"BM") && bytes.len() >= 14 {
        Ok(ImageFormat::Bmp)
    } else if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Ok(ImageFormat::WebP)
    } else {
        Err(EngineError::new(
            ErrorCode::UnsupportedFormat,
            "not a JPEG, PNG, GIF, BMP or WebP image (checked the file's first bytes)",
        ))
    }
}

/// Decodes an image file into opaque RGBA.
///
/// EXIF orientation is applied (people expect their photo upright), animated GIFs give their
/// first frame, and transparent pixels are composited over black, since video has no alpha.
///
/// # Errors
/// `IMAGE_TOO_LARGE` over 50 MB or past the decoder limits, `UNSUPPORTED_FORMAT` for unknown
/// magic bytes, `CORRUPT_IMAGE` when decoding fails.
pub fn decode(bytes: &[u8]) -> Result<Rgba8Image> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(EngineError::new(
            ErrorCode::ImageTooLarge,
            format!("the file is {} bytes; the limit is {MAX_INPUT_BYTES} bytes (50 MB)", bytes.len()),
        ));
    }
    let format = sniff(bytes)?;
    if let Some((width, height)) = header::declared_size(bytes, format)? {
        check_size(width, height)?;
    }
    if format == ImageFormat::Jpeg {
        header::check_jpeg_end(bytes)?;
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    let orientation = decoder.orientation().map_err(decode_error)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    let rgba = image.into_rgba8();
    let (width, height) = rgba.dimensions();
    let mut data = rgba.into_raw();
    for px in data.chunks_exact_mut(4) {
        let alpha = u32::from(px[3]);
        if alpha != 255 {
            for c in &mut px[..3] {
                *c = ((u32::from(*c) * alpha + 127) / 255) as u8;
            }
            px[3] = 255;
        }
    }
    Rgba8Image::from_raw(width, height, data)
}

/// Refuses empty images, and images over the side or memory limit before they are allocated.
fn check_size(width: u32, height: u32) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(EngineError::new(
            ErrorCode::CorruptImage,
            format!("the file declares an empty {width}x{height} image"),
        ));
    }
    let bytes = u64::from(width) * u64::from(height) * 4;
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || bytes > MAX_DECODE_ALLOC {
        return Err(EngineError::new(
            ErrorCode::ImageTooLarge,
            format!(
                "the file declares a {width}x{height} image; the limit is {MAX_IMAGE_SIDE} px a side and {} MiB \
                 of pixels",
                MAX_DECODE_ALLOC >> 20
            ),
        ));
    }
    Ok(())
}

fn decode_error(err: ImageError) -> EngineError {
    match err {
        ImageError::Limits(limit) => EngineError::new(
            ErrorCode::ImageTooLarge,
            format!(
                "the image is larger than the decoder allows ({MAX_IMAGE_SIDE} px a side, {} MiB): {limit}",
                MAX_DECODE_ALLOC >> 20
            ),
        ),
        ImageError::Unsupported(e) => EngineError::new(ErrorCode::UnsupportedFormat, e.to_string()),
        other => EngineError::new(ErrorCode::CorruptImage, format!("the image cannot be decoded: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{gradient, png_bytes};

    #[test]
    fn png_round_trips_exactly() {
        let img = gradient(37, 21);
        let decoded = decode(&png_bytes(&img)).expect("valid PNG");
        assert_eq!(decoded, img);
    }

    #[test]
    fn jpeg_decodes_to_its_size() {
        let img = gradient(64, 40);
        let jpeg = crate::encode::jpeg::JpegFrameEncoder::new(90).encode(&img).expect("encode");
        let decoded = decode(&jpeg).expect("valid JPEG");
        assert_eq!((decoded.width(), decoded.height()), (64, 40));
        let (a, b) = (decoded.pixel(40, 20), img.pixel(40, 20));
        assert!(a.iter().zip(b).all(|(x, y)| x.abs_diff(y) < 12), "{a:?} vs {b:?}");
    }

    #[test]
    fn unknown_magic_is_unsupported_format() {
        for bytes in [&b"hello world, not an image"[..], b"", b"%PDF-1.7 ..."] {
            assert_eq!(decode(bytes).map(|_| ()).unwrap_err().code, ErrorCode::UnsupportedFormat);
        }
    }

    #[test]
    fn truncated_png_is_corrupt_image() {
        let png = png_bytes(&gradient(64, 64));
        for cut in [16, 40, png.len() / 2, png.len() - 13] {
            let err = decode(&png[..cut]).map(|_| ()).unwrap_err();
            assert_eq!(err.code, ErrorCode::CorruptImage, "cut at {cut}: {err}");
        }
    }

    #[test]
    fn declared_giant_png_is_refused_before_allocation() {
        // A valid PNG header declaring 100000 x 100000 pixels, and nothing else.
        let mut png = png_bytes(&gradient(8, 8));
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let err = decode(&png).map(|_| ()).unwrap_err();
        assert_eq!(err.code, ErrorCode::ImageTooLarge, "{err}");
    }

    /// CRC-32 (IEEE), as PNG chunks carry it.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn transparency_is_composited_over_black() {
        let mut img = gradient(4, 4);
        let mut raw = img.data().to_vec();
        raw[3] = 0; // first pixel fully transparent
        raw[7] = 128;
        img = Rgba8Image::from_raw(4, 4, raw.clone()).expect("size");
        let decoded = decode(&png_bytes(&img)).expect("valid");
        assert_eq!(decoded.pixel(0, 0), [0, 0, 0, 255]);
        let half = decoded.pixel(1, 0);
        assert_eq!(half[0], ((u32::from(raw[4]) * 128 + 127) / 255) as u8);
        assert_eq!(half[3], 255);
    }
}
