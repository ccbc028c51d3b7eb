//! A single-channel f32 plane and the small separable filters the analysis needs.

use rayon::prelude::*;

use crate::image::Rgba8Image;

/// A row-major f32 plane.
#[derive(Clone, PartialEq)]
pub struct FloatPlane {
    /// Width in samples.
    pub width: usize,
    /// Height in samples.
    pub height: usize,
    /// `width * height` values.
    pub data: Vec<f32>,
}

impl std::fmt::Debug for FloatPlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FloatPlane({}x{})", self.width, self.height)
    }
}

impl FloatPlane {
    /// A plane filled with `value`.
    pub fn filled(width: usize, height: usize, value: f32) -> Self {
        FloatPlane { width, height, data: vec![value; width * height] }
    }

    /// Rec. 709 luma of an sRGB image, in [0, 1] (on the encoded values, which is what the eye's
    /// texture judgement follows closely enough for analysis).
    pub fn luma(img: &Rgba8Image) -> Self {
        let data = img
            .data()
            .chunks_exact(4)
            .map(|p| (0.2126 * f32::from(p[0]) + 0.7152 * f32::from(p[1]) + 0.0722 * f32::from(p[2])) / 255.0)
            .collect();
        FloatPlane { width: img.width() as usize, height: img.height() as usize, data }
    }

    /// The value at `(x, y)` with mirrored edges (`-1` reads `0`, `w` reads `w - 1`).
    pub fn at(&self, x: isize, y: isize) -> f32 {
        self.data[mirror(y, self.height) * self.width + mirror(x, self.width)]
    }

    /// Bilinear sample at continuous coordinates (pixel centres at integer + 0.5), mirrored edges.
    pub fn sample(&self, x: f64, y: f64) -> f32 {
        let (fx, fy) = (x - 0.5, y - 0.5);
        let (x0, y0) = (fx.floor(), fy.floor());
        let (tx, ty) = ((fx - x0) as f32, (fy - y0) as f32);
        let (x0, y0) = (x0 as isize, y0 as isize);
        let top = self.at(x0, y0) * (1.0 - tx) + self.at(x0 + 1, y0) * tx;
        let bottom = self.at(x0, y0 + 1) * (1.0 - tx) + self.at(x0 + 1, y0 + 1) * tx;
        top * (1.0 - ty) + bottom * ty
    }

    /// Gaussian blur with standard deviation `sigma` samples (separable, mirrored edges, kernel
    /// truncated at 3σ). `sigma <= 0` returns a copy. Rows are filtered in parallel; each output
    /// value is computed in a fixed order, so the result does not depend on the thread count.
    pub fn blur(&self, sigma: f32) -> FloatPlane {
        if sigma <= 0.0 {
            return self.clone();
        }
        let radius = (3.0 * sigma).ceil() as isize;
        let mut kernel: Vec<f32> =
            (-radius..=radius).map(|i| libm::expf(-(i * i) as f32 / (2.0 * sigma * sigma))).collect();
        let sum: f32 = kernel.iter().sum();
        kernel.iter_mut().for_each(|k| *k /= sum);
        let (w, h) = (self.width, self.height);
        let r = radius as usize;
        // Horizontal: each row is padded once by mirroring, then whole shifted rows are weighted
        // and added, tap by tap, which vectorises (a dot product per pixel does not: float sums
        // may not be reordered). Each pixel still adds its taps in kernel order from -0.0, as
        // `Iterator::sum` would, so the bits are those of the per-pixel form.
        let mut tmp = vec![-0f32; w * h];
        tmp.par_chunks_exact_mut(w).enumerate().for_each_init(
            || vec![0f32; w + 2 * r],
            |padded, (y, out)| {
                let row = &self.data[y * w..(y + 1) * w];
                for (i, p) in padded.iter_mut().enumerate() {
                    *p = row[mirror(i as isize - radius, w)];
                }
                for (i, k) in kernel.iter().enumerate() {
                    for (o, v) in out.iter_mut().zip(&padded[i..i + w]) {
                        *o += k * v;
                    }
                }
            },
        );
        // Vertical: whole rows are weighted and added, which vectorises.
        let mut out = vec![0f32; w * h];
        out.par_chunks_exact_mut(w).enumerate().for_each(|(y, out_row)| {
            for (i, k) in kernel.iter().enumerate() {
                let src = mirror(y as isize + i as isize - radius, h);
                for (o, v) in out_row.iter_mut().zip(&tmp[src * w..(src + 1) * w]) {
                    *o += k * v;
                }
            }
        });
        FloatPlane { width: w, height: h, data: out }
    }

