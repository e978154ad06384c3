//! Batch mode over UDP: a window of tagged datagrams in flight per socket,
//! with loss, reordering and duplicates counted.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::Instant;

use crate::echo::batch::{Tally, nanos_since, run_workers};
use crate::echo::client::{
    ClientConfig, ClientReport, MAX_UDP_PAYLOAD, Payload, SEQUENCE_TAG_LEN, connect_udp, refused,
    retryable,
};
use crate::echo::error::EchoError;
use crate::echo::net::wait_ready;
use crate::echo::stats::Pattern;

pub(crate) fn run_udp_batch(
    cfg: &ClientConfig,
    addrs: &[SocketAddr],
    out: &mut dyn Write,
) -> Result<ClientReport, EchoError> {
    let mut sockets = Vec::with_capacity(cfg.concurrency);
    for index in 0..cfg.concurrency {
        let socket = connect_udp(cfg, addrs, index == 0)?;
        socket
            .set_nonblocking(true)
            .map_err(|e| EchoError::io("configuring the udp socket", e))?;
        sockets.push(socket);
    }
    let local = sockets[0]
        .local_addr()
        .map_err(|e| EchoError::io("reading the local address", e))?;
    run_workers(
        cfg,
        sockets,
        (local, addrs[0]),
        out,
        |index, socket, printer| udp_worker(cfg, index, socket, printer),
    )
}

/// The messages one UDP socket sends: pattern payloads of at least 8 bytes
/// carry their sequence number, so several can be in flight and reordering
/// can be seen; anything else goes one at a time.
struct UdpMessages {
    pattern: Option<Pattern>,
    text: Vec<u8>,
    datagram: Vec<u8>,
}

impl UdpMessages {
    fn new(payload: &Payload, index: usize) -> Self {
        match payload {
            Payload::Pattern(size) if *size >= SEQUENCE_TAG_LEN => UdpMessages {
                pattern: Some(Pattern::new(*size, index as u64 + 1)),
                text: Vec::new(),
                datagram: vec![0; *size],
            },
            Payload::Pattern(size) => UdpMessages {
                pattern: None,
                text: Pattern::new(*size, index as u64 + 1).message(0).to_vec(),
                datagram: Vec::new(),
            },
            Payload::Text(text) => UdpMessages {
                pattern: None,
                text: text.clone(),
                datagram: Vec::new(),
            },
        }
    }

    fn tagged(&self) -> bool {
        self.pattern.is_some()
    }

    fn datagram(&mut self, seq: u64) -> &[u8] {
        match &self.pattern {
            Some(pattern) => {
                self.datagram.copy_from_slice(pattern.message(seq));
                self.datagram[..SEQUENCE_TAG_LEN].copy_from_slice(&seq.to_le_bytes());
                &self.datagram
            }
            None => &self.text,
        }
    }

    /// The sequence number an echo claims, for tagged messages.
    fn sequence_of(&self, echo: &[u8]) -> Option<u64> {
        let tag = echo.get(..SEQUENCE_TAG_LEN)?;
        Some(u64::from_le_bytes(
            tag.try_into().expect("slice of tag length"),
        ))
    }

    fn is_intact(&self, seq: u64, echo: &[u8]) -> bool {
        match &self.pattern {
            Some(pattern) => {
                let expected = pattern.message(seq);
                echo.len() == expected.len()
                    && echo[SEQUENCE_TAG_LEN..] == expected[SEQUENCE_TAG_LEN..]
            }
            None => echo == self.text.as_slice(),
        }
    }
}

fn udp_worker(
    cfg: &ClientConfig,
    index: usize,
    socket: &UdpSocket,
    mut printer: Option<&mut dyn Write>,
) -> Result<Tally, EchoError> {
    let peer = socket
        .peer_addr()
        .map_err(|e| EchoError::io("reading the peer address", e))?;
    let mut messages = UdpMessages::new(&cfg.payload, index);
    let window = if messages.tagged() { cfg.udp_window } else { 1 };
    // (sequence number, send time) of datagrams not yet echoed, oldest first.
    let mut in_flight: VecDeque<(u64, Instant)> = VecDeque::with_capacity(window);
    let mut highest_echoed: Option<u64> = None;
    let mut buffer = vec![0u8; MAX_UDP_PAYLOAD + 1];
    let mut tally = Tally::default();
    let mut next_seq: u64 = 0;
    let mut next_send_at = Instant::now();
    loop {
        let now = Instant::now();
        while next_seq < cfg.count && in_flight.len() < window && now >= next_send_at {
            match socket.send(messages.datagram(next_seq)) {
                Ok(_) => {}
                Err(e) if retryable(&e) || e.raw_os_error() == Some(libc::ENOBUFS) => break,
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    return Err(refused(cfg, peer));
                }
                Err(e) => return Err(EchoError::io(format!("sending to {peer}"), e)),
            }
            in_flight.push_back((next_seq, Instant::now()));
            tally.sent += 1;
            next_seq += 1;
            next_send_at = now + cfg.interval;
        }
        while let Some(&(_, sent_at)) = in_flight.front() {
            if now.duration_since(sent_at) < cfg.timeout {
                break;
            }
            in_flight.pop_front();
            tally.lost += 1;
        }
        if next_seq >= cfg.count && in_flight.is_empty() {
            break;
        }
        let mut wake_at = in_flight
            .front()
            .map_or(now + cfg.timeout, |&(_, sent_at)| sent_at + cfg.timeout);
        if next_seq < cfg.count && in_flight.len() < window {
            wake_at = wake_at.min(next_send_at);
        }
        let wait = wake_at.saturating_duration_since(Instant::now());
        if wait.is_zero()
            || wait_ready(socket.as_raw_fd(), false, wait)
                .map_err(|e| EchoError::io("waiting for echoes", e))?
                .is_none()
        {
            continue;
        }
        loop {
            let n = match socket.recv(&mut buffer) {
                Ok(n) => n,
                Err(e) if retryable(&e) => break,
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    return Err(refused(cfg, peer));
                }
                Err(e) => return Err(EchoError::io(format!("receiving from {peer}"), e)),
            };
            let echo = &buffer[..n];
            let seq = if messages.tagged() {
                messages.sequence_of(echo)
            } else {
                in_flight.front().map(|&(seq, _)| seq)
            };
            // Everything sent and not yet settled is in flight, so an echo
            // matching nothing there is a duplicate, late, or garbage.
            let position = seq.and_then(|seq| in_flight.iter().position(|&(s, _)| s == seq));
            let Some(position) = position else {
                tally.duplicates += 1;
                continue;
            };
            let (seq, sent_at) = in_flight
                .remove(position)
                .expect("position was just found in the deque");
            tally.rtt_nanos.push(nanos_since(sent_at));
            tally.received += 1;
            tally.bytes += n as u64;
            if !messages.is_intact(seq, echo) {
                tally.mismatched += 1;
            }
            if highest_echoed.is_some_and(|highest| seq < highest) {
                tally.reordered += 1;
            }
            highest_echoed = highest_echoed.max(Some(seq));
            if let Some(out) = printer.as_deref_mut() {
                out.write_all(echo)
                    .and_then(|()| out.write_all(b"\n"))
                    .map_err(|e| EchoError::io("writing the echo", e))?;
            }
        }
    }
    if tally.lost > 0 {
        tally.failure = Some(format!(
            "{} datagram(s) not echoed within {} ms",
            tally.lost,
            cfg.timeout.as_millis()
        ));
    }
    Ok(tally)
}
