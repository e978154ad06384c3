//! Generic Routing Encapsulation (IP protocol 47): RFC 2784 with the key
//! and sequence number of RFC 2890, the routing of RFC 1701, and PPTP's
//! enhanced GRE (version 1, RFC 2637 §4.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |C|R|K|S|s|Recur|A| Flags | Ver |         Protocol Type         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Checksum (optional)      |       Offset (optional)       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Key (optional; version 1: payload length and call ID)        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                 Sequence Number (optional)                    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Acknowledgment Number (optional, version 1 only)         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! The protocol type is an EtherType: 0x0800 IPv4, 0x86dd IPv6, 0x6558
//! transparent Ethernet bridging (an Ethernet frame follows), 0x8909 Cisco
//! MetaData, 0x880b PPP.

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, Value, ether_payload, ethernet, names, payload, tunnel};

crate::fields! {
    FLAGS_AND_VERSION = FieldDef::fixed("gre.flags_and_version", "Flags and Version", 0..2, Hex(4)).spec("RFC 2784 §2");
    F_CHECKSUM = FieldDef::fixed("gre.flags.checksum", "Checksum Bit", 0..2, Bool).mask(0x8000).spec("RFC 2784 §2.1");
    F_ROUTING = FieldDef::fixed("gre.flags.routing", "Routing Bit", 0..2, Bool).mask(0x4000).spec("RFC 1701 §3.1");
    F_KEY = FieldDef::fixed("gre.flags.key", "Key Bit", 0..2, Bool).mask(0x2000).spec("RFC 2890 §2");
    F_SEQ = FieldDef::fixed("gre.flags.sequence_number", "Sequence Number Bit", 0..2, Bool).mask(0x1000).spec("RFC 2890 §2");
    F_SSR = FieldDef::fixed("gre.flags.strict_source_route", "Strict Source Route Bit", 0..2, Bool).mask(0x0800).spec("RFC 1701 §3.1");
    F_RECURSION = FieldDef::fixed("gre.flags.recursion_control", "Recursion control", 0..2, Dec).mask(0x0700).spec("RFC 1701 §3.1");
    F_ACK = FieldDef::fixed("gre.flags.ack", "Acknowledgment", 0..2, Bool).mask(0x0080).spec("RFC 2637 §4.1");
    F_RESERVED = FieldDef::fixed("gre.flags.reserved", "Flags (Reserved)", 0..2, Dec).mask(0x00f8).spec("RFC 2784 §2.2");
    F_VERSION = FieldDef::fixed("gre.flags.version", "Version", 0..2, Dec).mask(0x0007).spec("RFC 2784 §2.3");
    PROTO = FieldDef::fixed("gre.proto", "Protocol Type", 2..4, Hex(4)).spec("RFC 2784 §2.4");
    CHECKSUM = FieldDef::var("gre.checksum", "Checksum", Hex(4)).spec("RFC 2784 §2.5");
    OFFSET = FieldDef::var("gre.offset", "Offset", Dec).spec("RFC 1701 §3.1");
    KEY = FieldDef::var("gre.key", "Key", Hex(8)).spec("RFC 2890 §2.1");
    KEY_PAYLOAD_LENGTH = FieldDef::var("gre.key.payload_length", "Payload Length", Dec).spec("RFC 2637 §4.1");
    KEY_CALL_ID = FieldDef::var("gre.key.call_id", "Call ID", Dec).spec("RFC 2637 §4.1");
    SEQUENCE_NUMBER = FieldDef::var("gre.sequence_number", "Sequence Number", Dec).spec("RFC 2890 §2.2");
    ACK_NUMBER = FieldDef::var("gre.ack_number", "Acknowledgment Number", Dec).spec("RFC 2637 §4.1");
    ROUTING_AF = FieldDef::var("gre.routing.address_family", "Address Family", Dec).spec("RFC 1701 §3.1");
    ROUTING_SRE_OFFSET = FieldDef::var("gre.routing.sre_offset", "SRE Offset", Dec).spec("RFC 1701 §3.1");
    ROUTING_SRE_LENGTH = FieldDef::var("gre.routing.src_length", "SRE Length", Dec).spec("RFC 1701 §3.1");
    ROUTING_INFORMATION = FieldDef::var("gre.routing.information", "Routing Information", Bytes).spec("RFC 1701 §3.1");
}

