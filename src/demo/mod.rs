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
use crate::echo::{self, Call, CallLog, LessonConfig, LessonKind};
use crate::error::AppError;
use crate::frame::FrameRecord;
use crate::output::line::{LineOptions, write_line};
use crate::output::teach::{self as teach_out, Paint};
use crate::output::time::TimeFormat;
use crate::pipeline::{self, Settings, Sink, Track};
use crate::teach::{Encapsulation, Lesson, conversation, describe_port};

mod segments;
mod story;
mod timeline;

/// What the client says; the server echoes each line back.
const MESSAGES: usize = 3;
const MESSAGE: &[u8] = b"hello there\n";
/// How long to keep capturing after the client is done, so the teardown's
/// last ACK is in.
const SETTLE: Duration = Duration::from_millis(300);
/// The largest UDP payload over IPv4, the bound of `--udp --message-size`.
const MAX_UDP_MESSAGE: u64 = 65_507;
/// `--message-size`: the MSS the client announces (TCP_MAXSEG), and the
/// server's receive buffer (SO_RCVBUF), so a large message really crosses
/// loopback (MTU 65,536) in several segments and several windows.
const LESSON_MSS: usize = 16_384;
const LESSON_RCVBUF: usize = 32_768;
/// Each blocking call of the lesson peers gives up after this long.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// One captured conversation and the socket calls that made it.
pub struct Captured {
    pub frames: Vec<FrameRecord>,
    /// Every recorded call, sorted by the time it was entered.
    pub calls: Vec<Call>,
    /// Calls made but not kept (the log is bounded).
    pub dropped: u64,
    /// The server's port.
    pub port: u16,
    /// Bytes in each message the client sent (0 for HTTP).
    pub message: usize,
}

/// Run the demo and print the conversation to `out`; `is_terminal` says
/// whether `out` is a terminal (for `--color auto`).
pub fn run(
    args: &DemoArgs,
    out: &mut dyn Write,
    is_terminal: bool,
) -> Result<Vec<FrameRecord>, AppError> {
    let captured = capture(args)?;
    let explain = args.explain.then(|| Paint {
        on: args
            .color
            .enabled(is_terminal, std::env::var_os("NO_COLOR").as_deref()),
    });
    print_conversation(&captured, out, explain).map_err(AppError::Output)?;
    Ok(captured.frames)
}

/// Run the demo and browse the conversation in the TUI.
pub fn run_tui(args: &DemoArgs) -> Result<Vec<FrameRecord>, AppError> {
    let frames = capture(args)?.frames;
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

/// Print the socket calls beside the packets they caused.
pub fn print_calls(captured: &Captured, out: &mut dyn Write) -> std::io::Result<()> {
    let segs = segments::segments(&captured.frames, captured.port);
    let Some(origin) = segs.first().map(|s| s.ts) else {
        return Ok(());
    };
    let (rows, summary) = timeline::timeline(&captured.calls, &segs);
    story::write_timeline(
        out,
        &rows,
        &summary,
        origin,
        captured.dropped,
        captured.message,
    )
}

/// Check the flags that clap cannot check alone.
fn validate(args: &DemoArgs) -> Result<(), AppError> {
    if let Some(size) = args.message_size
        && args.udp
        && size > MAX_UDP_MESSAGE
    {
        return Err(AppError::Usage(format!(
            "demo --udp --message-size {size}: one UDP datagram carries at most {MAX_UDP_MESSAGE} bytes"
        )));
    }
    Ok(())
}

/// What the client sends: three short lines, or one message of
/// `--message-size` bytes (a repeating alphabet, readable in a hex dump).
fn lesson_kind(args: &DemoArgs) -> LessonKind {
    if args.http {
        return LessonKind::Http;
    }
    match args.message_size {
        Some(size) => {
            let message = (0..size).map(|i| b'a' + (i % 26) as u8).collect();
            LessonKind::Echo(vec![message])
        }
        None => LessonKind::Echo(vec![MESSAGE.to_vec(); MESSAGES]),
    }
}

/// Capture one conversation on `lo` and return its frames (saved to
/// `-w FILE` too, when asked) with the calls both peers made.
pub fn capture(args: &DemoArgs) -> Result<Captured, AppError> {
    validate(args)?;
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
    let kind = lesson_kind(args);
    let message = match &kind {
        LessonKind::Echo(messages) => messages.first().map_or(0, Vec::len),
        LessonKind::Http => 0,
    };
    let large = args.message_size.is_some() && !args.udp;
    let cfg = LessonConfig {
        server: listen,
        udp: args.udp,
        kind,
        client_maxseg: large.then_some(LESSON_MSS),
        server_rcvbuf: large.then_some(LESSON_RCVBUF),
        interval: Duration::from_millis(20),
        timeout: CALL_TIMEOUT,
    };
    let log = CallLog::default();
    let server = echo::start_lesson_server(&cfg, &log)
        .map_err(|e| AppError::Usage(format!("demo server: {e}")))?;
    let server_addr = server.addr();
    let port = server_addr.port();

    let stop = Arc::new(AtomicBool::new(false));
    let capture_stop = Arc::clone(&stop);
    let capture = std::thread::spawn(move || -> Result<Vec<FrameRecord>, AppError> {
        // Bounded: the peers finish within their timeouts, and we stop soon
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

    let client = echo::run_lesson_client(&cfg, server_addr, &log);
    let served = server.join();
    std::thread::sleep(SETTLE);
    stop.store(true, Ordering::SeqCst);
    let frames = capture
        .join()
        .map_err(|_| AppError::Usage("the capture thread panicked".to_string()))??;
    client.map_err(|e| AppError::Usage(format!("demo client: {e}")))?;
    served.map_err(|e| AppError::Usage(format!("demo server: {e}")))?;
    if let Some((dest, file)) = output {
        save(dest, file, &frames)?;
    }
    let (calls, dropped) = log.snapshot();
    Ok(Captured {
        frames,
        calls,
        dropped,
        port,
        message,
    })
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

    fn frame(&mut self, frame: &mut FrameRecord, d: &Dissection) -> Result<bool, AppError> {
        let port = self.port;
        if d.tuple
            .is_some_and(|t| t.src_port == port || t.dst_port == port)
        {
            frame.number = self.frames.len() as u64 + 1;
            self.frames.push(frame.take());
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
/// encapsulation with byte ranges, then the socket calls beside the
/// packets; with `explain`, then the first data packet
/// field by field and the whole conversation as a story.
///
/// Why the first data packet: it is the one packet that has every layer,
/// payload included, so it shows the whole nesting and the overhead; the
/// story then covers every packet briefly. Explaining all packets in full
/// would print some 1,000 lines of mostly repeated headers.
pub fn print_conversation(
    captured: &Captured,
    out: &mut dyn Write,
    explain: Option<Paint>,
) -> std::io::Result<()> {
    let frames = &captured.frames;
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
    print_calls(captured, out)?;
    if let Some(paint) = explain {
        let chosen = packets
            .iter()
            .find(|(_, d)| d.has(Proto::Payload) || d.has(Proto::Http))
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
