//! An AVI 1.0 (RIFF) writer for one Motion-JPEG video stream, built to stream.
//!
//! The file is `header ++ chunk(0) ++ … ++ chunk(n-1) ++ index`. Each frame's chunk is produced as
//! soon as the frame is encoded ([`AviWriter::chunk`]) and can be handed on (in the browser, into a
//! `Blob`); the writer keeps only the frame sizes. The header, whose sizes depend on every frame,
//! and the `idx1` index are produced at the end. Layout per the AVI RIFF reference (Microsoft,
//! "AVI RIFF File Reference"): `RIFF 'AVI ' { LIST 'hdrl' { avih, LIST 'strl' { strh, strf } },
//! LIST 'movi' { '00dc' … }, idx1 }`.

use crate::error::{EngineError, ErrorCode, Result};

const AVIF_HASINDEX: u32 = 0x10;
const AVIIF_KEYFRAME: u32 = 0x10;
const HEADER_LEN: usize = 12 + 8 + 4 + (8 + 56) + 8 + 4 + (8 + 56) + (8 + 40) + 12;

/// Streams an MJPEG AVI.
#[derive(Debug, Clone)]
pub struct AviWriter {
    width: u32,
    height: u32,
    fps: u32,
    sizes: Vec<u32>,
    movi_bytes: u64,
}

impl AviWriter {
    /// A writer for `width x height` frames at `fps` frames per second.
    pub fn new(width: u32, height: u32, fps: u32) -> Self {
        AviWriter { width, height, fps: fps.max(1), sizes: Vec::new(), movi_bytes: 0 }
    }

    /// Wraps one JPEG frame as a `00dc` chunk (padded to an even length) and records its size.
    ///
    /// # Errors
    /// `RESOURCE`-style `ENCODER_ERROR` when the file would pass the 4 GiB that AVI 1.0 can address.
    pub fn chunk(&mut self, jpeg: &[u8]) -> Result<Vec<u8>> {
        let len = u32::try_from(jpeg.len()).map_err(|_| too_big())?;
        let padded = jpeg.len() + jpeg.len() % 2;
        self.movi_bytes += 8 + padded as u64;
        if self.total_len() > u64::from(u32::MAX) {
            return Err(too_big());
        }
        let mut out = Vec::with_capacity(8 + padded);
        out.extend_from_slice(b"00dc");
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(jpeg);
        out.resize(8 + padded, 0);
        self.sizes.push(len);
        Ok(out)
    }

    /// Frames written so far.
    pub fn frames(&self) -> u32 {
        self.sizes.len() as u32
    }

    /// Total file length in bytes once the header and index are added.
    pub fn total_len(&self) -> u64 {
        HEADER_LEN as u64 + self.movi_bytes + 8 + 16 * self.sizes.len() as u64
    }

    /// The file header for the frames written so far (write it before the chunks).
    pub fn header(&self) -> Vec<u8> {
        let frames = self.frames();
        let max_chunk = self.sizes.iter().copied().max().unwrap_or(0);
        let usec_per_frame = (1_000_000.0 / f64::from(self.fps)).round() as u32;
        let bytes_per_sec = (u64::from(max_chunk) * u64::from(self.fps)).min(u64::from(u32::MAX)) as u32;
        let riff_len = (self.total_len() - 8) as u32;
        let mut h = Vec::with_capacity(HEADER_LEN);
        let u32le = |h: &mut Vec<u8>, v: u32| h.extend_from_slice(&v.to_le_bytes());
        h.extend_from_slice(b"RIFF");
        u32le(&mut h, riff_len);
        h.extend_from_slice(b"AVI LIST");
        u32le(&mut h, (4 + (8 + 56) + 8 + 4 + (8 + 56) + (8 + 40)) as u32);
        h.extend_from_slice(b"hdrlavih");
        u32le(&mut h, 56);
        for v in [
            usec_per_frame,
            bytes_per_sec,
            0,
            AVIF_HASINDEX,
            frames,
            0,
            1,
            max_chunk,
            self.width,
            self.height,
            0,
            0,
            0,
            0,
        ] {
            u32le(&mut h, v);
        }
        h.extend_from_slice(b"LIST");
        u32le(&mut h, (4 + (8 + 56) + (8 + 40)) as u32);
        h.extend_from_slice(b"strlstrh");
        u32le(&mut h, 56);
        h.extend_from_slice(b"vidsMJPG");
        // flags, priority+language, initial frames, scale, rate, start, length, buffer, quality, sample size
        for v in [0, 0, 0, 1, self.fps, 0, frames, max_chunk, u32::MAX, 0] {
            u32le(&mut h, v);
        }
        // rcFrame: left, top, right, bottom as 16-bit values.
        for v in [0u16, 0, self.width.min(0xFFFF) as u16, self.height.min(0xFFFF) as u16] {
            h.extend_from_slice(&v.to_le_bytes());
        }
        h.extend_from_slice(b"strf");
        u32le(&mut h, 40);
        // BITMAPINFOHEADER
        u32le(&mut h, 40);
        u32le(&mut h, self.width);
        u32le(&mut h, self.height);
        h.extend_from_slice(&1u16.to_le_bytes());
        h.extend_from_slice(&24u16.to_le_bytes());
        h.extend_from_slice(b"MJPG");
        for v in [self.width * self.height * 3, 0, 0, 0, 0] {
            u32le(&mut h, v);
        }
        h.extend_from_slice(b"LIST");
        u32le(&mut h, (4 + self.movi_bytes) as u32);
        h.extend_from_slice(b"movi");
        debug_assert_eq!(h.len(), HEADER_LEN);
        h
    }

