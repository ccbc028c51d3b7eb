//! The backward warp: every output pixel takes exactly one sample of the fitted image at a
//! continuous source position, so holes are impossible by construction.
//!
//! Sampling is Catmull-Rom (4×4 taps): bilinear would make fine detail "breathe" as sub-pixel
//! offsets change from frame to frame (it keeps about 0.9 of mid-band energy at a half-pixel shift,
//! Catmull-Rom 0.98). Edges are mirrored. Pixels whose position is exactly their own centre are
//! copied, so still regions are bit-exact.
//!
//! The arithmetic is fixed point: positions snap to 1/256 pixel, weights come from a table in Q14
//! (each set summing to exactly 1), rows are filtered to Q6 and columns to the final value. Integer
//! sums do not depend on their order, so the simd128 kernel and its scalar twin give the same bytes
//! by construction, an integer position reproduces the pixel exactly and a constant image stays
//! constant. It is also about half the work of the f32 kernel it replaced (one byte shuffle and two
//! dot products per row of four pixels, instead of 16 int-to-float conversions).

use std::sync::OnceLock;

use rayon::prelude::*;

use crate::image::Rgba8Image;
use crate::raster::fixed::{self, ONE};
use crate::raster::plane::mirror;

/// Sub-pixel steps per pixel.
pub const SUBPIXEL: usize = 256;

/// Catmull-Rom weights for taps at offsets −1, 0, 1, 2 from the sample's integer part.
pub fn catmull_rom_weights(t: f32) -> [f32; 4] {
    let (t2, t3) = (t * t, t * t * t);
    [0.5 * (-t3 + 2.0 * t2 - t), 0.5 * (3.0 * t3 - 5.0 * t2 + 2.0), 0.5 * (-3.0 * t3 + 4.0 * t2 + t), 0.5 * (t3 - t2)]
}

/// The Q14 weights for fraction `step / SUBPIXEL`, `step` in `0..=SUBPIXEL`: rounded, with the
/// rounding error put on the largest tap so every set sums to exactly 1.
pub fn fixed_weights(step: usize) -> [i16; 4] {
    weight_table()[step.min(SUBPIXEL)]
}

/// The weight sets of every step, indexed by the low 8 bits of a [`Fixed`] position (a fixed-size
/// array, so such an index needs no bounds check), plus the set of a whole step.
pub type WeightTable = [[i16; 4]; SUBPIXEL + 1];

/// [`fixed_weights`] for every step, computed once.
pub fn weight_table() -> &'static WeightTable {
    static TABLE: OnceLock<WeightTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|i| {
            let w = catmull_rom_weights(i as f32 / SUBPIXEL as f32);
            let mut q = w.map(|v| libm::roundf(v * ONE as f32) as i32);
            let largest = if q[1] >= q[2] { 1 } else { 2 };
            q[largest] += ONE - q.iter().sum::<i32>();
            q.map(|v| v as i16)
        })
    })
}

/// `x.floor()` for |x| < 2^62 without a libm call: x86-64's baseline has no rounding instruction,
/// and the call is a visible share of a frame in a profile, so natively it is a truncation
/// through an integer, corrected for negative values. wasm has `f64.floor`, one instruction,
/// where the round trip through i64 would be a large part of the resonance's position work. Both
/// are exact, so they agree.
#[inline]
pub fn floor(x: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        x.floor()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let t = x as i64 as f64;
        if t > x {
            t - 1.0
        } else {
            t
        }
    }
}

/// A source coordinate in fixed point: `(c − 0.5)·256` rounded, for a continuous coordinate `c`
/// with pixel centres at integer + 0.5. The integer part (`>> 8`) is the tap at or left of the
/// position, the low 8 bits the sub-pixel step.
pub type Fixed = i32;

/// `c` in [`Fixed`] point.
#[inline]
pub fn to_fixed(c: f64) -> Fixed {
    floor((c - 0.5) * SUBPIXEL as f64 + 0.5) as Fixed
}

/// Fraction bits of a [`Precise`] position or displacement.
pub const PRECISE_BITS: u32 = 12;

