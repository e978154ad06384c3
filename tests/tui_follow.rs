//! `F` in a real terminal (tmux, 120×30): following a packet's TCP stream
//! shows both sides' text in two colours, `d` keeps one side, `x` shows hex
//! as tshark's hex format prints it, `/` finds text in the stream and Enter
//! goes to the packet that carried it. Skips without tmux (and, for the
//! HTTP capture, without `../shared/corpus`).

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

/// The screen with its colours, as SGR escapes.
fn coloured(tmux: &Tmux) -> String {
    let out = tmux.run(&["capture-pane", "-p", "-e", "-t", "tui"]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn start(name: &str, file: &str) -> Option<Tmux> {
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let script = format!("TZ=UTC '{bin}' tui '{file}'; echo EXIT=$?; sleep 60");
    Tmux::start(name, (120, 30), &["sh", "-c", &script])
}

#[test]
fn f_on_an_http_request_shows_it_and_enter_goes_to_the_packet_of_the_found_line() {
    let Some(dir) = common::corpus() else {
        common::skip("corpus ../shared/corpus/captures not found");
        return;
    };
    let file = dir.join("four_ipv6_http_streams.pcap");
    let Some(tmux) = start("follow-http", &file.display().to_string()) else {
        return;
    };
    tmux.wait_for("Packets 81/81")
        .unwrap_or_else(|s| panic!("the list never appeared:\n{s}"));
    // Frame 4 is stream 0's first request (tshark: http.request.uri "/").
    keys(&tmux, &[":"]);
    text(&tmux, "4");
    keys(&tmux, &["Enter", "F"]);
    let screen = tmux
        .wait_until(|s| s.contains("Host: www.uk6x.com") && s.contains("215 lines"))
        .unwrap_or_else(|s| panic!("F did not show the request:\n{s}"));
    assert!(screen.contains("Follow tcp stream 0 "), "{screen}");
    assert!(screen.lines().any(|l| l == "GET / HTTP/1.1"), "{screen}");
    // tshark -z follow,tcp,ascii,0: the request, then node 1's answer.
    assert!(screen.contains("HTTP/1.1 200 OK"), "{screen}");
    // Node 0's text in light red (colour 9), node 1's in light blue (12).
    let colours = coloured(&tmux);
    let line_of = |needle: &str| {
        colours
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle}:\n{colours}"))
            .to_string()
    };
    assert!(
        line_of("Host: www.uk6x.com").contains("\x1b[38;5;9m"),
        "{colours}"
    );
    assert!(
        line_of("Server: Apache").contains("\x1b[38;5;12m"),
        "{colours}"
    );

    // The second request of the stream: tshark has frame 18 carrying
    // `GET /header.shtml` (tcp.stream 0, tcp.seq 349, 391 bytes).
    keys(&tmux, &["/"]);
    text(&tmux, "GET /header.shtml");
    keys(&tmux, &["Enter"]);
    tmux.wait_for("from frame 18")
        .unwrap_or_else(|s| panic!("/ did not find the second request:\n{s}"));
    keys(&tmux, &["Enter"]);
    tmux.wait_for("Frame 18:")
        .unwrap_or_else(|s| panic!("Enter did not go to frame 18:\n{s}"));
    keys(&tmux, &["q"]);
    tmux.wait_for("EXIT=0")
        .unwrap_or_else(|s| panic!("q did not end the program:\n{s}"));
}

#[test]
fn follow_keeps_one_side_shows_hex_as_tshark_and_goes_to_the_echo() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp4.pcap");
    let Some(tmux) = start("follow-echo", file) else {
        return;
    };
    tmux.wait_for("Packets 14/14")
        .unwrap_or_else(|s| panic!("the list never appeared:\n{s}"));
    keys(&tmux, &[":"]);
    text(&tmux, "4");
    keys(&tmux, &["Enter", "F"]);
    // tshark -z follow,tcp,ascii,0: "hello there" three times each way.
    let screen = tmux
        .wait_for("72 bytes, 6 lines")
        .unwrap_or_else(|s| panic!("F did not show the echo stream:\n{s}"));
    assert_eq!(
        screen.lines().filter(|l| *l == "hello there").count(),
        6,
        "{screen}"
    );
    keys(&tmux, &["d"]);
    tmux.wait_for("node 0 only")
        .unwrap_or_else(|s| panic!("d did not keep one side:\n{s}"));
    let screen = tmux
        .wait_for("72 bytes, 3 lines")
        .unwrap_or_else(|s| panic!("d did not keep node 0's 3 lines:\n{s}"));
    assert!(screen.contains("from frame 4"), "{screen}");
    keys(&tmux, &["d", "d", "x"]);
    // tshark -z follow,tcp,hex,0 prints exactly this line for each chunk.
    let screen = tmux
        .wait_for("00000000  68 65 6c 6c 6f 20 74 68  65 72 65 0a              hello th ere.")
        .unwrap_or_else(|s| panic!("x did not show tshark's hex:\n{s}"));
    assert!(
        screen.contains("0000000C  68 65 6c 6c 6f 20 74 68  65 72 65 0a"),
        "{screen}"
    );
    // The second line is node 1's echo, which frame 6 carried.
    keys(&tmux, &["g", "Down"]);
    tmux.wait_for("line 2 from frame 6")
        .unwrap_or_else(|s| panic!("the echo's line is not frame 6's:\n{s}"));
    keys(&tmux, &["Enter"]);
    tmux.wait_for("Frame 6:")
        .unwrap_or_else(|s| panic!("Enter did not go to frame 6:\n{s}"));
    keys(&tmux, &["q"]);
    tmux.wait_for("EXIT=0")
        .unwrap_or_else(|s| panic!("q did not end the program:\n{s}"));
}
