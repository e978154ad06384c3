//! The Statistics tab: the stats job that counts the displayed packets
//! with `flow::stats::Tally` (the counting `read --stats` does), decoding
//! each as the model's first pass reassembled it (`app::Reassembled`: IP
//! fragments and TCP PDUs as `read` and tshark's taps see them, whatever
//! the display filter hides), a slice at a time between
//! events so a key never waits long; and the tab's drawing: the views'
//! keys and the count's basis on top, the visible rows only handed to
//! ratatui, columns as Wireshark's Statistics windows name them.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Row, Table, Widget};

use crate::app::stats::{StatsTab, StatsView, layer_name};
use crate::app::store::empty_frame;
use crate::app::{App, Msg};
use crate::decode::{Detail, Dissection};
use crate::flow::stats::{StatLayer, Tally};
use crate::frame::FrameRecord;

use super::{slice, theme};

/// A count in progress: the displayed packets' store indices and how far
/// it got.
pub struct Job {
    pub id: u64,
    frames: Vec<u32>,
    next: usize,
    tally: Box<Tally>,
    frame: FrameRecord,
    d: Dissection,
}

impl Job {
    pub fn new(id: u64, frames: Vec<u32>) -> Job {
        Job {
            id,
            frames,
            next: 0,
            tally: Box::default(),
            frame: empty_frame(),
            d: Dissection::default(),
        }
    }

    /// Count for up to `budget`, tell the app how far, and say whether the
    /// job is finished (or no longer wanted).
    pub fn step(&mut self, app: &mut App, budget: Duration) -> bool {
        if app.stats.job != self.id || app.stats.running.is_none() {
            return true;
        }
        let n = self.frames.len();
        let mut next = self.next;
        slice::run(&mut next, n, budget, 16, |k| {
            let i = self.frames[k] as usize;
            if app.store.load_into(i, &mut self.frame) {
                app.reassembled
                    .decode(i, &self.frame, Detail::Layers, &mut self.d);
                self.tally.add(&self.frame, &self.d);
            }
        });
        self.next = next;
        if self.next < self.frames.len() {
            app.update(Msg::StatsProgress {
                job: self.id,
                done: self.next,
            });
            return false;
        }
        app.update(Msg::StatsDone {
            job: self.id,
            tally: std::mem::take(&mut self.tally),
        });
        true
    }

    /// Count every packet now (tests).
    pub fn run(&mut self, app: &mut App) {
        while !self.step(app, Duration::from_secs(3600)) {}
    }
}

/// The views and their keys, the current one highlighted.
fn views_line(s: &StatsTab) -> Line<'static> {
    let mut spans = vec![Span::styled(" Statistics ", theme::TITLE_FOCUSED)];
    for (view, key, name) in [
        (StatsView::Hierarchy, "h", "Hierarchy"),
        (StatsView::Endpoints, "e", "Endpoints"),
        (StatsView::Conversations, "c", "Conversations"),
    ] {
        let style = if s.view == view {
            theme::TAB_ACTIVE
        } else {
            theme::HINT
        };
        spans.push(Span::styled(format!(" {key} {name} "), style));
    }
    spans.push(Span::styled(" Enter filter  r recount", theme::HINT));
    Line::from(spans)
}

/// What the figures are of, how far a count is, and the layer and sort.
fn basis_text(app: &App) -> String {
    let s = &app.stats;
    let mut parts = Vec::new();
    if s.view != StatsView::Hierarchy {
        parts.push(format!(
            "{} (l ←→) · {} row{} · by {} (s)",
            layer_name(s.layer),
            s.len(),
            if s.len() == 1 { "" } else { "s" },
            s.sort.name()
        ));
    }
    if let Some(t) = &s.tally {
        let mut of = format!("{} packets", t.packets);
        if let Some(b) = &s.basis {
            if b.filter.is_some() {
                of.push_str(" (display filter)");
            }
            if let Some(f) = &b.flow {
                of.push_str(&format!(" (flow {f})"));
            }
        }
        parts.push(of);
    }
    if s.running.is_some() {
        let (done, total) = s.progress;
        let pct = (done * 100).checked_div(total).unwrap_or(100);
        parts.push(format!("counting… {pct}% ({done} of {total})"));
    } else if s.basis.as_ref().is_some_and(|b| b.shown != app.list.len()) {
        parts.push(format!(
            "{} packets shown now: r counts again",
            app.list.len()
        ));
    }
    format!(" {}", parts.join(" · "))
}

