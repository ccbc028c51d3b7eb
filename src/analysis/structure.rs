//! The maps that drive motion, on the working grid: local orientation and its coherence (from the
//! structure tensor), band-pass texture energy, and the mobility mask that says what may move.
//!
//! - Gradients: Scharr, mirrored edges.
//! - Structure tensor `J = G_ρ * (∇Y ∇Yᵀ)`, ρ = 1.5 % of the short side. `θ = ½ atan2(2J_xy,
//!   J_xx − J_yy)` is the dominant gradient direction (things sway across their length, along θ);
//!   `coherence = ((λ₁−λ₂)/(λ₁+λ₂+ε))²` is 1 for one clean orientation, 0 for none.
//! - Texture energy: `G_4 * (G_1*Y − G_3*Y)²` (a difference-of-Gaussians band), divided by its
//!   95th percentile and clipped to [0, 1].
//! - Mobility: textured regions move (`smoothstep(0.05, 0.4, texture)`); flat regions (sky, walls)
//!   and long straight edges (high coherence with strong gradient: buildings, horizons) stay still;
//!   green vegetation gets a boost. The mask is smoothed and faded out near the border.

use serde::Serialize;

use crate::image::Rgba8Image;
use crate::raster::plane::FloatPlane;

/// Motion-driving maps, all `width x height` on the working grid.
#[derive(Debug, Clone, PartialEq)]
pub struct StructureMaps {
    /// Dominant gradient direction in radians, in (−π/2, π/2].
    pub orientation: FloatPlane,
    /// Orientation coherence in [0, 1].
    pub coherence: FloatPlane,
    /// Normalised band-pass texture energy in [0, 1].
    pub texture: FloatPlane,
    /// Where motion is allowed, in [0, 1].
    pub mobility: FloatPlane,
}

/// Summary figures of the maps, for metadata and the demo.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StructureSummary {
    /// Mean of the mobility mask.
    pub mean_mobility: f32,
    /// Share of pixels with mobility above 0.5.
    pub mobile_share: f32,
    /// Mean texture energy.
    pub mean_texture: f32,
    /// Mean orientation coherence.
    pub mean_coherence: f32,
}

fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Scharr derivatives (x, y) of `y`.
fn scharr(y: &FloatPlane) -> (FloatPlane, FloatPlane) {
    let (w, h) = (y.width, y.height);
    let mut gx = FloatPlane::filled(w, h, 0.0);
    let mut gy = FloatPlane::filled(w, h, 0.0);
    for j in 0..h as isize {
        for i in 0..w as isize {
            let p = |dx: isize, dy: isize| y.at(i + dx, j + dy);
            let dx = (3.0 * (p(1, -1) - p(-1, -1)) + 10.0 * (p(1, 0) - p(-1, 0)) + 3.0 * (p(1, 1) - p(-1, 1))) / 32.0;
            let dy = (3.0 * (p(-1, 1) - p(-1, -1)) + 10.0 * (p(0, 1) - p(0, -1)) + 3.0 * (p(1, 1) - p(1, -1))) / 32.0;
            gx.data[j as usize * w + i as usize] = dx;
            gy.data[j as usize * w + i as usize] = dy;
        }
    }
    (gx, gy)
}

/// Computes the maps of `image` (the working-resolution image).
pub fn structure_maps(image: &Rgba8Image) -> StructureMaps {
    let y = FloatPlane::luma(image);
    let (w, h) = (y.width, y.height);
    let short = w.min(h) as f32;
    let (gx, gy) = scharr(&y);
    let product = |f: &dyn Fn(f32, f32) -> f32| FloatPlane {
        width: w,
        height: h,
        data: gx.data.iter().zip(&gy.data).map(|(&a, &b)| f(a, b)).collect(),
    };
    let rho = (0.015 * short).max(1.0);
    let jxx = product(&|a, _| a * a).blur(rho);
    let jyy = product(&|_, b| b * b).blur(rho);
    let jxy = product(&|a, b| a * b).blur(rho);
    let mut orientation = FloatPlane::filled(w, h, 0.0);
    let mut coherence = FloatPlane::filled(w, h, 0.0);
    for i in 0..w * h {
        let (xx, yy, xy) = (jxx.data[i], jyy.data[i], jxy.data[i]);
        orientation.data[i] = 0.5 * libm::atan2f(2.0 * xy, xx - yy);
        // `f32::sqrt`, not libm's: IEEE 754 rounds a square root correctly, so the instruction
        // (wasm's `f32.sqrt`, x86's `sqrtss`) gives libm's bits without its software loop.
        let diff = ((xx - yy) * (xx - yy) + 4.0 * xy * xy).sqrt();
        let c = diff / (xx + yy + 1e-6);
        coherence.data[i] = (c * c).clamp(0.0, 1.0);
    }

    let fine = y.blur(1.0);
    let coarse = y.blur(3.0);
    let band = FloatPlane {
        width: w,
        height: h,
        data: fine.data.iter().zip(&coarse.data).map(|(a, b)| (a - b) * (a - b)).collect(),
    };
    let mut texture = band.blur(4.0);
    // The 90th percentile, not the maximum: a few strong edges must not make real texture look faint.
    let p90 = texture.quantile(0.90);
    for v in &mut texture.data {
        *v = if p90 > 1e-9 { (*v / p90).clamp(0.0, 1.0) } else { 0.0 };
    }

    // Straightness is judged at a larger scale (4 % of the short side): a grass blade is locally as
    // oriented as a wall's edge, but only the wall keeps one orientation over a long run.
    let rho_long = (0.04 * short).max(2.0);
    let (lxx, lyy, lxy) = (jxx.blur_wide(rho_long), jyy.blur_wide(rho_long), jxy.blur_wide(rho_long));

    // Strong, single-orientation gradients over a neighbourhood: straight edges of buildings and
    // horizons, which look wrong when they bend.
    let edge_strength =
        FloatPlane { width: w, height: h, data: lxx.data.iter().zip(&lyy.data).map(|(a, b)| a + b).collect() };
    let edge_ref = edge_strength.quantile(0.9).max(1e-9);
    let mut mobility = FloatPlane::filled(w, h, 0.0);
    for i in 0..w * h {
        let textured = smoothstep(0.02, 0.25, texture.data[i]);
        let (xx, yy, xy) = (lxx.data[i], lyy.data[i], lxy.data[i]);
        let long_coherence = ((xx - yy) * (xx - yy) + 4.0 * xy * xy).sqrt() / (xx + yy + 1e-6);
        let long_coherence = long_coherence * long_coherence;
        let straight = smoothstep(0.6, 0.9, long_coherence) * smoothstep(0.3, 0.8, edge_strength.data[i] / edge_ref);
        let px = &image.data()[i * 4..i * 4 + 3];
        let (r, g, b) = (f32::from(px[0]), f32::from(px[1]), f32::from(px[2]));
        let exg = (2.0 * g - r - b) / (r + g + b + 1.0);
        let vegetation = smoothstep(0.02, 0.10, exg);
        mobility.data[i] = textured * (1.0 - straight) * (0.6 + 0.4 * vegetation);
    }
    let mut mobility = mobility.blur_wide((0.02 * short).max(1.0));
    // Fade to zero within 4 % of the short side from the border, so edges never tear.
    let fade = (0.04 * short).max(1.0);
    for j in 0..h {
        for i in 0..w {
            let d = i.min(j).min(w - 1 - i).min(h - 1 - j) as f32;
            mobility.data[j * w + i] *= smoothstep(0.0, fade, d);
        }
    }
    StructureMaps { orientation, coherence, texture, mobility }
}

