//! The command line: tcpdump's flags where they mean the same thing, tshark's
//! field names. Parsing only; `main.rs` dispatches.

use clap::{ArgAction, Args, Parser, Subcommand};

/// Packet capture and protocol inspection that shows every layer's bytes.
#[derive(Parser, Debug)]
#[command(name = "wirepeek", version, about)]
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
    /// Explain one packet of a capture file layer by layer, or tell a whole
    /// TCP conversation as a story: a teaching view.
    Explain(ExplainArgs),
    /// Ask questions about a capture (a field's value, which side is the
    /// server, bytes sent so far) and check the answers, or print them.
    Quiz(QuizArgs),
    /// Browse packets interactively: a capture file, a replay of one, or live.
    Tui(TuiArgs),
    /// The built-in echo server and client (TCP and UDP, IPv4 and IPv6).
    #[command(subcommand)]
    Echo(crate::echo::EchoCommand),
    /// Read a capture file and print one row per conversation (TCP, UDP, ICMP echo).
    Flows(FlowsArgs),
    /// Print one TCP (or UDP) conversation's bytes as each end read them,
    /// in tshark's `-z follow` formats.
    Follow(FollowArgs),
    /// Write capture files as tables for DuckDB, Spark or Trino: a packets
    /// table and a Zeek-style conn table, as Parquet or NDJSON.
    Export(ExportArgs),
}

/// How packets are printed; shared by `read` and `capture`.
#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Stop after this many packets.
    #[arg(short = 'c', long = "count", value_name = "N", value_parser = packet_count)]
    pub count: Option<u64>,
    /// Print the link-level header on each line (MACs, EtherType, VLAN tags).
    #[arg(short = 'e')]
    pub link: bool,
    /// Print every layer as a tree, each field with its byte range (`-vv`,
    /// `-vvv` and tshark's `-V` mean the same: every field is always shown).
    #[arg(short = 'v', long = "verbose", short_alias = 'V', action = ArgAction::Count)]
    pub verbose: u8,
    /// Print a hex and ASCII dump of each frame, layer by layer (`-X`, `-xx`
    /// and `-XX` mean the same: the link header is always included).
    #[arg(short = 'x', long = "hex", short_alias = 'X', action = ArgAction::Count)]
    pub hex: u8,
    /// Print each packet's bytes after its link header as ASCII, `.` for
    /// what cannot be shown (tcpdump -A).
    #[arg(short = 'A', long = "ascii", conflicts_with_all = ["hex", "verbose"])]
    pub ascii: bool,
    /// Quick lines: TCP as `tcp LEN`, as tcpdump -q.
    #[arg(short = 'q', long = "quick")]
    pub quick: bool,
    /// tcpdump's time styles: -t none, -tt seconds since the epoch, -ttt
    /// delta since the previous packet, -tttt date and time, -ttttt since the
    /// first packet.
    #[arg(short = 't', action = ArgAction::Count, conflicts_with_all = ["relative", "epoch"])]
    pub tstamp: u8,
    /// Flush output after every packet (tcpdump -l), for `| grep` on a live capture.
    #[arg(short = 'l', long = "line-buffered")]
    pub line_buffered: bool,
    /// One JSON object per packet (NDJSON), every layer and field.
    #[arg(long, conflicts_with_all = ["fields", "stats", "verbose", "hex", "link", "ascii", "quick", "tstamp"])]
    pub json: bool,
    /// Tab-separated values of these tshark field names, with a header line.
    #[arg(long, value_name = "f1,f2,...", conflicts_with_all = ["stats", "verbose", "hex", "link", "ascii", "quick", "tstamp"], value_parser = field_list)]
    pub fields: Option<String>,
    /// With --fields: which occurrences of a repeated field to print, as
    /// tshark's `-E occurrence=`: a (all, comma-separated: the default),
    /// f (first), l (last) or N (the Nth).
    #[arg(long, value_name = "a|f|l|N", requires = "fields")]
    pub occurrence: Option<String>,
    /// Print a summary (protocol hierarchy, duration, link types) instead of packets.
    #[arg(long, conflicts_with_all = ["verbose", "hex", "link", "ascii", "quick", "tstamp"])]
    pub stats: bool,
    /// Show times as seconds since the first packet.
    #[arg(long, conflicts_with = "epoch")]
    pub relative: bool,
    /// Show times as seconds since the Unix epoch.
    #[arg(long)]
    pub epoch: bool,
    /// Print absolute TCP sequence numbers on the packet line (tcpdump -S);
    /// by default they are relative to each connection's first numbers.
    #[arg(short = 'S', long = "absolute-tcp-sequence")]
    pub absolute: bool,
    #[command(flatten)]
    pub limits: FlowLimitArgs,
    #[command(flatten)]
    pub reassembly: ReassemblyArgs,
    /// Skip flow tracking (no tcp.stream, relative numbers or conversation
    /// totals): for measuring what tracking costs.
    #[arg(long = "no-flows", hide = true)]
    pub no_flows: bool,
    /// Explain each packet field by field, with a sentence per field (a
    /// teaching view; `wirepeek explain FILE` also places packets in their
    /// conversation).
    #[arg(long, conflicts_with_all = ["json", "fields", "stats", "verbose", "hex", "link", "ascii", "quick", "tstamp"])]
    pub explain: bool,
    /// Colour for --explain: never, always, or auto (a terminal without NO_COLOR).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Accepted for tcpdump habit (`-n`, `-nn`): addresses and ports are
    /// always numeric.
    #[arg(short = 'n', hide = true, action = ArgAction::Count)]
    pub numeric: u8,
    /// tshark's `-T`: refused with the wirepeek equivalent.
    #[arg(short = 'T', hide = true, value_name = "FORMAT")]
    pub tshark_format: Option<String>,
}

