//! The model's own consistency rules, stated once for the property test
//! (`tests/field_ranges.rs`) and the fuzz targets (`fuzz/`): layers follow
//! one another without overlapping and lie inside the captured bytes; every
//! wire field lies inside its layer's header; re-reading a field's bytes
//! (through its mask) gives back the value shown; the connection tuple
//! points at its transport layer. Returns descriptions of what is broken;
//! never prints.

use std::net::IpAddr;
use std::ops::Range;

use super::{Dissection, Field, Origin, Proto, Value};

/// Everything wrong with `d` as a dissection of `data`; empty when it holds.
/// `checked` counts the wire fields looked at.
pub fn problems(d: &Dissection, data: &[u8], checked: &mut usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut prev_end = 0;
    let mut prev = Proto::Frame;
    for layer in d.layers.iter().filter(|l| l.proto != Proto::Frame) {
        let h = &layer.header;
        if h.start < prev_end {
            out.push(format!(
                "{:?} header {h:?} starts before the end {prev_end} of {prev:?}",
                layer.proto
            ));
        }
        if h.start > h.end || h.end > data.len() {
            out.push(format!(
                "{:?} header {h:?} is not within the {} captured bytes",
                layer.proto,
                data.len()
            ));
        }
        if layer.fields.start > layer.fields.end || layer.fields.end > d.fields.len() {
            out.push(format!(
                "{:?} field index range {:?} is out of bounds",
                layer.proto, layer.fields
            ));
            continue;
        }
        prev_end = prev_end.max(h.end);
        prev = layer.proto;
        for f in d
            .fields_of(layer)
            .iter()
            .filter(|f| f.origin == Origin::Wire)
        {
            *checked += 1;
            if let Some(why) = check_field(f, h, data) {
                out.push(format!("{:?} field {}: {why}", layer.proto, f.key));
            }
        }
    }
    // The connection's transport header is the first unquoted TCP/UDP
    // layer's, and a TCP segment ends where that layer's PDU does (flow
    // tracking reads them from the tuple).
    if let Some(t) = d.tuple {
        let tcp = t.protocol == 6;
        let proto = if tcp { Proto::Tcp } else { Proto::Udp };
        match d.layers.iter().find(|l| l.proto == proto && !l.quoted) {
            Some(l) if l.header.start == t.header_at && (!tcp || l.pdu.end == t.pdu_end) => {}
            found => out.push(format!(
                "tuple header {}..{} is not the {proto:?} layer's {:?}",
                t.header_at,
                t.pdu_end,
                found.map(|l| (l.header.start, l.pdu.end))
            )),
        }
    }
    out
}

/// Fields whose value is deliberately not the masked bits of their bytes,
/// and how to get it from those bits instead.
fn derived(key: &str, bits: u64, bytes: &[u8]) -> Option<u64> {
    // IHL and the TCP data offset count 4-byte words; like tshark we show
    // the header length in bytes. The mask names the nibble.
    if key == super::ipv4::HDR_LEN.key || key == super::tcp::HDR_LEN.key {
        return Some(bits * 4);
    }
    // DLT_NULL's family is in the capturing host's byte order, which the
    // file does not record; the decoder takes whichever reading is small.
    if key == super::null::FAMILY.key {
        let le = bytes.iter().rev().fold(0u64, |a, b| (a << 8) | *b as u64);
        return Some(if bits <= 0xffff { bits } else { le });
    }
    // DHCPv6's elapsed time counts hundredths of a second (RFC 8415
    // §21.9); tshark shows milliseconds.
    if key == super::dhcpv6::ELAPSED.key {
        return Some(bits * 10);
    }
    // HTTP's status code is three ASCII digits (RFC 9112 §4).
    if key == super::http::RESPONSE_CODE.key {
        return std::str::from_utf8(bytes).ok()?.parse().ok();
    }
    None
}

fn big_endian(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |a, b| (a << 8) | *b as u64)
}

/// What is wrong with one wire field of a layer whose header is `header`.
fn check_field(f: &Field, header: &Range<usize>, data: &[u8]) -> Option<String> {
    let r = &f.bytes;
    if r.start >= r.end || r.end > data.len() {
        return Some(format!(
            "bytes {r:?} empty or past the {} captured",
            data.len()
        ));
    }
    if r.start < header.start || r.end > header.end {
        return Some(format!("bytes {r:?} outside its layer's header {header:?}"));
    }
    let bytes = &data[r.clone()];
    let reread = |mask: u64| {
        let raw = big_endian(bytes);
        let bits = if mask == 0 {
            raw
        } else {
            (raw & mask) >> mask.trailing_zeros()
        };
        derived(f.key, bits, bytes).unwrap_or(bits)
    };
    let ok = match &f.value {
        // DLT_LOOP stores the family big-endian, DLT_NULL in host order:
        // either reading of the same bytes is right for one of them.
        Value::UInt(v) if f.key == super::null::FAMILY.key => {
            reread(0) == *v || big_endian(bytes) == *v
        }
        Value::UInt(v) | Value::Hex(v, _) => reread(f.mask) == *v,
        Value::Bool(b) => (reread(f.mask) != 0) == *b,
        Value::Mac(m) => bytes == m,
        Value::Ip(IpAddr::V4(a)) => bytes == a.octets(),
        Value::Ip(IpAddr::V6(a)) => bytes == a.octets(),
        Value::Bytes(range) => range == r,
        Value::Text(_) => true,
    };
    (!ok).then(|| format!("value {:?} is not what bytes {bytes:02x?} say", f.value))
}
