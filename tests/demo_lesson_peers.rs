//! The demo's lesson client and server on loopback without a capture (no
//! root needed): the calls each side records come in the lecture's order,
//! their byte counts add up to what was sent, and the addresses the kernel
//! reported at both ends agree. Bad configurations are refused, not run.

use std::net::SocketAddr;
use std::time::Duration;

use wirepeek::echo::{
    Call, CallKind, CallLog, LessonConfig, LessonKind, Peer, run_lesson_client, start_lesson_server,
};

fn config(udp: bool, kind: LessonKind) -> LessonConfig {
    LessonConfig {
        server: "127.0.0.1:0".parse().expect("literal"),
        udp,
        kind,
        client_maxseg: None,
        server_rcvbuf: None,
        interval: Duration::ZERO,
        timeout: Duration::from_secs(5),
    }
}

fn run(cfg: &LessonConfig) -> Vec<Call> {
    let log = CallLog::default();
    let server = start_lesson_server(cfg, &log).expect("server starts");
    run_lesson_client(cfg, server.addr(), &log).expect("client runs");
    server.join().expect("server ends cleanly");
    let (calls, dropped) = log.snapshot();
    assert_eq!(dropped, 0);
    calls
}

fn of(calls: &[Call], peer: Peer) -> Vec<&Call> {
    calls.iter().filter(|c| c.peer == peer).collect()
}

fn kinds(calls: &[&Call]) -> Vec<&'static str> {
    calls.iter().map(|c| c.kind.name()).collect()
}

fn total(calls: &[&Call], kind: CallKind) -> usize {
    calls
        .iter()
        .filter(|c| c.kind == kind)
        .filter_map(|c| c.result)
        .sum()
}

#[test]
fn tcp_echo_calls_come_in_the_lectures_order_with_their_byte_counts() {
    let message = b"hello there\n".to_vec();
    let calls = run(&config(false, LessonKind::Echo(vec![message; 3])));
    let client = of(&calls, Peer::Client);
    let server = of(&calls, Peer::Server);
    assert_eq!(
        kinds(&client),
        [
            "socket", "connect", "write", "read", "write", "read", "write", "read", "shutdown",
            "read", "close"
        ]
    );
    assert_eq!(
        kinds(&server),
        [
            "socket", "bind", "listen", "accept", "read", "write", "read", "write", "read",
            "write", "read", "close"
        ]
    );
    assert_eq!(total(&client, CallKind::Write), 36);
    assert_eq!(total(&client, CallKind::Read), 36);
    assert_eq!(total(&server, CallKind::Read), 36);
    assert_eq!(total(&server, CallKind::Write), 36);
    // The kernel's view from both ends: connect()'s local address is the
    // peer accept() got; bind()'s is where connect() went.
    let connected: SocketAddr = client[1].addr.expect("connect records its local address");
    assert_eq!(server[3].addr, Some(connected));
    assert!(
        server[1].addr.is_some_and(|a| a.port() != 0),
        "bind got a port"
    );
    for call in &calls {
        assert!(call.returned >= call.entered, "{call:?}");
        assert!(call.error.is_none(), "{call:?}");
    }
    // The last read of each side is the end of the stream.
    let last_read = |calls: &[&Call]| {
        calls
            .iter()
            .rev()
            .find(|c| c.kind == CallKind::Read)
            .and_then(|c| c.result)
    };
    assert_eq!(last_read(&client), Some(0));
    assert_eq!(last_read(&server), Some(0));
}

#[test]
fn a_large_message_is_one_write_and_every_byte_is_read_back() {
    let message: Vec<u8> = (0..300_000u32).map(|i| i as u8).collect();
    let mut cfg = config(false, LessonKind::Echo(vec![message]));
    cfg.client_maxseg = Some(16_384);
    cfg.server_rcvbuf = Some(32_768);
    let calls = run(&cfg);
    let client = of(&calls, Peer::Client);
    let server = of(&calls, Peer::Server);
    assert_eq!(total(&client, CallKind::Write), 300_000);
    assert_eq!(total(&server, CallKind::Read), 300_000);
    assert_eq!(total(&server, CallKind::Write), 300_000);
    assert_eq!(total(&client, CallKind::Read), 300_000);
    // A read() offers at most 64 KiB, so 300,000 bytes take several.
    let reads = server
        .iter()
        .filter(|c| c.kind == CallKind::Read && c.result > Some(0))
        .count();
    assert!(reads >= 5, "{reads} reads");
}

#[test]
fn udp_recvfrom_returns_each_datagram_whole() {
    let messages = vec![b"one".to_vec(), b"second one".to_vec(), vec![7u8; 1000]];
    let calls = run(&config(true, LessonKind::Echo(messages)));
    let server = of(&calls, Peer::Server);
    let got: Vec<usize> = server
        .iter()
        .filter(|c| c.kind == CallKind::RecvFrom)
        .filter_map(|c| c.result)
        .collect();
    assert_eq!(got, [3, 10, 1000]);
    assert_eq!(
        kinds(&of(&calls, Peer::Client)),
        [
            "socket", "sendto", "recvfrom", "sendto", "recvfrom", "sendto", "recvfrom", "close"
        ]
    );
}

#[test]
fn the_http_lesson_fetches_the_fixed_page() {
    let calls = run(&config(false, LessonKind::Http));
    let client = of(&calls, Peer::Client);
    let written = total(&client, CallKind::Write);
    assert_eq!(written, wirepeek::echo::HTTP_REQUEST.len());
    assert_eq!(
        total(&client, CallKind::Read),
        wirepeek::echo::http_response().len()
    );
    assert!(wirepeek::echo::HTTP_REQUEST.starts_with(b"GET /index.html HTTP/1.0\r\n"));
}

#[test]
fn lesson_configurations_that_cannot_be_meant_are_refused() {
    let log = CallLog::default();
    let mut away = config(false, LessonKind::Echo(vec![b"x".to_vec()]));
    away.server = "0.0.0.0:0".parse().expect("literal");
    assert!(start_lesson_server(&away, &log).is_err(), "loopback only");
    let empty = config(false, LessonKind::Echo(vec![Vec::new()]));
    assert!(start_lesson_server(&empty, &log).is_err());
    let big = config(true, LessonKind::Echo(vec![vec![0; 65_508]]));
    assert!(start_lesson_server(&big, &log).is_err());
    let http_udp = config(true, LessonKind::Http);
    assert!(start_lesson_server(&http_udp, &log).is_err());
    let (calls, _) = log.snapshot();
    assert!(calls.is_empty(), "refused before any socket: {calls:?}");
}
