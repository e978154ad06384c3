//! A conversation told as a story: who is the client and how we know, the
//! three-way handshake, data and acknowledgments with relative sequence
//! numbers, retransmissions, duplicate ACKs, SACK blocks, zero windows,
//! the FIN teardown or the reset, ICMP errors about the conversation, ICMP
//! echo exchanges, and the round-trip times worked through RFC 6298.
//!
//! The story is told from the flow table's answers, handed in by the
//! caller (`output::teach::stories`, `run::explain`): which packets form
//! the conversation (one flow stream), which endpoint is the client (the
//! one client rule, in `flow`), the relative sequence and acknowledgment
//! numbers and the sequence analysis's verdicts. Nothing here regroups
//! packets, picks a client or numbers bytes again; it only reads the
//! decoded fields the story quotes (flags, window, options, payload).
//! Uses `frame` and `decode` only.

mod icmp;
mod rtt;
mod tcp;

pub use rtt::{RttSample, Rtts};

use std::net::IpAddr;

use crate::decode::{Dissection, Proto, names, payload, tcp as tcp_fields};
use crate::frame::FrameRecord;

use super::glossary::num;
use super::printable;

/// An address and port (for ICMP echo, the echo identifier).
pub type Endpoint = (IpAddr, u16);

/// One end of a conversation as drawn: `Client` on the left, `Server` on
/// the right. When the flow table cannot tell the client, the left side is
/// endpoint A (the first packet's sender) and the names are `A` and `B`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

impl Side {
    /// `client` or `server`.
    pub fn name(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
        }
    }

    pub fn other(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }

    fn index(self) -> usize {
        match self {
            Side::Client => 0,
            Side::Server => 1,
        }
    }
}

/// Which endpoint the flow table takes for the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    A,
    B,
    Unknown,
}

/// What the flow table says about the conversation as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peers {
    /// IP protocol: 6, 17, 1 or 58.
    pub proto: u8,
    /// The flow's stream index (tshark's `tcp.stream` / `udp.stream`).
    pub stream: u32,
    /// Endpoint A sent the conversation's first packet.
    pub a: Endpoint,
    pub b: Endpoint,
    pub client: Client,
    /// The flow table's client rule's port boundary: a port at or above it
    /// is a client's (ephemeral) port.
    pub ephemeral_from: u16,
}

/// The sequence analysis's verdicts on one TCP segment (tshark's
/// `tcp.analysis.*`), as the flow table gives them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Verdicts {
    pub retransmission: bool,
    pub fast_retransmission: bool,
    pub spurious_retransmission: bool,
    pub out_of_order: bool,
    pub duplicate_ack: bool,
    pub zero_window: bool,
    pub zero_window_probe: bool,
    pub keep_alive: bool,
    pub lost_segment: bool,
}

/// What the flow table says about one packet of the conversation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tracked {
    /// Sent by endpoint A.
    pub from_a: bool,
    /// Relative sequence and acknowledgment numbers (TCP).
    pub rel_seq: Option<u32>,
    pub rel_ack: Option<u32>,
    pub verdicts: Verdicts,
}

/// One packet handed in: tracked by the flow table, or (`tracked: None`)
/// an ICMP error that quotes one of the conversation's packets.
#[derive(Clone, Copy, Debug)]
pub struct Member<'a> {
    pub frame: &'a FrameRecord,
    pub d: &'a Dissection,
    pub tracked: Option<Tracked>,
}

/// Where in a conversation a packet sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Handshake,
    Data,
    Teardown,
    Reset,
    /// UDP: every datagram stands alone.
    Datagram,
    /// ICMP echo requests and replies.
    Echo,
    /// An ICMP error about the conversation.
    Error,
}

impl Phase {
    /// A heading for the story.
    pub fn title(self) -> &'static str {
        match self {
            Phase::Handshake => "Three-way handshake",
            Phase::Data => "Data and acknowledgments",
            Phase::Teardown => "Teardown",
            Phase::Reset => "Reset",
            Phase::Datagram => "Datagrams",
            Phase::Echo => "Echo requests and replies",
            Phase::Error => "An ICMP error about it",
        }
    }
}

