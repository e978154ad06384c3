//! The flow table's index: open addressing with linear probing over `u32`
//! slot numbers, the keys living only in the flow records. A `HashMap<FlowKey,
//! u32>` would store each 40-byte key a second time (and, at its load factor,
//! up to twice over); this costs 4 bytes a slot at a load of at most one half.
//! Hashing is FxHash-style (multiply-rotate), fast on fixed-size keys; the
//! table's keys come from packets, so a hostile capture could aim for
//! collisions: the cost would be time, never correctness.

use super::FlowKey;
use super::records::Records;

const EMPTY: u32 = u32::MAX;
const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// FxHash's multiply-rotate over the key's words: fast on fixed-size keys.
fn hash(key: &FlowKey) -> u64 {
    key.words().iter().fold(0u64, |h, &word| {
        (h.rotate_left(5) ^ word).wrapping_mul(SEED)
    })
}

/// Ask the CPU to start loading the cache line holding `at`; a hint that
/// never faults and changes nothing.
#[inline]
pub(crate) fn prefetch<T>(at: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: SSE is part of the x86_64 baseline, and a prefetch reads
        // nothing into the program: any address is allowed.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(at.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
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
    pub(crate) fn hash_hi(key: &FlowKey) -> u32 {
        (hash(key) >> 32) as u32
    }

    /// Start fetching the slot where a key with this hash would be found.
    pub(crate) fn prefetch(&self, hash_hi: u32) {
        if self.len != 0 {
            prefetch(&self.slots[self.home(hash_hi)] as *const Slot);
        }
    }

    /// The record a key with this hash most likely lives in, read from the
    /// slots alone (no key compared): a hint for prefetching, never an
    /// answer.
    pub(crate) fn guess(&self, hash_hi: u32) -> Option<u32> {
        self.probe(hash_hi, |_| true).map(|i| self.slots[i].idx)
    }

    /// The position of the first slot in `hash_hi`'s probe run whose tag
    /// matches and whose record `is_it` accepts.
    #[inline]
    fn probe(&self, hash_hi: u32, is_it: impl Fn(u32) -> bool) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash_hi);
        loop {
            let s = self.slots[i];
            if s.idx == EMPTY {
                return None;
            }
            if s.hash_hi == hash_hi && is_it(s.idx) {
                return Some(i);
            }
            i = (i + 1) & mask;
        }
    }

    fn home(&self, hash_hi: u32) -> usize {
        (hash_hi >> (32 - self.bits)) as usize
    }

    /// The flow record number for `key`.
    pub(crate) fn get(&self, key: &FlowKey, flows: &Records) -> Option<u32> {
        self.get_hashed(key, Self::hash_hi(key), flows)
    }

    /// The flow record number for `key`, whose `hash_hi` is known.
    pub(crate) fn get_hashed(&self, key: &FlowKey, hash_hi: u32, flows: &Records) -> Option<u32> {
        self.probe(hash_hi, |idx| flows[idx].key == *key)
            .map(|i| self.slots[i].idx)
    }

    /// Add record `idx`, whose key is not in the index yet.
    pub(crate) fn insert(&mut self, idx: u32, flows: &Records) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        self.place(idx, flows);
        self.len += 1;
    }

    fn place(&mut self, idx: u32, flows: &Records) {
        let hash_hi = Self::hash_hi(&flows[idx].key);
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
    pub(crate) fn remove(&mut self, key: &FlowKey, flows: &Records) {
        let Some(mut i) = self.probe(Self::hash_hi(key), |idx| flows[idx].key == *key) else {
            return;
        };
        let mask = self.slots.len() - 1;
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
}
