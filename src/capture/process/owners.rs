//! Which process holds a socket: `/proc/PID/fd/*` links read `socket:[INODE]`.
//! The kernel keeps no reverse index, so finding an inode's process means
//! reading every process's descriptors; a scan fills a cache of every
//! socket it passes, so later look-ups of sockets already open cost one
//! `readlink` to check the entry is still true. Scans are rate-limited
//! (`MIN_RESCAN`): a socket opened and closed between two scans is missed.
//!
//! Reading another user's `/proc/PID/fd` needs CAP_SYS_PTRACE (and
//! CAP_DAC_READ_SEARCH for the directory); without them only processes of
//! the same user are visible. Called only from the lookup process.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The shortest time between two full scans of `/proc`.
pub const MIN_RESCAN: Duration = Duration::from_millis(20);

/// Most sockets the cache remembers; past it, it is emptied and refilled
/// by the next scan.
const MAX_CACHED: usize = 1 << 18;

/// Longest command name kept (the kernel's `comm` is at most 15 bytes).
const MAX_COMMAND: usize = 64;

/// Where a socket was seen: its process and descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Holder {
    pid: u32,
    fd: u32,
}

/// Socket inode → the process holding it, from the latest scans.
#[derive(Debug)]
pub struct Owners {
    by_inode: HashMap<u64, Holder>,
    last_scan: Option<Instant>,
    /// The shortest time between two full scans (`MIN_RESCAN`).
    min_rescan: Duration,
    /// Full scans made, for the tests and the report.
    pub scans: u64,
}

impl Default for Owners {
    fn default() -> Self {
        Owners::new()
    }
}

impl Owners {
    pub fn new() -> Owners {
        Owners::with_rescan(MIN_RESCAN)
    }

    /// Owners whose full scans are at least `min_rescan` apart.
    pub fn with_rescan(min_rescan: Duration) -> Owners {
        Owners {
            by_inode: HashMap::new(),
            last_scan: None,
            min_rescan,
            scans: 0,
        }
    }

    /// The pid of the process holding socket `inode`: from the cache when
    /// the entry is still true, else from a fresh scan when the last one is
    /// older than `MIN_RESCAN`.
    pub fn pid_of(&mut self, inode: u64) -> Option<u32> {
        if let Some(holder) = self.by_inode.get(&inode).copied() {
            if socket_inode(holder.pid, holder.fd) == Some(inode) {
                return Some(holder.pid);
            }
            self.by_inode.remove(&inode);
        }
        if self
            .last_scan
            .is_some_and(|at| at.elapsed() < self.min_rescan)
        {
            return None;
        }
        self.scan();
        self.by_inode.get(&inode).map(|h| h.pid)
    }

    /// Read every process's descriptors into the cache.
    fn scan(&mut self) {
        self.last_scan = Some(Instant::now());
        self.scans += 1;
        if self.by_inode.len() >= MAX_CACHED {
            self.by_inode.clear();
        }
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return;
        };
        let mut pids: Vec<u32> = entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect();
        // Newest first: a socket shared after fork is credited to the
        // child, which is usually the one using it.
        pids.sort_unstable_by(|a, b| b.cmp(a));
        let own = std::process::id();
        for pid in pids {
            if pid == own {
                continue;
            }
            let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
                continue; // gone, or not ours to read
            };
            for fd in fds.flatten() {
                let Some(fd) = fd.file_name().to_str().and_then(|n| n.parse().ok()) else {
                    continue;
                };
                if let Some(inode) = socket_inode(pid, fd) {
                    if self.by_inode.len() >= MAX_CACHED {
                        return;
                    }
                    self.by_inode.entry(inode).or_insert(Holder { pid, fd });
                }
            }
        }
    }
}

