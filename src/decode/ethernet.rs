//! Ethernet II (IEEE 802.3 with an EtherType), and 802.3 length frames.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                  Destination MAC (6 bytes)                    |
//! +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                               |                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+       Source MAC (6 bytes)    +
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   EtherType / length          |   payload ...
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! A type/length value of 1500 or less is an 802.3 length, not an EtherType
//! (IEEE 802.3 clause 3.2.6). Bytes after the network layer's own length are
//! padding or a trailer (frames are padded to 60 bytes).

use std::ops::Range;

use super::{Ctx, Proto, at, ether_payload, names, payload};

pub const DST: Range<usize> = 0..6;
pub const SRC: Range<usize> = 6..12;
pub const TYPE: Range<usize> = 12..14;
pub const HEADER_LEN: usize = 14;

/// Decode an Ethernet frame occupying `start..end`.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.layer(
        Proto::Ethernet,
        start..(start + HEADER_LEN).min(ctx.data.len()),
    );
    // Like Wireshark, an Ethernet header is all or nothing.
    if ctx.available(start, end) < HEADER_LEN {
        ctx.truncated(Proto::Ethernet, start, HEADER_LEN);
        return;
    }
    ctx.mac("eth.dst", "Destination", start + DST.start);
    ctx.mac("eth.src", "Source", start + SRC.start);
    let Some(kind) = ctx.u16_at(start + TYPE.start) else {
        return;
    };
    let body = start + HEADER_LEN;
    if kind <= 1500 {
        ctx.uint("eth.len", "Length", at(start, TYPE));
        let stop = (body + kind as usize).min(end);
        payload::unsupported(ctx, body, stop, || {
            "IEEE 802.3 frame with LLC header is not decoded".to_string()
        });
        trailer(ctx, stop, end);
        return;
    }
    ctx.hex("eth.type", "Type", at(start, TYPE), 4);
    ctx.meaning(names::ethertype(kind));
    ether_payload(ctx, kind, body, end);
    let covered = ctx
        .d
        .layers
        .iter()
        .map(|l| l.header.end)
        .max()
        .unwrap_or(body);
    trailer(ctx, covered.max(body), end);
}

/// Bytes after the encapsulated packet's own length: padding or a trailer.
fn trailer(ctx: &mut Ctx, from: usize, end: usize) {
    let end = end.min(ctx.data.len());
    if from < end {
        ctx.layer(Proto::Trailer, from..end);
        ctx.bytes("eth.trailer", "Trailer", from..end);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::decode::{Proto, Value, decode};
    use crate::frame::{FrameRecord, LinkType, TsPrecision};

    pub(crate) fn frame(link: LinkType, data: Vec<u8>) -> FrameRecord {
        FrameRecord {
            number: 1,
            ts: None,
            precision: TsPrecision::Micro,
            link,
            orig_len: data.len() as u32,
            iface: 0,
            data,
        }
    }

    #[test]
    fn arp_in_ethernet_has_addresses_type_and_padding_trailer() {
        let mut bytes = vec![
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // destination: broadcast
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // source
            0x08, 0x06, // EtherType: ARP
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, // ARP: Ethernet/IPv4 request
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 10, 0, 0, 1, // sender
            0, 0, 0, 0, 0, 0, 10, 0, 0, 2, // target
        ];
        bytes.resize(60, 0);
        let d = decode(&frame(LinkType::ETHERNET, bytes));
        let eth = d.layer(Proto::Ethernet).expect("ethernet layer");
        assert_eq!(eth.header, 0..14);
        let src = d.field("eth.src").expect("eth.src");
        assert_eq!(src.bytes, 6..12);
        assert_eq!(src.value, Value::Mac([0, 0x11, 0x22, 0x33, 0x44, 0x55]));
        assert_eq!(
            d.field("eth.type").map(|f| f.value.clone()),
            Some(Value::Hex(0x0806, 4))
        );
        assert_eq!(d.layer(Proto::Arp).map(|l| l.header.clone()), Some(14..42));
        assert_eq!(
            d.layer(Proto::Trailer).map(|l| l.header.clone()),
            Some(42..60)
        );
    }

    #[test]
    fn ethernet_header_cut_at_eight_bytes_has_no_fields_and_says_truncated() {
        let d = decode(&frame(LinkType::ETHERNET, vec![1, 2, 3, 4, 5, 6, 7, 8]));
        assert!(d.field("eth.dst").is_none());
        assert!(d.field("eth.src").is_none());
        assert!(d.notes.iter().any(|n| n.message.contains("needs 14 bytes")));
    }
}
