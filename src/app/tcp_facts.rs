//! What the packet list's TCP Info column needs of the flows, kept one
//! frame at a time as `FlowList` ingests them (drawing a row reads it,
//! never works it out): Wireshark's relative numbers and the window scale
//! in force for each segment, the analysis verdicts as the flow table gave
//! them, and what Wireshark's labels add to them (duplicate ACK numbering,
//! window updates, keep-alive ACKs).

use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::decode::summary::tcp_info::{self, Scale};
use crate::decode::view::View;
use crate::decode::{Dissection, Proto, tcp};
use crate::flow::analysis::Analysis as Verdicts;
use crate::flow::{FlowInfo, TcpSegment};
use crate::frame::FrameRecord;

use super::flows::Analysis;

/// Verdict bits the flow table does not give, above its own: Wireshark's
/// `tcp.analysis.window_update` and `keep_alive_ack`.
const WINDOW_UPDATE: u16 = 1 << 14;
const KEEP_ALIVE_ACK: u16 = 1 << 15;

/// The facts, per frame in store order (the caller keeps the base index)
/// and per TCP stream.
#[derive(Debug, Default)]
pub(super) struct TcpFacts {
    /// Each frame's relative numbers and window scale.
    frames: VecDeque<Option<tcp_info::Flow>>,
    /// Each frame's verdicts, with `WINDOW_UPDATE` and `KEEP_ALIVE_ACK`.
    verdicts: VecDeque<u16>,
    /// Duplicate ACKs by store index: the frame number of the ACK they
    /// repeat and how many repeated it so far (`[TCP Dup ACK 7#2]`).
    dup_acks: BTreeMap<usize, (u64, u32)>,
    streams: HashMap<u32, Stream>,
}

/// One TCP stream's facts, per direction.
#[derive(Clone, Copy, Debug, Default)]
struct Stream {
    /// Wireshark's `win_scale`, set by the SYNs.
    scales: [Scale; 2],
    /// The frame number of the first segment with the current ACK number
    /// (tshark's `lastnondupack`), and the duplicates of it since.
    nondup: [(u64, u32); 2],
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

impl TcpFacts {
    /// Remember the next frame's facts.
    pub(super) fn push(&mut self, flow: Option<tcp_info::Flow>, verdicts: u16) {
        self.frames.push_back(flow);
        self.verdicts.push_back(verdicts);
    }

    /// Forget the oldest frame's facts.
    pub(super) fn pop_front(&mut self) {
        self.frames.pop_front();
        self.verdicts.pop_front();
    }

    /// Forget the duplicate ACKs of store frames before `first`.
    pub(super) fn forget_before(&mut self, first: usize) {
        self.dup_acks = self.dup_acks.split_off(&first);
    }

    /// The relative numbers and window scale of the frame at `pos`.
    pub(super) fn of(&self, pos: usize) -> Option<tcp_info::Flow> {
        self.frames.get(pos).copied().flatten()
    }

    /// Wireshark's relative numbers and window scale for the TCP header at
    /// byte `at` of `frame`, once the flow table has taken it (`info`); a
    /// SYN's window scale option is taken into the stream's scales.
    pub(super) fn flow(
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
        // The header's bytes: the frame's, or a reassembled data source's.
        let data = d.data(layer.source, &frame.data);
        let flags = View::of(data, layer).uint(&tcp::FLAGS)?;
        if flags & u64::from(TcpSegment::SYN) != 0 {
            let syn_ack = flags & u64::from(TcpSegment::ACK) != 0;
            let shift = tcp_info::window_shift(data, layer);
            Scale::on_syn(scales, dir, syn_ack, shift);
        }
        Some(tcp_info::Flow {
            seq,
            ack,
            scale: scales[dir],
        })
    }

    /// Wireshark's duplicate ACK numbering (`dupacknum`, `lastnondupack`)
    /// for store frame `index`, numbered `number`, with `FlowList` flags
    /// `flags`: each duplicate counts on from the first segment with its
    /// acknowledgment number.
    pub(super) fn count_dup_ack(&mut self, index: usize, number: u64, info: &FlowInfo, flags: u8) {
        let facts = self.streams.entry(info.stream).or_default();
        let dir = usize::from(!info.a_to_b);
        let last = &mut facts.nondup[dir];
        let ack = info.rel_ack;
        if flags & Analysis::DUPLICATE_ACK != 0 {
            last.1 += 1;
            self.dup_acks.insert(index, *last);
        } else if facts.last_ack[dir] != ack {
            *last = (number, 0);
        }
        facts.last_ack[dir] = ack;
    }

    /// Wireshark's window update and keep-alive ACK (both a bare ACK
    /// repeating its direction's last numbers: with a new window, or
    /// answering a keep-alive), as `WINDOW_UPDATE` and `KEEP_ALIVE_ACK`.
    pub(super) fn repeats(&mut self, seg: &TcpSegment, info: &FlowInfo) -> u16 {
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

    /// The labels of the frame at `pos` (store index `index`, `FlowList`
    /// flags `flags`).
    pub(super) fn labels(&self, pos: usize, index: usize, flags: u8) -> String {
        let v = Verdicts(self.verdicts.get(pos).copied().unwrap_or(0));
        labels(v, flags, self.dup_acks.get(&index).copied())
    }

    /// True when Wireshark gives the frame at `pos` to no dissector above
    /// TCP: a retransmission or an out-of-order segment, though not a fast
    /// retransmission (which tshark's reassembly takes).
    pub(super) fn held_back(&self, pos: usize) -> bool {
        let v = Verdicts(self.verdicts.get(pos).copied().unwrap_or(0));
        let bad =
            Verdicts::RETRANSMISSION | Verdicts::SPURIOUS_RETRANSMISSION | Verdicts::OUT_OF_ORDER;
        v.0 & bad != 0 && !v.has(Verdicts::FAST_RETRANSMISSION)
    }
}

/// Wireshark's Info labels (packet-tcp.c's
/// `tcp_print_sequence_number_analysis`): each is put in front of the
/// column as it is found, so the last found leads. One kind of
/// retransmission is named: spurious, fast or plain. `flags` are
/// `FlowList::analysis_of`'s (duplicate ACKs less window updates), `dup` a
/// duplicate ACK's numbering.
fn labels(v: Verdicts, flags: u8, dup: Option<(u64, u32)>) -> String {
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
