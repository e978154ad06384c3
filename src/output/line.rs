//! tcpdump-style one line per packet: time, then the summary.

use crate::decode::Dissection;
use crate::decode::summary::tcpdump_line;
use crate::frame::{FrameRecord, Timestamp};

use super::time::{TimeFormat, write_ts};

/// Options for the line printer.
#[derive(Clone, Copy, Debug)]
pub struct LineOptions {
    pub time: TimeFormat,
    /// Print the link-level header (tcpdump `-e`).
    pub link: bool,
}

/// Append one packet's line (with a trailing newline).
pub fn write_line(
    out: &mut String,
    frame: &FrameRecord,
    d: &Dissection,
    opts: LineOptions,
    first: Option<Timestamp>,
) {
    write_ts(out, frame.ts, frame.precision, opts.time, first);
    out.push(' ');
    tcpdump_line(frame, d, opts.link, out);
    for note in d
        .notes
        .iter()
        .filter(|n| n.severity == crate::decode::Severity::Warn)
    {
        out.push_str(" [");
        out.push_str(&note.message);
        out.push(']');
    }
    out.push('\n');
}
