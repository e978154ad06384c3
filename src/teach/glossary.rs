//! One plain sentence, and the document that defines it, for every field the
//! decoder emits on the teaching path (Ethernet, VLAN, ARP, IPv4, IPv6 and
//! its extension headers, TCP, UDP, ICMP, ICMPv6). Keyed by Wireshark's
//! display-filter name; the sentences use the packet's own values.
//! Uses `decode` only.

use std::net::IpAddr;

use crate::decode::{Dissection, Field, Value, names};

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
        "eth.trailer" => (
            format!("{len} bytes of padding: an Ethernet frame must carry at least 46 bytes of payload (60 bytes without the checksum), so short packets are padded; the bytes mean nothing."),
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
        "vlan.etype" | "ieee8021ad.etype" => (
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
        "ip.options" => (
            format!("{len} bytes of IPv4 options, each type-length-value; rare today and often filtered."),
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
        "ip.fragment.note" => (
            format!("{text}: without the other fragments the transport header cannot be read."),
            "RFC 791",
        ),
        // IPv6.
        "ipv6.version" => (
            format!("Version {n}: the same first four bits as IPv4, so the receiver can tell them apart."),
            "RFC 8200",
        ),
        "ipv6.tclass" => (
            format!("Traffic class 0x{n:02x}: DSCP and ECN, as IPv4's DS byte."),
            "RFC 8200, RFC 2474",
        ),
        "ipv6.flow" => (
            if n == 0 {
                "Flow label 0: not set; a sender may label one flow's packets so routers keep them on one path.".to_string()
            } else {
                format!("Flow label 0x{n:05x}: the sender's label for this flow, so routers can keep its packets on one path.")
            },
            "RFC 8200, RFC 6437",
        ),
        "ipv6.plen" => (
            format!("Payload length {n}: bytes after the fixed 40-byte header, extension headers included (unlike IPv4's total length, the header is not counted)."),
            "RFC 8200",
        ),
        "ipv6.nxt" => (
            format!("Next header {n} ({meaning}): what follows, a transport header or an extension header; IPv6 chains headers this way."),
            "RFC 8200",
        ),
        "ipv6.hlim" => (
            format!("Hop limit {n}: IPv6's TTL; each router subtracts one and drops the packet at 0."),
            "RFC 8200",
        ),
        "ipv6.src" => (
            format!("Source address {text}{}.", match &f.value { Value::Ip(ip) => about_ip(*ip), _ => "" }),
            "RFC 8200, RFC 4291",
        ),
        "ipv6.dst" => (
            format!("Destination address {text}{}.", match &f.value { Value::Ip(ip) => about_ip(*ip), _ => "" }),
            "RFC 8200, RFC 4291",
        ),
        "ipv6.hopopts.nxt" | "ipv6.routing.nxt" | "ipv6.fraghdr.nxt" | "ipv6.dstopts.nxt" => (
            format!("Next header {n} ({meaning}): the header after this extension header."),
            "RFC 8200",
        ),
        "ipv6.hopopts.len" | "ipv6.routing.len" | "ipv6.dstopts.len" => (
            format!("Header extension length {n}: this header is ({n} + 1) × 8 = {} bytes.", (n + 1) * 8),
            "RFC 8200",
        ),
        "ipv6.opt.type" => (
            format!("Option type 0x{n:02x} ({meaning}); its top two bits say what a node that does not know it must do."),
            "RFC 8200 §4.2",
        ),
        "ipv6.opt.length" => (
            format!("Option data length: {n} bytes."),
            "RFC 8200 §4.2",
        ),
        "ipv6.routing.type" => (
            format!("Routing type {n}{}: how the route's addresses are listed.", if n == 4 { " (segment routing)" } else { "" }),
            "RFC 8200 §4.4",
        ),
        "ipv6.routing.segleft" => (
            format!("Segments left {n}: route stops still to visit."),
            "RFC 8200 §4.4",
        ),
        "ipv6.routing.data" => (
            format!("{len} bytes of routing data, as the routing type defines them."),
            "RFC 8200 §4.4",
        ),
        "ipv6.fraghdr.reserved_octet" | "ipv6.fraghdr.reserved_bits" => (
            format!("Reserved {n}: sent as zero, ignored by the receiver."),
            "RFC 8200 §4.5",
        ),
        "ipv6.fraghdr.offset" => (
            format!("Fragment offset {n} (units of 8 bytes): this piece belongs at byte {} of the original packet; in IPv6 only the sender fragments.", n * 8),
            "RFC 8200 §4.5",
        ),
        "ipv6.fraghdr.more" => (
            format!("More fragments {n}: {}", if n == 1 { "more pieces follow." } else { "this is the last piece." }),
            "RFC 8200 §4.5",
        ),
        "ipv6.fraghdr.ident" => (
            format!("Identification 0x{n:08x}: the same in every fragment of one packet."),
            "RFC 8200 §4.5",
        ),
        "ipv6.fraghdr.note" => (
            format!("{text}: the rest of the packet is in other fragments."),
            "RFC 8200 §4.5",
        ),
        "ah.next_header" => (
            format!("Next header {n} ({meaning}): what the Authentication Header protects."),
            "RFC 4302",
        ),
        "ah.length" => (
            format!("AH length {n}: the header is ({n} + 2) × 4 = {} bytes.", (n + 2) * 4),
            "RFC 4302",
        ),
        "ah.spi" => (
            format!("Security Parameters Index 0x{n:08x}: which security association (keys, algorithm) to check with."),
            "RFC 4302",
        ),
        "ah.sequence" => (
            format!("Sequence number {n}: rises by one per packet so replayed packets can be refused."),
            "RFC 4302",
        ),
        "ah.icv" => (
            format!("Integrity check value ({len} bytes): the keyed hash that proves the packet was not changed."),
            "RFC 4302",
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
        "tcp.option.data" => (
            format!("{len} bytes of option value that wirepeek shows raw."),
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
        // ICMP.
        "icmp.type" | "icmpv6.type" => {
            let v6 = f.key == "icmpv6.type";
            let what = match (v6, n) {
                (false, 8) | (true, 128) => "\"are you there?\", which is what ping sends",
                (false, 0) | (true, 129) => "the answer to an echo request, carrying back its identifier, sequence number and data",
                (false, 3) | (true, 1) => "a router or the destination host could not deliver a packet, which is quoted below",
                (false, 11) | (true, 3) => "a TTL reached 0 on the way (traceroute relies on this); the packet is quoted below",
                (true, 2) => "the next link's MTU is smaller than the packet, and IPv6 routers never fragment",
                (true, 135) => "IPv6's version of an ARP request",
                (true, 136) => "IPv6's version of an ARP reply",
                (true, 133) => "a host asks routers to announce themselves",
                (true, 134) => "a router announces itself and the link's prefixes",
                _ => "a control message; its type says what the rest means",
            };
            (format!("Type {n} ({meaning}): {what}."), if v6 { "RFC 4443" } else { "RFC 792" })
        }
        "icmp.code" if d.field("icmp.type").and_then(|t| num(&t.value)) == Some(3) => (
            format!(
                "Code {n} ({meaning}): {}",
                match n {
                    0 => "no route to the destination's network.",
                    1 => "the last router could not reach the destination host.",
                    3 => "the destination host got the packet, but no socket listens on its port; for UDP this is how a closed port answers.",
                    4 => "the packet was too big for the next link and Don't Fragment was set; the next-hop MTU says how big may pass.",
                    _ => "why delivery failed.",
                }
            ),
            "RFC 792",
        ),
        "icmp.code" | "icmpv6.code" => (
            format!("Code {n}{}: refines the type{}.", f.meaning.as_deref().map(|m| format!(" ({m})")).unwrap_or_default(), if matches!(d.field("icmp.type").or_else(|| d.field("icmpv6.type")).and_then(|t| num(&t.value)), Some(0 | 8 | 128 | 129)) { "; echo messages always use 0" } else { "" }),
            if f.key == "icmp.code" { "RFC 792" } else { "RFC 4443" },
        ),
        "icmp.checksum" => (
            format!("Checksum 0x{n:04x}: a one's-complement sum over the whole ICMP message."),
            "RFC 792, RFC 1071",
        ),
        "icmpv6.checksum" => (
            format!("Checksum 0x{n:04x}: over a pseudo-header (addresses, length, next header) and the whole ICMPv6 message."),
            "RFC 4443",
        ),
        "icmp.checksum.status" => (
            format!("wirepeek summed the message itself: {}.", if text == "Good" { "the checksum matches" } else { "the checksum does not match" }),
            "RFC 1071",
        ),
        "icmp.ident" | "icmpv6.echo.identifier" => (
            format!("Identifier {n}: picked by the sender so it can tell its replies from other programs' (the reply carries it back)."),
            if f.key == "icmp.ident" { "RFC 792" } else { "RFC 4443" },
        ),
        "icmp.seq" | "icmpv6.echo.sequence_number" => (
            format!("Sequence number {n}: counts the requests; the reply repeats it, so the sender can spot a lost one and time each round trip."),
            if f.key == "icmp.seq" { "RFC 792" } else { "RFC 4443" },
        ),
        "icmp.redir_gw" => (
            format!("Gateway {text}: the better first hop the router suggests."),
            "RFC 792",
        ),
        "icmp.pointer" | "icmpv6.pointer" => (
            format!("Pointer {n}: the offset of the bad byte in the quoted packet."),
            if f.key == "icmp.pointer" { "RFC 792" } else { "RFC 4443" },
        ),
        "icmp.mtu" => (
            format!("Next-hop MTU {n}: the largest packet the next link takes; the sender should send smaller ones."),
            "RFC 1191",
        ),
        "icmpv6.mtu" => (
            format!("MTU {n}: the largest packet the next link takes; the sender must send smaller ones."),
            "RFC 8201",
        ),
        "icmp.unused" | "icmpv6.reserved" => (
            "Unused: four zero bytes before the quoted packet.".to_string(),
            if f.key == "icmp.unused" { "RFC 792" } else { "RFC 4443" },
        ),
        "icmpv6.mld.maximum_response_delay" => (
            format!("Maximum response delay {n} ms: how long listeners may wait before answering."),
            "RFC 2710",
        ),
        "icmpv6.mld.multicast_address" => (
            format!("Multicast address {text}: the group asked about (:: asks about every group)."),
            "RFC 2710",
        ),
        "icmpv6.nd.ra.cur_hop_limit" => (
            format!("Hop limit {n}: what hosts should put in their packets' hop limit (0: no advice)."),
            "RFC 4861",
        ),
        "icmpv6.nd.ra.flag" => (
            format!("Flags 0x{n:02x}: M and O say whether hosts should use DHCPv6 for addresses or other settings."),
            "RFC 4861",
        ),
        "icmpv6.nd.ra.router_lifetime" => (
            format!("Router lifetime {n} s: how long hosts may use this router as default (0: not a default router)."),
            "RFC 4861",
        ),
        "icmpv6.nd.ra.reachable_time" => (
            format!("Reachable time {n} ms: how long a neighbour counts as reachable after confirmation (0: no advice)."),
            "RFC 4861",
        ),
        "icmpv6.nd.ra.retrans_timer" => (
            format!("Retransmit timer {n} ms between neighbour solicitations (0: no advice)."),
            "RFC 4861",
        ),
        "icmpv6.nd.ns.target_address" => (
            format!("Target {text}: the address whose link-layer address the sender wants."),
            "RFC 4861",
        ),
        "icmpv6.nd.na.flag" => (
            format!("Flags 0x{n:08x}: R (sender is a router), S (answers a solicitation), O (override cached entries)."),
            "RFC 4861",
        ),
        "icmpv6.nd.na.target_address" => (
            format!("Target {text}: the address this advertisement is about."),
            "RFC 4861",
        ),
        "icmpv6.nd.rd.target_address" => (
            format!("Target {text}: the better first hop."),
            "RFC 4861",
        ),
        "icmpv6.nd.rd.destination_address" => (
            format!("Destination {text}: the destination the redirect is for."),
            "RFC 4861",
        ),
        "icmpv6.opt.type" => (
            format!("Option type {n} ({meaning})."),
            "RFC 4861",
        ),
        "icmpv6.opt.length" => (
            format!("Option length {n} × 8 = {} bytes.", n * 8),
            "RFC 4861",
        ),
        "icmpv6.opt.linkaddr" => (
            format!("Link-layer address {text}: the MAC address, so no separate query is needed."),
            "RFC 4861",
        ),
        "icmpv6.opt.prefix.length" => (
            format!("Prefix length {n} bits: the network part of the address."),
            "RFC 4861",
        ),
        "icmpv6.opt.prefix.valid_lifetime" => (
            format!("Valid lifetime {n} s: how long addresses from this prefix stay valid."),
            "RFC 4861",
        ),
        "icmpv6.opt.prefix.preferred_lifetime" => (
            format!("Preferred lifetime {n} s: how long new connections may use such addresses."),
            "RFC 4861",
        ),
        "icmpv6.opt.prefix" => (
            format!("Prefix {text}: the network hosts on this link may take addresses from."),
            "RFC 4861",
        ),
        "icmpv6.opt.mtu" => (
            format!("MTU {n}: the link's MTU, for every host to use."),
            "RFC 4861",
        ),
        "icmpv6.opt.data" => (
            format!("{len} bytes of option data that wirepeek shows raw."),
            "RFC 4861",
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
        _ => return None,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the decoder can emit for the protocols the lesson covers,
    /// read from the decoder's source, has a sentence.
    #[test]
    fn every_decoded_key_of_the_taught_protocols_has_a_sentence() {
        let sources = [
            include_str!("../decode/ethernet.rs"),
            include_str!("../decode/vlan.rs"),
            include_str!("../decode/arp.rs"),
            include_str!("../decode/ipv4.rs"),
            include_str!("../decode/ipv6.rs"),
            include_str!("../decode/tcp.rs"),
            include_str!("../decode/udp.rs"),
            include_str!("../decode/icmp.rs"),
            include_str!("../decode/icmpv6.rs"),
            include_str!("../decode/payload.rs"),
        ];
        let d = Dissection::default();
        let mut missing = Vec::new();
        let mut seen = 0;
        for src in sources {
            for piece in src.split('"').skip(1).step_by(2) {
                let prefix = piece.split('.').next().unwrap_or("");
                let is_key = piece.contains('.')
                    && !piece.contains(' ')
                    && matches!(
                        prefix,
                        "eth"
                            | "vlan"
                            | "ieee8021ad"
                            | "arp"
                            | "ip"
                            | "ipv6"
                            | "ah"
                            | "tcp"
                            | "udp"
                            | "icmp"
                            | "icmpv6"
                            | "data"
                    );
                // Layer keys such as `ipv6.hopopts` name a header, not a field.
                if !is_key
                    || matches!(
                        piece,
                        "ipv6.hopopts" | "ipv6.routing" | "ipv6.fraghdr" | "ipv6.dstopts"
                    )
                {
                    continue;
                }
                seen += 1;
                let key: &'static str = Box::leak(piece.to_string().into_boxed_str());
                let field = Field {
                    key,
                    name: "test",
                    bytes: 0..0,
                    mask: 0,
                    value: Value::UInt(1),
                    meaning: None,
                    origin: crate::decode::Origin::Wire,
                    depth: 0,
                };
                if explain(&field, &d, &[]).is_none() {
                    missing.push(piece.to_string());
                }
            }
        }
        assert!(seen > 150, "only {seen} keys found in the decoder sources");
        assert!(missing.is_empty(), "no sentence for {missing:?}");
    }

    #[test]
    fn ttl_sentence_uses_the_packets_value() {
        let field = Field {
            key: "ip.ttl",
            name: "Time to Live",
            bytes: 22..23,
            mask: 0,
            value: Value::UInt(63),
            meaning: None,
            origin: crate::decode::Origin::Wire,
            depth: 0,
        };
        let g = explain(&field, &Dissection::default(), &[]).expect("a sentence for ip.ttl");
        assert!(
            g.sentence.starts_with("TTL 63: each router subtracts one"),
            "{}",
            g.sentence
        );
        assert_eq!(g.source, "RFC 791");
    }
}
