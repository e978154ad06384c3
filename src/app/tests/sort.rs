//! The sorted view as a permutation over the shown rows: go-to, marks,
//! moves and a new filter with a sort on, rows aging out of a sorted list
//! and rows arriving after it. The orders here are chosen by the test (the
//! keys and their sorting are the TUI's sort job's, tested there).

use super::echo::echo_app;
use super::*;
use crate::app::columns::Column;
use crate::app::sort::{SortMsg, SortSpec};

fn number_at(app: &App, row: usize) -> Option<u64> {
    app.list.at(row).and_then(|i| app.store.number(i as usize))
}

fn selected_number(app: &App) -> Option<u64> {
    app.list.selected_frame().and_then(|i| app.store.number(i))
}

/// Sort by `spec` and answer the job with `order` (a permutation of the
/// job's rows the test picked); returns the job's rows.
fn sort_as(app: &mut App, spec: SortSpec, order: impl Fn(&[u32]) -> Vec<u32>) -> Vec<u32> {
    app.sort_by(Some(spec));
    answer(app, order)
}

fn answer(app: &mut App, order: impl Fn(&[u32]) -> Vec<u32>) -> Vec<u32> {
    let job = app.take_sort_job().expect("a sort job is asked for");
    assert!(app.take_sort_job().is_none(), "asked for once");
    let last = job.frames.last().copied();
    app.update(Msg::Sort(SortMsg::Sorted {
        job: job.job,
        order: order(&job.frames),
        last,
    }));
    job.frames
}

fn length_down() -> SortSpec {
    SortSpec {
        column: Column::Length,
        descending: true,
    }
}

fn reversed(f: &[u32]) -> Vec<u32> {
    f.iter().rev().copied().collect()
}

#[test]
fn a_sorted_view_draws_the_permutation_and_keeps_shown_in_frame_order() {
    let mut app = echo_app();
    key(&mut app, Key::Char(':'));
    chars(&mut app, "4");
    key(&mut app, Key::Enter);
    sort_as(&mut app, length_down(), reversed);
    assert_eq!(app.list.shown, (0..14).collect::<Vec<u32>>());
    assert_eq!(number_at(&app, 0), Some(14));
    assert_eq!(number_at(&app, 13), Some(1));
    assert_eq!(selected_number(&app), Some(4), "the selected packet stays");
    assert_eq!(app.list.selected, Some(10));
    // j moves down the drawn order: to frame 3.
    key(&mut app, Key::Char('j'));
    assert_eq!(selected_number(&app), Some(3));
    assert_eq!(app.details.frame.number, 3);
    assert_eq!(app.sort.applied, Some(length_down()));
}

#[test]
fn go_to_selects_frame_n_wherever_the_sort_put_it() {
    let mut app = echo_app();
    // Even frames first, then odd ones: frame 9 (index 8) is on row 4.
    sort_as(&mut app, length_down(), |f| {
        let mut o: Vec<u32> = f.iter().copied().filter(|i| i % 2 == 0).collect();
        o.extend(f.iter().copied().filter(|i| i % 2 == 1));
        o
    });
    key(&mut app, Key::Char(':'));
    chars(&mut app, "9");
    key(&mut app, Key::Enter);
    assert_eq!(selected_number(&app), Some(9));
    assert_eq!(app.list.selected, Some(4));
    assert_eq!(app.details.frame.number, 9);
    // Not shown: the next shown frame in frame order, wherever it is.
    app.apply_filter("tcp.len > 0");
    answer(&mut app, reversed);
    key(&mut app, Key::Char(':'));
    chars(&mut app, "5");
    key(&mut app, Key::Enter);
    assert_eq!(selected_number(&app), Some(6));
}

#[test]
fn a_new_display_filter_sorts_its_rows_again_the_same_way() {
    let mut app = echo_app();
    sort_as(&mut app, length_down(), reversed);
    app.apply_filter("tcp.len > 0");
    // Until the new rows are sorted they are drawn in frame order, and
    // the header's arrow is not shown.
    assert_eq!(app.list.order, None);
    assert_eq!(app.sort.applied, None);
    assert_eq!(
        app.sort.running.as_ref().map(|r| r.spec.clone()),
        Some(length_down())
    );
    let rows = answer(&mut app, reversed);
    assert_eq!(rows, app.list.shown, "the job sorted the filtered rows");
    assert!(rows.len() < 14);
    assert_eq!(app.list.at(0), rows.last().copied());
    assert_eq!(app.sort.applied, Some(length_down()));
}

