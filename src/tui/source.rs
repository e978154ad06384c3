//! The capture side of the loop: one thread runs the frame pipeline into
//! `Msg::Frames` batches. A capture socket is opened on the calling (main)
//! thread, so that every privilege is given up before any thread starts; a
//! file is opened by its thread (its reader stays there). Either way the
//! open result is known before the terminal changes mode, so errors print
//! plainly. A live capture never blocks on a full channel: the batch is
//! dropped and counted, so the kernel ring keeps draining. A file is loaded
//! whole (blocking sends: every frame matters), with progress.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::time::{Duration, Instant};

use crate::app::{Msg, SourceKind};
use crate::capture::file::{FileFormat, FileSource};
use crate::capture::live::{LiveOptions, LiveSource};
use crate::capture::{CaptureError, FrameSource, Next};
use crate::decode::{Detail, Dissection};
use crate::error::AppError;
use crate::filter::Filter;
use crate::frame::{FrameRecord, LinkType};
use crate::pipeline::{self, RunSummary, Settings, Sink, Track, check_link};

use super::Event;

/// Frames per batch.
const BATCH: usize = 512;
/// A live batch goes out at least this often while frames arrive.
const BATCH_AGE: Duration = Duration::from_millis(25);
/// How often a live capture reads the kernel's drop counter.
const STATS_EVERY: Duration = Duration::from_millis(250);

/// What to open.
#[derive(Clone, Debug)]
pub enum SourceSpec {
    Live {
        interface: String,
        options: LiveOptions,
    },
    File {
        path: String,
    },
    Replay {
        path: String,
        speed: f64,
    },
    /// Frames already in memory (the demo's conversation).
    Frames {
        label: String,
        frames: Vec<FrameRecord>,
    },
}

impl SourceSpec {
    /// How the app labels this source.
    pub fn kind(&self) -> SourceKind {
        match self {
            SourceSpec::Live { interface, .. } => SourceKind::Live {
                interface: interface.clone(),
            },
            SourceSpec::File { path } => SourceKind::File { path: path.clone() },
            SourceSpec::Replay { path, .. } => SourceKind::Replay { path: path.clone() },
            SourceSpec::Frames { label, .. } => SourceKind::Memory {
                label: label.clone(),
            },
        }
    }
}

/// Counters shared between the capture thread and the loop.
#[derive(Debug, Default)]
pub struct Drops {
    pub kernel: AtomicU64,
    pub wirepeek: AtomicU64,
}

/// Open the source and start sending frames from a new thread. Returns
/// once the source is open (or failed to open).
pub fn start(
    spec: &SourceSpec,
    tx: SyncSender<Event>,
    stop: Arc<AtomicBool>,
    drops: Arc<Drops>,
) -> Result<(), AppError> {
    start_filtered(spec, None, tx, stop, drops)
}

/// A source opened on the calling thread, ready for its thread.
enum Opened {
    Live(LiveSource),
    /// A file is opened by its thread (its reader stays there).
    File {
        path: String,
    },
    Frames(Vec<FrameRecord>),
}

/// `start`, sending only the frames that match `filter`'s tcpdump
/// expression (a capture filter: the rest never reach the app). A filter
/// that cannot apply to the source's link type is a usage error, as in
/// `wirepeek read` and `capture`. A live source gives up every privilege
/// here, on the calling thread, before the capture thread starts.
pub fn start_filtered(
    spec: &SourceSpec,
    filter: Option<Filter>,
    tx: SyncSender<Event>,
    stop: Arc<AtomicBool>,
    drops: Arc<Drops>,
) -> Result<(), AppError> {
    let filter = filter.unwrap_or_default();
    let check = |links: &[LinkType]| links.iter().try_for_each(|l| check_link(&filter, *l));
    let opened = match spec {
        SourceSpec::Live { interface, options } => {
            let source = pipeline::open::live(interface, *options)?;
            check(&[source.link()])?;
            // The kernel drops what the expression rejects where it can;
            // the pipeline matches every frame in user space as well.
            pipeline::open::kernel_filter(&source, filter.tcpdump.as_ref())?;
            pipeline::open::drop_privileges(None)?;
            Opened::Live(source)
        }
        SourceSpec::File { path } | SourceSpec::Replay { path, .. } => {
            Opened::File { path: path.clone() }
        }
        SourceSpec::Frames { frames, .. } => {
            let links: Vec<LinkType> = frames.iter().map(|f| f.link).collect();
            check(&links)?;
            Opened::Frames(frames.clone())
        }
    };
    let (opened_tx, opened_rx) = mpsc::channel::<Result<(), AppError>>();
    std::thread::Builder::new()
        .name("wirepeek-capture".into())
        .spawn(move || {
            if !matches!(opened, Opened::File { .. }) {
                let _ = opened_tx.send(Ok(()));
            }
            let settings = Settings {
                filter: &filter,
                count: None,
                absolute: false,
            };
            let stop = || stop.load(Ordering::Relaxed);
            match opened {
                Opened::Live(source) => live(source, settings, &stop, &tx, &drops),
                Opened::File { path } => {
                    let total = std::fs::metadata(&path).map_or(0, |m| m.len());
                    let source = FileSource::open(&path)
                        .map_err(AppError::from)
                        .and_then(|s| {
                            s.info()
                                .link_types
                                .iter()
                                .try_for_each(|l| check_link(&filter, *l))?;
                            Ok(s)
                        });
                    match source {
                        Ok(source) => {
                            let _ = opened_tx.send(Ok(()));
                            file(source, total, settings, &stop, &tx);
                        }
                        Err(e) => {
                            let _ = opened_tx.send(Err(e));
                        }
                    }
                }
                Opened::Frames(frames) => {
                    let mut sink = Batches::new(&tx, None);
                    let result = pipeline::run(
                        &mut pipeline::open::Memory::new(frames),
                        settings,
                        Track::Off,
                        &mut sink,
                        &stop,
                    );
                    sink.end(result);
                }
            }
        })
        .map_err(|e| {
            AppError::from(CaptureError::Other(format!(
                "cannot start the capture thread: {e}"
            )))
        })?;
    opened_rx.recv().unwrap_or_else(|_| {
        Err(AppError::from(CaptureError::Other(
            "the capture thread stopped".into(),
        )))
    })
}

