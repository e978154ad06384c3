//! ICMP for IPv4 (RFC 792): echo, errors quoting the offending datagram,
//! timestamps and the rest by type.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Code      |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  echo: Identifier             |  echo: Sequence Number        |
//! |  errors: unused / gateway / pointer / next-hop MTU            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  echo: data ...   errors: IP header + first 8 bytes of data   |
//! ```

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, ipv4, names, payload};

crate::fields! {
    TYPE = FieldDef::fixed("icmp.type", "Type", 0..1, Dec).spec("RFC 792");
    CODE = FieldDef::fixed("icmp.code", "Code", 1..2, Dec).spec("RFC 792");
    CHECKSUM = FieldDef::fixed("icmp.checksum", "Checksum", 2..4, Hex(4)).spec("RFC 792");
    CHECKSUM_STATUS = FieldDef::generated("icmp.checksum.status", "Checksum Status", Text);
    IDENT = FieldDef::fixed("icmp.ident", "Identifier", 4..6, Dec).spec("RFC 792");
    SEQ = FieldDef::fixed("icmp.seq", "Sequence Number", 6..8, Dec).spec("RFC 792");
    REDIR_GW = FieldDef::fixed("icmp.redir_gw", "Gateway Address", 4..8, Ipv4).spec("RFC 792");
    POINTER = FieldDef::fixed("icmp.pointer", "Pointer", 4..5, Dec).spec("RFC 792");
    MTU = FieldDef::fixed("icmp.mtu", "MTU of next hop", 6..8, Dec).spec("RFC 1191");
    UNUSED = FieldDef::var("icmp.unused", "Unused", Bytes).spec("RFC 792");
}

pub const HEADER_LEN: usize = 8;

/// True for types whose body quotes the datagram that caused them.
pub fn is_error(kind: u8) -> bool {
    matches!(kind, 3 | 4 | 5 | 11 | 12)
}

