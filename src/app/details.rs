//! The details pane's state: the selected frame decoded with every field,
//! laid out as tree rows (layers, their fields when expanded, and their
//! notes always), with a cursor whose byte range the hex pane highlights.

use std::collections::HashSet;
use std::ops::Range;

use crate::decode::{Detail, Dissection, Note, NoteKind, Proto, Severity};
use crate::frame::FrameRecord;

use super::reassembled::{KEPT_BYTES_BUDGET, Reassembled};
use super::store::{FrameStore, empty_frame};

/// One line of the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeRow {
    /// A layer heading: index into `Dissection::layers`.
    Layer(usize),
    /// A field: index into `Dissection::fields`, under layer `.0`.
    Field(usize, usize),
    /// A note: index into `Dissection::notes`, under layer `.0`.
    Note(usize, usize),
}

impl TreeRow {
    /// The layer this row belongs to.
    pub fn layer(self) -> usize {
        match self {
            TreeRow::Layer(l) | TreeRow::Field(l, _) | TreeRow::Note(l, _) => l,
        }
    }
}

/// The decoded selected frame and the tree over it.
#[derive(Debug)]
pub struct DetailTree {
    /// Store index of the frame decoded, if any.
    pub frame_index: Option<usize>,
    pub frame: FrameRecord,
    pub dissection: Dissection,
    pub rows: Vec<TreeRow>,
    /// Protocols whose layers are open; kept from packet to packet, as
    /// Wireshark does.
    pub expanded: HashSet<Proto>,
    pub cursor: usize,
    pub offset: usize,
    /// How many rows fit on screen; set by the view.
    pub height: usize,
}

impl Default for DetailTree {
    fn default() -> Self {
        DetailTree {
            frame_index: None,
            frame: empty_frame(),
            dissection: Dissection::default(),
            rows: Vec::new(),
            expanded: HashSet::new(),
            cursor: 0,
            offset: 0,
            height: 1,
        }
    }
}

impl DetailTree {
    /// Decode frame `index` (or clear the tree) when it is not the one shown.
    pub fn show(&mut self, store: &FrameStore, reassembled: &Reassembled, index: Option<usize>) {
        if index == self.frame_index {
            return;
        }
        self.frame_index = index;
        let cursor_layer = self.rows.get(self.cursor).map(|r| self.layer_proto(*r));
        match index {
            Some(i) if store.load_into(i, &mut self.frame) => {
                reassembled.decode(i, &self.frame, Detail::Fields, &mut self.dissection);
                if reassembled.decoded_alone(i) {
                    self.dissection
                        .notes
                        .push(over_budget_note(&self.dissection));
                }
            }
            _ => {
                self.frame_index = None;
                self.dissection.clear();
            }
        }
        self.rebuild();
        // Stay on the same protocol's heading when the new packet has it.
        self.cursor = cursor_layer
            .flatten()
            .and_then(|p| {
                self.rows.iter().position(
                    |r| matches!(r, TreeRow::Layer(l) if self.dissection.layers[*l].proto == p),
                )
            })
            .unwrap_or(0);
        self.offset = 0;
        self.scroll_to_cursor();
    }

    fn layer_proto(&self, row: TreeRow) -> Option<Proto> {
        self.dissection.layers.get(row.layer()).map(|l| l.proto)
    }

    /// True when the layer's fields are listed.
    pub fn is_expanded(&self, layer: usize) -> bool {
        self.dissection
            .layers
            .get(layer)
            .is_some_and(|l| self.expanded.contains(&l.proto))
    }

    /// Lay out the rows again from the dissection and the open protocols.
    pub fn rebuild(&mut self) {
        self.rows.clear();
        let d = &self.dissection;
        let owner: Vec<usize> = d.notes.iter().map(|n| note_layer(d, n)).collect();
        for (li, layer) in d.layers.iter().enumerate() {
            self.rows.push(TreeRow::Layer(li));
            if self.expanded.contains(&layer.proto) {
                for fi in layer.fields.clone() {
                    self.rows.push(TreeRow::Field(li, fi));
                }
            }
            for (ni, _) in owner.iter().enumerate().filter(|(_, o)| **o == li) {
                self.rows.push(TreeRow::Note(li, ni));
            }
        }
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
        self.scroll_to_cursor();
    }

    /// Open or close the layer under the cursor; on a field, close its
    /// layer and put the cursor on the heading.
    pub fn toggle(&mut self) {
        let Some(&row) = self.rows.get(self.cursor) else {
            return;
        };
        let open = !matches!(row, TreeRow::Field(..)) && !self.is_expanded(row.layer());
        self.set_open(row.layer(), open);
    }

    /// Open (true) or close the layer under the cursor.
    pub fn open_at_cursor(&mut self, open: bool) {
        if let Some(&row) = self.rows.get(self.cursor) {
            self.set_open(row.layer(), open);
        }
    }

