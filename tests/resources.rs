//! Resource control, measured: the memory a job really uses (every allocation counted by a
//! global allocator) against the estimate the job checks its budget with before decoding.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;

use quantonium_video::decode;
use quantonium_video::encode::jpeg::JpegFrameEncoder;
use quantonium_video::motion::MotionMode;
use quantonium_video::options::{Format, RenderOptions};
use quantonium_video::testing::{gradient, landscape, png_bytes};
use quantonium_video::Job;

/// Counts live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(live, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let live = LIVE.fetch_add(new_size - layout.size(), Relaxed) + new_size - layout.size();
                PEAK.fetch_max(live, Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Measurements share the counters: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Peak bytes allocated (above what was live before) while `f` runs.
fn peak_of<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let out = f();
    (PEAK.load(Relaxed) - base, out)
}

fn options(size: u32, motion: MotionMode, precision: f64) -> RenderOptions {
    RenderOptions {
        resolution: Some(format!("{size}x{size}").parse().expect("size")),
        motion: Some(motion),
        quantum_precision: Some(precision),
        resonance_depth: Some(32.0),
        format: Some(Format::Avi),
        duration: Some(1.0),
        fps: Some(2.0),
        ..Default::default()
    }
}

/// `options` for an MP4: frames as WebCodecs gets them (`render_video_frame`).
fn mp4(options: RenderOptions) -> RenderOptions {
    RenderOptions { format: Some(Format::Mp4), ..options }
}

/// Runs a job (set-up and two frames: AVI chunks, or video frames for WebCodecs) and returns its
/// estimate and measured peak, in MiB.
fn measure(bytes: &[u8], options: &RenderOptions) -> (f64, f64) {
    let (peak, estimate) = peak_of(|| {
        let mut job = Job::new(bytes, options).expect("valid job");
        if options.format == Some(Format::Avi) {
            job.avi_chunk(0).expect("frame");
            job.avi_chunk(1).expect("frame");
        } else {
            job.render_video_frame(0).expect("frame");
            job.render_video_frame(1).expect("frame");
        }
        job.memory_estimate().peak()
    });
    (estimate as f64 / 1048576.0, peak as f64 / 1048576.0)
}

#[test]
fn the_memory_estimate_bounds_the_measured_peak_without_overstating_it() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let photo = png_bytes(&landscape(2048, 1536).0);
    let jpeg = JpegFrameEncoder::new(90).encode(&gradient(4000, 3000)).expect("jpeg");
    let sky = png_bytes(&quantonium_video::testing::sky_scene(2048, 1536, 1).0);
    let cases = [
        ("png 2048x1536", &photo, options(1024, MotionMode::Camera, 512.0)),
        ("png 2048x1536 mp4", &photo, mp4(options(1024, MotionMode::Camera, 512.0))),
        ("png 2048x1536", &photo, options(1024, MotionMode::Resonance, 512.0)),
        ("png 2048x1536", &photo, options(1024, MotionMode::ResonanceCamera, 1024.0)),
        ("png 2048x1536", &photo, options(1024, MotionMode::Flow, 512.0)),
        ("png 2048x1536", &photo, options(1024, MotionMode::Shimmer, 512.0)),
        ("png 2048x1536", &photo, options(512, MotionMode::Shimmer, 512.0)),
        ("sky png 2048x1536", &sky, options(1024, MotionMode::Sky, 512.0)),
        ("sky png 2048x1536", &sky, options(1024, MotionMode::Flow, 512.0)),
        ("jpeg 4000x3000", &jpeg, options(1024, MotionMode::Camera, 512.0)),
        ("jpeg 4000x3000 mp4", &jpeg, mp4(options(1024, MotionMode::Camera, 512.0))),
        ("jpeg 4000x3000", &jpeg, options(512, MotionMode::Resonance, 512.0)),
    ];
    let mut report = Vec::new();
    let mut wrong = Vec::new();
    for (name, bytes, o) in &cases {
        let (estimate, peak) = measure(bytes, o);
        let size = o.resolution.map_or(0, |r| r.width);
        let motion = o.motion.map_or("?", MotionMode::as_str);
        let case = format!("{name} -> {size}x{size} {motion} precision {}", o.quantum_precision.unwrap_or(0.0));
        report.push(format!("{case}: estimate {estimate:.1} MiB, measured {peak:.1} MiB"));
        // An upper bound, but a useful one: at most 1.5x the truth (plus the fixed part).
        if !(estimate >= peak && estimate <= 1.5 * peak + 3.0) {
            wrong.push(report.last().cloned().unwrap_or_default());
        }
    }
    println!("{}", report.join("\n"));
    assert!(wrong.is_empty(), "estimates out of bounds:\n{}", wrong.join("\n"));
}

#[test]
fn a_large_photo_is_reduced_while_decoding_without_a_full_size_rgba_copy() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // 8000x6000, as a phone's 48-megapixel photo; a gradient encodes fast and decodes the same.
    let jpeg = JpegFrameEncoder::new(85).encode(&gradient(8000, 6000)).expect("jpeg");
    let (peak, image) = peak_of(|| {
        let opened = decode::open(&jpeg, usize::MAX).expect("header");
        let reduction = decode::reduction_for((opened.width(), opened.height()), (1024, 1024));
        assert_eq!(reduction, 2, "5.9x the output on the short side: reduced by 2");
        opened.decode(reduction).expect("decodes")
    });
    assert_eq!((image.width(), image.height()), (4000, 3000));
    let native = 8000.0 * 6000.0 * 3.0; // the JPEG decoder's RGB buffer
    let reduced = 4000.0 * 3000.0 * 4.0;
    let full_rgba = 8000.0 * 6000.0 * 4.0;
    let peak = peak as f64;
    assert!(peak < native + reduced + 8.0 * 1048576.0, "peak {peak} bytes");
    assert!(peak < native + full_rgba, "never a full-size RGBA copy: peak {peak} bytes");
    // The reduction is a box average: the gradient's value at a block is the block's mean.
    let full = gradient(8000, 6000);
    for (x, y) in [(0u32, 0u32), (1999, 1500), (3999, 2999)] {
        let mean = |c: usize| {
            let s: u32 = (0..2)
                .flat_map(|dy| (0..2).map(move |dx| (dx, dy)))
                .map(|(dx, dy)| u32::from(full.pixel(2 * x + dx, 2 * y + dy)[c]))
                .sum();
            (s + 2) / 4
        };
        let got = image.pixel(x, y);
        for (c, &value) in got.iter().take(3).enumerate() {
            assert!(value.abs_diff(mean(c) as u8) <= 6, "({x},{y}) channel {c}: {value} vs {}", mean(c));
        }
    }
}

#[test]
fn over_budget_fails_with_resource_limit_before_decoding() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let jpeg = JpegFrameEncoder::new(90).encode(&gradient(4000, 3000)).expect("jpeg");
    let o = RenderOptions { memory_budget: Some(32.0 * 1048576.0), ..options(1024, MotionMode::Resonance, 512.0) };
    let (peak, result) = peak_of(|| Job::new(&jpeg, &o).map(|_| ()));
    let err = result.expect_err("over budget");
    assert_eq!(err.code, quantonium_video::ErrorCode::ResourceLimit, "{err}");
    assert!(err.message.contains("32 MiB"), "{}", err.message);
    // Refused from the header alone: the 36 MB of pixels were never allocated.
    assert!(peak < 4 * 1048576, "peak {peak} bytes");
}
