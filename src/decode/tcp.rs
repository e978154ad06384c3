//! TCP (RFC 9293), with options: MSS, window scale (RFC 7323), SACK
//! (RFC 2018), timestamps (RFC 7323); others shown raw.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Source Port          |       Destination Port        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                        Sequence Number                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Acknowledgment Number                      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Data |     |A|C|E|U|A|P|R|S|F|                               |
//! | Offset| Rsv |E|W|C|R|C|S|S|Y|I|            Window             |
//! |       |     | |R|E|G|K|H|T|N|N|                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Checksum            |         Urgent Pointer        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Options (Data Offset > 5)                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use std::ops::Range;

use super::field::{FieldDef, Format::*};
use super::{Ctx, FourTuple, Proto, Value, names};

crate::fields! {
    SRCPORT = FieldDef::fixed("tcp.srcport", "Source Port", 0..2, Dec).spec("RFC 9293");
    DSTPORT = FieldDef::fixed("tcp.dstport", "Destination Port", 2..4, Dec).spec("RFC 9293");
    SEQ_RAW = FieldDef::fixed("tcp.seq_raw", "Sequence Number (raw)", 4..8, Dec).spec("RFC 9293");
    ACK_RAW = FieldDef::fixed("tcp.ack_raw", "Acknowledgment number (raw)", 8..12, Dec).spec("RFC 9293");
    LEN = FieldDef::generated("tcp.len", "TCP Segment Len", Dec);
    /// The data offset, shown in bytes as tshark does.
    HDR_LEN = FieldDef::fixed("tcp.hdr_len", "Header Length", 12..13, Dec).mask(0xf0).spec("RFC 9293");
    FLAGS = FieldDef::fixed("tcp.flags", "Flags", 12..14, Hex(4)).mask(0x0fff).spec("RFC 9293");
    // As tshark does, each bit names the one byte it lies in.
    FLAGS_RES = FieldDef::fixed("tcp.flags.res", "Reserved", 12..13, Bool).mask(0x0e).spec("RFC 9293");
    FLAGS_AE = FieldDef::fixed("tcp.flags.ae", "Accurate ECN", 12..13, Bool).mask(0x01).spec("RFC 9768");
    FLAGS_CWR = FieldDef::fixed("tcp.flags.cwr", "Congestion Window Reduced", 13..14, Bool).mask(0x80).spec("RFC 3168");
    FLAGS_ECE = FieldDef::fixed("tcp.flags.ece", "ECN-Echo", 13..14, Bool).mask(0x40).spec("RFC 3168");
    FLAGS_URG = FieldDef::fixed("tcp.flags.urg", "Urgent", 13..14, Bool).mask(0x20).spec("RFC 9293");
    FLAGS_ACK = FieldDef::fixed("tcp.flags.ack", "Acknowledgment", 13..14, Bool).mask(0x10).spec("RFC 9293");
    FLAGS_PUSH = FieldDef::fixed("tcp.flags.push", "Push", 13..14, Bool).mask(0x08).spec("RFC 9293");
    FLAGS_RESET = FieldDef::fixed("tcp.flags.reset", "Reset", 13..14, Bool).mask(0x04).spec("RFC 9293");
    FLAGS_SYN = FieldDef::fixed("tcp.flags.syn", "Syn", 13..14, Bool).mask(0x02).spec("RFC 9293");
    FLAGS_FIN = FieldDef::fixed("tcp.flags.fin", "Fin", 13..14, Bool).mask(0x01).spec("RFC 9293");
    FLAGS_STR = FieldDef::generated("tcp.flags.str", "TCP Flags", Text);
    WINDOW_SIZE_VALUE = FieldDef::fixed("tcp.window_size_value", "Window", 14..16, Dec).spec("RFC 9293");
    CHECKSUM = FieldDef::fixed("tcp.checksum", "Checksum", 16..18, Hex(4)).spec("RFC 9293");
    URGENT_POINTER = FieldDef::fixed("tcp.urgent_pointer", "Urgent Pointer", 18..20, Dec).spec("RFC 9293");
    OPTIONS = FieldDef::var("tcp.options", "Options", Bytes).spec("RFC 9293");
    OPTION_KIND = FieldDef::var("tcp.option_kind", "Kind", Dec).spec("RFC 9293");
    OPTION_LEN = FieldDef::var("tcp.option_len", "Length", Dec).spec("RFC 9293");
    OPTIONS_MSS_VAL = FieldDef::var("tcp.options.mss_val", "MSS Value", Dec).spec("RFC 9293");
    OPTIONS_WSCALE_SHIFT = FieldDef::var("tcp.options.wscale.shift", "Shift count", Dec).spec("RFC 7323");
    OPTIONS_WSCALE_MULTIPLIER = FieldDef::generated("tcp.options.wscale.multiplier", "Multiplier", Dec);
    OPTIONS_SACK_LE = FieldDef::var("tcp.options.sack_le", "left edge", Dec).spec("RFC 2018");
    OPTIONS_SACK_RE = FieldDef::var("tcp.options.sack_re", "right edge", Dec).spec("RFC 2018");
    OPTIONS_TIMESTAMP_TSVAL = FieldDef::var("tcp.options.timestamp.tsval", "Timestamp value", Dec).spec("RFC 7323");
    OPTIONS_TIMESTAMP_TSECR = FieldDef::var("tcp.options.timestamp.tsecr", "Timestamp echo reply", Dec).spec("RFC 7323");
    // Worked out by flow tracking, which gives them to each decoded packet
    // (`Dissection::push_generated`); Wireshark's packet-tcp.c registers
    // them with the rest of TCP, and so do we.
    /// The conversation's index, in order of first appearance.
    STREAM = FieldDef::generated("tcp.stream", "Stream index", Dec);
    /// The sequence number relative to the conversation's first.
    SEQ = FieldDef::generated("tcp.seq", "Sequence Number (relative)", Dec);
    /// The acknowledgment number relative to the other side's first.
    ACK = FieldDef::generated("tcp.ack", "Acknowledgment Number (relative)", Dec);
}

