//! Rendering of the flow motion: the two advected copies, each one Catmull-Rom sample, blended
//! around a local mean so the crossfade keeps the texture's contrast.
//!
//! Frames come in two layouts: RGBA ([`advect`], for the preview and AVI) and I420
//! ([`advect_i420`], for WebCodecs). The I420 form samples one-byte planes of the fitted image and
//! of its mean, converted once ([`FlowPlanes`]): per pixel two luma samples and, per 2x2 block, two
//! samples of each chroma plane at the block's mean position (as the resonance's
//! [`super::planar`] warp does), with the block's mean blend gains. The blend is affine in the
//! colour, so luma equals the RGBA frame converted up to rounding.

use rayon::prelude::*;

use crate::image::{round_to_u8, Rgba8Image};
use crate::motion::field::{FieldRow, FrameField};
use crate::motion::flow::{blend_sigma, FlowField};
use crate::motion::freeze::FreezeMask;
use crate::raster::plane::FloatPlane;
use crate::render::planar::{blocks, chroma_position, SourceI420};
use crate::render::sampler::{sample_row, SamplePlane};
use crate::render::warp::{sample_fixed, weight_table, Fixed, SUBPIXEL};
use crate::render::yuv::{self, i420_len, I420};

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
        let sigma = blend_sigma(amplitude);
        let (w, h) = (fitted.width() as usize, fitted.height() as usize);
        let channel = |c: usize| FloatPlane {
            width: w,
            height: h,
            data: fitted.data().chunks_exact(4).map(|p| f32::from(p[c])).collect(),
        };
        let blurred: Vec<FloatPlane> = (0..3).map(|c| channel(c).blur(sigma)).collect();
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

/// The fitted image and the blend's local mean in I420, made once for a video's frames.
#[derive(Debug, Clone)]
pub struct FlowPlanes {
    image: SourceI420,
    mean: I420,
}

impl FlowPlanes {
    /// Converts `fitted` and `blend`'s mean, for the copies of `field`.
    pub fn new(fitted: &Rgba8Image, blend: &FlowBlend, field: &FlowField) -> Self {
        // A copy is displaced by up to its full velocity.
        let reach = f64::from(field.velocity().max_magnitude());
        FlowPlanes { image: SourceI420::new(fitted, reach), mean: I420::from_rgba(&blend.mean) }
    }

    /// The fitted image in I420: the frame of a still field.
    pub fn image(&self) -> &I420 {
        &self.image.planes
    }
}

