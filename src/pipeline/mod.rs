//! One frame pipeline: `source → filter → decode → annotate → sink`, the
//! loop every command that reads frames runs (`read`, `capture`, `flows`,
//! `demo`, the TUI's source thread). The command builds its configuration
//! once (the filter parsed once, the sink chosen once, the flow settings),
//! opens its source (`open`: a capture socket, then privileges dropped,
//! before any thread starts), and hands both to [`run`].
//!
//! Sinks are the printers (`print`), the capture writer (`save`), the
//! TUI's batches and the demo's conversation; [`run`] is generic over the
//! sink, so the per-frame path has no dynamic dispatch but the source's.
//!
//! May use `frame`, `capture`, `decode`, `flow`, `filter`, `output`,
//! `teach`, `error`; must not use `cli`, `run`, `app` or `tui`.

use crate::capture::{FrameSource, Next};
use crate::decode::{Detail, Dissection, Proto, Value, tcp, udp};
use crate::error::AppError;
use crate::filter::Filter;
use crate::flow::{Background, FlowInfo, FlowTable, Lookahead, Packet, Staged, TCP, UDP};
use crate::frame::{FrameRecord, LinkType};
use crate::stream::ip_defrag::DefragStats;
pub use crate::stream::reassemble::{Reassembler, Reassembly, decode_frame};

pub mod follow;
pub mod open;
pub mod print;
pub mod process;
pub mod save;

/// What a run saw.
#[derive(Debug, Default)]
pub struct RunSummary {
    /// Frames that passed every filter and went to the sink.
    pub packets: u64,
    /// Why the source stopped early, if it did.
    pub warning: Option<String>,
    /// The reader went away (closed pipe, closed channel): stop quietly.
    pub closed_pipe: bool,
    /// The source itself said it was over (not `-c`, not a stop request).
    pub ended: bool,
    /// What IP reassembly did (all zero when it was off).
    pub reassembly: DefragStats,
}

/// Where each frame that passed the filters goes.
pub trait Sink {
    /// How much of each frame the sink reads; `None`: it takes the raw
    /// frame, and the pipeline decodes only when a filter or the flow
    /// table needs it.
    fn detail(&self) -> Option<Detail>;
    /// The only fields the sink reads, when it reads `Detail::Fields` but
    /// not every field: the decoder leaves the others out (unless the
    /// display filter needs fields).
    fn wanted(&self) -> Option<std::sync::Arc<crate::decode::want::Wanted>> {
        None
    }
    /// A frame that passed the filters, decoded (and annotated with its
    /// flow) as asked. `Ok(false)`: the reader has gone, stop quietly. A
    /// sink that keeps the frame moves it out (`FrameRecord::take`); the
    /// bytes of one it leaves go back to the source for a later frame.
    fn frame(&mut self, frame: &mut FrameRecord, d: &Dissection) -> Result<bool, AppError>;
    /// A frame the display filter hid: for sinks whose output counts from
    /// every frame read, as tshark's `frame.time_delta` does under `-Y`.
    fn hidden(&mut self, _frame: &FrameRecord) {}
    /// What the flow table said about a frame tracked in line (before the
    /// display filter and `frame`): for sinks that keep their own facts
    /// per conversation (`export`'s conn rows).
    fn flow(&mut self, _frame: &FrameRecord, _d: &Dissection, _info: &FlowInfo, _p: &Packet) {}
    /// The source went idle and every frame held back has been given:
    /// a moment to flush. `Ok(false)` as for `frame`.
    fn idle(&mut self) -> Result<bool, AppError>;
}

/// The loop's settings, built once from the command line.
#[derive(Clone, Copy)]
pub struct Settings<'a> {
    pub filter: &'a Filter,
    /// Stop after this many frames reached the sink (`-c`).
    pub count: Option<u64>,
    /// Keep absolute TCP sequence numbers in the line (`-S`).
    pub absolute: bool,
}

