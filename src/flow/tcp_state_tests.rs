//! `TcpFlow`'s bookkeeping on literal segments.

use super::*;

fn seg(seq: u32, ack: u32, flags: u16, len: u32) -> TcpSegment {
    TcpSegment {
        seq,
        ack,
        flags,
        len,
        window: 1000,
        analysed: true,
    }
}

const S: u16 = TcpSegment::SYN;
const A: u16 = TcpSegment::ACK;
const F: u16 = TcpSegment::FIN;

#[test]
fn a_full_handshake_gives_relative_numbers_from_zero_and_an_rtt() {
    let mut t = TcpFlow::default();
    let i = t.segment(0, &seg(1000, 0, S, 0), 0, true);
    assert_eq!((i.rel_seq, i.rel_ack, i.line_seq), (0, 0, None));
    assert_eq!(t.state, TcpState::SynSent);
    let i = t.segment(1, &seg(5000, 1001, S | A, 0), 100, false);
    assert_eq!((i.rel_seq, i.rel_ack, i.line_seq), (0, 1, None));
    let i = t.segment(0, &seg(1001, 5001, A, 0), 250, false);
    assert_eq!((i.rel_seq, i.rel_ack, i.line_seq), (1, 1, Some((1, 1))));
    assert_eq!(t.state, TcpState::Established);
    assert_eq!(t.rtt_us(), Some(250));
    t.segment(0, &seg(1001, 5001, A | F, 0), 300, false);
    assert_eq!(t.state, TcpState::FinWait);
    t.segment(1, &seg(5001, 1002, A | F, 0), 400, false);
    assert_eq!(t.state, TcpState::ClosedByFin);
}

#[test]
fn a_midstream_flow_starts_its_relative_numbers_at_one() {
    let mut t = TcpFlow::default();
    let i = t.segment(0, &seg(777, 999, A, 10), 0, true);
    assert_eq!((i.rel_seq, i.rel_ack), (1, 1));
    assert_eq!(t.state, TcpState::Midstream);
    assert!(t.rtt_us().is_none());
}

#[test]
fn a_segment_sent_again_later_counts_as_a_retransmission() {
    let mut t = TcpFlow::default();
    t.segment(0, &seg(100, 1, A, 50), 0, true);
    t.segment(0, &seg(150, 1, A, 50), 10, false);
    t.segment(0, &seg(100, 1, A, 50), 200_000, false);
    assert_eq!((t.retransmissions, t.out_of_order), (1, 0));
}

fn win(seq: u32, ack: u32, flags: u16, len: u32, window: u16) -> TcpSegment {
    TcpSegment {
        window,
        ..seg(seq, ack, flags, len)
    }
}

const P: u16 = 0x08;
const MS: u32 = 1_000;

/// Four segments of 100 bytes from 0 (seq 1000..1400) at 0..3 ms.
fn four_segments(t: &mut TcpFlow) {
    for i in 0..4 {
        t.segment(0, &seg(1000 + 100 * i, 5000, P | A, 100), i * MS, i == 0);
    }
}

#[test]
fn a_segment_soon_after_a_later_one_is_out_of_order() {
    let mut t = TcpFlow::default();
    t.segment(0, &seg(1000, 5000, P | A, 100), 0, true);
    t.segment(0, &seg(1200, 5000, P | A, 100), MS, false);
    // Within 3 ms of the segment that set the highest sequence number.
    t.segment(0, &seg(1100, 5000, P | A, 100), 2 * MS, false);
    assert_eq!((t.retransmissions, t.out_of_order), (0, 1));
    // The same again 100 ms later is a retransmission.
    t.segment(0, &seg(1100, 5000, P | A, 100), 100 * MS, false);
    assert_eq!((t.retransmissions, t.out_of_order), (1, 1));
}

#[test]
fn the_out_of_order_threshold_is_the_initial_rtt_once_known() {
    let mut t = TcpFlow::default();
    t.segment(0, &seg(999, 0, S, 0), 0, true);
    t.segment(1, &seg(4999, 1000, S | A, 0), 40 * MS, false);
    t.segment(0, &seg(1000, 5000, A, 0), 50 * MS, false);
    assert_eq!(t.rtt_us(), Some(50 * MS));
    t.segment(0, &seg(1000, 5000, P | A, 100), 60 * MS, false);
    t.segment(0, &seg(1200, 5000, P | A, 100), 61 * MS, false);
    // 30 ms after: beyond 3 ms but within the 50 ms initial RTT.
    t.segment(0, &seg(1100, 5000, P | A, 100), 91 * MS, false);
    assert_eq!((t.retransmissions, t.out_of_order), (0, 1));
}

#[test]
fn the_initial_rtt_runs_from_the_latest_syn_and_a_zero_one_is_measured_again() {
    let mut t = TcpFlow::default();
    t.segment(0, &seg(999, 0, S, 0), 0, true);
    t.segment(0, &seg(999, 0, S, 0), 1_000 * MS, false);
    assert_eq!(t.retransmissions, 1);
    t.segment(1, &seg(4999, 1000, S | A, 0), 1_000 * MS, false);
    // An ACK with the SYN's own time gives 0: Wireshark's "unknown".
    t.segment(0, &seg(1000, 5000, A, 0), 1_000 * MS, false);
    assert_eq!(t.rtt_us(), None);
    t.segment(1, &seg(5000, 1000, A, 0), 1_007 * MS, false);
    assert_eq!(t.rtt_us(), Some(7 * MS));
    // A SYN-ACK first: no SYN, no initial RTT.
    let mut t = TcpFlow::default();
    t.segment(1, &seg(4999, 1000, S | A, 0), 0, true);
    t.segment(0, &seg(1000, 5000, A, 0), 5 * MS, false);
    assert_eq!(t.rtt_us(), None);
}

