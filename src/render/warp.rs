//! The backward warp: every output pixel takes exactly one sample of the fitted image at a
//! continuous source position, so holes are impossible by construction.
//!
//! Sampling is Catmull-Rom (4×4 taps): bilinear would make fine detail "breathe" as sub-pixel
//! offsets change from frame to frame (it keeps about 0.9 of mid-band energy at a half-pixel shift,
//! Catmull-Rom 0.98). Edges are mirrored. Results are clamped to [0, 255] and rounded.
//! Pixels whose position is exactly their own centre are copied, so still regions are bit-exact.

use rayon::prelude::*;

use crate::analysis::luma::mirror;
use crate::image::Rgba8Image;

/// Catmull-Rom weights for taps at offsets −1, 0, 1, 2 from the sample's integer part.
pub fn catmull_rom_weights(t: f32) -> [f32; 4] {
    let (t2, t3) = (t * t, t * t * t);
    [0.5 * (-t3 + 2.0 * t2 - t), 0.5 * (3.0 * t3 - 5.0 * t2 + 2.0), 0.5 * (-3.0 * t3 + 4.0 * t2 + t), 0.5 * (t3 - t2)]
}

/// `x.floor()` for |x| < 2^62 without a libm call (x86-64's baseline has no rounding instruction,
/// and the call showed up at 7 % of a frame). Exact, so results do not change.
#[inline]
pub fn floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x {
        t - 1.0
    } else {
        t
    }
}

/// Samples `src` at continuous `(u, v)` (pixel centres at integer + 0.5) with Catmull-Rom.
pub fn sample_catmull_rom(src: &Rgba8Image, u: f64, v: f64) -> [u8; 4] {
    let (w, h) = (src.width() as usize, src.height() as usize);
    let (fx, fy) = (u - 0.5, v - 0.5);
    let (ix, iy) = (floor(fx), floor(fy));
    let wx = catmull_rom_weights((fx - ix) as f32);
    let wy = catmull_rom_weights((fy - iy) as f32);
    let (ix, iy) = (ix as isize, iy as isize);
    let data = src.data();
    let mut acc = [0f32; 4];
    if ix >= 1 && iy >= 1 && ix + 2 < w as isize && iy + 2 < h as isize {
        // Interior: the 4x4 block is four runs of 16 contiguous bytes, no mirroring needed.
        let stride = w * 4;
        let base = (iy as usize - 1) * stride + (ix as usize - 1) * 4;
        let acc = kernels::block(data, base, stride, wx, wy);
        return acc.map(|v| (v.clamp(0.0, 255.0) + 0.5) as u8);
    }
    for (dy, wyv) in wy.iter().enumerate() {
        let row = mirror(iy + dy as isize - 1, h) * w;
        let mut racc = [0f32; 4];
        for (dx, wxv) in wx.iter().enumerate() {
            let p = (row + mirror(ix + dx as isize - 1, w)) * 4;
            for c in 0..4 {
                racc[c] += wxv * f32::from(data[p + c]);
            }
        }
        for c in 0..4 {
            acc[c] += wyv * racc[c];
        }
    }
    acc.map(|v| (v.clamp(0.0, 255.0) + 0.5) as u8)
}

/// The Catmull-Rom 4x4 block kernel: a scalar reference and a wasm SIMD (simd128) version that
/// computes the same operations in the same order, so both give identical bits (tested in the
/// browser by tests/web.rs, where both exist). RGBA sits in the four lanes of one f32x4.
#[doc(hidden)]
pub mod kernels {
    /// `Σ_dy wy[dy] · Σ_dx wx[dx] · pixel(dx, dy)` over the 4x4 block whose top-left byte is
    /// `data[base]`, rows `stride` bytes apart.
    ///
    /// # Panics
    /// When the block is not inside `data`.
    #[inline]
    pub fn block(data: &[u8], base: usize, stride: usize, wx: [f32; 4], wy: [f32; 4]) -> [f32; 4] {
        #[cfg(target_feature = "simd128")]
        {
            block_simd(data, base, stride, wx, wy)
        }
        #[cfg(not(target_feature = "simd128"))]
        {
            block_scalar(data, base, stride, wx, wy)
        }
    }

    /// The scalar reference.
    ///
    /// # Panics
    /// When the block is not inside `data`.
    #[inline]
    pub fn block_scalar(data: &[u8], base: usize, stride: usize, wx: [f32; 4], wy: [f32; 4]) -> [f32; 4] {
        let mut acc = [0f32; 4];
        for (dy, wyv) in wy.iter().enumerate() {
            let run = &data[base + dy * stride..base + dy * stride + 16];
            let mut racc = [0f32; 4];
            for (px, wxv) in run.chunks_exact(4).zip(&wx) {
                for c in 0..4 {
                    racc[c] += wxv * f32::from(px[c]);
                }
            }
            for c in 0..4 {
                acc[c] += wyv * racc[c];
            }
        }
        acc
    }

