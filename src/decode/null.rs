//! BSD loopback encapsulation: DLT_NULL (0), a 4-byte address family in the
//! capturing host's byte order, and DLT_LOOP (108), the same in network
//! byte order (OpenBSD).
//!
//! ```text
//! +---------------------------------+------------------
//! | address family (4 bytes)        | IPv4 / IPv6 packet
//! +---------------------------------+------------------
//! ```
//! AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD),
//! 30 (macOS) or 10 (Linux). As in Wireshark, a frame starting `ff 03` is PPP
//! in HDLC-like framing, not an address family.

use super::{Ctx, Proto, Value, ipv4, ipv6, payload};

pub const LEN: usize = 4;

/// Decode a loopback header; `network_order` for DLT_LOOP.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize, network_order: bool) {
    ctx.layer(Proto::Null, start..(start + LEN).min(end));
    let Some(raw) = ctx.data.get(start..start + LEN) else {
        ctx.truncated(Proto::Null, start, LEN);
        return;
    };
    let raw = [raw[0], raw[1], raw[2], raw[3]];
    let big = u32::from_be_bytes(raw);
    let little = u32::from_le_bytes(raw);
    let field = start..start + LEN;
    // Host order is unknown for DLT_NULL: a family is a small number, so
    // whichever reading is small is the right one. If neither is, Wireshark
    // takes the frame for Cisco HDLC (address, control, EtherType).
    let family = if network_order || big <= 0xffff {
        big
    } else if little <= 0xffff {
        little
    } else {
        let ethertype = u16::from_be_bytes([raw[2], raw[3]]);
        ctx.hex("null.type", "Type", start + 2..start + 4, 4);
        ctx.meaning(super::names::ethertype(ethertype));
        super::ether_payload(ctx, ethertype, start + LEN, end);
        return;
    };
    ctx.field(
        "null.family",
        "Family",
        field,
        0,
        Value::UInt(family as u64),
    );
    let body = start + LEN;
    match family {
        2 => {
            ctx.meaning("IP");
            ipv4::dissect(ctx, body, end);
        }
        10 | 24 | 28 | 30 => {
            ctx.meaning("IPv6");
            ipv6::dissect(ctx, body, end);
        }
        _ => payload::unsupported(ctx, body, end, || {
            format!("loopback address family {family} is not decoded")
        }),
    }
}