pub const MIN_LEN: usize = 20;

/// The flag bits of the 12-bit flags field, highest first, with tcpdump's
/// letter.
pub const FLAG_BITS: [(&FieldDef, char); 9] = [
    (&FLAGS_AE, 'E'),
    (&FLAGS_CWR, 'W'),
    (&FLAGS_ECE, 'E'),
    (&FLAGS_URG, 'U'),
    (&FLAGS_ACK, '.'),
    (&FLAGS_PUSH, 'P'),
    (&FLAGS_RESET, 'R'),
    (&FLAGS_SYN, 'S'),
    (&FLAGS_FIN, 'F'),
];

/// Decode a TCP segment at `start`; `end` is where the IP payload ends.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(
        Proto::Tcp,
        start..(start + MIN_LEN).min(end).min(ctx.data.len()),
    );
    ctx.set_pdu(start..end.max(start));
    let sport = ctx.uint(&SRCPORT, start);
    let dport = ctx.uint(&DSTPORT, start);
    let (Some(sport), Some(dport)) = (sport, dport) else {
        ctx.short_of(Proto::Tcp, start, MIN_LEN, end, "header");
        return;
    };
    set_tuple(
        ctx,
        6,
        (sport as u16, dport as u16),
        (start, end.max(start)),
    );
    if ctx.available(start, end) < MIN_LEN {
        ctx.short_of(Proto::Tcp, start, MIN_LEN, end, "header");
        return;
    }
    let segment_len = end.saturating_sub(start);
    let hdr_len = (ctx.u8_at(HDR_LEN.at(start).start).unwrap_or(0) >> 4) as usize * 4;
    let valid = (MIN_LEN..=segment_len).contains(&hdr_len);
    ctx.uint(&SEQ_RAW, start);
    ctx.uint(&ACK_RAW, start);
    if valid {
        ctx.generated(&LEN, Value::UInt((segment_len - hdr_len) as u64));
    }
    ctx.value_at(&HDR_LEN, HDR_LEN.at(start), Value::UInt(hdr_len as u64));
    if let Some(flags) = ctx.uint(&FLAGS, start) {
        ctx.nest(0);
        // Flag names and bits matter only to field views; skip the work
        // (and the allocations) when only layers are wanted.
        if ctx.fields_on {
            if ctx.last_kept() {
                ctx.meaning(flag_names(flags as u16));
            }
            ctx.uint(&FLAGS_RES, start);
            for (bit, _) in FLAG_BITS {
                ctx.uint(bit, start);
            }
            ctx.generated_with(&FLAGS_STR, || Value::Text(flag_string(flags as u16).into()));
            ctx.nest(1);
        }
    }
    ctx.uint(&WINDOW_SIZE_VALUE, start);
    ctx.uint(&CHECKSUM, start);
    ctx.uint(&URGENT_POINTER, start);
    if !valid {
        ctx.malformed(
            Proto::Tcp,
            HDR_LEN.at(start).start,
            format!("TCP header length {hdr_len} is invalid: it must be at least 20 and at most the segment's {segment_len} bytes"),
        );
        return;
    }
    ctx.set_header(start..(start + hdr_len).min(ctx.data.len()));
    if hdr_len > MIN_LEN {
        options(ctx, start + MIN_LEN, start + hdr_len);
    }
    if ctx.available(start, end) < hdr_len {
        ctx.short_of(Proto::Tcp, start, hdr_len, end, "header length");
        return;
    }
    if let super::desegment::TcpPdu::Ask(pending) = ctx.tcp_pdu {
        ctx.tcp_pdu = asked(ctx, pending, start, hdr_len);
    }
    // A bare FIN may complete a PDU that runs to it (see `desegment`).
    let completes = matches!(ctx.tcp_pdu, super::desegment::TcpPdu::Complete(_));
    if start + hdr_len < end || completes {
        super::app::tcp(ctx, sport as u16, dport as u16, start + hdr_len, end);
    }
}

