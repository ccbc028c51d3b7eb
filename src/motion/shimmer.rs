//! The shimmer motion: glints, ripples and haze that seem to travel while the picture itself stays
//! put — Freeman, Adelson & Heeger's "motion without movement": each band's phase turns with time,
//! so the pattern travels while no pixel is displaced.
//!
//! A global phase factor changes nothing one can see; a phase rotation of a *band-pass analytic*
//! component does. The luma's fine detail is split into `BANDS` oriented complex bands
//! `B_b = A_b·e^{iφ_b}` (Gabor responses: demodulate by `e^{−ik_b·x}`, Gaussian low-pass, remodulate,
//! which is exact and separable) and each frame adds
//!
//! `ΔL(x, t) = g(x) · Σ_b Re[B_b(x)·(e^{iθ_b(t)} − 1)]`,  `θ_b(t) = ±2π·m_b·t/T`,
//!
//! to every colour channel, with `g` the mobility (zero where still or frozen). Rotating a band's
//! phase by θ slides its content by `θ/|k_b|` along `k_b`, so the band pattern drifts by one
//! wavelength per cycle while nothing is resampled: no blur, no holes, and coarser structure never
//! moves. `m_b` are whole numbers of cycles per loop, so frame N is frame 0; at `t = 0` the sum is
//! exactly zero, so frame 0 is the input.
//!
//! The amplitude `A` sets the bands' wavelength `λ = 4A` (clamped to 8–64 px): a quarter turn of
//! the phase then moves the band content by `A`, the displacement scale the other motions use.

use rayon::prelude::*;

use crate::analysis::structure::StructureMaps;
use crate::image::{round_to_u8, Rgba8Image};
use crate::motion::freeze::FreezeMask;
use crate::motion::modal::spread_cycles;
use crate::motion::{lattice_hash, MotionParams};
use crate::raster::plane::FloatPlane;

/// Number of oriented bands (45° apart, together covering every direction).
pub const BANDS: usize = 4;
/// Frequency range of the phase rotation, in cycles per second, before rounding to whole cycles.
pub const FREQ_RANGE_HZ: (f64, f64) = (0.3, 1.0);
/// Shortest and longest band wavelength in output pixels.
pub const WAVELENGTH_RANGE: (f64, f64) = (8.0, 64.0);

/// One oriented band, gated, quantised to 16 bits (it needs 16 B/px for four bands, not 32).
#[derive(Debug, Clone)]
struct Band {
    cycles: u32,
    /// +1 or −1: which way the band's content drifts.
    sign: f64,
    /// Luma levels per quantisation step.
    step: f32,
    re: Vec<i16>,
    im: Vec<i16>,
}

/// The shimmer of one video.
#[derive(Debug, Clone)]
pub struct ShimmerField {
    width: usize,
    height: usize,
    frames: u32,
    wavelength: f64,
    bands: Vec<Band>,
}

/// The per-band rotation `(cos θ_b − 1, sin θ_b)` of one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct ShimmerFrame {
    rotation: Vec<(f32, f32)>,
}

impl ShimmerField {
    /// Splits `fitted` (the image at the output size) into gated oriented bands. `maps` gives the
    /// mobility; `frozen` pixels get no shimmer at all.
    pub fn new(fitted: &Rgba8Image, maps: &StructureMaps, frozen: Option<&FreezeMask>, params: MotionParams) -> Self {
        let gate = gate(maps, frozen, fitted.width() as usize, fitted.height() as usize);
        ShimmerField::with_gate(fitted, &gate, params)
    }

