//! The echo server: binds TCP and/or UDP on one or more addresses, echoes
//! in background threads (one accept thread per TCP listener, one per TCP
//! connection, one per UDP socket), and owns the limits that keep a
//! misbehaving client from hurting the others. The TCP side is in
//! `server_tcp.rs`, the UDP side in `server_udp.rs`.

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::echo::error::EchoError;
use crate::echo::net;
use crate::echo::server_tcp::accept_loop;
use crate::echo::server_udp::udp_loop;

/// Bytes read and echoed per system call; also the per-connection memory cap.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// How often background loops look at the stop flag.
pub(crate) const STOP_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// How long `shutdown` waits for connection threads to notice and exit.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The default port of `wirepeek echo server`.
pub const DEFAULT_PORT: u16 = 7007;

/// Which transports the server listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerProtocols {
    /// TCP only.
    Tcp,
    /// UDP only.
    Udp,
    /// TCP and UDP on the same port.
    Both,
}

impl ServerProtocols {
    fn tcp(self) -> bool {
        matches!(self, ServerProtocols::Tcp | ServerProtocols::Both)
    }

    fn udp(self) -> bool {
        matches!(self, ServerProtocols::Udp | ServerProtocols::Both)
    }
}

/// Where the server's per-connection log lines go.
#[derive(Debug, Clone, Default)]
pub enum ServerLog {
    /// One line per event on standard error.
    #[default]
    Stderr,
    /// Nothing is logged.
    Silent,
    /// Lines are appended to a shared vector (for tests; grows without bound).
    Memory(Arc<Mutex<Vec<String>>>),
}

/// Everything the server needs to know before it starts.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind; an IPv6 address is bound dual-stack.
    pub listen: SocketAddr,
    /// More addresses to serve the same way, in order (the command line's
    /// default adds `[::1]` beside `127.0.0.1`). A port of 0 here means the
    /// port `listen` got. An address whose family this host lacks (IPv6
    /// turned off) is skipped with a log line; any other bind error fails.
    pub also_listen: Vec<SocketAddr>,
    /// Transports to serve.
    pub protocols: ServerProtocols,
    /// Upper-case ASCII letters instead of echoing them verbatim.
    pub upper: bool,
    /// At this many connections a new one evicts the idlest connection
    /// (if it has been idle for `evict_idle_after`); else it is refused.
    pub max_clients: usize,
    /// Connections from one IP address beyond this many are refused.
    pub max_per_peer: usize,
    /// The idle budget: a TCP connection that neither completes a line (a
    /// newline echoed) nor echoes [`CHUNK_SIZE`] bytes within this long is
    /// disconnected, however many single bytes trickle in; `None` never.
    pub idle_timeout: Option<Duration>,
    /// A TCP client that stops reading for this long is disconnected.
    pub write_timeout: Duration,
    /// A full server evicts only a connection idle at least this long.
    pub evict_idle_after: Duration,
    /// Where log lines go.
    pub log: ServerLog,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)),
            also_listen: Vec::new(),
            protocols: ServerProtocols::Tcp,
            upper: false,
            max_clients: 1024,
            max_per_peer: 256,
            idle_timeout: Some(Duration::from_secs(300)),
            write_timeout: Duration::from_secs(10),
            evict_idle_after: Duration::from_secs(2),
            log: ServerLog::Stderr,
        }
    }
}

/// A snapshot of what the server has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerStats {
    /// TCP connections accepted and served.
    pub accepted: u64,
    /// TCP connections refused: the server was full with nobody idle
    /// enough to evict, or the peer was at `max_per_peer`.
    pub refused: u64,
    /// Of `refused`, those refused because of `max_per_peer`.
    pub refused_per_peer: u64,
    /// TCP connections closed to make room for a new one (the idlest).
    pub evicted: u64,
    /// TCP connections open right now.
    pub active: u64,
    /// TCP connections dropped for being idle.
    pub idle_timeouts: u64,
    /// TCP connections dropped because the client stopped reading.
    pub write_timeouts: u64,
    /// TCP connections that ended with an error such as a reset.
    pub errors: u64,
    /// Bytes echoed over TCP.
    pub tcp_bytes: u64,
    /// Datagrams echoed over UDP.
    pub udp_datagrams: u64,
    /// Bytes echoed over UDP.
    pub udp_bytes: u64,
}

#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) accepted: AtomicU64,
    pub(crate) refused: AtomicU64,
    pub(crate) refused_per_peer: AtomicU64,
    pub(crate) evicted: AtomicU64,
    pub(crate) idle_timeouts: AtomicU64,
    pub(crate) write_timeouts: AtomicU64,
    pub(crate) errors: AtomicU64,
    pub(crate) tcp_bytes: AtomicU64,
    pub(crate) udp_datagrams: AtomicU64,
    pub(crate) udp_bytes: AtomicU64,
}

