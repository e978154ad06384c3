//! Linux "cooked" capture headers, v1 (LINKTYPE_LINUX_SLL, 113) and v2
//! (LINKTYPE_LINUX_SLL2, 276), written by libpcap for `any` captures.
//!
//! ```text
//! v1:  0      2      4      6                14     16
//!      +------+------+------+-----------------+------+
//!      |pkttyp|hatype|halen |  address (8)    |proto |
//!      +------+------+------+-----------------+------+
//! v2:  0      2      4             8      10 11 12            20
//!      +------+------+-------------+------+--+--+--------------+
//!      |proto | rsvd | if index    |hatype|pt|hl| address (8)  |
//!      +------+------+-------------+------+--+--+--------------+
//! ```
//! The protocol field is an EtherType, except the Linux values 0x0001 (Novell
//! 802.3), 0x0004 (802.2 LLC) and others below 0x0600 (see libpcap's
//! `pcap-linktype(7)` page).

use std::ops::Range;

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, ether_payload, names, payload};

// v1 and v2 share Wireshark's keys but place them differently, so the
// places are in `v1` and `v2` below.
crate::fields! {
    PKTTYPE = FieldDef::var("sll.pkttype", "Packet type", Dec).spec("libpcap LINKTYPE_LINUX_SLL");
    HATYPE = FieldDef::var("sll.hatype", "Link-layer address type", Dec).spec("libpcap LINKTYPE_LINUX_SLL");
    HALEN = FieldDef::var("sll.halen", "Link-layer address length", Dec).spec("libpcap LINKTYPE_LINUX_SLL");
    SRC_ETH = FieldDef::var("sll.src.eth", "Source", Mac).spec("libpcap LINKTYPE_LINUX_SLL");
    SRC_UNKNOWN = FieldDef::var("sll.src.unknown", "Source", Bytes).spec("libpcap LINKTYPE_LINUX_SLL");
    /// The protocol when it is an EtherType (0x0600 and up).
    ETYPE = FieldDef::var("sll.etype", "Protocol", Hex(4)).spec("libpcap LINKTYPE_LINUX_SLL");
    /// The protocol when it is a Linux value below 0x0600.
    LTYPE = FieldDef::var("sll.ltype", "Protocol", Hex(4)).spec("libpcap LINKTYPE_LINUX_SLL");
    IFINDEX = FieldDef::fixed("sll.ifindex", "Interface index", 4..8, Dec).spec("libpcap LINKTYPE_LINUX_SLL2");
    TRAILER = FieldDef::var("sll.trailer", "Trailer", Bytes).spec("libpcap LINKTYPE_LINUX_SLL");
}

pub mod v1 {
    use std::ops::Range;
    pub const PKTTYPE: Range<usize> = 0..2;
    pub const HATYPE: Range<usize> = 2..4;
    pub const HALEN: Range<usize> = 4..6;
    pub const ADDR: Range<usize> = 6..14;
    pub const PROTOCOL: Range<usize> = 14..16;
    pub const LEN: usize = 16;
}

pub mod v2 {
    use std::ops::Range;
    pub const PROTOCOL: Range<usize> = 0..2;
    pub const RESERVED: Range<usize> = 2..4;
    pub const HATYPE: Range<usize> = 8..10;
    pub const PKTTYPE: Range<usize> = 10..11;
    pub const HALEN: Range<usize> = 11..12;
    pub const ADDR: Range<usize> = 12..20;
    pub const LEN: usize = 20;
}

/// Name a Linux packet type (`sll_pkttype`).
pub fn packet_type(value: u64) -> &'static str {
    match value {
        0 => "Unicast to us",
        1 => "Broadcast",
        2 => "Multicast",
        3 => "Unicast to another host",
        4 => "Sent by us",
        _ => "Unknown",
    }
}

