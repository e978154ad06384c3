//! `-v`: every layer as an indented tree, every field with its value and its
//! byte range in the frame (Wireshark's packet-details pane, as text).

use std::fmt::Write;

use crate::decode::{Dissection, Field, Origin, Proto, Severity};
use crate::frame::FrameRecord;

use super::value::write_tshark;

/// Append the tree for one packet, followed by a blank line.
pub fn write_tree(out: &mut String, frame: &FrameRecord, d: &Dissection) {
    for layer in &d.layers {
        if layer.proto == Proto::Frame {
            let _ = writeln!(
                out,
                "Frame {}: {} bytes on wire, {} bytes captured, link type {} ({})",
                frame.number,
                frame.orig_len,
                frame.data.len(),
                frame.link.0,
                frame.link.name()
            );
        } else {
            let _ = write!(
                out,
                "{}{}, bytes [{}..{})",
                layer.proto.title(),
                if layer.quoted {
                    " (quoted in ICMP error)"
                } else {
                    ""
                },
                layer.header.start,
                layer.header.end
            );
            source_name(out, d, layer.source);
            out.push('\n');
        }
        for field in d.fields_of(layer) {
            write_field(out, d, field, &frame.data);
        }
        let next_start = d
            .layers
            .iter()
            .skip_while(|l| !std::ptr::eq(*l, layer))
            .nth(1)
            .map(|l| l.header.start);
        // Notes carry frame offsets: layers of a reassembled source have none.
        let notes = if layer.source == 0 { &d.notes[..] } else { &[] };
        for note in notes.iter().filter(|n| {
            n.offset >= layer.header.start
                && next_start.is_none_or(|s| n.offset < s || layer.header.start == s)
        }) {
            let tag = match note.severity {
                Severity::Note => "note",
                Severity::Warn => "warning",
            };
            let _ = writeln!(out, "    [{tag}: {}]", note.message);
        }
    }
    out.push('\n');
}

/// ` of Reassembled IPv4 (8320 bytes)` after a range in a data source
/// other than the frame.
fn source_name(out: &mut String, d: &Dissection, source: u8) {
    if source != 0 {
        let bytes = d.data(source, &[]).len();
        let name = d
            .sources
            .get(usize::from(source) - 1)
            .map_or("data source", |s| s.name);
        let _ = write!(out, " of {name} ({bytes} bytes)");
    }
}

fn write_field(out: &mut String, d: &Dissection, field: &Field, frame: &[u8]) {
    let data = d.data(field.source, frame);
    for _ in 0..=field.depth {
        out.push_str("    ");
    }
    if field.origin == Origin::Generated {
        out.push('[');
    }
    out.push_str(field.name);
    out.push_str(": ");
    write_tshark(out, &field.value, data);
    if let Some(meaning) = &field.meaning {
        let _ = write!(out, " ({meaning})");
    }
    if field.origin == Origin::Generated {
        out.push(']');
    } else if field.mask != 0 {
        let _ = write!(
            out,
            "  {{{}, bytes {}..{}, mask {:#x}",
            field.key, field.bytes.start, field.bytes.end, field.mask
        );
        source_name(out, d, field.source);
        out.push('}');
    } else {
        let _ = write!(
            out,
            "  {{{}, bytes {}..{}",
            field.key, field.bytes.start, field.bytes.end
        );
        source_name(out, d, field.source);
        out.push('}');
    }
    out.push('\n');
}
