//! The lesson peers behind `wirepeek demo`: a client and a server written
//! the way the sockets lecture writes them (blocking calls, one connection,
//! the reader looping as `Rio_readn` does), every socket call recorded in a
//! [`CallLog`] so the demo can put each call beside the packets it caused.
//! Loopback only, one conversation, every wait bounded by a timeout. The
//! HTTP exchange is in `http.rs`; the recorded calls in `lesson_sock.rs`.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, UdpSocket};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::echo::calls::{CallKind, CallLog, Peer};
use crate::echo::error::EchoError;
use crate::echo::http;
use crate::echo::lesson_sock as sock;

/// The most bytes one lesson message may have: the client's receive buffer
/// is sized to hold a whole echo, so the server never blocks on it.
pub const MAX_LESSON_MESSAGE: usize = 1 << 20;

/// Largest UDP payload over IPv4.
const MAX_DATAGRAM: usize = 65_507;

/// The room each `read()` offers: the lecture's `RIO_BUFSIZE` is 8192, but
/// the demo offers 64 KiB, so a short count is the network's doing, not
/// the buffer's.
pub const READ_BUFFER: usize = 64 * 1024;

/// What the two peers say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LessonKind {
    /// The client writes each message and reads its echo back.
    Echo(Vec<Vec<u8>>),
    /// `GET /index.html HTTP/1.0` and a small fixed page (TCP only).
    Http,
}

/// How the lesson runs.
#[derive(Debug, Clone)]
pub struct LessonConfig {
    /// The server's address; port 0 picks a free one. Must be loopback.
    pub server: SocketAddr,
    /// UDP instead of TCP (echo only).
    pub udp: bool,
    pub kind: LessonKind,
    /// TCP_MAXSEG on the client's socket before connect(): the MSS it
    /// announces, so the server's segments are no larger either.
    pub client_maxseg: Option<usize>,
    /// SO_RCVBUF on the server's socket before listen(): a small window
    /// makes a large message arrive over several segments and round trips.
    pub server_rcvbuf: Option<usize>,
    /// Pause between messages.
    pub interval: Duration,
    /// Bound on each blocking call.
    pub timeout: Duration,
}

/// A server that is listening (or bound, for UDP) and serving in a thread.
pub struct LessonServer {
    addr: SocketAddr,
    thread: JoinHandle<Result<(), EchoError>>,
}

impl LessonServer {
    /// Where the client should go.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Wait for the server to finish its one conversation.
    pub fn join(self) -> Result<(), EchoError> {
        self.thread.join().unwrap_or_else(|_| {
            Err(EchoError::io(
                "running the lesson server",
                io::Error::other("the server thread panicked"),
            ))
        })
    }
}

fn check(cfg: &LessonConfig) -> Result<(), EchoError> {
    if !cfg.server.ip().is_loopback() {
        return Err(EchoError::Usage(
            "the lesson peers talk on loopback only".into(),
        ));
    }
    if let LessonKind::Echo(messages) = &cfg.kind {
        let limit = if cfg.udp {
            MAX_DATAGRAM
        } else {
            MAX_LESSON_MESSAGE
        };
        if messages.is_empty() || messages.iter().any(|m| m.is_empty() || m.len() > limit) {
            return Err(EchoError::Usage(format!(
                "each lesson message must have 1 to {limit} bytes"
            )));
        }
    } else if cfg.udp {
        return Err(EchoError::Usage("the HTTP lesson runs over TCP".into()));
    }
    Ok(())
}