    /// A Gaussian blur of a wide `sigma` (samples) computed at a reduced resolution: the plane is
    /// averaged over `f × f` blocks (`f = ⌊σ/4⌋`), blurred there, and interpolated back
    /// bilinearly. The blocks and the interpolation blur a little themselves (variances
    /// `(f²−1)/12` and about `f²/6`), which the coarse blur leaves out, so the whole is close to
    /// [`blur`](FloatPlane::blur) (tested) at about `1/f³` of its cost: at σ = 20 on a 512² plane, 125
    /// taps per sample became 31 on a 103² plane. Narrower blurs are plain [`blur`](FloatPlane::blur)s.
    ///
    /// Detail near the block rate would alias through the blocks, but the block mean has a zero
    /// there and the blur removes what is left: shimmer's demodulated bands (σ = 16 at 1024²)
    /// came out within one level of the exact blur's frames (1.2 % of the values off by one).
    pub fn blur_wide(&self, sigma: f32) -> FloatPlane {
        let f = (sigma / 4.0) as usize;
        if f < 2 || self.width < 2 * f || self.height < 2 * f {
            return self.blur(sigma);
        }
        let ff = (f * f) as f32;
        let rest = (sigma * sigma - (ff - 1.0) / 12.0 - ff / 6.0).max(0.0);
        // Mirrored margins as wide as the kernel reaches (whole blocks), so the coarse blur's own
        // edges, which sit on block boundaries rather than on the plane's, never reach the plane.
        let pad = (3.0 * sigma / f as f32).ceil() as usize + 1;
        let coarse = self.block_mean(f, pad).blur(rest.sqrt() / f as f32);
        coarse.upsample(f, pad, self.width, self.height)
    }

    /// The mean of each `f × f` block of this plane extended by `pad` blocks of mirrored samples
    /// on every side (and to whole blocks on the right and at the bottom).
    fn block_mean(&self, f: usize, pad: usize) -> FloatPlane {
        let (w, h) = (self.width, self.height);
        let (cw, ch) = (w.div_ceil(f) + 2 * pad, h.div_ceil(f) + 2 * pad);
        let shift = (pad * f) as isize;
        let columns: Vec<usize> = (0..cw * f).map(|x| mirror(x as isize - shift, w)).collect();
        let norm = 1.0 / (f * f) as f32;
        let mut data = vec![0f32; cw * ch];
        data.par_chunks_exact_mut(cw).enumerate().for_each_init(
            || vec![0f32; cw * f],
            |sums, (j, out)| {
                // Column sums over the block's rows, then sums of f columns.
                sums.fill(0.0);
                for dy in 0..f {
                    let row = &self.data[mirror((j * f + dy) as isize - shift, h) * w..][..w];
                    for (s, &x) in sums.iter_mut().zip(&columns) {
                        *s += row[x];
                    }
                }
                for (o, block) in out.iter_mut().zip(sums.chunks_exact(f)) {
                    *o = block.iter().sum::<f32>() * norm;
                }
            },
        );
        FloatPlane { width: cw, height: ch, data }
    }

    /// Bilinear interpolation of this plane of block means (from [`block_mean`] with the same `f`
    /// and `pad`) back to the `width × height` plane, each block's value at its centre.
    ///
    /// [`block_mean`]: FloatPlane::block_mean
    fn upsample(&self, f: usize, pad: usize, width: usize, height: usize) -> FloatPlane {
        let cw = self.width;
        // The coarse position of fine sample i: (i + pad·f − (f − 1)/2) / f, inside the margins.
        let locate = |i: usize| -> (usize, f32) {
            let c = ((i + pad * f) as f32 - (f as f32 - 1.0) * 0.5) / f as f32;
            (c as usize, c - (c as usize) as f32)
        };
        let columns: Vec<(usize, f32)> = (0..width).map(locate).collect();
        let mut data = vec![0f32; width * height];
        data.par_chunks_exact_mut(width).enumerate().for_each_init(
            || vec![0f32; cw],
            |line, (y, out)| {
                let (y0, ty) = locate(y);
                let (top, bottom) = (&self.data[y0 * cw..][..cw], &self.data[(y0 + 1) * cw..][..cw]);
                for ((l, a), b) in line.iter_mut().zip(top).zip(bottom) {
                    *l = a * (1.0 - ty) + b * ty;
                }
                for (o, &(x0, tx)) in out.iter_mut().zip(&columns) {
                    *o = line[x0] * (1.0 - tx) + line[x0 + 1] * tx;
                }
            },
        );
        FloatPlane { width, height, data }
    }