/// Decode a v1 cooked header at `start`.
pub fn dissect_v1(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(Proto::Sll, start..(start + v1::LEN).min(end));
    if let Some(t) = ctx.uint_at(&PKTTYPE, at(start, v1::PKTTYPE)) {
        ctx.meaning(packet_type(t));
    }
    ctx.uint_at(&HATYPE, at(start, v1::HATYPE));
    let halen = ctx.uint_at(&HALEN, at(start, v1::HALEN));
    address(ctx, start + v1::ADDR.start, halen);
    if ctx.available(start, end) < v1::LEN {
        ctx.truncated(Proto::Sll, start, v1::LEN);
        return;
    }
    protocol(ctx, at(start, v1::PROTOCOL), start + v1::LEN, end);
}

/// Decode a v2 cooked header at `start`.
pub fn dissect_v2(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(Proto::Sll2, start..(start + v2::LEN).min(end));
    if ctx.available(start, end) < v2::LEN {
        ctx.truncated(Proto::Sll2, start, v2::LEN);
        return;
    }
    let kind = ctx.u16_at(start).unwrap_or(0);
    if kind >= 0x0600 {
        ctx.uint_at(&ETYPE, at(start, v2::PROTOCOL));
        ctx.meaning(names::ethertype(kind));
    } else {
        ctx.uint_at(&LTYPE, at(start, v2::PROTOCOL));
    }
    // Bytes 2..4 are reserved; tshark shows no field for them.
    ctx.uint(&IFINDEX, start);
    ctx.uint_at(&HATYPE, at(start, v2::HATYPE));
    if let Some(t) = ctx.uint_at(&PKTTYPE, at(start, v2::PKTTYPE)) {
        ctx.meaning(packet_type(t));
    }
    let halen = ctx.uint_at(&HALEN, at(start, v2::HALEN));
    address(ctx, start + v2::ADDR.start, halen);
    next(ctx, kind, start + v2::LEN, end);
}

fn address(ctx: &mut Ctx, from: usize, halen: Option<u64>) {
    match halen {
        Some(6) => {
            ctx.mac_at(&SRC_ETH, from);
        }
        Some(n) if n > 0 => ctx.bytes_at(&SRC_UNKNOWN, from..from + (n as usize).min(8)),
        _ => {}
    }
}

/// Offset a header-relative range to an absolute one.
fn at(base: usize, field: Range<usize>) -> Range<usize> {
    base + field.start..base + field.end
}

fn protocol(ctx: &mut Ctx, field: Range<usize>, body: usize, end: usize) {
    let kind = ctx.u16_at(field.start).unwrap_or(0);
    if kind >= 0x0600 {
        ctx.uint_at(&ETYPE, field);
        ctx.meaning(names::ethertype(kind));
    } else {
        ctx.uint_at(&LTYPE, field);
    }
    next(ctx, kind, body, end);
}

