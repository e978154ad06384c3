//! ICMPv6 (RFC 4443): errors quoting the offending packet, echo, neighbour
//! discovery (RFC 4861) with its options, and multicast listener messages
//! (RFC 2710, RFC 3810).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Code      |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         Message Body                          |
//! ND option:  | Type | Length (units of 8 bytes) | value ...
//! ```

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, ipv6, names, payload};

crate::fields! {
    TYPE = FieldDef::fixed("icmpv6.type", "Type", 0..1, Dec).spec("RFC 4443");
    CODE = FieldDef::fixed("icmpv6.code", "Code", 1..2, Dec).spec("RFC 4443");
    CHECKSUM = FieldDef::fixed("icmpv6.checksum", "Checksum", 2..4, Hex(4)).spec("RFC 4443");
    MTU = FieldDef::var("icmpv6.mtu", "MTU", Dec).spec("RFC 4443");
    POINTER = FieldDef::var("icmpv6.pointer", "Pointer", Dec).spec("RFC 4443");
    RESERVED = FieldDef::var("icmpv6.reserved", "Reserved", Bytes).spec("RFC 4443");
    ECHO_IDENTIFIER = FieldDef::fixed("icmpv6.echo.identifier", "Identifier", 4..6, Hex(4)).spec("RFC 4443");
    ECHO_SEQUENCE_NUMBER = FieldDef::fixed("icmpv6.echo.sequence_number", "Sequence", 6..8, Dec).spec("RFC 4443");
    MLD_MAXIMUM_RESPONSE_DELAY = FieldDef::fixed("icmpv6.mld.maximum_response_delay", "Maximum Response Delay [ms]", 4..6, Dec).spec("RFC 2710");
    MLD_MULTICAST_ADDRESS = FieldDef::fixed("icmpv6.mld.multicast_address", "Multicast Address", 8..24, Ipv6).spec("RFC 2710");
    ND_RA_CUR_HOP_LIMIT = FieldDef::var("icmpv6.nd.ra.cur_hop_limit", "Cur hop limit", Dec).spec("RFC 4861");
    ND_RA_FLAG = FieldDef::var("icmpv6.nd.ra.flag", "Flags", Hex(2)).spec("RFC 4861");
    ND_RA_ROUTER_LIFETIME = FieldDef::var("icmpv6.nd.ra.router_lifetime", "Router lifetime (s)", Dec).spec("RFC 4861");
    ND_RA_REACHABLE_TIME = FieldDef::var("icmpv6.nd.ra.reachable_time", "Reachable time (ms)", Dec).spec("RFC 4861");
    ND_RA_RETRANS_TIMER = FieldDef::var("icmpv6.nd.ra.retrans_timer", "Retrans timer (ms)", Dec).spec("RFC 4861");
    ND_NS_TARGET_ADDRESS = FieldDef::fixed("icmpv6.nd.ns.target_address", "Target Address", 8..24, Ipv6).spec("RFC 4861");
    ND_NA_FLAG = FieldDef::var("icmpv6.nd.na.flag", "Flags", Hex(8)).spec("RFC 4861");
    ND_NA_TARGET_ADDRESS = FieldDef::fixed("icmpv6.nd.na.target_address", "Target Address", 8..24, Ipv6).spec("RFC 4861");
    ND_RD_TARGET_ADDRESS = FieldDef::var("icmpv6.nd.rd.target_address", "Target Address", Ipv6).spec("RFC 4861");
    ND_RD_DESTINATION_ADDRESS = FieldDef::var("icmpv6.nd.rd.destination_address", "Destination Address", Ipv6).spec("RFC 4861");
    OPT_TYPE = FieldDef::var("icmpv6.opt.type", "Option Type", Dec).spec("RFC 4861");
    OPT_LENGTH = FieldDef::var("icmpv6.opt.length", "Length (units of 8 bytes)", Dec).spec("RFC 4861");
    OPT_LINKADDR = FieldDef::var("icmpv6.opt.linkaddr", "Link-layer address", Mac).spec("RFC 4861");
    OPT_PREFIX_LENGTH = FieldDef::var("icmpv6.opt.prefix.length", "Prefix Length", Dec).spec("RFC 4861");
    OPT_PREFIX_VALID_LIFETIME = FieldDef::var("icmpv6.opt.prefix.valid_lifetime", "Valid Lifetime", Dec).spec("RFC 4861");
    OPT_PREFIX_PREFERRED_LIFETIME = FieldDef::var("icmpv6.opt.prefix.preferred_lifetime", "Preferred Lifetime", Dec).spec("RFC 4861");
    OPT_PREFIX = FieldDef::var("icmpv6.opt.prefix", "Prefix", Ipv6).spec("RFC 4861");
    OPT_MTU = FieldDef::var("icmpv6.opt.mtu", "MTU", Dec).spec("RFC 4861");
    MLD_MAXIMUM_RESPONSE_CODE = FieldDef::fixed("icmpv6.mld.maximum_response_code", "Maximum Response Code", 4..6, Dec).spec("RFC 3810");
    MLD_FLAG = FieldDef::var("icmpv6.mld.flag", "Flags", Hex(2)).spec("RFC 3810");
    MLD_FLAG_S = FieldDef::var("icmpv6.mld.flag.s", "Suppress Router-Side Processing", Bool).mask(0x08).spec("RFC 3810");
    MLD_FLAG_QRV = FieldDef::var("icmpv6.mld.flag.qrv", "QRV (Querier's Robustness Variable)", Dec).mask(0x07).spec("RFC 3810");
    MLD_FLAG_RESERVED = FieldDef::var("icmpv6.mld.flag.reserved", "Reserved", Dec).mask(0xf0).spec("RFC 3810");
    MLD_QQI = FieldDef::fixed("icmpv6.mld.qqi", "QQIC (Querier's Query Interval Code)", 25..26, Dec).spec("RFC 3810");
    MLD_NB_SOURCES = FieldDef::fixed("icmpv6.mld.nb_sources", "Number of Sources", 26..28, Dec).spec("RFC 3810");
    MLD_SOURCE_ADDRESS = FieldDef::var("icmpv6.mld.source_address", "Source Address", Ipv6).spec("RFC 3810");
    MLDR_NB_MCAST_RECORDS = FieldDef::fixed("icmpv6.mldr.nb_mcast_records", "Number of Multicast Address Records", 6..8, Dec).spec("RFC 3810");
    MLDR_MAR_RECORD_TYPE = FieldDef::var("icmpv6.mldr.mar.record_type", "Record Type", Dec).spec("RFC 3810");
    MLDR_MAR_AUX_DATA_LEN = FieldDef::var("icmpv6.mldr.mar.aux_data_len", "Aux Data Len", Dec).spec("RFC 3810");
    MLDR_MAR_NB_SOURCES = FieldDef::var("icmpv6.mldr.mar.nb_sources", "Number of Sources", Dec).spec("RFC 3810");
    MLDR_MAR_MULTICAST_ADDRESS = FieldDef::var("icmpv6.mldr.mar.multicast_address", "Multicast Address", Ipv6).spec("RFC 3810");
    MLDR_MAR_SOURCE_ADDRESS = FieldDef::var("icmpv6.mldr.mar.source_address", "Source Address", Ipv6).spec("RFC 3810");
    MLDR_MAR_AUXILIARY_DATA = FieldDef::var("icmpv6.mldr.mar.auxiliary_data", "Auxiliary Data", Bytes).spec("RFC 3810");
}

