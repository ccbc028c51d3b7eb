//! A moving layer over the still picture, or over another moving one: `out = α·layer + (1 −
//! α)·under`, per pixel, with α in 0 to 255. Where α is 0 the still picture comes through bit for bit, in chroma too when α is 0
//! anywhere in the 2x2 block (a block takes the least α of its four pixels), so nothing outside
//! the layer ever changes.

use crate::image::Rgba8Image;
use crate::render::yuv::{i420_len, I420};

/// How much of each pixel a layer covers: α per pixel, and per 2x2 chroma block the least α of
/// its pixels (so a block with any uncovered pixel keeps the picture's chroma).
#[derive(Debug, Clone)]
pub struct Coverage {
    alpha: Vec<u8>,
    block_alpha: Vec<u8>,
}

impl Coverage {
    /// The coverage `alpha` (one value a pixel) of a `width x height` picture.
    ///
    /// # Panics
    /// When `alpha` does not have one value per pixel (a caller bug).
    pub fn new(width: usize, height: usize, alpha: Vec<u8>) -> Self {
        let (w, h) = (width, height);
        assert_eq!(alpha.len(), w * h, "one alpha a pixel");
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let block_alpha = (0..cw * ch)
            .map(|b| {
                let (x, y) = (2 * (b % cw), 2 * (b / cw));
                let at = |x: usize, y: usize| alpha[y.min(h - 1) * w + x.min(w - 1)];
                at(x, y).min(at(x + 1, y)).min(at(x, y + 1)).min(at(x + 1, y + 1))
            })
            .collect();
        Coverage { alpha, block_alpha }
    }

    /// Puts `layer` (RGBA) over `base` (RGBA, the picture's size), in place.
    pub fn over_rgba(&self, base: &mut [u8], layer: &[u8]) {
        for ((b, l), &a) in base.chunks_exact_mut(4).zip(layer.chunks_exact(4)).zip(&self.alpha) {
            for c in 0..4 {
                b[c] = mix(l[c], b[c], a);
            }
        }
    }

    /// Puts `layer` (I420) over `base` (I420, the picture's size), in place.
    pub fn over_i420(&self, base: &mut [u8], layer: &[u8]) {
        let n = self.alpha.len();
        let (luma, chroma) = base.split_at_mut(n);
        let (cb, cr) = chroma.split_at_mut(chroma.len() / 2);
        let (layer_luma, layer_chroma) = layer.split_at(n);
        let (layer_cb, layer_cr) = layer_chroma.split_at(layer_chroma.len() / 2);
        for ((o, &l), &a) in luma.iter_mut().zip(layer_luma).zip(&self.alpha) {
            *o = mix(l, *o, a);
        }
        for (out, layer) in [(cb, layer_cb), (cr, layer_cr)] {
            for ((o, &l), &a) in out.iter_mut().zip(layer).zip(&self.block_alpha) {
                *o = mix(l, *o, a);
            }
        }
    }
}

/// The still picture and the coverage of the moving layer drawn over it.
#[derive(Debug, Clone)]
pub struct Composite {
    still: Rgba8Image,
    coverage: Coverage,
    /// The still picture in I420, made at the first video frame.
    still_i420: Option<I420>,
}

impl Composite {
    /// A layer over `still` with coverage `alpha` (one value a pixel).
    ///
    /// # Panics
    /// When `alpha` does not have one value per pixel (a caller bug).
    pub fn new(still: Rgba8Image, alpha: Vec<u8>) -> Self {
        let coverage = Coverage::new(still.width() as usize, still.height() as usize, alpha);
        Composite { still, coverage, still_i420: None }
    }

    /// The still picture.
    pub fn still(&self) -> &Rgba8Image {
        &self.still
    }

    /// Puts the still picture under `frame` (RGBA, the picture's size), in place.
    pub fn under_rgba(&self, frame: &mut [u8]) {
        let alpha = &self.coverage.alpha;
        for ((px, s), &a) in frame.chunks_exact_mut(4).zip(self.still.data().chunks_exact(4)).zip(alpha) {
            for c in 0..4 {
                px[c] = mix(px[c], s[c], a);
            }
        }
    }

    /// Puts the still picture under `frame` (I420, the picture's size), in place.
    pub fn under_i420(&mut self, frame: &mut [u8]) {
        let still = self.still_i420.get_or_insert_with(|| I420::from_rgba(&self.still));
        let (w, h) = (still.y.width, still.y.height);
        debug_assert_eq!(frame.len(), i420_len(w, h));
        let (luma, chroma) = frame.split_at_mut(w * h);
        let (cb, cr) = chroma.split_at_mut(chroma.len() / 2);
        let Coverage { alpha, block_alpha } = &self.coverage;
        for ((o, &s), &a) in luma.iter_mut().zip(&still.y.data).zip(alpha) {
            *o = mix(*o, s, a);
        }
        for (plane, out) in [(&still.cb, cb), (&still.cr, cr)] {
            for ((o, &s), &a) in out.iter_mut().zip(&plane.data).zip(block_alpha) {
                *o = mix(*o, s, a);
            }
        }
    }
}

/// `(a·layer + (255 − a)·still) / 255`, rounded: `still` at 0, `layer` at 255, exactly.
#[inline]
fn mix(layer: u8, still: u8, a: u8) -> u8 {
    let (l, s, a) = (u32::from(layer), u32::from(still), u32::from(a));
    ((a * l + (255 - a) * s + 127) / 255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_still_picture_shows_exactly_where_alpha_is_zero() {
        let still = Rgba8Image::from_raw(4, 2, (0..32).map(|v| v as u8 * 7).collect()).expect("size");
        let alpha = vec![0, 255, 128, 0, 0, 0, 255, 255];
        let layer = vec![200u8; 32];
        let c = Composite::new(still.clone(), alpha);
        let mut frame = layer.clone();
        c.under_rgba(&mut frame);
        assert_eq!(frame[..4], still.data()[..4]);
        assert_eq!(frame[4..8], [200; 4]);
        assert_eq!(frame[8], ((128 * 200 + 127 * 56 + 127) / 255) as u8);
    }

    #[test]
    fn a_block_with_any_still_pixel_keeps_its_chroma() {
        let still = Rgba8Image::from_raw(4, 2, [30u8, 60, 200, 255].repeat(8)).expect("size");
        let mut c = Composite::new(still.clone(), vec![255, 255, 255, 0, 255, 255, 255, 255]);
        let mut frame = vec![128u8; i420_len(4, 2)];
        c.under_i420(&mut frame);
        let s = I420::from_rgba(&still);
        assert_eq!(frame[8], 128, "block 0 is all layer");
        assert_eq!(frame[9], s.cb.data[1], "block 1 has a still pixel");
        assert_eq!(frame[3], s.y.data[3], "the still luma pixel");
        assert_eq!(frame[7], 128, "a layer luma pixel");
    }
}