/// Whether and where frames are tracked as flows, and in which table.
pub enum Track<'t> {
    Off,
    /// In line: each frame's flow facts (stream index, relative numbers)
    /// are known before the sink sees it.
    Inline(&'t mut FlowTable),
    /// On the table's own thread (started here, joined before `run`
    /// returns): only the totals are wanted.
    Background(&'t mut FlowTable),
}

/// Run `source` through the pipeline into `sink` until the source ends,
/// `-c` is reached, `stop()` says so or the sink's reader goes away,
/// tracking flows as `track` says, with IP reassembly on (its default
/// bounds).
pub fn run<S: Sink>(
    source: &mut dyn FrameSource,
    settings: Settings,
    track: Track,
    sink: &mut S,
    stop: &dyn Fn() -> bool,
) -> Result<RunSummary, AppError> {
    run_with(source, settings, Reassembly::default(), track, sink, stop)
}

/// [`run`] with IP reassembly as `reassembly` says.
pub fn run_with<S: Sink>(
    source: &mut dyn FrameSource,
    settings: Settings,
    reassembly: Reassembly,
    track: Track,
    sink: &mut S,
    stop: &dyn Fn() -> bool,
) -> Result<RunSummary, AppError> {
    let mut defrag = Reassembler::new(reassembly);
    defrag.recall_from(source.recall());
    let mut result = match track {
        Track::Off => frame_loop(source, settings, &mut defrag, Tracker::Off, sink, stop),
        Track::Inline(flows) => frame_loop(
            source,
            settings,
            &mut defrag,
            Tracker::Inline(flows),
            sink,
            stop,
        ),
        Track::Background(flows) => std::thread::scope(|scope| {
            let tracker = Tracker::Background(Background::start(scope, flows));
            frame_loop(source, settings, &mut defrag, tracker, sink, stop)
        }),
    };
    if let (Ok(summary), Some(table)) = (&mut result, &defrag.ip) {
        summary.reassembly = table.stats;
        // What reassembly dropped is said, never lost silently.
        if let Some(w) = table.stats.warning() {
            summary.warning = Some(match summary.warning.take() {
                Some(other) => format!("{other}; {w}"),
                None => w,
            });
        }
    }
    result
}

/// Where a run's frames go to be tracked as flows.
enum Tracker<'a> {
    Off,
    Inline(&'a mut FlowTable),
    Background(Background<'a>),
}

/// The frame loop: read, filter, decode, track, annotate, sink. Frames
/// tracked in line are held back a few at a time (`Lookahead`) so the
/// flow table's memory reads overlap with decoding.
fn frame_loop<S: Sink>(
    source: &mut dyn FrameSource,
    settings: Settings,
    defrag: &mut Reassembler,
    mut tracker: Tracker,
    sink: &mut S,
    stop: &dyn Fn() -> bool,
) -> Result<RunSummary, AppError> {
    let filter = settings.filter;
    let detail = if filter.needs_fields() {
        Detail::Fields
    } else {
        sink.detail().unwrap_or(Detail::Layers)
    };
    // A sink of raw frames with nothing to track and no display filter
    // needs no decoding at all.
    let decoding =
        sink.detail().is_some() || filter.display.is_some() || !matches!(tracker, Tracker::Off);
    let want = sink.wanted().filter(|_| !filter.needs_fields());
    let mut links_checked: Vec<LinkType> = Vec::new();
    let mut summary = RunSummary::default();
    let mut ahead = Lookahead::new(matches!(tracker, Tracker::Inline(_)));
    // `draining`: the source went idle, give what is held back and flush
    // before waiting. `ended`: the input is over (or stop() said so).
    let (mut draining, mut ended) = (false, false);
    loop {
        let staged = loop {
            if settings.count.is_some_and(|c| summary.packets >= c) {
                break None;
            }
            if let Some(s) = ahead.ready() {
                break Some(s);
            }
            if draining || ended {
                if let Some(s) = ahead.drain() {
                    break Some(s);
                }
                if ended {
                    break None;
                }
                draining = false;
                if !sink.idle()? {
                    summary.closed_pipe = true;
                    return Ok(summary);
                }
            }
            if stop() {
                ended = true;
                continue;
            }
            let frame = match source.next_frame()? {
                Next::Frame(frame) => frame,
                Next::Idle => {
                    draining = true;
                    continue;
                }
                Next::End { warning } => {
                    summary.warning = warning;
                    summary.ended = true;
                    ended = true;
                    continue;
                }
            };
            if !filter.is_empty() {
                if !links_checked.contains(&frame.link) {
                    check_link(filter, frame.link)?;
                    links_checked.push(frame.link);
                }
                // A tcpdump expression reads bytes, like a capture filter: a
                // rejected frame is not decoded, tracked or counted at all.
                if !filter.matches_frame(&frame) {
                    source.recycle(frame.data);
                    continue;
                }
            }
            let mut d = ahead.dissection();
            if d.want.is_none() && want.is_some() {
                d.want = want.clone();
            }
            if decoding {
                defrag.frame_at(source.data_offset());
                decode_frame(&frame, detail, &mut d, defrag);
            }
            match &tracker {
                Tracker::Inline(flows) => ahead.push(Some(flows), frame, d),
                _ => ahead.push(None, frame, d),
            }
        };
        let Some(Staged {
            mut frame,
            mut d,
            packet,
        }) = staged
        else {
            break;
        };
        // Flows see every frame the display filter is applied to, so stream
        // indices and relative numbers are tshark's whatever `-Y` shows.
        match &mut tracker {
            Tracker::Off => {}
            Tracker::Inline(flows) => {
                if let Some(info) = flows.ingest_packet(&frame, packet.as_ref()) {
                    annotate(&mut d, &info, detail, settings.absolute);
                    if let Some(p) = &packet {
                        sink.flow(&frame, &d, &info, p);
                    }
                }
                // A UDP tunnel's inner conversation is tracked too (tshark
                // numbers its streams after the outer one's).
                if let Some((inner, layer)) = Packet::inner_from_dissection(&frame, &d)
                    && let Some(info) = flows.ingest_packet(&frame, Some(&inner))
                {
                    annotate_inner(&mut d, layer, &info, detail, settings.absolute);
                }
            }
            Tracker::Background(table) => table.observe(&frame, &d),
        }
        let shown = filter
            .display
            .as_ref()
            .is_none_or(|f| f.matches(&frame, &d));
        if shown {
            summary.packets += 1;
            if !sink.frame(&mut frame, &d)? {
                summary.closed_pipe = true;
                return Ok(summary);
            }
        } else {
            sink.hidden(&frame);
        }
        source.recycle(frame.data);
        ahead.recycle(d);
    }
    if let Tracker::Background(table) = tracker {
        table.finish();
    }
    Ok(summary)
}

/// Give a decoded packet what the flow table knows: tshark's generated
/// `tcp.stream`, `tcp.seq`, `tcp.ack` and `udp.stream` fields (when fields
/// are wanted), and tcpdump's relative numbers for the line unless `-S`.
fn annotate(d: &mut Dissection, info: &FlowInfo, detail: Detail, absolute: bool) {
    if !absolute {
        d.line_seq = info.line_seq;
    }
    if detail != Detail::Fields {
        return;
    }
    crate::flow::push_stream(d, info.proto, info.stream);
    if info.proto == TCP
        && let (Some(seq), Some(ack)) = (info.rel_seq, info.rel_ack)
    {
        let (seq, ack) = (Value::UInt(u64::from(seq)), Value::UInt(u64::from(ack)));
        d.push_generated(Proto::Tcp, &tcp::SEQ, seq);
        d.push_generated(Proto::Tcp, &tcp::ACK, ack);
    }
}

/// `annotate` for a tunnel's inner TCP or UDP header, layer `li`.
fn annotate_inner(d: &mut Dissection, li: usize, info: &FlowInfo, detail: Detail, absolute: bool) {
    if !absolute && info.proto == TCP {
        d.line_seq = info.line_seq;
    }
    if detail != Detail::Fields {
        return;
    }
    let stream = Value::UInt(u64::from(info.stream));
    match info.proto {
        TCP => {
            d.push_generated_at(li, &tcp::STREAM, stream);
            if let (Some(seq), Some(ack)) = (info.rel_seq, info.rel_ack) {
                let (seq, ack) = (Value::UInt(u64::from(seq)), Value::UInt(u64::from(ack)));
                d.push_generated_at(li, &tcp::SEQ, seq);
                d.push_generated_at(li, &tcp::ACK, ack);
            }
        }
        UDP => {
            d.push_generated_at(li, &udp::STREAM, stream);
        }
        _ => {}
    }
}

/// Parse a command's filters once: a tcpdump expression and a display
/// filter. A bad one is a usage error (exit 2) showing the expression with
/// a caret under the problem.
pub fn parse_filter(expression: Option<&str>, display: Option<&str>) -> Result<Filter, AppError> {
    if let Some(expr) = expression {
        Filter::parse(Some(expr), None)
            .map_err(|e| AppError::Usage(format!("bad filter expression: {e}")))?;
    }
    if let Some(display) = display {
        Filter::parse(None, Some(display))
            .map_err(|e| AppError::Usage(format!("bad display filter: {e}")))?;
    }
    Filter::parse(expression, display).map_err(|e| AppError::Usage(format!("bad filter: {e}")))
}

/// A filter that cannot apply to frames of `link` is a usage error.
pub fn check_link(filter: &Filter, link: LinkType) -> Result<(), AppError> {
    filter
        .check_link(link)
        .map_err(|e| AppError::Usage(format!("bad filter expression: {e}")))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod desegment_tests;
