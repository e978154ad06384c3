//! The bytes pane: hex and ASCII of the selected frame, each layer's bytes
//! in its colour, the bytes of the selected layer or field highlighted.

use std::ops::Range;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use crate::app::{App, Pane};
use crate::decode::{Dissection, Proto};

use super::details::layer_colour;
use super::{pane_title, theme};

/// Bytes per row that fit in `width` columns: offset, hex and ASCII.
pub fn bytes_per_row(width: u16) -> usize {
    match width {
        74.. => 16,
        40.. => 8,
        _ => 4,
    }
}

/// The colour of every byte of data source `source`, by the innermost
/// layer holding it.
fn byte_colours(d: &Dissection, source: u8, len: usize) -> Vec<Color> {
    let mut colours = vec![Color::DarkGray; len];
    for (l, layer) in d.layers.iter().enumerate() {
        if layer.proto == Proto::Frame || layer.source != source {
            continue;
        }
        let end = layer.header.end.min(len);
        let start = layer.header.start.min(end);
        let c = layer_colour(d, l);
        colours[start..end].fill(c);
    }
    colours
}

/// The first row to show: the user's scroll if they scrolled, else the
/// top, moved if need be so the highlight is on screen.
pub fn first_row(
    scroll: Option<usize>,
    highlight: Option<&Range<usize>>,
    per_row: usize,
    rows: usize,
    total_rows: usize,
) -> usize {
    if let Some(s) = scroll {
        return s.min(total_rows.saturating_sub(rows));
    }
    let mut first = 0;
    if let Some(h) = highlight {
        let top = h.start / per_row;
        let bottom = (h.end.saturating_sub(1)) / per_row;
        if top < first || top >= first + rows {
            first = top.saturating_sub(1);
        } else if bottom >= first + rows && bottom - top < rows {
            first = bottom + 1 - rows;
        }
    }
    first
}

/// Draw the hex dump into `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let focused = app.focus == Pane::Bytes;
    let tree = &app.details;
    // The bytes the selected row is in: the frame's, or a reassembled
    // source's (Wireshark's extra tab), named in the title.
    let (data, source_name) = tree.shown_bytes();
    let of = match tree.shown_source() {
        0 => String::new(),
        _ => format!(" of {source_name}"),
    };
    let highlight = tree.highlight();
    let title = match &highlight {
        Some(h) if tree.frame_index.is_some() => {
            format!(
                " Bytes {}{of} (selection {}..{}) ",
                data.len(),
                h.start,
                h.end
            )
        }
        _ => format!(" Bytes {}{of} ", data.len()),
    };
    let block = Block::new().title(pane_title(title, focused));
    let inner = block.inner(area);
    block.render(area, buf);
    if tree.frame_index.is_none() {
        return;
    }
    let per_row = bytes_per_row(inner.width);
    let total_rows = data.len().div_ceil(per_row);
    let rows = inner.height as usize;
    let first = first_row(
        app.hex_scroll,
        highlight.as_ref(),
        per_row,
        rows,
        total_rows,
    );
    let colours = byte_colours(&tree.dissection, tree.shown_source(), data.len());
    for (line_no, row) in (first..total_rows).take(rows).enumerate() {
        let start = row * per_row;
        let end = (start + per_row).min(data.len());
        let mut spans = vec![Span::styled(format!("{start:04x}  "), theme::HINT)];
        let mut ascii = Vec::with_capacity(per_row);
        for i in start..start + per_row {
            let (Some(&b), Some(&colour)) = (data.get(i).filter(|_| i < end), colours.get(i))
            else {
                spans.push(Span::raw("   "));
                continue;
            };
            let lit = highlight.as_ref().is_some_and(|h| h.contains(&i));
            let style = if lit {
                theme::HIGHLIGHT_BYTES
            } else {
                Style::new().fg(colour)
            };
            spans.push(Span::styled(format!("{b:02x}"), style));
            // The gap after a highlighted byte stays lit inside the range.
            let gap_lit = lit
                && highlight.as_ref().is_some_and(|h| h.contains(&(i + 1)))
                && i + 1 < start + per_row;
            spans.push(Span::styled(
                " ",
                if gap_lit { style } else { Style::new() },
            ));
            let c = if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            };
            ascii.push(Span::styled(c.to_string(), style));
        }
        spans.push(Span::raw(" "));
        spans.extend(ascii);
        let at = Rect {
            y: inner.y + line_no as u16,
            height: 1,
            ..inner
        };
        Line::from(spans).render(at, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hex_window_moves_to_show_the_highlight() {
        // 100 rows of 16 bytes, 5 on screen, user at the top.
        assert_eq!(first_row(None, Some(&(0..4)), 16, 5, 100), 0);
        assert_eq!(first_row(None, Some(&(800..804)), 16, 5, 100), 49);
        assert_eq!(first_row(None, Some(&(48..100)), 16, 5, 100), 2);
        assert_eq!(first_row(None, None, 16, 5, 100), 0);
    }

    #[test]
    fn a_user_scroll_wins_over_the_highlight_but_stops_at_the_end() {
        assert_eq!(first_row(Some(3), Some(&(800..804)), 16, 5, 100), 3);
        assert_eq!(first_row(Some(99), None, 16, 5, 100), 95);
    }
}
