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

use std::ops::Range;

use super::{Ctx, Proto, at, ipv4, names, payload};

pub const TYPE: Range<usize> = 0..1;
pub const CODE: Range<usize> = 1..2;
pub const CHECKSUM: Range<usize> = 2..4;
pub const IDENT: Range<usize> = 4..6;
pub const SEQ: Range<usize> = 6..8;
pub const HEADER_LEN: usize = 8;

/// True for types whose body quotes the datagram that caused them.
pub fn is_error(kind: u8) -> bool {
    matches!(kind, 3 | 4 | 5 | 11 | 12)
}

/// Decode an ICMP message at `start`.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.layer(
        Proto::Icmp,
        start..(start + HEADER_LEN).min(end).min(ctx.data.len()),
    );
    ctx.set_pdu(start..end.max(start));
    let Some(kind) = ctx
        .uint("icmp.type", "Type", at(start, TYPE))
        .map(|t| t as u8)
    else {
        ctx.truncated_before(Proto::Icmp, start);
        return;
    };
    ctx.meaning(names::icmp_type(kind));
    let code = ctx.uint("icmp.code", "Code", at(start, CODE));
    if kind == 3
        && let Some(code) = code
    {
        ctx.meaning(names::icmp_unreach_code(code as u8));
    }
    ctx.hex("icmp.checksum", "Checksum", at(start, CHECKSUM), 4);
    if let Some(body) = ctx.data.get(start..end.min(ctx.data.len()))
        && end <= ctx.data.len()
    {
        let good = ipv4::ones_complement_sum(body, 0) == 0xffff;
        ctx.generated(
            "icmp.checksum.status",
            "Checksum Status",
            super::Value::Text((if good { "Good" } else { "Bad" }).into()),
        );
    }
    match kind {
        0 | 8 | 13 | 14 | 15 | 16 | 17 | 18 => {
            ctx.uint("icmp.ident", "Identifier", at(start, IDENT));
            ctx.uint("icmp.seq", "Sequence Number", at(start, SEQ));
            payload::data(ctx, start + HEADER_LEN, end);
        }
        _ if is_error(kind) => {
            match kind {
                5 => {
                    ctx.ipv4("icmp.redir_gw", "Gateway Address", start + 4);
                }
                12 => {
                    ctx.uint("icmp.pointer", "Pointer", start + 4..start + 5);
                }
                3 if code == Some(4) => {
                    ctx.uint("icmp.mtu", "MTU of next hop", start + 6..start + 8);
                }
                _ => ctx.bytes("icmp.unused", "Unused", start + 4..start + 8),
            }
            if ctx.available(start, end) < HEADER_LEN {
                ctx.truncated(Proto::Icmp, start, HEADER_LEN);
                return;
            }
            if start + HEADER_LEN < end.min(ctx.data.len()) {
                let was = (ctx.quoted, ctx.addrs);
                ctx.quoted = true;
                ipv4::dissect(ctx, start + HEADER_LEN, end);
                (ctx.quoted, ctx.addrs) = was;
            }
        }
        _ => {
            // Only type, code and checksum are common to every message.
            ctx.set_header(start..(start + 4).min(end).min(ctx.data.len()));
            payload::data(ctx, start + 4, end)
        }
    }
}
