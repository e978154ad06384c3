//! tcpdump's IGMP words (print-igmp.c): `igmp query v3`, `igmp v2 report
//! 224.0.0.251`, `igmp v3 report, 2 group record(s)`.

use std::fmt::Write;

use super::super::{Layer, igmp};
use super::ipv4;

pub(super) fn line(data: &[u8], layer: &Layer, out: &mut String) {
    let s = layer.header.start;
    let len = layer.pdu.len();
    let Some(&kind) = data.get(s) else {
        out.push_str(" [|igmp]");
        return;
    };
    let group = data.get(s + 4..s + 8).map(ipv4);
    let group = group.as_deref().unwrap_or("");
    match kind {
        igmp::QUERY => {
            if len >= 12 {
                out.push_str("igmp query v3");
                v3_query(data, s, len, out);
                return;
            }
            let code = data.get(s + 1).copied().unwrap_or(0);
            if code == 0 {
                out.push_str("igmp query v1");
            } else {
                out.push_str("igmp query v2");
                if code != 100 {
                    let _ = write!(out, " [max resp time {code}]");
                }
            }
            if group != "0.0.0.0" && !group.is_empty() {
                let _ = write!(out, " [gaddr {group}]");
            }
            if len != 8 {
                let _ = write!(out, " [len {len}]");
            }
        }
        igmp::V1_REPORT => {
            let _ = write!(out, "igmp v1 report {group}");
            if len != 8 {
                let _ = write!(out, " [len {len}]");
            }
        }
        igmp::V2_REPORT => {
            let _ = write!(out, "igmp v2 report {group}");
        }
        igmp::V2_LEAVE => {
            let _ = write!(out, "igmp leave {group}");
        }
        igmp::V3_REPORT => {
            let n = super::be16(data, s + 6).unwrap_or(0);
            let _ = write!(out, "igmp v3 report, {n} group record(s)");
        }
        _ => {
            let _ = write!(out, "igmp-{kind}");
        }
    }
}

/// tcpdump's non-verbose v3 query details: the max response time when it
/// is not the default 10 s, the group, and how many sources.
fn v3_query(data: &[u8], s: usize, len: usize, out: &mut String) {
    let code = data.get(s + 1).copied().unwrap_or(0);
    let tenths = igmp::max_resp_tenths(code);
    // tcpdump compares the code, not the time, with the default 100.
    if code != 100 {
        out.push_str(" [max resp time ");
        if tenths < 600 {
            let _ = write!(out, "{}.{}s", tenths / 10, tenths % 10);
        } else {
            push_relts(out, tenths / 10);
        }
        out.push(']');
    }
    let group = data.get(s + 4..s + 8).map(ipv4).unwrap_or_default();
    let sources = super::be16(data, s + 10).unwrap_or(0);
    if group == "0.0.0.0" {
        return;
    }
    let _ = write!(out, " [gaddr {group}");
    if sources > 0 {
        let _ = write!(out, ", {sources} source(s)");
    }
    out.push(']');
    let _ = len;
}

/// tcpdump's `unsigned_relts_print`: `51m12s`, `1h2m3s`.
fn push_relts(out: &mut String, mut secs: u32) {
    if secs == 0 {
        out.push_str("0s");
        return;
    }
    for (unit, size) in [
        ("y", 31_536_000),
        ("w", 604_800),
        ("d", 86_400),
        ("h", 3_600),
        ("m", 60),
        ("s", 1),
    ] {
        if secs >= size {
            let _ = write!(out, "{}{unit}", secs / size);
            secs %= size;
        }
    }
}
