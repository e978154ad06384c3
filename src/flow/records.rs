//! The flow records: a vector in chunks that never move. Growing a single
//! `Vec` of a million records would copy (or remap) the whole table and,
//! while copying, hold it twice. Chunks double up to `MAX_BITS` records
//! (small tables stay small), then stay that size, so handing the records
//! over chunk by chunk (`into_iter`) never holds more than one chunk twice.
//! Record `i` lives in chunk `c` = 0 for `i < 2^FIRST_BITS`, otherwise
//! `c = log2(i) - FIRST_BITS + 1`, each chunk as large as all before it.

use std::ops::{Index, IndexMut};

use super::FlowState;

const FIRST_BITS: u32 = 12;
/// Chunks grow to 2^16 records (11 MB), then stay that size.
const MAX_BITS: u32 = 16;
/// Chunks before the first full-size one.
const GROWING: usize = (MAX_BITS - FIRST_BITS + 1) as usize;

#[derive(Default)]
pub(crate) struct Records {
    chunks: Vec<Vec<FlowState>>,
    len: u32,
}

/// Chunk and offset of record `i`: chunk 0 holds the first 2^FIRST_BITS
/// records, each next one as many as all before it, up to 2^MAX_BITS;
/// then every chunk holds 2^MAX_BITS.
#[inline]
fn locate(i: u32) -> (usize, usize) {
    if i < 1 << FIRST_BITS {
        (0, i as usize)
    } else if i < 1 << MAX_BITS {
        let log = 31 - i.leading_zeros();
        ((log - FIRST_BITS + 1) as usize, (i - (1 << log)) as usize)
    } else {
        (
            GROWING - 1 + (i >> MAX_BITS) as usize,
            (i & ((1 << MAX_BITS) - 1)) as usize,
        )
    }
}

/// Records chunk `c` holds.
fn chunk_size(c: usize) -> usize {
    match c {
        0 => 1 << FIRST_BITS,
        c if c < GROWING => 1 << (FIRST_BITS + c as u32 - 1),
        _ => 1 << MAX_BITS,
    }
}

impl Records {
    pub(crate) fn len(&self) -> u32 {
        self.len
    }

    pub(crate) fn get(&self, i: u32) -> Option<&FlowState> {
        if i >= self.len {
            return None;
        }
        let (c, o) = locate(i);
        Some(&self.chunks[c][o])
    }

    /// Append a record; its number.
    pub(crate) fn push(&mut self, f: FlowState) -> u32 {
        let i = self.len;
        let (c, _) = locate(i);
        if c == self.chunks.len() {
            self.chunks.push(Vec::with_capacity(chunk_size(c)));
        }
        self.chunks[c].push(f);
        self.len += 1;
        i
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &FlowState> {
        self.chunks.iter().flatten()
    }

    /// Every record, each chunk freed once it is handed over.
    pub(crate) fn into_iter(self) -> impl Iterator<Item = FlowState> {
        self.chunks.into_iter().flatten()
    }
}

impl Index<u32> for Records {
    type Output = FlowState;
    #[inline]
    fn index(&self, i: u32) -> &FlowState {
        let (c, o) = locate(i);
        &self.chunks[c][o]
    }
}

impl IndexMut<u32> for Records {
    #[inline]
    fn index_mut(&mut self, i: u32) -> &mut FlowState {
        let (c, o) = locate(i);
        &mut self.chunks[c][o]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_double_then_stay_full_size_and_records_stay_in_order() {
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(4095), (0, 4095));
        assert_eq!(locate(4096), (1, 0));
        assert_eq!(locate(8191), (1, 4095));
        assert_eq!(locate(8192), (2, 0));
        assert_eq!(locate(16384), (3, 0));
        assert_eq!(locate(32768), (4, 0));
        assert_eq!(locate(65535), (4, 32767));
        assert_eq!(locate(65536), (5, 0));
        assert_eq!(locate(131071), (5, 65535));
        assert_eq!(locate(131072), (6, 0));
        // Every record has one place, chunk after chunk without gaps.
        let mut next = (0, 0);
        for i in 0..300_000u32 {
            let (c, o) = locate(i);
            assert_eq!((c, o), next, "record {i}");
            assert!(o < chunk_size(c));
            next = if o + 1 == chunk_size(c) {
                (c + 1, 0)
            } else {
                (c, o + 1)
            };
        }
    }
}
