//! The engine's one error type. Every failure a user can cause has a stable code that crosses the
//! worker boundary intact (`{code, message}`), so pages can react to it without parsing messages.

use std::fmt;

/// Stable, documented error codes. Their string forms (`UNSUPPORTED_FORMAT`, …) are the public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The bytes are not an image in a format the engine decodes (JPEG, PNG, GIF, BMP, WebP).
    UnsupportedFormat,
    /// An option is outside its allowed range or of the wrong type; the message names the field.
    InvalidOption,
    /// The input file, or the image it declares, is larger than the engine's limits.
    ImageTooLarge,
    /// The file claims to be an image but cannot be decoded (truncated or corrupt).
    CorruptImage,
    /// The job would need more memory than its budget (estimated before anything large is allocated).
    ResourceLimit,
    /// The video encoder failed (raised by the JavaScript layer; listed here so codes stay in one place).
    EncoderError,
    /// A bug: the engine reached a state it should not. The message says where.
    Internal,
}

impl ErrorCode {
    /// The code's public string form.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::UnsupportedFormat => "UNSUPPORTED_FORMAT",
            ErrorCode::InvalidOption => "INVALID_OPTION",
            ErrorCode::ImageTooLarge => "IMAGE_TOO_LARGE",
            ErrorCode::CorruptImage => "CORRUPT_IMAGE",
            ErrorCode::ResourceLimit => "RESOURCE_LIMIT",
            ErrorCode::EncoderError => "ENCODER_ERROR",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error with a stable [`ErrorCode`] and a message that states the actual and the allowed value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct EngineError {
    /// What kind of failure this is.
    pub code: ErrorCode,
    /// A human-readable explanation, naming the offending field or value.
    pub message: String,
}

impl EngineError {
    /// Builds an error from a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        EngineError { code, message: message.into() }
    }

    /// An `INVALID_OPTION` error naming `field`.
    pub fn invalid_option(field: &str, detail: impl fmt::Display) -> Self {
        EngineError::new(ErrorCode::InvalidOption, format!("option `{field}`: {detail}"))
    }
}

/// The crate's result type.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
