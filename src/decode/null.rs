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

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, Value, ipv4, ipv6, payload};

crate::fields! {
    /// Cisco HDLC's EtherType, when neither byte order reads as a family.
    TYPE = FieldDef::fixed("null.type", "Type", 2..4, Hex(4)).spec("libpcap LINKTYPE_NULL");
    FAMILY = FieldDef::fixed("null.family", "Family", 0..4, Dec).spec("libpcap LINKTYPE_NULL");
}

pub const LEN: usize = 4;

/// Decode a loopback header; `network_order` for DLT_LOOP.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize, network_order: bool) {
    ctx.bound(end);
    ctx.layer(Proto::Null, start..(start + LEN).min(end));
    let Some(raw) = ctx.data.get(start..start + LEN) else {
        ctx.truncated(Proto::Null, start, LEN);
        return;
    };
    let raw = [raw[0], raw[1], raw[2], raw[3]];
    let big = u32::from_be_bytes(raw);
    let little = u32::from_le_bytes(raw);
    // Host order is unknown for DLT_NULL: a family is a small number, so
    // whichever reading is small is the right one. If neither is, Wireshark
    // takes the frame for Cisco HDLC (address, control, EtherType).
    let family = if network_order || big <= 0xffff {
        big
    } else if little <= 0xffff {
        little
    } else {
        let ethertype = u16::from_be_bytes([raw[2], raw[3]]);
        ctx.uint(&TYPE, start);
        ctx.meaning(super::names::ethertype(ethertype));
        super::ether_payload(ctx, ethertype, start + LEN, end);
        return;
    };
    ctx.value_at(&FAMILY, FAMILY.at(start), Value::UInt(family as u64));
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

#[cfg(test)]
mod tests {
    use crate::decode::ethernet::tests::{frame, get, ipv4, ipv6, note};
    use crate::decode::{NoteKind, Proto, Value, decode};
    use crate::frame::LinkType;

    /// A loopback header followed by `packet`.
    fn looped(header: [u8; 4], packet: Vec<u8>) -> Vec<u8> {
        let mut bytes = header.to_vec();
        bytes.extend(packet);
        bytes
    }

    #[test]
    fn null_little_endian_af_inet_is_family_2_then_ipv4() {
        let bytes = looped(
            [0x02, 0x00, 0x00, 0x00], // family AF_INET (2), little-endian host
            ipv4(59, 20),             // IPv4, no next header, no payload
        );
        let d = decode(&frame(LinkType::NULL, bytes));
        assert_eq!(get(&d, "null.family"), (Value::UInt(2), 0..4, 0));
        assert_eq!(d.layer(Proto::Null).map(|l| l.header.clone()), Some(0..4));
        assert_eq!(d.layer(Proto::Ipv4).map(|l| l.header.clone()), Some(4..24));
    }

    #[test]
    fn null_af_inet6_as_macos_numbers_it_is_family_30_then_ipv6() {
        let bytes = looped(
            [0x1e, 0x00, 0x00, 0x00], // family AF_INET6 (30, macOS), little-endian
            ipv6(59, 0),              // IPv6, no next header
        );
        let d = decode(&frame(LinkType::NULL, bytes));
        assert_eq!(get(&d, "null.family"), (Value::UInt(30), 0..4, 0));
        assert_eq!(d.layer(Proto::Ipv6).map(|l| l.header.clone()), Some(4..44));
    }

    #[test]
    fn loop_reads_the_family_in_network_byte_order() {
        let bytes = looped(
            [0x00, 0x00, 0x00, 0x02], // family AF_INET (2), big-endian (DLT_LOOP)
            ipv4(59, 20),
        );
        let d = decode(&frame(LinkType::LOOP, bytes));
        assert_eq!(get(&d, "null.family"), (Value::UInt(2), 0..4, 0));
        assert!(d.has(Proto::Ipv4));
    }

    #[test]
    fn null_header_that_is_no_family_in_either_order_is_cisco_hdlc() {
        let bytes = looped(
            [
                0x0f, 0x00, // Cisco HDLC address (unicast) and control
                0x08, 0x00, // EtherType: IPv4
            ],
            ipv4(59, 20),
        );
        let d = decode(&frame(LinkType::NULL, bytes));
        assert!(d.field("null.family").is_none());
        assert_eq!(get(&d, "null.type"), (Value::Hex(0x0800, 4), 2..4, 0));
        assert_eq!(d.layer(Proto::Ipv4).map(|l| l.header.clone()), Some(4..24));
    }

    #[test]
    fn null_header_cut_at_three_bytes_says_truncated() {
        let d = decode(&frame(LinkType::NULL, vec![0x02, 0x00, 0x00]));
        assert!(d.field("null.family").is_none());
        let why = note(&d, Proto::Null, NoteKind::Truncated);
        assert!(why.contains("needs 4 bytes"), "{why}");
    }
}
