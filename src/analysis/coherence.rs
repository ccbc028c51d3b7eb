//! Magnitude-squared coherence between waveforms (Welch's method).
//!
//! For two signals x, y cut into Hann-windowed segments of length `n/4` with 50 % overlap,
//! `C_xy(f) = |S_xy(f)|² / (S_xx(f) S_yy(f))` with the cross and auto spectra averaged over
//! segments. By Cauchy–Schwarz each value is in [0, 1]: 1 where the two lines vary together at
//! that frequency (up to a fixed gain and phase), near 0 where they are unrelated. The matrix entry
//! is the mean of `C_xy(f)` over the non-DC frequencies where both lines have energy; lines with no
//! variation are coherent with nothing (0), not even themselves.

use num_complex::Complex64;
use rustfft::FftPlanner;

use crate::analysis::waveforms::hann;

/// Segments' spectra of one signal, for reuse across all pairs.
fn segment_spectra(samples: &[f64], seg: usize) -> Vec<Vec<Complex64>> {
    let fft = FftPlanner::new().plan_fft_forward(seg);
    let window = hann(seg);
    let hop = (seg / 2).max(1);
    let mut out = Vec::new();
    let mut start = 0;
    while start + seg <= samples.len() {
        let part = &samples[start..start + seg];
        let mean = part.iter().sum::<f64>() / seg as f64;
        let mut buf: Vec<Complex64> =
            part.iter().zip(&window).map(|(s, w)| Complex64::new((s - mean) * w, 0.0)).collect();
        fft.process(&mut buf);
        buf.truncate(seg / 2 + 1);
        out.push(buf);
        start += hop;
    }
    out
}

/// The symmetric coherence matrix of `signals` (all the same length), row-major, `len²` values.
pub fn coherence_matrix(signals: &[Vec<f64>]) -> Vec<f64> {
    let count = signals.len();
    let n = signals.first().map_or(0, Vec::len);
    let seg = (n / 4).max(4).min(n.max(1));
    let spectra: Vec<Vec<Vec<Complex64>>> = signals.iter().map(|s| segment_spectra(s, seg)).collect();
    let auto: Vec<Vec<f64>> = spectra
        .iter()
        .map(|segs| (0..seg / 2 + 1).map(|f| segs.iter().map(|s| s[f].norm_sqr()).sum()).collect())
        .collect();
    let floor = 1e-12 * auto.iter().flatten().fold(0.0f64, |a, &b| a.max(b)).max(1e-30);
    let mut matrix = vec![0.0; count * count];
    for i in 0..count {
        for j in i..count {
            let mut sum = 0.0;
            let mut bins = 0usize;
            for f in 1..seg / 2 + 1 {
                let (sxx, syy) = (auto[i][f], auto[j][f]);
                if sxx <= floor || syy <= floor {
                    continue;
                }
                let sxy: Complex64 = spectra[i].iter().zip(&spectra[j]).map(|(a, b)| a[f] * b[f].conj()).sum();
                sum += (sxy.norm_sqr() / (sxx * syy)).min(1.0);
                bins += 1;
            }
            let c = if bins > 0 { sum / bins as f64 } else { 0.0 };
            matrix[i * count + j] = c;
            matrix[j * count + i] = c;
        }
    }
    matrix
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
            })
            .collect()
    }

    #[test]
    fn identical_and_scaled_signals_are_fully_coherent_unrelated_ones_are_not() {
        let a = noise(512, 1);
        let b: Vec<f64> = a.iter().map(|v| 3.0 * v + 7.0).collect();
        let c = noise(512, 2);
        let flat = vec![0.5; 512];
        let m = coherence_matrix(&[a, b, c, flat]);
        assert!((m[0] - 1.0).abs() < 1e-9 && (m[1] - 1.0).abs() < 1e-9, "{m:?}");
        assert!(m[2] < 0.35, "unrelated noise: {}", m[2]);
        assert_eq!(m[3], 0.0);
        assert_eq!(m[15], 0.0, "a flat line is coherent with nothing");
        for v in &m {
            assert!((0.0..=1.0).contains(v));
        }
        for i in 0..4 {
            for j in 0..4 {
                assert_eq!(m[i * 4 + j], m[j * 4 + i]);
            }
        }
    }
}
