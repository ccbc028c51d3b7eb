//! Fuzzes what a page hands the engine: options, then a file that is validated, decoded, analysed
//! and rendered. Every input must end in `Ok` or in a typed error that is not `INTERNAL` (which
//! would be a bug), without a panic, a hang or an allocation past the job's budget.
//!
//! Run with `scripts/fuzz.sh [seconds]` (seeds it with the valid and hostile test files).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quantonium_video::motion::MotionMode;
use quantonium_video::options::{Format, RenderOptions, Resolution};
use quantonium_video::{ErrorCode, Job};

fuzz_target!(|data: &[u8]| {
    // The first two bytes choose the options (odd and out-of-range values included, so the
    // validation is fuzzed too); the rest is the file.
    let Some((&[a, b], file)) = data.split_first_chunk::<2>() else { return };
    let side = |v: u8| u32::from(v % 64) * 2 + u32::from(v >> 7); // 0..=127, sometimes odd
    let options = RenderOptions {
        format: Some(if a & 0x40 != 0 { Format::Avi } else { Format::Mp4 }),
        resolution: Some(Resolution { width: side(a).max(14), height: side(b).max(14) }),
        motion: Some(MotionMode::ALL[usize::from(b % 5)]),
        fps: Some(f64::from(a >> 5)),
        duration: Some(1.0),
        quantum_precision: Some(if b & 0x80 != 0 { 64.0 } else { 128.0 }),
        resonance_depth: Some(f64::from(b >> 5)),
        // A small budget: the fuzzer's large images must fail as RESOURCE_LIMIT, not exhaust memory.
        memory_budget: Some(64.0 * 1024.0 * 1024.0),
        ..Default::default()
    };
    match Job::new(file, &options) {
        Ok(mut job) => {
            let plan = *job.plan();
            let len = plan.width as usize * plan.height as usize * 4;
            for index in [0, plan.frames / 2, plan.frames - 1] {
                let frame = job.render_frame(index).expect("frames in range render");
                assert_eq!(frame.len(), len);
            }
            if plan.format == Format::Avi {
                job.write_avi().expect("an AVI of a valid job");
            }
        }
        Err(e) => assert_ne!(e.code, ErrorCode::Internal, "{e}"),
    }
});
