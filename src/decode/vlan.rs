//! IEEE 802.1Q VLAN tags and 802.1ad service tags, stacked as deep as the
//! frame has them.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | PCP |D|        VLAN ID        |     inner EtherType           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! The tag's own TPID (0x8100, 0x88a8) is the EtherType of the header before.
//! Wireshark names 0x8100 (and the old 0x9100) tags `vlan.*` and 802.1ad
//! S-tags `ieee8021ad.*`; we follow, so field names carry into Wireshark.

use std::ops::Range;

use super::{BitStyle, Ctx, Proto, at, ether_payload, names};

pub const TCI: Range<usize> = 0..2;
pub const TYPE: Range<usize> = 2..4;
pub const TAG_LEN: usize = 4;

/// Decode one tag at `start`, then whatever it encapsulates.
pub fn dissect(ctx: &mut Ctx, tpid: u16, start: usize, end: usize) {
    let service = tpid == 0x88a8;
    let (proto, prio, dei, id, etype) = if service {
        (
            Proto::Ieee8021ad,
            "ieee8021ad.priority",
            "ieee8021ad.dei",
            "ieee8021ad.id",
            "ieee8021ah.etype",
        )
    } else {
        (
            Proto::Vlan,
            "vlan.priority",
            "vlan.dei",
            "vlan.id",
            "vlan.etype",
        )
    };
    ctx.bound(end);
    ctx.layer(proto, start..(start + TAG_LEN).min(end));
    if ctx.available(start, end) < TAG_LEN {
        tci(ctx, service, start, (prio, dei, id));
        ctx.truncated(proto, start, TAG_LEN);
        return;
    }
    tci(ctx, service, start, (prio, dei, id));
    // Below 0x0600 the word is an 802.3 length and an LLC header follows.
    if let Some(len) = ctx.u16_at(start + TYPE.start)
        && len < 0x0600
        && !service
    {
        ctx.uint_lit("vlan.len", "Length", at(start, TYPE));
        let body = start + TAG_LEN;
        super::llc::dissect(ctx, body, (body + len as usize).min(end));
        return;
    }
    let Some(kind) = ctx.hex_lit(etype, "Type", at(start, TYPE), 4) else {
        return;
    };
    ctx.meaning(names::ethertype(kind as u16));
    ether_payload(ctx, kind as u16, start + TAG_LEN, end);
}

/// Priority, DEI and ID. tshark reads an S-tag's priority and DEI from its
/// first byte alone, a C-tag's from both.
fn tci(
    ctx: &mut Ctx,
    service: bool,
    start: usize,
    (prio, dei, id): (&'static str, &'static str, &'static str),
) {
    if service {
        ctx.bits_lit(prio, "Priority", start..start + 1, 0xe0, BitStyle::Dec);
        ctx.bits_lit(dei, "DEI", start..start + 1, 0x10, BitStyle::Dec);
    } else {
        ctx.bits_lit(prio, "Priority", at(start, TCI), 0xe000, BitStyle::Dec);
        ctx.bits_lit(dei, "DEI", at(start, TCI), 0x1000, BitStyle::Dec);
    }
    ctx.bits_lit(id, "ID", at(start, TCI), 0x0fff, BitStyle::Dec);
}

#[cfg(test)]
mod tests {
    use crate::decode::{Proto, Value, decode};
    use crate::frame::LinkType;

    #[test]
    fn stacked_service_and_customer_tags_become_two_layers() {
        let bytes = vec![
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 1, 2, 3, 4, 5, // MACs
            0x88, 0xa8, // S-tag TPID
            0x00, 0x64, 0x81, 0x00, // S-tag: VID 100, then C-tag TPID
            0x20, 0x0a, 0x08, 0x06, // C-tag: PCP 1, VID 10, then ARP
        ];
        let d = decode(&crate::decode::ethernet::tests::frame(
            LinkType::ETHERNET,
            bytes,
        ));
        assert_eq!(
            d.field("ieee8021ad.id").map(|f| f.value.clone()),
            Some(Value::UInt(100))
        );
        let vid = d.field("vlan.id").expect("vlan.id");
        assert_eq!(vid.value, Value::UInt(10));
        assert_eq!(vid.bytes, 18..20);
        assert_eq!(vid.mask, 0x0fff);
        assert_eq!(
            d.field("vlan.priority").map(|f| f.value.clone()),
            Some(Value::UInt(1))
        );
        assert!(d.has(Proto::Arp));
    }
}
