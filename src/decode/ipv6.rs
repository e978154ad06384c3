//! IPv6 (RFC 8200) and its extension headers: hop-by-hop options,
//! routing (RFC 8200 §4.4, segment routing RFC 8754), fragment, destination
//! options, and the Authentication Header (RFC 4302).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Version| Traffic Class |           Flow Label                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Payload Length        |  Next Header  |   Hop Limit   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                 Source Address (16 bytes)                     |
//! |               Destination Address (16 bytes)                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! Extension header (all but fragment and AH):
//! |  Next Header  |  Hdr Ext Len  |  (Hdr Ext Len + 1) * 8 - 2 bytes ...
//! Fragment header (8 bytes):
//! |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
//! |                         Identification                        |
//! ```

use super::field::{FieldDef, Format::*};
use super::{Ctx, NoteKind, Proto, Severity, ip_payload, names, payload};
use std::net::IpAddr;

crate::fields! {
    VERSION = FieldDef::fixed("ipv6.version", "Version", 0..1, Dec).mask(0xf0).spec("RFC 8200");
    TCLASS = FieldDef::fixed("ipv6.tclass", "Traffic Class", 0..4, Hex(8)).mask(0x0ff0_0000).spec("RFC 8200");
    FLOW = FieldDef::fixed("ipv6.flow", "Flow Label", 1..4, Hex(6)).mask(0x0f_ffff).spec("RFC 8200");
    PLEN = FieldDef::fixed("ipv6.plen", "Payload Length", 4..6, Dec).spec("RFC 8200");
    NXT = FieldDef::fixed("ipv6.nxt", "Next Header", 6..7, Dec).spec("RFC 8200");
    HLIM = FieldDef::fixed("ipv6.hlim", "Hop Limit", 7..8, Dec).spec("RFC 8200");
    SRC = FieldDef::fixed("ipv6.src", "Source Address", 8..24, Ipv6).spec("RFC 8200");
    DST = FieldDef::fixed("ipv6.dst", "Destination Address", 24..40, Ipv6).spec("RFC 8200");
    HOPOPTS_NXT = FieldDef::fixed("ipv6.hopopts.nxt", "Next Header", 0..1, Dec).spec("RFC 8200");
    HOPOPTS_LEN = FieldDef::fixed("ipv6.hopopts.len", "Length", 1..2, Dec).spec("RFC 8200");
    ROUTING_NXT = FieldDef::fixed("ipv6.routing.nxt", "Next Header", 0..1, Dec).spec("RFC 8200");
    ROUTING_LEN = FieldDef::fixed("ipv6.routing.len", "Length", 1..2, Dec).spec("RFC 8200");
    FRAGHDR_NXT = FieldDef::fixed("ipv6.fraghdr.nxt", "Next Header", 0..1, Dec).spec("RFC 8200");
    DSTOPTS_NXT = FieldDef::fixed("ipv6.dstopts.nxt", "Next Header", 0..1, Dec).spec("RFC 8200");
    DSTOPTS_LEN = FieldDef::fixed("ipv6.dstopts.len", "Length", 1..2, Dec).spec("RFC 8200");
    AH_NEXT_HEADER = FieldDef::fixed("ah.next_header", "Next Header", 0..1, Dec).spec("RFC 4302");
    AH_LENGTH = FieldDef::fixed("ah.length", "Length", 1..2, Dec).spec("RFC 4302");
    FRAGHDR_RESERVED_OCTET = FieldDef::fixed("ipv6.fraghdr.reserved_octet", "Reserved octet", 1..2, Hex(2)).spec("RFC 8200");
    FRAGHDR_OFFSET = FieldDef::fixed("ipv6.fraghdr.offset", "Offset", 2..4, Dec).mask(0xfff8).spec("RFC 8200");
    FRAGHDR_RESERVED_BITS = FieldDef::fixed("ipv6.fraghdr.reserved_bits", "Reserved bits", 2..4, Dec).mask(0x0006).spec("RFC 8200");
    FRAGHDR_MORE = FieldDef::fixed("ipv6.fraghdr.more", "More Fragments", 2..4, Bool).mask(0x0001).spec("RFC 8200");
    FRAGHDR_IDENT = FieldDef::fixed("ipv6.fraghdr.ident", "Identification", 4..8, Hex(8)).spec("RFC 8200");
    ROUTING_TYPE = FieldDef::fixed("ipv6.routing.type", "Type", 2..3, Dec).spec("RFC 8200");
    ROUTING_SEGLEFT = FieldDef::fixed("ipv6.routing.segleft", "Segments Left", 3..4, Dec).spec("RFC 8200");
    AH_SPI = FieldDef::fixed("ah.spi", "AH SPI", 4..8, Hex(8)).spec("RFC 4302");
    AH_SEQUENCE = FieldDef::fixed("ah.sequence", "AH Sequence", 8..12, Dec).spec("RFC 4302");
    AH_ICV = FieldDef::var("ah.icv", "AH ICV", Bytes).spec("RFC 4302");
    OPT_TYPE = FieldDef::var("ipv6.opt.type", "Option Type", Hex(2)).spec("RFC 8200");
    OPT_LENGTH = FieldDef::var("ipv6.opt.length", "Length", Dec).spec("RFC 8200");
    ROUTING_SRC_RESERVED = FieldDef::var("ipv6.routing.src.reserved", "Reserved", Bytes).spec("RFC 2460");
    ROUTING_MIPV6_RESERVED = FieldDef::var("ipv6.routing.mipv6.reserved", "Reserved", Bytes).spec("RFC 6275");
    ROUTING_SRC_ADDR = FieldDef::var("ipv6.routing.src.addr", "Address", Ipv6).spec("RFC 2460");
    ROUTING_MIPV6_HOME_ADDRESS = FieldDef::var("ipv6.routing.mipv6.home_address", "Home Address", Ipv6).spec("RFC 6275");
    ROUTING_SRH_ADDR = FieldDef::var("ipv6.routing.srh.addr", "Address", Ipv6).spec("RFC 8754");
    ROUTING_SRH_LAST_ENTRY = FieldDef::fixed("ipv6.routing.srh.last_entry", "Last Entry", 4..5, Dec).spec("RFC 8754");
    ROUTING_SRH_FLAGS = FieldDef::fixed("ipv6.routing.srh.flags", "Flags", 5..6, Hex(2)).spec("RFC 8754");
    ROUTING_SRH_TAG = FieldDef::var("ipv6.routing.srh.tag", "Tag", Bytes).spec("RFC 8754");
    ROUTING_UNKNOWN_DATA = FieldDef::var("ipv6.routing.unknown_data", "Type-specific data", Bytes).spec("RFC 8200");
}

