//! The view: which part of a source image an output image shows.

/// Which part of the source a frame shows: output pixel `x` covers source columns
/// `[offset_x + x * scale, offset_x + (x + 1) * scale)`, and likewise for rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// Source pixels per output pixel (above 1 when the source is minified).
    pub scale: f64,
    /// Source x of the output's left edge.
    pub offset_x: f64,
    /// Source y of the output's top edge.
    pub offset_y: f64,
}

impl View {
    /// The view that shows the source pixel for pixel.
    pub const IDENTITY: View = View { scale: 1.0, offset_x: 0.0, offset_y: 0.0 };

    /// The source x of continuous output x (pixel centres at integer + 0.5).
    #[inline]
    pub fn source_x(&self, x: f64) -> f64 {
        self.offset_x + x * self.scale
    }

    /// The source y of continuous output y.
    #[inline]
    pub fn source_y(&self, y: f64) -> f64 {
        self.offset_y + y * self.scale
    }
}
