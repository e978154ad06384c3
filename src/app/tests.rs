//! The model driven the way the TUI drives it: messages in, state out.

use super::*;
use crate::decode::Proto;
use crate::frame::{LinkType, Timestamp, TsPrecision};

const SEC: u64 = 1_000_000_000;

/// An Ethernet + IPv4 + UDP frame from port `sport`, `ms` milliseconds in.
fn udp_frame(number: u64, sport: u16, ms: i64) -> FrameRecord {
    let mut data = vec![
        0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, // Ethernet, IPv4
        0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, // IPv4: len 32, TTL 64, UDP
        10, 0, 0, 1, 10, 0, 0, 2, // 10.0.0.1 > 10.0.0.2
    ];
    data.extend_from_slice(&sport.to_be_bytes());
    data.extend_from_slice(&[0x00, 0x35, 0, 12, 0, 0]); // to 53, len 12, no checksum
    data.extend_from_slice(b"ping");
    FrameRecord::ethernet_at_ms(number, ms, data)
}

fn frames(range: std::ops::Range<u64>) -> Msg {
    Msg::Frames(
        range
            .map(|n| udp_frame(n + 1, 1000 + n as u16, n as i64 * 100))
            .collect(),
    )
}

fn key(app: &mut App, k: Key) -> Option<Effect> {
    app.update(Msg::Input(Input::Key(k)))
}

fn chars(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, Key::Char(c));
    }
}

fn live() -> App {
    let mut app = App::new(
        SourceKind::Live {
            interface: "lo".into(),
        },
        None,
    );
    app.update(Msg::Viewport {
        list: 10,
        details: 8,
        bytes: 4,
    });
    app
}

#[test]
fn a_live_view_follows_new_packets_while_at_the_bottom() {
    let mut app = live();
    app.update(frames(0..50));
    assert_eq!(app.list.selected, Some(49));
    app.update(frames(50..60));
    assert_eq!(app.list.selected, Some(59));
    assert_eq!(app.details.frame_index, Some(59), "details show the newest");
}

#[test]
fn a_view_scrolled_up_stays_on_its_packet_as_more_arrive() {
    let mut app = live();
    app.update(frames(0..50));
    key(&mut app, Key::Char('k'));
    key(&mut app, Key::Char('k'));
    app.update(frames(50..60));
    assert_eq!(app.list.selected, Some(47));
    assert!(!app.list.follow);
    key(&mut app, Key::Char('f'));
    assert_eq!(app.list.selected, Some(59), "f jumps back and follows");
    app.update(frames(60..61));
    assert_eq!(app.list.selected, Some(60));
}

#[test]
fn a_file_opens_at_its_first_packet_and_g_jumps_to_either_end() {
    let mut app = App::new(SourceKind::File { path: "x".into() }, None);
    app.update(frames(0..30));
    assert_eq!(app.list.selected, Some(0));
    key(&mut app, Key::Char('G'));
    assert_eq!(app.list.selected, Some(29));
    key(&mut app, Key::Char('g'));
    assert_eq!(app.list.selected, Some(0));
    key(&mut app, Key::PageDown);
    assert!(app.list.selected > Some(0));
}

#[test]
fn pausing_queues_new_packets_and_resuming_shows_them() {
    let mut app = live();
    app.update(frames(0..5));
    key(&mut app, Key::Char('p'));
    app.update(frames(5..12));
    assert_eq!(app.list.len(), 5);
    assert_eq!(app.waiting(), 7);
    assert_eq!(app.store.len(), 12, "capture goes on while paused");
    key(&mut app, Key::Char('p'));
    assert_eq!(app.list.len(), 12);
    assert_eq!(app.waiting(), 0);
}

#[test]
fn enter_on_the_list_expands_every_layer_and_again_collapses_them() {
    let mut app = live();
    app.update(frames(0..3));
    let collapsed = app.details.rows.len();
    assert!(
        app.details
            .rows
            .iter()
            .all(|r| !matches!(r, TreeRow::Field(..)))
    );
    key(&mut app, Key::Enter);
    assert!(app.details.rows.len() > collapsed);
    assert!(
        app.details
            .rows
            .iter()
            .any(|r| matches!(r, TreeRow::Field(..)))
    );
    key(&mut app, Key::Char(' '));
    assert_eq!(app.details.rows.len(), collapsed);
}