pub const HEADER_LEN: usize = 40;

/// Decode an IPv6 packet at `start`, bounded by `end`.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(
        Proto::Ipv6,
        start..(start + HEADER_LEN).min(end).min(ctx.data.len()),
    );
    let Some(version) = ctx.uint(&VERSION, start) else {
        ctx.truncated_before(Proto::Ipv6, start);
        return;
    };
    ctx.nest(0);
    // tshark adds a hidden ip.version here, so that `ip.version == 6`
    // matches IPv6 packets too.
    ctx.uint(&super::ipv4::VERSION, start);
    ctx.label("Version (as ip.version)");
    ctx.nest(0);
    if version != 6 {
        ctx.malformed(
            Proto::Ipv6,
            start,
            format!("IPv6 header says version {version}"),
        );
        return;
    }
    ctx.uint(&TCLASS, start);
    ctx.nest(0);
    ctx.uint(&FLOW, start);
    ctx.nest(0);
    let plen = ctx.uint(&PLEN, start);
    let next = ctx.uint(&NXT, start).map(|n| n as u8);
    if let Some(n) = next {
        ctx.meaning(names::ip_protocol(n));
    }
    ctx.uint(&HLIM, start);
    let src = ctx.ipv6(&SRC, start);
    let dst = ctx.ipv6(&DST, start);
    let (Some(plen), Some(next), Some(src), Some(dst)) = (plen, next, src, dst) else {
        ctx.short_of(Proto::Ipv6, start, HEADER_LEN, end, "header");
        return;
    };
    ctx.addrs = Some((IpAddr::V6(src), IpAddr::V6(dst)));
    let body = start + HEADER_LEN;
    // Payload length 0 with a hop-by-hop header is a jumbogram (RFC 2675):
    // the length is in an option; take what the frame holds.
    let datagram_end = if plen == 0 && next == 0 {
        end
    } else if body + plen as usize > end {
        ctx.short_of(
            Proto::Ipv6,
            start,
            HEADER_LEN + plen as usize,
            end,
            "payload length plus header",
        );
        end
    } else {
        body + plen as usize
    };
    ctx.set_pdu(start..datagram_end);
    ip_payload(ctx, next, body, datagram_end);
}

