//! Synthetic images for tests, doc examples and benchmarks. Generated, so there is nothing to
//! license and nothing to download.

use crate::error::ErrorCode::{self, CorruptImage, ImageTooLarge, UnsupportedFormat};
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

/// A fixed-seed xorshift64 stream: test data that is the same on every machine and target.
pub fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// Cases for checking a Catmull-Rom block kernel against its scalar twin: a 64x64 RGBA image of
/// random bytes (rows 256 bytes apart) and `count` random `(base, wx, wy)` blocks inside it.
#[allow(clippy::type_complexity)]
pub fn kernel_cases(count: usize) -> (Vec<u8>, Vec<(usize, [i16; 4], [i16; 4])>) {
    use crate::render::warp::{fixed_weights, SUBPIXEL};
    let mut next = xorshift(0x2545_f491_4f6c_dd1d);
    let data = (0..64 * 64 * 4).map(|_| next() as u8).collect();
    let blocks = (0..count)
        .map(|_| {
            let (x, y) = ((next() % 60) as usize, (next() % 60) as usize);
            let wx = fixed_weights(next() as usize % (SUBPIXEL + 1));
            let wy = fixed_weights(next() as usize % (SUBPIXEL + 1));
            ((y * 64 + x) * 4, wx, wy)
        })
        .collect();
    (data, blocks)
}

/// One row's source positions, x and y, in [`Fixed`](crate::render::warp::Fixed) point.
pub type PositionRow = (Vec<crate::render::warp::Fixed>, Vec<crate::render::warp::Fixed>);

/// Rows of positions for checking the row sampler's simd128 set-up against its scalar twin, on a
/// random 61x47 plane: sub-pixel positions inside, groups on pixel centres, and groups that touch
/// or pass every edge (negative positions too), so each kind of group and the tail are met.
pub fn sample_row_cases() -> (crate::render::yuv::Plane, Vec<PositionRow>) {
    let (w, h) = (61usize, 47usize);
    let mut next = xorshift(0x6a09_e667_f3bc_c908);
    let plane = crate::render::yuv::Plane { width: w, height: h, data: (0..w * h).map(|_| next() as u8).collect() };
    let rows = (0..200)
        .map(|r| {
            let len = 1 + (next() % 70) as usize;
            let mut position = |side: usize| -> i32 {
                let whole = (next() % (side as u64 + 8)) as i32 - 4;
                match r % 4 {
                    0 => whole << 8,
                    _ => (whole << 8) + (next() % 256) as i32,
                }
            };
            let xs = (0..len).map(|_| position(w)).collect();
            let ys = (0..len).map(|_| position(h)).collect();
            (xs, ys)
        })
        .collect();
    (plane, rows)
}

