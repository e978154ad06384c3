//! The glossary's TCP, UDP and application data sentences.

use super::*;
use crate::decode::{ipv6, payload, tcp, udp};

/// TCP, UDP and application data.
pub(super) const TABLE: &[Entry] = &[
    // TCP.
    (&[&tcp::SRCPORT, &udp::SRCPORT], |&Cx { f, n, .. }| {
        (
            format!(
                "Source port {n}, {}: the sending socket; with the source address it says where replies go.",
                port_kind(n)
            ),
            if f.key == tcp::SRCPORT.key {
                "RFC 9293, RFC 6335"
            } else {
                "RFC 768, RFC 6335"
            },
        )
    }),
    (&[&tcp::DSTPORT, &udp::DSTPORT], |&Cx { f, n, .. }| {
        (
            format!(
                "Destination port {n}, {}: the receiving host hands the data to the socket bound to this port.",
                port_kind(n)
            ),
            if f.key == tcp::DSTPORT.key {
                "RFC 9293, RFC 6335"
            } else {
                "RFC 768, RFC 6335"
            },
        )
    }),
    (&[&tcp::SEQ_RAW], |&Cx { d, n, .. }| {
        (
            if flag(d, tcp::FLAGS_SYN.key) {
                format!(
                    "Sequence number {n}: in a SYN this is the initial sequence number (ISN), chosen at random so strangers cannot guess it; the SYN itself uses up this number."
                )
            } else {
                format!(
                    "Sequence number {n}: the position of this segment's first data byte in the sender's byte stream, counted from its ISN."
                )
            },
            "RFC 9293",
        )
    }),
    (&[&tcp::ACK_RAW], |&Cx { d, n, .. }| {
        (
            if flag(d, tcp::FLAGS_ACK.key) {
                format!(
                    "Acknowledgment number {n}: the next byte the sender expects from the other side; everything before it has arrived."
                )
            } else {
                format!(
                    "Acknowledgment number {n}: ignored, because the ACK flag is not set (only a connection's first SYN lacks it)."
                )
            },
            "RFC 9293",
        )
    }),
    (&[&tcp::LEN], |&Cx { n, .. }| {
        (
            format!(
                "Segment length {n}: bytes of data after the TCP header (IP length minus both headers)."
            ),
            "RFC 9293",
        )
    }),
    (&[&tcp::HDR_LEN], |&Cx { n, .. }| {
        (
            format!(
                "Data offset {} × 4 = {n} bytes of TCP header{}.",
                n / 4,
                if n > 20 {
                    format!(", so {} bytes of options follow the fixed 20", n - 20)
                } else {
                    ": no options".to_string()
                }
            ),
            "RFC 9293",
        )
    }),
    (&[&tcp::FLAGS], |&Cx { n, meaning, .. }| {
        (
            format!(
                "Flags 0x{n:04x} ({}): the control bits, one by one below.",
                if meaning.is_empty() { "none" } else { meaning }
            ),
            "RFC 9293",
        )
    }),
    (&[&tcp::FLAGS_RES], |&Cx { .. }| {
        ("Reserved bits: must be 0.".to_string(), "RFC 9293")
    }),
    (&[&tcp::FLAGS_AE], |&Cx { n, .. }| {
        (
            format!(
                "AE {n}: Accurate ECN, for finer congestion feedback; {}",
                if n == 1 { "set." } else { "not used here." }
            ),
            "RFC 9768",
        )
    }),
    (&[&tcp::FLAGS_CWR], |&Cx { n, .. }| {
        (
            format!(
                "CWR {n}: {}",
                if n == 1 {
                    "the sender has slowed down (reduced its congestion window) after an ECN echo."
                } else {
                    "no congestion-window reduction to report."
                }
            ),
            "RFC 3168",
        )
    }),
    (&[&tcp::FLAGS_ECE], |&Cx { d, n, .. }| {
        (
            format!(
                "ECE {n}: {}",
                match (n, flag(d, tcp::FLAGS_SYN.key)) {
                    (1, true) => "in a SYN, offers to use ECN.",
                    (1, false) => "tells the sender a router marked congestion (ECN-Echo).",
                    _ => "no congestion to echo.",
                }
            ),
            "RFC 3168",
        )
    }),
    (&[&tcp::FLAGS_URG], |&Cx { n, .. }| {
        (
            format!(
                "URG {n}: {}",
                if n == 1 {
                    "the urgent pointer is valid."
                } else {
                    "no urgent data (hardly used today)."
                }
            ),
            "RFC 9293, RFC 6093",
        )
    }),
    (&[&tcp::FLAGS_ACK], |&Cx { n, .. }| {
        (
            format!(
                "ACK {n}: {}",
                if n == 1 {
                    "the acknowledgment number is valid; every segment but the opening SYN has it."
                } else {
                    "the acknowledgment number means nothing: this is an opening SYN."
                }
            ),
            "RFC 9293",
        )
    }),
    (&[&tcp::FLAGS_PUSH], |&Cx { n, .. }| {
        (
            format!(
                "PSH {n}: {}",
                if n == 1 {
                    "hand the data to the application now instead of waiting for more."
                } else {
                    "no push requested."
                }
            ),
            "RFC 9293",
        )
    }),
    (&[&tcp::FLAGS_RESET], |&Cx { n, .. }| {
        (
            format!(
                "RST {n}: {}",
                if n == 1 {
                    "abort the connection at once."
                } else {
                    "not an abort."
                }
            ),
            "RFC 9293",
        )
    }),
    (&[&tcp::FLAGS_SYN], |&Cx { n, .. }| {
        (
            format!(
                "SYN {n}: {}",
                if n == 1 {
                    "synchronise sequence numbers: this segment opens a connection."
                } else {
                    "not opening a connection."
                }
            ),
            "RFC 9293",
        )
    }),
    (&[&tcp::FLAGS_FIN], |&Cx { n, .. }| {
        (
            format!(
                "FIN {n}: {}",
                if n == 1 {
                    "the sender has no more data to send; it closes its half of the connection."
                } else {
                    "the sender is not closing."
                }
            ),
            "RFC 9293",
        )
    }),
    (&[&tcp::FLAGS_STR], |&Cx { text, .. }| {
        (
            format!("{text}: Wireshark's picture of the 12 flag bits, a letter for each one set."),
            "RFC 9293",
        )
    }),
    (&[&tcp::WINDOW_SIZE_VALUE], |&Cx { d, n, .. }| {
        (
            if flag(d, tcp::FLAGS_SYN.key) {
                format!(
                    "Window {n}: how many bytes the sender can take in now; in a SYN it is never scaled."
                )
            } else {
                format!(
                    "Window {n}: how many more bytes the sender can take in now, multiplied by 2^shift if both sides sent a window scale option in their SYNs."
                )
            },
            "RFC 9293, RFC 7323",
        )
    }),
    (&[&tcp::CHECKSUM], |&Cx { n, .. }| {
        (
            format!(
                "Checksum 0x{n:04x}: covers a pseudo-header (both addresses, protocol, length), the TCP header and the data; wirepeek does not check it, as captured outgoing packets often carry one the card fills in later."
            ),
            "RFC 9293",
        )
    }),
    (&[&tcp::URGENT_POINTER], |&Cx { d, n, .. }| {
        (
            format!(
                "Urgent pointer {n}: {}",
                if flag(d, tcp::FLAGS_URG.key) {
                    "where the urgent data ends."
                } else {
                    "ignored, since URG is not set."
                }
            ),
            "RFC 9293",
        )
    }),
    (&[&tcp::OPTIONS], |&Cx { len, .. }| {
        (
            format!(
                "{len} bytes of options, each a kind byte, then (except for NOP and EOL) a length and a value."
            ),
            "RFC 9293",
        )
    }),
    (&[&tcp::OPTION_KIND], |&Cx { n, meaning, .. }| {
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
    }),
    (&[&tcp::OPTIONS_MSS_VAL], |&Cx { d, n, .. }| {
        let v6 = d.field(ipv6::VERSION.key).is_some();
        let headers = if v6 { 60 } else { 40 };
        (
            format!(
                "MSS {n} bytes = an MTU of {} minus {headers} bytes of {} and TCP headers.",
                n + headers,
                if v6 { "IPv6" } else { "IPv4" }
            ),
            "RFC 9293, RFC 6691",
        )
    }),
    (&[&tcp::OPTIONS_WSCALE_SHIFT], |&Cx { n, .. }| {
        (
            format!(
                "Shift {n}: once both sides agree, the window fields this side sends are multiplied by 2^{n} = {}.",
                1u64 << n.min(30)
            ),
            "RFC 7323",
        )
    }),
    (&[&tcp::OPTIONS_WSCALE_MULTIPLIER], |&Cx { n, .. }| {
        (
            format!("The multiplier 2^shift = {n}, worked out by wirepeek."),
            "RFC 7323",
        )
    }),
    (&[&tcp::OPTIONS_SACK_LE], |&Cx { n, .. }| {
        (
            format!("Left edge {n}: first sequence number of a block that did arrive."),
            "RFC 2018",
        )
    }),
    (&[&tcp::OPTIONS_SACK_RE], |&Cx { n, .. }| {
        (
            format!("Right edge {n}: the sequence number just after that block."),
            "RFC 2018",
        )
    }),
    (&[&tcp::OPTIONS_TIMESTAMP_TSVAL], |&Cx { n, .. }| {
        (
            format!(
                "Timestamp value {n}: the sender's clock; the peer echoes it back so the sender can time the round trip."
            ),
            "RFC 7323",
        )
    }),
    (&[&tcp::OPTIONS_TIMESTAMP_TSECR], |&Cx { n, .. }| {
        (
            if n == 0 {
                "Timestamp echo 0: nothing to echo yet, since the peer has sent no timestamp."
                    .to_string()
            } else {
                format!(
                    "Timestamp echo {n}: the latest timestamp value received from the peer, sent back."
                )
            },
            "RFC 7323",
        )
    }),
    (&[&tcp::OPTION_LEN], |&Cx { n, .. }| {
        (
            format!("Option length {n} bytes, kind and length bytes included."),
            "RFC 9293",
        )
    }),
    // UDP.
    (&[&udp::LENGTH], |&Cx { n, .. }| {
        (
            format!(
                "Length {n} bytes = 8 of header + {} of data.",
                n.saturating_sub(8)
            ),
            "RFC 768",
        )
    }),
    (&[&udp::CHECKSUM], |&Cx { n, .. }| {
        (
            if n == 0 {
                "Checksum 0: the sender did not compute one, allowed over IPv4 only (IPv6 requires it).".to_string()
            } else {
                format!(
                    "Checksum 0x{n:04x}: covers a pseudo-header (addresses, protocol, length), the UDP header and the data; wirepeek does not check it."
                )
            },
            "RFC 768, RFC 8200 §8.1",
        )
    }),
    // Application data.
    (&[&payload::DATA], |&Cx { f, len, data, .. }| {
        (
            format!(
                "{len} bytes of application data: what the program wrote; every header above exists to deliver these{}.",
                preview(&f.value, data)
                    .map(|p| format!(", here {p}"))
                    .unwrap_or_default()
            ),
            "",
        )
    }),
    (&[&payload::LEN], |&Cx { n, .. }| {
        (format!("{n} bytes of data on the wire."), "")
    }),
];
