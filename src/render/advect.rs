//! Rendering of the flow motion: the two advected copies, each one Catmull-Rom sample, blended
//! around a local mean so the crossfade keeps the texture's contrast.

use rayon::prelude::*;

use crate::analysis::luma::Plane;
use crate::image::{round_to_u8, Rgba8Image};
use crate::motion::flow::FlowField;
use crate::motion::modal::FrameField;
use crate::render::freeze::FreezeMask;
use crate::render::warp::{sample_fixed, weight_table, Fixed, SUBPIXEL};

/// What the blend needs besides the field: the local mean and the distance over which two
/// copies' texture stops being correlated.
#[derive(Debug, Clone)]
pub struct FlowBlend {
    mean: Rgba8Image,
    decorrelation: f32,
}

impl FlowBlend {
    /// The local mean of `fitted` at the scale of the displacement `amplitude` (output pixels).
    ///
    /// Detail finer than the displacement differs between the two copies and is what the blend
    /// must rescale; coarser structure is the same in both and sits in the mean, untouched.
    pub fn new(fitted: &Rgba8Image, amplitude: f64) -> Self {
        let sigma = (0.5 * amplitude).clamp(1.0, 12.0) as f32;
        let (w, h) = (fitted.width() as usize, fitted.height() as usize);
        let channel = |c: usize| Plane {
            width: w,
            height: h,
            data: fitted.data().chunks_exact(4).map(|p| f32::from(p[c])).collect(),
        };
        let blurred: Vec<Plane> = (0..3).map(|c| channel(c).blur(sigma)).collect();
        let data = (0..w * h)
            .flat_map(|p| {
                let px = |c: usize| round_to_u8(blurred[c].data[p]);
                [px(0), px(1), px(2), 255]
            })
            .collect();
        let mean = Rgba8Image::from_raw(w as u32, h as u32, data).expect("size matches by construction");
        FlowBlend { mean, decorrelation: 2.0 * sigma }
    }
}

/// Renders flow frame `index` into `out` (RGBA, the size of `fitted`). Pixels that are frozen or
/// have zero velocity are copied exactly.
///
/// Each row is done in passes over slices: both copies' source positions and blend weights, per
/// pixel in f32 and i32 (which the compiler vectorises); the samples; the blend, per channel (which
/// vectorises too). The per-pixel form it replaced, with its square roots, division and f64
/// positions among the samples, took 133 ms a 1024² frame on one wasm thread against 55 ms.
pub fn advect(
    fitted: &Rgba8Image,
    blend: &FlowBlend,
    field: &FlowField,
    index: u32,
    frozen: Option<&FreezeMask>,
    out: &mut [u8],
) {
    let w = fitted.width() as usize;
    assert_eq!(out.len(), fitted.data().len(), "flow output size");
    let columns = Columns::new(w, field.velocity(), frozen);
    let base = field.base_phase(index);
    let table = weight_table();
    out.par_chunks_exact_mut(w * 4).enumerate().for_each_init(
        || RowPlan::new(w),
        |plan, (y, out_row)| {
            plan.fill(&columns, field, base, blend.decorrelation, frozen, y);
            let (src, mean) = (fitted.row(y), blend.mean.row(y));
            for x in 0..w {
                let at = x * 4..x * 4 + 4;
                if plan.g0[x * 4] != 0.0 {
                    plan.a[at.clone()].copy_from_slice(&sample_fixed(fitted, table, plan.fx0[x], plan.fy0[x]));
                }
                if plan.g1[x * 4] != 0.0 {
                    plan.b[at].copy_from_slice(&sample_fixed(fitted, table, plan.fx1[x], plan.fy1[x]));
                }
            }
            // The blend, one channel at a time over the whole row, so it vectorises. A copy's
            // weight is exactly 0 where it was not sampled, so a stale sample there adds nothing.
            for ((((o, &m), &a), &b), (&g0, &g1)) in
                out_row.iter_mut().zip(mean).zip(&plan.a).zip(&plan.b).zip(plan.g0.iter().zip(&plan.g1))
            {
                let m = f32::from(m);
                *o = round_to_u8(m + g0 * (f32::from(a) - m) + g1 * (f32::from(b) - m));
            }
            for ((o, s), &still) in out_row.chunks_exact_mut(4).zip(src.chunks_exact(4)).zip(&plan.still) {
                if still {
                    o.copy_from_slice(s);
                } else {
                    o[3] = s[3];
                }
            }
        },
    );
}

/// What the rows of one frame share, per output column.
struct Columns {
    /// Runs of columns between the same two grid columns, as (first output column, left grid
    /// column, right grid column): within a run the interpolation is a loop that vectorises.
    runs: Vec<(usize, usize, usize)>,
    /// The weight of the right grid column.
    weight: Vec<f32>,
    /// The freeze mask's column (`None` outside the mask).
    mask: Vec<Option<usize>>,
}

