//! The Flows tab's model: every conversation among the frames the view has
//! looked at, from `flow::FlowTable`, kept up to date one frame at a time
//! (each frame is ingested once, as it is first considered), so opening the
//! tab costs nothing however many packets there are. It also remembers
//! which conversation each frame belongs to, so a picked flow narrows the
//! packet list without decoding a single frame.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use crate::decode::Dissection;
use crate::decode::summary::tcp_info;
use crate::flow::analysis::Analysis as Verdicts;
use crate::flow::{FlowConfig, FlowInfo, FlowKey, FlowState, FlowTable, Packet, TcpSegment};
use crate::frame::{FrameRecord, Process};

use super::list::PacketList;
use super::tcp_facts::TcpFacts;

/// `frame_row` for a frame that belongs to no conversation.
const NO_FLOW: u32 = u32::MAX;

/// Conversations whose process is remembered; past it the memory starts
/// afresh (as `pipeline::process` does), so a flood stays bounded.
const MAX_PROCESSES: usize = 1 << 16;

/// `FlowList::analysis_of`'s bit for a segment with RST set; the others are
/// `Analysis`'s.
pub const RESET: u8 = 0x80;

/// The `tcp.analysis` flags the packet list colours by, one byte per
/// frame: flow's verdicts (`flow::analysis::Analysis`) folded to the four
/// Wireshark's "Bad TCP" rule names.
pub struct Analysis;

impl Analysis {
    /// `tcp.analysis.retransmission` (fast and spurious ones included).
    pub const RETRANSMISSION: u8 = 0x01;
    pub const OUT_OF_ORDER: u8 = 0x02;
    pub const DUPLICATE_ACK: u8 = 0x04;
    /// `tcp.analysis.zero_window`.
    pub const ZERO_WINDOW: u8 = 0x08;

    /// The byte for one segment's verdicts.
    pub fn of(v: Verdicts) -> u8 {
        let mut bits = 0;
        let retransmitted = Verdicts::RETRANSMISSION
            | Verdicts::FAST_RETRANSMISSION
            | Verdicts::SPURIOUS_RETRANSMISSION;
        if v.0 & retransmitted != 0 {
            bits |= Analysis::RETRANSMISSION;
        }
        if v.has(Verdicts::OUT_OF_ORDER) {
            bits |= Analysis::OUT_OF_ORDER;
        }
        if v.has(Verdicts::DUPLICATE_ACK) {
            bits |= Analysis::DUPLICATE_ACK;
        }
        if v.has(Verdicts::ZERO_WINDOW) {
            bits |= Analysis::ZERO_WINDOW;
        }
        bits
    }
}

/// Wireshark's colouring rules that the flow annotations decide, first
/// match wins (its `colorfilters` order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colouring {
    /// "Bad TCP": a `tcp.analysis` flag (retransmission, out of order,
    /// duplicate ACK, zero window).
    BadTcp,
    /// "TCP RST": `tcp.flags.reset == 1`.
    TcpRst,
}

impl Colouring {
    /// The rule frame flags `bits` (from `FlowList::analysis_of`) match.
    pub fn of(bits: u8) -> Option<Colouring> {
        if bits & !RESET != 0 {
            Some(Colouring::BadTcp)
        } else if bits & RESET != 0 {
            Some(Colouring::TcpRst)
        } else {
            None
        }
    }
}

