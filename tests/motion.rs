//! The resonance motion against the quality measures of the research notes (§5): exact loop,
//! still frame 0, no flicker, motion where the image is textured and none where it is flat,
//! amplitude, fold-over, 1/f temporal spectrum, determinism.

use quantonium_video::analysis::fit;
use quantonium_video::decode::decode;
use quantonium_video::motion::MotionMode;
use quantonium_video::options::{RenderOptions, Resolution};
use quantonium_video::testing::{self, landscape, png_bytes};
use quantonium_video::Job;

const W: u32 = 256;
const H: u32 = 192;

fn options(seconds: f64, seed: f64) -> RenderOptions {
    RenderOptions {
        resolution: Some(Resolution { width: W, height: H }),
        duration: Some(seconds),
        fps: Some(24.0),
        seed: Some(seed),
        motion: Some(MotionMode::Resonance),
        ..Default::default()
    }
}

fn landscape_png() -> Vec<u8> {
    png_bytes(&landscape(W, H).0)
}

fn all_frames(job: &mut Job) -> Vec<Vec<u8>> {
    (0..job.plan().frames).map(|i| job.render_frame(i).expect("frame").to_vec()).collect()
}

fn luma(frame: &[u8]) -> Vec<f64> {
    frame
        .chunks_exact(4)
        .map(|p| (0.2126 * f64::from(p[0]) + 0.7152 * f64::from(p[1]) + 0.0722 * f64::from(p[2])) / 255.0)
        .collect()
}

fn mean_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / a.len() as f64
}

#[test]
fn frame_zero_is_the_fitted_input_and_the_loop_closes_bit_exactly() {
    let png = landscape_png();
    let mut job = Job::new(&png, &options(2.0, 1.0)).expect("valid");
    let fitted = fit(&decode(&png).expect("png"), W, H);
    assert_eq!(job.render_frame(0).expect("frame 0"), fitted.data(), "frame 0 is the fitted input");
    let frames = job.plan().frames;
    let wrapped = job.render_frame(frames).expect("frame N").to_vec();
    assert_eq!(wrapped, fitted.data(), "frame N is bit-identical to frame 0");
}

#[test]
fn the_seam_looks_like_any_other_step_and_nothing_flickers() {
    let mut job = Job::new(&landscape_png(), &options(2.0, 2.0)).expect("valid");
    let frames: Vec<Vec<f64>> = all_frames(&mut job).iter().map(|f| luma(f)).collect();
    let mut steps: Vec<f64> = frames.windows(2).map(|w| mean_abs_diff(&w[0], &w[1])).collect();
    let seam = mean_abs_diff(&frames[frames.len() - 1], &frames[0]);
    steps.sort_by(f64::total_cmp);
    let median = steps[steps.len() / 2];
    let ratio = seam / median;
    assert!((0.3..=1.5).contains(&ratio), "seam step {seam} vs median {median}: ratio {ratio}");
    let means: Vec<f64> = frames.iter().map(|f| f.iter().sum::<f64>() / f.len() as f64).collect();
    let avg = means.iter().sum::<f64>() / means.len() as f64;
    let flicker = (means.iter().map(|m| (m - avg) * (m - avg)).sum::<f64>() / means.len() as f64).sqrt();
    assert!(flicker <= 0.5 / 255.0, "global flicker {} / 255", flicker * 255.0);
}

#[test]
fn grass_moves_while_sky_stays_exactly_still() {
    let (img, truth) = landscape(W, H);
    let mut job = Job::new(&png_bytes(&img), &options(2.0, 3.0)).expect("valid");
    let frames = all_frames(&mut job);
    let base = luma(&frames[0]);
    let changed: Vec<bool> =
        (0..base.len()).map(|i| frames.iter().any(|f| (luma_at(f, i) - base[i]).abs() > 1.5 / 255.0)).collect();
    // Active pixels: grass with real local gradient.
    let w = W as usize;
    let active: Vec<usize> =
        (0..base.len()).filter(|&i| truth.grass[i] && i % w + 1 < w && (base[i + 1] - base[i]).abs() > 0.02).collect();
    assert!(active.len() > 1000, "{} active pixels", active.len());
    let moving = active.iter().filter(|&&i| changed[i]).count() as f64 / active.len() as f64;
    assert!(moving >= 0.9, "only {:.1}% of textured grass pixels move", moving * 100.0);
    // The top of the sky (well away from anything textured) never changes a bit.
    let still_sky: Vec<usize> = (0..base.len()).filter(|&i| truth.sky[i] && i / w < (H as usize) / 5).collect();
    for &i in &still_sky {
        assert!(frames.iter().all(|f| f[i * 4..i * 4 + 4] == frames[0][i * 4..i * 4 + 4]), "sky pixel {i} moved");
    }
    let building_moved = (0..base.len()).filter(|&i| truth.building[i] && changed[i]).count();
    let building = truth.building.iter().filter(|&&b| b).count();
    assert!(building_moved * 100 <= building, "{building_moved} of {building} building pixels changed");
}

fn luma_at(frame: &[u8], i: usize) -> f64 {
    let p = &frame[i * 4..i * 4 + 4];
    (0.2126 * f64::from(p[0]) + 0.7152 * f64::from(p[1]) + 0.0722 * f64::from(p[2])) / 255.0
}

