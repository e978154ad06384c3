//! One-line summaries of a dissection: tcpdump's `-n` line, and Wireshark's
//! Protocol and Info columns. Reads header values through etherparse's
//! zero-copy slices over the ranges the dissectors found; never re-decides
//! where a layer starts or ends.

use std::fmt::Write;

use etherparse::{TcpHeaderSlice, UdpHeaderSlice};

use super::tcp::{TcpOption, walk_options};
use super::text::push_dec;
use super::{Dissection, Layer, Proto, names};
use crate::frame::FrameRecord;

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
    let link = style.link;
    let data = &frame.data[..];
    let layers = &d.layers;
    let mut i = layers
        .iter()
        .position(|l| l.proto != Proto::Frame)
        .unwrap_or(layers.len());
    if link {
        link_header(frame, d, out);
    }
    // Skip link layers; with -e, VLAN tags are spelled out as tcpdump does.
    while let Some(layer) = layers.get(i) {
        match layer.proto {
            Proto::Ethernet | Proto::Sll | Proto::Sll2 | Proto::Null | Proto::Mpls => {}
            Proto::Vlan | Proto::Ieee8021ad => {
                if link {
                    let tci = be16(data, layer.header.start).unwrap_or(0);
                    let etype = be16(data, layer.header.start + 2).unwrap_or(0);
                    let _ = write!(
                        out,
                        "vlan {}, p {}, ethertype {} ({:#06x}), ",
                        tci & 0x0fff,
                        tci >> 13,
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
            let _ = write!(out, "[|{}] {}", note.proto.key(), note.message);
        }
        return;
    };
    match layer.proto {
        Proto::Arp => arp(data, layer, frame, out),
        Proto::Ipv4 | Proto::Ipv6 => ip(frame, d, i, style.quick, out),
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
            let etype = be16(data, 12).unwrap_or(0);
            super::text::push_mac(out, &data[6..12]);
            out.push_str(" > ");
            super::text::push_mac(out, &data[0..6]);
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

fn arp(data: &[u8], layer: &Layer, frame: &FrameRecord, out: &mut String) {
    let s = layer.header.start;
    let op = be16(data, s + 6);
    let (hlen, plen) = (data.get(s + 4).copied(), data.get(s + 5).copied());
    let arp_len = layer.header.len();
    let (Some(op), Some(6), Some(4)) = (op, hlen, plen) else {
        let _ = write!(out, "ARP, length {}: [|arp]", frame.orig_len);
        return;
    };
    if data.len() < s + 28 {
        let _ = write!(
            out,
            "ARP, {}, length {arp_len} [|arp]",
            names::arp_opcode(op)
        );
        return;
    }
    let sha = mac(&data[s + 8..s + 14]);
    let spa = ipv4(&data[s + 14..s + 18]);
    let tpa = ipv4(&data[s + 24..s + 28]);
    match op {
        1 => {
            let _ = write!(
                out,
                "ARP, Request who-has {tpa} tell {spa}, length {arp_len}"
            );
        }
        2 => {
            let _ = write!(out, "ARP, Reply {spa} is-at {sha}, length {arp_len}");
        }
        3 => {
            let _ = write!(
                out,
                "RARP, Request who-is {} tell {sha}, length {arp_len}",
                mac(&data[s + 18..s + 24])
            );
        }
        4 => {
            let _ = write!(
                out,
                "RARP, Reply {} at {tpa}, length {arp_len}",
                mac(&data[s + 18..s + 24])
            );
        }
        _ => {
            let _ = write!(out, "ARP, opcode {op}, length {arp_len}");
        }
    }
}

fn ip(frame: &FrameRecord, d: &Dissection, i: usize, quick: bool, out: &mut String) {
    let data = &frame.data[..];
    let layers = &d.layers;
    let layer = &layers[i];
    let s = layer.header.start;
    let v6 = layer.proto == Proto::Ipv6;
    let (src, dst, total) = if v6 {
        match (
            data.get(s + 8..s + 24),
            data.get(s + 24..s + 40),
            be16(data, s + 4),
        ) {
            (Some(a), Some(b), Some(plen)) => (AddrText::new(a), AddrText::new(b), plen as usize),
            _ => {
                let _ = write!(out, "IP6 [|ip6]");
                return;
            }
        }
    } else {
        match (
            data.get(s + 12..s + 16),
            data.get(s + 16..s + 20),
            be16(data, s + 2),
        ) {
            (Some(a), Some(b), Some(len)) => (AddrText::new(a), AddrText::new(b), len as usize),
            _ => {
                let _ = write!(out, "IP [|ip]");
                return;
            }
        }
    };
    out.push_str(if v6 { "IP6 " } else { "IP " });
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
            .and_then(|l| be16(data, l.header.start + 2))
            .map(|v| v >> 3)
            .unwrap_or(0)
    } else {
        be16(data, s + 6).map(|v| v & 0x1fff).unwrap_or(0)
    };
    match next {
        Some(t) if t.proto == Proto::Tcp && frag_offset == 0 => {
            tcp(data, t, d.line_seq, (&src, &dst), quick, out)
        }
        Some(t) if t.proto == Proto::Udp && frag_offset == 0 => udp(data, t, &src, &dst, out),
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
            ip(
                frame,
                d,
                i + 1
                    + layers[i + 1..]
                        .iter()
                        .position(|l| std::ptr::eq(l, t))
                        .unwrap_or(0),
                quick,
                out,
            );
        }
        _ => {
            let proto = if v6 {
                layers[i + 1..].first().map(|_| "ip6").unwrap_or("ip6")
            } else {
                "ip"
            };
            let number = if v6 {
                data.get(s + 6).copied()
            } else {
                data.get(s + 9).copied()
            };
            let _ = write!(out, "{src} > {dst}: ");
            if frag_offset > 0 {
                let _ = write!(out, "(frag offset {}) ", frag_offset as usize * 8);
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

fn tcp(
    data: &[u8],
    layer: &Layer,
    relative: Option<(u32, u32)>,
    (src, dst): (&AddrText, &AddrText),
    quick: bool,
    out: &mut String,
) {
    let Ok(h) = TcpHeaderSlice::from_slice(&data[layer.header.clone()]) else {
        let sport = be16(data, layer.header.start);
        let dport = be16(data, layer.header.start + 2);
        match (sport, dport) {
            (Some(a), Some(b)) => {
                let _ = write!(out, "{src}.{a} > {dst}.{b}: [|tcp]");
            }
            _ => {
                let _ = write!(out, "{src} > {dst}: [|tcp]");
            }
        }
        return;
    };
    push_endpoints(out, src, h.source_port(), dst, h.destination_port());
    if quick {
        let payload_len = layer.pdu.len().saturating_sub(h.data_offset() as usize * 4);
        out.push_str("tcp ");
        push_dec(out, payload_len as u64);
        return;
    }
    out.push_str("Flags [");
    for (set, letter) in [
        (h.syn(), 'S'),
        (h.fin(), 'F'),
        (h.psh(), 'P'),
        (h.rst(), 'R'),
        (h.urg(), 'U'),
        (h.ece(), 'E'),
        (h.cwr(), 'W'),
    ] {
        if set {
            out.push(letter);
        }
    }
    if h.ack() {
        out.push('.');
    }
    if !(h.syn() || h.fin() || h.psh() || h.rst() || h.urg() || h.ece() || h.cwr() || h.ack()) {
        out.push_str("none");
    }
    out.push_str("], ");
    // tcpdump counts what the IP header declared, not what was captured.
    let payload_len = layer.pdu.len().saturating_sub(h.data_offset() as usize * 4);
    let (seq, ack) = relative.unwrap_or((h.sequence_number(), h.acknowledgment_number()));
    if payload_len > 0 || h.syn() || h.fin() || h.rst() {
        if payload_len > 0 {
            out.push_str("seq ");
            push_dec(out, seq as u64);
            out.push(':');
            push_dec(out, seq.wrapping_add(payload_len as u32) as u64);
            out.push_str(", ");
        } else {
            out.push_str("seq ");
            push_dec(out, seq as u64);
            out.push_str(", ");
        }
    }
    if h.ack() {
        out.push_str("ack ");
        push_dec(out, ack as u64);
        out.push_str(", ");
    }
    out.push_str("win ");
    push_dec(out, h.window_size() as u64);
    if h.urg() {
        let _ = write!(out, ", urg {}", h.urgent_pointer());
    }
    let options = h.options();
    if !options.is_empty() {
        out.push_str(", options [");
        let mut first = true;
        walk_options(options, |opt, _| {
            if !first {
                out.push(',');
            }
            first = false;
            let _ = match opt {
                TcpOption::Eol => write!(out, "eol"),
                TcpOption::Nop => write!(out, "nop"),
                TcpOption::Mss(v) => write!(out, "mss {v}"),
                TcpOption::WindowScale(v) => write!(out, "wscale {v}"),
                TcpOption::SackPermitted => write!(out, "sackOK"),
                TcpOption::Sack(blocks) => {
                    let _ = write!(out, "sack {}", blocks.len());
                    for (l, r) in blocks {
                        let _ = write!(out, " {{{l}:{r}}}");
                    }
                    Ok(())
                }
                TcpOption::Timestamps { val, ecr } => write!(out, "TS val {val} ecr {ecr}"),
                TcpOption::Other { kind, len } => write!(out, "unknown-{kind} len {len}"),
                TcpOption::Bad { kind } => write!(out, "bad opt {kind}"),
            };
        });
        out.push(']');
    }
    out.push_str(", length ");
    push_dec(out, payload_len as u64);
}

/// tcpdump's `10.0.0.1.443 > 10.0.0.2.51234: `.
fn push_endpoints(out: &mut String, src: &AddrText, sport: u16, dst: &AddrText, dport: u16) {
    src.push_to(out);
    out.push('.');
    push_dec(out, sport as u64);
    out.push_str(" > ");
    dst.push_to(out);
    out.push('.');
    push_dec(out, dport as u64);
    out.push_str(": ");
}

fn udp(data: &[u8], layer: &Layer, src: &AddrText, dst: &AddrText, out: &mut String) {
    match UdpHeaderSlice::from_slice(&data[layer.header.clone()]) {
        Ok(h) => {
            push_endpoints(out, src, h.source_port(), dst, h.destination_port());
            out.push_str("UDP, length ");
            push_dec(out, h.length().saturating_sub(8) as u64);
        }
        Err(_) => match (
            be16(data, layer.header.start),
            be16(data, layer.header.start + 2),
        ) {
            (Some(a), Some(b)) => {
                let _ = write!(out, "{src}.{a} > {dst}.{b}: [|udp]");
            }
            _ => {
                let _ = write!(out, "{src} > {dst}: [|udp]");
            }
        },
    }
}

fn icmp(data: &[u8], layer: &Layer, d: &Dissection, out: &mut String) {
    let s = layer.header.start;
    let (Some(&kind), Some(&code)) = (data.get(s), data.get(s + 1)) else {
        out.push_str("[|icmp]");
        return;
    };
    let length = layer.pdu.len();
    match kind {
        0 | 8 => {
            let (id, seq) = (
                be16(data, s + 4).unwrap_or(0),
                be16(data, s + 6).unwrap_or(0),
            );
            let what = if kind == 8 { "request" } else { "reply" };
            let _ = write!(out, "ICMP echo {what}, id {id}, seq {seq}, length {length}");
        }
        3 => {
            out.push_str("ICMP ");
            match unreachable(data, d, layer, code) {
                Some(text) => out.push_str(&text),
                None => {
                    out.push_str(&names::icmp_unreach_code(code).to_lowercase());
                    if let Some(quoted) = quoted_transport(data, d, layer) {
                        out.push_str(&quoted);
                    }
                }
            }
            let _ = write!(out, ", length {length}");
        }
        11 => {
            let _ = write!(out, "ICMP time exceeded in-transit, length {length}");
        }
        _ => {
            let _ = write!(
                out,
                "ICMP {}, length {length}",
                names::icmp_type(kind).to_lowercase()
            );
        }
    }
}

/// tcpdump's words for a destination unreachable (print-icmp.c), from the
/// quoted IPv4 header: `10.0.0.2 udp port 9 unreachable`, `host 10.0.0.2
/// unreachable`, ... `None` when the quoted header is not there.
fn unreachable(data: &[u8], d: &Dissection, icmp: &Layer, code: u8) -> Option<String> {
    let mut after = d
        .layers
        .iter()
        .skip_while(|l| !std::ptr::eq(*l, icmp))
        .skip(1);
    let ip = after.next().filter(|l| l.proto == Proto::Ipv4)?;
    let s = ip.header.start;
    let dst = ipv4(data.get(s + 16..s + 20)?);
    let proto = *data.get(s + 9)?;
    let text = match code {
        0 => format!("net {dst} unreachable"),
        1 => format!("host {dst} unreachable"),
        2 => format!("{dst} protocol {proto} unreachable"),
        3 => {
            let transport = ip.header.end;
            let port = be16(data, transport + 2)?;
            match proto {
                6 => format!("{dst} tcp port {port} unreachable"),
                17 => format!("{dst} udp port {port} unreachable"),
                _ => format!("{dst} protocol {proto} port {port} unreachable"),
            }
        }
        4 => match be16(data, icmp.header.start + 6) {
            Some(mtu) if mtu != 0 => format!("{dst} unreachable - need to frag (mtu {mtu})"),
            _ => format!("{dst} unreachable - need to frag"),
        },
        5 => format!("{dst} unreachable - source route failed"),
        6 => format!("net {dst} unreachable - unknown"),
        7 => format!("host {dst} unreachable - unknown"),
        8 => format!("{dst} unreachable - source host isolated"),
        9 => format!("net {dst} unreachable - admin prohibited"),
        10 => format!("host {dst} unreachable - admin prohibited"),
        11 => format!("net {dst} unreachable - tos prohibited"),
        12 => format!("host {dst} unreachable - tos prohibited"),
        13 => format!("host {dst} unreachable - admin prohibited filter"),
        14 => format!("host {dst} unreachable - host precedence violation"),
        15 => format!("host {dst} unreachable - precedence cutoff"),
        _ => format!("{dst} unreachable - #{code}"),
    };
    Some(text)
}

/// tcpdump's ` (udp 10.0.0.1.53 > 10.0.0.2.4000)` for the datagram an ICMP
/// error quotes.
fn quoted_transport(data: &[u8], d: &Dissection, icmp: &Layer) -> Option<String> {
    let after = d
        .layers
        .iter()
        .skip_while(|l| !std::ptr::eq(*l, icmp))
        .skip(1);
    let mut ip = None;
    for l in after {
        match l.proto {
            Proto::Ipv4 if ip.is_none() => ip = Some(l),
            Proto::Tcp | Proto::Udp => {
                let ip = ip?;
                let s = ip.header.start;
                let (src, dst) = (
                    ipv4(data.get(s + 12..s + 16)?),
                    ipv4(data.get(s + 16..s + 20)?),
                );
                let (a, b) = (be16(data, l.header.start)?, be16(data, l.header.start + 2)?);
                let name = if l.proto == Proto::Tcp { "tcp" } else { "udp" };
                return Some(format!(" ({name} {src}.{a} > {dst}.{b})"));
            }
            _ => {}
        }
    }
    None
}

fn icmpv6(data: &[u8], layer: &Layer, out: &mut String) {
    let s = layer.header.start;
    let Some(&kind) = data.get(s) else {
        out.push_str("[|icmp6]");
        return;
    };
    let length = layer.pdu.len();
    out.push_str("ICMP6, ");
    match kind {
        128 | 129 => {
            let (id, seq) = (
                be16(data, s + 4).unwrap_or(0),
                be16(data, s + 6).unwrap_or(0),
            );
            let what = if kind == 128 { "request" } else { "reply" };
            let _ = write!(out, "echo {what}, id {id}, seq {seq}, length {length}");
        }
        135 => match data.get(s + 8..s + 24) {
            Some(t) => {
                let _ = write!(
                    out,
                    "neighbor solicitation, who has {}, length {length}",
                    ipv6(t)
                );
            }
            None => out.push_str("neighbor solicitation [|icmp6]"),
        },
        136 => match data.get(s + 8..s + 24) {
            Some(t) => {
                let _ = write!(
                    out,
                    "neighbor advertisement, tgt is {}, length {length}",
                    ipv6(t)
                );
            }
            None => out.push_str("neighbor advertisement [|icmp6]"),
        },
        _ => {
            let _ = write!(
                out,
                "{}, length {length}",
                names::icmpv6_type(kind).to_lowercase()
            );
        }
    }
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
