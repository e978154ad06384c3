//! RFC-style header diagrams: each header of a frame laid out in 32-bit
//! rows, as RFC 791, RFC 9293 and RFC 8200 draw them, every field in
//! exactly the bits its byte range and mask give it, with this packet's
//! value. Built from the `Dissection`'s fields (absolute byte ranges and
//! masks, which the decoder copies from the field registry) and nothing
//! else: no byte is read here. `output::diagram` draws the model; the TUI
//! draws the same text.
//!
//! Which fields get a cell: wire fields inside the header's bytes; where a
//! field has sub-fields (the TCP flags word and its bits, the DS field and
//! DSCP/ECN), the finest ones, and the parent's name fills any bits its
//! children leave. Bits no field covers are drawn as empty cells. A cell
//! longer than `MAX_CELL_ROWS` rows (options, names, payload) keeps its
//! first and last rows and an elision line between them.

use std::ops::Range;

use super::rows::value_text;
use crate::decode::{Dissection, Origin, Proto, tcp};
use crate::frame::FrameRecord;

/// Bits in one row of a diagram.
pub const ROW_BITS: u32 = 32;
/// Full rows of one cell drawn before the middle ones are elided.
pub const MAX_CELL_ROWS: usize = 4;
/// Bytes of one header drawn at most; the rest is counted, not drawn.
pub const MAX_HEADER_BYTES: usize = 4096;
/// Text lines a cell's name may take.
const MAX_LABEL_LINES: usize = 3;

/// The diagrams of one frame, outermost header first.
#[derive(Clone, Debug)]
pub struct Diagram {
    pub frame: u64,
    pub headers: Vec<HeaderDiagram>,
}

/// One header drawn in 32-bit rows.
#[derive(Clone, Debug)]
pub struct HeaderDiagram {
    pub proto: Proto,
    pub title: &'static str,
    /// Position among the frame's layers (the Frame layer not counted):
    /// the hex pane colours its bytes by this.
    pub layer: usize,
    /// The header's absolute bytes.
    pub range: Range<usize>,
    pub quoted: bool,
    /// Bits drawn (the header's, up to `MAX_HEADER_BYTES`).
    pub bits: u32,
    /// Header bytes not drawn (beyond `MAX_HEADER_BYTES`).
    pub undrawn: usize,
    /// Cells in bit order, covering `0..bits` without overlap.
    pub cells: Vec<Cell>,
    pub rows: Vec<GridRow>,
}

/// What a cell stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    /// A field, in exactly its bits.
    Field,
    /// Bits of a field that its sub-fields do not cover.
    Rest,
    /// Bits no field covers.
    Undecoded,
}

/// One field's box.
#[derive(Clone, Debug)]
pub struct Cell {
    /// The field's key; empty for undecoded bits.
    pub key: &'static str,
    pub name: &'static str,
    pub kind: CellKind,
    /// Bits from the header's first bit.
    pub bits: Range<u32>,
    /// The name as drawn, one entry a line.
    pub label: Vec<String>,
    /// The value as drawn (empty for `Rest` and `Undecoded`).
    pub value: String,
    /// The value in full.
    pub full_value: String,
    /// Name or value was shortened to fit: the printer lists it in full
    /// under the diagram.
    pub shortened: bool,
    /// The abbreviation drawn for a name too long for its bits (`SYN`).
    pub abbreviation: Option<String>,
    /// Index into `HeaderDiagram::rows` of the row that holds the label.
    pub label_row: usize,
    /// Pieces of the cell on other rows that no border joins to the rest
    /// (the second half of ARP's sender IP address): the row and the
    /// text drawn there, `Sender IP address (cont.)`.
    pub continued: Vec<(usize, String)>,
}

/// One row of the grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GridRow {
    /// Bits `first..first + width` of the header, `height` text lines.
    Bits {
        first: u32,
        width: u32,
        height: usize,
    },
    /// Full rows of one cell left out: `rows` rows, `first` their first bit.
    Elided { cell: usize, first: u32, rows: u32 },
}

impl HeaderDiagram {
    /// The cell holding bit `bit` (cells tile `0..bits`).
    pub fn owner(&self, bit: u32) -> Option<usize> {
        if bit >= self.bits {
            return None;
        }
        let i = self.cells.partition_point(|c| c.bits.end <= bit);
        (i < self.cells.len() && self.cells[i].bits.contains(&bit)).then_some(i)
    }

    /// The cell at column `bit` (0..32) of row `row`, if that row has it.
    pub fn owner_at(&self, row: usize, bit: u32) -> Option<usize> {
        match self.rows.get(row)? {
            GridRow::Bits { first, width, .. } => {
                (bit < *width).then(|| self.owner(first + bit)).flatten()
            }
            GridRow::Elided { cell, .. } => (bit < ROW_BITS).then_some(*cell),
        }
    }

