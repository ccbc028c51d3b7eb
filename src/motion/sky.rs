//! The sky: where it is, found without a learned model, and how far each place of it is from
//! whatever stands against it.
//!
//! A sky is the region that touches the top edge, is smooth (its gradients are weak next to the
//! ground's edges and texture), and keeps one colour family. So each column is scanned from the top
//! and its sky ends at the first gradient stronger than a threshold, the border being a per-column
//! row count (after Shen & Wang, "Sky region detection in a single image for autonomous ground
//! robot navigation", 2013). The threshold is chosen among quantiles of the gradient by the
//! energy `1 / (γ·|Σ_sky| + |Σ_ground| + γ·λ_sky + λ_ground)` (`Σ` the RGB covariance of each side,
//! `λ` its largest eigenvalue, `γ = 2`): the border that makes both sides most uniform, the sky
//! most of all. Then:
//!
//! - a column whose border falls much lower than its neighbours' (the scan leaked through a gap)
//!   is raised to their median; a column is never lowered, so a pole or a spire keeps its column;
//! - the result is a sky only if it covers at least 5 % of the picture, is brighter on average than
//!   the ground (it lights the scene) and smooth. Otherwise there is none, and nothing drifts.
//!
//! The renderer draws the sky as a layer of its own ([`Sky::alpha`] says how much of each pixel is
//! sky), so the drift never has to slow down in front of what stands against it.

use crate::image::Rgba8Image;
use crate::raster::plane::FloatPlane;

/// Thresholds tried, as quantiles of the gradient magnitude from [`LOWEST_QUANTILE`] up.
const THRESHOLDS: usize = 24;
/// The lowest quantile tried: the sky is at most this share of the picture's smoothest pixels.
const LOWEST_QUANTILE: f32 = 0.35;
/// The highest quantile tried: an edge stronger than all but this share of the picture ends the sky.
const HIGHEST_QUANTILE: f32 = 0.95;
/// The least share of the picture a sky covers.
const MIN_SHARE: f32 = 0.05;
/// The largest median colour gradient of a sky, per pixel in 0–1 units (about 13 levels): a sky is
/// smooth between its clouds' edges, whatever the ground is like.
const SMOOTHEST_SKY: f32 = 0.05;
/// Weight of the sky's uniformity against the ground's in the energy.
const GAMMA: f64 = 2.0;
/// The squared Mahalanobis distance beyond which a pixel is not sky: the 99.9th percentile of
/// χ² with 4 degrees of freedom.
const SKY_OUTLIER: f64 = 18.5;
/// What each such pixel adds to the cost of calling it sky: enough that a run of them (a pole, a
/// roof) is never sky, small enough that a cloud's few pixels of sharp edge do not end a column's
/// sky.
const OUTLIER_COST: f64 = 25.0;
/// Rounds of [`refined`] after the threshold search.
const REFINEMENTS: usize = 2;

/// The sky of an image: for each column, how many rows from the top are sky.
#[derive(Debug, Clone, PartialEq)]
pub struct Sky {
    width: usize,
    height: usize,
    border: Vec<usize>,
    /// The sky's median colour gradient, per pixel in 0–1 units.
    texture: f32,
}

impl Sky {
    /// The long side of the picture the renderer searches (see `sky_picture` in the renderer).
    pub const SEARCH_SIDE: u32 = 256;

