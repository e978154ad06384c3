//! Conversations: a direction-normalised key per TCP/UDP 4-tuple (and per
//! ICMP echo identifier), a bounded table of per-flow state, and what each
//! packet learns from it (stream index, direction, relative TCP sequence and
//! acknowledgement numbers).
//!
//! Uses `frame` and `decode` only; never prints, never imports capture,
//! output or run. Per-flow state is one fixed-size struct (no per-flow
//! allocation) so a million flows fit in a few hundred megabytes.

pub mod analysis;
mod background;
pub mod conn_log;
mod delivery;
mod index;
mod lookahead;
mod records;
pub mod stats;
pub mod table;
pub mod tcp_state;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::decode::view::View;
use crate::decode::{Dissection, Proto, icmp, ipv4, ipv6, tcp, udp};
use crate::frame::FrameRecord;
use index::Index;
pub(crate) use index::prefetch;

pub use background::{Background, Observation};
pub use delivery::{Delivery, DeliveryReport, SegmentSink};
pub use lookahead::{Lookahead, Staged};
pub use table::{FlowConfig, FlowTable, TableCounters, Unlisted};
pub use tcp_state::{TcpFlow, TcpState};

/// IP protocol numbers we track.
pub const TCP: u8 = 6;
pub const UDP: u8 = 17;

/// Give a decoded packet tshark's generated `tcp.stream` or `udp.stream`:
/// the index of its conversation (`proto` is the IP protocol).
pub fn push_stream(d: &mut Dissection, proto: u8, stream: u32) {
    let value = crate::decode::Value::UInt(u64::from(stream));
    match proto {
        TCP => d.push_generated(Proto::Tcp, &tcp::STREAM, value),
        UDP => d.push_generated(Proto::Udp, &udp::STREAM, value),
        _ => false,
    };
}
pub const ICMP: u8 = 1;
pub const ICMPV6: u8 = 58;

/// One conversation's identity, the same whichever way a packet travels:
/// the endpoint that sorts lower (address, then port) comes first. For ICMP
/// echo the "ports" are both the echo identifier. Addresses are kept as
/// network-order bytes (IPv4 in the first four) rather than `IpAddr`s: the
/// key is hashed and compared on every packet, as plain words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FlowKey {
    /// Addresses as two big-endian words each (IPv4 in the first word's
    /// top half), so sorting and comparing them is integer work.
    lo_addr: [u64; 2],
    hi_addr: [u64; 2],
    pub lo_port: u16,
    pub hi_port: u16,
    pub proto: u8,
    v6: bool,
}

/// An address as the key stores it, and whether it is IPv6.
fn addr_words(addr: IpAddr) -> ([u64; 2], bool) {
    match addr {
        IpAddr::V4(a) => ([u64::from(a.to_bits()) << 32, 0], false),
        IpAddr::V6(a) => {
            let bits = a.to_bits();
            ([(bits >> 64) as u64, bits as u64], true)
        }
    }
}

impl FlowKey {
    /// The key for a packet from `src` to `dst`, and whether the packet
    /// travels from the lower endpoint to the higher one.
    pub fn new(proto: u8, src: (IpAddr, u16), dst: (IpAddr, u16)) -> (FlowKey, bool) {
        let (src_addr, v6) = addr_words(src.0);
        let (dst_addr, dst_v6) = addr_words(dst.0);
        // IPv4 sorts before IPv6 (as `IpAddr` does), then address, then port.
        let forward =
            (v6, src_addr[0], src_addr[1], src.1) <= (dst_v6, dst_addr[0], dst_addr[1], dst.1);
        let ((lo_addr, lo_port), (hi_addr, hi_port)) = if forward {
            ((src_addr, src.1), (dst_addr, dst.1))
        } else {
            ((dst_addr, dst.1), (src_addr, src.1))
        };
        let key = FlowKey {
            lo_addr,
            hi_addr,
            lo_port,
            hi_port,
            proto,
            v6: v6 || dst_v6,
        };
        (key, forward)
    }