#[derive(Args, Debug)]
pub struct ReadArgs {
    /// The capture file (pcap or pcapng, detected by content), or `-` for stdin.
    #[arg(value_name = "FILE", required_unless_present = "read_file")]
    pub file: Option<String>,
    /// The capture file, as tcpdump -r / tshark -r (then every word after
    /// the flags is the filter expression).
    #[arg(short = 'r', value_name = "FILE")]
    pub read_file: Option<String>,
    /// Save the packets that pass the filters to FILE (`-` for stdout)
    /// instead of printing them, as `tcpdump -r IN -w OUT EXPR`.
    #[arg(short = 'w', long = "write", value_name = "OUT",
          conflicts_with_all = ["json", "fields", "stats", "explain", "verbose", "hex", "ascii"])]
    pub write: Option<String>,
    /// With -w: save as pcapng (needed when the input mixes link types).
    #[arg(long, requires = "write")]
    pub pcapng: bool,
    /// Keep at most this many bytes of each frame, as if captured with `-s`
    /// (0: whole frames); the wire length is kept.
    #[arg(short = 's', long = "snaplen", value_name = "BYTES", default_value_t = 0, value_parser = snap_length)]
    pub snaplen: u32,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
}

impl ReadArgs {
    /// The input path and the tcpdump expression. With `-r FILE` the first
    /// positional word belongs to the expression, as in tcpdump.
    pub fn input(&self) -> (&str, Option<String>) {
        match (&self.read_file, &self.file) {
            (Some(path), Some(first_word)) => {
                let mut words = vec![first_word.clone()];
                words.extend(self.filter.expression.iter().cloned());
                (path, Some(words.join(" ")))
            }
            (Some(path), None) => (path, self.filter.tcpdump()),
            (None, file) => (file.as_deref().unwrap_or("-"), self.filter.tcpdump()),
        }
    }
}

/// Which packets to keep; shared by `read` and `capture`.
#[derive(Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Wireshark-style display filter over field names, e.g. 'ip.addr == 10.0.0.1 && tcp.flags.syn == 1'.
    #[arg(short = 'Y', long = "display-filter", value_name = "FILTER")]
    pub display: Option<String>,
    /// A tcpdump filter expression, e.g. `tcp port 80 and host 10.0.0.1`
    /// (words are joined). Flags may come before or after it, as with
    /// tcpdump; words after `--` are all expression.
    #[arg(value_name = "EXPRESSION", allow_negative_numbers = true)]
    pub expression: Vec<String>,
}

impl FilterArgs {
    /// The tcpdump expression, its words joined by spaces as tcpdump does.
    pub fn tcpdump(&self) -> Option<String> {
        (!self.expression.is_empty()).then(|| self.expression.join(" "))
    }
}

