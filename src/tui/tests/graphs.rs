//! The Graphs tab (`6`) at 80×24, compared with reviewed text in
//! `tests/snapshots/tui/` (`WIREPEEK_BLESS=1` rewrites them), and the
//! colours of the TCP stream graph's marks, which plain text loses.
use super::*;
use ratatui::style::Color;
use std::path::PathBuf;

fn screen(app: &mut App) -> (String, Buffer) {
    let area = Rect::new(0, 0, 80, 24);
    sync_viewport(app, area);
    app.graph_finish();
    let mut buf = Buffer::empty(area);
    view::render(app, area, &mut buf);
    (text(&buf), buf)
}

fn check(name: &str, got: &str) {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests/snapshots/tui"]
        .iter()
        .collect::<PathBuf>()
        .join(format!("{name}.txt"));
    if std::env::var_os("WIREPEEK_BLESS").is_some() {
        std::fs::write(&path, got).expect("write snapshot");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with WIREPEEK_BLESS=1 to create it",
            path.display()
        )
    });
    assert!(
        got == want,
        "screen {name} differs from {}:\n{got}",
        path.display()
    );
}

fn app_of(path: &str) -> App {
    let mut source = FileSource::open(path).expect("the capture opens");
    let mut frames = Vec::new();
    while let Ok(Next::Frame(f)) = source.next_frame() {
        frames.push(f);
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_string();
    let mut app = App::new(SourceKind::File { path: name }, None);
    app.update(Msg::Frames(frames));
    app.update(Msg::SourceEnded { warning: None });
    app
}

/// Crafted in `tests/fixtures/tcp-analysis/make.py`: a handshake, then
/// 100 bytes, a gap (frame 5 starts at 201), the missing segment out of
/// order (frame 6) and again as a retransmission (frame 7).
const GAPPY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/tcp-analysis/C_ooo_irtt.pcap"
);

#[test]
fn the_io_graph_of_the_echo_capture_matches_its_snapshot() {
    let mut app = file_app();
    key(&mut app, Key::Char('6'));
    let (got, _) = screen(&mut app);
    check("graph-io", &got);
    // 14 frames, 1 ms bins from the first packet.
    assert!(got.contains("14 packets"), "{got}");
    assert!(got.contains("time from the first packet"), "{got}");
}

#[test]
fn the_io_graph_in_bytes_with_a_filter_counts_only_what_the_filter_shows() {
    let mut app = file_app();
    app.view.compiler = Some(crate::app::filter::display_compiler());
    key(&mut app, Key::Char('/'));
    for c in "tcp.len > 0".chars() {
        key(&mut app, Key::Char(c));
    }
    key(&mut app, Key::Enter);
    key(&mut app, Key::Char('6'));
    key(&mut app, Key::Char('b'));
    let (got, _) = screen(&mut app);
    assert!(got.contains("packets shown by filter tcp.len > 0"), "{got}");
    assert!(got.contains("bytes/s"), "{got}");
    let shown = app.list.shown.len() as u64;
    let counted: u64 = app.graph.io.bins.iter().map(|b| b.frames).sum();
    assert_eq!(counted, shown);
    assert!(shown < 14, "the filter keeps some frames out");
}

#[test]
fn the_tcp_stream_graph_marks_the_gap_the_out_of_order_and_the_retransmission() {
    let mut app = app_of(GAPPY);
    key(&mut app, Key::Char('j'));
    key(&mut app, Key::Char('6'));
    key(&mut app, Key::Char('t'));
    let (got, buf) = screen(&mut app);
    check("graph-tcp", &got);
    assert!(got.contains("rel seq"), "{got}");
    assert!(
        got.contains("time from the conversation's first packet"),
        "{got}"
    );
    assert!(
        got.contains("1 retransmitted") && got.contains("1 out of order"),
        "{got}"
    );
    assert!(got.contains("1 gap, 100 B missing"), "{got}");
    // Each mark is drawn in its colour inside the plot (rows 2..=18).
    let inside = |c: Color| {
        (2..19).any(|y| (10..80).any(|x| buf.cell((x, y)).is_some_and(|cell| cell.fg == c)))
    };
    for c in [
        Color::LightBlue,
        Color::Rgb(0xf7, 0x87, 0x87),
        Color::Yellow,
        Color::LightRed,
        Color::LightGreen,
    ] {
        assert!(inside(c), "no {c:?} in the plot:\n{got}");
    }
}

