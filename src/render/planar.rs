//! The resonance warp rendered straight in I420, for the video encoder.
//!
//! The RGBA warp ([`super::warp`]) samples four channels a pixel; a video encoder wants I420, so
//! the browser then converts every frame again. Here the fitted image is converted once
//! ([`I420::from_rgba`]) and each frame samples one byte a pixel of luma plus two quarter-size
//! chroma planes: 1.5 samples a pixel of a one-channel kernel instead of one four-channel sample,
//! and no conversion in the encoder. The arithmetic is the RGBA warp's (Catmull-Rom in Q14 at
//! 1/256-pixel positions, rows to Q6, then the column), so luma equals the RGBA frame converted up
//! to rounding; chroma is sampled at each 2x2 block's centre (the mean of its four positions) from
//! the block-averaged planes, the siting libyuv (and so Chromium) uses.
//!
//! A still pixel (its position on its own centre) is copied, so a still region stays bit-exact, in
//! chroma too when its whole 2x2 block is still: frame 0 is the fitted image in I420 exactly.

use rayon::prelude::*;

use crate::analysis::luma::mirror;
use crate::render::warp::{kernels as block, weight_table, Fixed, WeightTable};
use crate::render::yuv::{i420_len, Plane, I420};

/// Samples `plane` at the fixed-point position `(fx, fy)` with `table` from [`weight_table`].
#[inline(always)]
fn sample(plane: &Plane, table: &WeightTable, fx: Fixed, fy: Fixed) -> u8 {
    let (w, h) = (plane.width, plane.height);
    let (ix, iy) = ((fx >> 8) as isize, (fy >> 8) as isize);
    if ix >= 1 && iy >= 1 && ix + 2 < w as isize && iy + 2 < h as isize {
        let (wx, wy) = (table[(fx & 0xff) as usize], table[(fy & 0xff) as usize]);
        let base = (iy as usize - 1) * w + ix as usize - 1;
        return kernels::block_scalar(&plane.data, base, w, wx, wy);
    }
    sample_edge(plane, table, fx, fy)
}

/// [`sample`] near an edge: the same arithmetic on mirrored taps.
#[cold]
#[inline(never)]
fn sample_edge(plane: &Plane, table: &WeightTable, fx: Fixed, fy: Fixed) -> u8 {
    let (w, h) = (plane.width, plane.height);
    let (ix, iy) = ((fx >> 8) as isize, (fy >> 8) as isize);
    let (wx, wy) = (table[(fx & 0xff) as usize], table[(fy & 0xff) as usize]);
    let columns = [0, 1, 2, 3].map(|dx| mirror(ix + dx - 1, w));
    let mut acc = 0i32;
    for (dy, &wyv) in wy.iter().enumerate() {
        let row = &plane.data[mirror(iy + dy as isize - 1, h) * w..][..w];
        let sum: i32 = wx.iter().zip(columns).map(|(&wxv, x)| i32::from(row[x]) * i32::from(wxv)).sum();
        acc += block::row_to_q6(sum) * i32::from(wyv);
    }
    block::to_u8(acc)
}

/// Samples one row of `plane` at `xs`/`ys` into `out`, four pixels at a time where all four are
/// inside (one kernel call shares the reductions of four samples and keeps four independent
/// chains in flight); a group whose positions all sit on pixel centres is copied. A pixel centre
/// gives the weights 0, 1, 0, 0, so the kernel reproduces it exactly too: the copy only saves time.
///
/// In the browser each group's integer parts, tests and block offsets are worked out in simd128
/// ([`sample_row_simd`]); natively (and as its scalar twin) per position ([`sample_row_with`]).
#[doc(hidden)]
#[inline]
pub fn sample_row(plane: &Plane, table: &WeightTable, xs: &[Fixed], ys: &[Fixed], out: &mut [u8]) {
    #[cfg(target_feature = "simd128")]
    {
        sample_row_simd(plane, table, xs, ys, out)
    }
    #[cfg(not(target_feature = "simd128"))]
    {
        sample_row_with(plane, table, xs, ys, out, kernels::block4)
    }
}