/// A source coordinate or a displacement in finer fixed point than [`Fixed`] (1/4096 pixel), in
/// which the warp composes a position from its parts with integer arithmetic: the parts are
/// rounded once, the sum is rounded once to [`Fixed`] (plain f64 per pixel cost the warp as much
/// as the sampling).
pub type Precise = i32;

/// `c − 0.5` (a continuous coordinate, pixel centres at integer + 0.5) in [`Precise`] point.
#[inline]
pub fn to_precise(c: f64) -> Precise {
    floor((c - 0.5) * f64::from(1 << PRECISE_BITS) + 0.5) as Precise
}

/// A displacement in [`Precise`] point.
#[inline]
pub fn displacement_to_precise(d: f32) -> Precise {
    floor(f64::from(d) * f64::from(1 << PRECISE_BITS) + 0.5) as Precise
}

/// A [`Precise`] position rounded to [`Fixed`] point.
#[inline]
pub fn precise_to_fixed(p: Precise) -> Fixed {
    const DROP: u32 = PRECISE_BITS - 8;
    (p + (1 << (DROP - 1))) >> DROP
}

/// Samples `src` at continuous `(u, v)` (pixel centres at integer + 0.5) with Catmull-Rom.
pub fn sample_catmull_rom(src: &Rgba8Image, u: f64, v: f64) -> [u8; 4] {
    sample_fixed(src, weight_table(), to_fixed(u), to_fixed(v))
}

/// Samples `src` at the fixed-point position `(fx, fy)`, with `table` from [`weight_table`].
/// The interior case is inlined into the warp's loop; the rare edge case is out of line, so the
/// loop stays small (the whole function out of line cost a call with a large prologue per pixel).
#[inline(always)]
pub fn sample_fixed(src: &Rgba8Image, table: &WeightTable, fx: Fixed, fy: Fixed) -> [u8; 4] {
    let (w, h) = (src.width() as usize, src.height() as usize);
    let (ix, iy) = ((fx >> 8) as isize, (fy >> 8) as isize);
    if ix >= 1 && iy >= 1 && ix + 2 < w as isize && iy + 2 < h as isize {
        // Interior: the 4x4 block is four runs of 16 contiguous bytes, no mirroring needed.
        let (wx, wy) = (table[(fx & 0xff) as usize], table[(fy & 0xff) as usize]);
        let stride = w * 4;
        let base = (iy as usize - 1) * stride + (ix as usize - 1) * 4;
        return kernels::block(src.data(), base, stride, wx, wy);
    }
    sample_edge(src, table, fx, fy)
}

/// [`sample_fixed`] near an edge: the same arithmetic on mirrored taps.
#[cold]
#[inline(never)]
fn sample_edge(src: &Rgba8Image, table: &WeightTable, fx: Fixed, fy: Fixed) -> [u8; 4] {
    let (w, h) = (src.width() as usize, src.height() as usize);
    let (ix, iy) = ((fx >> 8) as isize, (fy >> 8) as isize);
    let (wx, wy) = (table[(fx & 0xff) as usize], table[(fy & 0xff) as usize]);
    let data = src.data();
    let mut acc = [0i32; 4];
    for (dy, &wyv) in wy.iter().enumerate() {
        let row = mirror(iy + dy as isize - 1, h) * w;
        let mut racc = [0i32; 4];
        for (dx, &wxv) in wx.iter().enumerate() {
            let p = (row + mirror(ix + dx as isize - 1, w)) * 4;
            for c in 0..4 {
                racc[c] += i32::from(data[p + c]) * i32::from(wxv);
            }
        }
        for c in 0..4 {
            acc[c] += fixed::first_pass(racc[c]) * i32::from(wyv);
        }
    }
    acc.map(fixed::to_u8)
}

/// The Catmull-Rom 4x4 block kernel in fixed point: a scalar reference, a wasm SIMD (simd128)
/// version and an SSE2 one for native x86-64 (its baseline, so always there). Integer arithmetic,
/// so all give identical bytes (tested: SSE2 natively, simd128 in the browser by tests/web.rs).
#[doc(hidden)]
pub mod kernels {
    use crate::raster::fixed::{
        by_target, first_pass, to_u8, FIRST_PASS_ROUND, FIRST_PASS_SHIFT, TOTAL_ROUND, TOTAL_SHIFT,
    };

