//! The Statistics tab at 80×24, compared with reviewed text in
//! `tests/snapshots/tui/` (as `snapshots.rs` does): the hierarchy, the
//! TCP endpoints and the IPv4 conversations of the echo capture, and what
//! Enter on a conversation does.
use super::*;
use crate::app::{Effect, Tab};
use crate::tui::stats::Job;

/// Press a key; run the count it starts to the end, as the loop would.
fn press(app: &mut App, k: Key) {
    if let Some(Effect::Stats { job, frames }) = app.update(Msg::Input(Input::Key(k))) {
        Job::new(job, frames).run(app);
    }
}

fn stats_app() -> App {
    let mut app = file_app();
    app.view.compiler = Some(crate::app::filter::display_compiler());
    draw(&mut app, 80, 24);
    press(&mut app, Key::Char('5'));
    app
}

#[test]
fn the_hierarchy_view_matches_its_snapshot() {
    let mut app = stats_app();
    assert_eq!(app.tab, Tab::Statistics);
    snapshots::check("stats-hierarchy", &draw(&mut app, 80, 24));
}

#[test]
fn the_tcp_endpoints_view_matches_its_snapshot() {
    let mut app = stats_app();
    press(&mut app, Key::Char('e'));
    // IPv4 → IPv6 → TCP.
    press(&mut app, Key::Char('l'));
    press(&mut app, Key::Right);
    snapshots::check("stats-endpoints-tcp", &draw(&mut app, 80, 24));
}

#[test]
fn the_ipv4_conversations_view_matches_its_snapshot() {
    let mut app = stats_app();
    press(&mut app, Key::Char('c'));
    snapshots::check("stats-conversations-ip", &draw(&mut app, 80, 24));
}

#[test]
fn enter_on_a_tcp_conversation_filters_the_list_to_it() {
    let mut app = stats_app();
    press(&mut app, Key::Char('c'));
    // IPv4 → IPv6 → TCP.
    for _ in 0..2 {
        press(&mut app, Key::Char('l'));
    }
    press(&mut app, Key::Enter);
    assert_eq!(app.tab, Tab::Packets);
    let text = app.view.display.as_ref().map(|a| a.text.clone());
    assert_eq!(
        text.as_deref(),
        Some(
            "ip.addr == 127.0.0.1 && tcp.port == 34554 && ip.addr == 127.0.0.1 && tcp.port == 36619"
        )
    );
    // Every packet of the capture is that conversation's.
    assert_eq!(app.list.len(), 14);
    // Back on the tab, the figures are of the filtered list: counted again.
    press(&mut app, Key::Char('5'));
    let basis = app.stats.basis.as_ref().expect("counted");
    assert_eq!(basis.filter, text);
}
