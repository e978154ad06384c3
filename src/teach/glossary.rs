//! One plain sentence, and the document that defines it, for every field the
//! decoder emits on the teaching path (Ethernet, VLAN, ARP, IPv4, IPv6 and
//! its extension headers, TCP, UDP, ICMP, ICMPv6). Keyed by Wireshark's
//! display-filter name; the sentences use the packet's own values.
//! Uses `decode` only.

use std::net::IpAddr;

use crate::decode::{Dissection, Field, Value, names};

mod more;
#[cfg(test)]
mod tests;

/// What a field is for, and where that is defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gloss {
    pub sentence: String,
    /// The defining document, e.g. `RFC 791`.
    pub source: &'static str,
}

/// The field's number, if it is one.
pub(crate) fn num(value: &Value) -> Option<u64> {
    match value {
        Value::UInt(v) | Value::Hex(v, _) => Some(*v),
        Value::Bool(b) => Some(u64::from(*b)),
        _ => None,
    }
}

fn flag(d: &Dissection, key: &str) -> bool {
    d.field(key).and_then(|f| num(&f.value)).unwrap_or(0) != 0
}

fn mac_text(m: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

fn about_mac(m: &[u8; 6]) -> &'static str {
    if *m == [0xff; 6] {
        "the broadcast address: every station on the link takes the frame"
    } else if *m == [0; 6] {
        "all zeros, because loopback has no hardware and Linux fills in zeros"
    } else if m[0] & 1 == 1 {
        "a multicast address: every station that joined the group takes the frame"
    } else {
        "only the network card with this address keeps the frame"
    }
}

fn about_ip(ip: IpAddr) -> &'static str {
    match ip {
        IpAddr::V4(a) if a.is_loopback() => " (loopback: the packet never leaves this host)",
        IpAddr::V4(a) if a.is_private() => " (a private address, RFC 1918)",
        IpAddr::V4(a) if a.is_broadcast() => " (the limited broadcast address)",
        IpAddr::V6(a) if a.is_loopback() => " (IPv6 loopback: the packet never leaves this host)",
        IpAddr::V6(a) if a.segments()[0] & 0xffc0 == 0xfe80 => {
            " (link-local: valid on this link only)"
        }
        IpAddr::V6(a) if a.is_multicast() => " (multicast)",
        _ => "",
    }
}

fn port_kind(port: u64) -> String {
    let service = names::service(port as u16);
    let class = match port {
        0..=1023 => "a well-known (system) port",
        1024..=49151 => "a registered (user) port",
        _ => "a dynamic (private) port",
    };
    let ephemeral = if (32768..=60999).contains(&port) {
        " inside Linux's ephemeral range (32768-60999)"
    } else {
        ""
    };
    match service {
        Some(s) => format!("{class}{ephemeral}, the {s} service"),
        None => format!("{class}{ephemeral}, not a service in wirepeek's table"),
    }
}

fn tcp_option_source(kind: u64) -> &'static str {
    match kind {
        3 | 8 => "RFC 7323",
        4 | 5 => "RFC 2018",
        _ => "RFC 9293",
    }
}

