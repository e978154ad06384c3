//! The glossary's sentences for what reassembly adds: the IPv4/IPv6 fragment
//! lists and TCP's reassembled segments (Wireshark's fields; the
//! fragmentation itself is RFC 791 §3.2 and RFC 8200 §4.5, segmentation
//! RFC 9293).

use super::*;
use crate::decode::{desegment as seg, reassembly as re};

/// Fragment and segment lists, and their error flags.
pub(super) const TABLE: &[Entry] = &[
    (&[&re::IP_FRAGMENTS], |c| {
        (
            format!(
                "Fragments: the list of frames whose pieces were put back together into the datagram below ({} bytes once whole).",
                c.len
            ),
            "Wireshark (RFC 791 §3.2)",
        )
    }),
    (&[&re::IP_FRAGMENT, &re::IP6_FRAGMENT], |c| {
        (
            format!(
                "Fragment in frame {}: one piece of the datagram; the receiver, not routers, reassembles.",
                c.n
            ),
            if c.f.key == re::IP_FRAGMENT.key {
                "Wireshark (RFC 791 §3.2)"
            } else {
                "Wireshark (RFC 8200 §4.5)"
            },
        )
    }),
    (&[&re::IP_ERROR, &re::IP6_ERROR], |c| {
        (
            format!(
                "Defragmentation error in frame {}: the pieces did not fit together.",
                c.n
            ),
            "Wireshark",
        )
    }),
    (&[&re::IP_OVERLAP, &re::IP6_OVERLAP], |c| {
        (
            format!(
                "Overlap {}: two fragments cover some of the same bytes (the same data is harmless).",
                c.n
            ),
            "Wireshark (RFC 5722)",
        )
    }),
    (&[&re::IP_CONFLICT, &re::IP6_CONFLICT], |c| {
        (
            format!(
                "Conflict {}: overlapping fragments disagree about the bytes, a classic way to evade inspection; IPv6 receivers must drop such datagrams.",
                c.n
            ),
            "Wireshark (RFC 5722)",
        )
    }),
    (&[&re::IP_MULTIPLETAILS, &re::IP6_MULTIPLETAILS], |c| {
        (
            format!(
                "Multiple tails {}: more than one fragment claims to be the last (More Fragments 0).",
                c.n
            ),
            "Wireshark",
        )
    }),
    (&[&re::IP_TOOLONG, &re::IP6_TOOLONG], |c| {
        (
            format!(
                "Too long {}: a fragment runs past the datagram's end as the last one set it.",
                c.n
            ),
            "Wireshark",
        )
    }),
    (&[&re::IP_COUNT, &re::IP6_COUNT], |c| {
        (
            format!("{} fragments made this datagram.", c.n),
            "Wireshark",
        )
    }),
    (&[&re::IP_LENGTH, &re::IP6_LENGTH], |c| {
        (
            format!(
                "Reassembled length {} bytes: the datagram's payload, whole again.",
                c.n
            ),
            "Wireshark",
        )
    }),
    (&[&re::IP_DATA, &re::IP6_DATA], |c| {
        (
            format!(
                "Reassembled data, {} bytes: decoded as one datagram (shown as a second data source).",
                c.len
            ),
            "Wireshark",
        )
    }),
    // TCP.
    (&[&seg::SEGMENT_DATA], |c| {
        (
            format!(
                "Segment data, {} bytes: part of a message that continues in a later segment; TCP is a byte stream and does not keep message boundaries.",
                c.len
            ),
            "Wireshark (RFC 9293)",
        )
    }),
    (&[&seg::SEGMENT], |c| {
        (
            format!(
                "Segment in frame {}: one of the segments that carried this message.",
                c.n
            ),
            "Wireshark",
        )
    }),
    (&[&seg::SEGMENT_COUNT], |c| {
        (format!("{} segments made this message.", c.n), "Wireshark")
    }),
    (&[&seg::REASSEMBLED_LENGTH], |c| {
        (
            format!(
                "Reassembled length {} bytes: the whole application message.",
                c.n
            ),
            "Wireshark",
        )
    }),
    (&[&seg::REASSEMBLED_DATA], |c| {
        (
            format!(
                "Reassembled data, {} bytes: the segments' payloads in sequence order, decoded as one message.",
                c.len
            ),
            "Wireshark",
        )
    }),
];
