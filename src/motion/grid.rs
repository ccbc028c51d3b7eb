//! The coarse grid every local motion is built on: the analysis maps sampled at its nodes, and the
//! local direction of motion derived from the structure tensor.
//!
//! Motion fields are smooth by design, so they live on a grid a quarter of the working resolution
//! and are interpolated per pixel; the maps are sampled once here, not once per motion.

use crate::analysis::structure::StructureMaps;
use crate::motion::{lattice_hash, smoothstep};
use crate::raster::plane::FloatPlane;

/// The analysis maps on the motion grid.
#[derive(Debug, Clone)]
pub struct MotionGrid {
    /// Nodes per row.
    pub width: usize,
    /// Nodes per column.
    pub height: usize,
    /// Output pixels per grid cell, horizontally and vertically.
    pub cell: (f64, f64),
    /// Mobility in [0, 1] per node.
    pub mobility: Vec<f32>,
    /// The wind direction drawn from the job's seed (a unit vector within ±20° of the +x axis).
    pub wind: (f32, f32),
    /// Orientation strength in [0, 1] and the gradient angle per node.
    orientation: Vec<(f32, f32)>,
}

/// Which way the local direction points relative to the image structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Across the structure (along the luma gradient): grass blades sway sideways.
    Across,
    /// Along the structure (along streaks and ripples): water and clouds drift this way.
    Along,
}

impl MotionGrid {
    /// Samples `maps` (working resolution) at the nodes of the grid for a `width x height` output.
    pub fn new(maps: &StructureMaps, width: u32, height: u32, seed: u64) -> Self {
        let (ww, wh) = (maps.mobility.width, maps.mobility.height);
        let grid_w = ww.div_ceil(4).max(2);
        let grid_h = wh.div_ceil(4).max(2);
        let n = grid_w * grid_h;
        let cell = (f64::from(width) / grid_w as f64, f64::from(height) / grid_h as f64);
        let node = |i: usize, j: usize| {
            ((i as f64 + 0.5) * ww as f64 / grid_w as f64, (j as f64 + 0.5) * wh as f64 / grid_h as f64)
        };
        let wind_angle = (lattice_hash(seed, -1, -1) - 0.5) * 40f64.to_radians();
        let wind = (libm::cos(wind_angle) as f32, libm::sin(wind_angle) as f32);
        // Orientation is averaged as the doubled-angle vector, which has no wrap-around.
        let (c2, s2) = doubled_angle(maps);
        let mut mobility = vec![0f32; n];
        let mut orientation = vec![(0f32, 0f32); n];
        for j in 0..grid_h {
            for i in 0..grid_w {
                let (x, y) = node(i, j);
                let k = j * grid_w + i;
                mobility[k] = maps.mobility.sample(x, y).clamp(0.0, 1.0);
                let (c, s) = (c2.sample(x, y), s2.sample(x, y));
                orientation[k] = (libm::hypotf(c, s).min(1.0), 0.5 * libm::atan2f(s, c));
            }
        }
        MotionGrid { width: grid_w, height: grid_h, cell, mobility, wind, orientation }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.width * self.height
    }

    /// Whether the grid has no nodes (never: it is at least 2x2).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The smaller side of a cell, in output pixels.
    pub fn cell_px(&self) -> f64 {
        self.cell.0.min(self.cell.1)
    }

    /// A unit direction per node: the structure's direction where it is strongly oriented, blended
    /// toward the wind where it is not, and signed to agree with the wind (an orientation has no
    /// sign; a motion does).
    pub fn directions(&self, which: Direction) -> Vec<(f32, f32)> {
        let wind = self.wind;
        self.orientation
            .iter()
            .map(|&(strength, theta)| {
                let mut e1 = match which {
                    Direction::Across => (libm::cosf(theta), libm::sinf(theta)),
                    Direction::Along => (-libm::sinf(theta), libm::cosf(theta)),
                };
                if e1.0 * wind.0 + e1.1 * wind.1 < 0.0 {
                    e1 = (-e1.0, -e1.1);
                }
                let d = (strength * e1.0 + (1.0 - strength) * wind.0, strength * e1.1 + (1.0 - strength) * wind.1);
                let norm = libm::hypotf(d.0, d.1);
                if norm > 1e-6 {
                    (d.0 / norm, d.1 / norm)
                } else {
                    wind
                }
            })
            .collect()
    }

    /// A plane of this grid's size.
    pub fn plane(&self, data: Vec<f32>) -> FloatPlane {
        FloatPlane { width: self.width, height: self.height, data }
    }

    /// Zero-mean noise in [-1, 1] per node from a counter hash, smoothed at `sigma` nodes and
    /// normalised to unit RMS (all zeros stay zeros).
    pub fn smooth_noise(&self, seed: u64, sigma: f32) -> FloatPlane {
        let w = self.width;
        let raw = self.plane(
            (0..self.len()).map(|p| (2.0 * lattice_hash(seed, (p % w) as i64, (p / w) as i64) - 1.0) as f32).collect(),
        );
        let mut smooth = raw.blur(sigma);
        let rms = (smooth.data.iter().map(|v| v * v).sum::<f32>() / self.len() as f32).sqrt();
        if rms > 0.0 {
            smooth.data.iter_mut().for_each(|v| *v /= rms);
        }
        smooth
    }
}

/// `coherence·(cos 2θ, sin 2θ)`, smoothed: a wrap-free average of orientation.
fn doubled_angle(maps: &StructureMaps) -> (FloatPlane, FloatPlane) {
    let (w, h) = (maps.orientation.width, maps.orientation.height);
    let mut c = FloatPlane::filled(w, h, 0.0);
    let mut s = FloatPlane::filled(w, h, 0.0);
    for i in 0..w * h {
        let (theta, coh) = (maps.orientation.data[i], smoothstep(0.0, 0.5, maps.coherence.data[i]));
        c.data[i] = coh * libm::cosf(2.0 * theta);
        s.data[i] = coh * libm::sinf(2.0 * theta);
    }
    let sigma = (w.min(h) as f32 * 0.02).max(1.0);
    (c.blur(sigma), s.blur(sigma))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::structure::structure_maps;
    use crate::testing::landscape;

    #[test]
    fn directions_are_unit_vectors_and_along_is_a_quarter_turn_from_across() {
        let (img, _) = landscape(128, 96);
        let grid = MotionGrid::new(&structure_maps(&img), 256, 192, 3);
        let across = grid.directions(Direction::Across);
        let along = grid.directions(Direction::Along);
        for (a, b) in across.iter().zip(&along) {
            assert!((libm::hypotf(a.0, a.1) - 1.0).abs() < 1e-5);
            assert!((libm::hypotf(b.0, b.1) - 1.0).abs() < 1e-5);
        }
        // Where the orientation is strong the two are perpendicular.
        let strong: Vec<usize> = (0..grid.len()).filter(|&k| grid.orientation[k].0 > 0.99).collect();
        assert!(!strong.is_empty());
        for k in strong {
            let dot = across[k].0 * along[k].0 + across[k].1 * along[k].1;
            assert!(dot.abs() < 0.05, "node {k}: dot {dot}");
        }
    }
}
