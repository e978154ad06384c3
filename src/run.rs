//! Drives the non-interactive commands: frames from a source, through the
//! decoder, to the chosen printer. Owns the loop, not the formats.

use std::io::Write;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::capture::file::FileSource;
use crate::capture::live::{LiveOptions, LiveSource};
use crate::capture::save::{CaptureWriter, SaveFormat, SavedInterface, is_broken_pipe};
use crate::capture::{CaptureError, FrameSource, Next, interfaces, privilege, stop};
use crate::cli::{CaptureArgs, FilterArgs, FlowLimitArgs, OutputArgs, ReadArgs};
use crate::decode::{Detail, Dissection, Proto, Value, decode_into};
use crate::error::AppError;
use crate::filter::Filter;
use crate::flow::{Background, FlowConfig, FlowInfo, FlowTable, Lookahead, Staged, TCP, UDP};
use crate::frame::{FrameRecord, LinkType, Timestamp};
use crate::output::fields::FieldColumns;
use crate::output::flows::SortKey;
use crate::output::line::{LineOptions, write_line};
use crate::output::stats::Stats;
use crate::output::teach::{self as teach_out, Paint};
use crate::output::time::TimeFormat;
use crate::output::{hex, json, tree};
use crate::teach::Lesson;

mod explain;
mod flow_list;
mod follow;
pub use follow::follow;

pub use explain::explain;
pub use flow_list::flows;
use flow_list::print_flow_table;

/// Flush the text buffer to the writer once it holds this much.
const FLUSH_AT: usize = 256 * 1024;

/// What a printing run saw.
#[derive(Debug, Default)]
pub struct RunSummary {
    pub packets: u64,
    /// Why the source stopped early, if it did.
    pub warning: Option<String>,
    /// The reader went away (closed pipe): stop quietly.
    pub closed_pipe: bool,
}

/// `wirepeek interfaces`.
pub fn interfaces(out: &mut dyn Write) -> Result<(), AppError> {
    let list = interfaces::list()?;
    interfaces::render(&list, out).map_err(AppError::Output)
}

/// `wirepeek capture`: frames from a live interface, printed or saved, until
/// `-c`, `--duration`, SIGINT/SIGTERM or a closed pipe. Prints tcpdump's
/// closing counts on standard error.
pub fn capture(args: &CaptureArgs, out: &mut dyn Write) -> Result<RunSummary, AppError> {
    // A bad filter is a usage error before any socket is opened.
    refuse_tshark_format(&args.output)?;
    let filter = parse_filter(&args.filter)?;
    let stop_flag = stop::install_stop_handlers();
    stop::ignore_sigpipe();
    let name = match &args.interface {
        Some(name) => name.clone(),
        None => interfaces::default_interface(&interfaces::list()?),
    };
    let mut source = LiveSource::open(
        &name,
        LiveOptions {
            snaplen: args.snaplen,
            ring_mib: args.buffer,
        },
    )?;
    check_link(&filter, source.link())?;
    let deadline = args
        .duration
        .map(|secs| Instant::now() + Duration::from_secs_f64(secs.max(0.0)));
    let stop = || stop_flag.load(Ordering::SeqCst) || deadline.is_some_and(|d| Instant::now() >= d);
    // Create the output file while we may still write anywhere, then give
    // up privileges before the first packet is touched. A path that cannot
    // be created is said before "listening on", as tcpdump does.
    let writer = match &args.write {
        Some(dest) => Some(open_writer(&source, args, dest)?),
        None => None,
    };
    eprintln!(
        "wirepeek: listening on {}, link-type {} ({}), snapshot length {} bytes",
        interfaces::escape_name(&name),
        source.link().0,
        source.link().name(),
        if args.snaplen == 0 {
            262144
        } else {
            args.snaplen
        }
    );
    privilege::drop_after_open(args.user.as_deref())?;
    let mut flows = FlowTable::new(flow_config(&args.output.limits, args.flows));
    let mut summary = match writer {
        Some(writer) => {
            let limits = SaveLimits {
                count: args.output.count,
                track_flows: args.flows,
            };
            save_frames(&mut source, limits, &filter, writer, &stop, &mut flows)?
        }
        None => print_packets(&mut source, &args.output, &filter, out, &stop, &mut flows)?,
    };
    if args.flows && !summary.closed_pipe {
        // With `-w -` standard output carries the capture file itself.
        let to_stdout = args.write.as_deref() != Some("-");
        let mut stderr = std::io::stderr();
        let sink: &mut dyn Write = if to_stdout { out } else { &mut stderr };
        if !print_flow_table(sink, flows, false, SortKey::Bytes, None)? {
            summary.closed_pipe = true;
        }
    }
    let stats = source.stats();
    // wirepeek has no queue of its own between the kernel ring and the
    // printer (one thread reads and prints), so it cannot drop: 0 is exact.
    eprintln!(
        "{} packets captured, {} dropped by the kernel, 0 dropped by wirepeek ({} received by the socket)",
        summary.packets, stats.kernel_dropped, stats.received
    );
    Ok(summary)
}

