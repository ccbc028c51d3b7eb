//! The one-channel Catmull-Rom sampler of the I420 warps ([`super::planar`], [`super::advect`]):
//! rows of fixed-point positions in, bytes out.
//!
//! It reads a [`SamplePlane`], a copy of a plane made once per video in the form the kernels want:
//! - widened to i16, so a row of four taps is one 8-byte load, with no widening per sample;
//! - surrounded by a mirrored border, so a position that reaches past the image by less than the
//!   border samples the copy directly instead of mirroring each tap (flow's copies travel up to
//!   four times the amplitude, so about 8 % of a 1024² flow frame used to take that per-pixel path).
//!
//! The arithmetic is the RGBA warp's (Catmull-Rom in Q14 at 1/256-pixel positions, rows to Q6,
//! then the column). The border holds exactly the mirrored values, so the bytes do not depend on
//! its width.

use crate::raster::fixed;
use crate::raster::plane::mirror;
use crate::render::warp::{Fixed, WeightTable};
use crate::render::yuv::Plane;

/// Widest border made, in samples: it covers the default flow (four times an amplitude of 1 % of
/// the side) at 1080p; anything further is mirrored per tap.
pub const MAX_PAD: usize = 64;

/// A plane as the sampler reads it: i16 samples in a mirrored border `pad` samples wide.
#[derive(Debug, Clone)]
pub struct SamplePlane {
    width: usize,
    height: usize,
    pad: usize,
    stride: usize,
    data: Vec<i16>,
}

impl SamplePlane {
    /// `plane` with a border of `pad` samples (at most [`MAX_PAD`]).
    pub fn new(plane: &Plane, pad: usize) -> Self {
        let (width, height) = (plane.width, plane.height);
        let pad = if width == 0 || height == 0 { 0 } else { pad.min(MAX_PAD) };
        let stride = width + 2 * pad;
        let columns: Vec<usize> = (0..stride).map(|x| mirror(x as isize - pad as isize, width)).collect();
        let rows = if height == 0 { 0 } else { height + 2 * pad };
        let mut data = Vec::with_capacity(stride * rows);
        for y in 0..rows {
            let row = plane.row(mirror(y as isize - pad as isize, height));
            data.extend(columns.iter().map(|&x| i16::from(row[x])));
        }
        SamplePlane { width, height, pad, stride, data }
    }

    /// The index of sample `(x, y)` in `data`, for `x` and `y` at most `pad` outside the plane.
    #[inline(always)]
    fn at(&self, x: isize, y: isize) -> usize {
        (y + self.pad as isize) as usize * self.stride + (x + self.pad as isize) as usize
    }

    /// Whether the 4x4 block of a sample whose integer part is `(ix, iy)` lies in the copy.
    #[inline(always)]
    fn holds(&self, ix: i32, iy: i32) -> bool {
        let pad = self.pad as i32;
        ix >= 1 - pad && iy >= 1 - pad && ix + 2 < self.width as i32 + pad && iy + 2 < self.height as i32 + pad
    }
}

/// Samples `plane` at the fixed-point position `(fx, fy)` with `table` from
/// [`super::warp::weight_table`].
#[inline(always)]
fn sample(plane: &SamplePlane, table: &WeightTable, fx: Fixed, fy: Fixed) -> u8 {
    let (ix, iy) = (fx >> 8, fy >> 8);
    if plane.holds(ix, iy) {
        let (wx, wy) = (table[(fx & 0xff) as usize], table[(fy & 0xff) as usize]);
        let base = plane.at(ix as isize - 1, iy as isize - 1);
        return kernels::block_scalar(&plane.data, base, plane.stride, wx, wy);
    }
    sample_edge(plane, table, fx, fy)
}

/// [`sample`] past the border: the same arithmetic on taps mirrored one by one.
#[cold]
#[inline(never)]
fn sample_edge(plane: &SamplePlane, table: &WeightTable, fx: Fixed, fy: Fixed) -> u8 {
    let (w, h) = (plane.width, plane.height);
    let (ix, iy) = ((fx >> 8) as isize, (fy >> 8) as isize);
    let (wx, wy) = (table[(fx & 0xff) as usize], table[(fy & 0xff) as usize]);
    let columns = [0, 1, 2, 3].map(|dx| mirror(ix + dx - 1, w) as isize);
    let mut acc = 0i32;
    for (dy, &wyv) in wy.iter().enumerate() {
        let y = mirror(iy + dy as isize - 1, h) as isize;
        let sum: i32 =
            wx.iter().zip(columns).map(|(&wxv, x)| i32::from(plane.data[plane.at(x, y)]) * i32::from(wxv)).sum();
        acc += fixed::first_pass(sum) * i32::from(wyv);
    }
    fixed::to_u8(acc)
}

