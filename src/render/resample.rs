//! A separable resampler for axis-aligned views (scale + sub-pixel offset), with real filtering.
//!
//! Each output pixel is a weighted average of source pixels under a tent (triangle) kernel whose
//! half-width is `max(scale, 1)` source pixels:
//!
//! - when magnifying (`scale <= 1`) that is exactly bilinear interpolation;
//! - when minifying (`scale > 1`) the kernel widens with the scale, so it averages the whole
//!   footprint of the output pixel (area averaging) and a 2048-wide photo shown at 1024 does not
//!   alias. Because the kernel changes continuously with the scale, a zoom never pops between
//!   mip levels.
//!
//! Edges are clamped (the edge pixel repeats), weights are normalised to sum to one, and values are
//! rounded, never truncated. Rows are independent, so they are computed in parallel with rayon and
//! the result is bit-identical for any number of threads.

use rayon::prelude::*;

use crate::image::Rgba8Image;
use crate::render::camera::View;

/// Filter taps along one axis: for output index `i`, source indices `start[i]..start[i] + taps`
/// with weights `weights[i * taps..(i + 1) * taps]`.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisTaps {
    /// First source index of each output index's window (non-decreasing).
    pub start: Vec<usize>,
    /// `taps` weights per output index, summing to 1.
    pub weights: Vec<f32>,
    /// Window length.
    pub taps: usize,
}

impl AxisTaps {
    /// Taps for `out_len` outputs whose pixel `i` covers source `[offset + i*scale, offset + (i+1)*scale)`
    /// of a `src_len`-long axis.
    pub fn new(out_len: usize, src_len: usize, offset: f64, scale: f64) -> Self {
        debug_assert!(src_len > 0 && scale > 0.0);
        let support = scale.max(1.0);
        let candidates = (2.0 * support).ceil() as usize + 1;
        let taps = candidates.min(src_len);
        let last_start = (src_len - taps) as i64;
        let mut start = Vec::with_capacity(out_len);
        let mut weights = vec![0f32; out_len * taps];
        for (i, w) in weights.chunks_exact_mut(taps).enumerate() {
            let centre = offset + (i as f64 + 0.5) * scale;
            // The first source pixel whose centre (j + 0.5) lies strictly inside the kernel.
            let first = (centre - support - 0.5).floor() as i64 + 1;
            let window = first.clamp(0, last_start);
            let mut acc = [0f64; 64];
            let acc = &mut acc[..taps.min(64)];
            let mut total = 0.0;
            for j in first..first + candidates as i64 {
                let weight = 1.0 - ((j as f64 + 0.5 - centre).abs() / support);
                if weight <= 0.0 {
                    continue;
                }
                let clamped = j.clamp(0, src_len as i64 - 1);
                let slot = (clamped - window) as usize;
                if let Some(a) = acc.get_mut(slot) {
                    *a += weight;
                    total += weight;
                }
            }
            for (dst, a) in w.iter_mut().zip(acc.iter()) {
                *dst = (*a / total) as f32;
            }
            start.push(window as usize);
        }
        AxisTaps { start, weights, taps }
    }

    fn of(&self, i: usize) -> (usize, &[f32]) {
        (self.start[i], &self.weights[i * self.taps..(i + 1) * self.taps])
    }
}