/// Cases for checking the camera resampler's SIMD kernels against their scalar twins: random
/// images (odd sizes, so rows end off the 16-byte SIMD step) under views that magnify, minify up to
/// the renderer's largest direct scale, and reach past the edges.
pub fn resample_cases() -> Vec<(Rgba8Image, crate::raster::View, usize, usize)> {
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
    let mut unit = move || (next() % 1_000_000) as f64 / 1_000_000.0;
    (0..24)
        .map(|i| {
            let (sw, sh) = (37 + (unit() * 200.0) as u32, 23 + (unit() * 150.0) as u32);
            let mut bytes = xorshift(i as u64 + 11);
            let data = (0..sw * sh * 4).map(|_| bytes() as u8).collect();
            let src = Rgba8Image::from_raw(sw, sh, data).expect("size matches by construction");
            // A third of the cases in the usual camera range (up to 1.5: four-tap windows).
            let scale = if i % 3 == 0 { 0.7 + unit() * 0.8 } else { 0.3 + unit() * 7.7 };
            let (w, h) = (3 + (unit() * 60.0) as usize, 2 + (unit() * 40.0) as usize);
            let view = crate::raster::View {
                scale,
                offset_x: (unit() - 0.2) * f64::from(sw) * 0.5,
                offset_y: (unit() - 0.2) * f64::from(sh) * 0.5,
            };
            (src, view, w, h)
        })
        .collect()
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
fn golden_camera_job() -> crate::Job {
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
    crate::Job::new(&png, &options).expect("the golden job is valid")
}

/// The frames of the golden camera job, in RGBA.
pub fn golden_camera_frames() -> Vec<Vec<u8>> {
    let mut job = golden_camera_job();
    (0..job.plan().frames).map(|i| job.render_frame(i).expect("in range").to_vec()).collect()
}

/// The frames of the golden camera job as the encoder gets them (`Job::render_video_frame`: I420).
pub fn golden_camera_video_frames() -> Vec<Vec<u8>> {
    let mut job = golden_camera_job();
    (0..job.plan().frames).map(|i| job.render_video_frame(i).expect("in range").to_vec()).collect()
}

/// SHA-256 of [`golden_camera_frames`]: native and wasm builds must both produce exactly these
/// frames (no fused multiply-add, no thread-count dependence). Update only for a deliberate change
/// of the renderer, after looking at the frames.
pub const GOLDEN_CAMERA_SHA256: &str = "aa22fd334aeb2ae753c3999b29345d696def7fe32a42d251db1b250854740034";

/// SHA-256 of [`golden_camera_video_frames`], native and wasm alike.
pub const GOLDEN_CAMERA_I420_SHA256: &str = "20940a39cadbcab76da0a30678a115b131f1be308504e54a850ed82d464c9e45";

/// How far an I420 frame is from an RGBA frame of the same `w x h` converted exactly: luma per
/// pixel, chroma per 2x2 block against the block's mean colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct I420Error {
    /// Largest luma difference, in levels.
    pub luma_worst: f64,
    /// Mean luma difference.
    pub luma_mean: f64,
    /// Largest chroma difference (Cb or Cr).
    pub chroma_worst: f64,
    /// Mean over the blocks of the larger of a block's Cb and Cr differences.
    pub chroma_mean: f64,
}

/// [`I420Error`] of `yuv` against `rgba`.
pub fn i420_error(rgba: &[u8], yuv: &[u8], w: usize, h: usize) -> I420Error {
    use crate::render::yuv::ycbcr;
    assert_eq!(yuv.len(), crate::render::yuv::i420_len(w, h), "I420 frame size");
    let px = |x: usize, y: usize| {
        let p = &rgba[(y * w + x) * 4..][..3];
        (f64::from(p[0]), f64::from(p[1]), f64::from(p[2]))
    };
    let (mut luma_worst, mut luma_total) = (0f64, 0f64);
    for y in 0..h {
        for x in 0..w {
            let (r, g, b) = px(x, y);
            let d = (f64::from(yuv[y * w + x]) - ycbcr(r, g, b).0).abs();
            luma_worst = luma_worst.max(d);
            luma_total += d;
        }
    }
    let (cw, ch) = (w / 2, h / 2);
    let (mut chroma_worst, mut chroma_total) = (0f64, 0f64);
    for y in 0..ch {
        for x in 0..cw {
            let mut m = (0.0, 0.0, 0.0);
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let (r, g, b) = px(2 * x + dx, 2 * y + dy);
                m = (m.0 + r / 4.0, m.1 + g / 4.0, m.2 + b / 4.0);
            }
            let (_, cb, cr) = ycbcr(m.0, m.1, m.2);
            let got = |plane: usize| f64::from(yuv[w * h + plane * cw * ch + y * cw + x]);
            let d = (got(0) - cb).abs().max((got(1) - cr).abs());
            chroma_worst = chroma_worst.max(d);
            chroma_total += d;
        }
    }
    I420Error {
        luma_worst,
        luma_mean: luma_total / (w * h) as f64,
        chroma_worst,
        chroma_mean: chroma_total / (cw * ch) as f64,
    }
}

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

/// Where a [`sky_scene`]'s parts are.
#[derive(Debug, Clone)]
pub struct SkyTruth {
    /// Sky pixels: above the hills, the trees and the pole.
    pub sky: Vec<bool>,
    /// The columns of the pole that stands against the sky.
    pub pole: std::ops::Range<usize>,
    /// Per column, the rows that are sky.
    pub border: Vec<usize>,
}

