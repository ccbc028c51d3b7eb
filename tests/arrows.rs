//! Direction arrows (`paths`) for the flow motion: texture moves along them, measured by phase
//! correlation of patches, and not far from them; the loop still closes; bad arrows are refused.

use num_complex::Complex32;
use quantonium_video::motion::MotionMode;
use quantonium_video::options::{FlowPath, RenderOptions, Resolution};
use quantonium_video::testing::{landscape, png_bytes};
use quantonium_video::{ErrorCode, Job};
use rustfft::FftPlanner;

const W: u32 = 256;
const H: u32 = 192;
const PATCH: usize = 64;
const GHOST: f64 = 0.3;

fn options(paths: Vec<Vec<[f64; 2]>>) -> RenderOptions {
    RenderOptions {
        resolution: Some(Resolution { width: W, height: H }),
        duration: Some(4.0),
        fps: Some(24.0),
        seed: Some(2.0),
        motion: Some(MotionMode::Flow),
        amplitude: Some(0.025 * f64::from(H)),
        paths: Some(paths.into_iter().map(|points| FlowPath { points }).collect()),
        ..Default::default()
    }
}

fn luma(frame: &[u8]) -> Vec<f32> {
    frame
        .chunks_exact(4)
        .map(|p| 0.2126 * f32::from(p[0]) + 0.7152 * f32::from(p[1]) + 0.0722 * f32::from(p[2]))
        .collect()
}

/// A 2-D FFT of a `PATCH x PATCH` block, rows then columns.
fn fft2(data: &mut [Complex32], inverse: bool) {
    let mut planner = FftPlanner::new();
    let fft = if inverse { planner.plan_fft_inverse(PATCH) } else { planner.plan_fft_forward(PATCH) };
    for row in data.chunks_exact_mut(PATCH) {
        fft.process(row);
    }
    let mut column = vec![Complex32::new(0.0, 0.0); PATCH];
    for x in 0..PATCH {
        for y in 0..PATCH {
            column[y] = data[y * PATCH + x];
        }
        fft.process(&mut column);
        for y in 0..PATCH {
            data[y * PATCH + x] = column[y];
        }
    }
}

/// The shift `(dx, dy)` that carries the patch of `a` centred at `centre` onto the same patch of
/// `b`, by phase correlation (Hann-windowed), to the nearest pixel.
fn shift(a: &[f32], b: &[f32], centre: (usize, usize)) -> (i32, i32) {
    let surface = correlation(a, b, centre);
    let best = (0..surface.len()).max_by(|&i, &j| surface[i].total_cmp(&surface[j])).unwrap_or(0);
    let wrap = |v: usize| if v > PATCH / 2 { v as i32 - PATCH as i32 } else { v as i32 };
    (wrap(best % PATCH), wrap(best / PATCH))
}

/// The phase correlation surface of the patches of `a` and `b` centred at `centre`.
fn correlation(a: &[f32], b: &[f32], centre: (usize, usize)) -> Vec<f32> {
    let (x0, y0) = (centre.0 - PATCH / 2, centre.1 - PATCH / 2);
    let hann = |i: usize| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / PATCH as f32).cos();
    let patch = |img: &[f32]| -> Vec<Complex32> {
        let mean: f32 = (0..PATCH * PATCH).map(|k| img[(y0 + k / PATCH) * W as usize + x0 + k % PATCH]).sum::<f32>()
            / (PATCH * PATCH) as f32;
        (0..PATCH * PATCH)
            .map(|k| {
                let (x, y) = (k % PATCH, k / PATCH);
                Complex32::new((img[(y0 + y) * W as usize + x0 + x] - mean) * hann(x) * hann(y), 0.0)
            })
            .collect()
    };
    let (mut fa, mut fb) = (patch(a), patch(b));
    fft2(&mut fa, false);
    fft2(&mut fb, false);
    let mut cross: Vec<Complex32> = fa
        .iter()
        .zip(&fb)
        .map(|(p, q)| {
            let c = q * p.conj();
            c / (c.norm() + 1e-9)
        })
        .collect();
    fft2(&mut cross, true);
    cross.iter().map(|c| c.re).collect()
}

fn mean_change(a: &[f32], b: &[f32], rows: std::ops::Range<usize>, columns: std::ops::Range<usize>) -> f32 {
    let mut sum = 0.0;
    for y in rows.clone() {
        for x in columns.clone() {
            sum += (a[y * W as usize + x] - b[y * W as usize + x]).abs();
        }
    }
    sum / (rows.len() * columns.len()) as f32
}

