//! IPv4 (RFC 791), with options, fragments and the header checksum.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Version|  IHL  |   DSCP    |ECN|          Total Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Identification        |Flags|      Fragment Offset    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Time to Live |    Protocol   |         Header Checksum       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Source Address                          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Destination Address                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Options (IHL > 5)                          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! Fragments are decoded one packet at a time: the first fragment's transport
//! header is shown, later fragments are data (as tshark with reassembly off).

use std::net::IpAddr;

use super::field::{FieldDef, Format::*};
use super::{Ctx, NoteKind, Proto, Severity, Value, ip_payload, names, payload};

crate::fields! {
    VERSION = FieldDef::fixed("ip.version", "Version", 0..1, Dec).mask(0xf0).spec("RFC 791");
    HDR_LEN = FieldDef::fixed("ip.hdr_len", "Header Length", 0..1, Dec).mask(0x0f).spec("RFC 791");
    DSFIELD = FieldDef::fixed("ip.dsfield", "Differentiated Services Field", 1..2, Hex(2)).spec("RFC 791");
    DSFIELD_DSCP = FieldDef::fixed("ip.dsfield.dscp", "Differentiated Services Codepoint", 1..2, Dec).mask(0xfc).spec("RFC 791");
    DSFIELD_ECN = FieldDef::fixed("ip.dsfield.ecn", "Explicit Congestion Notification", 1..2, Dec).mask(0x03).spec("RFC 791");
    LEN = FieldDef::fixed("ip.len", "Total Length", 2..4, Dec).spec("RFC 791");
    ID = FieldDef::fixed("ip.id", "Identification", 4..6, Hex(4)).spec("RFC 791");
    FLAGS = FieldDef::fixed("ip.flags", "Flags", 6..7, Hex(2)).mask(0xe0).spec("RFC 791");
    FLAGS_RB = FieldDef::fixed("ip.flags.rb", "Reserved bit", 6..7, Bool).mask(0x80).spec("RFC 791");
    FLAGS_DF = FieldDef::fixed("ip.flags.df", "Don't fragment", 6..7, Bool).mask(0x40).spec("RFC 791");
    FLAGS_MF = FieldDef::fixed("ip.flags.mf", "More fragments", 6..7, Bool).mask(0x20).spec("RFC 791");
    FRAG_OFFSET = FieldDef::fixed("ip.frag_offset", "Fragment Offset", 6..8, Dec).mask(0x1fff).spec("RFC 791");
    TTL = FieldDef::fixed("ip.ttl", "Time to Live", 8..9, Dec).spec("RFC 791");
    PROTO = FieldDef::fixed("ip.proto", "Protocol", 9..10, Dec).spec("RFC 791");
    CHECKSUM = FieldDef::fixed("ip.checksum", "Header Checksum", 10..12, Hex(4)).spec("RFC 791");
    CHECKSUM_STATUS = FieldDef::generated("ip.checksum.status", "Header checksum status", Text);
    SRC = FieldDef::fixed("ip.src", "Source Address", 12..16, Ipv4).spec("RFC 791");
    /// With a source route, the route's final hop (Wireshark's reading).
    DST = FieldDef::fixed("ip.dst", "Destination Address", 16..20, Ipv4).spec("RFC 791");
    /// The header's destination when a source route names the final hop.
    CUR_RT = FieldDef::fixed("ip.cur_rt", "Current Route", 16..20, Ipv4).spec("RFC 791");
    OPT_TYPE = FieldDef::var("ip.opt.type", "Option Type", Dec).spec("RFC 791");
    OPT_LEN = FieldDef::var("ip.opt.len", "Option Length", Dec).spec("RFC 791");
    OPT_RA = FieldDef::var("ip.opt.ra", "Router Alert", Dec).spec("RFC 2113");
}

pub const MIN_LEN: usize = 20;

