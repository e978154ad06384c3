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

use super::{Ctx, Proto, tcp::set_tuple};

use super::field::{FieldDef, Format::*};

crate::fields! {
    SRCPORT = FieldDef::fixed("udp.srcport", "Source Port", 0..2, Dec).spec("RFC 768");
    DSTPORT = FieldDef::fixed("udp.dstport", "Destination Port", 2..4, Dec).spec("RFC 768");
    LENGTH = FieldDef::fixed("udp.length", "Length", 4..6, Dec).spec("RFC 768");
    CHECKSUM = FieldDef::fixed("udp.checksum", "Checksum", 6..8, Hex(4)).spec("RFC 768");
    /// The conversation's index, worked out by flow tracking (see
    /// `tcp::STREAM`).
    STREAM = FieldDef::generated("udp.stream", "Stream index", Dec);
}

pub const HEADER_LEN: usize = 8;

/// Decode a UDP datagram at `start`; `end` is where the IP payload ends.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(
        Proto::Udp,
        start..(start + HEADER_LEN).min(end).min(ctx.data.len()),
    );
    let sport = ctx.uint(&SRCPORT, start);
    let dport = ctx.uint(&DSTPORT, start);
    let (Some(sport), Some(dport)) = (sport, dport) else {
        ctx.short_of(Proto::Udp, start, HEADER_LEN, end, "header");
        return;
    };
    set_tuple(
        ctx,
        17,
        (sport as u16, dport as u16),
        (start, end.max(start)),
    );
    let length = ctx.uint(&LENGTH, start);
    ctx.uint(&CHECKSUM, start);
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
            LENGTH.at(start).start,
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
        super::app::udp(
            ctx,
            sport as u16,
            dport as u16,
            start + HEADER_LEN,
            datagram_end,
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::ethernet::tests::{decode_raw, get, ipv4, note};
    use crate::decode::{NoteKind, Proto, Value};

    /// IPv4 carrying a UDP header whose length field says `length`, then 4 bytes.
    fn datagram(length: u16) -> Vec<u8> {
        let [lh, ll] = length.to_be_bytes();
        let mut bytes = ipv4(17, 32);
        bytes.extend([
            0x13, 0x88, // source port 5000
            0x9c, 0x40, // destination port 40000 (no dissector claims it)
            lh, ll, // length
            0xab, 0xcd, // checksum
            b'p', b'i', b'n', b'g', // data
        ]);
        bytes
    }

    #[test]
    fn udp_fields_have_their_ranges_and_data_follows_the_header() {
        let d = decode_raw(datagram(12), 32);
        assert_eq!(get(&d, "udp.srcport"), (Value::UInt(5000), 20..22, 0));
        assert_eq!(get(&d, "udp.dstport"), (Value::UInt(40000), 22..24, 0));
        assert_eq!(get(&d, "udp.length"), (Value::UInt(12), 24..26, 0));
        assert_eq!(get(&d, "udp.checksum"), (Value::Hex(0xabcd, 4), 26..28, 0));
        assert_eq!(d.layer(Proto::Udp).map(|l| l.header.clone()), Some(20..28));
        assert_eq!(
            d.layer(Proto::Payload).map(|l| l.header.clone()),
            Some(28..32)
        );
        assert!(d.notes.is_empty(), "{:?}", d.notes);
    }

    #[test]
    fn udp_length_shorter_than_its_header_is_malformed() {
        let d = decode_raw(datagram(4), 32);
        let n = d
            .notes
            .iter()
            .find(|n| n.proto == Proto::Udp)
            .expect("a UDP note");
        assert_eq!((n.kind, n.offset), (NoteKind::Malformed, 24));
        assert!(
            n.message
                .contains("length 4 is less than its 8-byte header")
        );
        // The IP payload still bounds the data.
        assert_eq!(
            d.layer(Proto::Payload).map(|l| l.header.clone()),
            Some(28..32)
        );
    }

    #[test]
    fn udp_length_beyond_the_ip_payload_is_noted_with_both_numbers() {
        let d = decode_raw(datagram(100), 32);
        let why = note(&d, Proto::Udp, NoteKind::Malformed);
        assert!(
            why.contains("says 100 bytes but the enclosing packet leaves only 12"),
            "{why}"
        );
        assert_eq!(
            d.layer(Proto::Payload).map(|l| l.header.clone()),
            Some(28..32)
        );
    }

    #[test]
    fn udp_header_cut_after_the_ports_keeps_the_ports_and_says_truncated() {
        let mut bytes = datagram(12);
        bytes.truncate(20 + 4);
        let d = decode_raw(bytes, 32);
        assert_eq!(get(&d, "udp.dstport").1, 22..24);
        assert!(d.field("udp.length").is_none());
        let why = note(&d, Proto::Udp, NoteKind::Truncated);
        assert!(why.contains("snap length"), "{why}");
    }
}
