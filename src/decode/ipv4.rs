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
use std::ops::Range;

use super::{BitStyle, Ctx, NoteKind, Proto, Severity, Value, at, ip_payload, names, payload};

pub const VERSION_IHL: Range<usize> = 0..1;
pub const DSFIELD: Range<usize> = 1..2;
pub const TOTAL_LEN: Range<usize> = 2..4;
pub const ID: Range<usize> = 4..6;
pub const FLAGS_FRAG: Range<usize> = 6..8;
pub const TTL: Range<usize> = 8..9;
pub const PROTOCOL: Range<usize> = 9..10;
pub const CHECKSUM: Range<usize> = 10..12;
pub const SRC: Range<usize> = 12..16;
pub const DST: Range<usize> = 16..20;
pub const MIN_LEN: usize = 20;

/// Decode an IPv4 packet at `start`; `end` bounds it (the link layer's end).
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(
        Proto::Ipv4,
        start..(start + MIN_LEN).min(end).min(ctx.data.len()),
    );
    let Some(version) = ctx.bits_lit(
        "ip.version",
        "Version",
        at(start, VERSION_IHL),
        0xf0,
        BitStyle::Dec,
    ) else {
        ctx.truncated_before(Proto::Ipv4, start);
        return;
    };
    ctx.nest(0);
    let ihl = ctx.read(at(start, VERSION_IHL)).unwrap_or(0) as usize & 0x0f;
    let hdr_len = ihl * 4;
    ctx.field_lit(
        "ip.hdr_len",
        "Header Length",
        at(start, VERSION_IHL),
        0x0f,
        Value::UInt(hdr_len as u64),
    );
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
    ctx.hex_lit(
        "ip.dsfield",
        "Differentiated Services Field",
        at(start, DSFIELD),
        2,
    );
    ctx.bits_lit(
        "ip.dsfield.dscp",
        "Differentiated Services Codepoint",
        at(start, DSFIELD),
        0xfc,
        BitStyle::Dec,
    );
    ctx.bits_lit(
        "ip.dsfield.ecn",
        "Explicit Congestion Notification",
        at(start, DSFIELD),
        0x03,
        BitStyle::Dec,
    );
    let Some(total) = ctx.uint_lit("ip.len", "Total Length", at(start, TOTAL_LEN)) else {
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
    ctx.hex_lit("ip.id", "Identification", at(start, ID), 4);
    // tshark's ip.flags is the top three bits of byte 6, shifted down (DF
    // is 0x02), with the flag bits masked over that one byte.
    ctx.bits_lit(
        "ip.flags",
        "Flags",
        start + 6..start + 7,
        0xe0,
        BitStyle::Hex(2),
    );
    ctx.nest(0);
    for (key, name, mask) in [
        ("ip.flags.rb", "Reserved bit", 0x80),
        ("ip.flags.df", "Don't fragment", 0x40),
        ("ip.flags.mf", "More fragments", 0x20),
    ] {
        ctx.bits_lit(key, name, start + 6..start + 7, mask, BitStyle::Bool);
    }
    let offset = ctx.bits_lit(
        "ip.frag_offset",
        "Fragment Offset",
        at(start, FLAGS_FRAG),
        0x1fff,
        BitStyle::Dec,
    );
    ctx.nest(0);
    ctx.uint_lit("ip.ttl", "Time to Live", at(start, TTL));
    let protocol = ctx
        .uint_lit("ip.proto", "Protocol", at(start, PROTOCOL))
        .map(|p| p as u8);
    if let Some(p) = protocol {
        ctx.meaning(names::ip_protocol(p));
    }
    ctx.hex_lit("ip.checksum", "Header Checksum", at(start, CHECKSUM), 4);
    if let Some(header) = ctx.data.get(start..start + hdr_len) {
        let good = ones_complement_sum(header, 0) == 0xffff;
        ctx.generated_lit(
            "ip.checksum.status",
            "Header checksum status",
            Value::Text((if good { "Good" } else { "Bad" }).into()),
        );
        if !good {
            ctx.note(
                Severity::Warn,
                NoteKind::BadChecksum,
                Proto::Ipv4,
                start + CHECKSUM.start,
                "IPv4 header checksum is wrong".to_string(),
            );
        }
    }
    let src = ctx.ipv4_lit("ip.src", "Source Address", start + SRC.start);
    // With a source route, Wireshark's ip.dst is the route's final hop and
    // the header's destination is only the current hop (ip.cur_rt).
    let dst = match source_route_final_hop(ctx, start + MIN_LEN, start + hdr_len) {
        Some(final_at) => {
            let dst = ctx.ipv4_lit(
                "ip.dst",
                "Destination Address (final hop of the source route)",
                final_at,
            );
            ctx.ipv4_lit("ip.cur_rt", "Current Route", start + DST.start);
            dst
        }
        None => ctx.ipv4_lit("ip.dst", "Destination Address", start + DST.start),
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
            start + FLAGS_FRAG.start,
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
        ctx.uint_lit("ip.opt.type", "Option Type", pos..pos + 1);
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
        ctx.uint_lit("ip.opt.len", "Option Length", pos + 1..pos + 2);
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
            ctx.uint_lit("ip.opt.ra", "Router Alert", pos + 2..pos + 4);
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
pub fn ones_complement_sum(bytes: &[u8], initial: u32) -> u16 {
    let mut sum = initial as u64;
    let mut chunks = bytes.chunks_exact(2);
    for pair in &mut chunks {
        sum += u16::from_be_bytes([pair[0], pair[1]]) as u64;
    }
    if let [last] = chunks.remainder() {
        sum += (*last as u64) << 8;
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
