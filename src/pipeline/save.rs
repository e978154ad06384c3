//! The capture writer as a sink: every frame that passed the filters goes
//! to a pcap or pcapng file, flushed on each idle tick so a kill loses at
//! most one poll interval and a full disk is noticed early.

use super::{RunSummary, Sink};
use crate::capture::CaptureError;
use crate::capture::rotate::RotatingWriter;
use crate::capture::save::{CaptureWriter, is_broken_pipe};
use crate::decode::{Detail, Dissection};
use crate::error::AppError;
use crate::frame::FrameRecord;

/// One capture file, or files that rotate (`-C`, `-G`, `-W`).
#[derive(Debug)]
pub enum Output {
    Single(CaptureWriter),
    Rotating(RotatingWriter),
}

impl From<CaptureWriter> for Output {
    fn from(writer: CaptureWriter) -> Output {
        Output::Single(writer)
    }
}

impl Output {
    /// `Ok(false)`: the last of `-W` files of `-G` seconds is done.
    fn write(&mut self, frame: &FrameRecord, comment: Option<&str>) -> Result<bool, CaptureError> {
        match self {
            Output::Single(w) => w.write_commented(frame, comment).map(|()| true),
            Output::Rotating(w) => w.write_commented(frame, comment),
        }
    }
    fn flush(&mut self) -> Result<(), CaptureError> {
        match self {
            Output::Single(w) => w.flush(),
            Output::Rotating(w) => w.flush(),
        }
    }
    fn finish(self) -> Result<u64, CaptureError> {
        match self {
            Output::Single(w) => w.finish(),
            Output::Rotating(w) => w.finish(),
        }
    }
}

pub struct SaveSink {
    writer: Output,
    /// `-W` files of `-G` seconds are done: the frame offered was not saved.
    done: bool,
    /// The last frame could not be written (the reader went away): it is
    /// not counted as saved.
    lost_last: bool,
    /// The next frame's pcapng comment (its process), when attribution is
    /// on (`process`), and the process it names.
    comment: Option<String>,
    process: Option<std::sync::Arc<crate::frame::Process>>,
}

impl SaveSink {
    pub fn new(writer: impl Into<Output>) -> SaveSink {
        SaveSink {
            writer: writer.into(),
            done: false,
            lost_last: false,
            comment: None,
            process: None,
        }
    }

    /// Finish the file after `run` returned `result`: a closed pipe (`-w -`
    /// into `head`) stops quietly, any other error is the run's error.
    pub fn finish(self, result: Result<RunSummary, AppError>) -> Result<RunSummary, AppError> {
        let finished = self.writer.finish().map(|_| ());
        let mut summary = result?;
        if self.lost_last || self.done {
            summary.packets = summary.packets.saturating_sub(1);
        }
        if self.done {
            // The capture ended by design, not because a reader went away.
            summary.closed_pipe = false;
        }
        match finished {
            Ok(()) => Ok(summary),
            Err(e) if is_broken_pipe(&e) => {
                summary.closed_pipe = true;
                Ok(summary)
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// A write that failed because the reader went away is `Ok(false)`.
fn written(result: Result<(), CaptureError>) -> Result<bool, AppError> {
    match result {
        Ok(()) => Ok(true),
        Err(e) if is_broken_pipe(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

impl super::process::Annotate for SaveSink {
    fn set_process(&mut self, process: Option<std::sync::Arc<crate::frame::Process>>) {
        // Most frames belong to the conversation before them: write the
        // comment once per change of process, not once per frame.
        let same = match (&self.process, &process) {
            (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if !same {
            self.comment = process.as_deref().map(super::process::comment);
            self.process = process;
        }
    }
}

impl Sink for SaveSink {
    fn detail(&self) -> Option<Detail> {
        None
    }

    fn frame(&mut self, frame: &mut FrameRecord, _: &Dissection) -> Result<bool, AppError> {
        let result = self.writer.write(frame, self.comment.as_deref());
        if let Ok(false) = result {
            self.done = true;
            return Ok(false);
        }
        let ok = written(result.map(|_| ()))?;
        self.lost_last = !ok;
        Ok(ok)
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        written(self.writer.flush())
    }
}