/// A sky with drifting-cloud texture (blue, with white and grey clouds of value-noise fBm) above
/// rolling hills of textured grass, three trees and a thin pole that stand against it; the
/// horizon's height and the clouds change with `seed`.
pub fn sky_scene(width: u32, height: u32, seed: u64) -> (Rgba8Image, SkyTruth) {
    let (w, h) = (f64::from(width), f64::from(height));
    let phase = seed as f64 * 0.7;
    let pole = (0.65 * w) as usize..(0.65 * w) as usize + 2;
    let border: Vec<usize> = (0..width as usize)
        .map(|x| {
            let fx = x as f64 + 0.5;
            let u = fx / w;
            let mut top = h
                * (0.58
                    + 0.05 * (std::f64::consts::TAU * 1.3 * u + phase).sin()
                    + 0.02 * (std::f64::consts::TAU * 3.7 * u).sin());
            for centre in [0.2, 0.47, 0.82] {
                let half = 0.035 * w;
                let d = (fx - centre * w).abs();
                if d < half {
                    top = top.min(h * 0.58 - 0.14 * h * (1.0 - d / half));
                }
            }
            if pole.contains(&x) {
                top = top.min(0.25 * h);
            }
            top.round().clamp(0.0, h) as usize
        })
        .collect();
    let mut data = Vec::with_capacity(width as usize * height as usize * 4);
    let mut sky = vec![false; width as usize * height as usize];
    let fbm = |seed: u64, x: f64, y: f64, scales: &[f64]| {
        let total: f64 = scales.iter().map(|s| s.powf(0.7)).sum();
        scales.iter().enumerate().map(|(o, &s)| value_noise(seed + o as u64, x, y, s) * s.powf(0.7)).sum::<f64>()
            / total
    };
    for y in 0..height as usize {
        for x in 0..width as usize {
            let (fx, fy) = (x as f64 + 0.5, y as f64 + 0.5);
            let px = if y < border[x] {
                sky[y * width as usize + x] = true;
                let t = fy / h;
                let blue = [70.0 + 80.0 * t, 120.0 + 70.0 * t, 225.0 - 10.0 * t];
                let n = fbm(100 + seed * 8, fx, fy * 1.8, &[0.2 * w, 0.1 * w, 0.05 * w, 0.025 * w]);
                let cloud = ((n - 0.3) / 0.3).clamp(0.0, 1.0);
                let shade = 200.0 + 55.0 * fbm(200 + seed * 8, fx, fy, &[0.06 * w, 0.03 * w]);
                [0, 1, 2].map(|c| blue[c] + (shade - blue[c]) * cloud)
            } else if pole.contains(&x) && fy < h * 0.6 {
                [55.0, 52.0, 50.0]
            } else {
                // Blades: fractal noise plus a per-pixel grain, as grass has at this scale.
                let grain = crate::motion::lattice_hash(400 + seed, x as i64, y as i64) - 0.5;
                let v = (fbm(300 + seed * 8, fx, fy, &[6.0, 3.0, 1.5]) + 0.5 * grain).clamp(0.0, 1.0);
                let tree = border[x] as f64 <= h * 0.58 - 0.02 * h && fy < h * 0.6;
                if tree {
                    [20.0 + 40.0 * v, 50.0 + 70.0 * v, 20.0 + 30.0 * v]
                } else {
                    [40.0 + 60.0 * v, 80.0 + 110.0 * v, 25.0 + 40.0 * v]
                }
            };
            data.extend(px.iter().map(|c| c.round().clamp(0.0, 255.0) as u8));
            data.push(255);
        }
    }
    let img = Rgba8Image::from_raw(width, height, data).expect("size matches by construction");
    (img, SkyTruth { sky, pole, border })
}

