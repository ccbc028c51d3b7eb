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
//! Edges are clamped (the edge pixel repeats) and values are rounded, never truncated. Rows are
//! independent, so they are computed in parallel with rayon.
//!
//! The arithmetic is [`fixed`](crate::raster::fixed) point: the vertical pass to Q6 (it fits 16
//! bits: the weights are never negative), the horizontal pass to the byte. So the SIMD kernels and
//! their scalar twins give the same bytes for any thread count, and a constant image or an
//! identity view comes out exact.

use rayon::prelude::*;

use crate::image::Rgba8Image;
use crate::raster::fixed::ONE;
use crate::raster::View;

/// Filter taps along one axis: for output index `i`, source indices `start[i]..start[i] + taps`
/// with weights `weights[i * stride..i * stride + taps]` (in Q14).
#[derive(Debug, Clone, PartialEq)]
pub struct AxisTaps {
    /// First source index of each output index's window (non-decreasing).
    pub start: Vec<usize>,
    /// `stride` weights per output index, in Q14, summing to exactly `1 << 14`; never negative.
    pub weights: Vec<i16>,
    /// Window length.
    pub taps: usize,
    /// Weights stored per output index: `taps` rounded up to even (the SIMD kernels take taps in
    /// pairs), the padding weight 0.
    pub stride: usize,
}

impl AxisTaps {
    /// Taps for `out_len` outputs whose pixel `i` covers source `[offset + i*scale, offset + (i+1)*scale)`
    /// of a `src_len`-long axis.
    pub fn new(out_len: usize, src_len: usize, offset: f64, scale: f64) -> Self {
        debug_assert!(src_len > 0 && scale > 0.0);
        let support = scale.max(1.0);
        let candidates = (2.0 * support).ceil() as usize + 1;
        let taps = candidates.min(src_len);
        let stride = taps + taps % 2;
        let last_start = (src_len - taps) as i64;
        let mut start = Vec::with_capacity(out_len);
        let mut weights = vec![0i16; out_len * stride];
        for (i, w) in weights.chunks_exact_mut(stride).enumerate() {
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
            // Rounded to Q14, the rounding error put on the largest weight so the set sums to 1.
            let largest = (0..acc.len()).fold(0, |best, k| if acc[k] > acc[best] { k } else { best });
            for (dst, a) in w.iter_mut().zip(acc.iter()) {
                *dst = (*a / total * f64::from(ONE)).round() as i16;
            }
            let sum: i32 = w.iter().map(|&v| i32::from(v)).sum();
            w[largest] += (ONE - sum) as i16;
            start.push(window as usize);
        }
        AxisTaps { start, weights, taps, stride }
    }

    /// Output `i`'s first source index and its `taps` weights.
    fn of(&self, i: usize) -> (usize, &[i16]) {
        (self.start[i], &self.weights[i * self.stride..i * self.stride + self.taps])
    }
}

/// 8-bit samples to resample: `channels` bytes a pixel (4 for RGBA, 1 for one plane of I420),
/// rows `width * channels` bytes apart.
#[derive(Debug, Clone, Copy)]
pub struct Samples<'a> {
    /// The bytes, `width * height * channels` of them.
    pub data: &'a [u8],
    /// Pixels per row.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Bytes per pixel: 1 or 4.
    pub channels: usize,
}

impl<'a> Samples<'a> {
    /// The pixels of an RGBA image.
    pub fn rgba(img: &'a Rgba8Image) -> Self {
        Samples { data: img.data(), width: img.width() as usize, height: img.height() as usize, channels: 4 }
    }
}

/// Renders `view` of `src` into `out`, a `width x height` RGBA buffer.
///
/// # Panics
/// When `out.len() != width * height * 4` (a caller bug) or when the kernel is wider than 64 taps,
/// which the renderer prevents by bounding the source-to-output scale.
pub fn resample(src: &Rgba8Image, view: View, out: &mut [u8], width: usize, height: usize) {
    resample_samples(Samples::rgba(src), view, out, width, height);
}

/// [`resample`] for samples of 1 or 4 channels; `out` has `width * height * src.channels` bytes.
///
/// # Panics
/// As [`resample`], and when `src.data` is shorter than its size says or `channels` is not 1 or 4.
pub fn resample_samples(src: Samples, view: View, out: &mut [u8], width: usize, height: usize) {
    resample_with(src, view, out, width, height, false);
}

