//! `c` in a real terminal (tmux, 120×30) on `captures/echo-tcp4.pcap`:
//! the list takes the chosen columns, a registry field among them, and
//! each row's value is the one tshark prints for that field (`-T fields`),
//! when tshark is there; otherwise the SYN's window read from the capture.
//! Skips without tmux.

mod common;
mod tui_support;

use tui_support::Tmux;

#[test]
fn c_shows_a_chosen_field_column_with_the_values_tshark_prints() {
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let capture = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp4.pcap");
    let script = format!("TZ=UTC '{bin}' tui '{capture}'; echo EXIT=$?; sleep 60");
    let Some(tmux) = Tmux::start("columns", (120, 30), &["sh", "-c", &script]) else {
        return;
    };
    tmux.wait_for("Packets 14/14")
        .unwrap_or_else(|s| panic!("the list never appeared:\n{s}"));
    tmux.run(&["send-keys", "-t", "tui", "c", "C-u"]);
    tmux.run(&[
        "send-keys",
        "-t",
        "tui",
        "-l",
        "no, ip.ttl, tcp.window_size_value, info",
    ]);
    tmux.run(&["send-keys", "-t", "tui", "Enter"]);
    let screen = tmux
        .wait_for("No. ip.ttl tcp.window_size_value Info")
        .unwrap_or_else(|s| panic!("the columns were not taken:\n{s}"));
    let want: Vec<String> = if common::tshark_present() {
        let out = std::process::Command::new("tshark")
            .args(["-n", "-r", capture, "-T", "fields", "-e", "frame.number"])
            .args(["-e", "ip.ttl", "-e", "tcp.window_size_value"])
            .output()
            .expect("tshark runs");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .take(10)
            .map(|l| l.split('\t').collect::<Vec<_>>().join(" "))
            .collect()
    } else {
        common::skip("tshark absent: checking frame 1 only");
        vec!["1 64 65495".to_string()]
    };
    for w in &want {
        let found = screen.lines().any(|l| {
            let cells: Vec<&str> = l.split_whitespace().take(3).collect();
            cells.join(" ") == *w
        });
        assert!(found, "no row {w:?}:\n{screen}");
    }
    tmux.run(&["send-keys", "-t", "tui", "q"]);
    tmux.wait_for("EXIT=0")
        .unwrap_or_else(|s| panic!("q did not quit cleanly:\n{s}"));
}
