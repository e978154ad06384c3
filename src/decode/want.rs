//! Which fields a consumer reads: a set of field keys the decoder checks
//! before it keeps a field (`Dissection::want`), so a consumer that reads a
//! few columns (`export`) does not pay for building, formatting and then
//! skipping all the others. Layers, notes, the 4-tuple and everything flow
//! tracking reads are built as always; only fields are left out.
//!
//! The check runs for every field the decoder offers, so it is one hash of
//! the key's length and first and last eight bytes into a small open table,
//! then one comparison.

/// A set of field keys.
#[derive(Clone, Debug)]
pub struct Wanted {
    keys: Vec<String>,
    /// Open addressing: `slots[h]` is 1 + the index of a key, 0 if empty.
    slots: Vec<u16>,
    mask: usize,
    /// Unique to this set (from 1), so a `Memo` knows whose answers it holds.
    id: u64,
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The first and last (up to) eight bytes of a key and its length, mixed.
#[inline(always)]
fn hash(key: &[u8]) -> u64 {
    let n = key.len();
    let word = |b: &[u8]| {
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        u64::from_le_bytes(w)
    };
    let (head, tail) = if n >= 8 {
        (word(&key[..8]), word(&key[n - 8..]))
    } else {
        (word(key), 0)
    };
    let h = (head ^ tail.rotate_left(23) ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h ^ (h >> 29)
}

impl Wanted {
    /// The set of `keys` (duplicates are kept once). At most 16,000 keys.
    pub fn new<'k>(keys: impl IntoIterator<Item = &'k str>) -> Wanted {
        let mut list: Vec<String> = Vec::new();
        for k in keys {
            if list.len() < 16_000 && !list.iter().any(|o| o == k) {
                list.push(k.to_string());
            }
        }
        // A quarter full at most: a miss is usually one empty slot.
        let size = (list.len() * 4).next_power_of_two().max(16);
        let mask = size - 1;
        let mut slots = vec![0u16; size];
        for (i, k) in list.iter().enumerate() {
            let mut at = hash(k.as_bytes()) as usize & mask;
            while slots[at] != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = i as u16 + 1;
        }
        Wanted {
            keys: list,
            slots,
            mask,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Whether `key` is in the set.
    #[inline]
    pub fn has(&self, key: &str) -> bool {
        let mut at = hash(key.as_bytes()) as usize & self.mask;
        loop {
            match self.slots[at] {
                0 => return false,
                i => {
                    if self.keys[usize::from(i) - 1] == key {
                        return true;
                    }
                }
            }
            at = (at + 1) & self.mask;
        }
    }

    /// The keys, in the order first given.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(String::as_str)
    }
}

/// Slots of the per-dissection memo of answers by definition.
const MEMO: usize = 1024;

/// The answers already given, by definition address (a definition is a
/// constant in read-only memory, so its address names it; two copies of
/// one definition are two entries, both right): one load and compare for
/// a field seen before instead of a hash and a comparison of its key.
#[derive(Clone, Debug, Default)]
pub struct Memo {
    slots: Vec<(usize, bool)>,
    /// The set the answers are of (its id; 0: none): another starts over.
    set: u64,
}

impl Memo {
    /// Whether `want` has `def`'s key, remembered.
    #[inline(always)]
    pub fn has(&mut self, want: &Wanted, def: &'static crate::decode::field::FieldDef) -> bool {
        let addr = def as *const _ as usize;
        let slot = ((addr >> 3) ^ (addr >> 13)) & (MEMO - 1);
        let set = want.id;
        if self.set != set || self.slots.len() != MEMO {
            self.slots.clear();
            self.slots.resize(MEMO, (0, false));
            self.set = set;
        }
        let (seen, kept) = self.slots[slot];
        if seen == addr {
            return kept;
        }
        let kept = want.has(def.key);
        self.slots[slot] = (addr, kept);
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_key_is_found_in_a_set_of_all_and_none_in_a_set_of_others() {
        let all: Vec<&str> = crate::decode::field::all().map(|f| f.key).collect();
        let set = Wanted::new(all.iter().copied());
        assert!(all.iter().all(|k| set.has(k)));
        let some = Wanted::new(["ip.src", "tcp.flags.syn", "dns.qry.name", "x"]);
        let found: Vec<&str> = all.iter().copied().filter(|k| some.has(k)).collect();
        assert_eq!(found, ["ip.src", "tcp.flags.syn", "dns.qry.name"]);
        assert!(some.has("x") && !some.has("") && !some.has("ip.srcx"));
        let empty = Wanted::new([]);
        assert!(all.iter().all(|k| !empty.has(k)));
        // The memo gives the set's answers, asked twice in a row too.
        let mut memo = Memo::default();
        for set in [&some, &empty, &some] {
            for def in crate::decode::field::all().chain(crate::decode::field::all()) {
                assert_eq!(memo.has(set, def), set.has(def.key), "{}", def.key);
            }
        }
    }
}