/// The cells of the current view's visible rows, and the header.
fn cells(app: &App) -> (Vec<String>, Vec<Vec<String>>) {
    let s = &app.stats;
    let visible = s.order.iter().skip(s.top).take(s.height.max(1));
    let Some(t) = &s.tally else {
        return (Vec::new(), Vec::new());
    };
    let share = |part: u64, all: u64| {
        if all == 0 {
            "0.00".to_string()
        } else {
            format!("{:.2}", part as f64 * 100.0 / all as f64)
        }
    };
    let ports = s.layer.has_ports();
    let head = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    match s.view {
        StatsView::Hierarchy => {
            let rows = t.hierarchy.rows();
            let body = visible
                .filter_map(|&i| rows.get(i))
                .map(|r| {
                    vec![
                        format!("{:indent$}{}", "", r.proto.key(), indent = r.depth * 2),
                        share(r.packets, t.packets),
                        r.packets.to_string(),
                        share(r.bytes, t.bytes),
                        r.bytes.to_string(),
                    ]
                })
                .collect();
            (
                head(&["Protocol", "% Packets", "Packets", "% Bytes", "Bytes"]),
                body,
            )
        }
        StatsView::Endpoints => {
            let rows = s.endpoints();
            let body = visible
                .filter_map(|&i| rows.get(i))
                .map(|e| {
                    let mut c = vec![e.end.addr.to_string()];
                    if ports {
                        c.push(e.end.port.map(|p| p.to_string()).unwrap_or_default());
                    }
                    let n = e.total();
                    for v in [
                        n.packets,
                        n.bytes,
                        e.tx.packets,
                        e.tx.bytes,
                        e.rx.packets,
                        e.rx.bytes,
                    ] {
                        c.push(v.to_string());
                    }
                    c
                })
                .collect();
            let mut h = head(&["Address"]);
            if ports {
                h.push("Port".into());
            }
            h.extend(head(&[
                "Packets", "Bytes", "Tx Pkts", "Tx Bytes", "Rx Pkts", "Rx Bytes",
            ]));
            (h, body)
        }
        StatsView::Conversations => {
            let start = app.store.first_ts().map(|t| t.as_nanos() as i64);
            let rows = s.conversations();
            let body = visible
                .filter_map(|&i| rows.get(i))
                .map(|cv| {
                    let mut c = vec![cv.a.addr.to_string()];
                    if ports {
                        c.push(cv.a.port.map(|p| p.to_string()).unwrap_or_default());
                    }
                    c.push(cv.b.addr.to_string());
                    if ports {
                        c.push(cv.b.port.map(|p| p.to_string()).unwrap_or_default());
                    }
                    let n = cv.total();
                    for v in [
                        n.packets,
                        n.bytes,
                        cv.a_to_b.packets,
                        cv.a_to_b.bytes,
                        cv.b_to_a.packets,
                        cv.b_to_a.bytes,
                    ] {
                        c.push(v.to_string());
                    }
                    let secs = |ns: i64| format!("{:.6}", ns as f64 / 1e9);
                    match (cv.first_ns, cv.last_ns, start) {
                        (Some(f), Some(l), Some(s0)) => {
                            c.push(secs(f - s0));
                            c.push(format!("{:.4}", (l - f) as f64 / 1e9));
                        }
                        _ => c.extend([String::new(), String::new()]),
                    }
                    c
                })
                .collect();
            let mut h = head(&["Address A"]);
            if ports {
                h.push("Port A".into());
            }
            h.push("Address B".into());
            if ports {
                h.push("Port B".into());
            }
            h.extend(head(&[
                "Packets",
                "Bytes",
                "Pkts A→B",
                "Bytes A→B",
                "Pkts B→A",
                "Bytes B→A",
                "Rel Start",
                "Duration",
            ]));
            (h, body)
        }
    }
}

/// Draw the Statistics tab.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let s = &app.stats;
    let block = Block::new().title(views_line(s));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    let table_area = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    let (header, rows) = cells(app);
    // Each column as wide as its widest visible cell; columns that do not
    // fit are left off from the right (and the basis line says so).
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut keep = 0;
    let mut used = 0;
    for w in &widths {
        if used + w > usize::from(table_area.width) && keep > 0 {
            break;
        }
        used += w + 1;
        keep += 1;
    }
    let info = Rect { height: 1, ..inner };
    let mut text = vec![Span::raw(basis_text(app))];
    if !rows.is_empty() && keep < header.len() {
        text.push(Span::styled(
            format!(" · {} columns past the edge", header.len() - keep),
            theme::HINT,
        ));
    }
    if s.view != StatsView::Hierarchy
        && let Some(note) = s.cap_note()
    {
        text.push(Span::styled(format!(" · {note}"), theme::WARN));
    }
    if s.view == StatsView::Hierarchy
        && let Some(t) = &s.tally
        && t.hierarchy.cut > 0
    {
        text.push(Span::styled(
            format!(
                " · {} packets past the hierarchy's node limit",
                t.hierarchy.cut
            ),
            theme::WARN,
        ));
    }
    Line::from(text).render(info, buf);
    if rows.is_empty() {
        let msg = match (&s.tally, s.running.is_some()) {
            (_, true) => "counting the displayed packets…",
            (None, false) => "no count yet",
            (Some(_), false) if s.view == StatsView::Hierarchy => "no packets displayed",
            (Some(_), false) => match s.layer {
                StatLayer::Ethernet => "no Ethernet headers in the displayed packets",
                _ => "no such headers in the displayed packets (l changes the layer)",
            },
        };
        Line::styled(msg, theme::HINT).render(table_area, buf);
        return;
    }
    let numeric = |i: usize| i > 0 && !(header[i].starts_with("Address"));
    let constraints: Vec<Constraint> = widths[..keep]
        .iter()
        .map(|&w| Constraint::Length(w as u16))
        .collect();
    let align = |i: usize, c: &str, w: usize| {
        if numeric(i) {
            format!("{c:>w$}")
        } else {
            c.to_string()
        }
    };
    let selected = s.cursor.checked_sub(s.top);
    let table_rows = rows.iter().enumerate().map(|(n, r)| {
        let row = Row::new(
            r.iter()
                .take(keep)
                .enumerate()
                .map(|(i, c)| align(i, c, widths[i]))
                .collect::<Vec<_>>(),
        );
        if Some(n) == selected {
            row.style(theme::SELECTED)
        } else {
            row
        }
    });
    let header = Row::new(
        header
            .iter()
            .take(keep)
            .enumerate()
            .map(|(i, c)| align(i, c, widths[i]))
            .collect::<Vec<_>>(),
    )
    .style(theme::HEADER);
    Table::new(table_rows, constraints)
        .header(header)
        .column_spacing(1)
        .render(table_area, buf);
}
