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

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, Value, ether_payload, names};

crate::fields! {
    DST = FieldDef::fixed("eth.dst", "Destination", 0..6, Mac).spec("IEEE 802.3");
    SRC = FieldDef::fixed("eth.src", "Source", 6..12, Mac).spec("IEEE 802.3");
    /// An 802.3 length, where the EtherType would be (values up to 1500).
    LEN = FieldDef::fixed("eth.len", "Length", 12..14, Dec).spec("IEEE 802.3");
    TYPE = FieldDef::fixed("eth.type", "Type", 12..14, Hex(4)).spec("IEEE 802.3");
    PADDING = FieldDef::var("eth.padding", "Padding", Bytes).spec("IEEE 802.3");
    TRAILER = FieldDef::var("eth.trailer", "Trailer", Bytes).spec("IEEE 802.3");
    FCS = FieldDef::var("eth.fcs", "Frame check sequence", Hex(8)).spec("IEEE 802.3");
    FCS_STATUS = FieldDef::generated("eth.fcs.status", "FCS Status", Dec);
}

pub const HEADER_LEN: usize = 14;

/// Decode an Ethernet frame occupying `start..end`.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(
        Proto::Ethernet,
        start..(start + HEADER_LEN).min(ctx.data.len()),
    );
    // Like Wireshark, an Ethernet header is all or nothing.
    if ctx.available(start, end) < HEADER_LEN {
        ctx.truncated(Proto::Ethernet, start, HEADER_LEN);
        return;
    }
    ctx.mac(&DST, start);
    ctx.mac(&SRC, start);
    let Some(kind) = ctx.u16_at(TYPE.at(start).start) else {
        return;
    };
    let body = start + HEADER_LEN;
    if kind <= 1500 {
        ctx.uint(&LEN, start);
        let stop = (body + kind as usize).min(end);
        super::llc::dissect(ctx, body, stop);
        trailer(ctx, start, stop, end, &TRAILER);
        return;
    }
    ctx.uint(&TYPE, start);
    ctx.meaning(names::ethertype(kind));
    ether_payload(ctx, kind, body, end);
    after_payload(ctx, start, body, end, &TRAILER);
}

/// The bytes past what the layers inside a link header (`start`, payload
/// from `body`) cover: tshark's padding and trailer. An innermost 802.1Q
/// tag owns the trailer (`vlan.trailer`); otherwise `key` does.
pub(crate) fn after_payload(
    ctx: &mut Ctx,
    start: usize,
    body: usize,
    end: usize,
    key: &'static FieldDef,
) {
    // What the inner layers cover by their own lengths (an IP datagram's
    // total length, even where its header stops early).
    let covered = ctx
        .d
        .layers
        .iter()
        .filter(|l| l.header.start >= body)
        .map(|l| l.header.end.max(l.pdu.end.min(end)))
        .max()
        .unwrap_or(body);
    let innermost_tag = ctx
        .d
        .layers
        .iter()
        .rev()
        .find(|l| matches!(l.proto, Proto::Vlan | Proto::Ieee8021ad))
        .map(|l| l.proto);
    let key = match innermost_tag {
        Some(Proto::Vlan) => &super::vlan::TRAILER,
        _ => key,
    };
    trailer(ctx, start, covered.max(body), end, key);
}

/// Bytes after the encapsulated packet's own length. As tshark reads them,
/// zeros up to the 60-byte minimum frame are padding (`eth.padding`), and
/// anything else (or anything after) is a trailer.
fn trailer(ctx: &mut Ctx, start: usize, from: usize, end: usize, key: &'static FieldDef) {
    let end = end.min(ctx.data.len());
    if from >= end {
        return;
    }
    ctx.bound(end);
    ctx.layer(Proto::Trailer, from..end);
    let pad_end = end.min(start + MIN_FRAME).max(from);
    let mut rest = from;
    if pad_end > from && ctx.data[from..pad_end].iter().all(|&b| b == 0) {
        ctx.bytes_at(&PADDING, from..pad_end);
        rest = pad_end;
    }
    // tshark's guess without an FCS setting: four bytes left over after
    // an unpadded payload, in a frame of 64 bytes or more, are the FCS.
    if key.key == TRAILER.key && rest == from && end - rest == 4 && end - start >= MIN_FRAME + 4 {
        ctx.uint_at(&FCS, rest..end);
        ctx.generated(&FCS_STATUS, Value::UInt(2));
        ctx.meaning("Unverified");
        return;
    }
    ctx.bytes_at(key, rest..end);
}

/// The shortest Ethernet frame without its FCS; shorter ones are padded.
const MIN_FRAME: usize = 60;

#[cfg(test)]
pub(crate) mod tests {
    use std::ops::Range;

    use crate::decode::{Dissection, NoteKind, Proto, Value, decode};
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

    /// Decode raw IP bytes as captured, from a frame `orig_len` long on the wire.
    pub(crate) fn decode_raw(data: Vec<u8>, orig_len: usize) -> Dissection {
        let mut f = frame(LinkType::RAW, data);
        f.orig_len = orig_len as u32;
        decode(&f)
    }

    /// The value, byte range and mask of the first field named `key`.
    pub(crate) fn get(d: &Dissection, key: &str) -> (Value, Range<usize>, u64) {
        let f = d.field(key).unwrap_or_else(|| panic!("no field {key}"));
        (f.value.clone(), f.bytes.clone(), f.mask)
    }

    /// The message of the first note of this kind on `proto`.
    pub(crate) fn note(d: &Dissection, proto: Proto, kind: NoteKind) -> String {
        let n = d.notes.iter().find(|n| n.proto == proto && n.kind == kind);
        n.unwrap_or_else(|| panic!("no {kind:?} note on {proto:?}: {:?}", d.notes))
            .message
            .clone()
    }

    /// A 20-byte IPv4 header, 10.0.0.1 -> 10.0.0.2, with a good checksum.
    pub(crate) fn ipv4(protocol: u8, total_len: u16) -> Vec<u8> {
        let [lh, ll] = total_len.to_be_bytes();
        let mut h = vec![
            0x45, 0x00, lh, ll, // version 4, IHL 5, DSCP 0, total length
            0x00, 0x01, 0x40, 0x00, // id 1, DF, fragment offset 0
            0x40, protocol, 0x00, 0x00, // TTL 64, protocol, checksum (below)
            10, 0, 0, 1, // source
            10, 0, 0, 2, // destination
        ];
        let c = !crate::decode::ipv4::ones_complement_sum(&h, 0);
        h[10..12].copy_from_slice(&c.to_be_bytes());
        h
    }

    /// A 40-byte IPv6 header, 2001:db8::1 -> 2001:db8::2, hop limit 64.
    pub(crate) fn ipv6(next: u8, payload_len: u16) -> Vec<u8> {
        let [lh, ll] = payload_len.to_be_bytes();
        let mut h = vec![
            0x60, 0x00, 0x00, 0x00, // version 6, traffic class 0, flow 0
            lh, ll, next, 64, // payload length, next header, hop limit
        ];
        h.extend([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]); // source
        h.extend([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]); // destination
        h
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