/// One position of [`sample_row`]: a copy on a pixel centre inside the plane, else a sample.
#[inline]
fn sample_or_copy(plane: &SamplePlane, table: &WeightTable, fx: Fixed, fy: Fixed) -> u8 {
    let (ix, iy) = ((fx >> 8) as usize, (fy >> 8) as usize);
    // Negative positions wrap to huge indices and fail the bounds test.
    if (fx | fy) & 0xff == 0 && ix < plane.width && iy < plane.height {
        plane.data[plane.at(ix as isize, iy as isize)] as u8
    } else {
        sample(plane, table, fx, fy)
    }
}

/// Samples one row of `plane` at `xs`/`ys` into `out`, four positions at a time where all four
/// blocks lie in the copy (one kernel call shares the reductions of four samples and keeps four
/// independent chains in flight); a group whose positions all sit on pixel centres is copied. A
/// pixel centre gives the weights 0, 1, 0, 0, so the kernel reproduces it exactly too: the copy
/// only saves time.
///
/// In the browser each group's integer parts, tests and block offsets are worked out in simd128
/// ([`sample_row_simd`]); natively (and as its scalar twin) per position ([`sample_row_with`]).
#[inline]
pub fn sample_row(plane: &SamplePlane, table: &WeightTable, xs: &[Fixed], ys: &[Fixed], out: &mut [u8]) {
    #[cfg(target_feature = "simd128")]
    {
        sample_row_simd(plane, table, xs, ys, out)
    }
    #[cfg(not(target_feature = "simd128"))]
    {
        sample_row_with::<false>(plane, table, xs, ys, out)
    }
}

/// [`sample_row`] with each group's set-up done per position, and with the four-sample kernel
/// [`kernels::block4`], or its scalar reference when `REFERENCE` (for tests). A constant, not a
/// kernel passed in: called through a generic parameter the kernel made a native resonance frame
/// 25 % slower.
#[inline(always)]
pub fn sample_row_with<const REFERENCE: bool>(
    plane: &SamplePlane,
    table: &WeightTable,
    xs: &[Fixed],
    ys: &[Fixed],
    out: &mut [u8],
) {
    let n = out.len().min(xs.len()).min(ys.len());
    let groups = n / 4;
    for g in 0..groups {
        let at = 4 * g;
        let (fx, fy) = (&xs[at..at + 4], &ys[at..at + 4]);
        let (ix, iy) = ([0, 1, 2, 3].map(|k| fx[k] >> 8), [0, 1, 2, 3].map(|k| fy[k] >> 8));
        let (x_lo, x_hi) = (ix.iter().min().copied().unwrap_or(0), ix.iter().max().copied().unwrap_or(0));
        let (y_lo, y_hi) = (iy.iter().min().copied().unwrap_or(0), iy.iter().max().copied().unwrap_or(0));
        let inside = plane.holds(x_lo, y_lo) && plane.holds(x_hi, y_hi);
        let out4 = &mut out[at..at + 4];
        if !inside {
            for k in 0..4 {
                out4[k] = sample_or_copy(plane, table, fx[k], fy[k]);
            }
        } else if fx.iter().chain(fy).all(|&f| f & 0xff == 0) {
            // Inside the copy, so each is a sample of the plane or its mirrored border, which the
            // kernel would give exactly.
            for k in 0..4 {
                out4[k] = plane.data[plane.at(ix[k] as isize, iy[k] as isize)] as u8;
            }
        } else {
            let bases = [0, 1, 2, 3].map(|k| plane.at(ix[k] as isize - 1, iy[k] as isize - 1));
            let wx = [0, 1, 2, 3].map(|k| table[(fx[k] & 0xff) as usize]);
            let wy = [0, 1, 2, 3].map(|k| table[(fy[k] & 0xff) as usize]);
            let four = if REFERENCE {
                kernels::block4_scalar(&plane.data, bases, plane.stride, wx, wy)
            } else {
                kernels::block4(&plane.data, bases, plane.stride, wx, wy)
            };
            out4.copy_from_slice(&four);
        }
    }
    for k in 4 * groups..n {
        out[k] = sample_or_copy(plane, table, xs[k], ys[k]);
    }
}

