//! The moves in a real terminal (tmux, 120×30) on `captures/echo-tcp4.pcap`:
//! `:9` goes to frame 9, Ctrl-F finds the request text and `n` the next
//! packet holding it, `m` marks and `]` jumps to the mark, `t` shows delta
//! times, and `s` refuses to write over the file being browsed, then
//! saves the marked packet to a new pcapng. Skips without tmux.

mod common;
mod tui_support;

use tui_support::Tmux;

fn keys(tmux: &Tmux, keys: &[&str]) {
    let mut args = vec!["send-keys", "-t", "tui"];
    args.extend_from_slice(keys);
    tmux.run(&args);
}

fn text(tmux: &Tmux, text: &str) {
    tmux.run(&["send-keys", "-t", "tui", "-l", text]);
}

#[test]
fn go_to_find_marks_delta_time_and_a_save_that_spares_the_open_file() {
    let dir = std::env::temp_dir().join(format!("wirepeek-tui-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let open = dir.join("victim.pcap");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp4.pcap"),
        &open,
    )
    .expect("copy");
    let before = std::fs::read(&open).expect("read");
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let script = format!(
        "cd '{}' && TZ=UTC '{bin}' tui victim.pcap; echo EXIT=$?; sleep 60",
        dir.display()
    );
    let Some(tmux) = Tmux::start("keys2", (120, 30), &["sh", "-c", &script]) else {
        return;
    };
    tmux.wait_for("Packets 14/14")
        .unwrap_or_else(|s| panic!("the list never appeared:\n{s}"));

    keys(&tmux, &[":"]);
    text(&tmux, "9");
    keys(&tmux, &["Enter"]);
    tmux.wait_for("Frame 9:")
        .unwrap_or_else(|s| panic!(":9 did not go to frame 9:\n{s}"));

    // The first packet holding "hello" is the client's request (frame 4:
    // `tcpdump -A` shows "hello there" in it), the next the echo (6).
    keys(&tmux, &["g", "C-f"]);
    text(&tmux, "hello");
    keys(&tmux, &["Enter"]);
    tmux.wait_for("Frame 4:")
        .unwrap_or_else(|s| panic!("Ctrl-F hello did not find frame 4:\n{s}"));
    keys(&tmux, &["n"]);
    tmux.wait_for("Frame 6:")
        .unwrap_or_else(|s| panic!("n did not find the echo in frame 6:\n{s}"));

    keys(&tmux, &["m", "g", "]"]);
    tmux.wait_for("Frame 6:")
        .unwrap_or_else(|s| panic!("] did not jump to the mark:\n{s}"));

    keys(&tmux, &["t", "t"]);
    let screen = tmux
        .wait_until(|s| {
            s.lines().any(|l| l.starts_with("1   0.000000000 ")) && s.contains("Frame 6:")
        })
        .unwrap_or_else(|s| panic!("t t did not show delta times:\n{s}"));
    // Frame 2 came 11.187 µs after frame 1 (tcpdump -ttt says 00:00:00.000011).
    assert!(
        screen.lines().any(|l| l.starts_with("2   0.000011187 ")),
        "{screen}"
    );

    // s, over the open file: refused, and the file is as it was.
    keys(&tmux, &["s", "C-u"]);
    text(&tmux, "victim.pcap");
    keys(&tmux, &["Enter"]);
    tmux.wait_for("is the capture being browsed")
        .unwrap_or_else(|s| panic!("s over the open file was not refused:\n{s}"));
    assert_eq!(std::fs::read(&open).expect("read"), before);

    // s, the marked packet (Tab twice: all, marked) to a new pcapng.
    keys(&tmux, &["s", "Tab", "Tab", "C-u"]);
    text(&tmux, "marked.pcapng");
    tmux.wait_for("Save 1 marked packets (Tab: displayed) as pcapng to: marked.pcapng")
        .unwrap_or_else(|s| panic!("the save prompt does not say what it saves:\n{s}"));
    keys(&tmux, &["Enter"]);
    tmux.wait_for("wrote 1 packets to marked.pcapng")
        .unwrap_or_else(|s| panic!("the marked packet was not saved:\n{s}"));
    keys(&tmux, &["q"]);
    tmux.wait_for("EXIT=0")
        .unwrap_or_else(|s| panic!("q did not end the program:\n{s}"));

    // tshark reads the pcapng back: one packet, frame 6's 78 bytes.
    if common::tshark_present() {
        let out = std::process::Command::new("tshark")
            .args(["-n", "-r"])
            .arg(dir.join("marked.pcapng"))
            .args(["-T", "fields", "-e", "frame.len"])
            .output()
            .expect("tshark runs");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "78");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
