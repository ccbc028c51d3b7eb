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

use crate::analysis::luma::Plane;
use crate::analysis::structure::StructureMaps;
use crate::motion::grid::{Direction, MotionGrid};
use crate::motion::MotionParams;

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

/// The displacement of one frame on the grid, in output pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameField {
    grid_w: usize,
    grid_h: usize,
    cell: (f64, f64),
    /// x and y displacement per node.
    pub dx: Vec<f32>,
    /// y displacement per node.
    pub dy: Vec<f32>,
    /// True when every node is exactly zero (the renderer then copies the image).
    pub is_zero: bool,
}

impl FrameField {
    /// A field on `grid` from its x and y components per node.
    pub fn on_grid(grid: &MotionGrid, dx: Vec<f32>, dy: Vec<f32>) -> Self {
        debug_assert!(dx.len() == grid.len() && dy.len() == grid.len());
        let is_zero = dx.iter().chain(&dy).all(|&v| v == 0.0);
        FrameField { grid_w: grid.width, grid_h: grid.height, cell: grid.cell, dx, dy, is_zero }
    }

    /// This field times `factor` (the grid unchanged).
    pub fn scaled(&self, factor: f32) -> Self {
        let dx: Vec<f32> = self.dx.iter().map(|v| v * factor).collect();
        let dy: Vec<f32> = self.dy.iter().map(|v| v * factor).collect();
        let is_zero = dx.iter().chain(&dy).all(|&v| v == 0.0);
        FrameField { dx, dy, is_zero, ..*self }
    }

    /// Displacement at output position `(x, y)` (continuous, pixel centres at +0.5), bilinear
    /// between grid nodes, clamped at the border. Exactly zero where the four nodes are zero.
    pub fn at(&self, x: f64, y: f64) -> (f32, f32) {
        self.row(y).at_column(self.column(x))
    }

    /// The field along the horizontal line at output `y`: the vertical interpolation done once per
    /// grid column, so each pixel of a row only interpolates horizontally.
    pub fn row(&self, y: f64) -> FieldRow {
        let mut row = FieldRow::default();
        self.row_into(y, &mut row);
        row
    }

    /// [`FrameField::row`] into `row`, reusing its buffers: the renderers ask for a row per
    /// output row, from every pool thread at once, and in the threaded wasm build the allocator is
    /// one spin lock.
    pub fn row_into(&self, y: f64, row: &mut FieldRow) {
        let gy = (y / self.cell.1 - 0.5).clamp(0.0, (self.grid_h - 1) as f64);
        let y0 = gy as usize;
        let y1 = (y0 + 1).min(self.grid_h - 1);
        let ty = (gy - y0 as f64) as f32;
        let w = self.grid_w;
        // Zipped slices, so the lerp vectorises (same expression, same bits).
        let column = |p: &[f32], out: &mut Vec<f32>| {
            let (top, bottom) = (&p[y0 * w..(y0 + 1) * w], &p[y1 * w..(y1 + 1) * w]);
            out.clear();
            out.extend(top.iter().zip(bottom).map(|(&a, &b)| a * (1.0 - ty) + b * ty));
        };
        column(&self.dx, &mut row.dx);
        column(&self.dy, &mut row.dy);
    }

    /// The grid column left of output `x` and the weight of the one right of it.
    #[inline]
    pub fn column(&self, x: f64) -> (usize, f32) {
        let gx = (x / self.cell.0 - 0.5).clamp(0.0, (self.grid_w - 1) as f64);
        let x0 = gx as usize;
        (x0, (gx - x0 as f64) as f32)
    }

    /// Largest displacement magnitude over the nodes: `libm::hypotf` (the same bits everywhere)
    /// of the nodes whose squared length, in f64, is within 2⁻²⁰ of the largest. `hypotf` is
    /// `√(x² + y²)` to within about 2⁻²³, so no other node can reach the maximum; and it costs
    /// some thirty times the squares: taken at every node of the 96 frames the amplitude is set
    /// from, it cost about 10 ms of a 1024² resonance set-up on one wasm thread.
    pub fn max_magnitude(&self) -> f32 {
        let square = |x: f32, y: f32| f64::from(x) * f64::from(x) + f64::from(y) * f64::from(y);
        let squares = || self.dx.iter().zip(&self.dy).map(|(&x, &y)| (x, y, square(x, y)));
        let top = squares().fold(0.0, |m, (_, _, s)| f64::max(m, s));
        if top == 0.0 {
            return 0.0;
        }
        let near = top * (1.0 - f64::powi(2.0, -20));
        squares().filter(|&(_, _, s)| s >= near).map(|(x, y, _)| libm::hypotf(x, y)).fold(0.0, f32::max)
    }

