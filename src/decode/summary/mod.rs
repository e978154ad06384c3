//! One-line summaries of a dissection: tcpdump's `-n` line, and Wireshark's
//! Protocol and Info columns. Reads header values through `decode::view`
//! (the registry's byte ranges and masks) over the layers the dissectors
//! found; never re-decides where a layer starts or ends.

use std::fmt::Write;

pub mod app;
mod app_info;
mod arp_info;
pub mod columns;
mod dhcpv6;
mod dns;
mod gre_info;
mod http;
mod icmp_info;
mod icmpv6_info;
mod igmp;
mod ipv6_ext;
mod llc;
mod quic;
mod stp_info;
pub mod tcp_info;
mod tls;
mod transport;
mod tunnel;

use super::text::push_dec;
use super::view::View;
use super::{Dissection, Layer, Proto, arp, ethernet, ipv4, ipv6, mpls, names, vlan};
use crate::frame::FrameRecord;
use transport::{Ends, icmp, icmpv6, tcp, udp};

/// Append tcpdump's `-n` description of the frame (without the timestamp).
/// With `link`, the link-level header comes first, as `tcpdump -e`.
pub fn tcpdump_line(frame: &FrameRecord, d: &Dissection, link: bool, out: &mut String) {
    tcpdump_line_styled(frame, d, LineStyle { link, quick: false }, out);
}

/// How much a tcpdump line says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineStyle {
    /// The link-level header first (tcpdump `-e`).
    pub link: bool,
    /// TCP as `tcp LEN` only (tcpdump `-q`).
    pub quick: bool,
}

/// `tcpdump_line` with tcpdump's `-e` and `-q` choices.
pub fn tcpdump_line_styled(
    frame: &FrameRecord,
    d: &Dissection,
    style: LineStyle,
    out: &mut String,
) {
    let i = d
        .layers
        .iter()
        .position(|l| l.proto != Proto::Frame)
        .unwrap_or(d.layers.len());
    if style.link {
        link_header(frame, d, out);
    }
    line_from(frame, d, i, style, out);
}

/// The line from layer `i` on: the whole frame's, or a tunnel's inner
/// packet's (tcpdump prints an encapsulated frame as it would a frame).
pub(super) fn line_from(
    frame: &FrameRecord,
    d: &Dissection,
    mut i: usize,
    style: LineStyle,
    out: &mut String,
) {
    let link = style.link;
    let data = &frame.data[..];
    let layers = &d.layers;
    // Skip link layers; with -e, VLAN tags are spelled out as tcpdump does.
    while let Some(layer) = layers.get(i) {
        match layer.proto {
            Proto::Ethernet | Proto::Sll | Proto::Sll2 | Proto::Null => {}
            Proto::Mpls => {
                // tcpdump: `MPLS (label 8, tc 7, [S], ttl 1) ` per entry.
                let v = View::of(data, layer);
                let entry = (
                    v.uint(&mpls::LABEL),
                    v.uint(&mpls::EXP),
                    v.uint(&mpls::BOTTOM),
                    v.uint(&mpls::TTL),
                );
                if let (Some(label), Some(tc), Some(bottom), Some(ttl)) = entry {
                    let _ = write!(
                        out,
                        "MPLS (label {label}, tc {tc}{}, ttl {ttl}) ",
                        if bottom != 0 { ", [S]" } else { "" },
                    );
                }
            }
            Proto::Vlan | Proto::Ieee8021ad => {
                if link {
                    let v = View::of(data, layer);
                    let etype = v.u16(&vlan::ETYPE).unwrap_or(0);
                    let _ = write!(
                        out,
                        "vlan {}, p {}, ethertype {} ({:#06x}), ",
                        v.uint(&vlan::ID).unwrap_or(0),
                        v.uint(&vlan::PRIORITY).unwrap_or(0),
                        ethertype_short(etype),
                        etype
                    );
                }
            }
            _ => break,
        }
        i += 1;
    }
    let Some(layer) = layers.get(i) else {
        if let Some(note) = d.notes.first() {
            // tcpdump's `[|ether]` and the like; the reason is in -v.
            let name = match note.proto {
                Proto::Ethernet => "ether",
                other => other.key(),
            };
            let _ = write!(out, " [|{name}]");
        }
        return;
    };
    match layer.proto {
        Proto::Arp => {
            // What the link layer carried after its header, padding
            // included; inside SNAP, what the 802.3 length left.
            let carried = match i.checked_sub(1).map(|p| &layers[p]) {
                Some(l) if l.proto == Proto::Llc => l.pdu.end,
                _ => frame.orig_len as usize,
            };
            arp(data, layer, carried, out)
        }
        Proto::Ipv4 | Proto::Ipv6 => ip(frame, d, i, style, out),
        Proto::Llc => llc::line(frame, d, i, style, out),
        Proto::CustomBlock => {
            let _ = write!(out, "pcapng custom block, length {}", frame.data.len());
        }
        Proto::Unsupported => {
            let why = d
                .notes
                .iter()
                .find(|n| n.offset >= layer.header.start)
                .map(|n| n.message.as_str());
            let _ = write!(
                out,
                "{}, length {}",
                why.unwrap_or("undecoded"),
                frame.orig_len
            );
        }
        _ => {
            let _ = write!(out, "{}, length {}", layer.proto.short(), frame.orig_len);
        }
    }
}

