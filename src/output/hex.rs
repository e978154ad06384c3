//! `-x`: hex and ASCII of the frame, one block per layer so every layer
//! boundary is visible, with offsets from the start of the frame (and of
//! each reassembled data source after it).

use std::fmt::Write;

use crate::decode::{Dissection, Proto};
use crate::frame::FrameRecord;

/// Append the hex dump of one frame, then of each other data source (a
/// reassembled datagram, as tshark -x prints "Reassembled IPv4 (N bytes)"),
/// each with offsets from its own start.
pub fn write_hex(out: &mut String, frame: &FrameRecord, d: &Dissection) {
    dump(out, d, 0, &frame.data);
    for (i, s) in d.sources.iter().enumerate() {
        let _ = writeln!(out, "\t{} ({} bytes):", s.name, s.bytes.len());
        dump(out, d, (i + 1).min(usize::from(u8::MAX)) as u8, &s.bytes);
    }
}

/// The blocks of one data source: a block per layer whose bytes it holds.
fn dump(out: &mut String, d: &Dissection, source: u8, data: &[u8]) {
    let mut covered = 0;
    for layer in d
        .layers
        .iter()
        .filter(|l| l.proto != Proto::Frame && l.source == source)
    {
        let range = layer.header.start.max(covered)..layer.header.end.min(data.len());
        if range.start > covered {
            block(out, "(not decoded)", covered..range.start, data);
        }
        if range.start < range.end {
            block(out, layer.proto.short(), range.clone(), data);
            covered = range.end;
        }
    }
    if covered < data.len() {
        block(out, "(not decoded)", covered..data.len(), data);
    }
}

/// Append the frame's warnings under its dump (the line, being tcpdump's,
/// carries only tcpdump's own marks): `\t-- warning: ...`.
pub fn write_warnings(out: &mut String, d: &Dissection) {
    for note in d
        .notes
        .iter()
        .filter(|n| n.severity == crate::decode::Severity::Warn)
    {
        let _ = writeln!(out, "\t-- warning: {}", note.message);
    }
}

/// Append the frame's bytes after its link-layer header as text, as
/// tcpdump -A does: printable ASCII, space, tab and newline as they are, a CR
/// before a newline dropped, anything else as `.`.
pub fn write_ascii(out: &mut String, frame: &FrameRecord, d: &Dissection) {
    let data = &frame.data[..];
    let start = d
        .layers
        .iter()
        .find(|l| {
            !matches!(
                l.proto,
                Proto::Frame
                    | Proto::Ethernet
                    | Proto::Vlan
                    | Proto::Ieee8021ad
                    | Proto::Sll
                    | Proto::Sll2
                    | Proto::Null
                    | Proto::Mpls
            )
        })
        .map_or(data.len(), |l| l.header.start.min(data.len()));
    let bytes = &data[start..];
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
            b' ' | b'\t' | b'\n' | 0x21..=0x7e => out.push(char::from(b)),
            _ => out.push('.'),
        }
    }
    out.push('\n');
}

fn block(out: &mut String, name: &str, range: std::ops::Range<usize>, data: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let _ = writeln!(
        out,
        "\t-- {name} [{}..{}), {} bytes",
        range.start,
        range.end,
        range.len()
    );
    let mut row = range.start - range.start % 16;
    let mut ascii = String::with_capacity(16);
    while row < range.end {
        out.push_str("\t0x");
        for shift in [12, 8, 4, 0] {
            out.push(HEX[(row >> shift) & 15] as char);
        }
        out.push_str(":  ");
        ascii.clear();
        for i in row..row + 16 {
            if let Some(&b) = data.get(i).filter(|_| range.contains(&i)) {
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
                ascii.push(if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                });
            } else {
                out.push_str("  ");
                ascii.push(' ');
            }
            if i % 2 == 1 {
                out.push(' ');
            }
        }
        out.push(' ');
        out.push_str(&ascii);
        out.push('\n');
        row += 16;
    }
}
