//! Drives the non-interactive commands: frames from a source, through the
//! decoder, to the chosen printer. Owns the loop, not the formats.

use std::io::Write;

use crate::capture::file::FileSource;
use crate::capture::{FrameSource, Next};
use crate::cli::{FilterArgs, OutputArgs, ReadArgs};
use crate::decode::{Detail, Dissection, decode_into};
use crate::error::AppError;
use crate::filter::Filter;
use crate::frame::{LinkType, Timestamp};
use crate::output::fields::FieldColumns;
use crate::output::line::{LineOptions, write_line};
use crate::output::stats::Stats;
use crate::output::time::TimeFormat;
use crate::output::{hex, json, tree};

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

/// `wirepeek read`.
pub fn read(args: &ReadArgs, out: &mut dyn Write) -> Result<RunSummary, AppError> {
    let filter = parse_filter(&args.filter)?;
    let mut source = FileSource::open(&args.file)?;
    for link in &source.info().link_types {
        check_link(&filter, *link)?;
    }
    print_filtered(&mut source, &args.output, &filter, out, &|| false)
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
    Tree { hex: bool, line: LineOptions },
    Hex(LineOptions),
    Json,
    Fields(FieldColumns),
    Stats(Box<Stats>),
}

impl Printer {
    fn from_args(args: &OutputArgs) -> Printer {
        let time = if args.relative {
            TimeFormat::Relative
        } else if args.epoch {
            TimeFormat::Epoch
        } else {
            TimeFormat::Absolute
        };
        let line = LineOptions {
            time,
            link: args.link,
        };
        if args.stats {
            Printer::Stats(Box::default())
        } else if let Some(list) = &args.fields {
            Printer::Fields(FieldColumns::new(list))
        } else if args.json {
            Printer::Json
        } else if args.verbose {
            Printer::Tree {
                hex: args.hex,
                line,
            }
        } else if args.hex {
            Printer::Hex(line)
        } else {
            Printer::Lines(line)
        }
    }

    fn detail(&self) -> Detail {
        match self {
            Printer::Lines(_) | Printer::Hex(_) | Printer::Stats(_) => Detail::Layers,
            Printer::Tree { .. } | Printer::Json | Printer::Fields(_) => Detail::Fields,
        }
    }
}

/// Decode and print every frame `source` yields until it ends, `-c` is
/// reached or `stop()` says so. Output goes through one buffer, flushed in
/// large writes; a closed pipe ends the run quietly.
pub fn print_packets(
    source: &mut dyn FrameSource,
    args: &OutputArgs,
    out: &mut dyn Write,
    stop: &dyn Fn() -> bool,
) -> Result<RunSummary, AppError> {
    print_filtered(source, args, &Filter::default(), out, stop)
}

/// As `print_packets`, keeping only the frames `filter` accepts; `-c`
/// counts kept frames, and frame numbers stay the source's numbers.
pub fn print_filtered(
    source: &mut dyn FrameSource,
    args: &OutputArgs,
    filter: &Filter,
    out: &mut dyn Write,
    stop: &dyn Fn() -> bool,
) -> Result<RunSummary, AppError> {
    let mut printer = Printer::from_args(args);
    let detail = if filter.needs_fields() {
        Detail::Fields
    } else {
        printer.detail()
    };
    let mut links_checked: Vec<LinkType> = Vec::new();
    let mut summary = RunSummary::default();
    let mut text = String::with_capacity(FLUSH_AT + 64 * 1024);
    let mut d = Dissection::default();
    let mut first: Option<Timestamp> = None;
    if let Printer::Fields(columns) = &printer {
        columns.write_header(&mut text);
    }
    loop {
        if args.count.is_some_and(|c| summary.packets >= c) || stop() {
            break;
        }
        let frame = match source.next_frame()? {
            Next::Frame(frame) => frame,
            Next::Idle => {
                if !flush(out, &mut text, true)? {
                    summary.closed_pipe = true;
                    return Ok(summary);
                }
                continue;
            }
            Next::End { warning } => {
                summary.warning = warning;
                break;
            }
        };
        if !filter.is_empty() {
            if !links_checked.contains(&frame.link) {
                check_link(filter, frame.link)?;
                links_checked.push(frame.link);
            }
            // tcpdump expressions read bytes: reject before decoding.
            if !filter.matches_frame(&frame) {
                continue;
            }
        }
        if first.is_none() {
            first = frame.ts;
        }
        decode_into(&frame, detail, &mut d);
        if filter
            .display
            .as_ref()
            .is_some_and(|f| !f.matches(&frame, &d))
        {
            continue;
        }
        summary.packets += 1;
        match &mut printer {
            Printer::Lines(opts) => write_line(&mut text, &frame, &d, *opts, first),
            Printer::Tree {
                hex: with_hex,
                line,
            } => {
                write_line(&mut text, &frame, &d, *line, first);
                tree::write_tree(&mut text, &frame, &d);
                if *with_hex {
                    hex::write_hex(&mut text, &frame, &d);
                    text.push('\n');
                }
            }
            Printer::Hex(opts) => {
                write_line(&mut text, &frame, &d, *opts, first);
                hex::write_hex(&mut text, &frame, &d);
            }
            Printer::Json => json::write_json(&mut text, &frame, &d),
            Printer::Fields(columns) => columns.write_row(&mut text, &frame, &d),
            Printer::Stats(stats) => stats.add(&frame, &d),
        }
        if text.len() >= FLUSH_AT && !flush(out, &mut text, false)? {
            summary.closed_pipe = true;
            return Ok(summary);
        }
    }
    if let Printer::Stats(stats) = &printer {
        stats.write(&mut text);
    }
    if !flush(out, &mut text, true)? {
        summary.closed_pipe = true;
    }
    Ok(summary)
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
