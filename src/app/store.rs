//! Every frame the TUI has received, as a compact index (where its bytes
//! are, its lengths, time, link type and interface: 24 bytes a frame, see
//! `Entry`) plus
//! the place the bytes live. A capture file keeps its bytes: the store
//! reads them back by offset (`FrameBytes`, a pread on the open file or on
//! the spool of a live capture or of standard input) for the few frames
//! being drawn, inspected or saved. Frames handed over whole (the demo, the
//! tests) are packed into large chunks in memory instead.
//!
//! With a limit (`--max-packets N`) the store is a ring: once it holds N
//! frames, each new one pushes the oldest out. Frame indices stay absolute
//! (index `i` is always the `i`-th frame ever pushed), so the list, the flow
//! table and a replay never renumber; indices below `first()` just have no
//! frame any more. In memory the bytes of aged-out frames are freed a whole
//! chunk at a time, so up to one chunk (8 MiB) more than N frames need may
//! stay allocated.
//!
//! Reads that walk forward (the first look at each frame, a refilter, a
//! save) are served from one read-ahead window of up to `WINDOW` bytes, so
//! a million frames cost a few thousand reads, not a million.

use std::cell::RefCell;
use std::collections::VecDeque;

use crate::frame::{FrameRecord, LinkType, Timestamp, TsPrecision};

/// Bytes per in-memory chunk; a frame larger than this gets its own.
const CHUNK: usize = 8 << 20;
/// The most bytes one read-ahead reads.
const WINDOW: usize = 1 << 20;

/// Where frame bytes are read back from: a capture file or a spool,
/// opened by the TUI (the model itself opens nothing).
pub trait FrameBytes: Send + std::fmt::Debug {
    /// Fill `buf` with the bytes at `offset`; an error when they are not
    /// all there (the file was cut or replaced while open).
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()>;

    /// The same file for the reassembler to read a PDU's parts back from
    /// (`frame::Recall`), so that PDUs waiting for segments hold offsets,
    /// not copies; None when it cannot be shared.
    fn recall(&self) -> Option<crate::frame::Recall> {
        None
    }
}

/// One frame as the source thread indexed it: all but its bytes, which
/// stay at `at` in the store's `FrameBytes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Indexed {
    pub at: u64,
    pub cap_len: u32,
    pub number: u64,
    pub ts: Option<Timestamp>,
    pub precision: TsPrecision,
    pub link: LinkType,
    pub orig_len: u32,
    pub iface: u32,
}

impl Indexed {
    /// The index entry of `frame`, whose bytes are at `at`.
    pub fn of(frame: &FrameRecord, at: u64) -> Indexed {
        Indexed {
            at,
            cap_len: frame.data.len() as u32,
            number: frame.number,
            ts: frame.ts,
            precision: frame.precision,
            link: frame.link,
            orig_len: frame.orig_len,
            iface: frame.iface,
        }
    }
}

/// `Entry::flags` bits.
const HAS_TS: u32 = 1 << 31;
const NANO: u32 = 1 << 30;
const NANOS: u32 = NANO - 1;

/// Bits of `Entry::at_kind` that hold the offset; the kind is above them.
const AT_BITS: u32 = 48;
const AT_MASK: u64 = (1 << AT_BITS) - 1;
/// `Entry::at_kind`'s kind when the offset or kind did not fit: both are
/// in `FrameStore::wide`.
const WIDE_KIND: u64 = 0xffff;
/// `Entry::secs` when the seconds are too far from `FrameStore::base`.
const WIDE_SECS: i32 = i32::MIN;

/// Where one frame's bytes live and what the capture said about it, in 24
/// bytes (10M frames: 240 MB). The frame number is not here: it is the
/// store index plus the step of `FrameStore::numbers` that covers it (one
/// step for a whole file). Seconds count from the store's first timed
/// frame (±68 years). The sub-second part shares its word with two
/// flags: a valid fraction is below 2^30. Anything that does not fit (a
/// broken file's fraction, a time decades away, an offset past 256 TiB,
/// the 65,535th interface) is kept whole in `FrameStore::wide`.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// File offset (in memory `chunk << 32 | offset`) in the low 48 bits,
    /// the position in `FrameStore::kinds` above.
    at_kind: u64,
    secs: i32,
    flags: u32,
    cap_len: u32,
    orig_len: u32,
}