#[test]
fn marks_jump_in_the_order_drawn() {
    let mut app = echo_app();
    sort_as(&mut app, length_down(), reversed);
    // Mark frames 2 and 12; from the top (frame 14) ] reaches 12 first.
    for n in ["2", "12"] {
        key(&mut app, Key::Char(':'));
        chars(&mut app, n);
        key(&mut app, Key::Enter);
        key(&mut app, Key::Char('m'));
    }
    key(&mut app, Key::Char('g'));
    assert_eq!(selected_number(&app), Some(14));
    key(&mut app, Key::Char(']'));
    assert_eq!(selected_number(&app), Some(12));
    key(&mut app, Key::Char(']'));
    assert_eq!(selected_number(&app), Some(2));
    key(&mut app, Key::Char('['));
    assert_eq!(selected_number(&app), Some(12));
}

#[test]
fn number_ascending_is_frame_order_and_esc_cancels_a_sort() {
    let mut app = echo_app();
    sort_as(&mut app, length_down(), reversed);
    app.sort_by(Some(SortSpec {
        column: Column::No,
        descending: false,
    }));
    assert_eq!(app.list.order, None);
    assert!(app.take_sort_job().is_none(), "no job for frame order");
    assert_eq!(number_at(&app, 0), Some(1));
    // `o` asks for the next column (Time after No.); Esc stops it and the
    // rows stay as they were; its answer, arriving late, is ignored.
    key(&mut app, Key::Char('o'));
    let job = app.take_sort_job().expect("a job");
    assert_eq!(job.spec.column, Column::Time);
    assert!(app.sorting());
    key(&mut app, Key::Esc);
    assert!(!app.sorting());
    app.update(Msg::Sort(SortMsg::Sorted {
        job: job.job,
        order: reversed(&job.frames),
        last: job.frames.last().copied(),
    }));
    assert_eq!(app.list.order, None);
    // `O` from frame order: No. descending.
    key(&mut app, Key::Char('O'));
    let job = app.take_sort_job().expect("a job");
    assert_eq!(
        job.spec,
        SortSpec {
            column: Column::No,
            descending: true
        }
    );
}

#[test]
fn rows_arriving_after_a_sort_go_at_the_end_until_it_sorts_again() {
    let mut app = live();
    app.update(frames(0..10));
    app.update(Msg::Tick(SEC));
    sort_as(&mut app, length_down(), reversed);
    app.update(frames(10..13));
    assert_eq!(app.list.len(), 13);
    assert_eq!(app.list.at(0), Some(9));
    assert_eq!(app.list.at(10), Some(10), "newer rows at the end");
    assert_eq!(app.sort.newer, 0, "counted when a sort ends");
    // A sort that ends after rows arrived counts them, and the tick sorts
    // again a second later.
    app.sort_by(Some(length_down()));
    let job = app.take_sort_job().expect("a job");
    app.update(frames(13..15));
    app.update(Msg::Sort(SortMsg::Sorted {
        job: job.job,
        order: reversed(&job.frames),
        last: job.frames.last().copied(),
    }));
    assert_eq!(app.sort.newer, 2);
    assert_eq!(app.list.at(13), Some(13));
    assert_eq!(app.list.at(14), Some(14));
    app.update(Msg::Tick(SEC + SEC / 2));
    assert!(app.take_sort_job().is_none(), "not yet");
    app.update(Msg::Tick(3 * SEC));
    let job = app.take_sort_job().expect("sorted again");
    assert_eq!(job.frames.len(), 15);
}

#[test]
fn rows_aging_out_leave_a_sorted_list_from_anywhere_in_it() {
    let mut app = live();
    app.set_max_packets(Some(10));
    app.update(frames(0..10));
    sort_as(&mut app, length_down(), reversed);
    key(&mut app, Key::Char(':'));
    chars(&mut app, "8");
    key(&mut app, Key::Enter);
    // Frames 1 to 5 (indices 0 to 4) age out: they were at the bottom.
    app.update(frames(10..15));
    assert_eq!(app.list.shown, (5..15).collect::<Vec<u32>>());
    let drawn: Vec<u32> = (0..10).filter_map(|r| app.list.at(r)).collect();
    assert_eq!(drawn, vec![9, 8, 7, 6, 5, 10, 11, 12, 13, 14]);
    assert_eq!(selected_number(&app), Some(8), "the selected packet stays");
}
