//! The teaching model: what a student should see about one packet, built
//! from a frame and its `Dissection` and nothing else. The nesting of headers
//! (`Span`s with byte ranges), the overhead, every field as a row with its
//! bytes, value, one plain sentence and the RFC, byte order made visible,
//! the connection the packet belongs to, and what went wrong.
//!
//! `teach` builds models; `output::teach` renders them as text or Markdown
//! and the TUI can draw the same model. Uses `frame` and `decode` only:
//! never capture, output, app or tui, and it never reads a byte the decoder
//! did not point it to.

pub mod conversation;
pub mod diagram;
pub mod fragment;
pub mod glossary;
pub mod quiz;
mod rows;

use rows::headers;

use std::net::IpAddr;
use std::ops::Range;

use crate::decode::summary::tcpdump_line;
use crate::decode::{
    Dissection, Field, NoteKind, Origin, Proto, Severity, Value, arp, ethernet, icmp, icmpv6, ipv4,
    ipv6, names, payload, tcp, udp, vlan,
};
use crate::frame::FrameRecord;

pub use conversation::{Client, Member, Peers, Tracked, Verdicts};
pub use conversation::{Conversation, Side, Step};

/// Everything to say about one packet.
#[derive(Clone, Debug)]
pub struct Lesson {
    pub frame: u64,
    pub wire_len: usize,
    pub captured_len: usize,
    /// tcpdump's one-line summary, without a timestamp.
    pub summary: String,
    pub encapsulation: Encapsulation,
    pub headers: Vec<HeaderLesson>,
    pub connection: Option<Connection>,
    /// For an ICMP error: the socket pair of the packet it quotes.
    pub quoted_about: Option<String>,
    /// For a fragment of an IP datagram: what its fields say, and where it
    /// was reassembled (filled in by the caller, which saw the capture).
    pub fragment: Option<fragment::Fragment>,
    pub problems: Vec<Problem>,
}

/// The headers nested inside each other, outermost first.
#[derive(Clone, Debug)]
pub struct Encapsulation {
    pub spans: Vec<Span>,
    /// Bytes after the innermost layer that belong to the link (padding).
    pub trailer: Option<Range<usize>>,
    pub overhead: Overhead,
}

/// One box of the nesting.
#[derive(Clone, Debug)]
pub struct Span {
    pub proto: Proto,
    /// Short name: `IPv4`, `TCP`, `payload`.
    pub name: &'static str,
    /// The header's captured bytes (for the payload, the data's).
    pub header: Range<usize>,
    /// The header's length on the wire, which is more than `header.len()`
    /// when the capture cut it.
    pub header_len: usize,
    /// Header and everything it carries, by the packet's own length fields
    /// (may run past the captured bytes).
    pub extent: Range<usize>,
    /// Inside an ICMP error: a copy of the packet that caused it.
    pub quoted: bool,
    /// Printable payload text, quoted and escaped.
    pub preview: Option<String>,
}

/// Header bytes against application data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overhead {
    pub wire: usize,
    pub headers: usize,
    pub data: usize,
    /// How much of the application data the capture kept.
    pub data_captured: usize,
    pub padding: usize,
    /// Bytes of the packet an ICMP error quotes.
    pub quoted: usize,
    /// Bytes on the wire that belong to no header we saw and no data we
    /// counted: what the capture did not keep.
    pub unaccounted: usize,
}

impl Overhead {
    /// `part` as a percentage of the wire length, one decimal.
    pub fn percent(&self, part: usize) -> f64 {
        if self.wire == 0 {
            0.0
        } else {
            (part as f64 * 1000.0 / self.wire as f64).round() / 10.0
        }
    }
}

/// One header, field by field in wire order.
#[derive(Clone, Debug)]
pub struct HeaderLesson {
    pub proto: Proto,
    pub title: &'static str,
    pub range: Range<usize>,
    pub quoted: bool,
    pub rows: Vec<Row>,
}

/// One field, ready to print.
#[derive(Clone, Debug)]
pub struct Row {
    pub key: &'static str,
    pub name: &'static str,
    /// Sub-fields (flag bits, option values) sit one level deeper.
    pub depth: u8,
    /// Absolute byte range; None for values wirepeek computed.
    pub bytes: Option<Range<usize>>,
    /// The captured bytes in hex, space-separated (`1b 5f`); for bit
    /// fields, the bits they use (`.... ..1.`).
    pub hex: String,
    /// The decoded value, with its table name: `6 (TCP)`.
    pub value: String,
    pub sentence: Option<String>,
    pub source: Option<&'static str>,
    /// How the bytes become the number, for multi-byte integers.
    pub byte_order: Option<String>,
}