/// Create the capture file (or stdout for `-`) and write its header.
fn open_writer(
    source: &LiveSource,
    args: &CaptureArgs,
    dest: &str,
) -> Result<CaptureWriter, AppError> {
    let sink = create_output(dest)?;
    let format = if args.pcapng {
        SaveFormat::PcapNg
    } else {
        SaveFormat::Pcap
    };
    let interface = SavedInterface {
        iface: source.ifindex(),
        link: source.link(),
        name: Some(source.interface().to_string()),
    };
    Ok(CaptureWriter::create(
        sink,
        dest,
        format,
        args.snaplen,
        &[interface],
    )?)
}

/// Write every frame to a capture file, flushing on each idle tick so a
/// kill loses at most one poll interval and a full disk is noticed early.
fn save_frames(
    source: &mut dyn FrameSource,
    limits: SaveLimits,
    filter: &Filter,
    mut writer: CaptureWriter,
    stop: &dyn Fn() -> bool,
    flows: &mut FlowTable,
) -> Result<RunSummary, AppError> {
    let mut d = Dissection::default();
    let mut summary = RunSummary::default();
    let result = (|| -> Result<(), CaptureError> {
        loop {
            if limits.count.is_some_and(|c| summary.packets >= c) || stop() {
                return Ok(());
            }
            match source.next_frame()? {
                Next::Frame(frame) => {
                    if !filter.matches_frame(&frame) {
                        continue;
                    }
                    if filter.display.is_some() || limits.track_flows {
                        let detail = if filter.needs_fields() {
                            Detail::Fields
                        } else {
                            Detail::Layers
                        };
                        decode_into(&frame, detail, &mut d);
                        if filter
                            .display
                            .as_ref()
                            .is_some_and(|f| !f.matches(&frame, &d))
                        {
                            continue;
                        }
                        if limits.track_flows {
                            flows.ingest(&frame, &d);
                        }
                    }
                    writer.write(&frame)?;
                    summary.packets += 1;
                }
                Next::Idle => writer.flush()?,
                Next::End { warning } => {
                    summary.warning = warning;
                    return Ok(());
                }
            }
        }
    })();
    let finished = writer.finish();
    match result.and(finished.map(|_| ())) {
        Ok(()) => Ok(summary),
        Err(e) if is_broken_pipe(&e) => {
            summary.closed_pipe = true;
            Ok(summary)
        }
        Err(e) => Err(e.into()),
    }
}

/// When `save_frames` stops, and whether it feeds the flow table.
#[derive(Clone, Copy)]
struct SaveLimits {
    count: Option<u64>,
    track_flows: bool,
}

