//! Regression tests for what the echo commands print, found by probing them
//! as an attacker: a server's escape sequences reaching the user's terminal,
//! interface names printed raw, a closed stderr stopping the server, and a
//! default that listened on every interface. Loopback only (127.0.0.1, ::1)
//! or a network namespace the test creates; every loop bounded.

mod common;

use std::ffi::OsStr;
use std::fs::File;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use wirepeek::echo::{EchoCommand, ServerConfig, ServerLog, start_server};

fn wirepeek() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wirepeek"))
}

/// What a terminal would be shown, hostile: window title (OSC 0), clear
/// screen, an OSC 52 clipboard write, a bell, a carriage return.
const HOSTILE_LINE: &[u8] = b"\x1b]0;owned\x07\x1b[2J\x1b]52;c;aGk=\x07over\rwrite\n";

fn echo_server() -> (wirepeek::echo::ServerHandle, u16) {
    let server = start_server(ServerConfig {
        listen: "127.0.0.1:0".parse().expect("literal"),
        log: ServerLog::Silent,
        ..ServerConfig::default()
    })
    .expect("server starts");
    let port = server.tcp_addr().expect("tcp").port();
    (server, port)
}

/// Runs `wirepeek echo client 127.0.0.1 PORT -q EXTRA…` with `HOSTILE_LINE`
/// on stdin and its stdout on a new pseudo-terminal; returns what the
/// terminal received.
fn client_output_on_a_terminal(port: u16, extra: &[&str]) -> Vec<u8> {
    let (mut master, slave) = open_pty();
    let mut child = wirepeek()
        .args(["echo", "client", "127.0.0.1", &port.to_string(), "-q"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::from(slave))
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the client");
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(HOSTILE_LINE).expect("feed the client");
    drop(stdin);
    let reader = thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buffer = [0u8; 4096];
        // Bounded: the read fails (EIO) once the client exits and closes
        // the terminal; 1000 reads is far more than one line needs.
        for _ in 0..1000 {
            match master.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buffer[..n]),
            }
        }
        seen
    });
    let status = wait_with_limit(&mut child, Duration::from_secs(10));
    assert!(status, "the client failed");
    reader.join().expect("pty reader")
}