    /// Finds the sky of `image`, or `None` when it has none (see the module docs).
    pub fn find(image: &Rgba8Image) -> Option<Sky> {
        let (w, h) = (image.width() as usize, image.height() as usize);
        if w < 8 || h < 8 {
            return None;
        }
        // In colour, not luma: a grey roof can be as bright as the sky beside it.
        let channels = [0, 1, 2].map(|c| FloatPlane {
            width: w,
            height: h,
            data: image.data().chunks_exact(4).map(|p| f32::from(p[c]) / 255.0).collect(),
        });
        let gradient = gradient_magnitude(&channels.clone().map(|c| c.blur(1.0)));
        // Texture is judged at the finest scale, where grass and leaves are busy and a cloud is
        // smooth.
        let fine = gradient_magnitude(&channels);
        let mut sorted = gradient.data.clone();
        sorted.sort_by(f32::total_cmp);
        let quantile = |q: f32| sorted[((q * (sorted.len() - 1) as f32) as usize).min(sorted.len() - 1)];
        let mut best: Option<(f64, Vec<usize>)> = None;
        for k in 0..THRESHOLDS {
            let q = LOWEST_QUANTILE + (HIGHEST_QUANTILE - LOWEST_QUANTILE) * k as f32 / (THRESHOLDS - 1) as f32;
            let border = borders(&gradient, quantile(q));
            if let Some(energy) = energy(image, &border) {
                if best.as_ref().is_none_or(|(e, _)| energy > *e) {
                    best = Some((energy, border));
                }
            }
        }
        let (_, mut border) = best?;
        let texture = fine.blur(2.0);
        for _ in 0..REFINEMENTS {
            border = refined(image, &texture, &border)?;
        }
        let mut sky = Sky { width: w, height: h, border: without_leaks(&border), texture: 0.0 };
        sky.texture = sky.plausible_texture(image, &fine)?;
        Some(sky)
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    /// The share of the picture that is sky.
    pub fn share(&self) -> f32 {
        self.border.iter().sum::<usize>() as f32 / (self.width * self.height) as f32
    }

    /// Whether pixel `(x, y)` is sky.
    pub fn contains(&self, x: usize, y: usize) -> bool {
        self.border.get(x).is_some_and(|&b| y < b)
    }

    /// How much of each pixel of the picture at `width x height` is sky, in 0 to 255: 0 within a
    /// pixel of anything not sky, 255 from `1 + soft` pixels in, smooth between. A column takes the
    /// lesser border of the two found columns it lies between, half a found pixel higher, so what
    /// stands against the sky is never thinner or shorter here than it was found.
    pub fn alpha(&self, width: usize, height: usize, soft: f32) -> Vec<u8> {
        let (sx, sy) = (self.width as f32 / width as f32, height as f32 / self.height as f32);
        let border: Vec<f32> = (0..width)
            .map(|x| {
                let at = ((x as f32 + 0.5) * sx - 0.5).max(0.0);
                let left = (at as usize).min(self.width - 1);
                let right = (left + 1).min(self.width - 1);
                (self.border[left].min(self.border[right]) as f32 - 0.5).max(0.0) * sy
            })
            .collect();
        let clearance = chamfer(width, height, |x, y| y as f32 + 0.5 >= border[x], 1.0, 1.0);
        clearance.data.iter().map(|&d| (255.0 * smooth(1.0, 1.0 + soft, d)).round() as u8).collect()
    }

    /// How textured the sky is: its median colour gradient per pixel, in 0–1 units (a clear blue
    /// sky's is near 0, where a drift cannot be seen).
    pub fn texture(&self) -> f32 {
        self.texture
    }

    /// The sky's median gradient when the found region behaves like a sky: large enough, brighter
    /// than the ground on average, and smooth (its median gradient under [`SMOOTHEST_SKY`] and 0.7
    /// of the ground's: clouds have edges, but most of a sky is between them); `None` otherwise.
    fn plausible_texture(&self, image: &Rgba8Image, gradient: &FloatPlane) -> Option<f32> {
        if self.share() < MIN_SHARE {
            return None;
        }
        let luma = FloatPlane::luma(image);
        let (mut sky, mut ground) = ((0f64, Vec::new()), (0f64, Vec::new()));
        for y in 0..self.height {
            for x in 0..self.width {
                let i = y * self.width + x;
                let side = if self.contains(x, y) { &mut sky } else { &mut ground };
                side.0 += f64::from(luma.data[i]);
                side.1.push(gradient.data[i]);
            }
        }
        if ground.1.is_empty() {
            // All sky: nothing stands against it, and nothing says it is a sky.
            return None;
        }
        let median = |v: &mut Vec<f32>| {
            let k = v.len() / 2;
            *v.select_nth_unstable_by(k, f32::total_cmp).1
        };
        let brighter = sky.0 / sky.1.len() as f64 > ground.0 / ground.1.len() as f64;
        let smooth = median(&mut sky.1);
        (brighter && smooth < SMOOTHEST_SKY && smooth < 0.7 * median(&mut ground.1)).then_some(smooth)
    }
}

/// Hermite smoothstep of `x` between `e0 < e1`.
fn smooth(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// The distance from every pixel to the nearest one where `source` holds (0 there), by a two-pass
/// chamfer transform on the 8-neighbour grid with steps `dx` across, `dy` down and their hypotenuse
/// diagonally: the exact shortest path on that grid, so neighbours differ by at most their step.
fn chamfer(w: usize, h: usize, source: impl Fn(usize, usize) -> bool, dx: f32, dy: f32) -> FloatPlane {
    let far = (w as f32 * dx + h as f32 * dy) * 2.0;
    let diagonal = (dx * dx + dy * dy).sqrt();
    let mut d = FloatPlane::filled(w, h, 0.0);
    for y in 0..h {
        for x in 0..w {
            d.data[y * w + x] = if source(x, y) { 0.0 } else { far };
        }
    }
    for y in 0..h {
        for x in 0..w {
            let mut v = d.data[y * w + x];
            if x > 0 {
                v = v.min(d.data[y * w + x - 1] + dx);
            }
            if y > 0 {
                v = v.min(d.data[(y - 1) * w + x] + dy);
                if x > 0 {
                    v = v.min(d.data[(y - 1) * w + x - 1] + diagonal);
                }
                if x + 1 < w {
                    v = v.min(d.data[(y - 1) * w + x + 1] + diagonal);
                }
            }
            d.data[y * w + x] = v;
        }
    }
    for y in (0..h).rev() {
        for x in (0..w).rev() {
            let mut v = d.data[y * w + x];
            if x + 1 < w {
                v = v.min(d.data[y * w + x + 1] + dx);
            }
            if y + 1 < h {
                v = v.min(d.data[(y + 1) * w + x] + dy);
                if x + 1 < w {
                    v = v.min(d.data[(y + 1) * w + x + 1] + diagonal);
                }
                if x > 0 {
                    v = v.min(d.data[(y + 1) * w + x - 1] + diagonal);
                }
            }
            d.data[y * w + x] = v;
        }
    }
    d
}

/// The colour gradient's magnitude, `sqrt(Σ_c |∇c|² / 3)` over the three channels, by central
/// differences with mirrored edges.
fn gradient_magnitude(channels: &[FloatPlane; 3]) -> FloatPlane {
    let (w, h) = (channels[0].width, channels[0].height);
    let mut g = FloatPlane::filled(w, h, 0.0);
    for j in 0..h as isize {
        for i in 0..w as isize {
            let sum: f32 = channels
                .iter()
                .map(|c| {
                    let dx = 0.5 * (c.at(i + 1, j) - c.at(i - 1, j));
                    let dy = 0.5 * (c.at(i, j + 1) - c.at(i, j - 1));
                    dx * dx + dy * dy
                })
                .sum();
            g.data[j as usize * w + i as usize] = (sum / 3.0).sqrt();
        }
    }
    g
}

/// Per column, the rows above the first gradient stronger than `threshold`.
fn borders(gradient: &FloatPlane, threshold: f32) -> Vec<usize> {
    let (w, h) = (gradient.width, gradient.height);
    (0..w).map(|x| (0..h).find(|&y| gradient.data[y * w + x] > threshold).unwrap_or(h)).collect()
}

/// The energy of a border (higher: both sides more uniform), or `None` when a side is too small
/// to have a covariance.
fn energy(image: &Rgba8Image, border: &[usize]) -> Option<f64> {
    let w = border.len();
    let (mut sky, mut ground) = (Moments::default(), Moments::default());
    for (i, px) in image.data().chunks_exact(4).enumerate() {
        let (x, y) = (i % w, i / w);
        let rgb = [f64::from(px[0]), f64::from(px[1]), f64::from(px[2])];
        if y < border[x] {
            sky.add(rgb);
        } else {
            ground.add(rgb);
        }
    }
    let least = (image.width() as usize * image.height() as usize / 100).max(16);
    if sky.n < least || ground.n < least {
        return None;
    }
    let (cs, cg) = (sky.covariance(), ground.covariance());
    let spread = GAMMA * det(&cs) + det(&cg) + GAMMA * largest_eigenvalue(&cs) + largest_eigenvalue(&cg);
    Some(1.0 / (spread + 1e-9))
}

/// The border that best splits each column into a sky above and a ground below, given models of
/// both from `border`: each side is a Gaussian over colour and local texture (the gradient's
/// magnitude, smoothed), fitted to the pixels `border` puts there, and each column's new border
/// minimises the sum of its pixels' negative log-likelihoods under the side it puts them on. A
/// cloud's edge, a few pixels of strong gradient in a sky-coloured, lightly textured column, no
/// longer ends the sky, and a column whose top is a roof rather than sky gets no sky at all.
/// `None` when a side is empty.
fn refined(image: &Rgba8Image, texture: &FloatPlane, border: &[usize]) -> Option<Vec<usize>> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let feature = |i: usize| {
        let p = &image.data()[i * 4..i * 4 + 3];
        [f64::from(p[0]), f64::from(p[1]), f64::from(p[2]), 255.0 * f64::from(texture.data[i])]
    };
    let mut ground = Gaussian4::default();
    let mut sky_pixels = Vec::new();
    for i in 0..w * h {
        if i / w < border[i % w] {
            sky_pixels.push(i);
        } else {
            ground.add(feature(i));
        }
    }
    let ground = ground.fitted()?;
    let sky = sky_modes(&sky_pixels, &feature)?;
    let mut cost = vec![0f64; h + 1];
    Some(
        (0..w)
            .map(|x| {
                // cost[b]: the column split at row b. Start with all ground, then move rows to the
                // sky one by one.
                let ground_cost: f64 = (0..h).map(|y| ground.cost(feature(y * w + x)).1).sum();
                cost[0] = ground_cost;
                for y in 0..h {
                    let f = feature(y * w + x);
                    let (d2, sky_cost) = sky
                        .iter()
                        .map(|m| m.cost(f))
                        .fold((f64::INFINITY, f64::INFINITY), |a, b| (a.0.min(b.0), a.1.min(b.1)));
                    // What the sky model cannot explain is never sky, however unlike the ground
                    // it is: a grey roof under a blue sky.
                    let sky_cost = if d2 > SKY_OUTLIER { sky_cost + OUTLIER_COST } else { sky_cost };
                    cost[y + 1] = cost[y] + sky_cost - ground.cost(f).1;
                }
                (0..=h).fold(0, |best, b| if cost[b] < cost[best] { b } else { best })
            })
            .collect(),
    )
}

/// The sky as two Gaussians: a sky is often two things, blue and cloud, and one Gaussian fitted to
/// both would call a large white cloud an outlier. The pixels are split by two-means on the
/// feature (from the darkest and the brightest), five rounds; a mode with too few pixels is
/// dropped. `None` when no mode can be fitted.
fn sky_modes(pixels: &[usize], feature: &impl Fn(usize) -> [f64; 4]) -> Option<Vec<Fitted4>> {
    let brightness = |f: [f64; 4]| f[0] + f[1] + f[2];
    let (mut dark, mut bright) = (None::<[f64; 4]>, None::<[f64; 4]>);
    for &i in pixels {
        let f = feature(i);
        if dark.is_none_or(|d| brightness(f) < brightness(d)) {
            dark = Some(f);
        }
        if bright.is_none_or(|b| brightness(f) > brightness(b)) {
            bright = Some(f);
        }
    }
    let mut centres = [dark?, bright?];
    let distance = |a: [f64; 4], b: [f64; 4]| (0..4).map(|k| (a[k] - b[k]).powi(2)).sum::<f64>();
    let mut modes = [Gaussian4::default(), Gaussian4::default()];
    for round in 0..5 {
        modes = [Gaussian4::default(), Gaussian4::default()];
        for &i in pixels {
            let f = feature(i);
            let k = usize::from(distance(f, centres[1]) < distance(f, centres[0]));
            modes[k].add(f);
        }
        if round < 4 {
            for (c, m) in centres.iter_mut().zip(&modes) {
                if m.n > 0 {
                    *c = m.sum.map(|v| v / m.n as f64);
                }
            }
        }
    }
    let fitted: Vec<Fitted4> = modes.iter().filter_map(Gaussian4::fitted).collect();
    (!fitted.is_empty()).then_some(fitted)
}

/// Running sums of an `N`-component feature: its count, sums and sums of products, from which
/// the energy takes an RGB covariance (`N = 3`) and the refinement a Gaussian (`N = 4`).
#[derive(Debug)]
struct Moments<const N: usize> {
    n: usize,
    sum: [f64; N],
    products: [[f64; N]; N],
}

impl<const N: usize> Default for Moments<N> {
    fn default() -> Self {
        Moments { n: 0, sum: [0.0; N], products: [[0.0; N]; N] }
    }
}

impl<const N: usize> Moments<N> {
    fn add(&mut self, f: [f64; N]) {
        self.n += 1;
        for a in 0..N {
            self.sum[a] += f[a];
            for b in 0..N {
                self.products[a][b] += f[a] * f[b];
            }
        }
    }
}

/// Colour and texture moments, fitted to a Gaussian.
type Gaussian4 = Moments<4>;

/// A fitted [`Gaussian4`]: the mean, the Cholesky factor of the covariance, and half its log
/// determinant.
#[derive(Debug)]
struct Fitted4 {
    mean: [f64; 4],
    chol: [[f64; 4]; 4],
    half_log_det: f64,
}

impl Gaussian4 {
    /// The Gaussian, its covariance kept away from singular (a flat sky has none) by a variance of
    /// 4 added to each component; `None` with fewer than 16 samples.
    fn fitted(&self) -> Option<Fitted4> {
        if self.n < 16 {
            return None;
        }
        let n = self.n as f64;
        let mean = self.sum.map(|s| s / n);
        let cov = [0, 1, 2, 3].map(|a| {
            [0, 1, 2, 3].map(|b| self.products[a][b] / n - mean[a] * mean[b] + if a == b { 4.0 } else { 0.0 })
        });
        // Cholesky: cov = L·Lᵀ.
        let mut chol = [[0f64; 4]; 4];
        for a in 0..4 {
            for b in 0..=a {
                let s: f64 = (0..b).map(|k| chol[a][k] * chol[b][k]).sum();
                if a == b {
                    let d = cov[a][a] - s;
                    if d <= 0.0 {
                        return None;
                    }
                    chol[a][a] = d.sqrt();
                } else {
                    chol[a][b] = (cov[a][b] - s) / chol[b][b];
                }
            }
        }
        let half_log_det = (0..4).map(|a| chol[a][a].ln()).sum();
        Some(Fitted4 { mean, chol, half_log_det })
    }
}

impl Fitted4 {
    /// The squared Mahalanobis distance `d²` of `f`, and its negative log-likelihood up to a
    /// constant, `½ d² + ½ ln |Σ|`.
    fn cost(&self, f: [f64; 4]) -> (f64, f64) {
        // Solve L·z = f − μ; then d² = |z|².
        let mut z = [0f64; 4];
        for a in 0..4 {
            let s: f64 = (0..a).map(|k| self.chol[a][k] * z[k]).sum();
            z[a] = (f[a] - self.mean[a] - s) / self.chol[a][a];
        }
        let d2 = z.iter().map(|v| v * v).sum::<f64>();
        (d2, 0.5 * d2 + self.half_log_det)
    }
}

/// A column's border raised to the median of its neighbourhood (2 % of the width each side) when
/// it falls more than 5 % of the height below it; never lowered.
fn without_leaks(border: &[usize]) -> Vec<usize> {
    let w = border.len();
    let reach = (w / 50).max(2);
    let mut window = Vec::with_capacity(2 * reach + 1);
    (0..w)
        .map(|x| {
            window.clear();
            window.extend_from_slice(&border[x.saturating_sub(reach)..(x + reach + 1).min(w)]);
            window.sort_unstable();
            let median = window[window.len() / 2];
            let slack = (w.max(border.iter().copied().max().unwrap_or(0)) / 20).max(1);
            if border[x] > median + slack {
                median
            } else {
                border[x]
            }
        })
        .collect()
}

impl Moments<3> {
    fn covariance(&self) -> [[f64; 3]; 3] {
        let n = self.n.max(1) as f64;
        [0, 1, 2].map(|a| [0, 1, 2].map(|b| self.products[a][b] / n - self.sum[a] * self.sum[b] / (n * n)))
    }
}

fn det(m: &[[f64; 3]; 3]) -> f64 {
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
}

/// The largest eigenvalue of a symmetric positive semi-definite matrix, by power iteration.
fn largest_eigenvalue(m: &[[f64; 3]; 3]) -> f64 {
    let mut v = [1.0, 1.0, 1.0];
    let mut lambda = 0.0;
    for _ in 0..32 {
        let next = [0, 1, 2].map(|a| m[a][0] * v[0] + m[a][1] * v[1] + m[a][2] * v[2]);
        let norm = (next[0] * next[0] + next[1] * next[1] + next[2] * next[2]).sqrt();
        if norm < 1e-12 {
            return 0.0;
        }
        lambda = norm / (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        v = next.map(|c| c / norm);
    }
    lambda
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{landscape, sky_scene};

    #[test]
    fn finds_a_cloudy_sky_above_a_broken_horizon() {
        let (img, truth) = sky_scene(256, 192, 3);
        let sky = Sky::find(&img).expect("a sky");
        let (mut agree, mut ground_taken) = (0, 0);
        for y in 0..192 {
            for x in 0..256 {
                let (is, found) = (truth.sky[y * 256 + x], sky.contains(x, y));
                agree += usize::from(is == found);
                ground_taken += usize::from(found && !is);
            }
        }
        assert!(agree as f32 / (256.0 * 192.0) > 0.95, "agrees on {agree} pixels");
        assert!(ground_taken < 256, "{ground_taken} ground pixels taken for sky");
        // The pole stands against the sky in its own columns.
        for x in truth.pole.clone() {
            assert!(!sky.contains(x, 192 / 2 - 10), "pole column {x}");
        }
    }

    #[test]
    fn the_landscape_sky_stops_at_the_building_and_the_horizon() {
        let (img, truth) = landscape(160, 120);
        let sky = Sky::find(&img).expect("a sky");
        for (i, (&s, &b)) in truth.sky.iter().zip(&truth.building).enumerate() {
            let (x, y) = (i % 160, i / 160);
            if s {
                assert!(sky.contains(x, y), "sky pixel {x},{y}");
            }
            if b || truth.grass[i] {
                assert!(!sky.contains(x, y), "ground pixel {x},{y}");
            }
        }
    }

    #[test]
    fn no_sky_in_texture_or_in_a_flat_picture() {
        let texture = crate::testing::zone_plate(96);
        assert_eq!(Sky::find(&texture), None);
        let flat = Rgba8Image::from_raw(64, 64, [120u8, 160, 220, 255].repeat(64 * 64)).expect("size");
        assert_eq!(Sky::find(&flat), None);
    }

    #[test]
    fn alpha_is_zero_off_the_sky_and_full_inside_it() {
        let sky = Sky { width: 10, height: 10, border: vec![5, 5, 5, 5, 1, 5, 5, 5, 5, 5], texture: 0.0 };
        let alpha = sky.alpha(40, 40, 3.0);
        let at = |x: usize, y: usize| alpha[y * 40 + x];
        assert_eq!(at(2, 0), 255, "deep in the sky");
        assert_eq!(at(2, 19), 0, "the sky's last row, found at 5 rows of 10, ends at 18 of 40");
        assert_eq!(at(2, 30), 0, "the ground");
        // The pole stands in found column 4, output columns 16 to 19, and is never thinner.
        for x in 14..=21 {
            assert_eq!(at(x, 10), 0, "column {x} beside or on the pole");
        }
        assert_eq!(at(8, 10), 255);
    }
}
