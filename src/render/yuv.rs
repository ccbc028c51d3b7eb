//! I420: BT.709 limited-range Y'CbCr with 4:2:0 chroma, the layout video encoders take.
//!
//! The camera renders its frames straight in I420 for WebCodecs: the source is converted once,
//! then each frame resamples three planes of one byte a pixel (Y at full size, Cb and Cr at half
//! size in both directions), 1.5 bytes a pixel against RGBA's 4 — and the encoder skips its own
//! RGBA → I420 conversion. Resampling is linear, so the luma plane equals the resampled RGBA frame
//! converted, up to rounding (tested within 2 levels). Chroma is filtered in the other order (the
//! source's 2×2 blocks averaged, then resampled at half size) than a converted RGBA frame (resampled,
//! then averaged): under half a level apart on average, a few levels at sharp colour edges.
//!
//! Chroma is sited at the centre of each 2×2 block (the average of its four pixels), as libyuv
//! (and so Chromium) does when it converts RGBA itself. Coefficients are Q16 integers derived from
//! BT.709's `Kr = 0.2126`, `Kb = 0.0722`: `Y = 16 + 219·Y'`, `Cb = 128 + 224·(B − Y')/(2(1 − Kb))`,
//! `Cr = 128 + 224·(R − Y')/(2(1 − Kr))`, with `Y' = Kr·R + (1 − Kr − Kb)·G + Kb·B` on 0–1 values.

use rayon::prelude::*;

use crate::image::Rgba8Image;
use crate::raster::resample::Samples;

/// BT.709's red and blue luma weights (the previews' conversion back uses them too).
pub(crate) const KR: f64 = 0.2126;
pub(crate) const KB: f64 = 0.0722;
/// Fixed-point bits of the coefficients.
const Q: u32 = 16;

/// Bytes of an I420 frame of `width x height` (even sides): Y, then Cb, then Cr.
pub fn i420_len(width: usize, height: usize) -> usize {
    width * height + 2 * (width.div_ceil(2) * height.div_ceil(2))
}

/// The exact (unrounded) BT.709 limited-range `(Y, Cb, Cr)` of an 8-bit RGB colour.
pub fn ycbcr(r: f64, g: f64, b: f64) -> (f64, f64, f64) {
    let (r, g, b) = (r / 255.0, g / 255.0, b / 255.0);
    let luma = KR * r + (1.0 - KR - KB) * g + KB * b;
    (
        16.0 + 219.0 * luma,
        128.0 + 224.0 * (b - luma) / (2.0 * (1.0 - KB)),
        128.0 + 224.0 * (r - luma) / (2.0 * (1.0 - KR)),
    )
}

/// `[[Y], [Cb], [Cr]]` coefficients of R, G, B in Q16 (per 8-bit level).
fn coefficients() -> [[i32; 3]; 3] {
    let kg = 1.0 - KR - KB;
    let one = f64::from(1u32 << Q) / 255.0;
    let y = [KR, kg, KB].map(|k| 219.0 * k);
    let cb = [-KR, -kg, 1.0 - KB].map(|k| 224.0 * k / (2.0 * (1.0 - KB)));
    let cr = [1.0 - KR, -kg, -KB].map(|k| 224.0 * k / (2.0 * (1.0 - KR)));
    [y, cb, cr].map(|row| row.map(|c| (c * one).round() as i32))
}

/// One plane of 8-bit samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Plane {
    /// Samples per row.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// `width * height` bytes.
    pub data: Vec<u8>,
}

impl Plane {
    /// Row `y`.
    pub fn row(&self, y: usize) -> &[u8] {
        &self.data[y * self.width..(y + 1) * self.width]
    }

    /// The plane as samples to resample.
    pub fn samples(&self) -> Samples<'_> {
        Samples { data: &self.data, width: self.width, height: self.height, channels: 1 }
    }
}

/// An image in I420.
#[derive(Debug, Clone, PartialEq)]
pub struct I420 {
    /// Luma, full size.
    pub y: Plane,
    /// Blue-difference chroma, half size (rounded up).
    pub cb: Plane,
    /// Red-difference chroma, half size (rounded up).
    pub cr: Plane,
}

impl I420 {
    /// Writes the planes into `out`, an I420 frame of the same size: Y, then Cb, then Cr.
    ///
    /// # Panics
    /// When `out` is not that size (a caller bug).
    pub fn copy_to(&self, out: &mut [u8]) {
        let (y, chroma) = out.split_at_mut(self.y.data.len());
        let (cb, cr) = chroma.split_at_mut(self.cb.data.len());
        y.copy_from_slice(&self.y.data);
        cb.copy_from_slice(&self.cb.data);
        cr.copy_from_slice(&self.cr.data);
    }