/// One packet of a conversation.
#[derive(Clone, Debug)]
pub struct Step {
    /// 1-based position in the conversation.
    pub index: usize,
    pub frame: u64,
    /// Capture time, nanoseconds since the epoch.
    pub ts: Option<i128>,
    pub from: Side,
    pub phase: Phase,
    /// Flag names (`SYN, ACK`); empty for UDP; `ICMP …` for ICMP.
    pub flags: String,
    pub raw_seq: Option<u32>,
    pub raw_ack: Option<u32>,
    /// Relative sequence number.
    pub seq: Option<u32>,
    /// Relative acknowledgment number, when the ACK flag is set.
    pub ack: Option<u32>,
    /// Bytes of data.
    pub len: u64,
    pub preview: Option<String>,
    pub verdicts: Verdicts,
    /// One sentence: what this packet does, with its numbers.
    pub story: String,
}

impl Step {
    fn has(&self, flag: &str) -> bool {
        self.flags.split(", ").any(|f| f == flag)
    }
}

/// Every packet of one flow stream, in capture order.
#[derive(Clone, Debug)]
pub struct Conversation {
    /// `TCP`, `UDP`, `ICMP` or `ICMPv6`.
    pub transport: &'static str,
    pub stream: u32,
    /// The left side (the client, or A when the client is unknown).
    pub client: Endpoint,
    /// The right side.
    pub server: Endpoint,
    /// False when the flow table cannot tell which side is the client.
    pub client_known: bool,
    /// How we know which side is the client (or why we cannot).
    pub client_reason: String,
    /// Raw initial sequence numbers (TCP, from the SYNs captured): left,
    /// right.
    pub isn: [Option<u32>; 2],
    /// TCP without the SYNs: the capture started after the handshake.
    pub midstream: bool,
    /// Window scale shifts the SYNs carried, in force only when both did.
    pub wscale: [Option<u8>; 2],
    pub steps: Vec<Step>,
    /// Round-trip time samples and their estimates (TCP).
    pub rtt: Rtts,
}

impl Conversation {
    /// The step for frame `number`.
    pub fn step(&self, number: u64) -> Option<&Step> {
        self.steps.iter().find(|s| s.frame == number)
    }

    /// `client`/`server`, or `A`/`B` when the client is unknown.
    pub fn name(&self, side: Side) -> &'static str {
        match (self.client_known, side) {
            (true, s) => s.name(),
            (false, Side::Client) => "A",
            (false, Side::Server) => "B",
        }
    }

    /// `the client`, or `side A` when the client is unknown.
    pub fn label(&self, side: Side) -> &'static str {
        match (self.client_known, side) {
            (true, Side::Client) => "the client",
            (true, Side::Server) => "the server",
            (false, Side::Client) => "side A",
            (false, Side::Server) => "side B",
        }
    }

    /// The window scale multiplier in force for `side`'s windows.
    pub fn scale(&self, side: Side) -> Option<u32> {
        match self.wscale {
            [Some(a), Some(b)] => Some(1 << [a, b][side.index()].min(14)),
            _ => None,
        }
    }
}

/// The conversation holding frame `number`, and its step.
pub fn find(conversations: &[Conversation], number: u64) -> Option<(&Conversation, &Step)> {
    conversations
        .iter()
        .find_map(|c| c.step(number).map(|s| (c, s)))
}

/// TCP flag bits of a packet (0 if it has none).
fn tcp_flags(d: &Dissection) -> u16 {
    d.field(tcp_fields::FLAGS.key)
        .and_then(|f| num(&f.value))
        .unwrap_or(0) as u16
}

const SYN: u16 = 0x02;
const RST: u16 = 0x04;
const FIN: u16 = 0x01;
const ACK: u16 = 0x10;

fn well_known(port: u16) -> bool {
    port < 1024 || names::service(port).is_some()
}