/// What `pending` says of this segment (header at `start`, `hdr_len`
/// long): a continuation of a PDU it holds, or fresh. Only the segment the pipeline tracks is asked about: the frame's
/// own first TCP header (the 4-tuple's), not one quoted in an ICMP error or
/// in a reassembled datagram, whose PDUs are the pipeline's to settle.
fn asked<'a>(
    ctx: &mut Ctx<'a>,
    pending: &'a dyn super::desegment::PendingPdus,
    start: usize,
    hdr_len: usize,
) -> super::desegment::TcpPdu<'a> {
    use super::desegment::TcpPdu;
    let Some(t) = ctx
        .d
        .tuple
        .filter(|t| t.protocol == 6 && t.header_at == start)
    else {
        return TcpPdu::Fresh;
    };
    let payload_at = start + hdr_len;
    let payload_end = t.pdu_end.min(ctx.data.len());
    if ctx.quoted || ctx.source != 0 || payload_at > payload_end {
        return TcpPdu::Fresh;
    }
    let seq_at = SEQ_RAW.at(start);
    let (Some(seq), Some(flags)) = (ctx.read(seq_at), ctx.u8_at(start + 13)) else {
        return TcpPdu::Fresh;
    };
    let dir = (t.src, t.src_port, t.dst, t.dst_port);
    let fin = flags & 0x01 != 0;
    let asked = pending.ask(dir, seq as u32, payload_end - payload_at, fin);
    ctx.d.tcp_asked = Some(asked);
    match asked {
        super::desegment::Asked::Continues => TcpPdu::Continuation,
        _ => TcpPdu::Fresh,
    }
}

pub(crate) fn set_tuple(
    ctx: &mut Ctx,
    protocol: u8,
    (src_port, dst_port): (u16, u16),
    (header_at, pdu_end): (usize, usize),
) {
    if ctx.quoted || ctx.d.tuple.is_some() {
        return;
    }
    if let Some((src, dst)) = ctx.addrs {
        ctx.d.tuple = Some(FourTuple {
            protocol,
            src,
            src_port,
            dst,
            dst_port,
            header_at,
            pdu_end,
        });
    }
}

