//! The table's rules, checked against what `reassemble.c` does (the crafted
//! captures in tests/ip_reassembly.rs compare whole runs with tshark).

use std::net::{IpAddr, Ipv4Addr};

use super::*;

fn info(id: u32, offset: u32, len: usize, more: bool) -> FragmentInfo {
    FragmentInfo {
        proto: Proto::Ipv4,
        src: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        dst: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
        id,
        protocol: 17,
        offset,
        more,
        payload: 0..len,
    }
}

fn add(
    t: &mut Defragmenter,
    frame: u64,
    id: u32,
    offset: u32,
    bytes: &[u8],
    more: bool,
) -> Option<Reassembled> {
    t.add(frame, None, &info(id, offset, bytes.len(), more), bytes)
}

#[test]
fn out_of_order_pieces_complete_on_the_last_hole_in_offset_order() {
    let mut t = Defragmenter::new(DefragLimits::default());
    assert!(add(&mut t, 1, 7, 16, b"CCCCCCCC", false).is_none());
    assert!(add(&mut t, 2, 7, 0, b"AAAAAAAA", true).is_none());
    let r = add(&mut t, 3, 7, 8, b"BBBBBBBB", true).expect("complete");
    assert_eq!(r.payload, b"AAAAAAAABBBBBBBBCCCCCCCC");
    let frames: Vec<u64> = r.pieces.iter().map(|p| p.frame).collect();
    assert_eq!(frames, [2, 3, 1]);
    assert_eq!((t.pending(), t.held_bytes()), (0, 0));
}

#[test]
fn an_overlap_with_different_bytes_keeps_the_first_and_is_flagged() {
    let mut t = Defragmenter::new(DefragLimits::default());
    add(&mut t, 1, 1, 0, b"AAAAAAAAAAAAAAAA", true);
    // Teardrop-style: starts inside the first piece and ends inside it too.
    add(&mut t, 2, 1, 8, b"XXXX", true);
    let r = add(&mut t, 3, 1, 16, b"CCCCCCCC", false).expect("complete");
    assert_eq!(r.payload, b"AAAAAAAAAAAAAAAACCCCCCCC");
    assert!(r.pieces[1].overlap && r.pieces[1].conflict);
    assert!(!r.pieces[0].overlap && !r.pieces[2].overlap);
}

#[test]
fn a_duplicate_is_an_overlap_without_conflict_and_is_listed() {
    let mut t = Defragmenter::new(DefragLimits::default());
    add(&mut t, 1, 1, 0, b"AAAAAAAA", true);
    add(&mut t, 2, 1, 0, b"AAAAAAAA", true);
    let r = add(&mut t, 3, 1, 8, b"BB", false).expect("complete");
    assert_eq!(r.pieces.len(), 3);
    assert!(r.pieces[1].overlap && !r.pieces[1].conflict);
}

#[test]
fn a_missing_piece_never_completes_and_the_bound_drops_the_oldest_with_a_count() {
    let limits = DefragLimits {
        max_datagrams: 2,
        ..DefragLimits::default()
    };
    let mut t = Defragmenter::new(limits);
    for id in 0..5 {
        assert!(add(&mut t, id as u64 + 1, id, 8, b"tail-data", false).is_none());
    }
    assert_eq!(t.pending(), 2);
    assert_eq!(t.stats.dropped_datagrams, 3);
    assert_eq!(t.stats.dropped_bytes, 27);
    assert!(t.stats.warning().is_some());
    // The two newest are still there and complete.
    assert!(add(&mut t, 9, 4, 0, b"12345678", true).is_some());
    assert!(
        add(&mut t, 10, 0, 0, b"12345678", true).is_none(),
        "id 0 was dropped"
    );
}

#[test]
fn the_byte_bound_holds_whatever_arrives() {
    let limits = DefragLimits {
        max_bytes: 10_000,
        ..DefragLimits::default()
    };
    let mut t = Defragmenter::new(limits);
    let chunk = [0u8; 1000];
    for id in 0..1000 {
        add(&mut t, u64::from(id), id, 8, &chunk, true);
        assert!(t.held_bytes() <= 10_000);
    }
    assert!(t.stats.dropped_datagrams > 900);
}

#[test]
fn a_second_tail_with_another_end_is_flagged_not_taken() {
    let mut t = Defragmenter::new(DefragLimits::default());
    add(&mut t, 1, 1, 8, b"BBBBBBBB", false);
    add(&mut t, 2, 1, 8, b"BBBB", false);
    let r = add(&mut t, 3, 1, 0, b"AAAAAAAA", true).expect("complete");
    assert!(r.multiple_tails);
    assert_eq!(r.payload.len(), 16);
}

#[test]
fn a_piece_past_the_end_is_cut_and_flagged_too_long() {
    let mut t = Defragmenter::new(DefragLimits::default());
    add(&mut t, 1, 1, 8, b"BB", false);
    let r = add(&mut t, 2, 1, 0, b"AAAAAAAAAAAAAAAA", true).expect("complete");
    assert_eq!(r.payload, b"AAAAAAAAAAAAAAAA"[..10].to_vec());
    assert!(r.pieces[0].too_long);
}

#[test]
fn different_ids_and_addresses_never_mix() {
    let mut t = Defragmenter::new(DefragLimits::default());
    add(&mut t, 1, 1, 0, b"AAAAAAAA", true);
    assert!(add(&mut t, 2, 2, 8, b"BB", false).is_none());
    let mut other = info(1, 8, 2, false);
    other.dst = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 3));
    assert!(t.add(3, None, &other, b"BB").is_none());
    assert_eq!(t.pending(), 3);
}

#[test]
fn the_timeout_forgets_a_stale_datagram() {
    let limits = DefragLimits {
        timeout: Some(30.0),
        ..DefragLimits::default()
    };
    let mut t = Defragmenter::new(limits);
    let at = |secs| Some(Timestamp { secs, nanos: 0 });
    t.add(1, at(0), &info(1, 0, 8, true), b"AAAAAAAA");
    assert!(t.add(2, at(100), &info(1, 8, 2, false), b"BB").is_none());
    assert_eq!(t.stats.timed_out, 1);
}
