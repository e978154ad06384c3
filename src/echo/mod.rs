//! The built-in echo server and client (`wirepeek echo ...`): a test peer
//! for generating and inspecting traffic. This module owns the command-line
//! surface and dispatch; it knows nothing of packet capture.

mod batch;
mod batch_udp;
mod calls;
mod client;
mod error;
pub mod escape;
mod http;
mod interactive;
mod lesson;
mod lesson_sock;
mod net;
mod server;
mod server_tcp;
mod server_udp;
mod signals;
mod stats;

use std::io::{self, IsTerminal, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::Ordering;
use std::thread;
use std::time::Duration;

pub use calls::{Call, CallKind, CallLog, DEFAULT_CALL_CAPACITY, Peer, now_ns};
pub use client::{
    ClientConfig, ClientProtocol, ClientReport, IpFamily, MAX_UDP_PAYLOAD, Payload, run_client,
    run_interactive,
};
pub use error::EchoError;
pub use http::{HTTP_BODY, HTTP_REQUEST, http_response};
pub use lesson::{
    LessonConfig, LessonKind, LessonServer, MAX_LESSON_MESSAGE, READ_BUFFER, run_lesson_client,
    start_lesson_server,
};
pub use net::{abort_on_close, normalize_addr};
pub use server::{
    CHUNK_SIZE, DEFAULT_PORT, ServerConfig, ServerHandle, ServerLog, ServerProtocols, ServerStats,
    start_server,
};
pub use stats::{RttSummary, XorShift64, format_duration};

/// How often the foreground server checks whether a signal asked it to stop.
const SIGNAL_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// `wirepeek echo` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum EchoCommand {
    /// Run an echo server (TCP by default) until SIGINT/SIGTERM.
    Server(ServerArgs),
    /// Talk to an echo server: interactively, or as a verified batch.
    Client(ClientArgs),
}

/// Flags of `wirepeek echo server`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// Serve TCP only (the default).
    #[arg(long, group = "transport")]
    pub tcp: bool,
    /// Serve UDP only.
    #[arg(long, group = "transport")]
    pub udp: bool,
    /// Serve TCP and UDP on the same port.
    #[arg(long, group = "transport")]
    pub both: bool,
    /// Address to listen on, repeatable. Default: loopback only, 127.0.0.1:7007 and [::1]:7007.
    /// To serve other hosts give an address: -l [::]:7007 is every interface, IPv4 included
    /// (IPv6 addresses are dual-stack). A bare port means both loopback addresses on that
    /// port; port 0 picks a free port.
    #[arg(short = 'l', long = "listen", value_name = "ADDR:PORT", value_parser = parse_listen_addr, verbatim_doc_comment)]
    pub listen: Vec<ListenSpec>,
    /// Upper-case ASCII letters in the echo.
    #[arg(long)]
    pub upper: bool,
    /// At this many clients, a new one evicts the connection idle longest (idle 2 s or more);
    /// if none is, the new one is refused.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_clients: usize,
    /// Refuse connections beyond this many from one IP address.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_per_peer: usize,
    /// Idle budget: disconnect TCP clients that do not complete a line (a newline echoed) or
    /// get 64 KiB echoed within SECS; single bytes trickling in do not count (0: never).
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub idle_timeout: u64,
    /// Disconnect TCP clients that stop reading their echo for this long.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub write_timeout: u64,
    /// Do not log connections to standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Flags of `wirepeek echo client`.
#[derive(Debug, Clone, clap::Args)]
pub struct ClientArgs {
    /// Server host name, IPv4 or IPv6 address.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Use UDP instead of TCP.
    #[arg(long)]
    pub udp: bool,
    /// Use IPv4 addresses only.
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// Use IPv6 addresses only.
    #[arg(short = '6')]
    pub ipv6: bool,
    /// Send this text (batch mode; --count defaults to 1) and print its echo.
    #[arg(
        short = 'm',
        long = "message",
        value_name = "TEXT",
        conflicts_with = "size"
    )]
    pub message: Option<String>,
    /// Messages per connection (batch mode).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Send pseudo-random messages of this many bytes (batch mode).
    #[arg(long, value_name = "BYTES")]
    pub size: Option<usize>,
    /// Pause between messages on one connection.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub interval: u64,
    /// Run the batch over this many parallel connections.
    #[arg(long, value_name = "C")]
    pub concurrency: Option<usize>,
    /// Give up connecting, or waiting for an echo, after this long.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub timeout: u64,
    /// UDP datagrams in flight per socket in batch mode.
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub window: usize,
    /// Write the server's bytes unchanged even to a terminal (as nc does). Without it, control
    /// characters (escape sequences, CR, BEL, ...) are shown as \xNN when the output is a
    /// terminal; a pipe or a file always gets the exact bytes.
    #[arg(long)]
    pub raw: bool,
    /// Do not print connection details to standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

/// One `-l` value: an address, or a bare port (both loopback addresses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenSpec(pub Vec<SocketAddr>);

/// The loopback addresses the server listens on by default, on `port`.
pub fn loopback_addrs(port: u16) -> Vec<SocketAddr> {
    vec![
        SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        SocketAddr::from((Ipv6Addr::LOCALHOST, port)),
    ]
}