    fn addr(&self, words: [u64; 2]) -> IpAddr {
        if self.v6 {
            IpAddr::V6(Ipv6Addr::from_bits(
                u128::from(words[0]) << 64 | u128::from(words[1]),
            ))
        } else {
            IpAddr::V4(Ipv4Addr::from_bits((words[0] >> 32) as u32))
        }
    }

    /// The lower endpoint's address.
    pub fn lo(&self) -> IpAddr {
        self.addr(self.lo_addr)
    }

    /// The higher endpoint's address.
    pub fn hi(&self) -> IpAddr {
        self.addr(self.hi_addr)
    }

    pub fn is_v6(&self) -> bool {
        self.v6
    }

    /// The addresses (lower, higher) as integers: IPv4 in the low 32 bits.
    pub(crate) fn addr_bits(&self) -> (u128, u128) {
        let bits = |w: [u64; 2]| {
            if self.v6 {
                u128::from(w[0]) << 64 | u128::from(w[1])
            } else {
                u128::from(w[0] >> 32)
            }
        };
        (bits(self.lo_addr), bits(self.hi_addr))
    }

    /// The key as five machine words, for hashing.
    pub(crate) fn words(&self) -> [u64; 5] {
        [
            self.lo_addr[0],
            self.lo_addr[1],
            self.hi_addr[0],
            self.hi_addr[1],
            u64::from(self.lo_port)
                | u64::from(self.hi_port) << 16
                | u64::from(self.proto) << 32
                | u64::from(self.v6) << 40,
        ]
    }

    /// The protocol's short lower-case name (`tcp`, `udp`, `icmp`, `icmpv6`).
    pub fn proto_name(&self) -> &'static str {
        match self.proto {
            TCP => "tcp",
            UDP => "udp",
            ICMP => "icmp",
            ICMPV6 => "icmpv6",
            _ => "ip",
        }
    }
}

/// What the flow table says about one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowInfo {
    pub proto: u8,
    /// The per-protocol stream index in order of first appearance, from 0,
    /// as tshark's `tcp.stream` / `udp.stream`.
    pub stream: u32,
    /// True when the packet travels from endpoint A (the sender of the
    /// conversation's first packet) to B.
    pub a_to_b: bool,
    /// Wireshark's relative sequence and acknowledgement numbers (TCP only).
    pub rel_seq: Option<u32>,
    pub rel_ack: Option<u32>,
    /// tcpdump's relative numbers for the line output: `None` where tcpdump
    /// prints the absolute ones (SYNs, the first ACK it sees of a connection).
    pub line_seq: Option<(u32, u32)>,
    /// TCP sequence analysis's verdicts on this segment (empty otherwise).
    pub analysis: analysis::Analysis,
}

/// The transport facts the table needs from one packet, read from the
/// dissection's layer ranges (works in `Detail::Layers` mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet {
    pub key: FlowKey,
    /// From the lower endpoint to the higher one.
    pub forward: bool,
    pub src_port: u16,
    pub dst_port: u16,
    /// False for packets tshark tracks but leaves out of its conversation
    /// counts (a TCP header the capture cut or whose length is bogus).
    pub counted: bool,
    pub tcp: Option<TcpSegment>,
    pub echo: Option<Echo>,
    /// The key's hash as the table's index uses it, worked out once.
    pub(crate) hash_hi: u32,
}

/// The TCP header fields flow tracking needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpSegment {
    pub seq: u32,
    pub ack: u32,
    /// The low 9 flag bits (FIN = 0x01 … AE = 0x100).
    pub flags: u16,
    /// Payload length by the IP header's account (tshark's `tcp.len`).
    pub len: u32,
    /// Payload bytes the capture holds (at most `len`).
    pub captured: u32,
    /// The window field as sent (not scaled); `u16::MAX` when the capture
    /// cut the header before it.
    pub window: u16,
    /// False when the header length is bogus: no sequence analysis.
    pub analysed: bool,
}