/// [`resample_samples`] with the scalar kernels only: the reference the SIMD kernels are tested
/// against.
#[doc(hidden)]
pub fn resample_scalar(src: Samples, view: View, out: &mut [u8], width: usize, height: usize) {
    resample_with(src, view, out, width, height, true);
}

fn resample_with(src: Samples, view: View, out: &mut [u8], width: usize, height: usize, scalar: bool) {
    let ch = src.channels;
    assert!(ch == 1 || ch == 4, "{ch} channels");
    assert!(src.data.len() >= src.width * src.height * ch, "samples shorter than their size");
    assert_eq!(out.len(), width * height * ch, "output buffer size");
    let horizontal = AxisTaps::new(width, src.width, view.offset_x, view.scale);
    let vertical = AxisTaps::new(height, src.height, view.offset_y, view.scale);
    assert!(horizontal.taps <= 64 && vertical.taps <= 64, "scale {} too large", view.scale);
    let col_lo = horizontal.start[0];
    let col_hi = horizontal.start[width - 1] + horizontal.taps;
    let stride = src.width * ch;
    let starts: Vec<usize> = horizontal.start.iter().map(|s| s - col_lo).collect();
    out.par_chunks_exact_mut(width * ch).enumerate().for_each_init(
        // One pixel more than the columns read: the horizontal kernel loads taps in pairs.
        || vec![0i16; (col_hi - col_lo + 1) * ch],
        |columns, (y, out_row)| {
            let (row0, wv) = vertical.of(y);
            let base = row0 * stride + col_lo * ch;
            let len = (col_hi - col_lo) * ch;
            let (hw, hs) = (&horizontal.weights, horizontal.stride);
            match (scalar, ch) {
                (true, 4) => {
                    kernels::vertical_scalar(src.data, base, stride, wv, &mut columns[..len]);
                    kernels::horizontal_scalar(columns, &starts, hw, hs, out_row);
                }
                (false, 4) => {
                    kernels::vertical(src.data, base, stride, wv, &mut columns[..len]);
                    kernels::horizontal(columns, &starts, hw, hs, out_row);
                }
                (true, _) => {
                    kernels::vertical_scalar(src.data, base, stride, wv, &mut columns[..len]);
                    kernels::horizontal_plane_scalar(columns, &starts, hw, hs, out_row);
                }
                (false, _) => {
                    kernels::vertical(src.data, base, stride, wv, &mut columns[..len]);
                    kernels::horizontal_plane(columns, &starts, hw, hs, out_row);
                }
            }
        },
    );
}

/// The two passes, each as a scalar reference, a wasm SIMD (simd128) twin and an SSE2 twin for
/// native x86-64 (its baseline, so always there). Integer arithmetic, so all give identical bytes
/// (tested: SSE2 natively, simd128 in the browser by tests/web.rs).
#[doc(hidden)]
pub mod kernels {
    use crate::raster::fixed::{
        by_target, first_pass, to_u8, FIRST_PASS_ROUND, FIRST_PASS_SHIFT, TOTAL_ROUND, TOTAL_SHIFT,
    };

    /// A column sum in Q14 to Q6, rounded (it fits 16 bits: the weights are never negative).
    #[inline]
    fn to_q6(v: i32) -> i16 {
        first_pass(v) as i16
    }

    /// The vertical pass: `out[j] = Σ_k weights[k] · src[base + k·stride + j]`, in Q6.
    pub fn vertical(src: &[u8], base: usize, stride: usize, weights: &[i16], out: &mut [i16]) {
        by_target!(vertical_simd, vertical_sse2, vertical_scalar, (src, base, stride, weights, out))
    }

    /// The horizontal pass: output pixel `x`, channel `c`, is
    /// `Σ_k weights[x·wstride + k] · columns[(starts[x] + k)·4 + c]` for `k < wstride`, as a byte.
    /// `columns` holds one pixel more than the windows reach (the pairs' padding).
    pub fn horizontal(columns: &[i16], starts: &[usize], weights: &[i16], wstride: usize, out: &mut [u8]) {
        by_target!(horizontal_simd, horizontal_sse2, horizontal_scalar, (columns, starts, weights, wstride, out))
    }

