//! Live capture from one Linux network interface through an AF_PACKET
//! socket and a memory-mapped TPACKET_V3 receive ring.
//!
//! Owns the socket, the ring and the kernel's drop counters. Never asks for
//! promiscuous mode. Holds the crate's socket `unsafe` (each block carries a
//! `// SAFETY:` note); must not import decoding or output code.

use std::cell::Cell;
use std::ffi::c_void;
use std::io;
use std::mem::size_of;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU32, Ordering};

use super::interfaces::{self, CaptureTarget};
use super::{CaptureError, FrameSource, Next};
use crate::frame::{FrameRecord, LinkType, Timestamp, TsPrecision};

/// What a capture without CAP_NET_RAW is told, word for word.
pub const CAP_NET_RAW_HINT: &str = "you need CAP_NET_RAW: run as root (`sudo wirepeek ...`) or grant it once with `sudo setcap cap_net_raw=eip $(which wirepeek)`";

/// Longest wait inside `next_frame` before it reports `Next::Idle`, so a
/// caller polling a stop flag reacts within this.
pub const POLL_INTERVAL_MS: i32 = 100;

/// A ring block handed to us after this long even when not full, so a
/// trickle of packets is delivered promptly.
const BLOCK_RETIRE_MS: u32 = 50;

/// Each block must hold the largest frame whole (loopback MTU is 65536).
const BLOCK_SIZE: u32 = 1 << 20;

/// TPACKET_V3 ignores frame boundaries inside a block, but the kernel still
/// checks the frame geometry; one frame slot fits any loopback frame.
const FRAME_SIZE: u32 = 1 << 17;

/// Length of the Linux cooked (SLL) header we build for other link types.
const SLL_HEADER_LEN: usize = 16;
/// Linux cooked v2 header: protocol, reserved, interface index, hardware
/// type, packet type, address length, address (8 bytes).
const SLL2_HEADER_LEN: usize = 20;

/// TPACKET_ALIGN(sizeof(struct tpacket3_hdr)): where the kernel puts the
/// sockaddr_ll describing each packet, counted from the packet header.
const SOCKADDR_LL_OFFSET: usize = align_tpacket(size_of::<libc::tpacket3_hdr>());

const fn align_tpacket(len: usize) -> usize {
    (len + libc::TPACKET_ALIGNMENT - 1) & !(libc::TPACKET_ALIGNMENT - 1)
}

/// How to open a live capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveOptions {
    /// Bytes kept per frame; 0 keeps whole frames.
    pub snaplen: u32,
    /// Kernel ring size in MiB (whole 1 MiB blocks, at least 2): how much
    /// traffic can queue while we are busy before the kernel drops.
    pub ring_mib: u32,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            snaplen: 0,
            ring_mib: 32,
        }
    }
}

/// Kernel counters for a live capture since it was opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaptureStats {
    /// Packets the kernel handed to our socket, including the dropped ones
    /// (tcpdump's "received by filter").
    pub received: u64,
    /// Packets lost because the ring was full.
    pub kernel_dropped: u64,
}

/// Where the reader is inside the block it currently owns.
#[derive(Clone, Copy, Debug)]
struct BlockWalk {
    remaining: u32,
    offset: usize,
}

/// A live capture on one interface; frames come out of `next_frame`.
#[derive(Debug)]
pub struct LiveSource {
    fd: OwnedFd,
    ring: *mut u8,
    block_size: usize,
    block_count: usize,
    block: usize,
    walk: Option<BlockWalk>,
    target: CaptureTarget,
    link: LinkType,
    /// With `-i any`, the loopback interface's index: its outgoing copies
    /// are dropped (the arriving copy is the one kept), other interfaces'
    /// outgoing packets are the host's own traffic and stay.
    loopback_index: Option<u32>,
    snaplen: u32,
    delivered: u64,
    stats: Cell<CaptureStats>,
}

// SAFETY: the ring mapping and socket belong to this value alone; nothing
// else holds the pointer, so moving the whole source to another thread is
// sound (it stays !Sync through the Cell).
unsafe impl Send for LiveSource {}

