//! Zeek's documented meanings (`base/protocols/conn/main.zeek`): the
//! classic histories and states of a handshake, a rejected or unanswered
//! attempt, a flipped start and UDP exchanges.

use super::*;
use crate::flow::{Echo, FlowKey, ICMP};
use std::net::{IpAddr, Ipv4Addr};

const CLIENT: (IpAddr, u16) = (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)), 40000);
const SERVER: (IpAddr, u16) = (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 80);

const S: u16 = TcpSegment::SYN;
const A: u16 = TcpSegment::ACK;
const F: u16 = TcpSegment::FIN;
const R: u16 = TcpSegment::RST;

fn packet(proto: u8, from_client: bool, tcp: Option<TcpSegment>) -> Packet {
    let (src, dst) = if from_client {
        (CLIENT, SERVER)
    } else {
        (SERVER, CLIENT)
    };
    let (key, forward) = FlowKey::new(proto, src, dst);
    Packet {
        key,
        forward,
        src_port: src.1,
        dst_port: dst.1,
        counted: true,
        tcp,
        echo: None,
        hash_hi: 0,
    }
}

/// Feed TCP segments: (from the client?, seq, ack, flags, payload length).
fn tcp(segments: &[(bool, u32, u32, u16, u32)]) -> ConnSummary {
    let mut log = ConnLog::default();
    for &(from_client, seq, ack, flags, len) in segments {
        let seg = TcpSegment {
            seq,
            ack,
            flags,
            len,
            captured: len,
            window: 512,
            analysed: true,
        };
        let p = packet(TCP, from_client, Some(seg));
        log.packet(&p, 40 + u64::from(len), u64::from(len));
    }
    log.summary()
}

#[test]
fn a_whole_connection_is_sf_with_the_classic_history_and_sequence_space_bytes() {
    let s = tcp(&[
        (true, 1000, 0, S, 0),
        (false, 5000, 1001, S | A, 0),
        (true, 1001, 5001, A, 0),
        (true, 1001, 5001, A, 100),
        (false, 5001, 1101, A, 0),
        (false, 5001, 1101, A, 50),
        (true, 1101, 5051, A, 0),
        (true, 1101, 5051, F | A, 0),
        (false, 5051, 1102, F | A, 0),
        (true, 1102, 5052, A, 0),
    ]);
    assert_eq!(s.history, "ShADadFf");
    assert_eq!(s.conn_state, "SF");
    assert_eq!((s.orig_bytes, s.resp_bytes), (100, 50));
    assert_eq!(
        (s.orig_ip_bytes, s.resp_ip_bytes),
        (6 * 40 + 100, 4 * 40 + 50)
    );
    // The client (10.0.0.9) sorts above the server: not the lower end.
    assert!(!s.orig_is_lo);
}

#[test]
fn an_established_connection_not_closed_is_s1() {
    let s = tcp(&[
        (true, 1, 0, S, 0),
        (false, 9, 2, S | A, 0),
        (true, 2, 10, A, 0),
    ]);
    assert_eq!((s.history.as_str(), s.conn_state), ("ShA", "S1"));
}

#[test]
fn an_unanswered_syn_is_s0_and_a_refused_one_rej() {
    let s = tcp(&[(true, 1, 0, S, 0)]);
    assert_eq!((s.history.as_str(), s.conn_state), ("S", "S0"));
    let s = tcp(&[(true, 1, 0, S, 0), (false, 0, 2, R | A, 0)]);
    assert_eq!((s.history.as_str(), s.conn_state), ("Sr", "REJ"));
    // A second SYN with the same sequence number adds no letter; the
    // originator's RST after its SYN, unanswered, is RSTOS0.
    let s = tcp(&[(true, 1, 0, S, 0), (true, 1, 0, S, 0), (true, 2, 0, R, 0)]);
    assert_eq!((s.history.as_str(), s.conn_state), ("SR", "RSTOS0"));
}

#[test]
fn resets_after_the_handshake_are_rsto_and_rstr() {
    let open = [
        (true, 1, 0, S, 0),
        (false, 9, 2, S | A, 0),
        (true, 2, 10, A, 0),
    ];
    let mut by_orig = open.to_vec();
    by_orig.push((true, 2, 10, R | A, 0));
    let s = tcp(&by_orig);
    assert_eq!((s.history.as_str(), s.conn_state), ("ShAR", "RSTO"));
    let mut by_resp = open.to_vec();
    by_resp.push((false, 10, 2, R | A, 0));
    let s = tcp(&by_resp);
    assert_eq!((s.history.as_str(), s.conn_state), ("ShAr", "RSTR"));
}

#[test]
fn a_close_by_one_side_only_is_s2_or_s3_and_midstream_traffic_oth() {
    let open = [
        (true, 1, 0, S, 0),
        (false, 9, 2, S | A, 0),
        (true, 2, 10, A, 0),
    ];
    let mut s2 = open.to_vec();
    s2.push((true, 2, 10, F | A, 0));
    assert_eq!(tcp(&s2).conn_state, "S2");
    let mut s3 = open.to_vec();
    s3.push((false, 10, 2, F | A, 0));
    assert_eq!(tcp(&s3).conn_state, "S3");
    let s = tcp(&[(true, 500, 700, A, 10), (false, 700, 510, A, 20)]);
    assert_eq!((s.history.as_str(), s.conn_state), ("Dd", "OTH"));
    // Payload bytes of a partial connection count from its first segment.
    assert_eq!((s.orig_bytes, s.resp_bytes), (10, 20));
}

#[test]
fn a_syn_ack_seen_first_flips_the_roles() {
    let s = tcp(&[(false, 9, 2, S | A, 0), (true, 2, 10, A, 0)]);
    assert!(s.history.starts_with("^h"), "{}", s.history);
    // The receiver of the SYN-ACK (the client) is the originator.
    assert!(!s.orig_is_lo);
}

#[test]
fn a_retransmitted_segment_adds_t_once_then_again_at_ten() {
    let mut segs = vec![
        (true, 1, 0, S, 0),
        (false, 9, 2, S | A, 0),
        (true, 2, 10, A, 100),
    ];
    segs.push((true, 2, 10, A, 100));
    assert_eq!(tcp(&segs).history, "ShDT");
    for _ in 0..9 {
        segs.push((true, 2, 10, A, 100));
    }
    assert_eq!(tcp(&segs).history, "ShDTT");
}

#[test]
fn udp_states_follow_which_sides_spoke() {
    let mut log = ConnLog::default();
    log.packet(&packet(UDP, true, None), 60, 32);
    let one_way = log.summary();
    assert_eq!((one_way.history.as_str(), one_way.conn_state), ("D", "S0"));
    log.packet(&packet(UDP, false, None), 80, 52);
    let both = log.summary();
    assert_eq!((both.history.as_str(), both.conn_state), ("Dd", "SF"));
    assert_eq!((both.orig_bytes, both.resp_bytes), (32, 52));
    assert_eq!((both.orig_ip_bytes, both.resp_ip_bytes), (60, 80));
}

#[test]
fn icmp_echo_is_oth_with_the_requester_as_originator() {
    let mut log = ConnLog::default();
    let mut reply = packet(ICMP, false, None);
    reply.echo = Some(Echo {
        request: false,
        id: 1,
        seq: 1,
    });
    log.packet(&reply, 84, 56);
    let s = log.summary();
    assert_eq!((s.conn_state, s.history.as_str()), ("OTH", ""));
    assert!(
        !s.orig_is_lo,
        "the request's sender (the client) originates"
    );
    assert_eq!((s.orig_bytes, s.resp_bytes), (0, 56));
}
