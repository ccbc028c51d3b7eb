//! Live previews: the frame just rendered, shrunk to the size the page shows it at, in RGBA.
//!
//! A page shows the preview in a box of a few hundred pixels, while a frame may be 1080p. The
//! browser's own path (`createImageBitmap` of a `VideoFrame`) converts the whole frame to RGB
//! before it scales, which costs as much as rendering a frame; here only the preview's pixels are
//! converted. Each preview pixel is the mean of the source pixels its footprint covers (a box
//! filter), so fine texture such as grass does not alias into flicker from one preview to the next.

use crate::error::{EngineError, ErrorCode, Result};
use crate::render::yuv::{i420_len, KB, KR};

/// For each of `to` output cells, the half-open range of the `from` source cells it covers: cell
/// `i` covers `[i·from/to, (i+1)·from/to)`, never empty since `to <= from`.
fn footprints(from: usize, to: usize) -> Vec<(usize, usize)> {
    (0..to)
        .map(|i| {
            let start = i * from / to;
            let end = ((i + 1) * from / to).max(start + 1);
            (start, end)
        })
        .collect()
}

/// Fractional bits of a box's mean.
const MEAN_BITS: u32 = 8;
/// Bits of the reciprocals that turn a box's sum into its mean.
const RECIPROCAL_BITS: u32 = 24;

/// A box filter over one plane of 8-bit samples (`channels` interleaved, `width` pixels a row),
/// one band of rows at a time, so its working set is a few rows and stays in cache.
///
/// Each band is summed down its columns (a straight add the compiler vectorises), then along the
/// row as a running total, so every footprint's sum is one difference however wide it is. Means
/// are products with a table of reciprocals (by pixel count), since a division per output sample
/// costs more than all the sums; they keep `MEAN_BITS` fractional bits, so chroma keeps its
/// precision until the conversion.
struct BoxFilter<'a> {
    plane: &'a [u8],
    channels: usize,
    cols: Vec<(usize, usize)>,
    /// `2^RECIPROCAL_BITS / n`, rounded, for every pixel count `n` a footprint can have.
    reciprocals: Vec<u64>,
    sums: Vec<u32>,
    /// `totals[x * channels + c]`: channel `c` summed over the band's pixels left of `x`.
    totals: Vec<u32>,
}

impl<'a> BoxFilter<'a> {
    fn new(plane: &'a [u8], width: usize, channels: usize, cols: Vec<(usize, usize)>, rows: &[(usize, usize)]) -> Self {
        debug_assert!((1..=4).contains(&channels));
        let widest = cols.iter().map(|&(left, right)| right - left).max().unwrap_or(1);
        let tallest = rows.iter().map(|&(top, bottom)| bottom - top).max().unwrap_or(1);
        let reciprocals =
            (0..=(widest * tallest) as u64).map(|n| ((1u64 << RECIPROCAL_BITS) + n / 2) / n.max(1)).collect();
        let stride = width * channels;
        BoxFilter { plane, channels, cols, reciprocals, sums: vec![0; stride], totals: vec![0; stride + channels] }
    }

    /// The means (`MEAN_BITS` fractional bits) of rows `top..bottom` over each column footprint,
    /// channels interleaved, into `out`.
    fn band(&mut self, (top, bottom): (usize, usize), out: &mut [u32]) {
        let channels = self.channels;
        self.sums.fill(0);
        for row in self.plane.chunks_exact(self.sums.len()).skip(top).take(bottom - top) {
            for (s, &v) in self.sums.iter_mut().zip(row) {
                *s += u32::from(v);
            }
        }
        // The running totals stay in registers: through memory, each would wait for the last store.
        let mut running = [0u32; 4];
        for (total, pixel) in self.totals[channels..].chunks_exact_mut(channels).zip(self.sums.chunks_exact(channels)) {
            for ((t, r), &s) in total.iter_mut().zip(running.iter_mut()).zip(pixel) {
                *r += s;
                *t = *r;
            }
        }
        let height = bottom - top;
        let shift = RECIPROCAL_BITS - MEAN_BITS;
        let mean = |sum: u32, reciprocal: u64| ((u64::from(sum) * reciprocal + (1 << (shift - 1))) >> shift) as u32;
        if channels == 1 {
            for (&(left, right), m) in self.cols.iter().zip(out.iter_mut()) {
                *m = mean(self.totals[right] - self.totals[left], self.reciprocals[height * (right - left)]);
            }
            return;
        }
        for (&(left, right), means) in self.cols.iter().zip(out.chunks_exact_mut(channels)) {
            let reciprocal = self.reciprocals[height * (right - left)];
            let (from, to) =
                (&self.totals[left * channels..][..channels], &self.totals[right * channels..][..channels]);
            for ((m, &a), &b) in means.iter_mut().zip(from).zip(to) {
                *m = mean(b - a, reciprocal);
            }
        }
    }
}

