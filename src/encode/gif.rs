//! Animated GIF for loops that must play where video does not (chats, READMEs, slides), streamed a
//! frame at a time so memory stays flat in the video's length.
//!
//! - **One palette for the whole loop**, 255 colours chosen by NeuQuant (the `color_quant` crate,
//!   MIT) from a sample of the loop's frames, so colours never pump; index 255 is transparent.
//! - **Ordered dithering** (an 8x8 Bayer matrix): a pixel's threshold depends on its place only,
//!   so a pixel that does not move keeps its index in every frame and still areas never crawl.
//!   Colours go through a 64x64x64 table of nearest palette entries, so a frame costs a lookup a
//!   pixel.
//! - **Frames store only the rectangle that changed**, with unchanged pixels transparent over the
//!   previous frame (disposal: keep), so a loop whose sky moves and ground stays costs what the
//!   sky costs.
//! - **Infinite looping** (NETSCAPE2.0) and delays in hundredths of a second that add up to the
//!   video's duration exactly ([`delays`]).

use std::borrow::Cow;

use color_quant::NeuQuant;
use gif::{DisposalMethod, Encoder, Frame, Repeat};

use crate::error::{EngineError, ErrorCode, Result};

/// Frames of the loop the palette is made from, spread evenly over it.
pub const PALETTE_SAMPLES: u32 = 8;
/// Colours in the palette; the last index is transparent.
const COLOURS: usize = 255;
/// The transparent index: a pixel the frame does not change.
const TRANSPARENT: u8 = 255;
/// NeuQuant's sampling factor (1 looks at every pixel, 30 at one in 30): 10 is its usual balance.
const SAMPLE_FACTOR: i32 = 10;
/// How far the dither moves a colour, in levels, at most half this either way. Enough to break
/// the bands of a smooth sky into a fine pattern, and no more: a wider dither is noise the eye sees
/// as grain. Of 0, 4, 6, 8, 12 and 24, 4 left the least error seen through a 1.5 px blur (the
/// bands, not the dots) on both the bench's photo and the generated sky scene.
const DITHER: f32 = 4.0;
/// Bits a channel keeps when a colour is looked up in the table of nearest palette entries
/// (2^18 entries, 256 KiB): at 5 bits the lookup itself moved colours by up to 4 levels, more
/// than the dither does.
const BITS: usize = 6;
const MASK: usize = (1 << BITS) - 1;

/// The 8x8 Bayer matrix, thresholds 0..64.
const BAYER: [[u8; 8]; 8] = [
    [0, 32, 8, 40, 2, 34, 10, 42],
    [48, 16, 56, 24, 50, 18, 58, 26],
    [12, 44, 4, 36, 14, 46, 6, 38],
    [60, 28, 52, 20, 62, 30, 54, 22],
    [3, 35, 11, 43, 1, 33, 9, 41],
    [51, 19, 59, 27, 49, 17, 57, 25],
    [15, 47, 7, 39, 13, 45, 5, 37],
    [63, 31, 55, 23, 61, 29, 53, 21],
];

/// Each frame's delay in hundredths of a second, so that they add up to `frames / fps` seconds
/// rounded to the hundredth: frame `i` lasts `⌊(i+1)·T/N⌋ − ⌊i·T/N⌋` (24 fps is not a whole number
/// of hundredths; the remainder is spread, never lost).
pub fn delays(frames: u32, fps: u32) -> Vec<u16> {
    let n = u64::from(frames.max(1));
    let total = (u64::from(frames) * 100 + u64::from(fps) / 2) / u64::from(fps.max(1));
    (0..n).map(|i| ((i + 1) * total / n - i * total / n) as u16).collect()
}

/// A GIF being written: the palette, the previous frame's indices, and the encoder, whose output
/// is handed over piece by piece.
pub struct GifWriter {
    width: usize,
    height: usize,
    /// Nearest palette index of each colour at [`BITS`] bits a channel.
    table: Vec<u8>,
    previous: Option<Vec<u8>>,
    delays: Vec<u16>,
    frames: u32,
    encoder: Encoder<Vec<u8>>,
}