/// Renders `view` of `src` into `out`, a `width x height` RGBA buffer.
///
/// # Panics
/// When `out.len() != width * height * 4` (a caller bug) or when the kernel is wider than 64 taps,
/// which the renderer prevents by bounding the source-to-output scale.
pub fn resample(src: &Rgba8Image, view: View, out: &mut [u8], width: usize, height: usize) {
    assert_eq!(out.len(), width * height * 4, "output buffer size");
    let horizontal = AxisTaps::new(width, src.width() as usize, view.offset_x, view.scale);
    let vertical = AxisTaps::new(height, src.height() as usize, view.offset_y, view.scale);
    assert!(horizontal.taps <= 64 && vertical.taps <= 64, "scale {} too large", view.scale);
    let col_lo = horizontal.start[0];
    let col_hi = horizontal.start[width - 1] + horizontal.taps;
    out.par_chunks_exact_mut(width * 4).enumerate().for_each_init(
        || vec![0f32; (col_hi - col_lo) * 4],
        |column_sums, (y, out_row)| {
            // Vertical pass over only the columns this frame reads.
            column_sums.fill(0.0);
            let (row0, wv) = vertical.of(y);
            for (k, &w) in wv.iter().enumerate() {
                let src_row = &src.row(row0 + k)[col_lo * 4..col_hi * 4];
                for (sum, &s) in column_sums.iter_mut().zip(src_row) {
                    *sum += w * f32::from(s);
                }
            }
            // Horizontal pass.
            for (x, px) in out_row.chunks_exact_mut(4).enumerate() {
                let (col0, wh) = horizontal.of(x);
                let base = (col0 - col_lo) * 4;
                let mut acc = [0f32; 4];
                for (k, &w) in wh.iter().enumerate() {
                    let s = &column_sums[base + k * 4..base + k * 4 + 4];
                    for c in 0..4 {
                        acc[c] += w * s[c];
                    }
                }
                for c in 0..4 {
                    px[c] = (acc[c].clamp(0.0, 255.0) + 0.5) as u8;
                }
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{gradient, zone_plate};

    fn render(src: &Rgba8Image, view: View, w: usize, h: usize) -> Vec<u8> {
        let mut out = vec![0u8; w * h * 4];
        resample(src, view, &mut out, w, h);
        out
    }

    #[test]
    fn weights_sum_to_one_and_stay_in_range() {
        for &(scale, offset) in &[(0.37, 3.3), (1.0, 0.0), (1.5, -0.25), (2.0, 10.0), (5.3, 1.7)] {
            let taps = AxisTaps::new(50, 400, offset, scale);
            for i in 0..50 {
                let (start, w) = taps.of(i);
                let sum: f32 = w.iter().sum();
                assert!((sum - 1.0).abs() < 1e-5, "scale {scale} i {i} sum {sum}");
                assert!(start + taps.taps <= 400);
            }
        }
    }

    #[test]
    fn identity_view_copies_the_source_exactly() {
        let src = gradient(33, 17);
        let out = render(&src, View { scale: 1.0, offset_x: 0.0, offset_y: 0.0 }, 33, 17);
        assert_eq!(out, src.data());
    }

    #[test]
    fn half_pixel_shift_averages_neighbours() {
        // A vertical step edge: columns < 8 are 0, the rest 200.
        let data: Vec<u8> = (0..16 * 4)
            .flat_map(|i| {
                let v = if i % 16 < 8 { 0 } else { 200 };
                [v, v, v, 255]
            })
            .collect();
        let src = Rgba8Image::from_raw(16, 4, data).expect("size");
        let out = render(&src, View { scale: 1.0, offset_x: 0.5, offset_y: 0.0 }, 15, 4);
        // Output pixel 7 sits exactly between source columns 7 (0) and 8 (200).
        assert_eq!(out[7 * 4], 100);
        assert_eq!(out[6 * 4], 0);
        assert_eq!(out[8 * 4], 200);
        // A quarter-pixel shift weights 3:1, proving sub-pixel accuracy.
        let out = render(&src, View { scale: 1.0, offset_x: 0.25, offset_y: 0.0 }, 15, 4);
        assert_eq!(out[7 * 4], 50);
    }

    #[test]
    fn constant_image_stays_constant_at_any_view() {
        let src = Rgba8Image::from_raw(40, 30, [90u8, 140, 230, 255].repeat(40 * 30)).expect("size");
        for view in [
            View { scale: 0.3, offset_x: 5.1, offset_y: 2.7 },
            View { scale: 2.5, offset_x: 0.0, offset_y: 0.0 },
            View { scale: 1.0, offset_x: -3.0, offset_y: 28.0 },
        ] {
            let out = render(&src, view, 16, 12);
            assert!(out.chunks_exact(4).all(|p| p == [90, 140, 230, 255]), "{view:?}");
        }
    }

    #[test]
    fn halving_a_zone_plate_does_not_alias() {
        // The outer rings of the zone plate are above the half-size Nyquist limit: a proper
        // low-pass filter turns them to flat grey, point sampling turns them into false rings.
        let src = zone_plate(512);
        let out = render(&src, View { scale: 2.0, offset_x: 0.0, offset_y: 0.0 }, 256, 256);
        let corner_contrast = |img: &[u8], w: usize| {
            let (mut lo, mut hi) = (255u8, 0u8);
            for y in 0..w / 8 {
                for x in 0..w / 8 {
                    let v = img[(y * w + x) * 4];
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
            hi - lo
        };
        // Point sampling (every 2nd pixel) keeps the full contrast in the corner as moiré...
        let point: Vec<u8> =
            (0..256 * 256).flat_map(|i| src.pixel((i % 256) as u32 * 2, (i / 256) as u32 * 2)).collect();
        assert!(corner_contrast(&point, 256) > 200);
        // ...the area filter does not.
        let c = corner_contrast(&out, 256);
        assert!(c < 40, "corner contrast after filtering: {c}");
        // And the low-frequency centre keeps its contrast.
        let centre = out[(128 * 256 + 128) * 4];
        assert!(centre > 200, "centre {centre}");
    }

    #[test]
    fn one_pixel_checkerboard_minified_by_two_is_flat_grey() {
        let size = 64u32;
        let data: Vec<u8> = (0..size * size)
            .flat_map(|i| {
                let v = if (i % size + i / size) % 2 == 0 { 0 } else { 255 };
                [v, v, v, 255]
            })
            .collect();
        let src = Rgba8Image::from_raw(size, size, data).expect("size");
        // Aligned and at a sub-pixel offset: point or bilinear sampling would give black/white moiré.
        for offset in [0.0, 0.3, 0.5] {
            let out = render(&src, View { scale: 2.0, offset_x: offset, offset_y: offset }, 24, 24);
            // The outermost ring of pixels reaches past the source, where edge pixels repeat.
            for y in 1..23 {
                for x in 1..23 {
                    let v = out[(y * 24 + x) * 4];
                    assert!(v.abs_diff(128) <= 1, "offset {offset} pixel ({x}, {y}): {v}");
                }
            }
        }
    }

    #[test]
    fn thread_count_does_not_change_a_bit() {
        let src = zone_plate(300);
        let view = View { scale: 1.37, offset_x: 11.3, offset_y: 4.9 };
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
        let four = rayon::ThreadPoolBuilder::new().num_threads(4).build().expect("pool");
        let a = one.install(|| render(&src, view, 200, 150));
        let b = four.install(|| render(&src, view, 200, 150));
        assert_eq!(a, b);
    }
}
