//! Every frame the TUI has received: raw bytes packed into large chunks plus
//! a compact index, so a million frames cost one allocation per few
//! megabytes instead of one per frame. Frames come back out as owned
//! `FrameRecord`s, copied on demand for the few rows being decoded.
//!
//! With a limit (`--max-packets N`) the store is a ring: once it holds N
//! frames, each new one pushes the oldest out. Frame indices stay absolute
//! (index `i` is always the `i`-th frame ever pushed), so the list, the flow
//! table and a replay never renumber; indices below `first()` just have no
//! frame any more. The count is exact; the bytes of aged-out frames are freed
//! a whole chunk at a time, so up to one chunk (8 MiB) more than N frames
//! need may stay allocated.

use std::collections::VecDeque;

use crate::frame::{FrameRecord, LinkType, Timestamp, TsPrecision};

/// Bytes per chunk; a frame larger than this gets a chunk of its own.
const CHUNK: usize = 8 << 20;

/// Where one frame's bytes live and what the capture said about it.
#[derive(Clone, Copy, Debug)]
struct Entry {
    number: u64,
    secs: i64,
    nanos: u32,
    chunk: u32,
    offset: u32,
    cap_len: u32,
    orig_len: u32,
    iface: u32,
    link: LinkType,
    has_ts: bool,
    nano: bool,
}

/// Raw frames plus an index; append-only unless limited.
#[derive(Debug, Default)]
pub struct FrameStore {
    /// Chunks still referred to; the first is chunk number `chunk_base`.
    chunks: VecDeque<Vec<u8>>,
    chunk_base: u32,
    /// Entries of frames `first..len()`.
    index: VecDeque<Entry>,
    /// Frames aged out: the absolute index of the oldest frame held.
    first: usize,
    /// Keep at most this many frames; None keeps them all.
    limit: Option<usize>,
    bytes: u64,
    /// The first timed frame's time, kept after that frame ages out.
    zero: Option<Timestamp>,
}

impl FrameStore {
    /// A store that keeps at most `max` frames (at least one), dropping the
    /// oldest; None keeps every frame.
    pub fn with_limit(max: Option<usize>) -> FrameStore {
        FrameStore {
            limit: max.map(|n| n.max(1)),
            ..FrameStore::default()
        }
    }

    /// One past the index of the newest frame: every frame ever pushed,
    /// including those aged out.
    pub fn len(&self) -> usize {
        self.first + self.index.len()
    }

    /// True when no frame has arrived yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The index of the oldest frame still held; also how many aged out.
    pub fn first(&self) -> usize {
        self.first
    }

    /// Number of frames held.
    pub fn held(&self) -> usize {
        self.index.len()
    }

    /// The most frames the store keeps, if limited.
    pub fn limit(&self) -> Option<usize> {
        self.limit
    }

    /// Bytes allocated for frame data (whole chunks).
    pub fn allocated(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum()
    }

    /// Captured bytes held, over all frames.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Keep a frame, aging out the oldest if the store is full.
    pub fn push(&mut self, frame: &FrameRecord) {
        if self.limit.is_some_and(|max| self.index.len() >= max) {
            self.age_out_one();
        }
        let len = frame.data.len();
        let fits = self
            .chunks
            .back()
            .is_some_and(|c| c.capacity() - c.len() >= len);
        if !fits {
            self.chunks.push_back(Vec::with_capacity(CHUNK.max(len)));
        }
        let chunk_no = self.chunks.len() - 1;
        let chunk = &mut self.chunks[chunk_no];
        let offset = chunk.len();
        chunk.extend_from_slice(&frame.data);
        if self.zero.is_none() && self.len() < 16 {
            self.zero = frame.ts;
        }
        let ts = frame.ts.unwrap_or(Timestamp { secs: 0, nanos: 0 });
        self.index.push_back(Entry {
            number: frame.number,
            secs: ts.secs,
            nanos: ts.nanos,
            chunk: self.chunk_base + chunk_no as u32,
            offset: offset as u32,
            cap_len: len as u32,
            orig_len: frame.orig_len,
            iface: frame.iface,
            link: frame.link,
            has_ts: frame.ts.is_some(),
            nano: frame.precision == TsPrecision::Nano,
        });
        self.bytes += len as u64;
    }

    /// Drop the oldest frame, and its chunk once no frame uses it.
    fn age_out_one(&mut self) {
        let Some(old) = self.index.pop_front() else {
            return;
        };
        self.first += 1;
        self.bytes -= u64::from(old.cap_len);
        let still_used = self.index.front().map_or(u32::MAX, |e| e.chunk);
        // Keep the newest chunk: it is the one being filled.
        while self.chunk_base < still_used && self.chunks.len() > 1 {
            self.chunks.pop_front();
            self.chunk_base += 1;
        }
    }

    fn entry(&self, i: usize) -> Option<&Entry> {
        self.index.get(i.checked_sub(self.first)?)
    }