    /// The scalar reference of [`vertical`].
    pub fn vertical_scalar(src: &[u8], base: usize, stride: usize, weights: &[i16], out: &mut [i16]) {
        for (j, o) in out.iter_mut().enumerate() {
            let mut acc = 0i32;
            for (k, &w) in weights.iter().enumerate() {
                acc += i32::from(w) * i32::from(src[base + k * stride + j]);
            }
            *o = to_q6(acc);
        }
    }

    /// The scalar reference of [`horizontal`].
    pub fn horizontal_scalar(columns: &[i16], starts: &[usize], weights: &[i16], wstride: usize, out: &mut [u8]) {
        for ((px, &start), w) in out.chunks_exact_mut(4).zip(starts).zip(weights.chunks_exact(wstride)) {
            let mut acc = [0i32; 4];
            for (k, &wk) in w.iter().enumerate() {
                let p = &columns[(start + k) * 4..(start + k) * 4 + 4];
                for c in 0..4 {
                    acc[c] += i32::from(wk) * i32::from(p[c]);
                }
            }
            for c in 0..4 {
                px[c] = to_u8(acc[c]);
            }
        }
    }

    /// The horizontal pass for one channel (a plane of I420). Windows of 4 taps (a source up to
    /// 1.5× the output, the usual camera) go four outputs at a time through SIMD; others through
    /// [`horizontal_plane_scalar`].
    pub fn horizontal_plane(columns: &[i16], starts: &[usize], weights: &[i16], wstride: usize, out: &mut [u8]) {
        #[cfg(target_feature = "simd128")]
        if wstride == 4 {
            return plane4_simd(columns, starts, weights, out);
        }
        #[cfg(all(not(target_feature = "simd128"), target_arch = "x86_64"))]
        if wstride == 4 {
            return plane4_sse2(columns, starts, weights, out);
        }
        horizontal_plane_scalar(columns, starts, weights, wstride, out)
    }

    /// The scalar reference of [`horizontal_plane`]: the common window lengths get loops of a
    /// constant length, which the compiler unrolls (a loop over a run-time length cost 3× as much).
    pub fn horizontal_plane_scalar(columns: &[i16], starts: &[usize], weights: &[i16], wstride: usize, out: &mut [u8]) {
        match wstride {
            2 => plane_taps::<2>(columns, starts, weights, out),
            4 => plane_taps::<4>(columns, starts, weights, out),
            6 => plane_taps::<6>(columns, starts, weights, out),
            8 => plane_taps::<8>(columns, starts, weights, out),
            _ => {
                for ((o, &start), w) in out.iter_mut().zip(starts).zip(weights.chunks_exact(wstride)) {
                    let window = &columns[start..start + wstride];
                    let acc: i32 = window.iter().zip(w).map(|(&c, &wk)| i32::from(c) * i32::from(wk)).sum();
                    *o = to_u8(acc);
                }
            }
        }
    }

    /// Checks that four-tap windows and weights for every output lie inside their slices.
    fn check_plane4(columns: &[i16], starts: &[usize], weights: &[i16], out: &[u8]) {
        assert!(out.len() <= starts.len() && weights.len() >= out.len() * 4, "weights per output");
        let reach = starts[..out.len()].iter().max().map_or(0, |s| s + 4);
        assert!(reach <= columns.len(), "windows outside the column sums");
    }

