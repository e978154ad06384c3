//! The glossary's sentences for what the capture adds around a packet (the
//! frame record, Linux cooked and BSD loopback headers), for MPLS and
//! Cisco's metadata header, and for the conversation fields flow tracking
//! works out (stream index, relative sequence numbers).

use super::*;
use crate::decode::{cmd, frame_layer, mpls, names, null, sll, tcp, udp};

/// Frame record, link pseudo-headers, MPLS, CMD and flow fields.
pub(super) const TABLE: &[Entry] = &[
    (&[&frame_layer::NUMBER], |c| {
        (
            format!(
                "Frame {}: its place in the capture file, counted from 1.",
                c.n
            ),
            "Wireshark",
        )
    }),
    (&[&frame_layer::LEN], |c| {
        (
            format!(
                "Frame length {} bytes: as long as the frame was on the wire.",
                c.n
            ),
            "draft-ietf-opsawg-pcap (orig_len)",
        )
    }),
    (&[&frame_layer::CAP_LEN], |c| {
        (
            format!(
                "Capture length {} bytes: how much of it the capture kept; less than the frame length when a snap length cut it.",
                c.n
            ),
            "draft-ietf-opsawg-pcap (incl_len)",
        )
    }),
    (&[&frame_layer::TIME_EPOCH], |c| {
        (
            format!(
                "Arrival time {}: seconds since 1970-01-01 UTC, stamped by the capturing kernel, not carried by the packet.",
                c.text
            ),
            "draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng",
        )
    }),
    (&[&frame_layer::INTERFACE_ID], |c| {
        (
            format!(
                "Interface {}: which of the file's interfaces captured the frame (pcapng).",
                c.n
            ),
            "draft-ietf-opsawg-pcapng",
        )
    }),
    // Linux cooked capture.
    (&[&sll::PKTTYPE], |c| {
        let what = match c.n {
            0 => "addressed to this host",
            1 => "a broadcast",
            2 => "a multicast",
            3 => "to another host, seen in promiscuous mode",
            4 => "sent by this host",
            _ => "of an unusual kind",
        };
        (
            format!(
                "Packet type {}: {what}. \"Any\"-interface captures replace the Ethernet header with this cooked one.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&sll::HATYPE], |c| {
        (
            format!(
                "Link-layer address type {}{}: the ARPHRD type of the interface.",
                c.n,
                match c.n {
                    1 => " (Ethernet)",
                    772 => " (loopback)",
                    _ => "",
                }
            ),
            spec(c),
        )
    }),
    (&[&sll::HALEN], |c| {
        (
            format!(
                "Address length {}: bytes of the source address used (of 8).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&sll::SRC_ETH], |c| {
        (
            format!("Source {}: the sender's MAC address, where known.", c.text),
            spec(c),
        )
    }),
    (&[&sll::SRC_UNKNOWN], |c| {
        (
            format!("Source address, {} bytes, of a non-Ethernet link.", c.len),
            spec(c),
        )
    }),
    (&[&sll::ETYPE, &sll::LTYPE], |c| {
        (
            format!(
                "Protocol 0x{:04x} ({}): the EtherType (or a Linux protocol number) of what follows.",
                c.n,
                names::ethertype(c.n as u16)
            ),
            spec(c),
        )
    }),
    (&[&sll::IFINDEX], |c| {
        (
            format!(
                "Interface index {}: which interface the kernel saw the packet on (ip link numbers).",
                c.n
            ),
            spec(c),
        )
    }),
    // BSD loopback.
    (&[&null::FAMILY, &null::TYPE], |c| {
        (
            format!(
                "Family {}: the address family of the packet (2 is IPv4; IPv6 is 24, 28 or 30 depending on the BSD), in the capturing host's byte order.",
                c.n
            ),
            spec(c),
        )
    }),
    // MPLS.
    (&[&mpls::LABEL], |c| {
        (
            format!(
                "Label {}: routers forward by this 20-bit label instead of the IP address{}.",
                c.n,
                match c.n {
                    0 => " (0: IPv4 explicit null)",
                    2 => " (2: IPv6 explicit null)",
                    3 => " (3: implicit null)",
                    _ => "",
                }
            ),
            spec(c),
        )
    }),
    (&[&mpls::EXP], |c| {
        (
            format!("Traffic class {}: priority for queuing (RFC 5462).", c.n),
            spec(c),
        )
    }),
    (&[&mpls::BOTTOM], |c| {
        (
            format!(
                "Bottom of stack {}: {}",
                c.n,
                if c.n == 1 {
                    "the last label; the packet itself follows."
                } else {
                    "another label follows."
                }
            ),
            spec(c),
        )
    }),
    (&[&mpls::TTL], |c| {
        (
            format!(
                "TTL {}: decremented by each label-switching router, as IP's is.",
                c.n
            ),
            spec(c),
        )
    }),
    // Cisco metadata.
    (&[&cmd::TYPE], |c| {
        (
            format!(
                "Type 0x{:04x}: the EtherType 0x8909 of Cisco's metadata header.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&cmd::VERSION], |c| (format!("Version {}.", c.n), spec(c))),
    (&[&cmd::LENGTH], |c| {
        (
            format!("Length {}: of the metadata, in 4-byte words.", c.n),
            spec(c),
        )
    }),
    (&[&cmd::OPTIONS], |c| {
        (
            format!("Options 0x{:04x}: the option's type and length.", c.n),
            spec(c),
        )
    }),
    (&[&cmd::SGT], |c| {
        (
            format!(
                "Security group tag {}: the sender's group, for TrustSec policy.",
                c.n
            ),
            spec(c),
        )
    }),
    // Worked out by flow tracking.
    (&[&tcp::STREAM, &udp::STREAM], |c| {
        (
            format!(
                "Stream {}: wirepeek numbers conversations (the two addresses and ports) from 0 in order of appearance, as Wireshark does; `follow` takes this number.",
                c.n
            ),
            "Wireshark",
        )
    }),
    (&[&tcp::SEQ], |c| {
        (
            format!(
                "Relative sequence number {}: the raw number minus the connection's ISN, so the stream starts at 0 (the SYN takes 0, the first data byte is 1).",
                c.n
            ),
            "Wireshark (RFC 9293 §3.4)",
        )
    }),
    (&[&tcp::ACK], |c| {
        (
            format!(
                "Relative acknowledgment number {}: the raw number minus the other side's ISN: how many of its bytes have arrived, plus one for its SYN.",
                c.n
            ),
            "Wireshark (RFC 9293 §3.4)",
        )
    }),
];