#[test]
fn texture_moves_along_the_arrows_and_not_far_from_them() {
    let png = png_bytes(&landscape(W, H).0);
    // Rightwards across the bottom of the grass; then, on its own, upwards on the left.
    for (arrow, centre, want) in [
        (vec![[0.1, 0.85], [0.5, 0.85], [0.9, 0.85]], (128, 160), (1, 0)),
        (vec![[0.3, 0.95], [0.3, 0.55]], (77, 150), (0, -1)),
    ] {
        let mut job = Job::new(&png, &options(vec![arrow.clone()])).expect("valid");
        let first = luma(job.render_frame(0).expect("frame 0"));
        let later = luma(job.render_frame(12).expect("frame 12"));
        let (dx, dy) = shift(&first, &later, centre);
        let (along, across) = (dx * want.0 + dy * want.1, dx * want.1 - dy * want.0);
        assert!(along >= 2, "{arrow:?}: texture moved ({dx}, {dy}), not along the arrow");
        assert!(across.abs() * 2 <= along, "{arrow:?}: texture moved ({dx}, {dy}), across the arrow");
        let wrapped = job.render_frame(job.plan().frames).expect("frame N").to_vec();
        assert_eq!(wrapped, job.render_frame(0).expect("frame 0").to_vec(), "the loop closes");
    }
    // Far from an arrow along the bottom, the grass near the horizon barely moves.
    let mut job = Job::new(&png, &options(vec![vec![[0.1, 0.92], [0.9, 0.92]]])).expect("valid");
    let first = luma(job.render_frame(0).expect("frame 0"));
    let later = luma(job.render_frame(24).expect("frame 24"));
    let near = mean_change(&first, &later, 160..185, 40..216);
    let far = mean_change(&first, &later, 85..100, 40..216);
    assert!(near > 3.0 && far < 0.2 * near, "change near the arrow {near:.2}, far from it {far:.2}");
}

#[test]
fn arrows_that_cannot_be_used_are_refused_with_the_reason() {
    let png = png_bytes(&landscape(W, H).0);
    let refusal = |options: RenderOptions| {
        let err = Job::new(&png, &options).map(|_| ()).expect_err("refused");
        assert_eq!(err.code, ErrorCode::InvalidOption);
        assert!(err.message.starts_with("option `paths`"), "{}", err.message);
        err.message
    };
    let resonance =
        RenderOptions { motion: Some(MotionMode::Resonance), ..options(vec![vec![[0.1, 0.5], [0.9, 0.5]]]) };
    assert!(refusal(resonance).contains("flow"));
    assert!(refusal(options(vec![vec![[0.1, 0.5]]])).contains("at least 2 points"));
    assert!(refusal(options(vec![vec![[0.1, 0.5], [1.2, 0.5]]])).contains("[1.2, 0.5]"));
    assert!(refusal(options(vec![vec![[0.1, f64::NAN], [0.5, 0.5]]])).contains("0–1"));
    assert!(refusal(options(vec![vec![[0.1, 0.5], [0.9, 0.5]]; 33])).contains("at most 32"));
    // No arrows at all is plain flow.
    assert!(Job::new(&png, &options(vec![])).is_ok());
}

/// Bilinear sample of a `W`-wide luma plane at `(x, y)` (pixel centres at integer + 0.5), clamped.
fn bilinear(img: &[f32], x: f32, y: f32) -> f32 {
    let (fx, fy) = ((x - 0.5).clamp(0.0, W as f32 - 1.001), (y - 0.5).clamp(0.0, H as f32 - 1.001));
    let (x0, y0) = (fx as usize, fy as usize);
    let (tx, ty) = (fx - x0 as f32, fy - y0 as f32);
    let at = |x: usize, y: usize| img[y * W as usize + x];
    let top = at(x0, y0) * (1.0 - tx) + at(x0 + 1, y0) * tx;
    let bottom = at(x0, y0 + 1) * (1.0 - tx) + at(x0 + 1, y0 + 1) * tx;
    top * (1.0 - ty) + bottom * ty
}