/// What the registry knows of one live TCP connection.
pub(crate) struct Connection {
    /// A clone of the client socket, so `shutdown` and eviction can wake
    /// the thread blocked in read or write.
    pub(crate) stream: TcpStream,
    /// The peer's address (IPv4-mapped addresses normalised), for the cap.
    pub(crate) peer: IpAddr,
    /// Shared with the connection's thread.
    pub(crate) state: Arc<ConnectionState>,
}

/// What a connection's thread and the accept thread both look at.
pub(crate) struct ConnectionState {
    /// Nanoseconds after server start of the last progress (accept, a
    /// completed line, or a full chunk echoed): the eviction order.
    pub(crate) last_progress: AtomicU64,
    /// Set when the accept thread closed this connection to admit another.
    pub(crate) evicted: AtomicBool,
}

/// State shared by the handle, the accept loops and every connection thread.
pub(crate) struct Shared {
    pub(crate) upper: bool,
    pub(crate) max_clients: usize,
    pub(crate) max_per_peer: usize,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) write_timeout: Duration,
    pub(crate) evict_idle_after: Duration,
    log: ServerLog,
    stop: AtomicBool,
    /// What `last_progress` counts from.
    pub(crate) started: Instant,
    pub(crate) next_id: AtomicU64,
    connections: Mutex<HashMap<u64, Connection>>,
    pub(crate) connection_closed: Condvar,
    pub(crate) counters: Counters,
}

impl Shared {
    /// Logs one line. Writing to standard error never fails the server: a
    /// closed or full stderr (`echo server 2>&1 | head`) loses the line only.
    pub(crate) fn log(&self, line: String) {
        match &self.log {
            ServerLog::Stderr => {
                let _ = writeln!(io::stderr().lock(), "{line}");
            }
            ServerLog::Silent => {}
            ServerLog::Memory(lines) => lines
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(line),
        }
    }