impl Row {
    /// True for values wirepeek worked out rather than read.
    pub fn generated(&self) -> bool {
        self.bytes.is_none()
    }
}

/// The socket pair and where this packet stands in its conversation.
#[derive(Clone, Debug)]
pub struct Connection {
    /// `TCP` or `UDP`.
    pub transport: &'static str,
    pub src: String,
    pub dst: String,
    /// Whether this packet's sender is the client or the server (the left
    /// or right side when the client is unknown).
    pub sender: Side,
    /// The sender's and receiver's names: `client`/`server`, or `A`/`B`
    /// when which side is the client is unknown.
    pub names: [&'static str; 2],
    /// How we know which end is the client.
    pub client_reason: String,
    /// One line per port: what kind of port it is.
    pub ports: Vec<String>,
    /// The packet's place in the conversation, when we saw the conversation
    /// or can tell from the packet alone.
    pub position: Option<String>,
}

/// Something wrong with the packet or its capture, in words.
#[derive(Clone, Debug)]
pub struct Problem {
    pub severity: Severity,
    pub layer: &'static str,
    pub offset: usize,
    /// What the decoder found.
    pub what: String,
    /// What it means for the reader.
    pub why: String,
}

impl Lesson {
    /// Build the lesson for `frame`; `step` is its place in a conversation
    /// seen in full (from `conversation::conversations`), if known.
    pub fn build(
        frame: &FrameRecord,
        d: &Dissection,
        step: Option<(&Conversation, &Step)>,
    ) -> Lesson {
        let mut summary = String::new();
        tcpdump_line(frame, d, false, &mut summary);
        Lesson {
            frame: frame.number,
            wire_len: frame.orig_len as usize,
            captured_len: frame.data.len(),
            summary,
            encapsulation: Encapsulation::build(frame, d),
            headers: headers(frame, d),
            connection: connection(d, step),
            quoted_about: quoted_about(d),
            fragment: fragment::Fragment::of(d),
            problems: problems(frame, d),
        }
    }
}

impl Encapsulation {
    /// The nesting of `d`'s layers with their byte ranges.
    pub fn build(frame: &FrameRecord, d: &Dissection) -> Encapsulation {
        let data = &frame.data[..];
        let mut spans = Vec::new();
        let mut trailer = None;
        let mut headers = 0;
        let mut payload = 0;
        let mut padding = 0;
        let mut quoted = 0;
        for layer in &d.layers {
            match layer.proto {
                Proto::Frame => continue,
                Proto::Trailer => {
                    padding += layer.header.len();
                    trailer = Some(layer.header.clone());
                    continue;
                }
                Proto::Payload => {
                    // The payload's wire length, even where the capture cut it.
                    let wire = d
                        .fields_of(layer)
                        .iter()
                        .find(|f| f.key == payload::LEN.key)
                        .and_then(|f| glossary::num(&f.value))
                        .map_or(layer.header.len(), |n| n as usize);
                    if layer.quoted {
                        quoted += layer.header.len();
                    } else {
                        payload += wire;
                    }
                    spans.push(Span {
                        proto: layer.proto,
                        name: "payload",
                        header_len: layer.header.len(),
                        header: layer.header.clone(),
                        extent: layer.header.start..layer.header.start + wire,
                        quoted: layer.quoted,
                        preview: data.get(layer.header.clone()).and_then(printable),
                    });
                    continue;
                }
                _ => {}
            }
            // A header the capture cut still had its full length on the
            // wire: take it from the header's own length field.
            let header_len = if layer.header.end >= data.len() {
                d.fields_of(layer)
                    .iter()
                    .find(|f| f.key.ends_with(".hdr_len"))
                    .and_then(|f| glossary::num(&f.value))
                    .map_or(layer.header.len(), |n| n as usize)
                    .max(layer.header.len())
            } else {
                layer.header.len()
            };
            if layer.quoted {
                quoted += layer.header.len();
            } else {
                headers += header_len;
            }
            spans.push(Span {
                proto: layer.proto,
                name: layer.proto.short(),
                header_len,
                header: layer.header.clone(),
                extent: layer.header.start..layer.pdu.end.max(layer.header.end),
                quoted: layer.quoted,
                preview: None,
            });
        }
        // A box holds everything inside it: widen each extent to cover the
        // boxes it contains (Ethernet's own length covers only its header).
        for i in (0..spans.len().saturating_sub(1)).rev() {
            let inner_end = spans[i + 1].extent.end;
            if inner_end > spans[i].extent.end {
                spans[i].extent.end = inner_end;
            }
        }
        let data_captured = spans
            .iter()
            .filter(|s| s.proto == Proto::Payload && !s.quoted)
            .map(|s| s.header.len())
            .sum::<usize>();
        // Data the capture lost entirely: what a cut TCP or UDP segment
        // carried after its header, by the IP length.
        if let Some(last) = spans.last().filter(|s| !s.quoted)
            && matches!(last.proto, Proto::Tcp | Proto::Udp)
            && last.header.end >= data.len()
        {
            payload += last
                .extent
                .end
                .saturating_sub(last.header.start + last.header_len);
        }
        let wire = frame.orig_len as usize;
        let unaccounted = wire.saturating_sub(headers + payload + padding + quoted);
        Encapsulation {
            spans,
            trailer,
            overhead: Overhead {
                wire,
                headers,
                data: payload,
                data_captured,
                padding,
                quoted,
                unaccounted,
            },
        }
    }