/// Decode one extension header (`kind` is its protocol number) at `start`.
pub fn extension(ctx: &mut Ctx, kind: u8, start: usize, end: usize) {
    // (The fragment header has no length byte: its `len` is never read.)
    let (proto, nxt, length) = match kind {
        0 => (Proto::Ipv6HopByHop, &HOPOPTS_NXT, &HOPOPTS_LEN),
        43 => (Proto::Ipv6Routing, &ROUTING_NXT, &ROUTING_LEN),
        44 => (Proto::Ipv6Fragment, &FRAGHDR_NXT, &FRAGHDR_RESERVED_OCTET),
        60 => (Proto::Ipv6DestOpts, &DSTOPTS_NXT, &DSTOPTS_LEN),
        _ => (Proto::Ipv6Ah, &AH_NEXT_HEADER, &AH_LENGTH),
    };
    ctx.bound(end);
    // The parent's payload length leaves no room for the header (the
    // fragment header's fixed 8 bytes, the others' next-header and length
    // bytes): a note says so, and there is no layer, as Wireshark adds no
    // tree item for it (so `ipv6.fraghdr` and kin exist when tshark's do).
    let needed = if proto == Proto::Ipv6Fragment { 8 } else { 2 };
    if start + needed > end {
        ctx.short_of(proto, start, 8, end, "extension header");
        return;
    }
    // Nothing of it captured: a note, and no layer, as tshark has none.
    if start >= ctx.data.len() {
        ctx.truncated(proto, start, 8);
        return;
    }
    ctx.layer(proto, start..(start + 8).min(end).min(ctx.data.len()));
    let Some(next) = ctx.uint(nxt, start).map(|n| n as u8) else {
        ctx.truncated(proto, start, 8);
        return;
    };
    ctx.meaning(names::ip_protocol(next));
    let len = if proto == Proto::Ipv6Fragment {
        8
    } else {
        let Some(raw) = ctx.uint(length, start) else {
            ctx.truncated(proto, start, 8);
            return;
        };
        if proto == Proto::Ipv6Ah {
            (raw as usize + 2) * 4
        } else {
            (raw as usize + 1) * 8
        }
    };
    if start + len > end {
        ctx.set_header(start..end.min(ctx.data.len()));
        ctx.short_of(proto, start, len, end, "extension header length");
        return;
    }
    ctx.set_header(start..start + len);
    match proto {
        Proto::Ipv6Fragment => {
            ctx.uint(&FRAGHDR_RESERVED_OCTET, start);
            let offset = ctx.uint(&FRAGHDR_OFFSET, start);
            ctx.uint(&FRAGHDR_RESERVED_BITS, start);
            ctx.uint(&FRAGHDR_MORE, start);
            ctx.uint(&FRAGHDR_IDENT, start);
            if super::reassembly::ipv6_fragment(ctx, start, start + len, end, next) {
                return;
            }
            if offset.unwrap_or(0) > 0 {
                let message = format!(
                    "fragment at byte offset {} of a larger packet (not reassembled)",
                    offset.unwrap_or(0) * 8
                );
                ctx.note(
                    Severity::Note,
                    NoteKind::Unsupported,
                    proto,
                    start + 2,
                    message,
                );
                payload::data(ctx, start + len, end);
                return;
            }
        }
        Proto::Ipv6Routing => {
            let kind_of_route = ctx.uint(&ROUTING_TYPE, start);
            ctx.uint(&ROUTING_SEGLEFT, start);
            routing_data(ctx, kind_of_route, start, start + len);
        }
        Proto::Ipv6Ah if len < 12 => {
            ctx.malformed(
                proto,
                start + 1,
                format!("AH length says {len} bytes, less than its fixed 12"),
            );
            return;
        }
        Proto::Ipv6Ah => {
            ctx.uint(&AH_SPI, start);
            ctx.uint(&AH_SEQUENCE, start);
            ctx.bytes_at(&AH_ICV, start + 12..start + len);
        }
        _ => options(ctx, proto, start + 2, start + len),
    }
    ip_payload(ctx, next, start + len, end);
}