/// What did not fit a frame's `Entry`.
#[derive(Clone, Copy, Debug, Default)]
struct Wide {
    nanos: Option<u32>,
    secs: Option<i64>,
    at_kind: Option<(u64, u32)>,
}

/// Where the bytes are.
#[derive(Debug, Default)]
enum Bytes {
    /// Packed in `FrameStore::chunks`.
    #[default]
    Memory,
    File(Box<dyn FrameBytes>),
}

/// The last read-ahead: store indices `first..first + starts.len()` whose
/// bytes are in `buf`, the first at `buf[0]`.
#[derive(Debug, Default)]
struct Window {
    first: usize,
    starts: Vec<u32>,
    buf: Vec<u8>,
    /// The index last asked for, to tell a forward walk from a jump.
    last: Option<usize>,
}

/// Frame index plus bytes; append-only unless limited.
#[derive(Debug, Default)]
pub struct FrameStore {
    bytes_in: Bytes,
    chunks: VecDeque<Vec<u8>>,
    chunk_base: u32,
    /// Entries of frames `first..len()`.
    index: VecDeque<Entry>,
    /// (link type, interface) pairs, shared by the entries.
    kinds: Vec<(LinkType, u32)>,
    /// Frames aged out: the absolute index of the oldest frame held.
    first: usize,
    /// Keep at most this many frames; None keeps them all.
    limit: Option<usize>,
    bytes: u64,
    /// The first timed frame's time, kept after that frame ages out.
    zero: Option<Timestamp>,
    /// The seconds `Entry::secs` count from.
    base: Option<i64>,
    /// Frame numbers: from each (store index, number - index) on, until
    /// the next, number = index + step.
    numbers: VecDeque<(usize, i64)>,
    /// What did not fit `Entry`, by store index.
    wide: std::collections::HashMap<usize, Wide>,
    window: RefCell<Window>,
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

    /// Read frame bytes back from `bytes` from now on: the frames come as
    /// `Indexed` entries (`push_indexed`).
    pub fn set_backing(&mut self, bytes: Box<dyn FrameBytes>) {
        self.bytes_in = Bytes::File(bytes);
        self.chunks.clear();
        *self.window.borrow_mut() = Window::default();
    }

