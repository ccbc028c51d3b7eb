//! Cover fitting: the one way an image is fitted to an output size, everywhere.

use crate::image::Rgba8Image;
use crate::raster::resample::resample;
use crate::raster::View;

/// `source` cover-fitted into `width x height` with the area-filtering resampler (the same fit
/// as frame 0 of every video).
pub fn fit(source: &Rgba8Image, width: u32, height: u32) -> Rgba8Image {
    let (sw, sh) = (f64::from(source.width()), f64::from(source.height()));
    let scale = (sw / f64::from(width)).min(sh / f64::from(height));
    let view = View {
        scale,
        offset_x: (sw - f64::from(width) * scale) / 2.0,
        offset_y: (sh - f64::from(height) * scale) / 2.0,
    };
    let mut data = vec![0u8; width as usize * height as usize * 4];
    resample(source, view, &mut data, width as usize, height as usize);
    Rgba8Image::from_raw(width, height, data).unwrap_or_else(|_| source.clone())
}