#[test]
fn enter_in_the_details_toggles_the_layer_under_the_cursor_and_highlights_its_bytes() {
    let mut app = live();
    app.update(frames(0..3));
    key(&mut app, Key::Tab);
    assert_eq!(app.focus, Pane::Details);
    // Rows: Frame, Ethernet, IPv4, UDP, Data. Go to IPv4.
    key(&mut app, Key::Down);
    key(&mut app, Key::Down);
    let ip = app.details.rows[app.details.cursor];
    assert_eq!(app.details.dissection.layers[ip.layer()].proto, Proto::Ipv4);
    assert_eq!(app.details.highlight(), Some(14..34));
    key(&mut app, Key::Enter);
    assert!(app.details.is_expanded(ip.layer()));
    key(&mut app, Key::Down);
    let TreeRow::Field(_, f) = app.details.rows[app.details.cursor] else {
        panic!("the row below an open layer is its first field");
    };
    assert_eq!(app.details.dissection.fields[f].key, "ip.version");
    assert_eq!(app.details.highlight(), Some(14..15));
    // Enter on a field closes its layer and returns to the heading.
    key(&mut app, Key::Enter);
    assert!(!app.details.is_expanded(ip.layer()));
    assert_eq!(
        app.details.rows[app.details.cursor],
        TreeRow::Layer(ip.layer())
    );
}

#[test]
fn an_open_protocol_stays_open_on_the_next_packet() {
    let mut app = live();
    app.update(frames(0..3));
    key(&mut app, Key::Enter);
    let rows = app.details.rows.len();
    key(&mut app, Key::Up);
    assert_eq!(app.details.frame_index, Some(1));
    assert_eq!(app.details.rows.len(), rows);
}

#[test]
fn t_cycles_relative_absolute_and_delta_time() {
    let mut app = live();
    assert_eq!(app.time, TimeMode::Relative);
    key(&mut app, Key::Char('t'));
    assert_eq!(app.time, TimeMode::Absolute);
    key(&mut app, Key::Char('t'));
    assert_eq!(app.time, TimeMode::Delta);
    key(&mut app, Key::Char('t'));
    assert_eq!(app.time, TimeMode::Relative);
}

fn replay(speed: f64) -> App {
    let mut app = App::new(SourceKind::Replay { path: "x".into() }, Some(speed));
    app.update(Msg::Tick(0));
    // Ten frames, 100 ms apart.
    app.update(frames(0..10));
    app
}

#[test]
fn a_replay_releases_packets_at_their_original_pace_times_the_speed() {
    let mut app = replay(1.0);
    assert_eq!(app.list.len(), 1, "the first packet goes out at once");
    app.update(Msg::Tick(SEC / 4));
    assert_eq!(app.list.len(), 3, "0, 100 and 200 ms");
    let mut fast = replay(4.0);
    fast.update(Msg::Tick(SEC / 4));
    assert_eq!(fast.list.len(), 10, "a second of capture in 250 ms");
}

#[test]
fn plus_doubles_the_replay_speed_from_where_it_is() {
    let mut app = replay(1.0);
    app.update(Msg::Tick(SEC / 4));
    key(&mut app, Key::Char('+'));
    assert_eq!(app.replay.as_ref().map(|r| r.speed), Some(2.0));
    // 250 ms more at ×2 is 500 ms of capture: up to 750 ms.
    app.update(Msg::Tick(SEC / 2));
    assert_eq!(app.list.len(), 8);
    key(&mut app, Key::Char('-'));
    key(&mut app, Key::Char('-'));
    assert_eq!(app.replay.as_ref().map(|r| r.speed), Some(0.5));
}

#[test]
fn n_and_shift_n_step_a_replay_one_packet_at_a_time() {
    let mut app = replay(1.0);
    key(&mut app, Key::Char('n'));
    assert_eq!(app.list.len(), 2);
    // Stepping: time no longer releases packets.
    app.update(Msg::Tick(5 * SEC));
    assert_eq!(app.list.len(), 2);
    key(&mut app, Key::Char('n'));
    key(&mut app, Key::Char('n'));
    assert_eq!(app.list.len(), 4);
    key(&mut app, Key::Char('N'));
    assert_eq!(app.list.len(), 3);
    assert_eq!(app.list.selected, Some(2));
    // p resumes from packet 3 (200 ms): 300 ms later, two more are out.
    key(&mut app, Key::Char('p'));
    app.update(Msg::Tick(5 * SEC + 3 * SEC / 10));
    assert_eq!(app.list.len(), 6);
}

#[test]
fn n_outside_a_replay_without_a_search_says_what_finds() {
    let mut app = live();
    key(&mut app, Key::Char('n'));
    let notice = app.notice.as_ref().map(|n| n.text.as_str());
    assert!(notice.is_some_and(|t| t.contains("Ctrl-F")), "{notice:?}");
}

fn port_filter(text: &str) -> Result<Box<dyn PacketFilter>, String> {
    let port: u16 = text
        .strip_prefix("udp.srcport == ")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("cannot read {text:?}"))?;
    Ok(Box::new(move |_: &FrameRecord, d: &Dissection| {
        d.tuple.is_some_and(|t| t.src_port == port)
    }))
}

