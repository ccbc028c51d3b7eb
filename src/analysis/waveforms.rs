//! Scanline waveforms and their spectra: rows every h/8,
//! columns every w/8, and both diagonals, each resampled to `precision` points of luma.
//!
//! Per waveform the engine keeps its magnitude spectrum (through the Φ-RFT, after removing the
//! mean and applying a Hann window), its **dominant frequency** — the strongest non-DC bin, as
//! cycles per waveform and as a period in working pixels — and its **harmonic ratio**
//! `hr = max_k P_k / mean_k P_k` over the power `P_k = |Y_k|²` of the non-DC bins: about 1 for a
//! flat or white-noise line, large for a periodic one (a grating gives hr near n/2). A line with no
//! variation at all has hr = 1 by definition.

use serde::Serialize;

use crate::analysis::rft::PhiRft;
use crate::raster::plane::FloatPlane;

/// How a waveform crosses the image.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Line {
    /// A horizontal line at `y` (working pixels).
    Row {
        /// Vertical position of the line's centre.
        y: f64,
    },
    /// A vertical line at `x`.
    Column {
        /// Horizontal position of the line's centre.
        x: f64,
    },
    /// Top-left to bottom-right.
    Diagonal,
    /// Bottom-left to top-right.
    AntiDiagonal,
}

/// One waveform and its spectral summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Waveform {
    /// Where the line runs.
    pub line: Line,
    /// Length of the line in working pixels.
    pub length_px: f64,
    /// `|Ψx|_k` for `k = 0..=n/2` of the windowed, mean-removed samples.
    pub spectrum: Vec<f64>,
    /// The strongest non-DC bin (cycles per waveform), 0 for a flat line.
    pub dominant_bin: usize,
    /// Period of the dominant bin in working pixels (`length / bin`), 0 for a flat line.
    pub dominant_period_px: f64,
    /// `max P_k / mean P_k` over non-DC bins, in `[1, n/2]`.
    pub harmonic_ratio: f64,
    /// The luma samples (mean included), for plotting and coherence.
    #[serde(skip)]
    pub samples: Vec<f64>,
}

/// The 18 lines of the design: 8 rows, 8 columns, 2 diagonals.
pub fn lines(width: usize, height: usize) -> Vec<Line> {
    let (w, h) = (width as f64, height as f64);
    let rows = (0..8).map(|i| Line::Row { y: (i as f64 + 0.5) * h / 8.0 });
    let cols = (0..8).map(|i| Line::Column { x: (i as f64 + 0.5) * w / 8.0 });
    rows.chain(cols).chain([Line::Diagonal, Line::AntiDiagonal]).collect()
}

/// Samples `line` of `luma` at `n` evenly spaced points (bilinear).
pub fn sample_line(luma: &FloatPlane, line: Line, n: usize) -> (Vec<f64>, f64) {
    let (w, h) = (luma.width as f64, luma.height as f64);
    let (start, end) = match line {
        Line::Row { y } => ((0.0, y), (w, y)),
        Line::Column { x } => ((x, 0.0), (x, h)),
        Line::Diagonal => ((0.0, 0.0), (w, h)),
        Line::AntiDiagonal => ((0.0, h), (w, 0.0)),
    };
    let length = libm::hypot(end.0 - start.0, end.1 - start.1);
    let samples = (0..n)
        .map(|i| {
            let t = (i as f64 + 0.5) / n as f64;
            f64::from(luma.sample(start.0 + t * (end.0 - start.0), start.1 + t * (end.1 - start.1)))
        })
        .collect();
    (samples, length)
}

/// Hann window of length `n` (periodic form).
pub fn hann(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.5 - 0.5 * libm::cos(2.0 * std::f64::consts::PI * i as f64 / n as f64)).collect()
}

/// Spectral summary of one set of samples.
pub fn summarize(line: Line, samples: Vec<f64>, length_px: f64, rft: &mut PhiRft) -> Waveform {
    let n = samples.len();
    let mean = samples.iter().sum::<f64>() / n.max(1) as f64;
    let window = hann(n);
    let centred: Vec<f64> = samples.iter().zip(&window).map(|(s, w)| (s - mean) * w).collect();
    let spectrum = rft.magnitudes(&centred);
    let power: Vec<f64> = spectrum.iter().skip(1).map(|m| m * m).collect();
    let total: f64 = power.iter().sum();
    let (dominant_bin, harmonic_ratio) = if total > 1e-18 {
        let (i, max) = power.iter().enumerate().fold((0, 0.0), |best, (i, &p)| if p > best.1 { (i, p) } else { best });
        (i + 1, max / (total / power.len() as f64))
    } else {
        (0, 1.0)
    };
    let dominant_period_px = if dominant_bin > 0 { length_px / dominant_bin as f64 } else { 0.0 };
    Waveform { line, length_px, spectrum, dominant_bin, dominant_period_px, harmonic_ratio, samples }
}

/// Every waveform of `luma` at `precision` samples each.
pub fn waveforms(luma: &FloatPlane, precision: usize) -> Vec<Waveform> {
    let mut rft = PhiRft::new(precision);
    lines(luma.width, luma.height)
        .into_iter()
        .map(|line| {
            let (samples, length) = sample_line(luma, line, precision);
            summarize(line, samples, length, &mut rft)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grating(width: usize, height: usize, period: f64) -> FloatPlane {
        let data = (0..width * height)
            .map(|i| (0.5 + 0.4 * (2.0 * std::f64::consts::PI * ((i % width) as f64 + 0.5) / period).cos()) as f32)
            .collect();
        FloatPlane { width, height, data }
    }

    #[test]
    fn eighteen_lines_at_the_design_positions() {
        let l = lines(512, 256);
        assert_eq!(l.len(), 18);
        assert_eq!(l[0], Line::Row { y: 16.0 });
        assert_eq!(l[15], Line::Column { x: 480.0 });
    }

    #[test]
    fn a_grating_has_its_period_as_dominant_frequency_and_a_high_harmonic_ratio() {
        let luma = grating(512, 512, 16.0);
        let all = waveforms(&luma, 512);
        let row = &all[3];
        assert_eq!(row.dominant_bin, 32, "512 px / 16 px per cycle");
        assert!((row.dominant_period_px - 16.0).abs() < 1e-9);
        assert!(row.harmonic_ratio > 50.0, "hr {}", row.harmonic_ratio);
        // Columns cross a vertical grating along its bars: nothing varies.
        let column = &all[10];
        assert_eq!((column.dominant_bin, column.harmonic_ratio), (0, 1.0));
    }

    #[test]
    fn noise_has_a_low_harmonic_ratio() {
        let mut s = 12345u64;
        let data = (0..256 * 256)
            .map(|_| {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                (s >> 40) as f32 / (1u64 << 24) as f32
            })
            .collect();
        let all = waveforms(&FloatPlane { width: 256, height: 256, data }, 256);
        for w in &all {
            assert!(w.harmonic_ratio < 12.0, "{:?}: hr {}", w.line, w.harmonic_ratio);
        }
    }
}