/// Renders flow frame `index` into `out` (RGBA, the size of `fitted`). Pixels that are frozen or
/// have zero velocity are copied exactly.
///
/// Each row is done in passes over slices: both copies' source positions and blend weights, per
/// pixel in f32 and i32 (which the compiler vectorises); the samples; the blend, per channel (which
/// vectorises too). A per-pixel form, with its square roots, division and f64 positions among the
/// samples, vectorises none of it and is more than twice as slow.
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
        || (RowPlan::new(w), RgbaRow::new(w)),
        |(plan, rgba), (y, out_row)| {
            plan.fill(&columns, field, base, blend.decorrelation, frozen, y);
            let (src, mean) = (fitted.row(y), blend.mean.row(y));
            for x in 0..w {
                if plan.still[x] {
                    continue;
                }
                let at = x * 4..x * 4 + 4;
                if plan.gain0[x] != 0.0 {
                    rgba.a[at.clone()].copy_from_slice(&sample_fixed(fitted, table, plan.fx0[x], plan.fy0[x]));
                }
                if plan.gain1[x] != 0.0 {
                    rgba.b[at].copy_from_slice(&sample_fixed(fitted, table, plan.fx1[x], plan.fy1[x]));
                }
            }
            // The gains repeated per channel in loops of their own, then the blend, one channel
            // at a time over the whole row, so each vectorises. A copy's weight is exactly 0 where
            // it was not sampled, so a stale sample there adds nothing.
            for (g, &p) in rgba.g0.chunks_exact_mut(4).zip(&plan.gain0) {
                g.fill(p);
            }
            for (g, &p) in rgba.g1.chunks_exact_mut(4).zip(&plan.gain1) {
                g.fill(p);
            }
            blend_row(out_row, mean, &rgba.a, &rgba.b, &rgba.g0, &rgba.g1);
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

/// Renders flow frame `index` into `out` (I420, the size of `planes`): [`advect`]'s frame in the
/// encoder's layout. Each task renders a pair of luma rows and the chroma row they share: the
/// rows' plans (positions, gains, still pixels) are made once and serve luma and chroma.
///
/// # Panics
/// When `out` is not an I420 frame of `planes`' size (a caller bug).
pub fn advect_i420(
    planes: &FlowPlanes,
    blend: &FlowBlend,
    field: &FlowField,
    index: u32,
    frozen: Option<&FreezeMask>,
    out: &mut [u8],
) {
    let (src, mean) = (&planes.image, &planes.mean);
    let (w, h) = (src.planes.y.width, src.planes.y.height);
    let cw = src.planes.cb.width;
    assert_eq!(out.len(), i420_len(w, h), "I420 frame size");
    if w == 0 || h == 0 {
        return;
    }
    let columns = Columns::new(w, field.velocity(), frozen);
    let base = field.base_phase(index);
    let (luma, chroma) = out.split_at_mut(w * h);
    let (cb, cr) = chroma.split_at_mut(chroma.len() / 2);
    let tasks = luma.par_chunks_mut(2 * w).zip(cb.par_chunks_exact_mut(cw)).zip(cr.par_chunks_exact_mut(cw));
    tasks.enumerate().for_each_init(
        || ([RowPlan::new(w), RowPlan::new(w)], PlaneRow::new(w), BlockPlan::new(cw)),
        |([top_plan, bottom_plan], samples, blocks), (j, ((luma_rows, cb_row), cr_row))| {
            let (top, bottom) = luma_rows.split_at_mut(w);
            let mut luma_row = |plan: &mut RowPlan, y: usize, out: &mut [u8]| {
                plan.fill(&columns, field, base, blend.decorrelation, frozen, y);
                samples.render((&src.planes.y, &src.y), &mean.y, y, plan.as_copies(), out);
            };
            luma_row(top_plan, 2 * j, top);
            // An odd last row: its chroma blocks are one row tall.
            let second = if bottom.is_empty() {
                &*top_plan
            } else {
                luma_row(bottom_plan, 2 * j + 1, bottom);
                &*bottom_plan
            };
            blocks.fill(top_plan, second);
            let chroma = [((&src.planes.cb, &src.cb), &mean.cb, cb_row), ((&src.planes.cr, &src.cr), &mean.cr, cr_row)];
            for (plane, mean, out) in chroma {
                samples.render(plane, mean, j, blocks.as_copies(), out);
            }
        },
    );
}

/// `out = m + g0·(a − m) + g1·(b − m)` per value, rounded: the contrast-preserving crossfade.
fn blend_row(out: &mut [u8], mean: &[u8], a: &[u8], b: &[u8], g0: &[f32], g1: &[f32]) {
    for ((((o, &m), &a), &b), (&g0, &g1)) in out.iter_mut().zip(mean).zip(a).zip(b).zip(g0.iter().zip(g1)) {
        let m = f32::from(m);
        *o = round_to_u8(m + g0 * (f32::from(a) - m) + g1 * (f32::from(b) - m));
    }
}

/// Both copies' positions and gains over one row of a plane, and which values are copied.
struct Copies<'a> {
    x0: &'a [Fixed],
    y0: &'a [Fixed],
    x1: &'a [Fixed],
    y1: &'a [Fixed],
    gain0: &'a [f32],
    gain1: &'a [f32],
    still: &'a [bool],
}

/// A row of one plane: both copies' samples.
struct PlaneRow {
    a: Vec<u8>,
    b: Vec<u8>,
}

impl PlaneRow {
    fn new(width: usize) -> Self {
        PlaneRow { a: vec![0; width], b: vec![0; width] }
    }