pub const HEADER_LEN: usize = 4;

/// Decode an ICMPv6 message at `start`.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(
        Proto::Icmpv6,
        start..(start + 8).min(end).min(ctx.data.len()),
    );
    ctx.set_pdu(start..end.max(start));
    let Some(kind) = ctx.uint(&TYPE, start).map(|t| t as u8) else {
        ctx.truncated_before(Proto::Icmpv6, start);
        return;
    };
    ctx.meaning(names::icmpv6_type(kind));
    ctx.uint(&CODE, start);
    ctx.uint(&CHECKSUM, start);
    let body = start + HEADER_LEN;
    match kind {
        1..=4 => {
            match kind {
                2 => {
                    ctx.uint_at(&MTU, body..body + 4);
                }
                4 => {
                    ctx.uint_at(&POINTER, body..body + 4);
                }
                _ => ctx.bytes_at(&RESERVED, body..body + 4),
            }
            if start + 8 < end.min(ctx.data.len()) {
                let was = (ctx.quoted, ctx.addrs, ctx.limit);
                ctx.quoted = true;
                ipv6::dissect(ctx, start + 8, end);
                (ctx.quoted, ctx.addrs, ctx.limit) = was;
            }
        }
        128 | 129 => {
            ctx.uint_at(&ECHO_IDENTIFIER, body..body + 2);
            ctx.uint_at(&ECHO_SEQUENCE_NUMBER, body + 2..body + 4);
            payload::data(ctx, start + 8, end);
        }
        130 if end.saturating_sub(start) >= 28 => mld2_query(ctx, start, end),
        143 => mld2_report(ctx, start, end),
        130..=132 => {
            ctx.uint_at(&MLD_MAXIMUM_RESPONSE_DELAY, body..body + 2);
            ctx.bytes_at(&RESERVED, body + 2..body + 4);
            ctx.ipv6_at(&MLD_MULTICAST_ADDRESS, body + 4);
            ctx.set_header(start..(start + 24).min(end).min(ctx.data.len()));
            if start + 24 < end {
                payload::data(ctx, start + 24, end);
            }
        }
        133 => {
            ctx.bytes_at(&RESERVED, body..body + 4);
            nd(ctx, start, end, 8);
        }
        134 => {
            ctx.uint_at(&ND_RA_CUR_HOP_LIMIT, body..body + 1);
            ctx.uint_at(&ND_RA_FLAG, body + 1..body + 2);
            ctx.uint_at(&ND_RA_ROUTER_LIFETIME, body + 2..body + 4);
            ctx.uint_at(&ND_RA_REACHABLE_TIME, body + 4..body + 8);
            ctx.uint_at(&ND_RA_RETRANS_TIMER, body + 8..body + 12);
            nd(ctx, start, end, 16);
        }
        135 => {
            ctx.bytes_at(&RESERVED, body..body + 4);
            ctx.ipv6_at(&ND_NS_TARGET_ADDRESS, body + 4);
            nd(ctx, start, end, 24);
        }
        136 => {
            ctx.uint_at(&ND_NA_FLAG, body..body + 4);
            ctx.ipv6_at(&ND_NA_TARGET_ADDRESS, body + 4);
            nd(ctx, start, end, 24);
        }
        137 => {
            ctx.bytes_at(&RESERVED, body..body + 4);
            ctx.ipv6_at(&ND_RD_TARGET_ADDRESS, body + 4);
            ctx.ipv6_at(&ND_RD_DESTINATION_ADDRESS, body + 20);
            nd(ctx, start, end, 40);
        }
        _ => {
            // Only type, code and checksum are common to every message.
            ctx.set_header(start..body.min(end).min(ctx.data.len()));
            payload::data(ctx, body, end)
        }
    }
}

