//! TCP reassembly, one conversation at a time, by tshark's follow rules
//! (`follow_tcp_tap_listener` and `check_follow_fragments` in Wireshark
//! 4.0's `packet-tcp.c`), which are also what a receiving socket's `read()`
//! sees for every capture that is not hostile:
//!
//! - Each direction keeps the next sequence number it expects. A SYN takes
//!   one number; a FIN or RST none (tshark does not count the FIN either).
//!   The first segment seen sets it, SYN or not (a capture may start
//!   mid-stream).
//! - A segment at the expected number is delivered whole; one that starts
//!   before it but reaches past delivers only its new bytes (retransmitted
//!   bytes are shown once, and on an overlap with different bytes the first
//!   copy wins); one wholly before it, or empty, is ignored.
//! - A segment ahead of the expected number is held until the hole fills.
//!   Held segments are taken in the order they arrived, the first whose
//!   start is at or before the expected number each time, trimmed of what
//!   was already delivered.
//! - When the other side acknowledges past the lowest held segment, the
//!   receiver had bytes the capture lacks: a `Missing` chunk says how many,
//!   and delivery goes on from that segment. Held segments nobody
//!   acknowledges are never delivered (a socket would still be waiting).
//!
//! Comparisons are in 32-bit sequence space, so wrap-around is ordinary.
//! Held segments are indexed by position (unwrapped against the expected
//! number) and by arrival, so a drain costs `O(log n)` per segment however
//! they arrived; tshark's linear list gives the same order.

use std::collections::HashMap;

use super::{Budget, Dropped, SEGMENT_OVERHEAD, StreamLimits, seq_gt, seq_lt};
use crate::frame::Timestamp;
use held::{Held, HeldSet};

mod held;

/// One TCP segment as reassembly needs it.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    pub frame: u64,
    pub ts: Option<Timestamp>,
    /// Sequence and acknowledgement numbers (tshark's relative ones make the
    /// output identical to its own; raw ones work the same modulo 2^32).
    pub seq: u32,
    pub ack: u32,
    pub syn: bool,
    /// Payload length by the IP header's account (`tcp.len`).
    pub len: u32,
    /// The payload the capture holds (at most `len` bytes).
    pub payload: Payload<'a>,
}

/// A segment's captured payload: its bytes, or only how many there are
/// (for callers that count what a reader would get and print nothing:
/// held segments then cost their record, not their bytes).
#[derive(Clone, Copy, Debug)]
pub enum Payload<'a> {
    Bytes(&'a [u8]),
    Length(u32),
}

impl Payload<'_> {
    fn len(&self) -> usize {
        match self {
            Payload::Bytes(b) => b.len(),
            Payload::Length(n) => *n as usize,
        }
    }
}

/// How a chunk came to be delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkKind {
    /// The segment was at the expected number when it arrived.
    InOrder,
    /// A held segment whose hole filled.
    Buffered,
    /// The new tail of a held segment that overlapped delivered bytes.
    Trimmed,
    /// Bytes the receiver acknowledged but the capture lacks: this many
    /// (tshark's "[N bytes missing in capture file]"; signed as tshark
    /// prints it). `frame` is the acknowledging packet.
    Missing(i32),
}

/// Bytes delivered to one side's reader, in order.
#[derive(Clone, Copy, Debug)]
pub struct Chunk<'a> {
    /// 0: sent by the conversation's first sender (tshark's node 0), 1: by
    /// the other.
    pub side: usize,
    pub frame: u64,
    pub ts: Option<Timestamp>,
    pub kind: ChunkKind,
    /// Empty for `Missing`, and when the segments gave only lengths.
    pub bytes: &'a [u8],
    /// Bytes delivered (0 for `Missing`).
    pub len: usize,
}

impl Held {
    fn cost(&self) -> usize {
        self.data.len() + SEGMENT_OVERHEAD
    }
}

