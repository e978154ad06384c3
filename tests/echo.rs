//! Integration tests of the echo server and client over real loopback
//! sockets (127.0.0.1 and ::1 only), through the library API and the binary.
//! Every loop is bounded in count and time.

mod common;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard};
use std::thread;
use std::time::{Duration, Instant};

use wirepeek::echo::{
    ClientConfig, ClientProtocol, Payload, ServerConfig, ServerHandle, ServerLog, ServerProtocols,
    XorShift64, abort_on_close, normalize_addr, run_client, run_interactive, start_server,
};

/// The memory test measures the whole process, so it runs alone (write
/// lock) while the other tests share (read lock).
static PROCESS_WIDE: RwLock<()> = RwLock::new(());

fn shared_slot() -> RwLockReadGuard<'static, ()> {
    PROCESS_WIDE.read().unwrap_or_else(PoisonError::into_inner)
}

fn addr(text: &str) -> SocketAddr {
    text.parse().expect("test address literal")
}

fn quiet_server(listen: &str) -> ServerHandle {
    start_server(ServerConfig {
        listen: addr(listen),
        log: ServerLog::Silent,
        ..ServerConfig::default()
    })
    .expect("server starts on loopback")
}

fn tcp_addr(server: &ServerHandle) -> SocketAddr {
    server.tcp_addr().expect("server serves tcp")
}

fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(10));
    }
}

/// A batch client for `target` that must come back clean.
fn batch(target: SocketAddr, count: u64, size: usize) -> ClientConfig {
    let mut cfg = ClientConfig::new(target.ip().to_string(), target.port());
    cfg.count = count;
    cfg.payload = Payload::Pattern(size);
    cfg.quiet = true;
    cfg
}

fn assert_well_behaved_client_is_served(target: SocketAddr) {
    let report = run_client(batch(target, 20, 1000), &mut Vec::new()).expect("client runs");
    assert_eq!(
        (report.received, report.lost, report.mismatched),
        (20, 0, 0),
        "{report}"
    );
}

/// 200 clients each pipeline 200 messages of random size up to 64 KiB from
/// a writer thread while a reader thread checks every echoed byte in order.
fn hammer_with_concurrent_clients(target: SocketAddr) {
    const CLIENTS: u64 = 200;
    const MESSAGES: usize = 200;
    const MAX_SIZE: usize = 64 * 1024;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let stream = TcpStream::connect(target).expect("connect to loopback server");
                    stream
                        .set_read_timeout(Some(Duration::from_secs(30)))
                        .expect("set read timeout");
                    stream
                        .set_write_timeout(Some(Duration::from_secs(30)))
                        .expect("set write timeout");
                    // Writer and reader derive the same sizes and bytes from the seed.
                    let mut source = vec![0u8; 2 * MAX_SIZE];
                    XorShift64::new(client + 1).fill(&mut source);
                    let source = Arc::new(source);
                    let plan = move || {
                        let mut rng = XorShift64::new(client * 7919 + 13);
                        (0..MESSAGES).map(move |_| {
                            let size = 1 + (rng.next_u64() as usize % MAX_SIZE);
                            let offset = rng.next_u64() as usize % MAX_SIZE;
                            (offset, size)
                        })
                    };
                    let mut writer = stream.try_clone().expect("clone stream for writer");
                    let writer_source = Arc::clone(&source);
                    let writer = thread::Builder::new()
                        .stack_size(128 * 1024)
                        .spawn(move || {
                            for (offset, size) in plan() {
                                writer
                                    .write_all(&writer_source[offset..offset + size])
                                    .expect("write message");
                            }
                            writer.shutdown(Shutdown::Write).expect("half-close");
                        })
                        .expect("spawn writer");
                    let mut reader = &stream;
                    let mut echo = vec![0u8; MAX_SIZE];
                    for (index, (offset, size)) in plan().enumerate() {
                        reader.read_exact(&mut echo[..size]).expect("read echo");
                        assert!(
                            echo[..size] == source[offset..offset + size],
                            "client {client} message {index}: echo differs"
                        );
                    }
                    let mut rest = Vec::new();
                    reader.read_to_end(&mut rest).expect("read to server close");
                    assert!(rest.is_empty(), "client {client}: server sent extra bytes");
                    writer.join().expect("writer thread");
                })
                .expect("spawn client")
        })
        .collect();
    for client in clients {
        client.join().expect("client thread succeeded");
    }
}

