//! MPLS label stacks (RFC 3032), so IP carried over MPLS is still decoded.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                Label                  | TC  |S|       TTL     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! MPLS does not say what it carries: like Wireshark, after the bottom of the
//! stack (S = 1) we look at the first nibble, 4 for IPv4 and 6 for IPv6.

use super::{BitStyle, Ctx, Proto, ipv4, ipv6, payload};

pub const ENTRY_LEN: usize = 4;

/// Decode one label stack entry at `start`, and the next, until the bottom.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    let mut pos = start;
    loop {
        ctx.layer(Proto::Mpls, pos..(pos + ENTRY_LEN).min(end));
        if ctx.available(pos, end) < ENTRY_LEN {
            ctx.truncated(Proto::Mpls, pos, ENTRY_LEN);
            return;
        }
        let entry = pos..pos + ENTRY_LEN;
        ctx.bits(
            "mpls.label",
            "Label",
            entry.clone(),
            0xffff_f000,
            BitStyle::Dec,
        );
        ctx.bits(
            "mpls.exp",
            "Traffic class",
            entry.clone(),
            0x0000_0e00,
            BitStyle::Dec,
        );
        let bottom = ctx.bits(
            "mpls.bottom",
            "Bottom of stack",
            entry.clone(),
            0x0000_0100,
            BitStyle::Dec,
        );
        ctx.bits(
            "mpls.ttl",
            "Time to live",
            entry,
            0x0000_00ff,
            BitStyle::Dec,
        );
        pos += ENTRY_LEN;
        if bottom == Some(1) {
            break;
        }
        if ctx.d.layers.len() > 40 {
            ctx.malformed(
                Proto::Mpls,
                pos,
                "MPLS label stack never reaches the bottom".to_string(),
            );
            return;
        }
    }
    match ctx.u8_at(pos).map(|b| b >> 4) {
        Some(4) => ipv4::dissect(ctx, pos, end),
        Some(6) => ipv6::dissect(ctx, pos, end),
        Some(_) => payload::unsupported(ctx, pos, end, || {
            "MPLS payload is neither IPv4 nor IPv6".to_string()
        }),
        None => {}
    }
}