impl LiveSource {
    /// Opens a capture on the interface `iface` (never promiscuous).
    pub fn open(iface: &str, opts: LiveOptions) -> Result<LiveSource, CaptureError> {
        let target = interfaces::capture_target(iface)?;
        let link = interfaces::link_type_for_arphrd(target.arphrd);
        let block_count = opts.ring_mib.max(2);
        let fail = |what: &str, err: io::Error| {
            CaptureError::Other(format!("cannot capture on {iface}: {what}: {err}"))
        };

        // Protocol 0: the socket receives nothing until bind() names the
        // interface, so no other interface's packets slip into the ring.
        // SAFETY: plain syscall with constant arguments; the result is checked.
        let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
        if raw < 0 {
            let err = io::Error::last_os_error();
            return Err(match err.raw_os_error() {
                Some(libc::EPERM) | Some(libc::EACCES) => {
                    CaptureError::Permission(CAP_NET_RAW_HINT.to_string())
                }
                _ => fail("cannot open a packet socket", err),
            });
        }
        // SAFETY: `raw` is a fresh descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };

        set_option(
            &fd,
            libc::PACKET_VERSION,
            &(libc::tpacket_versions::TPACKET_V3 as libc::c_int),
        )
        .map_err(|e| fail("TPACKET_V3 not available", e))?;
        if target.loopback {
            // Loopback shows each packet twice, leaving and arriving; keep
            // the arriving copy only. Older kernels lack the option, and
            // next_frame skips outgoing packets on loopback anyway.
            let _ = set_option(&fd, libc::PACKET_IGNORE_OUTGOING, &(1 as libc::c_int));
        }
        let request = libc::tpacket_req3 {
            tp_block_size: BLOCK_SIZE,
            tp_block_nr: block_count,
            tp_frame_size: FRAME_SIZE,
            tp_frame_nr: (BLOCK_SIZE / FRAME_SIZE) * block_count,
            tp_retire_blk_tov: BLOCK_RETIRE_MS,
            tp_sizeof_priv: 0,
            tp_feature_req_word: 0,
        };
        set_option(&fd, libc::PACKET_RX_RING, &request).map_err(|e| {
            fail(
                &format!("cannot set up a {block_count} MiB receive ring"),
                e,
            )
        })?;

        let ring_len = BLOCK_SIZE as usize * block_count as usize;
        // SAFETY: maps the ring the kernel just allocated for this socket,
        // at a kernel-chosen address; failure is checked below.
        let ring = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                ring_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if ring == libc::MAP_FAILED {
            return Err(fail(
                "cannot map the receive ring",
                io::Error::last_os_error(),
            ));
        }
        // From here the mapping is owned by `source` and unmapped on drop,
        // including on the bind error below.
        let source = LiveSource {
            fd,
            ring: ring.cast::<u8>(),
            block_size: BLOCK_SIZE as usize,
            block_count: block_count as usize,
            block: 0,
            walk: None,
            loopback_index: (link == LinkType::LINUX_SLL2)
                .then(|| interfaces::capture_target("lo").ok().map(|lo| lo.index))
                .flatten(),
            target,
            link,
            snaplen: opts.snaplen,
            delivered: 0,
            stats: Cell::new(CaptureStats::default()),
        };

        // SAFETY: sockaddr_ll is plain old data; all-zero is a valid value.
        let mut addr: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        addr.sll_family = libc::AF_PACKET as u16;
        addr.sll_protocol = (libc::ETH_P_ALL as u16).to_be();
        addr.sll_ifindex = source.target.index as i32;
        // SAFETY: `addr` is a valid sockaddr_ll and the length matches it.
        let bound = unsafe {
            libc::bind(
                source.fd.as_raw_fd(),
                (&addr as *const libc::sockaddr_ll).cast::<libc::sockaddr>(),
                size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if bound < 0 {
            return Err(fail(
                "cannot bind to the interface",
                io::Error::last_os_error(),
            ));
        }
        Ok(source)
    }

    /// The link type of every frame this source delivers.
    pub fn link(&self) -> LinkType {
        self.link
    }

    /// The captured interface's kernel index (also `FrameRecord::iface`).
    pub fn ifindex(&self) -> u32 {
        self.target.index
    }

    /// The captured interface's name.
    pub fn interface(&self) -> &str {
        &self.target.name
    }

    /// Attach a classic BPF program, one `(code, jt, jf, k)` per
    /// instruction (`struct sock_filter`), so the kernel drops what it
    /// rejects before it reaches the ring or the socket's counters.
    /// Frames already in the ring were not filtered: callers keep their
    /// own check too.
    pub fn attach_filter(&self, program: &[(u16, u8, u8, u32)]) -> Result<(), CaptureError> {
        let insns: Vec<libc::sock_filter> = program
            .iter()
            .map(|&(code, jt, jf, k)| libc::sock_filter { code, jt, jf, k })
            .collect();
        let len = u16::try_from(insns.len()).map_err(|_| {
            CaptureError::Other(format!(
                "a {}-instruction filter is too long for the kernel",
                insns.len()
            ))
        })?;
        let prog = libc::sock_fprog {
            len,
            filter: insns.as_ptr().cast_mut(),
        };
        // SAFETY: `prog` points at `insns`, alive for the call; the kernel
        // copies the program before setsockopt returns.
        let rc = unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_ATTACH_FILTER,
                (&prog as *const libc::sock_fprog).cast::<c_void>(),
                size_of::<libc::sock_fprog>() as libc::socklen_t,
            )
        };
        if rc < 0 {
            return Err(CaptureError::Other(format!(
                "cannot attach the filter to the socket on {}: {}",
                self.target.name,
                io::Error::last_os_error()
            )));
        }
        Ok(())
    }