/// The half-size chroma samples under each luma footprint: those whose 2×2 block it touches.
fn halved(footprints: &[(usize, usize)]) -> Vec<(usize, usize)> {
    footprints.iter().map(|&(start, end)| (start / 2, end.div_ceil(2))).collect()
}

/// Fractional bits of the conversion's coefficients.
const Q: u32 = 14;

/// A BT.709 limited-range Y'CbCr colour (means with `MEAN_BITS` fractional bits) to 8-bit RGB.
fn rgb(y: u32, cb: u32, cr: u32) -> [u8; 3] {
    // 8-bit RGB per level of Y, Cb and Cr (Y' = (Y - 16)/219, Pb = (Cb - 128)/224, Pr likewise;
    // R = Y' + 2(1 - Kr)Pr, B = Y' + 2(1 - Kb)Pb, G from Y' = Kr·R + Kg·G + Kb·B), in Q14.
    const KG: f64 = 1.0 - KR - KB;
    const fn q(c: f64) -> i64 {
        (c * (1u32 << Q) as f64 + 0.5) as i64
    }
    const Y: i64 = q(255.0 / 219.0);
    const R_CR: i64 = q(255.0 * 2.0 * (1.0 - KR) / 224.0);
    const B_CB: i64 = q(255.0 * 2.0 * (1.0 - KB) / 224.0);
    const G_CB: i64 = -q(255.0 * 2.0 * (1.0 - KB) / 224.0 * KB / KG);
    const G_CR: i64 = -q(255.0 * 2.0 * (1.0 - KR) / 224.0 * KR / KG);
    const SHIFT: u32 = Q + MEAN_BITS;
    let luma = Y * (i64::from(y) - (16 << MEAN_BITS));
    let (pb, pr) = (i64::from(cb) - (128 << MEAN_BITS), i64::from(cr) - (128 << MEAN_BITS));
    [luma + R_CR * pr, luma + G_CB * pb + G_CR * pr, luma + B_CB * pb]
        .map(|c| ((c + (1 << (SHIFT - 1))) >> SHIFT).clamp(0, 255) as u8)
}

/// `INVALID_OPTION` unless the preview is at least 1×1 and no larger than the frame.
fn check_size(frame: (usize, usize), to: (usize, usize)) -> Result<()> {
    if to.0 == 0 || to.1 == 0 || to.0 > frame.0 || to.1 > frame.1 {
        return Err(EngineError::new(
            ErrorCode::InvalidOption,
            format!("a preview must be 1x1 to {}x{} (the frame's size), not {}x{}", frame.0, frame.1, to.0, to.1),
        ));
    }
    Ok(())
}

/// The preview of an I420 frame of `width x height` (even sides), as RGBA of `to`.
///
/// # Errors
/// `INVALID_OPTION` when `to` is empty or larger than the frame.
pub fn from_i420(frame: &[u8], width: usize, height: usize, to: (usize, usize), out: &mut Vec<u8>) -> Result<()> {
    check_size((width, height), to)?;
    debug_assert_eq!(frame.len(), i420_len(width, height));
    let (cw, ch) = (width.div_ceil(2), height.div_ceil(2));
    let (y_plane, chroma) = frame.split_at(width * height);
    let (cb_plane, cr_plane) = chroma.split_at(cw * ch);
    let (cols, rows) = (footprints(width, to.0), footprints(height, to.1));
    let (chroma_cols, chroma_rows) = (halved(&cols), halved(&rows));
    let mut y = BoxFilter::new(y_plane, width, 1, cols, &rows);
    let mut cb = BoxFilter::new(cb_plane, cw, 1, chroma_cols.clone(), &chroma_rows);
    let mut cr = BoxFilter::new(cr_plane, cw, 1, chroma_cols, &chroma_rows);
    let mut means = vec![0u32; 3 * to.0];
    let (y_row, chroma) = means.split_at_mut(to.0);
    let (cb_row, cr_row) = chroma.split_at_mut(to.0);
    out.clear();
    out.resize(to.0 * to.1 * 4, 255);
    for ((&band, &chroma_band), out_row) in rows.iter().zip(&chroma_rows).zip(out.chunks_exact_mut(to.0 * 4)) {
        y.band(band, y_row);
        cb.band(chroma_band, cb_row);
        cr.band(chroma_band, cr_row);
        for (((px, &y), &cb), &cr) in
            out_row.chunks_exact_mut(4).zip(y_row.iter()).zip(cb_row.iter()).zip(cr_row.iter())
        {
            px[..3].copy_from_slice(&rgb(y, cb, cr));
        }
    }
    Ok(())
}

