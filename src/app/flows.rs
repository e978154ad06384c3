//! The Flows tab's model: every conversation among the frames the view has
//! looked at, from `flow::FlowTable`, kept up to date one frame at a time
//! (each frame is ingested once, as it is first considered), so opening the
//! tab costs nothing however many packets there are. It also remembers
//! which conversation each frame belongs to, so a picked flow narrows the
//! packet list without decoding a single frame.

use std::collections::HashMap;
use std::fmt::Write;

use crate::decode::Dissection;
use crate::flow::{FlowConfig, FlowState, FlowTable, Packet};
use crate::frame::FrameRecord;

use super::list::PacketList;

/// `frame_row` for a frame that belongs to no conversation.
const NO_FLOW: u32 = u32::MAX;

/// The conversation table and the selection in it.
pub struct FlowList {
    table: FlowTable,
    /// One record per conversation, in order of first appearance, as of its
    /// latest packet. A finished conversation (a TCP 4-tuple reused by a new
    /// connection) keeps its last record; the new one gets a row of its own.
    pub rows: Vec<FlowState>,
    /// (IP protocol, stream index) → position in `rows`.
    by_stream: HashMap<(u8, u32), u32>,
    /// For each frame ingested, in store order from store index
    /// `frame_base`, its position in `rows`. Frames that aged out of the
    /// store are forgotten here too; their conversations stay listed.
    frame_row: std::collections::VecDeque<u32>,
    /// For each of those frames, tcpdump's relative sequence numbers (the
    /// flow annotation the pipeline gives the line), for the Info column.
    frame_seq: std::collections::VecDeque<Option<(u32, u32)>>,
    frame_base: usize,
    /// With a display filter: which rows have a frame that passes it, so
    /// the tab lists only those. None lists every conversation.
    visible: Option<Vec<bool>>,
    /// The selection; its `shown` holds positions in `rows`.
    pub list: PacketList,
}

impl Default for FlowList {
    fn default() -> Self {
        FlowList {
            // No idle expiry: a file's conversations all stay listed.
            table: FlowTable::new(FlowConfig::default()),
            rows: Vec::new(),
            by_stream: HashMap::new(),
            frame_row: Default::default(),
            frame_seq: Default::default(),
            frame_base: 0,
            visible: None,
            list: PacketList::new(false),
        }
    }
}

impl std::fmt::Debug for FlowList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowList")
            .field("rows", &self.rows.len())
            .field("ingested", &self.ingested())
            .field("selected", &self.list.selected)
            .finish()
    }
}

impl FlowList {
    /// Frames ingested so far: store indices `0..ingested()`.
    pub fn ingested(&self) -> usize {
        self.frame_base + self.frame_row.len()
    }

    /// Forget which conversation store frames before `first` belonged to
    /// (they aged out); frames before it not yet ingested never will be.
    pub fn forget_before(&mut self, first: usize) {
        while self.frame_base < first {
            self.frame_seq.pop_front();
            if self.frame_row.pop_front().is_none() {
                self.frame_base = first;
                break;
            }
            self.frame_base += 1;
        }
    }

    /// Track the next store frame (decoded with at least `Detail::Layers`).
    pub fn ingest(&mut self, frame: &FrameRecord, d: &Dissection) {
        let (row, seq) = self.track(frame, d);
        self.frame_row.push_back(row.unwrap_or(NO_FLOW));
        self.frame_seq.push_back(seq);
    }

    /// Count the next store frame as belonging to no conversation (its
    /// bytes were not there to decode).
    pub fn skip(&mut self) {
        self.frame_row.push_back(NO_FLOW);
        self.frame_seq.push_back(None);
    }

    /// The frame's conversation row, and its relative numbers.
    fn track(&mut self, frame: &FrameRecord, d: &Dissection) -> (Option<u32>, Option<(u32, u32)>) {
        let Some(info) = self.table.ingest(frame, d) else {
            return (None, None);
        };
        let seq = info.line_seq;
        let Some(state) = Packet::from_dissection(frame, d).and_then(|p| self.table.get(&p.key))
        else {
            return (None, seq);
        };
        // Conversations tshark would not count (only cut headers so far)
        // are not listed, as in `wirepeek flows`.
        if state.stream != info.stream || state.total_packets() == 0 {
            return (None, seq);
        }
        let id = (state.key.proto, state.stream);
        if let Some(&row) = self.by_stream.get(&id) {
            self.rows[row as usize] = state.clone();
            return (Some(row), seq);
        }
        let row = self.rows.len() as u32;
        self.rows.push(state.clone());
        self.by_stream.insert(id, row);
        match &mut self.visible {
            None => self.list.push(row),
            Some(v) => v.push(false),
        }
        (Some(row), seq)
    }

    /// tcpdump's relative sequence numbers for store frame `i`'s line.
    pub fn line_seq_of(&self, i: usize) -> Option<(u32, u32)> {
        let pos = i.checked_sub(self.frame_base)?;
        self.frame_seq.get(pos).copied().flatten()
    }

    /// List only the conversations `shows` is called for (a display filter
    /// is on), or every one again (`filtered` false).
    pub fn restrict(&mut self, filtered: bool) {
        self.visible = filtered.then(|| vec![false; self.rows.len()]);
        let keep = self.list.selected_frame();
        if filtered {
            self.list.replace(Vec::new());
        } else {
            self.list.replace((0..self.rows.len() as u32).collect());
        }
        if let Some(k) = keep {
            self.reselect(k);
        }
    }

    /// True when only conversations with a frame that passes the display
    /// filter are listed.
    pub fn restricted(&self) -> bool {
        self.visible.is_some()
    }

    /// Store frame `i` passed the display filter: list its conversation.
    pub fn shows(&mut self, i: usize) {
        let (Some(row), Some(visible)) = (self.row_of(i), self.visible.as_mut()) else {
            return;
        };
        if std::mem::replace(&mut visible[row as usize], true) {
            return;
        }
        let keep = self.list.selected_frame();
        let at = self.list.shown.partition_point(|&r| r < row);
        self.list.shown.insert(at, row);
        match keep {
            Some(k) => self.reselect(k),
            None => self.list.select(0),
        }
    }

    fn reselect(&mut self, row: usize) {
        let pos = self.list.shown.partition_point(|&r| (r as usize) < row);
        if let Some(last) = self.list.shown.len().checked_sub(1) {
            self.list.selected = Some(pos.min(last));
            self.list.set_rows(self.list.rows);
        }
    }

    /// The conversation store frame `i` belongs to, if ingested and any.
    pub fn row_of(&self, i: usize) -> Option<u32> {
        let pos = i.checked_sub(self.frame_base)?;
        self.frame_row.get(pos).copied().filter(|&r| r != NO_FLOW)
    }

    /// The selected conversation's position in `rows`.
    pub fn selected_row(&self) -> Option<u32> {
        self.list.selected_frame().map(|r| r as u32)
    }

    /// A conversation in a few words: `tcp 10.0.0.1:5000 ↔ 10.0.0.2:80`.
    pub fn label(&self, row: u32) -> String {
        let Some(f) = self.rows.get(row as usize) else {
            return String::new();
        };
        let mut s = format!("{} ", f.key.proto_name());
        for (i, (addr, port)) in [f.a(), f.b()].into_iter().enumerate() {
            if i == 1 {
                s.push_str(" ↔ ");
            }
            // `addr:port`, IPv6 as `[addr]:port`.
            let _ = if addr.is_ipv6() {
                write!(s, "[{addr}]:{port}")
            } else {
                write!(s, "{addr}:{port}")
            };
        }
        s
    }
}
