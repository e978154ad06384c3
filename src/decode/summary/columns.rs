//! Wireshark's Source, Destination, Protocol and Info columns of the
//! packet list. They describe the innermost packet, as Wireshark's do: a
//! VXLAN, Geneve, GRE or IP-in-IP frame shows its inner addresses and
//! protocol; what an ICMP error quotes is not the packet (Wireshark keeps
//! the columns of the error itself).

use std::net::IpAddr;

use super::super::{Dissection, Field, Layer, Proto, ethernet, ipv4, ipv6, sll};
use super::{arp_info, gre_info, icmp_info, icmpv6_info, stp_info, tcp_info};

/// The layer the columns describe: the last one not quoted inside an ICMP
/// error, payload and trailers aside.
fn innermost(d: &Dissection) -> Option<(usize, &Layer)> {
    d.layers.iter().enumerate().rev().find(|(_, l)| {
        !l.quoted && !matches!(l.proto, Proto::Payload | Proto::Trailer | Proto::Frame)
    })
}

/// The fields of the Source and Destination columns: the innermost
/// (unquoted) IP or link-layer header's addresses. A Linux cooked header
/// has a source only. An IPv6 type 0 routing header with segments left
/// names the final destination, as Wireshark's column does: its last
/// address (RFC 2460 §4.4).
pub fn addresses(d: &Dissection) -> Option<(&Field, Option<&Field>)> {
    let layers = &d.layers;
    layers
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, l)| !l.quoted)
        .find_map(|(i, l)| {
            let (src, dst) = match l.proto {
                Proto::Ipv4 => (ipv4::SRC.key, Some(ipv4::DST.key)),
                Proto::Ipv6 => (ipv6::SRC.key, Some(ipv6::DST.key)),
                Proto::Ethernet => (ethernet::SRC.key, Some(ethernet::DST.key)),
                Proto::Sll | Proto::Sll2 => (sll::SRC_ETH.key, None),
                _ => return None,
            };
            let fields = d.fields_of(l);
            let find = |key: &str| fields.iter().find(|f| f.key == key);
            let routed = (l.proto == Proto::Ipv6)
                .then(|| final_destination(d, i))
                .flatten();
            Some((find(src)?, routed.or_else(|| dst.and_then(find))))
        })
}

/// The last address of a type 0 routing header with segments left among
/// the extension headers after the IPv6 header at `i`.
fn final_destination(d: &Dissection, i: usize) -> Option<&Field> {
    let ext = d.layers[i + 1..].iter().take_while(|l| {
        matches!(
            l.proto,
            Proto::Ipv6HopByHop | Proto::Ipv6DestOpts | Proto::Ipv6Routing
        )
    });
    let routing = ext.filter(|l| l.proto == Proto::Ipv6Routing).last()?;
    let fields = d.fields_of(routing);
    let value = |key: &str| {
        fields
            .iter()
            .find(|f| f.key == key)
            .and_then(|f| match f.value {
                super::super::Value::UInt(v) => Some(v),
                _ => None,
            })
    };
    if value(ipv6::ROUTING_TYPE.key)? != 0 || value(ipv6::ROUTING_SEGLEFT.key)? == 0 {
        return None;
    }
    fields.iter().rfind(|f| f.key == ipv6::ROUTING_SRC_ADDR.key)
}

/// Wireshark's Protocol column: the innermost protocol's short name.
pub fn protocol(data: &[u8], d: &Dissection) -> &'static str {
    match innermost(d) {
        Some((_, l)) if l.proto == Proto::Arp => arp_info::protocol(d.data(l.source, data), l),
        Some((_, l)) => l.proto.short(),
        None => Proto::Unsupported.short(),
    }
}

/// Wireshark's Info column for the innermost packet, when wirepeek words
/// it as Wireshark does: ICMP, ICMPv6, ARP, STP and a GRE keepalive here,
/// the application
/// layers through [`super::app::info`]. Stateless: an echo reply's
/// `(request in N)` is the caller's to add (see [`echo`]).
pub fn info(data: &[u8], d: &Dissection) -> Option<String> {
    let (at, l) = innermost(d)?;
    match l.proto {
        Proto::Icmp => icmp_info::info(data, d, at),
        Proto::Icmpv6 => icmpv6_info::info(data, d, at),
        Proto::Arp => arp_info::info(d.data(l.source, data), l),
        Proto::Stp => stp_info::info(d.data(l.source, data), l),
        Proto::Gre => gre_info::info(d.data(l.source, data), l),
        Proto::Ipv4 => ipv4_fragment(d).or_else(|| super::app::info(data, d)),
        _ => super::app::info(data, d),
    }
}