fn link_header(frame: &FrameRecord, d: &Dissection, out: &mut String) {
    let data = &frame.data[..];
    let Some(first) = d.layers.iter().find(|l| l.proto != Proto::Frame) else {
        return;
    };
    match first.proto {
        Proto::Ethernet if data.len() >= 14 => {
            let eth = View::of(data, first);
            let etype = eth.u16(&ethernet::TYPE).unwrap_or(0);
            super::text::push_mac(out, eth.bytes(&ethernet::SRC).unwrap_or(&[]));
            out.push_str(" > ");
            super::text::push_mac(out, eth.bytes(&ethernet::DST).unwrap_or(&[]));
            out.push_str(", ethertype ");
            out.push_str(ethertype_short(etype));
            out.push_str(" (0x");
            for shift in [12, 8, 4, 0] {
                out.push(char::from_digit(((etype >> shift) & 15) as u32, 16).unwrap_or('?'));
            }
            out.push_str("), length ");
            push_dec(out, frame.orig_len as u64);
            out.push_str(": ");
        }
        Proto::Sll | Proto::Sll2 => {
            let _ = write!(out, "Linux cooked, length {}: ", frame.orig_len);
        }
        Proto::Null => {
            let _ = write!(out, "loopback, length {}: ", frame.orig_len);
        }
        _ => {}
    }
}

fn ethertype_short(t: u16) -> &'static str {
    match t {
        0x0800 => "IPv4",
        0x86dd => "IPv6",
        0x0806 => "ARP",
        0x8100 => "802.1Q",
        0x88a8 => "802.1Q-QinQ",
        0x9100 => "802.1Q-9100",
        _ => names::ethertype(t),
    }
}

fn arp(data: &[u8], layer: &Layer, carried: usize, out: &mut String) {
    let s = layer.header.start;
    let v = View::of(data, layer);
    let op = v.u16(&arp::OPCODE);
    let (hlen, plen) = (v.u8(&arp::HW_SIZE), v.u8(&arp::PROTO_SIZE));
    // tcpdump's length is what the link layer carried after its header,
    // padding included (a padded reply says 46, not 28).
    let arp_len = carried.saturating_sub(s);
    // tcpdump prints nothing but ` [|arp]` for an ARP cut before its
    // addresses end.
    let (Some(op), Some(6), Some(4)) = (op, hlen, plen) else {
        out.push_str(" [|arp]");
        return;
    };
    // Addresses sized by the header's own size fields (6 and 4 here):
    // sender MAC and IPv4, then target MAC and IPv4.
    let (Some(sha), Some(spa), Some(tha), Some(tpa)) = (
        v.bytes_at(8, 6),
        v.bytes_at(14, 4),
        v.bytes_at(18, 6),
        v.bytes_at(24, 4),
    ) else {
        out.push_str(" [|arp]");
        return;
    };
    let (sha, spa, tpa) = (mac(sha), ipv4(spa), ipv4(tpa));
    match op {
        1 => {
            let _ = write!(out, "ARP, Request who-has {tpa}");
            // The target's hardware address, when the asker filled it in.
            if tha.iter().any(|&b| b != 0) {
                let _ = write!(out, " ({})", mac(tha));
            }
            let _ = write!(out, " tell {spa}, length {arp_len}");
        }
        2 => {
            let _ = write!(out, "ARP, Reply {spa} is-at {sha}, length {arp_len}");
        }
        3 => {
            let _ = write!(
                out,
                // tcpdump says ARP for RARP too (EtherType 0x8035 shows only with -e).
                "ARP, Reverse Request who-is {} tell {sha}, length {arp_len}",
                mac(tha)
            );
        }
        4 => {
            let _ = write!(
                out,
                "ARP, Reverse Reply {} at {tpa}, length {arp_len}",
                mac(tha)
            );
        }
        _ => {
            let _ = write!(out, "ARP, opcode {op}, length {arp_len}");
        }
    }
}