#[test]
fn a_constant_image_never_changes() {
    let flat = quantonium_video::image::Rgba8Image::from_raw(W, H, [70u8, 90, 110, 255].repeat((W * H) as usize))
        .expect("size");
    let mut job = Job::new(&png_bytes(&flat), &options(1.0, 0.0)).expect("valid");
    for frame in all_frames(&mut job) {
        assert_eq!(frame, flat.data());
    }
}

#[test]
fn amplitude_fold_over_and_the_temporal_spectrum_follow_the_design() {
    let job = Job::new(&landscape_png(), &options(4.0, 4.0)).expect("valid");
    let field = job.renderer().field().expect("resonance has a field");
    let amplitude = job.plan().amplitude;
    let n = job.plan().frames as usize;
    let fields: Vec<_> = (0..n as u32).map(|f| field.frame(f)).collect();
    let peak = fields.iter().map(|f| f64::from(f.max_magnitude())).fold(0.0, f64::max);
    assert!(peak >= 0.9 * amplitude && peak <= amplitude * 1.001, "max |D| {peak} for A = {amplitude}");
    let jacobian = fields.iter().map(|f| f.min_jacobian()).fold(f32::INFINITY, f32::min);
    assert!(jacobian >= 0.5, "min det(I - ∇D) = {jacobian}");

    // Temporal DFT of D at every node: all energy sits at the modes' whole cycles, falling as 1/f².
    let cycles = field.cycles();
    let nodes = fields[0].dx.len();
    let mut power = vec![0f64; n / 2 + 1];
    for p in 0..nodes {
        for (bin, acc) in power.iter_mut().enumerate() {
            let (mut re, mut im) = (0.0, 0.0);
            for (t, f) in fields.iter().enumerate() {
                let a = std::f64::consts::TAU * (bin * t) as f64 / n as f64;
                re += f64::from(f.dx[p]) * a.cos();
                im -= f64::from(f.dx[p]) * a.sin();
            }
            *acc += re * re + im * im;
        }
    }
    let total: f64 = power.iter().sum();
    let outside: f64 = power.iter().enumerate().filter(|(b, _)| !cycles.contains(&(*b as u32))).map(|(_, p)| p).sum();
    assert!(outside / total < 1e-6, "energy off the mode frequencies: {}", outside / total);
    let points: Vec<(f64, f64)> = cycles.iter().map(|&m| ((m as f64).ln(), power[m as usize].ln())).collect();
    let (mx, my) = points.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
    let (mx, my) = (mx / points.len() as f64, my / points.len() as f64);
    let slope = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>()
        / points.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>();
    assert!((slope + 2.0).abs() <= 0.3, "temporal power slope {slope}, want -2 ± 0.3");
}

#[test]
fn frames_are_identical_across_runs_and_thread_counts_and_the_seed_matters() {
    let png = landscape_png();
    let render = |seed: f64| all_frames(&mut Job::new(&png, &options(1.0, seed)).expect("valid"));
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().expect("pool");
    let a = testing::frames_sha256(&one.install(|| render(5.0)));
    let b = testing::frames_sha256(&three.install(|| render(5.0)));
    assert_eq!(a, b);
    assert_ne!(a, testing::frames_sha256(&render(6.0)));
}

#[test]
fn golden_resonance_frames_are_stable() {
    assert_eq!(testing::frames_sha256(&testing::golden_resonance_frames()), testing::GOLDEN_RESONANCE_SHA256);
}

#[test]
fn frozen_pixels_never_change_and_the_rest_still_moves() {
    let (img, truth) = landscape(W, H);
    // Freeze the left half of the picture (black), leave the right half free (white).
    let mask_data: Vec<u8> =
        (0..W * H).flat_map(|i| if i % W < W / 2 { [0u8, 0, 0, 255] } else { [255u8, 255, 255, 255] }).collect();
    let mask = quantonium_video::image::Rgba8Image::from_raw(W, H, mask_data).expect("size");
    let mut job = Job::with_freeze_mask(&png_bytes(&img), &options(1.0, 8.0), Some(&png_bytes(&mask))).expect("valid");
    let frames = all_frames(&mut job);
    let w = W as usize;
    let mut moved_right = 0;
    for i in 0..w * H as usize {
        let changed = frames.iter().any(|f| f[i * 4..i * 4 + 4] != frames[0][i * 4..i * 4 + 4]);
        if i % w < w / 2 {
            assert!(!changed, "frozen pixel ({}, {}) changed", i % w, i / w);
        } else if truth.grass[i] && changed {
            moved_right += 1;
        }
    }
    assert!(moved_right > 2000, "the free half still moves ({moved_right} grass pixels)");
    // A mask that is not an image is an option error naming the field.
    let err = Job::with_freeze_mask(&png_bytes(&img), &options(1.0, 8.0), Some(b"nope")).map(|_| ()).unwrap_err();
    assert_eq!(err.code, quantonium_video::ErrorCode::InvalidOption);
    assert!(err.message.contains("freezeMask"), "{}", err.message);
}