/// Transparent Ethernet bridging: an Ethernet frame follows.
pub const ETHERTYPE_TEB: u16 = 0x6558;
/// Cisco MetaData.
pub const ETHERTYPE_CMD: u16 = 0x8909;
/// At most this many routing entries are read (each takes 4 bytes or more).
const MAX_SRES: usize = 64;

/// Decode a GRE packet at `start`; `end` is where the IP payload ends.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(Proto::Gre, start..(start + 4).min(end));
    ctx.set_pdu(start..end);
    if tunnel::too_deep(ctx, start) {
        return;
    }
    let Some(flags) = ctx.uint(&FLAGS_AND_VERSION, start) else {
        ctx.short_of(Proto::Gre, start, 4, end, "header");
        return;
    };
    let version = flags & 7;
    if ctx.fields_on {
        ctx.uint(&F_CHECKSUM, start);
        ctx.uint(&F_ROUTING, start);
        ctx.uint(&F_KEY, start);
        ctx.uint(&F_SEQ, start);
        ctx.uint(&F_SSR, start);
        ctx.uint(&F_RECURSION, start);
        if version == 1 {
            ctx.uint(&F_ACK, start);
            // Enhanced GRE's acknowledgment bit narrows the reserved bits.
            let range = F_RESERVED.at(start);
            let reserved = Value::UInt((flags & 0x0078) >> 3);
            ctx.value_masked(&F_RESERVED, range, 0x0078, reserved);
            ctx.nest(1);
        } else {
            ctx.uint(&F_RESERVED, start);
        }
        ctx.uint(&F_VERSION, start);
    }
    let Some(proto) = ctx.uint(&PROTO, start) else {
        ctx.short_of(Proto::Gre, start, 4, end, "header");
        return;
    };
    let proto = proto as u16;
    ctx.meaning(proto_name(proto));
    let (checksum, routing) = (flags & 0x8000 != 0, flags & 0x4000 != 0);
    let (key, seq) = (flags & 0x2000 != 0, flags & 0x1000 != 0);
    let ack = version == 1 && flags & 0x0080 != 0;
    let need = 4
        + 4 * usize::from(checksum || routing)
        + 4 * usize::from(key)
        + 4 * usize::from(seq)
        + 4 * usize::from(ack);
    ctx.set_header(start..start + need);
    if ctx.available(start, end) < need {
        ctx.short_of(Proto::Gre, start, need, end, "header");
        return;
    }
    let mut at = start + 4;
    if checksum || routing {
        ctx.uint_at(&CHECKSUM, at..at + 2);
        ctx.uint_at(&OFFSET, at + 2..at + 4);
        at += 4;
    }
    if key {
        if version == 1 {
            ctx.uint_at(&KEY_PAYLOAD_LENGTH, at..at + 2);
            ctx.uint_at(&KEY_CALL_ID, at + 2..at + 4);
        } else {
            ctx.uint_at(&KEY, at..at + 4);
        }
        at += 4;
    }
    if seq {
        ctx.uint_at(&SEQUENCE_NUMBER, at..at + 4);
        at += 4;
    }
    if ack {
        ctx.uint_at(&ACK_NUMBER, at..at + 4);
        at += 4;
    }
    if routing {
        let Some(after) = sres(ctx, at, end) else {
            return;
        };
        at = after;
        ctx.set_header(start..at);
    }
    if at >= end.min(ctx.data.len()) {
        return;
    }
    match proto {
        ETHERTYPE_TEB => ethernet::dissect(ctx, at, end),
        ETHERTYPE_CMD => super::cmd::dissect(ctx, at, end),
        0x0800 | 0x86dd | 0x0806 | 0x8847 | 0x8848 | 0x8100 | 0x88a8 => {
            ether_payload(ctx, proto, at, end)
        }
        _ => payload::unsupported(ctx, at, end, || {
            format!(
                "GRE protocol type {proto:#06x} ({}) is not decoded",
                proto_name(proto)
            )
        }),
    }
}

