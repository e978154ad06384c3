//! `wirepeek tui FILE` in a real terminal: tmux runs it at 80×24, we type
//! `j j Enter q`, read the screen back, and check the list, the details and
//! that the shell got its terminal back (normal screen, cooked mode, cursor
//! shown, mouse released); then filters given on the command line and the
//! Flows and Encapsulation tabs, `s` saving a filtered view, and Ctrl-Z
//! suspending to the shell and `fg` bringing the TUI back. Skips,
//! saying why, when tmux (or the shared corpus) is not installed.

mod common;
mod tui_support;

use std::process::Command;
use tui_support::Tmux;

#[test]
fn the_tui_shows_a_capture_responds_to_keys_and_gives_the_terminal_back() {
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let capture = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp4.pcap");
    let script = format!(
        "TZ=UTC '{bin}' tui '{capture}'; echo EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon'; sleep 60"
    );
    let Some(tmux) = Tmux::start("keys", (80, 24), &["sh", "-c", &script]) else {
        return;
    };

    let screen = tmux
        .wait_for("Packets 14/14")
        .unwrap_or_else(|s| panic!("the list never appeared:\n{s}"));
    assert!(screen.contains("Frame 1: 74 bytes on wire"), "{screen}");
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "1",
        "the TUI uses the alternate screen"
    );

    tmux.run(&["send-keys", "-t", "tui", "j", "j", "Enter"]);
    let screen = tmux
        .wait_for("[Frame Number: 3]")
        .unwrap_or_else(|s| panic!("j j Enter did not open packet 3's layers:\n{s}"));
    assert!(screen.contains("Frame 3: 66 bytes on wire"), "{screen}");
    assert!(
        screen.contains("[SYN, ACK]"),
        "the list shows the handshake:\n{screen}"
    );
    assert!(
        screen.contains("0000  00 00 00 00"),
        "the bytes pane:\n{screen}"
    );
    assert!(
        screen.contains("file ") && screen.contains("14/14 shown"),
        "{screen}"
    );

    // Shrink the window: the list drops its Length column, the status and
    // hint lines stay at the bottom, nothing is left over from before.
    tmux.run(&["resize-window", "-t", "tui", "-x", "60", "-y", "12"]);
    let screen = tmux
        .wait_until(|s| s.contains("Protocol Info") && s.lines().count() == 12)
        .unwrap_or_else(|s| panic!("the resize was not redrawn:\n{s}"));
    let lines: Vec<&str> = screen.lines().collect();
    assert!(lines[0].starts_with(" wirepeek  1 Packets"), "{screen}");
    assert!(lines[11].starts_with("? help  q quit"), "{screen}");
    assert!(lines[10].starts_with(" file "), "{screen}");
    assert!(
        !screen.contains("0000  00"),
        "no stale bytes pane at 12 rows:\n{screen}"
    );

    tmux.run(&["send-keys", "-t", "tui", "q"]);
    let screen = tmux
        .wait_for("icanon")
        .unwrap_or_else(|s| panic!("q did not end the program:\n{s}"));
    assert!(screen.contains("EXIT=0"), "{screen}");
    let lines: Vec<&str> = screen.lines().map(str::trim).collect();
    assert!(
        lines.contains(&"icanon"),
        "the terminal is back in cooked mode:\n{screen}"
    );
    assert!(
        !screen.contains("Packets 14/14"),
        "the TUI's screen is gone:\n{screen}"
    );
    assert_eq!(tmux.format("#{alternate_on}"), "0");
    assert_eq!(
        tmux.format("#{cursor_flag}"),
        "1",
        "the cursor is shown again"
    );
    assert_eq!(
        tmux.format("#{mouse_any_flag}"),
        "0",
        "the mouse is released"
    );
}