    /// True when frame bytes are read back from a file, not held.
    pub fn file_backed(&self) -> bool {
        matches!(self.bytes_in, Bytes::File(_))
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

    /// Bytes allocated for frame data in memory (whole chunks and the
    /// read-ahead window).
    pub fn allocated(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum::<usize>() + self.window.borrow().buf.capacity()
    }

    /// Captured bytes of the frames held.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Keep a frame's bytes in memory, aging out the oldest if full. A
    /// file-backed store cannot take bytes and ignores the frame.
    pub fn push(&mut self, frame: &FrameRecord) {
        if self.file_backed() {
            return;
        }
        self.make_room();
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
        let offset = chunk.len() as u64;
        chunk.extend_from_slice(&frame.data);
        let chunk_id = u64::from(self.chunk_base) + chunk_no as u64;
        self.add(Indexed::of(frame, chunk_id << 32 | offset));
    }

    /// Index a frame whose bytes stay in the backing file.
    pub fn push_indexed(&mut self, frame: &Indexed) {
        if !self.file_backed() {
            return;
        }
        self.make_room();
        self.add(*frame);
    }

    fn make_room(&mut self) {
        if self.limit.is_some_and(|max| self.index.len() >= max) {
            self.age_out_one();
        }
    }

    fn add(&mut self, f: Indexed) {
        if self.zero.is_none() && self.len() < 16 {
            self.zero = f.ts;
        }
        let kind = match self.kinds.iter().position(|&k| k == (f.link, f.iface)) {
            Some(k) => k,
            None => {
                self.kinds.push((f.link, f.iface));
                self.kinds.len() - 1
            }
        };
        let i = self.len();
        let mut wide = Wide::default();
        let ts = f.ts.unwrap_or(Timestamp { secs: 0, nanos: 0 });
        let mut flags = ts.nanos & NANOS;
        if ts.nanos > NANOS {
            wide.nanos = Some(ts.nanos);
        }
        if f.ts.is_some() {
            flags |= HAS_TS;
        }
        if f.precision == TsPrecision::Nano {
            flags |= NANO;
        }
        let secs = match f.ts {
            None => 0,
            Some(t) => {
                let base = *self.base.get_or_insert(t.secs);
                match t.secs.checked_sub(base).map(i32::try_from) {
                    Some(Ok(s)) if s != WIDE_SECS => s,
                    _ => {
                        wide.secs = Some(t.secs);
                        WIDE_SECS
                    }
                }
            }
        };
        let at_kind = if f.at <= AT_MASK && (kind as u64) < WIDE_KIND {
            f.at | (kind as u64) << AT_BITS
        } else {
            wide.at_kind = Some((f.at, kind as u32));
            f.at & AT_MASK | WIDE_KIND << AT_BITS
        };
        if wide.nanos.is_some() || wide.secs.is_some() || wide.at_kind.is_some() {
            self.wide.insert(i, wide);
        }
        let step = f.number as i64 - i as i64;
        if self.numbers.back().is_none_or(|&(_, s)| s != step) {
            self.numbers.push_back((i, step));
        }
        self.index.push_back(Entry {
            at_kind,
            secs,
            flags,
            cap_len: f.cap_len,
            orig_len: f.orig_len,
        });
        self.bytes += u64::from(f.cap_len);
    }

    /// Drop the oldest frame, and its chunk once no frame uses it.
    fn age_out_one(&mut self) {
        let Some(old) = self.index.pop_front() else {
            return;
        };
        if !self.wide.is_empty() {
            self.wide.remove(&self.first);
        }
        self.first += 1;
        while self.numbers.get(1).is_some_and(|&(i, _)| i <= self.first) {
            self.numbers.pop_front();
        }
        self.bytes -= u64::from(old.cap_len);
        if self.file_backed() {
            return;
        }
        let still_used = self
            .index
            .front()
            .map_or(u32::MAX, |_| (self.at(self.first).0 >> 32) as u32);
        // Keep the newest chunk: it is the one being filled.
        while self.chunk_base < still_used && self.chunks.len() > 1 {
            self.chunks.pop_front();
            self.chunk_base += 1;
        }
    }

    fn entry(&self, i: usize) -> Option<&Entry> {
        self.index.get(i.checked_sub(self.first)?)
    }

    /// Where frame `i`'s bytes are, and its position in `kinds`.
    fn at(&self, i: usize) -> (u64, usize) {
        let Some(e) = self.entry(i) else {
            return (0, 0);
        };
        if e.at_kind >> AT_BITS == WIDE_KIND
            && let Some((at, kind)) = self.wide.get(&i).and_then(|w| w.at_kind)
        {
            return (at, kind as usize);
        }
        (e.at_kind & AT_MASK, (e.at_kind >> AT_BITS) as usize)
    }

    /// Where frame `i`'s bytes sit in the backing file, when there is one.
    pub fn file_offset(&self, i: usize) -> Option<u64> {
        match self.bytes_in {
            Bytes::File(_) => self.entry(i).map(|_| self.at(i).0),
            Bytes::Memory => None,
        }
    }

    /// The backing file for the reassembler (`FrameBytes::recall`).
    pub fn recall(&self) -> Option<crate::frame::Recall> {
        match &self.bytes_in {
            Bytes::File(file) => file.recall(),
            Bytes::Memory => None,
        }
    }

    /// The frame number of frame `i`.
    pub fn number(&self, i: usize) -> Option<u64> {
        self.entry(i)?;
        let pos = self.numbers.partition_point(|&(from, _)| from <= i);
        let step = pos.checked_sub(1).map_or(0, |p| self.numbers[p].1);
        Some((i as i64 + step) as u64)
    }

    /// The captured length of frame `i`.
    pub fn cap_len(&self, i: usize) -> Option<usize> {
        self.entry(i).map(|e| e.cap_len as usize)
    }

    /// The wire length of frame `i`.
    pub fn orig_len(&self, i: usize) -> Option<u32> {
        self.entry(i).map(|e| e.orig_len)
    }

    /// The time of frame `i`, if its record carried one.
    pub fn ts(&self, i: usize) -> Option<Timestamp> {
        let e = self.entry(i)?;
        let wide = self.wide.get(&i);
        let nanos = wide.and_then(|w| w.nanos).unwrap_or(e.flags & NANOS);
        let secs = match wide.and_then(|w| w.secs) {
            Some(s) => s,
            None => self.base.unwrap_or(0) + i64::from(e.secs),
        };
        (e.flags & HAS_TS != 0).then_some(Timestamp { secs, nanos })
    }

    /// The first frame's time: the zero of relative times and replays.
    /// Kept when that frame ages out, so times do not jump.
    pub fn first_ts(&self) -> Option<Timestamp> {
        self.zero
    }

    /// Copy frame `i` into `out`, reusing its buffer. False when it aged
    /// out or its bytes cannot be read back.
    pub fn load_into(&self, i: usize, out: &mut FrameRecord) -> bool {
        let Some(e) = self.entry(i).copied() else {
            return false;
        };
        out.data.clear();
        let (at, kind) = self.at(i);
        let read = match &self.bytes_in {
            Bytes::Memory => {
                let chunk = ((at >> 32) as u32).wrapping_sub(self.chunk_base);
                let at = (at & 0xffff_ffff) as usize;
                match self
                    .chunks
                    .get(chunk as usize)
                    .and_then(|c| c.get(at..at + e.cap_len as usize))
                {
                    Some(data) => {
                        out.data.extend_from_slice(data);
                        true
                    }
                    None => false,
                }
            }
            Bytes::File(file) => self.read_file(file.as_ref(), i, at, &e, &mut out.data),
        };
        if !read {
            return false;
        }
        let Some(&(link, iface)) = self.kinds.get(kind) else {
            return false;
        };
        out.number = self.number(i).unwrap_or(0);
        out.ts = self.ts(i);
        out.precision = if e.flags & NANO != 0 {
            TsPrecision::Nano
        } else {
            TsPrecision::Micro
        };
        out.link = link;
        out.orig_len = e.orig_len;
        out.iface = iface;
        true
    }

    /// Frame `i`'s bytes from the file: from the read-ahead window when
    /// they are in it; a forward walk refills the window, a jump reads the
    /// one frame.
    fn read_file(
        &self,
        file: &dyn FrameBytes,
        i: usize,
        at: u64,
        e: &Entry,
        out: &mut Vec<u8>,
    ) -> bool {
        let mut w = self.window.borrow_mut();
        let forward = w.last.is_some_and(|l| l + 1 == i);
        w.last = Some(i);
        if let Some(pos) = i.checked_sub(w.first).filter(|&p| p < w.starts.len()) {
            let start = w.starts[pos] as usize;
            if let Some(data) = w.buf.get(start..start + e.cap_len as usize) {
                out.extend_from_slice(data);
                return true;
            }
        }
        if !forward {
            out.resize(e.cap_len as usize, 0);
            return file.read_at(at, out).is_ok();
        }
        // Frames i.. that follow each other in the file, up to WINDOW bytes.
        let w = &mut *w;
        w.first = i;
        w.starts.clear();
        let mut end = at;
        for (j, next) in (i..).zip(self.index.range(i - self.first..)) {
            let next_at = self.at(j).0;
            let span = next_at + u64::from(next.cap_len) - at;
            if next_at < end || (span > WINDOW as u64 && !w.starts.is_empty()) {
                break;
            }
            w.starts.push((next_at - at) as u32);
            end = next_at + u64::from(next.cap_len);
        }
        w.buf.resize((end - at) as usize, 0);
        if file.read_at(at, &mut w.buf).is_err() {
            w.starts.clear();
            out.resize(e.cap_len as usize, 0);
            return file.read_at(at, out).is_ok();
        }
        out.extend_from_slice(&w.buf[..e.cap_len as usize]);
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
mod tests;
