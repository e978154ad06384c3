//! The live capture's side of the capture thread: frames spooled and
//! handed over in batches without ever blocking the kernel ring, the
//! kernel's drop counter kept current, and, when asked, each
//! conversation's local process told to the app once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{SyncSender, TrySendError};
use std::time::Instant;

use crate::app::{Indexed, Msg};
use crate::capture::live::LiveSource;
use crate::capture::process::ProcessLookup;
use crate::capture::{CaptureError, FrameSource, Next};
use crate::decode::{Detail, Dissection};
use crate::error::AppError;
use crate::flow::FlowKey;
use crate::frame::{FrameRecord, Process};
use crate::pipeline::process::{Annotate, Attributed, Attribution};
use crate::pipeline::{self, Settings, Sink, Track};

use super::super::Event;
use super::super::spool::Spool;
use super::{BATCH, BATCH_AGE, Drops, STATS_EVERY, ending};

pub(super) fn live(
    source: LiveSource,
    spool: Spool,
    lookup: Option<Box<ProcessLookup>>,
    settings: Settings,
    stop: &dyn Fn() -> bool,
    tx: &SyncSender<Event>,
    drops: &Drops,
) {
    let mut source = Watched {
        inner: source,
        drops,
        stats_at: Instant::now(),
    };
    let sink = Live {
        tx,
        drops,
        spool,
        batch: Vec::with_capacity(BATCH),
        born: Instant::now(),
        process: None,
        told: HashMap::new(),
        found: Vec::new(),
    };
    let (result, mut sink) = match lookup {
        Some(lookup) => {
            // Each frame is decoded to its layers to find its conversation;
            // the attribution asks about a conversation once and keeps the
            // answer.
            let mut sink = Attributed {
                inner: sink,
                attribution: Rc::new(RefCell::new(Attribution::new(*lookup))),
                noted: false,
            };
            let result = pipeline::run(&mut source, settings, Track::Off, &mut sink, stop);
            (result, sink.inner)
        }
        None => {
            let mut sink = sink;
            let result = pipeline::run(&mut source, settings, Track::Off, &mut sink, stop);
            (result, sink)
        }
    };
    if matches!(&result, Ok(s) if s.closed_pipe) {
        return;
    }
    let result = match sink.flush() {
        Ok(_) => result,
        Err(e) => Err(e),
    };
    if let Some(msg) = ending(result) {
        let _ = tx.send(Event::App(msg));
    }
}

/// A live source that also keeps the kernel's drop counter current.
struct Watched<'a> {
    inner: LiveSource,
    drops: &'a Drops,
    stats_at: Instant,
}

impl FrameSource for Watched<'_> {
    fn next_frame(&mut self) -> Result<Next, CaptureError> {
        let next = self.inner.next_frame();
        if self.stats_at.elapsed() >= STATS_EVERY {
            let dropped = self.inner.stats().kernel_dropped;
            self.drops.kernel.store(dropped, Ordering::Relaxed);
            self.stats_at = Instant::now();
        }
        next
    }
}

/// Live batches, spooled, then handed over without waiting; a full channel
/// costs the batch (counted; its bytes stay unused in the spool).
struct Live<'a> {
    tx: &'a SyncSender<Event>,
    drops: &'a Drops,
    spool: Spool,
    batch: Vec<Indexed>,
    born: Instant,
    /// The process of the frame about to come (from the attribution).
    process: Option<Arc<Process>>,
    /// The process each conversation was last told to the app as.
    told: HashMap<FlowKey, Arc<Process>>,
    /// Conversations whose process the app has not been told yet.
    found: Vec<(FlowKey, Arc<Process>)>,
}

/// Conversations whose told process is remembered (then afresh).
const MAX_TOLD: usize = 1 << 16;

impl Annotate for Live<'_> {
    fn set_process(&mut self, process: Option<Arc<Process>>) {
        self.process = process;
    }
}

impl Live<'_> {
    /// Note the frame's process for its conversation when it is news.
    fn note_process(&mut self, d: &Dissection) {
        let (Some(process), Some(t)) = (self.process.take(), d.tuple) else {
            return;
        };
        let (key, _) = FlowKey::new(t.protocol, (t.src, t.src_port), (t.dst, t.dst_port));
        if self
            .told
            .get(&key)
            .is_some_and(|p| Arc::ptr_eq(p, &process))
        {
            return;
        }
        if self.told.len() >= MAX_TOLD {
            self.told.clear();
        }
        self.told.insert(key, process.clone());
        self.found.push((key, process));
    }

    /// Hand the processes found over without waiting; on a full channel
    /// they wait for the next flush.
    fn tell_processes(&mut self) -> bool {
        if self.found.is_empty() {
            return true;
        }
        let found = std::mem::take(&mut self.found);
        match self.tx.try_send(Event::App(Msg::Processes(found))) {
            Ok(()) => true,
            Err(TrySendError::Full(Event::App(Msg::Processes(found)))) => {
                self.found = found;
                true
            }
            Err(TrySendError::Full(_)) => true,
            Err(TrySendError::Disconnected(_)) => false,
        }
    }

    /// Ok(false) when the app has gone.
    fn flush(&mut self) -> Result<bool, AppError> {
        if !self.tell_processes() {
            return Ok(false);
        }
        if self.batch.is_empty() {
            return Ok(true);
        }
        self.spool.flush()?;
        let n = self.batch.len() as u64;
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        Ok(match self.tx.try_send(Event::App(Msg::Indexed(full))) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.drops.wirepeek.fetch_add(n, Ordering::Relaxed);
                true
            }
            Err(TrySendError::Disconnected(_)) => false,
        })
    }
}

impl Sink for Live<'_> {
    fn detail(&self) -> Option<Detail> {
        None
    }

    fn frame(&mut self, frame: &mut FrameRecord, d: &Dissection) -> Result<bool, AppError> {
        self.note_process(d);
        if self.batch.is_empty() {
            self.born = Instant::now();
        }
        self.batch.push(self.spool.add(frame)?);
        if self.batch.len() >= BATCH || self.born.elapsed() >= BATCH_AGE {
            return self.flush();
        }
        Ok(true)
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        self.flush()
    }
}
