//! The sky motion on a generated scene whose sky is known pixel for pixel: clouds drift, the
//! horizon and everything below or against the sky never change, the loop closes, the clouds keep
//! their contrast, and anchors hold.

use quantonium_video::motion::MotionMode;
use quantonium_video::options::{RenderOptions, Resolution};
use quantonium_video::raster::fit;
use quantonium_video::testing::{png_bytes, sky_scene, SkyTruth};
use quantonium_video::Job;

const W: u32 = 512;
const H: u32 = 384;

fn options(seed: f64) -> RenderOptions {
    RenderOptions {
        resolution: Some(Resolution { width: W, height: H }),
        duration: Some(4.0),
        fps: Some(24.0),
        seed: Some(seed),
        motion: Some(MotionMode::Sky),
        ..Default::default()
    }
}

fn luma_at(frame: &[u8], i: usize) -> f64 {
    let p = &frame[i * 4..i * 4 + 3];
    0.2126 * f64::from(p[0]) + 0.7152 * f64::from(p[1]) + 0.0722 * f64::from(p[2])
}

fn scene(seed: u64) -> (Vec<u8>, quantonium_video::image::Rgba8Image, SkyTruth) {
    let (img, truth) = sky_scene(W, H, seed);
    (png_bytes(&img), img, truth)
}

#[test]
fn clouds_drift_while_the_ground_and_what_stands_against_the_sky_never_change() {
    for seed in [1u64, 2] {
        let (png, img, truth) = scene(seed);
        let fitted = fit(&img, W, H);
        let mut job = Job::new(&png, &options(seed as f64)).expect("valid");
        let frames = job.plan().frames;
        assert!(job.renderer().flow().is_some_and(|f| !f.is_still()), "seed {seed}: the sky moves");
        let first = job.render_frame(0).expect("frame 0").to_vec();
        let half = job.render_frame(frames / 2).expect("frame N/2").to_vec();
        let sky: Vec<usize> = (0..truth.sky.len()).filter(|&i| truth.sky[i]).collect();
        let moved = sky.iter().filter(|&&i| (luma_at(&first, i) - luma_at(&half, i)).abs() >= 3.0).count();
        let share = moved as f64 / sky.len() as f64;
        assert!(share >= 0.6, "seed {seed}: {:.1} % of the sky changed by 3 levels or more", 100.0 * share);
        // Every column's sky drifts: a column taken for ground would stand still as a bar.
        let w = W as usize;
        let still_columns: Vec<usize> = (0..w)
            .filter(|&x| x + 8 < truth.pole.start || x >= truth.pole.end + 8)
            .filter(|&x| {
                let rows = 4..truth.border[x].saturating_sub(24);
                let change: f64 =
                    rows.clone().map(|y| (luma_at(&first, y * w + x) - luma_at(&half, y * w + x)).abs()).sum();
                change / (rows.len().max(1) as f64) < 1.0
            })
            .collect();
        assert!(still_columns.is_empty(), "seed {seed}: the sky stands still in columns {still_columns:?}");
        for index in (0..frames).step_by(6) {
            let frame = job.render_frame(index).expect("frame").to_vec();
            let torn = (0..truth.sky.len())
                .filter(|&i| !truth.sky[i] && frame[i * 4..i * 4 + 4] != fitted.data()[i * 4..i * 4 + 4])
                .count();
            assert_eq!(torn, 0, "seed {seed}, frame {index}: ground, trees or pole changed");
        }
        let wrapped = job.render_frame(frames).expect("frame N").to_vec();
        assert_eq!(wrapped, first, "seed {seed}: frame N is frame 0");
    }
}

#[test]
fn what_the_encoder_gets_keeps_the_ground_exact_too() {
    let (png, img, truth) = scene(3);
    let fitted = fit(&img, W, H);
    let mut job = Job::new(&png, &options(3.0)).expect("valid");
    let still = quantonium_video::render::yuv::I420::from_rgba(&fitted);
    let w = W as usize;
    for index in [0, 17, 48, 80] {
        let frame = job.render_video_frame(index).expect("frame").to_vec();
        let luma_torn = (0..truth.sky.len()).filter(|&i| !truth.sky[i] && frame[i] != still.y.data[i]).count();
        assert_eq!(luma_torn, 0, "frame {index}: ground luma changed");
        // A chroma sample whose 2x2 block is all ground.
        let cw = w / 2;
        let chroma_torn = (0..cw * (H as usize / 2))
            .filter(|&c| {
                let (x, y) = (2 * (c % cw), 2 * (c / cw));
                [(x, y), (x + 1, y), (x, y + 1), (x + 1, y + 1)].iter().all(|&(a, b)| !truth.sky[b * w + a])
            })
            .filter(|&c| frame[w * H as usize + c] != still.cb.data[c])
            .count();
        assert_eq!(chroma_torn, 0, "frame {index}: ground chroma changed");
    }
}

