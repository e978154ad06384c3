//! Where frames come from and where they go: capture files, live sockets and
//! writers. Knows nothing of decoding; hands out `FrameRecord`s only.

pub mod file;
pub mod interfaces;
pub mod live;
pub mod multi;
pub mod privilege;
pub mod process;
pub mod rotate;
pub mod save;
pub mod stop;

use crate::frame::{FrameRecord, Recall};

/// What a source has next.
#[derive(Debug)]
pub enum Next {
    Frame(FrameRecord),
    /// No frame arrived within the source's poll interval (live sources);
    /// lets the caller check for stop requests.
    Idle,
    /// No more frames. `warning` says why the source ended early, when it did
    /// (a file cut mid-record): every complete frame was already delivered.
    End {
        warning: Option<String>,
    },
}

/// Anything that yields frames: a capture file, a live interface, a replay.
pub trait FrameSource {
    fn next_frame(&mut self) -> Result<Next, CaptureError>;
    /// The bytes of a frame this source handed out, no longer needed: a
    /// source that copies records may reuse the buffer for a later frame.
    fn recycle(&mut self, _data: Vec<u8>) {}
    /// The capture file this source reads, opened again for reads by
    /// offset, when it is a regular file (see `frame::Recall`).
    fn recall(&self) -> Option<Recall> {
        None
    }
    /// Where in that file the captured bytes of the frame last returned
    /// begin.
    fn data_offset(&self) -> Option<u64> {
        None
    }
}

/// The `FrameSource` methods a wrapper that only changes frames (cuts
/// them, counts them) hands to the source in its `inner` field: buffers go
/// back to it, and PDUs are read back from its file.
#[macro_export]
macro_rules! forward_to_inner {
    () => {
        fn recycle(&mut self, data: Vec<u8>) {
            self.inner.recycle(data);
        }

        fn recall(&self) -> Option<$crate::frame::Recall> {
            self.inner.recall()
        }

        fn data_offset(&self) -> Option<u64> {
            self.inner.data_offset()
        }
    };
}

/// Errors that end a capture source. Messages say what went wrong and, where
/// there is one, what to do about it.
#[derive(Debug)]
pub enum CaptureError {
    /// The file could not be opened or read.
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The bytes are not a capture file we can read.
    NotACapture { path: String, reason: String },
    /// The process lacks the privilege to capture (CAP_NET_RAW); the message
    /// says how to get it. Kept apart so `main` can exit with its own code.
    Permission(String),
    /// Anything else, already phrased for the user.
    Other(String),
}

impl std::fmt::Display for CaptureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CaptureError::Io { path, source } => write!(f, "{path}: {source}"),
            CaptureError::NotACapture { path, reason } => write!(f, "{path}: {reason}"),
            CaptureError::Permission(msg) => f.write_str(msg),
            CaptureError::Other(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for CaptureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CaptureError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
