//! The screen drawn into a plain `Buffer`, as the terminal would show it,
//! at the sizes that matter: 80×24, wide, and too small to be useful.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::app::{App, Input, Key, Msg, Pane, SourceKind};
use crate::capture::file::FileSource;
use crate::capture::{FrameSource, Next};
use crate::frame::FrameRecord;

use super::{sync_viewport, view};

fn echo_frames() -> Vec<FrameRecord> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp4.pcap");
    let mut source = FileSource::open(path).expect("the sample capture opens");
    let mut frames = Vec::new();
    while let Ok(Next::Frame(f)) = source.next_frame() {
        frames.push(f);
    }
    frames
}

fn file_app() -> App {
    let mut app = App::new(
        SourceKind::File {
            path: "echo-tcp4.pcap".into(),
        },
        None,
    );
    app.update(Msg::Frames(echo_frames()));
    app.update(Msg::SourceEnded { warning: None });
    app
}

fn key(app: &mut App, k: Key) {
    app.update(Msg::Input(Input::Key(k)));
}

fn draw(app: &mut App, width: u16, height: u16) -> String {
    let area = Rect::new(0, 0, width, height);
    sync_viewport(app, area);
    let mut buf = Buffer::empty(area);
    view::render(app, area, &mut buf);
    text(&buf)
}

fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf.cell((x, y)).map_or(" ", |c| c.symbol()));
        }
        out.push('\n');
    }
    out
}

#[test]
fn at_80_by_24_every_pane_shows_the_selected_packet() {
    let mut app = file_app();
    draw(&mut app, 80, 24);
    key(&mut app, Key::Char('j'));
    key(&mut app, Key::Char('j'));
    key(&mut app, Key::Enter);
    let screen = draw(&mut app, 80, 24);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(
        lines[0].contains("1 Packets") && lines[0].contains("2 Flows"),
        "{screen}"
    );
    assert!(
        screen.contains("No.  Time") || screen.contains("No. Time"),
        "{screen}"
    );
    for column in ["Source", "Destination", "Protocol", "Info"] {
        assert!(
            screen.contains(column),
            "column {column} missing:\n{screen}"
        );
    }
    assert!(screen.contains("34554 → 36619 [SYN]"), "{screen}");
    assert!(screen.contains("▾ Frame 3: 66 bytes on wire"), "{screen}");
    assert!(
        screen.contains("[Frame Number: 3]"),
        "generated fields are bracketed:\n{screen}"
    );
    assert!(screen.contains("0000  00 00 00 00"), "{screen}");
    assert!(lines[22].contains("file echo-tcp4.pcap") && lines[22].contains("14/14 shown"));
    assert!(lines[23].starts_with("? help  q quit"), "{screen}");
}

#[test]
fn the_selected_row_is_highlighted_and_the_selected_field_bytes_are_lit() {
    let mut app = file_app();
    key(&mut app, Key::Tab);
    key(&mut app, Key::Down); // Ethernet heading: bytes 0..14
    let area = Rect::new(0, 0, 80, 24);
    let a = sync_viewport(&mut app, area);
    let mut buf = Buffer::empty(area);
    view::render(&app, area, &mut buf);
    let bytes = a.bytes.expect("the bytes pane fits at 80x24");
    let row = bytes.y + 1;
    let lit = |x: u16| buf.cell((x, row)).map(|c| c.bg);
    // "0000  " then byte 0 at column 6; byte 13 at 6 + 13*3; byte 14 after.
    assert_eq!(
        lit(6),
        Some(super::theme::HIGHLIGHT_BYTES.bg.expect("has a bg"))
    );
    assert_eq!(lit(6 + 13 * 3), lit(6));
    assert_ne!(lit(6 + 14 * 3), lit(6), "the IPv4 header is not lit");
}

#[test]
fn a_truncated_frame_shows_its_note_in_the_tree() {
    let mut frames = echo_frames();
    let mut short = frames.swap_remove(3);
    short.data.truncate(40);
    let mut app = App::new(SourceKind::File { path: "x".into() }, None);
    app.update(Msg::Frames(vec![short]));
    let screen = draw(&mut app, 100, 40);
    assert!(screen.contains("[note at byte 40"), "{screen}");
}