/// [`sample_row`] with the four-sample `kernel` given ([`kernels::block4`], or the scalar
/// reference in tests), each group's set-up done per position.
#[doc(hidden)]
#[inline(always)]
pub fn sample_row_with<K>(plane: &Plane, table: &WeightTable, xs: &[Fixed], ys: &[Fixed], out: &mut [u8], kernel: K)
where
    K: Fn(&[u8], [usize; 4], usize, [[i16; 4]; 4], [[i16; 4]; 4]) -> [u8; 4],
{
    let (w, h) = (plane.width, plane.height);
    let n = out.len().min(xs.len()).min(ys.len());
    let groups = n / 4;
    for g in 0..groups {
        let at = 4 * g;
        let (fx, fy) = (&xs[at..at + 4], &ys[at..at + 4]);
        let (ix, iy) = ([0, 1, 2, 3].map(|k| fx[k] >> 8), [0, 1, 2, 3].map(|k| fy[k] >> 8));
        let (x_lo, x_hi) = (ix.iter().min().copied().unwrap_or(0), ix.iter().max().copied().unwrap_or(0));
        let (y_lo, y_hi) = (iy.iter().min().copied().unwrap_or(0), iy.iter().max().copied().unwrap_or(0));
        let inside = x_lo >= 1 && y_lo >= 1 && (x_hi + 2) < w as i32 && (y_hi + 2) < h as i32;
        let out4 = &mut out[at..at + 4];
        if !inside {
            for k in 0..4 {
                out4[k] = sample_or_copy(plane, table, fx[k], fy[k]);
            }
        } else if fx.iter().chain(fy).all(|&f| f & 0xff == 0) {
            for k in 0..4 {
                out4[k] = plane.data[iy[k] as usize * w + ix[k] as usize];
            }
        } else {
            let bases = [0, 1, 2, 3].map(|k| (iy[k] as usize - 1) * w + ix[k] as usize - 1);
            let wx = [0, 1, 2, 3].map(|k| table[(fx[k] & 0xff) as usize]);
            let wy = [0, 1, 2, 3].map(|k| table[(fy[k] & 0xff) as usize]);
            out4.copy_from_slice(&kernel(&plane.data, bases, w, wx, wy));
        }
    }
    for k in 4 * groups..n {
        out[k] = sample_or_copy(plane, table, xs[k], ys[k]);
    }
}

