//! The Rust side of encoding. MP4 and WebM are encoded by the browser (WebCodecs) and muxed in
//! JavaScript; AVI is done entirely here: each frame becomes a baseline JPEG ([`jpeg`]) inside a
//! RIFF/AVI container ([`avi`]) that ffmpeg, ffprobe and VLC read; so is the animated GIF
//! ([`gif`]).

pub mod avi;
pub mod gif;
pub mod jpeg;