    fn set_open(&mut self, layer: usize, open: bool) {
        let Some(proto) = self.dissection.layers.get(layer).map(|l| l.proto) else {
            return;
        };
        if open {
            self.expanded.insert(proto);
        } else {
            self.expanded.remove(&proto);
        }
        self.rebuild();
        if let Some(pos) = self.rows.iter().position(|r| *r == TreeRow::Layer(layer)) {
            self.cursor = pos;
        }
        self.scroll_to_cursor();
    }

    /// Open every layer, or close them all when all are open.
    pub fn toggle_all(&mut self) {
        let protos: Vec<Proto> = self.dissection.layers.iter().map(|l| l.proto).collect();
        let all_open = protos.iter().all(|p| self.expanded.contains(p));
        for p in protos {
            if all_open {
                self.expanded.remove(&p);
            } else {
                self.expanded.insert(p);
            }
        }
        let layer = self.rows.get(self.cursor).map(|r| r.layer());
        self.rebuild();
        if let Some(l) = layer
            && let Some(pos) = self.rows.iter().position(|r| *r == TreeRow::Layer(l))
        {
            self.cursor = pos;
        }
        self.scroll_to_cursor();
    }

    /// Move the cursor by `delta` rows.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.rows.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
        self.scroll_to_cursor();
    }

    /// Move the cursor to the first or last row.
    pub fn jump(&mut self, end: bool) {
        self.cursor = if end {
            self.rows.len().saturating_sub(1)
        } else {
            0
        };
        self.scroll_to_cursor();
    }

    /// Put the cursor on the row `row` lines below the top of the window.
    pub fn click(&mut self, row: usize) {
        let pos = self.offset + row;
        if pos < self.rows.len() {
            self.cursor = pos;
        }
    }

    /// Set how many rows fit and keep the cursor in view.
    pub fn set_height(&mut self, rows: usize) {
        self.height = rows.max(1);
        self.scroll_to_cursor();
    }

    fn scroll_to_cursor(&mut self) {
        let h = self.height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + h {
            self.offset = self.cursor + 1 - h;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(h));
    }

    /// The bytes of the row under the cursor: a layer's header, a field's
    /// bytes, or the byte a note points at. None for generated fields.
    pub fn highlight(&self) -> Option<Range<usize>> {
        let (d, source) = (&self.dissection, self.shown_source());
        let range = match *self.rows.get(self.cursor)? {
            TreeRow::Layer(l) => d.layers.get(l)?.header.clone(),
            TreeRow::Field(_, f) => d.fields.get(f)?.bytes.clone(),
            TreeRow::Note(_, n) => {
                let at = d.notes.get(n)?.offset;
                at..at + 1
            }
        };
        let len = d.data(source, &self.frame.data).len();
        let range = range.start.min(len)..range.end.min(len);
        (!range.is_empty()).then_some(range)
    }

    /// Which bytes the cursor's row indexes, as Wireshark's bytes pane
    /// shows them (a tab per data source): 0 the frame, N the dissection's
    /// N-th source (a reassembled datagram or PDU).
    pub fn shown_source(&self) -> u8 {
        let d = &self.dissection;
        match self.rows.get(self.cursor) {
            Some(TreeRow::Layer(l)) => d.layers.get(*l).map_or(0, |l| l.source),
            Some(TreeRow::Field(_, f)) => d.fields.get(*f).map_or(0, |f| f.source),
            _ => 0,
        }
    }

    /// The bytes of [`DetailTree::shown_source`] and its name.
    pub fn shown_bytes(&self) -> (&[u8], &'static str) {
        let d = &self.dissection;
        let source = self.shown_source();
        let name = match source {
            0 => "Frame",
            n => d
                .sources
                .get(usize::from(n) - 1)
                .map_or("Frame", |s| s.name),
        };
        (d.data(source, &self.frame.data), name)
    }
}

/// The layer a note belongs to: the innermost layer of the note's protocol
/// starting at or before its offset, else the innermost layer starting
/// there, else the first layer.
fn note_layer(d: &Dissection, note: &crate::decode::Note) -> usize {
    let starts_before = |l: &&crate::decode::Layer| l.header.start <= note.offset;
    d.layers
        .iter()
        .enumerate()
        .rev()
        .find(|(_, l)| l.proto == note.proto && starts_before(l))
        .or_else(|| {
            d.layers
                .iter()
                .enumerate()
                .rev()
                .find(|(_, l)| l.proto != Proto::Frame && starts_before(l))
        })
        .map_or(0, |(i, _)| i)
}

/// Why a frame that completed a PDU or datagram shows only its own bytes.
fn over_budget_note(d: &Dissection) -> Note {
    Note {
        severity: Severity::Note,
        kind: NoteKind::Unsupported,
        proto: d.layers.last().map_or(Proto::Frame, |l| l.proto),
        offset: 0,
        message: format!(
            "not reassembled: the {} MiB the TUI keeps of reassembled PDUs and datagrams were spent",
            KEPT_BYTES_BUDGET >> 20
        ),
    }
}
