//! Image geometry and sampling, beneath both the analysis and the render: which part of a source an
//! output shows ([`View`]), cover fitting ([`fit`](fit::fit)), the area-filtering resampler
//! ([`resample`]) and the fixed-point arithmetic of every kernel ([`fixed`]), single-channel float
//! planes with their separable filters and mirrored borders ([`plane`]), whole-factor box reduction
//! ([`reduce`]), and filling unknown pixels from known ones ([`fill`]).

pub mod fill;
pub mod fit;
pub mod fixed;
pub mod plane;
pub mod reduce;
pub mod resample;
mod view;

pub use fit::fit;
pub use view::View;