impl std::fmt::Debug for GifWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GifWriter({}x{}, frame {} of {})", self.width, self.height, self.frames, self.delays.len())
    }
}

impl GifWriter {
    /// A writer for `delays.len()` frames of `width x height`, its palette made from `samples`
    /// (RGBA frames of that size).
    ///
    /// # Errors
    /// `ENCODER_ERROR` when a side does not fit GIF's 16 bits or the encoder fails.
    pub fn new(width: u32, height: u32, samples: &[Vec<u8>], delays: Vec<u16>) -> Result<Self> {
        let (w, h) = (
            u16::try_from(width).map_err(|_| gif_error("width over 65535"))?,
            u16::try_from(height).map_err(|_| gif_error("height over 65535"))?,
        );
        let pixels: Vec<u8> = samples.iter().flat_map(|f| f.iter().copied()).collect();
        let quant = NeuQuant::new(SAMPLE_FACTOR, COLOURS, &pixels);
        let mut palette = quant.color_map_rgb();
        palette.resize(256 * 3, 0);
        let table = (0..1usize << (3 * BITS))
            .map(|c| {
                let level = |v: usize| ((v << (8 - BITS)) + (1 << (7 - BITS))) as u8;
                quant.index_of(&[level(c >> (2 * BITS)), level((c >> BITS) & MASK), level(c & MASK), 255]) as u8
            })
            .collect();
        let mut encoder = Encoder::new(Vec::new(), w, h, &palette).map_err(|e| gif_error(&e.to_string()))?;
        encoder.set_repeat(Repeat::Infinite).map_err(|e| gif_error(&e.to_string()))?;
        Ok(GifWriter {
            width: width as usize,
            height: height as usize,
            table,
            previous: None,
            delays,
            frames: 0,
            encoder,
        })
    }

    /// The bytes written so far and not yet taken: the header, palette and loop extension first,
    /// then each frame.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(self.encoder.get_mut())
    }

    /// Frames written so far.
    pub fn frames(&self) -> u32 {
        self.frames
    }

    /// The palette indices of an RGBA frame, ordered-dithered.
    pub fn indices(&self, rgba: &[u8]) -> Vec<u8> {
        let w = self.width;
        rgba.chunks_exact(4)
            .enumerate()
            .map(|(i, p)| {
                let t = (f32::from(BAYER[(i / w) % 8][(i % w) % 8]) + 0.5) / 64.0 - 0.5;
                let q = |v: u8| ((f32::from(v) + t * DITHER).round().clamp(0.0, 255.0) as usize) >> (8 - BITS);
                self.table[(q(p[0]) << (2 * BITS)) | (q(p[1]) << BITS) | q(p[2])]
            })
            .collect()
    }

    /// Adds the next frame (RGBA, `width x height`) and returns its bytes.
    ///
    /// # Errors
    /// `ENCODER_ERROR` when every frame is written already or the encoder fails.
    pub fn frame(&mut self, rgba: &[u8]) -> Result<Vec<u8>> {
        let delay =
            *self.delays.get(self.frames as usize).ok_or_else(|| gif_error("more frames than the video has"))?;
        let indices = self.indices(rgba);
        let (w, h) = (self.width, self.height);
        let frame = match &self.previous {
            None => {
                Frame { delay, width: w as u16, height: h as u16, buffer: Cow::Borrowed(&indices), ..Frame::default() }
            }
            Some(previous) => {
                // The rectangle around every changed pixel; unchanged ones inside it transparent.
                let changed = |i: usize| indices[i] != previous[i];
                let rows: Vec<usize> = (0..h).filter(|&y| (0..w).any(|x| changed(y * w + x))).collect();
                let columns: Vec<usize> = (0..w).filter(|&x| rows.iter().any(|&y| changed(y * w + x))).collect();
                match (rows.first(), rows.last(), columns.first(), columns.last()) {
                    (Some(&top), Some(&bottom), Some(&left), Some(&right)) => {
                        let buffer: Vec<u8> = (top..=bottom)
                            .flat_map(|y| (left..=right).map(move |x| y * w + x))
                            .map(|i| if changed(i) { indices[i] } else { TRANSPARENT })
                            .collect();
                        Frame {
                            delay,
                            dispose: DisposalMethod::Keep,
                            transparent: Some(TRANSPARENT),
                            left: left as u16,
                            top: top as u16,
                            width: (right - left + 1) as u16,
                            height: (bottom - top + 1) as u16,
                            buffer: Cow::Owned(buffer),
                            ..Frame::default()
                        }
                    }
                    // Nothing changed: one transparent pixel keeps the frame's time.
                    _ => Frame {
                        delay,
                        transparent: Some(TRANSPARENT),
                        width: 1,
                        height: 1,
                        buffer: Cow::Owned(vec![TRANSPARENT]),
                        ..Frame::default()
                    },
                }
            }
        };
        self.encoder.write_frame(&frame).map_err(|e| gif_error(&e.to_string()))?;
        self.previous = Some(indices);
        self.frames += 1;
        Ok(self.take())
    }

    /// The file's last bytes (the trailer), once every frame is written.
    ///
    /// # Errors
    /// `ENCODER_ERROR` when frames are missing or the encoder fails.
    pub fn finish(self) -> Result<Vec<u8>> {
        if self.frames as usize != self.delays.len() {
            return Err(gif_error(&format!("the GIF has {} of its {} frames", self.frames, self.delays.len())));
        }
        self.encoder.into_inner().map_err(|e| gif_error(&e.to_string()))
    }
}

