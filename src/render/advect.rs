//! Rendering of the flow motion: the two advected copies, each one Catmull-Rom sample, blended
//! around a local mean so the crossfade keeps the texture's contrast.

use rayon::prelude::*;

use crate::analysis::luma::Plane;
use crate::image::{round_to_u8, Rgba8Image};
use crate::motion::flow::FlowField;
use crate::render::freeze::FreezeMask;
use crate::render::warp::{sample_fixed, to_fixed, weight_table};

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
    let velocity = field.velocity();
    let base = field.base_phase(index);
    let table = weight_table();
    let columns: Vec<(usize, f32)> = (0..w).map(|x| velocity.column(x as f64 + 0.5)).collect();
    out.par_chunks_exact_mut(w * 4).enumerate().for_each(|(y, out_row)| {
        let v = y as f64 + 0.5;
        let row = velocity.row(v);
        let offsets = field.offset().row(v);
        let src = fitted.row(y);
        let mean = blend.mean.row(y);
        for (x, px) in out_row.chunks_exact_mut(4).enumerate() {
            let u = x as f64 + 0.5;
            let (vx, vy) = row.at_column(columns[x]);
            if (vx == 0.0 && vy == 0.0) || frozen.is_some_and(|m| m.is_frozen_at(u, v)) {
                px.copy_from_slice(&src[x * 4..x * 4 + 4]);
                continue;
            }
            let phases = FlowField::phases(base, offsets.at_column(columns[x]).0);
            let spread = libm::sqrtf(phases[0].weight * phases[0].weight + phases[1].weight * phases[1].weight);
            // All four lanes (alpha too, then overwritten), so the channel loops vectorise.
            let m: [f32; 4] = std::array::from_fn(|c| f32::from(mean[x * 4 + c]));
            let mut acc = [0f32; 4];
            for phase in phases.iter().filter(|p| p.weight > 0.0) {
                let (s, wt) = (f64::from(phase.offset), phase.weight);
                let a = sample_fixed(fitted, table, to_fixed(u - s * f64::from(vx)), to_fixed(v - s * f64::from(vy)));
                for c in 0..4 {
                    acc[c] += wt * (f32::from(a[c]) - m[c]);
                }
            }
            // Variance-preserving normalisation, phased in as the copies decorrelate: copies that
            // barely moved apart are the same texture, and a plain mix of them is already right.
            let t = (libm::sqrtf(vx * vx + vy * vy) / blend.decorrelation).min(1.0);
            let rho = t * t * (3.0 - 2.0 * t);
            let gain = 1.0 / ((1.0 - rho) + rho * spread);
            for c in 0..4 {
                px[c] = round_to_u8(m[c] + acc[c] * gain);
            }
            px[3] = src[x * 4 + 3];
        }
    });
}
