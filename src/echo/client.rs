//! The echo client: resolves and connects (trying each address in turn),
//! then either relays stdin lines interactively (`interactive.rs`) or runs
//! a verified batch of messages over one or more connections and reports
//! loss and latency (`batch.rs`, `batch_udp.rs`). This file holds the
//! configuration, the report, resolving, connecting and one TCP exchange.

use std::fmt;
use std::io::{self, BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use crate::echo::batch::run_tcp_batch;
use crate::echo::batch_udp::run_udp_batch;
use crate::echo::error::EchoError;
use crate::echo::escape::EscapingWriter;
use crate::echo::interactive::{interactive_tcp, interactive_udp};
use crate::echo::net::wait_ready;
use crate::echo::note;
use crate::echo::stats::format_duration;

/// Largest payload one UDP datagram can carry over IPv4.
pub const MAX_UDP_PAYLOAD: usize = 65_507;

/// Bytes of a pattern datagram that carry its sequence number.
pub(crate) const SEQUENCE_TAG_LEN: usize = 8;

/// Receive buffer size; a message larger than this arrives in several reads.
pub(crate) const RECEIVE_CHUNK: usize = 64 * 1024;

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
    pub(crate) fn len(&self) -> usize {
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
    /// Show the server's bytes with control characters escaped (`\xNN`),
    /// for a terminal; false writes them unchanged.
    pub escape_output: bool,
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
            escape_output: false,
        }
    }

    pub(crate) fn target(&self) -> String {
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
/// With `escape_output`, what reaches `out` is escaped for a terminal.
pub fn run_client(cfg: ClientConfig, out: &mut dyn Write) -> Result<ClientReport, EchoError> {
    cfg.validate()?;
    let addrs = resolve(&cfg)?;
    let mut escaping;
    let out: &mut dyn Write = if cfg.escape_output {
        escaping = EscapingWriter::new(out);
        &mut escaping
    } else {
        out
    };
    let report = match cfg.protocol {
        ClientProtocol::Tcp => run_tcp_batch(&cfg, &addrs, out)?,
        ClientProtocol::Udp => run_udp_batch(&cfg, &addrs, out)?,
    };
    writeln!(out, "{report}")
        .and_then(|()| out.flush())
        .map_err(|e| EchoError::io("writing the report", e))?;
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
    if !cfg.escape_output {
        return match cfg.protocol {
            ClientProtocol::Tcp => interactive_tcp(&cfg, &addrs, input, out),
            ClientProtocol::Udp => interactive_udp(&cfg, &addrs, input, out),
        };
    }
    let mut escaping = EscapingWriter::new(out);
    let result = match cfg.protocol {
        ClientProtocol::Tcp => interactive_tcp(&cfg, &addrs, input, &mut escaping),
        ClientProtocol::Udp => interactive_udp(&cfg, &addrs, input, &mut escaping),
    };
    // A character cut off by the end of the session is shown, not dropped.
    let finished = escaping
        .finish()
        .map_err(|e| EchoError::io("writing the echo", e));
    result.and(finished)
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
pub(crate) fn connect_tcp(
    cfg: &ClientConfig,
    addrs: &[SocketAddr],
) -> Result<TcpStream, EchoError> {
    let mut failures: Vec<(SocketAddr, io::Error)> = Vec::new();
    for &addr in addrs {
        match TcpStream::connect_timeout(&addr, cfg.timeout) {
            Ok(stream) => {
                if !cfg.quiet {
                    let local = stream
                        .local_addr()
                        .map_or_else(|_| "?".to_string(), |a| a.to_string());
                    note(format_args!(
                        "connected to {addr} ({}) from {local} over tcp",
                        cfg.host
                    ));
                }
                return Ok(stream);
            }
            Err(e) => {
                if !cfg.quiet && addrs.len() > 1 {
                    note(format_args!("{addr}: {e}"));
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

pub(crate) fn connect_error(addr: SocketAddr, error: io::Error) -> EchoError {
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
pub(crate) fn connect_udp(
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
        note(format_args!(
            "sending to {addr} ({}) from {local} over udp",
            cfg.host
        ));
    }
    Ok(socket)
}

pub(crate) fn refused(cfg: &ClientConfig, addr: SocketAddr) -> EchoError {
    EchoError::ConnectionRefused {
        target: cfg.target(),
        tried: vec![addr],
    }
}

pub(crate) fn echo_timeout(cfg: &ClientConfig) -> EchoError {
    EchoError::Timeout {
        what: format!(
            "waiting {} ms for the echo from {}",
            cfg.timeout.as_millis(),
            cfg.target()
        ),
    }
}

/// Why one message's round trip did not complete.
pub(crate) enum ExchangeFailure {
    TimedOut,
    Closed,
    Io(io::Error),
}

/// Sends `message` and reads exactly as many bytes back, interleaving the
/// two so a message larger than the socket buffers cannot deadlock.
pub(crate) fn exchange(
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

pub(crate) fn retryable(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}
