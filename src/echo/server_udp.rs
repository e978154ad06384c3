//! The UDP side of the echo server: one thread per socket echoes each
//! datagram back to its sender.

use std::collections::HashSet;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::echo::net::normalize_addr;
use crate::echo::server::{STOP_POLL_INTERVAL, Shared};
use crate::echo::server_tcp::is_timeout;

/// Largest UDP payload there is; a smaller buffer would truncate datagrams.
const MAX_DATAGRAM: usize = 65_535;

/// Bound on remembered UDP peers, kept only to log each new one once.
const MAX_REMEMBERED_UDP_PEERS: usize = 4096;

pub(crate) fn udp_loop(socket: UdpSocket, local: SocketAddr, shared: Arc<Shared>) {
    // A timeout instead of blocking forever, so the stop flag is noticed.
    if let Err(e) = socket
        .set_read_timeout(Some(STOP_POLL_INTERVAL))
        .and_then(|()| socket.set_write_timeout(Some(shared.write_timeout)))
    {
        shared.log(format!("udp {local}: cannot set socket timeouts: {e}"));
        return;
    }
    let mut buffer = vec![0u8; MAX_DATAGRAM];
    let mut known_peers: HashSet<SocketAddr> = HashSet::new();
    while !shared.stopping() {
        let (n, peer) = match socket.recv_from(&mut buffer) {
            Ok(received) => received,
            Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // Stray ICMP errors and the like concern one peer, not the server.
                shared.log(format!("udp {local}: receive failed: {e}"));
                continue;
            }
        };
        let datagram = &mut buffer[..n];
        if shared.upper {
            datagram.make_ascii_uppercase();
        }
        if !known_peers.contains(&peer) {
            if known_peers.len() >= MAX_REMEMBERED_UDP_PEERS {
                known_peers.clear();
            }
            known_peers.insert(peer);
            shared.log(format!(
                "udp ({}, {local}) first datagram",
                normalize_addr(peer)
            ));
        }
        // Count before echoing: once the echo is out, a client may already
        // be reading these counters.
        shared
            .counters
            .udp_datagrams
            .fetch_add(1, Ordering::Relaxed);
        shared
            .counters
            .udp_bytes
            .fetch_add(n as u64, Ordering::Relaxed);
        match socket.send_to(datagram, peer) {
            Ok(_) => {}
            Err(e) => shared.log(format!(
                "udp ({}, {local}) echo failed: {e}",
                normalize_addr(peer)
            )),
        }
    }
    let datagrams = shared.counters.udp_datagrams.load(Ordering::Relaxed);
    let bytes = shared.counters.udp_bytes.load(Ordering::Relaxed);
    shared.log(format!(
        "udp {local} stopped: echoed {datagrams} datagrams, {bytes} bytes"
    ));
}
