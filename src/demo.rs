//! `wirepeek demo`: capture on loopback while the built-in echo client talks
//! to the built-in echo server on a fresh port, then show the conversation
//! packet by packet with its encapsulation. Glue between `capture`, `echo`,
//! `decode` and `output`; owns no protocol knowledge of its own.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::capture::live::{LiveOptions, LiveSource};
use crate::capture::save::{CaptureWriter, SaveFormat, SavedInterface};
use crate::capture::{CaptureError, FrameSource, Next};
use crate::cli::DemoArgs;
use crate::decode::{Dissection, Proto, decode};
use crate::echo::{
    self, ClientConfig, ClientProtocol, Payload, ServerConfig, ServerLog, ServerProtocols,
};
use crate::error::AppError;
use crate::frame::FrameRecord;
use crate::output::line::{LineOptions, write_line};
use crate::output::time::TimeFormat;

/// What the client says; the server echoes each line back.
const MESSAGES: u64 = 3;
const MESSAGE: &[u8] = b"hello there\n";
/// How long to keep capturing after the client is done, so the teardown's
/// last ACK is in.
const SETTLE: Duration = Duration::from_millis(300);

/// Run the demo and print the conversation to `out`.
pub fn run(args: &DemoArgs, out: &mut dyn Write) -> Result<Vec<FrameRecord>, AppError> {
    let frames = capture_conversation(args)?;
    if let Some(dest) = &args.write {
        save(dest, &frames)?;
    }
    print_conversation(&frames, out).map_err(AppError::Output)?;
    Ok(frames)
}

/// Run the demo and browse the conversation in the TUI.
pub fn run_tui(args: &DemoArgs) -> Result<Vec<FrameRecord>, AppError> {
    let frames = capture_conversation(args)?;
    if let Some(dest) = &args.write {
        save(dest, &frames)?;
    }
    crate::tui::run(crate::tui::TuiConfig {
        source: crate::tui::SourceSpec::Frames {
            label: "demo: echo conversation on lo".into(),
            frames: frames.clone(),
        },
        filter: None,
        compiler: None,
    })?;
    Ok(frames)
}

/// Capture one echo conversation on `lo` and return its frames.
pub fn capture_conversation(args: &DemoArgs) -> Result<Vec<FrameRecord>, AppError> {
    // Open the socket first: it needs privileges, and the capture must be
    // running before the first SYN.
    let mut source = LiveSource::open("lo", LiveOptions::default())?;
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
    let capture = std::thread::spawn(move || -> Result<Vec<FrameRecord>, CaptureError> {
        let mut frames = Vec::new();
        // Bounded: the client finishes within its timeouts, and we stop soon
        // after; this deadline is a backstop should anything hang.
        let deadline = Instant::now() + Duration::from_secs(30);
        while !capture_stop.load(Ordering::SeqCst) && Instant::now() < deadline {
            match source.next_frame()? {
                Next::Frame(mut frame) => {
                    let d = decode(&frame);
                    let ours = d
                        .tuple
                        .is_some_and(|t| t.src_port == port || t.dst_port == port);
                    if ours {
                        frame.number = frames.len() as u64 + 1;
                        frames.push(frame);
                    }
                }
                Next::Idle => {}
                Next::End { .. } => break,
            }
        }
        Ok(frames)
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
    Ok(frames)
}

fn save(dest: &str, frames: &[FrameRecord]) -> Result<(), AppError> {
    let file = std::fs::File::create(dest).map_err(|source| CaptureError::Io {
        path: dest.to_string(),
        source,
    })?;
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

/// Print each packet's line, its role in the conversation and its
/// encapsulation with header sizes.
pub fn print_conversation(frames: &[FrameRecord], out: &mut dyn Write) -> std::io::Result<()> {
    let Some(first) = frames.first() else {
        writeln!(out, "no packets of the conversation were captured")?;
        return Ok(());
    };
    let first_d = decode(first);
    if let Some(t) = first_d.tuple {
        let proto = if t.protocol == 6 { "TCP" } else { "UDP" };
        writeln!(
            out,
            "{proto} conversation, socket pair ({}, {}): client port {} (ephemeral), server port {} (echo)\n",
            endpoint(t.src, t.src_port),
            endpoint(t.dst, t.dst_port),
            t.src_port,
            t.dst_port
        )?;
    }
    let options = LineOptions {
        time: TimeFormat::Relative,
        link: false,
    };
    for frame in frames {
        let d = decode(frame);
        let mut text = String::new();
        write_line(&mut text, frame, &d, options, first.ts);
        write!(out, "{:>3}  {text}", frame.number)?;
        writeln!(out, "     {}", role(&d, frame))?;
        writeln!(out, "     {}\n", encapsulation(&d, frame))?;
    }
    Ok(())
}

fn endpoint(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("[{a}]:{port}"),
    }
}

/// Where the packet sits in a TCP conversation, from its flags.
fn role(d: &Dissection, frame: &FrameRecord) -> &'static str {
    let flags = d
        .field("tcp.flags")
        .and_then(|f| match f.value {
            crate::decode::Value::Hex(v, _) => Some(v as u16),
            _ => None,
        })
        .unwrap_or(0);
    let payload = d.layer(Proto::Payload).is_some();
    let _ = frame;
    if !d.has(Proto::Tcp) {
        return if payload {
            "UDP datagram: one message, no connection"
        } else {
            "UDP datagram"
        };
    }
    let (syn, ack, fin, rst) = (
        flags & 0x02 != 0,
        flags & 0x10 != 0,
        flags & 0x01 != 0,
        flags & 0x04 != 0,
    );
    match (syn, ack, fin, rst, payload) {
        (true, false, ..) => {
            "handshake 1/3: SYN — the client asks to connect and picks its initial sequence number"
        }
        (true, true, ..) => {
            "handshake 2/3: SYN-ACK — the server accepts and picks its own sequence number"
        }
        (_, _, _, true, _) => "RST: the connection is aborted",
        (_, _, true, _, _) => "teardown: FIN — this side has nothing more to send",
        (_, _, _, _, true) => "data: application bytes, acknowledging what was received so far",
        _ => "ACK: acknowledges bytes (or the handshake, or a FIN) without data",
    }
}

/// `Ethernet 14 B ⊃ IPv4 20 B ⊃ TCP 32 B ⊃ payload 12 B "hello there\n"`.
fn encapsulation(d: &Dissection, frame: &FrameRecord) -> String {
    let mut parts = Vec::new();
    for layer in d
        .layers
        .iter()
        .filter(|l| !matches!(l.proto, Proto::Frame | Proto::Trailer))
    {
        let len = layer.header.len();
        if layer.proto == Proto::Payload {
            let text: String = frame.data[layer.header.clone()]
                .iter()
                .map(|&b| match b {
                    b'\n' => "\\n".to_string(),
                    32..=126 => (b as char).to_string(),
                    _ => ".".to_string(),
                })
                .collect();
            parts.push(format!("payload {len} B \"{text}\""));
        } else {
            parts.push(format!("{} {len} B", layer.proto.short()));
        }
    }
    parts.join(" ⊃ ")
}
