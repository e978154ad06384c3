//! Several interfaces captured at once (`capture -i lo -i veth0`): one
//! socket and ring per interface, waited on together, their frames merged
//! in time order among those ready. Frames keep the interface's kernel
//! index (`FrameRecord::iface`), so a pcapng writer gives each interface
//! its own interface block. With one interface this is that interface's
//! source and nothing more.
//!
//! Must not import decoding or output code.

use super::live::{self, CaptureStats, LiveSource};
use super::{CaptureError, FrameSource, Next};
use crate::frame::{FrameRecord, LinkType};

/// The sources of a capture and each one's next frame, taken from its ring.
pub struct MultiSource {
    sources: Vec<LiveSource>,
    heads: Vec<Option<FrameRecord>>,
    delivered: u64,
}

impl MultiSource {
    /// The capture of `sources`, at least one.
    pub fn new(sources: Vec<LiveSource>) -> Result<MultiSource, CaptureError> {
        if sources.is_empty() {
            return Err(CaptureError::Other("no interface to capture on".into()));
        }
        Ok(MultiSource {
            heads: sources.iter().map(|_| None).collect(),
            sources,
            delivered: 0,
        })
    }

    /// The sources, in the order the interfaces were named.
    pub fn sources(&self) -> &[LiveSource] {
        &self.sources
    }

    /// The link type every source delivers, when they agree.
    pub fn link(&self) -> Option<LinkType> {
        let first = self.sources[0].link();
        self.sources
            .iter()
            .all(|s| s.link() == first)
            .then_some(first)
    }

    /// Kernel counters summed over every source.
    pub fn stats(&self) -> CaptureStats {
        self.sources
            .iter()
            .map(LiveSource::stats)
            .fold(CaptureStats::default(), |a, b| CaptureStats {
                received: a.received + b.received,
                kernel_dropped: a.kernel_dropped + b.kernel_dropped,
            })
    }

    /// The earliest frame among the sources' next ones, filling heads from
    /// what is already in the rings.
    fn earliest_ready(&mut self) -> Result<Option<FrameRecord>, CaptureError> {
        for (source, head) in self.sources.iter_mut().zip(self.heads.iter_mut()) {
            if head.is_none() {
                *head = source.ready_frame()?;
            }
        }
        let pick = self
            .heads
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.as_ref().map(|f| (f.ts, i)))
            .min()
            .map(|(_, i)| i);
        Ok(pick.and_then(|i| self.heads[i].take()).map(|mut frame| {
            self.delivered += 1;
            frame.number = self.delivered;
            frame
        }))
    }
}

impl FrameSource for MultiSource {
    fn next_frame(&mut self) -> Result<Next, CaptureError> {
        if self.sources.len() == 1 {
            return self.sources[0].next_frame();
        }
        if let Some(frame) = self.earliest_ready()? {
            return Ok(Next::Frame(frame));
        }
        let mut fds: Vec<libc::pollfd> = self.sources.iter().map(LiveSource::pollfd).collect();
        let names: Vec<&str> = self.sources.iter().map(LiveSource::interface).collect();
        if !live::poll(&mut fds, &names.join(", "))? {
            return Ok(Next::Idle);
        }
        for (source, fd) in self.sources.iter().zip(&fds) {
            source.check_poll(fd.revents)?;
        }
        Ok(match self.earliest_ready()? {
            Some(frame) => Next::Frame(frame),
            None => Next::Idle,
        })
    }
}
