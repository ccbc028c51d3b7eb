//! Box reduction: an RGBA image made smaller by a whole factor, each output pixel the rounded mean
//! of its `factor x factor` block. Partial blocks at the right and bottom edges average what they
//! have, so the whole source counts and nothing aliases. The decoder reduces huge photos with it
//! straight from their native rows, and the renderer a source still far larger than the video.

use rayon::prelude::*;

use crate::error::Result;
use crate::image::Rgba8Image;

/// Reduces a `width x height` RGBA image, given row by row, by `factor` (at least 1).
///
/// `row(y, out)` writes source row `y` into `out` (`width * 4` bytes). Rows are asked for once
/// each, from output rows made in parallel, so a decoder's converter can feed them without a
/// full-size copy.
pub fn box_reduce<F>(width: u32, height: u32, factor: u32, row: F) -> Result<Rgba8Image>
where
    F: Fn(usize, &mut [u8]) + Sync,
{
    let factor = factor.max(1);
    let (ow, oh) = (width.div_ceil(factor), height.div_ceil(factor));
    let (f, w, h) = (factor as usize, width as usize, height as usize);
    let mut data = vec![0u8; ow as usize * oh as usize * 4];
    data.par_chunks_mut(ow as usize * 4).enumerate().for_each_init(
        || (vec![0u8; w * 4], vec![0u32; ow as usize * 4]),
        |(scratch, sums), (oy, out)| {
            sums.fill(0);
            let rows = oy * f..((oy + 1) * f).min(h);
            let n_rows = rows.len();
            for y in rows {
                row(y, scratch);
                for (block, pixels) in sums.chunks_exact_mut(4).zip(scratch.chunks(4 * f)) {
                    for px in pixels.chunks_exact(4) {
                        block.iter_mut().zip(px).for_each(|(s, &c)| *s += u32::from(c));
                    }
                }
            }
            for (ox, (px, s)) in out.chunks_exact_mut(4).zip(sums.chunks_exact(4)).enumerate() {
                let n = (n_rows * ((ox + 1) * f).min(w).saturating_sub(ox * f)) as u32;
                for (p, &s) in px.iter_mut().zip(s) {
                    *p = ((s + n / 2) / n.max(1)) as u8;
                }
            }
        },
    );
    Rgba8Image::from_raw(ow, oh, data)
}

/// [`box_reduce`] of an image already in memory.
pub fn box_reduce_image(src: &Rgba8Image, factor: u32) -> Result<Rgba8Image> {
    box_reduce(src.width(), src.height(), factor, |y, out| out.copy_from_slice(src.row(y)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The straightforward definition: every block's pixels summed one by one.
    fn reference(src: &Rgba8Image, factor: u32) -> Vec<u8> {
        let (w, h) = (src.width().div_ceil(factor), src.height().div_ceil(factor));
        let mut data = Vec::new();
        for by in 0..h {
            for bx in 0..w {
                let (mut sum, mut n) = ([0u64; 4], 0u64);
                for y in by * factor..((by + 1) * factor).min(src.height()) {
                    for x in bx * factor..((bx + 1) * factor).min(src.width()) {
                        let p = src.pixel(x, y);
                        (0..4).for_each(|c| sum[c] += u64::from(p[c]));
                        n += 1;
                    }
                }
                data.extend(sum.iter().map(|s| ((s + n / 2) / n) as u8));
            }
        }
        data
    }

    fn noise(w: u32, h: u32) -> Rgba8Image {
        let mut state = 0x2545_F491u32;
        let data = (0..w * h * 4)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                if i % 4 == 3 {
                    255
                } else {
                    (state >> 24) as u8
                }
            })
            .collect();
        Rgba8Image::from_raw(w, h, data).expect("size")
    }

    #[test]
    fn every_block_is_its_rounded_mean_partial_edges_included() {
        for (w, h, f) in [(37, 23, 1), (37, 23, 2), (37, 23, 5), (64, 48, 4), (7, 3, 8)] {
            let src = noise(w, h);
            let out = box_reduce_image(&src, f).expect("reduced");
            assert_eq!((out.width(), out.height()), (w.div_ceil(f), h.div_ceil(f)), "{w}x{h} / {f}");
            assert_eq!(out.data(), &reference(&src, f)[..], "{w}x{h} / {f}");
        }
    }

    #[test]
    fn a_factor_of_one_is_the_image() {
        let src = noise(19, 11);
        assert_eq!(box_reduce_image(&src, 1).expect("same").data(), src.data());
    }
}
