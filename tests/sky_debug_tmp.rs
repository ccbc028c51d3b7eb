use quantonium_video::motion::MotionMode;
use quantonium_video::options::{RenderOptions, Resolution};
use quantonium_video::Job;
#[test]
fn dump() {
    for name in ["rocket.jpg", "camera.png", "astronaut.png"] {
        let bytes = std::fs::read(format!("/tmp/{name}")).unwrap();
        let o = RenderOptions {
            resolution: Some(Resolution { width: 512, height: 384 }),
            duration: Some(4.0),
            fps: Some(24.0),
            seed: Some(1.0),
            motion: Some(MotionMode::Sky),
            ..Default::default()
        };
        let mut job = Job::new(&bytes, &o).unwrap();
        eprintln!("{name}: amplitude {:?}", job.renderer().amplitude_used());
        let a = job.render_frame(0).unwrap().to_vec();
        let b = job.render_frame(48).unwrap().to_vec();
        let mut out = vec![0u8; 512 * 384 * 4 * 3];
        for i in 0..512 * 384 {
            let l = |f: &[u8]| 0.2126 * f[i * 4] as f64 + 0.7152 * f[i * 4 + 1] as f64 + 0.0722 * f[i * 4 + 2] as f64;
            let d = (l(&a) - l(&b)).abs();
            let v = (d * 40.0).min(255.0) as u8;
            out[i * 4..i * 4 + 4].copy_from_slice(&[v, v, v, 255]);
            out[(512 * 384 + i) * 4..(512 * 384 + i) * 4 + 4].copy_from_slice(&a[i * 4..i * 4 + 4]);
            out[(2 * 512 * 384 + i) * 4..(2 * 512 * 384 + i) * 4 + 4].copy_from_slice(&b[i * 4..i * 4 + 4]);
        }
        image::save_buffer(format!("/tmp/sky_{name}.png"), &out, 512, 384 * 3, image::ExtendedColorType::Rgba8)
            .unwrap();
    }
}