    pub(crate) fn connections(&self) -> MutexGuard<'_, HashMap<u64, Connection>> {
        // A panicking connection thread must not take the whole server down.
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Nanoseconds since the server started, the clock of `last_progress`.
    pub(crate) fn now_nanos(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

/// A running server; dropping it (or calling `shutdown`) stops it.
pub struct ServerHandle {
    tcp_addrs: Vec<SocketAddr>,
    udp_addrs: Vec<SocketAddr>,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl ServerHandle {
    /// The first bound TCP address (with the real port), if TCP is served.
    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.tcp_addrs.first().copied()
    }

    /// The first bound UDP address (with the real port), if UDP is served.
    pub fn udp_addr(&self) -> Option<SocketAddr> {
        self.udp_addrs.first().copied()
    }

    /// Every bound TCP address, in the order configured.
    pub fn tcp_addrs(&self) -> &[SocketAddr] {
        &self.tcp_addrs
    }

    /// Every bound UDP address, in the order configured.
    pub fn udp_addrs(&self) -> &[SocketAddr] {
        &self.udp_addrs
    }

    /// Counters of what the server has done so far.
    pub fn stats(&self) -> ServerStats {
        let c = &self.shared.counters;
        ServerStats {
            accepted: c.accepted.load(Ordering::Relaxed),
            refused: c.refused.load(Ordering::Relaxed),
            refused_per_peer: c.refused_per_peer.load(Ordering::Relaxed),
            evicted: c.evicted.load(Ordering::Relaxed),
            active: self.shared.connections().len() as u64,
            idle_timeouts: c.idle_timeouts.load(Ordering::Relaxed),
            write_timeouts: c.write_timeouts.load(Ordering::Relaxed),
            errors: c.errors.load(Ordering::Relaxed),
            tcp_bytes: c.tcp_bytes.load(Ordering::Relaxed),
            udp_datagrams: c.udp_datagrams.load(Ordering::Relaxed),
            udp_bytes: c.udp_bytes.load(Ordering::Relaxed),
        }
    }

    /// Stops accepting, disconnects every client and joins the threads.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for thread in self.threads.drain(..) {
            // A panicked loop has nothing left to clean up; keep stopping the rest.
            let _ = thread.join();
        }
        let mut connections = self.shared.connections();
        for connection in connections.values() {
            // Wakes the thread blocked in read or write; it then deregisters itself.
            let _ = connection.stream.shutdown(Shutdown::Both);
        }
        let deadline = Instant::now() + SHUTDOWN_GRACE;
        while !connections.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            connections = self
                .shared
                .connection_closed
                .wait_timeout(connections, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Binds the configured sockets and starts serving in background threads.
pub fn start_server(cfg: ServerConfig) -> Result<ServerHandle, EchoError> {
    if cfg.max_clients == 0 {
        return Err(EchoError::Usage("--max-clients must be at least 1".into()));
    }
    if cfg.max_per_peer == 0 {
        return Err(EchoError::Usage("--max-per-peer must be at least 1".into()));
    }
    if cfg.write_timeout.is_zero() {
        return Err(EchoError::Usage("--write-timeout must be positive".into()));
    }
    if cfg.idle_timeout.is_some_and(|t| t.is_zero()) {
        return Err(EchoError::Usage(
            "idle timeout must be positive (or None for never)".into(),
        ));
    }
    let bound = bind_sockets(&cfg)?;
    let shared = Arc::new(Shared {
        upper: cfg.upper,
        max_clients: cfg.max_clients,
        max_per_peer: cfg.max_per_peer,
        idle_timeout: cfg.idle_timeout,
        write_timeout: cfg.write_timeout,
        evict_idle_after: cfg.evict_idle_after,
        log: cfg.log,
        stop: AtomicBool::new(false),
        started: Instant::now(),
        next_id: AtomicU64::new(0),
        connections: Mutex::new(HashMap::new()),
        connection_closed: Condvar::new(),
        counters: Counters::default(),
    });
    for line in bound.skipped {
        shared.log(line);
    }
    let mut handle = ServerHandle {
        tcp_addrs: bound.tcp.iter().map(|(_, addr)| *addr).collect(),
        udp_addrs: bound.udp.iter().map(|(_, addr)| *addr).collect(),
        shared: Arc::clone(&shared),
        threads: Vec::new(),
    };
    for (listener, addr) in bound.tcp {
        let shared = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name("echo-accept".into())
            .spawn(move || accept_loop(listener, addr, shared))
            .map_err(|e| EchoError::io("starting a tcp accept thread", e))?;
        handle.threads.push(thread);
    }
    for (socket, addr) in bound.udp {
        let shared = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name("echo-udp".into())
            .spawn(move || udp_loop(socket, addr, shared))
            .map_err(|e| EchoError::io("starting a udp thread", e))?;
        handle.threads.push(thread);
    }
    Ok(handle)
}

/// The sockets a configuration asked for, with their real addresses.
struct Bound {
    tcp: Vec<(TcpListener, SocketAddr)>,
    udp: Vec<(UdpSocket, SocketAddr)>,
    /// One log line per extra address skipped because the host lacks its family.
    skipped: Vec<String>,
}

/// A bind failure, and whether trying again with a fresh port may help.
struct BindFailure {
    error: EchoError,
    retry: bool,
}

fn bind_sockets(cfg: &ServerConfig) -> Result<Bound, EchoError> {
    // With port 0 the kernel picks the first socket's port; the others must
    // get the same port, which someone else may hold: try a few fresh ports.
    let sockets_per_address = usize::from(cfg.protocols.tcp()) + usize::from(cfg.protocols.udp());
    let several = sockets_per_address * (1 + cfg.also_listen.len()) > 1;
    let attempts = if cfg.listen.port() == 0 && several {
        8
    } else {
        1
    };
    let mut last_error = None;
    for _ in 0..attempts {
        match try_bind_all(cfg) {
            Ok(bound) => return Ok(bound),
            Err(failure) if failure.retry => last_error = Some(failure.error),
            Err(failure) => return Err(failure.error),
        }
    }
    Err(last_error.expect("the loop runs at least once and only falls through on a retry"))
}

fn try_bind_all(cfg: &ServerConfig) -> Result<Bound, BindFailure> {
    let mut bound = Bound {
        tcp: Vec::new(),
        udp: Vec::new(),
        skipped: Vec::new(),
    };
    let mut port = cfg.listen.port();
    let addresses = std::iter::once(cfg.listen).chain(cfg.also_listen.iter().copied());
    for (position, mut addr) in addresses.enumerate() {
        if addr.port() == 0 {
            addr.set_port(port);
        }
        let mut tcp = None;
        let mut udp = None;
        let mut failure = None;
        if cfg.protocols.tcp() {
            match net::bind_tcp_listener(addr, 1024).and_then(|l| Ok((l.local_addr()?, l))) {
                Ok((local, listener)) => {
                    addr = local;
                    tcp = Some((listener, local));
                }
                Err(e) => failure = Some(("tcp", e)),
            }
        }
        if cfg.protocols.udp() && failure.is_none() {
            match net::bind_udp_socket(addr).and_then(|s| Ok((s.local_addr()?, s))) {
                Ok((local, socket)) => {
                    addr = local;
                    udp = Some((socket, local));
                }
                Err(e) => failure = Some(("udp", e)),
            }
        }
        if let Some((protocol, source)) = failure {
            let family_missing = source.kind() == io::ErrorKind::AddrNotAvailable
                || source.raw_os_error() == Some(libc::EAFNOSUPPORT);
            if position > 0 && family_missing {
                bound
                    .skipped
                    .push(format!("not listening on {protocol} {addr}: {source}"));
                continue;
            }
            let chosen_port = cfg.listen.port() == 0 && (position > 0 || protocol == "udp");
            return Err(BindFailure {
                retry: chosen_port && source.kind() == io::ErrorKind::AddrInUse,
                error: EchoError::Bind {
                    protocol,
                    addr,
                    source,
                },
            });
        }
        if position == 0 {
            port = addr.port();
        }
        bound.tcp.extend(tcp);
        bound.udp.extend(udp);
    }
    Ok(bound)
}
