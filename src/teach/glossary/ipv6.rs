//! The glossary's IPv6 and extension header sentences.

use super::*;
use crate::decode::{Value, ipv6};

/// IPv6, its extension headers and AH.
pub(super) const TABLE: &[Entry] = &[
    // IPv6.
    (&[&ipv6::VERSION], |&Cx { n, .. }| {
        (
            format!(
                "Version {n}: the same first four bits as IPv4, so the receiver can tell them apart."
            ),
            "RFC 8200",
        )
    }),
    (&[&ipv6::TCLASS], |&Cx { n, .. }| {
        (
            format!("Traffic class 0x{n:02x}: DSCP and ECN, as IPv4's DS byte."),
            "RFC 8200, RFC 2474",
        )
    }),
    (&[&ipv6::FLOW], |&Cx { n, .. }| {
        (
            if n == 0 {
                "Flow label 0: not set; a sender may label one flow's packets so routers keep them on one path.".to_string()
            } else {
                format!(
                    "Flow label 0x{n:05x}: the sender's label for this flow, so routers can keep its packets on one path."
                )
            },
            "RFC 8200, RFC 6437",
        )
    }),
    (&[&ipv6::PLEN], |&Cx { n, .. }| {
        (
            format!(
                "Payload length {n}: bytes after the fixed 40-byte header, extension headers included (unlike IPv4's total length, the header is not counted)."
            ),
            "RFC 8200",
        )
    }),
    (&[&ipv6::NXT], |&Cx { n, meaning, .. }| {
        (
            format!(
                "Next header {n} ({meaning}): what follows, a transport header or an extension header; IPv6 chains headers this way."
            ),
            "RFC 8200",
        )
    }),
    (&[&ipv6::HLIM], |&Cx { n, .. }| {
        (
            format!(
                "Hop limit {n}: IPv6's TTL; each router subtracts one and drops the packet at 0."
            ),
            "RFC 8200",
        )
    }),
    (&[&ipv6::SRC], |&Cx { f, text, .. }| {
        (
            format!(
                "Source address {text}{}.",
                match &f.value {
                    Value::Ip(ip) => about_ip(*ip),
                    _ => "",
                }
            ),
            "RFC 8200, RFC 4291",
        )
    }),
    (&[&ipv6::DST], |&Cx { f, text, .. }| {
        (
            format!(
                "Destination address {text}{}.",
                match &f.value {
                    Value::Ip(ip) => about_ip(*ip),
                    _ => "",
                }
            ),
            "RFC 8200, RFC 4291",
        )
    }),
    (
        &[
            &ipv6::HOPOPTS_NXT,
            &ipv6::ROUTING_NXT,
            &ipv6::FRAGHDR_NXT,
            &ipv6::DSTOPTS_NXT,
        ],
        |&Cx { n, meaning, .. }| {
            (
                format!("Next header {n} ({meaning}): the header after this extension header."),
                "RFC 8200",
            )
        },
    ),
    (
        &[&ipv6::HOPOPTS_LEN, &ipv6::ROUTING_LEN, &ipv6::DSTOPTS_LEN],
        |&Cx { n, .. }| {
            (
                format!(
                    "Header extension length {n}: this header is ({n} + 1) × 8 = {} bytes.",
                    (n + 1) * 8
                ),
                "RFC 8200",
            )
        },
    ),
    (&[&ipv6::OPT_TYPE], |&Cx { n, meaning, .. }| {
        (
            format!(
                "Option type 0x{n:02x} ({meaning}); its top two bits say what a node that does not know it must do."
            ),
            "RFC 8200 §4.2",
        )
    }),
    (&[&ipv6::OPT_LENGTH], |&Cx { n, .. }| {
        (format!("Option data length: {n} bytes."), "RFC 8200 §4.2")
    }),
    (&[&ipv6::ROUTING_TYPE], |&Cx { n, .. }| {
        (
            format!(
                "Routing type {n}{}: how the route's addresses are listed.",
                if n == 4 { " (segment routing)" } else { "" }
            ),
            "RFC 8200 §4.4",
        )
    }),
    (&[&ipv6::ROUTING_SEGLEFT], |&Cx { n, .. }| {
        (
            format!("Segments left {n}: route stops still to visit."),
            "RFC 8200 §4.4",
        )
    }),
    (
        &[&ipv6::FRAGHDR_RESERVED_OCTET, &ipv6::FRAGHDR_RESERVED_BITS],
        |&Cx { n, .. }| {
            (
                format!("Reserved {n}: sent as zero, ignored by the receiver."),
                "RFC 8200 §4.5",
            )
        },
    ),
    (&[&ipv6::FRAGHDR_OFFSET], |&Cx { n, .. }| {
        (
            format!(
                "Fragment offset {n} (units of 8 bytes): this piece belongs at byte {} of the original packet; in IPv6 only the sender fragments.",
                n * 8
            ),
            "RFC 8200 §4.5",
        )
    }),
    (&[&ipv6::FRAGHDR_MORE], |&Cx { n, .. }| {
        (
            format!(
                "More fragments {n}: {}",
                if n == 1 {
                    "more pieces follow."
                } else {
                    "this is the last piece."
                }
            ),
            "RFC 8200 §4.5",
        )
    }),
    (&[&ipv6::FRAGHDR_IDENT], |&Cx { n, .. }| {
        (
            format!("Identification 0x{n:08x}: the same in every fragment of one packet."),
            "RFC 8200 §4.5",
        )
    }),
    (&[&ipv6::AH_NEXT_HEADER], |&Cx { n, meaning, .. }| {
        (
            format!("Next header {n} ({meaning}): what the Authentication Header protects."),
            "RFC 4302",
        )
    }),
    (&[&ipv6::AH_LENGTH], |&Cx { n, .. }| {
        (
            format!(
                "AH length {n}: the header is ({n} + 2) × 4 = {} bytes.",
                (n + 2) * 4
            ),
            "RFC 4302",
        )
    }),
    (&[&ipv6::AH_SPI], |&Cx { n, .. }| {
        (
            format!(
                "Security Parameters Index 0x{n:08x}: which security association (keys, algorithm) to check with."
            ),
            "RFC 4302",
        )
    }),
    (&[&ipv6::AH_SEQUENCE], |&Cx { n, .. }| {
        (
            format!(
                "Sequence number {n}: rises by one per packet so replayed packets can be refused."
            ),
            "RFC 4302",
        )
    }),
    (&[&ipv6::AH_ICV], |&Cx { len, .. }| {
        (
            format!(
                "Integrity check value ({len} bytes): the keyed hash that proves the packet was not changed."
            ),
            "RFC 4302",
        )
    }),
];