#[test]
fn tiny_and_odd_sizes_draw_without_panicking() {
    let mut app = file_app();
    key(&mut app, Key::Enter);
    for (w, h) in [
        (1, 1),
        (10, 3),
        (19, 30),
        (20, 4),
        (30, 6),
        (40, 9),
        (60, 14),
        (200, 60),
    ] {
        for focus in [Pane::List, Pane::Details, Pane::Bytes] {
            app.focus = focus;
            let screen = draw(&mut app, w, h);
            assert_eq!(screen.lines().count(), h as usize);
        }
    }
    assert!(
        draw(&mut app, 10, 3).contains("too"),
        "says the window is too small"
    );
}

#[test]
fn a_short_window_keeps_the_list_and_the_focused_pane() {
    let mut app = file_app();
    app.focus = Pane::Bytes;
    let screen = draw(&mut app, 80, 12);
    assert!(screen.contains(" Packets 14/14"), "{screen}");
    assert!(screen.contains(" Bytes 74"), "{screen}");
    assert!(!screen.contains(" Details "), "{screen}");
}

#[test]
fn the_help_overlay_lists_the_keys() {
    let mut app = file_app();
    key(&mut app, Key::Char('?'));
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("keys (any key closes)"), "{screen}");
    assert!(screen.contains("save displayed/all/marked"), "{screen}");
    assert!(screen.contains("go to frame 123"), "{screen}");
    assert!(
        screen.contains("suspend to the shell"),
        "every line fits:\n{screen}"
    );
}

#[test]
fn a_click_on_the_flows_tab_lands_on_the_row_drawn_there() {
    let mut app = file_app();
    key(&mut app, Key::Char('2'));
    let screen = draw(&mut app, 80, 24);
    let row = screen
        .lines()
        .position(|l| l.starts_with("tcp"))
        .expect("the conversation's row") as u16;
    let areas = sync_viewport(&mut app, Rect::new(0, 0, 80, 24));
    assert_eq!(areas.hit(10, row), Some((Pane::List, 0)));
    assert_eq!(areas.hit(10, row - 1), None, "the column header");
    assert_eq!(areas.hit(10, row - 2), None, "the title");
}

#[test]
fn the_flows_tab_lists_the_conversation_and_enter_narrows_the_packet_list_to_it() {
    let mut app = file_app();
    key(&mut app, Key::Char('2'));
    let screen = draw(&mut app, 80, 24);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(lines[1].contains("Flows 1"), "{screen}");
    for column in ["Proto", "Pkts A/B", "Bytes A/B", "State"] {
        assert!(lines[2].contains(column), "column {column}:\n{screen}");
    }
    assert!(lines[3].starts_with("tcp"), "{screen}");
    assert!(lines[3].contains("127.0.0.1:34554 *"), "{screen}");
    assert!(
        lines[3].contains("8/6") && lines[3].contains("572/440"),
        "{screen}"
    );
    assert!(lines[3].contains("CLOSED by FIN"), "{screen}");
    key(&mut app, Key::Enter);
    let screen = draw(&mut app, 160, 30);
    assert!(screen.contains("Packets 14/14"), "{screen}");
    assert!(
        screen.contains("flow: tcp 127.0.0.1:34554 ↔ 127.0.0.1:36619"),
        "{screen}"
    );
    key(&mut app, Key::Char('2'));
    assert!(
        draw(&mut app, 80, 24).contains("▶ tcp"),
        "the picked flow is marked"
    );
}

#[test]
fn the_flows_tab_names_a_conversations_process_once_the_capture_found_it() {
    let mut app = file_app();
    key(&mut app, Key::Char('2'));
    let screen = draw(&mut app, 120, 24);
    assert!(
        !screen.contains("Process"),
        "no process known yet:\n{screen}"
    );
    let flow = app.flows.rows[0].key;
    let process = crate::frame::Process {
        pid: 4242,
        command: "echo-client".into(),
        user: "alice".into(),
    };
    app.update(Msg::Processes(vec![(flow, std::sync::Arc::new(process))]));
    let screen = draw(&mut app, 120, 24);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(
        lines[2].contains("State") && lines[2].contains("Process"),
        "{screen}"
    );
    assert!(
        lines[3].contains("CLOSED by FIN") && lines[3].contains("4242 echo-client (alice)"),
        "{screen}"
    );
    // At 80 columns the start, the duration and the state give way to
    // the process.
    let narrow = draw(&mut app, 80, 24);
    assert!(narrow.contains("4242 echo-client"), "{narrow}");
}