fn gif_error(detail: &str) -> EngineError {
    EngineError::new(ErrorCode::EncoderError, format!("GIF: {detail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_add_up_to_the_duration() {
        let d = delays(96, 24);
        assert_eq!(d.iter().map(|&v| u32::from(v)).sum::<u32>(), 400);
        assert!(d.iter().all(|&v| v == 4 || v == 5), "{d:?}");
        assert_eq!(delays(30, 30).iter().map(|&v| u32::from(v)).sum::<u32>(), 100);
        assert_eq!(delays(7, 24).iter().map(|&v| u32::from(v)).sum::<u32>(), 29);
    }

    #[test]
    fn a_still_pixel_keeps_its_index_and_unchanged_frames_are_one_transparent_pixel() {
        let (w, h) = (32usize, 16usize);
        let frame = |shift: usize| -> Vec<u8> {
            (0..w * h)
                .flat_map(|i| {
                    let (x, y) = (i % w, i / w);
                    if y < 8 {
                        [((x + shift) * 8 % 256) as u8, 120, 200, 255]
                    } else {
                        [(x * 7) as u8, (y * 13) as u8, 60, 255]
                    }
                })
                .collect()
        };
        let frames: Vec<Vec<u8>> = (0..3).map(frame).collect();
        let mut gif = GifWriter::new(w as u32, h as u32, &frames, vec![4, 4, 4, 4]).expect("writer");
        let header = gif.take();
        assert_eq!(&header[..6], b"GIF89a");
        let first = gif.frame(&frames[0]).expect("frame 0");
        let moved = gif.frame(&frames[1]).expect("frame 1");
        let same = gif.frame(&frames[1]).expect("frame 2");
        assert!(moved.len() < first.len(), "only the top half changed: {} of {} bytes", moved.len(), first.len());
        assert!(same.len() < 40, "an unchanged frame is one pixel: {} bytes", same.len());
        let still = |f: &Vec<u8>| gif.indices(f)[8 * w..].to_vec();
        assert_eq!(still(&frames[0]), still(&frames[2]), "the still half keeps its indices");
        assert!(gif.frame(&frames[2]).is_ok());
        assert!(gif.frame(&frames[2]).is_err(), "a fifth frame is one too many");
        assert_eq!(gif.finish().expect("trailer").last(), Some(&0x3b));
    }
}
