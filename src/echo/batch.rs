//! Batch mode over TCP, and what TCP and UDP batches share: one worker per
//! connection, each verifying every echo, folded into one report.

use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::Instant;

use crate::echo::client::{
    ClientConfig, ClientReport, ExchangeFailure, Payload, RECEIVE_CHUNK, connect_error,
    connect_tcp, exchange, refused,
};
use crate::echo::error::EchoError;
use crate::echo::stats::{Pattern, RttSummary};

/// What one batch connection counted.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) sent: u64,
    pub(crate) received: u64,
    pub(crate) mismatched: u64,
    pub(crate) lost: u64,
    pub(crate) reordered: u64,
    pub(crate) duplicates: u64,
    pub(crate) bytes: u64,
    pub(crate) rtt_nanos: Vec<u64>,
    pub(crate) failure: Option<String>,
}

impl Tally {
    fn absorb(&mut self, other: Tally) {
        self.sent += other.sent;
        self.received += other.received;
        self.mismatched += other.mismatched;
        self.lost += other.lost;
        self.reordered += other.reordered;
        self.duplicates += other.duplicates;
        self.bytes += other.bytes;
        self.rtt_nanos.extend(other.rtt_nanos);
    }
}

pub(crate) fn nanos_since(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// Runs one worker per socket (the first on this thread, so it may print
/// to `out`), then folds their tallies into a report.
pub(crate) fn run_workers<S: Sync>(
    cfg: &ClientConfig,
    sockets: Vec<S>,
    addrs: (SocketAddr, SocketAddr),
    out: &mut dyn Write,
    worker: impl Fn(usize, &S, Option<&mut dyn Write>) -> Result<Tally, EchoError> + Sync,
) -> Result<ClientReport, EchoError> {
    let started = Instant::now();
    let results: Vec<Result<Tally, EchoError>> = thread::scope(|scope| {
        let mut sockets = sockets.iter().enumerate();
        let (first_index, first) = sockets
            .next()
            .expect("concurrency is validated to be at least 1");
        let worker = &worker;
        let others: Vec<_> = sockets
            .map(|(index, socket)| scope.spawn(move || worker(index, socket, None)))
            .collect();
        let printer = if cfg.print_replies { Some(out) } else { None };
        let mut results = vec![worker(first_index, first, printer)];
        for handle in others {
            results.push(handle.join().unwrap_or_else(|_| {
                Err(EchoError::io(
                    "running a client connection",
                    io::Error::other("worker thread panicked"),
                ))
            }));
        }
        results
    });
    let elapsed = started.elapsed();
    let mut total = Tally::default();
    let mut failures = Vec::new();
    for (index, result) in results.into_iter().enumerate() {
        let mut tally = result?;
        if let Some(failure) = tally.failure.take() {
            failures.push(format!("connection {}: {failure}", index + 1));
        }
        total.absorb(tally);
    }
    let rtt = RttSummary::from_nanos(std::mem::take(&mut total.rtt_nanos));
    Ok(ClientReport {
        connections: cfg.concurrency,
        sent: total.sent,
        received: total.received,
        mismatched: total.mismatched,
        lost: total.lost,
        reordered: total.reordered,
        duplicates: total.duplicates,
        rtt_min: rtt.min,
        rtt_median: rtt.median,
        rtt_p99: rtt.p99,
        rtt_max: rtt.max,
        bytes: total.bytes,
        elapsed,
        local_addr: addrs.0,
        peer_addr: addrs.1,
        failures,
    })
}

pub(crate) fn run_tcp_batch(
    cfg: &ClientConfig,
    addrs: &[SocketAddr],
    out: &mut dyn Write,
) -> Result<ClientReport, EchoError> {
    let first = connect_tcp(cfg, addrs)?;
    let peer = first
        .peer_addr()
        .map_err(|e| EchoError::io("reading the peer address", e))?;
    let local = first
        .local_addr()
        .map_err(|e| EchoError::io("reading the local address", e))?;
    let mut streams = vec![first];
    // The other connections go where the first one succeeded.
    for _ in 1..cfg.concurrency {
        let stream =
            TcpStream::connect_timeout(&peer, cfg.timeout).map_err(|e| match e.kind() {
                io::ErrorKind::ConnectionRefused => refused(cfg, peer),
                io::ErrorKind::TimedOut => EchoError::Timeout {
                    what: format!("connecting to {peer}"),
                },
                _ => connect_error(peer, e),
            })?;
        streams.push(stream);
    }
    if !cfg.quiet && cfg.concurrency > 1 {
        crate::echo::note(format_args!(
            "opened {} connections to {peer}",
            cfg.concurrency
        ));
    }
    run_workers(
        cfg,
        streams,
        (local, peer),
        out,
        |index, stream, printer| tcp_worker(cfg, index, stream, printer),
    )
}

fn tcp_worker(
    cfg: &ClientConfig,
    index: usize,
    stream: &TcpStream,
    mut printer: Option<&mut dyn Write>,
) -> Result<Tally, EchoError> {
    let setup = |e| EchoError::io("configuring the client socket", e);
    stream.set_nonblocking(true).map_err(setup)?;
    stream.set_nodelay(true).map_err(setup)?;
    let pattern = match &cfg.payload {
        Payload::Pattern(size) => Some(Pattern::new(*size, index as u64 + 1)),
        Payload::Text(_) => None,
    };
    let text: &[u8] = match &cfg.payload {
        Payload::Text(text) => text,
        Payload::Pattern(_) => &[],
    };
    let mut buffer = vec![0u8; RECEIVE_CHUNK.min(cfg.payload.len())];
    let mut tally = Tally::default();
    for seq in 0..cfg.count {
        if seq > 0 && !cfg.interval.is_zero() {
            thread::sleep(cfg.interval);
        }
        let message = pattern
            .as_ref()
            .map_or(text, |pattern| pattern.message(seq));
        let mut checked = 0;
        let mut intact = true;
        let started = Instant::now();
        tally.sent += 1;
        let outcome = exchange(stream, message, cfg.timeout, &mut buffer, |echo| {
            intact &= echo == &message[checked..checked + echo.len()];
            checked += echo.len();
            match printer.as_deref_mut() {
                Some(out) => out.write_all(echo),
                None => Ok(()),
            }
        });
        let failure = match outcome {
            Ok(()) => {
                tally.rtt_nanos.push(nanos_since(started));
                if let Some(out) = printer.as_deref_mut()
                    && message.last() != Some(&b'\n')
                {
                    out.write_all(b"\n")
                        .map_err(|e| EchoError::io("writing the echo", e))?;
                }
                tally.received += 1;
                tally.bytes += message.len() as u64;
                if !intact {
                    tally.mismatched += 1;
                }
                continue;
            }
            Err(ExchangeFailure::TimedOut) => format!(
                "no echo of message {} within {} ms",
                seq + 1,
                cfg.timeout.as_millis()
            ),
            Err(ExchangeFailure::Closed) => {
                format!("server closed the connection during message {}", seq + 1)
            }
            Err(ExchangeFailure::Io(e)) => format!("message {}: {e}", seq + 1),
        };
        // The stream is out of step now; the rest of this connection's
        // messages can only be counted as lost.
        tally.lost += cfg.count - seq;
        tally.failure = Some(failure);
        break;
    }
    if let Some(out) = printer {
        out.flush()
            .map_err(|e| EchoError::io("writing the echo", e))?;
    }
    // Tell the server we are done so it logs a clean close, not a reset.
    let _ = stream.shutdown(Shutdown::Write);
    Ok(tally)
}
