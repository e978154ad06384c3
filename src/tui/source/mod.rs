//! The capture side of the loop: one thread runs the frame pipeline into
//! `Msg::Indexed` batches, index entries only: a file's frames stay in the
//! file (the app reads them back by offset), a live capture's and standard
//! input's go to a temporary spool first (`spool`). A capture socket and a
//! spool are opened on the calling (main) thread, so that every privilege
//! is given up before any thread starts; a file is opened by its thread
//! (its reader stays there). Either way the open result is known before
//! the terminal changes mode, so errors print plainly. A live capture
//! never blocks on a full channel: the batch is dropped and counted, so the
//! kernel ring keeps draining. A file is indexed whole (blocking sends:
//! every frame matters), with progress.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::time::Duration;

use crate::app::{Indexed, Msg, SourceKind};
use crate::capture::CaptureError;
use crate::capture::file::FileSource;
use crate::capture::live::{LiveOptions, LiveSource};
use crate::capture::process::ProcessLookup;
use crate::capture::save::SavedInterface;
use crate::decode::{Detail, Dissection};
use crate::error::AppError;
use crate::filter::Filter;
use crate::frame::{FrameRecord, LinkType};
use crate::pipeline::{self, RunSummary, Settings, Sink, Track, check_link};

use super::Event;
use super::grow::Measured;
use super::spool::{self, Spool, SpoolFile};

mod live;
use live::live;

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
        /// Name each conversation's local process (`capture::process`).
        processes: bool,
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
    /// The socket, the interface's name, the spool and the process
    /// lookup.
    Live(LiveSource, String, SpoolFile, Option<Box<ProcessLookup>>),
    /// A file is opened by its thread (its reader stays there).
    File {
        path: String,
        /// Standard input's spool.
        spool: Option<SpoolFile>,
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
    start_following(spec, filter, false, tx, stop, drops)
}

