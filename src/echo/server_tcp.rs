//! The TCP side of the echo server: one accept thread per listener, one
//! thread per connection, and the limits that keep accept from ever being
//! blocked by clients that hold connections without using them: an idle
//! budget per connection, a cap per peer address, and eviction of the
//! idlest connection when the server is full.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::echo::net::{self, abort_on_close, normalize_addr};
use crate::echo::server::{CHUNK_SIZE, Connection, ConnectionState, STOP_POLL_INTERVAL, Shared};

/// Connection threads only hold small frames; the chunk buffer is on the heap.
const CONNECTION_STACK_SIZE: usize = 256 * 1024;

/// How far a socket timeout may be off the idle deadline before it is set
/// again: setting it before every read and write costs two system calls
/// per echo.
const TIMEOUT_SLACK: Duration = Duration::from_millis(50);

/// A socket timeout as last set, so it is set again only when it must be.
#[derive(Default)]
struct Armed(Option<Option<Duration>>);

impl Armed {
    /// True when the armed timeout is more than [`TIMEOUT_SLACK`] away from
    /// `wanted` (or nothing is armed yet).
    fn needs(&self, wanted: Option<Duration>) -> bool {
        match (self.0, wanted) {
            (Some(None), None) => false,
            (Some(Some(armed)), Some(wanted)) => armed.abs_diff(wanted) > TIMEOUT_SLACK,
            _ => true,
        }
    }
}