/// `wirepeek read`: print the packets, or with `-w` save those that pass
/// the filters (tcpdump -r IN -w OUT EXPR).
pub fn read(args: &ReadArgs, out: &mut dyn Write) -> Result<RunSummary, AppError> {
    refuse_tshark_format(&args.output)?;
    let (path, expression) = args.input();
    let filter = parse_filter(&FilterArgs {
        display: args.filter.display.clone(),
        expression: expression.into_iter().collect(),
    })?;
    let mut file = FileSource::open(path)?;
    for link in &file.info().link_types {
        check_link(&filter, *link)?;
    }
    let first_link = file.info().link_types.first().copied();
    let mut snapped = Snapped {
        inner: &mut file,
        snaplen: args.snaplen as usize,
    };
    let source: &mut dyn FrameSource = if args.snaplen > 0 {
        &mut snapped
    } else {
        snapped.inner
    };
    let mut flows = FlowTable::new(flow_config(&args.output.limits, false));
    let Some(dest) = &args.write else {
        return print_packets(source, &args.output, &filter, out, &|| false, &mut flows);
    };
    let format = if args.pcapng {
        SaveFormat::PcapNg
    } else {
        SaveFormat::Pcap
    };
    let interface = SavedInterface {
        iface: 0,
        link: first_link.unwrap_or(LinkType::ETHERNET),
        name: None,
    };
    let interfaces: &[SavedInterface] = if args.pcapng { &[] } else { &[interface] };
    let writer =
        CaptureWriter::create(create_output(dest)?, dest, format, args.snaplen, interfaces)?;
    let limits = SaveLimits {
        count: args.output.count,
        track_flows: false,
    };
    save_frames(source, limits, &filter, writer, &|| false, &mut flows)
}

/// A file source seen through a snapshot length, as tcpdump `-r -s N`: each
/// frame cut to `snaplen` bytes, its wire length kept.
struct Snapped<'a> {
    inner: &'a mut dyn FrameSource,
    snaplen: usize,
}

impl FrameSource for Snapped<'_> {
    fn next_frame(&mut self) -> Result<Next, CaptureError> {
        let mut next = self.inner.next_frame()?;
        if let Next::Frame(frame) = &mut next {
            frame.data.truncate(self.snaplen);
        }
        Ok(next)
    }
}

/// tshark's `-T FORMAT` has wirepeek equivalents; say which.
fn refuse_tshark_format(args: &OutputArgs) -> Result<(), AppError> {
    let Some(format) = &args.tshark_format else {
        return Ok(());
    };
    let instead = match format.as_str() {
        "fields" => {
            "--fields f1,f2,... (tshark's field names; -e is tcpdump's link-header flag here)"
        }
        "json" | "ek" | "jsonraw" => "--json (one object per packet)",
        "pdml" | "text" => "-v (every field with its byte range)",
        _ => "--fields, --json or -v",
    };
    Err(AppError::Usage(format!(
        "-T {format} is tshark's output flag; wirepeek uses {instead}"
    )))
}

/// Create FILE for writing, or standard output for `-`.
fn create_output(dest: &str) -> Result<Box<dyn Write>, AppError> {
    if dest == "-" {
        return Ok(Box::new(std::io::stdout()));
    }
    let file = std::fs::File::create(dest).map_err(|source| CaptureError::Io {
        path: dest.to_string(),
        source,
    })?;
    Ok(Box::new(file))
}

/// Parse the command line's filters; a bad one is a usage error (exit 2)
/// showing the expression with a caret under the problem.
pub fn parse_filter(args: &FilterArgs) -> Result<Filter, AppError> {
    if let Some(expr) = args.tcpdump() {
        Filter::parse(Some(&expr), None)
            .map_err(|e| AppError::Usage(format!("bad filter expression: {e}")))?;
    }
    if let Some(display) = &args.display {
        Filter::parse(None, Some(display))
            .map_err(|e| AppError::Usage(format!("bad display filter: {e}")))?;
    }
    Filter::parse(args.tcpdump().as_deref(), args.display.as_deref())
        .map_err(|e| AppError::Usage(format!("bad filter: {e}")))
}

fn check_link(filter: &Filter, link: LinkType) -> Result<(), AppError> {
    filter
        .check_link(link)
        .map_err(|e| AppError::Usage(format!("bad filter expression: {e}")))
}

/// The printer a set of output flags asks for.
enum Printer {
    Lines(LineOptions),
    Tree {
        hex: bool,
        line: LineOptions,
    },
    Hex(LineOptions),
    /// The line, then the bytes after the link header as text (tcpdump -A).
    Ascii(LineOptions),
    Json,
    Fields(FieldColumns),
    Stats(Box<Stats>),
    /// The teaching view, one lesson per packet (no conversation context:
    /// packets are explained as they arrive).
    Explain(Paint),
}

