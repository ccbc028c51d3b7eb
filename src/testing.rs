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

/// Lower-case hex SHA-256 over a sequence of frames, each prefixed by its length.
pub fn frames_sha256(frames: &[Vec<u8>]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for frame in frames {
        hasher.update((frame.len() as u64).to_le_bytes());
        hasher.update(frame);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The camera job that both the native test (tests/render.rs) and the browser test (tests/web.rs)
/// render: a 96x64 gradient PNG as 48x32, 1 s at 6 fps, seed 3.
pub fn golden_camera_frames() -> Vec<Vec<u8>> {
    let png = png_bytes(&gradient(96, 64));
    let options = crate::options::RenderOptions {
        resolution: Some(crate::options::Resolution { width: 48, height: 32 }),
        duration: Some(1.0),
        fps: Some(6.0),
        seed: Some(3.0),
        ..Default::default()
    };
    let mut job = crate::Job::new(&png, &options).expect("the golden job is valid");
    (0..job.plan().frames).map(|i| job.render_frame(i).expect("in range").to_vec()).collect()
}

/// SHA-256 of [`golden_camera_frames`]: native and wasm builds must both produce exactly these
/// frames (no fused multiply-add, no thread-count dependence). Update only for a deliberate change
/// of the renderer, after looking at the frames.
pub const GOLDEN_CAMERA_SHA256: &str = "5f3f0a7e93f096ec75310c996cea59d4ccb97c27689ef28e5de15d79f97888d4";
