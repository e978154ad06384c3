//! The whole screen as a pure function of `&App`: tab bar, panes, status
//! bar, key hints or prompt, and the help overlay on top.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use crate::app::{App, PromptFor, SourceKind, Tab};

use super::layout::{Areas, areas};
use super::{details, flows, follow, graph, hex, list, stats, teach, theme};

/// Draw everything into `buf` and return where the panes went.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) -> Areas {
    let a = areas(area, app);
    if a.too_small {
        Paragraph::new("wirepeek: window too small")
            .wrap(Wrap { trim: true })
            .render(area, buf);
        return a;
    }
    tabs(app, a.tabs, buf);
    match app.tab {
        Tab::Packets => {
            if let Some(r) = a.list {
                list::render(app, r, buf);
            }
            if let Some(r) = a.details {
                details::render(app, r, buf);
            }
            if let Some(r) = a.bytes {
                hex::render(app, r, buf);
            }
        }
        Tab::Flows => flows::render(app, a.body, buf),
        Tab::Encapsulation => teach::render(app, a.body, buf),
        Tab::Follow => follow::render(app, a.body, buf),
        Tab::Statistics => stats::render(app, a.body, buf),
        Tab::Graphs => graph::render(app, a.body, buf),
    }
    status(app, a.status, buf);
    if let Some(r) = a.hint {
        hint_or_prompt(app, r, buf);
    }
    if app.help {
        help(area, buf);
    }
    a
}

/// A pane's title line, marked when the pane has focus.
pub fn pane_title(text: String, focused: bool) -> Line<'static> {
    Line::styled(
        text,
        if focused {
            theme::TITLE_FOCUSED
        } else {
            theme::TITLE
        },
    )
}

fn tabs(app: &App, area: Rect, buf: &mut Buffer) {
    let mut spans = vec![Span::styled(" wirepeek ", theme::HEADER)];
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let style = if *tab == app.tab {
            theme::TAB_ACTIVE
        } else {
            theme::HINT
        };
        spans.push(Span::styled(format!(" {} {} ", i + 1, tab.title()), style));
    }
    Line::from(spans).render(area, buf);
}

/// The source's name for the status bar.
fn source_label(app: &App) -> String {
    match &app.source {
        SourceKind::Live { interface } => format!("live {interface}"),
        SourceKind::File { path } => format!("file {path}"),
        SourceKind::Replay { path } => format!("replay {path}"),
        SourceKind::Memory { label } => label.clone(),
    }
}

/// The status bar's text, in pieces separated by bars.
pub fn status_text(app: &App) -> Vec<(String, Style)> {
    let mut parts = vec![(source_label(app), theme::STATUS)];
    parts.push((
        format!("{}/{} shown", app.list.len(), app.store.held()),
        theme::STATUS,
    ));
    if app.aged_out() > 0 {
        parts.push((format!("{} aged out", app.aged_out()), theme::STATUS));
    }
    let c = &app.counters;
    if let Some((done, total)) = c.loading {
        let pct = (done * 100).checked_div(total).unwrap_or(0);
        parts.push((format!("loading {}%", pct.min(100)), theme::STATUS));
    }
    // A followed file (the list's title says so) with a record cut at its
    // end: the writer may still finish it, or the file is damaged there.
    if let Some(Some((at, n))) = c.watching {
        parts.push((
            format!("{n} bytes of a record at byte {at} not complete yet"),
            theme::STATUS,
        ));
    }
    if matches!(app.source, SourceKind::Live { .. }) {
        parts.push((
            format!(
                "drops: kernel {} wirepeek {}",
                c.kernel_dropped, c.wirepeek_dropped
            ),
            theme::STATUS,
        ));
    }
    if matches!(
        app.source,
        SourceKind::Live { .. } | SourceKind::Replay { .. }
    ) {
        parts.push((format!("{:.0} pkt/s", c.rate), theme::STATUS));
    }
    if let Some(r) = &app.replay {
        parts.push((
            format!(
                "×{} at {:.1}s, {}/{}{}",
                speed_text(r.speed),
                r.elapsed_secs(app.now, &app.store),
                r.released.min(app.store.len()),
                app.store.len(),
                if r.stepping { " stepping" } else { "" }
            ),
            theme::STATUS,
        ));
    }
    let filter = app
        .view
        .display
        .as_ref()
        .map_or("none", |a| a.text.as_str());
    if let Some(capture) = &app.capture_filter {
        parts.push((format!("capture: {capture}"), theme::STATUS));
    }
    parts.push((format!("filter: {filter}"), theme::STATUS));
    if let Some(flow) = &app.view.flow {
        parts.push((format!("flow: {}", flow.text), theme::STATUS));
    }
    if app.paused {
        parts.push((
            format!("PAUSED, {} waiting", app.waiting()),
            theme::STATUS.patch(theme::WARN),
        ));
    }
    if let (Some(s), Some(f)) = (&app.search, &app.find) {
        parts.push((
            format!(
                "searching for {} {:?}… {}% (Esc cancels)",
                f.kind.name(),
                f.text,
                s.percent()
            ),
            theme::STATUS.patch(theme::WARN),
        ));
    }
    if let (Some(r), Some(pct)) = (&app.sort.running, app.sort.percent()) {
        parts.push((
            format!("sorting by {}… {pct}% (Esc cancels)", r.spec.label()),
            theme::STATUS.patch(theme::WARN),
        ));
    } else if let Some(s) = app.sort.applied.as_ref().filter(|_| app.sort.newer > 0) {
        parts.push((
            format!(
                "sorted by {}: {} newer at the end until sorted again",
                s.label(),
                app.sort.newer
            ),
            theme::STATUS,
        ));
    }
    if let Some(e) = &c.failed {
        parts.push((
            format!("capture failed: {e}"),
            theme::STATUS.patch(theme::WARN),
        ));
    } else if c.ended && matches!(app.source, SourceKind::Live { .. }) {
        parts.push(("source ended".to_string(), theme::STATUS));
    }
    if let Some(n) = &app.notice {
        let style = if n.warn {
            theme::STATUS.patch(theme::WARN)
        } else {
            theme::STATUS
        };
        parts.push((n.text.clone(), style));
    }
    parts
}

