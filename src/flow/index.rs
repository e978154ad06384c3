//! The flow table's index: open addressing with linear probing over `u32`
//! slot numbers, the keys living only in the flow records. A `HashMap<FlowKey,
//! u32>` would store each 40-byte key a second time (and, at its load factor,
//! up to twice over); this costs 4 bytes a slot at a load of at most one half.
//! Hashing is FxHash-style (multiply-rotate), fast on fixed-size keys; the
//! table's keys come from packets, so a hostile capture could aim for
//! collisions: the cost would be time, never correctness.

use std::hash::{Hash, Hasher};

use super::{FlowKey, FlowState};

const EMPTY: u32 = u32::MAX;
const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// FxHash's word-at-a-time mixer.
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

fn hash(key: &FlowKey) -> u64 {
    let mut h = Fx(0);
    key.hash(&mut h);
    h.finish()
}

/// Slot numbers of live flows, found by key.
/// One slot: the record number and the high half of its key's hash. The
/// hash gives the slot's home without touching the record, and it filters
/// out most non-matching records before their keys are compared: with a
/// million flows every record read is a cache miss.
#[derive(Clone, Copy)]
struct Slot {
    idx: u32,
    hash_hi: u32,
}

const EMPTY_SLOT: Slot = Slot {
    idx: EMPTY,
    hash_hi: 0,
};

#[derive(Default)]
pub(crate) struct Index {
    slots: Vec<Slot>,
    len: usize,
    /// log2 of `slots.len()`.
    bits: u32,
}

impl Index {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Fx's high bits are the well-mixed ones: the top 32 serve both as
    /// the slot's home (their top `bits`) and as its tag.
    fn hash_hi(key: &FlowKey) -> u32 {
        (hash(key) >> 32) as u32
    }

    fn home(&self, hash_hi: u32) -> usize {
        (hash_hi >> (32 - self.bits)) as usize
    }

    /// The flow record number for `key`.
    pub(crate) fn get(&self, key: &FlowKey, flows: &[FlowState]) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let mask = self.slots.len() - 1;
        let hash_hi = Self::hash_hi(key);
        let mut i = self.home(hash_hi);
        loop {
            let s = self.slots[i];
            if s.idx == EMPTY {
                return None;
            }
            if s.hash_hi == hash_hi && flows[s.idx as usize].key == *key {
                return Some(s.idx);
            }
            i = (i + 1) & mask;
        }
    }

    /// Add record `idx`, whose key is not in the index yet.
    pub(crate) fn insert(&mut self, idx: u32, flows: &[FlowState]) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        self.place(idx, flows);
        self.len += 1;
    }

    fn place(&mut self, idx: u32, flows: &[FlowState]) {
        let hash_hi = Self::hash_hi(&flows[idx as usize].key);
        self.place_slot(Slot { idx, hash_hi });
    }

    fn place_slot(&mut self, slot: Slot) {
        let mask = self.slots.len() - 1;
        let mut i = self.home(slot.hash_hi);
        while self.slots[i].idx != EMPTY {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        let size = (old.len() * 2).max(1024);
        self.bits = size.trailing_zeros();
        self.slots = vec![EMPTY_SLOT; size];
        for s in old.into_iter().filter(|s| s.idx != EMPTY) {
            self.place_slot(s);
        }
    }

    /// Remove `key` (still present in its record), shifting later entries of
    /// its probe run back so lookups never stop early.
    pub(crate) fn remove(&mut self, key: &FlowKey, flows: &[FlowState]) {
        if self.len == 0 {
            return;
        }
        let mask = self.slots.len() - 1;
        let hash_hi = Self::hash_hi(key);
        let mut i = self.home(hash_hi);
        loop {
            let s = self.slots[i];
            if s.idx == EMPTY {
                return;
            }
            if s.hash_hi == hash_hi && flows[s.idx as usize].key == *key {
                break;
            }
            i = (i + 1) & mask;
        }
        self.slots[i] = EMPTY_SLOT;
        self.len -= 1;
        let mut j = i;
        loop {
            j = (j + 1) & mask;
            let s = self.slots[j];
            if s.idx == EMPTY {
                return;
            }
            let home = self.home(s.hash_hi);
            // Move s back to the hole at i unless its home lies cyclically
            // in (i, j].
            let stays = if i <= j {
                i < home && home <= j
            } else {
                i < home || home <= j
            };
            if !stays {
                self.slots[i] = s;
                self.slots[j] = EMPTY_SLOT;
                i = j;
            }
        }
    }

    /// Every indexed record number.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.slots.iter().map(|s| s.idx).filter(|&s| s != EMPTY)
    }
}