pub(crate) fn accept_loop(listener: TcpListener, listen_addr: SocketAddr, shared: Arc<Shared>) {
    // Nonblocking so the loop can look at the stop flag between connections.
    if let Err(e) = listener.set_nonblocking(true) {
        shared.log(format!(
            "tcp {listen_addr}: cannot make listener nonblocking: {e}"
        ));
        return;
    }
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
                    let id = shared.next_id.fetch_add(1, Ordering::Relaxed) + 1;
                    admit(stream, peer, listen_addr, id, &shared);
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

/// Why a new connection is turned away.
enum Refusal {
    /// The peer already holds `max_per_peer` connections.
    PerPeer(usize),
    /// The server is full and nobody has been idle long enough to evict.
    Full,
}

/// What admitting one more connection needs: a refusal, or room (made by
/// evicting the idlest connection if the server is full).
fn make_room(
    connections: &mut MutexGuard<'_, std::collections::HashMap<u64, Connection>>,
    peer: IpAddr,
    shared: &Shared,
) -> Result<Option<(SocketAddr, Duration)>, Refusal> {
    let live = || {
        connections
            .values()
            .filter(|c| !c.state.evicted.load(Ordering::Relaxed))
    };
    let from_peer = live().filter(|c| c.peer == peer).count();
    if from_peer >= shared.max_per_peer {
        return Err(Refusal::PerPeer(from_peer));
    }
    let in_use = live().count();
    // Evicted connections whose threads have not yet exited still hold a
    // descriptor and a thread: bound them too.
    if in_use < shared.max_clients {
        return Ok(None);
    }
    if connections.len() >= shared.max_clients.saturating_mul(2) {
        return Err(Refusal::Full);
    }
    let now = shared.now_nanos();
    let idlest = live().min_by_key(|c| c.state.last_progress.load(Ordering::Relaxed));
    let Some(idlest) = idlest else {
        return Err(Refusal::Full);
    };
    let idle = Duration::from_nanos(
        now.saturating_sub(idlest.state.last_progress.load(Ordering::Relaxed)),
    );
    if idle < shared.evict_idle_after {
        return Err(Refusal::Full);
    }
    idlest.state.evicted.store(true, Ordering::Relaxed);
    // Wakes its thread, which logs the eviction and deregisters itself.
    let _ = idlest.stream.shutdown(Shutdown::Both);
    let evicted_peer = idlest
        .stream
        .peer_addr()
        .map(normalize_addr)
        .unwrap_or(SocketAddr::new(idlest.peer, 0));
    Ok(Some((evicted_peer, idle)))
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
    let state = Arc::new(ConnectionState {
        last_progress: AtomicU64::new(shared.now_nanos()),
        evicted: AtomicBool::new(false),
    });
    let (active, evicted) = {
        let mut connections = shared.connections();
        match make_room(&mut connections, peer.ip(), shared) {
            Ok(evicted) => {
                connections.insert(
                    id,
                    Connection {
                        stream: registry_copy,
                        peer: peer.ip(),
                        state: Arc::clone(&state),
                    },
                );
                let active = connections
                    .values()
                    .filter(|c| !c.state.evicted.load(Ordering::Relaxed))
                    .count();
                (active, evicted)
            }
            Err(refusal) => {
                drop(connections);
                shared.counters.refused.fetch_add(1, Ordering::Relaxed);
                // A reset tells the client at once that it was turned away.
                let _ = abort_on_close(&stream);
                let why = match refusal {
                    Refusal::PerPeer(held) => {
                        shared
                            .counters
                            .refused_per_peer
                            .fetch_add(1, Ordering::Relaxed);
                        format!(
                            "{held} connections from {} already (max-per-peer)",
                            peer.ip()
                        )
                    }
                    Refusal::Full => format!(
                        "already serving {} clients, none idle for {} ms (max-clients)",
                        shared.max_clients,
                        shared.evict_idle_after.as_millis()
                    ),
                };
                shared.log(format!("tcp ({peer}, {local}) refused: {why}"));
                return;
            }
        }
    };
    if let Some((evicted_peer, idle)) = evicted {
        shared.counters.evicted.fetch_add(1, Ordering::Relaxed);
        shared.log(format!(
            "tcp ({evicted_peer}, {local}) evicted after {:.1} s without progress, to admit {peer} (max-clients)",
            idle.as_secs_f64()
        ));
    }
    shared.counters.accepted.fetch_add(1, Ordering::Relaxed);
    shared.log(format!("tcp ({peer}, {local}) accepted, {active} active"));
    let thread_shared = Arc::clone(shared);
    let spawned = thread::Builder::new()
        .name("echo-conn".into())
        .stack_size(CONNECTION_STACK_SIZE)
        .spawn(move || serve_connection(stream, peer, local, id, state, thread_shared));
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
    state: Arc<ConnectionState>,
    shared: Arc<Shared>,
) {
    let (echoed, ending) = match configure_client_socket(&stream) {
        Ok(()) => echo_stream(&stream, &state, &shared),
        Err(e) => (0, Ending::Failed(e)),
    };
    let reason = match &ending {
        _ if shared.stopping() => "server shutting down".to_string(),
        _ if state.evicted.load(Ordering::Relaxed) => {
            "evicted to admit a new client (max-clients)".to_string()
        }
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
            "idle timeout (no line or full chunk echoed within the idle budget)".to_string()
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

fn configure_client_socket(stream: &TcpStream) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    // Echo traffic is request/response; Nagle would only add latency.
    stream.set_nodelay(true)
}

/// The idle budget of one connection: it is refilled by progress (a line
/// completed, or a full chunk echoed since the last progress), never by a
/// mere read, so trickling bytes cannot hold a connection open.
struct Budget {
    length: Option<Duration>,
    deadline: Option<Instant>,
    since_progress: usize,
}

impl Budget {
    fn new(length: Option<Duration>) -> Self {
        Budget {
            length,
            deadline: length.map(|l| Instant::now() + l),
            since_progress: 0,
        }
    }

    /// Time left, `None` for no budget; `Some(ZERO)` once it ran out.
    fn left(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    fn exhausted(&self) -> bool {
        self.left().is_some_and(|left| left.is_zero())
    }

    /// Notes `chunk` as echoed; true if that was progress.
    fn echoed(&mut self, chunk: &[u8]) -> bool {
        self.since_progress += chunk.len();
        if !chunk.contains(&b'\n') && self.since_progress < CHUNK_SIZE {
            return false;
        }
        self.since_progress = 0;
        self.deadline = self.length.map(|l| Instant::now() + l);
        true
    }
}

fn echo_stream(stream: &TcpStream, state: &ConnectionState, shared: &Shared) -> (u64, Ending) {
    let mut buffer = vec![0u8; CHUNK_SIZE];
    let mut echoed: u64 = 0;
    let mut budget = Budget::new(shared.idle_timeout);
    let mut read_armed = Armed::default();
    let mut write_armed = Armed::default();
    let mut reader = stream;
    loop {
        let left = budget.left();
        if left.is_some_and(|left| left.is_zero()) {
            return (echoed, Ending::IdleTimeout);
        }
        // A read waits at most for what is left of the budget (within the slack).
        if read_armed.needs(left) {
            if let Err(e) = stream.set_read_timeout(left) {
                return (echoed, Ending::Failed(e));
            }
            read_armed = Armed(Some(left));
        }
        let n = match reader.read(&mut buffer) {
            Ok(0) => return (echoed, Ending::ClientClosed),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // Armed before progress moved the deadline on: not idle yet.
            Err(e) if is_timeout(&e) && !budget.exhausted() => continue,
            Err(e) if is_timeout(&e) => return (echoed, Ending::IdleTimeout),
            Err(e) => return (echoed, Ending::Failed(e)),
        };
        let chunk = &mut buffer[..n];
        if shared.upper {
            chunk.make_ascii_uppercase();
        }
        if let Err(ending) = write_echo(
            stream,
            &mut write_armed,
            chunk,
            &budget,
            shared.write_timeout,
        ) {
            return (echoed, ending);
        }
        echoed += n as u64;
        shared
            .counters
            .tcp_bytes
            .fetch_add(n as u64, Ordering::Relaxed);
        if budget.echoed(chunk) {
            state
                .last_progress
                .store(shared.now_nanos(), Ordering::Relaxed);
        }
    }
}

/// Writes `chunk` back. Each write waits at most `write_timeout` (a client
/// that stops reading) and never past the idle budget (one that reads a
/// byte at a time to hold the connection).
fn write_echo(
    stream: &TcpStream,
    armed: &mut Armed,
    chunk: &[u8],
    budget: &Budget,
    write_timeout: Duration,
) -> Result<(), Ending> {
    let mut writer = stream;
    let mut written = 0;
    while written < chunk.len() {
        let wait = match budget.left() {
            Some(left) if left.is_zero() => return Err(Ending::IdleTimeout),
            Some(left) => left.min(write_timeout),
            None => write_timeout,
        };
        if armed.needs(Some(wait)) {
            stream
                .set_write_timeout(Some(wait))
                .map_err(Ending::Failed)?;
            *armed = Armed(Some(Some(wait)));
        }
        match writer.write(&chunk[written..]) {
            Ok(0) => {
                return Err(Ending::Failed(io::Error::from(io::ErrorKind::WriteZero)));
            }
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => {
                return Err(if budget.exhausted() {
                    Ending::IdleTimeout
                } else {
                    Ending::WriteTimeout
                });
            }
            Err(e) => return Err(Ending::Failed(e)),
        }
    }
    Ok(())
}

pub(crate) fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
