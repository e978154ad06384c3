//! tcpdump's words for 802.2 LLC frames (print-llc.c, print-stp.c): the
//! spanning tree's `STP 802.1d, Config, Flags [none], bridge-id
//! 8001.aa:bb:cc:00:03:00.8002, length 35`, and the packet inside SNAP
//! with OUI 0 printed as if it came by EtherType.

use std::fmt::Write;

use super::super::{Dissection, Proto};
use super::{LineStyle, be16, line_from};
use crate::frame::FrameRecord;

pub(super) fn line(
    frame: &FrameRecord,
    d: &Dissection,
    i: usize,
    style: LineStyle,
    out: &mut String,
) {
    let data = &frame.data[..];
    let llc = &d.layers[i];
    match d.layers.get(i + 1).map(|l| (l.proto, l)) {
        Some((Proto::Stp, stp)) => {
            let (s, length) = (stp.header.start, stp.pdu.len());
            stp_words(data, s, length, out);
        }
        Some((Proto::Payload | Proto::Trailer, _)) | None => {
            let s = llc.header.start;
            let (dsap, ssap) = (data.get(s).copied(), data.get(s + 1).copied());
            if llc.header.len() >= 8 {
                let oui = data
                    .get(s + 3..s + 6)
                    .map_or(0, |b| u32::from_be_bytes([0, b[0], b[1], b[2]]));
                let pid = be16(data, s + 6).unwrap_or(0);
                let _ = write!(
                    out,
                    "SNAP frame with OUI {oui:#08x} and protocol ID {pid:#06x} is not decoded, length {}",
                    frame.orig_len
                );
            } else {
                let _ = write!(
                    out,
                    "802.2 LLC frame with DSAP {:#04x} and SSAP {:#04x} is not decoded, length {}",
                    dsap.unwrap_or(0),
                    ssap.unwrap_or(0),
                    frame.orig_len
                );
            }
        }
        Some(_) => line_from(frame, d, i + 1, style, out),
    }
}

/// print-stp.c's words for the BPDU at `s`, `length` bytes by the LLC.
fn stp_words(data: &[u8], s: usize, length: usize, out: &mut String) {
    let Some(protocol) = be16(data, s) else {
        out.push_str("[|stp]");
        return;
    };
    if protocol != 0 {
        let _ = write!(out, "unknown STP version, length {length}");
        return;
    }
    let Some(&version) = data.get(s + 2) else {
        out.push_str("[|stp]");
        return;
    };
    out.push_str("STP ");
    match version {
        0 => out.push_str("802.1d"),
        2 => out.push_str("802.1w"),
        3 => out.push_str("802.1s"),
        4 => out.push_str("802.1aq"),
        v => {
            let _ = write!(out, "Unknown STP protocol (0x{v:02x})");
            return;
        }
    }
    let Some(&kind) = data.get(s + 3) else {
        out.push_str("[|stp]");
        return;
    };
    match kind {
        0x00 => out.push_str(", Config"),
        0x02 => out.push_str(", Rapid STP"),
        0x80 => out.push_str(", Topology Change"),
        k => {
            let _ = write!(out, ", Unknown BPDU Type (0x{k:02x})");
        }
    }
    let config = kind == 0x00 || (kind == 0x02 && version == 2);
    if !config {
        return;
    }
    if length < 35 + usize::from(kind == 0x02) {
        out.push_str(" [|stp]");
        return;
    }
    let (Some(&flags), Some(bridge), Some(port)) = (
        data.get(s + 4),
        data.get(s + 17..s + 25),
        be16(data, s + 25),
    ) else {
        out.push_str(" [|stp]");
        return;
    };
    out.push_str(", Flags [");
    let names = [
        (0x01, "Topology change"),
        (0x02, "Proposal"),
        (0x10, "Learn"),
        (0x20, "Forward"),
        (0x40, "Agreement"),
        (0x80, "Topology change ACK"),
    ];
    let mut first = true;
    for (bit, name) in names {
        if flags & bit != 0 {
            if !first {
                out.push_str(", ");
            }
            out.push_str(name);
            first = false;
        }
    }
    if first {
        out.push_str("none");
    }
    out.push(']');
    if version == 2 {
        let role = match (flags >> 2) & 3 {
            1 => "Alternate",
            2 => "Root",
            3 => "Designated",
            _ => "Unknown",
        };
        let _ = write!(out, ", role {role}");
    }
    let _ = write!(out, ", bridge-id {:02x}{:02x}.", bridge[0], bridge[1]);
    super::super::text::push_mac(out, &bridge[2..8]);
    let _ = write!(out, ".{port:04x}, length {length}");
}