/// Wireshark's words for an IPv4 fragment shown as one (it completes no
/// datagram, or reassembly is off): its payload's protocol, offset and ID.
fn ipv4_fragment(d: &Dissection) -> Option<String> {
    let f = d.fragment.as_ref().filter(|f| f.proto == Proto::Ipv4)?;
    Some(format!(
        "Fragmented IP protocol (proto={} {}, off={}, ID={:04x})",
        super::super::names::ip_protocol(f.protocol),
        f.protocol,
        f.offset,
        f.id
    ))
}

/// Wireshark's Info column when the innermost packet is a TCP segment,
/// with what the flow knows of it (relative numbers, window scale; see
/// [`tcp_info::Flow`]). None for any other frame.
pub fn tcp_info(data: &[u8], d: &Dissection, flow: Option<tcp_info::Flow>) -> Option<String> {
    let (_, l) = innermost(d)?;
    if l.proto != Proto::Tcp {
        return None;
    }
    if !held_for_a_pdu(d, l) {
        return Some(tcp_info::info(data, d, l, flow));
    }
    // Wireshark's HTTP words its message's start line before it asks TCP
    // for the rest, so the segment that starts a held message shows that
    // line (TCP's words stay for the segments that only continue it).
    let mut text = held_http_words(data, d, l).unwrap_or_else(|| tcp_info::info(data, d, l, flow));
    text.push_str(PDU_MARK);
    Some(text)
}

/// The start line of the HTTP message TCP layer `l`'s payload starts and
/// this segment holds for more (`http.desegment_headers/body`).
fn held_http_words(data: &[u8], d: &Dissection, l: &Layer) -> Option<String> {
    d.desegment.filter(|w| !w.kept)?;
    let payload = d.data(l.source, data).get(l.header.end..l.pdu.end)?;
    // Only once the line has ended: a start line longer than the segment
    // is not worded until its message is.
    crate::decode::http::start(payload)?;
    payload
        .contains(&b'\n')
        .then(|| super::http::info(payload))?
}

/// What Wireshark appends to a segment whose payload, from its first byte,
/// went into a PDU that this segment does not complete.
pub const PDU_MARK: &str = " [TCP segment of a reassembled PDU]";

/// True when TCP layer `l`'s payload is segment data from its first byte:
/// the segment starts or continues a PDU reassembled elsewhere (Wireshark
/// marks it only then, not when a PDU starts further in).
fn held_for_a_pdu(d: &Dissection, l: &Layer) -> bool {
    d.fields.iter().any(|f| {
        f.key == crate::decode::desegment::SEGMENT_DATA.key
            && f.source == l.source
            && f.bytes.start == l.header.end
    })
}

/// Wireshark's TCP words for a frame whose innermost layer rides on TCP
/// but words nothing of its own ([`info`] is None): they stay in the
/// column, as they do when a dissector above TCP sets none. The TCP
/// header is the last unquoted one (a tunnel's inner one).
pub fn tcp_words(data: &[u8], d: &Dissection, flow: Option<tcp_info::Flow>) -> Option<String> {
    let l = d
        .layers
        .iter()
        .rfind(|l| l.proto == Proto::Tcp && !l.quoted)?;
    Some(tcp_info::info(data, d, l, flow))
}

/// An ICMP or ICMPv6 echo, as Wireshark pairs requests with replies: the
/// same two hosts (either way round), identifier and sequence number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Echo {
    /// True for a request, false for a reply.
    pub request: bool,
    /// The two addresses in a fixed order (lower first), so a request and
    /// its reply share them.
    pub hosts: (IpAddr, IpAddr),
    /// 6 for ICMPv6, 4 for ICMP.
    pub version: u8,
    pub id: u16,
    pub seq: u16,
}

/// The echo request or reply this frame's innermost packet is, if any.
pub fn echo(data: &[u8], d: &Dissection) -> Option<Echo> {
    let (at, l) = innermost(d)?;
    let (version, (request, id, seq)) = match l.proto {
        Proto::Icmp => (4, icmp_info::echo(data, d, at)?),
        Proto::Icmpv6 => (6, icmpv6_info::echo(data, d, at)?),
        _ => return None,
    };
    let ip = d.layers[..at]
        .iter()
        .rev()
        .find(|l| !l.quoted && matches!(l.proto, Proto::Ipv4 | Proto::Ipv6))?;
    let bytes = d.data(ip.source, data);
    let v = super::super::view::View::of(bytes, ip);
    let (a, b): (IpAddr, IpAddr) = match ip.proto {
        Proto::Ipv4 => (v.ipv4(&ipv4::SRC)?.into(), v.ipv4(&ipv4::DST)?.into()),
        _ => (v.ipv6(&ipv6::SRC)?.into(), v.ipv6(&ipv6::DST)?.into()),
    };
    Some(Echo {
        request,
        hosts: (a.min(b), a.max(b)),
        version,
        id,
        seq,
    })
}