fn parse_listen_addr(text: &str) -> Result<ListenSpec, String> {
    if let Ok(port) = text.parse::<u16>() {
        return Ok(ListenSpec(loopback_addrs(port)));
    }
    text.parse()
        .map(|addr| ListenSpec(vec![addr]))
        .map_err(|_| {
            format!("'{text}' is not ADDR:PORT (e.g. 127.0.0.1:7007, [::]:7007) or a port")
        })
}

impl ServerArgs {
    /// The server configuration these flags describe.
    pub fn to_config(&self) -> ServerConfig {
        let protocols = if self.both {
            ServerProtocols::Both
        } else if self.udp {
            ServerProtocols::Udp
        } else {
            ServerProtocols::Tcp
        };
        let mut addrs: Vec<SocketAddr> = self
            .listen
            .iter()
            .flat_map(|spec| spec.0.iter().copied())
            .collect();
        if addrs.is_empty() {
            addrs = loopback_addrs(DEFAULT_PORT);
        }
        let listen = addrs.remove(0);
        ServerConfig {
            listen,
            also_listen: addrs,
            protocols,
            upper: self.upper,
            max_clients: self.max_clients,
            max_per_peer: self.max_per_peer,
            idle_timeout: (self.idle_timeout > 0).then(|| Duration::from_secs(self.idle_timeout)),
            write_timeout: Duration::from_secs(self.write_timeout),
            evict_idle_after: ServerConfig::default().evict_idle_after,
            log: if self.quiet {
                ServerLog::Silent
            } else {
                ServerLog::Stderr
            },
        }
    }
}

impl ClientArgs {
    /// True when the flags ask for a batch rather than an interactive session.
    pub fn is_batch(&self) -> bool {
        self.message.is_some()
            || self.count.is_some()
            || self.size.is_some()
            || self.concurrency.is_some()
    }

    /// The client configuration these flags describe.
    pub fn to_config(&self) -> ClientConfig {
        let mut cfg = ClientConfig::new(self.host.clone(), self.port);
        cfg.protocol = if self.udp {
            ClientProtocol::Udp
        } else {
            ClientProtocol::Tcp
        };
        cfg.family = match (self.ipv4, self.ipv6) {
            (true, _) => IpFamily::V4,
            (_, true) => IpFamily::V6,
            _ => IpFamily::Any,
        };
        if let Some(text) = &self.message {
            cfg.payload = Payload::Text(text.clone().into_bytes());
        } else if let Some(size) = self.size {
            cfg.payload = Payload::Pattern(size);
        }
        cfg.count = self.count.unwrap_or(1);
        cfg.interval = Duration::from_millis(self.interval);
        cfg.concurrency = self.concurrency.unwrap_or(1);
        cfg.timeout = Duration::from_millis(self.timeout);
        cfg.udp_window = self.window;
        // Showing the echo is the point of `-m TEXT`; for floods it is noise.
        cfg.print_replies = self.message.is_some() && cfg.count == 1 && cfg.concurrency == 1;
        cfg.quiet = self.quiet;
        cfg.escape_output = escape::should_escape(self.raw, io::stdout().is_terminal());
        cfg
    }
}

/// Runs an echo subcommand in the foreground.
pub fn run(cmd: EchoCommand) -> Result<(), EchoError> {
    match cmd {
        EchoCommand::Server(args) => run_server_until_signalled(&args),
        EchoCommand::Client(args) => run_client_command(&args),
    }
}

/// Writes one line to standard error, ignoring failure: a closed stderr
/// (`echo server 2>&1 | head`) must not stop a server or a client.
pub(crate) fn note(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

fn run_server_until_signalled(args: &ServerArgs) -> Result<(), EchoError> {
    let stop_requested = signals::install_shutdown_handlers()
        .map_err(|e| EchoError::io("installing signal handlers", e))?;
    let handle = start_server(args.to_config())?;
    let bound = handle
        .tcp_addrs()
        .iter()
        .map(|addr| ("tcp", addr))
        .chain(handle.udp_addrs().iter().map(|addr| ("udp", addr)));
    let mut banner = String::new();
    for (protocol, addr) in bound {
        banner.push_str(&format!("listening on {protocol} {addr}\n"));
    }
    // Scripts wait for these lines to learn the port, so write them at once.
    // Nobody reading them (`| head -1`) is no reason to stop serving.
    let mut stdout = io::stdout().lock();
    let _ = stdout
        .write_all(banner.as_bytes())
        .and_then(|()| stdout.flush());
    drop(stdout);
    while !stop_requested.load(Ordering::SeqCst) {
        thread::sleep(SIGNAL_POLL_INTERVAL);
    }
    if !args.quiet {
        note(format_args!("shutting down"));
    }
    let stats = handle.stats();
    handle.shutdown();
    if !args.quiet {
        note(format_args!(
            "served {} tcp connections ({} refused, {} evicted, {} bytes), {} udp datagrams",
            stats.accepted, stats.refused, stats.evicted, stats.tcp_bytes, stats.udp_datagrams
        ));
    }
    Ok(())
}

fn run_client_command(args: &ClientArgs) -> Result<(), EchoError> {
    let cfg = args.to_config();
    if !args.is_batch() {
        let stdin = io::stdin();
        return run_interactive(cfg, &mut stdin.lock(), &mut io::stdout().lock());
    }
    let report = run_client(cfg, &mut io::stdout().lock())?;
    match report.verification_error() {
        Some(error) => Err(error),
        None => Ok(()),
    }
}
