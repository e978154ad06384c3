//! Ctrl-F on a list too long to search with the key: the search goes on
//! in slices, says how far it got, can be cancelled, and selects the hit.

use super::*;

/// 5,000 UDP packets from ports 1000 to 5999: port 5000 (0x1388) is frame
/// 4001's, 3,000 packets past what the key itself searches.
fn big_app() -> App {
    super::echo::file_app_with("big.pcap", frames(0..5000))
}

fn find_hex(app: &mut App, hex: &str) {
    key(app, Key::Ctrl('f'));
    key(app, Key::Tab);
    chars(app, hex);
    key(app, Key::Enter);
}

fn selected_number(app: &App) -> Option<u64> {
    app.list.selected_frame().and_then(|i| app.store.number(i))
}

#[test]
fn a_find_past_the_first_slice_goes_on_in_slices_and_selects_the_hit() {
    let mut app = big_app();
    const { assert!(crate::app::search::INLINE < 4000) };
    find_hex(&mut app, "13 88");
    // The key returned with the search under way, nothing selected yet.
    assert!(app.searching());
    assert_eq!(selected_number(&app), Some(1));
    let first = app.search.as_ref().map(|s| s.percent()).unwrap_or(0);
    assert!(first > 0 && first < 100, "{first}%");
    let mut slices = 0;
    while app.search_work(&mut || true) {
        slices += 1;
        assert!(slices < 1000, "the search ends");
    }
    assert!(slices > 10, "sliced: {slices}");
    assert!(!app.searching());
    assert_eq!(selected_number(&app), Some(4001));
    assert_eq!(app.details.frame.number, 4001);
    // n goes on from the hit: no other packet has those bytes, so it
    // wraps back to the same one.
    key(&mut app, Key::Char('n'));
    while app.search_work(&mut || false) {}
    assert_eq!(selected_number(&app), Some(4001));
}

#[test]
fn esc_cancels_a_search_and_leaves_the_selection_where_it_was() {
    let mut app = big_app();
    key(&mut app, Key::Char(':'));
    chars(&mut app, "10");
    key(&mut app, Key::Enter);
    find_hex(&mut app, "de ad be ef");
    assert!(app.searching());
    key(&mut app, Key::Esc);
    assert!(!app.searching());
    assert!(!app.search_work(&mut || false));
    assert_eq!(selected_number(&app), Some(10));
    let notice = app.notice.as_ref().map(|n| n.text.as_str()).unwrap_or("");
    assert!(notice.contains("search cancelled"), "{notice}");
    // Searching the whole list for bytes no packet holds says so.
    key(&mut app, Key::Char('n'));
    while app.search_work(&mut || false) {}
    assert_eq!(selected_number(&app), Some(10));
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.warn && n.text.contains("not found")),
        "{:?}",
        app.notice
    );
}

#[test]
fn a_search_stops_when_the_list_is_rebuilt_under_it() {
    let mut app = big_app();
    find_hex(&mut app, "13 88");
    assert!(app.searching());
    app.apply_filter("udp.srcport >= 3000");
    assert!(!app.search_work(&mut || false));
    assert!(!app.searching());
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("list changed"))
    );
    // Searching again in the new list finds the packet.
    key(&mut app, Key::Char('n'));
    while app.search_work(&mut || false) {}
    assert_eq!(selected_number(&app), Some(4001));
}

#[test]
fn a_small_list_is_searched_with_the_key() {
    let mut app = big_app();
    app.apply_filter("udp.srcport >= 4900");
    find_hex(&mut app, "13 88");
    assert!(!app.searching());
    assert_eq!(selected_number(&app), Some(4001));
}