#[test]
fn the_flows_tab_draws_only_the_window_of_rows_around_the_selection() {
    let mut app = App::new(SourceKind::File { path: "x".into() }, None);
    let echo = echo_frames();
    // 300 conversations: the SYN of the echo capture from 300 source ports.
    let frames: Vec<FrameRecord> = (0..300u16)
        .map(|i| {
            let mut f = echo[0].clone();
            f.data[34..36].copy_from_slice(&(20_000 + i).to_be_bytes());
            f
        })
        .collect();
    app.update(Msg::Frames(frames));
    key(&mut app, Key::Char('2'));
    draw(&mut app, 80, 24);
    key(&mut app, Key::End);
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("Flows 300"), "{screen}");
    assert!(screen.contains("127.0.0.1:20299"), "the last one: {screen}");
    assert!(
        !screen.contains("127.0.0.1:20000"),
        "not the first: {screen}"
    );
}

#[test]
fn the_encapsulation_tab_teaches_the_selected_packet_and_scrolls() {
    let mut app = file_app();
    for _ in 0..3 {
        key(&mut app, Key::Down);
    }
    key(&mut app, Key::Char('3'));
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("frame 4"), "{screen}");
    assert!(screen.contains("\"hello there\\n\""), "{screen}");
    assert!(screen.contains("┌─ Ethernet [0..78)"), "{screen}");
    assert!(
        !screen.contains("Destination Port"),
        "further down: {screen}"
    );
    let mut pages = 0;
    let found = loop {
        let screen = draw(&mut app, 80, 24);
        if screen.contains("Destination Port") {
            break screen;
        }
        assert!(pages < 40, "Destination Port never scrolled into view");
        key(&mut app, Key::PageDown);
        pages += 1;
    };
    assert!(pages > 0 && !found.contains("1. Headers inside headers"));
    for line in found.lines() {
        assert!(line.chars().count() <= 80);
    }
    // However far one scrolls, the text's last line stays at the bottom.
    for _ in 0..100 {
        key(&mut app, Key::PageDown);
    }
    let end = draw(&mut app, 80, 24);
    let lines: Vec<&str> = end.lines().collect();
    assert!(
        lines[21].contains("Nothing: every header is complete"),
        "{end}"
    );
    key(&mut app, Key::Home);
    assert!(draw(&mut app, 80, 24).contains("1. Headers inside headers"));
}

#[test]
fn the_status_bar_of_a_paused_replay_says_how_many_wait() {
    let mut app = App::new(
        SourceKind::Live {
            interface: "lo".into(),
        },
        None,
    );
    app.update(Msg::Frames(echo_frames()[..4].to_vec()));
    key(&mut app, Key::Char('p'));
    app.update(Msg::Frames(echo_frames()[4..].to_vec()));
    app.update(Msg::Drops {
        kernel: 3,
        wirepeek: 5,
    });
    let screen = draw(&mut app, 160, 30);
    assert!(screen.contains("live lo"), "{screen}");
    assert!(screen.contains("4/14 shown"), "{screen}");
    assert!(screen.contains("drops: kernel 3 wirepeek 5"), "{screen}");
    assert!(screen.contains("PAUSED, 10 waiting"), "{screen}");
}

#[test]
fn the_prompt_replaces_the_hint_line_and_shows_validation() {
    let mut app = file_app();
    key(&mut app, Key::Char('/'));
    key(&mut app, Key::Char('x'));
    let screen = draw(&mut app, 80, 24);
    let last = screen.lines().last().unwrap_or_default();
    assert!(last.starts_with("Display filter: x"), "{last}");
    assert!(last.contains("not available"), "{last}");
}

#[test]
fn drawing_through_a_test_backend_terminal_works_like_the_real_loop() {
    let mut app = file_app();
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("a test terminal");
    let area = Rect::new(0, 0, 80, 24);
    sync_viewport(&mut app, area);
    term.draw(|f| {
        view::render(&app, f.area(), f.buffer_mut());
    })
    .expect("draws");
    let screen = text(term.backend().buffer());
    assert!(screen.contains("Packets 14/14"), "{screen}");
}

