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
/// render: a 96x64 gradient PNG as 48x32, 1 s at 6 fps, seed 3, one-way camera.
pub fn golden_camera_frames() -> Vec<Vec<u8>> {
    let png = png_bytes(&gradient(96, 64));
    let options = crate::options::RenderOptions {
        resolution: Some(crate::options::Resolution { width: 48, height: 32 }),
        duration: Some(1.0),
        fps: Some(6.0),
        seed: Some(3.0),
        motion: Some(crate::motion::MotionMode::Camera),
        looped: Some(false),
        ..Default::default()
    };
    let mut job = crate::Job::new(&png, &options).expect("the golden job is valid");
    (0..job.plan().frames).map(|i| job.render_frame(i).expect("in range").to_vec()).collect()
}

/// SHA-256 of [`golden_camera_frames`]: native and wasm builds must both produce exactly these
/// frames (no fused multiply-add, no thread-count dependence). Update only for a deliberate change
/// of the renderer, after looking at the frames.
pub const GOLDEN_CAMERA_SHA256: &str = "5f3f0a7e93f096ec75310c996cea59d4ccb97c27689ef28e5de15d79f97888d4";

/// Ground-truth regions of [`landscape`], each eroded by 12 px away from the region boundaries so
/// smoothed masks are judged on clear interiors.
#[derive(Debug, Clone)]
pub struct LandscapeTruth {
    /// Smooth sky.
    pub sky: Vec<bool>,
    /// Textured grass.
    pub grass: Vec<bool>,
    /// The flat building.
    pub building: Vec<bool>,
}

/// Smoothly interpolated value noise at `(x, y)` on a lattice of spacing `scale`.
pub fn value_noise(seed: u64, x: f64, y: f64, scale: f64) -> f64 {
    use crate::motion::lattice_hash;
    let (fx, fy) = (x / scale, y / scale);
    let (x0, y0) = (fx.floor(), fy.floor());
    let s = |t: f64| t * t * (3.0 - 2.0 * t);
    let (tx, ty) = (s(fx - x0), s(fy - y0));
    let (x0, y0) = (x0 as i64, y0 as i64);
    let h = |dx, dy| lattice_hash(seed, x0 + dx, y0 + dy);
    let top = h(0, 0) * (1.0 - tx) + h(1, 0) * tx;
    let bottom = h(0, 1) * (1.0 - tx) + h(1, 1) * tx;
    top * (1.0 - ty) + bottom * ty
}

/// A synthetic landscape with known regions: a smooth blue sky on the top 40 %, green fractal
/// grass with vertical streaks below, and a flat grey building standing on the horizon.
pub fn landscape(width: u32, height: u32) -> (Rgba8Image, LandscapeTruth) {
    let (w, h) = (f64::from(width), f64::from(height));
    let horizon = 0.4 * h;
    let (bx0, bx1, by0, by1) = (0.6 * w, 0.85 * w, 0.2 * h, 0.7 * h);
    let margin = 12.0;
    let mut data = Vec::with_capacity(width as usize * height as usize * 4);
    let n = width as usize * height as usize;
    let mut truth = LandscapeTruth { sky: vec![false; n], grass: vec![false; n], building: vec![false; n] };
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
            let i = (y * width + x) as usize;
            let in_building = fx >= bx0 && fx < bx1 && fy >= by0 && fy < by1;
            let px = if in_building {
                [150.0, 150.0, 155.0]
            } else if fy < horizon {
                let t = fy / horizon;
                [90.0 + 60.0 * t, 140.0 + 50.0 * t, 230.0 - 10.0 * t]
            } else {
                let mut v = 0.0;
                for (octave, scale) in [16.0, 8.0, 4.0, 2.0].iter().enumerate() {
                    v += value_noise(7 + octave as u64, fx, fy / 4.0, *scale) * scale.powf(0.6);
                }
                v /= [16.0f64, 8.0, 4.0, 2.0].iter().map(|s| s.powf(0.6)).sum::<f64>();
                [40.0 + 60.0 * v, 90.0 + 120.0 * v, 30.0 + 40.0 * v]
            };
            data.extend(px.iter().map(|c| c.round().clamp(0.0, 255.0) as u8));
            data.push(255);
            let away_from_building = fx < bx0 - margin || fx >= bx1 + margin || fy < by0 - margin || fy >= by1 + margin;
            let inside_building = fx >= bx0 + margin && fx < bx1 - margin && fy >= by0 + margin && fy < by1 - margin;
            let away_from_border = fx > margin && fx < w - margin && fy > margin && fy < h - margin;
            truth.building[i] = inside_building;
            truth.sky[i] = away_from_building && away_from_border && fy < horizon - margin;
            truth.grass[i] = away_from_building && away_from_border && fy > horizon + margin;
        }
    }
    (Rgba8Image::from_raw(width, height, data).expect("size matches by construction"), truth)
}

/// The local-motion job that both the native test (tests/motion.rs) and the browser test
/// (tests/web.rs) render: a 128x96 landscape as 64x48, 1 s at 8 fps, seed 5.
pub fn golden_motion_frames(motion: crate::motion::MotionMode) -> Vec<Vec<u8>> {
    let png = png_bytes(&landscape(128, 96).0);
    let options = crate::options::RenderOptions {
        resolution: Some(crate::options::Resolution { width: 64, height: 48 }),
        duration: Some(1.0),
        fps: Some(8.0),
        seed: Some(5.0),
        motion: Some(motion),
        ..Default::default()
    };
    let mut job = crate::Job::new(&png, &options).expect("the golden job is valid");
    (0..job.plan().frames).map(|i| job.render_frame(i).expect("in range").to_vec()).collect()
}

/// SHA-256 of [`golden_motion_frames`] per local motion (analysis, motion field and rendering):
/// native and wasm must agree, which is why every transcendental goes through `libm`.
pub const GOLDEN_MOTION_SHA256: [(crate::motion::MotionMode, &str); 3] = [
    (crate::motion::MotionMode::Resonance, "0fbefa26b4f9025ddd5817a002b1f872c90a1b66972da20498031339c2c27180"),
    (crate::motion::MotionMode::Flow, "930b71f58bb9b2933f9e941f36af289e10732e72b52efdcdc1b324388a72d803"),
    (crate::motion::MotionMode::Shimmer, "236daac5b718374045eb312fafb6e6a6104dbb20758922b0be2d04d08c66ecd9"),
];
