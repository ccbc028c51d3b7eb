//! A displacement (or velocity) field of one frame on the motion grid, and its rows: what the
//! resonance motion produces per frame and the flow motion holds as its velocity, and what the
//! renderer's positions and advection read.

use crate::motion::grid::MotionGrid;

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

    /// A field on a `grid_w x grid_h` grid of `cell`-sized cells (output pixels per cell).
    pub(crate) fn from_parts(grid_w: usize, grid_h: usize, cell: (f64, f64), dx: Vec<f32>, dy: Vec<f32>) -> Self {
        let is_zero = dx.iter().chain(&dy).all(|&v| v == 0.0);
        FrameField { grid_w, grid_h, cell, dx, dy, is_zero }
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
    /// some thirty times the squares, and the amplitude is set from every node of every frame of
    /// the loop.
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
    /// neighbours, it would be a large part of a resonance video's set-up.
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
