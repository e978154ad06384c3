//! The echo server: binds TCP and/or UDP on one address, echoes in
//! background threads (one per TCP connection, one for UDP), and owns the
//! limits that keep a misbehaving client from hurting the others.

use std::collections::{HashMap, HashSet};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::echo::error::EchoError;
use crate::echo::net::{self, abort_on_close, normalize_addr};

/// Bytes read and echoed per system call; also the per-connection memory cap.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// How often background loops look at the stop flag.
const STOP_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Largest UDP payload there is; a smaller buffer would truncate datagrams.
const MAX_DATAGRAM: usize = 65_535;

/// Connection threads only hold small frames; the chunk buffer is on the heap.
const CONNECTION_STACK_SIZE: usize = 256 * 1024;

/// How long `shutdown` waits for connection threads to notice and exit.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Bound on remembered UDP peers, kept only to log each new one once.
const MAX_REMEMBERED_UDP_PEERS: usize = 4096;

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
    /// Transports to serve.
    pub protocols: ServerProtocols,
    /// Upper-case ASCII letters instead of echoing them verbatim.
    pub upper: bool,
    /// Connections beyond this many are refused (closed at once).
    pub max_clients: usize,
    /// A TCP client silent this long is disconnected; `None` never.
    pub idle_timeout: Option<Duration>,
    /// A TCP client that stops reading for this long is disconnected.
    pub write_timeout: Duration,
    /// Where log lines go.
    pub log: ServerLog,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([0u16; 8], 7007)),
            protocols: ServerProtocols::Tcp,
            upper: false,
            max_clients: 1024,
            idle_timeout: Some(Duration::from_secs(300)),
            write_timeout: Duration::from_secs(10),
            log: ServerLog::Stderr,
        }
    }
}

/// A snapshot of what the server has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerStats {
    /// TCP connections accepted and served.
    pub accepted: u64,
    /// TCP connections refused because of `max_clients`.
    pub refused: u64,
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
struct Counters {
    accepted: AtomicU64,
    refused: AtomicU64,
    idle_timeouts: AtomicU64,
    write_timeouts: AtomicU64,
    errors: AtomicU64,
    tcp_bytes: AtomicU64,
    udp_datagrams: AtomicU64,
    udp_bytes: AtomicU64,
}

/// State shared by the handle, the accept loop and every connection thread.
struct Shared {
    upper: bool,
    max_clients: usize,
    idle_timeout: Option<Duration>,
    write_timeout: Duration,
    log: ServerLog,
    stop: AtomicBool,
    /// Clones of live client sockets, so `shutdown` can wake blocked threads.
    connections: Mutex<HashMap<u64, TcpStream>>,
    connection_closed: Condvar,
    counters: Counters,
}

impl Shared {
    fn log(&self, line: String) {
        match &self.log {
            ServerLog::Stderr => eprintln!("{line}"),
            ServerLog::Silent => {}
            ServerLog::Memory(lines) => lines
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(line),
        }
    }

    fn connections(&self) -> MutexGuard<'_, HashMap<u64, TcpStream>> {
        // A panicking connection thread must not take the whole server down.
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// A running server; dropping it (or calling `shutdown`) stops it.
pub struct ServerHandle {
    tcp_addr: Option<SocketAddr>,
    udp_addr: Option<SocketAddr>,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl ServerHandle {
    /// The bound TCP address (with the real port), if TCP is served.
    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.tcp_addr
    }

    /// The bound UDP address (with the real port), if UDP is served.
    pub fn udp_addr(&self) -> Option<SocketAddr> {
        self.udp_addr
    }