impl Columns {
    fn new(width: usize, velocity: &FrameField, frozen: Option<&FreezeMask>) -> Self {
        let last = velocity.grid_size().0 - 1;
        let mut runs: Vec<(usize, usize, usize)> = Vec::new();
        let mut weight = Vec::with_capacity(width);
        for x in 0..width {
            let (node, t) = velocity.column(x as f64 + 0.5);
            weight.push(t);
            if runs.last().is_none_or(|&(_, left, _)| left != node) {
                runs.push((x, node, (node + 1).min(last)));
            }
        }
        let mask = match frozen {
            Some(m) => (0..width).map(|x| m.column(x as f64 + 0.5)).collect(),
            None => Vec::new(),
        };
        Columns { runs, weight, mask }
    }
}

/// One row's per-pixel plan: both copies' source positions and blend gains, and which pixels are
/// copied unchanged.
struct RowPlan {
    vx: Vec<f32>,
    vy: Vec<f32>,
    phase: Vec<f32>,
    fx0: Vec<Fixed>,
    fy0: Vec<Fixed>,
    fx1: Vec<Fixed>,
    fy1: Vec<Fixed>,
    /// Each copy's weight times the contrast gain (exactly 0 where the copy is invisible, and for
    /// both copies of a still pixel) ...
    gain0: Vec<f32>,
    gain1: Vec<f32>,
    /// ... repeated for the four channels of the pixel.
    g0: Vec<f32>,
    g1: Vec<f32>,
    still: Vec<bool>,
    /// Each copy's samples (RGBA).
    a: Vec<u8>,
    b: Vec<u8>,
}

impl RowPlan {
    fn new(width: usize) -> Self {
        let f = || vec![0f32; width];
        let i = || vec![0 as Fixed; width];
        RowPlan {
            vx: f(),
            vy: f(),
            phase: f(),
            fx0: i(),
            fy0: i(),
            fx1: i(),
            fy1: i(),
            gain0: f(),
            gain1: f(),
            g0: vec![0f32; width * 4],
            g1: vec![0f32; width * 4],
            still: vec![false; width],
            a: vec![0; width * 4],
            b: vec![0; width * 4],
        }
    }

    fn fill(
        &mut self,
        columns: &Columns,
        field: &FlowField,
        base: f32,
        decorrelation: f32,
        frozen: Option<&FreezeMask>,
        y: usize,
    ) {
        let v = y as f64 + 0.5;
        let velocity = field.velocity().row(v);
        let (rx, ry) = velocity.components();
        let offsets = field.offset().row(v);
        let rp = offsets.components().0;
        let width = self.vx.len();
        for (r, &(start, left, right)) in columns.runs.iter().enumerate() {
            let end = columns.runs.get(r + 1).map_or(width, |run| run.0);
            let lerp = |c: &[f32], out: &mut [f32]| {
                let (a, b) = (c[left], c[right]);
                for (o, &t) in out.iter_mut().zip(&columns.weight[start..end]) {
                    *o = a * (1.0 - t) + b * t;
                }
            };
            lerp(rx, &mut self.vx[start..end]);
            lerp(ry, &mut self.vy[start..end]);
            lerp(rp, &mut self.phase[start..end]);
        }
        let row = y as f32;
        for x in 0..width {
            let (vx, vy) = (self.vx[x], self.vy[x]);
            let [p0, p1] = FlowField::phases(base, self.phase[x]);
            let (s0, s1, w0, w1) = (p0.offset, p1.offset, p0.weight, p1.weight);
            // Variance-preserving normalisation, phased in as the copies decorrelate: copies that
            // barely moved apart are the same texture, and a plain mix of them is already right.
            let spread = (w0 * w0 + w1 * w1).sqrt();
            let t = (vx * vx + vy * vy).sqrt() / decorrelation;
            let t = if t > 1.0 { 1.0 } else { t };
            let rho = t * t * (3.0 - 2.0 * t);
            let gain = 1.0 / ((1.0 - rho) + rho * spread);
            let still = vx == 0.0 && vy == 0.0;
            self.gain0[x] = if still { 0.0 } else { w0 * gain };
            self.gain1[x] = if still { 0.0 } else { w1 * gain };
            let column = x as f32;
            self.fx0[x] = to_fixed_f32(column - s0 * vx);
            self.fy0[x] = to_fixed_f32(row - s0 * vy);
            self.fx1[x] = to_fixed_f32(column - s1 * vx);
            self.fy1[x] = to_fixed_f32(row - s1 * vy);
            self.still[x] = still;
        }
        // Frozen pixels are copied: neither copy is sampled.
        if let Some(mask_row) = frozen.and_then(|m| m.row(v)) {
            for (x, column) in columns.mask.iter().enumerate() {
                if column.is_some_and(|c| mask_row[c]) {
                    (self.still[x], self.gain0[x], self.gain1[x]) = (true, 0.0, 0.0);
                }
            }
        }
        // Repeated per channel in loops of their own: the position loop vectorises only while it
        // writes one value per pixel.
        for (g, &p) in self.g0.chunks_exact_mut(4).zip(&self.gain0) {
            g.fill(p);
        }
        for (g, &p) in self.g1.chunks_exact_mut(4).zip(&self.gain1) {
            g.fill(p);
        }
    }
}

