//! The resonance motion: a displacement field built from K oscillation modes, evolved in time by
//! phase rotation.
//!
//! Each mode `k` is a smooth complex 2-vector field `S_k(x)` on a coarse grid (a quarter of the
//! working resolution). Its displacement at time `t` is
//!
//! `D(x, t) = Re Σ_k S_k(x)·e^{iω_k t}`,  `ω_k = 2π·m_k/T`, `m_k` a whole number of cycles per loop,
//!
//! so the evolution is unitary (a pure phase rotation per mode) and the video loops exactly.
//! Construction, per mode (after Davis et al.'s image-space modal bases, made procedural):
//!
//! 1. complex noise from a counter hash of `(seed, k, component, x, y)`, smoothed at a scale that
//!    shrinks as `k^{-1/2}` and never below twice the amplitude (so the warp cannot fold);
//! 2. times the local sway direction: the structure tensor's gradient direction (things sway across
//!    their length), blended toward a seed-chosen wind direction where orientation is weak;
//! 3. smoothed again *after* that product, weighted `k^{-β}` (β = 1: 1/f motion), and multiplied by
//!    the mobility mask last, so still regions get exactly zero;
//! 4. the rest pose is projected out (`D(x, 0) = 0`, frame 0 is the input) and the field scaled so
//!    `max |D|` over all frames equals the requested amplitude;
//! 5. fold-over guard: the amplitude shrinks until `det(I − ∇D) ≥ 0.5` everywhere, every frame.

use rayon::prelude::*;

use crate::analysis::structure::StructureMaps;
use crate::motion::field::FrameField;
use crate::motion::grid::{Direction, MotionGrid};
use crate::motion::MotionParams;
use crate::raster::plane::FloatPlane;

/// Spectral slope of the mode amplitudes: `|S_k| ∝ k^{-β}`.
pub const BETA: f64 = 1.0;
/// Lowest and highest mode frequency in hertz (typical plant sway), before rounding to whole cycles.
pub const FREQ_RANGE_HZ: (f64, f64) = (0.25, 2.0);
/// Smallest allowed `det(I − ∇D)` over space and time.
pub const MIN_JACOBIAN: f32 = 0.5;

/// One mode: its whole number of cycles per loop and its complex coefficients.
#[derive(Debug, Clone)]
struct Mode {
    cycles: u32,
    /// Re and Im of the x and y components, one value per grid node.
    xr: Vec<f32>,
    xi: Vec<f32>,
    yr: Vec<f32>,
    yi: Vec<f32>,
}

/// The modal displacement field of one video.
#[derive(Debug, Clone)]
pub struct ModalField {
    grid_w: usize,
    grid_h: usize,
    /// Output pixels per grid cell, horizontally and vertically.
    cell: (f64, f64),
    frames: u32,
    modes: Vec<Mode>,
    amplitude: f64,
}

/// Whole cycles per loop for each mode: frequencies spread log-evenly over [`FREQ_RANGE_HZ`],
/// rounded, strictly increasing, at least `k`.
pub fn mode_cycles(depth: u32, frames: u32, fps: u32) -> Vec<u32> {
    spread_cycles(depth, f64::from(frames) / f64::from(fps.max(1)), FREQ_RANGE_HZ)
}

/// `count` whole numbers of cycles per loop of `seconds`: frequencies spread log-evenly over
/// `range` (hertz), rounded, strictly increasing, the k-th at least k.
pub fn spread_cycles(count: u32, seconds: f64, range: (f64, f64)) -> Vec<u32> {
    let (lo, hi) = range;
    let mut out: Vec<u32> = Vec::with_capacity(count as usize);
    for k in 1..=count {
        let f = if count > 1 { lo * libm::pow(hi / lo, f64::from(k - 1) / f64::from(count - 1)) } else { lo };
        let m = ((f * seconds).round() as u32).max(k).max(out.last().map_or(1, |p| p + 1));
        out.push(m);
    }
    out
}

