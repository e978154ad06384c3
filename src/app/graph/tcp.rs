//! The TCP stream graph's model (tcptrace's and Wireshark's "Stevens"
//! picture): for one conversation, every segment as (time from the
//! conversation's first packet, relative sequence number, length), the
//! other side's acknowledgments as a line, and what sequence analysis said
//! (retransmission, out of order, a gap the capture lacks).
//!
//! The conversation's frames are found by the Flows tab's frame-to-row map
//! and decoded a slice at a time (`work`) into a flow table of the graph's
//! own, whose relative numbers and verdicts are tshark's (`tcp.seq`,
//! `tcp.analysis.*`). At most `MAX_POINTS` packets are kept; the rest are
//! counted so the view can say the graph is cut.

use crate::app::flows::{Analysis, FlowList};
use crate::app::store::{FrameStore, empty_frame};
use crate::decode::{Detail, Dissection, decode_into};
use crate::flow::analysis::Analysis as Verdicts;
use crate::flow::{FlowConfig, FlowTable, Packet, TcpSegment};
use crate::frame::{FrameRecord, Timestamp};

/// The most packets a graph keeps.
pub const MAX_POINTS: usize = 100_000;

/// `Point::marks` bit for "previous segment not captured"; the others are
/// the packet list's `Analysis` bits.
pub const GAP: u8 = 0x40;

/// One TCP packet of the conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point {
    /// Store index and frame number.
    pub index: u32,
    pub number: u64,
    /// Nanoseconds from the conversation's first packet.
    pub t_ns: i64,
    /// 0: sent by the conversation's first sender (A), 1: by the other.
    pub dir: u8,
    /// Relative sequence and acknowledgment numbers (tshark's `tcp.seq`,
    /// `tcp.ack`).
    pub seq: u32,
    pub ack: u32,
    /// `tcp.len`.
    pub len: u32,
    pub flags: u16,
    /// `Analysis` bits and `GAP`.
    pub marks: u8,
}

impl Point {
    pub fn acks(&self) -> bool {
        self.flags & TcpSegment::ACK != 0
    }
}

/// Bytes of one direction the capture lacks: a segment started at `to`
/// while the highest byte seen before it ended at `from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    pub t_ns: i64,
    pub dir: u8,
    pub from: u32,
    pub to: u32,
}

/// One conversation's graph and how far its frames were read.
pub struct TcpGraph {
    /// The Flows tab's row.
    pub row: u32,
    pub title: String,
    pub points: Vec<Point>,
    pub gaps: Vec<Gap>,
    /// Packets past `MAX_POINTS`, not kept.
    pub cut: u64,
    /// Payload bytes per direction.
    pub payload: [u64; 2],
    /// The direction drawn, when the user chose one (`d`).
    pub chosen: Option<u8>,
    /// The next store index to look at.
    next: usize,
    zero: Option<Timestamp>,
    /// Per direction, the highest relative sequence end seen.
    high: [Option<u32>; 2],
    table: FlowTable,
    frame: FrameRecord,
    d: Dissection,
}

impl std::fmt::Debug for TcpGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpGraph")
            .field("row", &self.row)
            .field("points", &self.points.len())
            .field("next", &self.next)
            .finish()
    }
}

impl TcpGraph {
    /// A graph of the conversation in the Flows tab's `row`, to be read
    /// from store index `first`.
    pub fn new(row: u32, title: String, first: usize) -> TcpGraph {
        TcpGraph {
            row,
            title,
            points: Vec::new(),
            gaps: Vec::new(),
            cut: 0,
            payload: [0; 2],
            chosen: None,
            next: first,
            zero: None,
            high: [None; 2],
            table: FlowTable::new(FlowConfig::default()),
            frame: empty_frame(),
            d: Dissection::default(),
        }
    }

    /// The direction drawn: the chosen one, or the one carrying more data.
    pub fn dir(&self) -> u8 {
        self.chosen
            .unwrap_or(u8::from(self.payload[1] > self.payload[0]))
    }

    /// Frames looked at so far (store indices before this are done).
    pub fn next(&self) -> usize {
        self.next
    }

    /// Look at up to `units` more frames of the store (those of other
    /// conversations cost almost nothing); true while some are left.
    pub fn work(&mut self, store: &FrameStore, flows: &FlowList, units: usize) -> bool {
        self.next = self.next.max(store.first());
        let end = (self.next + units).min(flows.ingested());
        while self.next < end {
            let i = self.next;
            self.next += 1;
            if flows.row_of(i) != Some(self.row) {
                continue;
            }
            if store.load_into(i, &mut self.frame) {
                self.packet(i, flows.analysis_of(i));
            }
        }
        self.next < flows.ingested()
    }

    /// Frame `i`, loaded: where it goes in the graph. `listed`: the packet
    /// list's analysis bits for it, which the marks follow.
    fn packet(&mut self, i: usize, listed: u8) {
        decode_into(&self.frame, Detail::Layers, &mut self.d);
        let p = Packet::from_dissection(&self.frame, &self.d);
        let Some(info) = self.table.ingest_packet(&self.frame, p.as_ref()) else {
            return;
        };
        let Some(seg) = p.and_then(|p| p.tcp) else {
            return;
        };
        if self.points.len() >= MAX_POINTS {
            self.cut += 1;
            return;
        }
        let ts = self.frame.ts.unwrap_or(Timestamp { secs: 0, nanos: 0 });
        let zero = *self.zero.get_or_insert(ts);
        let t_ns = i64::try_from(ts.as_nanos() - zero.as_nanos()).unwrap_or(i64::MAX);
        let dir = u8::from(!info.a_to_b);
        let seq = info.rel_seq.unwrap_or(seg.seq);
        let mut marks = listed & (Analysis::RETRANSMISSION | Analysis::OUT_OF_ORDER);
        let high = &mut self.high[usize::from(dir)];
        if info.analysis.has(Verdicts::LOST_SEGMENT) {
            marks |= GAP;
            if let Some(from) = *high
                && seq > from
            {
                self.gaps.push(Gap {
                    t_ns,
                    dir,
                    from,
                    to: seq,
                });
            }
        }
        let end = seq.wrapping_add(seg.len);
        if high.is_none_or(|h| end > h) {
            *high = Some(end);
        }
        self.payload[usize::from(dir)] += u64::from(seg.len);
        self.points.push(Point {
            index: i as u32,
            number: self.frame.number,
            t_ns,
            dir,
            seq,
            ack: info.rel_ack.unwrap_or(seg.ack),
            len: seg.len,
            flags: seg.flags,
            marks,
        });
    }

    /// Counts for the legend in direction `dir`: segments with data, retransmitted,
    /// out of order, gaps and their missing bytes.
    pub fn counts(&self, dir: u8) -> [u64; 5] {
        let mut c = [0u64; 5];
        for p in self.points.iter().filter(|p| p.dir == dir) {
            c[0] += u64::from(p.len > 0);
            c[1] += u64::from(p.marks & Analysis::RETRANSMISSION != 0);
            c[2] += u64::from(p.marks & Analysis::OUT_OF_ORDER != 0);
        }
        for g in self.gaps.iter().filter(|g| g.dir == dir) {
            c[3] += 1;
            c[4] += u64::from(g.to - g.from);
        }
        c
    }
}