/// [`sample_row`] in simd128: a group's four positions are loaded as two vectors, and their
/// integer parts, the inside and on-centre tests and the blocks' offsets take a few vector
/// operations instead of some sixty scalar ones (a 1024² resonance frame on one wasm thread: 5.4 →
/// 4.8 ms). Same groups, same kernel, same bytes as [`sample_row_with`] (tested in the browser).
#[cfg(target_feature = "simd128")]
#[doc(hidden)]
pub fn sample_row_simd(plane: &Plane, table: &WeightTable, xs: &[Fixed], ys: &[Fixed], out: &mut [u8]) {
    use core::arch::wasm32::*;
    let (w, h) = (plane.width, plane.height);
    let n = out.len().min(xs.len()).min(ys.len());
    let whole = n - n % 4;
    let (one, fraction) = (i32x4_splat(1), i32x4_splat(0xff));
    // A group is inside when every 1 ≤ ix ≤ w − 3 and 1 ≤ iy ≤ h − 3. Planes are far smaller than
    // 2^31 samples, so the sizes and offsets fit in i32.
    let (x_end, y_end, stride) = (i32x4_splat(w as i32 - 2), i32x4_splat(h as i32 - 2), i32x4_splat(w as i32));
    let groups = xs[..whole].chunks_exact(4).zip(ys[..whole].chunks_exact(4)).zip(out[..whole].chunks_exact_mut(4));
    for ((fx, fy), out4) in groups {
        // SAFETY: each chunk is four i32, 16 bytes; wasm loads have no alignment requirement.
        let (vx, vy) = unsafe { (v128_load(fx.as_ptr().cast()), v128_load(fy.as_ptr().cast())) };
        let (ix, iy) = (i32x4_shr(vx, 8), i32x4_shr(vy, 8));
        let inside = v128_and(
            v128_and(i32x4_ge(ix, one), i32x4_ge(iy, one)),
            v128_and(i32x4_lt(ix, x_end), i32x4_lt(iy, y_end)),
        );
        if !i32x4_all_true(inside) {
            for k in 0..4 {
                out4[k] = sample_or_copy(plane, table, fx[k], fy[k]);
            }
            continue;
        }
        let (tx, ty) = (v128_and(vx, fraction), v128_and(vy, fraction));
        if !v128_any_true(v128_or(tx, ty)) {
            let at = lanes(i32x4_add(i32x4_mul(iy, stride), ix));
            for k in 0..4 {
                out4[k] = plane.data[at[k] as usize];
            }
            continue;
        }
        let bases = lanes(i32x4_add(i32x4_mul(i32x4_sub(iy, one), stride), i32x4_sub(ix, one)));
        // A fraction is below 256, so indexing the 257-set table needs no bounds check.
        let weights = |t: v128| lanes(t).map(|f| table[f as u8 as usize]);
        out4.copy_from_slice(&kernels::block4(&plane.data, bases.map(|b| b as usize), w, weights(tx), weights(ty)));
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

/// One pixel of [`sample_row`]: a copy on a pixel centre, else a sample.
#[inline]
fn sample_or_copy(plane: &Plane, table: &WeightTable, fx: Fixed, fy: Fixed) -> u8 {
    let (ix, iy) = ((fx >> 8) as usize, (fy >> 8) as usize);
    // Negative positions wrap to huge indices and fail the bounds test.
    if (fx | fy) & 0xff == 0 && ix < plane.width && iy < plane.height {
        plane.data[iy * plane.width + ix]
    } else {
        sample(plane, table, fx, fy)
    }
}

/// The chroma position of a 2x2 block from its four luma positions: their mean `m` is the block's
/// centre in luma [`Fixed`] point, and a chroma coordinate is half a luma one, so the chroma
/// position is `(c/2 − 0.5)·256 = m/2 − 64`. A still block lands exactly on its chroma pixel.
#[inline]
pub(crate) fn chroma_position(a: Fixed, b: Fixed, c: Fixed, d: Fixed) -> Fixed {
    ((a + b + c + d + 4) >> 3) - 64
}

/// `out[i] = f(top[2i], top[2i + 1], bottom[2i], bottom[2i + 1])`, each 2x2 block of two rows
/// reduced to one value; a last odd column makes a block one pixel wide. Whole pairs in one
/// loop of their own, so it vectorises (an indexed loop over the blocks did not, and took 0.8 ms of
/// a 1024² resonance frame on one wasm thread).
pub(crate) fn blocks<T: Copy, U>(top: &[T], bottom: &[T], out: &mut [U], f: impl Fn(T, T, T, T) -> U) {
    for ((o, p), q) in out.iter_mut().zip(top.chunks_exact(2)).zip(bottom.chunks_exact(2)) {
        *o = f(p[0], p[1], q[0], q[1]);
    }
    if top.len() % 2 == 1 {
        if let (Some(o), Some(&p), Some(&q)) = (out.last_mut(), top.last(), bottom.last()) {
            *o = f(p, p, q, q);
        }
    }
}

/// Renders `src` (the fitted image in I420) warped into `out` (an I420 frame of the same size).
/// `row(y, xs, ys)` writes the luma source positions of output row `y`, as for [`super::warp::warp`].
/// Each task renders a pair of luma rows and the chroma row they share, in parallel.
///
/// # Panics
/// When `out` is not an I420 frame of `src`'s size (a caller bug).
pub fn warp_i420<R>(src: &I420, out: &mut [u8], row: R)
where
    R: Fn(usize, &mut [Fixed], &mut [Fixed]) + Sync,
{
    let (w, h) = (src.y.width, src.y.height);
    let cw = src.cb.width;
    assert_eq!(out.len(), i420_len(w, h), "I420 frame size");
    if w == 0 || h == 0 {
        return;
    }
    let table = weight_table();
    let (luma, chroma) = out.split_at_mut(w * h);
    let (cb, cr) = chroma.split_at_mut(chroma.len() / 2);
    let tasks = luma.par_chunks_mut(2 * w).zip(cb.par_chunks_exact_mut(cw)).zip(cr.par_chunks_exact_mut(cw));
    tasks.enumerate().for_each_init(
        || [(); 6].map(|_| Vec::<Fixed>::new()),
        |[x0, y0, x1, y1, cx, cy], (j, ((luma_rows, cb_row), cr_row))| {
            for v in [&mut *x0, &mut *y0, &mut *x1, &mut *y1] {
                v.resize(w, 0);
            }
            for v in [&mut *cx, &mut *cy] {
                v.resize(cw, 0);
            }
            let (top, bottom) = luma_rows.split_at_mut(w);
            row(2 * j, x0, y0);
            sample_row(&src.y, table, x0, y0, top);
            if bottom.is_empty() {
                // An odd last row: its chroma blocks are one row tall.
                x1.copy_from_slice(x0);
                y1.copy_from_slice(y0);
            } else {
                row(2 * j + 1, x1, y1);
                sample_row(&src.y, table, x1, y1, bottom);
            }
            blocks(x0, x1, cx, chroma_position);
            blocks(y0, y1, cy, chroma_position);
            sample_row(&src.cb, table, cx, cy, cb_row);
            sample_row(&src.cr, table, cx, cy, cr_row);
        },
    );
}

/// The one-channel Catmull-Rom 4x4 block kernel in fixed point: one sample in scalar code, and
/// four samples at a time with a wasm SIMD (simd128) and an SSE2 twin of four scalar samples for
/// native x86-64. Integer arithmetic in the RGBA kernel's
/// order (each row to Q6, then the column), so all give identical bytes (tested: SSE2 natively,
/// simd128 in the browser by tests/web.rs).
#[doc(hidden)]
pub mod kernels {
    use crate::render::warp::kernels::{row_to_q6, to_u8};
    use crate::render::warp::{ROW_SHIFT, TOTAL_SHIFT};

    /// Four 16-bit weights as one 64-bit lane (first weight lowest).
    #[inline(always)]
    fn packed(w: [i16; 4]) -> i64 {
        w.iter().rev().fold(0u64, |acc, &v| (acc << 16) | u64::from(v as u16)) as i64
    }

    /// One sample: `Σ_dy wy[dy] · Σ_dx wx[dx] · data[base + dy·stride + dx]`, weights in Q14, as a
    /// byte. Scalar: single samples are only the few near an edge or past a row's last group of
    /// four, and the reference the four-sample kernels are tested against.
    ///
    /// # Panics
    /// When the block is not inside `data`.
    pub fn block_scalar(data: &[u8], base: usize, stride: usize, wx: [i16; 4], wy: [i16; 4]) -> u8 {
        let mut acc = 0i32;
        for (dy, &wyv) in wy.iter().enumerate() {
            let run = &data[base + dy * stride..][..4];
            let sum: i32 = run.iter().zip(&wx).map(|(&p, &wxv)| i32::from(p) * i32::from(wxv)).sum();
            acc += row_to_q6(sum) * i32::from(wyv);
        }
        to_u8(acc)
    }

    /// Four samples, at the blocks whose top-left bytes are `bases` (rows `stride` apart), with
    /// their weights: [`block4_simd`], [`block4_sse2`] or [`block4_scalar`].
    ///
    /// # Panics
    /// When a block is not inside `data`.
    #[inline(always)]
    pub fn block4(data: &[u8], bases: [usize; 4], stride: usize, wx: [[i16; 4]; 4], wy: [[i16; 4]; 4]) -> [u8; 4] {
        #[cfg(target_feature = "simd128")]
        {
            block4_simd(data, bases, stride, wx, wy)
        }
        #[cfg(all(not(target_feature = "simd128"), target_arch = "x86_64"))]
        {
            block4_sse2(data, bases, stride, wx, wy)
        }
        #[cfg(not(any(target_feature = "simd128", target_arch = "x86_64")))]
        {
            block4_scalar(data, bases, stride, wx, wy)
        }
    }

    /// The scalar reference of [`block4`]: four [`block_scalar`] samples.
    ///
    /// # Panics
    /// When a block is not inside `data`.
    pub fn block4_scalar(
        data: &[u8],
        bases: [usize; 4],
        stride: usize,
        wx: [[i16; 4]; 4],
        wy: [[i16; 4]; 4],
    ) -> [u8; 4] {
        [0, 1, 2, 3].map(|k| block_scalar(data, bases[k], stride, wx[k], wy[k]))
    }

    /// The SSE2 twin of [`block4_scalar`]. Per pair of samples: each sample's four rows widened
    /// and multiplied by its horizontal weights (two `madd`s), the pair's row sums gathered as
    /// `[a0 a1 b0 b1]` and `[a2 a3 b2 b3]` by shuffles, rounded to Q6, packed into one register
    /// and multiplied by both samples' vertical weights in one `madd`; the four results are
    /// rounded and saturated to bytes together.
    ///
    /// # Panics
    /// When a block is not inside `data`.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub fn block4_sse2(data: &[u8], bases: [usize; 4], stride: usize, wx: [[i16; 4]; 4], wy: [[i16; 4]; 4]) -> [u8; 4] {
        use core::arch::x86_64::*;
        for &base in &bases {
            assert!(base + 3 * stride + 4 <= data.len(), "4x4 block outside the plane");
        }
        // SAFETY: SSE2 is part of the x86-64 baseline; the asserts above keep every 4-byte row
        // read inside `data`, and `read_unaligned` has no alignment requirement.
        unsafe {
            let zero = _mm_setzero_si128();
            let round_row = _mm_set1_epi32(1 << (ROW_SHIFT - 1));
            // One sample's horizontal pass: `[r0a r0b r1a r1b]` and `[r2a r2b r3a r3b]` (a, b: the
            // two halves of each row's sum).
            let rows = |k: usize| {
                let p = data.as_ptr().add(bases[k]);
                let word = |dy: usize| (p.add(dy * stride) as *const i32).read_unaligned();
                let v = _mm_setr_epi32(word(0), word(1), word(2), word(3));
                let w = _mm_set1_epi64x(packed(wx[k]));
                (
                    _mm_castsi128_ps(_mm_madd_epi16(_mm_unpacklo_epi8(v, zero), w)),
                    _mm_castsi128_ps(_mm_madd_epi16(_mm_unpackhi_epi8(v, zero), w)),
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
                let q6 = |v: __m128i| _mm_srai_epi32(_mm_add_epi32(v, round_row), ROW_SHIFT as i32);
                let packed_rows = _mm_packs_epi32(q6(top), q6(bottom));
                // Vertical weights in the same order: [a.wy0 a.wy1 b.wy0 b.wy1 a.wy2 a.wy3 b.wy2 b.wy3].
                let w = _mm_shuffle_epi32::<0b11_01_10_00>(_mm_set_epi64x(packed(wy[k + 1]), packed(wy[k])));
                let d = _mm_madd_epi16(packed_rows, w);
                // [a b . .]: the top and bottom halves added.
                _mm_add_epi32(d, _mm_srli_si128(d, 8))
            };
            let (ab, cd) = (pair(0), pair(2));
            let v = _mm_unpacklo_epi64(ab, cd);
            let v = _mm_srai_epi32(_mm_add_epi32(v, _mm_set1_epi32(1 << (TOTAL_SHIFT - 1))), TOTAL_SHIFT as i32);
            let v = _mm_packus_epi16(_mm_packs_epi32(v, v), zero);
            (_mm_cvtsi128_si32(v) as u32).to_le_bytes()
        }
    }

    /// The simd128 twin of [`block4_scalar`] (the scheme of [`block4_sse2`], with lane loads).
    ///
    /// # Panics
    /// When a block is not inside `data`.
    #[cfg(target_feature = "simd128")]
    #[inline(always)]
    pub fn block4_simd(data: &[u8], bases: [usize; 4], stride: usize, wx: [[i16; 4]; 4], wy: [[i16; 4]; 4]) -> [u8; 4] {
        use core::arch::wasm32::*;
        for &base in &bases {
            assert!(base + 3 * stride + 4 <= data.len(), "4x4 block outside the plane");
        }
        let round_row = i32x4_splat(1 << (ROW_SHIFT - 1));
        let rows = |k: usize| {
            // SAFETY: the asserts above keep each 4-byte row load inside `data`; wasm loads have
            // no alignment requirement.
            let v = unsafe {
                let p = data.as_ptr().add(bases[k]);
                let v = v128_load32_zero(p as *const u32);
                let v = v128_load32_lane::<1>(v, p.add(stride) as *const u32);
                let v = v128_load32_lane::<2>(v, p.add(2 * stride) as *const u32);
                v128_load32_lane::<3>(v, p.add(3 * stride) as *const u32)
            };
            let w = i64x2_splat(packed(wx[k]));
            (i32x4_dot_i16x8(u16x8_extend_low_u8x16(v), w), i32x4_dot_i16x8(u16x8_extend_high_u8x16(v), w))
        };
        let pair = |k: usize| {
            let ((a_lo, a_hi), (b_lo, b_hi)) = (rows(k), rows(k + 1));
            let top = i32x4_add(i32x4_shuffle::<0, 2, 4, 6>(a_lo, b_lo), i32x4_shuffle::<1, 3, 5, 7>(a_lo, b_lo));
            let bottom = i32x4_add(i32x4_shuffle::<0, 2, 4, 6>(a_hi, b_hi), i32x4_shuffle::<1, 3, 5, 7>(a_hi, b_hi));
            let q6 = |v: v128| i32x4_shr(i32x4_add(v, round_row), ROW_SHIFT);
            let packed_rows = i16x8_narrow_i32x4(q6(top), q6(bottom));
            let w = i64x2(packed(wy[k]), packed(wy[k + 1]));
            let d = i32x4_dot_i16x8(packed_rows, i32x4_shuffle::<0, 2, 1, 3>(w, w));
            i32x4_add(d, i32x4_shuffle::<2, 3, 2, 3>(d, d))
        };
        let (ab, cd) = (pair(0), pair(2));
        let v = i64x2_shuffle::<0, 2>(ab, cd);
        let v = i32x4_shr(i32x4_add(v, i32x4_splat(1 << (TOTAL_SHIFT - 1))), TOTAL_SHIFT);
        let v = u8x16_narrow_i16x8(i16x8_narrow_i32x4(v, v), i16x8_narrow_i32x4(v, v));
        u32x4_extract_lane::<0>(v).to_le_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::Rgba8Image;
    use crate::render::warp::{to_fixed, warp};
    #[cfg(target_arch = "x86_64")]
    use crate::testing::kernel_cases;
    use crate::testing::{i420_error, landscape, zone_plate};

    /// Fills a row's positions from a mapping of pixel centres to continuous source positions.
    fn fill(y: usize, xs: &mut [Fixed], ys: &mut [Fixed], at: impl Fn(f64, f64) -> (f64, f64)) {
        for x in 0..xs.len() {
            let (u, v) = at(x as f64 + 0.5, y as f64 + 0.5);
            (xs[x], ys[x]) = (to_fixed(u), to_fixed(v));
        }
    }

    fn render(src: &Rgba8Image, at: impl Fn(f64, f64) -> (f64, f64) + Sync) -> Vec<u8> {
        let planes = I420::from_rgba(src);
        let mut out = vec![0; i420_len(src.width() as usize, src.height() as usize)];
        warp_i420(&planes, &mut out, |y, xs, ys| fill(y, xs, ys, &at));
        out
    }

    fn planes_bytes(p: &I420) -> Vec<u8> {
        [&p.y.data[..], &p.cb.data, &p.cr.data].concat()
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn sse2_four_sample_kernel_equals_its_scalar_twin() {
        let (data, blocks) = kernel_cases(20_000);
        for four in blocks.chunks_exact(4) {
            let bases = [0, 1, 2, 3].map(|k| four[k].0);
            let (wx, wy) = ([0, 1, 2, 3].map(|k| four[k].1), [0, 1, 2, 3].map(|k| four[k].2));
            let want = kernels::block4_scalar(&data, bases, 256, wx, wy);
            assert_eq!(kernels::block4_sse2(&data, bases, 256, wx, wy), want, "blocks at {bases:?}");
        }
    }

    #[test]
    fn a_row_equals_its_positions_sampled_one_at_a_time() {
        let (plane, rows) = crate::testing::sample_row_cases();
        let table = weight_table();
        let (mut copied, mut edge) = (0, 0);
        for (xs, ys) in rows {
            let mut out = vec![0u8; xs.len()];
            sample_row(&plane, table, &xs, &ys, &mut out);
            let want: Vec<u8> = xs.iter().zip(&ys).map(|(&fx, &fy)| sample_or_copy(&plane, table, fx, fy)).collect();
            assert_eq!(out, want, "positions {xs:?} {ys:?}");
            copied += xs.iter().zip(&ys).filter(|(&x, &y)| (x | y) & 0xff == 0).count();
            edge += xs.iter().filter(|&&x| !(256..(plane.width as i32 - 2) << 8).contains(&x)).count();
        }
        assert!(copied > 1000 && edge > 1000, "the cases miss a kind: {copied} on centres, {edge} at edges");
    }

    #[test]
    fn still_positions_give_the_image_in_i420_exactly() {
        for (w, h) in [(40, 30), (41, 31)] {
            let src = landscape(w, h).0;
            assert_eq!(render(&src, |u, v| (u, v)), planes_bytes(&I420::from_rgba(&src)), "{w}x{h}");
        }
    }

    #[test]
    fn a_constant_image_stays_constant_under_any_warp() {
        let src = Rgba8Image::from_raw(16, 16, [10u8, 200, 77, 255].repeat(256)).expect("size");
        let still = planes_bytes(&I420::from_rgba(&src));
        assert_eq!(render(&src, |u, v| (u * 0.7 + 3.3, v * 1.3 - 2.1)), still);
    }

    #[test]
    fn a_two_pixel_shift_moves_luma_and_chroma_by_whole_samples() {
        let src = zone_plate(40);
        let planes = I420::from_rgba(&src);
        let out = render(&src, |u, v| (u + 2.0, v));
        for y in 0..40 {
            assert_eq!(out[y * 40..y * 40 + 38], planes.y.data[y * 40 + 2..y * 40 + 40], "luma row {y}");
        }
        let chroma = &out[1600..];
        for (plane, data) in [(&planes.cb, &chroma[..400]), (&planes.cr, &chroma[400..])] {
            for y in 0..20 {
                assert_eq!(data[y * 20..y * 20 + 19], plane.data[y * 20 + 1..y * 20 + 20], "chroma row {y}");
            }
        }
    }

    #[test]
    fn luma_is_the_rgba_warp_converted_and_chroma_follows_it() {
        // A smooth sub-pixel warp of a textured scene, rendered both ways.
        let (w, h) = (128usize, 96usize);
        let src = landscape(w as u32, h as u32).0;
        let at = |u: f64, v: f64| (u + 2.3 * (v / 17.0).sin(), v + 1.7 * (u / 23.0).cos());
        let mut rgba = vec![0u8; w * h * 4];
        warp(&src, &mut rgba, |y, xs, ys| fill(y, xs, ys, at));
        let yuv = render(&src, at);
        let e = i420_error(&rgba, &yuv, w, h);
        assert!(e.luma_worst <= 2.0 && e.luma_mean <= 0.6, "luma off by {} (mean {})", e.luma_worst, e.luma_mean);
        // Chroma: the planes average the blocks before the warp, the RGBA frame after it, so they
        // differ a little at colour edges.
        assert!(e.chroma_mean <= 0.75, "chroma off by {} on average", e.chroma_mean);
    }
}