/// Decode an ICMP message at `start`.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(
        Proto::Icmp,
        start..(start + HEADER_LEN).min(end).min(ctx.data.len()),
    );
    ctx.set_pdu(start..end.max(start));
    let Some(kind) = ctx.uint(&TYPE, start).map(|t| t as u8) else {
        ctx.truncated_before(Proto::Icmp, start);
        return;
    };
    ctx.meaning(names::icmp_type(kind));
    let code = ctx.uint(&CODE, start);
    if kind == 3
        && let Some(code) = code
    {
        ctx.meaning(names::icmp_unreach_code(code as u8));
    }
    ctx.uint(&CHECKSUM, start);
    if let Some(body) = ctx.data.get(start..end.min(ctx.data.len()))
        && end <= ctx.data.len()
    {
        let good = ipv4::ones_complement_sum(body, 0) == 0xffff;
        ctx.generated(
            &CHECKSUM_STATUS,
            super::Value::Text((if good { "Good" } else { "Bad" }).into()),
        );
    }
    match kind {
        0 | 8 | 13 | 14 | 15 | 16 | 17 | 18 => {
            ctx.uint(&IDENT, start);
            ctx.uint(&SEQ, start);
            payload::data(ctx, start + HEADER_LEN, end);
        }
        _ if is_error(kind) => {
            match kind {
                5 => {
                    ctx.ipv4(&REDIR_GW, start);
                }
                12 => {
                    ctx.uint(&POINTER, start);
                }
                3 if code == Some(4) => {
                    ctx.uint(&MTU, start);
                }
                _ => ctx.bytes_at(&UNUSED, start + 4..start + 8),
            }
            if ctx.available(start, end) < HEADER_LEN {
                ctx.truncated(Proto::Icmp, start, HEADER_LEN);
                return;
            }
            if start + HEADER_LEN < end.min(ctx.data.len()) {
                let was = (ctx.quoted, ctx.addrs, ctx.limit);
                ctx.quoted = true;
                ipv4::dissect(ctx, start + HEADER_LEN, end);
                (ctx.quoted, ctx.addrs, ctx.limit) = was;
            }
        }
        _ => {
            // Only type, code and checksum are common to every message.
            ctx.set_header(start..(start + 4).min(end).min(ctx.data.len()));
            payload::data(ctx, start + 4, end)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::ethernet::tests::{decode_raw, get, ipv4, note};
    use crate::decode::{NoteKind, Proto, Value};

    #[test]
    fn icmp_echo_request_has_identifier_and_sequence_then_data() {
        let mut bytes = ipv4(1, 32);
        bytes.extend([
            0x08, // type: echo request
            0x00, // code 0
            0xf7, 0xfe, // checksum
            0x12, 0x34, // identifier 0x1234
            0x00, 0x01, // sequence number 1
            b'p', b'i', b'n', b'g', // data
        ]);
        let d = decode_raw(bytes, 32);
        assert_eq!(get(&d, "icmp.type"), (Value::UInt(8), 20..21, 0));
        assert_eq!(get(&d, "icmp.code"), (Value::UInt(0), 21..22, 0));
        assert_eq!(get(&d, "icmp.checksum"), (Value::Hex(0xf7fe, 4), 22..24, 0));
        assert_eq!(get(&d, "icmp.ident"), (Value::UInt(0x1234), 24..26, 0));
        assert_eq!(get(&d, "icmp.seq"), (Value::UInt(1), 26..28, 0));
        assert_eq!(d.layer(Proto::Icmp).map(|l| l.header.clone()), Some(20..28));
        assert_eq!(
            d.layer(Proto::Payload).map(|l| l.header.clone()),
            Some(28..32)
        );
    }

    /// Port unreachable quoting the UDP datagram 10.0.0.2:5000 -> 10.0.0.1:53.
    fn port_unreachable() -> Vec<u8> {
        let mut bytes = ipv4(1, 56);
        bytes.extend([
            0x03, // type: destination unreachable
            0x03, // code: port unreachable
            0x00, 0x00, // checksum
            0x00, 0x00, 0x00, 0x00, // unused
            0x45, 0x00, 0x00, 0x30, // quoted IPv4: IHL 5, total length 48
            0x00, 0x02, 0x00, 0x00, // quoted IPv4: id 2, no flags
            0x40, 0x11, 0x00, 0x00, // quoted IPv4: TTL 64, UDP, checksum
            10, 0, 0, 2, // quoted IPv4: source
            10, 0, 0, 1, // quoted IPv4: destination
            0x13, 0x88, // quoted UDP: source port 5000
            0x00, 0x35, // quoted UDP: destination port 53
            0x00, 0x1c, // quoted UDP: length 28 (only its header is quoted)
            0x00, 0x00, // quoted UDP: checksum
        ]);
        bytes
    }

    #[test]
    fn destination_unreachable_quotes_ipv4_and_udp_marked_quoted_without_a_tuple() {
        let d = decode_raw(port_unreachable(), 56);
        assert_eq!(get(&d, "icmp.code"), (Value::UInt(3), 21..22, 0));
        assert_eq!(get(&d, "icmp.unused"), (Value::Bytes(24..28), 24..28, 0));
        let layers: Vec<_> = d.layers[1..]
            .iter()
            .map(|l| (l.proto, l.header.clone(), l.quoted))
            .collect();
        assert_eq!(
            layers,
            [
                (Proto::Ipv4, 0..20, false),
                (Proto::Icmp, 20..28, false),
                (Proto::Ipv4, 28..48, true),
                (Proto::Udp, 48..56, true),
            ]
        );
        // The quoted datagram belongs to another packet: no 4-tuple here.
        assert!(d.tuple.is_none());
        let sport = d
            .fields_named("udp.srcport")
            .next()
            .map(|f| f.bytes.clone());
        assert_eq!(sport, Some(48..50));
        // Quoted headers are cut on purpose (RFC 792): no length notes.
        let lengths = [NoteKind::Truncated, NoteKind::Malformed];
        assert!(
            d.notes.iter().all(|n| !lengths.contains(&n.kind)),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn icmp_error_cut_before_the_quoted_datagram_says_truncated() {
        let mut bytes = port_unreachable();
        bytes.truncate(20 + 6);
        let d = decode_raw(bytes, 56);
        assert!(d.field("icmp.unused").is_none());
        assert_eq!(
            d.layers.iter().filter(|l| l.proto == Proto::Ipv4).count(),
            1
        );
        let why = note(&d, Proto::Icmp, NoteKind::Truncated);
        assert!(why.contains("needs 8 bytes"), "{why}");
    }

    #[test]
    fn icmp_type_we_do_not_decode_has_a_four_byte_header_then_data() {
        let mut bytes = ipv4(1, 28);
        bytes.extend([
            0x09, // type: router advertisement (not decoded)
            0x00, // code
            0x00, 0x00, // checksum
            0x01, 0x02, 0x03, 0x04, // message body
        ]);
        let d = decode_raw(bytes, 28);
        assert_eq!(d.layer(Proto::Icmp).map(|l| l.header.clone()), Some(20..24));
        assert_eq!(
            d.layer(Proto::Payload).map(|l| l.header.clone()),
            Some(24..28)
        );
    }
}
