//! Image analysis: the design's "resonance analysis", with honest names.
//!
//! - [`rft`] — the Φ-RFT, a unitary transform whose magnitudes equal the DFT's;
//! - [`waveforms`](mod@waveforms) — scanline waveforms (rows, columns, diagonals) and their spectra;
//! - [`coherence`] — magnitude-squared coherence between waveforms;
//! - [`structure`] — the maps that drive motion: orientation, coherence, texture, mobility;
//! - [`store`] — an analysis as bytes, so a page can cache it and skip the work next time.

pub mod coherence;
pub mod rft;
pub mod store;
pub mod structure;
pub mod waveforms;

use serde::Serialize;

use crate::analysis::coherence::coherence_matrix;
use crate::analysis::structure::{structure_maps, StructureMaps, StructureSummary};
use crate::analysis::waveforms::{waveforms, Waveform};
use crate::image::Rgba8Image;
use crate::raster::fit;
use crate::raster::plane::FloatPlane;

/// Everything the analysis found, at the working resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Working grid width (the fitted image, its long side at most `precision`).
    pub width: u32,
    /// Working grid height.
    pub height: u32,
    /// Samples per waveform and spectrum length ("quantum precision").
    pub precision: u32,
    /// The 18 waveforms with their spectra.
    pub waveforms: Vec<Waveform>,
    /// Magnitude-squared coherence between waveforms, `18 x 18`, row-major.
    pub coherence: Vec<f64>,
    /// Orientation, coherence, texture and mobility maps.
    pub maps: StructureMaps,
}

/// The serialisable part of an [`Analysis`] (the maps travel separately, as bytes).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisReport<'a> {
    /// Working grid width.
    pub width: u32,
    /// Working grid height.
    pub height: u32,
    /// Samples per waveform.
    pub precision: u32,
    /// Waveforms and spectra.
    pub waveforms: &'a [Waveform],
    /// Coherence matrix, row-major.
    pub coherence: &'a [f64],
    /// Map summaries.
    pub summary: StructureSummary,
}

impl Analysis {
    /// Analyses `source` as it will be seen in a `width x height` output (cover-fitted), on a
    /// working grid whose long side is at most `precision`.
    pub fn new(source: &Rgba8Image, width: u32, height: u32, precision: u32) -> Self {
        let (ww, wh) = working_size(width, height, precision);
        let fitted = fit(source, ww, wh);
        let luma = FloatPlane::luma(&fitted);
        let waveforms = waveforms(&luma, precision as usize);
        let samples: Vec<Vec<f64>> = waveforms.iter().map(|w| w.samples.clone()).collect();
        let coherence = coherence_matrix(&samples);
        let maps = structure_maps(&fitted);
        Analysis { width: ww, height: wh, precision, waveforms, coherence, maps }
    }

    /// The serialisable report.
    pub fn report(&self) -> AnalysisReport<'_> {
        AnalysisReport {
            width: self.width,
            height: self.height,
            precision: self.precision,
            waveforms: &self.waveforms,
            coherence: &self.coherence,
            summary: self.maps.summary(),
        }
    }

    /// The mobility map quantised to bytes (0 = still, 255 = free to move), `width * height`.
    pub fn mobility_bytes(&self) -> Vec<u8> {
        self.maps.mobility.data.iter().map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8).collect()
    }

    /// The orientation map quantised to bytes (0 = −π/2 … 255 = π/2), `width * height`.
    pub fn orientation_bytes(&self) -> Vec<u8> {
        self.maps
            .orientation
            .data
            .iter()
            .map(|v| ((v / std::f32::consts::PI + 0.5).clamp(0.0, 1.0) * 255.0).round() as u8)
            .collect()
    }
}

/// The working grid for an output size: the same aspect ratio, long side at most `precision`.
pub fn working_size(width: u32, height: u32, precision: u32) -> (u32, u32) {
    let scale = (f64::from(precision) / f64::from(width.max(height))).min(1.0);
    let side = |v: u32| ((f64::from(v) * scale).round() as u32).max(1);
    (side(width), side(height))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::landscape;

    #[test]
    fn working_grid_keeps_the_aspect_and_caps_the_long_side() {
        assert_eq!(working_size(1920, 1080, 512), (512, 288));
        assert_eq!(working_size(256, 256, 512), (256, 256));
        assert_eq!(working_size(1080, 1920, 64), (36, 64));
    }

    #[test]
    fn analysis_of_a_landscape_reports_consistent_shapes() {
        let (img, _) = landscape(600, 400);
        let a = Analysis::new(&img, 1024, 768, 256);
        assert_eq!((a.width, a.height), (256, 192));
        assert_eq!(a.waveforms.len(), 18);
        assert!(a.waveforms.iter().all(|w| w.spectrum.len() == 129));
        assert_eq!(a.coherence.len(), 18 * 18);
        assert_eq!(a.mobility_bytes().len(), 256 * 192);
        let s = a.report().summary;
        assert!(s.mobile_share > 0.2 && s.mobile_share < 0.8, "{s:?}");
        // Rows through the grass are textured; rows through the sky are smooth.
        assert!(a.waveforms[7].harmonic_ratio >= 1.0);
        let sky_energy: f64 = a.waveforms[0].spectrum.iter().skip(8).map(|m| m * m).sum();
        let grass_energy: f64 = a.waveforms[7].spectrum.iter().skip(8).map(|m| m * m).sum();
        assert!(grass_energy > 100.0 * sky_energy, "grass {grass_energy} vs sky {sky_energy}");
    }
}