    /// Converts `img` (alpha ignored: the decoder has already composed it over black). A last odd
    /// row or column makes chroma blocks of one or two pixels, averaged as they are.
    pub fn from_rgba(img: &Rgba8Image) -> Self {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let (cw, chh) = (w.div_ceil(2), h.div_ceil(2));
        let k = coefficients();
        let mut y = vec![0u8; w * h];
        y.par_chunks_exact_mut(w.max(1)).enumerate().for_each(|(row, out)| {
            for (o, p) in out.iter_mut().zip(img.row(row).chunks_exact(4)) {
                let v = k[0][0] * i32::from(p[0]) + k[0][1] * i32::from(p[1]) + k[0][2] * i32::from(p[2]);
                *o = ((v + (16 << Q) + (1 << (Q - 1))) >> Q).clamp(0, 255) as u8;
            }
        });
        let mut cb = vec![0u8; cw * chh];
        let mut cr = vec![0u8; cw * chh];
        cb.par_chunks_exact_mut(cw.max(1)).zip(cr.par_chunks_exact_mut(cw.max(1))).enumerate().for_each(
            |(row, (cb_row, cr_row))| {
                let rows = 2 * row..(2 * row + 2).min(h);
                for (x, (b_out, r_out)) in cb_row.iter_mut().zip(cr_row.iter_mut()).enumerate() {
                    let cols = 2 * x..(2 * x + 2).min(w);
                    let mut sum = [0i32; 3];
                    for r in rows.clone() {
                        for p in img.row(r)[cols.start * 4..cols.end * 4].chunks_exact(4) {
                            (0..3).for_each(|c| sum[c] += i32::from(p[c]));
                        }
                    }
                    // The block's sum scaled to four pixels, so every block size shares one shift.
                    let scale = (4 / (rows.len() * cols.len())) as i32;
                    let sum = sum.map(|s| s * scale);
                    let at = |c: [i32; 3]| {
                        let v = c[0] * sum[0] + c[1] * sum[1] + c[2] * sum[2];
                        ((v + (128 << (Q + 2)) + (1 << (Q + 1))) >> (Q + 2)).clamp(0, 255) as u8
                    };
                    *b_out = at(k[1]);
                    *r_out = at(k[2]);
                }
            },
        );
        I420 {
            y: Plane { width: w, height: h, data: y },
            cb: Plane { width: cw, height: chh, data: cb },
            cr: Plane { width: cw, height: chh, data: cr },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::zone_plate;

    #[test]
    fn coefficients_follow_bt709() {
        // White and black reach exactly the limited range's ends, grey has no chroma.
        assert_eq!(ycbcr(255.0, 255.0, 255.0), (235.0, 128.0, 128.0));
        let k = coefficients();
        for row in &k[1..] {
            assert!(row.iter().sum::<i32>().abs() <= 1, "chroma of grey is 128: {row:?}");
        }
        assert_eq!(((k[0].iter().sum::<i32>() * 255 + (1 << (Q - 1))) >> Q) + 16, 235);
        // Pure red: Cr at its maximum 240.
        let (_, _, cr) = ycbcr(255.0, 0.0, 0.0);
        assert!((cr - 240.0).abs() < 1e-9, "{cr}");
    }

    #[test]
    fn conversion_matches_the_exact_formula() {
        let img = zone_plate(37);
        let yuv = I420::from_rgba(&img);
        assert_eq!((yuv.y.width, yuv.y.height, yuv.cb.width, yuv.cr.height), (37, 37, 19, 19));
        for y in 0..37 {
            for x in 0..37 {
                let p = img.pixel(x, y);
                let (want, _, _) = ycbcr(f64::from(p[0]), f64::from(p[1]), f64::from(p[2]));
                let got = f64::from(yuv.y.data[(y * 37 + x) as usize]);
                assert!((got - want).abs() <= 0.5 + 1e-6, "Y at ({x}, {y}): {got} vs {want}");
            }
        }
        // Chroma is the formula on the block's mean colour (blocks of 4, 2 and 1 pixels).
        for (cx, cy) in [(0, 0), (5, 7), (18, 3), (4, 18), (18, 18)] {
            let mut mean = [0f64; 3];
            let mut n = 0.0;
            for y in (2 * cy)..(2 * cy + 2).min(37) {
                for x in (2 * cx)..(2 * cx + 2).min(37) {
                    let p = img.pixel(x, y);
                    (0..3).for_each(|c| mean[c] += f64::from(p[c]));
                    n += 1.0;
                }
            }
            let (_, cb, cr) = ycbcr(mean[0] / n, mean[1] / n, mean[2] / n);
            let i = (cy * 19 + cx) as usize;
            assert!((f64::from(yuv.cb.data[i]) - cb).abs() <= 0.5 + 1e-6, "Cb at ({cx}, {cy})");
            assert!((f64::from(yuv.cr.data[i]) - cr).abs() <= 0.5 + 1e-6, "Cr at ({cx}, {cy})");
        }
    }

    #[test]
    fn frame_size_is_one_and_a_half_bytes_a_pixel() {
        assert_eq!(i420_len(1024, 1024), 1024 * 1024 * 3 / 2);
        assert_eq!(i420_len(1920, 1080), 1920 * 1080 * 3 / 2);
    }
}
