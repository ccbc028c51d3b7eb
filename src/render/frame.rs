//! The [`Renderer`]: owns the (possibly pre-reduced) source and one output buffer, and renders any
//! frame on demand. Frames are never stored: rendering frame `i` overwrites frame `i - 1`.

use crate::error::{EngineError, ErrorCode, Result};
use crate::image::Rgba8Image;
use crate::render::camera::{CameraPath, View};
use crate::render::resample::resample;

/// Renders frames of one video.
#[derive(Debug)]
pub struct Renderer {
    source: Rgba8Image,
    /// Source pixels per working-source pixel, after the one-off reduction of huge inputs.
    reduction: u32,
    path: CameraPath,
    width: u32,
    height: u32,
    frames: u32,
    buffer: Vec<u8>,
}

impl Renderer {
    /// Largest source-to-output scale the per-frame filter handles directly (its kernel then has
    /// 2·8+1 taps); larger sources are first box-reduced by a whole factor, once.
    pub const MAX_DIRECT_SCALE: f64 = 8.0;

    /// Prepares `frames` frames of `width x height` from `source` with the camera of `seed`.
    pub fn new(source: Rgba8Image, width: u32, height: u32, frames: u32, seed: u64) -> Self {
        let fit = (f64::from(source.width()) / f64::from(width)).min(f64::from(source.height()) / f64::from(height));
        let reduction = if fit > Self::MAX_DIRECT_SCALE { (fit / 4.0).floor() as u32 } else { 1 };
        let source = if reduction > 1 { box_reduce(&source, reduction) } else { source };
        let path = CameraPath::new((source.width(), source.height()), (width, height), seed);
        let buffer = vec![0; width as usize * height as usize * 4];
        Renderer { source, reduction, path, width, height, frames, buffer }
    }

    /// Output width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Output height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Number of frames in the video.
    pub fn frames(&self) -> u32 {
        self.frames
    }

    /// The whole-number factor by which a huge source was reduced before rendering (1 = none).
    pub fn reduction(&self) -> u32 {
        self.reduction
    }

    /// The camera view of frame `index`.
    pub fn view(&self, index: u32) -> View {
        self.path.frame_view(index, self.frames)
    }

    /// Renders frame `index` and returns its RGBA pixels (`width * height * 4` bytes), valid until
    /// the next call.
    ///
    /// # Errors
    /// `INVALID_OPTION` when `index` is not below the frame count.
    pub fn render(&mut self, index: u32) -> Result<&[u8]> {
        if index >= self.frames {
            return Err(EngineError::new(
                ErrorCode::InvalidOption,
                format!("frame index {index} is out of range: the video has {} frames", self.frames),
            ));
        }
        let view = self.view(index);
        resample(&self.source, view, &mut self.buffer, self.width as usize, self.height as usize);
        Ok(&self.buffer)
    }

    /// The frame rendered last (all zeros before the first call).
    pub fn buffer(&self) -> &[u8] {
        &self.buffer
    }
}

/// Averages `factor x factor` blocks (partial blocks at the right and bottom edges average what
/// they have), so the reduction itself never aliases.
fn box_reduce(src: &Rgba8Image, factor: u32) -> Rgba8Image {
    let (w, h) = (src.width().div_ceil(factor), src.height().div_ceil(factor));
    let mut data = Vec::with_capacity(w as usize * h as usize * 4);
    for by in 0..h {
        for bx in 0..w {
            let mut sum = [0u64; 4];
            let mut n = 0u64;
            for y in by * factor..((by + 1) * factor).min(src.height()) {
                for x in bx * factor..((bx + 1) * factor).min(src.width()) {
                    let p = src.pixel(x, y);
                    for c in 0..4 {
                        sum[c] += u64::from(p[c]);
                    }
                    n += 1;
                }
            }
            data.extend(sum.iter().map(|s| ((s + n / 2) / n) as u8));
        }
    }
    Rgba8Image::from_raw(w, h, data).unwrap_or_else(|_| src.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::gradient;

    #[test]
    fn frame_zero_is_the_source_when_sizes_match() {
        let src = gradient(64, 48);
        let mut r = Renderer::new(src.clone(), 64, 48, 10, 3);
        assert_eq!(r.render(0).expect("frame"), src.data());
    }

    #[test]
    fn frames_differ_along_the_move_and_index_is_checked() {
        let mut r = Renderer::new(gradient(300, 200), 100, 100, 24, 5);
        let first = r.render(0).expect("frame").to_vec();
        let last = r.render(23).expect("frame").to_vec();
        assert_ne!(first, last);
        assert_eq!(r.render(24).map(|_| ()).unwrap_err().code, ErrorCode::InvalidOption);
    }

    #[test]
    fn huge_sources_are_reduced_once_and_still_cover_the_frame() {
        let mut r = Renderer::new(gradient(4000, 3000), 100, 100, 2, 0);
        assert_eq!(r.reduction(), 7, "30x cover scale reduced to about 4x");
        let frame = r.render(0).expect("frame").to_vec();
        assert_eq!(frame.len(), 100 * 100 * 4);
        // The gradient's red channel rises left to right in every row.
        let reds: Vec<u8> = (0..100).map(|x| frame[(50 * 100 + x) * 4]).collect();
        assert!(reds.windows(2).all(|w| w[1] >= w[0]), "{reds:?}");
    }
}
