//! The lookup process itself: forked from the capture command while it is
//! one thread and still privileged, it gives up all but what reading
//! `/proc/PID/fd` needs, then answers questions until its socket closes.
//!
//! What it keeps: the capture's unprivileged user (`--user`, else the
//! account a root capture switches to), CAP_SYS_PTRACE and
//! CAP_DAC_READ_SEARCH in its effective and permitted sets (only when it
//! had them), a bounding set of those two, `no_new_privs`. It holds no
//! descriptor but its socket (standard input, output and error are
//! /dev/null) and ignores SIGINT/SIGTERM, exiting when the capture closes
//! the socket or dies (PR_SET_PDEATHSIG). It parses nothing but the
//! fixed-size questions and the kernel's own `/proc` files.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::net::UnixStream;

use super::owners::{Owners, UserNames, command_of};
use super::proc_net::{find_socket, read_sockets};
use super::{QUERY_LEN, decode_query, encode_answer, framed};
use crate::capture::{CaptureError, privilege};
use crate::frame::Process;

/// CAP_DAC_READ_SEARCH: list another user's `/proc/PID/fd`.
const CAP_DAC_READ_SEARCH: u32 = 2;
/// CAP_SYS_PTRACE: read another user's `/proc/PID/fd/N` links.
const CAP_SYS_PTRACE: u32 = 19;
/// The descriptor the socket is moved to in the child.
const SOCKET_FD: i32 = 3;

/// Fork the lookup process on `socket`; returns its pid. The caller keeps
/// the other end. Must be called while the process is one thread.
pub(super) fn fork(socket: UnixStream, user: Option<&str>) -> Result<libc::pid_t, CaptureError> {
    // Decided before the fork, so a bad --user is the parent's error.
    let (account, _) = privilege::account_for(user)?;
    // SAFETY: the process is single-threaded here (the caller's contract),
    // so the child may run ordinary code; it never returns from `child`.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(CaptureError::Other(format!(
            "cannot start the process lookup: {}",
            std::io::Error::last_os_error()
        )));
    }
    if pid == 0 {
        child(socket, account.as_ref());
    }
    Ok(pid)
}

/// The child's whole life; never returns.
fn child(socket: UnixStream, account: Option<&privilege::Account>) -> ! {
    let fd = isolate(socket);
    // SAFETY: `isolate` left exactly this descriptor open, owned here.
    let mut stream = unsafe { UnixStream::from_raw_fd(fd) };
    let hello = match confine(account) {
        Ok(reach) => reach,
        Err(e) => {
            let mut body = vec![0u8];
            body.extend_from_slice(format!("process lookup disabled: {e}").as_bytes());
            let _ = stream.write_all(&framed(&body));
            // SAFETY: _exit ends the child at once, running no destructor
            // of the parent's copied state.
            unsafe { libc::_exit(1) }
        }
    };
    let _ = stream.write_all(&framed(&hello));
    serve(&mut stream);
    // SAFETY: as above.
    unsafe { libc::_exit(0) }
}

/// Leave the child only its socket, as descriptor 3, and /dev/null for
/// standard input, output and error; ignore the terminal's stop signals.
fn isolate(socket: UnixStream) -> i32 {
    let raw = socket.as_raw_fd();
    std::mem::forget(socket);
    // SAFETY: plain descriptor and signal calls on this process only; the
    // socket is duplicated to SOCKET_FD before anything above it is closed.
    unsafe {
        if raw != SOCKET_FD {
            libc::dup2(raw, SOCKET_FD);
        }
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        if null >= 0 {
            for std_fd in 0..3 {
                libc::dup2(null, std_fd);
            }
        }
        if libc::syscall(libc::SYS_close_range, SOCKET_FD + 1, u32::MAX, 0) != 0 {
            // Kernels before 5.9: close what /proc says is open.
            let open: Vec<i32> = std::fs::read_dir("/proc/self/fd")
                .map(|d| {
                    d.flatten()
                        .filter_map(|e| e.file_name().to_str()?.parse().ok())
                        .collect()
                })
                .unwrap_or_default();
            for fd in open.into_iter().filter(|&fd| fd > SOCKET_FD) {
                libc::close(fd);
            }
        }
        libc::signal(libc::SIGINT, libc::SIG_IGN);
        libc::signal(libc::SIGTERM, libc::SIG_IGN);
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    SOCKET_FD
}

/// Give up everything but the two capabilities (when held), as the user
/// the capture switches to. Returns the hello: whether every user's
/// processes are visible, and a sentence saying what is.
fn confine(account: Option<&privilege::Account>) -> Result<Vec<u8>, CaptureError> {
    let wanted = (1u64 << CAP_SYS_PTRACE) | (1u64 << CAP_DAC_READ_SEARCH);
    let keep = privilege::permitted_capabilities() & wanted;
    privilege::clear_bounding_and_ambient(keep);
    if let Some(account) = account {
        // SAFETY: PR_SET_KEEPCAPS only changes whether the permitted set
        // survives the switch of user just below.
        unsafe { libc::prctl(libc::PR_SET_KEEPCAPS, 1, 0, 0, 0) };
        privilege::switch_user(account)?;
        // SAFETY: as above, switched back off.
        unsafe { libc::prctl(libc::PR_SET_KEEPCAPS, 0, 0, 0, 0) };
    }
    privilege::set_capabilities(keep)?;
    privilege::set_no_new_privs()?;
    // SAFETY: asks for SIGKILL when the capture process dies; set after the
    // switch of user, which clears it.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
    }
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    let all = keep & (1 << CAP_SYS_PTRACE) != 0;
    let message = if all {
        "processes of every user".to_string()
    } else {
        format!(
            "only processes of user {} (no CAP_SYS_PTRACE: run as root to see every user's)",
            UserNames::default().name(uid)
        )
    };
    let mut hello = vec![u8::from(all)];
    hello.extend_from_slice(message.as_bytes());
    Ok(hello)
}

/// Answer questions until the socket closes or a question is malformed.
fn serve(stream: &mut UnixStream) {
    let mut owners = Owners::new();
    let mut users = UserNames::default();
    let mut question = [0u8; QUERY_LEN];
    while stream.read_exact(&mut question).is_ok() {
        let Some((id, query)) = decode_query(&question) else {
            return;
        };
        let sockets = read_sockets(query.proto);
        let found = find_socket(&sockets, query.src, query.dst).and_then(|socket| {
            let pid = owners.pid_of(socket.inode)?;
            let command = command_of(pid)?;
            let user = users.name(socket.uid);
            Some((Process { pid, command, user }, socket.uid))
        });
        let answer = encode_answer(id, found.as_ref().map(|(p, uid)| (p, *uid)));
        if stream.write_all(&answer).is_err() {
            return;
        }
    }
}