/// Hop-by-hop and destination options: type-length-value, with Pad1.
fn options(ctx: &mut Ctx, proto: Proto, from: usize, to: usize) {
    let mut pos = from;
    while pos < to {
        let Some(kind) = ctx.u8_at(pos) else { return };
        ctx.uint_at(&OPT_TYPE, pos..pos + 1);
        ctx.meaning(option_name(kind));
        ctx.nest(1);
        if kind == 0 {
            pos += 1;
            continue;
        }
        // The length byte must itself lie inside the header.
        if pos + 2 > to {
            let why = "option type at the header's last byte has no room for its length";
            ctx.malformed(proto, pos, why.to_string());
            return;
        }
        let Some(len) = ctx.u8_at(pos + 1) else {
            return;
        };
        ctx.uint_at(&OPT_LENGTH, pos + 1..pos + 2);
        ctx.nest(2);
        if pos + 2 + len as usize > to {
            ctx.malformed(
                proto,
                pos,
                format!("IPv6 option length {len} runs past its header"),
            );
            return;
        }
        pos += 2 + len as usize;
    }
}

fn option_name(kind: u8) -> &'static str {
    match kind {
        0 => "Pad1",
        1 => "PadN",
        4 => "Tunnel Encapsulation Limit",
        5 => "Router Alert",
        0xc2 => "Jumbo Payload",
        0xc9 => "Home Address",
        _ => "Unknown",
    }
}

