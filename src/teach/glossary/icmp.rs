//! The glossary's ICMP and ICMPv6 sentences.

use super::*;
use crate::decode::{icmp, icmpv6, ipv6};

/// ICMP and ICMPv6.
pub(super) const TABLE: &[Entry] = &[
    // ICMP.
    (
        &[&icmp::TYPE, &icmpv6::TYPE],
        |&Cx { f, n, meaning, .. }| {
            let v6 = f.key == icmpv6::TYPE.key;
            let what = match (v6, n) {
                (false, 8) | (true, 128) => "\"are you there?\", which is what ping sends",
                (false, 0) | (true, 129) => {
                    "the answer to an echo request, carrying back its identifier, sequence number and data"
                }
                (false, 3) | (true, 1) => {
                    "a router or the destination host could not deliver a packet, which is quoted below"
                }
                (false, 11) | (true, 3) => {
                    "a TTL reached 0 on the way (traceroute relies on this); the packet is quoted below"
                }
                (true, 2) => {
                    "the next link's MTU is smaller than the packet, and IPv6 routers never fragment"
                }
                (true, 135) => "IPv6's version of an ARP request",
                (true, 136) => "IPv6's version of an ARP reply",
                (true, 133) => "a host asks routers to announce themselves",
                (true, 134) => "a router announces itself and the link's prefixes",
                _ => "a control message; its type says what the rest means",
            };
            (
                format!("Type {n} ({meaning}): {what}."),
                if v6 { "RFC 4443" } else { "RFC 792" },
            )
        },
    ),
    (&[&icmp::CODE, &icmpv6::CODE], |cx| {
        let &Cx {
            f, d, n, meaning, ..
        } = cx;
        if f.key == icmp::CODE.key && d.field(icmp::TYPE.key).and_then(|t| num(&t.value)) == Some(3)
        {
            return unreachable(n, meaning);
        }
        (
            format!(
                "Code {n}{}: refines the type{}.",
                f.meaning
                    .as_deref()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default(),
                if matches!(
                    d.field(icmp::TYPE.key)
                        .or_else(|| d.field(icmpv6::TYPE.key))
                        .and_then(|t| num(&t.value)),
                    Some(0 | 8 | 128 | 129)
                ) {
                    "; echo messages always use 0"
                } else {
                    ""
                }
            ),
            if f.key == icmp::CODE.key {
                "RFC 792"
            } else {
                "RFC 4443"
            },
        )
    }),
    (&[&icmp::CHECKSUM], |&Cx { n, .. }| {
        (
            format!("Checksum 0x{n:04x}: a one's-complement sum over the whole ICMP message."),
            "RFC 792, RFC 1071",
        )
    }),
    (&[&icmpv6::CHECKSUM], |&Cx { n, .. }| {
        (
            format!(
                "Checksum 0x{n:04x}: over a pseudo-header (addresses, length, next header) and the whole ICMPv6 message."
            ),
            "RFC 4443",
        )
    }),
    (&[&icmp::CHECKSUM_STATUS], |&Cx { text, .. }| {
        (
            format!(
                "wirepeek summed the message itself: {}.",
                if text == "Good" {
                    "the checksum matches"
                } else {
                    "the checksum does not match"
                }
            ),
            "RFC 1071",
        )
    }),
    (
        &[&icmp::IDENT, &icmpv6::ECHO_IDENTIFIER],
        |&Cx { f, n, .. }| {
            (
                format!(
                    "Identifier {n}: picked by the sender so it can tell its replies from other programs' (the reply carries it back)."
                ),
                if f.key == icmp::IDENT.key {
                    "RFC 792"
                } else {
                    "RFC 4443"
                },
            )
        },
    ),
    (
        &[&icmp::SEQ, &icmpv6::ECHO_SEQUENCE_NUMBER],
        |&Cx { f, n, .. }| {
            (
                format!(
                    "Sequence number {n}: counts the requests; the reply repeats it, so the sender can spot a lost one and time each round trip."
                ),
                if f.key == icmp::SEQ.key {
                    "RFC 792"
                } else {
                    "RFC 4443"
                },
            )
        },
    ),
    (&[&icmp::REDIR_GW], |&Cx { text, .. }| {
        (
            format!("Gateway {text}: the better first hop the router suggests."),
            "RFC 792",
        )
    }),
    (
        &[&icmp::POINTER, &icmpv6::POINTER],
        |&Cx { f, n, .. }| {
            (
                format!("Pointer {n}: the offset of the bad byte in the quoted packet."),
                if f.key == icmp::POINTER.key {
                    "RFC 792"
                } else {
                    "RFC 4443"
                },
            )
        },
    ),
    (&[&icmp::MTU], |&Cx { n, .. }| {
        (
            format!(
                "Next-hop MTU {n}: the largest packet the next link takes; the sender should send smaller ones."
            ),
            "RFC 1191",
        )
    }),
    (&[&icmpv6::MTU], |&Cx { n, .. }| {
        (
            format!(
                "MTU {n}: the largest packet the next link takes; the sender must send smaller ones."
            ),
            "RFC 8201",
        )
    }),
    (&[&icmp::UNUSED, &icmpv6::RESERVED], |&Cx { f, .. }| {
        (
            "Unused: four zero bytes before the quoted packet.".to_string(),
            if f.key == icmp::UNUSED.key {
                "RFC 792"
            } else {
                "RFC 4443"
            },
        )
    }),
    (
        &[&icmpv6::MLD_MAXIMUM_RESPONSE_DELAY],
        |&Cx { n, .. }| {
            (
                format!(
                    "Maximum response delay {n} ms: how long listeners may wait before answering."
                ),
                "RFC 2710",
            )
        },
    ),
    (&[&icmpv6::MLD_MULTICAST_ADDRESS], |&Cx { text, .. }| {
        (
            format!("Multicast address {text}: the group asked about (:: asks about every group)."),
            "RFC 2710",
        )
    }),
    (&[&icmpv6::ND_RA_CUR_HOP_LIMIT], |&Cx { n, .. }| {
        (
            format!(
                "Hop limit {n}: what hosts should put in their packets' hop limit (0: no advice)."
            ),
            "RFC 4861",
        )
    }),
    (&[&icmpv6::ND_RA_FLAG], |&Cx { n, .. }| {
        (
            format!(
                "Flags 0x{n:02x}: M and O say whether hosts should use DHCPv6 for addresses or other settings."
            ),
            "RFC 4861",
        )
    }),
    (&[&icmpv6::ND_RA_ROUTER_LIFETIME], |&Cx { n, .. }| {
        (
            format!(
                "Router lifetime {n} s: how long hosts may use this router as default (0: not a default router)."
            ),
            "RFC 4861",
        )
    }),
    (&[&icmpv6::ND_RA_REACHABLE_TIME], |&Cx { n, .. }| {
        (
            format!(
                "Reachable time {n} ms: how long a neighbour counts as reachable after confirmation (0: no advice)."
            ),
            "RFC 4861",
        )
    }),
    (&[&icmpv6::ND_RA_RETRANS_TIMER], |&Cx { n, .. }| {
        (
            format!("Retransmit timer {n} ms between neighbour solicitations (0: no advice)."),
            "RFC 4861",
        )
    }),
    (&[&icmpv6::ND_NS_TARGET_ADDRESS], |&Cx { text, .. }| {
        (
            format!("Target {text}: the address whose link-layer address the sender wants."),
            "RFC 4861",
        )
    }),
    (&[&icmpv6::ND_NA_FLAG], |&Cx { n, .. }| {
        (
            format!(
                "Flags 0x{n:08x}: R (sender is a router), S (answers a solicitation), O (override cached entries)."
            ),
            "RFC 4861",
        )
    }),
    (&[&icmpv6::ND_NA_TARGET_ADDRESS], |&Cx { text, .. }| {
        (
            format!("Target {text}: the address this advertisement is about."),
            "RFC 4861",
        )
    }),
    (&[&icmpv6::ND_RD_TARGET_ADDRESS], |&Cx { text, .. }| {
        (format!("Target {text}: the better first hop."), "RFC 4861")
    }),
    (
        &[&icmpv6::ND_RD_DESTINATION_ADDRESS],
        |&Cx { text, .. }| {
            (
                format!("Destination {text}: the destination the redirect is for."),
                "RFC 4861",
            )
        },
    ),
    (&[&icmpv6::OPT_TYPE], |&Cx { n, meaning, .. }| {
        (format!("Option type {n} ({meaning})."), "RFC 4861")
    }),
    (&[&icmpv6::OPT_LENGTH], |&Cx { n, .. }| {
        (
            format!("Option length {n} × 8 = {} bytes.", n * 8),
            "RFC 4861",
        )
    }),
    (&[&icmpv6::OPT_LINKADDR], |&Cx { text, .. }| {
        (
            format!("Link-layer address {text}: the MAC address, so no separate query is needed."),
            "RFC 4861",
        )
    }),
    (&[&icmpv6::OPT_PREFIX_LENGTH], |&Cx { n, .. }| {
        (
            format!("Prefix length {n} bits: the network part of the address."),
            "RFC 4861",
        )
    }),
    (
        &[&icmpv6::OPT_PREFIX_VALID_LIFETIME],
        |&Cx { n, .. }| {
            (
                format!("Valid lifetime {n} s: how long addresses from this prefix stay valid."),
                "RFC 4861",
            )
        },
    ),
    (
        &[&icmpv6::OPT_PREFIX_PREFERRED_LIFETIME],
        |&Cx { n, .. }| {
            (
                format!(
                    "Preferred lifetime {n} s: how long new connections may use such addresses."
                ),
                "RFC 4861",
            )
        },
    ),
    (&[&icmpv6::OPT_PREFIX], |&Cx { text, .. }| {
        (
            format!("Prefix {text}: the network hosts on this link may take addresses from."),
            "RFC 4861",
        )
    }),
    (&[&icmpv6::OPT_MTU], |&Cx { n, .. }| {
        (
            format!("MTU {n}: the link's MTU, for every host to use."),
            "RFC 4861",
        )
    }),
    (
        &[&ipv6::ROUTING_SRC_RESERVED, &ipv6::ROUTING_MIPV6_RESERVED],
        |&Cx { len, .. }| {
            (
                format!("{len} reserved bytes: sent as zero, ignored by the receiver."),
                "RFC 8200 §4.4",
            )
        },
    ),
    (&[&ipv6::ROUTING_SRC_ADDR], |&Cx { text, .. }| {
        (
            format!(
                "Route stop {text}: one address of the source route, visited in order (type 0 is deprecated, RFC 5095)."
            ),
            "RFC 2460 §4.4, RFC 5095",
        )
    }),
    (
        &[&ipv6::ROUTING_MIPV6_HOME_ADDRESS],
        |&Cx { text, .. }| {
            (
                format!(
                    "Home address {text}: the mobile node's permanent address, where the packet is finally delivered."
                ),
                "RFC 6275 §6.4",
            )
        },
    ),
    (&[&ipv6::ROUTING_SRH_LAST_ENTRY], |&Cx { n, .. }| {
        (
            format!(
                "Last entry {n}: the index of the last segment in the list (the list has {} segments).",
                n + 1
            ),
            "RFC 8754",
        )
    }),
    (&[&ipv6::ROUTING_SRH_FLAGS], |&Cx { n, .. }| {
        (
            format!("Flags 0x{n:02x}: none are defined yet; sent as zero."),
            "RFC 8754",
        )
    }),
    (&[&ipv6::ROUTING_SRH_TAG], |&Cx { .. }| {
        (
            "Tag: marks packets as part of a class or group; usually zero.".to_string(),
            "RFC 8754",
        )
    }),
    (&[&ipv6::ROUTING_SRH_ADDR], |&Cx { text, .. }| {
        (
            format!(
                "Segment {text}: one stop of the segment list, which is stored last stop first."
            ),
            "RFC 8754",
        )
    }),
    (&[&ipv6::ROUTING_UNKNOWN_DATA], |&Cx { len, .. }| {
        (
            format!("{len} bytes of routing data for a routing type wirepeek does not decode."),
            "RFC 8200 §4.4",
        )
    }),
    (
        &[&icmpv6::MLD_MAXIMUM_RESPONSE_CODE],
        |&Cx { n, .. }| {
            (
                format!(
                    "Maximum response code {n}: how long, in milliseconds (exactly so below 32768), a listener may wait before reporting."
                ),
                "RFC 3810 §5.1.3",
            )
        },
    ),
    (&[&icmpv6::MLD_FLAG], |&Cx { n, .. }| {
        (
            format!("Flags 0x{n:02x}: the S bit and the querier's robustness variable."),
            "RFC 3810 §5.1",
        )
    }),
    (&[&icmpv6::MLD_FLAG_S], |&Cx { n, .. }| {
        (
            format!(
                "Suppress router-side processing {n}: when 1, routers that hear this query do not update their timers."
            ),
            "RFC 3810 §5.1.7",
        )
    }),
    (&[&icmpv6::MLD_FLAG_QRV], |&Cx { n, .. }| {
        (
            format!(
                "Querier's robustness variable {n}: how many times reports are repeated to survive loss."
            ),
            "RFC 3810 §5.1.8",
        )
    }),
    (&[&icmpv6::MLD_FLAG_RESERVED], |&Cx { n, .. }| {
        (format!("Reserved {n}: sent as zero."), "RFC 3810 §5.1")
    }),
    (&[&icmpv6::MLD_QQI], |&Cx { n, .. }| {
        (
            format!(
                "Querier's query interval code {n}: how often, in seconds, the querier sends general queries."
            ),
            "RFC 3810 §5.1.9",
        )
    }),
    (
        &[&icmpv6::MLD_NB_SOURCES, &icmpv6::MLDR_MAR_NB_SOURCES],
        |&Cx { n, .. }| {
            (
                format!("Number of sources {n}: the source addresses listed next."),
                "RFC 3810",
            )
        },
    ),
    (
        &[
            &icmpv6::MLD_SOURCE_ADDRESS,
            &icmpv6::MLDR_MAR_SOURCE_ADDRESS,
        ],
        |&Cx { text, .. }| {
            (
                format!("Source {text}: a sender this listening state is about."),
                "RFC 3810",
            )
        },
    ),
    (&[&icmpv6::MLDR_NB_MCAST_RECORDS], |&Cx { n, .. }| {
        (
            format!("{n} multicast address records follow, one per group this host reports on."),
            "RFC 3810 §5.2",
        )
    }),
    (&[&icmpv6::MLDR_MAR_RECORD_TYPE], |&Cx { n, .. }| {
        (
            format!(
                "Record type {n}: {}.",
                match n {
                    1 => "currently including only the listed sources",
                    2 => "currently excluding the listed sources",
                    3 => "changed to including only the listed sources",
                    4 =>
                        "changed to excluding the listed sources (with none listed: join the group)",
                    5 => "allow new sources",
                    6 => "block old sources",
                    _ => "unknown",
                }
            ),
            "RFC 3810 §5.2.12",
        )
    }),
    (&[&icmpv6::MLDR_MAR_AUX_DATA_LEN], |&Cx { n, .. }| {
        (
            format!(
                "Auxiliary data length {n} (units of 4 bytes): MLDv2 defines none, so it is 0."
            ),
            "RFC 3810 §5.2",
        )
    }),
    (
        &[&icmpv6::MLDR_MAR_MULTICAST_ADDRESS],
        |&Cx { text, .. }| {
            (
                format!("Multicast group {text}: the group this record is about."),
                "RFC 3810 §5.2",
            )
        },
    ),
    (
        &[&icmpv6::MLDR_MAR_AUXILIARY_DATA],
        |&Cx { len, .. }| {
            (
                format!("{len} bytes of auxiliary data, which MLDv2 does not define."),
                "RFC 3810 §5.2",
            )
        },
    ),
];

/// An ICMP destination unreachable message's code.
fn unreachable(n: u64, meaning: &str) -> (String, &'static str) {
    (
        format!(
            "Code {n} ({meaning}): {}",
            match n {
                0 => "no route to the destination's network.",
                1 => "the last router could not reach the destination host.",
                3 =>
                    "the destination host got the packet, but no socket listens on its port; for UDP this is how a closed port answers.",
                4 =>
                    "the packet was too big for the next link and Don't Fragment was set; the next-hop MTU says how big may pass.",
                _ => "why delivery failed.",
            }
        ),
        "RFC 792",
    )
}