fn speed_text(speed: f64) -> String {
    if speed >= 1.0 {
        format!("{speed}")
    } else {
        format!("1/{}", (1.0 / speed).round())
    }
}

fn status(app: &App, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, theme::STATUS);
    let mut spans = Vec::new();
    for (i, (text, style)) in status_text(app).into_iter().enumerate() {
        spans.push(Span::styled(
            if i == 0 { " " } else { " │ " },
            theme::STATUS,
        ));
        spans.push(Span::styled(text, style));
    }
    Line::from(spans).render(area, buf);
}

fn hint_or_prompt(app: &App, area: Rect, buf: &mut Buffer) {
    if let Some(p) = &app.prompt {
        let label = match p.purpose {
            PromptFor::Filter => "Display filter: ".to_string(),
            PromptFor::SavePath => format!(
                "Save {} {} packets (Tab: {}) as {} to: ",
                app.save_frames().len(),
                app.save_scope.name(),
                app.save_scope.next().name(),
                crate::app::save::format_of(&p.text)
            ),
            PromptFor::Replace => format!("{} exists: replace it? (y/n) ", p.text),
            PromptFor::Command => "Go to frame: :".to_string(),
            PromptFor::FollowFind => "Find in the stream: ".to_string(),
            PromptFor::Columns => "Columns: ".to_string(),
            PromptFor::Find => format!(
                "Find {} (Tab: {}): ",
                app.find_kind.name(),
                app.find_kind.next().name()
            ),
        };
        let mut spans = vec![Span::styled(label, theme::HEADER)];
        if p.purpose != PromptFor::Replace {
            let (before, after) = p.split();
            let mut rest = after.chars();
            let under = rest.next().map_or(" ".to_string(), String::from);
            spans.push(Span::raw(before.to_string()));
            spans.push(Span::styled(under, theme::SELECTED));
            spans.push(Span::raw(rest.as_str().to_string()));
        }
        if let Some(e) = &p.error {
            spans.push(Span::styled(format!("  ✗ {e}"), theme::WARN));
        }
        Line::from(spans).render(area, buf);
        return;
    }
    let mut hint = String::from(
        "? help  q quit  Tab pane  ↑↓ move  Enter open  / filter  : go to  ^F find  m mark  F follow  s save",
    );
    if app.replay.is_some() {
        hint.push_str("  n/N step  +/- speed");
    }
    Line::styled(hint, theme::HINT).render(area, buf);
}

/// Every key, for the `?` overlay.
pub const HELP: &[(&str, &str)] = &[
    (
        "↑ ↓ j k PgUp PgDn",
        "move in the focused pane, by a line or a screen",
    ),
    (
        "g G Home End  Tab",
        "first / last; next pane (Shift-Tab: previous)",
    ),
    (
        "Enter Space  ← →",
        "open/close a layer (list: all); details: close/open",
    ),
    (
        "1 2 3 4  d",
        "Packets, Flows, Encapsulation, Follow; d: diagrams",
    ),
    (
        "5  h e c  l s r",
        "Statistics views, layer, sort, recount; Enter: filter",
    ),
    ("F", "follow the packet's (or Flows row's) TCP/UDP stream"),
    (
        "Follow: x d / n N",
        "hex/ASCII, sides, find, again; Enter: its packet",
    ),
    ("Enter  Esc", "Flows: show one conversation's packets / all"),
    (
        "6  i t  b + - d",
        "Graphs: I/O, TCP stream; bytes, interval, direction",
    ),
    ("/", "display filter (↑↓ history, Esc cancels, empty: none)"),
    (
        "c  o O",
        "columns (any field); sort by next column / reverse",
    ),
    (": 123", "go to frame 123"),
    (
        "Ctrl-F  n N",
        "find string/hex/filter (Tab), next / previous",
    ),
    ("m  ] [", "mark the packet, next / previous mark"),
    ("a A", "details: field as the filter / and the filter"),
    ("y", "copy the field's value or the packet (OSC 52)"),
    ("Ctrl-T  t", "time reference here; relative/absolute/delta"),
    ("s", "save displayed/all/marked (Tab) as pcap(ng)"),
    ("p  f", "pause the view (or replay) / follow new packets"),
    ("n N  + -", "replay without a search: step / speed"),
    ("mouse", "click selects, wheel scrolls"),
    (
        "q  Ctrl-C  Ctrl-Z",
        "quit / suspend to the shell (fg comes back)",
    ),
];

fn help(area: Rect, buf: &mut Buffer) {
    let width = 74.min(area.width);
    let height = (HELP.len() as u16 + 2).min(area.height);
    let [row] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(row);
    Clear.render(popup, buf);
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<18}"), theme::HEADER),
                Span::raw(*what),
            ])
        })
        .collect();
    Paragraph::new(lines)
        .block(
            Block::new()
                .borders(Borders::ALL)
                .title(" keys (any key closes) "),
        )
        .render(popup, buf);
}