impl StructureMaps {
    /// The four maps, in their declaration order.
    pub fn planes(&self) -> [&FloatPlane; 4] {
        [&self.orientation, &self.coherence, &self.texture, &self.mobility]
    }

    /// Means and shares of the maps.
    pub fn summary(&self) -> StructureSummary {
        let mean = |p: &FloatPlane| p.data.iter().sum::<f32>() / p.data.len().max(1) as f32;
        let mobile =
            self.mobility.data.iter().filter(|&&m| m > 0.5).count() as f32 / self.mobility.data.len().max(1) as f32;
        StructureSummary {
            mean_mobility: mean(&self.mobility),
            mobile_share: mobile,
            mean_texture: mean(&self.texture),
            mean_coherence: mean(&self.coherence),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{gradient, landscape};

    #[test]
    fn a_flat_image_has_no_texture_and_no_mobility() {
        let img = Rgba8Image::from_raw(64, 48, [120u8, 130, 140, 255].repeat(64 * 48)).expect("size");
        let maps = structure_maps(&img);
        assert!(maps.texture.data.iter().all(|&v| v == 0.0));
        assert!(maps.mobility.data.iter().all(|&v| v == 0.0));
    }

    #[test]
    fn a_smooth_gradient_barely_moves() {
        let maps = structure_maps(&gradient(128, 128));
        assert!(maps.summary().mobile_share < 0.05, "{:?}", maps.summary());
    }

    #[test]
    fn orientation_of_a_vertical_grating_is_horizontal_and_coherent() {
        let data: Vec<u8> = (0..128 * 128)
            .flat_map(|i| {
                let v = (128.0 + 100.0 * (2.0 * std::f32::consts::PI * (i % 128) as f32 / 12.0).sin()) as u8;
                [v, v, v, 255]
            })
            .collect();
        let maps = structure_maps(&Rgba8Image::from_raw(128, 128, data).expect("size"));
        let centre = 64 * 128 + 64;
        assert!(maps.orientation.data[centre].abs() < 0.05, "θ = {}", maps.orientation.data[centre]);
        assert!(maps.coherence.data[centre] > 0.9, "c = {}", maps.coherence.data[centre]);
    }

    #[test]
    fn the_landscape_moves_its_grass_and_keeps_its_sky_and_building() {
        // At the default working size too, where the long-range blurs run at a reduced resolution.
        for (w, h) in [(256, 192), (640, 512)] {
            let (img, truth) = landscape(w, h);
            let maps = structure_maps(&img);
            let mean_in = |mask: &[bool]| {
                let (sum, n) = maps
                    .mobility
                    .data
                    .iter()
                    .zip(mask)
                    .filter(|(_, &m)| m)
                    .fold((0.0, 0), |(s, n), (v, _)| (s + v, n + 1));
                sum / n.max(1) as f32
            };
            let grass = mean_in(&truth.grass);
            let sky = mean_in(&truth.sky);
            let building = mean_in(&truth.building);
            assert!(grass > 0.4, "{w}x{h}: grass mobility {grass}");
            assert!(sky < 0.05, "{w}x{h}: sky mobility {sky}");
            assert!(building < 0.1, "{w}x{h}: building mobility {building}");
        }
    }
}