/// The local-motion job that both the native test (tests/motion.rs) and the browser test
/// (tests/web.rs) render: a 128x96 landscape as 64x48, 1 s at 8 fps, seed 5.
fn golden_motion_job(motion: crate::motion::MotionMode) -> crate::Job {
    let png = png_bytes(&landscape(128, 96).0);
    let options = crate::options::RenderOptions {
        resolution: Some(crate::options::Resolution { width: 64, height: 48 }),
        duration: Some(1.0),
        fps: Some(8.0),
        seed: Some(5.0),
        motion: Some(motion),
        ..Default::default()
    };
    crate::Job::new(&png, &options).expect("the golden job is valid")
}

/// The frames of the golden local-motion job, in RGBA.
pub fn golden_motion_frames(motion: crate::motion::MotionMode) -> Vec<Vec<u8>> {
    let mut job = golden_motion_job(motion);
    (0..job.plan().frames).map(|i| job.render_frame(i).expect("in range").to_vec()).collect()
}

/// The frames of the golden local-motion job as the encoder gets them (`Job::render_video_frame`:
/// I420 for the resonance warp and flow).
pub fn golden_motion_video_frames(motion: crate::motion::MotionMode) -> Vec<Vec<u8>> {
    let mut job = golden_motion_job(motion);
    (0..job.plan().frames).map(|i| job.render_video_frame(i).expect("in range").to_vec()).collect()
}

/// SHA-256 of [`golden_motion_video_frames`] per local motion rendered in I420, native and wasm
/// alike.
pub const GOLDEN_MOTION_I420_SHA256: [(crate::motion::MotionMode, &str); 2] = [
    (crate::motion::MotionMode::Resonance, "80efaf93040a012b6d3ff6fe81716b29b3265174e13751b82837bcb7dce7823c"),
    (crate::motion::MotionMode::Flow, "525e18fe87b1b75476d29138eb2dbd5241b02385e3c19bc1e266f6e8b477f571"),
];

/// SHA-256 of [`golden_motion_frames`] per local motion (analysis, motion field and rendering):
/// native and wasm must agree, which is why every transcendental goes through `libm`.
pub const GOLDEN_MOTION_SHA256: [(crate::motion::MotionMode, &str); 3] = [
    (crate::motion::MotionMode::Resonance, "2d30b47a4f8e6246c89bdf988ace70bd613f1ed783391054c291ed815e295414"),
    (crate::motion::MotionMode::Flow, "75f4707ac3a5797addfb25a534faa949e783b31dd1d35bc910b64e72c5588315"),
    (crate::motion::MotionMode::Shimmer, "236daac5b718374045eb312fafb6e6a6104dbb20758922b0be2d04d08c66ecd9"),
];

/// The structure maps of a 640x512 landscape (large enough that the long-range blurs run at a
/// reduced resolution, which the 64x48 golden videos are not), as the little-endian bytes of the
/// orientation, coherence, texture and mobility planes.
pub fn golden_maps_bytes() -> Vec<u8> {
    let maps = crate::analysis::structure::structure_maps(&landscape(640, 512).0);
    [&maps.orientation, &maps.coherence, &maps.texture, &maps.mobility]
        .iter()
        .flat_map(|p| p.data.iter().flat_map(|v| v.to_le_bytes()))
        .collect()
}

/// SHA-256 of [`golden_maps_bytes`]: native and wasm must agree.
pub const GOLDEN_MAPS_SHA256: &str = "c64a24356f47e74c7eee6d3f35262faf88057c3caa1d871b495f95962fb5c3df";

// ---------------------------------------------------------------------------------------------
// Hostile input, shared by tests/hostile.rs (natively) and tests/web.rs (through the bindings).

/// A named file and the code it must give.
#[derive(Debug, Clone)]
pub struct HostileCase {
    /// What the file is.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The error code decoding it must give.
    pub code: ErrorCode,
}

