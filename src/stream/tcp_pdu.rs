//! Application PDUs that span TCP segments (Wireshark's desegmentation):
//! the pipeline's half of `decode::desegment`. When a dissector asked for
//! more bytes than a segment held, the PDU's first bytes wait here, keyed
//! by the segment's direction; the following in-order segments of that
//! direction are appended until the PDU is whole, and the segment that
//! completes it is decoded again with the PDU's bytes.
//!
//! A segment that is not the next in sequence (a gap: the capture lost
//! bytes) gives the PDU up, counted; a retransmission of bytes already
//! taken is shown as segment data and not taken twice. Memory is bounded:
//! a PDU longer than `max_pdu` is never held, and past `max_bytes` held
//! over all directions the new PDU is refused; both are counted.

use std::collections::HashMap;
use std::net::IpAddr;

use super::{BuildFx, seq_gt, seq_lt};
use crate::decode::desegment::{Desegment, TcpReassembled};

/// Default bound on one PDU.
pub const DEFAULT_MAX_PDU: usize = 16 << 20;
/// Default bound on every PDU held.
pub const DEFAULT_MAX_BYTES: usize = 64 << 20;

/// One direction of one TCP conversation: source then destination.
pub type Direction = (IpAddr, u16, IpAddr, u16);

#[derive(Debug)]
struct Pending {
    next_seq: u32,
    bytes: Vec<u8>,
    total: usize,
    segments: Vec<(u64, std::ops::Range<usize>)>,
    /// Take each segment whole, not cut at `total` (`Desegment::whole_segments`).
    whole: bool,
    /// Complete at the segment with FIN, whatever `total` says
    /// (`Desegment::until_fin`).
    until_fin: bool,
}

/// What the decoder must be told about a segment.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing pending in its direction.
    Fresh,
    Continuation,
    Complete(TcpReassembled),
}

/// What the table gave up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PduStats {
    pub completed: u64,
    /// PDUs given up at a gap, and PDUs refused by a bound.
    pub abandoned: u64,
    pub refused: u64,
    /// Bytes copied into held PDUs: each segment's once (holding is
    /// append-only).
    pub copied: u64,
}

/// The PDUs waiting for segments.
#[derive(Debug)]
pub struct PduTable {
    pending: HashMap<Direction, Pending, BuildFx>,
    max_pdu: usize,
    max_bytes: usize,
    held: usize,
    pub stats: PduStats,
}

impl Default for PduTable {
    fn default() -> Self {
        PduTable::new(DEFAULT_MAX_PDU, DEFAULT_MAX_BYTES)
    }
}

impl PduTable {
    pub fn new(max_pdu: usize, max_bytes: usize) -> PduTable {
        PduTable {
            pending: HashMap::default(),
            max_pdu,
            max_bytes,
            held: 0,
            stats: PduStats::default(),
        }
    }

    /// True when no PDU waits (the pipeline then skips the lookup).
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Bytes held now.
    pub fn held_bytes(&self) -> usize {
        self.held
    }

    /// A segment of `dir` with sequence number `seq`, `payload` and FIN
    /// flag `fin`, seen in `frame`: what its decoding must be told.
    pub fn segment(
        &mut self,
        dir: Direction,
        frame: u64,
        seq: u32,
        payload: &[u8],
        fin: bool,
    ) -> Step {
        let Some(p) = self.pending.get_mut(&dir) else {
            return Step::Fresh;
        };
        if payload.is_empty() && !(fin && p.until_fin && seq == p.next_seq) {
            return Step::Fresh;
        }
        let end = seq.wrapping_add(payload.len() as u32);
        if seq != p.next_seq {
            if !seq_gt(end, p.next_seq) {
                // All of it was taken already: a retransmission.
                return Step::Continuation;
            }
            if seq_lt(seq, p.next_seq) {
                // Overlaps the end: take only the new bytes.
                let skip = p.next_seq.wrapping_sub(seq) as usize;
                return self.take(dir, frame, end, &payload[skip..], fin);
            }
            // A hole: the capture lacks bytes the PDU needs.
            self.abandon(&dir);
            self.stats.abandoned += 1;
            return Step::Fresh;
        }
        self.take(dir, frame, end, payload, fin)
    }

