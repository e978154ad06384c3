//! Every frame the TUI has received: raw bytes packed into large chunks plus
//! a compact index, so a million frames cost one allocation per few
//! megabytes instead of one per frame. Frames come back out as owned
//! `FrameRecord`s, copied on demand for the few rows being decoded.

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

/// Raw frames plus an index; append-only.
#[derive(Debug, Default)]
pub struct FrameStore {
    chunks: Vec<Vec<u8>>,
    index: Vec<Entry>,
    bytes: u64,
}

impl FrameStore {
    /// Number of frames held.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when no frame has arrived yet.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Captured bytes held, over all frames.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Keep a frame.
    pub fn push(&mut self, frame: &FrameRecord) {
        let len = frame.data.len();
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= len);
        if !fits {
            self.chunks.push(Vec::with_capacity(CHUNK.max(len)));
        }
        let chunk_no = self.chunks.len() - 1;
        let chunk = &mut self.chunks[chunk_no];
        let offset = chunk.len();
        chunk.extend_from_slice(&frame.data);
        let ts = frame.ts.unwrap_or(Timestamp { secs: 0, nanos: 0 });
        self.index.push(Entry {
            number: frame.number,
            secs: ts.secs,
            nanos: ts.nanos,
            chunk: chunk_no as u32,
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

    /// The captured bytes of frame `i`.
    pub fn data(&self, i: usize) -> Option<&[u8]> {
        let e = self.index.get(i)?;
        let chunk = self.chunks.get(e.chunk as usize)?;
        chunk.get(e.offset as usize..e.offset as usize + e.cap_len as usize)
    }

    /// The time of frame `i`, if its record carried one.
    pub fn ts(&self, i: usize) -> Option<Timestamp> {
        let e = self.index.get(i)?;
        e.has_ts.then_some(Timestamp {
            secs: e.secs,
            nanos: e.nanos,
        })
    }

    /// The first frame's time: the zero of relative times and replays.
    pub fn first_ts(&self) -> Option<Timestamp> {
        (0..self.len().min(16)).find_map(|i| self.ts(i))
    }

    /// Copy frame `i` into `out`, reusing its buffer.
    pub fn load_into(&self, i: usize, out: &mut FrameRecord) -> bool {
        let (Some(e), Some(data)) = (self.index.get(i), self.data(i)) else {
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
}