/// Open the server's socket (`socket`, `bind`, and for TCP `listen`), then
/// serve one conversation in a thread.
pub fn start_lesson_server(cfg: &LessonConfig, log: &CallLog) -> Result<LessonServer, EchoError> {
    check(cfg)?;
    let io = |what: &str| {
        let what = what.to_string();
        move |e| EchoError::io(format!("lesson server: {what}"), e)
    };
    let peer = Peer::Server;
    let kind = if cfg.udp {
        libc::SOCK_DGRAM
    } else {
        libc::SOCK_STREAM
    };
    let fd = sock::socket(log, peer, cfg.server, kind).map_err(io("socket()"))?;
    if let Some(bytes) = cfg.server_rcvbuf {
        sock::set_int(&fd, libc::SOL_SOCKET, libc::SO_RCVBUF, bytes).map_err(io("SO_RCVBUF"))?;
    }
    sock::set_timeouts(&fd, cfg.timeout).map_err(io("timeouts"))?;
    sock::bind(log, peer, &fd, cfg.server).map_err(io("bind()"))?;
    let (log, cfg) = (log.clone(), cfg.clone());
    if cfg.udp {
        let socket = UdpSocket::from(fd);
        let addr = socket.local_addr().map_err(io("getsockname"))?;
        let thread = thread::spawn(move || udp_server(&cfg, &log, socket));
        return Ok(LessonServer { addr, thread });
    }
    let listener = sock::listen(&log, peer, fd).map_err(io("listen()"))?;
    let addr = listener.local_addr().map_err(io("getsockname"))?;
    let thread = thread::spawn(move || {
        let stream = sock::accept(&log, peer, &listener, cfg.timeout)
            .map_err(|e| EchoError::io("lesson server: accept()", e))?;
        drop(listener);
        // As the client does: no Nagle delay on the echo's last piece.
        stream
            .set_nodelay(true)
            .map_err(|e| EchoError::io("lesson server: TCP_NODELAY", e))?;
        serve(&cfg, &log, stream)
    });
    Ok(LessonServer { addr, thread })
}

fn serve(cfg: &LessonConfig, log: &CallLog, stream: TcpStream) -> Result<(), EchoError> {
    let peer = Peer::Server;
    let err = |what: &'static str| move |e| EchoError::io(format!("lesson server: {what}"), e);
    match &cfg.kind {
        LessonKind::Echo(_) => {
            // The lecture's echo(): read what has come, write it back,
            // until read() returns 0 (the client's FIN).
            let mut buffer = vec![0u8; READ_BUFFER];
            loop {
                let n = read(log, peer, &stream, &mut buffer).map_err(err("read()"))?;
                if n == 0 {
                    break;
                }
                write_all(log, peer, &stream, &buffer[..n]).map_err(err("write()"))?;
            }
        }
        LessonKind::Http => {
            http::serve(log, peer, &stream, cfg.timeout).map_err(err("HTTP"))?;
        }
    }
    close(log, peer, stream);
    Ok(())
}

fn udp_server(cfg: &LessonConfig, log: &CallLog, socket: UdpSocket) -> Result<(), EchoError> {
    let peer = Peer::Server;
    let LessonKind::Echo(messages) = &cfg.kind else {
        return Ok(());
    };
    let mut buffer = vec![0u8; 65_535];
    for _ in messages {
        let asked = buffer.len();
        let (n, from) = log
            .time(
                peer,
                CallKind::RecvFrom,
                Some(asked),
                || socket.recv_from(&mut buffer),
                |(n, from)| (Some(*n), Some(*from)),
            )
            .map_err(|e| EchoError::io("lesson server: recvfrom()", e))?;
        let datagram = &buffer[..n];
        log.time(
            peer,
            CallKind::SendTo,
            Some(n),
            || socket.send_to(datagram, from),
            |sent| (Some(*sent), Some(from)),
        )
        .map_err(|e| EchoError::io("lesson server: sendto()", e))?;
    }
    close(log, peer, socket);
    Ok(())
}

