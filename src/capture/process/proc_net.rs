//! The kernel's socket tables, `/proc/net/{tcp,tcp6,udp,udp6}`: which
//! socket (inode, owner uid) has which local and remote address, and the
//! socket a packet's 4-tuple belongs to. These files are readable by every
//! user; the inode says nothing yet about the process (see `owners`).
//!
//! Line format (`net/ipv4/tcp_ipv4.c`, `get_tcp4_sock`):
//! ```text
//!   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
//!    0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 ...
//! ```
//! An address is the `__be32` words printed as host-order hex (`%08X`),
//! a port is the number in hex.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Most lines read from one table: a host with more sockets than this has
/// the rest unattributed rather than an unbounded table in memory.
pub const MAX_SOCKETS: usize = 1 << 20;

/// One socket of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Socket {
    pub local: (IpAddr, u16),
    pub remote: (IpAddr, u16),
    pub uid: u32,
    pub inode: u64,
}

/// The table files for an IP protocol number (6 TCP, 17 UDP).
pub fn table_paths(proto: u8) -> &'static [&'static str] {
    match proto {
        6 => &["/proc/net/tcp", "/proc/net/tcp6"],
        17 => &["/proc/net/udp", "/proc/net/udp6"],
        _ => &[],
    }
}

/// Read every socket of `proto` (both address families). Unreadable files
/// (no IPv6) contribute nothing.
pub fn read_sockets(proto: u8) -> Vec<Socket> {
    let mut sockets = Vec::new();
    for path in table_paths(proto) {
        if let Ok(text) = std::fs::read_to_string(path) {
            parse_table(&text, &mut sockets);
        }
    }
    sockets
}

/// Append the sockets of one table's text; lines that do not parse (the
/// header, a kernel with other columns) are skipped, sockets without an
/// inode (TIME_WAIT) too.
pub fn parse_table(text: &str, out: &mut Vec<Socket>) {
    for line in text.lines().skip(1) {
        if out.len() >= MAX_SOCKETS {
            return;
        }
        if let Some(socket) = parse_line(line)
            && socket.inode != 0
        {
            out.push(socket);
        }
    }
}

fn parse_line(line: &str) -> Option<Socket> {
    let mut cols = line.split_whitespace();
    let _slot = cols.next()?;
    let local = parse_endpoint(cols.next()?)?;
    let remote = parse_endpoint(cols.next()?)?;
    // st, tx_queue:rx_queue, tr:tm->when, retrnsmt
    let mut cols = cols.skip(4);
    let uid = cols.next()?.parse().ok()?;
    let _timeout = cols.next()?;
    let inode = cols.next()?.parse().ok()?;
    Some(Socket {
        local,
        remote,
        uid,
        inode,
    })
}

/// `0100007F:0CEA` or 32 hex digits then `:PORT`. IPv4-mapped IPv6
/// addresses come back as IPv4, as packets carry them.
fn parse_endpoint(text: &str) -> Option<(IpAddr, u16)> {
    let (addr, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let word = |hex: &str| u32::from_str_radix(hex, 16).ok().map(u32::to_ne_bytes);
    let addr = match addr.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(addr)?)),
        32 => {
            let mut bytes = [0u8; 16];
            for (i, chunk) in bytes.chunks_exact_mut(4).enumerate() {
                chunk.copy_from_slice(&word(addr.get(i * 8..i * 8 + 8)?)?);
            }
            let v6 = Ipv6Addr::from(bytes);
            match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(v6),
            }
        }
        _ => return None,
    };
    Some((addr, port))
}

/// How well a socket matches a packet end: a connected socket naming both
/// ends beats one bound to the local end only (a listener, an unconnected
/// UDP socket), which beats one bound to the wildcard address.
fn rank(socket: &Socket, local: (IpAddr, u16), remote: (IpAddr, u16)) -> Option<u8> {
    if socket.local.1 != local.1 {
        return None;
    }
    let same_family = socket.local.0.is_ipv4() == local.0.is_ipv4();
    let local_exact = socket.local.0 == local.0;
    // A wildcard IPv6 socket also takes IPv4 (unless IPV6_V6ONLY, which
    // the table does not say): ranked below everything else.
    let local_any = socket.local.0.is_unspecified();
    if !local_exact && !local_any {
        return None;
    }
    if socket.remote == remote && local_exact {
        return Some(3);
    }
    let unconnected = socket.remote.1 == 0 && socket.remote.0.is_unspecified();
    if !unconnected {
        return None;
    }
    Some(match (local_exact, same_family) {
        (true, _) => 2,
        (false, true) => 1,
        (false, false) => 0,
    })
}

