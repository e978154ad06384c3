//! tcpdump's words for the tunnels (print-gre.c, print-vxlan.c,
//! print-geneve.c), and the inner packet's line after them. tcpdump does
//! not decode Teredo: its datagrams stay `UDP, length N`.

use std::fmt::Write;

use super::super::{Dissection, Proto};
use super::{LineStyle, be16, line_from};
use crate::frame::FrameRecord;

/// tcpdump's `VXLAN, flags [I] (0x08), vni 100` (the inner frame follows
/// on the next line).
pub(super) fn vxlan_words(data: &[u8], at: usize, out: &mut String) -> bool {
    let (Some(&flags), Some(vni)) = (data.get(at), data.get(at + 4..at + 7)) else {
        return false;
    };
    let vni = u32::from_be_bytes([0, vni[0], vni[1], vni[2]]);
    let i = if flags & 0x08 != 0 { "I" } else { "." };
    let _ = write!(out, "VXLAN, flags [{i}] ({flags:#04x}), vni {vni}");
    true
}

/// tcpdump's `Geneve, Flags [C], vni 0xa, options [8 bytes]`.
pub(super) fn geneve_words(data: &[u8], at: usize, out: &mut String) -> bool {
    let (Some(&ver_opt), Some(&flags), Some(vni)) =
        (data.get(at), data.get(at + 1), data.get(at + 4..at + 7))
    else {
        return false;
    };
    out.push_str("Geneve");
    if ver_opt >> 6 != 0 {
        let _ = write!(out, " ERROR: unknown-version {}", ver_opt >> 6);
        return true;
    }
    out.push_str(", Flags [");
    if flags & 0xc0 == 0 {
        out.push_str("none");
    }
    if flags & 0x80 != 0 {
        out.push('O');
    }
    if flags & 0x40 != 0 {
        out.push('C');
    }
    let vni = u32::from_be_bytes([0, vni[0], vni[1], vni[2]]);
    let _ = write!(out, "], vni {vni:#x}");
    let opts = usize::from(ver_opt & 0x3f) * 4;
    if opts > 0 {
        let _ = write!(out, ", options [{opts} bytes]");
    }
    true
}

/// After a UDP layer's words (`u` is its index): a VXLAN or Geneve
/// tunnel's inner packet, on a new line or after `: ` as tcpdump prints it.
pub(super) fn after_udp(
    frame: &FrameRecord,
    d: &Dissection,
    u: usize,
    style: LineStyle,
    out: &mut String,
) {
    let Some(tunnel) = d.layers.get(u + 1) else {
        return;
    };
    let inner = u + 2;
    match tunnel.proto {
        Proto::Vxlan if d.layers.get(inner).is_some() => {
            out.push('\n');
            line_from(frame, d, inner, style, out);
        }
        Proto::Geneve => {
            let data = &frame.data[..];
            if data.get(tunnel.header.start).is_some_and(|b| b >> 6 != 0) {
                return;
            }
            let proto = be16(data, tunnel.header.start + 2).unwrap_or(0);
            out.push_str(": ");
            match d.layers.get(inner).map(|l| l.proto) {
                Some(Proto::Ethernet | Proto::Ipv4 | Proto::Ipv6 | Proto::Arp | Proto::Mpls) => {
                    line_from(frame, d, inner, style, out)
                }
                _ => {
                    let _ = write!(out, "geneve-proto-{proto:#x}");
                }
            }
        }
        _ => {}
    }
}

/// tcpdump's GRE words: `GREv0, key=0x28, length 44: ` and the inner
/// packet's line, or `gre-proto-0x8909` for what tcpdump does not follow.
pub(super) fn gre(
    frame: &FrameRecord,
    d: &Dissection,
    g: usize,
    style: LineStyle,
    out: &mut String,
) {
    let data = &frame.data[..];
    let layer = &d.layers[g];
    let s = layer.header.start;
    let length = layer.pdu.len();
    let (Some(flags), Some(proto)) = (be16(data, s), be16(data, s + 2)) else {
        out.push_str("GRE [|gre]");
        return;
    };
    let version = flags & 7;
    let _ = write!(out, "GREv{version}");
    let word = |at: usize| -> Option<u32> {
        data.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let mut at = s + 4;
    let (seq, ack) = (flags & 0x1000 != 0, flags & 0x0080 != 0);
    match version {
        0 => {
            if flags & 0xc000 != 0 {
                let _ = write!(out, ", off {:#x}", be16(data, at + 2).unwrap_or(0));
                at += 4;
            }
            if flags & 0x2000 != 0 {
                let _ = write!(out, ", key={:#x}", word(at).unwrap_or(0));
                at += 4;
            }
            if seq {
                let _ = write!(out, ", seq {}", word(at).unwrap_or(0));
            }
        }
        1 => {
            if flags & 0x2000 != 0 {
                let _ = write!(out, ", call {}", word(at).unwrap_or(0) & 0xffff);
                at += 4;
            }
            if seq {
                let _ = write!(out, ", seq {}", word(at).unwrap_or(0));
                at += 4;
            }
            if ack {
                let _ = write!(out, ", ack {}", word(at).unwrap_or(0));
            }
            if !seq {
                out.push_str(", no-payload");
            }
        }
        _ => {
            let _ = write!(out, " (unknown version), length {length}");
            return;
        }
    }
    let _ = write!(out, ", length {length}");
    if version == 1 && !seq {
        return;
    }
    let inner = d.layers.get(g + 1).map(|l| l.proto);
    match (version, proto) {
        (0, 0x0800 | 0x86dd | 0x8847 | 0x6558) => {
            if inner.is_some() && inner != Some(Proto::Unsupported) {
                out.push_str(": ");
                line_from(frame, d, g + 1, style, out);
            }
        }
        // PPP (tcpdump decodes it; wirepeek does not yet).
        (1, 0x880b) => {}
        _ => {
            let _ = write!(out, ": gre-proto-{proto:#x}");
        }
    }
}