fn case(name: impl Into<String>, bytes: Vec<u8>, code: ErrorCode) -> HostileCase {
    HostileCase { name: name.into(), bytes, code }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A PNG whose header declares `width x height` (RGBA, 8 bits), with one tiny IDAT and IEND.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        let body = [kind, data].concat();
        c.extend_from_slice(&body);
        c.extend_from_slice(&crc32(&body).to_be_bytes());
        c
    };
    let ihdr = [&width.to_be_bytes()[..], &height.to_be_bytes(), &[8, 6, 0, 0, 0]].concat();
    // zlib stream of a few zero bytes (stored block).
    let idat = [0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x01];
    [&b"\x89PNG\r\n\x1a\n"[..], &chunk(b"IHDR", &ihdr), &chunk(b"IDAT", &idat), &chunk(b"IEND", &[])].concat()
}

/// A GIF whose logical screen and only image declare `width x height`.
fn gif_declaring(width: u16, height: u16) -> Vec<u8> {
    let (w, h) = (width.to_le_bytes(), height.to_le_bytes());
    let mut g = b"GIF89a".to_vec();
    g.extend_from_slice(&[w[0], w[1], h[0], h[1], 0x80, 0, 0]); // global colour table of 2
    g.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
    g.extend_from_slice(&[0x2C, 0, 0, 0, 0, w[0], w[1], h[0], h[1], 0]); // image descriptor
    g.extend_from_slice(&[2, 2, 0x4C, 0x01, 0, 0x3B]); // tiny LZW data, trailer
    g
}

/// A 24-bit BMP whose header declares `width x height` and carries almost no pixels.
fn bmp_declaring(width: i32, height: i32) -> Vec<u8> {
    let mut b = b"BM".to_vec();
    b.extend_from_slice(&(54u32 + 16).to_le_bytes());
    b.extend_from_slice(&[0, 0, 0, 0]);
    b.extend_from_slice(&54u32.to_le_bytes());
    b.extend_from_slice(&40u32.to_le_bytes());
    b.extend_from_slice(&width.to_le_bytes());
    b.extend_from_slice(&height.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&24u16.to_le_bytes());
    b.extend_from_slice(&[0; 24]);
    b.extend_from_slice(&[0; 16]);
    b
}

