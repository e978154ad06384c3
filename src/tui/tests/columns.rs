//! The column chooser (`c`) at 80×24: custom columns drawn from the
//! registry's fields and the flow table's stream index, and a misspelt
//! field refused with its close match while it is typed.

use super::snapshots::{check, render};
use super::*;
use crate::decode::tcp;

fn choose(app: &mut App, text: &str) {
    key(app, Key::Char('c'));
    key(app, Key::Ctrl('u'));
    for c in text.chars() {
        key(app, Key::Char(c));
    }
}

#[test]
fn chosen_columns_with_fields_and_a_delta_match_their_snapshot() {
    let mut app = file_app();
    let text = format!(
        "no, delta, src, {}, {}, info",
        tcp::STREAM.key,
        tcp::WINDOW_SIZE_VALUE.key
    );
    choose(&mut app, &text);
    key(&mut app, Key::Enter);
    assert!(app.prompt.is_none());
    let (screen, _) = render(&mut app);
    // The header names the fields; the echo capture is one TCP stream (0)
    // and frame 1's SYN offers tshark's window of 65495.
    let header = screen.lines().nth(2).unwrap_or("");
    assert!(header.contains(tcp::STREAM.key), "{header}");
    let row1 = screen.lines().nth(3).unwrap_or("");
    assert!(row1.contains(" 0 ") && row1.contains("65495"), "{row1}");
    check("packet-list-columns", &screen);
    // `c` again offers the columns as they are.
    key(&mut app, Key::Char('c'));
    assert_eq!(
        app.prompt.as_ref().map(|p| p.text.as_str()),
        Some(
            format!(
                "no, delta, source, {}, {}, info",
                tcp::STREAM.key,
                tcp::WINDOW_SIZE_VALUE.key
            )
            .as_str()
        )
    );
}

#[test]
fn a_misspelt_field_is_refused_with_its_close_match_as_it_is_typed() {
    let mut app = file_app();
    choose(&mut app, "no, info, tcp.strem");
    let (screen, _) = render(&mut app);
    check("columns-prompt-error", &screen);
    let error = app
        .prompt
        .as_ref()
        .and_then(|p| p.error.clone())
        .unwrap_or_default();
    assert!(error.contains(tcp::STREAM.key), "{error}");
    key(&mut app, Key::Enter);
    assert_eq!(app.columns, crate::app::columns::Column::defaults());
    assert!(app.notice.as_ref().is_some_and(|n| n.warn));
}