fn ip(frame: &FrameRecord, d: &Dissection, i: usize, style: LineStyle, out: &mut String) {
    let quick = style.quick;
    let data = &frame.data[..];
    let layers = &d.layers;
    let layer = &layers[i];
    let s = layer.header.start;
    let v6 = layer.proto == Proto::Ipv6;
    let v = View::of(data, layer);
    if v.bytes(&ipv4::VERSION).is_none() {
        // Not even the version byte: tcpdump names no protocol.
        out.push_str(if v6 { " [|ip6]" } else { " [|ip]" });
        return;
    }
    let (src, dst, total) = if v6 {
        match (v.bytes(&ipv6::SRC), v.bytes(&ipv6::DST), v.u16(&ipv6::PLEN)) {
            (Some(a), Some(b), Some(plen)) => (AddrText::new(a), AddrText::new(b), plen as usize),
            _ => {
                out.push_str(" [|ip6]");
                return;
            }
        }
    } else {
        match (v.bytes(&ipv4::SRC), v.bytes(&ipv4::DST), v.u16(&ipv4::LEN)) {
            (Some(a), Some(b), Some(len)) => (AddrText::new(a), AddrText::new(b), len as usize),
            _ => {
                out.push_str("IP  [|ip]");
                return;
            }
        }
    };
    out.push_str(if v6 { "IP6 " } else { "IP " });
    if !v6 {
        // tcpdump's own marks for a header that cannot be right.
        let hlen = v.uint(&ipv4::HDR_LEN).map_or(0, |words| words as usize * 4);
        if hlen < 20 {
            let _ = write!(out, "bad-hlen {hlen}");
            return;
        }
        if total < hlen {
            let _ = write!(out, "bad-len {total}");
            return;
        }
        let delivered = (frame.orig_len as usize).saturating_sub(s);
        if delivered < total {
            let _ = write!(out, "truncated-ip - {} bytes missing! ", total - delivered);
        }
    }
    if v6
        && layers
            .get(i + 1)
            .is_some_and(|l| ipv6_ext::is_extension(l.proto))
    {
        // tcpdump names the addresses, then each extension header, then
        // the transport by its ports alone.
        let _ = write!(out, "{src} > {dst}: ");
        let (upper, next_header) = match ipv6_ext::write_chain(data, layers, i, out) {
            ipv6_ext::Chain::Ended => return,
            ipv6_ext::Chain::Upper(upper, next_header) => (upper, next_header),
        };
        match upper.map(|u| (u, &layers[u])) {
            Some((_, t)) if t.proto == Proto::Tcp => tcp(data, d, t, Ends::PortsOnly, quick, out),
            Some((u, t)) if t.proto == Proto::Udp => {
                udp(data, d, t, Ends::PortsOnly, out);
                tunnel::after_udp(frame, d, u, style, out);
            }
            Some((_, t)) if t.proto == Proto::Icmpv6 => icmpv6(data, t, out),
            Some((u, t)) if matches!(t.proto, Proto::Ipv4 | Proto::Ipv6) => {
                ip(frame, d, u, style, out)
            }
            _ => {
                let _ = write!(out, "ip6-proto-{}", next_header.unwrap_or(0));
            }
        }
        return;
    }
    // The transport is the first layer after IP that is not an extension.
    let next = layers[i + 1..].iter().find(|l| {
        !matches!(
            l.proto,
            Proto::Ipv6HopByHop
                | Proto::Ipv6Routing
                | Proto::Ipv6DestOpts
                | Proto::Ipv6Fragment
                | Proto::Ipv6Ah
        )
    });
    let frag_offset = if v6 {
        layers[i + 1..]
            .iter()
            .find(|l| l.proto == Proto::Ipv6Fragment)
            .and_then(|l| View::of(data, l).uint(&ipv6::FRAGHDR_OFFSET))
            .unwrap_or(0)
    } else {
        v.uint(&ipv4::FRAG_OFFSET).unwrap_or(0)
    };
    match next {
        Some(t) if t.proto == Proto::Tcp && frag_offset == 0 => {
            tcp(data, d, t, Ends::Addresses(&src, &dst), quick, out)
        }
        Some(t) if t.proto == Proto::Udp && frag_offset == 0 => {
            udp(data, d, t, Ends::Addresses(&src, &dst), out);
            tunnel::after_udp(frame, d, index_of(layers, t), style, out);
        }
        Some(t) if t.proto == Proto::Gre && frag_offset == 0 => {
            let _ = write!(out, "{src} > {dst}: ");
            tunnel::gre(frame, d, index_of(layers, t), style, out);
        }
        Some(t) if t.proto == Proto::Igmp && frag_offset == 0 => {
            let _ = write!(out, "{src} > {dst}: ");
            igmp::line(data, t, out);
        }
        Some(t) if t.proto == Proto::Icmp => {
            let _ = write!(out, "{src} > {dst}: ");
            icmp(data, t, d, out);
        }
        Some(t) if t.proto == Proto::Icmpv6 => {
            let _ = write!(out, "{src} > {dst}: ");
            icmpv6(data, t, out);
        }
        Some(t) if matches!(t.proto, Proto::Ipv4 | Proto::Ipv6) => {
            let _ = write!(out, "{src} > {dst}: ");
            ip(frame, d, index_of(layers, t), style, out);
        }
        _ => {
            let proto = if v6 {
                layers[i + 1..].first().map(|_| "ip6").unwrap_or("ip6")
            } else {
                "ip"
            };
            let number = if v6 {
                v.u8(&ipv6::NXT)
            } else {
                v.u8(&ipv4::PROTO)
            };
            let _ = write!(out, "{src} > {dst}: ");
            if frag_offset > 0 {
                // A later fragment: tcpdump names only the protocol.
                let _ = write!(out, "{proto}-proto-{}", number.unwrap_or(0));
                return;
            }
            let _ = write!(
                out,
                "{proto}-proto-{}, length {}",
                number.unwrap_or(0),
                if v6 {
                    total
                } else {
                    total.saturating_sub(layer.header.len())
                }
            );
        }
    }
}