/// [`sample_row`] in simd128: a group's four positions are loaded as two vectors, and their
/// integer parts, the inside and on-centre tests and the blocks' offsets take a few vector
/// operations instead of some sixty scalar ones. Same groups, same kernel, same bytes as
/// [`sample_row_with`] (tested in the browser).
#[cfg(target_feature = "simd128")]
pub fn sample_row_simd(plane: &SamplePlane, table: &WeightTable, xs: &[Fixed], ys: &[Fixed], out: &mut [u8]) {
    use core::arch::wasm32::*;
    let n = out.len().min(xs.len()).min(ys.len());
    let whole = n - n % 4;
    let fraction = i32x4_splat(0xff);
    // A group is inside when every 1 − pad ≤ ix < w + pad − 2, and the same for iy. Planes are far
    // smaller than 2^31 samples, so the sizes and offsets fit in i32.
    let (pad, stride) = (plane.pad as i32, plane.stride as i32);
    let (lo, x_end, y_end) =
        (i32x4_splat(1 - pad), i32x4_splat(plane.width as i32 + pad - 2), i32x4_splat(plane.height as i32 + pad - 2));
    // Sample (x, y) is at (y + pad)·stride + x + pad.
    let (origin, strides) = (i32x4_splat(pad * stride + pad), i32x4_splat(stride));
    let groups = xs[..whole].chunks_exact(4).zip(ys[..whole].chunks_exact(4)).zip(out[..whole].chunks_exact_mut(4));
    for ((fx, fy), out4) in groups {
        // SAFETY: each chunk is four i32, 16 bytes; wasm loads have no alignment requirement.
        let (vx, vy) = unsafe { (v128_load(fx.as_ptr().cast()), v128_load(fy.as_ptr().cast())) };
        let (ix, iy) = (i32x4_shr(vx, 8), i32x4_shr(vy, 8));
        let inside =
            v128_and(v128_and(i32x4_ge(ix, lo), i32x4_ge(iy, lo)), v128_and(i32x4_lt(ix, x_end), i32x4_lt(iy, y_end)));
        if !i32x4_all_true(inside) {
            for k in 0..4 {
                out4[k] = sample_or_copy(plane, table, fx[k], fy[k]);
            }
            continue;
        }
        let at = i32x4_add(i32x4_add(i32x4_mul(iy, strides), ix), origin);
        let (tx, ty) = (v128_and(vx, fraction), v128_and(vy, fraction));
        if !v128_any_true(v128_or(tx, ty)) {
            let at = lanes(at);
            for k in 0..4 {
                out4[k] = plane.data[at[k] as usize] as u8;
            }
            continue;
        }
        let bases = lanes(i32x4_sub(at, i32x4_splat(stride + 1))).map(|b| b as usize);
        // A fraction is below 256, so indexing the 257-set table needs no bounds check.
        let weights = |t: v128| lanes(t).map(|f| table[f as u8 as usize]);
        out4.copy_from_slice(&kernels::block4(&plane.data, bases, plane.stride, weights(tx), weights(ty)));
    }
    for k in whole..n {
        out[k] = sample_or_copy(plane, table, xs[k], ys[k]);
    }
}

/// The four lanes of an i32x4.
#[cfg(target_feature = "simd128")]
#[inline(always)]
fn lanes(v: core::arch::wasm32::v128) -> [i32; 4] {
    use core::arch::wasm32::i32x4_extract_lane;
    [i32x4_extract_lane::<0>(v), i32x4_extract_lane::<1>(v), i32x4_extract_lane::<2>(v), i32x4_extract_lane::<3>(v)]
}