/// Wireshark's compact flag string, e.g. `·······AP···`.
pub fn flag_string(flags: u16) -> String {
    let letters = ['R', 'R', 'R', 'A', 'C', 'E', 'U', 'A', 'P', 'R', 'S', 'F'];
    (0..12)
        .map(|i| {
            if flags & (0x800 >> i) != 0 {
                letters[i]
            } else {
                '·'
            }
        })
        .collect()
}

/// The set flags by name, e.g. `SYN, ACK`.
pub fn flag_names(flags: u16) -> String {
    let names: Vec<&str> = [
        (0x100, "AE"),
        (0x080, "CWR"),
        (0x040, "ECE"),
        (0x020, "URG"),
        (0x010, "ACK"),
        (0x008, "PSH"),
        (0x004, "RST"),
        (0x002, "SYN"),
        (0x001, "FIN"),
    ]
    .iter()
    .filter(|(bit, _)| flags & bit != 0)
    .map(|(_, n)| *n)
    .collect();
    names.join(", ")
}

/// A TCP option as read from the header, for summaries and teaching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TcpOption {
    Eol,
    Nop,
    Mss(u16),
    WindowScale(u8),
    SackPermitted,
    Sack(Vec<(u32, u32)>),
    Timestamps {
        val: u32,
        ecr: u32,
    },
    Other {
        kind: u8,
        len: u8,
    },
    /// The option list stops making sense here.
    Bad {
        kind: u8,
    },
}

/// Walk the options in `bytes`, calling `each` with the option and its
/// range relative to `bytes`.
pub fn walk_options(bytes: &[u8], mut each: impl FnMut(TcpOption, Range<usize>)) {
    let mut pos = 0;
    while pos < bytes.len() {
        let kind = bytes[pos];
        match kind {
            0 => {
                each(TcpOption::Eol, pos..pos + 1);
                return;
            }
            1 => {
                each(TcpOption::Nop, pos..pos + 1);
                pos += 1;
                continue;
            }
            _ => {}
        }
        let Some(&len) = bytes.get(pos + 1) else {
            each(TcpOption::Bad { kind }, pos..bytes.len());
            return;
        };
        let stop = pos + len as usize;
        if len < 2 || stop > bytes.len() {
            each(TcpOption::Bad { kind }, pos..bytes.len());
            return;
        }
        let body = &bytes[pos + 2..stop];
        let be32 = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        let option = match (kind, len) {
            (2, 4) => TcpOption::Mss(u16::from_be_bytes([body[0], body[1]])),
            (3, 3) => TcpOption::WindowScale(body[0]),
            (4, 2) => TcpOption::SackPermitted,
            (5, _) if (len - 2) % 8 == 0 => TcpOption::Sack(
                body.chunks_exact(8)
                    .map(|c| (be32(&c[..4]), be32(&c[4..])))
                    .collect(),
            ),
            (8, 10) => TcpOption::Timestamps {
                val: be32(&body[..4]),
                ecr: be32(&body[4..]),
            },
            _ => TcpOption::Other { kind, len },
        };
        each(option, pos..stop);
        pos = stop;
    }
}

