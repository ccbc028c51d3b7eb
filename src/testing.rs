//! Synthetic images for tests, doc examples and benchmarks. Generated, so there is nothing to
//! license and nothing to download.

use crate::image::Rgba8Image;

/// A smooth colour gradient: red grows to the right, green downwards, blue diagonally.
pub fn gradient(width: u32, height: u32) -> Rgba8Image {
    let mut data = Vec::with_capacity(width as usize * height as usize * 4);
    for y in 0..height {
        for x in 0..width {
            data.extend_from_slice(&[
                (x * 255 / width.max(2).saturating_sub(1).max(1)).min(255) as u8,
                (y * 255 / height.max(2).saturating_sub(1).max(1)).min(255) as u8,
                ((x + y) * 255 / (width + height)) as u8,
                255,
            ]);
        }
    }
    Rgba8Image::from_raw(width, height, data).expect("size matches by construction")
}

/// A zone plate: concentric rings whose frequency rises to the Nyquist limit at the edges.
/// Any resampler without a proper low-pass filter shows aliasing rings (moiré) on it.
pub fn zone_plate(size: u32) -> Rgba8Image {
    let mut data = Vec::with_capacity(size as usize * size as usize * 4);
    let half = size as f64 / 2.0;
    // Phase k r^2 with instantaneous frequency k r / pi reaching 0.5 cycles/pixel at r = half.
    let k = std::f64::consts::PI / (2.0 * half);
    for y in 0..size {
        for x in 0..size {
            let (dx, dy) = (x as f64 + 0.5 - half, y as f64 + 0.5 - half);
            let v = (127.5 + 127.5 * (k * (dx * dx + dy * dy)).cos()).round() as u8;
            data.extend_from_slice(&[v, v, v, 255]);
        }
    }
    Rgba8Image::from_raw(size, size, data).expect("size matches by construction")
}

/// Encodes an image as PNG bytes (lossless, so decoding gives the same pixels back).
pub fn png_bytes(img: &Rgba8Image) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut out);
    image::ImageEncoder::write_image(encoder, img.data(), img.width(), img.height(), image::ExtendedColorType::Rgba8)
        .expect("PNG encoding into memory cannot fail for a valid image");
    out
}