    /// How many bits row `row` shows.
    pub fn row_width(&self, row: usize) -> u32 {
        match self.rows.get(row) {
            Some(GridRow::Bits { width, .. }) => *width,
            Some(GridRow::Elided { .. }) => ROW_BITS,
            None => 0,
        }
    }
}

/// The bits a field takes within its bytes, as runs of adjacent bits:
/// its mask read big-endian over `len` bytes (all of them for mask 0). A
/// mask with a hole (LLC's U-modifier around the P/F bit) gives two runs.
pub fn mask_runs(len: usize, mask: u64) -> Vec<Range<u32>> {
    let width = 8 * len as u32;
    if mask == 0 || width > 64 {
        return std::iter::once(0..width).collect();
    }
    let mut runs = Vec::new();
    let mut m = mask << (64 - width);
    let mut at = 0;
    while m != 0 {
        let skip = m.leading_zeros();
        m <<= skip;
        let ones = m.leading_ones();
        runs.push(at + skip..at + skip + ones);
        at += skip + ones;
        m = m.checked_shl(ones).unwrap_or(0);
    }
    runs
}

impl Diagram {
    /// Lay out every header of `d` (the Frame layer left out).
    pub fn build(frame: &FrameRecord, d: &Dissection) -> Diagram {
        let headers = d
            .layers
            .iter()
            .filter(|l| l.proto != Proto::Frame)
            .enumerate()
            .filter(|(_, l)| !l.header.is_empty())
            .map(|(n, layer)| header(frame, d, layer, n))
            .collect();
        Diagram {
            frame: frame.number,
            headers,
        }
    }
}

/// A candidate: a field's bits and its index in the layer.
struct Candidate {
    bits: Range<u32>,
    field: usize,
}

fn header(
    frame: &FrameRecord,
    d: &Dissection,
    layer: &crate::decode::Layer,
    n: usize,
) -> HeaderDiagram {
    let data = d.data(layer.source, &frame.data);
    let drawn = layer.header.len().min(MAX_HEADER_BYTES);
    let bits = 8 * drawn as u32;
    let base = layer.header.start;
    let fields = d.fields_of(layer);
    // Wire fields inside the drawn bytes, deduplicated by bits.
    let mut cands: Vec<Candidate> = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if f.origin != Origin::Wire
            || f.source != layer.source
            || f.bytes.is_empty()
            || f.bytes.start < base
            || f.bytes.end > base + drawn
        {
            continue;
        }
        let at = 8 * (f.bytes.start - base) as u32;
        for m in mask_runs(f.bytes.len(), f.mask) {
            let b = at + m.start..at + m.end;
            if b.is_empty() || cands.iter().any(|c| c.bits == b) {
                continue;
            }
            cands.push(Candidate { bits: b, field: i });
        }
    }
    let inside = |a: &Range<u32>, b: &Range<u32>| b.start <= a.start && a.end <= b.end && a != b;
    let leaf: Vec<bool> = cands
        .iter()
        .map(|c| !cands.iter().any(|o| inside(&o.bits, &c.bits)))
        .collect();
    // Leaves in bit order; one that overlaps a leaf already placed is left
    // out (fields overlap only when they nest).
    let mut order: Vec<usize> = (0..cands.len()).filter(|&i| leaf[i]).collect();
    order.sort_by_key(|&i| (cands[i].bits.start, cands[i].bits.end));
    let mut placed: Vec<(Range<u32>, CellKind, Option<usize>)> = Vec::new();
    let mut end = 0;
    for i in order {
        let b = cands[i].bits.clone();
        if b.start < end {
            continue;
        }
        fill(&mut placed, end..b.start, &cands, &leaf);
        end = b.end;
        placed.push((b, CellKind::Field, Some(cands[i].field)));
    }
    fill(&mut placed, end..bits, &cands, &leaf);
    let mut cells: Vec<Cell> = placed
        .into_iter()
        .map(|(b, kind, field)| {
            let (key, name, full_value) = match field {
                Some(i) => (
                    fields[i].key,
                    fields[i].name,
                    if kind == CellKind::Field {
                        value_text(&fields[i], data)
                    } else {
                        String::new()
                    },
                ),
                None => ("", "", String::new()),
            };
            Cell {
                key,
                name,
                kind,
                bits: b,
                label: Vec::new(),
                value: String::new(),
                full_value,
                shortened: false,
                abbreviation: None,
                label_row: 0,
                continued: Vec::new(),
            }
        })
        .collect();
    let rows = lay_out(&mut cells, bits);
    HeaderDiagram {
        proto: layer.proto,
        title: layer.proto.title(),
        layer: n,
        range: layer.header.clone(),
        quoted: layer.quoted,
        bits,
        undrawn: layer.header.len() - drawn,
        cells,
        rows,
    }
}