#[test]
fn a_fast_retransmission_after_three_duplicate_acks_is_a_retransmission() {
    let mut t = TcpFlow::default();
    four_segments(&mut t);
    // The receiver lost seq 1100: an ACK for it, then three duplicates.
    for i in 0..4 {
        t.segment(1, &seg(5000, 1100, A, 0), 5 * MS + i * 100, false);
    }
    // 2.5 ms after the highest segment: out-of-order by time alone, but
    // the duplicate ACKs ask for exactly this segment.
    t.segment(0, &seg(1100, 5000, P | A, 100), 5_500, false);
    assert_eq!((t.retransmissions, t.out_of_order), (1, 0));
}

#[test]
fn acks_that_change_the_window_are_not_duplicates() {
    let mut t = TcpFlow::default();
    four_segments(&mut t);
    for (i, w) in [900, 800, 700, 600].into_iter().enumerate() {
        let at = 5 * MS + i as u32 * 100;
        t.segment(1, &win(5000, 1100, A, 0, w), at, false);
    }
    t.segment(0, &seg(1100, 5000, P | A, 100), 5_500, false);
    assert_eq!((t.retransmissions, t.out_of_order), (0, 1));
}

#[test]
fn data_the_other_side_already_acknowledged_is_a_spurious_retransmission() {
    let mut t = TcpFlow::default();
    t.segment(0, &seg(1000, 5000, P | A, 100), 0, true);
    t.segment(0, &seg(1100, 5000, P | A, 100), MS, false);
    t.segment(1, &seg(5000, 1200, A, 0), 1_500, false);
    // Within 3 ms, but acknowledged: spurious comes first.
    t.segment(0, &seg(1000, 5000, P | A, 100), 2 * MS, false);
    assert_eq!((t.retransmissions, t.out_of_order), (1, 0));
    // Even data beyond the highest sequence seen, when it is acknowledged
    // (the capture missed it the first time).
    let mut t = TcpFlow::default();
    t.segment(0, &seg(1000, 5000, P | A, 100), 0, true);
    t.segment(1, &seg(5000, 1300, A, 0), 10 * MS, false);
    t.segment(0, &seg(1100, 5000, P | A, 100), 20 * MS, false);
    assert_eq!((t.retransmissions, t.out_of_order), (1, 0));
}

#[test]
fn keep_alives_are_not_retransmissions() {
    let mut t = TcpFlow::default();
    t.segment(0, &seg(1000, 5000, P | A, 100), 0, true);
    t.segment(1, &seg(5000, 1100, A, 0), 10 * MS, false);
    // One before the next sequence number, with no byte or one byte.
    t.segment(0, &seg(1099, 5000, A, 0), 10_000 * MS, false);
    t.segment(1, &seg(5000, 1100, A, 0), 10_001 * MS, false);
    t.segment(0, &seg(1099, 5000, A, 1), 20_000 * MS, false);
    assert_eq!((t.retransmissions, t.out_of_order), (0, 0));
    // More than one byte from there is new data, not a retransmission.
    t.segment(0, &seg(1099, 5000, P | A, 50), 30_000 * MS, false);
    assert_eq!((t.retransmissions, t.out_of_order), (0, 0));
}

#[test]
fn zero_window_probes_do_not_move_the_next_sequence_number() {
    let mut t = TcpFlow::default();
    t.segment(0, &seg(1000, 5000, P | A, 100), 0, true);
    t.segment(1, &win(5000, 1100, A, 0, 0), 10 * MS, false);
    t.segment(0, &seg(1100, 5000, A, 1), 500 * MS, false);
    t.segment(0, &seg(1100, 5000, A, 1), 1_000 * MS, false);
    t.segment(1, &seg(5000, 1100, A, 0), 1_010 * MS, false);
    t.segment(0, &seg(1100, 5000, P | A, 100), 1_020 * MS, false);
    assert_eq!((t.retransmissions, t.out_of_order), (0, 0));
}

#[test]
fn a_fin_sent_again_at_once_is_a_retransmission() {
    let mut t = TcpFlow::default();
    t.segment(0, &seg(1000, 5000, P | A, 10), 0, true);
    t.segment(0, &seg(1010, 5000, F | A, 0), 10 * MS, false);
    t.segment(0, &seg(1010, 5000, F | A, 0), 11 * MS, false);
    assert_eq!((t.retransmissions, t.out_of_order), (1, 0));
}

#[test]
fn a_syn_with_a_new_sequence_number_opens_a_new_connection() {
    let mut t = TcpFlow::default();
    t.segment(0, &seg(100, 0, S, 0), 0, true);
    assert!(!t.is_new_connection(0, &seg(100, 0, S, 0)));
    assert!(t.is_new_connection(0, &seg(900, 0, S, 0)));
}