    /// As [`ShimmerField::new`] with the gate `g` given per output pixel.
    fn with_gate(fitted: &Rgba8Image, gate: &FloatPlane, params: MotionParams) -> Self {
        let (w, h) = (fitted.width() as usize, fitted.height() as usize);
        let frames = params.frames.max(1);
        let wavelength = (4.0 * params.amplitude).clamp(WAVELENGTH_RANGE.0, WAVELENGTH_RANGE.1);
        let mut field = ShimmerField { width: w, height: h, frames, wavelength, bands: Vec::new() };
        if params.amplitude <= 0.0 {
            return field;
        }

        if gate.data.iter().all(|&g| g == 0.0) {
            return field;
        }
        // Luma in levels, with everything coarser than the bands removed so they have no DC leak.
        let mut luma = FloatPlane::luma(fitted);
        luma.data.iter_mut().for_each(|v| *v *= 255.0);
        let low = luma.blur_wide((0.5 * wavelength) as f32);
        let detail =
            FloatPlane { width: w, height: h, data: luma.data.iter().zip(&low.data).map(|(a, b)| a - b).collect() };

        let seconds = f64::from(frames) / f64::from(params.fps.max(1));
        let cycles = spread_cycles(BANDS as u32, seconds, FREQ_RANGE_HZ);
        let jitter = (lattice_hash(params.seed, -3, -3) - 0.5) * std::f64::consts::FRAC_PI_4;
        // Gaussian envelope: about 0.4 octave of bandwidth around 1/λ, so neighbouring
        // orientations overlap a little and four bands cover the whole circle.
        let sigma = (0.4 * wavelength) as f32;
        let angles: Vec<f64> = (0..BANDS).map(|b| jitter + b as f64 * std::f64::consts::PI / BANDS as f64).collect();
        let gain = 2.0 / mean_gain(f64::from(sigma), wavelength, &angles) as f32;
        // One band at a time (the temporaries of several at once would raise the set-up's peak
        // memory, tests/resources.rs), each band's pixel loops in parallel over rows.
        for (b, (&m, &angle)) in cycles.iter().zip(&angles).enumerate() {
            let k = std::f64::consts::TAU / wavelength;
            let (kx, ky) = (k * libm::cos(angle), k * libm::sin(angle));
            let phase_x: Vec<(f32, f32)> = (0..w).map(|x| unit(kx * (x as f64 + 0.5))).collect();
            let phase_y: Vec<(f32, f32)> = (0..h).map(|y| unit(ky * (y as f64 + 0.5))).collect();
            // Two planes from `f` of each pixel index and the carrier e^{ik·x} there, rows in parallel.
            let rows = |f: &(dyn Fn(usize, (f32, f32)) -> (f32, f32) + Sync)| -> (Vec<f32>, Vec<f32>) {
                let (mut a, mut b) = (vec![0f32; w * h], vec![0f32; w * h]);
                a.par_chunks_exact_mut(w).zip(b.par_chunks_exact_mut(w)).enumerate().for_each(|(y, (ra, rb))| {
                    for (x, (va, vb)) in ra.iter_mut().zip(rb.iter_mut()).enumerate() {
                        (*va, *vb) = f(y * w + x, cmul(phase_x[x], phase_y[y]));
                    }
                });
                (a, b)
            };
            // detail · e^{−ik·x}, low-passed: the band's complex envelope.
            let (re, im) = rows(&|p, (c, s)| (detail.data[p] * c, -detail.data[p] * s));
            let re = FloatPlane { width: w, height: h, data: re }.blur_wide(sigma).data;
            let im = FloatPlane { width: w, height: h, data: im }.blur_wide(sigma).data;
            // Remodulate, times 2 (a real cosine's energy is split between ±k and only +k is kept)
            // over the bands' mean overlap, so the bands add up to the detail at wavelength λ.
            let (band_re, band_im) = rows(&|p, (c, s)| {
                let g = gain * gate.data[p];
                (g * (c * re[p] - s * im[p]), g * (s * re[p] + c * im[p]))
            });
            let peak = band_re.iter().chain(&band_im).fold(0f32, |a, v| a.max(v.abs()));
            let step = if peak > 0.0 { peak / f32::from(i16::MAX) } else { 1.0 };
            let quantise = |v: &[f32]| -> Vec<i16> { v.par_iter().map(|x| round_half_away(x / step) as i16).collect() };
            let sign = if lattice_hash(params.seed, -4, b as i64) < 0.5 { -1.0 } else { 1.0 };
            field.bands.push(Band { cycles: m, sign, step, re: quantise(&band_re), im: quantise(&band_im) });
        }
        field
    }

    /// The band wavelength in output pixels.
    pub fn wavelength(&self) -> f64 {
        self.wavelength
    }

    /// How far a quarter turn moves the band content (a quarter wavelength), in output pixels; 0
    /// when nothing shimmers.
    pub fn amplitude(&self) -> f64 {
        if self.bands.is_empty() {
            0.0
        } else {
            self.wavelength / 4.0
        }
    }

    /// Whole rotation cycles per loop of each band.
    pub fn cycles(&self) -> Vec<u32> {
        self.bands.iter().map(|b| b.cycles).collect()
    }

