//! The source positions of the resonance warp: per output pixel, the camera's view of it minus the
//! modal displacement there, unless the freeze mask holds it still.
//!
//! The sum is formed in [`Precise`] integers: the camera coordinate is rounded once per column,
//! the displacement once per grid node of the row, and the interpolation between nodes is an
//! integer lerp. Per pixel that is a handful of integer operations; the f64 form it replaced
//! (two lerps, two subtractions, two floors) took as long as the Catmull-Rom sample itself.

use crate::motion::field::{FieldRow, FrameField};
use crate::motion::freeze::FreezeMask;
use crate::raster::View;
use crate::render::warp::{displacement_to_precise, precise_to_fixed, to_precise, Fixed, Precise};

/// Bits of the weight between two grid nodes. Its rounding error scales with the difference of
/// the nodes (a cell can span many pixels at a low analysis precision), so the product is taken in
/// i64 and the weight keeps 16 bits: 1/64 of a step even for nodes 256 pixels apart.
const LERP_BITS: u32 = 16;
/// A mask column for positions outside the mask.
const OUTSIDE: u32 = u32::MAX;

/// A row's displacement per grid node, as floats and as [`Precise`] integers.
#[derive(Default)]
struct RowScratch {
    row: FieldRow,
    x: Vec<Precise>,
    y: Vec<Precise>,
}

thread_local! {
    /// Each thread's [`RowScratch`], reused from row to row instead of four fresh vectors a row
    /// (4096 allocations a 1024² frame). In the threaded wasm build the allocator is one spin lock
    /// that every pool thread takes; on one wasm thread reusing them made a resonance frame about
    /// 3 % faster.
    static SCRATCH: std::cell::RefCell<RowScratch> = std::cell::RefCell::new(RowScratch::default());
}

/// What the positions of one frame are made of: the parts that depend on the column alone are
/// computed once per frame, the displacement once per row.
#[derive(Debug)]
pub struct WarpPositions<'a> {
    view: Option<View>,
    field: Option<&'a FrameField>,
    frozen: Option<&'a FreezeMask>,
    /// Per output column: the source coordinate `u − 0.5` ...
    base: Vec<Precise>,
    /// ... the weight of the grid column right of `u` (0..=65536) ...
    weight: Vec<i32>,
    /// ... and the freeze mask's column at `u` ([`OUTSIDE`] when there is none).
    mask_column: Vec<u32>,
    /// Runs of columns between the same two grid columns, as (first output column, left grid
    /// column): `u` grows with `x`, so each pair of nodes serves one run, and within a run the
    /// interpolation is a plain loop that vectorises.
    runs: Vec<(usize, usize)>,
}

impl<'a> WarpPositions<'a> {
    /// The positions of a `width`-wide frame seen through `view` (`None`: the identity), displaced
    /// by `field` (`None`: still) except where `frozen` holds the pixel still.
    pub fn new(
        width: usize,
        view: Option<View>,
        field: Option<&'a FrameField>,
        frozen: Option<&'a FreezeMask>,
    ) -> Self {
        let u_of = |x: usize| view.map_or(x as f64 + 0.5, |c| c.source_x(x as f64 + 0.5));
        let base = (0..width).map(|x| to_precise(u_of(x))).collect();
        let mut weight = Vec::new();
        let mut runs: Vec<(usize, usize)> = Vec::new();
        if let Some(field) = field {
            for x in 0..width {
                let (node, t) = field.column(u_of(x));
                weight.push(libm::roundf(t * (1 << LERP_BITS) as f32) as i32);
                if runs.last().is_none_or(|&(_, last)| last != node) {
                    runs.push((x, node));
                }
            }
        }
        let mask_column = match frozen {
            Some(mask) => (0..width).map(|x| mask.column(u_of(x)).map_or(OUTSIDE, |c| c as u32)).collect(),
            None => Vec::new(),
        };
        WarpPositions { view, field, frozen, base, weight, mask_column, runs }
    }

