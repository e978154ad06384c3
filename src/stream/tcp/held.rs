//! The segments one direction holds ahead of a hole, in the order tshark's
//! list would take them: each time, the earliest arrival whose start is at
//! or before the expected number; when none is, the lowest start (a gap
//! the other side may acknowledge past).
//!
//! A few held segments (the usual case: one lost segment and what came
//! after it) live in one small vector searched in full, so a million
//! conversations each holding one segment cost one small allocation each.
//! Past `FEW` they move to indices by position and by arrival, so a flood
//! of out-of-order segments costs `O(log n)` per segment, not `O(n)`.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use crate::frame::Timestamp;

/// Held segments kept in a plain vector before they are indexed.
const FEW: usize = 16;

/// A segment held ahead of a hole.
#[derive(Debug)]
pub(super) struct Held {
    pub seq: u32,
    /// Payload length (what `data` holds, unless only lengths are kept).
    pub len: u32,
    pub frame: u64,
    pub ts: Option<Timestamp>,
    /// Empty when the stream keeps only lengths.
    pub data: Vec<u8>,
}

/// One held segment with its unwrapped position and arrival number.
#[derive(Debug)]
pub(super) struct Entry {
    pos: i64,
    arrival: u64,
    held: Held,
}

/// Many held segments, indexed.
#[derive(Debug, Default)]
pub(super) struct Indexed {
    /// Held segments by arrival number.
    held: BTreeMap<u64, (i64, Held)>,
    /// (position, arrival) of every held segment not yet ready.
    by_pos: BTreeSet<(i64, u64)>,
    /// Arrival numbers of held segments at or before the expected number.
    ready: BinaryHeap<Reverse<u64>>,
}

/// What one direction holds.
#[derive(Debug)]
pub(super) enum HeldSet {
    Few(Vec<Entry>),
    Many(Box<Indexed>),
}

impl Default for HeldSet {
    fn default() -> Self {
        HeldSet::Few(Vec::new())
    }
}

impl HeldSet {
    pub fn is_empty(&self) -> bool {
        match self {
            HeldSet::Few(v) => v.is_empty(),
            HeldSet::Many(m) => m.held.is_empty(),
        }
    }

    pub fn insert(&mut self, pos: i64, arrival: u64, held: Held) {
        match self {
            HeldSet::Few(v) if v.len() < FEW => {
                // One at a time: most directions never hold more than one.
                v.reserve_exact(1);
                v.push(Entry { pos, arrival, held });
            }
            HeldSet::Few(v) => {
                let mut m = Box::<Indexed>::default();
                for e in v.drain(..) {
                    m.by_pos.insert((e.pos, e.arrival));
                    m.held.insert(e.arrival, (e.pos, e.held));
                }
                m.by_pos.insert((pos, arrival));
                m.held.insert(arrival, (pos, held));
                *self = HeldSet::Many(m);
            }
            HeldSet::Many(m) => {
                m.by_pos.insert((pos, arrival));
                m.held.insert(arrival, (pos, held));
            }
        }
    }

    /// Take the earliest arrival at or before `next_pos`.
    pub fn take_ready(&mut self, next_pos: i64) -> Option<(i64, Held)> {
        let taken = match self {
            HeldSet::Few(v) => {
                let i = v
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.pos <= next_pos)
                    .min_by_key(|(_, e)| e.arrival)?
                    .0;
                let e = v.swap_remove(i);
                Some((e.pos, e.held))
            }
            HeldSet::Many(m) => {
                while let Some(&(pos, arrival)) = m.by_pos.first() {
                    if pos > next_pos {
                        break;
                    }
                    m.by_pos.pop_first();
                    m.ready.push(Reverse(arrival));
                }
                let Reverse(arrival) = m.ready.pop()?;
                m.held.remove(&arrival)
            }
        };
        if self.is_empty() {
            // Give the memory back: a million idle directions hold nothing.
            *self = HeldSet::default();
        }
        taken
    }

    /// The lowest held segment (position, then arrival): its position and
    /// sequence number. Only asked when none is ready.
    pub fn lowest(&self) -> Option<(i64, u32)> {
        match self {
            HeldSet::Few(v) => v
                .iter()
                .min_by_key(|e| (e.pos, e.arrival))
                .map(|e| (e.pos, e.held.seq)),
            HeldSet::Many(m) => {
                let &(pos, arrival) = m.by_pos.first()?;
                m.held.get(&arrival).map(|(_, h)| (pos, h.seq))
            }
        }
    }

    /// Payload bytes held.
    pub fn payload_bytes(&self) -> u64 {
        match self {
            HeldSet::Few(v) => v.iter().map(|e| u64::from(e.held.len)).sum(),
            HeldSet::Many(m) => m.held.values().map(|(_, h)| u64::from(h.len)).sum(),
        }
    }
}
