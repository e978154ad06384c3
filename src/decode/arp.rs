//! ARP (RFC 826) and RARP (RFC 903).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Hardware type          |        Protocol type          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  HW size      | Proto size    |          Opcode               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | sender HW addr (HW size) | sender proto addr (Proto size) |
//! | target HW addr (HW size) | target proto addr (Proto size) |
//! ```

use std::ops::Range;

use super::{Ctx, Proto, at, names};

pub const HTYPE: Range<usize> = 0..2;
pub const PTYPE: Range<usize> = 2..4;
pub const HLEN: Range<usize> = 4..5;
pub const PLEN: Range<usize> = 5..6;
pub const OPER: Range<usize> = 6..8;
pub const FIXED_LEN: usize = 8;

/// Decode an ARP packet at `start`.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.layer(Proto::Arp, start..(start + FIXED_LEN).min(end));
    ctx.uint("arp.hw.type", "Hardware type", at(start, HTYPE));
    if let Some(p) = ctx.hex("arp.proto.type", "Protocol type", at(start, PTYPE), 4) {
        ctx.meaning(names::ethertype(p as u16));
    }
    let hlen = ctx.uint("arp.hw.size", "Hardware size", at(start, HLEN));
    let plen = ctx.uint("arp.proto.size", "Protocol size", at(start, PLEN));
    if let Some(op) = ctx.uint("arp.opcode", "Opcode", at(start, OPER)) {
        ctx.meaning(names::arp_opcode(op as u16));
    }
    let (Some(hlen), Some(plen)) = (hlen, plen) else {
        ctx.truncated(Proto::Arp, start, FIXED_LEN);
        return;
    };
    let (hlen, plen) = (hlen as usize, plen as usize);
    let total = FIXED_LEN + 2 * (hlen + plen);
    ctx.set_header(start..(start + total).min(end).min(ctx.data.len()));
    let mut pos = start + FIXED_LEN;
    for (hw_key, proto_key, who) in [
        ("arp.src.hw_mac", "arp.src.proto_ipv4", "Sender"),
        ("arp.dst.hw_mac", "arp.dst.proto_ipv4", "Target"),
    ] {
        if hlen == 6 {
            ctx.mac(
                hw_key,
                if who == "Sender" {
                    "Sender MAC address"
                } else {
                    "Target MAC address"
                },
                pos,
            );
        } else {
            ctx.bytes("arp.hw.addr", "Hardware address", pos..pos + hlen);
        }
        pos += hlen;
        if plen == 4 {
            ctx.ipv4(
                proto_key,
                if who == "Sender" {
                    "Sender IP address"
                } else {
                    "Target IP address"
                },
                pos,
            );
        } else {
            ctx.bytes("arp.proto.addr", "Protocol address", pos..pos + plen);
        }
        pos += plen;
    }
    if ctx.available(start, end) < total {
        ctx.truncated(Proto::Arp, start, total);
    }
}
