//! A single-channel f32 plane and the small separable filters the analysis needs.

use rayon::prelude::*;

use crate::image::Rgba8Image;

/// A row-major f32 plane.
#[derive(Clone, PartialEq)]
pub struct Plane {
    /// Width in samples.
    pub width: usize,
    /// Height in samples.
    pub height: usize,
    /// `width * height` values.
    pub data: Vec<f32>,
}

impl std::fmt::Debug for Plane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Plane({}x{})", self.width, self.height)
    }
}

impl Plane {
    /// A plane filled with `value`.
    pub fn filled(width: usize, height: usize, value: f32) -> Self {
        Plane { width, height, data: vec![value; width * height] }
    }

    /// Rec. 709 luma of an sRGB image, in [0, 1] (on the encoded values, which is what the eye's
    /// texture judgement follows closely enough for analysis).
    pub fn luma(img: &Rgba8Image) -> Self {
        let data = img
            .data()
            .chunks_exact(4)
            .map(|p| (0.2126 * f32::from(p[0]) + 0.7152 * f32::from(p[1]) + 0.0722 * f32::from(p[2])) / 255.0)
            .collect();
        Plane { width: img.width() as usize, height: img.height() as usize, data }
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
    pub fn blur(&self, sigma: f32) -> Plane {
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
        Plane { width: w, height: h, data: out }
    }

    /// The `q`-quantile (0..=1) of the values.
    pub fn quantile(&self, q: f32) -> f32 {
        let mut sorted = self.data.clone();
        sorted.sort_by(f32::total_cmp);
        let i = ((sorted.len() - 1) as f32 * q.clamp(0.0, 1.0)).round() as usize;
        sorted.get(i).copied().unwrap_or(0.0)
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
        let p = Plane::filled(20, 10, 0.25);
        assert!(p.blur(3.0).data.iter().all(|v| (v - 0.25).abs() < 1e-6));
        let mut spike = Plane::filled(31, 31, 0.0);
        spike.data[15 * 31 + 15] = 1.0;
        let b = spike.blur(2.0);
        let total: f32 = b.data.iter().sum();
        assert!((total - 1.0).abs() < 1e-4, "{total}");
        assert!(b.data[15 * 31 + 15] < 0.05 && b.data[15 * 31 + 17] > 0.01);
    }
}
