//! Frame rendering: frame `i` of `N` is computed on demand into a reused buffer, from the motion
//! fields ([`crate::motion::fields`]) and the image geometry of [`crate::raster`].
//!
//! - [`camera`] — the eased zoom-and-pan path: which part of the source each frame shows;
//!   the filter that maps that view onto the output pixels is [`crate::raster::resample`];
//! - [`warp`] — the one-sample Catmull-Rom backward warp of the resonance motion;
//! - [`planar`] — the same warp rendered straight in I420 for the encoder;
//! - [`positions`] — where that warp samples: camera view minus displacement, in fixed point;
//! - [`sampler`] — the one-channel Catmull-Rom sampler of both I420 warps;
//! - [`advect`] — the two-copy blend of the flow motion;
//! - [`layer`] — a moving layer (the sky) over the still picture;
//! - [`preview`] — the frame just rendered, shrunk to the page's preview box, in RGBA;
//! - [`yuv`] — I420 (BT.709 limited range), which the camera renders straight for the encoder;
//! - [`frame`] — the [`Renderer`], which owns the source and the output buffer.

pub mod advect;
pub mod camera;
pub mod frame;
pub mod layer;
pub mod planar;
pub mod positions;
pub mod preview;
pub mod sampler;
pub mod warp;
pub mod yuv;

pub use crate::plan::VideoLayout;
pub use frame::Renderer;
