//! Regression tests for the echo server's limits, found by probing it as an
//! attacker: idle connections locking everybody out, a trickling client
//! holding its slot past the idle timeout, one peer taking every slot.
//! Loopback only (127.0.0.1 and ::1); every loop bounded in count and time.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use wirepeek::echo::{
    ClientConfig, Payload, ServerConfig, ServerHandle, ServerLog, run_client, start_server,
};

fn addr(text: &str) -> SocketAddr {
    text.parse().expect("test address literal")
}

fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(10));
    }
}

fn server(cfg: ServerConfig) -> (ServerHandle, SocketAddr) {
    let handle = start_server(ServerConfig {
        log: ServerLog::Silent,
        ..cfg
    })
    .expect("server starts on loopback");
    let target = handle.tcp_addr().expect("server serves tcp");
    (handle, target)
}

/// One echo of a short line within `limit`, timed.
fn echo_within(target: SocketAddr, limit: Duration) -> Duration {
    let mut cfg = ClientConfig::new(target.ip().to_string(), target.port());
    cfg.payload = Payload::Text(b"still here?\n".to_vec());
    cfg.timeout = limit;
    cfg.quiet = true;
    let started = Instant::now();
    let report = run_client(cfg, &mut Vec::new()).expect("the new client is served");
    assert_eq!((report.received, report.lost), (1, 0), "{report}");
    started.elapsed()
}

/// Reads until end of stream or `limit`; true if the server closed.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    let mut buffer = [0u8; 256];
    for _ in 0..10_000 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        stream
            .set_read_timeout(Some(left))
            .expect("set read timeout");
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return false;
            }
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn idle_holders_do_not_lock_out_new_clients() {
    const HOLDERS: usize = 64;
    let (server, target) = server(ServerConfig {
        listen: addr("127.0.0.1:0"),
        max_clients: HOLDERS,
        max_per_peer: 4 * HOLDERS,
        evict_idle_after: Duration::from_millis(200),
        ..ServerConfig::default()
    });
    let mut holders: Vec<TcpStream> = (0..HOLDERS)
        .map(|_| TcpStream::connect(target).expect("connect a holder"))
        .collect();
    wait_until(
        "every holder to be accepted",
        Duration::from_secs(5),
        || server.stats().active == HOLDERS as u64,
    );
    // Before the fix, the server was now full until the idle timeout (300 s).
    thread::sleep(Duration::from_millis(300));
    let took = echo_within(target, Duration::from_secs(2));
    assert!(took < Duration::from_secs(1), "the echo took {took:?}");
    let stats = server.stats();
    assert_eq!((stats.evicted, stats.refused), (1, 0), "{stats:?}");
    // Exactly one holder, one of the idlest, was closed to make room.
    let closed = holders
        .iter_mut()
        .filter_map(|holder| {
            holder.set_nonblocking(true).expect("nonblocking");
            let mut byte = [0u8; 1];
            match holder.read(&mut byte) {
                Ok(0) => Some(()),
                _ => None,
            }
        })
        .count();
    assert_eq!(closed, 1);
}

#[test]
fn a_full_server_refuses_rather_than_evict_a_connection_that_just_arrived() {
    let (server, target) = server(ServerConfig {
        listen: addr("127.0.0.1:0"),
        max_clients: 2,
        evict_idle_after: Duration::from_secs(30),
        ..ServerConfig::default()
    });
    let _holders: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(target).expect("connect"))
        .collect();
    wait_until("both accepted", Duration::from_secs(5), || {
        server.stats().active == 2
    });
    let mut late = TcpStream::connect(target).expect("the kernel completes the handshake");
    assert!(closed_within(&mut late, Duration::from_secs(5)));
    let stats = server.stats();
    assert_eq!((stats.refused, stats.evicted), (1, 0), "{stats:?}");
}

#[test]
fn one_peer_beyond_max_per_peer_is_refused_while_other_peers_are_served() {
    // Two listeners, so 127.0.0.1 and ::1 are two different peers.
    let (server, target) = server(ServerConfig {
        listen: addr("127.0.0.1:0"),
        also_listen: vec![addr("[::1]:0")],
        max_per_peer: 3,
        ..ServerConfig::default()
    });
    let v6 = server.tcp_addrs()[1];
    assert_eq!(v6, SocketAddr::new(addr("[::1]:0").ip(), target.port()));
    let _held: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(target).expect("connect"))
        .collect();
    wait_until("three accepted", Duration::from_secs(5), || {
        server.stats().active == 3
    });
    let mut fourth = TcpStream::connect(target).expect("handshake");
    assert!(closed_within(&mut fourth, Duration::from_secs(5)));
    assert_eq!(server.stats().refused_per_peer, 1);
    echo_within(v6, Duration::from_secs(2));
    assert_eq!(server.stats().refused, 1);
}

#[test]
fn trickling_client_is_cut_at_its_idle_budget() {
    let budget = Duration::from_millis(1000);
    let (server, target) = server(ServerConfig {
        listen: addr("127.0.0.1:0"),
        idle_timeout: Some(budget),
        ..ServerConfig::default()
    });
    let mut stream = TcpStream::connect(target).expect("connect");
    let started = Instant::now();
    let mut echoed = 0;
    let mut cut_at = None;
    // One byte every 250 ms, never a newline: each read succeeds, which is
    // what used to reset the per-read timeout forever.
    for _ in 0..40 {
        if stream.write_all(b"a").is_err() {
            cut_at = Some(started.elapsed());
            break;
        }
        if closed_within(&mut stream, Duration::from_millis(250)) {
            cut_at = Some(started.elapsed());
            break;
        }
        echoed += 1;
    }
    let cut_at = cut_at.expect("the trickling client was never cut");
    assert!(
        cut_at >= budget - Duration::from_millis(100) && cut_at < budget * 2,
        "cut after {cut_at:?} with a budget of {budget:?}"
    );
    assert!(echoed >= 2, "its bytes were echoed until then ({echoed})");
    assert_eq!(server.stats().idle_timeouts, 1);
}

#[test]
fn a_client_completing_lines_keeps_its_idle_budget() {
    let (server, target) = server(ServerConfig {
        listen: addr("127.0.0.1:0"),
        idle_timeout: Some(Duration::from_millis(1000)),
        ..ServerConfig::default()
    });
    let mut stream = TcpStream::connect(target).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("set read timeout");
    let started = Instant::now();
    let mut echo = [0u8; 3];
    // 2.5 s of one line every 300 ms: well past the 1 s budget in total.
    while started.elapsed() < Duration::from_millis(2500) {
        stream.write_all(b"hi\n").expect("the server still reads");
        stream.read_exact(&mut echo).expect("the line is echoed");
        assert_eq!(&echo, b"hi\n");
        thread::sleep(Duration::from_millis(300));
    }
    assert_eq!(server.stats().idle_timeouts, 0);
}