/// `start_filtered`; with `follow`, a capture file (not standard input,
/// not a replay) is followed as it grows (`grow`) instead of ending at
/// its end.
pub fn start_following(
    spec: &SourceSpec,
    filter: Option<Filter>,
    follow: bool,
    tx: SyncSender<Event>,
    stop: Arc<AtomicBool>,
    drops: Arc<Drops>,
) -> Result<(), AppError> {
    let follow = match spec {
        SourceSpec::File { path } if follow && path != "-" => Some(path.clone()),
        _ => None,
    };
    let filter = filter.unwrap_or_default();
    let check = |links: &[LinkType]| links.iter().try_for_each(|l| check_link(&filter, *l));
    let opened = match spec {
        SourceSpec::Live {
            interface,
            options,
            processes,
        } => {
            // The lookup process is forked first, as `capture` does: while
            // this process is still privileged and one thread, and before
            // the capture socket exists (the child must not inherit it).
            let lookup = match processes {
                true => Some(Box::new(ProcessLookup::spawn(None)?)),
                false => None,
            };
            let source = pipeline::open::live(interface, *options)?;
            check(&[source.link()])?;
            // The kernel drops what the expression rejects where it can;
            // the pipeline matches every frame in user space as well.
            pipeline::open::kernel_filter(&source, filter.tcpdump.as_ref())?;
            let spool = Spool::create_file()?;
            pipeline::open::drop_privileges(None)?;
            Opened::Live(source, interface.clone(), spool, lookup)
        }
        SourceSpec::File { path } | SourceSpec::Replay { path, .. } => Opened::File {
            path: path.clone(),
            spool: if path == "-" {
                Some(Spool::create_file()?)
            } else {
                None
            },
        },
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
            let settings = Settings {
                filter: &filter,
                count: None,
                absolute: false,
            };
            let stop = || stop.load(Ordering::Relaxed);
            match opened {
                Opened::Live(source, interface, spool, lookup) => {
                    let iface = SavedInterface {
                        iface: 0,
                        link: source.link(),
                        name: Some(interface),
                    };
                    let Some(spool) = open_spool(spool, &[iface], &tx, &opened_tx) else {
                        return;
                    };
                    live(source, spool, lookup, settings, &stop, &tx, &drops);
                }
                Opened::File { path, spool } => {
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
                    let source = match source {
                        Ok(source) => source,
                        Err(e) => {
                            let _ = opened_tx.send(Err(e));
                            return;
                        }
                    };
                    let place = if let Some(spool) = spool {
                        match open_spool(spool, &[], &tx, &opened_tx) {
                            Some(spool) => Place::Spool(Box::new(spool)),
                            None => return,
                        }
                    } else {
                        match spool::open_bytes(&path) {
                            Ok(bytes) => {
                                let _ = tx.send(Event::App(Msg::Backing(Box::new(bytes))));
                                let _ = opened_tx.send(Ok(()));
                                Place::InFile
                            }
                            Err(e) => {
                                let _ = opened_tx.send(Err(e.into()));
                                return;
                            }
                        }
                    };
                    let total = (path != "-").then_some(total);
                    file(source, place, total, follow, settings, &stop, &tx);
                }
                Opened::Frames(frames) => {
                    let _ = opened_tx.send(Ok(()));
                    let mut sink = Whole {
                        tx: &tx,
                        batch: Vec::with_capacity(BATCH),
                    };
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

/// Create the spool and hand its reading side to the app; None (the
/// failure told to the opener) when it cannot be created.
fn open_spool(
    file: SpoolFile,
    interfaces: &[SavedInterface],
    tx: &SyncSender<Event>,
    opened: &mpsc::Sender<Result<(), AppError>>,
) -> Option<Spool> {
    match Spool::start(file, interfaces) {
        Ok((spool, bytes)) => {
            let _ = tx.send(Event::App(Msg::Backing(Box::new(bytes))));
            let _ = opened.send(Ok(()));
            Some(spool)
        }
        Err(e) => {
            let _ = opened.send(Err(AppError::from(e)));
            None
        }
    }
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

/// Where a file's frames are read back from.
enum Place {
    /// The file itself, at the offsets its reader reports.
    InFile,
    /// A spool (standard input).
    Spool(Box<Spool>),
}

fn file(
    source: FileSource,
    place: Place,
    total: Option<u64>,
    follow: Option<String>,
    settings: Settings,
    stop: &dyn Fn() -> bool,
    tx: &SyncSender<Event>,
) {
    let at = Cell::new((0u64, 0u64));
    let at_end = Cell::new(None);
    let mut source = Measured::new(source, &at, &at_end, follow);
    let mut sink = Batches {
        tx,
        batch: Vec::with_capacity(BATCH),
        at: &at,
        at_end: &at_end,
        told: None,
        place,
        total,
    };
    let result = pipeline::run(&mut source, settings, Track::Off, &mut sink, stop);
    sink.end(result);
}

/// Batches of index entries sent with blocking sends (every frame of a
/// file matters), each followed by the progress through the file when
/// its size is known.
struct Batches<'a> {
    tx: &'a SyncSender<Event>,
    batch: Vec<Indexed>,
    at: &'a Cell<(u64, u64)>,
    /// A followed file's end, as the reader last saw it, and as the app
    /// was last told.
    at_end: &'a Cell<Option<Option<(u64, u64)>>>,
    told: Option<Option<(u64, u64)>>,
    place: Place,
    total: Option<u64>,
}

impl Batches<'_> {
    fn send(&self, msg: Msg) -> bool {
        self.tx.send(Event::App(msg)).is_ok()
    }

    /// Hand the batch over; false when the app has gone.
    fn flush(&mut self) -> Result<bool, AppError> {
        if let Place::Spool(spool) = &mut self.place {
            spool.flush()?;
        }
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        let done = full.last().map_or(0, |f| f.at + u64::from(f.cap_len));
        if !full.is_empty() && !self.send(Msg::Indexed(full)) {
            return Ok(false);
        }
        Ok(match self.total {
            // Loading progress, until a followed file's end is reached.
            Some(total) if self.told.is_none() => self.send(Msg::Progress { done, total }),
            _ => true,
        })
    }

    /// After the run: what is left and how it ended, unless it was stopped.
    fn end(mut self, result: Result<RunSummary, AppError>) {
        let result = match self.flush() {
            Ok(true) => result,
            Ok(false) => return,
            Err(e) => Err(e),
        };
        if let Some(msg) = ending(result) {
            self.send(msg);
        }
    }
}

impl Sink for Batches<'_> {
    fn detail(&self) -> Option<Detail> {
        None
    }

    fn frame(&mut self, frame: &mut FrameRecord, _: &Dissection) -> Result<bool, AppError> {
        let entry = match &mut self.place {
            Place::Spool(spool) => spool.add(frame)?,
            Place::InFile => {
                let (number, at) = self.at.get();
                if number != frame.number {
                    return Err(AppError::from(CaptureError::Other(format!(
                        "internal: frame {} arrived where frame {number} was read",
                        frame.number
                    ))));
                }
                Indexed::of(frame, at)
            }
        };
        self.batch.push(entry);
        if self.batch.len() < BATCH {
            return Ok(true);
        }
        self.flush()
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        // Standard input went quiet, or a followed file's end was reached:
        // show what came so far.
        if !self.batch.is_empty() && !self.flush()? {
            return Ok(false);
        }
        let end = self.at_end.get();
        if end.is_some() && end != self.told {
            self.told = end;
            let pending = end.flatten();
            return Ok(self.send(Msg::Watching { pending }));
        }
        Ok(true)
    }
}

/// Frames handed over whole, in memory (the demo's conversation).
struct Whole<'a> {
    tx: &'a SyncSender<Event>,
    batch: Vec<FrameRecord>,
}

impl Whole<'_> {
    fn end(mut self, result: Result<RunSummary, AppError>) {
        let Some(msg) = ending(result) else {
            return;
        };
        let batch = std::mem::take(&mut self.batch);
        if !batch.is_empty() && self.tx.send(Event::App(Msg::Frames(batch))).is_err() {
            return;
        }
        let _ = self.tx.send(Event::App(msg));
    }
}

impl Sink for Whole<'_> {
    fn detail(&self) -> Option<Detail> {
        None
    }

    fn frame(&mut self, frame: &mut FrameRecord, _: &Dissection) -> Result<bool, AppError> {
        self.batch.push(frame.take());
        if self.batch.len() < BATCH {
            return Ok(true);
        }
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        Ok(self.tx.send(Event::App(Msg::Frames(full))).is_ok())
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        Ok(true)
    }
}