    /// Writes the [`Fixed`] source positions of output row `y`.
    pub fn row(&self, y: usize, xs: &mut [Fixed], ys: &mut [Fixed]) {
        let v = self.view.map_or(y as f64 + 0.5, |c| c.source_y(y as f64 + 0.5));
        let base_y = to_precise(v);
        let Some(field) = self.field else {
            for (x, y) in xs.iter_mut().zip(self.base.iter()) {
                *x = precise_to_fixed(*y);
            }
            ys.fill(precise_to_fixed(base_y));
            return;
        };
        SCRATCH.with_borrow_mut(|scratch| self.displace(field, v, base_y, scratch, xs, ys));
        // Frozen pixels keep the camera's position alone.
        if let Some(mask_row) = self.frozen.and_then(|m| m.row(v)) {
            for (x, &column) in self.mask_column.iter().enumerate() {
                if column != OUTSIDE && mask_row[column as usize] {
                    xs[x] = precise_to_fixed(self.base[x]);
                    ys[x] = precise_to_fixed(base_y);
                }
            }
        }
    }

    /// The camera's positions of the row at `v` (`base` and `base_y`) minus `field` there.
    fn displace(
        &self,
        field: &FrameField,
        v: f64,
        base_y: Precise,
        scratch: &mut RowScratch,
        xs: &mut [Fixed],
        ys: &mut [Fixed],
    ) {
        // The row's displacement per grid node, with the last node repeated so the right
        // neighbour of a lerp always exists (at the last node its weight is 0).
        field.row_into(v, &mut scratch.row);
        let (rx, ry) = scratch.row.components();
        let precise = |c: &[f32], out: &mut Vec<Precise>| {
            out.clear();
            out.extend(c.iter().chain(c.last()).map(|&d| displacement_to_precise(d)));
        };
        precise(rx, &mut scratch.x);
        precise(ry, &mut scratch.y);
        let (rx, ry) = (&scratch.x, &scratch.y);
        for (r, &(start, node)) in self.runs.iter().enumerate() {
            let end = self.runs.get(r + 1).map_or(xs.len(), |&(next, _)| next);
            let (ax, ay) = (rx[node], ry[node]);
            let (sx, sy) = (rx[node + 1] - ax, ry[node + 1] - ay);
            let columns = start..end;
            let parts = xs[columns.clone()].iter_mut().zip(&mut ys[columns.clone()]);
            for ((x, y), (&base, &t)) in parts.zip(self.base[columns.clone()].iter().zip(&self.weight[columns])) {
                let lerp = |a: Precise, s: Precise| a + lerp_step(s, t);
                *x = precise_to_fixed(base - lerp(ax, sx));
                *y = precise_to_fixed(base_y - lerp(ay, sy));
            }
        }
    }
}