impl TcpSegment {
    pub const FIN: u16 = 0x01;
    pub const SYN: u16 = 0x02;
    pub const RST: u16 = 0x04;
    pub const ACK: u16 = 0x10;

    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }
}

/// An ICMP echo request or reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Echo {
    pub request: bool,
    pub id: u16,
    pub seq: u16,
}

/// The source and destination of the IPv4 or IPv6 header `ip`.
fn ip_addresses(data: &[u8], ip: &crate::decode::Layer) -> Option<(IpAddr, IpAddr)> {
    let v = View::of(data, ip);
    Some(if ip.proto == Proto::Ipv4 {
        (v.ipv4(&ipv4::SRC)?.into(), v.ipv4(&ipv4::DST)?.into())
    } else {
        (v.ipv6(&ipv6::SRC)?.into(), v.ipv6(&ipv6::DST)?.into())
    })
}

/// The final destination of an IPv6 packet with a routing header that has
/// segments left (the last address of a type 0/2 header, the first segment
/// of a type 4 segment routing header): Wireshark keys conversations by it.
fn final_destination(data: &[u8], d: &Dissection) -> Option<IpAddr> {
    let rh = d
        .layers
        .iter()
        .rev()
        .find(|l| l.proto == Proto::Ipv6Routing && !l.quoted)?;
    let v = View::of(data, rh);
    // Hdr Ext Len counts 8-octet units past the first 8.
    let len = v.uint(&ipv6::ROUTING_LEN)? as usize * 8 + 8;
    let (kind, left) = (v.u8(&ipv6::ROUTING_TYPE)?, v.u8(&ipv6::ROUTING_SEGLEFT)?);
    if left == 0 {
        return None;
    }
    // Type 0/2: the last address of the list; type 4 (SRH): its first
    // segment, which is the final one.
    let at = match kind {
        0 | 2 => len.checked_sub(16)?,
        4 => 8,
        _ => return None,
    };
    if at < 8 {
        return None;
    }
    let a: [u8; 16] = v.bytes_at(at, 16)?.try_into().ok()?;
    Some(IpAddr::from(a))
}

impl Packet {
    /// The flow-relevant facts of a decoded frame, or `None` when it belongs
    /// to no conversation we track (not TCP/UDP/ICMP echo, or a TCP header
    /// cut before its 20 fixed bytes or a UDP header cut before its 8, which
    /// tshark does not count in its conversations either).
    pub fn from_dissection(frame: &FrameRecord, d: &Dissection) -> Option<Packet> {
        let data = &frame.data[..];
        if let Some(t) = d.tuple {
            return Packet::from_tuple(data, d, t);
        }
        Packet::echo(data, d)
    }

    /// The conversation inside a UDP tunnel (VXLAN, Geneve, Teredo): the
    /// innermost TCP or UDP header after the tunnel's, with its layer's
    /// index. tshark numbers it as a conversation of its own, after the
    /// outer one. `None` for frames without such a tunnel.
    pub fn inner_from_dissection(frame: &FrameRecord, d: &Dissection) -> Option<(Packet, usize)> {
        let data = &frame.data[..];
        let tunnel = d.layers.iter().position(|l| {
            matches!(l.proto, Proto::Vxlan | Proto::Geneve | Proto::Teredo) && !l.quoted
        })?;
        let (ti, t) = d
            .layers
            .iter()
            .enumerate()
            .skip(tunnel + 1)
            .rev()
            .find(|(_, l)| matches!(l.proto, Proto::Tcp | Proto::Udp) && !l.quoted)?;
        let ip = d.layers[tunnel + 1..ti]
            .iter()
            .rev()
            .find(|l| matches!(l.proto, Proto::Ipv4 | Proto::Ipv6))?;
        let (src, dst) = ip_addresses(data, ip)?;
        let s = t.header.start;
        let ports = View::of(data, t);
        // TCP and UDP put their ports in the same place.
        let tuple = crate::decode::FourTuple {
            protocol: if t.proto == Proto::Tcp { TCP } else { UDP },
            src,
            src_port: ports.u16(&udp::SRCPORT)?,
            dst,
            dst_port: ports.u16(&udp::DSTPORT)?,
            header_at: s,
            pdu_end: t.pdu.end.max(s),
        };
        Some((Packet::from_tuple(data, d, tuple)?, ti))
    }

