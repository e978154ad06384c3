//! The command line: tcpdump's flags where they mean the same thing, tshark's
//! field names. Parsing only; `main.rs` dispatches.

use clap::{Args, Parser, Subcommand};

/// Packet capture and protocol inspection that shows every layer's bytes.
#[derive(Parser, Debug)]
#[command(name = "wirepeek", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read a pcap or pcapng file (`-` for standard input) and print its packets.
    Read(ReadArgs),
    /// Capture live traffic on one of this host's interfaces (never promiscuous).
    Capture(CaptureArgs),
    /// List this host's interfaces and the one `capture` picks by default.
    Interfaces,
    /// Capture the built-in echo client and server talking on loopback, and show it.
    Demo(DemoArgs),
    /// Browse packets interactively: a capture file, a replay of one, or live.
    Tui(TuiArgs),
    /// The built-in echo server and client (TCP and UDP, IPv4 and IPv6).
    #[command(subcommand)]
    Echo(crate::echo::EchoCommand),
}

/// How packets are printed; shared by `read` and `capture`.
#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Stop after this many packets.
    #[arg(short = 'c', long = "count", value_name = "N")]
    pub count: Option<u64>,
    /// Print the link-level header on each line (MACs, EtherType, VLAN tags).
    #[arg(short = 'e')]
    pub link: bool,
    /// Print every layer as a tree, each field with its byte range.
    #[arg(short = 'v', long = "verbose")]
    pub verbose: bool,
    /// Print a hex and ASCII dump of each frame, layer by layer.
    #[arg(short = 'x', long = "hex")]
    pub hex: bool,
    /// One JSON object per packet (NDJSON), every layer and field.
    #[arg(long, conflicts_with_all = ["fields", "stats"])]
    pub json: bool,
    /// Tab-separated values of these tshark field names, with a header line.
    #[arg(long, value_name = "f1,f2,...", conflicts_with = "stats")]
    pub fields: Option<String>,
    /// Print a summary (protocol hierarchy, duration, link types) instead of packets.
    #[arg(long)]
    pub stats: bool,
    /// Show times as seconds since the first packet.
    #[arg(long, conflicts_with = "epoch")]
    pub relative: bool,
    /// Show times as seconds since the Unix epoch.
    #[arg(long)]
    pub epoch: bool,
    /// Accepted for tcpdump habit: addresses and ports are always numeric.
    #[arg(short = 'n', hide = true)]
    pub numeric: bool,
}

#[derive(Args, Debug)]
pub struct ReadArgs {
    /// The capture file (pcap or pcapng, detected by content), or `-` for stdin.
    pub file: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug, Clone)]
pub struct CaptureArgs {
    /// The interface to capture on (default: the first up, non-loopback
    /// interface with an address, else `lo`).
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    pub interface: Option<String>,
    /// Stop after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub duration: Option<f64>,
    /// Keep at most this many bytes of each frame (0: whole frames).
    #[arg(
        short = 's',
        long = "snaplen",
        value_name = "BYTES",
        default_value_t = 0
    )]
    pub snaplen: u32,
    /// Save the capture to FILE instead of printing packets (`-` for stdout).
    #[arg(short = 'w', long = "write", value_name = "FILE")]
    pub write: Option<String>,
    /// Save as pcapng instead of pcap.
    #[arg(long, requires = "write")]
    pub pcapng: bool,
    /// Kernel ring buffer size in MiB: how much can queue while we are busy.
    #[arg(short = 'B', long = "buffer", value_name = "MIB", default_value_t = 32)]
    pub buffer: u32,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug, Clone)]
pub struct TuiArgs {
    /// Capture live on this interface instead of opening a file.
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    pub interface: Option<String>,
    /// Play the file back at its original pace, as if live.
    #[arg(long)]
    pub replay: bool,
    /// Replay speed: 2 plays twice as fast, 0.5 half as fast.
    #[arg(long, value_name = "X", default_value_t = 1.0, requires = "replay")]
    pub speed: f64,
    /// Live: keep at most this many bytes of each frame (0: whole frames).
    #[arg(
        short = 's',
        long = "snaplen",
        value_name = "BYTES",
        default_value_t = 0
    )]
    pub snaplen: u32,
    /// Live: kernel ring buffer size in MiB.
    #[arg(short = 'B', long = "buffer", value_name = "MIB", default_value_t = 32)]
    pub buffer: u32,
    /// `FILE [FILTER...]`, or with `-i`, `[FILTER...]`.
    #[arg(value_name = "FILE|FILTER")]
    pub args: Vec<String>,
}

#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Use UDP instead of TCP.
    #[arg(long)]
    pub udp: bool,
    /// Talk over IPv6 (::1) instead of IPv4 (127.0.0.1).
    #[arg(short = '6', long = "ipv6")]
    pub ipv6: bool,
    /// Also save the conversation to this pcap file.
    #[arg(short = 'w', long = "write", value_name = "FILE")]
    pub write: Option<String>,
    /// Browse the conversation in the TUI instead of printing it.
    #[arg(long)]
    pub tui: bool,
}