    fn take(&mut self, dir: Direction, frame: u64, end: u32, bytes: &[u8], fin: bool) -> Step {
        let Some(p) = self.pending.get_mut(&dir) else {
            return Step::Fresh;
        };
        let n = if p.whole {
            bytes.len()
        } else {
            bytes.len().min(p.total - p.bytes.len())
        };
        let at = p.bytes.len();
        if at + n > p.total {
            // A whole segment past the need: the bytes held grow with it.
            self.held += at + n - p.total;
            p.total = at + n;
        }
        p.bytes.extend_from_slice(&bytes[..n]);
        self.stats.copied += n as u64;
        p.segments.push((frame, at..at + n));
        p.next_seq = end;
        if p.until_fin && p.bytes.len() > self.max_pdu {
            self.abandon(&dir);
            self.stats.refused += 1;
            return Step::Fresh;
        }
        if (p.until_fin && !fin) || (!p.until_fin && p.bytes.len() < p.total) {
            return Step::Continuation;
        }
        let Some(p) = self.pending.remove(&dir) else {
            return Step::Fresh;
        };
        self.held -= p.total;
        self.stats.completed += 1;
        Step::Complete(TcpReassembled {
            bytes: p.bytes,
            segments: p.segments,
            here: n,
        })
    }

    fn abandon(&mut self, dir: &Direction) {
        if let Some(p) = self.pending.remove(dir) {
            self.held -= p.total;
        }
    }

    /// A fresh decoding of `frame`'s segment (sequence `seq`, `payload`)
    /// recorded `want`: hold the PDU's first bytes for the segments to come.
    pub fn start(&mut self, dir: Direction, frame: u64, seq: u32, payload: &[u8], want: Desegment) {
        let from = (want.start as usize).min(payload.len());
        let have = payload.len() - from;
        let segments = vec![(frame, 0..have)];
        let whole = want.whole_segments || want.until_fin;
        self.resume(dir, seq, payload, from, segments, want.need, whole);
        if let Some(p) = self.pending.get_mut(&dir) {
            p.until_fin = want.until_fin;
        }
    }

    /// The PDU handed out complete for the segment that ended at `next_seq`
    /// is still short by `need` (`Desegment::kept`): hold its bytes again as
    /// they are, without copying them.
    pub fn keep(&mut self, dir: Direction, pdu: TcpReassembled, next_seq: u32, need: u32) {
        let total = pdu.bytes.len().saturating_add(need as usize);
        if total > self.max_pdu || self.held.saturating_add(total) > self.max_bytes {
            self.stats.refused += 1;
            return;
        }
        self.abandon(&dir);
        self.held += total;
        self.pending.insert(
            dir,
            Pending {
                next_seq,
                bytes: pdu.bytes,
                total,
                segments: pdu.segments,
                whole: true,
                until_fin: false,
            },
        );
    }

    /// Hold `bytes[from..]`, which end at the end of a segment that began
    /// at `seq` with `bytes`, and came from `segments`; the PDU needs
    /// `need` more. `start` for a PDU of one segment; the pipeline's own
    /// call for one that the segment meant to complete left short. With
    /// `whole`, each following segment is taken whole.
    #[allow(clippy::too_many_arguments)]
    fn resume(
        &mut self,
        dir: Direction,
        seq: u32,
        bytes: &[u8],
        from: usize,
        segments: Vec<(u64, std::ops::Range<usize>)>,
        need: u32,
        whole: bool,
    ) {
        let payload = bytes;
        let from = from.min(payload.len());
        let have = payload.len() - from;
        let total = have.saturating_add(need as usize);
        if total > self.max_pdu || self.held.saturating_add(total) > self.max_bytes {
            self.stats.refused += 1;
            return;
        }
        self.abandon(&dir);
        let mut bytes = Vec::with_capacity(total);
        bytes.extend_from_slice(&payload[from..]);
        self.stats.copied += have as u64;
        self.held += total;
        self.pending.insert(
            dir,
            Pending {
                next_seq: seq.wrapping_add(payload.len() as u32),
                bytes,
                total,
                segments,
                whole,
                until_fin: false,
            },
        );
    }
}
