//! The lesson's tests.

use super::*;
use crate::decode::decode;
use crate::frame::{LinkType, TsPrecision};

fn frame(data: Vec<u8>, orig_len: u32) -> FrameRecord {
    FrameRecord {
        number: 1,
        ts: None,
        precision: TsPrecision::Micro,
        link: LinkType::ETHERNET,
        orig_len,
        iface: 0,
        data,
    }
}

/// Ethernet + IPv4 + UDP 7007 → 7007 carrying "hi\n".
fn udp_frame() -> Vec<u8> {
    let mut b = vec![0u8; 12];
    b.extend([0x08, 0x00]); // EtherType IPv4
    b.extend([0x45, 0, 0, 31, 0, 1, 0x40, 0, 64, 17, 0, 0]); // IPv4, total 31
    b.extend([127, 0, 0, 1, 127, 0, 0, 1]);
    b.extend([0xc3, 0x50, 0x1b, 0x5f, 0, 11, 0, 0]); // UDP 50000 → 7007, len 11
    b.extend(b"hi\n");
    b
}

#[test]
fn nesting_lists_each_header_with_its_range_and_the_payload_text() {
    let f = frame(udp_frame(), 45);
    let e = Encapsulation::build(&f, &decode(&f));
    assert_eq!(
        e.one_line(),
        "Ethernet [0..14) ⊃ IPv4 [14..34) ⊃ UDP [34..42) ⊃ payload [42..45) \"hi\\n\""
    );
    assert_eq!(e.overhead.headers, 42);
    assert_eq!(e.overhead.data, 3);
    assert_eq!(e.overhead.percent(42), 93.3);
}

#[test]
fn destination_port_shows_both_byte_orders() {
    let f = frame(udp_frame(), 45);
    let lesson = Lesson::build(&f, &decode(&f), None);
    let udp = lesson
        .headers
        .iter()
        .find(|h| h.proto == Proto::Udp)
        .expect("a UDP header");
    let port = udp
        .rows
        .iter()
        .find(|r| r.key == "udp.dstport")
        .expect("dst port");
    assert_eq!(port.hex, "1b 5f");
    assert_eq!(
        port.byte_order.as_deref(),
        Some(
            "bytes 1b 5f → 0x1b5f = 7007 (big-endian, \"network byte order\"; a little-endian host reads these bytes as 0x5f1b = 24347 until ntohs)"
        )
    );
}

#[test]
fn a_cut_frame_is_explained_as_the_snap_length() {
    let mut bytes = udp_frame();
    bytes.truncate(38);
    let f = frame(bytes, 45);
    let lesson = Lesson::build(&f, &decode(&f), None);
    assert!(
        lesson
            .problems
            .iter()
            .any(|p| p.why.contains("snap length")),
        "{:?}",
        lesson.problems
    );
    assert!(lesson.encapsulation.overhead.unaccounted > 0);
}