/// The preview of an RGBA frame of `width x height`, as RGBA of `to` (alpha kept).
///
/// # Errors
/// `INVALID_OPTION` when `to` is empty or larger than the frame.
pub fn from_rgba(frame: &[u8], width: usize, height: usize, to: (usize, usize), out: &mut Vec<u8>) -> Result<()> {
    check_size((width, height), to)?;
    debug_assert_eq!(frame.len(), width * height * 4);
    let (cols, rows) = (footprints(width, to.0), footprints(height, to.1));
    let mut filter = BoxFilter::new(frame, width, 4, cols, &rows);
    let mut means = vec![0u32; 4 * to.0];
    out.clear();
    out.resize(to.0 * to.1 * 4, 0);
    for (&band, out_row) in rows.iter().zip(out.chunks_exact_mut(to.0 * 4)) {
        filter.band(band, &mut means);
        for (o, &m) in out_row.iter_mut().zip(&means) {
            *o = ((m + (1 << (MEAN_BITS - 1))) >> MEAN_BITS) as u8;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::Rgba8Image;
    use crate::render::yuv::I420;

    fn i420_of(img: &Rgba8Image) -> Vec<u8> {
        let planes = I420::from_rgba(img);
        let mut out = vec![0; i420_len(img.width() as usize, img.height() as usize)];
        planes.copy_to(&mut out);
        out
    }

    fn image(width: u32, height: u32, f: impl Fn(u32, u32) -> [u8; 4]) -> Rgba8Image {
        let mut data = Vec::with_capacity((width * height * 4) as usize);
        for y in 0..height {
            for x in 0..width {
                data.extend_from_slice(&f(x, y));
            }
        }
        Rgba8Image::from_raw(width, height, data).expect("image")
    }

    #[test]
    fn an_i420_frame_previews_back_to_its_colours() {
        for colour in [[0, 0, 0], [255, 255, 255], [200, 40, 90], [12, 180, 240], [128, 128, 128]] {
            let img = image(64, 48, |_, _| [colour[0], colour[1], colour[2], 255]);
            let mut out = Vec::new();
            from_i420(&i420_of(&img), 64, 48, (20, 15), &mut out).expect("preview");
            assert_eq!(out.len(), 20 * 15 * 4);
            for px in out.chunks_exact(4) {
                for c in 0..3 {
                    assert!(px[c].abs_diff(colour[c]) <= 2, "{colour:?} previewed as {px:?}");
                }
                assert_eq!(px[3], 255);
            }
        }
    }

    #[test]
    fn each_preview_pixel_is_the_mean_of_its_footprint() {
        // Columns alternate black and white: any box of an even width is mid-grey, and a 4:1
        // reduction must not alias into stripes.
        let img = image(64, 32, |x, _| if x % 2 == 0 { [0, 0, 0, 255] } else { [255, 255, 255, 255] });
        let mut out = Vec::new();
        from_rgba(img.data(), 64, 32, (16, 8), &mut out).expect("preview");
        assert!(out.chunks_exact(4).all(|px| px[..3].iter().all(|&c| c == 128)), "{:?}", &out[..16]);
        from_i420(&i420_of(&img), 64, 32, (16, 8), &mut out).expect("preview");
        for px in out.chunks_exact(4) {
            assert!(px[..3].iter().all(|&c| c.abs_diff(128) <= 2), "{px:?}");
        }
    }

    #[test]
    fn a_preview_keeps_where_things_are() {
        // Left half red, right half blue: the preview splits at its own middle.
        let img = image(40, 20, |x, _| if x < 20 { [255, 0, 0, 255] } else { [0, 0, 255, 255] });
        let mut out = Vec::new();
        from_i420(&i420_of(&img), 40, 20, (10, 5), &mut out).expect("preview");
        for row in out.chunks_exact(10 * 4) {
            for (x, px) in row.chunks_exact(4).enumerate() {
                let want = if x < 5 { [255, 0, 0] } else { [0, 0, 255] };
                for c in 0..3 {
                    assert!(px[c].abs_diff(want[c]) <= 3, "x {x}: {px:?} against {want:?}");
                }
            }
        }
    }

    #[test]
    fn full_size_rgba_is_the_frame_itself() {
        let img = image(7, 5, |x, y| [(x * 30) as u8, (y * 50) as u8, 9, 200]);
        let mut out = Vec::new();
        from_rgba(img.data(), 7, 5, (7, 5), &mut out).expect("preview");
        assert_eq!(out, img.data());
    }

    #[test]
    fn sizes_outside_one_pixel_to_the_frame_are_refused() {
        let img = image(8, 8, |_, _| [1, 2, 3, 255]);
        let mut out = Vec::new();
        for to in [(0, 4), (4, 0), (9, 8), (8, 9)] {
            let err = from_rgba(img.data(), 8, 8, to, &mut out).expect_err("refused");
            assert_eq!(err.code, ErrorCode::InvalidOption);
            let err = from_i420(&i420_of(&img), 8, 8, to, &mut out).expect_err("refused");
            assert_eq!(err.code, ErrorCode::InvalidOption);
        }
    }
}
