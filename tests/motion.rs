//! The local motions (resonance, flow, shimmer) against the quality measures of the research notes
//! (§5): exact loop, still frame 0, no flicker, motion where the image is textured and none where it
//! is flat or frozen, determinism; and per motion: amplitude, fold-over and the 1/f temporal
//! spectrum (resonance), contrast through the crossfade (flow), unmoved structure (shimmer).

use quantonium_video::decode::decode;
use quantonium_video::motion::MotionMode;
use quantonium_video::options::{RenderOptions, Resolution};
use quantonium_video::raster::fit;
use quantonium_video::testing::{self, landscape, png_bytes};
use quantonium_video::Job;

const W: u32 = 256;
const H: u32 = 192;

/// Every motion that moves parts of the image (the camera is tested in tests/render.rs).
const LOCAL: [MotionMode; 3] = [MotionMode::Resonance, MotionMode::Flow, MotionMode::Shimmer];

fn options(seconds: f64, seed: f64) -> RenderOptions {
    motion_options(MotionMode::Resonance, seconds, seed)
}

fn motion_options(motion: MotionMode, seconds: f64, seed: f64) -> RenderOptions {
    RenderOptions {
        resolution: Some(Resolution { width: W, height: H }),
        duration: Some(seconds),
        fps: Some(24.0),
        seed: Some(seed),
        motion: Some(motion),
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
    let (img, truth) = landscape(W, H);
    let png = png_bytes(&img);
    let fitted = fit(&decode(&png).expect("png"), W, H);
    for motion in LOCAL {
        let mut job = Job::new(&png, &motion_options(motion, 2.0, 1.0)).expect("valid");
        let first = job.render_frame(0).expect("frame 0").to_vec();
        if motion == MotionMode::Flow {
            // Flow has a per-place phase: frame 0 shows the water mid-flow, the still parts as they are
            // (the top of the sky, well away from anything textured).
            let still = (0..truth.sky.len()).filter(|&i| truth.sky[i] && i / (W as usize) < (H as usize) / 5);
            assert!(still.into_iter().all(|i| first[i * 4..i * 4 + 4] == fitted.data()[i * 4..i * 4 + 4]));
        } else {
            assert_eq!(first, fitted.data(), "{motion:?}: frame 0 is the fitted input");
        }
        let frames = job.plan().frames;
        assert_ne!(job.render_frame(frames / 3).expect("frame").to_vec(), first, "{motion:?} moves");
        let wrapped = job.render_frame(frames).expect("frame N").to_vec();
        assert_eq!(wrapped, first, "{motion:?}: frame N is bit-identical to frame 0");
    }
}

#[test]
fn the_seam_looks_like_any_other_step_and_nothing_flickers() {
    for motion in LOCAL {
        seam_and_flicker(motion);
    }
}

fn seam_and_flicker(motion: MotionMode) {
    let mut job = Job::new(&landscape_png(), &motion_options(motion, 2.0, 2.0)).expect("valid");
    let frames: Vec<Vec<f64>> = all_frames(&mut job).iter().map(|f| luma(f)).collect();
    let mut steps: Vec<f64> = frames.windows(2).map(|w| mean_abs_diff(&w[0], &w[1])).collect();
    let seam = mean_abs_diff(&frames[frames.len() - 1], &frames[0]);
    steps.sort_by(f64::total_cmp);
    let median = steps[steps.len() / 2];
    let ratio = seam / median;
    assert!((0.3..=1.5).contains(&ratio), "{motion:?}: seam step {seam} vs median {median}: ratio {ratio}");
    let means: Vec<f64> = frames.iter().map(|f| f.iter().sum::<f64>() / f.len() as f64).collect();
    let avg = means.iter().sum::<f64>() / means.len() as f64;
    let flicker = (means.iter().map(|m| (m - avg) * (m - avg)).sum::<f64>() / means.len() as f64).sqrt();
    assert!(flicker <= 0.5 / 255.0, "{motion:?}: global flicker {} / 255", flicker * 255.0);
}

#[test]
fn grass_moves_while_sky_stays_exactly_still() {
    for motion in LOCAL {
        grass_moves_sky_stays(motion);
    }
}

fn grass_moves_sky_stays(motion: MotionMode) {
    let (img, truth) = landscape(W, H);
    let mut job = Job::new(&png_bytes(&img), &motion_options(motion, 2.0, 3.0)).expect("valid");
    let frames = all_frames(&mut job);
    let base = luma(fit(&img, W, H).data());
    let changed: Vec<bool> =
        (0..base.len()).map(|i| frames.iter().any(|f| (luma_at(f, i) - base[i]).abs() > 1.5 / 255.0)).collect();
    // Active pixels: grass with real local gradient.
    let w = W as usize;
    let active: Vec<usize> =
        (0..base.len()).filter(|&i| truth.grass[i] && i % w + 1 < w && (base[i + 1] - base[i]).abs() > 0.02).collect();
    assert!(active.len() > 1000, "{} active pixels", active.len());
    let moving = active.iter().filter(|&&i| changed[i]).count() as f64 / active.len() as f64;
    assert!(moving >= 0.9, "{motion:?}: only {:.1}% of textured grass pixels move", moving * 100.0);
    // The top of the sky (well away from anything textured) never changes a bit.
    let still_sky: Vec<usize> = (0..base.len()).filter(|&i| truth.sky[i] && i / w < (H as usize) / 5).collect();
    for &i in &still_sky {
        assert!(
            frames.iter().all(|f| f[i * 4..i * 4 + 4] == frames[0][i * 4..i * 4 + 4]),
            "{motion:?}: sky pixel {i} moved"
        );
    }
    let building_moved = (0..base.len()).filter(|&i| truth.building[i] && changed[i]).count();
    let building = truth.building.iter().filter(|&&b| b).count();
    assert!(building_moved * 100 <= building, "{motion:?}: {building_moved} of {building} building pixels changed");
}

fn luma_at(frame: &[u8], i: usize) -> f64 {
    let p = &frame[i * 4..i * 4 + 4];
    (0.2126 * f64::from(p[0]) + 0.7152 * f64::from(p[1]) + 0.0722 * f64::from(p[2])) / 255.0
}

#[test]
fn a_constant_image_never_changes() {
    let flat = quantonium_video::image::Rgba8Image::from_raw(W, H, [70u8, 90, 110, 255].repeat((W * H) as usize))
        .expect("size");
    for motion in LOCAL {
        let mut job = Job::new(&png_bytes(&flat), &motion_options(motion, 1.0, 0.0)).expect("valid");
        for frame in all_frames(&mut job) {
            assert_eq!(frame, flat.data(), "{motion:?}");
        }
        if job.video_layout() == quantonium_video::render::VideoLayout::I420 {
            let planes = quantonium_video::render::yuv::I420::from_rgba(&flat);
            let still = [planes.y.data, planes.cb.data, planes.cr.data].concat();
            for i in 0..job.plan().frames {
                assert_eq!(job.render_video_frame(i).expect("frame"), &still[..], "{motion:?} video frame {i}");
            }
        }
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
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().expect("pool");
    for motion in LOCAL {
        let render = |seed: f64| all_frames(&mut Job::new(&png, &motion_options(motion, 1.0, seed)).expect("valid"));
        let a = testing::frames_sha256(&one.install(|| render(5.0)));
        let b = testing::frames_sha256(&three.install(|| render(5.0)));
        assert_eq!(a, b, "{motion:?}");
        assert_ne!(a, testing::frames_sha256(&render(6.0)), "{motion:?}");
    }
}

#[test]
fn golden_structure_maps_are_stable() {
    assert_eq!(testing::frames_sha256(&[testing::golden_maps_bytes()]), testing::GOLDEN_MAPS_SHA256);
}

#[test]
fn golden_motion_frames_are_stable() {
    for (motion, hash) in testing::GOLDEN_MOTION_SHA256 {
        assert_eq!(testing::frames_sha256(&testing::golden_motion_frames(motion)), hash, "{motion:?}");
    }
}

#[test]
fn golden_motion_video_frames_are_stable() {
    for (motion, hash) in testing::GOLDEN_MOTION_I420_SHA256 {
        let frames = testing::golden_motion_video_frames(motion);
        assert_eq!(frames.len(), 8);
        assert!(frames.iter().all(|f| f.len() == 64 * 48 * 3 / 2));
        assert_eq!(testing::frames_sha256(&frames), hash, "{motion:?}");
    }
}

#[test]
fn frozen_pixels_never_change_and_the_rest_still_moves() {
    let (img, truth) = landscape(W, H);
    // Freeze the left half of the picture (black), leave the right half free (white).
    let mask_data: Vec<u8> =
        (0..W * H).flat_map(|i| if i % W < W / 2 { [0u8, 0, 0, 255] } else { [255u8, 255, 255, 255] }).collect();
    let mask = quantonium_video::image::Rgba8Image::from_raw(W, H, mask_data).expect("size");
    for motion in LOCAL {
        let options = motion_options(motion, 1.0, 8.0);
        let mut job = Job::with_freeze_mask(&png_bytes(&img), &options, Some(&png_bytes(&mask))).expect("valid");
        let frames = all_frames(&mut job);
        let w = W as usize;
        let mut moved_right = 0;
        for i in 0..w * H as usize {
            let changed = frames.iter().any(|f| f[i * 4..i * 4 + 4] != frames[0][i * 4..i * 4 + 4]);
            if i % w < w / 2 {
                assert!(!changed, "{motion:?}: frozen pixel ({}, {}) changed", i % w, i / w);
            } else if truth.grass[i] && changed {
                moved_right += 1;
            }
        }
        assert!(moved_right > 2000, "{motion:?}: the free half still moves ({moved_right} grass pixels)");
        if job.video_layout() == quantonium_video::render::VideoLayout::I420 {
            // What the encoder gets: the frozen half's luma, and the chroma of its 2x2 blocks, never
            // change either; the free half's luma still moves.
            let video: Vec<Vec<u8>> =
                (0..job.plan().frames).map(|i| job.render_video_frame(i).expect("frame").to_vec()).collect();
            let (h, cw) = (H as usize, w / 2);
            let changed = |i: usize| video.iter().any(|f| f[i] != video[0][i]);
            assert!((0..w * h).all(|i| i % w >= w / 2 || !changed(i)), "{motion:?}: frozen luma changed");
            let chroma = (0..2 * cw * (h / 2)).map(|i| w * h + i);
            assert!(
                chroma.filter(|i| (i - w * h) % cw < w / 4).all(|i| !changed(i)),
                "{motion:?}: frozen chroma changed"
            );
            let moved = (0..w * h).filter(|&i| i % w >= w / 2 && truth.grass[i] && changed(i)).count();
            assert!(moved > 2000, "{motion:?}: the free half's luma still moves ({moved} grass pixels)");
        }
    }
    // A mask that is not an image is an option error naming the field.
    let err = Job::with_freeze_mask(&png_bytes(&img), &options(1.0, 8.0), Some(b"nope")).map(|_| ()).unwrap_err();
    assert_eq!(err.code, quantonium_video::ErrorCode::InvalidOption);
    assert!(err.message.contains("freezeMask"), "{}", err.message);
}

/// The high-pass luma (luma minus its Gaussian blur at `sigma` px) of an RGBA frame.
fn detail(frame: &[u8], sigma: f32) -> Vec<f64> {
    use quantonium_video::raster::plane::FloatPlane;
    let l = FloatPlane { width: W as usize, height: H as usize, data: luma(frame).iter().map(|&v| v as f32).collect() };
    let low = l.blur(sigma);
    l.data.iter().zip(&low.data).map(|(a, b)| f64::from(a - b)).collect()
}

fn rms_over(values: &[f64], region: &[bool]) -> f64 {
    let (sum, n) = values.iter().zip(region).filter(|(_, &r)| r).fold((0.0, 0), |(s, n), (v, _)| (s + v * v, n + 1));
    (sum / f64::from(n)).sqrt()
}

#[test]
fn flow_keeps_its_contrast_over_the_loop_and_respects_amplitude_and_fold_over() {
    let (img, truth) = landscape(W, H);
    let mut job = Job::new(&png_bytes(&img), &motion_options(MotionMode::Flow, 3.0, 6.0)).expect("valid");
    let field = job.renderer().flow().expect("flow has a field").clone();
    let amplitude = job.plan().amplitude;
    // The copies travel 2·TRAVEL·A per cycle: max |V| = TRAVEL·A.
    let peak = f64::from(field.velocity().max_magnitude()) / quantonium_video::motion::flow::TRAVEL;
    assert!(peak >= 0.9 * amplitude && peak <= amplitude * 1.001, "max |V| / TRAVEL = {peak} for A = {amplitude}");
    let jacobian =
        (-4..=4).map(|q| field.velocity().scaled(q as f32 / 4.0).min_jacobian()).fold(f32::INFINITY, f32::min);
    assert!(jacobian >= 0.5, "min det(I - s∇V) = {jacobian}");
    // No contrast pulsing (§5, 3d): the high-pass contrast of the grass stays level over the loop.
    let contrast: Vec<f64> = (0..job.plan().frames)
        .map(|i| rms_over(&detail(job.render_frame(i).expect("frame"), 3.0), &truth.grass))
        .collect();
    let (lo, hi) = contrast.iter().fold((f64::MAX, 0f64), |(lo, hi), &c| (lo.min(c), hi.max(c)));
    assert!(lo / hi >= 0.9, "grass contrast pulses: min/max {:.3}", lo / hi);
    let input = rms_over(&detail(fit(&img, W, H).data(), 3.0), &truth.grass);
    assert!((0.85..=1.1).contains(&(hi / input)), "grass contrast {:.3} of the input's", hi / input);
}

#[test]
fn shimmer_moves_fine_detail_but_never_the_picture_structure() {
    let (img, truth) = landscape(W, H);
    let mut job = Job::new(&png_bytes(&img), &motion_options(MotionMode::Shimmer, 2.0, 7.0)).expect("valid");
    let wavelength = job.renderer().shimmer().expect("shimmer bands").wavelength();
    let smooth = |frame: &[u8]| {
        let d = detail(frame, wavelength as f32);
        luma(frame).iter().zip(&d).map(|(l, d)| l - d).collect::<Vec<f64>>()
    };
    let frames = all_frames(&mut job);
    let (base_luma, base_smooth) = (luma(&frames[0]), smooth(&frames[0]));
    let grass: Vec<usize> = (0..truth.grass.len()).filter(|&i| truth.grass[i]).collect();
    let mean_over = |a: &[f64], b: &[f64]| grass.iter().map(|&i| (a[i] - b[i]).abs()).sum::<f64>() / grass.len() as f64;
    let mut largest_change = 0f64;
    for frame in &frames[1..] {
        // Coarse structure (beyond a band wavelength) stays within half a level...
        let drift = mean_over(&smooth(frame), &base_smooth);
        assert!(drift * 255.0 <= 0.5, "coarse structure changed by {:.2} levels", drift * 255.0);
        largest_change = largest_change.max(mean_over(&luma(frame), &base_luma));
    }
    // ...while the fine detail visibly changes.
    assert!(largest_change * 255.0 >= 2.0, "the grass changed by only {:.2} levels", largest_change * 255.0);
}

/// The page's analysis cache: a job given an earlier job's analysis skips the analysis and renders
/// exactly the same frames; bytes that do not fit (damaged, other options) are ignored.
#[test]
fn a_cached_analysis_gives_the_same_frames_and_damaged_bytes_are_ignored() {
    let png = landscape_png();
    for motion in LOCAL {
        let o = motion_options(motion, 0.25, 3.0);
        let mut fresh = Job::new(&png, &o).expect("job");
        assert!(!fresh.analysis_from_cache());
        let bytes = fresh.analysis_bytes().expect("a fresh analysis can be cached");
        let mut cached = Job::build(&png, &o, None, Some(&bytes)).expect("job");
        assert!(cached.analysis_from_cache(), "{motion:?}");
        assert!(cached.analysis_bytes().is_none(), "nothing new to cache");
        assert_eq!(all_frames(&mut cached), all_frames(&mut fresh), "{motion:?}");
        let other_precision = RenderOptions { quantum_precision: Some(128.0), ..o.clone() };
        assert!(!Job::build(&png, &other_precision, None, Some(&bytes)).expect("job").analysis_from_cache());
        assert!(!Job::build(&png, &o, None, Some(&bytes[..bytes.len() - 4])).expect("job").analysis_from_cache());
    }
}
