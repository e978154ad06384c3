//! The echo client: resolves and connects (trying each address in turn),
//! then either relays stdin lines interactively or runs a verified batch of
//! messages over one or more connections and reports loss and latency.

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, BufRead, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::os::fd::AsRawFd;
use std::thread;
use std::time::{Duration, Instant};

use crate::echo::error::EchoError;
use crate::echo::net::wait_ready;
use crate::echo::stats::{Pattern, RttSummary, format_duration};

/// Largest payload one UDP datagram can carry over IPv4.
pub const MAX_UDP_PAYLOAD: usize = 65_507;

/// Bytes of a pattern datagram that carry its sequence number.
const SEQUENCE_TAG_LEN: usize = 8;

/// Receive buffer size; a message larger than this arrives in several reads.
const RECEIVE_CHUNK: usize = 64 * 1024;

/// Transport the client talks over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientProtocol {
    /// A TCP stream per connection.
    Tcp,
    /// A connected UDP socket per "connection".
    Udp,
}

/// Which resolved addresses the client may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpFamily {
    /// IPv4 or IPv6, in resolver order.
    Any,
    /// IPv4 only.
    V4,
    /// IPv6 only.
    V6,
}

/// What each batch message contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// The same text every time.
    Text(Vec<u8>),
    /// Pseudo-random bytes of this length, different for every message.
    Pattern(usize),
}

impl Payload {
    fn len(&self) -> usize {
        match self {
            Payload::Text(text) => text.len(),
            Payload::Pattern(size) => *size,
        }
    }
}

/// Everything the client needs to know before it starts.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Host name, IPv4 literal or IPv6 literal (brackets optional).
    pub host: String,
    /// Server port.
    pub port: u16,
    /// TCP or UDP.
    pub protocol: ClientProtocol,
    /// Address family restriction (-4 / -6).
    pub family: IpFamily,
    /// Message content in batch mode.
    pub payload: Payload,
    /// Messages per connection in batch mode.
    pub count: u64,
    /// Pause between messages on one connection.
    pub interval: Duration,
    /// Parallel connections in batch mode.
    pub concurrency: usize,
    /// Limit for connecting and for each echo to come back.
    pub timeout: Duration,
    /// UDP datagrams in flight per socket (pattern payloads of 8+ bytes only).
    pub udp_window: usize,
    /// Print each echo to the output (batch mode).
    pub print_replies: bool,
    /// Do not print connection details to standard error.
    pub quiet: bool,
}

impl ClientConfig {
    /// A one-message TCP batch of 64 pattern bytes to `host:port`.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        ClientConfig {
            host: host.into(),
            port,
            protocol: ClientProtocol::Tcp,
            family: IpFamily::Any,
            payload: Payload::Pattern(64),
            count: 1,
            interval: Duration::ZERO,
            concurrency: 1,
            timeout: Duration::from_secs(5),
            udp_window: 32,
            print_replies: false,
            quiet: false,
        }
    }

    fn target(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    fn validate(&self) -> Result<(), EchoError> {
        let usage = |message: &str| Err(EchoError::Usage(message.into()));
        if self.payload.len() == 0 {
            return usage("the message must not be empty (-m TEXT, --size BYTES)");
        }
        if self.protocol == ClientProtocol::Udp && self.payload.len() > MAX_UDP_PAYLOAD {
            return usage("a UDP message can carry at most 65507 bytes (--size)");
        }
        if self.count == 0 {
            return usage("--count must be at least 1");
        }
        if self.concurrency == 0 {
            return usage("--concurrency must be at least 1");
        }
        if self.timeout.is_zero() {
            return usage("--timeout must be positive");
        }
        if self.udp_window == 0 {
            return usage("the UDP window must be at least 1");
        }
        Ok(())
    }
}

/// What a batch run measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientReport {
    /// Connections (or UDP sockets) used.
    pub connections: usize,
    /// Messages put on the wire.
    pub sent: u64,
    /// Echoes that came back (including mismatched ones).
    pub received: u64,
    /// Echoes that came back but differed from what was sent.
    pub mismatched: u64,
    /// Planned messages whose echo never came back (including any never sent
    /// because their connection failed first).
    pub lost: u64,
    /// UDP echoes that arrived after a later message's echo.
    pub reordered: u64,
    /// UDP echoes that arrived twice, or after being counted lost.
    pub duplicates: u64,
    /// Fastest round trip (zero if nothing came back).
    pub rtt_min: Duration,
    /// Median round trip.
    pub rtt_median: Duration,
    /// 99th-percentile round trip.
    pub rtt_p99: Duration,
    /// Slowest round trip.
    pub rtt_max: Duration,
    /// Echoed bytes received.
    pub bytes: u64,
    /// Wall time from the first message to the last echo or loss.
    pub elapsed: Duration,
    /// Local address of the first connection.
    pub local_addr: SocketAddr,
    /// Server address of the first connection.
    pub peer_addr: SocketAddr,
    /// Why connections stopped early, one line each.
    pub failures: Vec<String>,
}

