//! The sort job on `captures/echo-tcp4.pcap`: lengths against tshark's
//! (pasted below), the Info text ordered as strings are, over more than
//! the 16 bytes a key holds, the delta time still from the previous
//! packet in frame order, and the header's arrow at 80×24.

use super::snapshots::{check, render};
use super::*;
use crate::app::columns::Column;
use crate::app::sort::SortSpec;
use crate::tui::list::row_text;
use crate::tui::sort::Job;

fn sort(app: &mut App, column: Column, descending: bool) {
    app.sort_by(Some(SortSpec { column, descending }));
    let req = app.take_sort_job().expect("a sort job");
    Job::new(req).run(app);
    assert!(!app.sorting());
}

fn drawn_numbers(app: &App) -> Vec<u64> {
    (0..app.list.len())
        .filter_map(|r| app.list.at(r))
        .filter_map(|i| app.store.number(i as usize))
        .collect()
}

/// `tshark -r captures/echo-tcp4.pcap -T fields -e frame.number -e
/// frame.len`, frame numbers 1 to 14.
const TSHARK_LEN: [u64; 14] = [74, 74, 66, 78, 66, 78, 66, 78, 78, 78, 78, 66, 66, 66];

#[test]
fn sorting_by_length_descending_orders_rows_as_tsharks_lengths_ties_in_frame_order() {
    let mut app = file_app();
    sort(&mut app, Column::Length, true);
    let mut want: Vec<u64> = (1..=14).collect();
    want.sort_by_key(|&n| std::cmp::Reverse(TSHARK_LEN[n as usize - 1]));
    assert_eq!(drawn_numbers(&app), want);
    // Ascending, and by No. descending.
    sort(&mut app, Column::Length, false);
    want.sort_by_key(|&n| TSHARK_LEN[n as usize - 1]);
    assert_eq!(drawn_numbers(&app), want);
    sort(&mut app, Column::No, true);
    assert_eq!(drawn_numbers(&app), (1..=14).rev().collect::<Vec<u64>>());
}

/// The echo capture ten times over (140 frames): runs of more rows tie
/// on their first 16 bytes than are sorted by whole text at once.
fn echo_ten_times() -> App {
    let mut frames = Vec::new();
    for _ in 0..10 {
        frames.extend(echo_frames());
    }
    for (n, f) in frames.iter_mut().enumerate() {
        f.number = n as u64 + 1;
    }
    let mut app = App::new(
        SourceKind::File {
            path: "echo-tcp4.pcap".into(),
        },
        None,
    );
    app.update(Msg::Frames(frames));
    app.update(Msg::SourceEnded { warning: None });
    app
}

#[test]
fn sorting_by_info_orders_the_drawn_text_as_strings_past_sixteen_bytes() {
    for descending in [false, true] {
        info_sorts_as_strings(descending);
    }
}

fn info_sorts_as_strings(descending: bool) {
    let mut app = echo_ten_times();
    let info_of = |app: &App, i: u32| {
        let frame = app.store.frame(i as usize).expect("held");
        row_text(app, i as usize, &frame, &mut Default::default()).info
    };
    let mut want: Vec<(String, u32)> = app
        .list
        .shown
        .iter()
        .map(|&i| (info_of(&app, i), i))
        .collect();
    // The keys tie on their first 16 bytes for most rows here.
    let w = crate::app::sort::WINDOW;
    let mut heads: Vec<&[u8]> = want
        .iter()
        .map(|(t, _)| &t.as_bytes()[..w.min(t.len())])
        .collect();
    heads.sort();
    let mut most = 0;
    for g in heads.chunk_by(|a, b| a == b) {
        most = most.max(g.len());
    }
    assert!(
        most > crate::tui::sort::SMALL_RUN,
        "{most} rows tie at most"
    );
    want.sort();
    if descending {
        // Texts descending, equal ones still in frame order.
        want.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    }
    sort(&mut app, Column::Info, descending);
    let got: Vec<(String, u32)> = (0..app.list.len())
        .filter_map(|r| app.list.at(r))
        .map(|i| (info_of(&app, i), i))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn the_delta_column_stays_the_time_since_the_previous_frame_under_a_sort() {
    let mut app = file_app();
    key(&mut app, Key::Char('c'));
    key(&mut app, Key::Ctrl('u'));
    for c in "no, delta, length".chars() {
        key(&mut app, Key::Char(c));
    }
    key(&mut app, Key::Enter);
    sort(&mut app, Column::Length, true);
    key(&mut app, Key::Char('g'));
    // Frame 8 is drawn third; tshark's frame.time_delta_displayed for it
    // is 0.020231840 s.
    assert_eq!(drawn_numbers(&app)[2], 8);
    let (screen, _) = render(&mut app);
    let row = screen
        .lines()
        .find(|l| l.trim_start().starts_with("8 "))
        .unwrap_or("");
    assert!(row.contains("0.020231"), "{screen}");
    // By the delta, descending: frame 8's 0.020231840, then frame 10's
    // 0.020194956 (tshark's), the largest two.
    sort(&mut app, Column::Delta, true);
    assert_eq!(drawn_numbers(&app)[..2], [8, 10]);
}

#[test]
fn the_header_shows_the_sort_column_and_direction_at_80_by_24() {
    let mut app = file_app();
    sort(&mut app, Column::Length, true);
    key(&mut app, Key::Char('g'));
    let (screen, _) = render(&mut app);
    let header = screen.lines().nth(2).unwrap_or("");
    assert!(header.contains("Length ▼"), "{screen}");
    check("packet-list-sorted", &screen);
    sort(&mut app, Column::Source, false);
    let (screen, _) = render(&mut app);
    assert!(screen.lines().nth(2).unwrap_or("").contains("Source ▲"));
}