/// One direction: the next expected number and what is held ahead of it.
#[derive(Debug, Default)]
struct Direction {
    /// tshark's `seq[is_server]`: 0 until the first segment sets it.
    next: u32,
    /// `next` unwrapped, for ordering held segments.
    next_pos: i64,
    /// Bytes delivered in order as they arrived (tshark's `bytes_written`,
    /// which only that path counts).
    written: u64,
    held: HeldSet,
    arrivals: u64,
    /// Bytes held (with per-segment overhead).
    cost: usize,
}

impl Direction {
    /// Move the expected number to `to`, keeping positions consistent.
    fn move_to(&mut self, to: u32) {
        self.next_pos += i64::from(to.wrapping_sub(self.next) as i32);
        self.next = to;
    }

    fn advance(&mut self, by: u32) {
        self.next_pos += i64::from(by);
        self.next = self.next.wrapping_add(by);
    }

    fn position(&self, seq: u32) -> i64 {
        self.next_pos + i64::from(seq.wrapping_sub(self.next) as i32)
    }
}

/// Reassembly state of one TCP conversation, both directions.
#[derive(Debug, Default)]
pub struct TcpStream {
    dirs: [Direction; 2],
    /// What this conversation could not keep or never had.
    pub dropped: Dropped,
}

impl TcpStream {
    pub fn new() -> TcpStream {
        TcpStream::default()
    }

    /// Bytes this conversation holds out of order now.
    pub fn held_bytes(&self) -> usize {
        self.dirs[0].cost + self.dirs[1].cost
    }

    /// Payload bytes held now: at the end of a capture, what no reader got
    /// (a hole nobody acknowledged past).
    pub fn pending_bytes(&self) -> u64 {
        self.dirs.iter().map(|d| d.held.payload_bytes()).sum()
    }

