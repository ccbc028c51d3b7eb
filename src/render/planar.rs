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
//! The sampling itself is [`super::sampler`]'s, on copies of the planes made once per video
//! ([`SourceI420`]).
//!
//! A still pixel (its position on its own centre) is copied, so a still region stays bit-exact, in
//! chroma too when its whole 2x2 block is still: frame 0 is the fitted image in I420 exactly.

use rayon::prelude::*;

use crate::image::Rgba8Image;
use crate::render::sampler::{sample_row, SamplePlane};
use crate::render::warp::{weight_table, Fixed};
use crate::render::yuv::{i420_len, I420};

/// An image in I420 as the warps read it: the planes, and each plane's [`SamplePlane`].
#[derive(Debug, Clone)]
pub struct SourceI420 {
    /// The planes.
    pub planes: I420,
    pub(crate) y: SamplePlane,
    pub(crate) cb: SamplePlane,
    pub(crate) cr: SamplePlane,
}

impl SourceI420 {
    /// Converts `img` for positions that reach up to `reach` pixels past it (more is correct,
    /// only slower).
    pub fn new(img: &Rgba8Image, reach: f64) -> Self {
        let planes = I420::from_rgba(img);
        // Two taps beyond the position, and chroma positions are half the luma ones.
        let pad = |reach: f64| (reach.max(0.0).ceil() as usize).saturating_add(2);
        let (luma, chroma) = (pad(reach), pad(reach / 2.0));
        let (y, cb, cr) = (
            SamplePlane::new(&planes.y, luma),
            SamplePlane::new(&planes.cb, chroma),
            SamplePlane::new(&planes.cr, chroma),
        );
        SourceI420 { planes, y, cb, cr }
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
/// loop of their own, so it vectorises (an indexed loop over the blocks does not).
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
pub fn warp_i420<R>(src: &SourceI420, out: &mut [u8], row: R)
where
    R: Fn(usize, &mut [Fixed], &mut [Fixed]) + Sync,
{
    let (w, h) = (src.planes.y.width, src.planes.y.height);
    let cw = src.planes.cb.width;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::Rgba8Image;
    use crate::render::warp::{to_fixed, warp};
    use crate::testing::{i420_error, landscape, zone_plate};

    /// Fills a row's positions from a mapping of pixel centres to continuous source positions.
    fn fill(y: usize, xs: &mut [Fixed], ys: &mut [Fixed], at: impl Fn(f64, f64) -> (f64, f64)) {
        for x in 0..xs.len() {
            let (u, v) = at(x as f64 + 0.5, y as f64 + 0.5);
            (xs[x], ys[x]) = (to_fixed(u), to_fixed(v));
        }
    }

    fn render(src: &Rgba8Image, at: impl Fn(f64, f64) -> (f64, f64) + Sync) -> Vec<u8> {
        // A border for 2.5-pixel reaches: the warps below go further, past it.
        let planes = SourceI420::new(src, 2.5);
        let mut out = vec![0; i420_len(src.width() as usize, src.height() as usize)];
        warp_i420(&planes, &mut out, |y, xs, ys| fill(y, xs, ys, &at));
        out
    }

    fn planes_bytes(p: &I420) -> Vec<u8> {
        [&p.y.data[..], &p.cb.data, &p.cr.data].concat()
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