    /// The rotation of frame `index` (modulo the loop), or `None` when the frame is the input
    /// itself (frame 0, or nothing to shimmer).
    pub fn frame(&self, index: u32) -> Option<ShimmerFrame> {
        let i = index % self.frames;
        if i == 0 || self.bands.is_empty() {
            return None;
        }
        let rotation = self
            .bands
            .iter()
            .map(|b| {
                let j = (u64::from(b.cycles) * u64::from(i)) % u64::from(self.frames);
                let angle = b.sign * std::f64::consts::TAU * j as f64 / f64::from(self.frames);
                ((libm::cos(angle) - 1.0) as f32, libm::sin(angle) as f32)
            })
            .collect();
        Some(ShimmerFrame { rotation })
    }

    /// Writes `fitted` plus the luma change of `frame` into `out` (RGBA, same size), rows in parallel.
    pub fn render(&self, fitted: &Rgba8Image, frame: &ShimmerFrame, out: &mut [u8]) {
        let w = self.width;
        assert_eq!(out.len(), self.width * self.height * 4, "shimmer output size");
        assert_eq!(fitted.data().len(), out.len(), "shimmer source size");
        // Per band: the rotation folded into the quantisation step.
        let coeffs: Vec<(f32, f32)> =
            self.bands.iter().zip(&frame.rotation).map(|(b, (c, s))| (b.step * c, b.step * s)).collect();
        out.par_chunks_exact_mut(w * 4).enumerate().for_each_init(
            || vec![0f32; w],
            |delta, (y, out_row)| {
                let src = fitted.row(y);
                let range = y * w..(y + 1) * w;
                // Band by band over the whole row: plain loops over slices, which vectorise. Each
                // pixel still sums its bands in band order, so the result does not change.
                delta.fill(0.0);
                for (band, &(c, sn)) in self.bands.iter().zip(&coeffs) {
                    let (re, im) = (&band.re[range.clone()], &band.im[range.clone()]);
                    for ((d, &r), &i) in delta.iter_mut().zip(re).zip(im) {
                        *d += f32::from(r) * c - f32::from(i) * sn;
                    }
                }
                for ((o, s), &d) in out_row.chunks_exact_mut(4).zip(src.chunks_exact(4)).zip(delta.iter()) {
                    for ch in 0..3 {
                        o[ch] = round_to_u8(f32::from(s[ch]) + d);
                    }
                    o[3] = s[3];
                }
            },
        );
    }
}

/// The bands' summed response at wavelength `λ`, averaged over all directions: each Gaussian band
/// passes `exp(−σ²|k − k_b|²/2)` and takes whichever of `±k` is nearer (a real pattern has both).
fn mean_gain(sigma: f64, wavelength: f64, angles: &[f64]) -> f64 {
    let k = std::f64::consts::TAU / wavelength;
    let samples = 360;
    let total: f64 = (0..samples)
        .map(|i| {
            let alpha = std::f64::consts::PI * i as f64 / samples as f64;
            angles
                .iter()
                .map(|&b| {
                    let d = (alpha - b).rem_euclid(std::f64::consts::PI);
                    let d = d.min(std::f64::consts::PI - d);
                    let dist = 2.0 * k * libm::sin(d / 2.0);
                    libm::exp(-(sigma * dist) * (sigma * dist) / 2.0)
                })
                .sum::<f64>()
        })
        .sum();
    total / f64::from(samples)
}

/// `libm::roundf(x)` (halves away from zero) for |x| < 2³¹, in operations that vectorise
/// (`roundf` is a software call in wasm, and the bands of a 1024² video quantise 8 M values).
#[inline]
fn round_half_away(x: f32) -> f32 {
    let t = (x as i32) as f32;
    if (x - t).abs() >= 0.5 {
        t + x.signum()
    } else {
        t
    }
}

/// `(cos a, sin a)` in f32.
fn unit(a: f64) -> (f32, f32) {
    (libm::cos(a) as f32, libm::sin(a) as f32)
}

fn cmul(a: (f32, f32), b: (f32, f32)) -> (f32, f32) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