    /// Samples a plane (`plane`: its bytes, and the `copy` the sampler reads) for both copies and
    /// blends them around `mean`'s row `y` into `out`, row `y` of the frame's plane; still values
    /// are copied from the plane's own row.
    fn render(
        &mut self,
        (plane, copy): (&yuv::Plane, &SamplePlane),
        mean: &yuv::Plane,
        y: usize,
        c: Copies<'_>,
        out: &mut [u8],
    ) {
        let n = out.len();
        let table = weight_table();
        sample_row(copy, table, c.x0, c.y0, &mut self.a[..n]);
        sample_row(copy, table, c.x1, c.y1, &mut self.b[..n]);
        blend_row(out, mean.row(y), &self.a[..n], &self.b[..n], c.gain0, c.gain1);
        for ((o, &s), &still) in out.iter_mut().zip(plane.row(y)).zip(c.still) {
            if still {
                *o = s;
            }
        }
    }
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
    /// Each copy's weight times the contrast gain (exactly 0 where the copy is invisible). A
    /// still pixel has its own centre for both positions and the bare weights (which sum to one),
    /// so the blend of a 2x2 block that is partly still is the blend of its four pixels' plans.
    gain0: Vec<f32>,
    gain1: Vec<f32>,
    still: Vec<bool>,
    /// The velocity and phase offset fields along the row, per grid column (buffers reused from
    /// row to row, see [`FrameField::row_into`]).
    velocity: FieldRow,
    offset: FieldRow,
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
            still: vec![false; width],
            velocity: FieldRow::default(),
            offset: FieldRow::default(),
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
        field.velocity().row_into(v, &mut self.velocity);
        field.offset().row_into(v, &mut self.offset);
        let ((rx, ry), rp) = (self.velocity.components(), self.offset.components().0);
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
            // At zero velocity the gain is exactly 1.
            let spread = (w0 * w0 + w1 * w1).sqrt();
            let t = (vx * vx + vy * vy).sqrt() / decorrelation;
            let t = if t > 1.0 { 1.0 } else { t };
            let rho = t * t * (3.0 - 2.0 * t);
            let gain = 1.0 / ((1.0 - rho) + rho * spread);
            self.gain0[x] = w0 * gain;
            self.gain1[x] = w1 * gain;
            let column = x as f32;
            self.fx0[x] = to_fixed_f32(column - s0 * vx);
            self.fy0[x] = to_fixed_f32(row - s0 * vy);
            self.fx1[x] = to_fixed_f32(column - s1 * vx);
            self.fy1[x] = to_fixed_f32(row - s1 * vy);
            self.still[x] = vx == 0.0 && vy == 0.0;
        }
        // Frozen pixels are copied: still, on their own centre.
        if let Some(mask_row) = frozen.and_then(|m| m.row(v)) {
            let fy = to_fixed_f32(row);
            for (x, column) in columns.mask.iter().enumerate() {
                if column.is_some_and(|c| mask_row[c]) {
                    let [p0, p1] = FlowField::phases(base, self.phase[x]);
                    let fx = to_fixed_f32(x as f32);
                    (self.gain0[x], self.gain1[x], self.still[x]) = (p0.weight, p1.weight, true);
                    (self.fx0[x], self.fy0[x], self.fx1[x], self.fy1[x]) = (fx, fy, fx, fy);
                }
            }
        }
    }

    fn as_copies(&self) -> Copies<'_> {
        let (x0, y0, x1, y1) = (&self.fx0, &self.fy0, &self.fx1, &self.fy1);
        Copies { x0, y0, x1, y1, gain0: &self.gain0, gain1: &self.gain1, still: &self.still }
    }
}

/// One chroma row's plan, from the two luma rows over it: per 2x2 block, each copy at the mean of
/// its four positions ([`chroma_position`]) with the mean of its four gains; a block is copied when
/// all four pixels are.
struct BlockPlan {
    x0: Vec<Fixed>,
    y0: Vec<Fixed>,
    x1: Vec<Fixed>,
    y1: Vec<Fixed>,
    gain0: Vec<f32>,
    gain1: Vec<f32>,
    still: Vec<bool>,
}

impl BlockPlan {
    fn new(width: usize) -> Self {
        let i = || vec![0 as Fixed; width];
        let f = || vec![0f32; width];
        BlockPlan { x0: i(), y0: i(), x1: i(), y1: i(), gain0: f(), gain1: f(), still: vec![false; width] }
    }

    fn fill(&mut self, top: &RowPlan, bottom: &RowPlan) {
        let (t, b) = (top.as_copies(), bottom.as_copies());
        blocks(t.x0, b.x0, &mut self.x0, chroma_position);
        blocks(t.y0, b.y0, &mut self.y0, chroma_position);
        blocks(t.x1, b.x1, &mut self.x1, chroma_position);
        blocks(t.y1, b.y1, &mut self.y1, chroma_position);
        let mean = |p: f32, q: f32, r: f32, s: f32| 0.25 * (p + q + r + s);
        blocks(t.gain0, b.gain0, &mut self.gain0, mean);
        blocks(t.gain1, b.gain1, &mut self.gain1, mean);
        blocks(t.still, b.still, &mut self.still, |p, q, r, s| p && q && r && s);
    }

    fn as_copies(&self) -> Copies<'_> {
        let (x0, y0, x1, y1) = (&self.x0, &self.y0, &self.x1, &self.y1);
        Copies { x0, y0, x1, y1, gain0: &self.gain0, gain1: &self.gain1, still: &self.still }
    }
}

/// The RGBA path's per-row buffers: each copy's samples and gains, four values a pixel.
struct RgbaRow {
    a: Vec<u8>,
    b: Vec<u8>,
    g0: Vec<f32>,
    g1: Vec<f32>,
}

impl RgbaRow {
    fn new(width: usize) -> Self {
        RgbaRow { a: vec![0; width * 4], b: vec![0; width * 4], g0: vec![0.0; width * 4], g1: vec![0.0; width * 4] }
    }
}

