//! `--json`: one JSON object per packet (NDJSON), every layer and field with
//! its byte range. The schema is documented in README.md; keep them in step.

use std::fmt::Write;

use crate::decode::{Dissection, NoteKind, Origin, Proto, Severity, Value};
use crate::frame::{FrameRecord, Process};

use super::value::write_tshark;

/// Append one packet as a JSON object on one line.
pub fn write_json(out: &mut String, frame: &FrameRecord, d: &Dissection) {
    write_json_with(out, frame, d, None);
}

/// `write_json`, with the local process owning the packet's socket (live
/// captures) as a `process` object after the tuple; absent when unknown.
pub fn write_json_with(
    out: &mut String,
    frame: &FrameRecord,
    d: &Dissection,
    process: Option<&Process>,
) {
    let _ = write!(
        out,
        "{{\"frame\":{},\"len\":{},\"cap_len\":{},\"link_type\":{},\"interface\":{},\"ts\":",
        frame.number,
        frame.orig_len,
        frame.data.len(),
        frame.link.0,
        frame.iface
    );
    match frame.ts {
        Some(ts) => {
            let _ = write!(out, "\"{}.{:09}\"", ts.secs, ts.nanos);
        }
        None => out.push_str("null"),
    }
    out.push_str(",\"tuple\":");
    match &d.tuple {
        Some(t) => {
            let _ = write!(
                out,
                "{{\"proto\":\"{}\",\"src\":\"{}\",\"src_port\":{},\"dst\":\"{}\",\"dst_port\":{}}}",
                if t.protocol == 6 { "tcp" } else { "udp" },
                t.src,
                t.src_port,
                t.dst,
                t.dst_port
            );
        }
        None => out.push_str("null"),
    }
    if let Some(p) = process {
        write_process(out, p);
    }
    out.push_str(",\"layers\":[");
    let mut first_layer = true;
    for layer in d.layers.iter().filter(|l| l.proto != Proto::Frame) {
        if !first_layer {
            out.push(',');
        }
        first_layer = false;
        let _ = write!(
            out,
            "{{\"proto\":\"{}\",\"name\":\"{}\",\"bytes\":[{},{}],\"quoted\":{}",
            layer.proto.key(),
            layer.proto.title(),
            layer.header.start,
            layer.header.end,
            layer.quoted
        );
        if layer.source != 0 {
            // Ranges index that data source, not the frame (README: JSON).
            let _ = write!(out, ",\"source\":{}", layer.source);
        }
        out.push_str(",\"fields\":[");
        for (i, field) in d.fields_of(layer).iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let data = d.data(field.source, &frame.data);
            let _ = write!(out, "{{\"key\":\"{}\",\"name\":", field.key);
            string(out, field.name);
            out.push_str(",\"value\":");
            match &field.value {
                Value::UInt(v) => {
                    let _ = write!(out, "{v}");
                }
                Value::Bool(b) => {
                    let _ = write!(out, "{b}");
                }
                // Hex digits and plain numbers never need escaping.
                Value::Bytes(_) | Value::Hex(..) | Value::Ip(_) | Value::Mac(_) => {
                    out.push('"');
                    write_tshark(out, &field.value, data);
                    out.push('"');
                }
                other => {
                    let mut text = String::new();
                    write_tshark(&mut text, other, data);
                    string(out, &text);
                }
            }
            if let Some(meaning) = &field.meaning {
                out.push_str(",\"meaning\":");
                string(out, meaning);
            }
            if field.source != 0 {
                let _ = write!(
                    out,
                    ",\"source\":{},\"bytes\":[{},{}]",
                    field.source, field.bytes.start, field.bytes.end
                );
            }
            if field.origin == Origin::Generated {
                out.push_str(",\"generated\":true");
            } else {
                if field.source == 0 {
                    let _ = write!(
                        out,
                        ",\"bytes\":[{},{}]",
                        field.bytes.start, field.bytes.end
                    );
                }
                if field.mask != 0 {
                    let _ = write!(out, ",\"mask\":{}", field.mask);
                }
            }
            out.push('}');
        }
        out.push_str("]}");
    }
    out.push(']');
    if !d.sources.is_empty() {
        // Data sources besides the frame, numbered from 1 as the ranges'
        // "source" numbers them.
        out.push_str(",\"sources\":[");
        for (i, s) in d.sources.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{{\"name\":\"{}\",\"len\":{}}}", s.name, s.bytes.len());
        }
        out.push(']');
    }
    out.push_str(",\"notes\":[");
    for (i, note) in d.notes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let severity = match note.severity {
            Severity::Note => "note",
            Severity::Warn => "warning",
        };
        let kind = match note.kind {
            NoteKind::Truncated => "truncated",
            NoteKind::Malformed => "malformed",
            NoteKind::BadChecksum => "bad_checksum",
            NoteKind::Unsupported => "unsupported",
        };
        let _ = write!(
            out,
            "{{\"severity\":\"{severity}\",\"kind\":\"{kind}\",\"layer\":\"{}\",\"offset\":{},\"message\":",
            note.proto.key(),
            note.offset
        );
        string(out, &note.message);
        out.push('}');
    }
    out.push_str("]}\n");
}

/// `,"process":{"pid":…,"command":…,"user":…}`.
pub fn write_process(out: &mut String, p: &Process) {
    let _ = write!(out, ",\"process\":{{\"pid\":{},\"command\":", p.pid);
    string(out, &p.command);
    out.push_str(",\"user\":");
    string(out, &p.user);
    out.push('}');
}

/// A JSON string literal, escaped.
pub fn string(out: &mut String, s: &str) {
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
