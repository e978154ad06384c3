//! The model over a real capture (`captures/echo-tcp4.pcap`): the real
//! display filter, the Flows tab, the lesson, and a limited store aging
//! frames out.

use super::*;

/// The frames of `captures/echo-tcp4.pcap`.
pub(super) fn echo_frames() -> Vec<FrameRecord> {
    let frames = pcap_frames(include_bytes!("../../../captures/echo-tcp4.pcap"));
    assert_eq!(frames.len(), 14);
    frames
}

/// A capture's frames, read by hand (the model may not use the capture
/// module): a little-endian pcap with nanosecond times.
fn pcap_frames(file: &[u8]) -> Vec<FrameRecord> {
    let u32_at =
        |at: usize| u32::from_le_bytes([file[at], file[at + 1], file[at + 2], file[at + 3]]);
    assert_eq!(u32_at(0), 0xa1b2_3c4d, "a little-endian nanosecond pcap");
    let link = LinkType(u32_at(20) & 0xffff);
    let mut frames = Vec::new();
    let mut at = 24;
    while at + 16 <= file.len() {
        let len = u32_at(at + 8) as usize;
        frames.push(FrameRecord {
            number: frames.len() as u64 + 1,
            ts: Some(Timestamp {
                secs: i64::from(u32_at(at)),
                nanos: u32_at(at + 4),
            }),
            precision: TsPrecision::Nano,
            link,
            orig_len: u32_at(at + 12),
            iface: 0,
            data: file[at + 16..at + 16 + len].to_vec(),
        });
        at += 16 + len;
    }
    frames
}

pub(super) fn echo_app() -> App {
    file_app_with("echo-tcp4.pcap", Msg::Frames(echo_frames()))
}

/// An app browsing file `path` with the real display filter and a small
/// viewport, once `frames` (a message of frames) has arrived.
pub(super) fn file_app_with(path: &str, frames: Msg) -> App {
    let mut app = App::new(SourceKind::File { path: path.into() }, None);
    app.view.compiler = Some(filter::display_compiler());
    app.update(Msg::Viewport {
        list: 10,
        details: 8,
        bytes: 4,
    });
    app.update(frames);
    app
}

#[test]
fn the_real_display_filter_keeps_the_two_syns_and_a_bad_one_keeps_it_and_says_why() {
    let mut app = echo_app();
    assert_eq!(app.list.len(), 14);
    key(&mut app, Key::Char('/'));
    chars(&mut app, "tcp.flags.syn == 1");
    assert_eq!(app.prompt.as_ref().and_then(|p| p.error.clone()), None);
    key(&mut app, Key::Enter);
    assert_eq!(app.list.shown, vec![0, 1], "the SYN and the SYN-ACK");

    key(&mut app, Key::Char('/'));
    chars(&mut app, " &&");
    let error = app.prompt.as_ref().and_then(|p| p.error.clone());
    assert!(error.is_some(), "flagged while typing");
    key(&mut app, Key::Enter);
    assert_eq!(app.list.shown, vec![0, 1], "the old filter stays");
    assert_eq!(
        app.view.display.as_ref().map(|a| a.text.as_str()),
        Some("tcp.flags.syn == 1")
    );
    let notice = app.notice.as_ref().expect("the error is shown");
    assert!(notice.warn && notice.text.starts_with("filter not applied: "));
    assert!(notice.text.contains("column"), "{}", notice.text);

    // Fields a layer-only decode would not have: the payload's bytes.
    key(&mut app, Key::Char('/'));
    for _ in 0.."tcp.flags.syn == 1".len() {
        key(&mut app, Key::Backspace);
    }
    chars(&mut app, "tcp.len > 0");
    key(&mut app, Key::Enter);
    assert_eq!(
        app.list.shown,
        vec![3, 5, 7, 8, 9, 10],
        "the six data segments"
    );
}

#[test]
fn the_flow_table_grows_with_each_batch_and_counts_every_frame_once() {
    let mut app = live();
    let echo = echo_frames();
    app.update(Msg::Frames(echo[..7].to_vec()));
    assert_eq!(app.flows.ingested(), 7);
    assert_eq!(app.flows.rows.len(), 1);
    assert_eq!(app.flows.rows[0].total_packets(), 7);
    app.update(Msg::Frames(echo[7..].to_vec()));
    app.update(frames(0..3));
    assert_eq!(app.flows.ingested(), 17);
    let tcp = &app.flows.rows[0];
    assert_eq!(
        (tcp.packets, tcp.bytes),
        ([8, 6], [572, 440]),
        "as `wirepeek flows`"
    );
    assert_eq!(tcp.state_name(), "CLOSED by FIN");
    assert_eq!(app.flows.rows.len(), 4, "and one per UDP source port");
    assert_eq!(app.flows.label(0), "tcp 127.0.0.1:34554 ↔ 127.0.0.1:36619");
    // Refiltering looks frames up again but does not count them again.
    key(&mut app, Key::Char('p'));
    key(&mut app, Key::Char('p'));
    app.view.compiler = Some(filter::display_compiler());
    key(&mut app, Key::Char('/'));
    chars(&mut app, "udp");
    key(&mut app, Key::Enter);
    assert_eq!(app.list.len(), 3);
    assert_eq!(app.flows.rows[0].total_packets(), 14);
}

