//! The Graphs tab in a real terminal (tmux, 100×30): `6` shows the I/O
//! graph with its axes, `b` and `+` change what it plots, and with a TCP
//! packet selected `t` shows that conversation's stream graph (tcptrace
//! style) with its axis labels and marks, `d` the other direction. Skips
//! without tmux.

mod common;
mod tui_support;

use tui_support::Tmux;

fn keys(tmux: &Tmux, keys: &[&str]) {
    let mut args = vec!["send-keys", "-t", "tui"];
    args.extend_from_slice(keys);
    tmux.run(&args);
}

#[test]
fn six_shows_the_io_graph_and_t_the_selected_conversations_stream_graph() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tcp-analysis/C_ooo_irtt.pcap"
    );
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let script = format!("TZ=UTC '{bin}' tui '{file}'; echo EXIT=$?; sleep 60");
    let Some(tmux) = Tmux::start("graphs", (100, 30), &["sh", "-c", &script]) else {
        return;
    };
    tmux.wait_for("7/7 shown")
        .unwrap_or_else(|s| panic!("the list never appeared:\n{s}"));

    keys(&tmux, &["6"]);
    let screen = tmux
        .wait_until(|s| s.contains("I/O graph") && s.contains("7 packets"))
        .unwrap_or_else(|s| panic!("6 did not show the I/O graph:\n{s}"));
    // 400 ms over 91 columns: 5 ms intervals are the shortest that fit.
    assert!(
        screen.contains("packets/s, 5 ms intervals (fit) · all packets"),
        "{screen}"
    );
    for label in ["pkt/s", "time from the first packet", "0 s", "455 ms"] {
        assert!(screen.contains(label), "no axis label {label:?}:\n{screen}");
    }
    // Two frames in the busiest 5 ms interval: 400 packets/s.
    assert!(screen.contains("400┤"), "{screen}");
    keys(&tmux, &["b", "+"]);
    let screen = tmux
        .wait_for("bytes/s, 10 ms intervals ·")
        .unwrap_or_else(|s| panic!("b and + did not change the graph:\n{s}"));
    assert!(screen.contains("7 packets, 680 bytes,"), "{screen}");

    // Frame 4 carries the first data; its conversation's stream graph.
    keys(&tmux, &["1", ":", "4", "Enter", "6", "t"]);
    let screen = tmux
        .wait_until(|s| s.contains("TCP stream 0 graph") && s.contains("retransmitted"))
        .unwrap_or_else(|s| panic!("t did not show the stream graph:\n{s}"));
    for label in [
        "10.0.0.1:40000 → 10.0.0.2:80",
        "rel seq",
        "301┤",
        "time from the conversation's first packet",
        "400 ms",
        "4 segments",
        "1 retransmitted",
        "1 out of order",
        "1 gap, 100 B missing",
    ] {
        assert!(screen.contains(label), "no {label:?}:\n{screen}");
    }
    keys(&tmux, &["d"]);
    tmux.wait_for("10.0.0.2:80 → 10.0.0.1:40000")
        .unwrap_or_else(|s| panic!("d did not turn the graph round:\n{s}"));
    keys(&tmux, &["q"]);
    tmux.wait_for("EXIT=0")
        .unwrap_or_else(|s| panic!("q did not quit cleanly:\n{s}"));
}
