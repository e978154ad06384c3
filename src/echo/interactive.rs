//! Interactive mode: each line of standard input is sent and its echo
//! printed; after end of input, whatever else the server sends.

use std::io::{self, BufRead, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::os::fd::AsRawFd;
use std::time::Instant;

use crate::echo::client::{
    ClientConfig, ExchangeFailure, MAX_UDP_PAYLOAD, RECEIVE_CHUNK, connect_tcp, connect_udp,
    echo_timeout, exchange, refused, retryable,
};
use crate::echo::error::EchoError;
use crate::echo::net::wait_ready;

pub(crate) fn interactive_tcp(
    cfg: &ClientConfig,
    addrs: &[SocketAddr],
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), EchoError> {
    let stream = connect_tcp(cfg, addrs)?;
    stream
        .set_nonblocking(true)
        .and_then(|()| stream.set_nodelay(true))
        .map_err(|e| EchoError::io("configuring the client socket", e))?;
    let peer = stream
        .peer_addr()
        .map_err(|e| EchoError::io("reading the peer address", e))?;
    let mut buffer = vec![0u8; RECEIVE_CHUNK];
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = input
            .read_until(b'\n', &mut line)
            .map_err(|e| EchoError::io("reading standard input", e))?;
        if n == 0 {
            break;
        }
        let outcome = exchange(&stream, &line, cfg.timeout, &mut buffer, |echo| {
            out.write_all(echo)?;
            out.flush()
        });
        match outcome {
            Ok(()) => {}
            Err(ExchangeFailure::TimedOut) => return Err(echo_timeout(cfg)),
            Err(ExchangeFailure::Closed) => {
                return Err(EchoError::io(
                    format!("talking to {peer}"),
                    io::Error::new(io::ErrorKind::UnexpectedEof, "server closed the connection"),
                ));
            }
            Err(ExchangeFailure::Io(e)) => {
                return Err(EchoError::io(format!("talking to {peer}"), e));
            }
        }
    }
    // Half-close, then print anything still coming until the server closes.
    stream
        .shutdown(Shutdown::Write)
        .map_err(|e| EchoError::io(format!("half-closing the connection to {peer}"), e))?;
    let deadline = Instant::now() + cfg.timeout;
    let mut reader = &stream;
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => out
                .write_all(&buffer[..n])
                .map_err(|e| EchoError::io("writing the echo", e))?,
            Err(e) if retryable(&e) => {
                let left = deadline.saturating_duration_since(Instant::now());
                let ready = if left.is_zero() {
                    None
                } else {
                    wait_ready(stream.as_raw_fd(), false, left)
                        .map_err(|e| EchoError::io("waiting for the server to close", e))?
                };
                if ready.is_none() {
                    return Err(EchoError::Timeout {
                        what: format!("waiting for {peer} to close after end of input"),
                    });
                }
            }
            Err(e) => return Err(EchoError::io(format!("draining {peer}"), e)),
        }
    }
}

pub(crate) fn interactive_udp(
    cfg: &ClientConfig,
    addrs: &[SocketAddr],
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), EchoError> {
    let socket = connect_udp(cfg, addrs, true)?;
    socket
        .set_read_timeout(Some(cfg.timeout))
        .map_err(|e| EchoError::io("configuring the udp socket", e))?;
    let peer = addrs[0];
    let mut buffer = vec![0u8; MAX_UDP_PAYLOAD + 1];
    let mut line = String::new();
    loop {
        line.clear();
        let n = input
            .read_line(&mut line)
            .map_err(|e| EchoError::io("reading standard input", e))?;
        if n == 0 {
            return Ok(());
        }
        // One datagram per line, without the line ending, as classic UDP echo clients do.
        let message = line.trim_end_matches(['\r', '\n']);
        if message.len() > MAX_UDP_PAYLOAD {
            return Err(EchoError::Usage(format!(
                "a line of {} bytes does not fit in one UDP datagram",
                message.len()
            )));
        }
        match socket.send(message.as_bytes()) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                return Err(refused(cfg, peer));
            }
            Err(e) => return Err(EchoError::io(format!("sending to {peer}"), e)),
        }
        match socket.recv(&mut buffer) {
            Ok(n) => out
                .write_all(&buffer[..n])
                .and_then(|()| out.write_all(b"\n"))
                .and_then(|()| out.flush())
                .map_err(|e| EchoError::io("writing the echo", e))?,
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                return Err(refused(cfg, peer));
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                // Datagrams may be lost; say so and carry on with the next line.
                crate::echo::note(format_args!(
                    "no echo within {} ms",
                    cfg.timeout.as_millis()
                ));
            }
            Err(e) => return Err(EchoError::io(format!("receiving from {peer}"), e)),
        }
    }
}
