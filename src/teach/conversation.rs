//! A TCP or UDP conversation told as a story: who is the client and how we
//! know, the three-way handshake, data and acknowledgments with relative
//! sequence numbers, and the FIN teardown. Built from the decoded packets'
//! raw fields only.
//!
//! Relative numbers are computed here, the way Wireshark shows them: a
//! sequence number minus the sender's initial sequence number (ISN, the seq
//! of its SYN), an acknowledgment number minus the peer's ISN. When a side's
//! SYN was not captured, its first sequence number seen minus one stands in
//! for the ISN, so its first byte counts as 1. This is a deliberately small
//! computation (no retransmission or reordering analysis); when the `flow`
//! module lands with per-flow TCP state, `conversations` can take its
//! numbers instead. Uses `frame` and `decode` only.

use std::net::IpAddr;

use crate::decode::{Dissection, Proto, names, payload, tcp};
use crate::frame::FrameRecord;

use super::glossary::num;
use super::printable;

/// One end of a conversation.
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

    fn other(self) -> Side {
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

/// Where in a conversation a packet sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Handshake,
    Data,
    Teardown,
    Reset,
    /// UDP: every datagram stands alone.
    Datagram,
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
        }
    }
}

/// One packet of a conversation.
#[derive(Clone, Debug)]
pub struct Step {
    /// 1-based position in the conversation.
    pub index: usize,
    pub frame: u64,
    pub from: Side,
    pub phase: Phase,
    /// Flag names (`SYN, ACK`); empty for UDP.
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
    /// One sentence: what this packet does, with its numbers.
    pub story: String,
}

/// Every packet between two sockets, in capture order.
#[derive(Clone, Debug)]
pub struct Conversation {
    /// `TCP` or `UDP`.
    pub transport: &'static str,
    pub client: (IpAddr, u16),
    pub server: (IpAddr, u16),
    /// How we know which side is the client.
    pub client_reason: String,
    /// Raw initial sequence numbers (TCP): client, server.
    pub isn: [Option<u32>; 2],
    pub steps: Vec<Step>,
}