#[test]
fn two_hundred_tcp_clients_get_every_byte_back_in_order_over_ipv4() {
    let _slot = shared_slot();
    let server = quiet_server("127.0.0.1:0");
    hammer_with_concurrent_clients(tcp_addr(&server));
    let stats = server.stats();
    assert_eq!(stats.accepted, 200);
    assert_eq!(stats.errors, 0);
}

#[test]
fn two_hundred_tcp_clients_get_every_byte_back_in_order_over_ipv6() {
    let _slot = shared_slot();
    let server = quiet_server("[::1]:0");
    hammer_with_concurrent_clients(tcp_addr(&server));
    assert_eq!(server.stats().accepted, 200);
}

#[test]
fn ten_thousand_udp_datagrams_are_all_echoed_on_loopback() {
    let _slot = shared_slot();
    let server = start_server(ServerConfig {
        listen: addr("127.0.0.1:0"),
        protocols: ServerProtocols::Udp,
        log: ServerLog::Silent,
        ..ServerConfig::default()
    })
    .expect("udp server starts");
    let target = server.udp_addr().expect("server serves udp");
    let mut cfg = batch(target, 10_000, 512);
    cfg.protocol = ClientProtocol::Udp;
    cfg.udp_window = 32;
    cfg.timeout = Duration::from_secs(10);
    let report = run_client(cfg, &mut Vec::new()).expect("udp batch runs");
    assert_eq!(report.sent, 10_000);
    assert_eq!(
        (report.received, report.lost, report.mismatched),
        (10_000, 0, 0),
        "{report}"
    );
    assert_eq!(server.stats().udp_datagrams, 10_000);
}

#[test]
fn udp_and_tcp_share_one_port_with_both_and_work_over_ipv6() {
    let _slot = shared_slot();
    let server = start_server(ServerConfig {
        listen: addr("[::1]:0"),
        protocols: ServerProtocols::Both,
        log: ServerLog::Silent,
        ..ServerConfig::default()
    })
    .expect("server starts");
    let target = tcp_addr(&server);
    assert_eq!(server.udp_addr(), Some(target));
    let mut cfg = batch(target, 100, 3);
    cfg.protocol = ClientProtocol::Udp;
    let report = run_client(cfg, &mut Vec::new()).expect("udp batch runs");
    assert_eq!((report.received, report.mismatched), (100, 0), "{report}");
    assert_well_behaved_client_is_served(target);
}

fn memory_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} missing from /proc/self/status"))
}

#[test]
fn a_hundred_megabytes_without_a_newline_are_echoed_in_bounded_memory() {
    const TOTAL: usize = 100 * 1024 * 1024;
    const BLOCK: usize = 64 * 1024;
    let _alone = PROCESS_WIDE.write().unwrap_or_else(PoisonError::into_inner);
    let server = quiet_server("127.0.0.1:0");
    let target = tcp_addr(&server);
    assert_well_behaved_client_is_served(target);
    let rss_before = memory_kib("VmRSS:");
    // Writing 5 resets the peak (VmHWM) to the current RSS, so the peak below
    // is this test's; if the kernel refuses, the lifetime peak is an upper bound.
    let _ = std::fs::write("/proc/self/clear_refs", "5");

    let mut block = vec![0u8; BLOCK];
    XorShift64::new(42).fill(&mut block);
    block
        .iter_mut()
        .filter(|b| **b == b'\n')
        .for_each(|b| *b = b'x');
    let block = Arc::new(block);
    let stream = TcpStream::connect(target).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("set read timeout");
    let mut writer = stream.try_clone().expect("clone for writer");
    let writer_block = Arc::clone(&block);
    let writer = thread::spawn(move || {
        for _ in 0..TOTAL / BLOCK {
            writer.write_all(&writer_block).expect("stream 100 MB");
        }
        writer.shutdown(Shutdown::Write).expect("half-close");
    });
    let mut reader = &stream;
    let mut chunk = vec![0u8; BLOCK];
    let mut received = 0usize;
    let mut well_behaved_checked = false;
    loop {
        let n = reader.read(&mut chunk).expect("read echo");
        if n == 0 {
            break;
        }
        for (i, byte) in chunk[..n].iter().enumerate() {
            if *byte != block[(received + i) % BLOCK] {
                panic!("echo differs at byte {}", received + i);
            }
        }
        received += n;
        if !well_behaved_checked && received > TOTAL / 2 {
            assert_well_behaved_client_is_served(target);
            well_behaved_checked = true;
        }
    }
    writer.join().expect("writer thread");
    assert_eq!(received, TOTAL);
    assert!(well_behaved_checked);
    let peak = memory_kib("VmHWM:");
    let growth_kib = peak.saturating_sub(rss_before);
    assert!(
        growth_kib < 24 * 1024,
        "peak RSS grew by {growth_kib} KiB while echoing 100 MB (before {rss_before} KiB, peak {peak} KiB)"
    );
}