#[derive(Args, Debug, Clone)]
pub struct CaptureArgs {
    /// The interface to capture on (default: the first up, non-loopback
    /// interface with an address, else `lo`). Give it more than once to
    /// capture several together, as Linux cooked v2 frames that name
    /// their interface (as `-i any` does).
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    pub interface: Vec<String>,
    /// Stop after this many seconds.
    #[arg(long, value_name = "SECS", value_parser = seconds)]
    pub duration: Option<f64>,
    /// Keep at most this many bytes of each frame (0: whole frames).
    #[arg(
        short = 's',
        long = "snaplen",
        value_name = "BYTES",
        default_value_t = 0,
        value_parser = snap_length
    )]
    pub snaplen: u32,
    /// Save the capture to FILE instead of printing packets (`-` for stdout).
    #[arg(short = 'w', long = "write", value_name = "FILE")]
    pub write: Option<String>,
    /// Save as pcapng instead of pcap.
    #[arg(long, requires = "write")]
    pub pcapng: bool,
    /// With -w: start a new file once this one holds N million bytes
    /// (tcpdump -C: FILE, FILE1, FILE2, ...).
    #[arg(short = 'C', value_name = "MILLION_BYTES", requires = "write", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub file_size: Option<u64>,
    /// With -w: start a new file every SECS seconds; FILE is a strftime(3)
    /// pattern (tcpdump -G: -w 'cap-%H%M%S.pcap').
    #[arg(short = 'G', value_name = "SECS", requires = "write", value_parser = clap::value_parser!(u64).range(1..=315_576_000))]
    pub rotate_seconds: Option<u64>,
    /// At most N files: with -C a ring that overwrites the oldest (files
    /// numbered from 0); with -G alone, stop after N files (tcpdump -W).
    #[arg(short = 'W', value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub file_count: Option<u32>,
    /// Print the filter as the classic BPF program the kernel runs, then
    /// exit (tcpdump -d).
    #[arg(short = 'd')]
    pub dump_filter: bool,
    /// When the capture ends, print its conversations (as `wirepeek flows`).
    #[arg(long)]
    pub flows: bool,
    /// Do not name the local process of each conversation (shown by
    /// default in --flows, --json and as pcapng packet comments).
    #[arg(long = "no-process")]
    pub no_process: bool,
    /// Once the capture socket is open, switch to this user (tcpdump's -Z);
    /// without it, every capability is dropped instead.
    #[arg(short = 'Z', long = "user", value_name = "NAME")]
    pub user: Option<String>,
    /// Kernel ring buffer size in MiB: how much can queue while we are busy.
    #[arg(short = 'B', long = "buffer", value_name = "MIB", default_value_t = 32, value_parser = ring_mib)]
    pub buffer: u32,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
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
    #[arg(long, value_name = "X", default_value_t = 1.0, requires = "replay", value_parser = replay_speed)]
    pub speed: f64,
    /// Live: keep at most this many bytes of each frame (0: whole frames).
    #[arg(
        short = 's',
        long = "snaplen",
        value_name = "BYTES",
        default_value_t = 0,
        value_parser = snap_length
    )]
    pub snaplen: u32,
    /// Live: kernel ring buffer size in MiB.
    #[arg(short = 'B', long = "buffer", value_name = "MIB", default_value_t = 32, value_parser = ring_mib)]
    pub buffer: u32,
    /// Keep at most this many packets, dropping the oldest as new ones
    /// arrive (live, replay or file); the status bar counts them as aged out.
    #[arg(long = "max-packets", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_packets: Option<u64>,
    /// The display filter the packet list starts with (Wireshark-style, as
    /// typed after `/`), e.g. 'tcp.flags.syn == 1'.
    #[arg(short = 'Y', long = "display-filter", value_name = "FILTER")]
    pub display: Option<String>,
    /// Live: do not name the local process of each conversation in the
    /// Flows tab (named by default).
    #[arg(long = "no-process")]
    pub no_process: bool,
    /// `FILE [EXPRESSION...]`, or with `-i`, `[EXPRESSION...]`: a tcpdump
    /// expression keeps only the frames it matches, as a capture filter.
    #[arg(value_name = "FILE|EXPRESSION")]
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
    /// Afterwards, explain the first data packet field by field and tell the
    /// conversation as a story.
    #[arg(long)]
    pub explain: bool,
    /// Colour the explanation: never, always, or auto (a terminal without NO_COLOR).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Browse the conversation in the TUI instead of printing it.
    #[arg(long, conflicts_with = "explain")]
    pub tui: bool,
    /// Send one message of N bytes (at most 1048576; 65507 with --udp), read back in parts.
    #[arg(long = "message-size", value_name = "N", value_parser = clap::value_parser!(u64).range(1..=crate::echo::MAX_LESSON_MESSAGE as u64))]
    pub message_size: Option<u64>,
    /// The lecture's GET /index.html HTTP/1.0 to a tiny built-in responder instead of the echo.
    #[arg(long, conflicts_with_all = ["udp", "message_size"])]
    pub http: bool,
}