    /// Smallest `det(I − ∇D)` over the nodes (central differences, in output pixels).
    ///
    /// [`FrameField::min_jacobian_where`] over every node, with the interior nodes (both
    /// neighbours on both axes) taken a row at a time in zipped slices, which vectorise: the
    /// fold-over guard evaluates every frame of the loop, and node by node, with its clamped
    /// neighbours, that took 8 ms of a 1024² resonance set-up on one wasm thread (now about 3).
    /// Same expressions, and a minimum does not depend on the order, so the result is the same.
    pub fn min_jacobian(&self) -> f32 {
        let (w, h) = (self.grid_w, self.grid_h);
        if w < 3 || h < 3 {
            return self.min_jacobian_where(|_| true);
        }
        let rows = [0, h - 1].into_iter().flat_map(|j| (0..w).map(move |i| (i, j)));
        let columns = (1..h - 1).flat_map(|j| [(0, j), (w - 1, j)]);
        let border = rows.chain(columns).fold(f32::INFINITY, |min, (i, j)| min.min(self.jacobian_at(i, j)));
        let (sx, sy) = ((2.0 * self.cell.0) as f32, (2.0 * self.cell.1) as f32);
        let (dx, dy) = (&self.dx[..], &self.dy[..]);
        let mut dets = Vec::with_capacity(w - 2);
        let mut min = border;
        for j in 1..h - 1 {
            // For the interior columns 1..w − 1: the left and right neighbours (columns i ∓ 1) and
            // the upper and lower ones (rows j ∓ 1).
            let (at, up, down) = (j * w, (j - 1) * w, (j + 1) * w);
            let across = dx[at..at + w - 2].iter().zip(&dx[at + 2..at + w]);
            let across = across.zip(dy[at..at + w - 2].iter().zip(&dy[at + 2..at + w]));
            let vertical = dx[up + 1..up + w - 1].iter().zip(&dx[down + 1..down + w - 1]);
            let vertical = vertical.zip(dy[up + 1..up + w - 1].iter().zip(&dy[down + 1..down + w - 1]));
            dets.clear();
            dets.extend(across.zip(vertical).map(|(((xl, xr), (yl, yr)), ((xu, xd), (yu, yd)))| {
                let (dxdx, dydx) = ((xr - xl) / sx, (yr - yl) / sx);
                let (dxdy, dydy) = ((xd - xu) / sy, (yd - yu) / sy);
                (1.0 - dxdx) * (1.0 - dydy) - dxdy * dydx
            }));
            min = dets.iter().fold(min, |m, &d| m.min(d));
        }
        min
    }

    /// Smallest `det(I − ∇D)` over the nodes `keep` accepts (by index).
    pub fn min_jacobian_where(&self, keep: impl Fn(usize) -> bool) -> f32 {
        let (w, h) = (self.grid_w, self.grid_h);
        let nodes = (0..h).flat_map(|j| (0..w).map(move |i| (i, j)));
        nodes.filter(|&(i, j)| keep(j * w + i)).fold(f32::INFINITY, |min, (i, j)| min.min(self.jacobian_at(i, j)))
    }

    /// `det(I − ∇D)` at node `(i, j)`, from central differences (one-sided at the border).
    fn jacobian_at(&self, i: usize, j: usize) -> f32 {
        let (w, h) = (self.grid_w, self.grid_h);
        let (il, ir) = (i.saturating_sub(1), (i + 1).min(w - 1));
        let (ju, jd) = (j.saturating_sub(1), (j + 1).min(h - 1));
        let sx = ((ir - il).max(1) as f64 * self.cell.0) as f32;
        let sy = ((jd - ju).max(1) as f64 * self.cell.1) as f32;
        let dxdx = (self.dx[j * w + ir] - self.dx[j * w + il]) / sx;
        let dydx = (self.dy[j * w + ir] - self.dy[j * w + il]) / sx;
        let dxdy = (self.dx[jd * w + i] - self.dx[ju * w + i]) / sy;
        let dydy = (self.dy[jd * w + i] - self.dy[ju * w + i]) / sy;
        (1.0 - dxdx) * (1.0 - dydy) - dxdy * dydx
    }

    /// The grid's size in nodes.
    pub fn grid_size(&self) -> (usize, usize) {
        (self.grid_w, self.grid_h)
    }

    /// This field with each node's displacement multiplied by its own factor.
    pub fn scaled_per_node(&self, factors: &[f32]) -> Self {
        let dx: Vec<f32> = self.dx.iter().zip(factors).map(|(v, f)| v * f).collect();
        let dy: Vec<f32> = self.dy.iter().zip(factors).map(|(v, f)| v * f).collect();
        let is_zero = dx.iter().chain(&dy).all(|&v| v == 0.0);
        FrameField { dx, dy, is_zero, ..*self }
    }
}

/// One row of a [`FrameField`], see [`FrameField::row`]: the displacement at each grid column.
#[derive(Debug, Clone, Default)]
pub struct FieldRow {
    dx: Vec<f32>,
    dy: Vec<f32>,
}

impl FieldRow {
    /// The x and y displacement at each grid column of this row.
    pub fn components(&self) -> (&[f32], &[f32]) {
        (&self.dx, &self.dy)
    }

    /// Displacement at a position given by [`FrameField::column`] (computed once for all rows).
    #[inline]
    pub fn at_column(&self, (x0, tx): (usize, f32)) -> (f32, f32) {
        let x1 = (x0 + 1).min(self.dx.len() - 1);
        (self.dx[x0] * (1.0 - tx) + self.dx[x1] * tx, self.dy[x0] * (1.0 - tx) + self.dy[x1] * tx)
    }
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
            let compose = |noise: &Plane, axis: usize| {
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
        let is_zero = dx.iter().chain(&dy).all(|&v| v == 0.0);
        FrameField { grid_w: self.grid_w, grid_h: self.grid_h, cell: self.cell, dx, dy, is_zero }
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
                let field = FrameField { grid_w: w, grid_h: h, cell, dx, dy, is_zero: false };
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
            let field = FrameField { grid_w: n, grid_h: 1, cell: (1.0, 1.0), dx, dy, is_zero: false };
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
