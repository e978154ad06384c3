//! Byte streams: what each end of a TCP conversation would have read from
//! its socket, rebuilt from the segments a capture holds, and UDP
//! conversations as their datagrams.
//!
//! Uses `frame`, `decode` and `flow` (callers hand the stream tables
//! sequence numbers and payload bytes; `reassemble` decodes through the
//! reassembly tables); never prints. The rules are the
//! ones tshark's "Follow TCP Stream" applies, so `wirepeek follow` can be
//! diffed against `tshark -z follow` byte for byte (see `tcp.rs`).
//!
//! Memory: in-order bytes are handed to the caller as they arrive and never
//! kept; only segments that arrive ahead of a hole are held, bounded per
//! direction and in total (`StreamLimits`). A segment past a bound is
//! dropped and counted in `Dropped`, never silently (its bytes show as a
//! gap if the receiver acknowledges past them and a later segment is held).

pub mod ip_defrag;
pub mod reassemble;
pub mod table;
pub mod tcp;
pub mod tcp_pdu;

pub use tcp::{Chunk, ChunkKind, Payload, Segment, TcpStream, TcpStreams};

/// Default bound on the out-of-order bytes held per direction.
pub const DEFAULT_PER_DIRECTION: usize = 16 << 20;
/// Default bound on the out-of-order bytes held over all streams.
pub const DEFAULT_TOTAL: usize = 256 << 20;

/// What each held segment costs beyond its bytes (its record and index
/// entries), so that a flood of tiny segments meets the bound too.
pub const SEGMENT_OVERHEAD: usize = 96;

/// Bounds on what reassembly holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamLimits {
    /// Out-of-order bytes held for one direction of one conversation.
    pub per_direction: usize,
    /// Out-of-order bytes held over every conversation.
    pub total: usize,
}

impl Default for StreamLimits {
    fn default() -> Self {
        StreamLimits {
            per_direction: DEFAULT_PER_DIRECTION,
            total: DEFAULT_TOTAL,
        }
    }
}

/// What reassembly could not keep or never had.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dropped {
    /// Out-of-order segments not held because a bound was reached.
    pub segments: u64,
    /// Their payload bytes.
    pub bytes: u64,
    /// Payload bytes the IP header counts but the capture cut off (snap
    /// length); tshark's follow leaves them out without a mark.
    pub uncaptured: u64,
}

impl Dropped {
    pub fn add(&mut self, other: Dropped) {
        self.segments += other.segments;
        self.bytes += other.bytes;
        self.uncaptured += other.uncaptured;
    }

    pub fn is_empty(&self) -> bool {
        *self == Dropped::default()
    }
}

/// The bytes held over all streams, against `StreamLimits::total`.
#[derive(Debug)]
pub struct Budget {
    limit: usize,
    used: usize,
}

impl Budget {
    pub fn new(limit: usize) -> Budget {
        Budget { limit, used: 0 }
    }

    /// Take `cost` bytes if they fit.
    fn take(&mut self, cost: usize) -> bool {
        match self.used.checked_add(cost) {
            Some(n) if n <= self.limit => {
                self.used = n;
                true
            }
            _ => false,
        }
    }

    fn give(&mut self, cost: usize) {
        self.used = self.used.saturating_sub(cost);
    }

    /// Bytes held now.
    pub fn used(&self) -> usize {
        self.used
    }
}

/// `a` comes before `b` in sequence space (RFC 1982 serial arithmetic, as
/// tshark's `LT_SEQ`).
pub(crate) fn seq_lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// `a` comes after `b` in sequence space (tshark's `GT_SEQ`).
pub(crate) fn seq_gt(a: u32, b: u32) -> bool {
    (b.wrapping_sub(a) as i32) < 0
}

/// FxHash's multiply-rotate as a `HashMap` hasher, for the tables keyed by
/// a conversation's direction (a few words): SipHash, the default, costs
/// more than the rest of a lookup. The keys come from packets, so a
/// hostile capture could aim for collisions: the cost would be time, never
/// correctness (as `flow::index`).
#[derive(Clone, Copy, Debug, Default)]
pub struct BuildFx;

impl std::hash::BuildHasher for BuildFx {
    type Hasher = Fx;
    fn build_hasher(&self) -> Fx {
        Fx(0)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Fx(u64);

impl Fx {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    #[inline]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl std::hash::Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }
    #[inline]
    fn write_u16(&mut self, n: u16) {
        self.mix(u64::from(n));
    }
    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}