impl ModalField {
    /// Builds the field from the analysis maps (on the working grid).
    pub fn new(maps: &StructureMaps, params: MotionParams) -> Self {
        let grid = MotionGrid::new(maps, params.width, params.height, params.seed);
        let (grid_w, grid_h, cell, n) = (grid.width, grid.height, grid.cell, grid.len());
        let cell_px = grid.cell_px();
        let amplitude = params.amplitude.max(0.0);
        let short = f64::from(params.width.min(params.height));
        let mobility = &grid.mobility;
        let direction = grid.directions(Direction::Across);

        let cycles = mode_cycles(params.depth.max(1), params.frames.max(1), params.fps);
        let base_scale = 0.12 * short; // output pixels
        let min_scale = 2.0 * amplitude;
        let settle = (min_scale.max(0.03 * short) / cell_px) as f32;
        let mut modes = Vec::with_capacity(cycles.len());
        let mut weights = Vec::with_capacity(cycles.len());
        for (idx, &m) in cycles.iter().enumerate() {
            let k = idx as u64 + 1;
            let scale_px = (base_scale / (k as f64).sqrt()).max(min_scale);
            let sigma = (scale_px / cell_px) as f32;
            let noise = |component: u64| grid.smooth_noise(params.seed ^ (k << 32) ^ (component << 48), sigma);
            let (nr, ni) = (noise(0), noise(1));
            let weight = libm::pow(k as f64, -BETA) as f32;
            let compose = |noise: &FloatPlane, axis: usize| {
                let data =
                    noise.data.iter().zip(&direction).map(|(v, d)| v * if axis == 0 { d.0 } else { d.1 }).collect();
                grid.plane(data).blur(settle).data
            };
            let mut planes = [compose(&nr, 0), compose(&ni, 0), compose(&nr, 1), compose(&ni, 1)];
            // Every mode leaves the smoothing with the same energy, so the amplitudes follow k^-β
            // exactly (the smoothing would otherwise damp the finer, higher modes more).
            let energy: f32 = planes.iter().flatten().map(|v| v * v).sum::<f32>() / n as f32;
            let norm = if energy > 0.0 { weight / energy.sqrt() } else { 0.0 };
            for plane in &mut planes {
                plane.iter_mut().zip(mobility).for_each(|(v, m)| *v *= norm * m);
            }
            let [xr, xi, yr, yi] = planes;
            modes.push(Mode { cycles: m, xr, xi, yr, yi });
            weights.push(weight * weight);
        }

        // Rest pose: D(x, 0) = Σ_k Re S_k must be zero, so frame 0 is the input.
        let total: f32 = weights.iter().sum();
        for p in 0..n {
            let (rx, ry) = modes.iter().fold((0.0, 0.0), |(x, y), m| (x + m.xr[p], y + m.yr[p]));
            for (mode, w) in modes.iter_mut().zip(&weights) {
                mode.xr[p] -= w / total * rx;
                mode.yr[p] -= w / total * ry;
            }
        }

        let mut field = ModalField { grid_w, grid_h, cell, frames: params.frames.max(1), modes, amplitude: 0.0 };
        // Scale to the requested amplitude over every frame, then shrink until nothing folds over.
        // Frames are evaluated in parallel; max and min do not depend on the order.
        let peak = (0..field.frames).into_par_iter().map(|f| field.frame(f).max_magnitude()).reduce(|| 0.0, f32::max);
        if peak > 0.0 && amplitude > 0.0 {
            field.scale((amplitude / f64::from(peak)) as f32);
            field.amplitude = amplitude;
            for _ in 0..20 {
                let worst = (0..field.frames)
                    .into_par_iter()
                    .map(|f| field.frame(f).min_jacobian())
                    .reduce(|| f32::INFINITY, f32::min);
                if worst >= MIN_JACOBIAN {
                    break;
                }
                field.scale(0.85);
                field.amplitude *= 0.85;
            }
        } else {
            field.scale(0.0);
        }
        field
    }

    fn scale(&mut self, factor: f32) {
        for m in &mut self.modes {
            for plane in [&mut m.xr, &mut m.xi, &mut m.yr, &mut m.yi] {
                plane.iter_mut().for_each(|v| *v *= factor);
            }
        }
    }

