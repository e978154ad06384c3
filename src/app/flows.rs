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
    frame_base: usize,
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
            frame_base: 0,
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
            if self.frame_row.pop_front().is_none() {
                self.frame_base = first;
                break;
            }
            self.frame_base += 1;
        }
    }

    /// Track the next store frame (decoded with at least `Detail::Layers`).
    pub fn ingest(&mut self, frame: &FrameRecord, d: &Dissection) {
        let row = self.track(frame, d).unwrap_or(NO_FLOW);
        self.frame_row.push_back(row);
    }

    /// Count the next store frame as belonging to no conversation (its
    /// bytes were not there to decode).
    pub fn skip(&mut self) {
        self.frame_row.push_back(NO_FLOW);
    }

    fn track(&mut self, frame: &FrameRecord, d: &Dissection) -> Option<u32> {
        let info = self.table.ingest(frame, d)?;
        let key = Packet::from_dissection(frame, d)?.key;
        let state = self.table.get(&key)?;
        // Conversations tshark would not count (only cut headers so far)
        // are not listed, as in `wirepeek flows`.
        if state.stream != info.stream || state.total_packets() == 0 {
            return None;
        }
        let id = (state.key.proto, state.stream);
        if let Some(&row) = self.by_stream.get(&id) {
            self.rows[row as usize] = state.clone();
            return Some(row);
        }
        let row = self.rows.len() as u32;
        self.rows.push(state.clone());
        self.by_stream.insert(id, row);
        self.list.push(row);
        Some(row)
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
