//! A PDU over several TCP segments, through `decode_frame` as the pipeline
//! runs it, with the length-prefixed stand-in dissector of
//! `decode::desegment::tests` (no application decoder needed): the
//! segments before the last are segment data, the last is decoded from the
//! reassembled bytes with Wireshark's `tcp.segment` list.

use crate::decode::{Detail, Dissection, Proto, Value};
use crate::frame::{FrameRecord, LinkType, TsPrecision};

use super::{Reassembler, Reassembly, decode_frame};

const PORT: u16 = 40_999;

/// A raw IPv4 TCP segment 10.0.0.1:5000 -> 10.0.0.2:PORT.
fn segment(number: u64, seq: u32, payload: &[u8]) -> FrameRecord {
    let total = 40 + payload.len();
    let mut p = vec![
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        1,
        0x40,
        0,
        64,
        6,
        0,
        0,
    ];
    p.extend([10, 0, 0, 1, 10, 0, 0, 2]);
    p.extend(5000u16.to_be_bytes());
    p.extend(PORT.to_be_bytes());
    p.extend(seq.to_be_bytes());
    p.extend(1u32.to_be_bytes());
    p.extend([0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    p.extend_from_slice(payload);
    FrameRecord {
        number,
        ts: None,
        precision: TsPrecision::Micro,
        link: LinkType::RAW,
        orig_len: p.len() as u32,
        iface: 0,
        data: p,
    }
}

fn values<'a>(d: &'a Dissection, key: &'a str) -> Vec<&'a Value> {
    d.fields_named(key).map(|f| &f.value).collect()
}

#[test]
fn a_record_over_three_segments_is_decoded_in_the_last_from_the_reassembled_bytes() {
    // A 12-byte record (length 10), then a whole 3-byte record; split
    // 5 | 4 | 3+5.
    let stream: Vec<u8> = [&[0u8, 10][..], b"0123456789", &[0, 3], b"abc"].concat();
    let frames = [
        segment(1, 100, &stream[..5]),
        segment(2, 105, &stream[5..9]),
        segment(3, 109, &stream[9..]),
    ];
    let mut r = Reassembler::new(Reassembly::default());
    let mut seen = Vec::new();
    for f in &frames {
        let mut d = Dissection::default();
        decode_frame(f, Detail::Fields, &mut d, &mut r);
        seen.push(d);
    }
    for d in &seen[..2] {
        assert!(
            d.field("tcp.segment_data").is_some(),
            "earlier segments are segment data"
        );
        assert!(!d.has(Proto::Payload), "no record is decoded from a part");
    }
    let last = &seen[2];
    assert_eq!(
        values(last, "tcp.segment"),
        [&Value::UInt(1), &Value::UInt(2), &Value::UInt(3)]
    );
    assert_eq!(
        last.field("tcp.reassembled.length").map(|f| &f.value),
        Some(&Value::UInt(12))
    );
    assert_eq!(last.sources.len(), 1);
    assert_eq!(last.sources[0].bytes, &stream[..12]);
    // The first record is read from the reassembled source, the second
    // from the frame itself, after the PDU's last three bytes.
    let records: Vec<(u8, std::ops::Range<usize>)> = last
        .layers
        .iter()
        .filter(|l| l.proto == Proto::Payload)
        .map(|l| (l.source, l.header.clone()))
        .collect();
    assert_eq!(records, [(1, 0..12), (0, 43..48)]);
    let data = last.fields_named("data.data").next().expect("record data");
    assert_eq!(
        last.data(data.source, &frames[2].data)[data.bytes.clone()],
        *b"0123456789"
    );
    assert_eq!(r.tcp.as_ref().map(|t| t.held_bytes()), Some(0));
}

#[test]
fn a_gap_abandons_the_pdu_and_counts_it() {
    let mut r = Reassembler::new(Reassembly::default());
    let mut d = Dissection::default();
    decode_frame(
        &segment(1, 100, &[0, 50, b'x']),
        Detail::Fields,
        &mut d,
        &mut r,
    );
    assert!(d.desegment.is_some());
    // 20 bytes are missing before this one, a whole record of its own.
    decode_frame(
        &segment(2, 123, &[0, 2, b'y', b'y']),
        Detail::Fields,
        &mut d,
        &mut r,
    );
    assert!(d.has(Proto::Payload), "decoded afresh");
    let t = r.tcp.as_ref().expect("on");
    assert_eq!((t.stats.abandoned, t.held_bytes()), (1, 0));
}

#[test]
fn with_reassembly_off_each_segment_stands_alone() {
    let mut r = Reassembler::new(Reassembly::Off);
    let mut d = Dissection::default();
    decode_frame(
        &segment(1, 100, &[0, 10, b'x']),
        Detail::Fields,
        &mut d,
        &mut r,
    );
    decode_frame(
        &segment(2, 103, b"123456789"),
        Detail::Fields,
        &mut d,
        &mut r,
    );
    assert!(d.field("tcp.segment").is_none() && d.sources.is_empty());
}
