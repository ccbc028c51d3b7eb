//! The flow motion: texture drifting steadily along the image's streaks, as water and clouds do,
//! in a loop that closes exactly.
//!
//! A steady drift cannot loop by itself, so two copies of the image are advected by the same static
//! velocity field `V(x)`, half a period apart (two-phase advection, after Neyret's flow textures):
//!
//! `D_i(x, t) = s_i·V(x)`,  `s_i = 2·frac(c·t/T + φ(x) + i/2) − 1 ∈ [−1, 1)`,
//! weight `w_i = S(1 − |s_i|)` with `S` a smoothstep from ¼ to ¾ (see [`CROSSFADE`]),
//!
//! `c` a whole number of cycles per loop (the sky's drift: a whole number and a half, see
//! [`FlowField::sky`]). Each copy slides from `−V` to `+V` and is faded out
//! exactly when it jumps back, so the jump is never seen; `w_0 + w_1 = 1`. The two copies are
//! blended around a local mean with the variance-preserving weights of Heitz & Neyret (2018), so
//! the crossfade does not wash the texture out (a plain linear mix loses about a third of the
//! contrast at the midpoint).
//!
//! The phase offset `φ(x)` is smooth noise, so different places reach their crossfade at different
//! times: with one global phase the whole picture would snap back to the still input twice per
//! cycle, a visible pulse (its frame-to-frame change dropped to a fifth there, measured). The cost
//! is that frame 0 shows the flowing regions mid-flow; still and frozen pixels are the input, bit
//! for bit, in every frame.
//!
//! `V` runs across the local structure (as waves travel across their crests; a wind drawn from the
//! job's seed where nothing is oriented), bends with a little curl noise (divergence-free, so it swirls without
//! bunching up), fades out where the mobility map says the image is still, and is scaled so
//! `max |V| = 4A` ([`TRAVEL`]): the texture drifts `8A` per cycle, and a copy is within `2A` of its
//! rest place while it is the one that shows (`w_i ≥ ½`). It has to drift that far to be seen at
//! all: the copies straddle their rest place with `Σ w_i s_i = 0`, so a drift much smaller than the
//! texture's own detail only blurs it (with `max |V| = 2A`, a sixth of a test landscape's grass
//! never changed by more than 1.5 levels).
//!
//! Fold-over guard as for the resonance: `det(I − ∇D_i) ≥ 0.5` wherever copy `i` shows, over the
//! whole cycle.

use crate::analysis::structure::StructureMaps;
use crate::motion::field::FrameField;
use crate::motion::grid::{Direction, MotionGrid};
use crate::motion::modal::MIN_JACOBIAN;
use crate::motion::sky::Sky;
use crate::motion::{lattice_hash, smoothstep, MotionParams};

/// Target length of one advection cycle in seconds (rounded to whole cycles per loop, at least one).
pub const CYCLE_SECONDS: f64 = 4.0;
/// `max |V|` as a multiple of the amplitude (see the module docs).
pub const TRAVEL: f64 = 4.0;
/// The sky's `max |V|` as a multiple of the amplitude: twice flow's. A loop holds half a cycle of
/// it per [`CYCLE_SECONDS`] (see [`FlowField::sky`]), so the clouds drift `8A` in that time, as
/// far as flow's texture does in a whole cycle.
pub const SKY_TRAVEL: f64 = 2.0 * TRAVEL;
/// The crossfade: a copy's weight is `smoothstep(a, b, 1 − |s|)`, which with `a + b = 1` makes
/// the two weights sum to one. Linear (`(0, 1)`), the two copies, `|V|` apart, both showed with a
/// quarter or more of the weight for half of every cycle: a double image. With `(0.25, 0.75)`
/// each place spends a seventh of the cycle that way, and a copy is still fully faded out well
/// before it jumps back (`|s| ≥ 0.75`).
const CROSSFADE: (f32, f32) = (0.25, 0.75);
/// Weight of the curl noise against the structure's direction.
const SWIRL: f32 = 0.6;