#[test]
fn clouds_keep_their_contrast_through_the_crossfade() {
    use quantonium_video::raster::plane::FloatPlane;
    let (png, img, truth) = scene(4);
    let mut job = Job::new(&png, &options(4.0)).expect("valid");
    // The sky well clear of the horizon, where the drift runs at full speed.
    let top: Vec<bool> = (0..truth.sky.len()).map(|i| truth.sky[i] && i / (W as usize) < (H as usize) / 4).collect();
    let detail = |frame: &[u8]| {
        let l = FloatPlane {
            width: W as usize,
            height: H as usize,
            data: (0..frame.len() / 4).map(|i| luma_at(frame, i) as f32).collect(),
        };
        let low = l.blur(4.0);
        let (sum, n) = l
            .data
            .iter()
            .zip(&low.data)
            .zip(&top)
            .filter(|(_, &t)| t)
            .fold((0.0, 0), |(s, n), ((a, b), _)| (s + f64::from(a - b).powi(2), n + 1));
        (sum / f64::from(n)).sqrt()
    };
    let input = detail(fit(&img, W, H).data());
    let frames = job.plan().frames;
    for index in (0..frames).step_by(4) {
        let c = detail(job.render_frame(index).expect("frame"));
        assert!((0.85..=1.15).contains(&(c / input)), "frame {index}: cloud contrast {:.3} of the input's", c / input);
    }
}

#[test]
fn anchored_sky_holds_still() {
    let (png, _, truth) = scene(5);
    // Anchor the left third (black), leave the rest free.
    let mask: Vec<u8> = (0..W * H).flat_map(|i| if i % W < W / 3 { [0u8, 0, 0, 255] } else { [255; 4] }).collect();
    let mask = quantonium_video::image::Rgba8Image::from_raw(W, H, mask).expect("size");
    let mut job = Job::with_freeze_mask(&png, &options(5.0), Some(&png_bytes(&mask))).expect("valid");
    let first = job.render_frame(0).expect("frame").to_vec();
    let half = job.render_frame(job.plan().frames / 2).expect("frame").to_vec();
    let w = W as usize;
    let changed = |i: usize| first[i * 4..i * 4 + 4] != half[i * 4..i * 4 + 4];
    assert!((0..w * H as usize).filter(|i| i % w < w / 3).all(|i| !changed(i)), "an anchored pixel changed");
    let free_sky_moved = (0..w * H as usize).filter(|&i| i % w > w / 2 && truth.sky[i] && changed(i)).count();
    assert!(free_sky_moved > 10_000, "the free sky still drifts ({free_sky_moved} pixels)");
}

#[test]
fn a_picture_without_sky_stays_still() {
    let texture = quantonium_video::testing::zone_plate(256);
    let options = RenderOptions { resolution: Some(Resolution { width: 256, height: 256 }), ..options(0.0) };
    let mut job = Job::new(&png_bytes(&texture), &options).expect("valid");
    assert!(job.renderer().flow().is_some_and(|f| f.is_still()));
    assert_eq!(job.renderer().amplitude_used(), Some(0.0));
    let first = job.render_frame(0).expect("frame").to_vec();
    assert_eq!(job.render_frame(30).expect("frame").to_vec(), first);
}

#[test]
fn flow_drifts_a_cloudy_sky_as_the_sky_motion_does() {
    let (png, _, truth) = scene(6);
    let options = RenderOptions { motion: Some(MotionMode::Flow), ..options(6.0) };
    let mut job = Job::new(&png, &options).expect("valid");
    let frames = job.plan().frames;
    // Flow's own copies repeat every half cycle; the sky's drift does not.
    let first = job.render_frame(0).expect("frame 0").to_vec();
    let half = job.render_frame(frames / 2).expect("frame N/2").to_vec();
    let sky: Vec<usize> = (0..truth.sky.len()).filter(|&i| truth.sky[i]).collect();
    let moved = sky.iter().filter(|&&i| (luma_at(&first, i) - luma_at(&half, i)).abs() >= 3.0).count();
    let share = moved as f64 / sky.len() as f64;
    assert!(share >= 0.6, "{:.1} % of the sky changed by 3 levels or more", 100.0 * share);
    // What the encoder gets drifts the same sky.
    let video_first = job.render_video_frame(0).expect("frame").to_vec();
    let video_half = job.render_video_frame(frames / 2).expect("frame").to_vec();
    let luma_moved = sky.iter().filter(|&&i| video_first[i].abs_diff(video_half[i]) >= 3).count();
    assert!(luma_moved as f64 >= 0.6 * sky.len() as f64, "{luma_moved} of {} sky luma samples moved", sky.len());
    assert_eq!(job.render_frame(frames).expect("frame N").to_vec(), first, "the loop closes");
}