/// RFC 1701's source route entries, up to the one with address family 0
/// and length 0. Returns where the payload starts, or `None` when the
/// entries run past the packet.
fn sres(ctx: &mut Ctx, mut at: usize, end: usize) -> Option<usize> {
    for _ in 0..MAX_SRES {
        let (Some(af), Some(offset), Some(len)) =
            (ctx.u16_at(at), ctx.u8_at(at + 2), ctx.u8_at(at + 3))
        else {
            ctx.short_of(Proto::Gre, at, 4, end, "routing entry");
            return None;
        };
        ctx.uint_at(&ROUTING_AF, at..at + 2);
        ctx.uint_at(&ROUTING_SRE_OFFSET, at + 2..at + 3);
        ctx.uint_at(&ROUTING_SRE_LENGTH, at + 3..at + 4);
        let _ = offset;
        at += 4;
        if af == 0 && len == 0 {
            return Some(at);
        }
        let info = at..at + usize::from(len);
        if ctx.available(at, end) < usize::from(len) {
            ctx.short_of(Proto::Gre, at, usize::from(len), end, "routing entry");
            return None;
        }
        ctx.bytes_at(&ROUTING_INFORMATION, info.clone());
        at = info.end;
    }
    ctx.malformed(
        Proto::Gre,
        at,
        format!("more than {MAX_SRES} GRE routing entries; decoding stops here"),
    );
    None
}

/// Wireshark's names of GRE protocol types.
pub fn proto_name(proto: u16) -> &'static str {
    match proto {
        0x0000 => "Possible GRE keepalive packet",
        ETHERTYPE_TEB => "Transparent Ethernet bridging",
        ETHERTYPE_CMD => "CiscoMetaData",
        0x880b => "PPP",
        0x88be => "ERSPAN",
        0x2000 => "CDP (Cisco)",
        _ => names::ethertype(proto),
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::ethernet::tests::{decode_raw, ipv4};
    use crate::decode::{NoteKind, Proto, Value};

    /// IPv4 carrying GRE with checksum, key and sequence bits (RFC 2890),
    /// protocol IPv4, then an inner IPv4 header carrying UDP.
    fn gre_packet() -> Vec<u8> {
        let mut inner = ipv4(17, 28);
        inner.extend([0x13, 0x88, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00]);
        let total = 20 + 16 + inner.len();
        let mut b = ipv4(47, total as u16);
        b.extend([0xb0, 0x00, 0x08, 0x00]); // C, K, S; version 0; IPv4
        b.extend([0x12, 0x34, 0x00, 0x00]); // checksum, reserved
        b.extend([0x00, 0x00, 0x00, 0x2a]); // key 42
        b.extend([0x00, 0x00, 0x01, 0x00]); // sequence 256
        b.extend(inner);
        b
    }

    #[test]
    fn gre_optional_fields_sit_where_the_flags_say_and_the_inner_packet_follows() {
        let b = gre_packet();
        let n = b.len();
        let d = decode_raw(b, n);
        let v = |k: &str| d.field(k).map(|f| (f.value.clone(), f.bytes.clone()));
        assert_eq!(
            v("gre.flags_and_version"),
            Some((Value::Hex(0xb000, 4), 20..22))
        );
        assert_eq!(v("gre.checksum"), Some((Value::Hex(0x1234, 4), 24..26)));
        assert_eq!(v("gre.key"), Some((Value::Hex(42, 8), 28..32)));
        assert_eq!(v("gre.sequence_number"), Some((Value::UInt(256), 32..36)));
        assert_eq!(d.layer(Proto::Gre).map(|l| l.header.clone()), Some(20..36));
        // Outer and inner IPv4, in that order; the inner UDP's ports.
        assert_eq!(d.fields_named("ip.proto").count(), 2);
        assert_eq!(d.layer(Proto::Udp).map(|l| l.header.start), Some(56));
    }

    #[test]
    fn gre_cut_anywhere_notes_it_and_never_panics() {
        let whole = gre_packet();
        for cut in 20..whole.len() {
            let d = decode_raw(whole[..cut].to_vec(), whole.len());
            if cut < 36 {
                assert!(
                    d.notes.iter().any(|n| n.kind == NoteKind::Truncated),
                    "cut {cut}"
                );
            }
        }
    }
}
