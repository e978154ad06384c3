//! The flow table's answers handed to `teach`'s story teller: packets
//! grouped by flow stream, the client from `FlowState::client` (the one
//! client rule), relative numbers and sequence-analysis verdicts from
//! `FlowInfo`, and each ICMP error placed in the conversation whose packet
//! it quotes. `teach` itself never sees the flow table.

use crate::decode::Dissection;
use crate::flow::analysis::Analysis;
use crate::flow::{
    Client as FlowClient, EPHEMERAL_FROM, FlowConfig, FlowInfo, FlowKey, FlowState, FlowTable,
    Packet, TCP,
};
use crate::frame::FrameRecord;
use crate::teach::conversation::{self, Client, Conversation, Member, Peers, Tracked, Verdicts};

/// The story-teller's view of the flow table's verdict bits.
pub fn verdicts(a: Analysis) -> Verdicts {
    Verdicts {
        retransmission: a.has(Analysis::RETRANSMISSION),
        fast_retransmission: a.has(Analysis::FAST_RETRANSMISSION),
        spurious_retransmission: a.has(Analysis::SPURIOUS_RETRANSMISSION),
        out_of_order: a.has(Analysis::OUT_OF_ORDER),
        duplicate_ack: a.has(Analysis::DUPLICATE_ACK),
        zero_window: a.has(Analysis::ZERO_WINDOW),
        zero_window_probe: a.has(Analysis::ZERO_WINDOW_PROBE),
        keep_alive: a.has(Analysis::KEEP_ALIVE),
        lost_segment: a.has(Analysis::LOST_SEGMENT),
    }
}

/// What the flow table says about a conversation, for the story.
pub fn peers(f: &FlowState) -> Peers {
    Peers {
        proto: f.key.proto,
        stream: f.stream,
        a: f.a(),
        b: f.b(),
        client: match f.client {
            FlowClient::A => Client::A,
            FlowClient::B => Client::B,
            FlowClient::Unknown => Client::Unknown,
        },
        ephemeral_from: EPHEMERAL_FROM,
    }
}

/// What the flow table said about one packet (travelling lower → higher
/// endpoint when `forward`) of conversation `f`.
pub fn tracked(info: &FlowInfo, forward: bool, f: &FlowState) -> Tracked {
    let tcp = info.proto == TCP;
    Tracked {
        from_a: forward == f.a_is_lo,
        rel_seq: info.rel_seq.filter(|_| tcp),
        rel_ack: info.rel_ack.filter(|_| tcp),
        verdicts: verdicts(info.analysis),
    }
}

/// The flow key of the packet an ICMP error quotes.
pub fn quoted_key(d: &Dissection) -> Option<FlowKey> {
    let (proto, src, dst) = crate::teach::quoted_tuple(d)?;
    Some(FlowKey::new(proto, src, dst).0)
}

/// Where a packet went: its flow (key, stream) and direction, or the flow
/// an ICMP error is about.
enum Seen {
    Flow(FlowKey, u32, bool, FlowInfo),
    Error(FlowKey, u32),
    None,
}

/// Tell every conversation of `packets` (TCP, UDP, ICMP echo), in order
/// of their first packet, as the flow table tracks them.
pub fn stories(packets: &[(FrameRecord, Dissection)]) -> Vec<Conversation> {
    let mut table = FlowTable::new(FlowConfig {
        keep_finished: true,
        ..FlowConfig::default()
    });
    // The latest stream of each key seen (a story's few keys: a list).
    let mut current: Vec<(FlowKey, u32)> = Vec::new();
    let mut order: Vec<(FlowKey, u32)> = Vec::new();
    let mut seen = Vec::with_capacity(packets.len());
    for (frame, d) in packets {
        let p = Packet::from_dissection(frame, d);
        let s = match (table.ingest_packet(frame, p.as_ref()), p) {
            (Some(info), Some(p)) => {
                match current.iter_mut().find(|(k, _)| *k == p.key) {
                    Some((_, s)) if *s == info.stream => {}
                    Some((_, s)) => {
                        *s = info.stream;
                        order.push((p.key, info.stream));
                    }
                    None => {
                        current.push((p.key, info.stream));
                        order.push((p.key, info.stream));
                    }
                }
                Seen::Flow(p.key, info.stream, p.forward, info)
            }
            _ => match quoted_key(d).and_then(|k| current.iter().find(|(c, _)| *c == k).copied()) {
                Some((k, stream)) => Seen::Error(k, stream),
                None => Seen::None,
            },
        };
        seen.push(s);
    }
    // Live flows as the table holds them (even those tshark would not
    // count: a capture that cut every TCP header's options), then the
    // finished ones.
    let live: Vec<FlowState> = order
        .iter()
        .filter_map(|(key, stream)| table.get(key).filter(|f| f.stream == *stream).cloned())
        .collect();
    let finished = table.into_flows();
    order
        .iter()
        .filter_map(|(key, stream)| {
            let f = live
                .iter()
                .chain(&finished)
                .find(|f| f.key == *key && f.stream == *stream)?;
            let members: Vec<Member> = packets
                .iter()
                .zip(&seen)
                .filter_map(|((frame, d), s)| match s {
                    Seen::Flow(k, st, forward, info) if k == key && st == stream => Some(Member {
                        frame,
                        d,
                        tracked: Some(tracked(info, *forward, f)),
                    }),
                    Seen::Error(k, st) if k == key && st == stream => Some(Member {
                        frame,
                        d,
                        tracked: None,
                    }),
                    _ => None,
                })
                .collect();
            Some(conversation::tell(&peers(f), &members))
        })
        .collect()
}

#[cfg(test)]
#[path = "stories_tests.rs"]
mod tests;
