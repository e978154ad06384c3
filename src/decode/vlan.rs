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

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, ether_payload, names};

crate::fields! {
    PRIORITY = FieldDef::fixed("vlan.priority", "Priority", 0..2, Dec).mask(0xe000).spec("IEEE 802.1Q");
    DEI = FieldDef::fixed("vlan.dei", "DEI", 0..2, Dec).mask(0x1000).spec("IEEE 802.1Q");
    ID = FieldDef::fixed("vlan.id", "ID", 0..2, Dec).mask(0x0fff).spec("IEEE 802.1Q");
    /// Below 0x0600 the word after the TCI is an 802.3 length.
    LEN = FieldDef::fixed("vlan.len", "Length", 2..4, Dec).spec("IEEE 802.1Q");
    ETYPE = FieldDef::fixed("vlan.etype", "Type", 2..4, Hex(4)).spec("IEEE 802.1Q");
    TRAILER = FieldDef::var("vlan.trailer", "Trailer", Bytes).spec("IEEE 802.1Q");
    /// tshark reads an S-tag's priority and DEI from its first byte alone.
    AD_PRIORITY = FieldDef::fixed("ieee8021ad.priority", "Priority", 0..1, Dec).mask(0xe0).spec("IEEE 802.1ad");
    AD_DEI = FieldDef::fixed("ieee8021ad.dei", "DEI", 0..1, Dec).mask(0x10).spec("IEEE 802.1ad");
    AD_ID = FieldDef::fixed("ieee8021ad.id", "ID", 0..2, Dec).mask(0x0fff).spec("IEEE 802.1ad");
    AD_ETYPE = FieldDef::fixed("ieee8021ah.etype", "Type", 2..4, Hex(4)).spec("IEEE 802.1ad");
}

pub const TAG_LEN: usize = 4;

/// Decode one tag at `start`, then whatever it encapsulates.
pub fn dissect(ctx: &mut Ctx, tpid: u16, start: usize, end: usize) {
    let service = tpid == 0x88a8;
    let (proto, tci, etype) = if service {
        (
            Proto::Ieee8021ad,
            [&AD_PRIORITY, &AD_DEI, &AD_ID],
            &AD_ETYPE,
        )
    } else {
        (Proto::Vlan, [&PRIORITY, &DEI, &ID], &ETYPE)
    };
    ctx.bound(end);
    ctx.layer(proto, start..(start + TAG_LEN).min(end));
    for def in tci {
        ctx.uint(def, start);
    }
    if ctx.available(start, end) < TAG_LEN {
        ctx.truncated(proto, start, TAG_LEN);
        return;
    }
    // Below 0x0600 the word is an 802.3 length and an LLC header follows.
    if let Some(len) = ctx.u16_at(ETYPE.at(start).start)
        && len < 0x0600
        && !service
    {
        ctx.uint(&LEN, start);
        let body = start + TAG_LEN;
        super::llc::dissect(ctx, body, (body + len as usize).min(end));
        return;
    }
    let Some(kind) = ctx.uint(etype, start) else {
        return;
    };
    ctx.meaning(names::ethertype(kind as u16));
    ether_payload(ctx, kind as u16, start + TAG_LEN, end);
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
