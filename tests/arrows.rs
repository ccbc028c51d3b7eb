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
    let best = (0..cross.len()).max_by(|&i, &j| cross[i].re.total_cmp(&cross[j].re)).unwrap_or(0);
    let wrap = |v: usize| if v > PATCH / 2 { v as i32 - PATCH as i32 } else { v as i32 };
    (wrap(best % PATCH), wrap(best / PATCH))
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
