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
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// Which packets to keep; shared by `read` and `capture`.
#[derive(Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Wireshark-style display filter over field names, e.g. 'ip.addr == 10.0.0.1 && tcp.flags.syn == 1'.
    #[arg(short = 'Y', long = "display-filter", value_name = "FILTER")]
    pub display: Option<String>,
    /// A tcpdump filter expression, e.g. `tcp port 80 and host 10.0.0.1` (words are joined).
    #[arg(
        value_name = "EXPRESSION",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub expression: Vec<String>,
}

impl FilterArgs {
    /// The tcpdump expression, its words joined by spaces as tcpdump does.
    pub fn tcpdump(&self) -> Option<String> {
        (!self.expression.is_empty()).then(|| self.expression.join(" "))
    }
}