impl Printer {
    fn from_args(args: &OutputArgs) -> Printer {
        let time = if args.relative {
            TimeFormat::Relative
        } else if args.epoch {
            TimeFormat::Epoch
        } else {
            TimeFormat::from_tcpdump_count(args.tstamp).unwrap_or(TimeFormat::Absolute)
        };
        let line = LineOptions {
            time,
            link: args.link,
            quick: args.quick,
        };
        if args.explain {
            use std::io::IsTerminal;
            let on = args.color.enabled(
                std::io::stdout().is_terminal(),
                std::env::var_os("NO_COLOR").as_deref(),
            );
            Printer::Explain(Paint { on })
        } else if args.stats {
            Printer::Stats(Box::default())
        } else if let Some(list) = &args.fields {
            Printer::Fields(FieldColumns::new(list))
        } else if args.json {
            Printer::Json
        } else if args.verbose > 0 {
            Printer::Tree {
                hex: args.hex > 0,
                line,
            }
        } else if args.hex > 0 {
            Printer::Hex(line)
        } else if args.ascii {
            Printer::Ascii(line)
        } else {
            Printer::Lines(line)
        }
    }

    fn detail(&self) -> Detail {
        match self {
            Printer::Lines(_) | Printer::Hex(_) | Printer::Ascii(_) | Printer::Stats(_) => {
                Detail::Layers
            }
            Printer::Tree { .. } | Printer::Json | Printer::Fields(_) | Printer::Explain(_) => {
                Detail::Fields
            }
        }
    }

    /// Print one frame that passed the filters.
    fn print(
        &mut self,
        text: &mut String,
        frame: &FrameRecord,
        d: &Dissection,
        first: Option<Timestamp>,
    ) {
        match self {
            Printer::Lines(opts) => write_line(text, frame, d, *opts, first),
            Printer::Tree {
                hex: with_hex,
                line,
            } => {
                write_line(text, frame, d, *line, first);
                tree::write_tree(text, frame, d);
                if *with_hex {
                    hex::write_hex(text, frame, d);
                    text.push('\n');
                }
            }
            Printer::Hex(opts) => {
                write_line(text, frame, d, *opts, first);
                hex::write_hex(text, frame, d);
                hex::write_warnings(text, d);
            }
            Printer::Ascii(opts) => {
                write_line(text, frame, d, *opts, first);
                hex::write_ascii(text, frame, d);
            }
            Printer::Json => json::write_json(text, frame, d),
            Printer::Fields(columns) => columns.write_row(text, frame, d),
            Printer::Stats(stats) => stats.add(frame, d),
            Printer::Explain(paint) => {
                teach_out::write_lesson(text, &Lesson::build(frame, d, None), *paint);
                text.push('\n');
            }
        }
    }
}

/// Decode and print every frame `source` yields until it ends, `-c` is
/// reached or `stop()` says so. Output goes through one buffer, flushed in
/// large writes; a closed pipe ends the run quietly.
pub fn print_packets(
    source: &mut dyn FrameSource,
    args: &OutputArgs,
    filter: &Filter,
    out: &mut dyn Write,
    stop: &dyn Fn() -> bool,
    flows: &mut FlowTable,
) -> Result<RunSummary, AppError> {
    let mut printer = Printer::from_args(args);
    let mut text = String::with_capacity(FLUSH_AT + 64 * 1024);
    // Statistics need only the flow table's totals, nothing per packet
    // (unless a display filter asks for a stream index): the table can
    // then be kept on a second thread.
    let background = matches!(printer, Printer::Stats(_)) && filter.display.is_none();
    let mut summary = std::thread::scope(|scope| {
        let tracker = if args.no_flows {
            Tracker::Off
        } else if background {
            Tracker::Background(Background::start(scope, flows))
        } else {
            Tracker::Inline(flows)
        };
        print_loop(
            source,
            args,
            filter,
            out,
            stop,
            &mut printer,
            &mut text,
            tracker,
        )
    })?;
    if summary.closed_pipe {
        return Ok(summary);
    }
    if let Printer::Stats(stats) = &printer {
        stats.write(&mut text);
        stats.write_flows(&mut text, flows);
    }
    if !flush(out, &mut text, true)? {
        summary.closed_pipe = true;
    }
    Ok(summary)
}