/// `p` (a position minus one half, in pixels) in [`Fixed`] point: `floor(p·256 + 0.5)`, written
/// so it vectorises (x86-64's baseline has no rounding instruction). f32 keeps a 2048-pixel
/// position to 1/16 of a step, below the final rounding's half step.
#[inline]
fn to_fixed_f32(p: f32) -> Fixed {
    let q = p * SUBPIXEL as f32 + 0.5;
    let i = q as i32;
    i - i32::from(i as f32 > q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::structure::structure_maps;
    use crate::motion::MotionParams;
    use crate::render::warp::sample_catmull_rom;
    use crate::testing::landscape;

    /// The flow frame computed the plain way, pixel by pixel in f64 positions: what [`advect`]'s
    /// row-wise passes must reproduce.
    fn reference(
        fitted: &Rgba8Image,
        blend: &FlowBlend,
        field: &FlowField,
        index: u32,
        frozen: Option<&FreezeMask>,
        out: &mut [u8],
    ) {
        let (w, h) = (fitted.width() as usize, fitted.height() as usize);
        for y in 0..h {
            let v = y as f64 + 0.5;
            for x in 0..w {
                let (u, i) = (x as f64 + 0.5, (y * w + x) * 4);
                let (vx, vy) = field.velocity().at(u, v);
                let px = &mut out[i..i + 4];
                if (vx == 0.0 && vy == 0.0) || frozen.is_some_and(|m| m.is_frozen_at(u, v)) {
                    px.copy_from_slice(&fitted.data()[i..i + 4]);
                    continue;
                }
                let phases = FlowField::phases(field.base_phase(index), field.offset().at(u, v).0);
                let spread = (phases[0].weight.powi(2) + phases[1].weight.powi(2)).sqrt();
                let t = ((vx * vx + vy * vy).sqrt() / blend.decorrelation).min(1.0);
                let rho = t * t * (3.0 - 2.0 * t);
                let gain = 1.0 / ((1.0 - rho) + rho * spread);
                let mean = &blend.mean.data()[i..i + 4];
                let mut acc = [0f32; 3];
                for p in phases {
                    let s = f64::from(p.offset);
                    let a = sample_catmull_rom(fitted, u - s * f64::from(vx), v - s * f64::from(vy));
                    for c in 0..3 {
                        acc[c] += p.weight * (f32::from(a[c]) - f32::from(mean[c]));
                    }
                }
                for c in 0..3 {
                    px[c] = round_to_u8(f32::from(mean[c]) + acc[c] * gain);
                }
                px[3] = fitted.data()[i + 3];
            }
        }
    }

    #[test]
    fn row_wise_passes_match_the_per_pixel_reference() {
        let (fitted, _) = landscape(256, 192);
        let params = MotionParams { width: 256, height: 192, frames: 48, fps: 24, depth: 8, amplitude: 5.0, seed: 3 };
        let field = FlowField::new(&structure_maps(&fitted), params);
        assert!(field.amplitude() > 2.0, "the test needs a flowing field");
        let blend = FlowBlend::new(&fitted, field.amplitude());
        let (mut fast, mut slow) = (vec![0u8; fitted.data().len()], vec![0u8; fitted.data().len()]);
        let (mut off, mut total, mut changed) = (0usize, 0usize, 0usize);
        // The left third frozen (dark) in two of the frames.
        let mask: Vec<u8> =
            (0..256 * 192).flat_map(|i| if i % 256 < 85 { [0u8, 0, 0, 255] } else { [255; 4] }).collect();
        let mask = FreezeMask::new(&Rgba8Image::from_raw(256, 192, mask).expect("size"), 256, 192);
        for (index, frozen) in [(0, None), (7, None), (19, Some(&mask)), (30, Some(&mask))] {
            advect(&fitted, &blend, &field, index, frozen, &mut fast);
            reference(&fitted, &blend, &field, index, frozen, &mut slow);
            for ((&a, &b), &s) in fast.iter().zip(&slow).zip(fitted.data()) {
                assert!(a.abs_diff(b) <= 1, "frame {index}: {a} against {b}");
                off += usize::from(a != b);
                changed += usize::from(b != s);
                total += 1;
            }
        }
        assert!(changed > total / 4, "the reference frames barely move ({changed} of {total})");
        // Positions in f32 and the gain folded into the weights shift a few values across a
        // rounding boundary, never by more than one level.
        assert!(off * 1000 < total, "{off} of {total} values differ");
    }
}
