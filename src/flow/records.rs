//! The flow records: a vector in geometrically growing chunks that never
//! move. Growing a single `Vec` of a million records would copy (or remap)
//! the whole table and, while copying, hold it twice.
//! Record `i` lives in chunk `c` = 0 for `i < 2^FIRST_BITS`, otherwise
//! `c = log2(i) - FIRST_BITS + 1`, each chunk as large as all before it.

use std::ops::{Index, IndexMut};

use super::FlowState;

const FIRST_BITS: u32 = 12;

#[derive(Default)]
pub(crate) struct Records {
    chunks: Vec<Vec<FlowState>>,
    len: u32,
}

/// Chunk and offset of record `i`.
#[inline]
fn locate(i: u32) -> (usize, usize) {
    if i < 1 << FIRST_BITS {
        (0, i as usize)
    } else {
        let log = 31 - i.leading_zeros();
        ((log - FIRST_BITS + 1) as usize, (i - (1 << log)) as usize)
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
            let size = if c == 0 {
                1 << FIRST_BITS
            } else {
                1 << (FIRST_BITS + c as u32 - 1)
            };
            self.chunks.push(Vec::with_capacity(size));
        }
        self.chunks[c].push(f);
        self.len += 1;
        i
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &FlowState> {
        self.chunks.iter().flatten()
    }

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
    fn chunks_double_and_records_stay_in_order() {
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(4095), (0, 4095));
        assert_eq!(locate(4096), (1, 0));
        assert_eq!(locate(8191), (1, 4095));
        assert_eq!(locate(8192), (2, 0));
        assert_eq!(locate(16384), (3, 0));
        assert_eq!(locate(u32::MAX).0, 20);
    }
}