impl ClientReport {
    /// Echoes received per second.
    pub fn messages_per_sec(&self) -> f64 {
        self.received as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Echoed megabytes (10^6 bytes) received per second.
    pub fn megabytes_per_sec(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// True when every echo came back intact.
    pub fn is_clean(&self) -> bool {
        self.lost == 0 && self.mismatched == 0
    }

    /// The error a command should exit with when the run was not clean.
    pub fn verification_error(&self) -> Option<EchoError> {
        if self.is_clean() {
            return None;
        }
        Some(EchoError::Verification {
            lost: self.lost,
            mismatched: self.mismatched,
            first_failure: self.failures.first().cloned(),
        })
    }
}

impl fmt::Display for ClientReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} -> {}: {} connection(s), sent {}, received {}, mismatched {}, lost {}, reordered {}, duplicates {}",
            self.local_addr,
            self.peer_addr,
            self.connections,
            self.sent,
            self.received,
            self.mismatched,
            self.lost,
            self.reordered,
            self.duplicates,
        )?;
        writeln!(
            f,
            "rtt min {} median {} p99 {} max {}",
            format_duration(self.rtt_min),
            format_duration(self.rtt_median),
            format_duration(self.rtt_p99),
            format_duration(self.rtt_max),
        )?;
        write!(
            f,
            "throughput {:.0} msg/s, {:.2} MB/s, {} bytes in {:.3} s",
            self.messages_per_sec(),
            self.megabytes_per_sec(),
            self.bytes,
            self.elapsed.as_secs_f64(),
        )?;
        for failure in &self.failures {
            write!(f, "\n{failure}")?;
        }
        Ok(())
    }
}

/// Runs a batch: `count` messages on each of `concurrency` connections,
/// every echo verified; replies (if asked) and the report go to `out`.
pub fn run_client(cfg: ClientConfig, out: &mut dyn Write) -> Result<ClientReport, EchoError> {
    cfg.validate()?;
    let addrs = resolve(&cfg)?;
    let report = match cfg.protocol {
        ClientProtocol::Tcp => run_tcp_batch(&cfg, &addrs, out)?,
        ClientProtocol::Udp => run_udp_batch(&cfg, &addrs, out)?,
    };
    writeln!(out, "{report}").map_err(|e| EchoError::io("writing the report", e))?;
    Ok(report)
}

/// Sends each line of `input` and prints its echo to `out` until EOF, then
/// half-closes (TCP) and prints whatever else the server sends.
pub fn run_interactive(
    cfg: ClientConfig,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), EchoError> {
    if cfg.timeout.is_zero() {
        return Err(EchoError::Usage("--timeout must be positive".into()));
    }
    let addrs = resolve(&cfg)?;
    match cfg.protocol {
        ClientProtocol::Tcp => interactive_tcp(&cfg, &addrs, input, out),
        ClientProtocol::Udp => interactive_udp(&cfg, &addrs, input, out),
    }
}

fn resolve(cfg: &ClientConfig) -> Result<Vec<SocketAddr>, EchoError> {
    // Accept "[::1]" as well as "::1": people copy addresses from URLs.
    let host = cfg.host.trim_start_matches('[').trim_end_matches(']');
    let all: Vec<SocketAddr> = (host, cfg.port)
        .to_socket_addrs()
        .map_err(|source| EchoError::Resolve {
            host: cfg.host.clone(),
            source,
        })?
        .collect();
    let wanted: Vec<SocketAddr> = all
        .iter()
        .copied()
        .filter(|addr| match cfg.family {
            IpFamily::Any => true,
            IpFamily::V4 => addr.is_ipv4(),
            IpFamily::V6 => addr.is_ipv6(),
        })
        .collect();
    if !wanted.is_empty() {
        return Ok(wanted);
    }
    if all.is_empty() {
        return Err(EchoError::Resolve {
            host: cfg.host.clone(),
            source: io::Error::new(io::ErrorKind::NotFound, "no addresses"),
        });
    }
    Err(EchoError::NoAddress {
        host: cfg.host.clone(),
        family: if cfg.family == IpFamily::V4 {
            "IPv4"
        } else {
            "IPv6"
        },
    })
}

/// Connects to the first address that accepts, reporting each failure.
fn connect_tcp(cfg: &ClientConfig, addrs: &[SocketAddr]) -> Result<TcpStream, EchoError> {
    let mut failures: Vec<(SocketAddr, io::Error)> = Vec::new();
    for &addr in addrs {
        match TcpStream::connect_timeout(&addr, cfg.timeout) {
            Ok(stream) => {
                if !cfg.quiet {
                    let local = stream
                        .local_addr()
                        .map_or_else(|_| "?".to_string(), |a| a.to_string());
                    eprintln!("connected to {addr} ({}) from {local} over tcp", cfg.host);
                }
                return Ok(stream);
            }
            Err(e) => {
                if !cfg.quiet && addrs.len() > 1 {
                    eprintln!("{addr}: {e}");
                }
                failures.push((addr, e));
            }
        }
    }
    let tried: Vec<SocketAddr> = failures.iter().map(|(addr, _)| *addr).collect();
    if failures
        .iter()
        .all(|(_, e)| e.kind() == io::ErrorKind::ConnectionRefused)
    {
        return Err(EchoError::ConnectionRefused {
            target: cfg.target(),
            tried,
        });
    }
    let (last_addr, last_error) = failures
        .pop()
        .expect("resolve returns at least one address, so one attempt failed");
    if matches!(
        last_error.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    ) {
        return Err(EchoError::Timeout {
            what: format!(
                "connecting to {} after {} ms",
                cfg.target(),
                cfg.timeout.as_millis()
            ),
        });
    }
    Err(connect_error(last_addr, last_error))
}