    /// `Σ_dy wy[dy] · Σ_dx wx[dx] · pixel(dx, dy)` over the 4x4 block whose top-left byte is
    /// `data[base]`, rows `stride` bytes apart, weights in Q14.
    ///
    /// # Panics
    /// When the block is not inside `data`.
    #[inline]
    pub fn block(data: &[u8], base: usize, stride: usize, wx: [i16; 4], wy: [i16; 4]) -> [u8; 4] {
        by_target!(block_simd, block_sse2, block_scalar, (data, base, stride, wx, wy))
    }

    /// The scalar reference.
    ///
    /// # Panics
    /// When the block is not inside `data`.
    #[inline]
    pub fn block_scalar(data: &[u8], base: usize, stride: usize, wx: [i16; 4], wy: [i16; 4]) -> [u8; 4] {
        let mut acc = [0i32; 4];
        for (dy, &wyv) in wy.iter().enumerate() {
            let run = &data[base + dy * stride..base + dy * stride + 16];
            let mut racc = [0i32; 4];
            for (px, &wxv) in run.chunks_exact(4).zip(&wx) {
                for c in 0..4 {
                    racc[c] += i32::from(px[c]) * i32::from(wxv);
                }
            }
            for c in 0..4 {
                acc[c] += first_pass(racc[c]) * i32::from(wyv);
            }
        }
        acc.map(to_u8)
    }

    /// The SSE2 twin of [`block_scalar`]: the same dot-product scheme as [`block_simd`], with the
    /// pairing done by unpacks (SSE2 has no byte shuffle) and the vertical pass as dot products of
    /// row pairs (SSE2 has no 32-bit multiply; a row sum in Q6 fits in 16 bits: |h| ≤ 255·64·1.25).
    ///
    /// # Panics
    /// When the block is not inside `data`.
    #[cfg(target_arch = "x86_64")]
    #[inline]
    pub fn block_sse2(data: &[u8], base: usize, stride: usize, wx: [i16; 4], wy: [i16; 4]) -> [u8; 4] {
        use core::arch::x86_64::*;
        assert!(base + 3 * stride + 16 <= data.len(), "4x4 block outside the image");
        // SAFETY: SSE2 is part of the x86-64 baseline; the assert above keeps every 16-byte row
        // load inside `data`, and `_mm_loadu_si128` has no alignment requirement.
        unsafe {
            let zero = _mm_setzero_si128();
            let w01 = _mm_setr_epi16(wx[0], wx[1], wx[0], wx[1], wx[0], wx[1], wx[0], wx[1]);
            let w23 = _mm_setr_epi16(wx[2], wx[3], wx[2], wx[3], wx[2], wx[3], wx[2], wx[3]);
            let round_row = _mm_set1_epi32(FIRST_PASS_ROUND);
            let row = |dy: usize| {
                let bytes = _mm_loadu_si128(data.as_ptr().add(base + dy * stride) as *const __m128i);
                let (lo, hi) = (_mm_unpacklo_epi8(bytes, zero), _mm_unpackhi_epi8(bytes, zero));
                // R0 R1 G0 G1 B0 B1 A0 A1 (and the same for pixels 2 and 3)
                let p01 = _mm_unpacklo_epi16(lo, _mm_srli_si128(lo, 8));
                let p23 = _mm_unpacklo_epi16(hi, _mm_srli_si128(hi, 8));
                let h = _mm_add_epi32(_mm_madd_epi16(p01, w01), _mm_madd_epi16(p23, w23));
                _mm_srai_epi32(_mm_add_epi32(h, round_row), FIRST_PASS_SHIFT as i32)
            };
            let pair = |a: __m128i, b: __m128i, wa: i16, wb: i16| {
                let packed = _mm_packs_epi32(a, b);
                let interleaved = _mm_unpacklo_epi16(packed, _mm_srli_si128(packed, 8));
                _mm_madd_epi16(interleaved, _mm_setr_epi16(wa, wb, wa, wb, wa, wb, wa, wb))
            };
            let acc = _mm_add_epi32(pair(row(0), row(1), wy[0], wy[1]), pair(row(2), row(3), wy[2], wy[3]));
            let v = _mm_srai_epi32(_mm_add_epi32(acc, _mm_set1_epi32(TOTAL_ROUND)), TOTAL_SHIFT as i32);
            let v = _mm_packus_epi16(_mm_packs_epi32(v, v), zero);
            (_mm_cvtsi128_si32(v) as u32).to_le_bytes()
        }
    }