#[test]
fn a_client_that_never_reads_is_dropped_without_stalling_others() {
    let _slot = shared_slot();
    let server = start_server(ServerConfig {
        listen: addr("127.0.0.1:0"),
        write_timeout: Duration::from_secs(1),
        log: ServerLog::Silent,
        ..ServerConfig::default()
    })
    .expect("server starts");
    let target = tcp_addr(&server);
    let hog = TcpStream::connect(target).expect("connect");
    hog.set_write_timeout(Some(Duration::from_secs(10)))
        .expect("set write timeout");
    let mut hog_writer = hog.try_clone().expect("clone");
    let hog_thread = thread::spawn(move || {
        let block = vec![b'a'; 64 * 1024];
        // Bounded: stops at the first error (the server dropping us) or 256 MB.
        for _ in 0..4096 {
            if hog_writer.write_all(&block).is_err() {
                return;
            }
        }
    });
    let started = Instant::now();
    while server.stats().write_timeouts == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "hog was never dropped"
        );
        assert_well_behaved_client_is_served(target);
    }
    hog_thread.join().expect("hog thread");
    drop(hog);
    assert_well_behaved_client_is_served(target);
}

#[test]
fn a_client_that_resets_mid_message_does_not_disturb_the_server() {
    let _slot = shared_slot();
    let server = quiet_server("127.0.0.1:0");
    let target = tcp_addr(&server);
    for _ in 0..5 {
        let mut rude = TcpStream::connect(target).expect("connect");
        rude.write_all(&[b'z'; 32 * 1024])
            .expect("send half a message");
        abort_on_close(&rude).expect("set SO_LINGER 0");
        drop(rude);
    }
    wait_until(
        "reset connections to be accepted and cleaned up",
        Duration::from_secs(5),
        || {
            let stats = server.stats();
            stats.accepted == 5 && stats.active == 0
        },
    );
    assert_well_behaved_client_is_served(target);
}

#[test]
fn connections_beyond_max_clients_are_refused_and_the_server_keeps_serving() {
    let _slot = shared_slot();
    let log = Arc::new(Mutex::new(Vec::new()));
    let server = start_server(ServerConfig {
        listen: addr("127.0.0.1:0"),
        max_clients: 3,
        log: ServerLog::Memory(Arc::clone(&log)),
        ..ServerConfig::default()
    })
    .expect("server starts");
    let target = tcp_addr(&server);
    let mut idle: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(target).expect("connect"))
        .collect();
    wait_until("three active clients", Duration::from_secs(5), || {
        server.stats().active == 3
    });
    let mut extra = TcpStream::connect(target).expect("the kernel completes the handshake");
    extra
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("set read timeout");
    let mut byte = [0u8; 1];
    match extra.read(&mut byte) {
        Ok(0) | Err(_) => {}
        Ok(_) => panic!("a refused client must not be echoed to"),
    }
    assert_eq!(server.stats().refused, 1);
    let refusal_logged = log
        .lock()
        .expect("log lock")
        .iter()
        .any(|line| line.contains("refused"));
    assert!(refusal_logged);
    drop(idle.pop());
    wait_until("a slot to free up", Duration::from_secs(5), || {
        server.stats().active == 2
    });
    assert_well_behaved_client_is_served(target);
}