#[test]
fn a_display_filter_from_the_compiler_narrows_the_list_and_a_bad_one_keeps_it() {
    let mut app = live();
    app.view.compiler = Some(Box::new(port_filter));
    app.update(frames(0..20));
    key(&mut app, Key::Char('/'));
    chars(&mut app, "udp.srcport == 100");
    assert!(app.prompt.as_ref().is_some_and(|p| p.error.is_none()));
    chars(&mut app, "5");
    key(&mut app, Key::Enter);
    assert_eq!(app.list.len(), 1);
    assert_eq!(app.list.selected_frame(), Some(5));
    // New packets are filtered as they arrive.
    app.update(frames(20..30));
    assert_eq!(app.list.len(), 1);
    // A bad filter is flagged while typing and refused on Enter.
    key(&mut app, Key::Char('/'));
    chars(&mut app, "x");
    assert!(app.prompt.as_ref().is_some_and(|p| p.error.is_some()));
    key(&mut app, Key::Enter);
    assert_eq!(app.list.len(), 1);
    assert!(app.notice.as_ref().is_some_and(|n| n.warn));
    assert_eq!(
        app.view.display.as_ref().map(|a| a.text.as_str()),
        Some("udp.srcport == 1005")
    );
}

#[test]
fn without_a_filter_compiler_slash_says_filters_are_not_in_this_build() {
    let mut app = live();
    key(&mut app, Key::Char('/'));
    chars(&mut app, "tcp");
    let error = app.prompt.as_ref().and_then(|p| p.error.clone());
    assert!(error.is_some_and(|e| e.contains("not available")));
}

#[test]
fn s_prompts_for_a_path_and_asks_to_save_the_shown_packets() {
    let mut app = live();
    app.update(frames(0..4));
    key(&mut app, Key::Char('s'));
    for _ in 0.."wirepeek-saved.pcap".len() {
        key(&mut app, Key::Backspace);
    }
    chars(&mut app, "/tmp/out.pcap");
    let effect = key(&mut app, Key::Enter);
    assert_eq!(
        effect,
        Some(Effect::Save {
            path: "/tmp/out.pcap".into(),
            frames: vec![0, 1, 2, 3],
            replace: false,
        })
    );
    app.update(Msg::Saved {
        path: "/tmp/out.pcap".into(),
        count: 4,
    });
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("wrote 4 packets"))
    );
}

#[test]
fn q_in_a_prompt_is_text_but_ctrl_c_always_quits() {
    let mut app = live();
    key(&mut app, Key::Char('s'));
    assert_eq!(key(&mut app, Key::Char('q')), None);
    assert_eq!(key(&mut app, Key::Ctrl('c')), Some(Effect::Quit));
    assert!(app.quit);
}

#[test]
fn ctrl_z_asks_to_suspend_even_in_a_prompt_and_changes_nothing() {
    let mut app = live();
    assert_eq!(key(&mut app, Key::Ctrl('z')), Some(Effect::Suspend));
    key(&mut app, Key::Char('/'));
    assert_eq!(key(&mut app, Key::Ctrl('z')), Some(Effect::Suspend));
    assert!(
        app.prompt.is_some(),
        "the filter prompt is still open after fg"
    );
    assert!(!app.quit);
}

#[test]
fn the_help_overlay_closes_on_any_key_without_acting_on_it() {
    let mut app = live();
    key(&mut app, Key::Char('?'));
    assert!(app.help);
    assert_eq!(key(&mut app, Key::Char('q')), None);
    assert!(!app.help && !app.quit);
    assert_eq!(key(&mut app, Key::Char('q')), Some(Effect::Quit));
}

#[test]
fn a_click_selects_the_row_and_focuses_its_pane() {
    let mut app = live();
    app.update(frames(0..30));
    app.update(Msg::Input(Input::Click {
        pane: Pane::List,
        row: 2,
    }));
    assert_eq!(app.list.selected, Some(22));
    app.update(Msg::Input(Input::Wheel {
        pane: Pane::List,
        down: false,
    }));
    assert_eq!(app.list.selected, Some(19));
}

#[test]
fn the_rate_counts_packets_over_the_last_second() {
    let mut app = live();
    app.update(Msg::Tick(0));
    app.update(frames(0..500));
    app.update(Msg::Tick(2 * SEC));
    assert_eq!(app.counters.rate, 250.0);
}

#[test]
fn scrolling_the_bytes_pane_sticks_until_the_selection_changes() {
    let mut app = live();
    app.update(frames(0..3));
    key(&mut app, Key::Tab);
    key(&mut app, Key::Tab);
    assert_eq!(app.focus, Pane::Bytes);
    assert_eq!(app.hex_scroll, None, "follows the highlight at first");
    key(&mut app, Key::Down);
    assert_eq!(app.hex_scroll, Some(1));
    key(&mut app, Key::Char('G'));
    assert_eq!(
        app.hex_scroll,
        Some(2),
        "46 bytes: the last row starts at 32"
    );
    key(&mut app, Key::BackTab);
    key(&mut app, Key::Down);
    assert_eq!(
        app.hex_scroll, None,
        "a new cursor row brings its bytes back"
    );
}

mod echo;
mod follow;
mod moves;
mod search;
mod sort;
