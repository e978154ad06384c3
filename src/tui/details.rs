//! The details pane: the selected packet's layers as a tree. Generated
//! fields in brackets, notes in warning colours, each layer heading in the
//! colour its bytes have in the hex pane.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use crate::app::{App, Pane, TreeRow};
use crate::decode::{Dissection, Origin, Proto, Severity};
use crate::output::value::write_tshark;

use super::{pane_title, theme};

/// Draw the tree into `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let focused = app.focus == Pane::Details;
    let tree = &app.details;
    let block = Block::new().title(pane_title(" Details ".into(), focused));
    let inner = block.inner(area);
    block.render(area, buf);
    if tree.frame_index.is_none() {
        Line::styled("no packet selected", theme::HINT).render(inner, buf);
        return;
    }
    let rows = tree
        .rows
        .iter()
        .enumerate()
        .skip(tree.offset)
        .take(inner.height as usize);
    for (line_no, (pos, row)) in rows.enumerate() {
        let mut line = row_line(app, *row);
        if pos == tree.cursor {
            line = line.patch_style(if focused {
                theme::SELECTED
            } else {
                theme::CURSOR_UNFOCUSED
            });
        }
        let at = Rect {
            y: inner.y + line_no as u16,
            height: 1,
            ..inner
        };
        line.render(at, buf);
    }
}

/// The text of one tree row.
pub fn row_line(app: &App, row: TreeRow) -> Line<'static> {
    let tree = &app.details;
    let d = &tree.dissection;
    let data = &tree.frame.data;
    match row {
        TreeRow::Layer(l) => {
            let Some(layer) = d.layers.get(l) else {
                return Line::default();
            };
            let marker = if layer.fields.is_empty() {
                "  "
            } else if tree.is_expanded(l) {
                "▾ "
            } else {
                "▸ "
            };
            let title = if layer.proto == Proto::Frame {
                let f = &tree.frame;
                format!(
                    "Frame {}: {} bytes on wire, {} bytes captured, {}",
                    f.number,
                    f.orig_len,
                    f.data.len(),
                    f.link.name()
                )
            } else {
                format!(
                    "{}{}, bytes {}..{}",
                    layer.proto.title(),
                    if layer.quoted { " (quoted)" } else { "" },
                    layer.header.start,
                    layer.header.end
                )
            };
            let style = Style::new().fg(layer_colour(d, l)).patch(theme::HEADER);
            Line::from(vec![Span::raw(marker), Span::styled(title, style)])
        }
        TreeRow::Field(_, f) => {
            let Some(field) = d.fields.get(f) else {
                return Line::default();
            };
            let mut text = "    ".repeat(field.depth as usize + 1);
            let generated = field.origin == Origin::Generated;
            if generated {
                text.push('[');
            }
            text.push_str(field.name);
            text.push_str(": ");
            write_tshark(&mut text, &field.value, data);
            if let Some(meaning) = &field.meaning {
                text.push_str(" (");
                text.push_str(meaning);
                text.push(')');
            }
            if generated {
                text.push(']');
                Line::styled(text, theme::GENERATED)
            } else {
                Line::raw(text)
            }
        }
        TreeRow::Note(_, n) => {
            let Some(note) = d.notes.get(n) else {
                return Line::default();
            };
            let (tag, style) = match note.severity {
                Severity::Note => ("note", theme::NOTE),
                Severity::Warn => ("warning", theme::WARN),
            };
            Line::styled(
                format!("    [{tag} at byte {}: {}]", note.offset, note.message),
                style,
            )
        }
    }
}

/// The colour of layer `l`: its place among the layers that own bytes.
pub fn layer_colour(d: &Dissection, l: usize) -> ratatui::style::Color {
    let n = d.layers[..l.min(d.layers.len())]
        .iter()
        .filter(|x| x.proto != Proto::Frame)
        .count();
    theme::layer(n)
}