/// `flags` without `DUPLICATE_ACK` when the segment's window differs from
/// its direction's previous one (Wireshark: a window update, not a
/// duplicate ACK); `last` then holds this window.
fn same_window(last: &mut [Option<u16>; 2], p: &Packet, flags: u8) -> u8 {
    let Some(seg) = p.tcp else { return flags };
    let dir = usize::from(!p.forward);
    let before = last[dir].replace(seg.window);
    if flags & Analysis::DUPLICATE_ACK != 0 && before != Some(seg.window) {
        flags & !Analysis::DUPLICATE_ACK
    } else {
        flags
    }
}

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
    /// For each of those frames, its `tcp.analysis` bits and `RESET`.
    frame_flags: std::collections::VecDeque<u8>,
    /// What the TCP Info column needs of each frame and stream.
    tcp: TcpFacts,
    /// Per row, each direction's last TCP window (unscaled): the flow
    /// table compares windows through a 4-bit fingerprint, so a window
    /// update it reads as a duplicate ACK is told apart here.
    windows: Vec<[Option<u16>; 2]>,
    frame_base: usize,
    /// With a display filter: which rows have a frame that passes it, so
    /// the tab lists only those. None lists every conversation.
    visible: Option<Vec<bool>>,
    /// Each conversation's local process, as a live capture found it.
    processes: HashMap<FlowKey, Arc<Process>>,
    /// Echo replies paired with their requests, for the Info column.
    echo: super::echo_pairs::EchoPairs,
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
            frame_flags: Default::default(),
            tcp: TcpFacts::default(),
            windows: Vec::new(),
            frame_base: 0,
            visible: None,
            processes: HashMap::new(),
            echo: Default::default(),
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
        self.echo.forget_before(first);
        self.tcp.forget_before(first);
        while self.frame_base < first {
            self.frame_flags.pop_front();
            self.tcp.pop_front();
            if self.frame_row.pop_front().is_none() {
                self.frame_base = first;
                break;
            }
            self.frame_base += 1;
        }
    }

    /// Track the next store frame (decoded with at least `Detail::Layers`).
    pub fn ingest(&mut self, frame: &FrameRecord, d: &Dissection) {
        self.echo
            .ingest(self.ingested(), frame.number, &frame.data, d);
        let (row, flags, (tcp, verdicts)) = self.track(frame, d);
        self.tcp.push(tcp, verdicts);
        self.frame_row.push_back(row.unwrap_or(NO_FLOW));
        self.frame_flags.push_back(flags);
    }

    /// Count the next store frame as belonging to no conversation (its
    /// bytes were not there to decode).
    pub fn skip(&mut self) {
        self.frame_row.push_back(NO_FLOW);
        self.frame_flags.push_back(0);
        self.tcp.push(None, 0);
    }

    /// The frame's conversation row, its relative numbers, its flags and
    /// what its TCP Info needs (the flow's facts, the verdicts).
    fn track(
        &mut self,
        frame: &FrameRecord,
        d: &Dissection,
    ) -> (Option<u32>, u8, (Option<tcp_info::Flow>, u16)) {
        let Some(info) = self.table.ingest(frame, d) else {
            return (None, 0, (self.inner_tcp(frame, d), 0));
        };
        let tcp = match Packet::inner_from_dissection(frame, d) {
            Some(_) => self.inner_tcp(frame, d),
            None => self.tcp.flow(frame, d, &info, d.tuple.map(|t| t.header_at)),
        };
        let (row, flags) = self.track_row(frame, d, info);
        let mut verdicts = 0;
        if info.proto == 6 && info.rel_seq.is_some() {
            verdicts = info.analysis.0;
            self.tcp
                .count_dup_ack(self.ingested(), frame.number, &info, flags);
            if let Some(seg) = Packet::from_dissection(frame, d).and_then(|p| p.tcp) {
                verdicts |= self.tcp.repeats(&seg, &info);
            }
        }
        (row, flags, (tcp, verdicts))
    }

    /// A UDP tunnel's inner TCP segment, tracked as tshark does (its
    /// stream numbered after the outer one's), for its Info's facts.
    fn inner_tcp(&mut self, frame: &FrameRecord, d: &Dissection) -> Option<tcp_info::Flow> {
        let (inner, layer) = Packet::inner_from_dissection(frame, d)?;
        let info = self.table.ingest_packet(frame, Some(&inner))?;
        let at = d.layers.get(layer).map(|l| l.header.start);
        self.tcp.flow(frame, d, &info, at)
    }

    /// `track`'s conversation row and flags.
    fn track_row(
        &mut self,
        frame: &FrameRecord,
        d: &Dissection,
        info: FlowInfo,
    ) -> (Option<u32>, u8) {
        let p = Packet::from_dissection(frame, d);
        let reset = p
            .and_then(|p| p.tcp)
            .is_some_and(|t| t.has(TcpSegment::RST));
        let mut flags = Analysis::of(info.analysis) | if reset { RESET } else { 0 };
        let Some(state) = p.and_then(|p| self.table.get(&p.key)) else {
            return (None, flags);
        };
        // Conversations tshark would not count (only cut headers so far)
        // are not listed, as in `wirepeek flows`.
        if state.stream != info.stream || state.total_packets() == 0 {
            return (None, flags);
        }
        let id = (state.key.proto, state.stream);
        if let Some(&row) = self.by_stream.get(&id) {
            self.rows[row as usize] = state.clone();
            if let (Some(p), Some(w)) = (p, self.windows.get_mut(row as usize)) {
                flags = same_window(w, &p, flags);
            }
            return (Some(row), flags);
        }
        let row = self.rows.len() as u32;
        self.rows.push(state.clone());
        let mut w = [None; 2];
        if let Some(p) = p {
            flags = same_window(&mut w, &p, flags);
        }
        self.windows.push(w);
        self.by_stream.insert(id, row);
        match &mut self.visible {
            None => self.list.push(row),
            Some(v) => v.push(false),
        }
        (Some(row), flags)
    }

    /// Store frame `i`'s `tcp.analysis` bits and `RESET` (0 when not
    /// ingested or not TCP).
    pub fn analysis_of(&self, i: usize) -> u8 {
        i.checked_sub(self.frame_base)
            .and_then(|pos| self.frame_flags.get(pos).copied())
            .unwrap_or(0)
    }

    /// The frame number of the echo request store frame `i` replies to.
    pub fn echo_request_of(&self, i: usize) -> Option<u64> {
        self.echo.request_of(i)
    }

    /// Wireshark's analysis labels for store frame `i`'s Info column
    /// (`[TCP Keep-Alive] `, `[TCP Dup ACK 7#2] `, …), in its order.
    pub fn info_labels(&self, i: usize) -> String {
        let Some(pos) = i.checked_sub(self.frame_base) else {
            return String::new();
        };
        let flags = self.frame_flags.get(pos).copied().unwrap_or(0);
        self.tcp.labels(pos, i, flags)
    }

    /// True when Wireshark gives store frame `i`'s payload to no
    /// dissector above TCP (`tcp_no_subdissector_on_error`): a
    /// retransmission or an out-of-order segment, though not a fast
    /// retransmission (which tshark's reassembly takes).
    pub fn held_back(&self, i: usize) -> bool {
        i.checked_sub(self.frame_base)
            .is_some_and(|pos| self.tcp.held_back(pos))
    }

    /// What store frame `i`'s TCP Info needs of its flow (Wireshark's
    /// relative numbers, the window scale in force).
    pub fn tcp_of(&self, i: usize) -> Option<tcp_info::Flow> {
        self.tcp.of(i.checked_sub(self.frame_base)?)
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

    /// Remember the processes a live capture found for conversations.
    pub fn name_processes(&mut self, found: Vec<(FlowKey, Arc<Process>)>) {
        for (key, process) in found {
            if self.processes.len() >= MAX_PROCESSES && !self.processes.contains_key(&key) {
                self.processes.clear();
            }
            self.processes.insert(key, process);
        }
    }

    /// The local process of the conversation `f`, when one was found.
    pub fn process_of(&self, f: &FlowState) -> Option<&Process> {
        self.processes.get(&f.key).map(|p| &**p)
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
