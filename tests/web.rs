//! The binding layer in a real browser: wasm-bindgen-test in headless Chromium, inside a dedicated
//! worker (where the engine runs in production), with the threaded build.
//!
//! Run by `npm test` (scripts/test.sh) with the threaded RUSTFLAGS, `-Z build-std` and the
//! `test-threads` feature. The thread pool can be built once per binary, so every test that renders
//! awaits [`pool`] first.
#![cfg(target_arch = "wasm32")]

use quantonium_video::api::{self, Engine};
use quantonium_video::testing::{gradient, png_bytes};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const POOL_SIZE: usize = 2;

/// Starts the rayon pool once (tests in one binary run one after another).
async fn pool() {
    static STARTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !STARTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
        JsFuture::from(api::init_thread_pool(POOL_SIZE)).await.expect("initThreadPool");
    }
}

fn js_field(value: &JsValue, name: &str) -> String {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

fn options(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test options are valid JSON")
}

#[wasm_bindgen_test]
async fn pool_really_runs_on_several_threads() {
    pool().await;
    assert!(api::is_threaded_build(), "the threaded build was not used");
    assert_eq!(api::thread_count(), POOL_SIZE);
    // Every pool thread must actually run a job: with a memory that is not shared, the pool
    // would fail to start or run everything on one thread.
    let mut seen = rayon::broadcast(|ctx| ctx.index());
    seen.sort_unstable();
    assert_eq!(seen, (0..POOL_SIZE).collect::<Vec<_>>());
    assert!(api::is_simd_build());
}

#[wasm_bindgen_test]
fn bad_input_crosses_as_code_and_message() {
    let err = Engine::new(b"definitely not an image", JsValue::UNDEFINED, None, None).err().expect("refused");
    assert_eq!(js_field(&err, "code"), "UNSUPPORTED_FORMAT");
    assert!(js_field(&err, "message").contains("JPEG"));

    let png = png_bytes(&gradient(32, 32));
    let err = Engine::new(&png, options(r#"{"fps": 0}"#), None, None).err().expect("refused");
    assert_eq!(js_field(&err, "code"), "INVALID_OPTION");
    assert!(js_field(&err, "message").contains("`fps`"));

    let err = Engine::new(&png, options(r#"{"fromat": "mp4"}"#), None, None).err().expect("refused");
    assert_eq!(js_field(&err, "code"), "INVALID_OPTION");
    assert!(js_field(&err, "message").contains("fromat"), "{}", js_field(&err, "message"));

    let err = Engine::new(&png, options(r#"{"format": "mov"}"#), None, None).err().expect("refused");
    assert!(js_field(&err, "message").contains("mov"));

    let err = Engine::new(&png, JsValue::UNDEFINED, Some(b"not a mask".to_vec()), None).err().expect("refused");
    assert_eq!(js_field(&err, "code"), "INVALID_OPTION");
    assert!(js_field(&err, "message").contains("freezeMask"));
}

#[wasm_bindgen_test]
fn options_validate_without_an_image() {
    // What the worker chooses the encoder from before the image is decoded: the defaults applied,
    // the same errors as an engine's.
    let valid = api::validate_options(options(r#"{"resolution": "640x360", "duration": 2}"#)).expect("valid");
    let number = |name: &str| js_sys::Reflect::get(&valid, &JsValue::from_str(name)).ok().and_then(|v| v.as_f64());
    assert_eq!(
        [number("width"), number("height"), number("fps"), number("frames")],
        [Some(640.0), Some(360.0), Some(24.0), Some(48.0)]
    );
    assert_eq!(js_field(&valid, "format"), "mp4");
    let err = api::validate_options(options(r#"{"fps": 0}"#)).err().expect("refused");
    assert_eq!(js_field(&err, "code"), "INVALID_OPTION");
    assert!(js_field(&err, "message").contains("`fps`"));
}

#[wasm_bindgen_test]
async fn frames_render_into_linear_memory_and_match_the_native_hash() {
    pool().await;
    let png = png_bytes(&gradient(96, 64));
    let mut engine = Engine::new(
        &png,
        options(r#"{"resolution": "48x32", "duration": 1, "fps": 6, "seed": 3, "motion": "camera", "loop": false}"#),
        None,
        None,
    )
    .expect("valid job");
    let plan = engine.plan().expect("plan");
    assert_eq!(js_sys::Reflect::get(&plan, &"frames".into()).ok().and_then(|v| v.as_f64()), Some(6.0));
    let mut frames = Vec::new();
    for i in 0..6 {
        let ptr = engine.render_frame(i).expect("frame");
        let memory: js_sys::WebAssembly::Memory = wasm_bindgen::JsCast::unchecked_into(api::linear_memory());
        let view = js_sys::Uint8Array::new_with_byte_offset_and_length(&memory.buffer(), ptr as u32, 48 * 32 * 4);
        frames.push(view.to_vec());
    }
    assert_eq!(quantonium_video::testing::frames_sha256(&frames), quantonium_video::testing::GOLDEN_CAMERA_SHA256);
    assert!(engine.render_frame(6).is_err(), "index past the end is refused");
    // What the worker hands WebCodecs: the same frames in I420, the same bytes as natively.
    assert_eq!(engine.video_frame_format(), "I420");
    let mut frames = Vec::new();
    for i in 0..6 {
        let ptr = engine.render_video_frame(i).expect("frame");
        let memory: js_sys::WebAssembly::Memory = wasm_bindgen::JsCast::unchecked_into(api::linear_memory());
        let view = js_sys::Uint8Array::new_with_byte_offset_and_length(&memory.buffer(), ptr as u32, 48 * 32 * 3 / 2);
        frames.push(view.to_vec());
    }
    assert_eq!(quantonium_video::testing::frames_sha256(&frames), quantonium_video::testing::GOLDEN_CAMERA_I420_SHA256);
}

#[wasm_bindgen_test]
async fn local_motion_frames_match_the_native_hashes() {
    pool().await;
    // Analysis, motion fields, warp, advection and band rotation give the same bits in wasm as natively.
    for (motion, hash) in quantonium_video::testing::GOLDEN_MOTION_SHA256 {
        let frames = quantonium_video::testing::golden_motion_frames(motion);
        assert_eq!(quantonium_video::testing::frames_sha256(&frames), hash, "{}", motion.as_str());
    }
    // Resonance and flow as WebCodecs gets them: I420 sampled by the one-plane SIMD kernel.
    for (motion, hash) in quantonium_video::testing::GOLDEN_MOTION_I420_SHA256 {
        let frames = quantonium_video::testing::golden_motion_video_frames(motion);
        assert_eq!(quantonium_video::testing::frames_sha256(&frames), hash, "{} in I420", motion.as_str());
    }
}

#[wasm_bindgen_test]
async fn structure_maps_match_the_native_hash() {
    pool().await;
    // At 640x512, where the long-range blurs run at a reduced resolution.
    let bytes = quantonium_video::testing::golden_maps_bytes();
    assert_eq!(quantonium_video::testing::frames_sha256(&[bytes]), quantonium_video::testing::GOLDEN_MAPS_SHA256);
}

#[wasm_bindgen_test]
fn simd_catmull_rom_kernel_equals_its_scalar_twin() {
    use quantonium_video::render::warp::kernels;
    let (data, blocks) = quantonium_video::testing::kernel_cases(2000);
    for (base, wx, wy) in blocks {
        let simd = kernels::block_simd(&data, base, 64 * 4, wx, wy);
        let scalar = kernels::block_scalar(&data, base, 64 * 4, wx, wy);
        assert_eq!(simd, scalar, "block at byte {base}");
    }
}

#[wasm_bindgen_test]
fn simd_plane_kernel_equals_its_scalar_twin() {
    use quantonium_video::render::sampler::kernels;
    // The random RGBA bytes read as one plane of i16 samples, 256 wide.
    let (data, blocks) = quantonium_video::testing::kernel_cases(2000);
    let data: Vec<i16> = data.iter().map(|&v| i16::from(v)).collect();
    for four in blocks.chunks_exact(4) {
        let bases = [0, 1, 2, 3].map(|k| four[k].0);
        let (wx, wy) = ([0, 1, 2, 3].map(|k| four[k].1), [0, 1, 2, 3].map(|k| four[k].2));
        let want = kernels::block4_scalar(&data, bases, 256, wx, wy);
        assert_eq!(kernels::block4_simd(&data, bases, 256, wx, wy), want, "blocks at {bases:?}");
    }
}

#[wasm_bindgen_test]
fn simd_row_sampler_equals_its_scalar_twin() {
    use quantonium_video::render::sampler::{sample_row, sample_row_with, SamplePlane};
    use quantonium_video::render::warp::weight_table;
    let (plane, rows) = quantonium_video::testing::sample_row_cases();
    for pad in [0, 2, 8] {
        let copy = SamplePlane::new(&plane, pad);
        for (xs, ys) in &rows {
            let (mut simd, mut scalar) = (vec![0u8; xs.len()], vec![0u8; xs.len()]);
            sample_row(&copy, weight_table(), xs, ys, &mut simd);
            sample_row_with::<true>(&copy, weight_table(), xs, ys, &mut scalar);
            assert_eq!(simd, scalar, "border {pad}, positions {xs:?} {ys:?}");
        }
    }
}

#[wasm_bindgen_test]
async fn simd_resample_kernels_equal_their_scalar_twins() {
    pool().await;
    use quantonium_video::raster::resample::{resample, resample_scalar, Samples};
    assert!(cfg!(target_feature = "simd128"), "the browser tests run the simd128 build");
    for (src, view, w, h) in quantonium_video::testing::resample_cases() {
        let (mut simd, mut scalar) = (vec![0u8; w * h * 4], vec![0u8; w * h * 4]);
        resample(&src, view, &mut simd, w, h);
        resample_scalar(Samples::rgba(&src), view, &mut scalar, w, h);
        assert_eq!(simd, scalar, "{view:?} {w}x{h}");
        let plane =
            Samples { data: src.data(), width: src.width() as usize, height: src.height() as usize, channels: 1 };
        let (mut simd, mut scalar) = (vec![0u8; w * h], vec![0u8; w * h]);
        quantonium_video::raster::resample::resample_samples(plane, view, &mut simd, w, h);
        resample_scalar(plane, view, &mut scalar, w, h);
        assert_eq!(simd, scalar, "plane: {view:?} {w}x{h}");
    }
}

#[wasm_bindgen_test]
async fn every_hostile_file_gives_its_code_through_the_bindings() {
    pool().await;
    let cases = quantonium_video::testing::hostile_corpus();
    assert!(cases.len() >= 40);
    for case in cases {
        let err = Engine::new(&case.bytes, JsValue::UNDEFINED, None, None)
            .err()
            .unwrap_or_else(|| panic!("{}: accepted", case.name));
        assert_eq!(js_field(&err, "code"), case.code.as_str(), "{}: {}", case.name, js_field(&err, "message"));
    }
    // The engine still works afterwards.
    let mut engine = Engine::new(
        &png_bytes(&gradient(64, 48)),
        options(r#"{"resolution":"32x32","duration":0.5,"fps":4,"motion":"camera"}"#),
        None,
        None,
    )
    .map_err(|e| js_field(&e, "message"))
    .expect("a valid job after the hostile ones");
    assert!(engine.render_frame(0).is_ok());
}

#[wasm_bindgen_test]
async fn a_preview_comes_from_the_frame_just_rendered_and_bad_sizes_cross_as_errors() {
    pool().await;
    let png = png_bytes(&gradient(96, 64));
    let mut engine = Engine::new(&png, options(r#"{"resolution": "48x32", "duration": 1, "fps": 6}"#), None, None)
        .expect("valid job");
    let err = engine.preview_frame(24, 16).err().expect("nothing rendered yet");
    assert_eq!(js_field(&err, "code"), "INVALID_OPTION");
    engine.render_video_frame(2).expect("frame");
    let ptr = engine.preview_frame(24, 16).expect("preview");
    // Read as the worker reads it: through a view of the linear memory.
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::JsCast::unchecked_into(api::linear_memory());
    let preview =
        js_sys::Uint8Array::new_with_byte_offset_and_length(&memory.buffer(), ptr as u32, 24 * 16 * 4).to_vec();
    assert!(preview.chunks_exact(4).all(|px| px[3] == 255), "opaque");
    // The gradient runs left to right: so does its preview.
    assert!(preview[4 * 20] > preview[4 * 3], "{} against {}", preview[4 * 20], preview[4 * 3]);
    let err = engine.preview_frame(49, 16).err().expect("larger than the frame");
    assert_eq!(js_field(&err, "code"), "INVALID_OPTION");
    assert!(js_field(&err, "message").contains("49x16"));
}