    /// The snap length in force; 0 means whole frames.
    pub fn snaplen(&self) -> u32 {
        self.snaplen
    }

    /// Kernel receive and drop counts since the capture was opened.
    pub fn stats(&self) -> CaptureStats {
        let mut counters = libc::tpacket_stats_v3 {
            tp_packets: 0,
            tp_drops: 0,
            tp_freeze_q_cnt: 0,
        };
        let mut len = size_of::<libc::tpacket_stats_v3>() as libc::socklen_t;
        // SAFETY: the buffer and its length describe `counters` exactly.
        let rc = unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_PACKET,
                libc::PACKET_STATISTICS,
                (&mut counters as *mut libc::tpacket_stats_v3).cast::<c_void>(),
                &mut len,
            )
        };
        let mut total = self.stats.get();
        // The kernel zeroes its counters on every read, so keep a running sum.
        if rc == 0 {
            total.received += u64::from(counters.tp_packets);
            total.kernel_dropped += u64::from(counters.tp_drops);
            self.stats.set(total);
        }
        total
    }

    /// The status word of block `index`, shared with the kernel.
    fn block_status(&self, index: usize) -> &AtomicU32 {
        // SAFETY: `index < block_count`, so the block header lies inside the
        // mapping; block_status is the 4-byte-aligned u32 at offset 8 of
        // tpacket_block_desc (after version and offset_to_priv), and the
        // kernel only touches it atomically with respect to this handoff.
        unsafe { &*self.block_ptr(index).add(8).cast::<AtomicU32>() }
    }

    fn block_ptr(&self, index: usize) -> *mut u8 {
        debug_assert!(index < self.block_count);
        // SAFETY: index < block_count keeps the offset inside the mapping.
        unsafe { self.ring.add(index * self.block_size) }
    }

    /// The bytes of the block we own; valid until we hand it back.
    fn owned_block(&self) -> &[u8] {
        // SAFETY: only called while block_status says TP_STATUS_USER, when
        // the kernel does not write to the block; the slice spans one block
        // inside the mapping and is dropped before the block is returned.
        unsafe { std::slice::from_raw_parts(self.block_ptr(self.block), self.block_size) }
    }

    /// Takes the next deliverable frame from blocks the kernel has filled,
    /// returning blocks as they empty; None when no filled block is waiting.
    fn take_ready_frame(&mut self) -> Result<Option<FrameRecord>, CaptureError> {
        loop {
            let walk = match self.walk {
                Some(walk) => walk,
                None => {
                    let status = self.block_status(self.block).load(Ordering::Acquire);
                    if status & libc::TP_STATUS_USER == 0 {
                        return Ok(None);
                    }
                    let block = self.owned_block();
                    BlockWalk {
                        remaining: read_u32(block, 12),
                        offset: read_u32(block, 16) as usize,
                    }
                }
            };
            if walk.remaining == 0 {
                self.release_block();
                continue;
            }
            let (frame, next_offset) = self.read_packet(walk.offset)?;
            let remaining = walk.remaining - 1;
            if remaining == 0 {
                self.release_block();
            } else {
                self.walk = Some(BlockWalk {
                    remaining,
                    offset: walk.offset + next_offset,
                });
            }
            if let Some(frame) = frame {
                return Ok(Some(frame));
            }
        }
    }

    fn release_block(&mut self) {
        self.block_status(self.block)
            .store(libc::TP_STATUS_KERNEL, Ordering::Release);
        self.walk = None;
        self.block = (self.block + 1) % self.block_count;
    }

    /// Copies the packet at `offset` in the owned block out of the ring.
    /// Returns None for packets we skip, plus the offset of the next packet.
    fn read_packet(&mut self, offset: usize) -> Result<(Option<FrameRecord>, usize), CaptureError> {
        let block = self.owned_block();
        let corrupt = || {
            CaptureError::Other(format!(
                "capture ring on {} holds a malformed packet header at block {} offset {offset}",
                self.target.name, self.block
            ))
        };
        let meta_end = offset + SOCKADDR_LL_OFFSET + size_of::<libc::sockaddr_ll>();
        if meta_end > block.len() {
            return Err(corrupt());
        }
        let hdr = &block[offset..];
        let next_offset = read_u32(hdr, 0) as usize;
        let secs = read_u32(hdr, 4);
        let nanos = read_u32(hdr, 8);
        let captured = read_u32(hdr, 12) as usize;
        let wire_len = read_u32(hdr, 16);
        let status = read_u32(hdr, 20);
        let mac = read_u16(hdr, 24) as usize;
        let net = read_u16(hdr, 26) as usize;
        let vlan_tci = read_u32(hdr, 32);
        let vlan_tpid = read_u16(hdr, 36);
        let sll = &hdr[SOCKADDR_LL_OFFSET..SOCKADDR_LL_OFFSET + size_of::<libc::sockaddr_ll>()];
        let sll_protocol = [sll[2], sll[3]];
        let sll_hatype = read_u16(sll, 8);
        let sll_pkttype = sll[10];
        let sll_halen = sll[11] as usize;
        if offset + mac + captured > block.len() || net < mac {
            return Err(corrupt());
        }
        let sll_ifindex = u32::from_ne_bytes([sll[4], sll[5], sll[6], sll[7]]);
        let outgoing = sll_pkttype == libc::PACKET_OUTGOING;
        if outgoing && (self.target.loopback || self.loopback_index == Some(sll_ifindex)) {
            return Ok((None, next_offset));
        }
        let bytes = &hdr[mac..mac + captured];

        let (mut data, mut orig_len) = if self.link == LinkType::LINUX_SLL2 {
            // `-i any`: each interface's own link header gives way to a
            // cooked v2 header that names the interface and direction.
            let skipped = (net - mac).min(captured);
            let mut data = Vec::with_capacity(SLL2_HEADER_LEN + captured - skipped);
            data.extend_from_slice(&sll_protocol);
            data.extend_from_slice(&[0, 0]);
            data.extend_from_slice(&sll_ifindex.to_be_bytes());
            data.extend_from_slice(&sll_hatype.to_be_bytes());
            data.push(sll_pkttype);
            data.push(sll_halen.min(8) as u8);
            let mut addr = [0u8; 8];
            addr[..sll_halen.min(8)].copy_from_slice(&sll[12..12 + sll_halen.min(8)]);
            data.extend_from_slice(&addr);
            data.extend_from_slice(&bytes[skipped..]);
            let orig = wire_len - skipped as u32 + SLL2_HEADER_LEN as u32;
            (data, orig)
        } else if self.link == LinkType::LINUX_SLL {
            // Cooked capture: replace whatever link header there is with an
            // SLL header, since decoders cannot know this link's framing.
            let skipped = (net - mac).min(captured);
            let mut data = Vec::with_capacity(SLL_HEADER_LEN + captured - skipped);
            data.extend_from_slice(&u16::from(sll_pkttype).to_be_bytes());
            data.extend_from_slice(&sll_hatype.to_be_bytes());
            data.extend_from_slice(&(sll_halen.min(8) as u16).to_be_bytes());
            let mut addr = [0u8; 8];
            addr[..sll_halen.min(8)].copy_from_slice(&sll[12..12 + sll_halen.min(8)]);
            data.extend_from_slice(&addr);
            data.extend_from_slice(&sll_protocol);
            data.extend_from_slice(&bytes[skipped..]);
            let orig = wire_len - skipped as u32 + SLL_HEADER_LEN as u32;
            (data, orig)
        } else if self.link == LinkType::ETHERNET
            && status & libc::TP_STATUS_VLAN_VALID != 0
            && captured >= 12
        {
            // The NIC or driver stripped the 802.1Q tag into metadata; put it
            // back where it was on the wire.
            let tpid = if status & libc::TP_STATUS_VLAN_TPID_VALID != 0 {
                vlan_tpid
            } else {
                0x8100
            };
            let mut data = Vec::with_capacity(captured + 4);
            data.extend_from_slice(&bytes[..12]);
            data.extend_from_slice(&tpid.to_be_bytes());
            data.extend_from_slice(&(vlan_tci as u16).to_be_bytes());
            data.extend_from_slice(&bytes[12..]);
            (data, wire_len + 4)
        } else {
            (bytes.to_vec(), wire_len)
        };
        if self.snaplen != 0 && data.len() > self.snaplen as usize {
            data.truncate(self.snaplen as usize);
        }
        orig_len = orig_len.max(data.len() as u32);

        self.delivered += 1;
        let frame = FrameRecord {
            number: self.delivered,
            ts: Some(Timestamp {
                secs: i64::from(secs),
                nanos,
            }),
            precision: TsPrecision::Nano,
            link: self.link,
            orig_len,
            iface: self.target.index,
            data,
        };
        Ok((Some(frame), next_offset))
    }

    /// Waits up to the poll interval for the kernel to fill a block.
    /// Returns false when interrupted by a signal.
    fn wait_for_block(&self) -> Result<bool, CaptureError> {
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN | libc::POLLERR,
            revents: 0,
        };
        // SAFETY: one valid pollfd, count 1.
        let rc = unsafe { libc::poll(&mut pfd, 1, POLL_INTERVAL_MS) };
        if rc < 0 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                return Ok(false);
            }
            return Err(CaptureError::Other(format!(
                "capture on {} failed while waiting for packets: {err}",
                self.target.name
            )));
        }
        if pfd.revents & (libc::POLLERR | libc::POLLNVAL) != 0
            && let Some(err) = self.socket_error()
        {
            let why = match err.raw_os_error() {
                Some(libc::ENETDOWN) => "the interface went down".to_string(),
                Some(libc::ENODEV) | Some(libc::ENXIO) => "the interface disappeared".to_string(),
                _ => err.to_string(),
            };
            return Err(CaptureError::Other(format!(
                "capture on {} stopped: {why}",
                self.target.name
            )));
        }
        Ok(true)
    }

    /// The pending socket error, clearing it, if there is one.
    fn socket_error(&self) -> Option<io::Error> {
        let mut code: libc::c_int = 0;
        let mut len = size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: the buffer and its length describe `code` exactly.
        let rc = unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_ERROR,
                (&mut code as *mut libc::c_int).cast::<c_void>(),
                &mut len,
            )
        };
        if rc < 0 {
            Some(io::Error::last_os_error())
        } else if code != 0 {
            Some(io::Error::from_raw_os_error(code))
        } else {
            None
        }
    }
}