    /// The simd128 twin of [`block_scalar`]: per row, one shuffle puts each channel of
    /// neighbouring pixels side by side, and two 16-bit dot products do the horizontal pass.
    ///
    /// # Panics
    /// When the block is not inside `data`.
    #[cfg(target_feature = "simd128")]
    #[inline]
    pub fn block_simd(data: &[u8], base: usize, stride: usize, wx: [i16; 4], wy: [i16; 4]) -> [u8; 4] {
        use core::arch::wasm32::*;
        assert!(base + 3 * stride + 16 <= data.len(), "4x4 block outside the image");
        // R0 R1 G0 G1 B0 B1 A0 A1 | R2 R3 G2 G3 B2 B3 A2 A3
        let pairs = u8x16(0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15);
        // Two 16-bit weights repeated across the vector: one 32-bit splat (building it lane by lane
        // costs eight instructions).
        let pair_of = |a: i16, b: i16| i32x4_splat((u32::from(a as u16) | (u32::from(b as u16) << 16)) as i32);
        let (w01, w23) = (pair_of(wx[0], wx[1]), pair_of(wx[2], wx[3]));
        let round_row = i32x4_splat(FIRST_PASS_ROUND);
        let row = |dy: usize| {
            // SAFETY: the assert above keeps all 16 bytes of this row inside `data`, and
            // `v128_load` has no alignment requirement.
            let bytes = unsafe { v128_load(data.as_ptr().add(base + dy * stride) as *const v128) };
            let bytes = i8x16_swizzle(bytes, pairs);
            let (lo, hi) = (u16x8_extend_low_u8x16(bytes), u16x8_extend_high_u8x16(bytes));
            let h = i32x4_add(i32x4_dot_i16x8(lo, w01), i32x4_dot_i16x8(hi, w23));
            i32x4_shr(i32x4_add(h, round_row), FIRST_PASS_SHIFT)
        };
        // Vertical pass on row pairs: a row sum in Q6 fits in 16 bits (|h| ≤ 255·64·1.25), so two
        // rows narrow into one vector, interleave by channel, and take one dot product.
        let pair = |a: v128, b: v128, wa: i16, wb: i16| {
            let packed = i16x8_narrow_i32x4(a, b);
            let interleaved = i16x8_shuffle::<0, 4, 1, 5, 2, 6, 3, 7>(packed, packed);
            i32x4_dot_i16x8(interleaved, pair_of(wa, wb))
        };
        let acc = i32x4_add(pair(row(0), row(1), wy[0], wy[1]), pair(row(2), row(3), wy[2], wy[3]));
        let v = i32x4_shr(i32x4_add(acc, i32x4_splat(TOTAL_ROUND)), TOTAL_SHIFT);
        let v = i16x8_narrow_i32x4(v, v);
        let v = u8x16_narrow_i16x8(v, v);
        u32x4_extract_lane::<0>(v).to_le_bytes()
    }
}

