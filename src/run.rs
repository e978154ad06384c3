//! The non-interactive commands: each turns its command line into the
//! pipeline's configuration once (filters parsed, printer chosen, flow
//! settings), opens its source and runs `pipeline::run` into a printer or
//! the capture writer. Owns the commands, not the loop or the formats.

use std::io::Write;

use crate::capture::file::FileSource;
use crate::capture::save::{CaptureWriter, SaveFormat, SavedInterface};
use crate::capture::{CaptureError, FrameSource, Next, interfaces};
use crate::cli::{FilterArgs, FlowLimitArgs, OutputArgs, ReadArgs};
use crate::error::AppError;
use crate::filter::Filter;
use crate::flow::{FlowConfig, FlowTable};
use crate::frame::LinkType;
use crate::output::fields::{FieldColumns, Occurrence};
use crate::output::line::LineOptions;
use crate::output::teach::Paint;
use crate::output::time::TimeFormat;
use crate::pipeline::print::{PrintSink, Printer};
use crate::pipeline::save::SaveSink;
use crate::pipeline::{self, Settings, Track, check_link};

mod capture;
mod explain;
mod export;
mod flow_list;
mod follow;
mod quiz;
pub use follow::follow;

pub use crate::pipeline::RunSummary;
pub use capture::capture;
pub use explain::explain;
pub use export::export;
pub use flow_list::flows;
pub use quiz::quiz;

/// `wirepeek interfaces`.
pub fn interfaces(out: &mut dyn Write) -> Result<(), AppError> {
    let list = interfaces::list()?;
    interfaces::render(&list, out).map_err(AppError::Output)
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
    let save = Save {
        count: args.output.count,
        track_flows: false,
    };
    save_frames(source, save, &filter, writer, &|| false, &mut flows)
}

/// When `save_frames` stops, and whether it feeds the flow table.
#[derive(Clone, Copy)]
struct Save {
    count: Option<u64>,
    track_flows: bool,
}

/// Write every frame that passes the filters to a capture file.
fn save_frames(
    source: &mut dyn FrameSource,
    save: Save,
    filter: &Filter,
    writer: impl Into<crate::pipeline::save::Output>,
    stop: &dyn Fn() -> bool,
    flows: &mut FlowTable,
) -> Result<RunSummary, AppError> {
    let mut sink = SaveSink::new(writer);
    let settings = Settings {
        filter,
        count: save.count,
        absolute: false,
    };
    let track = if save.track_flows {
        Track::Inline(flows)
    } else {
        Track::Off
    };
    let result = pipeline::run(source, settings, track, &mut sink, stop);
    sink.finish(result)
}

/// The pipeline's reassembly setting from the command line's flags.
pub(crate) fn reassembly(args: &crate::cli::ReassemblyArgs) -> pipeline::Reassembly {
    if args.no_reassembly {
        return pipeline::Reassembly::Off;
    }
    pipeline::Reassembly::On(crate::stream::ip_defrag::DefragLimits {
        max_datagrams: args.max_fragment_datagrams as usize,
        max_bytes: args.max_fragment_bytes,
        timeout: None,
    })
}

/// Reassemble a flow table's TCP conversations (counting what each side's
/// reader got) within the command line's bounds, unless `--no-reassembly`.
pub(crate) fn reassemble_streams(args: &crate::cli::ReassemblyArgs, table: &mut FlowTable) {
    if !args.no_reassembly {
        table.reassemble_with(crate::stream::table::TableStreams::boxed(
            crate::stream::StreamLimits {
                per_direction: args.max_stream_bytes,
                total: args.max_reassembly_bytes,
            },
        ));
    }
}

/// Decode and print every frame `source` yields until it ends, `-c` is
/// reached or `stop()` says so, with the printer the output flags ask for.
fn print_packets(
    source: &mut dyn FrameSource,
    args: &OutputArgs,
    filter: &Filter,
    out: &mut dyn Write,
    stop: &dyn Fn() -> bool,
    flows: &mut FlowTable,
) -> Result<RunSummary, AppError> {
    let printer = printer(args)?;
    // Statistics need only the flow table's totals, nothing per packet
    // (unless a display filter asks for a stream index): the table can
    // then be kept on a second thread.
    if matches!(printer, Printer::Stats(_)) && !args.no_flows {
        reassemble_streams(&args.reassembly, flows);
    }
    let track = if args.no_flows {
        Track::Off
    } else if matches!(printer, Printer::Stats(_)) && filter.display.is_none() {
        Track::Background(flows)
    } else {
        Track::Inline(flows)
    };
    let since_previous =
        TimeFormat::from_tcpdump_count(args.tstamp) == Some(TimeFormat::SincePrevious);
    let mut sink = PrintSink::new(printer, out, since_previous, args.line_buffered);
    let settings = Settings {
        filter,
        count: args.count,
        absolute: args.absolute,
    };
    // The default line is tcpdump's, and tcpdump decodes one packet at a
    // time: a fragment's line names what its own bytes hold.
    let reassembly = if matches!(sink.printer, Printer::Lines(_) | Printer::Ascii(_)) {
        pipeline::Reassembly::Off
    } else {
        reassembly(&args.reassembly)
    };
    let mut summary = pipeline::run_with(source, settings, reassembly, track, &mut sink, stop)?;
    if !summary.closed_pipe && !sink.finish(flows)? {
        summary.closed_pipe = true;
    }
    Ok(summary)
}

/// The printer a set of output flags asks for; unknown `--fields` names and
/// a bad `--occurrence` are usage errors, as tshark's "Some fields aren't
/// valid".
fn printer(args: &OutputArgs) -> Result<Printer, AppError> {
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
    let printer = if args.explain {
        use std::io::IsTerminal;
        let on = args.color.enabled(
            std::io::stdout().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        );
        Printer::Explain(Paint { on })
    } else if args.stats {
        Printer::Stats(Box::default())
    } else if let Some(list) = &args.fields {
        let occurrence = match &args.occurrence {
            Some(text) => Occurrence::parse(text).map_err(AppError::Usage)?,
            None => Occurrence::All,
        };
        Printer::Fields(FieldColumns::parse(list, occurrence).map_err(AppError::Usage)?)
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
    };
    Ok(printer)
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

    crate::forward_to_inner!();
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

/// Parse the command line's filters once; a bad one is a usage error
/// (exit 2) showing the expression with a caret under the problem.
pub fn parse_filter(args: &FilterArgs) -> Result<Filter, AppError> {
    pipeline::parse_filter(args.tcpdump().as_deref(), args.display.as_deref())
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