fn options(ctx: &mut Ctx, from: usize, to: usize) {
    let to_captured = to.min(ctx.data.len());
    ctx.bytes_at(&OPTIONS, from..to_captured);
    let Some(bytes) = ctx.data.get(from..to_captured) else {
        return;
    };
    // tshark reads on past an End of Option List (each zero byte of the
    // padding is another one); tcpdump's line stops there (`walk_options`).
    let mut found = Vec::new();
    let mut base = 0;
    loop {
        let mut eol_end = None;
        walk_options(&bytes[base..], |opt, range| {
            if matches!(opt, TcpOption::Eol) {
                eol_end = Some(base + range.end);
            }
            found.push((opt, from + base + range.start..from + base + range.end))
        });
        match eol_end {
            Some(e) if e < bytes.len() => base = e,
            _ => break,
        }
    }
    for (opt, range) in found {
        let kind_at = range.start..range.start + 1;
        let kind = ctx.u8_at(range.start).unwrap_or(0);
        ctx.uint_at(&OPTION_KIND, kind_at);
        ctx.meaning(names::tcp_option(kind));
        ctx.nest(1);
        let len_at = range.start + 1..range.start + 2;
        let body = range.start + 2;
        // (Not for a kind byte at the very end, which has no length byte.)
        if !matches!(opt, TcpOption::Eol | TcpOption::Nop) && len_at.end <= range.end {
            // tshark shows every option's length byte, whatever the kind.
            ctx.uint_at(&OPTION_LEN, len_at);
            ctx.nest(2);
        }
        match opt {
            TcpOption::Eol | TcpOption::Nop => {}
            TcpOption::Mss(_) => {
                ctx.uint_at(&OPTIONS_MSS_VAL, body..body + 2);
                ctx.nest(2);
            }
            TcpOption::WindowScale(shift) => {
                ctx.uint_at(&OPTIONS_WSCALE_SHIFT, body..body + 1);
                ctx.nest(2);
                ctx.generated(
                    &OPTIONS_WSCALE_MULTIPLIER,
                    Value::UInt(1u64 << shift.min(30)),
                );
                ctx.nest(2);
            }
            TcpOption::SackPermitted => {}
            TcpOption::Sack(blocks) => {
                for i in 0..blocks.len() {
                    let b = body + i * 8;
                    ctx.uint_at(&OPTIONS_SACK_LE, b..b + 4);
                    ctx.nest(2);
                    ctx.uint_at(&OPTIONS_SACK_RE, b + 4..b + 8);
                    ctx.nest(2);
                }
            }
            TcpOption::Timestamps { .. } => {
                ctx.uint_at(&OPTIONS_TIMESTAMP_TSVAL, body..body + 4);
                ctx.nest(2);
                ctx.uint_at(&OPTIONS_TIMESTAMP_TSECR, body + 4..body + 8);
                ctx.nest(2);
            }
            // Its bytes stay in tcp.options: tshark has no generic key for
            // an option's payload.
            TcpOption::Other { .. } => {}
            // An option cut by the snap length is not malformed: the
            // header's own truncation note already says where it stops.
            TcpOption::Bad { .. } if to > to_captured => {}
            TcpOption::Bad { kind } => {
                ctx.malformed(
                    Proto::Tcp,
                    range.start,
                    format!("TCP option {kind} has an invalid length"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::ethernet::tests::{decode_raw, get, ipv4, note};
    use crate::decode::{Dissection, NoteKind, Proto, Value};

    /// An IPv4 SYN with the options Linux sends, TCP at byte 20.
    fn syn() -> Vec<u8> {
        let mut bytes = ipv4(6, 60);
        bytes.extend([
            0xc3, 0x50, // source port 50000
            0x00, 0x50, // destination port 80
            0x01, 0x02, 0x03, 0x04, // sequence number
            0x00, 0x00, 0x00, 0x00, // acknowledgment number
            0xa0, // data offset 10 (40 bytes), reserved 0
            0x02, // flags: SYN
            0xfa, 0xf0, // window 64240
            0x12, 0x34, // checksum
            0x00, 0x00, // urgent pointer
            0x02, 0x04, 0x05, 0xb4, // option: MSS 1460
            0x04, 0x02, // option: SACK permitted
            0x08, 0x0a, 0, 0, 0, 7, 0, 0, 0, 0,    // option: timestamps, value 7, echo 0
            0x01, // option: NOP
            0x03, 0x03, 0x07, // option: window scale, shift 7
        ]);
        bytes
    }

    fn kinds(d: &Dissection) -> Vec<(Value, std::ops::Range<usize>)> {
        d.fields_named("tcp.option_kind")
            .map(|f| (f.value.clone(), f.bytes.clone()))
            .collect()
    }

    #[test]
    fn tcp_fixed_fields_have_their_ranges_and_the_flags_their_masks() {
        let d = decode_raw(syn(), 60);
        assert_eq!(get(&d, "tcp.srcport"), (Value::UInt(50000), 20..22, 0));
        assert_eq!(get(&d, "tcp.dstport"), (Value::UInt(80), 22..24, 0));
        assert_eq!(
            get(&d, "tcp.seq_raw"),
            (Value::UInt(0x0102_0304), 24..28, 0)
        );
        assert_eq!(get(&d, "tcp.ack_raw"), (Value::UInt(0), 28..32, 0));
        // The packet says 10; shown in bytes, as tshark does.
        assert_eq!(get(&d, "tcp.hdr_len"), (Value::UInt(40), 32..33, 0xf0));
        assert_eq!(get(&d, "tcp.flags"), (Value::Hex(0x002, 4), 32..34, 0x0fff));
        assert_eq!(get(&d, "tcp.flags.syn"), (Value::Bool(true), 33..34, 0x002));
        assert_eq!(
            get(&d, "tcp.flags.ack"),
            (Value::Bool(false), 33..34, 0x010)
        );
        assert_eq!(get(&d, "tcp.flags.res"), (Value::Bool(false), 32..33, 0x0e));
        assert_eq!(
            get(&d, "tcp.window_size_value"),
            (Value::UInt(64240), 34..36, 0)
        );
        assert_eq!(get(&d, "tcp.checksum"), (Value::Hex(0x1234, 4), 36..38, 0));
        assert_eq!(get(&d, "tcp.urgent_pointer"), (Value::UInt(0), 38..40, 0));
        assert_eq!(d.layer(Proto::Tcp).map(|l| l.header.clone()), Some(20..60));
        let t = d.tuple.expect("a TCP 4-tuple");
        assert_eq!((t.protocol, t.src_port, t.dst_port), (6, 50000, 80));
    }

    #[test]
    fn tcp_options_each_have_their_kind_and_value_ranges() {
        let d = decode_raw(syn(), 60);
        assert_eq!(get(&d, "tcp.options").1, 40..60);
        let expected = [(2, 40), (4, 44), (8, 46), (1, 56), (3, 57)];
        let expected: Vec<_> = expected
            .iter()
            .map(|&(k, at)| (Value::UInt(k), at..at + 1))
            .collect();
        assert_eq!(kinds(&d), expected);
        assert_eq!(
            get(&d, "tcp.options.mss_val"),
            (Value::UInt(1460), 42..44, 0)
        );
        let tsval = get(&d, "tcp.options.timestamp.tsval");
        assert_eq!(tsval, (Value::UInt(7), 48..52, 0));
        let tsecr = get(&d, "tcp.options.timestamp.tsecr");
        assert_eq!(tsecr, (Value::UInt(0), 52..56, 0));
        let shift = get(&d, "tcp.options.wscale.shift");
        assert_eq!(shift, (Value::UInt(7), 59..60, 0));
        assert_eq!(get(&d, "tcp.options.wscale.multiplier").0, Value::UInt(128));
        assert!(d.notes.is_empty(), "{:?}", d.notes);
    }

    #[test]
    fn tcp_data_offset_below_five_is_malformed_and_decoding_stops() {
        let mut bytes = syn();
        bytes[32] = 0x40; // data offset 4: 16 bytes, less than the fixed header
        let d = decode_raw(bytes, 60);
        assert_eq!(get(&d, "tcp.hdr_len"), (Value::UInt(16), 32..33, 0xf0));
        let why = note(&d, Proto::Tcp, NoteKind::Malformed);
        assert!(why.contains("header length 16 is invalid"), "{why}");
        assert!(d.field("tcp.options").is_none());
        assert!(d.field("tcp.len").is_none());
        assert!(!d.has(Proto::Payload));
        assert_eq!(d.layer(Proto::Tcp).map(|l| l.header.clone()), Some(20..40));
    }

    #[test]
    fn tcp_header_cut_after_the_ports_keeps_the_ports_and_says_truncated() {
        let mut bytes = syn();
        bytes.truncate(20 + 12); // the snap length kept 12 TCP bytes of 40
        let d = decode_raw(bytes, 60);
        assert_eq!(get(&d, "tcp.srcport"), (Value::UInt(50000), 20..22, 0));
        assert_eq!(get(&d, "tcp.dstport"), (Value::UInt(80), 22..24, 0));
        assert!(d.field("tcp.seq_raw").is_none());
        assert!(d.tuple.is_some());
        let why = note(&d, Proto::Tcp, NoteKind::Truncated);
        assert!(why.contains("20 bytes but only 12 were captured"), "{why}");
    }
}