fn next(ctx: &mut Ctx, kind: u16, body: usize, end: usize) {
    if kind >= 0x0600 {
        ether_payload(ctx, kind, body, end);
        super::ethernet::after_payload(ctx, 0, body, end, &TRAILER);
    } else {
        payload::unsupported(ctx, body, end, || {
            format!("Linux protocol {kind:#06x} (not an EtherType) is not decoded")
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::ethernet::tests::{frame, get, note};
    use crate::decode::{NoteKind, Proto, Value, decode};
    use crate::frame::LinkType;

    const MAC: [u8; 6] = [0x02, 0x42, 0xac, 0x11, 0x00, 0x02];

    #[test]
    fn sll_v1_header_has_packet_type_address_and_protocol_at_their_offsets() {
        let bytes = vec![
            0x00, 0x04, // packet type: sent by us (4)
            0x00, 0x01, // link-layer address type: Ethernet (ARPHRD_ETHER)
            0x00, 0x06, // link-layer address length
            0x02, 0x42, 0xac, 0x11, 0x00, 0x02, 0x00, 0x00, // address, padded to 8
            0x88, 0xb5, // protocol: EtherType 0x88b5 (local experimental)
            0xde, 0xad, // payload
        ];
        let d = decode(&frame(LinkType::LINUX_SLL, bytes));
        assert_eq!(get(&d, "sll.pkttype"), (Value::UInt(4), 0..2, 0));
        assert_eq!(get(&d, "sll.hatype"), (Value::UInt(1), 2..4, 0));
        assert_eq!(get(&d, "sll.halen"), (Value::UInt(6), 4..6, 0));
        assert_eq!(get(&d, "sll.src.eth"), (Value::Mac(MAC), 6..12, 0));
        assert_eq!(get(&d, "sll.etype"), (Value::Hex(0x88b5, 4), 14..16, 0));
        assert_eq!(d.layer(Proto::Sll).map(|l| l.header.clone()), Some(0..16));
        // Unknown EtherType: the rest is an undecoded layer with a note.
        let rest = d.layer(Proto::Unsupported).map(|l| l.header.clone());
        assert_eq!(rest, Some(16..18));
        assert!(note(&d, Proto::Unsupported, NoteKind::Unsupported).contains("0x88b5"));
    }

    #[test]
    fn sll_v1_cut_inside_the_address_keeps_the_lengths_and_says_truncated() {
        let bytes = vec![
            0x00, 0x00, // packet type: unicast to us
            0x00, 0x01, // link-layer address type: Ethernet
            0x00, 0x06, // link-layer address length
            0x02, 0x42, 0xac, 0x11, // first 4 address bytes; capture ends
        ];
        let d = decode(&frame(LinkType::LINUX_SLL, bytes));
        assert_eq!(get(&d, "sll.halen"), (Value::UInt(6), 4..6, 0));
        assert!(d.field("sll.src.eth").is_none());
        assert!(d.field("sll.etype").is_none());
        let why = note(&d, Proto::Sll, NoteKind::Truncated);
        assert!(why.contains("needs 16 bytes"), "{why}");
    }

    #[test]
    fn sll_v2_header_has_protocol_interface_and_address_at_their_offsets() {
        let bytes = vec![
            0x88, 0xb5, // protocol: EtherType 0x88b5
            0x00, 0x00, // reserved
            0x00, 0x00, 0x00, 0x03, // interface index 3
            0x00, 0x01, // link-layer address type: Ethernet
            0x01, // packet type: broadcast (1)
            0x06, // link-layer address length
            0x02, 0x42, 0xac, 0x11, 0x00, 0x02, 0x00, 0x00, // address, padded to 8
            0xde, 0xad, // payload
        ];
        let d = decode(&frame(LinkType::LINUX_SLL2, bytes));
        assert_eq!(get(&d, "sll.etype"), (Value::Hex(0x88b5, 4), 0..2, 0));
        assert!(
            d.field("sll.reserved").is_none(),
            "tshark has no such field"
        );
        assert_eq!(get(&d, "sll.ifindex"), (Value::UInt(3), 4..8, 0));
        assert_eq!(get(&d, "sll.hatype"), (Value::UInt(1), 8..10, 0));
        assert_eq!(get(&d, "sll.pkttype"), (Value::UInt(1), 10..11, 0));
        assert_eq!(get(&d, "sll.halen"), (Value::UInt(6), 11..12, 0));
        assert_eq!(get(&d, "sll.src.eth"), (Value::Mac(MAC), 12..18, 0));
        assert_eq!(d.layer(Proto::Sll2).map(|l| l.header.clone()), Some(0..20));
        let rest = d.layer(Proto::Unsupported).map(|l| l.header.clone());
        assert_eq!(rest, Some(20..22));
    }

    #[test]
    fn sll_v2_cut_before_twenty_bytes_has_no_fields_and_says_truncated() {
        let bytes = vec![
            0x08, 0x00, // protocol: IPv4
            0x00, 0x00, // reserved
            0x00, 0x00, 0x00, 0x03, // interface index; capture ends
        ];
        let d = decode(&frame(LinkType::LINUX_SLL2, bytes));
        assert!(d.field("sll.etype").is_none());
        assert!(!d.has(Proto::Ipv4));
        let why = note(&d, Proto::Sll2, NoteKind::Truncated);
        assert!(
            why.contains("needs 20 bytes") && why.contains("only 8"),
            "{why}"
        );
    }
}
