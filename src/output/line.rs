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
    let first_fragment = is_first_fragment(frame, d);
    for note in d.notes.iter().filter(|n| n.severity == Severity::Warn) {
        // Not problems on a line: a checksum the sending NIC was to fill in
        // (tcpdump says "bad cksum" only with -v, as our -v tree does), and
        // a first fragment's transport length, which counts bytes that
        // later fragments carry.
        let offloaded = note.kind == NoteKind::BadChecksum;
        let fragment_length = first_fragment
            && note.kind == NoteKind::Malformed
            && matches!(note.proto, Proto::Tcp | Proto::Udp);
        if offloaded || fragment_length {
            continue;
        }
        out.push_str(" [warning: ");
        out.push_str(&note.message);
        out.push(']');
    }
    out.push('\n');
}

/// True when the packet is the first fragment of a larger IP datagram
/// (more fragments follow, offset 0).
fn is_first_fragment(frame: &FrameRecord, d: &Dissection) -> bool {
    let data = &frame.data[..];
    let word = |at: usize| {
        data.get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
    };
    d.layers.iter().any(|l| match l.proto {
        Proto::Ipv4 => word(l.header.start + 6).is_some_and(|v| v & 0x2000 != 0 && v & 0x1fff == 0),
        Proto::Ipv6Fragment => {
            word(l.header.start + 2).is_some_and(|v| v & 1 != 0 && v & 0xfff8 == 0)
        }
        _ => false,
    })
}