/// `⌊s·t / 2^16⌋` for a weight `t` in `0..=65536`, in i32 arithmetic (which vectorises; the i64
/// product it replaced did not, on x86-64's baseline): with `t = 256·hi + lo`,
/// `⌊(256·s·hi + s·lo) / 2^16⌋ = ⌊(s·hi + ⌊s·lo / 256⌋) / 256⌋` exactly, since `s·hi` is an
/// integer. Neither product overflows while `|s| < 2^23`: `s` is the difference of two
/// displacements in 1/4096 pixel, at most twice the amplitude (5 % of a side of at most 2048
/// pixels), under 2^20.
#[inline(always)]
fn lerp_step(s: Precise, t: i32) -> Precise {
    const HALF: u32 = LERP_BITS / 2;
    let (hi, lo) = (t >> HALF, t & ((1 << HALF) - 1));
    (s * hi + ((s * lo) >> HALF)) >> HALF
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::Rgba8Image;
    use crate::motion::MotionParams;
    use crate::testing::{landscape, modal_field};

    const SIZE: u32 = 96;

    fn field() -> FrameField {
        let (img, _) = landscape(SIZE, SIZE);
        let params = MotionParams { width: SIZE, height: SIZE, frames: 24, fps: 24, depth: 8, amplitude: 4.0, seed: 7 };
        let field = modal_field(&img, params).frame(5);
        assert!(field.max_magnitude() > 1.0, "the test needs a moving field");
        field
    }

    fn rows(positions: &WarpPositions) -> Vec<(Vec<Fixed>, Vec<Fixed>)> {
        (0..SIZE as usize)
            .map(|y| {
                let (mut xs, mut ys) = (vec![0; SIZE as usize], vec![0; SIZE as usize]);
                positions.row(y, &mut xs, &mut ys);
                (xs, ys)
            })
            .collect()
    }

    #[test]
    fn the_i32_lerp_step_is_the_i64_product_shifted() {
        let mut next = crate::testing::xorshift(0x51ed_2701_a3b4_c5d6);
        let edges = [0, 1, 255, 256, 257, 32768, 65535, 65536];
        for k in 0..200_000 {
            let s = (next() % (1 << 22)) as i32 - (1 << 21);
            let t = if k < 1000 { edges[k % edges.len()] } else { (next() % 65537) as i32 };
            assert_eq!(lerp_step(s, t), ((i64::from(s) * i64::from(t)) >> LERP_BITS) as i32, "s {s} t {t}");
        }
    }

    #[test]
    fn fixed_point_positions_are_the_f64_sum_rounded_to_a_step() {
        let field = field();
        let view = View { scale: 0.9, offset_x: 3.3, offset_y: 5.1 };
        let positions = WarpPositions::new(SIZE as usize, Some(view), Some(&field), None);
        let mut worst = 0f64;
        for (y, (xs, ys)) in rows(&positions).into_iter().enumerate() {
            let v = view.source_y(y as f64 + 0.5);
            for x in 0..SIZE as usize {
                let u = view.source_x(x as f64 + 0.5);
                let (dx, dy) = field.at(u, v);
                // The exact position in steps of 1/256 pixel, before any rounding.
                let exact = |c: f64| (c - 0.5) * 256.0;
                let (ex, ey) = (exact(u - f64::from(dx)), exact(v - f64::from(dy)));
                worst = worst.max((f64::from(xs[x]) - ex).abs()).max((f64::from(ys[x]) - ey).abs());
            }
        }
        // Rounding to a step is off by up to 0.5; the parts add 1/16 step each at most (the
        // coordinate's and the nodes' rounding 1/32, the lerp's floor 1/16): 0.625 in all.
        assert!(worst <= 0.63, "off by {worst} steps");
    }

    #[test]
    fn still_and_frozen_pixels_sit_on_their_own_centres() {
        let field = field();
        let still = WarpPositions::new(SIZE as usize, None, None, None);
        for (y, (xs, ys)) in rows(&still).into_iter().enumerate() {
            assert!(xs.iter().enumerate().all(|(x, &p)| p == (x as i32) << 8));
            assert!(ys.iter().all(|&p| p == (y as i32) << 8));
        }
        // The left half frozen (dark), the right half free.
        let mut mask = vec![255u8; (SIZE * SIZE * 4) as usize];
        for (i, px) in mask.chunks_exact_mut(4).enumerate() {
            if i % (SIZE as usize) < SIZE as usize / 2 {
                px[..3].fill(0);
            }
        }
        let mask = FreezeMask::new(&Rgba8Image::from_raw(SIZE, SIZE, mask).expect("size"), SIZE, SIZE);
        let held = WarpPositions::new(SIZE as usize, None, Some(&field), Some(&mask));
        let mut moved = 0;
        for (y, (xs, ys)) in rows(&held).into_iter().enumerate() {
            for x in 0..SIZE as usize {
                let home = (xs[x] == (x as i32) << 8) && (ys[x] == (y as i32) << 8);
                if x < SIZE as usize / 2 {
                    assert!(home, "frozen ({x}, {y}) moved");
                } else {
                    moved += usize::from(!home);
                }
            }
        }
        assert!(moved > 0, "the free half never moved");
    }
}
