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

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, ipv4, ipv6, payload};

crate::fields! {
    LABEL = FieldDef::fixed("mpls.label", "Label", 0..4, Dec).mask(0xffff_f000).spec("RFC 3032");
    EXP = FieldDef::fixed("mpls.exp", "Traffic class", 0..4, Dec).mask(0x0000_0e00).spec("RFC 3032");
    BOTTOM = FieldDef::fixed("mpls.bottom", "Bottom of stack", 0..4, Dec).mask(0x0000_0100).spec("RFC 3032");
    TTL = FieldDef::fixed("mpls.ttl", "Time to live", 0..4, Dec).mask(0x0000_00ff).spec("RFC 3032");
}

pub const ENTRY_LEN: usize = 4;

/// Decode one label stack entry at `start`, and the next, until the bottom.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    let mut pos = start;
    loop {
        ctx.layer(Proto::Mpls, pos..(pos + ENTRY_LEN).min(end));
        if ctx.available(pos, end) < ENTRY_LEN {
            ctx.truncated(Proto::Mpls, pos, ENTRY_LEN);
            return;
        }
        ctx.uint(&LABEL, pos);
        ctx.uint(&EXP, pos);
        let bottom = ctx.uint(&BOTTOM, pos);
        ctx.uint(&TTL, pos);
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

#[cfg(test)]
mod tests {
    use crate::decode::ethernet::tests::{frame, get, ipv4, note};
    use crate::decode::{NoteKind, Proto, Value, decode};
    use crate::frame::LinkType;

    /// Ethernet, two MPLS label stack entries, then an IPv4 header.
    fn two_labels() -> Vec<u8> {
        let mut bytes = vec![
            0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, // Ethernet destination
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // Ethernet source
            0x88, 0x47, // EtherType: MPLS unicast
            0x00, 0x01, 0x00, 0x40, // label 16, TC 0, S 0, TTL 64
            0x00, 0x01, 0x1b, 0x3f, // label 17, TC 5, S 1 (bottom), TTL 63
        ];
        bytes.extend(ipv4(59, 20)); // first nibble 4: IPv4
        bytes
    }

    #[test]
    fn mpls_stack_is_one_layer_per_entry_with_masked_fields_then_ipv4() {
        let d = decode(&frame(LinkType::ETHERNET, two_labels()));
        let mpls: Vec<_> = d.layers.iter().filter(|l| l.proto == Proto::Mpls).collect();
        assert_eq!(mpls.len(), 2);
        assert_eq!(
            (mpls[0].header.clone(), mpls[1].header.clone()),
            (14..18, 18..22)
        );
        let labels: Vec<_> = d
            .fields_named("mpls.label")
            .map(|f| (f.value.clone(), f.bytes.clone(), f.mask))
            .collect();
        assert_eq!(
            labels,
            [
                (Value::UInt(16), 14..18, 0xffff_f000),
                (Value::UInt(17), 18..22, 0xffff_f000)
            ]
        );
        let inner = |key| {
            d.fields_named(key)
                .nth(1)
                .map(|f| (f.value.clone(), f.mask))
        };
        assert_eq!(inner("mpls.exp"), Some((Value::UInt(5), 0xe00)));
        assert_eq!(inner("mpls.bottom"), Some((Value::UInt(1), 0x100)));
        assert_eq!(inner("mpls.ttl"), Some((Value::UInt(63), 0xff)));
        assert_eq!(get(&d, "mpls.bottom").0, Value::UInt(0));
        assert_eq!(d.layer(Proto::Ipv4).map(|l| l.header.clone()), Some(22..42));
    }

    #[test]
    fn mpls_stack_cut_inside_the_second_entry_says_truncated() {
        let mut bytes = two_labels();
        bytes.truncate(20);
        let d = decode(&frame(LinkType::ETHERNET, bytes));
        assert_eq!(d.fields_named("mpls.label").count(), 1);
        assert!(!d.has(Proto::Ipv4));
        let why = note(&d, Proto::Mpls, NoteKind::Truncated);
        assert!(why.contains("needs 4 bytes at offset 18"), "{why}");
    }
}
