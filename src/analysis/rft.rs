//! The Φ-RFT ("resonance Fourier transform"): what it really is, and what it can and cannot do.
//!
//! `Ψ = D · C · F`, where `F` is the unitary DFT (`F_jk = n^{-1/2} e^{-2πi jk/n}`), `C` the chirp
//! `C_k = exp(iπσk²/n)` and `D` the golden-ratio phase `D_k = exp(2πiβ·frac(k/φ))`, with σ = β = 1.
//! The inverse is `x = F⁻¹(conj(C)·conj(D)·Y)`.
//!
//! What it is, plainly: a unitary transform costing one FFT plus `n` complex multiplies. Its
//! magnitudes are **exactly the DFT's** (the two diagonals have unit modulus), so every
//! magnitude-based statistic the engine takes from it (power spectra, dominant frequency, harmonic
//! ratio, coherence) is the DFT's. With integer β the golden phase is even just a linear phase ramp.
//! It is kept because it is the design's named transform and costs nothing extra; it adds no
//! information. Phases are computed in f64 with `libm` so native and wasm builds agree bit for bit.

use std::sync::Arc;

use num_complex::Complex64;
use rustfft::{Fft, FftPlanner};

/// The golden ratio φ = (1 + √5) / 2.
pub const PHI: f64 = 1.618_033_988_749_895;

/// A planned Φ-RFT of one length, reusable for many signals.
pub struct PhiRft {
    n: usize,
    forward: Arc<dyn Fft<f64>>,
    inverse: Arc<dyn Fft<f64>>,
    /// `E_k = D_k · C_k`, the fused phase.
    phase: Vec<Complex64>,
    scratch: Vec<Complex64>,
}

impl std::fmt::Debug for PhiRft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PhiRft(n = {})", self.n)
    }
}

impl PhiRft {
    /// Chirp rate σ.
    pub const SIGMA: f64 = 1.0;
    /// Golden-phase weight β.
    pub const BETA: f64 = 1.0;

    /// Plans a transform of length `n` (any length ≥ 1; rustfft handles non-powers of two).
    pub fn new(n: usize) -> Self {
        let n = n.max(1);
        let mut planner = FftPlanner::new();
        let forward = planner.plan_fft_forward(n);
        let inverse = planner.plan_fft_inverse(n);
        let phase = (0..n).map(|k| phase_factor(k, n)).collect();
        let scratch_len = forward.get_inplace_scratch_len().max(inverse.get_inplace_scratch_len());
        PhiRft { n, forward, inverse, phase, scratch: vec![Complex64::new(0.0, 0.0); scratch_len] }
    }

    /// Transform length.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false: a transform has at least one bin.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// `Y = Ψx`, in place.
    ///
    /// # Panics
    /// When `data.len()` is not the planned length.
    pub fn forward(&mut self, data: &mut [Complex64]) {
        assert_eq!(data.len(), self.n, "Φ-RFT length");
        self.forward.process_with_scratch(data, &mut self.scratch);
        let norm = 1.0 / (self.n as f64).sqrt();
        for (y, e) in data.iter_mut().zip(&self.phase) {
            *y = *y * *e * norm;
        }
    }

    /// `x = Ψᴴy`, in place.
    ///
    /// # Panics
    /// When `data.len()` is not the planned length.
    pub fn inverse(&mut self, data: &mut [Complex64]) {
        assert_eq!(data.len(), self.n, "Φ-RFT length");
        for (y, e) in data.iter_mut().zip(&self.phase) {
            *y *= e.conj();
        }
        self.inverse.process_with_scratch(data, &mut self.scratch);
        let norm = 1.0 / (self.n as f64).sqrt();
        for x in data.iter_mut() {
            *x *= norm;
        }
    }

    /// The magnitude spectrum of a real signal: `|Ψx|_k` for `k` in `0..=n/2` (equal to the DFT's).
    pub fn magnitudes(&mut self, signal: &[f64]) -> Vec<f64> {
        let mut data: Vec<Complex64> = signal.iter().map(|&v| Complex64::new(v, 0.0)).collect();
        data.resize(self.n, Complex64::new(0.0, 0.0));
        self.forward(&mut data);
        data[..self.n / 2 + 1].iter().map(|c| c.norm()).collect()
    }
}

/// `E_k = exp(i[2πβ·frac(k/φ) + πσk²/n])`, with the quadratic term reduced modulo 2n first so it
/// stays exact for large k.
fn phase_factor(k: usize, n: usize) -> Complex64 {
    let golden = 2.0 * std::f64::consts::PI * PhiRft::BETA * frac(k as f64 / PHI);
    let k2 = ((k as u128 * k as u128) % (2 * n as u128)) as f64;
    let chirp = std::f64::consts::PI * PhiRft::SIGMA * k2 / n as f64;
    let angle = golden + chirp;
    Complex64::new(libm::cos(angle), libm::sin(angle))
}

