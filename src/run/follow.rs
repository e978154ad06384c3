//! `wirepeek follow`: one conversation's bytes, reassembled by
//! `stream::TcpStream` (or a UDP conversation's datagrams), printed in
//! tshark's `-z follow` formats as they are delivered.

use std::io::Write;
use std::net::IpAddr;

use crate::capture::file::FileSource;
use crate::capture::{FrameSource, Next};
use crate::cli::{FollowArgs, FollowDirection};
use crate::decode::{Detail, Dissection};
use crate::error::AppError;
use crate::flow::{FlowConfig, FlowTable, Packet, TCP, UDP};
use crate::frame::FrameRecord;
use crate::output::follow::{self as fmt, FollowFormat, Header, Piece, Printer};
use crate::pipeline::{Reassembler, Reassembly, decode_frame};
use crate::stream::{Budget, ChunkKind, Payload, Segment, StreamLimits, TcpStream};

use super::RunSummary;

/// Write the text out once it holds this much.
const FLUSH_AT: usize = 256 * 1024;

/// `wirepeek follow FILE (--stream N | --frame N)`.
pub fn follow(args: &FollowArgs, out: &mut dyn Write) -> Result<RunSummary, AppError> {
    let (proto, stream) = match (args.stream, args.frame) {
        (Some(n), _) => (if args.udp { UDP } else { TCP }, n),
        (None, Some(frame)) => stream_of_frame(args, frame)?,
        (None, None) => {
            return Err(AppError::Usage(
                "follow needs --stream N or --frame N".into(),
            ));
        }
    };
    let mut follower = Follower::new(args, proto, stream);
    let mut source = FileSource::open(&args.file)?;
    let mut flows = FlowTable::new(flow_config(args));
    let mut d = Dissection::default();
    // IP fragments are reassembled, as tshark does by default.
    let mut reassembler = Reassembler::new(Reassembly::default());
    let mut summary = RunSummary::default();
    loop {
        let frame = match source.next_frame()? {
            Next::Frame(frame) => frame,
            Next::Idle => continue,
            Next::End { warning } => {
                summary.warning = warning;
                break;
            }
        };
        decode_frame(&frame, Detail::Layers, &mut d, &mut reassembler);
        let p = Packet::from_dissection(&frame, &d);
        let Some(info) = flows.ingest_packet(&frame, p.as_ref()) else {
            continue;
        };
        if info.proto != proto || info.stream != stream {
            continue;
        }
        if let Some(p) = p {
            follower.packet(&frame, &d, &p, info.rel_seq, info.rel_ack);
        }
        if follower.text.len() >= FLUSH_AT && !flush(out, &mut follower.text)? {
            summary.closed_pipe = true;
            return Ok(summary);
        }
    }
    follower.finish();
    summary.packets = follower.packets;
    if !flush(out, &mut follower.text)? {
        summary.closed_pipe = true;
        return Ok(summary);
    }
    follower.report();
    Ok(summary)
}

/// The protocol and stream index of frame `number` (a first pass).
fn stream_of_frame(args: &FollowArgs, number: u64) -> Result<(u8, u32), AppError> {
    if args.file == "-" {
        return Err(AppError::Usage(
            "follow --frame reads the capture twice: give a file, not standard input (or use --stream)".into(),
        ));
    }
    let mut source = FileSource::open(&args.file)?;
    let mut flows = FlowTable::new(flow_config(args));
    let mut d = Dissection::default();
    let mut reassembler = Reassembler::new(Reassembly::default());
    let mut seen = 0u64;
    loop {
        let frame = match source.next_frame()? {
            Next::Frame(frame) => frame,
            Next::Idle => continue,
            Next::End { .. } => {
                return Err(AppError::Usage(format!(
                    "the capture has no frame {number} (it has {seen})"
                )));
            }
        };
        seen += 1;
        decode_frame(&frame, Detail::Layers, &mut d, &mut reassembler);
        let info = flows.ingest(&frame, &d);
        if frame.number != number {
            continue;
        }
        return match info {
            Some(i) if i.proto == TCP && args.udp => Err(AppError::Usage(format!(
                "frame {number} is TCP (tcp.stream {}): leave out --udp",
                i.stream
            ))),
            Some(i) if i.proto == TCP || i.proto == UDP => Ok((i.proto, i.stream)),
            _ => Err(AppError::Usage(format!(
                "frame {number} belongs to no TCP or UDP conversation"
            ))),
        };
    }
}

fn flow_config(args: &FollowArgs) -> FlowConfig {
    FlowConfig {
        idle_timeout_ns: args.limits.flow_timeout.map(|s| (s * 1e9) as i64),
        max_flows: args.limits.max_flows,
        keep_finished: false,
    }
}

/// Write out the buffered text. Returns false when the reader has gone.
fn flush(out: &mut dyn Write, text: &mut Vec<u8>) -> Result<bool, AppError> {
    let result = out.write_all(text);
    text.clear();
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(AppError::Output(e)),
    }
}