    /// The flow facts of a TCP or UDP packet with this 4-tuple.
    fn from_tuple(data: &[u8], d: &Dissection, t: crate::decode::FourTuple) -> Option<Packet> {
        // Only IPv6 has routing headers: IPv4 packets skip the search.
        let dst = if t.dst.is_ipv6() {
            final_destination(data, d).unwrap_or(t.dst)
        } else {
            t.dst
        };
        // A reassembled datagram's transport header is in its own bytes.
        let source = if d.tuple == Some(t) {
            d.tuple_source
        } else {
            0
        };
        let data = d.data(source, data);
        let (key, forward) = FlowKey::new(t.protocol, (t.src, t.src_port), (dst, t.dst_port));
        let mut p = Packet {
            key,
            forward,
            src_port: t.src_port,
            dst_port: t.dst_port,
            counted: true,
            tcp: None,
            echo: None,
            hash_hi: Index::hash_hi(&key),
        };
        let s = t.header_at;
        let h = View::at(data, s);
        if t.protocol == UDP {
            // tshark ignores a UDP header cut short by the capture (its
            // last field is the checksum).
            h.bytes(&udp::CHECKSUM)?;
        }
        if t.protocol == TCP {
            let pdu_len = t.pdu_end - s;
            let hdr_len = h.uint(&tcp::HDR_LEN)? as usize * 4;
            // The nine flag bits Wireshark's analysis knows (AE … FIN).
            let flags = h.u16(&tcp::FLAGS)? & 0x01ff;
            // tshark gives a segment with a bogus header length a stream
            // index but neither analyses nor counts it; one whose options
            // the capture cut is analysed but not counted.
            let bogus = hdr_len < 20 || hdr_len > pdu_len;
            p.counted = !bogus && data.len() >= s + hdr_len;
            p.tcp = Some(TcpSegment {
                seq: h.u32(&tcp::SEQ_RAW)?,
                ack: h.u32(&tcp::ACK_RAW)?,
                flags,
                len: if bogus { 0 } else { (pdu_len - hdr_len) as u32 },
                captured: if bogus {
                    0
                } else {
                    t.pdu_end.min(data.len()).saturating_sub(s + hdr_len) as u32
                },
                window: h.u16(&tcp::WINDOW_SIZE_VALUE).unwrap_or(u16::MAX),
                analysed: !bogus,
            });
        }
        Some(p)
    }

    /// An ICMP echo request or reply: the innermost unquoted IP header
    /// before the ICMP layer gives the addresses.
    fn echo(data: &[u8], d: &Dissection) -> Option<Packet> {
        let i = d
            .layers
            .iter()
            .position(|l| matches!(l.proto, Proto::Icmp | Proto::Icmpv6) && !l.quoted)?;
        let icmp = &d.layers[i];
        let v = View::of(data, icmp);
        let kind = v.u8(&icmp::TYPE)?;
        let (proto, request) = match (icmp.proto, kind) {
            (Proto::Icmp, 8) => (ICMP, true),
            (Proto::Icmp, 0) => (ICMP, false),
            (Proto::Icmpv6, 128) => (ICMPV6, true),
            (Proto::Icmpv6, 129) => (ICMPV6, false),
            _ => return None,
        };
        // ICMPv6 echo puts its identifier and sequence where ICMP does.
        let id = v.u16(&icmp::IDENT)?;
        let seq = v.u16(&icmp::SEQ)?;
        let ip = d.layers[..i]
            .iter()
            .rev()
            .find(|l| matches!(l.proto, Proto::Ipv4 | Proto::Ipv6))?;
        let (src, dst) = ip_addresses(data, ip)?;
        let dst = if dst.is_ipv6() {
            final_destination(data, d).unwrap_or(dst)
        } else {
            dst
        };
        let (key, forward) = FlowKey::new(proto, (src, id), (dst, id));
        Some(Packet {
            key,
            forward,
            src_port: id,
            dst_port: id,
            counted: true,
            tcp: None,
            echo: Some(Echo { request, id, seq }),
            hash_hi: Index::hash_hi(&key),
        })
    }
}