    /// `Ethernet [0..14) ⊃ IPv4 [14..34) ⊃ TCP [34..66) ⊃ payload [66..78) "hello there\n"`.
    pub fn one_line(&self) -> String {
        let parts: Vec<String> = self
            .spans
            .iter()
            .map(|s| {
                let mut p = format!("{} [{}..{})", s.name, s.header.start, s.header.end);
                if let Some(text) = &s.preview {
                    p.push(' ');
                    p.push_str(text);
                }
                p
            })
            .collect();
        parts.join(" ⊃ ")
    }
}

/// Printable ASCII as a quoted, escaped string; None for binary data.
pub fn printable(bytes: &[u8]) -> Option<String> {
    const MAX: usize = 40;
    if bytes.is_empty() {
        return None;
    }
    let text_like = bytes
        .iter()
        .filter(|b| matches!(b, b'\n' | b'\r' | b'\t' | 32..=126))
        .count();
    if text_like * 10 < bytes.len() * 9 {
        return None;
    }
    let mut s = String::from("\"");
    for &b in bytes.iter().take(MAX) {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            32..=126 => s.push(b as char),
            _ => s.push('.'),
        }
    }
    s.push('"');
    if bytes.len() > MAX {
        s.push('…');
    }
    Some(s)
}

fn endpoint(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("[{a}]:{port}"),
    }
}

/// What kind of port `port` is, and the service if the table knows it.
pub fn describe_port(port: u16) -> String {
    let class = match port {
        0..=1023 => "well-known",
        1024..=49151 => "registered range",
        _ => "dynamic range",
    };
    match names::service(port) {
        Some(s) => format!("{port} ({class}, {s})"),
        None => format!("{port} ({class}, no service in the table)"),
    }
}

fn connection(d: &Dissection, step: Option<(&Conversation, &Step)>) -> Option<Connection> {
    let t = d.tuple?;
    let transport = if t.protocol == 6 { "TCP" } else { "UDP" };
    let (sender, client_reason, position, names) = match step {
        Some((conv, step)) => (
            step.from,
            conv.client_reason.clone(),
            Some(format!(
                "packet {} of {} in this conversation: {}",
                step.index,
                conv.steps.len(),
                step.story
            )),
            [conv.name(step.from), conv.name(step.from.other())],
        ),
        None => {
            let (side, reason) = conversation::guess_client(d);
            let names = [side.name(), side.other().name()];
            (side, reason, conversation::role_from_flags(d), names)
        }
    };
    let known = names.contains(&"client");
    let (client_port, server_port) = if sender == Side::Client {
        (t.src_port, t.dst_port)
    } else {
        (t.dst_port, t.src_port)
    };
    let (src_name, dst_name) = (names[0], names[1]);
    let ports = if !known {
        vec![
            format!("{src_name}'s port {}", describe_port(t.src_port)),
            format!("{dst_name}'s port {}", describe_port(t.dst_port)),
        ]
    } else {
        vec![
            format!(
                "client port {}{}",
                describe_port(client_port),
                if client_port >= 32768 {
                    ": an ephemeral port the client's kernel picked for this socket"
                } else {
                    ""
                }
            ),
            format!(
                "server port {}{}",
                describe_port(server_port),
                if names::service(server_port).is_none() && server_port >= 32768 {
                    ": not a well-known port; this server let its kernel pick a free one"
                } else {
                    ": the port the server listens on"
                }
            ),
        ]
    };
    Some(Connection {
        transport,
        src: endpoint(t.src, t.src_port),
        dst: endpoint(t.dst, t.dst_port),
        sender,
        names,
        client_reason,
        ports,
        position,
    })
}