/// Per node of `grid`, the way `arrows` (polylines in output pixels) say things flow there, scaled
/// by how near the nearest arrow is.
///
/// The direction is the tangent of every arrow segment weighted by `1 / (d² + r²)`, `d` the node's
/// distance to the segment and `r` 5 % of the picture's shorter side: it follows an arrow closely
/// near it and blends smoothly between arrows. Its length is `exp(−d²/2R²)` for the nearest
/// segment, `R` 15 % of the shorter side, so nothing far from every arrow moves.
pub fn arrow_directions(grid: &MotionGrid, arrows: &[Vec<(f32, f32)>], short: f32) -> Vec<(f32, f32)> {
    let (r2, reach2) = ((0.05 * short).powi(2), 2.0 * (0.15 * short).powi(2));
    type Point = (f32, f32);
    let segments: Vec<(Point, Point, Point)> = arrows
        .iter()
        .flat_map(|a| a.windows(2))
        .filter_map(|w| {
            let (a, b) = (w[0], w[1]);
            let d = (b.0 - a.0, b.1 - a.1);
            let len = libm::hypotf(d.0, d.1);
            (len > 1e-3).then(|| (a, d, (d.0 / len, d.1 / len)))
        })
        .collect();
    (0..grid.len())
        .map(|k| {
            let p = ((k % grid.width) as f32 + 0.5, (k / grid.width) as f32 + 0.5);
            let p = (p.0 * grid.cell.0 as f32, p.1 * grid.cell.1 as f32);
            let (mut sum, mut nearest) = ((0f32, 0f32), f32::INFINITY);
            for &(a, d, t) in &segments {
                let along = (((p.0 - a.0) * d.0 + (p.1 - a.1) * d.1) / (d.0 * d.0 + d.1 * d.1)).clamp(0.0, 1.0);
                let q = (a.0 + along * d.0 - p.0, a.1 + along * d.1 - p.1);
                let d2 = q.0 * q.0 + q.1 * q.1;
                let w = 1.0 / (d2 + r2);
                sum = (sum.0 + w * t.0, sum.1 + w * t.1);
                nearest = nearest.min(d2);
            }
            let norm = libm::hypotf(sum.0, sum.1);
            if norm < 1e-12 {
                return (0.0, 0.0);
            }
            let near = libm::expf(-nearest / reach2);
            (near * sum.0 / norm, near * sum.1 / norm)
        })
        .collect()
}

/// Whole advection cycles of about [`CYCLE_SECONDS`] in the loop, at least one.
fn whole_cycles(params: MotionParams) -> u32 {
    let seconds = f64::from(params.frames.max(1)) / f64::from(params.fps.max(1));
    ((seconds / CYCLE_SECONDS).round() as u32).max(1)
}

/// The standard deviation, in output pixels, of the local mean the two copies are blended around:
/// half the amplitude, within 1 to 12 pixels.
pub fn blend_sigma(amplitude: f64) -> f32 {
    (0.5 * amplitude).clamp(1.0, 12.0) as f32
}

/// One of the two advected copies in one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlowPhase {
    /// `s_i`: the copy is displaced by `offset · V(x)`.
    pub offset: f32,
    /// `w_i = S(1 − |s_i|)` (see [`CROSSFADE`]); the two weights sum to one.
    pub weight: f32,
}

/// The flow field of one video.
#[derive(Debug, Clone)]
pub struct FlowField {
    velocity: FrameField,
    /// The phase offset `φ` in the x component (the y component is zero): a scalar field on the
    /// same grid, interpolated the same way.
    offset: FrameField,
    frames: u32,
    /// Advection cycles per loop, in halves: even for flow (whole cycles), odd for the sky.
    half_cycles: u32,
    amplitude: f64,
}

impl FlowField {
    /// Builds the velocity field from the analysis maps.
    pub fn new(maps: &StructureMaps, params: MotionParams) -> Self {
        Self::following(maps, params, &[])
    }

