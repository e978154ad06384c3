//! The TUI's Flows tab names the local process of a live conversation, as
//! `capture --flows` does: `wirepeek tui -i lo` under tmux while a python3
//! process sends UDP datagrams on lo; its pid, command and user appear in
//! the conversation's row, read from /proc by the separate lookup process.
//! With `--no-process` the column is not there. Skips without root, tmux
//! or python3.

mod common;
mod tui_support;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tui_support::Tmux;

/// A python3 that opens a UDP socket, says `ready`, and once it reads a
/// byte sends `count` datagrams 50 ms apart to 127.0.0.1:`port`, then
/// holds its socket a few seconds more (so the lookup can still find it).
struct Sender(Child);

impl Sender {
    fn start(port: u16, count: usize) -> Sender {
        let script = format!(
            "import socket, sys, time\n\
             s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
             print('ready', flush=True)\n\
             sys.stdin.read(1)\n\
             for i in range({count}):\n    s.sendto(b'wirepeek tui process %d' % i, ('127.0.0.1', {port}))\n    time.sleep(0.05)\n\
             time.sleep(3)\n"
        );
        let mut child = Command::new("python3")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 starts");
        let ready = common::first_line(child.stdout.as_mut().expect("stdout piped"));
        assert_eq!(ready, "ready\n");
        Sender(child)
    }

    fn go(&mut self) {
        let mut stdin = self.0.stdin.take().expect("stdin piped");
        stdin.write_all(b"x").expect("the sender reads");
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ready() -> bool {
    if !common::root_or_skip("a live capture on lo needs root (CAP_NET_RAW)") {
        return false;
    }
    let python = Command::new("python3")
        .arg("-c")
        .arg("pass")
        .status()
        .is_ok_and(|s| s.success());
    if !python {
        common::skip("python3 is not installed: it sends the datagrams");
    }
    python
}

/// Run `wirepeek tui -i lo EXTRA udp port PORT` under tmux while a python3
/// sends to PORT; the screen of the Flows tab once the conversation is
/// listed, and the sender's pid.
fn flows_screen(name: &str, extra: &str) -> Option<(String, u32)> {
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let receiver = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = receiver.local_addr().expect("addr").port();
    let script =
        format!("TZ=UTC '{bin}' tui -i lo {extra} udp port {port}; echo EXIT=$?; sleep 60");
    let tmux = Tmux::start(name, (120, 30), &["sh", "-c", &script])?;
    tmux.wait_for("lo")
        .unwrap_or_else(|s| panic!("the live TUI never started:\n{s}"));
    // The capture thread starts a moment after the screen.
    std::thread::sleep(Duration::from_millis(500));
    let mut sender = Sender::start(port, 40);
    let pid = sender.0.id();
    sender.go();
    tmux.run(&["send-keys", "-t", "tui", "2"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut screen = tmux.screen();
    let done = |s: &str| {
        s.contains(&format!(":{port}")) && (extra.is_empty() == s.contains(&pid.to_string()))
    };
    while Instant::now() < deadline && !done(&screen) {
        std::thread::sleep(Duration::from_millis(100));
        screen = tmux.screen();
    }
    tmux.run(&["send-keys", "-t", "tui", "q"]);
    tmux.wait_for("EXIT=0")
        .unwrap_or_else(|s| panic!("q did not end the program:\n{s}"));
    Some((screen, pid))
}

#[test]
fn the_flows_tab_names_a_live_conversations_local_process() {
    if !ready() {
        return;
    }
    let Some((screen, pid)) = flows_screen("proc", "") else {
        return;
    };
    let row = screen
        .lines()
        .find(|l| l.starts_with("udp"))
        .unwrap_or_else(|| panic!("the conversation is listed:\n{screen}"));
    assert!(
        screen
            .lines()
            .any(|l| l.contains("Proto") && l.contains("Process")),
        "{screen}"
    );
    assert!(
        row.contains(&format!("{pid} python3 (root)")),
        "the sender's pid, command and user, in:\n{screen}"
    );
}

#[test]
fn no_process_leaves_the_flows_tab_without_the_column() {
    if !ready() {
        return;
    }
    let Some((screen, pid)) = flows_screen("noproc", "--no-process") else {
        return;
    };
    assert!(screen.lines().any(|l| l.starts_with("udp")), "{screen}");
    assert!(!screen.contains("Process"), "{screen}");
    assert!(!screen.contains(&format!("{pid} python3")), "{screen}");
}