/// Decode an IPv4 packet at `start`; `end` bounds it (the link layer's end).
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(
        Proto::Ipv4,
        start..(start + MIN_LEN).min(end).min(ctx.data.len()),
    );
    let Some(version) = ctx.uint(&VERSION, start) else {
        ctx.truncated_before(Proto::Ipv4, start);
        return;
    };
    ctx.nest(0);
    let ihl = ctx.read(VERSION.at(start)).unwrap_or(0) as usize & 0x0f;
    let hdr_len = ihl * 4;
    ctx.value_at(&HDR_LEN, HDR_LEN.at(start), Value::UInt(hdr_len as u64));
    if version != 4 {
        ctx.malformed(
            Proto::Ipv4,
            start,
            format!("IPv4 header says version {version}"),
        );
        return;
    }
    if hdr_len < MIN_LEN {
        // The rest is this broken datagram's, not an Ethernet trailer.
        ctx.set_pdu(start..end);
        ctx.malformed(
            Proto::Ipv4,
            start,
            format!(
                "IPv4 header length {hdr_len} bytes (IHL {ihl}) is less than the minimum of 20"
            ),
        );
        return;
    }
    ctx.set_header(start..(start + hdr_len).min(end).min(ctx.data.len()));
    ctx.uint(&DSFIELD, start);
    ctx.uint(&DSFIELD_DSCP, start);
    ctx.uint(&DSFIELD_ECN, start);
    let Some(total) = ctx.uint(&LEN, start) else {
        ctx.truncated(Proto::Ipv4, start, hdr_len);
        return;
    };
    let total = total as usize;
    // A total length of 0 is what segmentation offload leaves: the length is
    // whatever the frame holds.
    let total = if total == 0 {
        end.saturating_sub(start)
    } else {
        total
    };
    if total < hdr_len {
        ctx.malformed(
            Proto::Ipv4,
            start,
            format!("IPv4 total length {total} is less than its header length {hdr_len}"),
        );
        return;
    }
    ctx.uint(&ID, start);
    // tshark's ip.flags is the top three bits of byte 6, shifted down (DF
    // is 0x02), with the flag bits masked over that one byte.
    ctx.uint(&FLAGS, start);
    ctx.nest(0);
    for flag in [&FLAGS_RB, &FLAGS_DF, &FLAGS_MF] {
        ctx.uint(flag, start);
    }
    let offset = ctx.uint(&FRAG_OFFSET, start);
    ctx.nest(0);
    ctx.uint(&TTL, start);
    let protocol = ctx.uint(&PROTO, start).map(|p| p as u8);
    if let Some(p) = protocol
        && ctx.fields_on
    {
        ctx.meaning(names::ip_protocol(p));
    }
    ctx.uint(&CHECKSUM, start);
    if let Some(header) = ctx.data.get(start..start + hdr_len) {
        let good = ones_complement_sum(header, 0) == 0xffff;
        ctx.generated(
            &CHECKSUM_STATUS,
            Value::Text((if good { "Good" } else { "Bad" }).into()),
        );
        if !good {
            ctx.note(
                Severity::Warn,
                NoteKind::BadChecksum,
                Proto::Ipv4,
                CHECKSUM.at(start).start,
                "IPv4 header checksum is wrong".to_string(),
            );
        }
    }
    let src = ctx.ipv4(&SRC, start);
    // With a source route, Wireshark's ip.dst is the route's final hop and
    // the header's destination is only the current hop (ip.cur_rt).
    let dst = match source_route_final_hop(ctx, start + MIN_LEN, start + hdr_len) {
        Some(final_at) => {
            let dst = ctx.ipv4_at(&DST, final_at);
            ctx.label("Destination Address (final hop of the source route)");
            ctx.ipv4(&CUR_RT, start);
            dst
        }
        None => ctx.ipv4(&DST, start),
    };
    let (Some(src), Some(dst), Some(protocol)) = (src, dst, protocol) else {
        ctx.truncated(Proto::Ipv4, start, hdr_len);
        return;
    };
    // Like tshark, no options from a header longer than its packet allows.
    if hdr_len > MIN_LEN && start + hdr_len <= end {
        options(ctx, start + MIN_LEN, start + hdr_len);
    }
    if ctx.available(start, end) < hdr_len {
        ctx.short_of(Proto::Ipv4, start, hdr_len, end, "header length");
        return;
    }
    let datagram_end = if start + total > end {
        ctx.short_of(Proto::Ipv4, start, total, end, "total length");
        end
    } else {
        start + total
    };
    ctx.set_pdu(start..datagram_end);
    ctx.addrs = Some((IpAddr::V4(src), IpAddr::V4(dst)));
    let body = start + hdr_len;
    if super::reassembly::ipv4_fragment(ctx, start, body, datagram_end, protocol) {
        return;
    }
    if offset.unwrap_or(0) > 0 {
        // Not a field: tshark has no key for it (its reassembly fields
        // need every fragment); the note says what these bytes are.
        let message = format!(
            "fragment at byte offset {} of a larger datagram (not reassembled)",
            offset.unwrap_or(0) * 8
        );
        ctx.note(
            Severity::Note,
            NoteKind::Unsupported,
            Proto::Ipv4,
            FRAG_OFFSET.at(start).start,
            message,
        );
        payload::data(ctx, body, datagram_end);
        return;
    }
    ip_payload(ctx, protocol, body, datagram_end);
}

