//! The capture writer as a sink: every frame that passed the filters goes
//! to a pcap or pcapng file, flushed on each idle tick so a kill loses at
//! most one poll interval and a full disk is noticed early.

use super::{RunSummary, Sink};
use crate::capture::CaptureError;
use crate::capture::save::{CaptureWriter, is_broken_pipe};
use crate::decode::{Detail, Dissection};
use crate::error::AppError;
use crate::frame::FrameRecord;

pub struct SaveSink {
    writer: CaptureWriter,
    /// The last frame could not be written (the reader went away): it is
    /// not counted as saved.
    lost_last: bool,
}

impl SaveSink {
    pub fn new(writer: CaptureWriter) -> SaveSink {
        SaveSink {
            writer,
            lost_last: false,
        }
    }

    /// Finish the file after `run` returned `result`: a closed pipe (`-w -`
    /// into `head`) stops quietly, any other error is the run's error.
    pub fn finish(self, result: Result<RunSummary, AppError>) -> Result<RunSummary, AppError> {
        let finished = self.writer.finish().map(|_| ());
        let mut summary = result?;
        if self.lost_last {
            summary.packets = summary.packets.saturating_sub(1);
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

impl Sink for SaveSink {
    fn detail(&self) -> Option<Detail> {
        None
    }

    fn frame(&mut self, frame: FrameRecord, _: &Dissection) -> Result<bool, AppError> {
        let ok = written(self.writer.write(&frame))?;
        self.lost_last = !ok;
        Ok(ok)
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        written(self.writer.flush())
    }
}
