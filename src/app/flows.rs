//! The Flows tab's model: every conversation among the frames the view has
//! looked at, from `flow::FlowTable`, kept up to date one frame at a time
//! (each frame is ingested once, as it is first considered), so opening the
//! tab costs nothing however many packets there are. It also remembers
//! which conversation each frame belongs to, so a picked flow narrows the
//! packet list without decoding a single frame.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use crate::decode::summary::tcp_info::{self, Scale};
use crate::decode::tcp;
use crate::decode::{Dissection, Proto};
use crate::flow::analysis::Analysis as Verdicts;
use crate::flow::{FlowConfig, FlowInfo, FlowKey, FlowState, FlowTable, Packet, TcpSegment};
use crate::frame::{FrameRecord, Process};

use super::list::PacketList;

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

/// Wireshark's Info prefix for the flags, most telling first.
pub fn analysis_label(bits: u8) -> Option<&'static str> {
    Some(if bits & Analysis::RETRANSMISSION != 0 {
        "[TCP Retransmission]"
    } else if bits & Analysis::OUT_OF_ORDER != 0 {
        "[TCP Out-Of-Order]"
    } else if bits & Analysis::DUPLICATE_ACK != 0 {
        "[TCP Dup ACK]"
    } else if bits & Analysis::ZERO_WINDOW != 0 {
        "[TCP ZeroWindow]"
    } else {
        return None;
    })
}

/// Wireshark's Info labels (packet-tcp.c's `tcp_print_sequence_number_analysis`):
/// each is put in front of the column as it is found, so the last found
/// leads. One kind of retransmission is named: spurious, fast or plain.
/// `flags` are `FlowList::analysis_of`'s (duplicate ACKs less window
/// updates), `dup` a duplicate ACK's numbering.
pub fn labels(v: Verdicts, flags: u8, dup: Option<(u64, u32)>) -> String {
    let mut found: Vec<String> = Vec::new();
    let mut push = |s: &str| found.push(format!("[TCP {s}] "));
    let spurious = v.has(Verdicts::SPURIOUS_RETRANSMISSION);
    let fast = v.has(Verdicts::FAST_RETRANSMISSION);
    if v.has(Verdicts::RETRANSMISSION) && !spurious && !fast {
        push("Retransmission");
    }
    if v.has(Verdicts::LOST_SEGMENT) {
        push("Previous segment not captured");
    }
    if v.has(Verdicts::KEEP_ALIVE) {
        push("Keep-Alive");
    }
    if v.has(WINDOW_UPDATE) {
        push("Window Update");
    }
    if v.has(KEEP_ALIVE_ACK) {
        push("Keep-Alive ACK");
    }
    if let (true, Some((frame, n))) = (flags & Analysis::DUPLICATE_ACK != 0, dup) {
        push(&format!("Dup ACK {frame}#{n}"));
    }
    if v.has(Verdicts::ZERO_WINDOW_PROBE) {
        push("ZeroWindowProbe");
    }
    if v.has(Verdicts::ZERO_WINDOW) {
        push("ZeroWindow");
    }
    if spurious {
        push("Spurious Retransmission");
    } else if fast {
        push("Fast Retransmission");
    }
    if v.has(Verdicts::OUT_OF_ORDER) {
        push("Out-Of-Order");
    }
    found.reverse();
    found.concat()
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
    /// For each of those frames, tcpdump's relative sequence numbers (the
    /// flow annotation the pipeline gives the line), for the Info column.
    frame_seq: std::collections::VecDeque<Option<(u32, u32)>>,
    /// For each of those frames, its `tcp.analysis` bits and `RESET`.
    frame_flags: std::collections::VecDeque<u8>,
    /// For each of those frames, what Wireshark's TCP Info says that the
    /// bytes do not: relative numbers, the window scale then in force.
    frame_tcp: std::collections::VecDeque<Option<tcp_info::Flow>>,
    /// For each of those frames, the flow's analysis verdicts as they are
    /// (`Analysis` folds them), for the Info column's labels.
    frame_verdicts: std::collections::VecDeque<u16>,
    /// Duplicate ACKs by store index: the frame number of the last ACK
    /// that was not one, and how many followed it (`[TCP Dup ACK 7#2]`).
    dup_acks: std::collections::BTreeMap<usize, (u64, u32)>,
    /// Each TCP stream's per-direction facts for the Info column.
    streams: HashMap<u32, StreamFacts>,
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
    /// The verdicts of the frame being ingested (`track` sets them).
    verdicts: u16,
    /// The selection; its `shown` holds positions in `rows`.
    pub list: PacketList,
}

/// What one TCP stream's Info column needs, per direction: Wireshark's
/// `win_scale`, set by the SYNs, and the last ACK that was not a
/// duplicate with the duplicates since.
#[derive(Clone, Copy, Debug, Default)]
struct StreamFacts {
    scales: [Scale; 2],
    nondup: [(u64, u32); 2],
    /// The previous segment's relative acknowledgment number.
    last_ack: [Option<u32>; 2],
    last: [Last; 2],
}