/// A baseline JPEG header whose frame declares `width x height`, followed by nothing useful.
fn jpeg_declaring(width: u16, height: u16) -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8];
    let (w, h) = (width.to_be_bytes(), height.to_be_bytes());
    j.extend_from_slice(&[0xFF, 0xC0, 0, 17, 8, h[0], h[1], w[0], w[1], 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

/// A lossless WebP header declaring `width x height` (each 1..=16384).
fn webp_declaring(width: u32, height: u32) -> Vec<u8> {
    let bits = (width - 1) | ((height - 1) << 14);
    let mut vp8l = vec![0x2F];
    vp8l.extend_from_slice(&bits.to_le_bytes());
    vp8l.extend_from_slice(&[0; 16]);
    let mut w = b"RIFF".to_vec();
    w.extend_from_slice(&((4 + 8 + vp8l.len()) as u32).to_le_bytes());
    w.extend_from_slice(b"WEBPVP8L");
    w.extend_from_slice(&(vp8l.len() as u32).to_le_bytes());
    w.extend_from_slice(&vp8l);
    w
}

fn encode_with(img: &Rgba8Image, format: image::ImageFormat) -> Vec<u8> {
    let buffer = image::RgbaImage::from_raw(img.width(), img.height(), img.data().to_vec()).expect("size");
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgba8(buffer).to_rgb8().write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// Valid 64x48 files of every accepted format (PNG, JPEG, GIF, BMP, WebP), to be broken.
pub fn valid_files() -> Vec<(&'static str, Vec<u8>)> {
    let img = gradient(64, 48);
    vec![
        ("png", png_bytes(&img)),
        ("jpeg", crate::encode::jpeg::JpegFrameEncoder::new(85).encode(&img).expect("jpeg")),
        ("gif", encode_with(&img, image::ImageFormat::Gif)),
        ("bmp", encode_with(&img, image::ImageFormat::Bmp)),
        ("webp", encode_with(&img, image::ImageFormat::WebP)),
    ]
}

/// The hostile corpus: truncated downloads, wrong magic bytes, headers declaring gigantic or empty
/// images in every format, random bytes and polyglots, each with the code it must give.
pub fn hostile_corpus() -> Vec<HostileCase> {
    let mut cases = Vec::new();
    for (format, bytes) in valid_files() {
        // Truncated downloads: just past the magic, a third, two thirds.
        for cut in [16, bytes.len() / 3, 2 * bytes.len() / 3] {
            cases.push(case(format!("{format} truncated at {cut}"), bytes[..cut].to_vec(), CorruptImage));
        }
        // Renamed or damaged: the first byte changed.
        let mut wrong = bytes.clone();
        wrong[0] ^= 0x55;
        cases.push(case(format!("{format} with a wrong first byte"), wrong, UnsupportedFormat));
    }
    // Bombs: tiny files declaring gigantic images.
    cases.push(case("png declaring 100000 x 100000", png_declaring(100_000, 100_000), ImageTooLarge));
    cases.push(case("png declaring 16000 x 16000 (1 GB of pixels)", png_declaring(16_000, 16_000), ImageTooLarge));
    cases.push(case("gif declaring 65535 x 65535", gif_declaring(65_535, 65_535), ImageTooLarge));
    cases.push(case("bmp declaring 100000 x 100000", bmp_declaring(100_000, 100_000), ImageTooLarge));
    cases.push(case("bmp declaring 30000 x -30000 (top-down)", bmp_declaring(30_000, -30_000), ImageTooLarge));
    cases.push(case("jpeg declaring 65500 x 65500", jpeg_declaring(65_500, 65_500), ImageTooLarge));
    cases.push(case("webp declaring 16384 x 16384 (1 GiB of pixels)", webp_declaring(16_384, 16_384), ImageTooLarge));
    // Zero sizes.
    cases.push(case("png declaring 0 x 10", png_declaring(0, 10), CorruptImage));
    cases.push(case("gif declaring 0 x 0", gif_declaring(0, 0), CorruptImage));
    cases.push(case("bmp declaring 0 x 0", bmp_declaring(0, 0), CorruptImage));
    cases.push(case("jpeg declaring 0 x 0", jpeg_declaring(0, 0), CorruptImage));
    // Random bytes and empty files.
    let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
    for n in [1usize, 7, 100, 4096, 100_000] {
        let bytes = (0..n).map(|_| next() as u8).collect();
        cases.push(case(format!("{n} random bytes"), bytes, UnsupportedFormat));
    }
    cases.push(case("an empty file", Vec::new(), UnsupportedFormat));
    // Polyglots: one format's magic, another's body.
    let files = valid_files();
    let body = |i: usize| files[i].1.clone();
    cases.push(case("png magic on a jpeg", [&b"\x89PNG\r\n\x1a\n"[..], &body(1)].concat(), CorruptImage));
    cases.push(case("jpeg magic on a png", [&[0xFF, 0xD8, 0xFF][..], &body(0)].concat(), CorruptImage));
    // Its screen size is read from the BMP's bytes: 19778 px wide.
    cases.push(case("gif magic on a bmp", [&b"GIF89a"[..], &body(3)].concat(), ImageTooLarge));
    cases.push(case("BM on a png", [&b"BM"[..], &body(0)].concat(), CorruptImage));
    cases.push(case("a RIFF/WEBP header on a gif", [&b"RIFF\0\0\0\0WEBP"[..], &body(2)].concat(), CorruptImage));
    cases
}

/// The flow field of `image` (the picture at the output size), from its own analysis maps: for
/// the renderer's tests, which take fields and never the analysis.
pub fn flow_field(image: &Rgba8Image, params: crate::motion::MotionParams) -> crate::motion::flow::FlowField {
    crate::motion::flow::FlowField::new(&crate::analysis::structure::structure_maps(image), params)
}

/// The resonance field of `image`, as [`flow_field`].
pub fn modal_field(image: &Rgba8Image, params: crate::motion::MotionParams) -> crate::motion::modal::ModalField {
    crate::motion::modal::ModalField::new(&crate::analysis::structure::structure_maps(image), params)
}