/// The type-specific part of a routing header, under tshark's keys: the
/// addresses of a type 0 source route or a type 4 segment list, the home
/// address of type 2; other types' bytes as `ipv6.routing.unknown_data`.
fn routing_data(ctx: &mut Ctx, kind: Option<u64>, start: usize, end: usize) {
    let addresses = |ctx: &mut Ctx, def: &'static FieldDef, from: usize, count| {
        for i in 0..count {
            ctx.ipv6_at(def, from + 16 * i);
        }
    };
    let room = end.saturating_sub(start + 8) / 16;
    match kind {
        Some(0) => {
            ctx.bytes_at(&ROUTING_SRC_RESERVED, start + 4..start + 8);
            addresses(ctx, &ROUTING_SRC_ADDR, start + 8, room);
        }
        Some(2) => {
            ctx.bytes_at(&ROUTING_MIPV6_RESERVED, start + 4..start + 8);
            addresses(ctx, &ROUTING_MIPV6_HOME_ADDRESS, start + 8, room.min(1));
        }
        Some(4) => {
            let last = ctx.uint(&ROUTING_SRH_LAST_ENTRY, start);
            ctx.uint(&ROUTING_SRH_FLAGS, start);
            ctx.bytes_at(&ROUTING_SRH_TAG, start + 6..start + 8);
            let count = last.map_or(room, |l| room.min(l as usize + 1));
            addresses(ctx, &ROUTING_SRH_ADDR, start + 8, count);
        }
        _ => ctx.bytes_at(&ROUTING_UNKNOWN_DATA, start + 4..end),
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv6Addr};

    use crate::decode::ethernet::tests::{decode_raw, get, ipv6, note};
    use crate::decode::{NoteKind, Proto, Value};

    fn v6(last: u16) -> Value {
        Value::Ip(IpAddr::V6(Ipv6Addr::new(
            0x2001, 0xdb8, 0, 0, 0, 0, 0, last,
        )))
    }

    fn header_of(d: &crate::decode::Dissection, p: Proto) -> Option<std::ops::Range<usize>> {
        d.layer(p).map(|l| l.header.clone())
    }

    #[test]
    fn ipv6_fixed_header_has_every_field_with_range_and_mask() {
        let mut bytes = vec![
            0x6b, 0x81, 0x23, 0x45, // version 6, traffic class 0xb8, flow label 0x12345
            0x00, 0x08, // payload length 8
            0x11, // next header: UDP
            0x40, // hop limit 64
        ];
        bytes.extend([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]); // source
        bytes.extend([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]); // destination
        bytes.extend([0x13, 0x88, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00]); // UDP 5000 -> 53, length 8
        let d = decode_raw(bytes, 48);
        assert_eq!(get(&d, "ipv6.version"), (Value::UInt(6), 0..1, 0xf0));
        assert_eq!(
            get(&d, "ipv6.tclass"),
            (Value::Hex(0xb8, 8), 0..4, 0x0ff0_0000)
        );
        assert_eq!(
            get(&d, "ipv6.flow"),
            (Value::Hex(0x12345, 6), 1..4, 0x0f_ffff)
        );
        assert_eq!(get(&d, "ipv6.plen"), (Value::UInt(8), 4..6, 0));
        assert_eq!(get(&d, "ipv6.nxt"), (Value::UInt(17), 6..7, 0));
        assert_eq!(get(&d, "ipv6.hlim"), (Value::UInt(64), 7..8, 0));
        assert_eq!(get(&d, "ipv6.src"), (v6(1), 8..24, 0));
        assert_eq!(get(&d, "ipv6.dst"), (v6(2), 24..40, 0));
        assert_eq!(header_of(&d, Proto::Ipv6), Some(0..40));
        assert_eq!(header_of(&d, Proto::Udp), Some(40..48));
        assert!(d.notes.is_empty(), "{:?}", d.notes);
    }

    #[test]
    fn hop_by_hop_then_first_fragment_chains_to_udp() {
        let mut bytes = ipv6(0, 24); // next header: hop-by-hop; 8 + 8 + 8 bytes follow
        bytes.extend([
            44, // hop-by-hop: next header fragment
            0,  // hop-by-hop: length 0 (8 bytes)
            0x01, 0x04, 0, 0, 0, 0,  // PadN option, 4 bytes of padding
            17, // fragment: next header UDP
            0,  // fragment: reserved
            0x00, 0x01, // fragment: offset 0, M (more fragments) set
            0xde, 0xad, 0xbe, 0xef, // fragment: identification
            0x13, 0x88, 0x00, 0x35, 0x00, 0x10, 0x00, 0x00, // UDP 5000 -> 53, length 16
        ]);
        let d = decode_raw(bytes, 64);
        assert_eq!(header_of(&d, Proto::Ipv6HopByHop), Some(40..48));
        assert_eq!(get(&d, "ipv6.hopopts.nxt"), (Value::UInt(44), 40..41, 0));
        assert_eq!(get(&d, "ipv6.hopopts.len"), (Value::UInt(0), 41..42, 0));
        assert_eq!(get(&d, "ipv6.opt.type"), (Value::Hex(1, 2), 42..43, 0));
        assert_eq!(get(&d, "ipv6.opt.length"), (Value::UInt(4), 43..44, 0));
        assert_eq!(header_of(&d, Proto::Ipv6Fragment), Some(48..56));
        assert_eq!(get(&d, "ipv6.fraghdr.nxt"), (Value::UInt(17), 48..49, 0));
        assert_eq!(
            get(&d, "ipv6.fraghdr.offset"),
            (Value::UInt(0), 50..52, 0xfff8)
        );
        assert_eq!(get(&d, "ipv6.fraghdr.more"), (Value::Bool(true), 50..52, 1));
        let id = Value::Hex(0xdead_beef, 8);
        assert_eq!(get(&d, "ipv6.fraghdr.ident"), (id, 52..56, 0));
        assert_eq!(header_of(&d, Proto::Udp), Some(56..64));
    }

    #[test]
    fn non_first_fragment_is_data_not_udp() {
        let mut bytes = ipv6(44, 16); // next header: fragment
        bytes.extend([
            17, // fragment: next header UDP
            0,  // fragment: reserved
            0x05, 0xc8, // fragment: offset 185 (byte 1480), M clear
            0xde, 0xad, 0xbe, 0xef, // fragment: identification
            1, 2, 3, 4, 5, 6, 7, 8, // the datagram's bytes from 1480 on
        ]);
        let d = decode_raw(bytes, 64);
        assert_eq!(
            get(&d, "ipv6.fraghdr.offset"),
            (Value::UInt(185), 42..44, 0xfff8)
        );
        assert!(!d.has(Proto::Udp));
        assert!(d.tuple.is_none());
        assert_eq!(header_of(&d, Proto::Payload), Some(48..56));
    }

    #[test]
    fn payload_length_beyond_the_frame_is_malformed_with_both_numbers() {
        let mut bytes = ipv6(59, 100); // claims 100 bytes of payload
        bytes.extend([0; 8]); // only 8 are there
        let d = decode_raw(bytes, 48);
        let why = note(&d, Proto::Ipv6, NoteKind::Malformed);
        assert!(
            why.contains("says 140 bytes") && why.contains("only 48"),
            "{why}"
        );
    }

    // Regression: ipv6_frag6_negative_len.pcap read the fragment header's
    // next-header byte from past the payload length.
    #[test]
    fn extension_header_with_no_room_in_the_payload_length_reads_nothing() {
        let mut bytes = ipv6(44, 0); // next header fragment, payload length 0
        bytes.extend([17, 0, 0, 0, 0, 0, 0, 1]); // bytes past the payload length
        let d = decode_raw(bytes, 48);
        assert!(d.field("ipv6.fraghdr.nxt").is_none());
        // No layer either: tshark has no `ipv6.fraghdr` for it.
        assert_eq!(header_of(&d, Proto::Ipv6Fragment), None);
        // The note's kind is not pinned: `short_of` calls this a snap-length
        // cut because the frame was long enough on the wire (see report).
        let n = d.notes.iter().find(|n| n.proto == Proto::Ipv6Fragment);
        let why = n.map(|n| n.message.as_str()).unwrap_or_default();
        assert!(why.contains("says 8 bytes"), "{:?}", d.notes);
    }

    #[test]
    fn ipv6_header_cut_by_the_snap_length_has_the_source_and_says_truncated() {
        let mut bytes = ipv6(59, 0);
        bytes.truncate(30); // the capture kept 30 of the 40 header bytes
        let d = decode_raw(bytes, 40);
        assert_eq!(get(&d, "ipv6.src").1, 8..24);
        assert!(d.field("ipv6.dst").is_none());
        let why = note(&d, Proto::Ipv6, NoteKind::Truncated);
        assert!(why.contains("snap length"), "{why}");
    }
}