impl Conversation {
    /// The step for frame `number`.
    pub fn step(&self, number: u64) -> Option<&Step> {
        self.steps.iter().find(|s| s.frame == number)
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
    d.field(tcp::FLAGS.key)
        .and_then(|f| num(&f.value))
        .unwrap_or(0) as u16
}

const FIN: u16 = 0x01;
const SYN: u16 = 0x02;
const RST: u16 = 0x04;
const ACK: u16 = 0x10;

fn well_known(port: u16) -> bool {
    port < 1024 || names::service(port).is_some()
}

/// From one packet alone: is its sender the client, and why we think so.
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

type Endpoint = (IpAddr, u16);

/// Group the TCP and UDP packets of a capture into conversations, in order
/// of their first packet.
pub fn conversations(packets: &[(FrameRecord, Dissection)]) -> Vec<Conversation> {
    let mut groups: Vec<((u8, Endpoint, Endpoint), Vec<usize>)> = Vec::new();
    for (i, (_, d)) in packets.iter().enumerate() {
        let Some(t) = d.tuple else { continue };
        let a = (t.src, t.src_port);
        let b = (t.dst, t.dst_port);
        let key = (t.protocol, a.min(b), a.max(b));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    groups
        .into_iter()
        .map(|((protocol, _, _), list)| {
            let members: Vec<&(FrameRecord, Dissection)> =
                list.iter().map(|&i| &packets[i]).collect();
            build(protocol, &members)
        })
        .collect()
}

fn ends(d: &Dissection) -> (Endpoint, Endpoint) {
    match d.tuple {
        Some(t) => ((t.src, t.src_port), (t.dst, t.dst_port)),
        None => (
            (IpAddr::from([0, 0, 0, 0]), 0),
            (IpAddr::from([0, 0, 0, 0]), 0),
        ),
    }
}

fn pick_client(protocol: u8, members: &[&(FrameRecord, Dissection)]) -> (Endpoint, String) {
    if protocol == 6 {
        for (frame, d) in members {
            let flags = tcp_flags(d);
            if flags & SYN != 0 && flags & ACK == 0 {
                return (
                    ends(d).0,
                    format!("it sent the first SYN (frame {})", frame.number),
                );
            }
        }
        for (frame, d) in members {
            let flags = tcp_flags(d);
            if flags & SYN != 0 {
                return (
                    ends(d).1,
                    format!("it received the SYN-ACK (frame {})", frame.number),
                );
            }
        }
    }
    let Some((frame, d)) = members.first() else {
        let none = (IpAddr::from([0, 0, 0, 0]), 0);
        return (none, String::new());
    };
    let (src, dst) = ends(d);
    match (well_known(src.1), well_known(dst.1)) {
        (true, false) => (dst, format!("port {} is a well-known service port", src.1)),
        (false, true) => (src, format!("port {} is a well-known service port", dst.1)),
        _ => (
            src,
            format!(
                "it sent the first packet (frame {}){}",
                frame.number,
                if protocol == 6 {
                    "; no SYN was captured, so the capture may have started mid-conversation"
                } else {
                    ""
                }
            ),
        ),
    }
}

fn build(protocol: u8, members: &[&(FrameRecord, Dissection)]) -> Conversation {
    let (client, client_reason) = pick_client(protocol, members);
    let server = members
        .first()
        .map(|(_, d)| {
            let (src, dst) = ends(d);
            if src == client { dst } else { src }
        })
        .unwrap_or(client);
    let side_of = |d: &Dissection| {
        if ends(d).0 == client {
            Side::Client
        } else {
            Side::Server
        }
    };
    let raw =
        |d: &Dissection, key: &str| d.field(key).and_then(|f| num(&f.value)).map(|v| v as u32);

    // Initial sequence numbers: the SYN's seq, else first seq seen minus one.
    let mut isn: [Option<u32>; 2] = [None, None];
    if protocol == 6 {
        for (_, d) in members {
            let side = side_of(d).index();
            if tcp_flags(d) & SYN != 0 && isn[side].is_none() {
                isn[side] = raw(d, tcp::SEQ_RAW.key);
            }
        }
        for (_, d) in members {
            let side = side_of(d).index();
            if isn[side].is_none() {
                isn[side] = raw(d, tcp::SEQ_RAW.key).map(|s| s.wrapping_sub(1));
            }
        }
    }

    let mut steps = Vec::new();
    let mut syn_ack_seen = false;
    let mut open = false;
    // Relative sequence number each side's FIN used.
    let mut fin_at: [Option<u32>; 2] = [None, None];
    for (i, (frame, d)) in members.iter().enumerate() {
        let from = side_of(d);
        let who = from.name();
        let peer = from.other().name();
        let len = d
            .field(tcp::LEN.key)
            .or_else(|| d.field(payload::LEN.key))
            .and_then(|f| num(&f.value))
            .unwrap_or(0);
        let preview = d
            .layers
            .iter()
            .find(|l| l.proto == Proto::Payload && !l.quoted)
            .and_then(|l| frame.data.get(l.header.clone()))
            .and_then(printable);
        let said = preview
            .as_ref()
            .map(|p| format!(" {p}"))
            .unwrap_or_default();
        let (phase, flags, raw_seq, raw_ack, seq, ack, story);
        if protocol == 6 {
            let f = tcp_flags(d);
            flags = crate::decode::tcp::flag_names(f);
            raw_seq = raw(d, tcp::SEQ_RAW.key);
            raw_ack = if f & ACK != 0 {
                raw(d, tcp::ACK_RAW.key)
            } else {
                None
            };
            seq = raw_seq
                .zip(isn[from.index()])
                .map(|(s, i)| s.wrapping_sub(i));
            ack = raw_ack
                .zip(isn[from.other().index()])
                .map(|(a, i)| a.wrapping_sub(i));
            let s = seq.unwrap_or(0);
            let a = ack.unwrap_or(0);
            let acks_peer_fin =
                fin_at[from.other().index()].is_some_and(|p| a == p.wrapping_add(1));
            if f & RST != 0 {
                phase = Phase::Reset;
                story = format!(
                    "the {who} aborts the connection (RST): no more data either way, and no goodbye"
                );
            } else if f & SYN != 0 && f & ACK == 0 {
                phase = Phase::Handshake;
                story = format!(
                    "handshake 1/3: the {who} asks to open a connection (SYN); it picked {} at random as its initial sequence number, which counts as 0 from here on",
                    raw_seq.unwrap_or(0)
                );
            } else if f & SYN != 0 {
                phase = Phase::Handshake;
                syn_ack_seen = true;
                story = format!(
                    "handshake 2/3: the {who} agrees (SYN, ACK); its own initial sequence number is {} (relative 0), and ack {a} says the {peer}'s SYN arrived: a SYN counts as one byte",
                    raw_seq.unwrap_or(0)
                );
            } else if f & FIN != 0 {
                phase = Phase::Teardown;
                let fin_seq = s.wrapping_add(len as u32);
                fin_at[from.index()] = Some(fin_seq);
                let data = if len > 0 {
                    format!("sends its last {len} bytes{said} and ")
                } else {
                    String::new()
                };
                story = if acks_peer_fin {
                    format!(
                        "the {who} {data}closes its side too (FIN at seq {fin_seq}), and ack {a} acknowledges the {peer}'s FIN"
                    )
                } else {
                    format!(
                        "the {who} {data}has nothing more to send (FIN at seq {fin_seq}; a FIN counts as one byte); ack {a}: next it expects the {peer}'s byte {a}"
                    )
                };
            } else if !open && syn_ack_seen && len == 0 && from == Side::Client {
                phase = Phase::Handshake;
                open = true;
                story = format!(
                    "handshake 3/3: the {who} acknowledges the {peer}'s SYN (ack {a}); the connection is open, and neither side has sent data yet"
                );
            } else if acks_peer_fin && len == 0 {
                phase = Phase::Teardown;
                let both = fin_at[from.index()].is_some();
                story = format!(
                    "the {who} acknowledges the {peer}'s FIN (ack {a}){}",
                    if both {
                        "; both sides have closed, and the connection is over"
                    } else {
                        ""
                    }
                );
            } else if len > 0 {
                phase = if fin_at.iter().any(Option::is_some) {
                    Phase::Teardown
                } else {
                    Phase::Data
                };
                open = true;
                story = format!(
                    "the {who} sends {len} bytes{said}, its bytes {s} to {}; ack {a}: next it expects the {peer}'s byte {a}",
                    s.wrapping_add(len as u32).wrapping_sub(1)
                );
            } else {
                phase = if fin_at.iter().any(Option::is_some) {
                    Phase::Teardown
                } else {
                    Phase::Data
                };
                open = true;
                story = format!(
                    "the {who} acknowledges without data: ack {a} says the {peer}'s bytes up to {} have arrived",
                    a.wrapping_sub(1)
                );
            }
        } else {
            phase = Phase::Datagram;
            flags = String::new();
            (raw_seq, raw_ack, seq, ack) = (None, None, None, None);
            story = if i == 0 {
                format!(
                    "the {who} sends a datagram of {len} bytes{said}: no handshake came first, and nothing will acknowledge it"
                )
            } else {
                format!("the {who} sends {len} bytes{said}")
            };
        }
        steps.push(Step {
            index: i + 1,
            frame: frame.number,
            from,
            phase,
            flags,
            raw_seq,
            raw_ack,
            seq,
            ack,
            len,
            preview,
            story,
        });
    }
    Conversation {
        transport: if protocol == 6 { "TCP" } else { "UDP" },
        client,
        server,
        client_reason,
        isn,
        steps,
    }
}

#[cfg(test)]
#[path = "conversation_tests.rs"]
mod tests;
