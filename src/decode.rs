//! Bytes to pixels. The format is decided from the magic bytes, never from a file name or MIME
//! type, and the decoder runs under limits so a small file that declares a gigantic image fails
//! before anything large is allocated.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{ColorType, DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use rayon::prelude::*;

use crate::budget::DecodeCost;
use crate::error::{EngineError, ErrorCode, Result};
use crate::header;
use crate::image::Rgba8Image;
use crate::options::limits::{MAX_DECODE_ALLOC, MAX_IMAGE_SIDE, MAX_INPUT_BYTES};
use crate::raster::reduce::box_reduce;

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

/// Decodes an image file into opaque RGBA at full size. See [`open`] and [`OpenedImage::decode`].
///
/// # Errors
/// As [`open`] and [`OpenedImage::decode`].
pub fn decode(bytes: &[u8]) -> Result<Rgba8Image> {
    open(bytes, MAX_INPUT_BYTES)?.decode(1)
}

/// Reads an image file's header, but no pixels: the format from the magic bytes, the size from
/// the header (checked against the limits before any decoder runs), the orientation.
///
/// This is the first half of decoding, so a job can plan and check its memory budget knowing the
/// image's size before the pixels are allocated.
///
/// # Errors
/// `IMAGE_TOO_LARGE` over `max_input_bytes` (at most 50 MB) or when the declared image is past the
/// limits, `UNSUPPORTED_FORMAT` for unknown magic bytes, `CORRUPT_IMAGE` for a header that cannot
/// be read (or a JPEG without its end-of-image marker: a truncated download).
pub fn open(bytes: &[u8], max_input_bytes: usize) -> Result<OpenedImage<'_>> {
    let limit = max_input_bytes.min(MAX_INPUT_BYTES);
    if bytes.len() > limit {
        return Err(EngineError::new(
            ErrorCode::ImageTooLarge,
            format!("the file is {} bytes; the limit is {limit} bytes", bytes.len()),
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
    Ok(OpenedImage { decoder: Box::new(decoder), width, height, orientation })
}

/// An image whose header has been read and checked; [`OpenedImage::decode`] reads the pixels.
pub struct OpenedImage<'a> {
    decoder: Box<dyn ImageDecoder + 'a>,
    width: u32,
    height: u32,
    orientation: Orientation,
}

impl std::fmt::Debug for OpenedImage<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OpenedImage({}x{} upright)", self.width(), self.height())
    }
}

impl OpenedImage<'_> {
    /// Width of the upright image (after the EXIF orientation), in pixels.
    pub fn width(&self) -> u32 {
        if self.turns() {
            self.height
        } else {
            self.width
        }
    }

    /// Height of the upright image, in pixels.
    pub fn height(&self) -> u32 {
        if self.turns() {
            self.width
        } else {
            self.height
        }
    }

    /// Bytes the decoder's own pixel buffer takes (its native layout: 3 per pixel for most JPEGs,
    /// 8 for 16-bit RGBA PNGs).
    pub fn native_bytes(&self) -> u64 {
        self.decoder.total_bytes()
    }

    /// What decoding with `reduction` will hold at its peak, and keep: the decoder's buffer plus
    /// the RGBA image made from it (none when the decoder's buffer is RGBA already and is kept as
    /// it is), plus a full-size RGBA copy for layouts without a row converter (16-bit, float).
    pub fn decode_cost(&self, reduction: u32) -> DecodeCost {
        let r = reduction.max(1);
        let rgba = |w: u32, h: u32| u64::from(w) * u64::from(h) * 4;
        let kept = rgba(self.width.div_ceil(r), self.height.div_ceil(r));
        let native = self.native_bytes();
        let color = self.decoder.color_type();
        let peak = if !has_row_converter(color) {
            native + rgba(self.width, self.height) + if r > 1 { kept } else { 0 }
        } else if r == 1 && color == ColorType::Rgba8 {
            native
        } else {
            native + kept
        };
        DecodeCost { peak, kept }
    }

    fn turns(&self) -> bool {
        use Orientation::*;
        matches!(self.orientation, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH)
    }

    /// Decodes the pixels into opaque RGBA, box-reduced by the whole factor `reduction` (1 = full
    /// size; see [`reduction_for`]).
    ///
    /// EXIF orientation is applied (people expect their photo upright), animated GIFs give their
    /// first frame, and transparent pixels are composited over black, since video has no alpha.
    /// The reduction happens row by row straight from the decoder's buffer, so a large photo is
    /// held once at full size (in the decoder's layout, often 3 bytes a pixel) and never as a
    /// full-size RGBA copy.
    ///
    /// # Errors
    /// `CORRUPT_IMAGE` when the pixels cannot be decoded.
    pub fn decode(self, reduction: u32) -> Result<Rgba8Image> {
        let orientation = self.orientation;
        let native = DynamicImage::from_decoder(self.decoder).map_err(decode_error)?;
        let rgba = reduce_to_rgba(native, reduction.max(1))?;
        if orientation == Orientation::NoTransforms {
            return Ok(rgba);
        }
        let (w, h) = (rgba.width(), rgba.height());
        let buffer = image::RgbaImage::from_raw(w, h, rgba.into_raw())
            .ok_or_else(|| EngineError::new(ErrorCode::Internal, "RGBA buffer of the wrong length"))?;
        let mut upright = DynamicImage::ImageRgba8(buffer);
        upright.apply_orientation(orientation);
        let upright = upright.into_rgba8();
        let (w, h) = upright.dimensions();
        Rgba8Image::from_raw(w, h, upright.into_raw())
    }
}