/// Neighbour discovery: fixed part of `fixed` bytes, then options.
fn nd(ctx: &mut Ctx, start: usize, end: usize, fixed: usize) {
    let stop = end.min(ctx.data.len());
    ctx.set_header(start..(start + fixed).max(stop).min(stop.max(start)));
    if start + fixed > stop {
        ctx.short_of(Proto::Icmpv6, start, fixed, end, "message");
        return;
    }
    let mut pos = start + fixed;
    while pos + 2 <= stop {
        let kind = ctx.u8_at(pos).unwrap_or(0);
        let units = ctx.u8_at(pos + 1).unwrap_or(0) as usize;
        ctx.uint_at(&OPT_TYPE, pos..pos + 1);
        ctx.meaning(option_name(kind));
        ctx.uint_at(&OPT_LENGTH, pos + 1..pos + 2);
        ctx.nest(1);
        if units == 0 || pos + units * 8 > stop {
            ctx.malformed(
                Proto::Icmpv6,
                pos,
                format!("ICMPv6 option length {units} is invalid"),
            );
            return;
        }
        let len = units * 8;
        match kind {
            1 | 2 if len == 8 => {
                ctx.mac_at(&OPT_LINKADDR, pos + 2);
                ctx.nest(1);
            }
            3 if len == 32 => {
                ctx.uint_at(&OPT_PREFIX_LENGTH, pos + 2..pos + 3);
                ctx.nest(1);
                ctx.uint_at(&OPT_PREFIX_VALID_LIFETIME, pos + 4..pos + 8);
                ctx.nest(1);
                ctx.uint_at(&OPT_PREFIX_PREFERRED_LIFETIME, pos + 8..pos + 12);
                ctx.nest(1);
                ctx.ipv6_at(&OPT_PREFIX, pos + 16);
                ctx.nest(1);
            }
            5 if len == 8 => {
                ctx.uint_at(&OPT_MTU, pos + 4..pos + 8);
                ctx.nest(1);
            }
            // tshark has no generic key for an option's payload; the bytes
            // are the option's, by its type and length above.
            _ => {}
        }
        pos += len;
    }
}