    /// The simd128 twin of [`block_scalar`].
    ///
    /// # Panics
    /// When the block is not inside `data`.
    #[cfg(target_feature = "simd128")]
    #[inline]
    pub fn block_simd(data: &[u8], base: usize, stride: usize, wx: [f32; 4], wy: [f32; 4]) -> [f32; 4] {
        use core::arch::wasm32::*;
        assert!(base + 3 * stride + 16 <= data.len(), "4x4 block outside the image");
        let mut acc = f32x4_splat(0.0);
        for (dy, &wyv) in wy.iter().enumerate() {
            // SAFETY: the assert above keeps all 16 bytes of this row inside `data`, and
            // `v128_load` has no alignment requirement.
            let row = unsafe { v128_load(data.as_ptr().add(base + dy * stride) as *const v128) };
            let (lo, hi) = (u16x8_extend_low_u8x16(row), u16x8_extend_high_u8x16(row));
            let pixels = [
                f32x4_convert_u32x4(u32x4_extend_low_u16x8(lo)),
                f32x4_convert_u32x4(u32x4_extend_high_u16x8(lo)),
                f32x4_convert_u32x4(u32x4_extend_low_u16x8(hi)),
                f32x4_convert_u32x4(u32x4_extend_high_u16x8(hi)),
            ];
            let mut racc = f32x4_splat(0.0);
            for (p, &w) in pixels.iter().zip(&wx) {
                racc = f32x4_add(racc, f32x4_mul(f32x4_splat(w), *p));
            }
            acc = f32x4_add(acc, f32x4_mul(f32x4_splat(wyv), racc));
        }
        [
            f32x4_extract_lane::<0>(acc),
            f32x4_extract_lane::<1>(acc),
            f32x4_extract_lane::<2>(acc),
            f32x4_extract_lane::<3>(acc),
        ]
    }
}

/// Fills `out` (same size as `src`) row by row in parallel. `row(y)` prepares what is shared along
/// output row `y` and returns the per-pixel mapping: the source position of pixel `x`, or `None`
/// when the pixel is an exact copy of `src`.
pub fn warp<R, F>(src: &Rgba8Image, out: &mut [u8], row: R)
where
    R: Fn(usize) -> F + Sync,
    F: Fn(usize) -> Option<(f64, f64)>,
{
    let w = src.width() as usize;
    assert_eq!(out.len(), src.data().len(), "warp output size");
    out.par_chunks_exact_mut(w * 4).enumerate().for_each(|(y, out_row)| {
        let src_row = src.row(y);
        let position = row(y);
        for (x, px) in out_row.chunks_exact_mut(4).enumerate() {
            match position(x) {
                None => px.copy_from_slice(&src_row[x * 4..x * 4 + 4]),
                Some((u, v)) => px.copy_from_slice(&sample_catmull_rom(src, u, v)),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::zone_plate;

    #[test]
    fn fast_floor_is_floor() {
        for x in [-3.5, -3.0, -2.999, -0.5, -0.0, 0.0, 0.25, 1.0, 7.999_999, 1e12 + 0.5, -1e12 - 0.5] {
            assert_eq!(floor(x), x.floor(), "{x}");
        }
    }

    #[test]
    fn weights_interpolate_and_sum_to_one() {
        assert_eq!(catmull_rom_weights(0.0), [0.0, 1.0, 0.0, 0.0]);
        for i in 0..=10 {
            let w = catmull_rom_weights(i as f32 / 10.0);
            assert!((w.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        }
    }

    #[test]
    fn integer_positions_reproduce_the_image_exactly() {
        let src = zone_plate(40);
        let mut out = vec![0u8; src.data().len()];
        warp(&src, &mut out, |y| move |x| Some((x as f64 + 0.5, y as f64 + 0.5)));
        assert_eq!(out, src.data());
    }

    #[test]
    fn a_whole_pixel_shift_moves_the_image_by_one_pixel() {
        let src = zone_plate(40);
        let mut out = vec![0u8; src.data().len()];
        warp(&src, &mut out, |y| move |x| Some((x as f64 + 1.5, y as f64 + 0.5)));
        for y in 0..40u32 {
            for x in 0..39u32 {
                assert_eq!(&out[((y * 40 + x) * 4) as usize..][..4], src.pixel(x + 1, y));
            }
        }
    }

    #[test]
    fn a_constant_image_stays_constant_under_any_warp() {
        let src = Rgba8Image::from_raw(16, 16, [10u8, 200, 77, 255].repeat(256)).expect("size");
        let mut out = vec![0u8; src.data().len()];
        warp(&src, &mut out, |y| move |x| Some((x as f64 * 0.7 + 3.3, y as f64 * 1.3 - 2.1)));
        assert!(out.chunks_exact(4).all(|p| p == [10, 200, 77, 255]));
    }
}
