//! Frames that do not come from a file on disk are spooled to a temporary
//! pcapng the TUI reads back by offset: a capture piped into `wirepeek tui
//! -` and a live capture on lo. The spool is unlinked at once, so the
//! temporary directory stays empty while the TUI runs and after it quits.
//! Skips without tmux; the live test also without root.

mod common;
mod tui_support;

use std::path::PathBuf;
use tui_support::Tmux;

/// A fresh directory for `TMPDIR`, so the spool's fate can be seen.
fn tmpdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wirepeek-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn is_empty(dir: &PathBuf) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

#[test]
fn tui_dash_reads_a_capture_from_standard_input_and_browses_it() {
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let capture = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp4.pcap");
    let dir = tmpdir("stdin");
    let script = format!(
        "cat '{capture}' | TMPDIR='{}' TZ=UTC '{bin}' tui -; echo EXIT=$?; sleep 60",
        dir.display()
    );
    let Some(tmux) = Tmux::start("stdin", (80, 24), &["sh", "-c", &script]) else {
        return;
    };
    let screen = tmux
        .wait_for("Packets 14/14")
        .unwrap_or_else(|s| panic!("the piped capture never appeared:\n{s}"));
    assert!(screen.contains("Frame 1: 74 bytes on wire"), "{screen}");
    assert!(is_empty(&dir), "the spool is unlinked while in use");
    // Keys come from the terminal although standard input is the pipe.
    tmux.run(&["send-keys", "-t", "tui", "j", "j", "Enter"]);
    let screen = tmux
        .wait_for("[Frame Number: 3]")
        .unwrap_or_else(|s| panic!("j j Enter did not open packet 3:\n{s}"));
    assert!(screen.contains("Frame 3: 66 bytes on wire"), "{screen}");
    assert!(screen.contains("[SYN, ACK]"), "{screen}");
    tmux.run(&["send-keys", "-t", "tui", "q"]);
    let screen = tmux
        .wait_for("EXIT=")
        .unwrap_or_else(|s| panic!("q did not end the program:\n{s}"));
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(is_empty(&dir));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_live_capture_is_spooled_and_its_packets_read_back() {
    if !common::root_or_skip("a live capture on lo needs root (CAP_NET_RAW)") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let dir = tmpdir("live");
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = socket.local_addr().expect("addr").port();
    let script = format!(
        "TMPDIR='{}' TZ=UTC '{bin}' tui -i lo udp port {port}; echo EXIT=$?; sleep 60",
        dir.display()
    );
    let Some(tmux) = Tmux::start("live", (100, 30), &["sh", "-c", &script]) else {
        return;
    };
    tmux.wait_for("lo")
        .unwrap_or_else(|s| panic!("the live TUI never started:\n{s}"));
    // The capture may start a moment after the screen: send until one is
    // seen, a bounded number of times.
    let mut screen = String::new();
    for _ in 0..20 {
        socket
            .send_to(b"spooled-datagram", ("127.0.0.1", port))
            .expect("send on lo");
        let seen = |s: &str| s.contains("UDP, length 16");
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
        while std::time::Instant::now() < deadline {
            screen = tmux.screen();
            if seen(&screen) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        if seen(&screen) {
            break;
        }
    }
    assert!(
        screen.contains("UDP"),
        "the datagrams are listed:\n{screen}"
    );
    assert!(is_empty(&dir), "the spool is unlinked while in use");
    tmux.run(&["send-keys", "-t", "tui", "g", "Enter"]);
    let screen = tmux
        .wait_for("[Frame Number: 1]")
        .unwrap_or_else(|s| panic!("the first datagram did not open:\n{s}"));
    // The payload's bytes in the hex pane, read back from the spool.
    assert!(
        screen.contains("spoole") || screen.contains("d-datagram"),
        "its bytes read back:\n{screen}"
    );
    tmux.run(&["send-keys", "-t", "tui", "q"]);
    tmux.wait_for("EXIT=0")
        .unwrap_or_else(|s| panic!("q did not end the program:\n{s}"));
    assert!(is_empty(&dir));
    let _ = std::fs::remove_dir_all(&dir);
}