/// From one packet alone: is its sender the client, and why we think so.
/// Only for a packet whose conversation was not seen (a lesson of one
/// frame cut from its conversation).
pub fn guess_client(d: &Dissection) -> (Side, String) {
    let Some(t) = d.tuple else {
        return (Side::Client, String::new());
    };
    let flags = tcp_flags(d);
    if t.protocol == 6 && flags & SYN != 0 && flags & ACK == 0 {
        return (
            Side::Client,
            "the sender is the client: only the side opening a connection sends a SYN without ACK"
                .to_string(),
        );
    }
    if t.protocol == 6 && flags & SYN != 0 {
        return (
            Side::Server,
            "the sender is the server: a SYN with ACK answers a client's SYN".to_string(),
        );
    }
    match (well_known(t.src_port), well_known(t.dst_port)) {
        (false, true) => (
            Side::Client,
            format!(
                "the receiver is the server: port {} is a well-known service port",
                t.dst_port
            ),
        ),
        (true, false) => (
            Side::Server,
            format!(
                "the sender is the server: port {} is a well-known service port",
                t.src_port
            ),
        ),
        _ if t.src_port > t.dst_port => (
            Side::Client,
            "a guess from this packet alone: the sender's port is the higher one, as client ports usually are".to_string(),
        ),
        _ => (
            Side::Server,
            "a guess from this packet alone: the sender's port is the lower one, as server ports usually are".to_string(),
        ),
    }
}

/// From one packet alone: its role, by its flags.
pub fn role_from_flags(d: &Dissection) -> Option<String> {
    let t = d.tuple?;
    let payload = d.has(Proto::Payload);
    if t.protocol != 6 {
        return Some(
            "a UDP datagram: one message on its own, with no connection and no acknowledgment"
                .to_string(),
        );
    }
    let flags = tcp_flags(d);
    let text = if flags & SYN != 0 && flags & ACK == 0 {
        "handshake 1/3: SYN, the client asks to connect and picks its initial sequence number"
    } else if flags & SYN != 0 {
        "handshake 2/3: SYN-ACK, the server accepts and picks its own initial sequence number"
    } else if flags & RST != 0 {
        "reset: the connection is aborted"
    } else if flags & FIN != 0 {
        "teardown: FIN, this side has nothing more to send"
    } else if payload {
        "data: application bytes, also acknowledging what has arrived so far"
    } else {
        "ACK: acknowledges bytes (or the handshake, or a FIN) without sending data"
    };
    Some(text.to_string())
}

/// Why the flow table's answer is what it is, told from the first packet
/// (the one its rule reads).
fn client_reason(peers: &Peers, first: Option<&Member>, left_is_a: bool) -> String {
    let Some(m) = first else {
        return String::new();
    };
    let number = m.frame.number;
    let from_left = m.tracked.is_some_and(|t| t.from_a == left_is_a);
    let flags = tcp_flags(m.d);
    let echo_type = icmp::echo_kind(m.d);
    let (a_port, b_port) = (peers.a.1, peers.b.1);
    let eph = peers.ephemeral_from;
    if peers.client == Client::Unknown {
        let ports = if a_port >= eph && b_port >= eph {
            format!(
                "both ports ({a_port} and {b_port}) are {eph} or above, where clients' ports usually are"
            )
        } else {
            format!("both ports ({a_port} and {b_port}) are below {eph}, where servers listen")
        };
        let syn = if peers.proto == 6 {
            "no SYN was captured, and "
        } else {
            ""
        };
        return format!(
            "not known: {syn}{ports}, so nothing says which side started. The story draws A, the sender of the first packet (frame {number}), on the left and B on the right"
        );
    }
    if peers.proto == 6 && flags & SYN != 0 && flags & ACK == 0 && from_left {
        return format!("it sent the first SYN (frame {number})");
    }
    if peers.proto == 6 && flags & SYN != 0 && flags & ACK != 0 && !from_left {
        return format!(
            "it received the SYN-ACK (frame {number}), which answers a client's SYN; the capture started after the SYN itself"
        );
    }
    match echo_type {
        Some(true) if from_left => return format!("it sent the echo request (frame {number})"),
        Some(false) if !from_left => {
            return format!(
                "it received the echo reply (frame {number}); the capture missed the request"
            );
        }
        _ => {}
    }
    let (client_port, server_port) = if peers.client == Client::A {
        (a_port, b_port)
    } else {
        (b_port, a_port)
    };
    let syn = if peers.proto == 6 {
        "no SYN was captured, so the ports tell: "
    } else {
        ""
    };
    format!(
        "{syn}its port {client_port} is {eph} or above, where clients' ports are, and the other side's port {server_port} is below {eph}, where servers listen"
    )
}

