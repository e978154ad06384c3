//! The Flows tab: the conversation table the app keeps (`app::FlowList`),
//! drawn one screen at a time (only the visible rows go to the `Table`),
//! with the selected row highlighted and the picked one marked.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Row, Table, Widget};

use crate::app::App;
use crate::flow::FlowState;
use crate::frame::Process;
use crate::output::flows::{endpoint_labels, process_label};

use super::{pane_title, theme};

/// The columns of one conversation, as `wirepeek flows` words them (the
/// process as `capture --flows` does, empty when unknown).
pub fn row_cells(f: &FlowState, start_ns: i64, process: Option<&Process>) -> [String; 9] {
    let (a, b) = endpoint_labels(f);
    [
        f.key.proto_name().to_string(),
        a,
        b,
        format!("{}/{}", f.packets[0], f.packets[1]),
        format!("{}/{}", f.bytes[0], f.bytes[1]),
        format!("{:.3}", (f.first_ns - start_ns) as f64 / 1e9),
        format!("{:.3}", f.duration_ns() as f64 / 1e9),
        f.state_name().to_string(),
        process.map(process_label).unwrap_or_default(),
    ]
}

/// Draw the Flows tab.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let flows = &app.flows;
    let count = if flows.restricted() {
        format!(
            "{} of {} (display filter)",
            flows.list.len(),
            flows.rows.len()
        )
    } else {
        flows.rows.len().to_string()
    };
    let title = format!(" Flows {count} · Enter shows one in the packet list, Esc all ");
    let block = Block::new().title(pane_title(title, true));
    let inner = block.inner(area);
    block.render(area, buf);

    let start_ns = app.store.first_ts().map_or(0, |t| t.as_nanos() as i64);
    let picked = app.view.flow.as_ref().map(|p| p.row);
    let rows: Vec<(bool, [String; 9])> = flows
        .list
        .visible()
        .filter_map(|pos| {
            let row = *flows.list.shown.get(pos)?;
            let f = flows.rows.get(row as usize)?;
            let mut cells = row_cells(f, start_ns, flows.process_of(f));
            if picked == Some(row) {
                cells[0].insert_str(0, "▶ ");
            }
            Some((Some(pos) == flows.list.selected, cells))
        })
        .collect();
    let header = [
        "Proto",
        "A",
        "B",
        "Pkts A/B",
        "Bytes A/B",
        "Start",
        "Duration",
        "State",
        "Process",
    ];
    // Each column as wide as its widest visible cell; the last one kept
    // takes what is left. The process column is there when a shown
    // conversation has one; narrow screens drop the start, then the
    // duration, then (for the process) the state.
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for (_, cells) in &rows {
        for (w, c) in widths.iter_mut().zip(cells) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut keep = [true; 9];
    keep[8] = rows.iter().any(|(_, cells)| !cells[8].is_empty());
    let last = if keep[8] { 8 } else { 7 };
    for drop in [5, 6, 7] {
        if drop == last {
            break;
        }
        let used: usize = (0..last).filter(|&i| keep[i]).map(|i| widths[i] + 1).sum();
        if used + widths[last] > usize::from(inner.width) {
            keep[drop] = false;
        }
    }
    let constraints: Vec<Constraint> = (0..9)
        .filter(|&i| keep[i])
        .map(|i| match i {
            _ if i == last => Constraint::Fill(1),
            _ => Constraint::Length(widths[i] as u16),
        })
        .collect();
    let pick = |cells: Vec<String>| -> Vec<String> {
        cells
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep[*i])
            .map(|(_, c)| c)
            .collect()
    };
    let header = pick(header.iter().map(|h| h.to_string()).collect());
    let table_rows = rows.into_iter().map(|(selected, cells)| {
        let row = Row::new(pick(cells.to_vec()));
        if selected {
            row.style(theme::SELECTED)
        } else {
            row
        }
    });
    Table::new(table_rows, constraints)
        .header(Row::new(header).style(theme::HEADER))
        .column_spacing(1)
        .render(inner, buf);
    if flows.rows.is_empty() && inner.height > 1 {
        let area = Rect {
            y: inner.y + 1,
            height: 1,
            ..inner
        };
        let msg = if app.paused {
            "paused: new packets are not counted until p resumes"
        } else {
            "no TCP, UDP or ICMP echo conversation yet"
        };
        Line::styled(msg, theme::HINT).render(area, buf);
    }
}