    /// Counters of what the server has done so far.
    pub fn stats(&self) -> ServerStats {
        let c = &self.shared.counters;
        ServerStats {
            accepted: c.accepted.load(Ordering::Relaxed),
            refused: c.refused.load(Ordering::Relaxed),
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
        for stream in connections.values() {
            // Wakes the thread blocked in read or write; it then deregisters itself.
            let _ = stream.shutdown(Shutdown::Both);
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
    if cfg.write_timeout.is_zero() {
        return Err(EchoError::Usage("--write-timeout must be positive".into()));
    }
    if cfg.idle_timeout.is_some_and(|t| t.is_zero()) {
        return Err(EchoError::Usage(
            "idle timeout must be positive (or None for never)".into(),
        ));
    }
    let (listener, udp_socket) = bind_sockets(&cfg)?;
    let local = |result: io::Result<SocketAddr>, protocol| {
        result.map_err(|e| EchoError::io(format!("reading the bound {protocol} address"), e))
    };
    let tcp_addr = match &listener {
        Some(l) => Some(local(l.local_addr(), "tcp")?),
        None => None,
    };
    let udp_addr = match &udp_socket {
        Some(s) => Some(local(s.local_addr(), "udp")?),
        None => None,
    };
    let shared = Arc::new(Shared {
        upper: cfg.upper,
        max_clients: cfg.max_clients,
        idle_timeout: cfg.idle_timeout,
        write_timeout: cfg.write_timeout,
        log: cfg.log,
        stop: AtomicBool::new(false),
        connections: Mutex::new(HashMap::new()),
        connection_closed: Condvar::new(),
        counters: Counters::default(),
    });
    let mut handle = ServerHandle {
        tcp_addr,
        udp_addr,
        shared: Arc::clone(&shared),
        threads: Vec::new(),
    };
    if let (Some(listener), Some(addr)) = (listener, tcp_addr) {
        let shared = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name("echo-accept".into())
            .spawn(move || accept_loop(listener, addr, shared))
            .map_err(|e| EchoError::io("starting the tcp accept thread", e))?;
        handle.threads.push(thread);
    }
    if let (Some(socket), Some(addr)) = (udp_socket, udp_addr) {
        let shared = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name("echo-udp".into())
            .spawn(move || udp_loop(socket, addr, shared))
            .map_err(|e| EchoError::io("starting the udp thread", e))?;
        handle.threads.push(thread);
    }
    Ok(handle)
}

fn bind_sockets(cfg: &ServerConfig) -> Result<(Option<TcpListener>, Option<UdpSocket>), EchoError> {
    let bind_error = |protocol, addr, source| EchoError::Bind {
        protocol,
        addr,
        source,
    };
    if !cfg.protocols.tcp() {
        let socket =
            net::bind_udp_socket(cfg.listen).map_err(|e| bind_error("udp", cfg.listen, e))?;
        return Ok((None, Some(socket)));
    }
    // With port 0 and --both, the kernel picks the TCP port; the same UDP
    // port may be taken by someone else, so try a few fresh TCP ports.
    let attempts = if cfg.listen.port() == 0 && cfg.protocols.udp() {
        8
    } else {
        1
    };
    let mut last_error = None;
    for _ in 0..attempts {
        let listener = net::bind_tcp_listener(cfg.listen, 1024)
            .map_err(|e| bind_error("tcp", cfg.listen, e))?;
        if !cfg.protocols.udp() {
            return Ok((Some(listener), None));
        }
        let port = listener
            .local_addr()
            .map_err(|e| EchoError::io("reading the bound tcp address", e))?
            .port();
        let udp_addr = SocketAddr::new(cfg.listen.ip(), port);
        match net::bind_udp_socket(udp_addr) {
            Ok(socket) => return Ok((Some(listener), Some(socket))),
            Err(e) => last_error = Some(bind_error("udp", udp_addr, e)),
        }
    }
    Err(last_error.expect("the loop runs at least once and only falls through on a udp error"))
}

fn accept_loop(listener: TcpListener, listen_addr: SocketAddr, shared: Arc<Shared>) {
    // Nonblocking so the loop can look at the stop flag between connections.
    if let Err(e) = listener.set_nonblocking(true) {
        shared.log(format!(
            "tcp {listen_addr}: cannot make listener nonblocking: {e}"
        ));
        return;
    }
    let mut next_id: u64 = 0;
    while !shared.stopping() {
        match net::wait_ready(listener.as_raw_fd(), false, STOP_POLL_INTERVAL) {
            Ok(Some(_)) => {}
            Ok(None) => continue,
            Err(e) => {
                shared.log(format!("tcp {listen_addr}: poll failed: {e}"));
                thread::sleep(STOP_POLL_INTERVAL);
                continue;
            }
        }
        loop {
            match listener.accept() {
                Ok((stream, peer)) => {
                    next_id += 1;
                    admit(stream, peer, listen_addr, next_id, &shared);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning; the
                    // pending connection stays queued until descriptors free up.
                    shared.log(format!("tcp {listen_addr}: accept failed: {e}"));
                    thread::sleep(STOP_POLL_INTERVAL);
                    break;
                }
            }
        }
    }
}

fn admit(
    stream: TcpStream,
    peer: SocketAddr,
    listen_addr: SocketAddr,
    id: u64,
    shared: &Arc<Shared>,
) {
    let peer = normalize_addr(peer);
    let local = stream
        .local_addr()
        .map(normalize_addr)
        .unwrap_or(listen_addr);
    let registry_copy = match stream.try_clone() {
        Ok(copy) => copy,
        Err(e) => {
            shared.counters.errors.fetch_add(1, Ordering::Relaxed);
            shared.log(format!(
                "tcp ({peer}, {local}) dropped: cannot clone socket: {e}"
            ));
            return;
        }
    };
    let active = {
        let mut connections = shared.connections();
        if connections.len() >= shared.max_clients {
            drop(connections);
            shared.counters.refused.fetch_add(1, Ordering::Relaxed);
            // A reset tells the client at once that it was turned away.
            let _ = abort_on_close(&stream);
            shared.log(format!(
                "tcp ({peer}, {local}) refused: already serving {} clients (max-clients)",
                shared.max_clients
            ));
            return;
        }
        connections.insert(id, registry_copy);
        connections.len()
    };
    shared.counters.accepted.fetch_add(1, Ordering::Relaxed);
    shared.log(format!("tcp ({peer}, {local}) accepted, {active} active"));
    let thread_shared = Arc::clone(shared);
    let spawned = thread::Builder::new()
        .name("echo-conn".into())
        .stack_size(CONNECTION_STACK_SIZE)
        .spawn(move || serve_connection(stream, peer, local, id, thread_shared));
    if let Err(e) = spawned {
        forget_connection(shared, id);
        shared.counters.errors.fetch_add(1, Ordering::Relaxed);
        shared.log(format!(
            "tcp ({peer}, {local}) dropped: cannot start thread: {e}"
        ));
    }
}

fn forget_connection(shared: &Shared, id: u64) {
    shared.connections().remove(&id);
    shared.connection_closed.notify_all();
}

/// Why a TCP connection ended.
enum Ending {
    ClientClosed,
    IdleTimeout,
    WriteTimeout,
    Failed(io::Error),
}

fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    local: SocketAddr,
    id: u64,
    shared: Arc<Shared>,
) {
    let (echoed, ending) = match configure_client_socket(&stream, &shared) {
        Ok(()) => echo_stream(&stream, &shared),
        Err(e) => (0, Ending::Failed(e)),
    };
    let reason = match &ending {
        _ if shared.stopping() => "server shutting down".to_string(),
        Ending::ClientClosed => {
            // Every byte read has already been written back, so closing our
            // side now completes a half-close without losing the tail.
            let _ = stream.shutdown(Shutdown::Write);
            "client closed".to_string()
        }
        Ending::IdleTimeout => {
            shared
                .counters
                .idle_timeouts
                .fetch_add(1, Ordering::Relaxed);
            "idle timeout".to_string()
        }
        Ending::WriteTimeout => {
            shared
                .counters
                .write_timeouts
                .fetch_add(1, Ordering::Relaxed);
            "client stopped reading (write timeout)".to_string()
        }
        Ending::Failed(e) => {
            shared.counters.errors.fetch_add(1, Ordering::Relaxed);
            format!("error: {e}")
        }
    };
    shared.log(format!(
        "tcp ({peer}, {local}) closed: echoed {echoed} bytes, {reason}"
    ));
    drop(stream);
    forget_connection(&shared, id);
}

fn configure_client_socket(stream: &TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    // Echo traffic is request/response; Nagle would only add latency.
    stream.set_nodelay(true)?;
    stream.set_read_timeout(shared.idle_timeout)?;
    stream.set_write_timeout(Some(shared.write_timeout))
}

fn echo_stream(stream: &TcpStream, shared: &Shared) -> (u64, Ending) {
    let mut buffer = vec![0u8; CHUNK_SIZE];
    let mut echoed: u64 = 0;
    let mut reader = stream;
    let mut writer = stream;
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => return (echoed, Ending::ClientClosed),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if is_timeout(&e) => return (echoed, Ending::IdleTimeout),
            Err(e) => return (echoed, Ending::Failed(e)),
        };
        let chunk = &mut buffer[..n];
        if shared.upper {
            chunk.make_ascii_uppercase();
        }
        if let Err(e) = writer.write_all(chunk) {
            let ending = if is_timeout(&e) {
                Ending::WriteTimeout
            } else {
                Ending::Failed(e)
            };
            return (echoed, ending);
        }
        echoed += n as u64;
        shared
            .counters
            .tcp_bytes
            .fetch_add(n as u64, Ordering::Relaxed);
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn udp_loop(socket: UdpSocket, local: SocketAddr, shared: Arc<Shared>) {
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