    /// Builds the velocity field from the analysis maps, along `arrows` when there are any
    /// (polylines in output pixels, see [`arrow_directions`]): the arrows then say which way
    /// things flow and how far from them anything moves, and the mobility map still says what may
    /// move at all.
    pub fn following(maps: &StructureMaps, params: MotionParams, arrows: &[Vec<(f32, f32)>]) -> Self {
        let grid = MotionGrid::new(maps, params.width, params.height, params.seed);
        let short = f64::from(params.width.min(params.height));
        let amplitude = params.amplitude.max(0.0);
        let cell_px = grid.cell_px();
        let direction = grid.directions(Direction::Across);
        let arrowed = (!arrows.is_empty()).then(|| arrow_directions(&grid, arrows, short as f32));

        // Curl of a smooth stream function: (∂ψ/∂y, −∂ψ/∂x), normalised to unit RMS.
        let psi = grid.smooth_noise(params.seed ^ (0xF10 << 40), (0.15 * short / cell_px) as f32);
        let (w, h) = (grid.width, grid.height);
        let mut curl = vec![(0f32, 0f32); grid.len()];
        for j in 0..h {
            for i in 0..w {
                let (il, ir) = (i.saturating_sub(1), (i + 1).min(w - 1));
                let (ju, jd) = (j.saturating_sub(1), (j + 1).min(h - 1));
                let dpdx = (psi.data[j * w + ir] - psi.data[j * w + il]) / (ir - il).max(1) as f32;
                let dpdy = (psi.data[jd * w + i] - psi.data[ju * w + i]) / (jd - ju).max(1) as f32;
                curl[j * w + i] = (dpdy, -dpdx);
            }
        }
        let rms = (curl.iter().map(|c| c.0 * c.0 + c.1 * c.1).sum::<f32>() / grid.len() as f32).sqrt();
        let swirl = if rms > 0.0 { SWIRL / rms } else { 0.0 };

        // Smoothed at the scale of a few displacements, then gated, so still regions get exactly zero.
        let settle = ((2.0 * TRAVEL * amplitude).max(0.03 * short) / cell_px) as f32;
        // The gate is the mobility smoothed over the smoothing scale, its ramp straddling the edge
        // of what moves: V reaches four times the amplitude, and a ramp narrower than about six times
        // |V| folds the picture over (measured with the bare mobility: det 0.47; with a ramp kept
        // inside the edge, a seventh of the grass stopped moving).
        let wide = grid.plane(grid.mobility.clone()).blur(settle).data;
        let gate: Vec<f32> = wide.iter().map(|b| smoothstep(0.1, 0.7, *b)).collect();
        // The swirl bends the direction but never cancels it: the sum is renormalised, so the speed
        // stays even over what moves (unnormalised, a fifth of the grass barely moved).
        let bent: Vec<(f32, f32)> = match arrowed {
            Some(along) => along,
            None => direction
                .iter()
                .zip(&curl)
                .map(|(d, c)| {
                    let v = (d.0 + swirl * c.0, d.1 + swirl * c.1);
                    let norm = libm::hypotf(v.0, v.1);
                    if norm > 1e-6 {
                        (v.0 / norm, v.1 / norm)
                    } else {
                        *d
                    }
                })
                .collect(),
        };
        let component = |axis: usize| {
            let data = bent.iter().map(|d| if axis == 0 { d.0 } else { d.1 }).collect();
            let mut v = grid.plane(data).blur(settle).data;
            v.iter_mut().zip(&gate).for_each(|(v, m)| *v *= m);
            v
        };
        let velocity = FrameField::on_grid(&grid, component(0), component(1));
        let peak = velocity.max_magnitude();
        if peak > 0.0 && amplitude > 0.0 {
            let velocity = velocity.scaled((TRAVEL * amplitude / f64::from(peak)) as f32);
            Self::drifting(&grid, velocity, amplitude, params, 2 * whole_cycles(params))
        } else {
            Self::drifting(&grid, velocity.scaled(0.0), 0.0, params, 2 * whole_cycles(params))
        }
    }