/// The whole factor by which a `source` image is reduced on decode for an `output`-sized video:
/// the largest that keeps at least twice the output's pixels along the tighter axis (so the
/// per-frame filter still has detail to antialias and the camera room to zoom), and 1 when the
/// source is less than four times the output.
pub fn reduction_for(source: (u32, u32), output: (u32, u32)) -> u32 {
    let fit = (f64::from(source.0) / f64::from(output.0.max(1))).min(f64::from(source.1) / f64::from(output.1.max(1)));
    if fit >= 4.0 {
        (fit / 2.0).floor() as u32
    } else {
        1
    }
}

/// Converts a decoded image to opaque RGBA (composited over black), box-reduced by `factor`
/// ([`box_reduce`]) straight from its native rows.
fn reduce_to_rgba(native: DynamicImage, factor: u32) -> Result<Rgba8Image> {
    let (w, h) = (native.width(), native.height());
    let native = if has_row_converter(native.color()) {
        native
    } else {
        // Layouts without a row converter (16-bit, float) go through one full-size RGBA copy.
        DynamicImage::ImageRgba8(native.into_rgba8())
    };
    if factor == 1 {
        if let DynamicImage::ImageRgba8(rgba) = native {
            // Already RGBA: composite in place, no copy.
            let mut data = rgba.into_raw();
            data.par_chunks_mut(4 * w as usize).for_each(premultiply_row);
            return Rgba8Image::from_raw(w, h, data);
        }
        // The other layouts, row by row straight into place: the 1x1 blocks' average below takes
        // four integer divisions a pixel, which for an unreduced photo costs as long as decoding it.
        let mut data = vec![0u8; w as usize * h as usize * 4];
        data.par_chunks_mut(4 * w as usize).enumerate().for_each(|(y, out)| rgba_row(&native, y, out));
        return Rgba8Image::from_raw(w, h, data);
    }
    box_reduce(w, h, factor, |y, out| rgba_row(&native, y, out))
}

/// Whether [`rgba_row`] reads this layout directly.
fn has_row_converter(color: ColorType) -> bool {
    matches!(color, ColorType::Rgb8 | ColorType::Rgba8 | ColorType::L8 | ColorType::La8)
}

/// Row `y` of `image` as opaque RGBA composited over black, into `out` (`width * 4` bytes).
/// Only called with the four 8-bit layouts [`reduce_to_rgba`] lets through.
fn rgba_row(image: &DynamicImage, y: usize, out: &mut [u8]) {
    let w = out.len() / 4;
    match image {
        DynamicImage::ImageRgb8(img) => {
            for (o, i) in out.chunks_exact_mut(4).zip(img.as_raw()[y * w * 3..(y + 1) * w * 3].chunks_exact(3)) {
                o.copy_from_slice(&[i[0], i[1], i[2], 255]);
            }
        }
        DynamicImage::ImageRgba8(img) => {
            out.copy_from_slice(&img.as_raw()[y * w * 4..(y + 1) * w * 4]);
            premultiply_row(out);
        }
        DynamicImage::ImageLuma8(img) => {
            for (o, &l) in out.chunks_exact_mut(4).zip(&img.as_raw()[y * w..(y + 1) * w]) {
                o.copy_from_slice(&[l, l, l, 255]);
            }
        }
        DynamicImage::ImageLumaA8(img) => {
            for (o, i) in out.chunks_exact_mut(4).zip(img.as_raw()[y * w * 2..(y + 1) * w * 2].chunks_exact(2)) {
                o.copy_from_slice(&[i[0], i[0], i[0], i[1]]);
            }
            premultiply_row(out);
        }
        _ => out.fill(0),
    }
}

