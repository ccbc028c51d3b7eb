//! Native end-to-end tests of the core with the camera motion: bytes in, frames and files out, as a
//! user would check them.

use quantonium_video::motion::MotionMode;
use quantonium_video::options::{Format, RenderOptions, Resolution};
use quantonium_video::testing::{self, gradient, png_bytes, zone_plate};
use quantonium_video::{ErrorCode, Job};

/// Options for a one-way camera move (the motion these tests check).
fn opts(w: u32, h: u32, duration: f64, fps: f64) -> RenderOptions {
    RenderOptions {
        resolution: Some(Resolution { width: w, height: h }),
        duration: Some(duration),
        fps: Some(fps),
        motion: Some(MotionMode::Camera),
        looped: Some(false),
        ..Default::default()
    }
}

#[test]
fn golden_camera_frames_are_stable() {
    let frames = testing::golden_camera_frames();
    assert_eq!(frames.len(), 6);
    assert_eq!(testing::frames_sha256(&frames), testing::GOLDEN_CAMERA_SHA256);
}

#[test]
fn golden_camera_video_frames_are_stable() {
    let frames = testing::golden_camera_video_frames();
    assert_eq!(frames.len(), 6);
    assert!(frames.iter().all(|f| f.len() == 48 * 32 * 3 / 2));
    assert_eq!(testing::frames_sha256(&frames), testing::GOLDEN_CAMERA_I420_SHA256);
}

/// Checks that `yuv` is the `w x h` RGBA frame `rgba` in I420: luma per pixel within 2 levels
/// (0.6 on average); chroma per 2x2 block against the block's mean colour. Chroma is not equal up
/// to rounding: the planes average 2x2 blocks of the source, then filter at half size; the RGBA
/// frame was filtered at full size, then averaged. Both are low-pass; they differ at sharp colour
/// edges (≈ 5 levels at the building's edge here) and by under half a level on average.
fn assert_is_i420_of(rgba: &[u8], yuv: &[u8], w: usize, h: usize, what: &str) {
    assert_is_i420_within(rgba, yuv, w, h, 2.0, what);
}

/// [`assert_is_i420_of`] with luma within `luma_worst` levels per pixel.
fn assert_is_i420_within(rgba: &[u8], yuv: &[u8], w: usize, h: usize, luma_worst: f64, what: &str) {
    let e = testing::i420_error(rgba, yuv, w, h);
    assert!(
        e.luma_worst <= luma_worst && e.luma_mean <= 0.6,
        "{what}: luma off by {} (mean {})",
        e.luma_worst,
        e.luma_mean
    );
    let (worst, mean) = (e.chroma_worst, e.chroma_mean);
    assert!(worst <= 8.0 && mean <= 0.75, "{what}: chroma off by {worst} (mean {mean})");
}

#[test]
fn camera_video_frames_are_its_rgba_frames_in_i420() {
    use quantonium_video::render::VideoLayout;
    let (w, h) = (200usize, 150usize);
    let src = testing::landscape(640, 400).0;
    let mut job = Job::new(&png_bytes(&src), &opts(w as u32, h as u32, 1.0, 8.0)).expect("valid");
    assert_eq!(job.video_layout(), VideoLayout::I420);
    for i in [0, 3, 7] {
        let rgba = job.render_frame(i).expect("frame").to_vec();
        let yuv = job.render_video_frame(i).expect("frame").to_vec();
        assert_is_i420_of(&rgba, &yuv, w, h, &format!("frame {i}"));
    }
}

#[test]
fn resonance_video_frames_are_its_rgba_frames_in_i420_and_still_where_they_are_still() {
    use quantonium_video::render::yuv::I420;
    use quantonium_video::render::VideoLayout;
    let (w, h) = (200usize, 150usize);
    let src = testing::landscape(400, 300).0;
    for motion in [MotionMode::Resonance, MotionMode::ResonanceCamera] {
        let options = RenderOptions { motion: Some(motion), looped: Some(true), ..opts(w as u32, h as u32, 1.0, 8.0) };
        let mut job = Job::new(&png_bytes(&src), &options).expect("valid");
        assert_eq!(job.video_layout(), VideoLayout::I420);
        // Frame 0 is the fitted image, still: its I420 is exactly the conversion of the RGBA frame,
        // and the loop's frame N is frame 0 again, bit for bit.
        let first = I420::from_rgba(&image(job.render_frame(0).expect("frame"), w, h));
        let first = [first.y.data, first.cb.data, first.cr.data].concat();
        assert_eq!(job.render_video_frame(0).expect("frame"), &first[..], "{motion:?} frame 0");
        assert_eq!(job.render_video_frame(8).expect("frame"), &first[..], "{motion:?} frame N");
        for i in [2, 5] {
            let rgba = job.render_frame(i).expect("frame").to_vec();
            assert_ne!(rgba, job.render_frame(0).expect("frame"), "{motion:?} frame {i} moves");
            let yuv = job.render_video_frame(i).expect("frame").to_vec();
            assert_is_i420_of(&rgba, &yuv, w, h, &format!("{motion:?} frame {i}"));
        }
    }
}