#[test]
fn ctrl_z_gives_the_shell_its_terminal_and_fg_brings_the_tui_back() {
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let capture = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp4.pcap");
    // An interactive shell, so there is job control to stop and continue.
    let Some(tmux) = Tmux::start("z", (80, 24), &["bash", "--norc", "--noprofile", "-i"]) else {
        return;
    };
    tmux.run(&["send-keys", "-t", "tui", "PS1='$ '", "Enter"]);
    let command = format!("TZ=UTC '{bin}' tui '{capture}'");
    tmux.run(&["send-keys", "-t", "tui", &command, "Enter"]);
    tmux.wait_for("Packets 14/14")
        .unwrap_or_else(|s| panic!("the list never appeared:\n{s}"));
    tmux.run(&["send-keys", "-t", "tui", "j", "j"]);
    tmux.wait_for("Frame 3: 66 bytes on wire")
        .unwrap_or_else(|s| panic!("j j did not move to packet 3:\n{s}"));

    tmux.run(&["send-keys", "-t", "tui", "C-z"]);
    let screen = tmux
        .wait_for("Stopped")
        .unwrap_or_else(|s| panic!("Ctrl-Z did not stop the TUI:\n{s}"));
    assert!(!screen.contains("Packets 14/14"), "{screen}");
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "0",
        "the shell's screen is back"
    );
    assert_eq!(
        tmux.format("#{mouse_any_flag}"),
        "0",
        "the mouse is released"
    );

    tmux.run(&["send-keys", "-t", "tui", "fg", "Enter"]);
    let screen = tmux
        .wait_for("Packets 14/14")
        .unwrap_or_else(|s| panic!("fg did not bring the TUI back:\n{s}"));
    assert!(
        screen.contains("Frame 3: 66 bytes on wire"),
        "the TUI comes back where it was:\n{screen}"
    );
    assert_eq!(tmux.format("#{alternate_on}"), "1");
    tmux.run(&["send-keys", "-t", "tui", "j"]);
    tmux.wait_for("Frame 4:")
        .unwrap_or_else(|s| panic!("keys do not reach the TUI after fg:\n{s}"));

    tmux.run(&["send-keys", "-t", "tui", "q"]);
    tmux.wait_until(|s| !s.contains("Packets 14/14") && s.trim_end().ends_with('$'))
        .unwrap_or_else(|s| panic!("q did not end the TUI after fg:\n{s}"));
    assert_eq!(tmux.format("#{alternate_on}"), "0");
}

#[test]
fn demo_tui_browses_the_echo_conversation_it_captured() {
    if !common::root_or_skip("the demo captures on lo, which needs root (CAP_NET_RAW)") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let script = format!("'{bin}' demo --tui; echo EXIT=$?; sleep 60");
    let Some(tmux) = Tmux::start("demo", (100, 30), &["sh", "-c", &script]) else {
        return;
    };
    tmux.wait_for("demo: echo conversation on lo")
        .unwrap_or_else(|s| panic!("the demo never reached the TUI:\n{s}"));
    // The first screen may be drawn before the frames arrive.
    let screen = tmux
        .wait_for("[SYN]")
        .unwrap_or_else(|s| panic!("the handshake is never listed:\n{s}"));
    assert!(screen.contains("[SYN, ACK]"), "{screen}");
    tmux.run(&["send-keys", "-t", "tui", "q"]);
    let screen = tmux
        .wait_for("EXIT=")
        .unwrap_or_else(|s| panic!("q did not end the demo:\n{s}"));
    assert!(screen.contains("EXIT=0"), "{screen}");
}

#[test]
fn filters_from_the_command_line_and_the_flows_and_encapsulation_tabs_work_in_a_terminal() {
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let capture = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp4.pcap");
    // Only the client's packets enter; the view starts on those with data.
    let script = format!(
        "TZ=UTC '{bin}' tui '{capture}' src port 34554 -Y 'tcp.len > 0'; echo EXIT=$?; sleep 60"
    );
    let Some(tmux) = Tmux::start("tabs", (200, 30), &["sh", "-c", &script]) else {
        return;
    };
    let screen = tmux
        .wait_for("Packets 3/8")
        .unwrap_or_else(|s| panic!("the filtered list never appeared:\n{s}"));
    assert!(screen.contains("capture: src port 34554"), "{screen}");
    assert!(screen.contains("filter: tcp.len > 0"), "{screen}");

    tmux.run(&["send-keys", "-t", "tui", "2"]);
    let screen = tmux
        .wait_for("Flows 1")
        .unwrap_or_else(|s| panic!("2 did not open the Flows tab:\n{s}"));
    assert!(screen.contains("127.0.0.1:34554"), "{screen}");

    tmux.run(&["send-keys", "-t", "tui", "Enter"]);
    tmux.wait_for("flow: tcp 127.0.0.1:34554")
        .unwrap_or_else(|s| panic!("Enter did not pick the flow:\n{s}"));

    tmux.run(&["send-keys", "-t", "tui", "3"]);
    let screen = tmux
        .wait_for("1. Headers inside headers")
        .unwrap_or_else(|s| panic!("3 did not open the Encapsulation tab:\n{s}"));
    assert!(screen.contains("hello there"), "{screen}");

    tmux.run(&["send-keys", "-t", "tui", "q"]);
    let screen = tmux
        .wait_for("EXIT=")
        .unwrap_or_else(|s| panic!("q did not end the program:\n{s}"));
    assert!(screen.contains("EXIT=0"), "{screen}");
}

