//! Animated GIF out: ffprobe reads its frames, size and duration; it loops forever; a still region
//! keeps its palette indices in every frame; frame 0 is the input within the palette's error;
//! absurd sizes are refused.

use quantonium_video::motion::MotionMode;
use quantonium_video::options::{Format, RenderOptions, Resolution};
use quantonium_video::raster::fit;
use quantonium_video::testing::{landscape, png_bytes};
use quantonium_video::{ErrorCode, Job};

const W: u32 = 256;
const H: u32 = 192;

fn options() -> RenderOptions {
    RenderOptions {
        format: Some(Format::Gif),
        resolution: Some(Resolution { width: W, height: H }),
        duration: Some(2.0),
        fps: Some(12.0),
        seed: Some(3.0),
        motion: Some(MotionMode::Resonance),
        ..Default::default()
    }
}

/// Every frame of a GIF as palette indices on the full canvas (partial frames drawn over the
/// previous canvas, transparent pixels kept), with the global palette.
fn decode(bytes: &[u8]) -> (Vec<Vec<u8>>, Vec<u8>, Vec<u16>) {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options.read_info(bytes).expect("a GIF");
    let palette = decoder.global_palette().expect("a global palette").to_vec();
    let (w, h) = (usize::from(decoder.width()), usize::from(decoder.height()));
    let mut canvas = vec![0u8; w * h];
    let (mut frames, mut delays) = (Vec::new(), Vec::new());
    while let Some(frame) = decoder.read_next_frame().expect("a frame") {
        for y in 0..usize::from(frame.height) {
            for x in 0..usize::from(frame.width) {
                let index = frame.buffer[y * usize::from(frame.width) + x];
                if Some(index) != frame.transparent {
                    canvas[(y + usize::from(frame.top)) * w + x + usize::from(frame.left)] = index;
                }
            }
        }
        frames.push(canvas.clone());
        delays.push(frame.delay);
    }
    (frames, palette, delays)
}

#[test]
fn ffprobe_reads_the_gif_and_it_loops_for_ever() {
    let mut job = Job::new(&png_bytes(&landscape(W, H).0), &options()).expect("valid");
    let bytes = job.write_gif().expect("gif");
    assert!(bytes.windows(11).any(|w| w == b"NETSCAPE2.0"), "the loop extension");
    let path = std::env::temp_dir().join(format!("quantonium-test-{}.gif", std::process::id()));
    std::fs::write(&path, &bytes).expect("temp file");
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=codec_name,width,height,nb_read_frames:format=duration", "-of", "csv=p=0"])
        .arg(&path)
        .output()
        .expect("ffprobe must be installed (npm test installs it: scripts/setup.sh --test)");
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.first().copied(), Some("gif,256,192,24"), "ffprobe: {text}");
    let duration: f64 = lines.get(1).and_then(|d| d.trim().parse().ok()).expect("a duration");
    assert!((duration - 2.0).abs() < 0.011, "duration {duration}");
    let (_, _, delays) = decode(&bytes);
    assert_eq!(delays.iter().map(|&d| u32::from(d)).sum::<u32>(), 200, "delays add up to 2 s exactly");
}

#[test]
fn still_pixels_keep_their_index_and_frame_zero_is_the_input_within_the_palette() {
    let (img, truth) = landscape(W, H);
    let mut job = Job::new(&png_bytes(&img), &options()).expect("valid");
    let (frames, palette, _) = decode(&job.write_gif().expect("gif"));
    assert_eq!(frames.len(), 24);
    // Resonance keeps the sky exactly still: its indices never change.
    let sky: Vec<usize> = (0..truth.sky.len()).filter(|&i| truth.sky[i]).collect();
    for (k, frame) in frames.iter().enumerate() {
        assert!(sky.iter().all(|&i| frame[i] == frames[0][i]), "frame {k}: a still sky pixel changed its index");
    }
    // And the grass moves.
    let grass_changed = (0..truth.grass.len()).filter(|&i| truth.grass[i] && frames[12][i] != frames[0][i]).count();
    assert!(grass_changed > 1000, "{grass_changed} grass pixels changed");
    // Frame 0 against the input: PSNR of the palette with its dither.
    let fitted = fit(&img, W, H);
    let palette = &palette;
    let mse: f64 = frames[0]
        .iter()
        .zip(fitted.data().chunks_exact(4))
        .flat_map(|(&i, p)| (0..3).map(move |c| (f64::from(palette[usize::from(i) * 3 + c]) - f64::from(p[c])).powi(2)))
        .sum::<f64>()
        / (frames[0].len() * 3) as f64;
    let psnr = 10.0 * (255.0f64 * 255.0 / mse).log10();
    eprintln!("frame 0 is {psnr:.1} dB from the input");
    assert!(psnr >= 42.0, "frame 0 is {psnr:.1} dB from the input");
}

#[test]
fn a_gif_larger_than_its_cap_is_refused_and_the_default_is_small() {
    let big = RenderOptions { resolution: Some(Resolution { width: 1280, height: 720 }), ..options() };
    let err = Job::new(&png_bytes(&landscape(W, H).0), &big).map(|_| ()).expect_err("refused");
    assert_eq!(err.code, ErrorCode::InvalidOption);
    assert!(err.message.contains("1024 px"), "{}", err.message);
    let default = RenderOptions { resolution: None, ..options() };
    assert_eq!(default.validate().expect("valid").width, 480);
}