/// Where a printing run's frames go to be tracked as flows.
enum Tracker<'a> {
    Off,
    /// In line, each frame's flow answers (stream index, relative numbers)
    /// known before it prints.
    Inline(&'a mut FlowTable),
    /// On the table's own thread: only the totals are wanted.
    Background(Background<'a>),
}

/// The frame loop of `print_packets`: read, filter, decode, track, print.
#[allow(clippy::too_many_arguments)]
fn print_loop(
    source: &mut dyn FrameSource,
    args: &OutputArgs,
    filter: &Filter,
    out: &mut dyn Write,
    stop: &dyn Fn() -> bool,
    printer: &mut Printer,
    text: &mut String,
    mut tracker: Tracker,
) -> Result<RunSummary, AppError> {
    let detail = if filter.needs_fields() {
        Detail::Fields
    } else {
        printer.detail()
    };
    let mut links_checked: Vec<LinkType> = Vec::new();
    let mut summary = RunSummary::default();
    let mut first: Option<Timestamp> = None;
    // tcpdump -ttt: each line's time is counted from the packet before it.
    let since_previous =
        TimeFormat::from_tcpdump_count(args.tstamp) == Some(TimeFormat::SincePrevious);
    let mut previous: Option<Timestamp> = None;
    if let Printer::Fields(columns) = &printer {
        columns.write_header(text);
    }
    let mut ahead = Lookahead::new(matches!(tracker, Tracker::Inline(_)));
    // `draining`: the source went idle, print what is held back and flush
    // before waiting. `ended`: the input is over (or stop() said so).
    let (mut draining, mut ended) = (false, false);
    loop {
        let staged = loop {
            if args.count.is_some_and(|c| summary.packets >= c) {
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
                if !flush(out, text, true)? {
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
                    continue;
                }
            }
            let mut d = ahead.dissection();
            decode_into(&frame, detail, &mut d);
            match &tracker {
                Tracker::Inline(flows) => ahead.push(Some(flows), frame, d),
                _ => ahead.push(None, frame, d),
            }
        };
        let Some(Staged {
            frame,
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
                    annotate(&mut d, &info, detail, args.absolute);
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
            if first.is_none() {
                first = frame.ts;
            }
            let reference = if since_previous {
                previous.or(frame.ts)
            } else {
                first
            };
            printer.print(text, &frame, &d, reference);
            previous = frame.ts;
        }
        ahead.recycle(d);
        let full = text.len() >= FLUSH_AT || (args.line_buffered && !text.is_empty());
        if full && !flush(out, text, args.line_buffered)? {
            summary.closed_pipe = true;
            return Ok(summary);
        }
    }
    if let Tracker::Background(table) = tracker {
        table.finish();
    }
    Ok(summary)
}

/// The flow table's limits from the command line.
fn flow_config(limits: &FlowLimitArgs, keep_finished: bool) -> FlowConfig {
    FlowConfig {
        idle_timeout_ns: limits
            .flow_timeout
            .filter(|s| *s > 0.0)
            .map(|s| (s * 1e9) as i64),
        max_flows: limits.max_flows,
        keep_finished,
    }
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
    match info.proto {
        TCP => {
            let stream = Value::UInt(u64::from(info.stream));
            d.push_generated(Proto::Tcp, "tcp.stream", "Stream index", stream);
            if let (Some(seq), Some(ack)) = (info.rel_seq, info.rel_ack) {
                let (seq, ack) = (Value::UInt(u64::from(seq)), Value::UInt(u64::from(ack)));
                d.push_generated(Proto::Tcp, "tcp.seq", "Sequence Number (relative)", seq);
                d.push_generated(
                    Proto::Tcp,
                    "tcp.ack",
                    "Acknowledgment Number (relative)",
                    ack,
                );
            }
        }
        UDP => {
            let stream = Value::UInt(u64::from(info.stream));
            d.push_generated(Proto::Udp, "udp.stream", "Stream index", stream);
        }
        _ => {}
    }
}

/// Write out the buffered text. Returns false when the reader has gone.
fn flush(out: &mut dyn Write, text: &mut String, to_device: bool) -> Result<bool, AppError> {
    let mut result = out.write_all(text.as_bytes());
    if result.is_ok() && to_device {
        result = out.flush();
    }
    text.clear();
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(AppError::Output(e)),
    }
}