/// When to colour teaching output.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Never,
    Always,
    Auto,
}

impl ColorChoice {
    /// Decide: `Auto` colours only a terminal, and never when `NO_COLOR` is
    /// set to anything but the empty string (no-color.org).
    pub fn enabled(self, is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
        match self {
            ColorChoice::Never => false,
            ColorChoice::Always => true,
            ColorChoice::Auto => is_terminal && no_color.is_none_or(|v| v.is_empty()),
        }
    }
}

/// Bounds on the flow table, for long or live captures.
#[derive(Args, Debug, Clone)]
pub struct FlowLimitArgs {
    /// Forget a conversation after this many seconds without a packet (capture
    /// time); by default conversations never expire, as in tshark.
    #[arg(long = "flow-timeout", value_name = "SECS", value_parser = seconds)]
    pub flow_timeout: Option<f64>,
    /// Track at most this many conversations at once; when full, the one idle
    /// longest is evicted (and counted).
    #[arg(long = "max-flows", value_name = "N", default_value_t = 2_000_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_flows: u32,
}

#[derive(Args, Debug)]
pub struct FlowsArgs {
    /// The capture file (pcap or pcapng, detected by content), or `-` for stdin.
    pub file: String,
    /// One JSON object per conversation (NDJSON).
    #[arg(long)]
    pub json: bool,
    /// Row order.
    #[arg(long, value_enum, default_value = "bytes")]
    pub sort: FlowOrder,
    /// Stop after this many packets.
    #[arg(short = 'c', long = "count", value_name = "N", value_parser = packet_count)]
    pub count: Option<u64>,
    #[command(flatten)]
    pub limits: FlowLimitArgs,
    #[command(flatten)]
    pub reassembly: ReassemblyArgs,
}

/// `follow --format`: tshark's `-z follow` formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FollowFormat {
    /// Printable bytes as text, others as `.`, each chunk after its length.
    Ascii,
    /// A hex dump per chunk with offsets counted per direction.
    Hex,
    /// Each chunk as one line of hex digits.
    Raw,
    /// YAML with each chunk's frame, sender, time and base64 bytes.
    Yaml,
}

/// The order of `flows`' table (`--sort`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FlowOrder {
    /// Total bytes, largest first.
    Bytes,
    /// Total packets, most first.
    Packets,
    /// First seen, earliest first.
    First,
    /// Duration, longest first.
    Duration,
    /// Protocol, then stream index (tshark's order).
    Stream,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Capture files (pcap or pcapng), processed in parallel.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// The output folder (created if need be).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: String,
    #[arg(long, value_parser = ["parquet", "ndjson"], default_value = "parquet")]
    pub format: String,
    /// The packets table's fields, tshark's names (default: Ethernet, IP,
    /// TCP, UDP, ICMP, ARP and community_id).
    #[arg(long, value_name = "f1,f2,...")]
    pub fields: Option<String>,
    /// Hive-style folders by packet time: `date=YYYY-MM-DD/[hour=HH/]`.
    #[arg(long, value_parser = ["none", "day", "hour"], default_value = "none")]
    pub partition: String,
    /// Inputs processed at once (default: every core).
    #[arg(short = 'j', long = "jobs", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// Conversations tracked at once per input.
    #[arg(long = "max-flows", value_name = "N", default_value_t = 2_000_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_flows: u32,
}

/// The longest time a `--duration` or `--flow-timeout` may name: ten years,
/// far past any capture and well inside what `Duration` holds.
const MAX_SECONDS: f64 = 10.0 * 365.25 * 24.0 * 3600.0;

/// libpcap's largest snapshot length (`MAXIMUM_SNAPLEN`).
pub const MAX_SNAPLEN: u32 = 262_144;

/// A positive, finite number of seconds (`--duration`, `--flow-timeout`).
fn seconds(text: &str) -> Result<f64, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !secs.is_finite() || secs <= 0.0 {
        return Err(format!("must be a positive number of seconds, not {text}"));
    }
    if secs > MAX_SECONDS {
        return Err(format!("{text} seconds is more than ten years"));
    }
    Ok(secs)
}

