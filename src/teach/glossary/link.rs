//! The glossary's Ethernet, 802.1Q, ARP and IPv4 sentences.

use super::*;
use crate::decode::{Value, arp, ethernet, ipv4, sll, vlan};

/// Ethernet, VLAN tags, ARP and IPv4.
pub(super) const TABLE: &[Entry] = &[
    // Ethernet II.
    (&[&ethernet::DST], |&Cx { f, .. }| match &f.value {
        Value::Mac(m) => (
            format!(
                "Destination MAC address, the station this frame is for on this link: {}.",
                about_mac(m)
            ),
            "IEEE 802.3",
        ),
        _ => (
            "Destination MAC address: the station this frame is for on this link.".to_string(),
            "IEEE 802.3",
        ),
    }),
    (&[&ethernet::SRC], |&Cx { f, .. }| {
        match &f.value {
        Value::Mac(m) if *m == [0; 6] => (
            "Source MAC address: all zeros here, because loopback has no hardware.".to_string(),
            "IEEE 802.3",
        ),
        _ => (
            "Source MAC address: the network card that put this frame on the link; switches learn where it lives from this field.".to_string(),
            "IEEE 802.3",
        ),
    }
    }),
    (&[&ethernet::TYPE], |&Cx { n, meaning, .. }| {
        (
            format!(
                "EtherType 0x{n:04x} says the payload is {meaning}: the receiver picks the next parser by it."
            ),
            "IEEE 802.3 / IANA EtherTypes",
        )
    }),
    (&[&ethernet::LEN], |&Cx { n, .. }| {
        (
            format!(
                "A value of 1500 or less is a length, not a type: {n} bytes of 802.3 payload follow, with an LLC header saying what they are."
            ),
            "IEEE 802.3",
        )
    }),
    (&[&ethernet::PADDING], |&Cx { len, .. }| {
        (
            format!(
                "{len} bytes of padding: an Ethernet frame must carry at least 46 bytes of payload (60 bytes without the checksum), so short packets are padded with zeros; the bytes mean nothing."
            ),
            "IEEE 802.3",
        )
    }),
    (
        &[&ethernet::TRAILER, &vlan::TRAILER, &sll::TRAILER],
        |&Cx { len, .. }| {
            (
                format!(
                    "{len} bytes after the packet's own length: padding that is not zeros, or something the capturing hardware added; no header above claims them."
                ),
                "IEEE 802.3",
            )
        },
    ),
    (&[&ethernet::FCS], |&Cx { n, .. }| {
        (
            format!(
                "Frame check sequence 0x{n:08x}: the CRC-32 the sender computed over the frame, kept by this capture; wirepeek does not verify it."
            ),
            "IEEE 802.3",
        )
    }),
    (&[&ethernet::FCS_STATUS], |&Cx { .. }| {
        (
            "FCS status 2 (unverified): the checksum was not computed, as in tshark by default."
                .to_string(),
            "IEEE 802.3",
        )
    }),
    (&[&vlan::LEN], |&Cx { n, .. }| {
        (
            format!(
                "A value below 0x0600 is a length, not a type: {n} bytes of 802.3 payload follow the tag, with an LLC header saying what they are."
            ),
            "IEEE 802.3",
        )
    }),
    // 802.1Q / 802.1ad.
    (
        &[&vlan::PRIORITY, &vlan::AD_PRIORITY],
        |&Cx { n, .. }| {
            (
                format!(
                    "Priority {n} of 0..7 (PCP): the class of service switches may give this frame."
                ),
                "IEEE 802.1Q",
            )
        },
    ),
    (&[&vlan::DEI, &vlan::AD_DEI], |&Cx { n, .. }| {
        (
            format!(
                "Drop eligible {n}: when 1, a congested switch may drop this frame before others."
            ),
            "IEEE 802.1Q",
        )
    }),
    (&[&vlan::ID, &vlan::AD_ID], |&Cx { n, .. }| {
        (
            format!(
                "VLAN ID {n}: the virtual LAN this frame belongs to; switches keep VLANs apart as if they were separate cables."
            ),
            "IEEE 802.1Q",
        )
    }),
    (
        &[&vlan::ETYPE, &vlan::AD_ETYPE],
        |&Cx { n, meaning, .. }| {
            (
                format!("The EtherType of what follows the tag: 0x{n:04x}, {meaning}."),
                "IEEE 802.1Q",
            )
        },
    ),
    // ARP.
    (&[&arp::HW_TYPE], |&Cx { n, .. }| {
        (
            format!(
                "Hardware type {n}{}: the kind of link address being asked about.",
                if n == 1 { " (Ethernet)" } else { "" }
            ),
            "RFC 826",
        )
    }),
    (&[&arp::PROTO_TYPE], |&Cx { n, meaning, .. }| {
        (
            format!(
                "Protocol type 0x{n:04x} ({meaning}): the kind of address being resolved, numbered like EtherTypes."
            ),
            "RFC 826",
        )
    }),
    (&[&arp::HW_SIZE], |&Cx { n, .. }| {
        (
            format!("Hardware address length: {n} bytes (a MAC address is 6)."),
            "RFC 826",
        )
    }),
    (&[&arp::PROTO_SIZE], |&Cx { n, .. }| {
        (
            format!("Protocol address length: {n} bytes (an IPv4 address is 4)."),
            "RFC 826",
        )
    }),
    (&[&arp::OPCODE], |&Cx { n, meaning, .. }| {
        (
        match n {
            1 => "Opcode 1, request: \"who has the target IP address? Tell the sender.\" Sent to broadcast, since the asker does not know whom to ask.".to_string(),
            2 => "Opcode 2, reply: \"the IP address you asked about is at this MAC address\", sent straight back to the asker.".to_string(),
            _ => format!("Opcode {n} ({meaning})."),
        },
        "RFC 826",
    )
    }),
    (&[&arp::SRC_HW_MAC], |&Cx { text, .. }| {
        (
            format!(
                "Sender MAC address {text}: whoever receives this stores the sender's IP-to-MAC pair in its ARP cache."
            ),
            "RFC 826",
        )
    }),
    (&[&arp::SRC_PROTO_IPV4], |&Cx { text, .. }| {
        (
            format!("Sender IP address {text}, paired with the sender MAC above."),
            "RFC 826",
        )
    }),
    (&[&arp::DST_HW_MAC], |&Cx { d, text, .. }| {
        (
            if d.field(arp::OPCODE.key).and_then(|o| num(&o.value)) == Some(1) {
                format!(
                    "Target MAC address {text}: unknown yet, which is the question being asked."
                )
            } else {
                format!("Target MAC address {text}: the station this message is for.")
            },
            "RFC 826",
        )
    }),
    (&[&arp::DST_PROTO_IPV4], |&Cx { d, text, .. }| {
        (
            if d.field(arp::OPCODE.key).and_then(|o| num(&o.value)) == Some(1) {
                format!("Target IP address {text}: the address whose MAC the sender wants.")
            } else {
                format!("Target IP address {text}: the asker's address, echoed back.")
            },
            "RFC 826",
        )
    }),
    (&[&arp::HW_ADDR, &arp::PROTO_ADDR], |&Cx { len, .. }| {
        (
            format!("An address of a kind wirepeek shows as raw bytes ({len} bytes)."),
            "RFC 826",
        )
    }),
    // IPv4.
    (&[&ipv4::VERSION], |&Cx { n, .. }| {
        (
            format!(
                "Version {n}: the first four bits tell the receiver which IP header layout follows."
            ),
            "RFC 791",
        )
    }),
    (&[&ipv4::HDR_LEN], |&Cx { n, .. }| {
        (
            format!(
                "Header length (IHL) {} × 4 = {n} bytes{}.",
                n / 4,
                if n == 20 {
                    ": the minimum, so no options"
                } else {
                    ", so options follow the fixed 20"
                }
            ),
            "RFC 791",
        )
    }),
    (&[&ipv4::DSFIELD], |&Cx { n, .. }| {
        (
            format!(
                "Differentiated Services byte 0x{n:02x}: a 6-bit traffic class (DSCP) and 2 bits of congestion notice (ECN)."
            ),
            "RFC 2474",
        )
    }),
    (&[&ipv4::DSFIELD_DSCP], |&Cx { n, .. }| {
        (
            format!(
                "DSCP {n}: {}",
                if n == 0 {
                    "best effort, the default class."
                } else {
                    "a class routers may prioritise or police."
                }
            ),
            "RFC 2474",
        )
    }),
    (&[&ipv4::DSFIELD_ECN], |&Cx { n, .. }| {
        (
        match n {
            0 => "ECN 0 (Not-ECT): this sender does not use congestion marking.".to_string(),
            3 => "ECN 3 (CE): a router was congested and marked this packet instead of dropping it.".to_string(),
            _ => format!("ECN {n} (ECT): the sender can react to congestion marks."),
        },
        "RFC 3168",
    )
    }),
    (&[&ipv4::LEN], |&Cx { n, .. }| {
        (
            format!(
                "Total length {n} bytes, header and data: the receiver knows where the datagram ends even if the link adds padding."
            ),
            "RFC 791",
        )
    }),
    (&[&ipv4::ID], |&Cx { d, n, .. }| {
        (
            if flag(d, ipv4::FLAGS_DF.key) {
                format!(
                    "Identification 0x{n:04x}: would tie the fragments of one datagram together; with Don't Fragment set there are none."
                )
            } else {
                format!(
                    "Identification 0x{n:04x}: all fragments of one datagram carry the same number, so the receiver can put them back together."
                )
            },
            "RFC 791",
        )
    }),
    (&[&ipv4::FLAGS], |&Cx { n, .. }| {
        (
            format!("Flags 0x{n:02x}: three bits about fragmentation, below."),
            "RFC 791",
        )
    }),
    (&[&ipv4::FLAGS_RB], |&Cx { n, .. }| {
        (format!("Reserved bit {n}: must be 0."), "RFC 791")
    }),
    (&[&ipv4::FLAGS_DF], |&Cx { n, .. }| {
        (
            if n == 1 {
                "Don't Fragment 1: a router must not split this datagram; if it is too big for the next link, the router drops it and says so in ICMP, which is how path MTU discovery works.".to_string()
            } else {
                "Don't Fragment 0: routers may split this datagram to fit a smaller link."
                    .to_string()
            },
            "RFC 791, RFC 1191",
        )
    }),
    (&[&ipv4::FLAGS_MF], |&Cx { n, .. }| {
        (
            if n == 1 {
                "More Fragments 1: more pieces of this datagram follow.".to_string()
            } else {
                "More Fragments 0: this is the last (or only) piece of the datagram.".to_string()
            },
            "RFC 791",
        )
    }),
    (&[&ipv4::FRAG_OFFSET], |&Cx { n, .. }| {
        (
            format!(
                "Fragment offset {n} (in units of 8 bytes){}.",
                if n == 0 {
                    ": this piece starts the datagram".to_string()
                } else {
                    format!(": this piece belongs at byte {} of the datagram", n * 8)
                }
            ),
            "RFC 791",
        )
    }),
    (&[&ipv4::TTL], |&Cx { n, .. }| {
        (
            format!(
                "TTL {n}: each router subtracts one; at 0 the packet is dropped, which stops loops{}.",
                if n == 64 {
                    " (64 is Linux's starting value)"
                } else {
                    ""
                }
            ),
            "RFC 791",
        )
    }),
    (&[&ipv4::PROTO], |&Cx { n, meaning, .. }| {
        (
            format!("Protocol {n} ({meaning}): which header comes after this one."),
            "RFC 791 / IANA protocol numbers",
        )
    }),
    (&[&ipv4::CHECKSUM], |&Cx { n, .. }| {
        (
            format!(
                "Header checksum 0x{n:04x}: a one's-complement sum over the header only (not the data); every router recomputes it, because the TTL changes."
            ),
            "RFC 791, RFC 1071",
        )
    }),
    (&[&ipv4::CHECKSUM_STATUS], |&Cx { text, .. }| {
        (
            format!(
                "wirepeek summed the header itself: {}.",
                if text == "Good" {
                    "the checksum matches"
                } else {
                    "the checksum does not match, so the header was damaged or the capture saw it before the card filled it in"
                }
            ),
            "RFC 1071",
        )
    }),
    (&[&ipv4::SRC], |&Cx { f, text, .. }| {
        (
            format!(
                "Source address {text}{}: where the datagram comes from; replies go back here.",
                match &f.value {
                    Value::Ip(ip) => about_ip(*ip),
                    _ => "",
                }
            ),
            "RFC 791",
        )
    }),
    (&[&ipv4::DST], |&Cx { f, text, .. }| {
        (
            format!(
                "Destination address {text}{}: routers forward the datagram hop by hop towards it.",
                match &f.value {
                    Value::Ip(ip) => about_ip(*ip),
                    _ => "",
                }
            ),
            "RFC 791",
        )
    }),
    (&[&ipv4::CUR_RT], |&Cx { text, .. }| {
        (
            format!(
                "Current hop {text} of a source route: the header's destination until the route is used up."
            ),
            "RFC 791",
        )
    }),
    (&[&ipv4::OPT_TYPE], |&Cx { n, meaning, .. }| {
        (format!("Option type {n} ({meaning})."), "RFC 791")
    }),
    (&[&ipv4::OPT_LEN], |&Cx { n, .. }| {
        (
            format!("Option length {n} bytes, type and length bytes included."),
            "RFC 791",
        )
    }),
    (&[&ipv4::OPT_RA], |&Cx { n, .. }| {
        (
            format!(
                "Router Alert value {n}: asks every router on the path to look inside this packet."
            ),
            "RFC 2113",
        )
    }),
];