#[test]
fn a_half_closing_client_gets_its_whole_echo_before_the_server_closes() {
    let _slot = shared_slot();
    let server = quiet_server("127.0.0.1:0");
    let mut stream = TcpStream::connect(tcp_addr(&server)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set read timeout");
    let mut message = vec![0u8; 48 * 1024];
    XorShift64::new(7).fill(&mut message);
    stream.write_all(&message).expect("send");
    stream.shutdown(Shutdown::Write).expect("half-close");
    let mut echo = Vec::new();
    stream
        .read_to_end(&mut echo)
        .expect("read until the server closes");
    assert!(echo == message, "echo differs after half-close");
}

#[test]
fn an_idle_client_is_disconnected_after_the_idle_timeout() {
    let _slot = shared_slot();
    let server = start_server(ServerConfig {
        listen: addr("127.0.0.1:0"),
        idle_timeout: Some(Duration::from_millis(300)),
        log: ServerLog::Silent,
        ..ServerConfig::default()
    })
    .expect("server starts");
    let mut idle = TcpStream::connect(tcp_addr(&server)).expect("connect");
    idle.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("set read timeout");
    let started = Instant::now();
    let mut byte = [0u8; 1];
    assert_eq!(idle.read(&mut byte).expect("server closes cleanly"), 0);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(server.stats().idle_timeouts, 1);
}

#[test]
fn upper_mode_upper_cases_ascii_letters_only() {
    let _slot = shared_slot();
    let server = start_server(ServerConfig {
        listen: addr("127.0.0.1:0"),
        upper: true,
        log: ServerLog::Silent,
        ..ServerConfig::default()
    })
    .expect("server starts");
    let mut cfg = batch(tcp_addr(&server), 1, 0);
    cfg.payload = Payload::Text("Hello, wörld 42\n".as_bytes().to_vec());
    cfg.print_replies = true;
    let mut out = Vec::new();
    let report = run_client(cfg, &mut out).expect("client runs");
    let printed = String::from_utf8(out).expect("utf-8 output");
    assert!(printed.starts_with("HELLO, WöRLD 42\n"), "{printed}");
    assert_eq!(
        report.mismatched, 1,
        "an upper-cased echo differs from what was sent"
    );
}

#[test]
fn an_ipv4_client_reaches_a_dual_stack_server_and_is_logged_as_plain_ipv4() {
    let _slot = shared_slot();
    let log = Arc::new(Mutex::new(Vec::new()));
    let server = start_server(ServerConfig {
        listen: addr("[::]:0"),
        log: ServerLog::Memory(Arc::clone(&log)),
        ..ServerConfig::default()
    })
    .expect("dual-stack server starts");
    let port = tcp_addr(&server).port();
    let report = run_client(
        batch(addr(&format!("127.0.0.1:{port}")), 5, 100),
        &mut Vec::new(),
    )
    .expect("ipv4 client reaches the [::] listener");
    assert_eq!(report.received, 5);
    server.shutdown();
    let lines = log.lock().expect("log lock").clone();
    let accepted = lines
        .iter()
        .find(|line| line.contains("accepted"))
        .expect("the connection was logged");
    assert!(accepted.starts_with("tcp (127.0.0.1:"), "{accepted}");
    assert!(
        lines.iter().all(|line| !line.contains("::ffff:")),
        "{lines:?}"
    );
    assert_eq!(
        normalize_addr(addr("[::ffff:127.0.0.1]:5000")),
        addr("127.0.0.1:5000")
    );
}

#[test]
fn shutdown_disconnects_clients_and_returns_promptly() {
    let _slot = shared_slot();
    let server = quiet_server("127.0.0.1:0");
    let mut client = TcpStream::connect(tcp_addr(&server)).expect("connect");
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("set read timeout");
    wait_until("the client to be accepted", Duration::from_secs(5), || {
        server.stats().active == 1
    });
    let started = Instant::now();
    server.shutdown();
    assert!(started.elapsed() < Duration::from_secs(1));
    let mut byte = [0u8; 1];
    assert!(matches!(client.read(&mut byte), Ok(0) | Err(_)));
}

#[test]
fn a_silent_server_makes_the_batch_report_the_message_lost() {
    let _slot = shared_slot();
    // Accepts at the kernel level but never reads nor answers.
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind");
    let mut cfg = batch(silent.local_addr().expect("addr"), 3, 10);
    cfg.timeout = Duration::from_millis(200);
    let report = run_client(cfg, &mut Vec::new()).expect("timeouts are reported, not errors");
    assert_eq!((report.received, report.lost), (0, 3));
    assert!(report.verification_error().is_some());
    assert!(
        report.failures[0].contains("no echo"),
        "{:?}",
        report.failures
    );
}

fn wirepeek() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wirepeek"))
}

