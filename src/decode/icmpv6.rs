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

use std::ops::Range;

use super::{BitStyle, Ctx, Proto, at, ipv6, names, payload};

pub const TYPE: Range<usize> = 0..1;
pub const CODE: Range<usize> = 1..2;
pub const CHECKSUM: Range<usize> = 2..4;
pub const HEADER_LEN: usize = 4;

/// Decode an ICMPv6 message at `start`.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(
        Proto::Icmpv6,
        start..(start + 8).min(end).min(ctx.data.len()),
    );
    ctx.set_pdu(start..end.max(start));
    let Some(kind) = ctx
        .uint_lit("icmpv6.type", "Type", at(start, TYPE))
        .map(|t| t as u8)
    else {
        ctx.truncated_before(Proto::Icmpv6, start);
        return;
    };
    ctx.meaning(names::icmpv6_type(kind));
    ctx.uint_lit("icmpv6.code", "Code", at(start, CODE));
    ctx.hex_lit("icmpv6.checksum", "Checksum", at(start, CHECKSUM), 4);
    let body = start + HEADER_LEN;
    match kind {
        1..=4 => {
            match kind {
                2 => {
                    ctx.uint_lit("icmpv6.mtu", "MTU", body..body + 4);
                }
                4 => {
                    ctx.uint_lit("icmpv6.pointer", "Pointer", body..body + 4);
                }
                _ => ctx.bytes_lit("icmpv6.reserved", "Reserved", body..body + 4),
            }
            if start + 8 < end.min(ctx.data.len()) {
                let was = (ctx.quoted, ctx.addrs, ctx.limit);
                ctx.quoted = true;
                ipv6::dissect(ctx, start + 8, end);
                (ctx.quoted, ctx.addrs, ctx.limit) = was;
            }
        }
        128 | 129 => {
            ctx.hex_lit("icmpv6.echo.identifier", "Identifier", body..body + 2, 4);
            ctx.uint_lit(
                "icmpv6.echo.sequence_number",
                "Sequence",
                body + 2..body + 4,
            );
            payload::data(ctx, start + 8, end);
        }
        130 if end.saturating_sub(start) >= 28 => mld2_query(ctx, start, end),
        143 => mld2_report(ctx, start, end),
        130..=132 => {
            ctx.uint_lit(
                "icmpv6.mld.maximum_response_delay",
                "Maximum Response Delay [ms]",
                body..body + 2,
            );
            ctx.bytes_lit("icmpv6.reserved", "Reserved", body + 2..body + 4);
            ctx.ipv6_lit(
                "icmpv6.mld.multicast_address",
                "Multicast Address",
                body + 4,
            );
            ctx.set_header(start..(start + 24).min(end).min(ctx.data.len()));
            if start + 24 < end {
                payload::data(ctx, start + 24, end);
            }
        }
        133 => {
            ctx.bytes_lit("icmpv6.reserved", "Reserved", body..body + 4);
            nd(ctx, start, end, 8);
        }
        134 => {
            ctx.uint_lit(
                "icmpv6.nd.ra.cur_hop_limit",
                "Cur hop limit",
                body..body + 1,
            );
            ctx.hex_lit("icmpv6.nd.ra.flag", "Flags", body + 1..body + 2, 2);
            ctx.uint_lit(
                "icmpv6.nd.ra.router_lifetime",
                "Router lifetime (s)",
                body + 2..body + 4,
            );
            ctx.uint_lit(
                "icmpv6.nd.ra.reachable_time",
                "Reachable time (ms)",
                body + 4..body + 8,
            );
            ctx.uint_lit(
                "icmpv6.nd.ra.retrans_timer",
                "Retrans timer (ms)",
                body + 8..body + 12,
            );
            nd(ctx, start, end, 16);
        }
        135 => {
            ctx.bytes_lit("icmpv6.reserved", "Reserved", body..body + 4);
            ctx.ipv6_lit("icmpv6.nd.ns.target_address", "Target Address", body + 4);
            nd(ctx, start, end, 24);
        }
        136 => {
            ctx.hex_lit("icmpv6.nd.na.flag", "Flags", body..body + 4, 8);
            ctx.ipv6_lit("icmpv6.nd.na.target_address", "Target Address", body + 4);
            nd(ctx, start, end, 24);
        }
        137 => {
            ctx.bytes_lit("icmpv6.reserved", "Reserved", body..body + 4);
            ctx.ipv6_lit("icmpv6.nd.rd.target_address", "Target Address", body + 4);
            ctx.ipv6_lit(
                "icmpv6.nd.rd.destination_address",
                "Destination Address",
                body + 20,
            );
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
        ctx.uint_lit("icmpv6.opt.type", "Option Type", pos..pos + 1);
        ctx.meaning(option_name(kind));
        ctx.uint_lit(
            "icmpv6.opt.length",
            "Length (units of 8 bytes)",
            pos + 1..pos + 2,
        );
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
                ctx.mac_lit("icmpv6.opt.linkaddr", "Link-layer address", pos + 2);
                ctx.nest(1);
            }
            3 if len == 32 => {
                ctx.uint_lit(
                    "icmpv6.opt.prefix.length",
                    "Prefix Length",
                    pos + 2..pos + 3,
                );
                ctx.nest(1);
                ctx.uint_lit(
                    "icmpv6.opt.prefix.valid_lifetime",
                    "Valid Lifetime",
                    pos + 4..pos + 8,
                );
                ctx.nest(1);
                ctx.uint_lit(
                    "icmpv6.opt.prefix.preferred_lifetime",
                    "Preferred Lifetime",
                    pos + 8..pos + 12,
                );
                ctx.nest(1);
                ctx.ipv6_lit("icmpv6.opt.prefix", "Prefix", pos + 16);
                ctx.nest(1);
            }
            5 if len == 8 => {
                ctx.uint_lit("icmpv6.opt.mtu", "MTU", pos + 4..pos + 8);
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
    ctx.uint_lit(
        "icmpv6.mld.maximum_response_code",
        "Maximum Response Code",
        start + 4..start + 6,
    );
    ctx.bytes_lit("icmpv6.reserved", "Reserved", start + 6..start + 8);
    ctx.ipv6_lit(
        "icmpv6.mld.multicast_address",
        "Multicast Address",
        start + 8,
    );
    let flags = start + 24..start + 25;
    ctx.hex_lit("icmpv6.mld.flag", "Flags", flags.clone(), 2);
    ctx.bits_lit(
        "icmpv6.mld.flag.s",
        "Suppress Router-Side Processing",
        flags.clone(),
        0x08,
        BitStyle::Bool,
    );
    ctx.bits_lit(
        "icmpv6.mld.flag.qrv",
        "QRV (Querier's Robustness Variable)",
        flags.clone(),
        0x07,
        BitStyle::Dec,
    );
    ctx.bits_lit(
        "icmpv6.mld.flag.reserved",
        "Reserved",
        flags,
        0xf0,
        BitStyle::Dec,
    );
    ctx.uint_lit(
        "icmpv6.mld.qqi",
        "QQIC (Querier's Query Interval Code)",
        start + 25..start + 26,
    );
    let sources = ctx
        .uint_lit(
            "icmpv6.mld.nb_sources",
            "Number of Sources",
            start + 26..start + 28,
        )
        .unwrap_or(0) as usize;
    let room = end.saturating_sub(start + 28) / 16;
    let count = sources.min(room);
    for i in 0..count {
        ctx.ipv6_lit(
            "icmpv6.mld.source_address",
            "Source Address",
            start + 28 + 16 * i,
        );
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
    ctx.bytes_lit("icmpv6.reserved", "Reserved", start + 4..start + 6);
    let records = ctx
        .uint_lit(
            "icmpv6.mldr.nb_mcast_records",
            "Number of Multicast Address Records",
            start + 6..start + 8,
        )
        .unwrap_or(0);
    let mut pos = start + 8;
    for _ in 0..records {
        if pos + 20 > end {
            break;
        }
        ctx.uint_lit("icmpv6.mldr.mar.record_type", "Record Type", pos..pos + 1);
        ctx.nest(1);
        let aux = ctx
            .uint_lit(
                "icmpv6.mldr.mar.aux_data_len",
                "Aux Data Len",
                pos + 1..pos + 2,
            )
            .unwrap_or(0) as usize;
        ctx.nest(1);
        let sources = ctx
            .uint_lit(
                "icmpv6.mldr.mar.nb_sources",
                "Number of Sources",
                pos + 2..pos + 4,
            )
            .unwrap_or(0) as usize;
        ctx.nest(1);
        ctx.ipv6_lit(
            "icmpv6.mldr.mar.multicast_address",
            "Multicast Address",
            pos + 4,
        );
        ctx.nest(1);
        pos += 20;
        for _ in 0..sources {
            if pos + 16 > end {
                break;
            }
            ctx.ipv6_lit("icmpv6.mldr.mar.source_address", "Source Address", pos);
            ctx.nest(1);
            pos += 16;
        }
        if aux > 0 {
            let stop = (pos + aux * 4).min(end);
            ctx.bytes_lit(
                "icmpv6.mldr.mar.auxiliary_data",
                "Auxiliary Data",
                pos..stop,
            );
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