    /// Take one segment sent by `side`; delivered chunks go to `sink`.
    pub fn segment(
        &mut self,
        side: usize,
        seg: &Segment<'_>,
        limits: &StreamLimits,
        budget: &mut Budget,
        sink: &mut dyn FnMut(Chunk<'_>),
    ) {
        let side = side.min(1);
        let other = 1 - side;
        // This segment's acknowledgement may show the other side's reader
        // had bytes the capture lacks.
        if !self.dirs[other].held.is_empty() {
            while self.drain(other, Some(seg.ack), seg.frame, budget, sink) {}
        }
        let mut sequence = seg.seq;
        if seg.syn {
            sequence = sequence.wrapping_add(1);
        }
        let captured = seg.payload.len().min(seg.len as usize);
        self.dropped.uncaptured += u64::from(seg.len) - captured as u64;
        let dir = &mut self.dirs[side];
        if dir.written == 0 && dir.next == 0 {
            dir.move_to(sequence);
        }
        let mut length = seg.len;
        let mut offset = 0usize;
        let mut data_len = captured;
        if seq_lt(sequence, dir.next) {
            let end = sequence.wrapping_add(length);
            if seq_gt(end, dir.next) {
                // A retransmission carrying more: only the new bytes.
                offset = dir.next.wrapping_sub(sequence) as usize;
                data_len = data_len.saturating_sub(offset);
                sequence = dir.next;
                length = end.wrapping_sub(dir.next);
            }
        }
        if data_len == 0 || seq_lt(sequence, dir.next) {
            return;
        }
        let bytes = match seg.payload {
            Payload::Bytes(b) => &b[offset..offset + data_len],
            Payload::Length(_) => &[],
        };
        if sequence == dir.next {
            dir.advance(length);
            dir.written += data_len as u64;
            sink(Chunk {
                side,
                frame: seg.frame,
                ts: seg.ts,
                kind: ChunkKind::InOrder,
                bytes,
                len: data_len,
            });
            // tshark passes an acknowledgement of 0 here; kept so that
            // streams past 2 GiB print as tshark prints them.
            while self.drain(side, Some(0), seg.frame, budget, sink) {}
            return;
        }
        let held = Held {
            seq: sequence,
            len: data_len as u32,
            frame: seg.frame,
            ts: seg.ts,
            data: bytes.to_vec(),
        };
        let cost = held.cost();
        if dir.cost + cost > limits.per_direction || !budget.take(cost) {
            self.dropped.segments += 1;
            self.dropped.bytes += data_len as u64;
            return;
        }
        dir.cost += cost;
        let pos = dir.position(sequence);
        let arrival = dir.arrivals;
        dir.arrivals += 1;
        dir.held.insert(pos, arrival, held);
    }

    /// tshark's `check_follow_fragments`: deliver one held segment, or mark
    /// a gap the acknowledgement proves. False when nothing changed.
    fn drain(
        &mut self,
        side: usize,
        ack: Option<u32>,
        frame: u64,
        budget: &mut Budget,
        sink: &mut dyn FnMut(Chunk<'_>),
    ) -> bool {
        let dir = &mut self.dirs[side];
        if dir.held.is_empty() {
            return false;
        }
        if let Some((pos, held)) = dir.held.take_ready(dir.next_pos) {
            dir.cost -= held.cost();
            budget.give(held.cost());
            let len = i64::from(held.len);
            let data = |from: usize| held.data.get(from..).unwrap_or(&[]);
            if pos < dir.next_pos {
                let end = pos + len;
                if end > dir.next_pos {
                    let from = (dir.next_pos - pos) as usize;
                    dir.advance((end - dir.next_pos) as u32);
                    sink(Chunk {
                        side,
                        frame: held.frame,
                        ts: held.ts,
                        kind: ChunkKind::Trimmed,
                        bytes: data(from),
                        len: (len - from as i64) as usize,
                    });
                }
            } else {
                dir.advance(held.len);
                if held.len > 0 {
                    sink(Chunk {
                        side,
                        frame: held.frame,
                        ts: held.ts,
                        kind: ChunkKind::Buffered,
                        bytes: data(0),
                        len: held.len as usize,
                    });
                }
            }
            return true;
        }
        let Some((lowest_pos, lowest)) = dir.held.lowest() else {
            return false;
        };
        match ack {
            Some(ack) if seq_gt(ack, lowest) => {
                let missing = lowest.wrapping_sub(dir.next) as i32;
                dir.next = lowest;
                dir.next_pos = lowest_pos;
                sink(Chunk {
                    side,
                    frame,
                    ts: None,
                    kind: ChunkKind::Missing(missing),
                    bytes: &[],
                    len: 0,
                });
                true
            }
            _ => false,
        }
    }

    /// Give back what this conversation holds.
    pub fn release(&mut self, budget: &mut Budget) {
        for dir in &mut self.dirs {
            budget.give(dir.cost);
            dir.cost = 0;
            dir.held = HeldSet::default();
        }
    }
}

/// Many conversations, by stream index, under one total bound.
#[derive(Debug)]
pub struct TcpStreams {
    limits: StreamLimits,
    budget: Budget,
    streams: HashMap<u32, TcpStream>,
    /// Drops of conversations already closed.
    closed: Dropped,
}

impl TcpStreams {
    pub fn new(limits: StreamLimits) -> TcpStreams {
        TcpStreams {
            limits,
            budget: Budget::new(limits.total),
            streams: HashMap::new(),
            closed: Dropped::default(),
        }
    }

    /// Take one segment of conversation `stream`, sent by `side`.
    pub fn segment(
        &mut self,
        stream: u32,
        side: usize,
        seg: &Segment<'_>,
        sink: &mut dyn FnMut(Chunk<'_>),
    ) {
        let s = self.streams.entry(stream).or_default();
        s.segment(side, seg, &self.limits, &mut self.budget, sink);
    }

    /// Forget a conversation (finished, or evicted by the flow table).
    pub fn close(&mut self, stream: u32) {
        if let Some(mut s) = self.streams.remove(&stream) {
            s.release(&mut self.budget);
            self.closed.add(s.dropped);
        }
    }

    /// Out-of-order bytes held over every conversation.
    pub fn held_bytes(&self) -> usize {
        self.budget.used()
    }

    /// What every conversation, open or closed, could not keep.
    pub fn dropped(&self) -> Dropped {
        let mut all = self.closed;
        for s in self.streams.values() {
            all.add(s.dropped);
        }
        all
    }
}

#[cfg(test)]
mod tests;
