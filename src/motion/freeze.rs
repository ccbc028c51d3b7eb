//! The freeze ("anchor") mask: the pixels a person marked as never moving — faces, text, a
//! building. It is honoured twice: the mobility map is zeroed there, so the motion field is shaped
//! around it, and the renderer copies frozen pixels exactly, so they cannot change by even one level.

use crate::image::Rgba8Image;
use crate::raster::fit;
use crate::raster::plane::FloatPlane;

/// Which pixels of a `width x height` grid are frozen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreezeMask {
    width: u32,
    height: u32,
    frozen: Vec<bool>,
}

impl FreezeMask {
    /// The mask image cover-fitted to `width x height`; a pixel is frozen where its luma is below
    /// one half (dark = anchored).
    pub fn new(mask: &Rgba8Image, width: u32, height: u32) -> Self {
        let fitted = fit(mask, width, height);
        let luma = FloatPlane::luma(&fitted);
        FreezeMask { width, height, frozen: luma.data.iter().map(|&v| v < 0.5).collect() }
    }

    /// Whether the pixel containing continuous position `(u, v)` is frozen (outside: not frozen).
    pub fn is_frozen_at(&self, u: f64, v: f64) -> bool {
        self.row(v).zip(self.column(u)).is_some_and(|(row, x)| row[x])
    }

    /// The mask's row containing continuous `v` (`None` outside the mask).
    pub fn row(&self, v: f64) -> Option<&[bool]> {
        let w = self.width as usize;
        (v >= 0.0 && (v as usize) < self.height as usize).then(|| &self.frozen[v as usize * w..][..w])
    }

    /// The mask's column containing continuous `u` (`None` outside the mask).
    pub fn column(&self, u: f64) -> Option<usize> {
        (u >= 0.0 && (u as usize) < self.width as usize).then_some(u as usize)
    }

    /// Share of frozen pixels.
    pub fn frozen_share(&self) -> f64 {
        self.frozen.iter().filter(|&&f| f).count() as f64 / self.frozen.len().max(1) as f64
    }

    /// Zeroes `mobility` (same size as the mask) where frozen.
    pub fn apply_to(&self, mobility: &mut FloatPlane) {
        debug_assert_eq!(mobility.data.len(), self.frozen.len());
        for (m, &f) in mobility.data.iter_mut().zip(&self.frozen) {
            if f {
                *m = 0.0;
            }
        }
    }
}
