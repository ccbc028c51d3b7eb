//! The motion fields of one video, built once from the analysis' structure maps for its motion:
//! what the renderer draws every frame from. The renderer sees only these, never the analysis.

use crate::analysis::structure::StructureMaps;
use crate::image::Rgba8Image;
use crate::motion::flow::FlowField;
use crate::motion::freeze::FreezeMask;
use crate::motion::modal::ModalField;
use crate::motion::shimmer::ShimmerField;
use crate::motion::sky::Sky;
use crate::motion::{MotionMode, MotionParams};
use crate::raster::resample::resample;
use crate::raster::View;

/// The least sky texture (median colour gradient, 0–1 units a pixel) worth drifting under flow:
/// about a level a pixel. A clear sky's drift cannot be seen and would only cost a second render.
const VISIBLE_SKY_TEXTURE: f32 = 0.004;

/// The fields of one video.
#[derive(Debug)]
pub enum Fields {
    /// `resonance` and `resonance+camera`: the oscillation modes.
    Modal(ModalField),
    /// `flow`: its field, and a textured sky with its own drift over it (never when arrows are
    /// drawn: they say where everything goes).
    Flow { field: FlowField, sky: Option<(Sky, FlowField)> },
    /// `sky`: the drift, and the sky it moves when one is found whose drift shows.
    Sky { field: FlowField, sky: Option<Sky> },
    /// `shimmer`: the phase-turning bands.
    Shimmer(ShimmerField),
}

impl Fields {
    /// The fields of `motion` over `fitted` (the picture at the output size), from the analysis'
    /// `maps`; `frozen` pixels never move, `arrows` (output pixels) steer flow. `None` for the
    /// camera, which has no field.
    pub fn new(
        motion: MotionMode,
        fitted: &Rgba8Image,
        maps: &StructureMaps,
        frozen: Option<&FreezeMask>,
        params: MotionParams,
        arrows: &[Vec<(f32, f32)>],
    ) -> Option<Self> {
        match motion {
            MotionMode::Camera => None,
            MotionMode::Resonance | MotionMode::ResonanceCamera => Some(Fields::Modal(ModalField::new(maps, params))),
            MotionMode::Flow => {
                let field = FlowField::following(maps, params, arrows);
                let sky = if arrows.is_empty() { textured_sky(fitted, maps, params) } else { None };
                Some(Fields::Flow { field, sky })
            }
            MotionMode::Sky => {
                let sky = Sky::find(&sky_picture(fitted));
                let field = FlowField::sky(maps, sky.as_ref(), params);
                let sky = sky.filter(|_| !field.is_still());
                Some(Fields::Sky { field, sky })
            }
            MotionMode::Shimmer => Some(Fields::Shimmer(ShimmerField::new(fitted, maps, frozen, params))),
        }
    }
}

/// A sky textured enough for its drift to show under flow, and that drift.
fn textured_sky(fitted: &Rgba8Image, maps: &StructureMaps, params: MotionParams) -> Option<(Sky, FlowField)> {
    let sky = Sky::find(&sky_picture(fitted)).filter(|s| s.texture() >= VISIBLE_SKY_TEXTURE)?;
    let field = FlowField::sky(maps, Some(&sky), params);
    (!field.is_still()).then_some((sky, field))
}

/// The fitted picture at most [`Sky::SEARCH_SIDE`] pixels on its long side, where the sky is
/// looked for: its borders are smooth at that scale, and the search's cost stays small.
fn sky_picture(fitted: &Rgba8Image) -> Rgba8Image {
    let (w, h) = (fitted.width(), fitted.height());
    let scale = (f64::from(w.max(h)) / f64::from(Sky::SEARCH_SIDE)).max(1.0);
    let (sw, sh) = (((f64::from(w) / scale).round() as u32).max(1), ((f64::from(h) / scale).round() as u32).max(1));
    let mut data = vec![0u8; sw as usize * sh as usize * 4];
    resample(fitted, View { scale, offset_x: 0.0, offset_y: 0.0 }, &mut data, sw as usize, sh as usize);
    Rgba8Image::from_raw(sw, sh, data).unwrap_or_else(|_| fitted.clone())
}
