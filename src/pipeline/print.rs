//! The printers as a sink: each frame that passed the filters is written
//! into one text buffer, flushed in large writes (or per packet with
//! `--line-buffered`); a closed pipe ends the run quietly.

use std::io::Write;

use super::Sink;
use crate::decode::{Detail, Dissection};
use crate::error::AppError;
use crate::frame::{FrameRecord, Process, Timestamp};
use crate::output::fields::FieldColumns;
use crate::output::line::{LineOptions, write_line};
use crate::output::stats::Stats;
use crate::output::teach::{self as teach_out, Paint};
use crate::output::{hex, json, tree};
use crate::teach::Lesson;

/// Flush the text buffer to the writer once it holds this much.
pub const FLUSH_AT: usize = 256 * 1024;

/// The printer a set of output flags asks for, chosen once per command.
pub enum Printer {
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

    /// Print one frame that passed the filters (inlined into the loop, as
    /// it was when the loop lived beside it).
    #[inline(always)]
    fn print(
        &mut self,
        text: &mut String,
        frame: &FrameRecord,
        d: &Dissection,
        first: Option<Timestamp>,
        process: Option<&Process>,
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
            Printer::Json => json::write_json_with(text, frame, d, process),
            Printer::Fields(columns) => columns.write_row(text, frame, d),
            Printer::Stats(stats) => stats.add(frame, d),
            Printer::Explain(paint) => {
                teach_out::write_lesson(text, &Lesson::build(frame, d, None), *paint);
                text.push('\n');
            }
        }
    }
}

/// A printer writing to `out` through one buffer.
pub struct PrintSink<'o> {
    pub printer: Printer,
    out: &'o mut dyn Write,
    text: String,
    /// tcpdump -ttt: each line's time is counted from the packet before it.
    since_previous: bool,
    line_buffered: bool,
    first: Option<Timestamp>,
    previous: Option<Timestamp>,
    /// The next frame's process, when attribution is on (`process`).
    process: Option<std::sync::Arc<Process>>,
    /// `--fields`: the only fields the columns read.
    wanted: Option<std::sync::Arc<crate::decode::want::Wanted>>,
}

impl<'o> PrintSink<'o> {
    pub fn new(
        printer: Printer,
        out: &'o mut dyn Write,
        since_previous: bool,
        line_buffered: bool,
    ) -> PrintSink<'o> {
        let mut text = String::with_capacity(FLUSH_AT + 64 * 1024);
        let mut wanted = None;
        if let Printer::Fields(columns) = &printer {
            columns.write_header(&mut text);
            wanted = Some(std::sync::Arc::new(columns.wanted()));
        }
        PrintSink {
            printer,
            out,
            text,
            since_previous,
            line_buffered,
            first: None,
            previous: None,
            process: None,
            wanted,
        }
    }

    /// The statistics printer's report, when that is the printer, then
    /// everything buffered, flushed. Returns false when the reader has gone.
    pub fn finish(&mut self, flows: &crate::flow::FlowTable) -> Result<bool, AppError> {
        if let Printer::Stats(stats) = &self.printer {
            stats.write(&mut self.text);
            stats.write_flows(&mut self.text, flows);
        }
        flush(self.out, &mut self.text, true)
    }
}

impl Sink for PrintSink<'_> {
    fn detail(&self) -> Option<Detail> {
        Some(self.printer.detail())
    }

    fn wanted(&self) -> Option<std::sync::Arc<crate::decode::want::Wanted>> {
        self.wanted.clone()
    }

    // Inlined into the loop: the per-frame path of every printer.
    #[inline(always)]
    fn frame(&mut self, frame: &mut FrameRecord, d: &Dissection) -> Result<bool, AppError> {
        if self.first.is_none() {
            self.first = frame.ts;
        }
        let reference = if self.since_previous {
            self.previous.or(frame.ts)
        } else {
            self.first
        };
        let process = self.process.as_deref();
        self.printer
            .print(&mut self.text, frame, d, reference, process);
        self.previous = frame.ts;
        let full = self.text.len() >= FLUSH_AT || (self.line_buffered && !self.text.is_empty());
        if full {
            return flush(self.out, &mut self.text, self.line_buffered);
        }
        Ok(true)
    }

    fn hidden(&mut self, frame: &FrameRecord) {
        if let Printer::Fields(columns) = &mut self.printer {
            columns.see(frame);
        }
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        flush(self.out, &mut self.text, true)
    }
}

impl super::process::Annotate for PrintSink<'_> {
    fn set_process(&mut self, process: Option<std::sync::Arc<Process>>) {
        self.process = process;
    }
}

/// Write out the buffered text. Returns false when the reader has gone.
pub fn flush(out: &mut dyn Write, text: &mut String, to_device: bool) -> Result<bool, AppError> {
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