/// Cover `gap` with the smallest non-leaf field containing each bit (its
/// sub-fields left those bits), else with undecoded cells.
fn fill(
    placed: &mut Vec<(Range<u32>, CellKind, Option<usize>)>,
    gap: Range<u32>,
    cands: &[Candidate],
    leaf: &[bool],
) {
    let mut at = gap.start;
    while at < gap.end {
        let parent = cands
            .iter()
            .enumerate()
            .filter(|(i, c)| !leaf[*i] && c.bits.contains(&at))
            .min_by_key(|(_, c)| c.bits.len())
            .map(|(i, _)| i);
        let stop = match parent {
            Some(p) => cands[p].bits.end.min(gap.end),
            // Up to the next bit some parent covers, or the gap's end.
            None => cands
                .iter()
                .enumerate()
                .filter(|(i, c)| !leaf[*i] && c.bits.start > at)
                .map(|(_, c)| c.bits.start)
                .min()
                .unwrap_or(gap.end)
                .min(gap.end),
        };
        let kind = match parent {
            Some(_) => CellKind::Rest,
            None => CellKind::Undecoded,
        };
        placed.push((at..stop, kind, parent.map(|p| cands[p].field)));
        at = stop;
    }
}

/// Split the header into rows, elide the middle of long cells, choose each
/// label's row and fit names and values to their width.
fn lay_out(cells: &mut [Cell], bits: u32) -> Vec<GridRow> {
    let mut rows = Vec::new();
    let mut first = 0;
    let mut ci = 0;
    while first < bits {
        let width = ROW_BITS.min(bits - first);
        // The cell this row's first bit belongs to.
        while cells[ci].bits.end <= first {
            ci += 1;
        }
        let c = &cells[ci];
        // A run of full rows wholly inside one cell.
        let full = if width == ROW_BITS && c.bits.start <= first {
            (c.bits.end - first) / ROW_BITS
        } else {
            0
        };
        if full as usize > MAX_CELL_ROWS {
            // Keep two rows, elide, keep the last.
            for k in 0..2 {
                rows.push(GridRow::Bits {
                    first: first + k * ROW_BITS,
                    width: ROW_BITS,
                    height: 1,
                });
            }
            rows.push(GridRow::Elided {
                cell: ci,
                first: first + 2 * ROW_BITS,
                rows: full - 3,
            });
            rows.push(GridRow::Bits {
                first: first + (full - 1) * ROW_BITS,
                width: ROW_BITS,
                height: 1,
            });
            first += full * ROW_BITS;
        } else {
            rows.push(GridRow::Bits {
                first,
                width,
                height: 1,
            });
            first += width;
        }
    }
    // Each cell's label goes in its widest piece (the middle one of equals
    // for a box of a few full rows; the first of an elided one).
    for (i, cell) in cells.iter_mut().enumerate() {
        let mut pieces: Vec<(usize, u32)> = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            if let GridRow::Bits { first, width, .. } = row {
                let lo = cell.bits.start.max(*first);
                let hi = cell.bits.end.min(first + width);
                if lo < hi {
                    pieces.push((r, hi - lo));
                }
            }
        }
        let widest = pieces.iter().map(|p| p.1).max().unwrap_or(1);
        let equals: Vec<usize> = pieces
            .iter()
            .filter(|p| p.1 == widest)
            .map(|p| p.0)
            .collect();
        let elided = rows
            .iter()
            .any(|r| matches!(r, GridRow::Elided { cell, .. } if *cell == i));
        cell.label_row = if elided || equals.is_empty() {
            equals.first().copied().unwrap_or(0)
        } else {
            equals[(equals.len() - 1) / 2]
        };
        fit(cell, (2 * widest - 1) as usize);
        // A piece joins the rest when the cell holds the same columns in
        // the row above or below.
        let holds = |r: usize, col: u32| match rows.get(r) {
            Some(GridRow::Bits { first, width, .. }) => {
                col < *width && cell.bits.contains(&(first + col))
            }
            Some(GridRow::Elided { cell: c, .. }) => *c == i,
            None => false,
        };
        for &(r, _) in &pieces {
            let GridRow::Bits { first, width, .. } = rows[r] else {
                continue;
            };
            let lo = cell.bits.start.max(first) - first;
            let hi = cell.bits.end.min(first + width) - first;
            let joined = (lo..hi).any(|col| (r > 0 && holds(r - 1, col)) || holds(r + 1, col));
            if r != cell.label_row && !joined {
                let room = (2 * (hi - lo) - 1) as usize;
                let text = [format!("{} (cont.)", cell.name), "(cont.)".into()]
                    .into_iter()
                    .find(|t| t.chars().count() <= room)
                    .unwrap_or_default();
                cell.continued.push((r, text));
            }
        }
    }
    for (r, row) in rows.iter_mut().enumerate() {
        if let GridRow::Bits { height, .. } = row {
            *height = cells
                .iter()
                .filter(|c| c.label_row == r)
                .map(|c| c.label.len() + usize::from(!c.value.is_empty()))
                .chain(
                    cells
                        .iter()
                        .filter(|c| c.continued.iter().any(|(cr, _)| *cr == r))
                        .map(|_| 1),
                )
                .max()
                .unwrap_or(1)
                .max(1);
        }
    }
    rows
}

