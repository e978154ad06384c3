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
//!
//! Read from a capture file that can be read again (`frame::Recall`), a
//! PDU holds where its parts sit in the file, and reads them back only
//! when it completes: most PDUs held at once are ones that never will (a
//! length prefix read from bytes that are not the protocol, a gap, the
//! capture's end), and copying them was most of what desegmentation cost
//! (about a tenth of `read --stats` on the bench capture). The bounds count
//! a PDU's bytes the same either way, so both ways decode alike.

use std::collections::HashMap;

use super::{BuildFx, seq_gt, seq_lt};
use crate::decode::desegment::{Asked, Desegment, PendingPdus, TcpReassembled};
use crate::frame::Recall;

/// Default bound on one PDU.
pub const DEFAULT_MAX_PDU: usize = 16 << 20;
/// Default bound on every PDU held.
pub const DEFAULT_MAX_BYTES: usize = 64 << 20;

pub use crate::decode::desegment::Direction;

/// A held PDU's bytes so far.
#[derive(Debug)]
enum Held {
    Copied(Vec<u8>),
    /// Each part's file offset and length; `len` their sum.
    InFile {
        parts: Vec<(u64, u32)>,
        len: usize,
    },
}

impl Held {
    fn len(&self) -> usize {
        match self {
            Held::Copied(bytes) => bytes.len(),
            Held::InFile { len, .. } => *len,
        }
    }
}

#[derive(Debug)]
struct Pending {
    next_seq: u32,
    held: Held,
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
    /// Bytes of PDUs held in the file, read back when they completed.
    pub recalled: u64,
    /// PDUs given up because the file could not be read back (it was cut
    /// or changed while being read).
    pub unreadable: u64,
}

/// The PDUs waiting for segments.
#[derive(Debug)]
pub struct PduTable {
    pending: HashMap<Key, Pending, BuildFx>,
    max_pdu: usize,
    max_bytes: usize,
    held: usize,
    /// The capture file, when PDUs may be held there.
    recall: Option<Recall>,
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
            recall: None,
            stats: PduStats::default(),
        }
    }

    /// Hold PDUs whose segments sit in this file by offset from now on.
    pub fn recall_from(&mut self, recall: Option<Recall>) {
        self.recall = recall;
    }

    /// True when no PDU waits (the pipeline then skips the lookup).
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Bytes held now.
    pub fn held_bytes(&self) -> usize {
        self.held
    }

    /// A segment of `dir` with sequence number `seq`, `payload` (at file
    /// offset `at`, when it is in the recall file) and FIN flag `fin`, seen
    /// in `frame`: what its decoding must be told.
    pub fn segment(
        &mut self,
        dir: Direction,
        frame: Seen,
        seq: u32,
        payload: &[u8],
        fin: bool,
    ) -> Step {
        let dir = Key::of(dir);
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
                let frame = Seen {
                    at: frame.at.map(|at| at + skip as u64),
                    ..frame
                };
                return self.take(dir, frame, end, &payload[skip..], fin);
            }
            // A hole: the capture lacks bytes the PDU needs.
            self.abandon(&dir);
            self.stats.abandoned += 1;
            return Step::Fresh;
        }
        self.take(dir, frame, end, payload, fin)
    }

    fn take(&mut self, dir: Key, frame: Seen, end: u32, bytes: &[u8], fin: bool) -> Step {
        let Some(p) = self.pending.get_mut(&dir) else {
            return Step::Fresh;
        };
        let at = p.held.len();
        let n = if p.whole {
            bytes.len()
        } else {
            bytes.len().min(p.total - at)
        };
        if at + n > p.total {
            // A whole segment past the need: the bytes held grow with it.
            self.held += at + n - p.total;
            p.total = at + n;
        }
        match (&mut p.held, frame.at) {
            (Held::InFile { parts, len }, Some(offset)) => {
                parts.push((offset, n as u32));
                *len += n;
            }
            (held, _) => {
                // Bytes not in the file (a reassembled datagram's) end the
                // holding by offset for this PDU: what it has is read back.
                let copied = match std::mem::replace(held, Held::Copied(Vec::new())) {
                    Held::Copied(bytes) => Some(bytes),
                    Held::InFile { parts, len } => {
                        recalled(&self.recall, &parts, len, &mut self.stats)
                    }
                };
                let Some(mut copied) = copied else {
                    self.abandon(&dir);
                    return Step::Fresh;
                };
                copied.extend_from_slice(&bytes[..n]);
                self.stats.copied += n as u64;
                *held = Held::Copied(copied);
            }
        }
        p.segments.push((frame.number, at..at + n));
        p.next_seq = end;
        if p.until_fin && p.held.len() > self.max_pdu {
            self.abandon(&dir);
            self.stats.refused += 1;
            return Step::Fresh;
        }
        if (p.until_fin && !fin) || (!p.until_fin && p.held.len() < p.total) {
            return Step::Continuation;
        }
        let Some(p) = self.pending.remove(&dir) else {
            return Step::Fresh;
        };
        self.held -= p.total;
        let bytes = match p.held {
            Held::Copied(bytes) => bytes,
            Held::InFile { parts, len } => {
                match recalled(&self.recall, &parts, len, &mut self.stats) {
                    Some(bytes) => bytes,
                    None => return Step::Fresh,
                }
            }
        };
        self.stats.completed += 1;
        Step::Complete(TcpReassembled {
            bytes,
            segments: p.segments,
            here: n,
        })
    }

    fn abandon(&mut self, dir: &Key) {
        if let Some(p) = self.pending.remove(dir) {
            self.held -= p.total;
        }
    }

    /// A fresh decoding of `frame`'s segment (sequence `seq`, `payload`)
    /// recorded `want`: hold the PDU's first bytes for the segments to come.
    pub fn start(
        &mut self,
        dir: Direction,
        frame: Seen,
        seq: u32,
        payload: &[u8],
        want: Desegment,
    ) {
        let dir = Key::of(dir);
        let from = (want.start as usize).min(payload.len());
        let have = payload.len() - from;
        let segments = vec![(frame.number, 0..have)];
        let whole = want.whole_segments || want.until_fin;
        let at = frame.at.map(|at| at + from as u64);
        self.resume(dir, (seq, at), payload, from, segments, want.need, whole);
        if let Some(p) = self.pending.get_mut(&dir) {
            p.until_fin = want.until_fin;
        }
    }

    /// The PDU handed out complete for the segment that ended at `next_seq`
    /// is still short by `need` (`Desegment::kept`): hold its bytes again as
    /// they are, without copying them.
    pub fn keep(&mut self, dir: Direction, pdu: TcpReassembled, next_seq: u32, need: u32) {
        let dir = Key::of(dir);
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
                held: Held::Copied(pdu.bytes),
                total,
                segments: pdu.segments,
                whole: true,
                until_fin: false,
            },
        );
    }

    /// Hold `bytes[from..]` (at file offset `at`, if it is in the recall
    /// file), which end at the end of a segment that began at `seq` with
    /// `bytes`, and came from `segments`; the PDU needs `need` more. With
    /// `whole`, each following segment is taken whole.
    #[allow(clippy::too_many_arguments)]
    fn resume(
        &mut self,
        dir: Key,
        (seq, at): (u32, Option<u64>),
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
        let held = match at {
            Some(offset) if self.recall.is_some() => Held::InFile {
                parts: vec![(offset, have as u32)],
                len: have,
            },
            _ => {
                let mut bytes = Vec::with_capacity(total);
                bytes.extend_from_slice(&payload[from..]);
                self.stats.copied += have as u64;
                Held::Copied(bytes)
            }
        };
        self.held += total;
        self.pending.insert(
            dir,
            Pending {
                next_seq: seq.wrapping_add(payload.len() as u32),
                held,
                total,
                segments,
                whole,
                until_fin: false,
            },
        );
    }
}