/// Ports below this are "well known / registered": the side using a port at
/// or above it (an ephemeral port) is taken for the client when no SYN says.
pub const EPHEMERAL_FROM: u16 = 1024;

/// Which endpoint started the conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    A,
    B,
    Unknown,
}

/// Everything kept about one conversation: one fixed-size record.
#[derive(Clone, Debug)]
pub struct FlowState {
    pub key: FlowKey,
    /// True when A (the first packet's sender) is the key's lower endpoint.
    pub a_is_lo: bool,
    pub client: Client,
    /// The conversation's streams were reassembled: `delivery` counts.
    pub reassembled: bool,
    pub stream: u32,
    /// First and last packet times, nanoseconds since the epoch (0 if the
    /// records carried no time).
    pub first_ns: i64,
    pub last_ns: i64,
    /// [A→B, B→A].
    pub packets: [u64; 2],
    /// Frame bytes (wire length), as tshark counts them.
    pub bytes: [u64; 2],
    pub tcp: TcpFlow,
    /// What the readers got, when the table's conversations are reassembled.
    pub delivery: Delivery,
    /// The table's packet count when this flow last saw a packet: orders
    /// flows by recency for eviction (`u64::MAX` marks a free record).
    pub(crate) seen: u64,
}

impl FlowState {
    /// The A endpoint.
    pub fn a(&self) -> (IpAddr, u16) {
        if self.a_is_lo {
            (self.key.lo(), self.key.lo_port)
        } else {
            (self.key.hi(), self.key.hi_port)
        }
    }

    /// The B endpoint.
    pub fn b(&self) -> (IpAddr, u16) {
        if self.a_is_lo {
            (self.key.hi(), self.key.hi_port)
        } else {
            (self.key.lo(), self.key.lo_port)
        }
    }

    /// The order of first appearance: first packet's time, then protocol
    /// (TCP, UDP, ICMP), then stream index. Unique per conversation.
    pub fn appearance(&self) -> (i64, usize, u32) {
        (
            self.first_ns,
            table::proto_slot(self.key.proto),
            self.stream,
        )
    }

    pub fn total_bytes(&self) -> u64 {
        self.bytes[0] + self.bytes[1]
    }

    pub fn total_packets(&self) -> u64 {
        self.packets[0] + self.packets[1]
    }

    /// Seconds from first to last packet.
    pub fn duration_ns(&self) -> i64 {
        (self.last_ns - self.first_ns).max(0)
    }

    /// The TCP state name, or for other protocols an empty string.
    pub fn state_name(&self) -> &'static str {
        if self.key.proto == TCP {
            self.tcp.state.name()
        } else if self.key.proto == ICMP || self.key.proto == ICMPV6 {
            if self.tcp.matched > 0 {
                "ANSWERED"
            } else {
                "UNANSWERED"
            }
        } else {
            ""
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn a_key_is_the_same_in_both_directions() {
        let a = (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), 40000);
        let b = (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 80);
        let (k1, f1) = FlowKey::new(TCP, a, b);
        let (k2, f2) = FlowKey::new(TCP, b, a);
        assert_eq!(k1, k2);
        assert_ne!(f1, f2);
        assert_eq!(k1.lo_port, 80);
    }
}