fn connect_error(addr: SocketAddr, error: io::Error) -> EchoError {
    let context = if error.kind() == io::ErrorKind::ConnectionReset {
        // The echo server resets connections it turns away at --max-clients.
        format!("connecting to {addr} (reset at once; the server may be full)")
    } else {
        format!("connecting to {addr}")
    };
    EchoError::io(context, error)
}

/// Opens a UDP socket connected to the first resolved address: UDP cannot
/// tell a live server from a dead one without sending, so there is no retry.
fn connect_udp(
    cfg: &ClientConfig,
    addrs: &[SocketAddr],
    announce: bool,
) -> Result<UdpSocket, EchoError> {
    let addr = addrs[0];
    let unspecified: SocketAddr = if addr.is_ipv4() {
        SocketAddr::from(([0, 0, 0, 0], 0))
    } else {
        SocketAddr::from(([0u16; 8], 0))
    };
    let socket = UdpSocket::bind(unspecified)
        .and_then(|socket| socket.connect(addr).map(|()| socket))
        .map_err(|e| EchoError::io(format!("opening a udp socket to {addr}"), e))?;
    if announce && !cfg.quiet {
        let local = socket
            .local_addr()
            .map_or_else(|_| "?".to_string(), |a| a.to_string());
        eprintln!("sending to {addr} ({}) from {local} over udp", cfg.host);
    }
    Ok(socket)
}

fn refused(cfg: &ClientConfig, addr: SocketAddr) -> EchoError {
    EchoError::ConnectionRefused {
        target: cfg.target(),
        tried: vec![addr],
    }
}

fn echo_timeout(cfg: &ClientConfig) -> EchoError {
    EchoError::Timeout {
        what: format!(
            "waiting {} ms for the echo from {}",
            cfg.timeout.as_millis(),
            cfg.target()
        ),
    }
}

/// Why one message's round trip did not complete.
enum ExchangeFailure {
    TimedOut,
    Closed,
    Io(io::Error),
}

/// Sends `message` and reads exactly as many bytes back, interleaving the
/// two so a message larger than the socket buffers cannot deadlock.
fn exchange(
    stream: &TcpStream,
    message: &[u8],
    timeout: Duration,
    buffer: &mut [u8],
    mut on_echo: impl FnMut(&[u8]) -> io::Result<()>,
) -> Result<(), ExchangeFailure> {
    let deadline = Instant::now() + timeout;
    let mut written = 0;
    let mut received = 0;
    let mut io_stream = stream;
    while received < message.len() {
        if written < message.len() {
            match io_stream.write(&message[written..]) {
                Ok(n) => written += n,
                Err(e) if retryable(&e) => {}
                Err(e) => return Err(ExchangeFailure::Io(e)),
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ExchangeFailure::TimedOut);
        }
        let ready = wait_ready(stream.as_raw_fd(), written < message.len(), left)
            .map_err(ExchangeFailure::Io)?;
        match ready {
            None => return Err(ExchangeFailure::TimedOut),
            Some(ready) if !ready.readable => continue,
            Some(_) => {}
        }
        // Never read past this message: anything after it is not ours to judge.
        let want = buffer.len().min(message.len() - received);
        match io_stream.read(&mut buffer[..want]) {
            Ok(0) => return Err(ExchangeFailure::Closed),
            Ok(n) => {
                on_echo(&buffer[..n]).map_err(ExchangeFailure::Io)?;
                received += n;
            }
            Err(e) if retryable(&e) => {}
            Err(e) => return Err(ExchangeFailure::Io(e)),
        }
    }
    Ok(())
}

fn retryable(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

/// What one batch connection counted.
#[derive(Default)]
struct Tally {
    sent: u64,
    received: u64,
    mismatched: u64,
    lost: u64,
    reordered: u64,
    duplicates: u64,
    bytes: u64,
    rtt_nanos: Vec<u64>,
    failure: Option<String>,
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

fn nanos_since(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// Runs one worker per socket (the first on this thread, so it may print
/// to `out`), then folds their tallies into a report.
fn run_workers<S: Sync>(
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

fn run_tcp_batch(
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
        eprintln!("opened {} connections to {peer}", cfg.concurrency);
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

fn run_udp_batch(
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

fn interactive_tcp(
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

fn interactive_udp(
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
                eprintln!("no echo within {} ms", cfg.timeout.as_millis());
            }
            Err(e) => return Err(EchoError::io(format!("receiving from {peer}"), e)),
        }
    }
}
