//! tcpdump-style one line per packet: time, then the summary.

use std::fmt::Write;

use crate::decode::summary::{LineStyle, tcpdump_line_styled};
use crate::decode::{Dissection, NoteKind, Proto};
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
    if !opts.link {
        push_sll2_prefix(out, frame, d);
    }
    let line_start = out.len();
    let style = LineStyle {
        link: opts.link,
        quick: opts.quick,
    };
    tcpdump_line_styled(frame, d, style, out);
    // tcpdump's `[|proto]`: a header the capture cut short, unless the line
    // already says so. (The frame-wide snap-length note alone is not worth a
    // marker on every line.) Notes first: most frames have none, and the
    // search through the line is then never made.
    let cut = d.notes.iter().find(|n| {
        n.kind == NoteKind::Truncated
            && n.proto != Proto::Frame
            // A TLS or QUIC record cut by the segment's end is the norm
            // (tcpdump prints nothing of them); DNS and HTTP mark their own.
            && !matches!(
                n.proto,
                Proto::Tls | Proto::Quic | Proto::Http | Proto::Ssdp | Proto::Dns | Proto::Mdns
            )
            && !n.message.starts_with("frame is")
    });
    if let Some(note) = cut.filter(|_| !out[line_start..].contains("[|")) {
        out.push_str(" [|");
        out.push_str(note.proto.key());
        out.push(']');
    }
    // The line says what tcpdump's says, its own marks for damaged headers
    // included (`bad-len 20`, `[bad hdr length 40 - too long, > 24]`);
    // every note in full is in -v and --json. (A checksum the sending NIC
    // was to fill in, or a first fragment's transport length, are no
    // problems anyway.)
    out.push('\n');
}

/// tcpdump's `lo    In  ` before a Linux cooked v2 frame: the interface the
/// packet crossed (named by this host, as tcpdump does, `?` when it has no
/// such interface) and its direction.
fn push_sll2_prefix(out: &mut String, frame: &FrameRecord, d: &Dissection) {
    let Some(sll) = d.layers.iter().find(|l| l.proto != Proto::Frame) else {
        return;
    };
    if sll.proto != Proto::Sll2 {
        return;
    }
    let at = sll.header.start;
    let (Some(index), Some(&kind)) = (frame.data.get(at + 4..at + 8), frame.data.get(at + 10))
    else {
        return;
    };
    let index = u32::from_be_bytes([index[0], index[1], index[2], index[3]]);
    let direction = match kind {
        0 => "In".to_string(),
        1 => "B".to_string(),
        2 => "M".to_string(),
        3 => "P".to_string(),
        4 => "Out".to_string(),
        other => format!("Unknown ({other})"),
    };
    let name = interface_name(index);
    let _ = write!(out, "{name:<5} {direction:<3} ");
}

/// This host's name for interface `index`, remembered between packets.
fn interface_name(index: u32) -> String {
    thread_local! {
        static LAST: std::cell::RefCell<Option<(u32, String)>> = const { std::cell::RefCell::new(None) };
    }
    LAST.with(|last| {
        if let Some((_, name)) = last
            .borrow()
            .as_ref()
            .filter(|(cached, _)| *cached == index)
        {
            return name.clone();
        }
        let mut buf = [0 as libc::c_char; libc::IF_NAMESIZE];
        // SAFETY: buf holds IF_NAMESIZE bytes, as if_indextoname requires;
        // on success it writes a NUL-terminated name into it.
        let found = unsafe { !libc::if_indextoname(index, buf.as_mut_ptr()).is_null() };
        let name = if found {
            // SAFETY: if_indextoname succeeded, so buf is NUL-terminated.
            let raw = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
            raw.to_string_lossy()
                .chars()
                .flat_map(char::escape_default)
                .collect()
        } else {
            "?".to_string()
        };
        *last.borrow_mut() = Some((index, name.clone()));
        name
    })
}
