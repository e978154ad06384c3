use super::*;
use crate::decode::decode;
use crate::frame::{LinkType, TsPrecision};
use crate::teach::conversation::{Phase, Side};

/// A raw IPv4 + TCP segment 10.0.0.1:40000 → 10.0.0.2:80 (or back).
fn segment(number: u64, back: bool, seq: u32, ack: u32, flags: u8, data: &[u8]) -> FrameRecord {
    let total = (40 + data.len()) as u16;
    let (src, dst) = if back {
        ([10, 0, 0, 2], [10, 0, 0, 1])
    } else {
        ([10, 0, 0, 1], [10, 0, 0, 2])
    };
    let (sport, dport): (u16, u16) = if back { (80, 40000) } else { (40000, 80) };
    let mut b = vec![0x45, 0];
    b.extend(total.to_be_bytes());
    b.extend([0, 0, 0x40, 0, 64, 6, 0, 0]);
    b.extend(src);
    b.extend(dst);
    b.extend(sport.to_be_bytes());
    b.extend(dport.to_be_bytes());
    b.extend(seq.to_be_bytes());
    b.extend(ack.to_be_bytes());
    b.extend([0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    b.extend(data);
    FrameRecord {
        number,
        ts: None,
        precision: TsPrecision::Micro,
        link: LinkType::RAW,
        orig_len: b.len() as u32,
        iface: 0,
        data: b,
    }
}

fn packets(frames: Vec<FrameRecord>) -> Vec<(FrameRecord, Dissection)> {
    frames
        .into_iter()
        .map(|f| {
            let d = decode(&f);
            (f, d)
        })
        .collect()
}

#[test]
fn handshake_data_and_teardown_get_relative_numbers_from_each_sides_isn() {
    let p = packets(vec![
        segment(1, false, 1000, 0, 0x02, b""),
        segment(2, true, 5000, 1001, 0x12, b""),
        segment(3, false, 1001, 5001, 0x10, b""),
        segment(4, false, 1001, 5001, 0x18, b"hello"),
        segment(5, true, 5001, 1006, 0x10, b""),
        segment(6, false, 1006, 5001, 0x11, b""),
        segment(7, true, 5001, 1007, 0x11, b""),
        segment(8, false, 1007, 5002, 0x10, b""),
    ]);
    let convs = stories(&p);
    assert_eq!(convs.len(), 1);
    let c = &convs[0];
    assert_eq!(c.client.1, 40000);
    assert_eq!(c.isn, [Some(1000), Some(5000)]);
    let phases: Vec<Phase> = c.steps.iter().map(|s| s.phase).collect();
    assert_eq!(
        phases,
        [
            Phase::Handshake,
            Phase::Handshake,
            Phase::Handshake,
            Phase::Data,
            Phase::Data,
            Phase::Teardown,
            Phase::Teardown,
            Phase::Teardown
        ]
    );
    assert_eq!(
        (c.steps[3].seq, c.steps[3].ack, c.steps[3].len),
        (Some(1), Some(1), 5)
    );
    assert!(
        c.steps[3].story.contains("its bytes 1 to 5"),
        "{}",
        c.steps[3].story
    );
    assert_eq!(c.steps[4].ack, Some(6));
    assert!(
        c.steps[6].story.contains("acknowledges the client's FIN"),
        "{}",
        c.steps[6].story
    );
    assert!(
        c.steps[7].story.contains("connection is over"),
        "{}",
        c.steps[7].story
    );
}

#[test]
fn without_a_syn_the_well_known_port_marks_the_server_and_first_bytes_count_from_one() {
    let p = packets(vec![
        segment(1, true, 7000, 2001, 0x18, b"HTTP/1.1 200 OK\r\n"),
        segment(2, false, 2001, 7017, 0x10, b""),
    ]);
    let c = &stories(&p)[0];
    assert_eq!(c.server.1, 80);
    assert!(
        c.client_reason.contains("below 1024, where servers listen"),
        "{}",
        c.client_reason
    );
    assert_eq!(c.steps[0].from, Side::Server);
    assert_eq!(c.steps[0].seq, Some(1));
    assert_eq!(c.steps[1].ack, Some(18));
}