impl PendingPdus for PduTable {
    /// `segment`'s answer, worked out without changing anything: it only
    /// continues a PDU when it retransmits bytes already taken, or brings
    /// the next bytes and leaves the PDU short (or, for one that runs to
    /// FIN, has no FIN).
    fn ask(&self, dir: Direction, seq: u32, len: usize, fin: bool) -> Asked {
        let Some(p) = self.pending.get(&Key::of(dir)) else {
            return Asked::Nothing;
        };
        if len == 0 && !(fin && p.until_fin && seq == p.next_seq) {
            return Asked::Other;
        }
        let end = seq.wrapping_add(len as u32);
        let fresh = if seq == p.next_seq {
            len
        } else if !seq_gt(end, p.next_seq) {
            return Asked::Continues;
        } else if seq_lt(seq, p.next_seq) {
            len - p.next_seq.wrapping_sub(seq) as usize
        } else {
            return Asked::Other;
        };
        let at = p.held.len();
        let n = if p.whole {
            fresh
        } else {
            fresh.min(p.total - at)
        };
        let continues = if p.until_fin {
            !fin && at + n <= self.max_pdu
        } else {
            at + n < p.total
        };
        if continues {
            Asked::Continues
        } else {
            Asked::Other
        }
    }
}

/// A direction as the table keys it: both addresses as 128-bit numbers
/// (IPv4 in the low 32 bits) and the ports with the family, so a lookup,
/// made for every TCP segment while anything is held, hashes five words
/// instead of two address enums field by field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Key(u128, u128, u64);

impl Key {
    fn of((src, sport, dst, dport): Direction) -> Key {
        use std::net::IpAddr;
        let bits = |a: IpAddr| match a {
            IpAddr::V4(a) => u128::from(a.to_bits()),
            IpAddr::V6(a) => a.to_bits(),
        };
        let family = u64::from(src.is_ipv6()) << 32;
        Key(
            bits(src),
            bits(dst),
            family | u64::from(sport) << 16 | u64::from(dport),
        )
    }
}

/// The frame a segment came in: its number, and the file offset of the
/// segment's payload when that is in the recall file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    pub number: u64,
    pub at: Option<u64>,
}

impl Seen {
    /// A frame whose bytes are not in a file (held by copy).
    pub fn copied(number: u64) -> Seen {
        Seen { number, at: None }
    }
}

/// A PDU's parts read back from the file, counted; `None`, counted, when
/// the file cannot give them (cut or changed since).
fn recalled(
    recall: &Option<Recall>,
    parts: &[(u64, u32)],
    len: usize,
    stats: &mut PduStats,
) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(len);
    match recall.as_ref().map(|r| r.read(parts, &mut bytes)) {
        Some(Ok(())) => {
            stats.recalled += len as u64;
            Some(bytes)
        }
        _ => {
            stats.unreadable += 1;
            None
        }
    }
}
