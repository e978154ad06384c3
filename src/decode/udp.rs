//! UDP (RFC 768).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Source Port          |       Destination Port        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |            Length             |           Checksum            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! The length covers header and data. A checksum of zero means "none" over
//! IPv4 (RFC 768); IPv6 requires one (RFC 8200 §8.1).

use std::ops::Range;

use super::{Ctx, Proto, at, payload, tcp::set_tuple};

pub const SRC_PORT: Range<usize> = 0..2;
pub const DST_PORT: Range<usize> = 2..4;
pub const LENGTH: Range<usize> = 4..6;
pub const CHECKSUM: Range<usize> = 6..8;
pub const HEADER_LEN: usize = 8;

/// Decode a UDP datagram at `start`; `end` is where the IP payload ends.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.layer(
        Proto::Udp,
        start..(start + HEADER_LEN).min(end).min(ctx.data.len()),
    );
    let sport = ctx.uint("udp.srcport", "Source Port", at(start, SRC_PORT));
    let dport = ctx.uint("udp.dstport", "Destination Port", at(start, DST_PORT));
    let (Some(sport), Some(dport)) = (sport, dport) else {
        ctx.short_of(Proto::Udp, start, HEADER_LEN, end, "header");
        return;
    };
    set_tuple(ctx, 17, sport as u16, dport as u16);
    let length = ctx.uint("udp.length", "Length", at(start, LENGTH));
    ctx.hex("udp.checksum", "Checksum", at(start, CHECKSUM), 4);
    let Some(length) = length else {
        ctx.short_of(Proto::Udp, start, HEADER_LEN, end, "header");
        return;
    };
    let length = length as usize;
    if ctx.available(start, end) < HEADER_LEN {
        ctx.short_of(Proto::Udp, start, HEADER_LEN, end, "header");
        return;
    }
    let datagram_end = if length < HEADER_LEN {
        ctx.malformed(
            Proto::Udp,
            start + LENGTH.start,
            format!("UDP length {length} is less than its 8-byte header"),
        );
        end
    } else if start + length > end {
        ctx.short_of(Proto::Udp, start, length, end, "length");
        end
    } else {
        start + length
    };
    ctx.set_pdu(start..datagram_end);
    if start + HEADER_LEN < datagram_end {
        payload::data(ctx, start + HEADER_LEN, datagram_end);
    }
}