    /// The sky's drift: one steady wind, level, its sign drawn from the seed, at `|V| =`
    /// [`SKY_TRAVEL`]`·A` everywhere (`sky` is `None`: no drift at all). It is meant for a layer
    /// of its own, the sky with everything else filled in from it, composited over the still
    /// picture by the sky's alpha: so the drift never slows in front of a tree or a pole, and a
    /// copy that reaches behind one samples sky.
    ///
    /// The loop holds an odd number of half cycles. Two-phase advection looks the same half a
    /// cycle later (the copies have swapped), so with whole cycles the middle frame would repeat
    /// frame 0; with a half left over it is the frame furthest from it, and the loop still closes
    /// (frame `N` shows frame 0's copies swapped, the same picture).
    pub fn sky(maps: &StructureMaps, sky: Option<&Sky>, params: MotionParams) -> Self {
        let grid = MotionGrid::new(maps, params.width, params.height, params.seed);
        let amplitude = if sky.is_some() { params.amplitude.max(0.0) } else { 0.0 };
        let sign = if lattice_hash(params.seed, -2, -2) < 0.5 { -1.0 } else { 1.0 };
        let dx = vec![(sign * SKY_TRAVEL * amplitude) as f32; grid.len()];
        let velocity = FrameField::on_grid(&grid, dx, vec![0.0; grid.len()]);
        Self::drifting(&grid, velocity, amplitude, params, 2 * whole_cycles(params).saturating_sub(1) + 1)
    }

    /// The field of `velocity` (output pixels, at most `SKY_TRAVEL·amplitude`): the phase offsets,
    /// the cycles, and the fold-over guard, which may shrink both.
    fn drifting(
        grid: &MotionGrid,
        mut velocity: FrameField,
        amplitude: f64,
        params: MotionParams,
        half_cycles: u32,
    ) -> Self {
        let short = f64::from(params.width.min(params.height));
        let cell_px = grid.cell_px();
        // φ varies over a quarter of the picture, within (0, 1) so it never wraps spatially.
        let phase = grid.smooth_noise(params.seed ^ (0xF11 << 40), (0.25 * short / cell_px) as f32);
        let offset = FrameField::on_grid(
            grid,
            phase.data.iter().map(|v| (0.5 + 0.2 * v).clamp(0.02, 0.98)).collect(),
            vec![0.0; grid.len()],
        );

        let mut used = 0.0;
        if !velocity.is_zero && amplitude > 0.0 {
            used = amplitude;
            for _ in 0..20 {
                let worst = min_jacobian(&velocity, &offset);
                if worst >= MIN_JACOBIAN {
                    break;
                }
                velocity = velocity.scaled(0.85);
                used *= 0.85;
            }
        } else {
            velocity = velocity.scaled(0.0);
        }
        FlowField { velocity, offset, frames: params.frames.max(1), half_cycles, amplitude: used }
    }

    /// The phase offset `φ` per grid node (in the x component).
    pub fn offset(&self) -> &FrameField {
        &self.offset
    }

    /// `frac(c·t/T)` of frame `index` (modulo the loop), from exact integer arithmetic so the loop
    /// closes bit for bit.
    pub fn base_phase(&self, index: u32) -> f32 {
        let n = 2 * u64::from(self.frames);
        let j = (u64::from(index % self.frames) * u64::from(self.half_cycles)) % n;
        (j as f64 / n as f64) as f32
    }

    /// The velocity field `V` (the displacement of a copy at `s = 1`), in output pixels.
    pub fn velocity(&self) -> &FrameField {
        &self.velocity
    }

    /// Advection cycles per loop: whole for flow, a whole number and a half for the sky.
    pub fn cycles(&self) -> f64 {
        f64::from(self.half_cycles) / 2.0
    }

    /// The amplitude actually used: `max |V| / TRAVEL` (the requested amplitude unless the fold-over
    /// guard shrank it; 0 when nothing can move).
    pub fn amplitude(&self) -> f64 {
        self.amplitude
    }

    /// Whether nothing moves at all.
    pub fn is_still(&self) -> bool {
        self.velocity.is_zero
    }

    /// The two copies at a place with phase offset `offset` in a frame with [`base_phase`]
    /// `base`.
    ///
    /// [`base_phase`]: FlowField::base_phase
    #[inline]
    pub fn phases(base: f32, offset: f32) -> [FlowPhase; 2] {
        let t0 = fract(base + offset);
        let t1 = fract(t0 + 0.5);
        [t0, t1].map(|t| {
            let s = 2.0 * t - 1.0;
            FlowPhase { offset: s, weight: smoothstep(CROSSFADE.0, CROSSFADE.1, 1.0 - s.abs()) }
        })
    }
}

