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

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, names};

crate::fields! {
    HW_TYPE = FieldDef::fixed("arp.hw.type", "Hardware type", 0..2, Dec).spec("RFC 826");
    PROTO_TYPE = FieldDef::fixed("arp.proto.type", "Protocol type", 2..4, Hex(4)).spec("RFC 826");
    HW_SIZE = FieldDef::fixed("arp.hw.size", "Hardware size", 4..5, Dec).spec("RFC 826");
    PROTO_SIZE = FieldDef::fixed("arp.proto.size", "Protocol size", 5..6, Dec).spec("RFC 826");
    OPCODE = FieldDef::fixed("arp.opcode", "Opcode", 6..8, Dec).spec("RFC 826");
    // The addresses follow at places the two sizes decide.
    SRC_HW_MAC = FieldDef::var("arp.src.hw_mac", "Sender MAC address", Mac).spec("RFC 826");
    SRC_PROTO_IPV4 = FieldDef::var("arp.src.proto_ipv4", "Sender IP address", Ipv4).spec("RFC 826");
    DST_HW_MAC = FieldDef::var("arp.dst.hw_mac", "Target MAC address", Mac).spec("RFC 826");
    DST_PROTO_IPV4 = FieldDef::var("arp.dst.proto_ipv4", "Target IP address", Ipv4).spec("RFC 826");
    /// A hardware address that is not 6 bytes long.
    HW_ADDR = FieldDef::var("arp.hw.addr", "Hardware address", Bytes).spec("RFC 826");
    /// A protocol address that is not 4 bytes long.
    PROTO_ADDR = FieldDef::var("arp.proto.addr", "Protocol address", Bytes).spec("RFC 826");
}

pub const FIXED_LEN: usize = 8;

/// Decode an ARP packet at `start`.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(Proto::Arp, start..(start + FIXED_LEN).min(end));
    ctx.uint(&HW_TYPE, start);
    if let Some(p) = ctx.uint(&PROTO_TYPE, start) {
        ctx.meaning(names::ethertype(p as u16));
    }
    let hlen = ctx.uint(&HW_SIZE, start);
    let plen = ctx.uint(&PROTO_SIZE, start);
    if let Some(op) = ctx.uint(&OPCODE, start) {
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
    for (hw, proto) in [
        (&SRC_HW_MAC, &SRC_PROTO_IPV4),
        (&DST_HW_MAC, &DST_PROTO_IPV4),
    ] {
        if hlen == 6 {
            ctx.mac_at(hw, pos);
        } else {
            ctx.bytes_at(&HW_ADDR, pos..pos + hlen);
        }
        pos += hlen;
        if plen == 4 {
            ctx.ipv4_at(proto, pos);
        } else {
            ctx.bytes_at(&PROTO_ADDR, pos..pos + plen);
        }
        pos += plen;
    }
    if ctx.available(start, end) < total {
        ctx.truncated(Proto::Arp, start, total);
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use crate::decode::ethernet::tests::{frame, get, note};
    use crate::decode::{NoteKind, Proto, Value, decode};
    use crate::frame::LinkType;

    /// An ARP reply from 10.0.0.2 (00:11:22:33:44:55) to 10.0.0.1, in Ethernet.
    fn reply() -> Vec<u8> {
        vec![
            0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, // Ethernet destination
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // Ethernet source
            0x08, 0x06, // EtherType: ARP
            0x00, 0x01, // hardware type: Ethernet (1)
            0x08, 0x00, // protocol type: IPv4
            0x06, // hardware size
            0x04, // protocol size
            0x00, 0x02, // opcode: reply (2)
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // sender MAC
            10, 0, 0, 2, // sender IP
            0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, // target MAC
            10, 0, 0, 1, // target IP
        ]
    }

    fn ip(a: u8, b: u8, c: u8, d: u8) -> Value {
        Value::Ip(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
    }

    #[test]
    fn arp_reply_has_every_field_at_its_offset_and_the_header_covers_the_addresses() {
        let d = decode(&frame(LinkType::ETHERNET, reply()));
        assert_eq!(get(&d, "arp.hw.type"), (Value::UInt(1), 14..16, 0));
        assert_eq!(
            get(&d, "arp.proto.type"),
            (Value::Hex(0x0800, 4), 16..18, 0)
        );
        assert_eq!(get(&d, "arp.hw.size"), (Value::UInt(6), 18..19, 0));
        assert_eq!(get(&d, "arp.proto.size"), (Value::UInt(4), 19..20, 0));
        assert_eq!(get(&d, "arp.opcode"), (Value::UInt(2), 20..22, 0));
        let sender_mac = Value::Mac([0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
        assert_eq!(get(&d, "arp.src.hw_mac"), (sender_mac, 22..28, 0));
        assert_eq!(get(&d, "arp.src.proto_ipv4"), (ip(10, 0, 0, 2), 28..32, 0));
        let target_mac = Value::Mac([0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]);
        assert_eq!(get(&d, "arp.dst.hw_mac"), (target_mac, 32..38, 0));
        assert_eq!(get(&d, "arp.dst.proto_ipv4"), (ip(10, 0, 0, 1), 38..42, 0));
        // The 8 fixed bytes plus both address pairs.
        assert_eq!(d.layer(Proto::Arp).map(|l| l.header.clone()), Some(14..42));
        assert!(d.notes.is_empty(), "{:?}", d.notes);
    }

    #[test]
    fn arp_cut_inside_the_sender_ip_keeps_the_sender_mac_and_says_truncated() {
        let mut bytes = reply();
        bytes.truncate(14 + 8 + 6 + 2);
        let d = decode(&frame(LinkType::ETHERNET, bytes));
        assert_eq!(get(&d, "arp.src.hw_mac").1, 22..28);
        assert!(d.field("arp.src.proto_ipv4").is_none());
        assert_eq!(d.layer(Proto::Arp).map(|l| l.header.clone()), Some(14..30));
        let why = note(&d, Proto::Arp, NoteKind::Truncated);
        assert!(
            why.contains("needs 28 bytes") && why.contains("only 16"),
            "{why}"
        );
    }

    #[test]
    fn arp_cut_before_the_sizes_has_no_addresses_and_says_truncated() {
        let mut bytes = reply();
        bytes.truncate(14 + 4);
        let d = decode(&frame(LinkType::ETHERNET, bytes));
        assert_eq!(get(&d, "arp.proto.type").1, 16..18);
        assert!(d.field("arp.hw.size").is_none());
        assert!(d.field("arp.src.hw_mac").is_none());
        let why = note(&d, Proto::Arp, NoteKind::Truncated);
        assert!(why.contains("needs 8 bytes"), "{why}");
    }
}