/// How the capture thread's run ended, as the app's message; `None`: it
/// was stopped (or its reader went away), nothing more to say.
fn ending(result: Result<RunSummary, AppError>) -> Option<Msg> {
    match result {
        Ok(summary) if summary.ended && !summary.closed_pipe => Some(Msg::SourceEnded {
            warning: summary.warning,
        }),
        Ok(_) => None,
        Err(e) => Some(Msg::SourceFailed(e.to_string())),
    }
}

fn live(
    source: LiveSource,
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
    let mut sink = Live {
        tx,
        drops,
        batch: Vec::with_capacity(BATCH),
        born: Instant::now(),
    };
    let result = pipeline::run(&mut source, settings, Track::Off, &mut sink, stop);
    if matches!(&result, Ok(s) if s.closed_pipe) {
        return;
    }
    sink.flush();
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

/// Live batches, handed over without waiting; a full channel costs the
/// batch (counted).
struct Live<'a> {
    tx: &'a SyncSender<Event>,
    drops: &'a Drops,
    batch: Vec<FrameRecord>,
    born: Instant,
}

impl Live<'_> {
    /// False when the app has gone.
    fn flush(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let n = self.batch.len() as u64;
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        match self.tx.try_send(Event::App(Msg::Frames(full))) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.drops.wirepeek.fetch_add(n, Ordering::Relaxed);
                true
            }
            Err(TrySendError::Disconnected(_)) => false,
        }
    }
}

impl Sink for Live<'_> {
    fn detail(&self) -> Option<Detail> {
        None
    }

    fn frame(&mut self, frame: FrameRecord, _: &Dissection) -> Result<bool, AppError> {
        if self.batch.is_empty() {
            self.born = Instant::now();
        }
        self.batch.push(frame);
        if self.batch.len() >= BATCH || self.born.elapsed() >= BATCH_AGE {
            return Ok(self.flush());
        }
        Ok(true)
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        Ok(self.flush())
    }
}

fn file(
    source: FileSource,
    total: u64,
    settings: Settings,
    stop: &dyn Fn() -> bool,
    tx: &SyncSender<Event>,
) {
    // Record framing overhead, to turn frame sizes into a file position.
    let overhead = match source.info().format {
        FileFormat::Pcap => 16,
        FileFormat::PcapNg => 32,
    };
    let done = Cell::new(24u64);
    let mut source = Measured {
        inner: source,
        overhead,
        done: &done,
    };
    let mut sink = Batches::new(tx, Some((&done, total)));
    let result = pipeline::run(&mut source, settings, Track::Off, &mut sink, stop);
    sink.end(result);
}

/// A file source that counts how far into the file it has read.
struct Measured<'a> {
    inner: FileSource,
    overhead: u64,
    done: &'a Cell<u64>,
}

impl FrameSource for Measured<'_> {
    fn next_frame(&mut self) -> Result<Next, CaptureError> {
        let next = self.inner.next_frame()?;
        if let Next::Frame(f) = &next {
            let size = self.overhead + f.data.len().next_multiple_of(4) as u64;
            self.done.set(self.done.get() + size);
        }
        Ok(next)
    }
}

/// Batches sent with blocking sends (every frame of a file matters), each
/// followed by the progress through the file when it is known.
struct Batches<'a> {
    tx: &'a SyncSender<Event>,
    batch: Vec<FrameRecord>,
    progress: Option<(&'a Cell<u64>, u64)>,
}

impl<'a> Batches<'a> {
    fn new(tx: &'a SyncSender<Event>, progress: Option<(&'a Cell<u64>, u64)>) -> Batches<'a> {
        Batches {
            tx,
            batch: Vec::with_capacity(BATCH),
            progress,
        }
    }

    fn send(&self, msg: Msg) -> bool {
        self.tx.send(Event::App(msg)).is_ok()
    }

    /// After the run: what is left and how it ended, unless it was stopped.
    fn end(mut self, result: Result<RunSummary, AppError>) {
        let Some(msg) = ending(result) else {
            return;
        };
        let batch = std::mem::take(&mut self.batch);
        if !batch.is_empty() && !self.send(Msg::Frames(batch)) {
            return;
        }
        self.send(msg);
    }
}

impl Sink for Batches<'_> {
    fn detail(&self) -> Option<Detail> {
        None
    }

    fn frame(&mut self, frame: FrameRecord, _: &Dissection) -> Result<bool, AppError> {
        self.batch.push(frame);
        if self.batch.len() < BATCH {
            return Ok(true);
        }
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        if !self.send(Msg::Frames(full)) {
            return Ok(false);
        }
        Ok(match self.progress {
            Some((done, total)) => self.send(Msg::Progress {
                done: done.get(),
                total,
            }),
            None => true,
        })
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        Ok(true)
    }
}
