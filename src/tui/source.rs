//! The capture side of the loop: one thread per source turns frames into
//! `Msg::Frames` batches. A live capture never blocks on a full channel:
//! the batch is dropped and counted, so the kernel ring keeps draining. A
//! file is loaded whole (blocking sends: every frame matters), with
//! progress. The source is opened inside its thread and the open result is
//! reported back before the terminal changes mode, so errors print plainly.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::time::{Duration, Instant};

use crate::app::{Msg, SourceKind};
use crate::capture::file::{FileFormat, FileSource};
use crate::capture::live::{LiveOptions, LiveSource};
use crate::capture::{CaptureError, FrameSource, Next};
use crate::error::AppError;
use crate::filter::Filter;
use crate::frame::{FrameRecord, LinkType};

use super::Event;

/// Frames per batch.
const BATCH: usize = 512;
/// A live batch goes out at least this often while frames arrive.
const BATCH_AGE: Duration = Duration::from_millis(25);

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

/// Open the source in a new thread and start sending frames. Returns once
/// the source is open (or failed to open).
pub fn start(
    spec: &SourceSpec,
    tx: SyncSender<Event>,
    stop: Arc<AtomicBool>,
    drops: Arc<Drops>,
) -> Result<(), AppError> {
    start_filtered(spec, None, tx, stop, drops)
}

/// `start`, sending only the frames that match `filter`'s tcpdump
/// expression (a capture filter: the rest never reach the app). A filter
/// that cannot apply to the source's link type is a usage error, as in
/// `wirepeek read` and `capture`.
pub fn start_filtered(
    spec: &SourceSpec,
    filter: Option<Filter>,
    tx: SyncSender<Event>,
    stop: Arc<AtomicBool>,
    drops: Arc<Drops>,
) -> Result<(), AppError> {
    let (opened_tx, opened_rx) = mpsc::channel::<Result<(), AppError>>();
    let spec = spec.clone();
    let filter = filter.unwrap_or_default();
    let check = {
        let filter = filter.clone();
        move |links: &[LinkType]| -> Result<(), AppError> {
            for link in links {
                filter
                    .check_link(*link)
                    .map_err(|e| AppError::Usage(format!("bad filter expression: {e}")))?;
            }
            Ok(())
        }
    };
    let keep = move |f: &FrameRecord| filter.matches_frame(f);
    std::thread::Builder::new()
        .name("wirepeek-capture".into())
        .spawn(move || match spec {
            SourceSpec::Live { interface, options } => {
                let opened = LiveSource::open(&interface, options)
                    .map_err(AppError::from)
                    .and_then(|s| check(&[s.link()]).map(|()| s));
                match opened {
                    Ok(source) => {
                        let _ = opened_tx.send(Ok(()));
                        live(source, &keep, &tx, &stop, &drops);
                    }
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                    }
                }
            }
            SourceSpec::Frames { frames, .. } => {
                let links: Vec<LinkType> = frames.iter().map(|f| f.link).collect();
                if let Err(e) = check(&links) {
                    let _ = opened_tx.send(Err(e));
                    return;
                }
                let _ = opened_tx.send(Ok(()));
                let kept: Vec<FrameRecord> = frames.into_iter().filter(|f| keep(f)).collect();
                for chunk in kept.chunks(BATCH) {
                    if tx.send(Event::App(Msg::Frames(chunk.to_vec()))).is_err() {
                        return;
                    }
                }
                let _ = tx.send(Event::App(Msg::SourceEnded { warning: None }));
            }
            SourceSpec::File { path } | SourceSpec::Replay { path, .. } => {
                let total = std::fs::metadata(&path).map_or(0, |m| m.len());
                let opened = FileSource::open(&path)
                    .map_err(AppError::from)
                    .and_then(|s| check(&s.info().link_types).map(|()| s));
                match opened {
                    Ok(source) => {
                        let _ = opened_tx.send(Ok(()));
                        file(source, &keep, total, &tx, &stop);
                    }
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                    }
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

fn live(
    mut source: LiveSource,
    keep: &dyn Fn(&FrameRecord) -> bool,
    tx: &SyncSender<Event>,
    stop: &AtomicBool,
    drops: &Drops,
) {
    let mut batch: Vec<FrameRecord> = Vec::with_capacity(BATCH);
    let mut born = Instant::now();
    let mut stats_at = Instant::now();
    // Hand a batch over without waiting; a full channel costs the batch.
    let flush = |batch: &mut Vec<FrameRecord>| -> bool {
        if batch.is_empty() {
            return true;
        }
        let n = batch.len() as u64;
        let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
        match tx.try_send(Event::App(Msg::Frames(full))) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                drops.wirepeek.fetch_add(n, Ordering::Relaxed);
                true
            }
            Err(TrySendError::Disconnected(_)) => false,
        }
    };
    let end = loop {
        if stop.load(Ordering::Relaxed) {
            break None;
        }
        let next = source.next_frame();
        if stats_at.elapsed() >= Duration::from_millis(250) {
            drops
                .kernel
                .store(source.stats().kernel_dropped, Ordering::Relaxed);
            stats_at = Instant::now();
        }
        match next {
            Ok(Next::Frame(f)) if !keep(&f) => {}
            Ok(Next::Frame(f)) => {
                if batch.is_empty() {
                    born = Instant::now();
                }
                batch.push(f);
                if (batch.len() >= BATCH || born.elapsed() >= BATCH_AGE) && !flush(&mut batch) {
                    return;
                }
            }
            Ok(Next::Idle) => {
                if !flush(&mut batch) {
                    return;
                }
            }
            Ok(Next::End { warning }) => break Some(Msg::SourceEnded { warning }),
            Err(e) => break Some(Msg::SourceFailed(e.to_string())),
        }
    };
    flush(&mut batch);
    if let Some(msg) = end {
        let _ = tx.send(Event::App(msg));
    }
}

fn file(
    mut source: FileSource,
    keep: &dyn Fn(&FrameRecord) -> bool,
    total: u64,
    tx: &SyncSender<Event>,
    stop: &AtomicBool,
) {
    // Record framing overhead, to turn frame sizes into a file position.
    let overhead = match source.info().format {
        FileFormat::Pcap => 16,
        FileFormat::PcapNg => 32,
    };
    let mut done = 24u64;
    let mut batch: Vec<FrameRecord> = Vec::with_capacity(BATCH);
    let send = |msg: Msg| tx.send(Event::App(msg)).is_ok();
    let end = loop {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        match source.next_frame() {
            Ok(Next::Frame(f)) => {
                done += overhead + f.data.len().next_multiple_of(4) as u64;
                if !keep(&f) {
                    continue;
                }
                batch.push(f);
                if batch.len() >= BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    if !send(Msg::Frames(full)) || !send(Msg::Progress { done, total }) {
                        return;
                    }
                }
            }
            Ok(Next::Idle) => {}
            Ok(Next::End { warning }) => break Msg::SourceEnded { warning },
            Err(e) => break Msg::SourceFailed(e.to_string()),
        }
    };
    if !batch.is_empty() && !send(Msg::Frames(batch)) {
        return;
    }
    send(end);
}
