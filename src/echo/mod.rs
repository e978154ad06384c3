//! The built-in echo server and client (`wirepeek echo ...`): a test peer
//! for generating and inspecting traffic. This module owns the command-line
//! surface and dispatch; it knows nothing of packet capture.

mod client;
mod error;
mod net;
mod server;
mod signals;
mod stats;

use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::thread;
use std::time::Duration;

pub use client::{
    ClientConfig, ClientProtocol, ClientReport, IpFamily, MAX_UDP_PAYLOAD, Payload, run_client,
    run_interactive,
};
pub use error::EchoError;
pub use net::{abort_on_close, normalize_addr};
pub use server::{
    CHUNK_SIZE, ServerConfig, ServerHandle, ServerLog, ServerProtocols, ServerStats, start_server,
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
    /// Address to listen on; IPv6 addresses are dual-stack; port 0 picks a free port; a bare port means [::]:PORT.
    #[arg(short = 'l', long = "listen", value_name = "ADDR:PORT", default_value = "[::]:7007", value_parser = parse_listen_addr)]
    pub listen: SocketAddr,
    /// Upper-case ASCII letters in the echo.
    #[arg(long)]
    pub upper: bool,
    /// Refuse connections beyond this many concurrent clients.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_clients: usize,
    /// Disconnect TCP clients silent for this long (0: never).
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
    /// Do not print connection details to standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

fn parse_listen_addr(text: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::from(([0u16; 8], port)));
    }
    text.parse().map_err(|_| {
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
        ServerConfig {
            listen: self.listen,
            protocols,
            upper: self.upper,
            max_clients: self.max_clients,
            idle_timeout: (self.idle_timeout > 0).then(|| Duration::from_secs(self.idle_timeout)),
            write_timeout: Duration::from_secs(self.write_timeout),
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

fn run_server_until_signalled(args: &ServerArgs) -> Result<(), EchoError> {
    let stop_requested = signals::install_shutdown_handlers()
        .map_err(|e| EchoError::io("installing signal handlers", e))?;
    let handle = start_server(args.to_config())?;
    let mut stdout = io::stdout().lock();
    let bound = [("tcp", handle.tcp_addr()), ("udp", handle.udp_addr())];
    for (protocol, addr) in bound {
        if let Some(addr) = addr {
            writeln!(stdout, "listening on {protocol} {addr}")
                .map_err(|e| EchoError::io("writing to standard output", e))?;
        }
    }
    // Scripts wait for these lines to learn the port, so do not buffer them.
    stdout
        .flush()
        .map_err(|e| EchoError::io("writing to standard output", e))?;
    drop(stdout);
    while !stop_requested.load(Ordering::SeqCst) {
        thread::sleep(SIGNAL_POLL_INTERVAL);
    }
    if !args.quiet {
        eprintln!("shutting down");
    }
    let stats = handle.stats();
    handle.shutdown();
    if !args.quiet {
        eprintln!(
            "served {} tcp connections ({} refused, {} bytes), {} udp datagrams",
            stats.accepted, stats.refused, stats.tcp_bytes, stats.udp_datagrams
        );
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