fn closed_loopback_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[test]
fn client_to_a_closed_port_fails_with_one_line_connection_refused() {
    let _slot = shared_slot();
    let port = closed_loopback_port().to_string();
    let output = wirepeek()
        .args(["echo", "client", "127.0.0.1", &port, "-m", "hi"])
        .output()
        .expect("run wirepeek");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("connection refused"), "{stderr}");
}

#[test]
fn client_to_an_unknown_host_fails_with_a_clear_error() {
    let _slot = shared_slot();
    let output = wirepeek()
        .args(["echo", "client", "no-such-host.invalid", "7", "-m", "hi"])
        .output()
        .expect("run wirepeek");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("host not found"), "{stderr}");
    assert!(stderr.contains("no-such-host.invalid"), "{stderr}");
}

#[test]
fn impossible_client_flags_exit_with_code_two() {
    let _slot = shared_slot();
    let output = wirepeek()
        .args(["echo", "client", "127.0.0.1", "7", "--count", "0"])
        .output()
        .expect("run wirepeek");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn server_binary_prints_its_port_echoes_and_stops_on_sigterm() {
    let _slot = shared_slot();
    let mut server = wirepeek()
        .args(["echo", "server", "-l", "127.0.0.1:0", "-q"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start server");
    let mut stdout = server.stdout.take().expect("piped stdout");
    let banner = common::first_line(&mut stdout);
    let bound = banner
        .trim()
        .strip_prefix("listening on tcp ")
        .unwrap_or_else(|| panic!("unexpected banner {banner:?}"));
    let output = wirepeek()
        .args([
            "echo",
            "client",
            "127.0.0.1",
            &addr(bound).port().to_string(),
            "-m",
            "ping",
            "-q",
        ])
        .output()
        .expect("run client");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("ping\n"));
    let pid = libc::pid_t::try_from(server.id()).expect("pid fits pid_t");
    // SAFETY: sending SIGTERM to the child this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().expect("poll child") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(5) {
            let _ = server.kill();
            panic!("server did not stop within 5 s of SIGTERM");
        }
        thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}

#[test]
fn interactive_mode_prints_each_echoed_line_then_drains_after_end_of_input() {
    let _slot = shared_slot();
    let server = quiet_server("127.0.0.1:0");
    let target = tcp_addr(&server);
    let mut cfg = ClientConfig::new("127.0.0.1", target.port());
    cfg.quiet = true;
    let input = b"first line\nsecond line\nno newline at the end";
    let mut out = Vec::new();
    run_interactive(cfg, &mut &input[..], &mut out).expect("interactive session ends cleanly");
    assert_eq!(out, input);
}

#[test]
fn interactive_udp_mode_prints_one_echo_per_line() {
    let _slot = shared_slot();
    let server = start_server(ServerConfig {
        listen: addr("127.0.0.1:0"),
        protocols: ServerProtocols::Udp,
        upper: true,
        log: ServerLog::Silent,
        ..ServerConfig::default()
    })
    .expect("udp server starts");
    let target = server.udp_addr().expect("server serves udp");
    let mut cfg = ClientConfig::new("127.0.0.1", target.port());
    cfg.protocol = ClientProtocol::Udp;
    cfg.quiet = true;
    let mut out = Vec::new();
    run_interactive(cfg, &mut &b"ping\npong\n"[..], &mut out).expect("session ends");
    assert_eq!(String::from_utf8_lossy(&out), "PING\nPONG\n");
}

#[test]
fn udp_client_to_a_closed_port_reports_connection_refused() {
    let _slot = shared_slot();
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|socket| socket.local_addr())
        .expect("bind udp")
        .port();
    let mut cfg = batch(addr(&format!("127.0.0.1:{port}")), 3, 16);
    cfg.protocol = ClientProtocol::Udp;
    cfg.timeout = Duration::from_secs(2);
    let error = run_client(cfg, &mut Vec::new()).expect_err("nothing listens there");
    assert!(error.to_string().contains("connection refused"), "{error}");
    assert_eq!(error.exit_code(), 1);
}