/// Run the client's side of the lesson against `server`.
pub fn run_lesson_client(
    cfg: &LessonConfig,
    server: SocketAddr,
    log: &CallLog,
) -> Result<(), EchoError> {
    check(cfg)?;
    if !server.ip().is_loopback() {
        return Err(EchoError::Usage(
            "the lesson peers talk on loopback only".into(),
        ));
    }
    let peer = Peer::Client;
    let err = |what: &'static str| move |e| EchoError::io(format!("lesson client: {what}"), e);
    let kind = if cfg.udp {
        libc::SOCK_DGRAM
    } else {
        libc::SOCK_STREAM
    };
    let fd = sock::socket(log, peer, server, kind).map_err(err("socket()"))?;
    sock::set_timeouts(&fd, cfg.timeout).map_err(err("timeouts"))?;
    if cfg.udp {
        return udp_client(cfg, log, UdpSocket::from(fd), server);
    }
    if let Some(mss) = cfg.client_maxseg {
        sock::set_int(&fd, libc::IPPROTO_TCP, libc::TCP_MAXSEG, mss).map_err(err("TCP_MAXSEG"))?;
    }
    // Room for a whole large echo, so the server never waits for the
    // client (short messages keep the kernel's default window).
    if let LessonKind::Echo(messages) = &cfg.kind
        && messages.iter().any(|m| m.len() > READ_BUFFER)
    {
        sock::set_int(&fd, libc::SOL_SOCKET, libc::SO_RCVBUF, MAX_LESSON_MESSAGE)
            .map_err(err("SO_RCVBUF"))?;
    }
    let stream = sock::connect(log, peer, fd, server).map_err(err("connect()"))?;
    stream.set_nodelay(true).map_err(err("TCP_NODELAY"))?;
    match &cfg.kind {
        LessonKind::Echo(messages) => {
            let mut buffer = vec![0u8; READ_BUFFER];
            for (i, message) in messages.iter().enumerate() {
                if i > 0 {
                    thread::sleep(cfg.interval);
                }
                write_all(log, peer, &stream, message).map_err(err("write()"))?;
                // Rio_readn: read() until the whole echo is in, as TCP may
                // hand it over in pieces.
                let mut got = 0;
                while got < message.len() {
                    let want = (message.len() - got).min(buffer.len());
                    let n = read(log, peer, &stream, &mut buffer[..want]).map_err(err("read()"))?;
                    if n == 0 {
                        return Err(EchoError::io(
                            "lesson client: read()",
                            io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed early"),
                        ));
                    }
                    got += n;
                }
            }
            log.time(
                peer,
                CallKind::Shutdown,
                None,
                || stream.shutdown(Shutdown::Write),
                |()| (None, None),
            )
            .map_err(err("shutdown()"))?;
            // Wait for the server's FIN: read() returns 0.
            read(log, peer, &stream, &mut buffer).map_err(err("read()"))?;
        }
        LessonKind::Http => {
            http::fetch(log, peer, &stream, cfg.timeout).map_err(err("HTTP"))?;
        }
    }
    close(log, peer, stream);
    Ok(())
}

fn udp_client(
    cfg: &LessonConfig,
    log: &CallLog,
    socket: UdpSocket,
    server: SocketAddr,
) -> Result<(), EchoError> {
    let peer = Peer::Client;
    let LessonKind::Echo(messages) = &cfg.kind else {
        return Ok(());
    };
    let mut buffer = vec![0u8; 65_535];
    for (i, message) in messages.iter().enumerate() {
        if i > 0 {
            thread::sleep(cfg.interval);
        }
        log.time(
            peer,
            CallKind::SendTo,
            Some(message.len()),
            || socket.send_to(message, server),
            |n| (Some(*n), Some(server)),
        )
        .map_err(|e| EchoError::io("lesson client: sendto()", e))?;
        let asked = buffer.len();
        log.time(
            peer,
            CallKind::RecvFrom,
            Some(asked),
            || socket.recv_from(&mut buffer),
            |(n, from)| (Some(*n), Some(*from)),
        )
        .map_err(|e| EchoError::io("lesson client: recvfrom()", e))?;
    }
    close(log, peer, socket);
    Ok(())
}

/// One `read()`, recorded with the room offered and the count returned.
pub(crate) fn read(
    log: &CallLog,
    peer: Peer,
    mut stream: &TcpStream,
    buffer: &mut [u8],
) -> io::Result<usize> {
    let asked = buffer.len();
    log.time(
        peer,
        CallKind::Read,
        Some(asked),
        || stream.read(buffer),
        |n| (Some(*n), None),
    )
}

/// `Rio_writen`: write() until every byte is taken, each call recorded.
pub(crate) fn write_all(
    log: &CallLog,
    peer: Peer,
    mut stream: &TcpStream,
    bytes: &[u8],
) -> io::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut done = 0;
    while done < bytes.len() {
        let rest = &bytes[done..];
        let n = log.time(
            peer,
            CallKind::Write,
            Some(rest.len()),
            || stream.write(rest),
            |n| (Some(*n), None),
        )?;
        if n == 0 || Instant::now() > deadline {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "the peer stopped taking bytes",
            ));
        }
        done += n;
    }
    Ok(())
}

/// `close()`, recorded: drops the socket inside the timed call.
pub(crate) fn close<T>(log: &CallLog, peer: Peer, socket: T) {
    let _ = log.time(
        peer,
        CallKind::Close,
        None,
        move || {
            drop(socket);
            Ok(())
        },
        |()| (None, None),
    );
}