fn option_name(kind: u8) -> &'static str {
    match kind {
        1 => "Source link-layer address",
        2 => "Target link-layer address",
        3 => "Prefix information",
        4 => "Redirected header",
        5 => "MTU",
        25 => "Recursive DNS Server",
        31 => "DNS Search List",
        _ => "Unknown",
    }
}

/// An MLDv2 query (RFC 3810 5.1): 28 bytes or more, with a response code
/// instead of MLDv1's delay, flags, QQIC and the sources.
fn mld2_query(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.uint(&MLD_MAXIMUM_RESPONSE_CODE, start);
    ctx.bytes_at(&RESERVED, start + 6..start + 8);
    ctx.ipv6_at(&MLD_MULTICAST_ADDRESS, start + 8);
    let flags = start + 24..start + 25;
    ctx.uint_at(&MLD_FLAG, flags.clone());
    ctx.uint_at(&MLD_FLAG_S, flags.clone());
    ctx.uint_at(&MLD_FLAG_QRV, flags.clone());
    ctx.uint_at(&MLD_FLAG_RESERVED, flags);
    ctx.uint(&MLD_QQI, start);
    let sources = ctx.uint(&MLD_NB_SOURCES, start).unwrap_or(0) as usize;
    let room = end.saturating_sub(start + 28) / 16;
    let count = sources.min(room);
    for i in 0..count {
        ctx.ipv6_at(&MLD_SOURCE_ADDRESS, start + 28 + 16 * i);
    }
    let header_end = start + 28 + 16 * count;
    ctx.set_header(start..header_end.min(end).min(ctx.data.len()));
    if header_end < end {
        payload::data(ctx, header_end, end);
    }
}