/// The socket inode `/proc/PID/fd/FD` points at, if it is a socket.
fn socket_inode(pid: u32, fd: u32) -> Option<u64> {
    let link = std::fs::read_link(format!("/proc/{pid}/fd/{fd}")).ok()?;
    let text = link.to_str()?;
    text.strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// A process's command name (`/proc/PID/comm`), bounded and without its
/// newline; None once the process is gone.
pub fn command_of(pid: u32) -> Option<String> {
    let text = std::fs::read(format!("/proc/{pid}/comm")).ok()?;
    let end = text.len().min(MAX_COMMAND);
    let name = String::from_utf8_lossy(&text[..end]);
    Some(name.trim_end_matches('\n').to_string())
}

/// User names by uid, looked up once each.
#[derive(Debug, Default)]
pub struct UserNames(HashMap<u32, String>);

impl UserNames {
    /// The name of `uid`, or the uid in decimal when it has none.
    pub fn name(&mut self, uid: u32) -> String {
        if let Some(name) = self.0.get(&uid) {
            return name.clone();
        }
        let name = lookup_uid(uid).unwrap_or_else(|| uid.to_string());
        if self.0.len() < 4096 {
            self.0.insert(uid, name.clone());
        }
        name
    }
}

fn lookup_uid(uid: u32) -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: passwd is plain data (all-zero valid); getpwuid_r writes into
    // `entry` and `buf` (of the length given) and sets `found` to null or
    // to `entry`; the strings read point into `buf`, alive meanwhile.
    unsafe {
        let mut entry: libc::passwd = std::mem::zeroed();
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(uid, &mut entry, buf.as_mut_ptr(), buf.len(), &mut found);
        if rc != 0 || found.is_null() || entry.pw_name.is_null() {
            return None;
        }
        let name = std::ffi::CStr::from_ptr(entry.pw_name);
        Some(name.to_string_lossy().chars().take(64).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn a_socket_of_another_process_is_found_by_its_inode() {
        // A child process holding a UDP socket: its inode (from our own
        // copy, the same socket) must lead to the child's pid.
        let child = std::process::Command::new("sleep")
            .arg("5")
            .stdin(
                std::net::UdpSocket::bind("127.0.0.1:0").map_or(std::process::Stdio::null(), |s| {
                    std::process::Stdio::from(std::os::fd::OwnedFd::from(s))
                }),
            )
            .spawn();
        let Ok(mut child) = child else {
            return; // no sleep(1): nothing to look at
        };
        let inode = std::fs::metadata(format!("/proc/{}/fd/0", child.id()))
            .map(|m| m.ino())
            .ok();
        let mut owners = Owners::new();
        let found = inode.and_then(|i| owners.pid_of(i));
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(found, Some(child.id()), "inode {inode:?}");
        // Our own sockets are never credited to us (the lookup process).
        let ours = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
        let own_inode = std::fs::metadata(format!("/proc/self/fd/{}", ours.as_raw_fd()))
            .map(|m| m.ino())
            .expect("own socket");
        std::thread::sleep(MIN_RESCAN);
        assert_eq!(owners.pid_of(own_inode), None);
    }

    #[test]
    fn scans_are_rate_limited() {
        // However long a scan takes on a loaded machine, a minute is more.
        let mut owners = Owners::with_rescan(Duration::from_secs(60));
        assert_eq!(owners.pid_of(u64::MAX), None);
        assert_eq!(owners.pid_of(u64::MAX - 1), None);
        assert_eq!(owners.scans, 1);
        let mut eager = Owners::with_rescan(Duration::ZERO);
        assert_eq!(eager.pid_of(u64::MAX), None);
        assert_eq!(eager.pid_of(u64::MAX), None);
        assert_eq!(eager.scans, 2);
    }

    #[test]
    fn command_names_have_no_newline() {
        let name = command_of(std::process::id()).expect("our own comm");
        assert!(!name.is_empty() && !name.contains('\n'), "{name:?}");
        assert_eq!(UserNames::default().name(0), "root");
    }
}