/// `p` (a position minus one half, in pixels) in [`Fixed`] point: `floor(p·256 + 0.5)`. f32 keeps
/// a 2048-pixel position to 1/16 of a step, below the final rounding's half step.
///
/// wasm has a vector floor (`f32x4.floor`), and the floored value becomes an integer through
/// [`whole_to_i32`], not four saturating conversions a pixel, which are slow in wasm. Flow's
/// positions are far inside its bound: at most the output side (2048) plus four times the largest
/// amplitude (5 % of the side) from the image, under 2^20 steps. x86-64's baseline has no rounding
/// instruction, so natively it is a truncation corrected for negative values, which vectorises
/// there. Both are the exact floor, so they give the same positions.
#[inline]
fn to_fixed_f32(p: f32) -> Fixed {
    let q = p * SUBPIXEL as f32 + 0.5;
    #[cfg(target_arch = "wasm32")]
    {
        whole_to_i32(q.floor())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let i = q as i32;
        i - i32::from(i as f32 > q)
    }
}

/// A whole number `n` below 2^22 in magnitude as an i32, exactly: `n + 1.5·2^23` lies in
/// [2^23, 2^24), where a float's last mantissa bit is worth 1, so its bits are those of 1.5·2^23
/// plus `n`. Two instructions, where V8 lowers the saturating conversion (`as i32`,
/// `i32x4.trunc_sat_f32x4_s`) to about eight.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[inline(always)]
fn whole_to_i32(n: f32) -> i32 {
    const SHIFT: f32 = 12_582_912.0; // 1.5·2^23
    (n + SHIFT).to_bits() as i32 - SHIFT.to_bits() as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::motion::MotionParams;
    use crate::render::warp::sample_catmull_rom;
    use crate::testing::{flow_field, i420_error, landscape};

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
    fn whole_numbers_below_2_pow_22_convert_exactly() {
        let edges = [0.0, 1.0, -1.0, 2047.0, -2048.0, 4_194_303.0, -4_194_303.0, 1_048_576.0, -1_048_577.0];
        let mut next = crate::testing::xorshift(0x3c6e_f372_fe94_f82b);
        let random = (0..100_000).map(|_| ((next() % (1 << 23)) as i64 - (1 << 22) + 1) as f32);
        for n in edges.into_iter().chain(random) {
            assert_eq!(whole_to_i32(n), n as i32, "{n}");
        }
    }

    #[test]
    fn row_wise_passes_match_the_per_pixel_reference() {
        let (fitted, _) = landscape(256, 192);
        let params = MotionParams { width: 256, height: 192, frames: 48, fps: 24, depth: 8, amplitude: 5.0, seed: 3 };
        let field = flow_field(&fitted, params);
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

    #[test]
    fn i420_frames_are_the_rgba_frames_converted_and_frozen_blocks_are_copied() {
        let (w, h) = (256usize, 192usize);
        let (fitted, _) = landscape(w as u32, h as u32);
        let params = MotionParams { width: 256, height: 192, frames: 48, fps: 24, depth: 8, amplitude: 5.0, seed: 3 };
        let field = flow_field(&fitted, params);
        let blend = FlowBlend::new(&fitted, field.amplitude());
        let planes = FlowPlanes::new(&fitted, &blend, &field);
        // The left 86 columns (43 whole chroma blocks) frozen.
        let mask: Vec<u8> = (0..w * h).flat_map(|i| if i % w < 86 { [0u8, 0, 0, 255] } else { [255; 4] }).collect();
        let mask = FreezeMask::new(&Rgba8Image::from_raw(256, 192, mask).expect("size"), 256, 192);
        let (mut rgba, mut yuv) = (vec![0u8; w * h * 4], vec![0u8; i420_len(w, h)]);
        for (index, frozen) in [(0, None), (11, None), (19, Some(&mask)), (30, Some(&mask))] {
            advect(&fitted, &blend, &field, index, frozen, &mut rgba);
            advect_i420(&planes, &blend, &field, index, frozen, &mut yuv);
            let e = i420_error(&rgba, &yuv, w, h);
            // Each copy's sample is rounded before the blend multiplies it by its gain (up to √2),
            // so a luma value may land a little further off than a resonance one (2 levels).
            assert!(e.luma_worst <= 3.0 && e.luma_mean <= 0.6, "frame {index}: luma {e:?}");
            assert!(e.chroma_mean <= 0.75, "frame {index}: chroma {e:?}");
            assert_ne!(yuv[..w * h], planes.image.planes.y.data[..], "frame {index} moves");
            if frozen.is_some() {
                for y in 0..h {
                    assert_eq!(
                        yuv[y * w..y * w + 86],
                        planes.image.planes.y.row(y)[..86],
                        "frame {index} luma row {y}"
                    );
                }
                let (cb, cr) = yuv[w * h..].split_at(w * h / 4);
                for y in 0..h / 2 {
                    let at = y * w / 2..y * w / 2 + 43;
                    assert_eq!(cb[at.clone()], planes.image.planes.cb.row(y)[..43], "frame {index} Cb row {y}");
                    assert_eq!(cr[at], planes.image.planes.cr.row(y)[..43], "frame {index} Cr row {y}");
                }
            }
        }
    }
}