/// The sentence for `f`, or None for keys the glossary does not cover.
pub fn explain(f: &Field, d: &Dissection, data: &[u8]) -> Option<Gloss> {
    let n = num(&f.value).unwrap_or(0);
    let meaning = f.meaning.as_deref().unwrap_or("unknown");
    let text = match &f.value {
        Value::Text(t) => t.to_string(),
        Value::Ip(ip) => ip.to_string(),
        Value::Mac(m) => mac_text(m),
        _ => n.to_string(),
    };
    let len = f.bytes.len();
    let (sentence, source): (String, &'static str) = match f.key {
        // Ethernet II.
        "eth.dst" => match &f.value {
            Value::Mac(m) => (
                format!("Destination MAC address, the station this frame is for on this link: {}.", about_mac(m)),
                "IEEE 802.3",
            ),
            _ => (
                "Destination MAC address: the station this frame is for on this link.".to_string(),
                "IEEE 802.3",
            ),
        },
        "eth.src" => match &f.value {
            Value::Mac(m) if *m == [0; 6] => (
                "Source MAC address: all zeros here, because loopback has no hardware.".to_string(),
                "IEEE 802.3",
            ),
            _ => (
                "Source MAC address: the network card that put this frame on the link; switches learn where it lives from this field.".to_string(),
                "IEEE 802.3",
            ),
        },
        "eth.type" => (
            format!("EtherType 0x{n:04x} says the payload is {meaning}: the receiver picks the next parser by it."),
            "IEEE 802.3 / IANA EtherTypes",
        ),
        "eth.len" => (
            format!("A value of 1500 or less is a length, not a type: {n} bytes of 802.3 payload follow, with an LLC header saying what they are."),
            "IEEE 802.3",
        ),
        "eth.padding" => (
            format!("{len} bytes of padding: an Ethernet frame must carry at least 46 bytes of payload (60 bytes without the checksum), so short packets are padded with zeros; the bytes mean nothing."),
            "IEEE 802.3",
        ),
        "eth.trailer" | "vlan.trailer" | "sll.trailer" => (
            format!("{len} bytes after the packet's own length: padding that is not zeros, or something the capturing hardware added; no header above claims them."),
            "IEEE 802.3",
        ),
        "eth.fcs" => (
            format!("Frame check sequence 0x{n:08x}: the CRC-32 the sender computed over the frame, kept by this capture; wirepeek does not verify it."),
            "IEEE 802.3",
        ),
        "eth.fcs.status" => (
            "FCS status 2 (unverified): the checksum was not computed, as in tshark by default.".to_string(),
            "IEEE 802.3",
        ),
        "vlan.len" => (
            format!("A value below 0x0600 is a length, not a type: {n} bytes of 802.3 payload follow the tag, with an LLC header saying what they are."),
            "IEEE 802.3",
        ),
        // 802.1Q / 802.1ad.
        "vlan.priority" | "ieee8021ad.priority" => (
            format!("Priority {n} of 0..7 (PCP): the class of service switches may give this frame."),
            "IEEE 802.1Q",
        ),
        "vlan.dei" | "ieee8021ad.dei" => (
            format!("Drop eligible {n}: when 1, a congested switch may drop this frame before others."),
            "IEEE 802.1Q",
        ),
        "vlan.id" | "ieee8021ad.id" => (
            format!("VLAN ID {n}: the virtual LAN this frame belongs to; switches keep VLANs apart as if they were separate cables."),
            "IEEE 802.1Q",
        ),
        "vlan.etype" | "ieee8021ah.etype" => (
            format!("The EtherType of what follows the tag: 0x{n:04x}, {meaning}."),
            "IEEE 802.1Q",
        ),
        // ARP.
        "arp.hw.type" => (
            format!("Hardware type {n}{}: the kind of link address being asked about.", if n == 1 { " (Ethernet)" } else { "" }),
            "RFC 826",
        ),
        "arp.proto.type" => (
            format!("Protocol type 0x{n:04x} ({meaning}): the kind of address being resolved, numbered like EtherTypes."),
            "RFC 826",
        ),
        "arp.hw.size" => (
            format!("Hardware address length: {n} bytes (a MAC address is 6)."),
            "RFC 826",
        ),
        "arp.proto.size" => (
            format!("Protocol address length: {n} bytes (an IPv4 address is 4)."),
            "RFC 826",
        ),
        "arp.opcode" => (
            match n {
                1 => "Opcode 1, request: \"who has the target IP address? Tell the sender.\" Sent to broadcast, since the asker does not know whom to ask.".to_string(),
                2 => "Opcode 2, reply: \"the IP address you asked about is at this MAC address\", sent straight back to the asker.".to_string(),
                _ => format!("Opcode {n} ({meaning})."),
            },
            "RFC 826",
        ),
        "arp.src.hw_mac" => (
            format!("Sender MAC address {text}: whoever receives this stores the sender's IP-to-MAC pair in its ARP cache."),
            "RFC 826",
        ),
        "arp.src.proto_ipv4" => (
            format!("Sender IP address {text}, paired with the sender MAC above."),
            "RFC 826",
        ),
        "arp.dst.hw_mac" => (
            if d.field("arp.opcode").and_then(|o| num(&o.value)) == Some(1) {
                format!("Target MAC address {text}: unknown yet, which is the question being asked.")
            } else {
                format!("Target MAC address {text}: the station this message is for.")
            },
            "RFC 826",
        ),
        "arp.dst.proto_ipv4" => (
            if d.field("arp.opcode").and_then(|o| num(&o.value)) == Some(1) {
                format!("Target IP address {text}: the address whose MAC the sender wants.")
            } else {
                format!("Target IP address {text}: the asker's address, echoed back.")
            },
            "RFC 826",
        ),
        "arp.hw.addr" | "arp.proto.addr" => (
            format!("An address of a kind wirepeek shows as raw bytes ({len} bytes)."),
            "RFC 826",
        ),
        // IPv4.
        "ip.version" => (
            format!("Version {n}: the first four bits tell the receiver which IP header layout follows."),
            "RFC 791",
        ),
        "ip.hdr_len" => (
            format!(
                "Header length (IHL) {} × 4 = {n} bytes{}.",
                n / 4,
                if n == 20 { ": the minimum, so no options" } else { ", so options follow the fixed 20" }
            ),
            "RFC 791",
        ),
        "ip.dsfield" => (
            format!("Differentiated Services byte 0x{n:02x}: a 6-bit traffic class (DSCP) and 2 bits of congestion notice (ECN)."),
            "RFC 2474",
        ),
        "ip.dsfield.dscp" => (
            format!("DSCP {n}: {}", if n == 0 { "best effort, the default class." } else { "a class routers may prioritise or police." }),
            "RFC 2474",
        ),
        "ip.dsfield.ecn" => (
            match n {
                0 => "ECN 0 (Not-ECT): this sender does not use congestion marking.".to_string(),
                3 => "ECN 3 (CE): a router was congested and marked this packet instead of dropping it.".to_string(),
                _ => format!("ECN {n} (ECT): the sender can react to congestion marks."),
            },
            "RFC 3168",
        ),
        "ip.len" => (
            format!("Total length {n} bytes, header and data: the receiver knows where the datagram ends even if the link adds padding."),
            "RFC 791",
        ),
        "ip.id" => (
            if flag(d, "ip.flags.df") {
                format!("Identification 0x{n:04x}: would tie the fragments of one datagram together; with Don't Fragment set there are none.")
            } else {
                format!("Identification 0x{n:04x}: all fragments of one datagram carry the same number, so the receiver can put them back together.")
            },
            "RFC 791",
        ),
        "ip.flags" => (
            format!("Flags 0x{n:02x}: three bits about fragmentation, below."),
            "RFC 791",
        ),
        "ip.flags.rb" => (
            format!("Reserved bit {n}: must be 0."),
            "RFC 791",
        ),
        "ip.flags.df" => (
            if n == 1 {
                "Don't Fragment 1: a router must not split this datagram; if it is too big for the next link, the router drops it and says so in ICMP, which is how path MTU discovery works.".to_string()
            } else {
                "Don't Fragment 0: routers may split this datagram to fit a smaller link.".to_string()
            },
            "RFC 791, RFC 1191",
        ),
        "ip.flags.mf" => (
            if n == 1 {
                "More Fragments 1: more pieces of this datagram follow.".to_string()
            } else {
                "More Fragments 0: this is the last (or only) piece of the datagram.".to_string()
            },
            "RFC 791",
        ),
        "ip.frag_offset" => (
            format!(
                "Fragment offset {n} (in units of 8 bytes){}.",
                if n == 0 { ": this piece starts the datagram".to_string() } else { format!(": this piece belongs at byte {} of the datagram", n * 8) }
            ),
            "RFC 791",
        ),
        "ip.ttl" => (
            format!("TTL {n}: each router subtracts one; at 0 the packet is dropped, which stops loops{}.", if n == 64 { " (64 is Linux's starting value)" } else { "" }),
            "RFC 791",
        ),
        "ip.proto" => (
            format!("Protocol {n} ({meaning}): which header comes after this one."),
            "RFC 791 / IANA protocol numbers",
        ),
        "ip.checksum" => (
            format!("Header checksum 0x{n:04x}: a one's-complement sum over the header only (not the data); every router recomputes it, because the TTL changes."),
            "RFC 791, RFC 1071",
        ),
        "ip.checksum.status" => (
            format!("wirepeek summed the header itself: {}.", if text == "Good" { "the checksum matches" } else { "the checksum does not match, so the header was damaged or the capture saw it before the card filled it in" }),
            "RFC 1071",
        ),
        "ip.src" => (
            format!("Source address {text}{}: where the datagram comes from; replies go back here.", match &f.value { Value::Ip(ip) => about_ip(*ip), _ => "" }),
            "RFC 791",
        ),
        "ip.dst" => (
            format!("Destination address {text}{}: routers forward the datagram hop by hop towards it.", match &f.value { Value::Ip(ip) => about_ip(*ip), _ => "" }),
            "RFC 791",
        ),
        "ip.cur_rt" => (
            format!("Current hop {text} of a source route: the header's destination until the route is used up."),
            "RFC 791",
        ),
        "ip.opt.type" => (
            format!("Option type {n} ({meaning})."),
            "RFC 791",
        ),
        "ip.opt.len" => (
            format!("Option length {n} bytes, type and length bytes included."),
            "RFC 791",
        ),
        "ip.opt.ra" => (
            format!("Router Alert value {n}: asks every router on the path to look inside this packet."),
            "RFC 2113",
        ),
        // TCP.
        "tcp.srcport" | "udp.srcport" => (
            format!("Source port {n}, {}: the sending socket; with the source address it says where replies go.", port_kind(n)),
            if f.key == "tcp.srcport" { "RFC 9293, RFC 6335" } else { "RFC 768, RFC 6335" },
        ),
        "tcp.dstport" | "udp.dstport" => (
            format!("Destination port {n}, {}: the receiving host hands the data to the socket bound to this port.", port_kind(n)),
            if f.key == "tcp.dstport" { "RFC 9293, RFC 6335" } else { "RFC 768, RFC 6335" },
        ),
        "tcp.seq_raw" => (
            if flag(d, "tcp.flags.syn") {
                format!("Sequence number {n}: in a SYN this is the initial sequence number (ISN), chosen at random so strangers cannot guess it; the SYN itself uses up this number.")
            } else {
                format!("Sequence number {n}: the position of this segment's first data byte in the sender's byte stream, counted from its ISN.")
            },
            "RFC 9293",
        ),
        "tcp.ack_raw" => (
            if flag(d, "tcp.flags.ack") {
                format!("Acknowledgment number {n}: the next byte the sender expects from the other side; everything before it has arrived.")
            } else {
                format!("Acknowledgment number {n}: ignored, because the ACK flag is not set (only a connection's first SYN lacks it).")
            },
            "RFC 9293",
        ),
        "tcp.len" => (
            format!("Segment length {n}: bytes of data after the TCP header (IP length minus both headers)."),
            "RFC 9293",
        ),
        "tcp.hdr_len" => (
            format!(
                "Data offset {} × 4 = {n} bytes of TCP header{}.",
                n / 4,
                if n > 20 { format!(", so {} bytes of options follow the fixed 20", n - 20) } else { ": no options".to_string() }
            ),
            "RFC 9293",
        ),
        "tcp.flags" => (
            format!("Flags 0x{n:04x} ({}): the control bits, one by one below.", if meaning.is_empty() { "none" } else { meaning }),
            "RFC 9293",
        ),
        "tcp.flags.res" => ("Reserved bits: must be 0.".to_string(), "RFC 9293"),
        "tcp.flags.ae" => (
            format!("AE {n}: Accurate ECN, for finer congestion feedback; {}", if n == 1 { "set." } else { "not used here." }),
            "RFC 9768",
        ),
        "tcp.flags.cwr" => (
            format!("CWR {n}: {}", if n == 1 { "the sender has slowed down (reduced its congestion window) after an ECN echo." } else { "no congestion-window reduction to report." }),
            "RFC 3168",
        ),
        "tcp.flags.ece" => (
            format!("ECE {n}: {}", match (n, flag(d, "tcp.flags.syn")) {
                (1, true) => "in a SYN, offers to use ECN.",
                (1, false) => "tells the sender a router marked congestion (ECN-Echo).",
                _ => "no congestion to echo.",
            }),
            "RFC 3168",
        ),
        "tcp.flags.urg" => (
            format!("URG {n}: {}", if n == 1 { "the urgent pointer is valid." } else { "no urgent data (hardly used today)." }),
            "RFC 9293, RFC 6093",
        ),
        "tcp.flags.ack" => (
            format!("ACK {n}: {}", if n == 1 { "the acknowledgment number is valid; every segment but the opening SYN has it." } else { "the acknowledgment number means nothing: this is an opening SYN." }),
            "RFC 9293",
        ),
        "tcp.flags.push" => (
            format!("PSH {n}: {}", if n == 1 { "hand the data to the application now instead of waiting for more." } else { "no push requested." }),
            "RFC 9293",
        ),
        "tcp.flags.reset" => (
            format!("RST {n}: {}", if n == 1 { "abort the connection at once." } else { "not an abort." }),
            "RFC 9293",
        ),
        "tcp.flags.syn" => (
            format!("SYN {n}: {}", if n == 1 { "synchronise sequence numbers: this segment opens a connection." } else { "not opening a connection." }),
            "RFC 9293",
        ),
        "tcp.flags.fin" => (
            format!("FIN {n}: {}", if n == 1 { "the sender has no more data to send; it closes its half of the connection." } else { "the sender is not closing." }),
            "RFC 9293",
        ),
        "tcp.flags.str" => (
            format!("{text}: Wireshark's picture of the 12 flag bits, a letter for each one set."),
            "RFC 9293",
        ),
        "tcp.window_size_value" => (
            if flag(d, "tcp.flags.syn") {
                format!("Window {n}: how many bytes the sender can take in now; in a SYN it is never scaled.")
            } else {
                format!("Window {n}: how many more bytes the sender can take in now, multiplied by 2^shift if both sides sent a window scale option in their SYNs.")
            },
            "RFC 9293, RFC 7323",
        ),
        "tcp.checksum" => (
            format!("Checksum 0x{n:04x}: covers a pseudo-header (both addresses, protocol, length), the TCP header and the data; wirepeek does not check it, as captured outgoing packets often carry one the card fills in later."),
            "RFC 9293",
        ),
        "tcp.urgent_pointer" => (
            format!("Urgent pointer {n}: {}", if flag(d, "tcp.flags.urg") { "where the urgent data ends." } else { "ignored, since URG is not set." }),
            "RFC 9293",
        ),
        "tcp.options" => (
            format!("{len} bytes of options, each a kind byte, then (except for NOP and EOL) a length and a value."),
            "RFC 9293",
        ),
        "tcp.option_kind" => {
            let what = match n {
                0 => "End of option list: the rest is padding.".to_string(),
                1 => "No-operation: a padding byte so the next option starts on a 4-byte boundary.".to_string(),
                2 => "Maximum segment size: the largest segment this side wants to receive (only in SYNs).".to_string(),
                3 => "Window scale: lets windows grow past 65,535 bytes (only in SYNs).".to_string(),
                4 => "SACK permitted: this side can handle selective acknowledgments (only in SYNs).".to_string(),
                5 => "SACK: blocks of data that arrived beyond a gap, so only the gap is resent.".to_string(),
                8 => "Timestamps: for round-trip time measurement and protection against wrapped sequence numbers.".to_string(),
                _ => format!("Option kind {n} ({meaning})."),
            };
            (format!("Kind {n}: {what}"), tcp_option_source(n))
        }
        "tcp.options.mss_val" => {
            let v6 = d.field("ipv6.version").is_some();
            let headers = if v6 { 60 } else { 40 };
            (
                format!(
                    "MSS {n} bytes = an MTU of {} minus {headers} bytes of {} and TCP headers.",
                    n + headers,
                    if v6 { "IPv6" } else { "IPv4" }
                ),
                "RFC 9293, RFC 6691",
            )
        }
        "tcp.options.wscale.shift" => (
            format!("Shift {n}: once both sides agree, the window fields this side sends are multiplied by 2^{n} = {}.", 1u64 << n.min(30)),
            "RFC 7323",
        ),
        "tcp.options.wscale.multiplier" => (
            format!("The multiplier 2^shift = {n}, worked out by wirepeek."),
            "RFC 7323",
        ),
        "tcp.options.sack_le" => (
            format!("Left edge {n}: first sequence number of a block that did arrive."),
            "RFC 2018",
        ),
        "tcp.options.sack_re" => (
            format!("Right edge {n}: the sequence number just after that block."),
            "RFC 2018",
        ),
        "tcp.options.timestamp.tsval" => (
            format!("Timestamp value {n}: the sender's clock; the peer echoes it back so the sender can time the round trip."),
            "RFC 7323",
        ),
        "tcp.options.timestamp.tsecr" => (
            if n == 0 {
                "Timestamp echo 0: nothing to echo yet, since the peer has sent no timestamp.".to_string()
            } else {
                format!("Timestamp echo {n}: the latest timestamp value received from the peer, sent back.")
            },
            "RFC 7323",
        ),
        "tcp.option_len" => (
            format!("Option length {n} bytes, kind and length bytes included."),
            "RFC 9293",
        ),
        // UDP.
        "udp.length" => (
            format!("Length {n} bytes = 8 of header + {} of data.", n.saturating_sub(8)),
            "RFC 768",
        ),
        "udp.checksum" => (
            if n == 0 {
                "Checksum 0: the sender did not compute one, allowed over IPv4 only (IPv6 requires it).".to_string()
            } else {
                format!("Checksum 0x{n:04x}: covers a pseudo-header (addresses, protocol, length), the UDP header and the data; wirepeek does not check it.")
            },
            "RFC 768, RFC 8200 §8.1",
        ),
        // Application data.
        "data.data" => (
            format!("{len} bytes of application data: what the program wrote; every header above exists to deliver these{}.", preview(&f.value, data).map(|p| format!(", here {p}")).unwrap_or_default()),
            "",
        ),
        "data.len" => (
            format!("{n} bytes of data on the wire."),
            "",
        ),
        // IPv6 and ICMP, in `glossary/more.rs`.
        _ => {
            let (sentence, source) = more::explain(f, d, n, meaning, &text, len)?;
            return Some(Gloss { sentence, source });
        }
    };
    Some(Gloss { sentence, source })
}

/// Printable text of a byte-valued field, quoted, or None if it is not text.
fn preview(value: &Value, data: &[u8]) -> Option<String> {
    let Value::Bytes(range) = value else {
        return None;
    };
    let bytes = data.get(range.clone())?;
    super::printable(bytes)
}
