//! IPv4 and IPv6 fragment reassembly, by the rules of Wireshark 4.0's
//! `reassemble.c` (`fragment_add_check`, `fragment_defragment_and_free`) as
//! tshark applies them with `ip.defragment`/`ipv6.defragment` on:
//!
//! - Fragments are keyed by source, destination and Identification (IPv4
//!   adds the protocol). Each is kept with its frame number, in offset
//!   order (arrival order among equal offsets).
//! - The datagram's length is set by the fragment without MF/M (the first
//!   such: a second tail with another end is flagged, not taken).
//! - It is complete when the pieces, in that order, cover 0 to its length
//!   without a hole. The completing frame gets the whole payload; the
//!   datagram leaves the table (a late duplicate starts a new one, as in
//!   tshark).
//! - Where pieces overlap, the bytes that come first in that order are
//!   kept; an overlapping piece is flagged, and flagged as a conflict when
//!   its bytes differ (a teardrop-style overlap is a flag, never an error).
//!   Bytes past the datagram's end are cut and the piece flagged too long.
//!
//! Memory is bounded: at most `max_datagrams` pending datagrams and
//! `max_bytes` of held fragment bytes (each piece counted with a fixed
//! overhead). When a new fragment would pass a bound the oldest pending
//! datagram is dropped, and what was dropped is counted in [`DefragStats`].
//! tshark never ages fragments out; an optional timeout (capture time)
//! forgets a datagram whose last fragment is older than it.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

use crate::decode::Proto;
use crate::decode::reassembly::{FragmentInfo, Piece, Reassembled};
use crate::frame::Timestamp;

/// Default bound on pending datagrams.
pub const DEFAULT_MAX_DATAGRAMS: usize = 65_536;
/// Default bound on held fragment bytes.
pub const DEFAULT_MAX_BYTES: usize = 64 << 20;
/// What each held piece costs beyond its bytes: its record, and for a
/// datagram's first piece the datagram's record and the table's entries
/// (measured: 200,000 one-piece datagrams of 200 bytes peak about 106 MB
/// above the run's base, 530 bytes each).
pub const PIECE_OVERHEAD: usize = 320;

/// Bounds on what the table holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DefragLimits {
    pub max_datagrams: usize,
    pub max_bytes: usize,
    /// Forget a pending datagram when its newest fragment is older than
    /// this many seconds of capture time (`None`: never, as tshark).
    pub timeout: Option<f64>,
}

impl Default for DefragLimits {
    fn default() -> Self {
        DefragLimits {
            max_datagrams: DEFAULT_MAX_DATAGRAMS,
            max_bytes: DEFAULT_MAX_BYTES,
            timeout: None,
        }
    }
}

/// What the table did, for the run's summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DefragStats {
    /// Fragments added.
    pub fragments: u64,
    /// Datagrams completed.
    pub reassembled: u64,
    /// Datagrams given up because a bound was reached, their fragments and
    /// bytes.
    pub dropped_datagrams: u64,
    pub dropped_fragments: u64,
    pub dropped_bytes: u64,
    /// Datagrams forgotten by the timeout.
    pub timed_out: u64,
    /// A single fragment larger than `max_bytes`, not held at all.
    pub refused: u64,
}

