//! The Encapsulation tab: the teaching view of the selected packet, the
//! same text `wirepeek explain` prints (`teach::Lesson` through
//! `output::teach::write_lesson_at`), wrapped to the screen's width, or
//! (`d`) its headers as the RFCs draw them, the text of `explain
//! --diagram` (`teach::diagram::Diagram` through `output::diagram`), each
//! header in its layer's colour; scrolled by the app (`App::lesson`). Only
//! the lines on screen are handed to the `Paragraph`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::app::App;
use crate::output::diagram::{header_title, write_diagram, write_header};
use crate::output::teach::{Paint, write_lesson_at};
use crate::teach::Lesson;
use crate::teach::diagram::Diagram;

use super::{pane_title, theme};

/// The lesson for the selected packet, wrapped to `width` columns; empty
/// when no packet is selected.
pub fn lesson_lines(app: &App, width: u16) -> Vec<String> {
    if app.details.frame_index.is_none() {
        return Vec::new();
    }
    if app.lesson.diagram {
        return diagram_lines(app).into_iter().map(|l| l.0).collect();
    }
    let lesson = Lesson::build(&app.details.frame, &app.details.dissection, None);
    let mut text = String::new();
    let width = usize::from(width.max(10));
    write_lesson_at(&mut text, &lesson, Paint { on: false }, width);
    // What the lesson could not break (a long value) is wrapped here.
    let mut lines = Vec::new();
    for line in text.lines() {
        wrap(line, width, &mut lines);
    }
    lines
}

/// The selected packet's header diagrams, line by line, each with its
/// header's layer (for the hex pane's colour). Drawn to their own width
/// (65 columns) and not wrapped, which would break the rows; a narrower
/// pane cuts them at its edge.
fn diagram_lines(app: &App) -> Vec<(String, Option<usize>)> {
    let dg = Diagram::build(&app.details.frame, &app.details.dissection);
    let mut text = String::new();
    write_diagram(
        &mut text,
        &Diagram {
            headers: Vec::new(),
            ..dg.clone()
        },
        Paint { on: false },
    );
    let mut lines: Vec<(String, Option<usize>)> =
        text.lines().map(|l| (l.to_string(), None)).collect();
    for h in &dg.headers {
        text.clear();
        write_header(&mut text, h, Paint { on: false });
        lines.push((String::new(), None));
        lines.push((header_title(h), Some(h.layer)));
        lines.extend(text.lines().map(|l| (l.to_string(), Some(h.layer))));
    }
    lines
}

/// Break `line` at spaces to fit `width`, continuing under its own indent
/// plus two; a word longer than the width is cut.
fn wrap(line: &str, width: usize, out: &mut Vec<String>) {
    let mut rest = line.trim_end();
    let indent = rest.chars().take_while(|c| *c == ' ').count();
    let hang = " ".repeat((indent + 2).min(width / 2));
    let mut first = true;
    loop {
        let room = if first { width } else { width - hang.len() };
        if rest.chars().count() <= room {
            out.push(if first {
                rest.to_string()
            } else {
                format!("{hang}{rest}")
            });
            return;
        }
        // The byte index just past `room` characters.
        let limit = rest.char_indices().nth(room).map_or(rest.len(), |(i, _)| i);
        let cut = match rest[..limit].rfind(' ') {
            Some(space) if !rest[..space].trim().is_empty() => space,
            _ => limit,
        };
        let (head, tail) = rest.split_at(cut);
        out.push(if first {
            head.trim_end().to_string()
        } else {
            format!("{hang}{}", head.trim_end())
        });
        rest = tail.trim_start();
        first = false;
        if rest.is_empty() {
            return;
        }
    }
}

/// Draw the Encapsulation tab.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let lines = lesson_lines(app, area.width);
    let title = match app.details.frame_index {
        Some(_) => format!(
            " Encapsulation · frame {} · {} · d {} · ↑↓ PgUp PgDn scroll ",
            app.details.frame.number,
            if app.lesson.diagram {
                "header diagrams"
            } else {
                "lesson"
            },
            if app.lesson.diagram {
                "lesson"
            } else {
                "diagrams"
            }
        ),
        None => " Encapsulation ".to_string(),
    };
    let block = Block::new().title(pane_title(title, true));
    if lines.is_empty() {
        Paragraph::new("Select a packet on the Packets tab (1) to see how its headers nest.")
            .style(theme::HINT)
            .wrap(Wrap { trim: true })
            .block(block)
            .render(area, buf);
        return;
    }
    let height = block.inner(area).height as usize;
    let top = app.lesson.top.min(lines.len().saturating_sub(height));
    let shown: Vec<Line> = if app.lesson.diagram {
        diagram_lines(app)
            .into_iter()
            .skip(top)
            .take(height)
            .map(|(l, layer)| match layer {
                Some(n) => Line::styled(l, Style::new().fg(theme::layer(n))),
                None => Line::from(l),
            })
            .collect()
    } else {
        lines
            .into_iter()
            .skip(top)
            .take(height)
            .map(Line::from)
            .collect()
    };
    Paragraph::new(shown).block(block).render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn long_lines_wrap_at_spaces_under_their_own_indent() {
        let mut out = Vec::new();
        wrap("  one two three four five", 12, &mut out);
        assert_eq!(out, ["  one two", "    three", "    four", "    five"]);
        out.clear();
        wrap("abcdefghijklmnop", 10, &mut out);
        assert_eq!(out, ["abcdefghij", "  klmnop"]);
    }
}
