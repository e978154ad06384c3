//! Frame records: the bytes of one captured frame plus what the capture knew
//! about it. Owns no logic and imports nothing else from the crate, so every
//! other module can depend on it.

/// A link-layer header type, as numbered by tcpdump.org's LINKTYPE_ registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkType(pub u32);

impl LinkType {
    pub const NULL: LinkType = LinkType(0);
    pub const ETHERNET: LinkType = LinkType(1);
    /// DLT_RAW as OpenBSD and some other systems number it.
    pub const RAW_12: LinkType = LinkType(12);
    /// DLT_RAW as BSD/OS numbers it.
    pub const RAW_14: LinkType = LinkType(14);
    pub const RAW: LinkType = LinkType(101);
    pub const LOOP: LinkType = LinkType(108);
    pub const LINUX_SLL: LinkType = LinkType(113);
    pub const IPV4: LinkType = LinkType(228);
    pub const IPV6: LinkType = LinkType(229);
    pub const LINUX_SLL2: LinkType = LinkType(276);
    /// Not a real link type: marks a pcapng custom block, which tshark counts
    /// as a frame of its own, so we deliver it as a record too.
    pub const PCAPNG_CUSTOM: LinkType = LinkType(0xffff_ff00);

    /// Name the link type the way capinfos and tcpdump do.
    pub fn name(self) -> &'static str {
        match self {
            LinkType::NULL => "NULL (BSD loopback)",
            LinkType::ETHERNET => "EN10MB (Ethernet)",
            LinkType::RAW | LinkType::RAW_12 | LinkType::RAW_14 => "RAW (raw IP)",
            LinkType::LOOP => "LOOP (OpenBSD loopback)",
            LinkType::LINUX_SLL => "LINUX_SLL (Linux cooked v1)",
            LinkType::IPV4 => "IPV4 (raw IPv4)",
            LinkType::IPV6 => "IPV6 (raw IPv6)",
            LinkType::LINUX_SLL2 => "LINUX_SLL2 (Linux cooked v2)",
            LinkType::PCAPNG_CUSTOM => "pcapng custom block",
            _ => "unsupported",
        }
    }
}

/// How finely the source recorded time; decides how many digits we print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TsPrecision {
    Micro,
    Nano,
}

/// A capture time: seconds since the Unix epoch plus a sub-second part in
/// nanoseconds. `nanos` is kept as the file said it, even when a broken file
/// puts it at or past one second (tshark shows such values unnormalised too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    pub secs: i64,
    pub nanos: u32,
}

impl Timestamp {
    /// Total nanoseconds since the epoch, for arithmetic (durations, rates).
    pub fn as_nanos(self) -> i128 {
        self.secs as i128 * 1_000_000_000 + self.nanos as i128
    }
}

/// Frame buffers given back once a frame has been handled
/// (`FrameSource::recycle`): a file reader copies each record into one of
/// these, memory already mapped and in cache, instead of a new allocation
/// per packet (a malloc and a free were about a tenth of `read --stats`).
#[derive(Debug, Default)]
pub struct Spare(Vec<Vec<u8>>);

impl Spare {
    /// Buffers kept: enough for the frames the flow lookahead holds back;
    /// the rest are freed, so at most this many records' bytes stay held.
    const KEEP: usize = 16;
    /// Larger buffers (a rare giant record) are freed, not kept: at most
    /// `KEEP` × 256 KiB stays held.
    const KEEP_CAPACITY: usize = 256 << 10;

    /// `bytes` in a buffer of their own.
    pub fn copy_of(&mut self, bytes: &[u8]) -> Vec<u8> {
        match self.0.pop() {
            Some(mut data) => {
                data.clear();
                data.extend_from_slice(bytes);
                data
            }
            None => bytes.to_vec(),
        }
    }

    /// A buffer the caller is done with.
    pub fn put(&mut self, data: Vec<u8>) {
        if self.0.len() < Self::KEEP && (1..=Self::KEEP_CAPACITY).contains(&data.capacity()) {
            self.0.push(data);
        }
    }
}