/// List the options, each with its type and length.
fn options(ctx: &mut Ctx, from: usize, to: usize) {
    let mut pos = from;
    while pos < to {
        let Some(kind) = ctx.u8_at(pos) else { return };
        ctx.uint_at(&OPT_TYPE, pos..pos + 1);
        ctx.meaning(option_name(kind));
        ctx.nest(1);
        if kind == 0 {
            return;
        }
        if kind == 1 {
            pos += 1;
            continue;
        }
        // The length byte must itself lie inside the header.
        if pos + 2 > to {
            let why = "option type at the header's last byte has no room for its length";
            ctx.malformed(Proto::Ipv4, pos, why.to_string());
            return;
        }
        let Some(len) = ctx.u8_at(pos + 1) else {
            return;
        };
        ctx.uint_at(&OPT_LEN, pos + 1..pos + 2);
        ctx.nest(2);
        if len < 2 || pos + len as usize > to {
            ctx.malformed(
                Proto::Ipv4,
                pos,
                format!("IPv4 option length {len} is invalid"),
            );
            return;
        }
        if kind == 148 && len == 4 {
            ctx.uint_at(&OPT_RA, pos + 2..pos + 4);
            ctx.nest(2);
        }
        pos += len as usize;
    }
}

/// Where the last address of a loose or strict source route option sits.
fn source_route_final_hop(ctx: &Ctx, from: usize, to: usize) -> Option<usize> {
    let mut pos = from;
    while pos < to {
        let kind = ctx.u8_at(pos)?;
        match kind {
            0 => return None,
            1 => pos += 1,
            _ => {
                let len = ctx.u8_at(pos + 1)? as usize;
                if len < 2 || pos + len > to {
                    return None;
                }
                if (kind == 131 || kind == 137) && len >= 7 {
                    return Some(pos + len - 4);
                }
                pos += len;
            }
        }
    }
    None
}

fn option_name(kind: u8) -> &'static str {
    match kind {
        0 => "End of Options List (EOL)",
        1 => "No-Operation (NOP)",
        7 => "Record Route",
        68 => "Time Stamp",
        130 => "Security",
        131 => "Loose Source Route",
        137 => "Strict Source Route",
        148 => "Router Alert",
        _ => "Unknown",
    }
}

