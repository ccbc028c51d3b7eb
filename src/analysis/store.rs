//! An [`Analysis`] as bytes and back, exactly (every `f32`/`f64` bit kept), so a page can keep it
//! (the library's IndexedDB analysis cache) and a second video of the same image skips the
//! analysis yet renders the same frames.
//!
//! Layout, little-endian: the magic `QVA1`, the engine version (length-prefixed), width, height,
//! precision; the waveforms (each: line kind and position, length, spectrum, dominant bin and
//! period, harmonic ratio, samples); the coherence matrix; the four maps. Every length is checked
//! on the way back, so a damaged or foreign entry is refused (a cache miss), never trusted.

use crate::analysis::structure::StructureMaps;
use crate::analysis::waveforms::{Line, Waveform};
use crate::analysis::Analysis;
use crate::raster::plane::FloatPlane;

const MAGIC: &[u8; 4] = b"QVA1";

impl Analysis {
    /// The analysis as bytes (see the module docs for the layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(64 + self.maps.orientation.data.len() * 16));
        w.0.extend_from_slice(MAGIC);
        w.bytes(crate::VERSION.as_bytes());
        [self.width, self.height, self.precision].into_iter().for_each(|v| w.u32(v));
        w.u32(self.waveforms.len() as u32);
        for wf in &self.waveforms {
            match wf.line {
                Line::Row { y } => (w.u32(0), w.f64(y)),
                Line::Column { x } => (w.u32(1), w.f64(x)),
                Line::Diagonal => (w.u32(2), w.f64(0.0)),
                Line::AntiDiagonal => (w.u32(3), w.f64(0.0)),
            };
            w.f64(wf.length_px);
            w.f64s(&wf.spectrum);
            w.u32(wf.dominant_bin as u32);
            w.f64(wf.dominant_period_px);
            w.f64(wf.harmonic_ratio);
            w.f64s(&wf.samples);
        }
        w.f64s(&self.coherence);
        for plane in self.maps.planes() {
            w.u32(plane.width as u32);
            w.u32(plane.height as u32);
            plane.data.iter().for_each(|v| w.0.extend_from_slice(&v.to_le_bytes()));
        }
        w.0
    }

    /// Reads bytes made by [`Analysis::to_bytes`] of the same engine version, for a
    /// `width x height` grid of `precision`; `None` for anything else (damaged, truncated, from
    /// another version or for other options).
    pub fn from_bytes(bytes: &[u8], width: u32, height: u32, precision: u32) -> Option<Analysis> {
        let mut r = Reader(bytes);
        if r.take(4)? != MAGIC || r.bytes()? != crate::VERSION.as_bytes() {
            return None;
        }
        if [r.u32()?, r.u32()?, r.u32()?] != [width, height, precision] {
            return None;
        }
        let count = r.u32()? as usize;
        if count != crate::analysis::waveforms::lines(width as usize, height as usize).len() {
            return None;
        }
        let bins = precision as usize / 2 + 1;
        let mut waveforms = Vec::with_capacity(count);
        for _ in 0..count {
            let (kind, at) = (r.u32()?, r.f64()?);
            let line = match kind {
                0 => Line::Row { y: at },
                1 => Line::Column { x: at },
                2 => Line::Diagonal,
                3 => Line::AntiDiagonal,
                _ => return None,
            };
            let length_px = r.f64()?;
            let spectrum = r.f64s().filter(|s| s.len() == bins)?;
            let dominant_bin = r.u32()? as usize;
            let (dominant_period_px, harmonic_ratio) = (r.f64()?, r.f64()?);
            let samples = r.f64s().filter(|s| s.len() == precision as usize)?;
            waveforms.push(Waveform {
                line,
                length_px,
                spectrum,
                dominant_bin,
                dominant_period_px,
                harmonic_ratio,
                samples,
            });
        }
        let coherence = r.f64s().filter(|c| c.len() == count * count)?;
        let mut plane = || -> Option<FloatPlane> {
            let (w, h) = (r.u32()? as usize, r.u32()? as usize);
            if (w, h) != (width as usize, height as usize) {
                return None;
            }
            let raw = r.take(w.checked_mul(h)?.checked_mul(4)?)?;
            let data = raw.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
            Some(FloatPlane { width: w, height: h, data })
        };
        let maps = StructureMaps { orientation: plane()?, coherence: plane()?, texture: plane()?, mobility: plane()? };
        if !r.0.is_empty() {
            return None;
        }
        Some(Analysis { width, height, precision, waveforms, coherence, maps })
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.0.extend_from_slice(b);
    }
    fn f64s(&mut self, values: &[f64]) {
        self.u32(values.len() as u32);
        values.iter().for_each(|&v| self.f64(v));
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f64(&mut self) -> Option<f64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Some(f64::from_le_bytes(a))
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn f64s(&mut self) -> Option<Vec<f64>> {
        let n = self.u32()? as usize;
        let raw = self.take(n.checked_mul(8)?)?;
        Some(
            raw.chunks_exact(8)
                .map(|b| {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(b);
                    f64::from_le_bytes(a)
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::landscape;

    fn sample() -> Analysis {
        Analysis::new(&landscape(96, 64).0, 96, 64, 64)
    }

    #[test]
    fn round_trip_is_exact() {
        let a = sample();
        let back = Analysis::from_bytes(&a.to_bytes(), a.width, a.height, a.precision).expect("reads back");
        assert_eq!(back, a);
    }

    #[test]
    fn damaged_truncated_or_mismatched_bytes_are_refused() {
        let a = sample();
        let bytes = a.to_bytes();
        for cut in [0, 3, 10, bytes.len() / 2, bytes.len() - 1] {
            assert!(Analysis::from_bytes(&bytes[..cut], a.width, a.height, a.precision).is_none(), "cut at {cut}");
        }
        assert!(Analysis::from_bytes(&[bytes.as_slice(), &[0]].concat(), a.width, a.height, a.precision).is_none());
        assert!(Analysis::from_bytes(&bytes, a.width + 1, a.height, a.precision).is_none(), "other grid");
        assert!(Analysis::from_bytes(&bytes, a.width, a.height, 128).is_none(), "other precision");
        let mut magic = bytes.clone();
        magic[0] = b'X';
        assert!(Analysis::from_bytes(&magic, a.width, a.height, a.precision).is_none());
        // A flipped count (the waveforms' number) is caught by the length checks.
        let mut count = bytes.clone();
        let at = 4 + 4 + crate::VERSION.len() + 12;
        count[at] ^= 1;
        assert!(Analysis::from_bytes(&count, a.width, a.height, a.precision).is_none());
    }
}