/// The followed conversation: its ends, its reassembly, its printer.
struct Follower {
    proto: u8,
    stream: u32,
    format: FollowFormat,
    direction: FollowDirection,
    /// Node 0 (the first packet's sender) and node 1, once a packet came.
    nodes: Option<[(IpAddr, u16); 2]>,
    tcp: TcpStream,
    limits: StreamLimits,
    budget: Budget,
    printer: Printer,
    text: Vec<u8>,
    packets: u64,
}

impl Follower {
    fn new(args: &FollowArgs, proto: u8, stream: u32) -> Follower {
        let limits = StreamLimits {
            per_direction: args.max_stream_bytes,
            total: args.max_reassembly_bytes,
        };
        Follower {
            proto,
            stream,
            format: format(args.format),
            direction: args.direction,
            nodes: None,
            tcp: TcpStream::new(),
            budget: Budget::new(limits.total),
            limits,
            printer: Printer::default(),
            text: Vec::with_capacity(FLUSH_AT + 64 * 1024),
            packets: 0,
        }
    }

    fn header(&mut self) {
        let h = Header {
            proto: if self.proto == UDP { "udp" } else { "tcp" },
            format: self.format,
            stream: self.stream,
            nodes: self.nodes,
        };
        fmt::write_header(&mut self.text, &h);
    }

    /// One packet of the followed conversation.
    fn packet(
        &mut self,
        frame: &FrameRecord,
        d: &Dissection,
        p: &Packet,
        rel_seq: Option<u32>,
        rel_ack: Option<u32>,
    ) {
        let Some((payload, src, dst)) = crate::pipeline::follow::followed(frame, d, p) else {
            return;
        };
        let nodes = match self.nodes {
            Some(n) => n,
            None => {
                self.nodes = Some([src, dst]);
                self.header();
                [src, dst]
            }
        };
        let side = usize::from(src != nodes[0]);
        self.packets += 1;
        let Some(seg) = p.tcp else {
            // UDP: every datagram is a chunk.
            self.print(side, frame.number, frame.ts, payload);
            return;
        };
        let segment = Segment {
            frame: frame.number,
            ts: frame.ts,
            seq: rel_seq.unwrap_or(seg.seq),
            ack: rel_ack.unwrap_or(seg.ack),
            syn: seg.has(crate::flow::TcpSegment::SYN),
            len: seg.len,
            payload: Payload::Bytes(payload),
        };
        let Follower {
            tcp,
            limits,
            budget,
            printer,
            text,
            format,
            direction,
            ..
        } = self;
        tcp.segment(side, &segment, limits, budget, &mut |c| {
            if !wanted(*direction, c.side) {
                return;
            }
            // tshark zeroes the time of gap marks.
            let marker;
            let (ts, bytes) = match c.kind {
                ChunkKind::Missing(n) => {
                    marker = fmt::missing_marker(n);
                    (None, &marker[..])
                }
                _ => (c.ts, c.bytes),
            };
            let piece = Piece {
                side: c.side,
                frame: c.frame,
                ts,
                bytes,
            };
            printer.write(text, *format, &piece);
        });
    }

    fn print(
        &mut self,
        side: usize,
        frame: u64,
        ts: Option<crate::frame::Timestamp>,
        bytes: &[u8],
    ) {
        if wanted(self.direction, side) {
            let piece = Piece {
                side,
                frame,
                ts,
                bytes,
            };
            self.printer.write(&mut self.text, self.format, &piece);
        }
    }

    fn finish(&mut self) {
        if self.nodes.is_none() {
            self.header();
        }
        fmt::write_footer(&mut self.text, self.format);
    }

    /// Say on standard error what the output does not show.
    fn report(&self) {
        let dropped = self.tcp.dropped;
        if dropped.segments > 0 {
            eprintln!(
                "wirepeek: follow: {} out-of-order segments ({} bytes) dropped past --max-stream-bytes / --max-reassembly-bytes",
                dropped.segments, dropped.bytes
            );
        }
        let pending = self.tcp.pending_bytes();
        if pending > 0 {
            eprintln!(
                "wirepeek: follow: {pending} bytes after a hole nobody acknowledged are not shown (a reader would still be waiting)"
            );
        }
        if dropped.uncaptured > 0 {
            eprintln!(
                "wirepeek: follow: {} payload bytes the capture cut off (snap length) are not shown",
                dropped.uncaptured
            );
        }
    }
}

fn wanted(direction: FollowDirection, side: usize) -> bool {
    match direction {
        FollowDirection::Both => true,
        FollowDirection::Client => side == 0,
        FollowDirection::Server => side == 1,
    }
}

/// The command line's format as the printer's.
fn format(f: crate::cli::FollowFormat) -> fmt::FollowFormat {
    use crate::cli::FollowFormat as Arg;
    match f {
        Arg::Ascii => fmt::FollowFormat::Ascii,
        Arg::Hex => fmt::FollowFormat::Hex,
        Arg::Raw => fmt::FollowFormat::Raw,
        Arg::Yaml => fmt::FollowFormat::Yaml,
    }
}