#[test]
fn saving_writes_exactly_the_shown_frames_to_a_readable_pcap() {
    let app = file_app();
    let dir = std::env::temp_dir().join(format!("wirepeek-tui-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("shown.pcap").to_string_lossy().into_owned();
    let written = super::save::save(&app.store, &[1, 4, 9], &path, false).expect("saves");
    assert_eq!(written, 3);
    let mut back = FileSource::open(&path).expect("the saved file opens");
    let mut frames = Vec::new();
    while let Ok(Next::Frame(f)) = back.next_frame() {
        frames.push(f);
    }
    let original = echo_frames();
    assert_eq!(frames.len(), 3);
    for (saved, i) in frames.iter().zip([1, 4, 9]) {
        assert_eq!(saved.data, original[i].data);
        assert_eq!(saved.ts, original[i].ts);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_tcpdump_expression_keeps_the_frames_it_rejects_out_of_the_store() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp4.pcap");
    let filter = crate::filter::Filter::parse(Some("src port 34554"), None).expect("parses");
    let (tx, rx) = std::sync::mpsc::sync_channel(64);
    super::source::start_filtered(
        &super::SourceSpec::File { path: path.into() },
        Some(filter),
        tx,
        Arc::new(AtomicBool::new(false)),
        Arc::new(super::source::Drops::default()),
    )
    .expect("the capture opens");
    let mut app = App::new(SourceKind::File { path: path.into() }, None);
    for event in rx {
        if let super::Event::App(msg) = event {
            let end = matches!(msg, Msg::SourceEnded { .. } | Msg::SourceFailed(_));
            app.update(msg);
            if end {
                break;
            }
        }
    }
    let want: Vec<u64> = echo_frames()
        .iter()
        .filter(|f| {
            crate::decode::decode(f)
                .tuple
                .is_some_and(|t| t.src_port == 34554)
        })
        .map(|f| f.number)
        .collect();
    assert!(!want.is_empty() && want.len() < 14, "{want:?}");
    let got: Vec<u64> = (0..app.store.len())
        .filter_map(|i| app.store.frame(i).map(|f| f.number))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn the_status_bar_counts_the_frames_that_aged_out() {
    let mut app = App::new(
        SourceKind::File {
            path: "echo-tcp4.pcap".into(),
        },
        None,
    );
    app.set_max_packets(Some(5));
    app.update(Msg::Frames(echo_frames()));
    let screen = draw(&mut app, 100, 24);
    let status = screen.lines().nth(22).unwrap_or_default();
    assert!(status.contains("5/5 shown"), "{screen}");
    assert!(status.contains("9 aged out"), "{screen}");
    assert!(screen.contains("Packets 5/5"), "{screen}");
    assert!(
        screen.contains("Frame 10:"),
        "the oldest held frame is selected:\n{screen}"
    );
}

mod bugs;
mod columns;
mod graphs;
mod snapshots;
mod sort;
mod source;
mod stats;

#[test]
fn d_on_the_encapsulation_tab_toggles_the_rfc_header_diagrams() {
    let mut app = file_app();
    for _ in 0..3 {
        key(&mut app, Key::Down);
    }
    key(&mut app, Key::Char('3'));
    key(&mut app, Key::Char('d'));
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("frame 4 · header diagrams"), "{screen}");
    assert!(
        screen.contains(" 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1"),
        "{screen}"
    );
    assert!(
        screen.contains("|                          Destination                          |"),
        "{screen}"
    );
    // Scrolled to IPv4: its flags in their own bits (RFC 791), the same
    // text `explain --diagram` prints.
    let mut pages = 0;
    let found = loop {
        let screen = draw(&mut app, 80, 24);
        if screen.contains("|R|D|M|") {
            break screen;
        }
        assert!(pages < 10, "the IPv4 flags never scrolled into view");
        key(&mut app, Key::PageDown);
        pages += 1;
    };
    assert!(
        found.contains("|        Identification         |R|D|M|     Fragment Offset     |"),
        "{found}"
    );
    key(&mut app, Key::Char('d'));
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("frame 4 · lesson"), "{screen}");
    assert!(
        screen.contains("1. Headers inside headers"),
        "back at the top: {screen}"
    );
}