/// The one-channel Catmull-Rom 4x4 block kernel in fixed point on i16 samples: one sample in
/// scalar code, and four samples at a time with a wasm SIMD (simd128) and an SSE2 twin of four
/// scalar samples for native x86-64. Integer arithmetic in the RGBA kernel's order (each row to
/// Q6, then the column), so all give identical bytes (tested: SSE2 natively, simd128 in the
/// browser by tests/web.rs).
#[doc(hidden)]
pub mod kernels {
    use crate::raster::fixed::{
        by_target, first_pass, to_u8, FIRST_PASS_ROUND, FIRST_PASS_SHIFT, TOTAL_ROUND, TOTAL_SHIFT,
    };

    /// Four 16-bit values as one 64-bit lane (first value lowest).
    #[inline(always)]
    fn packed(w: [i16; 4]) -> i64 {
        w.iter().rev().fold(0u64, |acc, &v| (acc << 16) | u64::from(v as u16)) as i64
    }

    /// One sample: `Σ_dy wy[dy] · Σ_dx wx[dx] · data[base + dy·stride + dx]`, weights in Q14, as a
    /// byte. Scalar: single samples are only the few past the border or a row's last group of
    /// four, and the reference the four-sample kernels are tested against.
    ///
    /// # Panics
    /// When the block is not inside `data`.
    pub fn block_scalar(data: &[i16], base: usize, stride: usize, wx: [i16; 4], wy: [i16; 4]) -> u8 {
        let mut acc = 0i32;
        for (dy, &wyv) in wy.iter().enumerate() {
            let run = &data[base + dy * stride..][..4];
            let sum: i32 = run.iter().zip(&wx).map(|(&p, &wxv)| i32::from(p) * i32::from(wxv)).sum();
            acc += first_pass(sum) * i32::from(wyv);
        }
        to_u8(acc)
    }

    /// Four samples, at the blocks whose top-left samples are `bases` (rows `stride` apart), with
    /// their weights: [`block4_simd`], [`block4_sse2`] or [`block4_scalar`].
    ///
    /// # Panics
    /// When a block is not inside `data`.
    #[inline(always)]
    pub fn block4(data: &[i16], bases: [usize; 4], stride: usize, wx: [[i16; 4]; 4], wy: [[i16; 4]; 4]) -> [u8; 4] {
        by_target!(block4_simd, block4_sse2, block4_scalar, (data, bases, stride, wx, wy))
    }

    /// The scalar reference of [`block4`]: four [`block_scalar`] samples.
    ///
    /// # Panics
    /// When a block is not inside `data`.
    pub fn block4_scalar(
        data: &[i16],
        bases: [usize; 4],
        stride: usize,
        wx: [[i16; 4]; 4],
        wy: [[i16; 4]; 4],
    ) -> [u8; 4] {
        [0, 1, 2, 3].map(|k| block_scalar(data, bases[k], stride, wx[k], wy[k]))
    }

    /// Checks that the 4x4 block at each of `bases` (rows `stride` apart) lies inside `data`: the
    /// bound the SIMD kernels' unchecked row loads rely on.
    #[cfg(any(target_arch = "x86_64", target_feature = "simd128"))]
    #[inline(always)]
    fn check_blocks(data: &[i16], bases: [usize; 4], stride: usize) {
        for base in bases {
            assert!(base + 3 * stride + 4 <= data.len(), "4x4 block outside the plane");
        }
    }