/// Fills `out` (same size as `src`) row by row in parallel. `row(y, xs, ys)` writes the source
/// position of every pixel of output row `y` in [`Fixed`] point; the positions are then sampled in
/// one tight loop. A whole-pixel position inside the image is a copy of that pixel (the weights are
/// then exactly 0, 1, 0, 0), so still regions cost a copy and stay bit-exact.
pub fn warp<R>(src: &Rgba8Image, out: &mut [u8], row: R)
where
    R: Fn(usize, &mut [Fixed], &mut [Fixed]) + Sync,
{
    let (w, h) = (src.width() as usize, src.height() as usize);
    assert_eq!(out.len(), src.data().len(), "warp output size");
    let table = weight_table();
    let data = src.data();
    out.par_chunks_exact_mut(w * 4).enumerate().for_each_init(
        || (vec![0; w], vec![0; w]),
        |(xs, ys), (y, out_row)| {
            row(y, xs, ys);
            for ((px, &fx), &fy) in out_row.chunks_exact_mut(4).zip(xs.iter()).zip(ys.iter()) {
                let (ix, iy) = ((fx >> 8) as usize, (fy >> 8) as usize);
                // Negative positions wrap to huge indices and fail the bounds test.
                if (fx | fy) & 0xff == 0 && ix < w && iy < h {
                    let at = (iy * w + ix) * 4;
                    px.copy_from_slice(&data[at..at + 4]);
                } else {
                    px.copy_from_slice(&sample_fixed(src, table, fx, fy));
                }
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::zone_plate;

    /// Fills a row's positions from a mapping of pixel indices to continuous source positions.
    fn fill(y: usize, xs: &mut [Fixed], ys: &mut [Fixed], at: impl Fn(f64, f64) -> (f64, f64)) {
        for x in 0..xs.len() {
            let (u, v) = at(x as f64, y as f64);
            (xs[x], ys[x]) = (to_fixed(u), to_fixed(v));
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn sse2_kernel_equals_its_scalar_twin() {
        let (data, blocks) = crate::testing::kernel_cases(20_000);
        for (base, wx, wy) in blocks {
            let sse2 = kernels::block_sse2(&data, base, 64 * 4, wx, wy);
            assert_eq!(sse2, kernels::block_scalar(&data, base, 64 * 4, wx, wy), "block at byte {base}");
        }
    }

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
        assert_eq!(fixed_weights(0), [0, 1 << 14, 0, 0]);
        assert_eq!(fixed_weights(SUBPIXEL), [0, 0, 1 << 14, 0]);
        for step in 0..=SUBPIXEL {
            let q = fixed_weights(step);
            assert_eq!(q.iter().map(|&v| i32::from(v)).sum::<i32>(), 1 << 14, "step {step}");
            let f = catmull_rom_weights(step as f32 / SUBPIXEL as f32);
            assert!(q.iter().zip(&f).all(|(&a, &b)| (f32::from(a) / 16384.0 - b).abs() < 1e-4), "step {step}");
        }
    }

    #[test]
    fn fixed_point_matches_a_float_reference_within_a_level() {
        // Against the exact Catmull-Rom in f64 at the same (snapped) position.
        let src = zone_plate(48);
        let mut worst = 0f64;
        for k in 0..3000 {
            let (u, v) = (3.0 + (k as f64 * 0.6180339) % 42.0, 3.0 + (k as f64 * 0.4142135) % 42.0);
            let got = sample_catmull_rom(&src, u, v);
            let snap = |c: f64| ((c - 0.5) * SUBPIXEL as f64).round() / SUBPIXEL as f64;
            let (fx, fy) = (snap(u), snap(v));
            let (ix, iy) = (fx.floor(), fy.floor());
            let (wx, wy) = (catmull_rom_weights((fx - ix) as f32), catmull_rom_weights((fy - iy) as f32));
            let mut want = 0f64;
            for (dy, wyv) in wy.iter().enumerate() {
                for (dx, wxv) in wx.iter().enumerate() {
                    let p = src.pixel((ix as i64 + dx as i64 - 1) as u32, (iy as i64 + dy as i64 - 1) as u32);
                    want += f64::from(*wyv) * f64::from(*wxv) * f64::from(p[0]);
                }
            }
            worst = worst.max((f64::from(got[0]) - want.clamp(0.0, 255.0)).abs());
        }
        assert!(worst <= 1.0, "off by {worst} levels");
    }

    #[test]
    fn integer_positions_reproduce_the_image_exactly() {
        let src = zone_plate(40);
        let mut out = vec![0u8; src.data().len()];
        warp(&src, &mut out, |y, xs, ys| fill(y, xs, ys, |x, y| (x + 0.5, y + 0.5)));
        assert_eq!(out, src.data());
    }

    #[test]
    fn a_whole_pixel_shift_moves_the_image_by_one_pixel() {
        let src = zone_plate(40);
        let mut out = vec![0u8; src.data().len()];
        warp(&src, &mut out, |y, xs, ys| fill(y, xs, ys, |x, y| (x + 1.5, y + 0.5)));
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
        warp(&src, &mut out, |y, xs, ys| fill(y, xs, ys, |x, y| (x * 0.7 + 3.3, y * 1.3 - 2.1)));
        assert!(out.chunks_exact(4).all(|p| p == [10, 200, 77, 255]));
    }
}