/// An MLDv2 report (RFC 3810 5.2): the multicast address records, each
/// with its sources and auxiliary data. Bounded by the bytes there.
fn mld2_report(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bytes_at(&RESERVED, start + 4..start + 6);
    let records = ctx.uint(&MLDR_NB_MCAST_RECORDS, start).unwrap_or(0);
    let mut pos = start + 8;
    for _ in 0..records {
        if pos + 20 > end {
            break;
        }
        ctx.uint_at(&MLDR_MAR_RECORD_TYPE, pos..pos + 1);
        ctx.nest(1);
        let aux = ctx
            .uint_at(&MLDR_MAR_AUX_DATA_LEN, pos + 1..pos + 2)
            .unwrap_or(0) as usize;
        ctx.nest(1);
        let sources = ctx
            .uint_at(&MLDR_MAR_NB_SOURCES, pos + 2..pos + 4)
            .unwrap_or(0) as usize;
        ctx.nest(1);
        ctx.ipv6_at(&MLDR_MAR_MULTICAST_ADDRESS, pos + 4);
        ctx.nest(1);
        pos += 20;
        for _ in 0..sources {
            if pos + 16 > end {
                break;
            }
            ctx.ipv6_at(&MLDR_MAR_SOURCE_ADDRESS, pos);
            ctx.nest(1);
            pos += 16;
        }
        if aux > 0 {
            let stop = (pos + aux * 4).min(end);
            ctx.bytes_at(&MLDR_MAR_AUXILIARY_DATA, pos..stop);
            ctx.nest(1);
            pos = stop;
        }
    }
    ctx.set_header(start..pos.min(end).min(ctx.data.len()));
    if pos < end {
        payload::data(ctx, pos, end);
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv6Addr};

    use crate::decode::ethernet::tests::{decode_raw, get, ipv6, note};
    use crate::decode::{NoteKind, Proto, Value};

    #[test]
    fn icmpv6_echo_request_has_identifier_and_sequence_then_data() {
        let mut bytes = ipv6(58, 12);
        bytes.extend([
            0x80, // type 128: echo request
            0x00, // code 0
            0x12, 0x34, // checksum
            0x00, 0x07, // identifier 7
            0x00, 0x01, // sequence 1
            b'p', b'i', b'n', b'g', // data
        ]);
        let d = decode_raw(bytes, 52);
        assert_eq!(get(&d, "icmpv6.type"), (Value::UInt(128), 40..41, 0));
        assert_eq!(get(&d, "icmpv6.code"), (Value::UInt(0), 41..42, 0));
        assert_eq!(
            get(&d, "icmpv6.checksum"),
            (Value::Hex(0x1234, 4), 42..44, 0)
        );
        assert_eq!(
            get(&d, "icmpv6.echo.identifier"),
            (Value::Hex(7, 4), 44..46, 0)
        );
        let seq = get(&d, "icmpv6.echo.sequence_number");
        assert_eq!(seq, (Value::UInt(1), 46..48, 0));
        assert_eq!(
            d.layer(Proto::Icmpv6).map(|l| l.header.clone()),
            Some(40..48)
        );
        assert_eq!(
            d.layer(Proto::Payload).map(|l| l.header.clone()),
            Some(48..52)
        );
    }

    /// A neighbour solicitation for 2001:db8::2 with one option after it.
    fn solicitation(option_units: u8) -> Vec<u8> {
        let mut bytes = ipv6(58, 32);
        bytes.extend([
            0x87, // type 135: neighbour solicitation
            0x00, // code 0
            0x00, 0x00, // checksum
            0x00, 0x00, 0x00, 0x00, // reserved
        ]);
        bytes.extend([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]); // target
        bytes.extend([
            0x01,         // option type 1: source link-layer address
            option_units, // option length in units of 8 bytes
            0x00,
            0x11,
            0x22,
            0x33,
            0x44,
            0x55, // the link-layer address
        ]);
        bytes
    }

    #[test]
    fn neighbour_solicitation_has_target_and_source_link_layer_option() {
        let d = decode_raw(solicitation(1), 72);
        let target = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
        let target = (Value::Ip(IpAddr::V6(target)), 48..64, 0);
        assert_eq!(get(&d, "icmpv6.nd.ns.target_address"), target);
        assert_eq!(get(&d, "icmpv6.opt.type"), (Value::UInt(1), 64..65, 0));
        assert_eq!(get(&d, "icmpv6.opt.length"), (Value::UInt(1), 65..66, 0));
        let mac = Value::Mac([0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
        assert_eq!(get(&d, "icmpv6.opt.linkaddr"), (mac, 66..72, 0));
        // The header covers the options.
        assert_eq!(
            d.layer(Proto::Icmpv6).map(|l| l.header.clone()),
            Some(40..72)
        );
        assert!(d.notes.is_empty(), "{:?}", d.notes);
    }

    #[test]
    fn neighbour_discovery_option_of_length_zero_is_malformed() {
        let d = decode_raw(solicitation(0), 72);
        assert!(d.field("icmpv6.opt.linkaddr").is_none());
        let n = d
            .notes
            .iter()
            .find(|n| n.proto == Proto::Icmpv6)
            .expect("a note");
        assert_eq!((n.kind, n.offset), (NoteKind::Malformed, 64));
        assert!(n.message.contains("option length 0 is invalid"));
    }

    #[test]
    fn neighbour_solicitation_cut_inside_the_target_says_truncated() {
        let mut bytes = solicitation(1);
        bytes.truncate(40 + 12);
        let d = decode_raw(bytes, 72);
        assert!(d.field("icmpv6.nd.ns.target_address").is_none());
        let why = note(&d, Proto::Icmpv6, NoteKind::Truncated);
        assert!(
            why.contains("says 24 bytes") && why.contains("snap length"),
            "{why}"
        );
    }
}