/// How much of each of two copies of `input`, displaced by `d0` and `d1`, the `frame` holds in the
/// 24 px patch at `centre`: the least-squares `a`, `b` of `frame ≈ a·input(x − d0) + b·input(x − d1) + c`.
fn copy_weights(input: &[f32], frame: &[f32], centre: (usize, usize), d0: (f32, f32), d1: (f32, f32)) -> (f64, f64) {
    let mut m = [[0f64; 3]; 3];
    let mut v = [0f64; 3];
    for y in centre.1 - 12..centre.1 + 12 {
        for x in centre.0 - 12..centre.0 + 12 {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let row = [
                f64::from(bilinear(input, px - d0.0, py - d0.1)),
                f64::from(bilinear(input, px - d1.0, py - d1.1)),
                1.0,
            ];
            let target = f64::from(frame[y * W as usize + x]);
            for i in 0..3 {
                v[i] += row[i] * target;
                for j in 0..3 {
                    m[i][j] += row[i] * row[j];
                }
            }
        }
    }
    // Cramer's rule on the 3x3 normal equations.
    let det = |m: &[[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(&m);
    let solve = |k: usize| {
        let mut mk = m;
        for i in 0..3 {
            mk[i][k] = v[i];
        }
        det(&mk) / d
    };
    (solve(0), solve(1))
}

#[test]
fn the_crossfade_shows_little_double_image() {
    // One arrow across the grass makes the flow there a steady drift, so each frame is two copies
    // of the input, at the offsets the field gives, blended. How much the weaker copy shows
    // against the stronger, averaged over the loop and three places along the arrow, is the
    // double image.
    let (img, _) = landscape(W, H);
    let mut job = Job::new(&png_bytes(&img), &options(vec![vec![[0.05, 0.8], [0.95, 0.8]]])).expect("valid");
    let field = job.renderer().flow().expect("flow").clone();
    let input = luma(quantonium_video::raster::fit(&img, W, H).data());
    let frames = job.plan().frames;
    let (mut sum, mut n) = (0.0, 0);
    for index in (0..frames).step_by(2) {
        let frame = luma(job.render_frame(index).expect("frame"));
        for centre in [(70usize, 150usize), (128, 150), (186, 150)] {
            let (x, y) = (centre.0 as f64, centre.1 as f64);
            let v = field.velocity().at(x, y);
            let phases =
                quantonium_video::motion::flow::FlowField::phases(field.base_phase(index), field.offset().at(x, y).0);
            let d = |k: usize| (phases[k].offset * v.0, phases[k].offset * v.1);
            let (a, b) = copy_weights(&input, &frame, centre, d(0), d(1));
            let (lo, hi) = (a.min(b).max(0.0), a.max(b));
            sum += lo / hi.max(1e-9);
            n += 1;
        }
    }
    let ghost = sum / f64::from(n);
    assert!(ghost < GHOST, "the second copy shows at {ghost:.3} of the first on average");
}

/// A river between banks: a band of streaked, textured water across the middle (rows 0.35·H to
/// 0.65·H) between smooth, untextured banks.
fn river() -> quantonium_video::image::Rgba8Image {
    use quantonium_video::testing::value_noise;
    let data = (0..W * H)
        .flat_map(|i| {
            let (x, y) = (f64::from(i % W) + 0.5, f64::from(i / W) + 0.5);
            let v = y / f64::from(H);
            let px = if (0.35..0.65).contains(&v) {
                let n = 0.6 * value_noise(11, x / 3.0, y, 2.0) + 0.4 * value_noise(12, x / 3.0, y, 5.0);
                [30.0 + 60.0 * n, 70.0 + 90.0 * n, 110.0 + 120.0 * n]
            } else {
                [120.0 + 30.0 * v, 110.0 + 20.0 * v, 80.0]
            };
            let [r, g, b] = px.map(|c: f64| c.round().clamp(0.0, 255.0) as u8);
            [r, g, b, 255]
        })
        .collect();
    quantonium_video::image::Rgba8Image::from_raw(W, H, data).expect("size")
}

#[test]
fn an_arrow_along_a_river_moves_the_water_downstream_and_never_the_banks() {
    let img = river();
    let mut job =
        Job::new(&png_bytes(&img), &options(vec![vec![[0.05, 0.5], [0.5, 0.5], [0.95, 0.5]]])).expect("valid");
    let first = luma(job.render_frame(0).expect("frame 0"));
    let later = luma(job.render_frame(12).expect("frame 12"));
    let (dx, dy) = shift(&first, &later, (128, 96));
    assert!(dx >= 2 && dy.abs() * 2 <= dx, "the water moved ({dx}, {dy}), not downstream");
    // The banks, 24 px or more from the water, never change in any frame.
    let input = job.render_frame(0).expect("frame").to_vec();
    let bank = |i: usize| {
        let y = i / W as usize;
        y + 24 < (0.35 * f64::from(H)) as usize || y > (0.65 * f64::from(H)) as usize + 24
    };
    for index in (0..job.plan().frames).step_by(8) {
        let frame = job.render_frame(index).expect("frame").to_vec();
        let moved =
            (0..(W * H) as usize).filter(|&i| bank(i) && frame[i * 4..i * 4 + 4] != input[i * 4..i * 4 + 4]).count();
        assert_eq!(moved, 0, "frame {index}: {moved} bank pixels changed");
    }
}

#[test]
fn anchors_hold_under_an_arrow() {
    let png = png_bytes(&landscape(W, H).0);
    // Anchor the left half; an arrow runs across the whole width.
    let mask: Vec<u8> = (0..W * H).flat_map(|i| if i % W < W / 2 { [0u8, 0, 0, 255] } else { [255; 4] }).collect();
    let mask = quantonium_video::image::Rgba8Image::from_raw(W, H, mask).expect("size");
    let options = options(vec![vec![[0.05, 0.8], [0.95, 0.8]]]);
    let mut job = Job::with_freeze_mask(&png, &options, Some(&png_bytes(&mask))).expect("valid");
    let first = job.render_frame(0).expect("frame").to_vec();
    let later = job.render_frame(12).expect("frame").to_vec();
    let w = W as usize;
    let changed = |i: usize| first[i * 4..i * 4 + 4] != later[i * 4..i * 4 + 4];
    assert!((0..w * H as usize).filter(|i| i % w < w / 2).all(|i| !changed(i)), "an anchored pixel changed");
    let free = (0..w * H as usize).filter(|&i| i % w > 3 * w / 4 && i / w > 140 && changed(i)).count();
    assert!(free > 1000, "the free grass under the arrow still moves ({free} pixels)");
}