/// The index of `layer` (one of `layers`).
fn index_of(layers: &[Layer], layer: &Layer) -> usize {
    layers
        .iter()
        .position(|l| std::ptr::eq(l, layer))
        .unwrap_or(layers.len())
}

/// An address rendered into a fixed buffer: no heap allocation per packet.
struct AddrText {
    buf: [u8; 46],
    len: usize,
}

impl AddrText {
    fn new(bytes: &[u8]) -> AddrText {
        let mut text = String::with_capacity(0);
        let mut out = AddrText {
            buf: [0; 46],
            len: 0,
        };
        if bytes.len() == 4 {
            // Fast path: dotted quad by hand.
            for (i, octet) in bytes.iter().enumerate() {
                if i > 0 {
                    out.push(b'.');
                }
                let o = *octet;
                if o >= 100 {
                    out.push(b'0' + o / 100);
                }
                if o >= 10 {
                    out.push(b'0' + (o / 10) % 10);
                }
                out.push(b'0' + o % 10);
            }
        } else {
            super::text::push_ipv6(&mut text, bytes);
            for b in text.bytes().take(46) {
                out.push(b);
            }
        }
        out
    }

    fn push(&mut self, b: u8) {
        if self.len < self.buf.len() {
            self.buf[self.len] = b;
            self.len += 1;
        }
    }

    fn push_to(&self, out: &mut String) {
        for &b in &self.buf[..self.len] {
            out.push(b as char);
        }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("?")
    }
}

impl std::fmt::Display for AddrText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    data.get(at..at + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
}

fn mac(b: &[u8]) -> String {
    let mut s = String::with_capacity(17);
    super::text::push_mac(&mut s, b);
    s
}

fn ipv4(b: &[u8]) -> String {
    format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
}

fn ipv6(b: &[u8]) -> String {
    let bytes: [u8; 16] = b.try_into().unwrap_or([0; 16]);
    std::net::Ipv6Addr::from(bytes).to_string()
}