fn open_pty() -> (File, OwnedFd) {
    let mut master: libc::c_int = -1;
    let mut slave: libc::c_int = -1;
    // SAFETY: openpty writes two descriptors into the given ints; the name,
    // termios and window-size arguments may be null.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened for us and are owned here only.
    unsafe { (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// Waits for `child` up to `limit`, killing it after; true on success.
fn wait_with_limit(child: &mut Child, limit: Duration) -> bool {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("poll child") {
            return status.success();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("child did not finish within {limit:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn client_escapes_terminal_control_sequences() {
    let (_server, port) = echo_server();
    let shown = client_output_on_a_terminal(port, &[]);
    let text = String::from_utf8_lossy(&shown);
    for byte in [0x1b, 0x07] {
        assert!(
            !shown.contains(&byte),
            "raw {byte:#04x} reached the terminal: {text:?}"
        );
    }
    assert!(
        text.contains(r"\x1b]0;owned\x07\x1b[2J\x1b]52;c;aGk=\x07over\x0dwrite"),
        "{text:?}"
    );
}

#[test]
fn client_with_raw_writes_the_servers_bytes_to_the_terminal_unchanged() {
    let (_server, port) = echo_server();
    let shown = client_output_on_a_terminal(port, &["--raw"]);
    // The terminal's own output processing turns "\n" into "\r\n".
    assert!(contains(&shown, b"\x1b]0;owned\x07\x1b[2J"), "{shown:?}");
}

#[test]
fn client_writes_exact_bytes_to_a_pipe() {
    let (_server, port) = echo_server();
    let mut child = wirepeek()
        .args(["echo", "client", "127.0.0.1", &port.to_string(), "-q"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the client");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(HOSTILE_LINE)
        .expect("feed the client");
    let output = child.wait_with_output().expect("client finishes");
    assert!(output.status.success());
    assert_eq!(output.stdout, HOSTILE_LINE);
}

#[test]
fn closed_stderr_does_not_stop_the_server() {
    let mut server = wirepeek()
        .args(["echo", "server", "-l", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server");
    // As `echo server 2>&1 | head -1` does once head has its line.
    drop(server.stderr.take());
    let mut stdout = server.stdout.take().expect("piped stdout");
    let banner = common::first_line(&mut stdout);
    let bound: SocketAddr = banner
        .trim()
        .strip_prefix("listening on tcp ")
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("unexpected banner {banner:?}"));
    // Each connection is logged (accepted, closed): writes to a closed pipe.
    for round in 0..3 {
        let output = wirepeek()
            .args(["echo", "client", "127.0.0.1", &bound.port().to_string()])
            .args(["-m", "ping", "-q", "--timeout", "3000"])
            .output()
            .expect("run client");
        assert!(
            output.status.success() && output.stdout.starts_with(b"ping\n"),
            "round {round}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let pid = libc::pid_t::try_from(server.id()).expect("pid fits pid_t");
    // SAFETY: sending SIGTERM to the child this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    assert!(
        wait_with_limit(&mut server, Duration::from_secs(5)),
        "the server did not exit 0 on SIGTERM"
    );
}

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    echo: EchoCommand,
}

#[test]
fn server_listens_on_loopback_by_default() {
    let Cli {
        echo: EchoCommand::Server(args),
    } = Cli::parse_from(["wirepeek", "server"])
    else {
        panic!("parsed as a server command");
    };
    let cfg = args.to_config();
    let mut addrs = vec![cfg.listen];
    addrs.extend(&cfg.also_listen);
    let expected: Vec<SocketAddr> = vec![
        "127.0.0.1:7007".parse().expect("literal"),
        "[::1]:7007".parse().expect("literal"),
    ];
    assert_eq!(addrs, expected);
    assert!(addrs.iter().all(|a| a.ip().is_loopback()));
    assert!(ServerConfig::default().listen.ip().is_loopback());

    let help = wirepeek()
        .args(["echo", "server", "--help"])
        .output()
        .expect("run --help");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("loopback only"), "{help}");
    assert!(help.contains("-l [::]:7007"), "{help}");

    // A bare port keeps to loopback too: both addresses, one port.
    let mut server = wirepeek()
        .args(["echo", "server", "-l", "0", "-q"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server");
    let mut stdout = server.stdout.take().expect("piped stdout");
    let mut banner = Vec::new();
    let mut byte = [0u8; 1];
    while banner.iter().filter(|b| **b == b'\n').count() < 2 && banner.len() < 400 {
        if stdout.read(&mut byte).expect("read banner") == 0 {
            break;
        }
        banner.push(byte[0]);
    }
    let _ = server.kill();
    let _ = server.wait();
    let banner = String::from_utf8(banner).expect("utf-8 banner");
    let bound: Vec<SocketAddr> = banner
        .lines()
        .filter_map(|l| l.strip_prefix("listening on tcp "))
        .filter_map(|a| a.parse().ok())
        .collect();
    assert_eq!(bound.len(), 2, "{banner}");
    assert!(
        bound[0].ip().is_loopback() && bound[0].is_ipv4(),
        "{banner}"
    );
    assert!(
        bound[1].ip().is_loopback() && bound[1].is_ipv6(),
        "{banner}"
    );
    assert_eq!(bound[0].port(), bound[1].port(), "{banner}");
}

/// Deletes the namespace when the test ends, however it ends.
struct Netns(String);

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

fn ip(args: &[&OsStr]) -> bool {
    Command::new("ip")
        .args(args)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn interface_names_are_escaped() {
    if !common::root_or_skip("creating a network namespace needs root") {
        return;
    }
    let name = format!("wpk-esc-{}", std::process::id());
    if !ip(&["netns".as_ref(), "add".as_ref(), name.as_ref()]) {
        common::skip("`ip netns add` failed (no ip(8) or no namespace support)");
        return;
    }
    let ns = Netns(name);
    let colour = OsStr::from_bytes(b"\x1b[31mx");
    let bell = OsStr::from_bytes(b"pe\x07y");
    let not_utf8 = OsStr::from_bytes(b"bad\xff");
    let n: &OsStr = ns.0.as_ref();
    let created = ip(&[
        "-n".as_ref(),
        n,
        "link".as_ref(),
        "add".as_ref(),
        "name".as_ref(),
        colour,
        "type".as_ref(),
        "veth".as_ref(),
        "peer".as_ref(),
        "name".as_ref(),
        bell,
    ]) && ip(&[
        "-n".as_ref(),
        n,
        "link".as_ref(),
        "add".as_ref(),
        "name".as_ref(),
        not_utf8,
        "type".as_ref(),
        "bridge".as_ref(),
    ]);
    if !created {
        common::skip("this kernel cannot create veth or bridge interfaces");
        return;
    }
    let output = Command::new("ip")
        .args([
            "netns",
            "exec",
            &ns.0,
            env!("CARGO_BIN_EXE_wirepeek"),
            "interfaces",
        ])
        .output()
        .expect("run wirepeek interfaces in the namespace");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listing = output.stdout;
    let text = String::from_utf8_lossy(&listing);
    assert!(
        !listing
            .iter()
            .any(|&b| b != b'\n' && (b < 0x20 || b == 0x7f)),
        "a control byte reached the listing: {text:?}"
    );
    assert!(text.contains(r"\x1b[31mx"), "{text}");
    assert!(text.contains(r"pe\x07y"), "{text}");
    assert!(text.contains("bad\u{fffd}"), "{text}");
}
