//! Native speed of the engine's stages at the default size (1024×1024 output from a 2048×1536
//! photo-like source): the one-off analysis and modal field, and one frame per motion, as a video's
//! encoder gets it (`Job::render_video_frame`: I420 for all but shimmer, which is RGBA).
//! Run with `cargo bench --bench engine`; figures go in the README with the machine they ran on.
//! `npm run bench` runs the frame benchmarks on its own image (`QUANTONIUM_BENCH_IMAGE`), the one
//! the browser renders too, so the native and wasm figures compare like with like.

use criterion::{criterion_group, criterion_main, Criterion};
use quantonium_video::analysis::Analysis;
use quantonium_video::motion::MotionMode;
use quantonium_video::options::{RenderOptions, Resolution};
use quantonium_video::testing::{landscape, png_bytes};
use quantonium_video::Job;

/// The source image: `$QUANTONIUM_BENCH_IMAGE` when set, else a 2048x1536 synthetic landscape.
fn source_bytes() -> Vec<u8> {
    match std::env::var_os("QUANTONIUM_BENCH_IMAGE") {
        Some(path) => std::fs::read(&path).expect("QUANTONIUM_BENCH_IMAGE is readable"),
        None => png_bytes(&landscape(2048, 1536).0),
    }
}

fn job(png: &[u8], motion: MotionMode) -> Job {
    let options = RenderOptions {
        resolution: Some(Resolution { width: 1024, height: 1024 }),
        motion: Some(motion),
        ..Default::default()
    };
    Job::new(png, &options).expect("valid job")
}

fn bench(c: &mut Criterion) {
    let source = landscape(2048, 1536).0;
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.bench_function("analysis 1024x1024 (precision 512)", |b| b.iter(|| Analysis::new(&source, 1024, 1024, 512)));
    group.bench_function("job setup resonance (decode + analysis + modal field)", |b| {
        let png = png_bytes(&source);
        let options =
            RenderOptions { resolution: Some(Resolution { width: 1024, height: 1024 }), ..Default::default() };
        b.iter(|| Job::new(&png, &options).expect("valid"))
    });
    let png = source_bytes();
    for motion in MotionMode::ALL {
        let mut job = job(&png, motion);
        let mut i = 0;
        group.bench_function(format!("frame 1024x1024 {}", motion.as_str()), |b| {
            b.iter(|| {
                // Cycle through frames away from 0, where resonance is a plain copy.
                i = i % 90 + 3;
                job.render_video_frame(i).map(|f| f[0]).expect("frame")
            })
        });
    }
    // A live preview of a 1080p video frame in a 770x433 box (a demo page's screen).
    let mut video = Job::new(
        &png,
        &RenderOptions {
            resolution: Some(Resolution { width: 1920, height: 1080 }),
            motion: Some(MotionMode::Resonance),
            ..Default::default()
        },
    )
    .expect("valid job");
    video.render_video_frame(5).expect("frame");
    group.bench_function("preview 770x433 of a 1920x1080 I420 frame", |b| {
        b.iter(|| video.preview(770, 433).map(|p| p[0]).expect("preview"))
    });
    group.bench_function("preview 770x433 of a 1920x1080 RGBA frame", |b| {
        video.render_frame(5).expect("frame");
        b.iter(|| video.preview(770, 433).map(|p| p[0]).expect("preview"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
