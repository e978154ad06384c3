//! Errors as the user sees them, and the exit code each maps to.

use crate::capture::CaptureError;

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Exit code when a file, capture or network operation fails.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for a command line that makes no sense (as clap uses too).
pub const EXIT_USAGE: u8 = 2;
/// Exit code when capture needs a privilege the process lacks.
pub const EXIT_PERMISSION: u8 = 3;

/// What went wrong, already phrased for the user.
#[derive(Debug)]
pub enum AppError {
    /// The command line asks for something impossible.
    Usage(String),
    /// A capture source failed.
    Capture(CaptureError),
    /// Writing output failed (other than a closed pipe).
    Output(std::io::Error),
}

impl AppError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Usage(_) => EXIT_USAGE,
            AppError::Capture(CaptureError::Permission(_)) => EXIT_PERMISSION,
            AppError::Capture(_) | AppError::Output(_) => EXIT_FAILURE,
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Usage(msg) => f.write_str(msg),
            AppError::Capture(e) => write!(f, "{e}"),
            AppError::Output(e) => write!(f, "writing output: {e}"),
        }
    }
}

impl std::error::Error for AppError {}

impl From<CaptureError> for AppError {
    fn from(e: CaptureError) -> Self {
        AppError::Capture(e)
    }
}
