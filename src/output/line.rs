//! tcpdump-style one line per packet: time, then the summary.

use crate::decode::summary::{LineStyle, tcpdump_line_styled};
use crate::decode::{Dissection, NoteKind, Proto, Severity};
use crate::frame::{FrameRecord, Timestamp};

use super::time::{TimeFormat, write_ts};

/// Options for the line printer.
#[derive(Clone, Copy, Debug)]
pub struct LineOptions {
    pub time: TimeFormat,
    /// Print the link-level header (tcpdump `-e`).
    pub link: bool,
    /// TCP as `tcp LEN` (tcpdump `-q`).
    pub quick: bool,
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
    if opts.time != TimeFormat::Omitted {
        out.push(' ');
    }
    let line_start = out.len();
    let style = LineStyle {
        link: opts.link,
        quick: opts.quick,
    };
    tcpdump_line_styled(frame, d, style, out);
    let already_marked = out[line_start..].contains("[|");
    // tcpdump's `[|proto]`: a header the capture cut short. (The frame-wide
    // snap-length note alone is not worth a marker on every line.)
    if let Some(note) = d.notes.iter().filter(|_| !already_marked).find(|n| {
        n.kind == NoteKind::Truncated
            && n.proto != Proto::Frame
            && !n.message.starts_with("frame is")
    }) {
        out.push_str(" [|");
        out.push_str(note.proto.key());
        out.push(']');
    }
    for note in d.notes.iter().filter(|n| n.severity == Severity::Warn) {
        out.push_str(" [warning: ");
        out.push_str(&note.message);
        out.push(']');
    }
    out.push('\n');
}