    /// The SSE2 twin of [`block4_scalar`]. Per pair of samples: each sample's rows 0–1 and 2–3
    /// loaded as two registers and multiplied by its horizontal weights (two `madd`s), the pair's
    /// row sums gathered as `[a0 a1 b0 b1]` and `[a2 a3 b2 b3]` by shuffles, rounded to Q6, packed
    /// into one register and multiplied by both samples' vertical weights in one `madd`; the four
    /// results are rounded and saturated to bytes together.
    ///
    /// # Panics
    /// When a block is not inside `data`.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub fn block4_sse2(
        data: &[i16],
        bases: [usize; 4],
        stride: usize,
        wx: [[i16; 4]; 4],
        wy: [[i16; 4]; 4],
    ) -> [u8; 4] {
        use core::arch::x86_64::*;
        check_blocks(data, bases, stride);
        // SAFETY: SSE2 is part of the x86-64 baseline; check_blocks keeps every 4-sample
        // (8-byte) row read inside `data`, and `_mm_loadl_epi64` has no alignment requirement.
        unsafe {
            let zero = _mm_setzero_si128();
            let round_row = _mm_set1_epi32(FIRST_PASS_ROUND);
            // One sample's horizontal pass: `[r0a r0b r1a r1b]` and `[r2a r2b r3a r3b]` (a, b: the
            // two halves of each row's sum).
            let rows = |k: usize| {
                let p = data.as_ptr().add(bases[k]);
                let row = |dy: usize| _mm_loadl_epi64(p.add(dy * stride) as *const __m128i);
                let w = _mm_set1_epi64x(packed(wx[k]));
                (
                    _mm_castsi128_ps(_mm_madd_epi16(_mm_unpacklo_epi64(row(0), row(1)), w)),
                    _mm_castsi128_ps(_mm_madd_epi16(_mm_unpacklo_epi64(row(2), row(3)), w)),
                )
            };
            let pair = |k: usize| {
                let ((a_lo, a_hi), (b_lo, b_hi)) = (rows(k), rows(k + 1));
                // [a0 a1 b0 b1] and [a2 a3 b2 b3], each the sum of its two halves.
                let top = _mm_add_epi32(
                    _mm_castps_si128(_mm_shuffle_ps::<0b10_00_10_00>(a_lo, b_lo)),
                    _mm_castps_si128(_mm_shuffle_ps::<0b11_01_11_01>(a_lo, b_lo)),
                );
                let bottom = _mm_add_epi32(
                    _mm_castps_si128(_mm_shuffle_ps::<0b10_00_10_00>(a_hi, b_hi)),
                    _mm_castps_si128(_mm_shuffle_ps::<0b11_01_11_01>(a_hi, b_hi)),
                );
                let q6 = |v: __m128i| _mm_srai_epi32(_mm_add_epi32(v, round_row), FIRST_PASS_SHIFT as i32);
                let packed_rows = _mm_packs_epi32(q6(top), q6(bottom));
                // Vertical weights in the same order: [a.wy0 a.wy1 b.wy0 b.wy1 a.wy2 a.wy3 b.wy2 b.wy3].
                let w = _mm_shuffle_epi32::<0b11_01_10_00>(_mm_set_epi64x(packed(wy[k + 1]), packed(wy[k])));
                let d = _mm_madd_epi16(packed_rows, w);
                // [a b . .]: the top and bottom halves added.
                _mm_add_epi32(d, _mm_srli_si128(d, 8))
            };
            let (ab, cd) = (pair(0), pair(2));
            let v = _mm_unpacklo_epi64(ab, cd);
            let v = _mm_srai_epi32(_mm_add_epi32(v, _mm_set1_epi32(TOTAL_ROUND)), TOTAL_SHIFT as i32);
            let v = _mm_packus_epi16(_mm_packs_epi32(v, v), zero);
            (_mm_cvtsi128_si32(v) as u32).to_le_bytes()
        }
    }

    /// The simd128 twin of [`block4_scalar`] (the scheme of [`block4_sse2`]: each sample's rows as
    /// two 8-byte loads into one register; on u8 samples it took four lane loads and two widenings,
    /// and the i16 copy made a resonance frame about 8 % faster).
    ///
    /// # Panics
    /// When a block is not inside `data`.
    #[cfg(target_feature = "simd128")]
    #[inline(always)]
    pub fn block4_simd(
        data: &[i16],
        bases: [usize; 4],
        stride: usize,
        wx: [[i16; 4]; 4],
        wy: [[i16; 4]; 4],
    ) -> [u8; 4] {
        use core::arch::wasm32::*;
        check_blocks(data, bases, stride);
        let round_row = i32x4_splat(FIRST_PASS_ROUND);
        let rows = |k: usize| {
            // SAFETY: check_blocks keeps each 4-sample (8-byte) row load inside `data`; wasm
            // loads have no alignment requirement.
            let (top, bottom) = unsafe {
                let p = data.as_ptr().add(bases[k]);
                let top = v128_load64_lane::<1>(v128_load64_zero(p as *const u64), p.add(stride) as *const u64);
                let bottom = v128_load64_lane::<1>(
                    v128_load64_zero(p.add(2 * stride) as *const u64),
                    p.add(3 * stride) as *const u64,
                );
                (top, bottom)
            };
            let w = i64x2_splat(packed(wx[k]));
            (i32x4_dot_i16x8(top, w), i32x4_dot_i16x8(bottom, w))
        };
        let pair = |k: usize| {
            let ((a_lo, a_hi), (b_lo, b_hi)) = (rows(k), rows(k + 1));
            let top = i32x4_add(i32x4_shuffle::<0, 2, 4, 6>(a_lo, b_lo), i32x4_shuffle::<1, 3, 5, 7>(a_lo, b_lo));
            let bottom = i32x4_add(i32x4_shuffle::<0, 2, 4, 6>(a_hi, b_hi), i32x4_shuffle::<1, 3, 5, 7>(a_hi, b_hi));
            let q6 = |v: v128| i32x4_shr(i32x4_add(v, round_row), FIRST_PASS_SHIFT);
            let packed_rows = i16x8_narrow_i32x4(q6(top), q6(bottom));
            let w = i64x2(packed(wy[k]), packed(wy[k + 1]));
            let d = i32x4_dot_i16x8(packed_rows, i32x4_shuffle::<0, 2, 1, 3>(w, w));
            i32x4_add(d, i32x4_shuffle::<2, 3, 2, 3>(d, d))
        };
        let (ab, cd) = (pair(0), pair(2));
        let v = i64x2_shuffle::<0, 2>(ab, cd);
        let v = i32x4_shr(i32x4_add(v, i32x4_splat(TOTAL_ROUND)), TOTAL_SHIFT);
        let v = u8x16_narrow_i16x8(i16x8_narrow_i32x4(v, v), i16x8_narrow_i32x4(v, v));
        u32x4_extract_lane::<0>(v).to_le_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::warp::weight_table;
    #[cfg(target_arch = "x86_64")]
    use crate::testing::kernel_cases;

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn sse2_four_sample_kernel_equals_its_scalar_twin() {
        let (data, blocks) = kernel_cases(20_000);
        let data: Vec<i16> = data.iter().map(|&v| i16::from(v)).collect();
        for four in blocks.chunks_exact(4) {
            let bases = [0, 1, 2, 3].map(|k| four[k].0);
            let (wx, wy) = ([0, 1, 2, 3].map(|k| four[k].1), [0, 1, 2, 3].map(|k| four[k].2));
            let want = kernels::block4_scalar(&data, bases, 256, wx, wy);
            assert_eq!(kernels::block4_sse2(&data, bases, 256, wx, wy), want, "blocks at {bases:?}");
        }
    }

    #[test]
    fn the_border_holds_the_mirrored_plane() {
        let plane = Plane { width: 5, height: 3, data: (0..15).collect() };
        let copy = SamplePlane::new(&plane, 4);
        assert_eq!((copy.stride, copy.data.len()), (13, 13 * 11));
        for y in -4..7isize {
            for x in -4..9isize {
                let want = plane.data[mirror(y, 3) * 5 + mirror(x, 5)];
                assert_eq!(copy.data[copy.at(x, y)], i16::from(want), "({x}, {y})");
            }
        }
    }

    #[test]
    fn a_row_equals_its_positions_sampled_one_at_a_time_whatever_the_border() {
        let (plane, rows) = crate::testing::sample_row_cases();
        let table = weight_table();
        // Positions reach 4 samples past the plane: borders that hold none, some or all of them.
        let copies = [0, 2, 8].map(|pad| SamplePlane::new(&plane, pad));
        let (mut centred, mut outside) = (0, 0);
        for (xs, ys) in rows {
            let mut rows = copies.iter().map(|copy| {
                let mut out = vec![0u8; xs.len()];
                sample_row(copy, table, &xs, &ys, &mut out);
                out
            });
            let want: Vec<u8> = xs.iter().zip(&ys).map(|(&fx, &fy)| sample_edge(&copies[0], table, fx, fy)).collect();
            assert!(rows.all(|out| out == want), "positions {xs:?} {ys:?}");
            centred += xs.iter().zip(&ys).filter(|(&x, &y)| (x | y) & 0xff == 0).count();
            let within = |f: i32, side: usize| (0..(side as i32) << 8).contains(&f);
            outside +=
                xs.iter().zip(&ys).filter(|(&x, &y)| !within(x, plane.width) || !within(y, plane.height)).count();
        }
        assert!(centred > 1000 && outside > 1000, "the cases miss a kind: {centred} on centres, {outside} outside");
    }
}