/// `x − floor(x)` for the small non-negative values the phases take, where truncation is the
/// floor: wasm's vector `f32x4.trunc` in the browser, a round trip through an integer natively
/// (x86-64's baseline has no rounding instruction). Both are exact, so they agree.
#[inline]
fn fract(x: f32) -> f32 {
    #[cfg(target_arch = "wasm32")]
    {
        x - x.trunc()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        x - (x as i32) as f32
    }
}

/// Smallest `det(I − ∇D_i)` over both copies and a fine sampling of the cycle, where the copy shows
/// (weight ≥ 0.1 at the node and its neighbours: where a copy wraps round, its weight is zero and
/// its jump is invisible by design).
fn min_jacobian(velocity: &FrameField, offset: &FrameField) -> f32 {
    let (w, h) = velocity.grid_size();
    let mut worst = f32::INFINITY;
    for q in 0..32 {
        let base = q as f32 / 32.0;
        for copy in 0..2 {
            let phases: Vec<FlowPhase> = offset.dx.iter().map(|&o| FlowField::phases(base, o)[copy]).collect();
            let factors: Vec<f32> = phases.iter().map(|p| p.offset).collect();
            let field = velocity.scaled_per_node(&factors);
            let shows = |k: usize| {
                let (i, j) = (k % w, k / w);
                let near = [
                    (i, j),
                    (i.saturating_sub(1), j),
                    ((i + 1).min(w - 1), j),
                    (i, j.saturating_sub(1)),
                    (i, (j + 1).min(h - 1)),
                ];
                near.iter().all(|&(a, b)| phases[b * w + a].weight >= 0.1)
            };
            worst = worst.min(field.min_jacobian_where(shows));
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::structure::structure_maps;
    use crate::testing::landscape;

    fn params(frames: u32, amplitude: f64) -> MotionParams {
        MotionParams { width: 256, height: 192, frames, fps: 24, depth: 8, amplitude, seed: 4 }
    }

    #[test]
    fn phases_sum_to_one_loop_and_hide_the_jump() {
        let (img, _) = landscape(128, 96);
        let field = FlowField::new(&structure_maps(&img), params(144, 3.0));
        assert_eq!(field.cycles(), 2.0); // 6 s at 24 fps
        assert_eq!(field.base_phase(0), 0.0);
        assert_eq!(field.base_phase(144), field.base_phase(0));
        assert_eq!(field.base_phase(36), 0.5);
        let offsets = field.offset().dx.clone();
        assert!(offsets.iter().all(|o| (0.02..=0.98).contains(o)));
        assert!(offsets.iter().any(|&o| (o - offsets[0]).abs() > 0.05), "the offset varies");
        for &o in &offsets {
            for i in 0..144 {
                let [a, b] = FlowField::phases(field.base_phase(i), o);
                assert!((a.weight + b.weight - 1.0).abs() < 1e-5);
                assert!((-1.0..1.0).contains(&a.offset) && (-1.0..1.0).contains(&b.offset));
                assert!(((a.offset - b.offset).abs() - 1.0).abs() < 1e-5, "copies are half a cycle apart");
                // A copy jumps back only while invisible.
                let before = FlowField::phases(field.base_phase(i + 143), o);
                for (p, q) in before.iter().zip([a, b]) {
                    if q.offset < p.offset {
                        assert!(p.weight < 0.03 && q.weight < 0.03, "jump at frame {i} with weight {}", q.weight);
                    }
                }
            }
        }
    }

    #[test]
    fn velocity_reaches_the_amplitude_without_folding_and_skips_still_regions() {
        let (img, _) = landscape(128, 96);
        let maps = structure_maps(&img);
        let field = FlowField::new(&maps, params(96, 3.0));
        let peak = f64::from(field.velocity().max_magnitude()) / TRAVEL;
        assert!((0.9 * 3.0..=3.0 * 1.001).contains(&peak), "max |V| / TRAVEL = {peak}");
        assert!((field.amplitude() - peak).abs() < 1e-3 * peak);
        assert!(min_jacobian(field.velocity(), field.offset()) >= MIN_JACOBIAN);
        let flat = crate::image::Rgba8Image::from_raw(64, 64, [90u8, 90, 90, 255].repeat(64 * 64)).expect("size");
        let still = FlowField::new(&structure_maps(&flat), params(96, 3.0));
        assert!(still.is_still());
        assert_eq!(still.amplitude(), 0.0);
    }
}