/// Tell one flow stream's packets (in capture order, as the flow table
/// grouped them) as a story.
pub fn tell(peers: &Peers, members: &[Member]) -> Conversation {
    let left_is_a = peers.client != Client::B;
    let (left, right) = if left_is_a {
        (peers.a, peers.b)
    } else {
        (peers.b, peers.a)
    };
    let first = members.iter().find(|m| m.tracked.is_some());
    let mut c = Conversation {
        transport: match peers.proto {
            6 => "TCP",
            17 => "UDP",
            1 => "ICMP",
            _ => "ICMPv6",
        },
        stream: peers.stream,
        client: left,
        server: right,
        client_known: peers.client != Client::Unknown,
        client_reason: client_reason(peers, first, left_is_a),
        isn: [None, None],
        midstream: false,
        wscale: [None, None],
        steps: Vec::new(),
        rtt: Rtts::default(),
    };
    let side_of = |m: &Member| match m.tracked {
        Some(t) if t.from_a == left_is_a => Side::Client,
        Some(_) => Side::Server,
        // An ICMP error travels back to the sender of what it quotes.
        None => match super::quoted_tuple(m.d) {
            Some((_, src, _)) if src == left => Side::Server,
            _ => Side::Client,
        },
    };
    if peers.proto == 6 {
        tcp::handshake_facts(&mut c, members, &side_of);
    }
    let mut tcp_state = tcp::State::default();
    for m in members {
        let from = side_of(m);
        let len =
            m.d.field(tcp_fields::LEN.key)
                .or_else(|| m.d.field(payload::LEN.key))
                .and_then(|f| num(&f.value))
                .unwrap_or(0);
        let preview =
            m.d.layers
                .iter()
                .find(|l| l.proto == Proto::Payload && !l.quoted)
                .and_then(|l| m.frame.data.get(l.header.clone()))
                .and_then(printable);
        let mut step = Step {
            index: c.steps.len() + 1,
            frame: m.frame.number,
            ts: m.frame.ts.map(|t| t.as_nanos()),
            from,
            phase: Phase::Datagram,
            flags: String::new(),
            raw_seq: None,
            raw_ack: None,
            seq: None,
            ack: None,
            len,
            preview,
            verdicts: m.tracked.map(|t| t.verdicts).unwrap_or_default(),
            story: String::new(),
        };
        match m.tracked {
            None => icmp::error_story(&c, &mut step, m.d),
            Some(t) if peers.proto == 6 => tcp::story(&c, &mut tcp_state, &mut step, m, t),
            Some(_) if peers.proto == 17 => udp_story(&c, &mut step),
            Some(_) => icmp::echo_story(&c, &mut step, m.d),
        }
        c.steps.push(step);
    }
    if peers.proto == 6 {
        c.rtt = rtt::estimate(&c.steps);
    }
    c
}

fn said(step: &Step) -> String {
    step.preview
        .as_ref()
        .map(|p| format!(" {p}"))
        .unwrap_or_default()
}

fn udp_story(c: &Conversation, step: &mut Step) {
    let (who, len, said) = (c.label(step.from), step.len, said(step));
    step.phase = Phase::Datagram;
    step.story = if c.steps.iter().all(|s| s.phase == Phase::Error) {
        format!(
            "{who} sends a datagram of {len} bytes{said}: no handshake came first, and nothing will acknowledge it"
        )
    } else {
        format!("{who} sends {len} bytes{said}")
    };
}

/// Nanoseconds as milliseconds, three decimals.
pub fn millis(ns: i128) -> String {
    format!("{:.3}", ns as f64 / 1e6)
}