#[test]
fn d_switches_the_direction_and_a_udp_packet_gets_a_reason() {
    let mut app = app_of(GAPPY);
    key(&mut app, Key::Char('6'));
    key(&mut app, Key::Char('t'));
    let (before, _) = screen(&mut app);
    assert!(before.contains("10.0.0.1:40000 → 10.0.0.2:80"), "{before}");
    key(&mut app, Key::Char('d'));
    let (after, _) = screen(&mut app);
    assert!(after.contains("10.0.0.2:80 → 10.0.0.1:40000"), "{after}");
    assert!(after.contains("0 segments"), "{after}");

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-udp4.pcap");
    let mut app = app_of(path);
    key(&mut app, Key::Char('6'));
    key(&mut app, Key::Char('t'));
    let notice = app.notice.as_ref().map(|n| n.text.clone());
    assert_eq!(notice.as_deref(), Some("t graphs TCP conversations only"));
    let (got, _) = screen(&mut app);
    assert!(got.contains("Select a TCP packet"), "{got}");
}

#[test]
fn frames_out_of_time_order_are_counted_and_said_and_minus_stops_at_the_bin_limit() {
    let mut frames = echo_frames();
    // One frame a year late, one a second before the first.
    frames[13].ts.as_mut().expect("timed").secs += 365 * 86_400;
    frames[5].ts.as_mut().expect("timed").secs -= 1;
    let mut app = App::new(SourceKind::File { path: "x".into() }, None);
    app.update(Msg::Frames(frames));
    key(&mut app, Key::Char('6'));
    let (got, _) = screen(&mut app);
    assert!(got.contains("1 d intervals (fit)"), "{got}");
    assert!(
        got.contains("1 before the first packet, in interval 1"),
        "{got}"
    );
    let counted: u64 = app.graph.io.bins.iter().map(|b| b.frames).sum();
    assert_eq!(counted, 14);
    // 1 d, 6 h, 1 h, 30 min, 10 min: a year in 10 min bins is 52,561 of
    // them; in 5 min bins, over 100,000.
    for _ in 0..4 {
        key(&mut app, Key::Char('-'));
    }
    assert_eq!(
        crate::app::graph::io::step_name(app.graph.io.step_ns()),
        "10 min"
    );
    key(&mut app, Key::Char('-'));
    let notice = app.notice.as_ref().map_or("", |n| n.text.as_str());
    assert!(notice.contains("needs 105121 bins"), "{notice}");
    assert_eq!(
        crate::app::graph::io::step_name(app.graph.io.step_ns()),
        "10 min"
    );
    let (got, _) = screen(&mut app);
    assert!(got.contains("14 packets, 1012 bytes, 52561 bins"), "{got}");
    // Scrolled to the end: the x axis runs from bin 52490 to the last.
    key(&mut app, Key::End);
    let (got, _) = screen(&mut app);
    assert!(got.contains("364.5 d") && got.contains("365.0 d"), "{got}");
}

#[test]
fn frames_arriving_later_are_added_to_the_count_and_a_new_filter_recounts() {
    let frames = echo_frames();
    let mut app = App::new(SourceKind::File { path: "x".into() }, None);
    app.view.compiler = Some(crate::app::filter::display_compiler());
    app.update(Msg::Frames(frames[..6].to_vec()));
    key(&mut app, Key::Char('6'));
    app.graph.io.auto = false;
    screen(&mut app);
    assert_eq!(app.graph.io.done, 6);
    app.update(Msg::Frames(frames[6..].to_vec()));
    assert!(app.graph_pending());
    let (got, _) = screen(&mut app);
    assert!(got.contains("14 packets, 1012 bytes"), "{got}");
    key(&mut app, Key::Char('/'));
    for c in "tcp.len > 0".chars() {
        key(&mut app, Key::Char(c));
    }
    key(&mut app, Key::Enter);
    let (got, _) = screen(&mut app);
    let shown = app.list.shown.len();
    assert!(got.contains(&format!("{shown} packets,")), "{got}");
}