fn image(rgba: &[u8], w: usize, h: usize) -> quantonium_video::image::Rgba8Image {
    quantonium_video::image::Rgba8Image::from_raw(w as u32, h as u32, rgba.to_vec()).expect("size")
}

#[test]
fn flow_video_frames_are_its_rgba_frames_in_i420_and_the_loop_closes() {
    use quantonium_video::render::VideoLayout;
    let (w, h) = (200usize, 150usize);
    let src = testing::landscape(400, 300).0;
    let options =
        RenderOptions { motion: Some(MotionMode::Flow), looped: Some(true), ..opts(w as u32, h as u32, 1.0, 8.0) };
    let mut job = Job::new(&png_bytes(&src), &options).expect("valid");
    assert_eq!(job.video_layout(), VideoLayout::I420);
    // Flow's frame 0 is already mid-flow; the loop's frame N is frame 0 again, bit for bit.
    let first = job.render_video_frame(0).expect("frame").to_vec();
    assert_eq!(job.render_video_frame(8).expect("frame"), &first[..], "frame N");
    for i in [0, 3, 6] {
        let rgba = job.render_frame(i).expect("frame").to_vec();
        let yuv = job.render_video_frame(i).expect("frame").to_vec();
        // The blend's contrast gains (up to √2 where both copies show) scale the two paths'
        // rounding differences as well.
        assert_is_i420_within(&rgba, &yuv, w, h, 2.5, &format!("flow frame {i}"));
    }
    assert_ne!(job.render_video_frame(3).expect("frame"), &first[..], "flow moves");
}

#[test]
fn shimmer_hands_the_encoder_rgba() {
    use quantonium_video::render::VideoLayout;
    let options = RenderOptions { motion: Some(MotionMode::Shimmer), ..opts(64, 48, 0.5, 8.0) };
    let mut job = Job::new(&png_bytes(&testing::landscape(128, 96).0), &options).expect("valid");
    assert_eq!(job.video_layout(), VideoLayout::Rgba);
    let video = job.render_video_frame(2).expect("frame").to_vec();
    assert_eq!(video, job.render_frame(2).expect("frame"));
}

#[test]
fn same_inputs_give_identical_frames_for_any_thread_count() {
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().expect("pool");
    assert_eq!(one.install(testing::golden_camera_frames), three.install(testing::golden_camera_frames));
}

#[test]
fn frame_zero_is_the_cover_fitted_input() {
    // A 2:1 source into a square frame: cover keeps the full height and crops the sides evenly,
    // so at scale 1 frame 0 is exactly the centre square of the source.
    let src = gradient(128, 64);
    let mut job = Job::new(&png_bytes(&src), &opts(64, 64, 1.0, 4.0)).expect("valid");
    let frame0 = job.render_frame(0).expect("frame").to_vec();
    for y in 0..64u32 {
        for x in 0..64u32 {
            let got = &frame0[((y * 64 + x) * 4) as usize..][..4];
            assert_eq!(got, src.pixel(x + 32, y), "pixel ({x}, {y})");
        }
    }
}

#[test]
fn frames_move_smoothly_and_the_last_is_zoomed_in() {
    let render_all = |src: &[u8]| {
        let mut job = Job::new(src, &opts(128, 128, 2.0, 12.0)).expect("valid");
        assert_eq!(job.plan().frames, 24);
        (0..24).map(|i| job.render_frame(i).expect("frame").to_vec()).collect::<Vec<_>>()
    };
    // A textured source shows even the smallest sub-pixel step of the camera.
    let frames = render_all(&png_bytes(&zone_plate(512)));
    let diff =
        |a: &[u8], b: &[u8]| a.iter().zip(b).map(|(x, y)| f64::from(x.abs_diff(*y))).sum::<f64>() / a.len() as f64;
    let steps: Vec<f64> = frames.windows(2).map(|w| diff(&w[0], &w[1])).collect();
    assert!(steps.iter().all(|&s| s > 0.0), "every frame moves: {steps:?}");
    // Eased: the middle of the move is faster than its ends.
    assert!(steps[11] > 2.0 * steps[0] && steps[11] > 2.0 * steps[22], "{steps:?}");
    // The gradient's red channel spans the visible width: the last frame shows 1/1.12 of it.
    let frames = render_all(&png_bytes(&gradient(512, 512)));
    let red_span = |f: &[u8]| f64::from(f[(64 * 128 + 127) * 4]) - f64::from(f[64 * 128 * 4]);
    let ratio = red_span(&frames[23]) / red_span(&frames[0]);
    assert!((ratio - 1.0 / 1.12).abs() < 0.02, "zoom ratio {ratio}");
}