#[test]
fn a_paused_view_leaves_the_flow_table_where_the_list_is() {
    let mut app = live();
    app.update(frames(0..2));
    key(&mut app, Key::Char('p'));
    app.update(frames(2..5));
    assert_eq!(app.flows.rows.len(), 2);
    key(&mut app, Key::Char('p'));
    assert_eq!(app.flows.rows.len(), 5);
}

#[test]
fn enter_on_a_flow_shows_only_its_packets_and_esc_shows_all_again() {
    let mut app = live();
    app.update(frames(0..3));
    app.update(Msg::Frames(echo_frames()));
    app.update(frames(3..5));
    key(&mut app, Key::Char('2'));
    assert_eq!(app.flows.selected_row(), Some(0));
    key(&mut app, Key::Down);
    key(&mut app, Key::Down);
    key(&mut app, Key::Down);
    assert_eq!(app.flows.selected_row(), Some(3), "the TCP conversation");
    key(&mut app, Key::Enter);
    assert_eq!(app.tab, Tab::Packets);
    assert_eq!(
        app.view.flow.as_ref().map(|p| p.text.as_str()),
        Some("tcp 127.0.0.1:34554 ↔ 127.0.0.1:36619")
    );
    let echo: Vec<u32> = (3..17).collect();
    assert_eq!(app.list.shown, echo);
    // New packets of other flows stay out.
    app.update(frames(5..8));
    assert_eq!(app.list.len(), 14);
    // The display filter narrows the flow further.
    app.view.compiler = Some(filter::display_compiler());
    key(&mut app, Key::Char('/'));
    chars(&mut app, "tcp.flags.syn == 1");
    key(&mut app, Key::Enter);
    assert_eq!(app.list.shown, vec![3, 4]);
    key(&mut app, Key::Esc);
    assert!(app.view.flow.is_none());
    assert_eq!(app.list.len(), 2, "the display filter stays");
    key(&mut app, Key::Char('/'));
    for _ in 0..30 {
        key(&mut app, Key::Backspace);
    }
    key(&mut app, Key::Enter);
    assert_eq!(app.list.len(), 22);
}

#[test]
fn the_flows_tab_moves_its_own_selection_and_keeps_it_on_screen() {
    let mut app = live();
    app.update(frames(0..50));
    app.update(Msg::FlowRows(10));
    key(&mut app, Key::Char('2'));
    key(&mut app, Key::End);
    assert_eq!(app.flows.selected_row(), Some(49));
    assert_eq!(app.flows.list.visible(), 40..50);
    key(&mut app, Key::PageUp);
    assert_eq!(app.flows.selected_row(), Some(40));
    assert_eq!(app.list.selected, Some(49), "the packet list did not move");
    key(&mut app, Key::Char('1'));
    key(&mut app, Key::Char('k'));
    assert_eq!(app.list.selected, Some(48));
    assert_eq!(app.flows.selected_row(), Some(40));
}

#[test]
fn the_mouse_selects_and_scrolls_on_the_flows_and_encapsulation_tabs() {
    let mut app = echo_app();
    app.update(frames(0..50));
    app.update(Msg::FlowRows(10));
    key(&mut app, Key::Char('2'));
    key(&mut app, Key::End);
    let top = app.flows.list.visible().start;
    let click = |row| {
        Msg::Input(Input::Click {
            pane: Pane::List,
            row,
        })
    };
    app.update(click(3));
    assert_eq!(app.flows.list.selected, Some(top + 3));
    let wheel = |down| {
        Msg::Input(Input::Wheel {
            pane: Pane::List,
            down,
        })
    };
    app.update(wheel(false));
    assert_eq!(app.flows.list.selected, Some(top));
    let packet = app.list.selected;
    app.update(click(1));
    assert_eq!(app.list.selected, packet, "the packet list did not move");

    key(&mut app, Key::Char('3'));
    app.update(Msg::Lesson {
        lines: 100,
        height: 20,
    });
    app.update(wheel(true));
    assert_eq!(app.lesson.top, 3);
    app.update(wheel(false));
    assert_eq!(app.lesson.top, 0);
}

