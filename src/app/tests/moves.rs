//! Moves through a capture: `:N`, Ctrl-F (string, hex, filter) with n/N,
//! marks, the time reference, a field applied as the filter, copying.

use super::echo::{echo_app, echo_frames};
use super::*;

fn select_number(app: &App) -> Option<u64> {
    app.list.selected_frame().and_then(|i| app.store.number(i))
}

#[test]
fn colon_number_goes_to_that_frame_and_says_when_it_is_not_shown() {
    let mut app = echo_app();
    key(&mut app, Key::Char(':'));
    chars(&mut app, "9");
    key(&mut app, Key::Enter);
    assert_eq!(select_number(&app), Some(9));
    assert_eq!(app.details.frame.number, 9);
    // Only the packets with data: frame 5 is not shown, 6 is the next.
    app.apply_filter("tcp.len > 0");
    key(&mut app, Key::Char(':'));
    chars(&mut app, "5");
    key(&mut app, Key::Enter);
    assert_eq!(select_number(&app), Some(6));
    let notice = app
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert_eq!(notice, "frame 5 is not shown; at frame 6");
    key(&mut app, Key::Char(':'));
    chars(&mut app, "x");
    key(&mut app, Key::Enter);
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.warn && n.text.contains(":123"))
    );
    // ↑ brings back the last command.
    key(&mut app, Key::Char(':'));
    key(&mut app, Key::Up);
    assert_eq!(app.prompt.as_ref().map(|p| p.text.as_str()), Some("x"));
}

#[test]
fn ctrl_f_finds_a_string_then_n_and_shift_n_walk_its_matches() {
    let mut app = echo_app();
    // The frames whose bytes hold "hello", found by a plain scan.
    let has = |f: &FrameRecord| f.data.windows(5).any(|w| w == b"hello");
    let want: Vec<u64> = echo_frames()
        .iter()
        .filter(|f| has(f))
        .map(|f| f.number)
        .collect();
    assert!(want.len() > 2 && want[0] > 1, "{want:?}");
    key(&mut app, Key::Ctrl('f'));
    chars(&mut app, "hello");
    key(&mut app, Key::Enter);
    assert_eq!(select_number(&app), Some(want[0]));
    for &n in &want[1..] {
        key(&mut app, Key::Char('n'));
        assert_eq!(select_number(&app), Some(n));
    }
    key(&mut app, Key::Char('n'));
    assert_eq!(select_number(&app), Some(want[0]), "wraps");
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("wrapped"))
    );
    key(&mut app, Key::Char('N'));
    assert_eq!(select_number(&app), want.last().copied(), "back, wrapping");
}

#[test]
fn ctrl_f_finds_hex_bytes_and_display_filters_and_says_when_nothing_matches() {
    let mut app = echo_app();
    // "hello" as hex, the second kind (Tab).
    key(&mut app, Key::Ctrl('f'));
    key(&mut app, Key::Tab);
    chars(&mut app, "68 65 6c 6c 6f");
    key(&mut app, Key::Enter);
    let first_hello = select_number(&app);
    assert!(first_hello.is_some_and(|n| n > 1));
    // A display filter, the third kind: the server's SYN-ACK is frame 2.
    key(&mut app, Key::Char('g'));
    key(&mut app, Key::Ctrl('f'));
    key(&mut app, Key::Tab);
    chars(&mut app, "tcp.flags.syn == 1 && tcp.flags.ack == 1");
    key(&mut app, Key::Enter);
    assert_eq!(select_number(&app), Some(2));
    // Tab from the filter kind back to strings.
    key(&mut app, Key::Ctrl('f'));
    key(&mut app, Key::Tab);
    chars(&mut app, "no such bytes");
    key(&mut app, Key::Enter);
    assert_eq!(select_number(&app), Some(2), "stays");
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.warn && n.text.contains("not found"))
    );
    key(&mut app, Key::Ctrl('f'));
    key(&mut app, Key::Tab);
    chars(&mut app, "abc");
    key(&mut app, Key::Enter);
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("not hex bytes"))
    );
}

#[test]
fn m_marks_and_the_brackets_jump_between_marks() {
    let mut app = echo_app();
    for n in [3, 7, 12] {
        key(&mut app, Key::Char(':'));
        chars(&mut app, &n.to_string());
        key(&mut app, Key::Enter);
        key(&mut app, Key::Char('m'));
    }
    assert_eq!(app.marks.len(), 3);
    key(&mut app, Key::Char('g'));
    key(&mut app, Key::Char(']'));
    assert_eq!(select_number(&app), Some(3));
    key(&mut app, Key::Char(']'));
    assert_eq!(select_number(&app), Some(7));
    key(&mut app, Key::Char(']'));
    key(&mut app, Key::Char(']'));
    assert_eq!(select_number(&app), Some(12), "no mark after the last");
    key(&mut app, Key::Char('['));
    assert_eq!(select_number(&app), Some(7));
    key(&mut app, Key::Char('m'));
    assert_eq!(app.marks.len(), 2, "m again unmarks");
    app.save_scope = SaveScope::Marked;
    assert_eq!(app.save_frames(), vec![2, 11]);
}

#[test]
fn ctrl_t_sets_the_time_reference_and_again_clears_it() {
    let mut app = echo_app();
    key(&mut app, Key::Char(':'));
    chars(&mut app, "4");
    key(&mut app, Key::Enter);
    key(&mut app, Key::Ctrl('t'));
    assert_eq!(app.time_ref, Some(3));
    key(&mut app, Key::Ctrl('t'));
    assert_eq!(app.time_ref, None);
}

#[test]
fn a_selects_the_field_as_the_filter_and_shift_a_ands_it() {
    let mut app = echo_app();
    // Frame 4's details: open every layer, then the TCP source port.
    key(&mut app, Key::Char(':'));
    chars(&mut app, "4");
    key(&mut app, Key::Enter);
    key(&mut app, Key::Enter);
    app.focus = Pane::Details;
    let row = app.details.rows.iter().position(|r| {
        matches!(r, TreeRow::Field(_, f) if app.details.dissection.fields[*f].key == "tcp.srcport")
    });
    app.details.cursor = row.expect("tcp.srcport is in the tree");
    key(&mut app, Key::Char('a'));
    assert_eq!(
        app.view.display.as_ref().map(|a| a.text.as_str()),
        Some("tcp.srcport == 34554")
    );
    assert_eq!(app.list.len(), 8, "the client's packets");
    let Some(Effect::Copy(value)) = key(&mut app, Key::Char('y')) else {
        panic!("y copies");
    };
    assert_eq!(value, "34554");
}