    /// The SSE2 twin of the four-tap [`horizontal_plane_scalar`]: four outputs' windows (8 bytes
    /// each) in two registers, one `madd` each against the four outputs' 16 weights, then the
    /// halves of each output's sum added.
    #[cfg(target_arch = "x86_64")]
    pub fn plane4_sse2(columns: &[i16], starts: &[usize], weights: &[i16], out: &mut [u8]) {
        use core::arch::x86_64::*;
        check_plane4(columns, starts, weights, out);
        let groups = out.len() / 4;
        // Chunks, not indices: the loop then has no bounds checks (they cost the simd128 twin a
        // quarter of its time).
        let quads = out.chunks_exact_mut(4).zip(starts.chunks_exact(4)).zip(weights.chunks_exact(16));
        // SAFETY: SSE2 is part of the x86-64 baseline. Each 8-byte load reads
        // `columns[s..s + 4]` for the start `s` of an output below `out.len()`, inside `columns`
        // (check_plane4); the weight loads read the 16 weights of `w`. Unaligned loads have no
        // alignment requirement.
        unsafe {
            let zero = _mm_setzero_si128();
            let round = _mm_set1_epi32(TOTAL_ROUND);
            let p = columns.as_ptr();
            for ((out4, s), w) in quads {
                let window = |j: usize| _mm_loadl_epi64(p.add(s[j]) as *const __m128i);
                let a = _mm_unpacklo_epi64(window(0), window(1));
                let b = _mm_unpacklo_epi64(window(2), window(3));
                let w = w.as_ptr() as *const __m128i;
                let (da, db) = (_mm_madd_epi16(a, _mm_loadu_si128(w)), _mm_madd_epi16(b, _mm_loadu_si128(w.add(1))));
                let (fa, fb) = (_mm_castsi128_ps(da), _mm_castsi128_ps(db));
                let even = _mm_castps_si128(_mm_shuffle_ps::<0b10_00_10_00>(fa, fb));
                let odd = _mm_castps_si128(_mm_shuffle_ps::<0b11_01_11_01>(fa, fb));
                let v = _mm_srai_epi32(_mm_add_epi32(_mm_add_epi32(even, odd), round), TOTAL_SHIFT as i32);
                let v = _mm_packus_epi16(_mm_packs_epi32(v, v), zero);
                out4.copy_from_slice(&(_mm_cvtsi128_si32(v) as u32).to_le_bytes());
            }
        }
        let done = groups * 4;
        plane_taps::<4>(columns, &starts[done..], &weights[done * 4..], &mut out[done..]);
    }

    /// The simd128 twin of the four-tap [`horizontal_plane_scalar`] (the scheme of [`plane4_sse2`]).
    #[cfg(target_feature = "simd128")]
    pub fn plane4_simd(columns: &[i16], starts: &[usize], weights: &[i16], out: &mut [u8]) {
        use core::arch::wasm32::*;
        check_plane4(columns, starts, weights, out);
        let groups = out.len() / 4;
        let round = i32x4_splat(TOTAL_ROUND);
        let p = columns.as_ptr();
        // Chunks, not indices, as in plane4_sse2.
        let quads = out.chunks_exact_mut(4).zip(starts.chunks_exact(4)).zip(weights.chunks_exact(16));
        for ((out4, s), w) in quads {
            // SAFETY: each 8-byte load reads `columns[s..s + 4]` for the start `s` of an output
            // below `out.len()`, inside `columns` (check_plane4); the weight loads read the 16
            // weights of `w`. wasm loads have no alignment requirement.
            let (a, b, wa, wb) = unsafe {
                let pair = |j: usize| {
                    v128_load64_lane::<1>(v128_load64_zero(p.add(s[j]) as *const u64), p.add(s[j + 1]) as *const u64)
                };
                let w = w.as_ptr() as *const v128;
                (pair(0), pair(2), v128_load(w), v128_load(w.add(1)))
            };
            let (da, db) = (i32x4_dot_i16x8(a, wa), i32x4_dot_i16x8(b, wb));
            let sum = i32x4_add(i32x4_shuffle::<0, 2, 4, 6>(da, db), i32x4_shuffle::<1, 3, 5, 7>(da, db));
            let v = i32x4_shr(i32x4_add(sum, round), TOTAL_SHIFT);
            let v = i16x8_narrow_i32x4(v, v);
            let v = u8x16_narrow_i16x8(v, v);
            out4.copy_from_slice(&u32x4_extract_lane::<0>(v).to_le_bytes());
        }
        let done = groups * 4;
        plane_taps::<4>(columns, &starts[done..], &weights[done * 4..], &mut out[done..]);
    }

    #[inline]
    fn plane_taps<const N: usize>(columns: &[i16], starts: &[usize], weights: &[i16], out: &mut [u8]) {
        for ((o, &start), w) in out.iter_mut().zip(starts).zip(weights.chunks_exact(N)) {
            let window = &columns[start..start + N];
            let mut acc = 0i32;
            for k in 0..N {
                acc += i32::from(window[k]) * i32::from(w[k]);
            }
            *o = to_u8(acc);
        }
    }

