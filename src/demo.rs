//! `wirepeek demo`: capture on loopback while the built-in echo client talks
//! to the built-in echo server on a fresh port, then show the conversation
//! packet by packet with its encapsulation. Glue between `capture`, `echo`,
//! `decode`, `teach` and `output`; owns no protocol knowledge of its own
//! (roles and encapsulation come from `teach`).

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::capture::CaptureError;
use crate::capture::live::LiveOptions;
use crate::capture::save::{CaptureWriter, SaveFormat, SavedInterface};
use crate::cli::DemoArgs;
use crate::decode::{Detail, Dissection, Proto, decode};
use crate::echo::{
    self, ClientConfig, ClientProtocol, Payload, ServerConfig, ServerLog, ServerProtocols,
};
use crate::error::AppError;
use crate::frame::FrameRecord;
use crate::output::line::{LineOptions, write_line};
use crate::output::teach::{self as teach_out, Paint};
use crate::output::time::TimeFormat;
use crate::pipeline::{self, Settings, Sink, Track};
use crate::teach::{Encapsulation, Lesson, conversation, describe_port};

/// What the client says; the server echoes each line back.
const MESSAGES: u64 = 3;
const MESSAGE: &[u8] = b"hello there\n";
/// How long to keep capturing after the client is done, so the teardown's
/// last ACK is in.
const SETTLE: Duration = Duration::from_millis(300);

/// Run the demo and print the conversation to `out`; `is_terminal` says
/// whether `out` is a terminal (for `--color auto`).
pub fn run(
    args: &DemoArgs,
    out: &mut dyn Write,
    is_terminal: bool,
) -> Result<Vec<FrameRecord>, AppError> {
    let frames = capture_conversation(args)?;
    let explain = args.explain.then(|| Paint {
        on: args
            .color
            .enabled(is_terminal, std::env::var_os("NO_COLOR").as_deref()),
    });
    print_conversation(&frames, out, explain).map_err(AppError::Output)?;
    Ok(frames)
}

/// Run the demo and browse the conversation in the TUI.
pub fn run_tui(args: &DemoArgs) -> Result<Vec<FrameRecord>, AppError> {
    let frames = capture_conversation(args)?;
    crate::tui::run(crate::tui::TuiConfig {
        source: crate::tui::SourceSpec::Frames {
            label: "demo: echo conversation on lo".into(),
            frames: frames.clone(),
        },
        filter: None,
        compiler: Some(crate::app::filter::display_compiler()),
        capture_filter: None,
        max_packets: None,
    })?;
    Ok(frames)
}

/// Capture one echo conversation on `lo` and return its frames (saved to
/// `-w FILE` too, when asked).
pub fn capture_conversation(args: &DemoArgs) -> Result<Vec<FrameRecord>, AppError> {
    // Open the socket first: it needs privileges, and the capture must be
    // running before the first SYN. The output file is created while we
    // may still write anywhere; then every privilege goes, before the
    // server, client and capture threads start.
    let mut source = pipeline::open::live("lo", LiveOptions::default())?;
    let output = match &args.write {
        Some(dest) => Some((dest, create(dest)?)),
        None => None,
    };
    pipeline::open::drop_privileges(None)?;
    let listen = if args.ipv6 {
        SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 0)
    } else {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0)
    };
    let server = echo::start_server(ServerConfig {
        listen,
        protocols: if args.udp {
            ServerProtocols::Udp
        } else {
            ServerProtocols::Tcp
        },
        log: ServerLog::Silent,
        ..ServerConfig::default()
    })
    .map_err(|e| AppError::Usage(format!("echo server: {e}")))?;
    let server_addr = if args.udp {
        server.udp_addr()
    } else {
        server.tcp_addr()
    }
    .ok_or_else(|| AppError::Usage("echo server did not bind".to_string()))?;
    let port = server_addr.port();

    let stop = Arc::new(AtomicBool::new(false));
    let capture_stop = Arc::clone(&stop);
    let capture = std::thread::spawn(move || -> Result<Vec<FrameRecord>, AppError> {
        // Bounded: the client finishes within its timeouts, and we stop soon
        // after; this deadline is a backstop should anything hang.
        let deadline = Instant::now() + Duration::from_secs(30);
        let stop = || capture_stop.load(Ordering::SeqCst) || Instant::now() >= deadline;
        let settings = Settings {
            filter: &crate::filter::Filter::default(),
            count: None,
            absolute: false,
        };
        let mut conversation = Conversation {
            port,
            frames: Vec::new(),
        };
        pipeline::run(&mut source, settings, Track::Off, &mut conversation, &stop)?;
        Ok(conversation.frames)
    });

    let mut client = ClientConfig::new(server_addr.ip().to_string(), port);
    client.protocol = if args.udp {
        ClientProtocol::Udp
    } else {
        ClientProtocol::Tcp
    };
    client.payload = Payload::Text(MESSAGE.to_vec());
    client.count = MESSAGES;
    client.interval = Duration::from_millis(20);
    client.quiet = true;
    let report = echo::run_client(client, &mut std::io::sink());
    std::thread::sleep(SETTLE);
    stop.store(true, Ordering::SeqCst);
    server.shutdown();
    let frames = capture
        .join()
        .map_err(|_| AppError::Usage("the capture thread panicked".to_string()))??;
    let report = report.map_err(|e| AppError::Usage(format!("echo client: {e}")))?;
    if !report.is_clean() {
        eprintln!("wirepeek: demo: the echo client reported problems: {report}");
    }
    if let Some((dest, file)) = output {
        save(dest, file, &frames)?;
    }
    Ok(frames)
}