/// A capture file opened a second time, to read bytes already handed out
/// in frames again by their offset (`pread`, which leaves the reader's
/// position alone): a TCP PDU waiting for its last segments can then hold
/// where its parts sit in the file rather than copies of them
/// (`stream::tcp_pdu`), so one that never completes (a bogus length, a
/// gap, the capture's end) costs neither a copy nor memory for its bytes.
#[derive(Clone, Debug)]
pub struct Recall(std::sync::Arc<std::fs::File>);

impl Recall {
    /// Parts at most this far apart in the file (one conversation's
    /// segments in frames back to back) are read with one call.
    const JOIN_GAP: u64 = 4096;
    /// One call reads at most this much.
    const MAX_READ: u64 = 1 << 20;

    pub fn new(file: std::fs::File) -> Recall {
        Recall(std::sync::Arc::new(file))
    }

    /// The bytes of `parts` (file offset, length), in order, appended to
    /// `out`.
    pub fn read(&self, parts: &[(u64, u32)], out: &mut Vec<u8>) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt;
        let mut scratch = Vec::new();
        let mut i = 0;
        while i < parts.len() {
            let start = parts[i].0;
            let mut end = start + u64::from(parts[i].1);
            let mut j = i + 1;
            while let Some(&(at, len)) = parts.get(j)
                && at >= end
                && at - end <= Self::JOIN_GAP
                && at + u64::from(len) - start <= Self::MAX_READ
            {
                end = at + u64::from(len);
                j += 1;
            }
            if j == i + 1 {
                let from = out.len();
                out.resize(from + parts[i].1 as usize, 0);
                self.0.read_exact_at(&mut out[from..], start)?;
            } else {
                scratch.resize((end - start) as usize, 0);
                self.0.read_exact_at(&mut scratch, start)?;
                for &(at, len) in &parts[i..j] {
                    let from = (at - start) as usize;
                    out.extend_from_slice(&scratch[from..from + len as usize]);
                }
            }
            i = j;
        }
        Ok(())
    }
}

/// One frame as a capture source delivered it.
#[derive(Clone, Debug)]
pub struct FrameRecord {
    /// 1-based frame number, in the order the source delivered frames.
    pub number: u64,
    /// None for records that carry no time (pcapng Simple Packet Blocks).
    pub ts: Option<Timestamp>,
    pub precision: TsPrecision,
    pub link: LinkType,
    /// Length of the frame on the wire; may exceed `data.len()` when the
    /// snap length cut the capture.
    pub orig_len: u32,
    /// Interface index within the capture (pcapng IDB number, or the live
    /// interface's ifindex).
    pub iface: u32,
    /// The captured bytes, starting with the link-layer header.
    pub data: Vec<u8>,
}

impl FrameRecord {
    /// Number of bytes actually captured.
    pub fn cap_len(&self) -> usize {
        self.data.len()
    }

    /// True when the capture kept fewer bytes than were on the wire.
    pub fn is_truncated(&self) -> bool {
        (self.data.len() as u64) < self.orig_len as u64
    }

    /// The frame, moved out for a sink that keeps it; its empty husk stays
    /// behind (see `pipeline::Sink::frame`).
    pub fn take(&mut self) -> FrameRecord {
        FrameRecord {
            data: std::mem::take(&mut self.data),
            ..*self
        }
    }

    /// A whole Ethernet frame `ms` milliseconds after 2023-11-14 22:13:20
    /// UTC, for unit tests.
    #[cfg(test)]
    pub(crate) fn ethernet_at_ms(number: u64, ms: i64, data: Vec<u8>) -> FrameRecord {
        FrameRecord {
            number,
            ts: Some(Timestamp {
                secs: 1_700_000_000 + ms / 1000,
                nanos: (ms % 1000) as u32 * 1_000_000,
            }),
            precision: TsPrecision::Micro,
            link: LinkType::ETHERNET,
            orig_len: data.len() as u32,
            iface: 0,
            data,
        }
    }
}

/// The local process that owns a conversation's socket, as the system
/// said when the conversation was first seen (live captures only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Process {
    pub pid: u32,
    /// The process's command name (`/proc/PID/comm`, at most 15 bytes).
    pub command: String,
    /// The socket owner's user name, or its uid in decimal when the name
    /// is unknown.
    pub user: String,
}
