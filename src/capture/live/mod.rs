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

mod cook;
mod ring;

use super::interfaces::{self, CaptureTarget};
use super::{CaptureError, FrameSource, Next};
use crate::frame::{FrameRecord, LinkType};

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
        LiveSource::open_as(iface, opts, false)
    }

    /// Opens a capture on `iface` whose frames carry a Linux cooked v2
    /// header (interface index and direction) instead of the link's own,
    /// as `-i any` does: several interfaces captured together then share
    /// one link type and each frame says where it was seen.
    pub fn open_cooked(iface: &str, opts: LiveOptions) -> Result<LiveSource, CaptureError> {
        LiveSource::open_as(iface, opts, true)
    }

    fn open_as(iface: &str, opts: LiveOptions, cooked: bool) -> Result<LiveSource, CaptureError> {
        let target = interfaces::capture_target(iface)?;
        let link = if cooked {
            LinkType::LINUX_SLL2
        } else {
            interfaces::link_type_for_arphrd(target.arphrd)
        };
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

    /// Waits up to the poll interval for the kernel to fill a block.
    /// Returns false when interrupted by a signal.
    fn wait_for_block(&self) -> Result<bool, CaptureError> {
        let mut pfd = [self.pollfd()];
        let waited = poll(&mut pfd, &self.target.name)?;
        self.check_poll(pfd[0].revents)?;
        Ok(waited)
    }

    /// What to poll to wait for this source's next block.
    pub(super) fn pollfd(&self) -> libc::pollfd {
        libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN | libc::POLLERR,
            revents: 0,
        }
    }

    /// The next frame already in the ring, without waiting.
    pub(super) fn ready_frame(&mut self) -> Result<Option<FrameRecord>, CaptureError> {
        self.take_ready_frame()
    }

    /// The error `poll` reported for this socket (`revents`), if any:
    /// the interface went down or away.
    pub(super) fn check_poll(&self, revents: libc::c_short) -> Result<(), CaptureError> {
        if revents & (libc::POLLERR | libc::POLLNVAL) != 0
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
        Ok(())
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

/// Wait up to the poll interval on `fds`; false when a signal came first.
/// `what` names the capture in the error.
pub(super) fn poll(fds: &mut [libc::pollfd], what: &str) -> Result<bool, CaptureError> {
    // SAFETY: `fds` is a valid array of pollfd of the length given.
    let rc = unsafe {
        libc::poll(
            fds.as_mut_ptr(),
            fds.len() as libc::nfds_t,
            POLL_INTERVAL_MS,
        )
    };
    if rc < 0 {
        let err = io::Error::last_os_error();
        if err.kind() == io::ErrorKind::Interrupted {
            return Ok(false);
        }
        return Err(CaptureError::Other(format!(
            "capture on {what} failed while waiting for packets: {err}"
        )));
    }
    Ok(true)
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