    /// The captured bytes of frame `i`; None once it has aged out.
    pub fn data(&self, i: usize) -> Option<&[u8]> {
        let e = self.entry(i)?;
        let chunk = self.chunks.get((e.chunk - self.chunk_base) as usize)?;
        chunk.get(e.offset as usize..e.offset as usize + e.cap_len as usize)
    }

    /// The time of frame `i`, if its record carried one.
    pub fn ts(&self, i: usize) -> Option<Timestamp> {
        let e = self.entry(i)?;
        e.has_ts.then_some(Timestamp {
            secs: e.secs,
            nanos: e.nanos,
        })
    }

    /// The first frame's time: the zero of relative times and replays.
    /// Kept when that frame ages out, so times do not jump.
    pub fn first_ts(&self) -> Option<Timestamp> {
        self.zero
    }

    /// Copy frame `i` into `out`, reusing its buffer.
    pub fn load_into(&self, i: usize, out: &mut FrameRecord) -> bool {
        let (Some(e), Some(data)) = (self.entry(i), self.data(i)) else {
            return false;
        };
        out.number = e.number;
        out.ts = self.ts(i);
        out.precision = if e.nano {
            TsPrecision::Nano
        } else {
            TsPrecision::Micro
        };
        out.link = e.link;
        out.orig_len = e.orig_len;
        out.iface = e.iface;
        out.data.clear();
        out.data.extend_from_slice(data);
        true
    }

    /// An owned copy of frame `i`.
    pub fn frame(&self, i: usize) -> Option<FrameRecord> {
        let mut f = empty_frame();
        self.load_into(i, &mut f).then_some(f)
    }
}

/// A placeholder frame whose buffer `load_into` fills.
pub fn empty_frame() -> FrameRecord {
    FrameRecord {
        number: 0,
        ts: None,
        precision: TsPrecision::Micro,
        link: LinkType::ETHERNET,
        orig_len: 0,
        iface: 0,
        data: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(number: u64, len: usize) -> FrameRecord {
        FrameRecord {
            number,
            ts: Some(Timestamp {
                secs: 100 + number as i64,
                nanos: 5,
            }),
            precision: TsPrecision::Nano,
            link: LinkType::RAW,
            orig_len: len as u32 + 3,
            iface: 2,
            data: (0..len).map(|b| (b + number as usize) as u8).collect(),
        }
    }

    #[test]
    fn frames_come_back_exactly_as_they_went_in() {
        let mut store = FrameStore::default();
        for n in 1..=50 {
            store.push(&frame(n, 10 * n as usize));
        }
        assert_eq!(store.len(), 50);
        let f = store.frame(41).expect("frame 42 is there");
        let want = frame(42, 420);
        assert_eq!(f.number, 42);
        assert_eq!(f.data, want.data);
        assert_eq!(f.ts, want.ts);
        assert_eq!(f.orig_len, want.orig_len);
        assert_eq!(f.link, LinkType::RAW);
        assert_eq!(f.precision, TsPrecision::Nano);
        assert!(store.frame(50).is_none());
    }

    #[test]
    fn a_frame_larger_than_a_chunk_gets_its_own() {
        let mut store = FrameStore::default();
        store.push(&frame(1, 10));
        store.push(&frame(2, CHUNK + 1));
        store.push(&frame(3, 10));
        assert_eq!(store.data(1).map(<[u8]>::len), Some(CHUNK + 1));
        assert_eq!(store.data(2), Some(&frame(3, 10).data[..]));
    }

    #[test]
    fn a_limited_store_keeps_the_newest_frames_under_their_own_indices() {
        let mut store = FrameStore::with_limit(Some(10));
        for n in 1..=100 {
            store.push(&frame(n, 20));
        }
        assert_eq!(store.held(), 10);
        assert_eq!(store.len(), 100);
        assert_eq!(store.first(), 90);
        assert!(store.frame(89).is_none());
        assert_eq!(store.frame(90).map(|f| f.number), Some(91));
        assert_eq!(store.frame(99).map(|f| f.data), Some(frame(100, 20).data));
        assert_eq!(store.bytes(), 10 * 20);
        assert_eq!(store.first_ts(), frame(1, 0).ts);
    }

    #[test]
    fn a_limited_store_frees_chunks_no_frame_uses() {
        let mut store = FrameStore::with_limit(Some(3));
        // Each frame fills most of a chunk, so each gets its own.
        for n in 1..=20 {
            store.push(&frame(n, CHUNK - 100));
        }
        assert_eq!(store.held(), 3);
        assert!(store.allocated() <= 4 * CHUNK, "{}", store.allocated());
        assert_eq!(store.data(19).map(<[u8]>::len), Some(CHUNK - 100));
        assert_eq!(store.data(17).map(|d| d[0]), Some(frame(18, 1).data[0]));
    }
}