/// A direction's previous segment, as window updates and keep-alive ACKs
/// are told by: the next sequence number expected (the highest end sent),
/// its acknowledgment number and window (raw), and whether it was a
/// keep-alive.
#[derive(Clone, Copy, Debug, Default)]
struct Last {
    next: Option<u32>,
    ack: Option<u32>,
    window: Option<u16>,
    keep_alive: bool,
}

/// `frame_verdicts` bits the flow table does not give, above its own:
/// Wireshark's `tcp.analysis.window_update` and `keep_alive_ack`.
const WINDOW_UPDATE: u16 = 1 << 14;
const KEEP_ALIVE_ACK: u16 = 1 << 15;

impl Default for FlowList {
    fn default() -> Self {
        FlowList {
            // No idle expiry: a file's conversations all stay listed.
            table: FlowTable::new(FlowConfig::default()),
            rows: Vec::new(),
            by_stream: HashMap::new(),
            frame_row: Default::default(),
            frame_seq: Default::default(),
            frame_flags: Default::default(),
            frame_tcp: Default::default(),
            frame_verdicts: Default::default(),
            dup_acks: Default::default(),
            streams: HashMap::new(),
            windows: Vec::new(),
            frame_base: 0,
            visible: None,
            processes: HashMap::new(),
            echo: Default::default(),
            verdicts: 0,
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
        self.dup_acks = self.dup_acks.split_off(&first);
        while self.frame_base < first {
            self.frame_seq.pop_front();
            self.frame_flags.pop_front();
            self.frame_tcp.pop_front();
            self.frame_verdicts.pop_front();
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
        let (row, seq, flags, tcp) = self.track(frame, d);
        self.frame_verdicts.push_back(self.verdicts);
        self.frame_row.push_back(row.unwrap_or(NO_FLOW));
        self.frame_seq.push_back(seq);
        self.frame_flags.push_back(flags);
        self.frame_tcp.push_back(tcp);
    }

    /// Count the next store frame as belonging to no conversation (its
    /// bytes were not there to decode).
    pub fn skip(&mut self) {
        self.frame_row.push_back(NO_FLOW);
        self.frame_seq.push_back(None);
        self.frame_flags.push_back(0);
        self.frame_tcp.push_back(None);
        self.frame_verdicts.push_back(0);
    }

    /// The frame's conversation row, its relative numbers, its flags and
    /// what its TCP Info needs.
    fn track(
        &mut self,
        frame: &FrameRecord,
        d: &Dissection,
    ) -> (Option<u32>, Option<(u32, u32)>, u8, Option<tcp_info::Flow>) {
        self.verdicts = 0;
        let Some(info) = self.table.ingest(frame, d) else {
            return (None, None, 0, self.inner_tcp(frame, d));
        };
        let tcp = match Packet::inner_from_dissection(frame, d) {
            Some(_) => self.inner_tcp(frame, d),
            None => self.tcp_facts(frame, d, &info, d.tuple.map(|t| t.header_at)),
        };
        let (row, seq, flags) = self.track_row(frame, d, info);
        if info.proto == 6 && info.rel_seq.is_some() {
            self.verdicts = info.analysis.0;
            self.count_dup_ack(frame.number, &info, flags);
            if let Some(seg) = Packet::from_dissection(frame, d).and_then(|p| p.tcp) {
                self.verdicts |= self.repeats(&seg, &info);
            }
        }
        (row, seq, flags, tcp)
    }

    /// Wireshark's window update and keep-alive ACK (both a bare ACK
    /// repeating the direction's last numbers: with a new window, or
    /// answering a keep-alive), as `WINDOW_UPDATE` and `KEEP_ALIVE_ACK`.
    fn repeats(&mut self, seg: &TcpSegment, info: &FlowInfo) -> u16 {
        let facts = self.streams.entry(info.stream).or_default();
        let dir = usize::from(!info.a_to_b);
        let last = facts.last[dir];
        let bare = seg.len == 0
            && seg.window != 0
            && seg.flags & (TcpSegment::SYN | TcpSegment::FIN | TcpSegment::RST) == 0;
        let repeats = bare
            && last.next == Some(seg.seq)
            && last.ack == Some(seg.ack)
            && last.window.is_some();
        let mut bits = 0;
        if repeats && last.window != Some(seg.window) {
            bits |= WINDOW_UPDATE;
        } else if repeats && facts.last[1 - dir].keep_alive {
            bits |= KEEP_ALIVE_ACK;
        }
        let syn_fin = u32::from(seg.flags & (TcpSegment::SYN | TcpSegment::FIN) != 0);
        let end = seg.seq.wrapping_add(seg.len).wrapping_add(syn_fin);
        let next = match last.next {
            Some(n) if (end.wrapping_sub(n) as i32) <= 0 => n,
            _ => end,
        };
        facts.last[dir] = Last {
            next: Some(next),
            ack: Some(seg.ack),
            window: Some(seg.window),
            keep_alive: info.analysis.has(Verdicts::KEEP_ALIVE),
        };
        bits
    }

    /// Wireshark's duplicate ACK numbering (`dupacknum`, `lastnondupack`):
    /// each duplicate counts on from the last ACK that was not one.
    fn count_dup_ack(&mut self, number: u64, info: &FlowInfo, flags: u8) {
        let facts = self.streams.entry(info.stream).or_default();
        let dir = usize::from(!info.a_to_b);
        let last = &mut facts.nondup[dir];
        let ack = info.rel_ack;
        if flags & Analysis::DUPLICATE_ACK != 0 {
            last.1 += 1;
            self.dup_acks
                .insert(self.frame_base + self.frame_row.len(), *last);
        } else if facts.last_ack[dir] != ack {
            // As tshark counts them: from the first segment with this
            // acknowledgment number.
            *last = (number, 0);
        }
        facts.last_ack[dir] = ack;
    }

    /// A UDP tunnel's inner TCP segment, tracked as tshark does (its
    /// stream numbered after the outer one's), for its Info's facts.
    fn inner_tcp(&mut self, frame: &FrameRecord, d: &Dissection) -> Option<tcp_info::Flow> {
        let (inner, layer) = Packet::inner_from_dissection(frame, d)?;
        let info = self.table.ingest_packet(frame, Some(&inner))?;
        let at = d.layers.get(layer).map(|l| l.header.start);
        self.tcp_facts(frame, d, &info, at)
    }

    /// Wireshark's relative numbers and window scale for the TCP header at
    /// byte `at` of `frame`, once the flow table has taken it (`info`).
    fn tcp_facts(
        &mut self,
        frame: &FrameRecord,
        d: &Dissection,
        info: &FlowInfo,
        at: Option<usize>,
    ) -> Option<tcp_info::Flow> {
        let (Some(seq), Some(ack)) = (info.rel_seq, info.rel_ack) else {
            return None;
        };
        let layer = d
            .layers
            .iter()
            .find(|l| l.proto == Proto::Tcp && !l.quoted && Some(l.header.start) == at)?;
        let dir = usize::from(!info.a_to_b);
        let scales = &mut self.streams.entry(info.stream).or_default().scales;
        let flags = crate::decode::view::View::of(&frame.data, layer).uint(&tcp::FLAGS)?;
        if flags & u64::from(TcpSegment::SYN) != 0 {
            let syn_ack = flags & u64::from(TcpSegment::ACK) != 0;
            let shift = tcp_info::window_shift(&frame.data, layer);
            Scale::on_syn(scales, dir, syn_ack, shift);
        }
        Some(tcp_info::Flow {
            seq,
            ack,
            scale: scales[dir],
        })
    }

    /// `track`'s conversation row, relative numbers and flags.
    fn track_row(
        &mut self,
        frame: &FrameRecord,
        d: &Dissection,
        info: FlowInfo,
    ) -> (Option<u32>, Option<(u32, u32)>, u8) {
        let seq = info.line_seq;
        let p = Packet::from_dissection(frame, d);
        let reset = p
            .and_then(|p| p.tcp)
            .is_some_and(|t| t.has(TcpSegment::RST));
        let mut flags = Analysis::of(info.analysis) | if reset { RESET } else { 0 };
        let Some(state) = p.and_then(|p| self.table.get(&p.key)) else {
            return (None, seq, flags);
        };
        // Conversations tshark would not count (only cut headers so far)
        // are not listed, as in `wirepeek flows`.
        if state.stream != info.stream || state.total_packets() == 0 {
            return (None, seq, flags);
        }
        let id = (state.key.proto, state.stream);
        if let Some(&row) = self.by_stream.get(&id) {
            self.rows[row as usize] = state.clone();
            if let (Some(p), Some(w)) = (p, self.windows.get_mut(row as usize)) {
                flags = same_window(w, &p, flags);
            }
            return (Some(row), seq, flags);
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
        (Some(row), seq, flags)
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
        let verdicts = Verdicts(self.frame_verdicts.get(pos).copied().unwrap_or(0));
        labels(verdicts, flags, self.dup_acks.get(&i).copied())
    }

    /// True when Wireshark gives store frame `i`'s payload to no
    /// dissector above TCP (`tcp_no_subdissector_on_error`): a
    /// retransmission or an out-of-order segment, though not a fast
    /// retransmission (which tshark's reassembly takes).
    pub fn held_back(&self, i: usize) -> bool {
        let Some(pos) = i.checked_sub(self.frame_base) else {
            return false;
        };
        let v = Verdicts(self.frame_verdicts.get(pos).copied().unwrap_or(0));
        let bad =
            Verdicts::RETRANSMISSION | Verdicts::SPURIOUS_RETRANSMISSION | Verdicts::OUT_OF_ORDER;
        v.0 & bad != 0 && !v.has(Verdicts::FAST_RETRANSMISSION)
    }

    /// What store frame `i`'s TCP Info needs of its flow (Wireshark's
    /// relative numbers, the window scale in force).
    pub fn tcp_of(&self, i: usize) -> Option<tcp_info::Flow> {
        let pos = i.checked_sub(self.frame_base)?;
        self.frame_tcp.get(pos).copied().flatten()
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
