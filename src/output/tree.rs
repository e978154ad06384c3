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
            let _ = writeln!(
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
        }
        for field in d.fields_of(layer) {
            write_field(out, field, &frame.data);
        }
        let next_start = d
            .layers
            .iter()
            .skip_while(|l| !std::ptr::eq(*l, layer))
            .nth(1)
            .map(|l| l.header.start);
        for note in d.notes.iter().filter(|n| {
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

fn write_field(out: &mut String, field: &Field, data: &[u8]) {
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
            "  {{{}, bytes {}..{}, mask {:#x}}}",
            field.key, field.bytes.start, field.bytes.end, field.mask
        );
    } else {
        let _ = write!(
            out,
            "  {{{}, bytes {}..{}}}",
            field.key, field.bytes.start, field.bytes.end
        );
    }
    out.push('\n');
}