impl DefragStats {
    /// A sentence for the run's end when something was dropped.
    pub fn warning(&self) -> Option<String> {
        if self.dropped_datagrams == 0 && self.timed_out == 0 && self.refused == 0 {
            return None;
        }
        Some(format!(
            "IP reassembly: {} incomplete datagrams ({} fragments, {} bytes) dropped past the fragment bounds, {} timed out, {} fragments too large to hold",
            self.dropped_datagrams,
            self.dropped_fragments,
            self.dropped_bytes,
            self.timed_out,
            self.refused
        ))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Key {
    v6: bool,
    src: IpAddr,
    dst: IpAddr,
    id: u32,
    protocol: u8,
}

#[derive(Debug)]
struct Held {
    frame: u64,
    offset: u32,
    bytes: Vec<u8>,
    /// A tail whose end differs from the first tail's.
    extra_tail: bool,
}

#[derive(Debug)]
struct Pending {
    /// Sorted by offset, arrival order among equals.
    pieces: Vec<Held>,
    /// The end the first tail fragment set.
    total: Option<u32>,
    multiple_tails: bool,
    cost: usize,
    born: u64,
    last: Option<Timestamp>,
}

/// The table of datagrams waiting for fragments.
#[derive(Debug, Default)]
pub struct Defragmenter {
    limits: DefragLimits,
    pending: HashMap<Key, Pending>,
    /// Pending datagrams oldest first, by birth number (stale entries of
    /// completed datagrams are skipped and compacted away).
    order: VecDeque<(u64, Key)>,
    born: u64,
    held: usize,
    pub stats: DefragStats,
}

impl Defragmenter {
    pub fn new(limits: DefragLimits) -> Defragmenter {
        Defragmenter {
            limits,
            ..Defragmenter::default()
        }
    }

    /// Bytes held now (fragment bytes plus overhead).
    pub fn held_bytes(&self) -> usize {
        self.held
    }

    /// Datagrams waiting now.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Add the fragment `info` describes, whose payload is `bytes`, seen in
    /// `frame` at `ts`. Returns the datagram when this fragment completes it.
    pub fn add(
        &mut self,
        frame: u64,
        ts: Option<Timestamp>,
        info: &FragmentInfo,
        bytes: &[u8],
    ) -> Option<Reassembled> {
        self.stats.fragments += 1;
        let cost = bytes.len() + PIECE_OVERHEAD;
        if cost > self.limits.max_bytes {
            self.stats.refused += 1;
            return None;
        }
        let key = Key {
            v6: info.proto == Proto::Ipv6,
            src: info.src,
            dst: info.dst,
            id: info.id,
            protocol: if info.proto == Proto::Ipv6 {
                0
            } else {
                info.protocol
            },
        };
        if let (Some(limit), Some(now)) = (self.limits.timeout, ts)
            && let Some(p) = self.pending.get(&key)
            && p.last.is_some_and(|t| seconds_between(t, now) > limit)
        {
            self.forget(&key);
            self.stats.timed_out += 1;
        }
        if !self.pending.contains_key(&key) {
            while self.pending.len() >= self.limits.max_datagrams.max(1) {
                self.drop_oldest();
            }
            self.born += 1;
            self.order.push_back((self.born, key));
            self.pending.insert(
                key,
                Pending {
                    pieces: Vec::new(),
                    total: None,
                    multiple_tails: false,
                    cost: 0,
                    born: self.born,
                    last: ts,
                },
            );
        }
        while self.held + cost > self.limits.max_bytes {
            if !self.drop_oldest_but(&key) {
                break;
            }
        }
        if self.held + cost > self.limits.max_bytes {
            // Only this datagram is left and it cannot grow: give it up.
            self.drop_datagram(&key);
            self.stats.refused += 1;
            return None;
        }
        let p = self.pending.get_mut(&key)?;
        p.last = ts.or(p.last);
        let mut extra_tail = false;
        if !info.more {
            let end = info.offset.saturating_add(bytes.len() as u32);
            match p.total {
                None => p.total = Some(end),
                Some(t) if t != end => {
                    p.multiple_tails = true;
                    extra_tail = true;
                }
                Some(_) => {}
            }
        }
        let at = p.pieces.partition_point(|h| h.offset <= info.offset);
        p.pieces.insert(
            at,
            Held {
                frame,
                offset: info.offset,
                bytes: bytes.to_vec(),
                extra_tail,
            },
        );
        p.cost += cost;
        self.held += cost;
        let total = p.total?;
        let mut reach = 0u32;
        for h in &p.pieces {
            if h.offset > reach {
                break;
            }
            reach = reach.max(h.offset.saturating_add(h.bytes.len() as u32));
        }
        if reach < total {
            return None;
        }
        let p = self.take(&key)?;
        self.stats.reassembled += 1;
        Some(defragment(info, p, total))
    }

    fn take(&mut self, key: &Key) -> Option<Pending> {
        let p = self.pending.remove(key)?;
        self.held -= p.cost;
        if self.order.len() > 2 * self.pending.len() + 64 {
            let pending = &self.pending;
            self.order
                .retain(|(born, k)| pending.get(k).is_some_and(|p| p.born == *born));
        }
        Some(p)
    }

    fn forget(&mut self, key: &Key) {
        self.take(key);
    }

    fn drop_datagram(&mut self, key: &Key) {
        if let Some(p) = self.take(key) {
            self.stats.dropped_datagrams += 1;
            self.stats.dropped_fragments += p.pieces.len() as u64;
            self.stats.dropped_bytes += p.pieces.iter().map(|h| h.bytes.len() as u64).sum::<u64>();
        }
    }

    fn drop_oldest(&mut self) -> bool {
        while let Some((born, key)) = self.order.pop_front() {
            if self.pending.get(&key).is_some_and(|p| p.born == born) {
                self.drop_datagram(&key);
                return true;
            }
        }
        false
    }

    /// Drop the oldest pending datagram other than `keep`; false if none.
    fn drop_oldest_but(&mut self, keep: &Key) -> bool {
        let live =
            |d: &Defragmenter, born: u64, k: &Key| d.pending.get(k).is_some_and(|p| p.born == born);
        while let Some(&(born, key)) = self.order.front() {
            if !live(self, born, &key) {
                self.order.pop_front();
                continue;
            }
            if key == *keep {
                // Look past it for an older-than-the-rest victim.
                let victim = self
                    .order
                    .iter()
                    .skip(1)
                    .find(|(b, k)| k != keep && live(self, *b, k))
                    .map(|(_, k)| *k);
                return match victim {
                    Some(k) => {
                        self.drop_datagram(&k);
                        true
                    }
                    None => false,
                };
            }
            self.drop_datagram(&key);
            return true;
        }
        false
    }
}

/// Put the pieces together: each piece gives only the bytes past what the
/// pieces before it gave.
fn defragment(info: &FragmentInfo, p: Pending, total: u32) -> Reassembled {
    let total = total as usize;
    let mut payload = vec![0u8; total];
    let mut pieces = Vec::with_capacity(p.pieces.len());
    let mut done = 0usize;
    for h in &p.pieces {
        let start = h.offset as usize;
        let end = start + h.bytes.len();
        let mut piece = Piece {
            frame: h.frame,
            offset: h.offset,
            len: h.bytes.len() as u32,
            overlap: false,
            conflict: false,
            too_long: end > total,
            extra_tail: h.extra_tail,
        };
        if start < done {
            let overlap = h.bytes.len().min(done - start);
            piece.overlap = true;
            piece.conflict = payload[start..start + overlap] != h.bytes[..overlap];
        }
        let from = done.max(start);
        let to = end.min(total);
        if from < to {
            payload[from..to].copy_from_slice(&h.bytes[from - start..to - start]);
        }
        done = done.max(end.min(total));
        pieces.push(piece);
    }
    Reassembled {
        proto: Some(info.proto),
        id: info.id,
        payload,
        pieces,
        multiple_tails: p.multiple_tails,
    }
}

fn seconds_between(a: Timestamp, b: Timestamp) -> f64 {
    let ns = |t: Timestamp| t.secs as f64 + t.nanos as f64 / 1e9;
    ns(b) - ns(a)
}

#[cfg(test)]
mod tests;
