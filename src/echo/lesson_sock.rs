//! The socket calls of the lesson peers one by one, as the lecture's C
//! code makes them (`socket`, `bind`, `listen`, `connect`, `accept`), each
//! recorded in a [`CallLog`]; the standard library folds several of them
//! into one call, which would hide what the lesson is about.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

use crate::echo::calls::{Call, CallKind, CallLog, Peer, now_ns};
use crate::echo::net::{self, set_option, to_sockaddr};

/// `socket(domain, kind, 0)`, recorded.
pub(crate) fn socket(
    log: &CallLog,
    peer: Peer,
    family: SocketAddr,
    kind: libc::c_int,
) -> io::Result<OwnedFd> {
    let domain = match family {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
    };
    log.time(
        peer,
        CallKind::Socket,
        None,
        || {
            // SAFETY: plain socket(2) call; the result is checked before use.
            let raw = unsafe { libc::socket(domain, kind | libc::SOCK_CLOEXEC, 0) };
            if raw < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `raw` is a freshly created descriptor nobody else owns.
            Ok(unsafe { OwnedFd::from_raw_fd(raw) })
        },
        |_| (None, None),
    )
}

/// Set an integer socket option (not a call the lesson tells).
pub(crate) fn set_int(
    fd: &OwnedFd,
    level: libc::c_int,
    name: libc::c_int,
    value: usize,
) -> io::Result<()> {
    let value = libc::c_int::try_from(value)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "socket option too large"))?;
    set_option(fd.as_raw_fd(), level, name, &value)
}

/// Bound the time a blocking connect, read or write may take (SO_SNDTIMEO
/// also bounds connect(2) on Linux).
pub(crate) fn set_timeouts(fd: &OwnedFd, timeout: Duration) -> io::Result<()> {
    let tv = libc::timeval {
        tv_sec: timeout.as_secs() as libc::time_t,
        tv_usec: timeout.subsec_micros() as libc::suseconds_t,
    };
    set_option(fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_SNDTIMEO, &tv)?;
    set_option(fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_RCVTIMEO, &tv)
}

/// `bind(fd, addr)`, recorded with the address the kernel gave.
pub(crate) fn bind(log: &CallLog, peer: Peer, fd: &OwnedFd, addr: SocketAddr) -> io::Result<()> {
    let on: libc::c_int = 1;
    set_option(fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_REUSEADDR, &on)?;
    let entered = now_ns();
    let (storage, len) = to_sockaddr(addr);
    // SAFETY: `storage` holds a valid sockaddr of `len` bytes for its family.
    let rc = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&storage as *const libc::sockaddr_storage).cast(),
            len,
        )
    };
    let returned = now_ns();
    let outcome = if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    };
    log.push(Call {
        peer,
        kind: CallKind::Bind,
        entered,
        returned,
        asked: None,
        result: None,
        addr: outcome.as_ref().ok().and_then(|()| local_addr(fd)),
        error: outcome.as_ref().err().map(ToString::to_string),
    });
    outcome
}

/// `listen(fd, backlog)`, recorded.
pub(crate) fn listen(log: &CallLog, peer: Peer, fd: OwnedFd) -> io::Result<TcpListener> {
    let raw = fd.as_raw_fd();
    log.time(
        peer,
        CallKind::Listen,
        None,
        || {
            // SAFETY: `raw` is a valid, bound socket owned by `fd`.
            if unsafe { libc::listen(raw, 8) } != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        },
        |()| (None, None),
    )?;
    Ok(TcpListener::from(fd))
}

/// `connect(fd, addr)`, recorded with the local address it got.
pub(crate) fn connect(
    log: &CallLog,
    peer: Peer,
    fd: OwnedFd,
    addr: SocketAddr,
) -> io::Result<TcpStream> {
    let raw = fd.as_raw_fd();
    log.time(
        peer,
        CallKind::Connect,
        None,
        || {
            let (storage, len) = to_sockaddr(addr);
            // SAFETY: `storage` holds a valid sockaddr of `len` bytes.
            let rc = unsafe {
                libc::connect(raw, (&storage as *const libc::sockaddr_storage).cast(), len)
            };
            if rc != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        },
        |()| (None, local_addr(&fd)),
    )?;
    Ok(TcpStream::from(fd))
}

/// `accept(listener)`, recorded from the moment the server starts waiting
/// until it returns. It waits at most `timeout` (by poll(2) first, so a
/// client that never comes cannot hang the demo).
pub(crate) fn accept(
    log: &CallLog,
    peer: Peer,
    listener: &TcpListener,
    timeout: Duration,
) -> io::Result<TcpStream> {
    log.time(
        peer,
        CallKind::Accept,
        None,
        || {
            if net::wait_ready(listener.as_raw_fd(), false, timeout)?.is_none() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no client connected in time",
                ));
            }
            listener.accept().map(|(stream, _)| stream)
        },
        |stream| (None, stream.peer_addr().ok()),
    )
}

/// The address a socket is bound to (getsockname), when it has one.
fn local_addr(fd: &OwnedFd) -> Option<SocketAddr> {
    // A borrowed view: `TcpListener::local_addr` is getsockname on any
    // socket; ManuallyDrop keeps the view from closing `fd`.
    // SAFETY: `fd` stays open for the view's whole life and is not closed by it.
    let view = std::mem::ManuallyDrop::new(unsafe { TcpListener::from_raw_fd(fd.as_raw_fd()) });
    view.local_addr().ok()
}