#[test]
fn the_lesson_scrolls_within_its_text_and_starts_over_for_a_new_packet() {
    let mut app = echo_app();
    key(&mut app, Key::Char('3'));
    app.update(Msg::Lesson {
        lines: 100,
        height: 20,
    });
    key(&mut app, Key::PageDown);
    assert_eq!(app.lesson.top, 19);
    key(&mut app, Key::Char('k'));
    assert_eq!(app.lesson.top, 18);
    key(&mut app, Key::End);
    assert_eq!(app.lesson.top, 80);
    key(&mut app, Key::Char('j'));
    assert_eq!(app.lesson.top, 80, "not past the end");
    app.update(Msg::Lesson {
        lines: 50,
        height: 20,
    });
    assert_eq!(app.lesson.top, 30, "a shorter text pulls it back");
    key(&mut app, Key::Char('1'));
    key(&mut app, Key::Char('j'));
    assert_eq!(app.lesson.top, 0);
}

#[test]
fn an_ipv6_conversation_is_named_with_bracketed_addresses() {
    let mut app = live();
    let frames = pcap_frames(include_bytes!("../../../captures/echo-tcp6.pcap"));
    app.update(Msg::Frames(frames));
    let label = app.flows.label(0);
    assert!(label.starts_with("tcp [::1]:"), "{label}");
    assert!(label.contains(" ↔ [::1]:"), "{label}");
}

fn live_limited(max: usize) -> App {
    let mut app = live();
    app.set_max_packets(Some(max));
    app
}

#[test]
fn a_store_fed_ten_times_its_limit_keeps_only_the_newest_frames() {
    let mut app = live_limited(100);
    for start in (0..1000).step_by(37) {
        app.update(frames(start..(start + 37).min(1000)));
        assert!(app.store.held() <= 100);
        // Bounded memory: the frames held plus at most one spare chunk.
        assert!(
            app.store.allocated() <= 2 * (8 << 20),
            "{}",
            app.store.allocated()
        );
    }
    assert_eq!(app.store.held(), 100);
    assert_eq!(app.aged_out(), 900);
    assert_eq!(app.list.len(), 100);
    let first = app.list.shown[0] as usize;
    assert_eq!(app.store.frame(first).map(|f| f.number), Some(901));
    assert_eq!(app.flows.ingested(), 1000);
    assert!(
        app.flows.row_of(first).is_some(),
        "held frames keep their flow"
    );
    assert_eq!(
        app.flows.row_of(first - 1),
        None,
        "aged-out frames are forgotten"
    );
}

#[test]
fn a_following_view_stays_at_the_bottom_as_frames_age_out() {
    let mut app = live_limited(20);
    app.update(frames(0..50));
    assert!(app.list.follow);
    assert_eq!(app.list.selected, Some(19));
    assert_eq!(app.list.selected_frame(), Some(49));
    assert_eq!(app.details.frame.number, 50);
    assert_eq!(app.list.visible(), 10..20);
}

#[test]
fn a_view_scrolled_up_keeps_its_packet_until_it_ages_out() {
    let mut app = live_limited(20);
    app.update(frames(0..20));
    for _ in 0..5 {
        key(&mut app, Key::Char('k'));
    }
    assert_eq!(app.list.selected_frame(), Some(14));
    app.update(frames(20..30));
    assert_eq!(
        app.list.selected_frame(),
        Some(14),
        "still held: still selected"
    );
    assert_eq!(app.details.frame_index, Some(14));
    app.update(frames(30..40));
    // Frame 14 aged out: the oldest remaining frame is selected instead.
    assert_eq!(app.list.selected_frame(), Some(20));
    assert_eq!(app.details.frame_index, Some(20));
    assert_eq!(app.details.frame.number, 21);
}

#[test]
fn a_filtered_view_drops_rows_whose_frames_aged_out() {
    let mut app = live_limited(10);
    app.view.compiler = Some(Box::new(port_filter));
    key(&mut app, Key::Char('/'));
    chars(&mut app, "udp.srcport == 1005");
    key(&mut app, Key::Enter);
    app.update(frames(0..10));
    assert_eq!(app.list.shown, vec![5]);
    app.update(frames(10..15));
    assert_eq!(app.list.shown, vec![5], "frame 5 is still held");
    app.update(frames(15..16));
    assert!(app.list.is_empty());
    assert_eq!(app.list.selected, None);
    assert_eq!(app.details.frame_index, None);
}

#[test]
fn a_paused_view_still_drops_rows_whose_frames_aged_out() {
    let mut app = live_limited(10);
    app.update(frames(0..10));
    key(&mut app, Key::Char('p'));
    assert!(app.paused);
    app.update(frames(10..25));
    assert_eq!(app.list.len(), 0);
    key(&mut app, Key::Char('p'));
    assert_eq!(app.list.shown, (15..25).collect::<Vec<u32>>());
}

#[test]
fn a_limited_replay_releases_only_the_frames_still_held() {
    let mut app = App::new(SourceKind::Replay { path: "x".into() }, Some(1.0));
    app.set_max_packets(Some(4));
    app.update(Msg::Tick(0));
    app.update(frames(0..10));
    app.update(Msg::Tick(10 * SEC));
    assert_eq!(app.list.shown, vec![6, 7, 8, 9]);
    assert_eq!(app.available(), 10);
}