/// `-c N`: at least one packet, as tcpdump insists ("invalid packet count").
fn packet_count(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(0) => Err("the packet count must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("'{text}' is not a packet count")),
    }
}

/// `-s BYTES`: 0 (whole frames) up to libpcap's maximum.
fn snap_length(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if n <= MAX_SNAPLEN => Ok(n),
        _ => Err(format!(
            "the snapshot length must be 0 (whole frames) to {MAX_SNAPLEN} bytes, not {text}"
        )),
    }
}

/// `-B MIB`: at least 1 MiB, and never more than half of the memory this
/// machine has, so a typo cannot bring the OOM killer.
fn ring_mib(text: &str) -> Result<u32, String> {
    let mib: u32 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a size in MiB"))?;
    if mib == 0 {
        return Err("the ring buffer needs at least 1 MiB".into());
    }
    let limit = memory_total_mib().map_or(u64::from(u32::MAX), |total| total / 2);
    if u64::from(mib) > limit {
        return Err(format!(
            "{mib} MiB is more than half of this machine's memory; the limit here is {limit} MiB"
        ));
    }
    Ok(mib)
}

/// `MemTotal` from /proc/meminfo, in MiB.
fn memory_total_mib() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// `--speed X`: a positive, finite factor.
fn replay_speed(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x <= 1e6 => Ok(x),
        _ => Err(format!(
            "--speed must be a positive number (a replay speed factor up to 1000000), not {text}"
        )),
    }
}

/// `--fields f1,f2`: at least one name, none empty.
fn field_list(text: &str) -> Result<String, String> {
    if text.split(',').any(|name| name.trim().is_empty()) {
        return Err(format!(
            "'{text}' has an empty field name; give names separated by commas, e.g. ip.src,tcp.port"
        ));
    }
    Ok(text.to_string())
}

#[path = "cli_reassembly.rs"]
mod reassembly;
pub use reassembly::ReassemblyArgs;

#[path = "cli_teach.rs"]
mod teach;
pub use teach::{ExplainArgs, QuizArgs};

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;

/// `wirepeek follow`.
#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["stream", "frame"])))]
pub struct FollowArgs {
    /// The capture file (pcap or pcapng); `-` reads standard input (with
    /// `--stream` only: `--frame` reads the file twice).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// The conversation's stream index (tshark's `tcp.stream`, or
    /// `udp.stream` with `--udp`).
    #[arg(long, value_name = "N", conflicts_with = "frame")]
    pub stream: Option<u32>,
    /// Follow the conversation frame N belongs to (TCP or UDP, whichever it is).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub frame: Option<u64>,
    /// Follow a UDP conversation: its datagrams' payloads in order.
    #[arg(long)]
    pub udp: bool,
    /// What to print: tshark's `follow` formats, byte for byte.
    #[arg(long, value_enum, default_value = "ascii")]
    pub format: FollowFormat,
    /// Which end's bytes to print: both, the client's (node 0, the sender of
    /// the first packet) or the server's (node 1).
    #[arg(long, value_enum, default_value = "both")]
    pub direction: FollowDirection,
    /// Most out-of-order bytes held per direction while a hole waits to be
    /// filled (K, M, G suffixes: binary); segments past it are dropped and
    /// counted on standard error.
    #[arg(long = "max-stream-bytes", value_name = "BYTES", default_value = "16M", value_parser = byte_size)]
    pub max_stream_bytes: usize,
    /// Most out-of-order bytes held over all conversations.
    #[arg(long = "max-reassembly-bytes", value_name = "BYTES", default_value = "256M", value_parser = byte_size)]
    pub max_reassembly_bytes: usize,
    #[command(flatten)]
    pub limits: FlowLimitArgs,
}

/// `follow --direction`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowDirection {
    Both,
    Client,
    Server,
}

/// A size in bytes, with an optional binary K/M/G suffix: at least 1 byte,
/// at most 64 GiB.
fn byte_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c.to_ascii_uppercase()),
        _ => (t, 'B'),
    };
    let shift = match unit {
        'B' => 0,
        'K' => 10,
        'M' => 20,
        'G' => 30,
        _ => return Err(format!("'{text}': the suffix may be K, M or G")),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("'{text}' is not a size in bytes"))?;
    match n.checked_mul(1 << shift) {
        Some(0) => Err("the size must be at least 1 byte".into()),
        Some(bytes) if bytes <= 64 << 30 => Ok(bytes as usize),
        _ => Err(format!("{text} is more than 64 GiB")),
    }
}