    /// The amplitude actually used (the requested one, unless the fold-over guard shrank it; 0 when
    /// nothing in the image can move).
    pub fn amplitude(&self) -> f64 {
        self.amplitude
    }

    /// Whole cycles per loop of each mode.
    pub fn cycles(&self) -> Vec<u32> {
        self.modes.iter().map(|m| m.cycles).collect()
    }

    /// The displacement of frame `index` (taken modulo the loop length, so frame N is frame 0).
    pub fn frame(&self, index: u32) -> FrameField {
        let n = self.grid_w * self.grid_h;
        let mut dx = vec![0f32; n];
        let mut dy = vec![0f32; n];
        let phase_index = index % self.frames;
        // At t = 0 every phase is 0 and the rest projection makes D exactly zero; evaluate it exactly.
        if phase_index != 0 {
            for m in &self.modes {
                let j = (u64::from(m.cycles) * u64::from(phase_index)) % u64::from(self.frames);
                let angle = std::f64::consts::TAU * j as f64 / f64::from(self.frames);
                let (c, s) = (libm::cos(angle) as f32, libm::sin(angle) as f32);
                // Zipped slices, one component at a time, so the loops vectorise (indexing four
                // planes per node did not: 15 % of the set-up's native profile, for the fold-over
                // guard's 2 × N frames). Each node's sum is formed in the same order as before.
                for (d, (&re, &im)) in dx.iter_mut().zip(m.xr.iter().zip(&m.xi)) {
                    *d += re * c - im * s;
                }
                for (d, (&re, &im)) in dy.iter_mut().zip(m.yr.iter().zip(&m.yi)) {
                    *d += re * c - im * s;
                }
            }
        }
        FrameField::from_parts(self.grid_w, self.grid_h, self.cell, dx, dy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::structure::structure_maps;
    use crate::testing::landscape;

    fn params(w: u32, h: u32, frames: u32, amplitude: f64) -> MotionParams {
        MotionParams { width: w, height: h, frames, fps: 24, depth: 8, amplitude, seed: 11 }
    }

    #[test]
    fn min_jacobian_is_the_per_node_minimum() {
        let mut next = crate::testing::xorshift(0x6a61_636f_6269_616e);
        let mut value = || ((next() >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 12.0;
        let mut minimum_inside = [0; 2];
        for (case, (w, h)) in
            [(2, 2), (3, 3), (2, 5), (5, 2), (7, 3), (3, 9), (40, 30), (129, 97)].into_iter().enumerate()
        {
            for cell in [(1.0, 1.0), (7.9, 8.3), (0.37, 2.5)] {
                let (mut dx, mut dy): (Vec<f32>, Vec<f32>) =
                    ((0..w * h).map(|_| value()).collect(), (0..w * h).map(|_| value()).collect());
                if w >= 5 && h >= 5 && cell.0 > 1.0 {
                    // A gentle field with one sharp bump two nodes or more from the border, so its
                    // steepest differences are all between interior nodes.
                    dx.iter_mut().chain(dy.iter_mut()).for_each(|v| *v *= 0.01);
                    let bump = (2 + case % (w - 4), 2 + case % (h - 4));
                    dx[bump.1 * w + bump.0] = 9.0;
                    dy[bump.1 * w + bump.0] = -9.0;
                }
                let field = FrameField::from_parts(w, h, cell, dx, dy);
                let per_node = field.min_jacobian_where(|_| true);
                assert_eq!(field.min_jacobian().to_bits(), per_node.to_bits(), "case {case}: {w}x{h}, cell {cell:?}");
                let inside =
                    field.min_jacobian_where(|k| (1..w - 1).contains(&(k % w)) && (1..h - 1).contains(&(k / w)));
                if inside.is_finite() {
                    minimum_inside[usize::from(inside == per_node)] += 1;
                }
            }
        }
        // Grids whose minimum is on the border and grids whose minimum is inside: both parts count.
        assert!(minimum_inside[0] > 0 && minimum_inside[1] > 0, "{minimum_inside:?}");
    }

    #[test]
    fn max_magnitude_is_the_largest_hypot_over_all_nodes() {
        let mut next = crate::testing::xorshift(0x6d61_785f_6d61_676e);
        let unit = |r: u64| (r >> 11) as f32 / (1u64 << 53) as f32;
        let mut checked_near_ties = 0;
        for case in 0..3000 {
            let n = 1 + (next() % 64) as usize;
            // Magnitudes within a few ulps of each other (several nodes inside the 2⁻²⁰ margin),
            // and fields of tiny, zero, lopsided (|y| ≪ |x|: hypotf's shortcut) and ordinary values.
            let scale = [1e-30f32, 1e-3, 1.0, 7.5, 3e4][case % 5];
            let (mut dx, mut dy) = (Vec::with_capacity(n), Vec::with_capacity(n));
            for k in 0..n {
                let angle = unit(next()) * std::f32::consts::TAU;
                let length = match case % 4 {
                    0 => scale * (1.0 + (next() % 8) as f32 * f32::EPSILON),
                    1 => scale * unit(next()),
                    2 if k % 3 == 0 => 0.0,
                    _ => scale,
                };
                let lopsided = case % 7 == 0;
                let (c, s) = if lopsided { (1.0, 1e-9) } else { (libm::cosf(angle), libm::sinf(angle)) };
                dx.push(length * c);
                dy.push(length * s);
            }
            let field = FrameField::from_parts(n, 1, (1.0, 1.0), dx, dy);
            let naive = field.dx.iter().zip(&field.dy).map(|(x, y)| libm::hypotf(*x, *y)).fold(0.0, f32::max);
            assert_eq!(field.max_magnitude().to_bits(), naive.to_bits(), "case {case}");
            checked_near_ties += usize::from(case % 4 == 0 && n > 1);
        }
        assert!(checked_near_ties > 500);
    }

    #[test]
    fn cycles_are_whole_distinct_and_span_the_sway_band() {
        assert_eq!(mode_cycles(8, 96, 24), [1, 2, 3, 4, 5, 6, 7, 8]);
        let long = mode_cycles(8, 720, 24);
        assert_eq!((long[0], long[7]), (8, 60));
        assert!(long.windows(2).all(|w| w[1] > w[0]));
        assert_eq!(mode_cycles(1, 96, 24), [1]);
    }

    #[test]
    fn loops_exactly_rests_at_zero_and_reaches_the_amplitude() {
        let (img, _) = landscape(128, 96);
        let maps = structure_maps(&img);
        let field = ModalField::new(&maps, params(256, 192, 48, 3.0));
        assert!(field.frame(0).is_zero);
        assert_eq!(field.frame(48), field.frame(0));
        assert_eq!(field.frame(53), field.frame(5));
        let peak = (0..48).map(|f| field.frame(f).max_magnitude()).fold(0.0f32, f32::max);
        assert!(f64::from(peak) >= 0.9 * 3.0 && f64::from(peak) <= 3.0 * 1.001, "max |D| = {peak}");
        let worst = (0..48).map(|f| field.frame(f).min_jacobian()).fold(f32::INFINITY, f32::min);
        assert!(worst >= MIN_JACOBIAN, "det(I - ∇D) = {worst}");
    }

    #[test]
    fn still_regions_get_exactly_zero_and_a_flat_image_never_moves() {
        let flat = crate::image::Rgba8Image::from_raw(64, 64, [90u8, 90, 90, 255].repeat(64 * 64)).expect("size");
        let field = ModalField::new(&structure_maps(&flat), params(128, 128, 24, 2.0));
        assert_eq!(field.amplitude(), 0.0);
        assert!((0..24).all(|f| field.frame(f).is_zero));
    }

    #[test]
    fn the_seed_changes_the_motion() {
        let (img, _) = landscape(128, 96);
        let maps = structure_maps(&img);
        let a = ModalField::new(&maps, params(256, 192, 24, 3.0)).frame(6);
        let b = ModalField::new(&maps, MotionParams { seed: 12, ..params(256, 192, 24, 3.0) }).frame(6);
        let mean_diff: f32 = a.dx.iter().zip(&b.dx).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.dx.len() as f32;
        assert!(mean_diff > 0.0);
        assert_ne!(a, b);
    }
}