fn frac(v: f64) -> f64 {
    v - libm::floor(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZES: [usize; 8] = [1, 2, 3, 8, 64, 100, 512, 1000];

    /// A deterministic pseudo-random complex signal.
    fn signal(n: usize, seed: u64) -> Vec<Complex64> {
        let mut s = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let mut next = || {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        (0..n).map(|_| Complex64::new(next(), next())).collect()
    }

    /// The dense O(n²) definition, straight from the formula.
    fn dense(x: &[Complex64]) -> Vec<Complex64> {
        let n = x.len();
        (0..n)
            .map(|k| {
                let dft: Complex64 = x
                    .iter()
                    .enumerate()
                    .map(|(j, &v)| {
                        let a = -2.0 * std::f64::consts::PI * (j * k % n) as f64 / n as f64;
                        v * Complex64::new(a.cos(), a.sin())
                    })
                    .sum::<Complex64>()
                    / (n as f64).sqrt();
                let c = Complex64::from_polar(1.0, std::f64::consts::PI * (k * k) as f64 / n as f64);
                let d = Complex64::from_polar(1.0, 2.0 * std::f64::consts::PI * (k as f64 / PHI).fract());
                d * c * dft
            })
            .collect()
    }

    fn max_err(a: &[Complex64], b: &[Complex64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| (x - y).norm()).fold(0.0, f64::max)
    }

    #[test]
    fn is_unitary_column_by_column() {
        for &n in SIZES.iter().filter(|&&n| n <= 64) {
            let mut rft = PhiRft::new(n);
            let columns: Vec<Vec<Complex64>> = (0..n)
                .map(|j| {
                    let mut e = vec![Complex64::new(0.0, 0.0); n];
                    e[j] = Complex64::new(1.0, 0.0);
                    rft.forward(&mut e);
                    e
                })
                .collect();
            let mut frob = 0.0;
            for a in 0..n {
                for b in 0..n {
                    let dot: Complex64 = columns[a].iter().zip(&columns[b]).map(|(x, y)| x.conj() * y).sum();
                    let target = if a == b { 1.0 } else { 0.0 };
                    frob += (dot - target).norm_sqr();
                }
            }
            assert!(frob.sqrt() < 1e-12, "n = {n}: ‖ΨᴴΨ − I‖ = {}", frob.sqrt());
        }
    }

    #[test]
    fn round_trip_and_parseval() {
        for &n in &SIZES {
            let x = signal(n, n as u64);
            let mut y = x.clone();
            let mut rft = PhiRft::new(n);
            rft.forward(&mut y);
            let ex: f64 = x.iter().map(|v| v.norm_sqr()).sum();
            let ey: f64 = y.iter().map(|v| v.norm_sqr()).sum();
            assert!((ex - ey).abs() < 1e-9 * ex.max(1.0), "n = {n}: Parseval {ex} vs {ey}");
            rft.inverse(&mut y);
            assert!(max_err(&x, &y) < 1e-12, "n = {n}: round trip {}", max_err(&x, &y));
        }
    }

    #[test]
    fn agrees_with_the_dense_definition() {
        for &n in SIZES.iter().filter(|&&n| n <= 64) {
            let x = signal(n, 7 + n as u64);
            let mut y = x.clone();
            PhiRft::new(n).forward(&mut y);
            assert!(max_err(&y, &dense(&x)) < 1e-9, "n = {n}: {}", max_err(&y, &dense(&x)));
        }
    }

    #[test]
    fn magnitudes_equal_the_dft() {
        for &n in &SIZES {
            let x = signal(n, 99);
            let mut y = x.clone();
            PhiRft::new(n).forward(&mut y);
            let mut f = x.clone();
            FftPlanner::new().plan_fft_forward(n).process(&mut f);
            for (a, b) in y.iter().zip(&f) {
                assert!((a.norm() - b.norm() / (n as f64).sqrt()).abs() < 1e-12, "n = {n}");
            }
        }
    }

    #[test]
    fn integer_beta_golden_phase_is_a_linear_ramp() {
        // exp(2πi·frac(k/φ)) = exp(2πi·k/φ) because β = 1 is an integer.
        for k in 0..1000usize {
            let a = Complex64::from_polar(1.0, 2.0 * std::f64::consts::PI * frac(k as f64 / PHI));
            let b = Complex64::from_polar(1.0, 2.0 * std::f64::consts::PI * k as f64 / PHI);
            assert!((a - b).norm() < 1e-9, "k = {k}");
        }
    }
}