/// The demo's sink: the frames to or from the echo server's port,
/// numbered from 1.
struct Conversation {
    port: u16,
    frames: Vec<FrameRecord>,
}

impl Sink for Conversation {
    fn detail(&self) -> Option<Detail> {
        Some(Detail::Layers)
    }

    fn frame(&mut self, mut frame: FrameRecord, d: &Dissection) -> Result<bool, AppError> {
        let port = self.port;
        if d.tuple
            .is_some_and(|t| t.src_port == port || t.dst_port == port)
        {
            frame.number = self.frames.len() as u64 + 1;
            self.frames.push(frame);
        }
        Ok(true)
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        Ok(true)
    }
}

/// Create the `-w` file (before privileges are dropped).
fn create(dest: &str) -> Result<std::fs::File, AppError> {
    let file = std::fs::File::create(dest).map_err(|source| CaptureError::Io {
        path: dest.to_string(),
        source,
    })?;
    Ok(file)
}

fn save(dest: &str, file: std::fs::File, frames: &[FrameRecord]) -> Result<(), AppError> {
    let link = frames
        .first()
        .map_or(crate::frame::LinkType::ETHERNET, |f| f.link);
    let iface = frames.first().map_or(1, |f| f.iface);
    let interfaces = [SavedInterface {
        iface,
        link,
        name: Some("lo".to_string()),
    }];
    let mut writer = CaptureWriter::create(Box::new(file), dest, SaveFormat::Pcap, 0, &interfaces)?;
    for frame in frames {
        writer.write(frame)?;
    }
    writer.finish()?;
    Ok(())
}

/// Print each packet's line, its place in the conversation and its
/// encapsulation with byte ranges; with `explain`, then the first data packet
/// field by field and the whole conversation as a story.
///
/// Why the first data packet: it is the one packet that has every layer,
/// payload included, so it shows the whole nesting and the overhead; the
/// story then covers every packet briefly. Explaining all packets in full
/// would print some 1,000 lines of mostly repeated headers.
pub fn print_conversation(
    frames: &[FrameRecord],
    out: &mut dyn Write,
    explain: Option<Paint>,
) -> std::io::Result<()> {
    let Some(first) = frames.first() else {
        writeln!(out, "no packets of the conversation were captured")?;
        return Ok(());
    };
    // The lines carry tcpdump's relative numbers, as the sentences under
    // them say: the flow table gives each packet its own.
    let mut flows = crate::flow::FlowTable::new(crate::flow::FlowConfig::default());
    let packets: Vec<(FrameRecord, Dissection)> = frames
        .iter()
        .map(|f| {
            let mut d = decode(f);
            if let Some(info) = flows.ingest(f, &d) {
                d.line_seq = info.line_seq;
            }
            (f.clone(), d)
        })
        .collect();
    let conversations = teach_out::stories(&packets);
    if let Some(conv) = conversations.first() {
        let (client, server) = (conv.client, conv.server);
        writeln!(
            out,
            "{} conversation, socket pair ({}, {}): client port {}, server port {}\n",
            conv.transport,
            endpoint(client.0, client.1),
            endpoint(server.0, server.1),
            describe_port(client.1),
            describe_port(server.1),
        )?;
    }
    let options = LineOptions {
        time: TimeFormat::Relative,
        link: false,
        quick: false,
    };
    for (frame, d) in &packets {
        let mut text = String::new();
        write_line(&mut text, frame, d, options, first.ts);
        write!(out, "{:>3}  {text}", frame.number)?;
        let role = match conversation::find(&conversations, frame.number) {
            Some((_, step)) => step.story.clone(),
            None => conversation::role_from_flags(d).unwrap_or_default(),
        };
        writeln!(out, "     {role}")?;
        writeln!(out, "     {}\n", Encapsulation::build(frame, d).one_line())?;
    }
    if let Some(paint) = explain {
        let chosen = packets
            .iter()
            .find(|(_, d)| d.has(Proto::Payload))
            .or_else(|| packets.first());
        if let Some((frame, d)) = chosen {
            let mut text = String::new();
            let lesson = Lesson::build(frame, d, conversation::find(&conversations, frame.number));
            text.push_str("The first packet that carries data, explained:\n\n");
            teach_out::write_lesson(&mut text, &lesson, paint);
            if let Some(conv) = conversations.first() {
                text.push_str("\nThe whole conversation:\n\n");
                teach_out::write_conversation(&mut text, conv, paint);
            }
            out.write_all(text.as_bytes())?;
        }
    }
    Ok(())
}

fn endpoint(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("[{a}]:{port}"),
    }
}