/// Composites RGBA pixels over black, in place: video has no alpha.
fn premultiply_row(row: &mut [u8]) {
    for px in row.chunks_exact_mut(4) {
        let alpha = u32::from(px[3]);
        if alpha != 255 {
            for c in &mut px[..3] {
                *c = ((u32::from(*c) * alpha + 127) / 255) as u8;
            }
            px[3] = 255;
        }
    }
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

    /// PNG bytes of raw samples in any layout image can encode.
    fn png_of(width: u32, height: u32, samples: &[u8], layout: image::ExtendedColorType) -> Vec<u8> {
        use image::ImageEncoder;
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out).write_image(samples, width, height, layout).expect("encode");
        out
    }

    #[test]
    fn sixteen_bit_grey_and_grey_alpha_pngs_decode_to_opaque_rgba() {
        let img = gradient(24, 16);
        let rgb: Vec<u8> = img.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
        // 16-bit: each 8-bit value v as v * 257, in native byte order as image expects.
        let wide: Vec<u8> = rgb.iter().flat_map(|&v| (u16::from(v) * 257).to_ne_bytes()).collect();
        let decoded = decode(&png_of(24, 16, &wide, image::ExtendedColorType::Rgb16)).expect("16-bit");
        assert_eq!(decoded, img);
        let grey: Vec<u8> = rgb.chunks_exact(3).map(|p| p[1]).collect();
        let decoded = decode(&png_of(24, 16, &grey, image::ExtendedColorType::L8)).expect("grey");
        assert_eq!(decoded.pixel(5, 7), [grey[7 * 24 + 5]; 3].into_iter().chain([255]).collect::<Vec<_>>()[..]);
        let grey_alpha: Vec<u8> = grey.iter().flat_map(|&l| [l, 128]).collect();
        let decoded = decode(&png_of(24, 16, &grey_alpha, image::ExtendedColorType::La8)).expect("grey + alpha");
        let l = ((u32::from(grey[3]) * 128 + 127) / 255) as u8;
        assert_eq!(decoded.pixel(3, 0), [l, l, l, 255]);
    }

    #[test]
    fn exif_orientation_is_applied_and_reported_before_decoding() {
        let img = gradient(64, 40);
        let jpeg = crate::encode::jpeg::JpegFrameEncoder::new(95).encode(&img).expect("encode");
        // An APP1 EXIF segment right after SOI: big-endian TIFF, one IFD entry, Orientation = 6
        // ("rotate 90° clockwise to display").
        let mut exif = vec![0xFF, 0xE1, 0, 34];
        exif.extend_from_slice(b"Exif\0\0MM\0\x2A\0\0\0\x08");
        exif.extend_from_slice(&[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
        let rotated = [&jpeg[..2], &exif, &jpeg[2..]].concat();
        let opened = open(&rotated, MAX_INPUT_BYTES).expect("header");
        assert_eq!((opened.width(), opened.height()), (40, 64), "upright size known before decoding");
        let decoded = opened.decode(1).expect("decodes");
        assert_eq!((decoded.width(), decoded.height()), (40, 64));
        // Rotated clockwise: the upright pixel (x, y) is the stored pixel (y, H - 1 - x).
        for (x, y) in [(0u32, 0u32), (39, 0), (10, 50), (39, 63)] {
            let (a, b) = (decoded.pixel(x, y), img.pixel(y, 39 - x));
            assert!(a.iter().zip(b).all(|(p, q)| p.abs_diff(q) < 12), "({x},{y}): {a:?} vs {b:?}");
        }
    }

    #[test]
    fn cmyk_jpeg_decodes_to_its_colours() {
        // Left half red, right half blue, as naive CMYK (K = 1 - max, the rest relative to it).
        let (w, h) = (32u16, 16u16);
        let cmyk_of = |rgb: [f64; 3]| {
            let k = 1.0 - rgb.iter().fold(0.0f64, |a, &v| a.max(v)) / 255.0;
            let c = |v: f64| ((1.0 - v / 255.0 - k) / (1.0 - k) * 255.0).round() as u8;
            [c(rgb[0]), c(rgb[1]), c(rgb[2]), (k * 255.0).round() as u8]
        };
        let (red, blue) = ([220.0, 30.0, 30.0], [30.0, 30.0, 220.0]);
        let mut data = Vec::new();
        for _ in 0..h {
            for x in 0..w {
                data.extend(cmyk_of(if x < w / 2 { red } else { blue }));
            }
        }
        let mut jpeg = Vec::new();
        jpeg_encoder::Encoder::new(&mut jpeg, 95).encode(&data, w, h, jpeg_encoder::ColorType::Cmyk).expect("encode");
        let decoded = decode(&jpeg).expect("a CMYK JPEG decodes");
        assert_eq!((decoded.width(), decoded.height()), (32, 16));
        for (x, want) in [(4u32, red), (28, blue)] {
            let got = decoded.pixel(x, 8);
            for c in 0..3 {
                assert!((f64::from(got[c]) - want[c]).abs() < 24.0, "pixel ({x}, 8): {got:?}, want about {want:?}");
            }
        }
    }

    #[test]
    fn reduced_decoding_is_the_box_average() {
        let img = gradient(50, 30);
        let reduced = open(&png_bytes(&img), MAX_INPUT_BYTES).expect("header").decode(4).expect("decodes");
        assert_eq!((reduced.width(), reduced.height()), (13, 8), "partial blocks at the edges are kept");
        for (x, y) in [(0u32, 0u32), (6, 3), (12, 7)] {
            let (x0, y0) = (4 * x, 4 * y);
            let (x1, y1) = ((x0 + 4).min(50), (y0 + 4).min(30));
            let n = (x1 - x0) * (y1 - y0);
            for c in 0..3 {
                let sum: u32 = (y0..y1)
                    .flat_map(|yy| (x0..x1).map(move |xx| (xx, yy)))
                    .map(|(xx, yy)| u32::from(img.pixel(xx, yy)[c]))
                    .sum();
                assert_eq!(u32::from(reduced.pixel(x, y)[c]), (sum + n / 2) / n, "({x},{y}) channel {c}");
            }
        }
        assert_eq!(reduction_for((8000, 6000), (1024, 1024)), 2);
        assert_eq!(reduction_for((4000, 3000), (1024, 1024)), 1);
        assert_eq!(reduction_for((16000, 12000), (512, 512)), 11);
    }

    #[test]
    fn rgb_grey_and_grey_alpha_decode_to_the_same_pixels_reduced_or_not() {
        let (w, h) = (37u32, 21u32);
        let value = |x: u32, y: u32, c: u32| ((x * 7 + y * 13 + c * 50) % 256) as u8;
        // Each layout's samples, row by row: channels 0..n of `value`.
        let samples = |n: u32| -> Vec<u8> {
            (0..h).flat_map(|y| (0..w).flat_map(move |x| (0..n).map(move |c| value(x, y, c)))).collect()
        };
        use image::ExtendedColorType::{La8, Rgb8, L8};
        let expected = |x: u32, y: u32| -> [[u8; 4]; 3] {
            let (l, a) = (value(x, y, 0), u32::from(value(x, y, 1)));
            let over_black = if a == 255 { l } else { ((u32::from(l) * a + 127) / 255) as u8 };
            [
                [value(x, y, 0), value(x, y, 1), value(x, y, 2), 255],
                [l, l, l, 255],
                [over_black, over_black, over_black, 255],
            ]
        };
        let pngs = [png_of(w, h, &samples(3), Rgb8), png_of(w, h, &samples(1), L8), png_of(w, h, &samples(2), La8)];
        let full: Vec<Rgba8Image> = pngs.iter().map(|p| decode(p).expect("valid PNG")).collect();
        for y in 0..h {
            for x in 0..w {
                for (layout, img) in full.iter().enumerate() {
                    assert_eq!(img.pixel(x, y), expected(x, y)[layout], "layout {layout} at ({x}, {y})");
                }
            }
        }
        // Reduced by 2, each is the box average of its own full-size decoding.
        for (png, img) in pngs.iter().zip(&full) {
            let reduced = open(png, MAX_INPUT_BYTES).expect("header").decode(2).expect("decodes");
            assert_eq!((reduced.width(), reduced.height()), (19, 11));
            for (x, y) in [(0u32, 0u32), (9, 5), (18, 10)] {
                let (xs, ys) = ((2 * x)..(2 * x + 2).min(w), (2 * y)..(2 * y + 2).min(h));
                let n = (xs.len() * ys.len()) as u32;
                for c in 0..3 {
                    let sum: u32 =
                        ys.clone().flat_map(|yy| xs.clone().map(move |xx| u32::from(img.pixel(xx, yy)[c]))).sum();
                    assert_eq!(u32::from(reduced.pixel(x, y)[c]), (sum + n / 2) / n, "({x}, {y}) channel {c}");
                }
            }
        }
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