/// The 16-bit ones' complement sum of `bytes` plus `initial`, folded; a
/// header whose checksum is right sums to 0xffff.
/// Summed four bytes at a time (RFC 1071 §2(B): the sum may be taken in
/// wider words and folded, since 2^16 ≡ 1 modulo 0xffff).
pub fn ones_complement_sum(bytes: &[u8], initial: u32) -> u16 {
    let mut sum = initial as u64;
    let mut rest = bytes;
    while let Some((quad, tail)) = rest.split_first_chunk::<4>() {
        sum += u32::from_be_bytes(*quad) as u64;
        rest = tail;
    }
    match *rest {
        [a, b, c] => sum += (u64::from(a) << 8) + u64::from(b) + (u64::from(c) << 8),
        [a, b] => sum += (u64::from(a) << 8) + u64::from(b),
        [a] => sum += u64::from(a) << 8,
        _ => {}
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

#[cfg(test)]
mod tests {
    use crate::decode::{Proto, Value, decode};
    use crate::frame::LinkType;

    const UDP_PACKET: [u8; 32] = [
        0x45, 0x00, 0x00, 0x20, // version 4, IHL 5, DSCP 0, total length 32
        0x12, 0x34, 0x40, 0x00, // id 0x1234, DF, offset 0
        0x40, 0x11, 0x00, 0x00, // TTL 64, UDP, checksum (filled in below)
        127, 0, 0, 1, // source
        127, 0, 0, 2, // destination
        0x1b, 0x5f, 0x9c, 0x40, // UDP ports 7007 -> 40000
        0x00, 0x0c, 0x00, 0x00, // UDP length 12, no checksum
        b'h', b'i', b'!', b'\n', // payload
    ];

    #[test]
    fn ones_complement_sum_matches_rfc_1071_example_and_the_pairwise_sum() {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
        let rfc = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(super::ones_complement_sum(&rfc, 0), 0xddf2);
        // The sum word by word, as RFC 1071 defines it, with an odd last
        // byte padded with zero.
        let pairwise = |bytes: &[u8], initial: u32| {
            let mut sum = u64::from(initial);
            for pair in bytes.chunks(2) {
                sum += u64::from(pair[0]) << 8 | u64::from(*pair.get(1).unwrap_or(&0));
            }
            while sum > 0xffff {
                sum = (sum & 0xffff) + (sum >> 16);
            }
            sum as u16
        };
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        for len in 0..64 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            for initial in [0, 1, 0xffff, 0x1_2345, u32::MAX] {
                let want = pairwise(&bytes, initial);
                assert_eq!(
                    super::ones_complement_sum(&bytes, initial),
                    want,
                    "{bytes:?}"
                );
            }
            let ones = vec![0xff; len];
            assert_eq!(super::ones_complement_sum(&ones, 0), pairwise(&ones, 0));
        }
    }

    fn with_checksum(mut p: Vec<u8>) -> Vec<u8> {
        let sum = super::ones_complement_sum(&p[..20], 0);
        let c = !sum;
        p[10] = (c >> 8) as u8;
        p[11] = c as u8;
        p
    }

    #[test]
    fn raw_ipv4_udp_has_fields_ranges_tuple_and_good_checksum() {
        let d = decode(&crate::decode::ethernet::tests::frame(
            LinkType::RAW,
            with_checksum(UDP_PACKET.to_vec()),
        ));
        assert_eq!(
            d.field("ip.ttl")
                .map(|f| (f.value.clone(), f.bytes.clone())),
            Some((Value::UInt(64), 8..9))
        );
        assert_eq!(
            d.field("ip.flags.df").map(|f| f.value.clone()),
            Some(Value::Bool(true))
        );
        assert_eq!(
            d.field("ip.checksum.status").map(|f| f.value.clone()),
            Some(Value::Text("Good".into()))
        );
        let tuple = d.tuple.expect("udp has a 4-tuple");
        assert_eq!(
            (tuple.src_port, tuple.dst_port, tuple.protocol),
            (7007, 40000, 17)
        );
        assert_eq!(
            d.layer(Proto::Payload).map(|l| l.header.clone()),
            Some(28..32)
        );
    }

    #[test]
    fn total_length_beyond_the_frame_is_malformed_with_both_numbers() {
        let mut p = UDP_PACKET.to_vec();
        p[3] = 60;
        let p = with_checksum(p);
        let d = decode(&crate::decode::ethernet::tests::frame(LinkType::RAW, p));
        let note = d
            .notes
            .iter()
            .find(|n| n.proto == Proto::Ipv4)
            .expect("a note on IPv4");
        assert!(
            note.message.contains("60") && note.message.contains("32"),
            "{}",
            note.message
        );
    }

    #[test]
    fn header_length_below_twenty_stops_after_the_length_field() {
        let mut p = UDP_PACKET.to_vec();
        p[0] = 0x44;
        let d = decode(&crate::decode::ethernet::tests::frame(LinkType::RAW, p));
        assert!(d.field("ip.hdr_len").is_some());
        assert!(d.field("ip.src").is_none());
        assert!(
            d.notes
                .iter()
                .any(|n| n.message.contains("less than the minimum"))
        );
    }
}