/// The socket on this host that sends or receives a packet from `src` to
/// `dst`: the sender's end first (the first packet of a conversation comes
/// from its client, usually the interesting process), then the receiver's.
pub fn find_socket(sockets: &[Socket], src: (IpAddr, u16), dst: (IpAddr, u16)) -> Option<Socket> {
    for (local, remote) in [(src, dst), (dst, src)] {
        let best = sockets
            .iter()
            .filter_map(|s| rank(s, local, remote).map(|r| (r, s)))
            .max_by_key(|(r, _)| *r);
        if let Some((_, socket)) = best {
            return Some(*socket);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    // Lines as this machine's kernel printed them (x86-64, little endian):
    // 127.0.0.1:3306 listening, and a connected UDP socket
    // 127.0.0.1:45678 → 127.0.0.1:9999 owned by uid 1000.
    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   112        0 23456 1 0000000000000000 100 0 0 10 0\n   1: 0100007F:B26E 0100007F:270F 06 00000000:00000000 03:00000581 00000000     0        0 0 3 0000000000000000\n";
    const UDP: &str = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n 1234: 0100007F:B26E 0100007F:270F 01 00000000:00000000 00:00000000 00000000  1000        0 98765 2 0000000000000000 0\n";
    // ::1 port 53 unconnected, and ::ffff:127.0.0.1 port 8080.
    const UDP6: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n   5: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 111 2 0000000000000000 0\n   6: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 222 2 0000000000000000 0\n";

    fn v4(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    #[test]
    fn ipv4_lines_give_address_port_uid_and_inode_and_time_wait_is_skipped() {
        if cfg!(target_endian = "big") {
            return; // the sample lines are little-endian
        }
        let mut sockets = Vec::new();
        parse_table(TCP, &mut sockets);
        assert_eq!(
            sockets,
            [Socket {
                local: (v4("127.0.0.1"), 3306),
                remote: (v4("0.0.0.0"), 0),
                uid: 112,
                inode: 23456,
            }]
        );
    }

    #[test]
    fn ipv6_lines_parse_and_mapped_addresses_come_back_as_ipv4() {
        if cfg!(target_endian = "big") {
            return;
        }
        let mut sockets = Vec::new();
        parse_table(UDP6, &mut sockets);
        assert_eq!(sockets.len(), 2);
        assert_eq!(sockets[0].local, (v4("::1"), 53));
        assert_eq!(sockets[1].local, (v4("127.0.0.1"), 8080));
        assert_eq!(sockets[1].inode, 222);
    }

    #[test]
    fn a_packet_finds_its_senders_connected_socket_before_the_receivers() {
        if cfg!(target_endian = "big") {
            return;
        }
        let mut sockets = Vec::new();
        parse_table(UDP, &mut sockets);
        // A receiver bound to 127.0.0.1:9999 too.
        sockets.push(Socket {
            local: (v4("127.0.0.1"), 9999),
            remote: (v4("0.0.0.0"), 0),
            uid: 0,
            inode: 5,
        });
        let src = (v4("127.0.0.1"), 45678);
        let dst = (v4("127.0.0.1"), 9999);
        assert_eq!(
            find_socket(&sockets, src, dst).map(|s| s.inode),
            Some(98765)
        );
        // The reply's sender is the receiver's socket.
        assert_eq!(find_socket(&sockets, dst, src).map(|s| s.inode), Some(5));
        // Another client of the receiver: only the receiver's end matches.
        let other = (v4("127.0.0.1"), 40000);
        assert_eq!(find_socket(&sockets, other, dst).map(|s| s.inode), Some(5));
        // Nobody on either end.
        let nobody = (v4("10.0.0.1"), 1);
        assert_eq!(find_socket(&sockets, nobody, (v4("10.0.0.2"), 2)), None);
    }

    #[test]
    fn a_wildcard_socket_matches_below_an_exact_one() {
        let any = Socket {
            local: (v4("0.0.0.0"), 53),
            remote: (v4("0.0.0.0"), 0),
            uid: 0,
            inode: 1,
        };
        let exact = Socket {
            local: (v4("127.0.0.53"), 53),
            inode: 2,
            ..any
        };
        let client = (v4("127.0.0.1"), 5353);
        let server = (v4("127.0.0.53"), 53);
        assert_eq!(
            find_socket(&[any, exact], client, server).map(|s| s.inode),
            Some(2)
        );
        assert_eq!(
            find_socket(&[any], client, server).map(|s| s.inode),
            Some(1)
        );
    }
}