    /// The `q`-quantile (0..=1) of the values.
    pub fn quantile(&self, q: f32) -> f32 {
        if self.data.is_empty() {
            return 0.0;
        }
        // Selection, not a full sort: the same value in linear time.
        let mut values = self.data.clone();
        let i = ((values.len() - 1) as f32 * q.clamp(0.0, 1.0)).round() as usize;
        *values.select_nth_unstable_by(i, f32::total_cmp).1
    }
}

/// Mirrors an index into `0..len` (`-1 → 0`, `len → len - 1`), for any distance.
pub fn mirror(i: isize, len: usize) -> usize {
    let len = len as isize;
    if len <= 1 {
        return 0;
    }
    let period = 2 * len;
    let m = i.rem_euclid(period);
    (if m < len { m } else { period - 1 - m }) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_reflects_about_the_edges() {
        let got: Vec<usize> = (-3..8).map(|i| mirror(i, 4)).collect();
        assert_eq!(got, [2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0]);
    }

    #[test]
    fn blur_keeps_constants_and_the_mean() {
        let p = FloatPlane::filled(20, 10, 0.25);
        assert!(p.blur(3.0).data.iter().all(|v| (v - 0.25).abs() < 1e-6));
        let mut spike = FloatPlane::filled(31, 31, 0.0);
        spike.data[15 * 31 + 15] = 1.0;
        let b = spike.blur(2.0);
        let total: f32 = b.data.iter().sum();
        assert!((total - 1.0).abs() < 1e-4, "{total}");
        assert!(b.data[15 * 31 + 15] < 0.05 && b.data[15 * 31 + 17] > 0.01);
    }

    /// A plane of white noise in [0, 1).
    fn noise(w: usize, h: usize) -> FloatPlane {
        let mut next = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15);
        let data = (0..w * h).map(|_| (next() >> 40) as f32 / (1u64 << 24) as f32).collect();
        FloatPlane { width: w, height: h, data }
    }

    #[test]
    fn wide_blur_is_close_to_the_exact_blur() {
        for (w, h, sigma) in [(203, 157, 20.5f32), (128, 96, 10.2), (64, 64, 12.0)] {
            let p = noise(w, h);
            let (exact, wide) = (p.blur(sigma), p.blur_wide(sigma));
            assert_eq!((wide.width, wide.height), (w, h));
            let spread = |q: &FloatPlane| q.data.iter().fold(0f32, |m, v| m.max((v - 0.5).abs()));
            let worst = exact.data.iter().zip(&wide.data).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
            // The exact blur of white noise keeps a small wobble around the mean; the wide one
            // must follow it, not just land near 0.5.
            assert!(worst < 0.12 * spread(&exact), "σ {sigma}: off by {worst}, wobble {}", spread(&exact));
        }
        // A ramp (what a mask's edge looks like at this scale) and a step.
        let ramp =
            FloatPlane { width: 300, height: 40, data: (0..300 * 40).map(|i| (i % 300) as f32 / 300.0).collect() };
        let (exact, wide) = (ramp.blur(16.0), ramp.blur_wide(16.0));
        let worst = exact.data.iter().zip(&wide.data).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(worst < 0.01, "ramp off by {worst}");
        let step =
            FloatPlane { width: 300, height: 40, data: (0..300 * 40).map(|i| f32::from(i % 300 >= 150)).collect() };
        let (exact, wide) = (step.blur(16.0), step.blur_wide(16.0));
        let worst = exact.data.iter().zip(&wide.data).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(worst < 0.02, "step off by {worst}");
        let flat = FloatPlane::filled(100, 80, 0.3);
        assert!(flat.blur_wide(12.0).data.iter().all(|v| (v - 0.3).abs() < 1e-6));
    }

    #[test]
    fn quantile_picks_the_sorted_value() {
        let p = noise(50, 30);
        let mut sorted = p.data.clone();
        sorted.sort_by(f32::total_cmp);
        for q in [0.0, 0.1, 0.5, 0.9, 1.0] {
            let i = ((sorted.len() - 1) as f32 * q).round() as usize;
            assert_eq!(p.quantile(q), sorted[i]);
        }
        assert_eq!(FloatPlane::filled(0, 0, 1.0).quantile(0.5), 0.0);
    }
}