    /// The `idx1` index (write it after the last chunk). Offsets count from the `movi` tag.
    pub fn index(&self) -> Vec<u8> {
        let mut idx = Vec::with_capacity(8 + 16 * self.sizes.len());
        idx.extend_from_slice(b"idx1");
        idx.extend_from_slice(&(16 * self.sizes.len() as u32).to_le_bytes());
        let mut offset = 4u32;
        for &size in &self.sizes {
            idx.extend_from_slice(b"00dc");
            idx.extend_from_slice(&AVIIF_KEYFRAME.to_le_bytes());
            idx.extend_from_slice(&offset.to_le_bytes());
            idx.extend_from_slice(&size.to_le_bytes());
            offset += 8 + size + size % 2;
        }
        idx
    }
}

fn too_big() -> EngineError {
    EngineError::new(
        ErrorCode::EncoderError,
        "the AVI would exceed 4 GiB, the most an AVI 1.0 file can address; choose a shorter video, a lower resolution or mp4/webm",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An independent reader: walks the RIFF tree and returns (fourcc path, payload) pairs.
    fn walk(bytes: &[u8], depth: usize, out: &mut Vec<(String, Vec<u8>)>) {
        let mut pos = 0;
        while pos + 8 <= bytes.len() {
            let id = String::from_utf8_lossy(&bytes[pos..pos + 4]).to_string();
            let len = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().expect("4 bytes")) as usize;
            let body = &bytes[pos + 8..pos + 8 + len];
            if id == "RIFF" || id == "LIST" {
                out.push((format!("{}{}", "  ".repeat(depth), String::from_utf8_lossy(&body[..4])), Vec::new()));
                walk(&body[4..], depth + 1, out);
            } else {
                out.push((format!("{}{}", "  ".repeat(depth), id), body.to_vec()));
            }
            pos += 8 + len + len % 2;
        }
        assert_eq!(pos, bytes.len(), "chunks tile their parent exactly");
    }

    #[test]
    fn written_file_parses_back_with_sizes_counts_and_index() {
        let frames: Vec<Vec<u8>> = vec![vec![1; 101], vec![2; 64], vec![3; 7]];
        let mut writer = AviWriter::new(320, 240, 25);
        let chunks: Vec<Vec<u8>> = frames.iter().map(|f| writer.chunk(f).expect("small")).collect();
        let mut file = writer.header();
        chunks.iter().for_each(|c| file.extend_from_slice(c));
        file.extend_from_slice(&writer.index());
        assert_eq!(file.len() as u64, writer.total_len());

        let mut tree = Vec::new();
        walk(&file, 0, &mut tree);
        let names: Vec<&str> = tree.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "AVI ",
                "  hdrl",
                "    avih",
                "    strl",
                "      strh",
                "      strf",
                "  movi",
                "    00dc",
                "    00dc",
                "    00dc",
                "  idx1"
            ]
        );
        let field = |body: &[u8], i: usize| u32::from_le_bytes(body[i * 4..i * 4 + 4].try_into().expect("4"));
        let avih = &tree[2].1;
        assert_eq!((field(avih, 0), field(avih, 4), field(avih, 8), field(avih, 9)), (40_000, 3, 320, 240));
        let strh = &tree[4].1;
        assert_eq!(&strh[..8], b"vidsMJPG");
        assert_eq!((field(strh, 5), field(strh, 6), field(strh, 8)), (1, 25, 3), "scale, rate, length");
        assert_eq!(&tree[5].1[16..20], b"MJPG");
        for (i, frame) in frames.iter().enumerate() {
            assert_eq!(&tree[7 + i].1, frame);
        }
        // The index points at each chunk, counting from the 'movi' tag.
        let idx = &tree[10].1;
        let movi_tag = file.windows(4).position(|w| w == b"movi").expect("movi");
        for (i, frame) in frames.iter().enumerate() {
            let offset = field(idx, i * 4 + 2) as usize;
            assert_eq!(&file[movi_tag + offset..movi_tag + offset + 4], b"00dc");
            assert_eq!(field(idx, i * 4 + 3) as usize, frame.len());
        }
    }
}
