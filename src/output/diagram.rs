//! Draws `teach::diagram::Diagram` as the RFCs draw headers: the bit
//! ruler, `+-+-+` borders, `|` between fields, a field's name and value
//! centred in its bits, `~` where the middle of a long field is left out,
//! and under each header the names and values that had to be shortened.
//! On a terminal each header takes its layer's colour from the TUI's hex
//! pane (the same order: blue, green, magenta, cyan, yellow, red).
//! Formats the model only.

use std::fmt::Write;

use super::teach::Paint;
use crate::teach::diagram::{CellKind, Diagram, GridRow, HeaderDiagram, ROW_BITS};

/// The bit ruler, as RFC 791 prints it.
pub const RULER: [&str; 2] = [
    " 0                   1                   2                   3",
    " 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1",
];

/// ANSI codes of the TUI's layer colours (`tui::theme::layer`), in order.
const LAYER_ANSI: [&str; 6] = ["94", "92", "95", "96", "33", "91"];

/// Append every header's diagram.
pub fn write_diagram(out: &mut String, dg: &Diagram, p: Paint) {
    let _ = writeln!(out, "Frame {}: its headers as the RFCs draw them", dg.frame);
    for h in &dg.headers {
        out.push('\n');
        let _ = writeln!(out, "{}", header_title(h));
        write_header(out, h, p);
    }
}

/// Append the diagrams as Markdown: a heading and a code block per header.
pub fn write_diagram_markdown(out: &mut String, dg: &Diagram) {
    let _ = writeln!(out, "# Frame {}: header diagrams", dg.frame);
    for h in &dg.headers {
        let mut body = String::new();
        write_header(&mut body, h, Paint { on: false });
        let fence = "`".repeat(longest_backtick_run(&body).max(2) + 1);
        let _ = write!(
            out,
            "\n## {}\n\n{fence}text\n{body}{fence}\n",
            header_title(h)
        );
    }
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// A header's title line: `Internet Protocol Version 4, bytes 14..34 (20 bytes)`.
pub fn header_title(h: &HeaderDiagram) -> String {
    let bytes = h.range.len();
    format!(
        "{}{}, bytes {}..{} ({bytes} byte{})",
        h.title,
        if h.quoted { " (quoted)" } else { "" },
        h.range.start,
        h.range.end,
        if bytes == 1 { "" } else { "s" }
    )
}

/// Append one header: ruler, grid, then what was shortened.
pub fn write_header(out: &mut String, h: &HeaderDiagram, p: Paint) {
    let colour = LAYER_ANSI[h.layer % LAYER_ANSI.len()];
    for line in RULER {
        let _ = writeln!(out, "{line}");
    }
    let mut above = None;
    for (r, row) in h.rows.iter().enumerate() {
        let _ = writeln!(out, "{}", border(h, above, Some(r)));
        match row {
            GridRow::Bits { height, .. } => {
                for line in 0..*height {
                    out.push_str(&text_line(h, r, line, *height, colour, p));
                    out.push('\n');
                }
            }
            GridRow::Elided { rows, .. } => {
                let inner = 2 * ROW_BITS as usize - 1;
                let what = format!("({} more bytes)", 4 * rows);
                let _ = writeln!(out, "~{}~", centre(&what, inner));
            }
        }
        above = Some(r);
    }
    let _ = writeln!(out, "{}", border(h, above, None));
    for c in h
        .cells
        .iter()
        .filter(|c| c.shortened && (c.kind == CellKind::Field || c.abbreviation.is_some()))
    {
        let mut line = match &c.abbreviation {
            Some(a) => format!("  {a}: {}", c.name),
            None => format!("  {}", c.name),
        };
        if !c.full_value.is_empty() {
            let _ = write!(line, " = {}", c.full_value);
        }
        let _ = writeln!(out, "{line}");
    }
    if h.undrawn > 0 {
        let _ = writeln!(out, "  ({} more bytes of this header not drawn)", h.undrawn);
    }
}

fn centre(s: &str, width: usize) -> String {
    let n = s.chars().count().min(width);
    let left = (width - n) / 2;
    format!("{}{s}{}", " ".repeat(left), " ".repeat(width - n - left))
}

/// Line `line` of `height` of row `r`: `|` between cells, each label
/// centred in its bits, on the row that holds it.
fn text_line(
    h: &HeaderDiagram,
    r: usize,
    line: usize,
    height: usize,
    colour: &str,
    p: Paint,
) -> String {
    let width = h.row_width(r);
    let mut s = String::new();
    let mut b = 0;
    while b < width {
        let owner = h.owner_at(r, b);
        let mut e = b + 1;
        while e < width && h.owner_at(r, e) == owner {
            e += 1;
        }
        let inner = (2 * (e - b) - 1) as usize;
        let mut text = String::new();
        let mut kind = CellKind::Undecoded;
        if let Some(c) = owner.map(|i| &h.cells[i])
            && c.label_row == r
        {
            kind = c.kind;
            let mut lines: Vec<&str> = c.label.iter().map(String::as_str).collect();
            if !c.value.is_empty() {
                lines.push(&c.value);
            }
            let top = (height - lines.len().min(height)) / 2;
            if let Some(t) = line.checked_sub(top).and_then(|i| lines.get(i)) {
                text = (*t).to_string();
            }
        } else if let Some(c) = owner.map(|i| &h.cells[i])
            && let Some((_, t)) = c.continued.iter().find(|(cr, _)| *cr == r)
            && line == (height - 1) / 2
        {
            kind = CellKind::Rest;
            text = t.clone();
        }
        let cell = centre(&text, inner);
        s.push('|');
        if p.on && !text.is_empty() {
            let code = match kind {
                CellKind::Field => colour,
                CellKind::Rest | CellKind::Undecoded => "2",
            };
            let _ = write!(s, "\x1b[{code}m{cell}\x1b[0m");
        } else {
            s.push_str(&cell);
        }
        b = e;
    }
    s.push('|');
    s
}

/// Whether row `r` has a `|` at bit boundary `b`.
fn bar(h: &HeaderDiagram, r: Option<usize>, b: u32) -> bool {
    let Some(r) = r else { return false };
    let w = h.row_width(r);
    w > 0 && b <= w && (b == 0 || b == w || h.owner_at(r, b - 1) != h.owner_at(r, b))
}

/// The border between rows `above` and `below`: `-` under every bit that
/// changes cell, `+` at every boundary a border or a `|` meets.
fn border(h: &HeaderDiagram, above: Option<usize>, below: Option<usize>) -> String {
    let at = |r: Option<usize>, b| r.and_then(|r| h.owner_at(r, b));
    let wa = above.map_or(0, |r| h.row_width(r));
    let wb = below.map_or(0, |r| h.row_width(r));
    let w = wa.max(wb);
    let mut chars = vec![' '; 2 * w as usize + 1];
    for b in 0..w {
        let (a, c) = (at(above, b), at(below, b));
        if (a.is_some() || c.is_some()) && a != c {
            chars[2 * b as usize + 1] = '-';
        }
    }
    for b in 0..=w {
        let i = 2 * b as usize;
        let dash = |j: Option<usize>| j.and_then(|j| chars.get(j)) == Some(&'-');
        if bar(h, above, b) || bar(h, below, b) || dash(i.checked_sub(1)) || dash(Some(i + 1)) {
            chars[i] = '+';
        }
    }
    chars.into_iter().collect::<String>().trim_end().to_string()
}
