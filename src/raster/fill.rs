//! Filling the unknown pixels of an image from the known ones by pull-push (Gortler et al., "The
//! Lumigraph", 1996): the known pixels are averaged down a pyramid of halvings until every level
//! is covered, then each unknown pixel takes the bilinear interpolation of the level above. Known
//! pixels keep their values exactly; the fill is smooth, with the colours of the nearest known
//! region, and costs a few passes over the image.

use crate::image::Rgba8Image;

/// A level of the pyramid: colour sums weighted by coverage, and the coverage (at most 1).
struct Level {
    width: usize,
    height: usize,
    /// `(r·w, g·w, b·w, w)` per pixel.
    data: Vec<[f32; 4]>,
}

impl Level {
    /// The colour at continuous coordinates (pixel centres at integer + 0.5), bilinear with
    /// clamped edges; the level must be fully covered.
    fn sample(&self, x: f32, y: f32) -> [f32; 3] {
        let (fx, fy) = ((x - 0.5).max(0.0), (y - 0.5).max(0.0));
        let (x0, y0) = ((fx as usize).min(self.width - 1), (fy as usize).min(self.height - 1));
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (tx, ty) = (fx - x0 as f32, fy - y0 as f32);
        let (tx, ty) = (tx.clamp(0.0, 1.0), ty.clamp(0.0, 1.0));
        let at = |x: usize, y: usize| self.data[y * self.width + x];
        let mut out = [0f32; 3];
        for (c, o) in out.iter_mut().enumerate() {
            let top = at(x0, y0)[c] * (1.0 - tx) + at(x1, y0)[c] * tx;
            let bottom = at(x0, y1)[c] * (1.0 - tx) + at(x1, y1)[c] * tx;
            *o = top * (1.0 - ty) + bottom * ty;
        }
        out
    }
}

/// `image` with every pixel where `known` is false filled from the known ones (see the module
/// docs), opaque. With no known pixel at all, the image is returned as it is.
///
/// # Panics
/// When `known` does not have one entry per pixel (a caller bug).
pub fn fill_unknown(image: &Rgba8Image, known: &[bool]) -> Rgba8Image {
    let (w, h) = (image.width() as usize, image.height() as usize);
    assert_eq!(known.len(), w * h, "one flag per pixel");
    if !known.contains(&false) || !known.contains(&true) {
        return image.clone();
    }
    let base = Level {
        width: w,
        height: h,
        data: image
            .data()
            .chunks_exact(4)
            .zip(known)
            .map(|(p, &k)| if k { [f32::from(p[0]), f32::from(p[1]), f32::from(p[2]), 1.0] } else { [0.0; 4] })
            .collect(),
    };
    // Pull: halve until one pixel, each level's coverage capped at 1 (its colour normalised).
    let mut levels = vec![base];
    while let Some(last) = levels.last().filter(|l| l.width > 1 || l.height > 1) {
        let (lw, lh) = (last.width.div_ceil(2), last.height.div_ceil(2));
        let mut data = vec![[0f32; 4]; lw * lh];
        for y in 0..last.height {
            for x in 0..last.width {
                let (p, q) = (&last.data[y * last.width + x], &mut data[(y / 2) * lw + x / 2]);
                for c in 0..4 {
                    q[c] += p[c];
                }
            }
        }
        for q in &mut data {
            if q[3] > 1.0 {
                let k = 1.0 / q[3];
                *q = [q[0] * k, q[1] * k, q[2] * k, 1.0];
            }
        }
        levels.push(Level { width: lw, height: lh, data });
    }
    // Push: from the top down, each pixel's missing coverage taken from the level above.
    for l in (0..levels.len() - 1).rev() {
        let (lower, upper) = levels.split_at_mut(l + 1);
        let (level, above) = (&mut lower[l], &upper[0]);
        let (lw, _) = (level.width, level.height);
        for (i, p) in level.data.iter_mut().enumerate() {
            if p[3] >= 1.0 {
                continue;
            }
            let (x, y) = ((i % lw) as f32 + 0.5, (i / lw) as f32 + 0.5);
            let up = above.sample(x / 2.0, y / 2.0);
            let missing = 1.0 - p[3];
            *p = [p[0] + missing * up[0], p[1] + missing * up[1], p[2] + missing * up[2], 1.0];
        }
    }
    let mut data = image.data().to_vec();
    for ((px, p), &k) in data.chunks_exact_mut(4).zip(&levels[0].data).zip(known) {
        if !k {
            for c in 0..3 {
                px[c] = p[c].round().clamp(0.0, 255.0) as u8;
            }
            px[3] = 255;
        }
    }
    Rgba8Image::from_raw(w as u32, h as u32, data).unwrap_or_else(|_| image.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_pixels_stay_and_unknown_ones_take_the_nearby_colours() {
        // Left half red, right half blue, a hole across the middle.
        let (w, h) = (64usize, 32usize);
        let data: Vec<u8> =
            (0..w * h).flat_map(|i| if i % w < w / 2 { [200, 10, 10, 255] } else { [10, 10, 200, 255] }).collect();
        let img = Rgba8Image::from_raw(w as u32, h as u32, data).expect("size");
        let known: Vec<bool> = (0..w * h).map(|i| !(12..20).contains(&(i / w))).collect();
        let filled = fill_unknown(&img, &known);
        for (i, &k) in known.iter().enumerate() {
            let p = &filled.data()[i * 4..i * 4 + 4];
            if k {
                assert_eq!(p, &img.data()[i * 4..i * 4 + 4]);
            } else if i % w < w / 4 {
                assert!(p[0] > 150 && p[2] < 60, "left of the hole is red: {p:?}");
            } else if i % w >= 3 * w / 4 {
                assert!(p[2] > 150 && p[0] < 60, "right of the hole is blue: {p:?}");
            }
        }
    }

    #[test]
    fn a_fill_is_smooth() {
        let (w, h) = (48usize, 48usize);
        let data: Vec<u8> = (0..w * h).flat_map(|i| [(i % w * 5) as u8, 100, 100, 255]).collect();
        let img = Rgba8Image::from_raw(w as u32, h as u32, data).expect("size");
        let known: Vec<bool> = (0..w * h).map(|i| i / w < 16).collect();
        let filled = fill_unknown(&img, &known);
        for y in 16..h {
            for x in 1..w {
                let d =
                    (i32::from(filled.data()[(y * w + x) * 4]) - i32::from(filled.data()[(y * w + x - 1) * 4])).abs();
                assert!(d <= 12, "step of {d} at {x},{y}");
            }
        }
    }
}
