//! `wirepeek tui FILE` in a real terminal: tmux runs it at 80×24, we type
//! `j j Enter q`, read the screen back, and check the list, the details and
//! that the shell got its terminal back (normal screen, cooked mode, cursor
//! shown, mouse released); then filters given on the command line and the
//! Flows and Encapsulation tabs, and `s` saving a filtered view. Skips,
//! saying why, when tmux (or the shared corpus) is not installed.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A private tmux server, killed when the test ends however it ends.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .env("LANG", "C.UTF-8")
            .output()
            .expect("tmux runs")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "tui"]).stdout).into_owned()
    }

    fn format(&self, f: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", "tui", f]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Wait until the screen contains `text`; the screen on timeout.
    fn wait_for(&self, text: &str) -> Result<String, String> {
        self.wait_until(|s| s.contains(text))
    }

    /// Wait until `ready` accepts the screen; the screen on timeout.
    fn wait_until(&self, ready: impl Fn(&str) -> bool) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return Ok(screen);
            }
            if Instant::now() > deadline {
                return Err(screen);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_tui_shows_a_capture_responds_to_keys_and_gives_the_terminal_back() {
    if !have_tmux() {
        eprintln!("skipped: tmux is not installed (apt-get install tmux)");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let capture = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp4.pcap");
    let tmux = Tmux {
        socket: format!("wirepeek-test-{}", std::process::id()),
    };
    let script = format!(
        "TZ=UTC '{bin}' tui '{capture}'; echo EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon'; sleep 60"
    );
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "tui",
        "-x",
        "80",
        "-y",
        "24",
        "sh",
        "-c",
        &script,
    ]);
    assert!(started.status.success(), "{started:?}");

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
        screen.contains("Flags [S.]"),
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
fn demo_tui_browses_the_echo_conversation_it_captured() {
    if !have_tmux() {
        eprintln!("skipped: tmux is not installed (apt-get install tmux)");
        return;
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: the demo captures on lo, which needs root (CAP_NET_RAW)");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let tmux = Tmux {
        socket: format!("wirepeek-demo-test-{}", std::process::id()),
    };
    let script = format!("'{bin}' demo --tui; echo EXIT=$?; sleep 60");
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "tui",
        "-x",
        "100",
        "-y",
        "30",
        "sh",
        "-c",
        &script,
    ]);
    assert!(started.status.success(), "{started:?}");
    tmux.wait_for("demo: echo conversation on lo")
        .unwrap_or_else(|s| panic!("the demo never reached the TUI:\n{s}"));
    // The first screen may be drawn before the frames arrive.
    let screen = tmux
        .wait_for("Flags [S]")
        .unwrap_or_else(|s| panic!("the handshake is never listed:\n{s}"));
    assert!(screen.contains("Flags [S.]"), "{screen}");
    tmux.run(&["send-keys", "-t", "tui", "q"]);
    let screen = tmux
        .wait_for("EXIT=")
        .unwrap_or_else(|s| panic!("q did not end the demo:\n{s}"));
    assert!(screen.contains("EXIT=0"), "{screen}");
}

#[test]
fn filters_from_the_command_line_and_the_flows_and_encapsulation_tabs_work_in_a_terminal() {
    if !have_tmux() {
        eprintln!("skipped: tmux is not installed (apt-get install tmux)");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let capture = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp4.pcap");
    let tmux = Tmux {
        socket: format!("wirepeek-tabs-test-{}", std::process::id()),
    };
    // Only the client's packets enter; the view starts on those with data.
    let script = format!(
        "TZ=UTC '{bin}' tui '{capture}' src port 34554 -Y 'tcp.len > 0'; echo EXIT=$?; sleep 60"
    );
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "tui",
        "-x",
        "200",
        "-y",
        "30",
        "sh",
        "-c",
        &script,
    ]);
    assert!(started.status.success(), "{started:?}");
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
    if !have_tmux() {
        eprintln!("skipped: tmux is not installed (apt-get install tmux)");
        return;
    }
    let capture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/captures/many-protocols.pcap"
    );
    if !std::path::Path::new(capture).exists() {
        eprintln!("skipped: the shared corpus is absent ({capture})");
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
    let tmux = Tmux {
        socket: format!("wirepeek-save-test-{}", std::process::id()),
    };
    let script = format!("TZ=UTC '{bin}' tui '{capture}'; echo EXIT=$?; sleep 60");
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "tui",
        "-x",
        "250",
        "-y",
        "30",
        "sh",
        "-c",
        &script,
    ]);
    assert!(started.status.success(), "{started:?}");
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
