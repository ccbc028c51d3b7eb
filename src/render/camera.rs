//! The camera: a slow, eased zoom-in with a gentle pan, as an axis-aligned view of the source.
//!
//! The output is *cover*-fitted: at frame 0 the source is scaled so it fills the whole frame and
//! the excess is cropped evenly from both sides (no letterbox bars in a video). The view then
//! zooms in by [`CameraPath::ZOOM`] and drifts toward a seed-chosen direction, always staying
//! inside the source so no frame ever shows an edge. All coordinates are floating point: integer
//! crop positions are what make classic Ken Burns effects shake.

use crate::raster::View;

/// The path of the camera over one video.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CameraPath {
    source: (f64, f64),
    output: (f64, f64),
    fit_scale: f64,
    direction: (f64, f64),
}

impl CameraPath {
    /// How far the camera zooms in over the video: 12% (the last frame shows 1/1.12 of the first).
    pub const ZOOM: f64 = 0.12;
    /// The share of the free room around the view that the pan uses, so it never touches an edge.
    pub const PAN: f64 = 0.8;

    /// A path for a `source`-sized image shown at `output` size, its pan direction drawn from `seed`.
    pub fn new(source: (u32, u32), output: (u32, u32), seed: u64) -> Self {
        let source = (f64::from(source.0), f64::from(source.1));
        let output = (f64::from(output.0), f64::from(output.1));
        let fit_scale = (source.0 / output.0).min(source.1 / output.1);
        let angle = std::f64::consts::TAU * unit_from_seed(seed);
        CameraPath { source, output, fit_scale, direction: (libm::cos(angle), libm::sin(angle)) }
    }

    /// The view at `progress` in `[0, 1]` of a one-way move (0 = first frame, 1 = last frame),
    /// eased so it starts and ends at rest.
    pub fn view(&self, progress: f64) -> View {
        self.view_at(smoothstep(progress.clamp(0.0, 1.0)))
    }

    /// The view `eased` of the way along the move (0 = start, 1 = fully zoomed and panned).
    pub fn view_at(&self, eased: f64) -> View {
        let scale = self.fit_scale / (1.0 + Self::ZOOM * eased);
        let (vw, vh) = (self.output.0 * scale, self.output.1 * scale);
        // Free room on each side of a centred view; the pan uses a growing share of it.
        let room = ((self.source.0 - vw) / 2.0, (self.source.1 - vh) / 2.0);
        let shift = Self::PAN * eased;
        let centre = (
            self.source.0 / 2.0 + self.direction.0 * shift * room.0,
            self.source.1 / 2.0 + self.direction.1 * shift * room.1,
        );
        View { scale, offset_x: centre.0 - vw / 2.0, offset_y: centre.1 - vh / 2.0 }
    }

    /// The view of frame `index` of `frames`. One-way (`looped = false`): the first frame is the
    /// fitted input and the last ends the move. Looped: the camera goes out and back along
    /// `(1 − cos 2πn/N)/2`, sampled at `t_n = n/N`, so frame `N` is frame 0 and the loop has no seam.
    pub fn frame_view(&self, index: u32, frames: u32, looped: bool) -> View {
        if looped {
            let phase = f64::from(index % frames.max(1)) / f64::from(frames.max(1));
            self.view_at(0.5 - 0.5 * libm::cos(std::f64::consts::TAU * phase))
        } else {
            let progress = if frames > 1 { f64::from(index) / f64::from(frames - 1) } else { 0.0 };
            self.view(progress)
        }
    }
}

/// `3p² − 2p³`: starts and ends at rest, so the move never jerks.
fn smoothstep(p: f64) -> f64 {
    p * p * (3.0 - 2.0 * p)
}

/// SplitMix64 of the seed, mapped to `[0, 1)`: a stateless, portable draw.
fn unit_from_seed(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_view_is_the_centred_cover_fit() {
        let path = CameraPath::new((2048, 1536), (1024, 1024), 7);
        let v = path.view(0.0);
        assert_eq!(v.scale, 1.5);
        assert_eq!((v.offset_x, v.offset_y), ((2048.0 - 1536.0) / 2.0, 0.0));
    }

    #[test]
    fn every_view_stays_inside_the_source() {
        for seed in 0..50 {
            let path = CameraPath::new((1000, 700), (640, 360), seed);
            for i in 0..=100 {
                let v = path.view(f64::from(i) / 100.0);
                let (w, h) = (640.0 * v.scale, 360.0 * v.scale);
                assert!(v.offset_x >= -1e-9 && v.offset_x + w <= 1000.0 + 1e-9, "seed {seed} step {i}: {v:?}");
                assert!(v.offset_y >= -1e-9 && v.offset_y + h <= 700.0 + 1e-9, "seed {seed} step {i}: {v:?}");
            }
        }
    }

    #[test]
    fn zoom_reaches_its_end_on_the_last_frame_and_is_smooth() {
        let path = CameraPath::new((800, 800), (400, 400), 1);
        let last = path.frame_view(95, 96, false);
        assert!((path.view(0.0).scale / last.scale - (1.0 + CameraPath::ZOOM)).abs() < 1e-12);
        // No integer-step jitter: positions follow a smooth curve, so their third difference
        // is tiny (a crop rounded to whole pixels would show steps of up to 1 px here).
        let xs: Vec<f64> = (0..96).map(|i| path.frame_view(i, 96, false).offset_x).collect();
        let worst = xs.windows(4).map(|w| (w[3] - 3.0 * w[2] + 3.0 * w[1] - w[0]).abs()).fold(0.0, f64::max);
        assert!(worst < 1e-2, "third difference {worst} px");
        assert!(xs[95] - xs[0] != 0.0, "the camera moves");
    }

    #[test]
    fn looped_path_closes_and_turns_back_halfway() {
        let path = CameraPath::new((800, 600), (400, 400), 9);
        assert_eq!(path.frame_view(0, 48, true), path.view_at(0.0));
        assert_eq!(path.frame_view(48, 48, true), path.frame_view(0, 48, true));
        let scales: Vec<f64> = (0..48).map(|i| path.frame_view(i, 48, true).scale).collect();
        let deepest = scales.iter().enumerate().fold((0, f64::INFINITY), |b, (i, &s)| if s < b.1 { (i, s) } else { b });
        assert_eq!(deepest.0, 24, "fully zoomed in at the middle of the loop");
        assert!((scales[47] - scales[1]).abs() < 1e-12, "symmetric out and back");
    }

    #[test]
    fn seed_changes_the_direction() {
        let a = CameraPath::new((800, 600), (400, 400), 1).view(1.0);
        let b = CameraPath::new((800, 600), (400, 400), 2).view(1.0);
        assert_ne!((a.offset_x, a.offset_y), (b.offset_x, b.offset_y));
    }
}