#[test]
fn avi_file_has_one_decodable_jpeg_per_frame() {
    let src = gradient(200, 120);
    let mut options = opts(64, 48, 1.0, 5.0);
    options.format = Some(Format::Avi);
    let mut job = Job::new(&png_bytes(&src), &options).expect("valid");
    let file = job.write_avi().expect("avi");
    assert_eq!(&file[..4], b"RIFF");
    assert_eq!(&file[8..12], b"AVI ");
    assert_eq!(u32::from_le_bytes(file[4..8].try_into().expect("4")) as usize, file.len() - 8);
    // Every 00dc chunk holds a JPEG that decodes to the output size.
    let mut pos = file.windows(4).position(|w| w == b"movi").expect("movi") + 4;
    let mut decoded = 0;
    while &file[pos..pos + 4] == b"00dc" {
        let len = u32::from_le_bytes(file[pos + 4..pos + 8].try_into().expect("4")) as usize;
        let img = quantonium_video::decode::decode(&file[pos + 8..pos + 8 + len]).expect("frame is a JPEG");
        assert_eq!((img.width(), img.height()), (64, 48));
        decoded += 1;
        pos += 8 + len + len % 2;
    }
    assert_eq!(decoded, 5);
    assert_eq!(&file[pos..pos + 4], b"idx1");
}

#[test]
fn options_are_checked_before_the_image_is_decoded() {
    let err = Job::new(b"not an image", &opts(64, 64, 99.0, 24.0)).map(|_| ()).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidOption);
    let err = Job::new(b"not an image", &opts(64, 64, 1.0, 24.0)).map(|_| ()).unwrap_err();
    assert_eq!(err.code, ErrorCode::UnsupportedFormat);
}

#[test]
fn ffprobe_reads_the_avi_frame_count_size_and_rate() {
    let mut options = opts(96, 64, 1.5, 10.0);
    options.format = Some(Format::Avi);
    let mut job = Job::new(&png_bytes(&gradient(300, 200)), &options).expect("valid");
    let path = std::env::temp_dir().join(format!("quantonium-test-{}.avi", std::process::id()));
    std::fs::write(&path, job.write_avi().expect("avi")).expect("temp file");
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=codec_name,width,height,nb_read_frames,r_frame_rate", "-of", "csv=p=0"])
        .arg(&path)
        .output()
        .expect("ffprobe must be installed (npm test installs it: scripts/setup.sh --test)");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "mjpeg,96,64,10/1,15");
}

#[test]
fn every_motion_renders_video_frames_in_its_plans_layout() {
    use quantonium_video::render::VideoLayout;
    let src = png_bytes(&testing::landscape(160, 120).0);
    for motion in MotionMode::ALL {
        let options = RenderOptions { motion: Some(motion), ..opts(64, 48, 0.5, 8.0) };
        let mut job = Job::new(&src, &options).expect("valid");
        let layout = job.plan().video_layout();
        let rgba = motion == MotionMode::Shimmer;
        assert_eq!(layout, if rgba { VideoLayout::Rgba } else { VideoLayout::I420 });
        assert_eq!(job.video_layout(), layout);
        let want = match layout {
            VideoLayout::I420 => 64 * 48 * 3 / 2,
            VideoLayout::Rgba => 64 * 48 * 4,
        };
        assert_eq!(job.render_video_frame(1).expect("frame").len(), want, "{motion:?}");
    }
}

#[test]
fn a_preview_is_the_frame_just_rendered_at_the_previews_size() {
    let (w, h) = (200usize, 150usize);
    let src = testing::landscape(640, 400).0;
    let mut job = Job::new(&png_bytes(&src), &opts(w as u32, h as u32, 1.0, 8.0)).expect("valid");
    let err = job.preview(50, 38).expect_err("nothing rendered yet");
    assert_eq!(err.code, ErrorCode::InvalidOption);
    // The preview of an I420 video frame against its RGBA frame, each 4x4 block averaged.
    let rgba = job.render_frame(5).expect("frame").to_vec();
    job.render_video_frame(5).expect("frame");
    let preview = job.preview(50, 37).expect("preview").to_vec();
    assert_eq!(preview.len(), 50 * 37 * 4);
    let mut worst = 0.0f64;
    let mut total = 0.0;
    for (py, row) in preview.chunks_exact(50 * 4).enumerate() {
        for (px, got) in row.chunks_exact(4).enumerate() {
            let (x0, x1) = (px * w / 50, (px + 1) * w / 50);
            let (y0, y1) = (py * h / 37, (py + 1) * h / 37);
            for c in 0..3 {
                let mut sum = 0.0;
                for y in y0..y1 {
                    for x in x0..x1 {
                        sum += f64::from(rgba[(y * w + x) * 4 + c]);
                    }
                }
                let d = (sum / ((y1 - y0) * (x1 - x0)) as f64 - f64::from(got[c])).abs();
                worst = worst.max(d);
                total += d;
            }
        }
    }
    let mean = total / (50.0 * 37.0 * 3.0);
    assert!(worst <= 8.0 && mean <= 1.0, "preview off by {worst} (mean {mean})");
    // A preview at the frame's size of an RGBA frame is that frame.
    job.render_frame(6).expect("frame");
    let full = job.preview(w as u32, h as u32).expect("preview").to_vec();
    assert_eq!(full, job.render_frame(6).expect("frame"));
}
