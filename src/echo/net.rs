//! Socket plumbing the standard library does not expose: dual-stack
//! listeners with SO_REUSEADDR, abortive close, readiness polling, and the
//! normalisation of IPv4-mapped IPv6 peers for logging.

use std::io;
use std::mem;
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// Rewrites an IPv4-mapped IPv6 address (`[::ffff:1.2.3.4]:80`) to its plain
/// IPv4 form (`1.2.3.4:80`); every other address is returned unchanged.
pub fn normalize_addr(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V6(v6) => match v6.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(v4.into(), v6.port()),
            None => addr,
        },
        SocketAddr::V4(_) => addr,
    }
}

/// Makes closing `stream` send a reset instead of a FIN (SO_LINGER with a
/// zero timeout), so the peer learns at once that it was turned away.
pub fn abort_on_close(stream: &TcpStream) -> io::Result<()> {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    set_option(
        stream.as_raw_fd(),
        libc::SOL_SOCKET,
        libc::SO_LINGER,
        &linger,
    )
}

/// Binds a listening TCP socket with SO_REUSEADDR and, for IPv6, dual-stack
/// mode (IPV6_V6ONLY off) so IPv4 clients can reach a `[::]` listener.
pub(crate) fn bind_tcp_listener(addr: SocketAddr, backlog: i32) -> io::Result<TcpListener> {
    let fd = bound_socket(addr, libc::SOCK_STREAM)?;
    // SAFETY: `fd` is a valid, bound socket owned by this function.
    if unsafe { libc::listen(fd.as_raw_fd(), backlog) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(TcpListener::from(fd))
}

/// Binds a UDP socket with the same SO_REUSEADDR and dual-stack settings as
/// [`bind_tcp_listener`].
pub(crate) fn bind_udp_socket(addr: SocketAddr) -> io::Result<UdpSocket> {
    Ok(UdpSocket::from(bound_socket(addr, libc::SOCK_DGRAM)?))
}

fn bound_socket(addr: SocketAddr, kind: libc::c_int) -> io::Result<OwnedFd> {
    let domain = match addr {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
    };
    // SAFETY: plain socket(2) call; the result is checked before use.
    let raw = unsafe { libc::socket(domain, kind | libc::SOCK_CLOEXEC, 0) };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `raw` is a freshly created descriptor nobody else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    let on: libc::c_int = 1;
    set_option(fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_REUSEADDR, &on)?;
    if domain == libc::AF_INET6 {
        let off: libc::c_int = 0;
        set_option(fd.as_raw_fd(), libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, &off)?;
    }
    let (storage, len) = to_sockaddr(addr);
    // SAFETY: `storage` holds a valid sockaddr of `len` bytes for `domain`.
    let rc = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&storage as *const libc::sockaddr_storage).cast(),
            len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(fd)
}

pub(crate) fn to_sockaddr(addr: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain old data; all-zero is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(v4) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: v4.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(v4.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is large and aligned enough for any sockaddr.
            unsafe {
                (&mut storage as *mut libc::sockaddr_storage)
                    .cast::<libc::sockaddr_in>()
                    .write(sin)
            };
            mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(v6) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: v6.port().to_be(),
                sin6_flowinfo: v6.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: v6.ip().octets(),
                },
                sin6_scope_id: v6.scope_id(),
            };
            // SAFETY: as above.
            unsafe {
                (&mut storage as *mut libc::sockaddr_storage)
                    .cast::<libc::sockaddr_in6>()
                    .write(sin6)
            };
            mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}

pub(crate) fn set_option<T>(
    fd: RawFd,
    level: libc::c_int,
    name: libc::c_int,
    value: &T,
) -> io::Result<()> {
    // SAFETY: `value` points to a live T of the size passed.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (value as *const T).cast(),
            mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// What a descriptor became ready for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Readiness {
    pub readable: bool,
    pub writable: bool,
}

/// Waits up to `timeout` for `fd` to become readable (and writable, if
/// asked). Returns `None` on timeout; EINTR counts as a spurious wake-up.
pub(crate) fn wait_ready(
    fd: RawFd,
    want_write: bool,
    timeout: Duration,
) -> io::Result<Option<Readiness>> {
    let mut events = libc::POLLIN;
    if want_write {
        events |= libc::POLLOUT;
    }
    let mut pollfd = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // Round up so a sub-millisecond remainder still waits instead of spinning.
    let millis = timeout.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as libc::c_int;
    // SAFETY: one valid pollfd, count 1.
    let rc = unsafe { libc::poll(&mut pollfd, 1, millis) };
    if rc < 0 {
        let err = io::Error::last_os_error();
        if err.kind() == io::ErrorKind::Interrupted {
            return Ok(Some(Readiness {
                readable: false,
                writable: false,
            }));
        }
        return Err(err);
    }
    if rc == 0 {
        return Ok(None);
    }
    // Errors and hang-ups are reported as readable so the next read surfaces them.
    let trouble = pollfd.revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0;
    Ok(Some(Readiness {
        readable: trouble || pollfd.revents & libc::POLLIN != 0,
        writable: trouble || pollfd.revents & libc::POLLOUT != 0,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_ipv4_peer_is_rewritten_to_plain_ipv4() {
        let mapped: SocketAddr = "[::ffff:192.0.2.7]:4242".parse().expect("literal");
        let plain: SocketAddr = "192.0.2.7:4242".parse().expect("literal");
        assert_eq!(normalize_addr(mapped), plain);
    }

    #[test]
    fn genuine_ipv6_and_ipv4_addresses_are_left_alone() {
        for text in ["[::1]:7", "[2001:db8::1]:9", "127.0.0.1:7007"] {
            let addr: SocketAddr = text.parse().expect("literal");
            assert_eq!(normalize_addr(addr), addr);
        }
    }
}