/// `wirepeek read FILE [ARGS...]`'s packet lines.
fn read_lines(file: &str, args: &[&str]) -> usize {
    let out = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .arg("read")
        .arg(file)
        .args(args)
        .env("TZ", "UTC")
        .output()
        .expect("wirepeek read runs");
    assert!(
        out.status.success(),
        "wirepeek read {file} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).lines().count()
}

#[test]
fn s_saves_exactly_the_packets_a_display_filter_shows() {
    let capture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/captures/many-protocols.pcap"
    );
    if !std::path::Path::new(capture).exists() {
        common::skip(&format!("the shared corpus is absent ({capture})"));
        return;
    }
    let total = read_lines(capture, &[]);
    let icmp = read_lines(capture, &["-Y", "icmp"]);
    assert!(icmp > 0 && icmp < total, "icmp {icmp} of {total}");

    let dir = std::env::temp_dir().join(format!("wirepeek-tui-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let saved = dir.join("icmp only.pcap");
    let saved_text = saved.to_str().expect("UTF-8 temp path");

    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let script = format!("TZ=UTC '{bin}' tui '{capture}'; echo EXIT=$?; sleep 60");
    let Some(tmux) = Tmux::start("save", (250, 30), &["sh", "-c", &script]) else {
        return;
    };
    tmux.wait_for(&format!("{total}/{total} shown"))
        .unwrap_or_else(|s| panic!("the whole file never loaded:\n{s}"));

    // Move about and expand first: the save must not depend on it.
    tmux.run(&["send-keys", "-t", "tui", "j", "j", "Enter", "Tab", "j"]);
    tmux.wait_for("▾ Frame 3")
        .unwrap_or_else(|s| panic!("j j Enter did not expand packet 3:\n{s}"));

    tmux.run(&["send-keys", "-t", "tui", "/"]);
    tmux.run(&["send-keys", "-t", "tui", "-l", "icmp"]);
    tmux.run(&["send-keys", "-t", "tui", "Enter"]);
    tmux.wait_for(&format!("{icmp}/{total} shown"))
        .unwrap_or_else(|s| panic!("/icmp did not narrow the list to {icmp}:\n{s}"));

    tmux.run(&["send-keys", "-t", "tui", "s"]);
    tmux.wait_for("wirepeek-saved.pcap")
        .unwrap_or_else(|s| panic!("s did not offer a file name:\n{s}"));
    let erase = vec!["BSpace"; "wirepeek-saved.pcap".len()];
    let mut args = vec!["send-keys", "-t", "tui"];
    args.extend(erase);
    tmux.run(&args);
    tmux.run(&["send-keys", "-t", "tui", "-l", saved_text]);
    tmux.run(&["send-keys", "-t", "tui", "Enter"]);
    // The status bar is wide enough (250 columns) for the whole notice.
    tmux.wait_for(&format!("wrote {icmp} packets to {saved_text}"))
        .unwrap_or_else(|s| panic!("Enter did not save the {icmp} packets:\n{s}"));

    tmux.run(&["send-keys", "-t", "tui", "q"]);
    let screen = tmux
        .wait_for("EXIT=")
        .unwrap_or_else(|s| panic!("q did not end the program:\n{s}"));
    assert!(screen.contains("EXIT=0"), "{screen}");

    assert_eq!(
        read_lines(saved_text, &[]),
        icmp,
        "the saved file's packets"
    );
    assert_eq!(
        read_lines(saved_text, &["-Y", "icmp"]),
        icmp,
        "every saved packet is ICMP"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