/// The IP source address of `d`'s outermost unquoted IP header.
pub fn ip_source(d: &Dissection) -> Option<IpAddr> {
    let f = d.field(ipv4::SRC.key).or_else(|| d.field(ipv6::SRC.key))?;
    match f.value {
        Value::Ip(ip) => Some(ip),
        _ => None,
    }
}

/// The protocol and socket pair (source first) of the TCP segment or UDP
/// datagram an ICMP error quotes.
pub fn quoted_tuple(
    d: &Dissection,
) -> Option<(u8, conversation::Endpoint, conversation::Endpoint)> {
    let quoted = |key: &str| {
        d.layers
            .iter()
            .filter(|l| l.quoted)
            .flat_map(|l| d.fields_of(l))
            .find(|f| f.key == key)
            .map(|f| f.value.clone())
    };
    let (proto, sport, dport) = if d.layers.iter().any(|l| l.quoted && l.proto == Proto::Tcp) {
        (6, tcp::SRCPORT.key, tcp::DSTPORT.key)
    } else if d.layers.iter().any(|l| l.quoted && l.proto == Proto::Udp) {
        (17, udp::SRCPORT.key, udp::DSTPORT.key)
    } else {
        return None;
    };
    let ip = |key4: &str, key6: &str| match quoted(key4).or_else(|| quoted(key6)) {
        Some(Value::Ip(ip)) => Some(ip),
        _ => None,
    };
    let port = |key: &str| {
        quoted(key)
            .and_then(|v| glossary::num(&v))
            .map(|p| p as u16)
    };
    Some((
        proto,
        (ip(ipv4::SRC.key, ipv6::SRC.key)?, port(sport)?),
        (ip(ipv4::DST.key, ipv6::DST.key)?, port(dport)?),
    ))
}

/// `the UDP datagram 10.213.9.1:41444 → 10.213.9.2:9`, from the headers an
/// ICMP error quotes.
fn quoted_about(d: &Dissection) -> Option<String> {
    let (proto, src, dst) = quoted_tuple(d)?;
    let what = if proto == 6 {
        "TCP segment"
    } else {
        "UDP datagram"
    };
    Some(format!(
        "the {what} {} → {}",
        endpoint(src.0, src.1),
        endpoint(dst.0, dst.1)
    ))
}

fn problems(frame: &FrameRecord, d: &Dissection) -> Vec<Problem> {
    let mut snap_told = false;
    d.notes
        .iter()
        .map(|n| {
            let why = match n.kind {
                NoteKind::Truncated if frame.is_truncated() && snap_told => {
                    "The same cause: the capture's snap length.".to_string()
                }
                NoteKind::Truncated if frame.is_truncated() => {
                    snap_told = true;
                    format!(
                    "The frame was {} bytes on the wire but the capture kept only the first {}: it was recorded with a snap length (`-s`), which saves headers and drops the rest. Nothing is wrong with the packet itself.",
                    frame.orig_len,
                    frame.data.len()
                )
                }
                NoteKind::Truncated => "The capture holds fewer bytes than the headers promise, so the fields past the end cannot be shown.".to_string(),
                NoteKind::Malformed => "The packet contradicts itself: a length or value cannot be right, so a receiver would drop it. Decoding stops where the contradiction starts.".to_string(),
                NoteKind::BadChecksum => "The checksum does not match the bytes: they were damaged on the way, or (for packets this host sent) captured before the network card filled the checksum in.".to_string(),
                NoteKind::Unsupported => "wirepeek does not decode this part, so it is shown as raw bytes.".to_string(),
            };
            Problem {
                severity: n.severity,
                layer: n.proto.short(),
                offset: n.offset,
                what: n.message.clone(),
                why,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