    /// Rows `k` and `k + 1` of the window with their weights; an odd last row pairs with itself
    /// at weight 0.
    #[inline]
    fn row_pairs(weights: &[i16]) -> impl Iterator<Item = (usize, usize, i16, i16)> + '_ {
        (0..weights.len()).step_by(2).map(move |k| match weights.get(k + 1) {
            Some(&b) => (k, k + 1, weights[k], b),
            None => (k, k, weights[k], 0),
        })
    }

    /// Two 16-bit weights as one 32-bit lane (low half first), for pairwise dot products.
    #[inline]
    fn pair(a: i16, b: i16) -> i32 {
        (u32::from(a as u16) | (u32::from(b as u16) << 16)) as i32
    }

    /// The SSE2 twin of [`vertical_scalar`]: two rows' bytes interleaved, widened to 16 bits and
    /// multiplied by their two weights in one `madd` per four bytes.
    #[cfg(target_arch = "x86_64")]
    pub fn vertical_sse2(src: &[u8], base: usize, stride: usize, weights: &[i16], out: &mut [i16]) {
        use core::arch::x86_64::*;
        let len = out.len();
        let last_row = base + weights.len().saturating_sub(1) * stride;
        assert!(weights.is_empty() || last_row + len <= src.len(), "window outside the image");
        let simd_len = len - len % 16;
        // SAFETY: SSE2 is part of the x86-64 baseline. Every load reads 16 bytes at
        // `base + k·stride + j` with `k < weights.len()` and `j + 16 <= simd_len <= len`, inside
        // `src` by the assert above; every store writes 8 i16 at `j` or `j + 8`, `j + 16 <= len`.
        // Unaligned loads and stores have no alignment requirement.
        unsafe {
            let zero = _mm_setzero_si128();
            let round = _mm_set1_epi32(FIRST_PASS_ROUND);
            for j in (0..simd_len).step_by(16) {
                let mut acc = [_mm_setzero_si128(); 4];
                for (ka, kb, wa, wb) in row_pairs(weights) {
                    let a = _mm_loadu_si128(src.as_ptr().add(base + ka * stride + j) as *const __m128i);
                    let b = _mm_loadu_si128(src.as_ptr().add(base + kb * stride + j) as *const __m128i);
                    let w = _mm_set1_epi32(pair(wa, wb));
                    let (lo, hi) = (_mm_unpacklo_epi8(a, b), _mm_unpackhi_epi8(a, b));
                    acc[0] = _mm_add_epi32(acc[0], _mm_madd_epi16(_mm_unpacklo_epi8(lo, zero), w));
                    acc[1] = _mm_add_epi32(acc[1], _mm_madd_epi16(_mm_unpackhi_epi8(lo, zero), w));
                    acc[2] = _mm_add_epi32(acc[2], _mm_madd_epi16(_mm_unpacklo_epi8(hi, zero), w));
                    acc[3] = _mm_add_epi32(acc[3], _mm_madd_epi16(_mm_unpackhi_epi8(hi, zero), w));
                }
                let q = acc.map(|a| _mm_srai_epi32(_mm_add_epi32(a, round), FIRST_PASS_SHIFT as i32));
                let dst = out.as_mut_ptr().add(j) as *mut __m128i;
                _mm_storeu_si128(dst, _mm_packs_epi32(q[0], q[1]));
                _mm_storeu_si128(dst.add(1), _mm_packs_epi32(q[2], q[3]));
            }
        }
        vertical_scalar(src, base + simd_len, stride, weights, &mut out[simd_len..]);
    }

    /// The simd128 twin of [`vertical_scalar`] (the same scheme as [`vertical_sse2`]).
    #[cfg(target_feature = "simd128")]
    pub fn vertical_simd(src: &[u8], base: usize, stride: usize, weights: &[i16], out: &mut [i16]) {
        use core::arch::wasm32::*;
        let len = out.len();
        let last_row = base + weights.len().saturating_sub(1) * stride;
        assert!(weights.is_empty() || last_row + len <= src.len(), "window outside the image");
        let simd_len = len - len % 16;
        let round = i32x4_splat(FIRST_PASS_ROUND);
        for j in (0..simd_len).step_by(16) {
            let mut acc = [i32x4_splat(0); 4];
            for (ka, kb, wa, wb) in row_pairs(weights) {
                // SAFETY: `base + k·stride + j + 16 <= last_row + len <= src.len()` (assert
                // above); `v128_load` has no alignment requirement.
                let (a, b) = unsafe {
                    (
                        v128_load(src.as_ptr().add(base + ka * stride + j) as *const v128),
                        v128_load(src.as_ptr().add(base + kb * stride + j) as *const v128),
                    )
                };
                let w = i32x4_splat(pair(wa, wb));
                let lo = i8x16_shuffle::<0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23>(a, b);
                let hi = i8x16_shuffle::<8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31>(a, b);
                acc[0] = i32x4_add(acc[0], i32x4_dot_i16x8(u16x8_extend_low_u8x16(lo), w));
                acc[1] = i32x4_add(acc[1], i32x4_dot_i16x8(u16x8_extend_high_u8x16(lo), w));
                acc[2] = i32x4_add(acc[2], i32x4_dot_i16x8(u16x8_extend_low_u8x16(hi), w));
                acc[3] = i32x4_add(acc[3], i32x4_dot_i16x8(u16x8_extend_high_u8x16(hi), w));
            }
            let q = acc.map(|a| i32x4_shr(i32x4_add(a, round), FIRST_PASS_SHIFT));
            // SAFETY: `j + 16 <= len = out.len()`: both 8-lane stores stay inside `out`.
            unsafe {
                let dst = out.as_mut_ptr().add(j) as *mut v128;
                v128_store(dst, i16x8_narrow_i32x4(q[0], q[1]));
                v128_store(dst.add(1), i16x8_narrow_i32x4(q[2], q[3]));
            }
        }
        vertical_scalar(src, base + simd_len, stride, weights, &mut out[simd_len..]);
    }

    /// The SSE2 twin of [`horizontal_scalar`]: two neighbouring pixels (one 16-byte load) are
    /// interleaved by channel and multiplied by their two weights in one `madd`.
    #[cfg(target_arch = "x86_64")]
    pub fn horizontal_sse2(columns: &[i16], starts: &[usize], weights: &[i16], wstride: usize, out: &mut [u8]) {
        use core::arch::x86_64::*;
        assert!(wstride % 2 == 0 && weights.len() >= starts.len() * wstride, "weights per output");
        let reach = starts.iter().max().map_or(0, |s| (s + wstride) * 4);
        assert!(reach <= columns.len(), "windows outside the column sums");
        // SAFETY: SSE2 is part of the x86-64 baseline. Each load reads 8 i16 at
        // `(start + k)·4` with `k + 2 <= wstride`, so it ends by `(start + wstride)·4 <= reach <=
        // columns.len()` (asserts above); unaligned loads have no alignment requirement.
        unsafe {
            let zero = _mm_setzero_si128();
            let round = _mm_set1_epi32(TOTAL_ROUND);
            for ((px, &start), w) in out.chunks_exact_mut(4).zip(starts).zip(weights.chunks_exact(wstride)) {
                let mut acc = _mm_setzero_si128();
                for k in (0..wstride).step_by(2) {
                    let v = _mm_loadu_si128(columns.as_ptr().add((start + k) * 4) as *const __m128i);
                    let v = _mm_unpacklo_epi16(v, _mm_srli_si128(v, 8));
                    acc = _mm_add_epi32(acc, _mm_madd_epi16(v, _mm_set1_epi32(pair(w[k], w[k + 1]))));
                }
                let v = _mm_srai_epi32(_mm_add_epi32(acc, round), TOTAL_SHIFT as i32);
                let v = _mm_packus_epi16(_mm_packs_epi32(v, v), zero);
                px.copy_from_slice(&(_mm_cvtsi128_si32(v) as u32).to_le_bytes());
            }
        }
    }

    /// The simd128 twin of [`horizontal_scalar`] (the same scheme as [`horizontal_sse2`]).
    #[cfg(target_feature = "simd128")]
    pub fn horizontal_simd(columns: &[i16], starts: &[usize], weights: &[i16], wstride: usize, out: &mut [u8]) {
        use core::arch::wasm32::*;
        assert!(wstride % 2 == 0 && weights.len() >= starts.len() * wstride, "weights per output");
        let reach = starts.iter().max().map_or(0, |s| (s + wstride) * 4);
        assert!(reach <= columns.len(), "windows outside the column sums");
        let round = i32x4_splat(TOTAL_ROUND);
        for ((px, &start), w) in out.chunks_exact_mut(4).zip(starts).zip(weights.chunks_exact(wstride)) {
            let mut acc = i32x4_splat(0);
            for k in (0..wstride).step_by(2) {
                // SAFETY: the load ends by `(start + wstride)·4 <= reach <= columns.len()`
                // (asserts above); `v128_load` has no alignment requirement.
                let v = unsafe { v128_load(columns.as_ptr().add((start + k) * 4) as *const v128) };
                let v = i16x8_shuffle::<0, 4, 1, 5, 2, 6, 3, 7>(v, v);
                acc = i32x4_add(acc, i32x4_dot_i16x8(v, i32x4_splat(pair(w[k], w[k + 1]))));
            }
            let v = i32x4_shr(i32x4_add(acc, round), TOTAL_SHIFT);
            let v = i16x8_narrow_i32x4(v, v);
            let v = u8x16_narrow_i16x8(v, v);
            px.copy_from_slice(&u32x4_extract_lane::<0>(v).to_le_bytes());
        }
    }
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
                let sum: i32 = w.iter().map(|&v| i32::from(v)).sum();
                assert_eq!(sum, ONE, "scale {scale} i {i}");
                assert!(w.iter().all(|&v| v >= 0), "scale {scale} i {i}: {w:?}");
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

    #[test]
    fn simd_kernels_equal_their_scalar_twins() {
        assert!(crate::testing::resample_cases().iter().filter(|c| c.1.scale < 1.5).count() >= 8, "four-tap windows");
        for (src, view, w, h) in crate::testing::resample_cases() {
            let (mut fast, mut reference) = (vec![0u8; w * h * 4], vec![0u8; w * h * 4]);
            resample(&src, view, &mut fast, w, h);
            resample_scalar(Samples::rgba(&src), view, &mut reference, w, h);
            assert_eq!(fast, reference, "{view:?} {w}x{h} of {}x{}", src.width(), src.height());
            // One channel (a plane of I420): the same vertical kernel, a different horizontal pass.
            let plane =
                Samples { data: src.data(), width: src.width() as usize, height: src.height() as usize, channels: 1 };
            let (mut fast, mut reference) = (vec![0u8; w * h], vec![0u8; w * h]);
            resample_samples(plane, view, &mut fast, w, h);
            resample_scalar(plane, view, &mut reference, w, h);
            assert_eq!(fast, reference, "plane: {view:?} {w}x{h}");
        }
    }

    #[test]
    fn fixed_point_matches_a_float_reference_within_a_level() {
        // The same tent filter in f64, from the same (unrounded) weights.
        let src = zone_plate(97);
        let view = View { scale: 1.63, offset_x: 2.71, offset_y: 5.3 };
        let (w, h) = (50, 40);
        let out = render(&src, view, w, h);
        let float_taps = |len: usize, src_len: usize, offset: f64| {
            let t = AxisTaps::new(len, src_len, offset, view.scale);
            (0..len).map(|i| (t.start[i], t.weights[i * t.stride..i * t.stride + t.taps].to_vec())).collect::<Vec<_>>()
        };
        let (hx, vy) = (float_taps(w, 97, view.offset_x), float_taps(h, 97, view.offset_y));
        let mut worst = 0f64;
        for (y, (r0, wv)) in vy.iter().enumerate() {
            for (x, (c0, wh)) in hx.iter().enumerate() {
                let mut want = 0f64;
                for (j, &a) in wv.iter().enumerate() {
                    for (i, &b) in wh.iter().enumerate() {
                        let p = src.pixel((c0 + i) as u32, (r0 + j) as u32)[1];
                        want += f64::from(a) * f64::from(b) / f64::from(ONE * ONE) * f64::from(p);
                    }
                }
                worst = worst.max((f64::from(out[(y * w + x) * 4 + 1]) - want).abs());
            }
        }
        assert!(worst <= 1.0, "off by {worst} levels");
    }
}