impl FrameSource for LiveSource {
    fn next_frame(&mut self) -> Result<Next, CaptureError> {
        if let Some(frame) = self.take_ready_frame()? {
            return Ok(Next::Frame(frame));
        }
        if !self.wait_for_block()? {
            return Ok(Next::Idle);
        }
        Ok(match self.take_ready_frame()? {
            Some(frame) => Next::Frame(frame),
            None => Next::Idle,
        })
    }
}

impl Drop for LiveSource {
    fn drop(&mut self) {
        // SAFETY: `ring` is the mapping made in `open`, of exactly this
        // length, and no reference into it outlives `&mut self`.
        unsafe {
            libc::munmap(
                self.ring.cast::<c_void>(),
                self.block_size * self.block_count,
            );
        }
    }
}

fn set_option<T>(fd: &OwnedFd, option: libc::c_int, value: &T) -> io::Result<()> {
    // SAFETY: `value` points to a live T and the length passed is its size.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_PACKET,
            option,
            (value as *const T).cast::<c_void>(),
            size_of::<T>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Ring headers are in host byte order.
fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn read_u16(bytes: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([bytes[at], bytes[at + 1]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_error_says_how_to_get_cap_net_raw() {
        let err = CaptureError::Permission(CAP_NET_RAW_HINT.to_string());
        assert_eq!(
            err.to_string(),
            "you need CAP_NET_RAW: run as root (`sudo wirepeek ...`) or grant it once with \
             `sudo setcap cap_net_raw=eip $(which wirepeek)`"
        );
    }

    #[test]
    fn sockaddr_ll_follows_the_aligned_tpacket3_header() {
        assert_eq!(size_of::<libc::tpacket3_hdr>(), 48);
        assert_eq!(SOCKADDR_LL_OFFSET, 48);
        assert_eq!(
            SOCKADDR_LL_OFFSET + size_of::<libc::sockaddr_ll>(),
            libc::TPACKET3_HDRLEN
        );
    }

    #[test]
    fn unknown_interface_error_lists_interfaces_that_exist() {
        let err = LiveSource::open("wp-no-such-if0", LiveOptions::default())
            .expect_err("interface does not exist");
        let msg = err.to_string();
        assert!(msg.contains("no interface named 'wp-no-such-if0'"), "{msg}");
        assert!(msg.contains("lo"), "{msg}");
    }
}
