//! One conversation's byte stream for a viewer (the TUI's Follow tab):
//! each packet of the conversation goes in, the bytes each side's reader
//! would have read come out as pieces (side, carrying frame, bytes), by the
//! same engine and the same rules as `wirepeek follow`
//! (`stream::TcpStream`, tshark's "Follow TCP Stream"; a UDP conversation's
//! datagrams are its pieces).
//!
//! The caller feeds only the conversation's packets, decoded by
//! [`super::decode_frame`] and ingested by a `FlowTable` of its own (for
//! the relative numbers). Held out-of-order bytes are bounded by
//! `StreamLimits`; what the bounds dropped is counted in [`Followed::notes`].

use std::net::IpAddr;

use crate::decode::view::View;
use crate::decode::{Dissection, tcp, udp};
use crate::flow::{Packet, TcpSegment};
use crate::frame::FrameRecord;
use crate::stream::{Budget, ChunkKind, Segment, StreamLimits, TcpStream};

/// Bytes one side's reader got, or a gap it would have met.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece<'a> {
    /// 0: sent by the conversation's first sender (tshark's node 0).
    pub side: usize,
    /// The frame that carried the bytes (for a gap, the acknowledging one).
    pub frame: u64,
    /// Empty for a gap.
    pub bytes: &'a [u8],
    /// Bytes the receiver acknowledged but the capture lacks.
    pub missing: Option<i32>,
}

/// One conversation being followed.
#[derive(Debug)]
pub struct Followed {
    /// Node 0 and node 1, once a packet came.
    pub nodes: Option<[(IpAddr, u16); 2]>,
    tcp: TcpStream,
    limits: StreamLimits,
    budget: Budget,
    /// Packets of the conversation seen.
    pub packets: u64,
}

impl Default for Followed {
    fn default() -> Self {
        Followed::new(StreamLimits::default())
    }
}

impl Followed {
    pub fn new(limits: StreamLimits) -> Followed {
        Followed {
            nodes: None,
            tcp: TcpStream::new(),
            budget: Budget::new(limits.total),
            limits,
            packets: 0,
        }
    }

    /// One packet of the followed conversation, with the relative numbers
    /// its flow table gave it; `emit` gets each piece delivered.
    pub fn packet(
        &mut self,
        frame: &FrameRecord,
        d: &Dissection,
        p: &Packet,
        rel: (Option<u32>, Option<u32>),
        emit: &mut dyn FnMut(Piece),
    ) {
        let Some((payload, src, dst)) = followed(frame, d, p) else {
            return;
        };
        let nodes = *self.nodes.get_or_insert([src, dst]);
        let side = usize::from(src != nodes[0]);
        self.packets += 1;
        let Some(seg) = p.tcp else {
            emit(Piece {
                side,
                frame: frame.number,
                bytes: payload,
                missing: None,
            });
            return;
        };
        let segment = Segment {
            frame: frame.number,
            ts: frame.ts,
            seq: rel.0.unwrap_or(seg.seq),
            ack: rel.1.unwrap_or(seg.ack),
            syn: seg.has(TcpSegment::SYN),
            len: seg.len,
            payload: crate::stream::tcp::Payload::Bytes(payload),
        };
        let (limits, budget) = (&self.limits, &mut self.budget);
        self.tcp.segment(side, &segment, limits, budget, &mut |c| {
            emit(Piece {
                side: c.side,
                frame: c.frame,
                bytes: c.bytes,
                missing: match c.kind {
                    ChunkKind::Missing(n) => Some(n),
                    _ => None,
                },
            })
        });
    }

    /// What the pieces do not show, in words (empty when nothing).
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let dropped = self.tcp.dropped;
        if dropped.segments > 0 {
            notes.push(format!(
                "{} out-of-order segments ({} bytes) dropped past the reassembly bounds",
                dropped.segments, dropped.bytes
            ));
        }
        let pending = self.tcp.pending_bytes();
        if pending > 0 {
            notes.push(format!(
                "{pending} bytes after a hole nobody acknowledged not shown"
            ));
        }
        if dropped.uncaptured > 0 {
            notes.push(format!(
                "{} payload bytes cut off by the snap length not shown",
                dropped.uncaptured
            ));
        }
        notes
    }
}

/// One end of a conversation: address and port.
pub type End = (IpAddr, u16);

/// What tshark's follow takes from one packet of the conversation: its
/// payload, and its source and destination as the flow key has them (an
/// IPv6 routing header's final destination, as tshark's conversations).
/// `None` for a packet follow skips: a TCP header of insane length or one
/// the capture cut (tshark follows only what its TCP dissector finished),
/// and an empty UDP datagram (not even to name the ends).
pub fn followed<'a>(
    frame: &'a FrameRecord,
    d: &'a Dissection,
    p: &Packet,
) -> Option<(&'a [u8], End, End)> {
    let t = d.tuple?;
    // A reassembled datagram's transport header is in its own bytes.
    let data = d.data(d.tuple_source, &frame.data);
    let header = View::at(data, t.header_at);
    let payload_at = match &p.tcp {
        Some(seg) if !(seg.analysed && p.counted) => return None,
        Some(_) => t.header_at + header.uint(&tcp::HDR_LEN)? as usize * 4,
        None => t.header_at + 8,
    };
    let end = match p.tcp {
        Some(_) => t.pdu_end,
        // The UDP length field, unless shorter than the header or longer
        // than the IP payload.
        None => match header.u16(&udp::LENGTH).map(usize::from) {
            Some(length) if length >= 8 && t.header_at + length <= t.pdu_end => {
                t.header_at + length
            }
            _ => t.pdu_end,
        },
    }
    .min(data.len());
    let payload = data.get(payload_at..end).unwrap_or(&[]);
    if p.tcp.is_none() && payload.is_empty() {
        return None;
    }
    let (lo, hi) = ((p.key.lo(), p.key.lo_port), (p.key.hi(), p.key.hi_port));
    let (src, dst) = if p.forward { (lo, hi) } else { (hi, lo) };
    Some((payload, (src.0, p.src_port), (dst.0, p.dst_port)))
}