/// The mobility at each output pixel (bilinear from the working grid), zero where frozen.
fn gate(maps: &StructureMaps, frozen: Option<&FreezeMask>, w: usize, h: usize) -> FloatPlane {
    let (mw, mh) = (maps.mobility.width as f64, maps.mobility.height as f64);
    let mut data = vec![0f32; w * h];
    data.par_chunks_exact_mut(w).enumerate().for_each(|(y, row)| {
        let v = y as f64 + 0.5;
        for (x, g) in row.iter_mut().enumerate() {
            let u = x as f64 + 0.5;
            if frozen.is_some_and(|m| m.is_frozen_at(u, v)) {
                continue;
            }
            *g = maps.mobility.sample(u * mw / w as f64, v * mh / h as f64).clamp(0.0, 1.0);
        }
    });
    FloatPlane { width: w, height: h, data }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::structure::structure_maps;
    use crate::testing::landscape;

    fn params(amplitude: f64) -> MotionParams {
        MotionParams { width: 128, height: 96, frames: 48, fps: 24, depth: 8, amplitude, seed: 9 }
    }

    #[test]
    fn rounding_matches_libm() {
        let mut next = crate::testing::xorshift(0x2545_F491_4F6C_DD1D);
        let mut values: Vec<f32> = (0..200_000).map(|_| ((next() >> 32) as i32) as f32 / 65536.0).collect();
        values.extend((-70_000..70_000).map(|i| i as f32 * 0.5));
        values.extend([0.0, -0.0, 0.499_999_97, -0.499_999_97, 32767.5, -32768.5, 8_388_607.5]);
        for x in values {
            assert_eq!(round_half_away(x), libm::roundf(x), "{x}");
        }
    }

    #[test]
    fn loops_and_rests_at_frame_zero() {
        let (img, _) = landscape(128, 96);
        let field = ShimmerField::new(&img, &structure_maps(&img), None, params(3.0));
        assert_eq!(field.wavelength(), 12.0);
        assert_eq!(field.amplitude(), 3.0);
        assert_eq!(field.cycles(), [1, 2, 3, 4]);
        assert!(field.frame(0).is_none() && field.frame(48).is_none());
        assert_eq!(field.frame(49), field.frame(1));
    }

    #[test]
    fn half_a_turn_shifts_a_grating_by_half_a_wavelength() {
        // A grating at the bands' wavelength, at an angle none of the bands is aligned with:
        // rotating every band by π moves it by λ/2, which inverts it around its mean. At λ = 40
        // the bands' blurs run at a reduced resolution (FloatPlane::blur_wide).
        for (w, h, amplitude) in [(96usize, 64usize, 2.0), (320, 256, 10.0)] {
            let lambda = 4.0 * amplitude;
            let theta = 0.3f64;
            let value = |x: usize, y: usize| {
                let t =
                    std::f64::consts::TAU / lambda * ((x as f64 + 0.5) * theta.cos() + (y as f64 + 0.5) * theta.sin());
                128.0 + 60.0 * t.cos()
            };
            let data = (0..w * h)
                .flat_map(|p| {
                    let v = value(p % w, p / w).round() as u8;
                    [v, v, v, 255]
                })
                .collect();
            let img = Rgba8Image::from_raw(w as u32, h as u32, data).expect("size");
            let field = ShimmerField::with_gate(&img, &FloatPlane::filled(w, h, 1.0), params(amplitude));
            assert_eq!(field.wavelength(), lambda);
            let half = ShimmerFrame { rotation: vec![(-2.0, 0.0); BANDS] };
            let mut out = vec![0u8; w * h * 4];
            field.render(&img, &half, &mut out);
            let (mut worst, border) = (0f64, (2.0 * lambda) as usize);
            for y in border..h - border {
                for x in border..w - border {
                    let want = 256.0 - value(x, y);
                    worst = worst.max((f64::from(out[(y * w + x) * 4]) - want).abs());
                }
            }
            assert!(worst <= 5.0, "λ {lambda}: inverted grating off by {worst} levels (contrast ±60)");
        }
    }

    #[test]
    fn nothing_shimmers_on_a_flat_image_or_with_zero_amplitude() {
        let flat = Rgba8Image::from_raw(64, 64, [90u8, 90, 90, 255].repeat(64 * 64)).expect("size");
        let still = ShimmerField::new(&flat, &structure_maps(&flat), None, params(4.0));
        assert_eq!(still.amplitude(), 0.0);
        assert!((0..48).all(|i| still.frame(i).is_none()));
        let (img, _) = landscape(128, 96);
        assert!(ShimmerField::new(&img, &structure_maps(&img), None, params(0.0)).frame(3).is_none());
    }
}