/// Fit a cell's name and value into `width` characters: the name in words
/// on up to three lines, else an abbreviation; the value whole, else
/// without its table name, else cut with `…`.
fn fit(cell: &mut Cell, width: usize) {
    let len = |s: &str| s.chars().count();
    let name = cell.name;
    cell.label = match words(name, width) {
        Some(lines) => lines,
        None => {
            cell.shortened = true;
            let short = abbreviation(cell.key, name);
            cell.abbreviation = Some(short.clone());
            let chars: Vec<char> = short.chars().collect();
            let mut lines: Vec<String> = chars
                .chunks(width.max(1))
                .take(MAX_LABEL_LINES)
                .map(|c| c.iter().collect())
                .collect();
            // A vertical label (one or two columns) is cut without a mark:
            // the footnote names it in full.
            if chars.len() > width * MAX_LABEL_LINES
                && width > 2
                && let Some(last) = lines.last_mut()
            {
                cut(last, len(last));
            }
            lines
        }
    };
    let full = &cell.full_value;
    cell.value = if len(full) <= width {
        full.clone()
    } else {
        cell.shortened = true;
        let bare = full.split(" (").next().unwrap_or(full);
        if len(bare) <= width {
            bare.to_string()
        } else {
            let mut v = full.clone();
            cut(&mut v, width);
            v
        }
    };
}

/// `s` cut to `width` characters, the last one `…`.
fn cut(s: &mut String, width: usize) {
    let keep = width.saturating_sub(1);
    *s = s.chars().take(keep).collect::<String>() + "…";
}

/// `name` wrapped at spaces into at most `MAX_LABEL_LINES` lines of
/// `width`, if every word fits.
fn words(name: &str, width: usize) -> Option<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    for word in name.split(' ').filter(|w| !w.is_empty()) {
        let n = word.chars().count();
        if n > width {
            return None;
        }
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + n <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    (lines.len() <= MAX_LABEL_LINES).then_some(lines)
}

/// A short name as the RFCs write it: the key's last part in capitals when
/// short (`DF`, `SYN`, `ECN`), RFC 9293's `PSH` and `RST`, else the name's
/// initials.
fn abbreviation(key: &str, name: &str) -> String {
    if key == tcp::FLAGS_PUSH.key {
        return "PSH".into();
    }
    if key == tcp::FLAGS_RESET.key {
        return "RST".into();
    }
    let tail = key.rsplit('.').next().unwrap_or(key);
    if !tail.is_empty() && tail.len() <= 4 && !tail.contains('_') {
        return tail.to_ascii_uppercase();
    }
    let initials: String = name
        .split([' ', '-'])
        .filter_map(|w| w.chars().next())
        .collect();
    if initials.chars().count() >= 2 {
        initials.to_uppercase()
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_bits_follow_the_mask_big_endian() {
        assert_eq!(
            mask_runs(1, 0xf0),
            std::iter::once(0..4).collect::<Vec<_>>()
        );
        assert_eq!(
            mask_runs(1, 0x0f),
            std::iter::once(4..8).collect::<Vec<_>>()
        );
        assert_eq!(
            mask_runs(2, 0x1fff),
            std::iter::once(3..16).collect::<Vec<_>>()
        );
        assert_eq!(
            mask_runs(4, 0x0ff0_0000),
            std::iter::once(4..12).collect::<Vec<_>>()
        );
        assert_eq!(
            mask_runs(3, 0x0f_ffff),
            std::iter::once(4..24).collect::<Vec<_>>()
        );
        assert_eq!(mask_runs(2, 0), std::iter::once(0..16).collect::<Vec<_>>());
        assert_eq!(mask_runs(1, 0xec), [0..3, 4..6]);
        assert_eq!(mask_runs(8, 1 << 63 | 1), [0..1, 63..64]);
    }

    #[test]
    fn names_wrap_or_abbreviate_to_their_width() {
        assert_eq!(
            words("Header Length", 7),
            Some(vec!["Header".into(), "Length".into()])
        );
        assert_eq!(words("Acknowledgment", 1), None);
        assert_eq!(abbreviation(tcp::FLAGS_SYN.key, "Syn"), "SYN");
        assert_eq!(abbreviation(tcp::FLAGS_PUSH.key, "Push"), "PSH");
        assert_eq!(
            abbreviation("x.some_long", "Congestion Window Reduced"),
            "CWR"
        );
    }
}
