//! The glossary's IPv6 and ICMP sentences (the rest is in `glossary.rs`).

use super::{about_ip, num};
use crate::decode::{Dissection, Field, Value};

/// The sentence and source for an IPv6, extension header, AH, ICMP or
/// ICMPv6 key; None for keys the glossary does not cover.
pub(super) fn explain(
    f: &Field,
    d: &Dissection,
    n: u64,
    meaning: &str,
    text: &str,
    len: usize,
) -> Option<(String, &'static str)> {
    Some(match f.key {
        // IPv6.
        "ipv6.version" => (
            format!(
                "Version {n}: the same first four bits as IPv4, so the receiver can tell them apart."
            ),
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
                format!(
                    "Flow label 0x{n:05x}: the sender's label for this flow, so routers can keep its packets on one path."
                )
            },
            "RFC 8200, RFC 6437",
        ),
        "ipv6.plen" => (
            format!(
                "Payload length {n}: bytes after the fixed 40-byte header, extension headers included (unlike IPv4's total length, the header is not counted)."
            ),
            "RFC 8200",
        ),
        "ipv6.nxt" => (
            format!(
                "Next header {n} ({meaning}): what follows, a transport header or an extension header; IPv6 chains headers this way."
            ),
            "RFC 8200",
        ),
        "ipv6.hlim" => (
            format!(
                "Hop limit {n}: IPv6's TTL; each router subtracts one and drops the packet at 0."
            ),
            "RFC 8200",
        ),
        "ipv6.src" => (
            format!(
                "Source address {text}{}.",
                match &f.value {
                    Value::Ip(ip) => about_ip(*ip),
                    _ => "",
                }
            ),
            "RFC 8200, RFC 4291",
        ),
        "ipv6.dst" => (
            format!(
                "Destination address {text}{}.",
                match &f.value {
                    Value::Ip(ip) => about_ip(*ip),
                    _ => "",
                }
            ),
            "RFC 8200, RFC 4291",
        ),
        "ipv6.hopopts.nxt" | "ipv6.routing.nxt" | "ipv6.fraghdr.nxt" | "ipv6.dstopts.nxt" => (
            format!("Next header {n} ({meaning}): the header after this extension header."),
            "RFC 8200",
        ),
        "ipv6.hopopts.len" | "ipv6.routing.len" | "ipv6.dstopts.len" => (
            format!(
                "Header extension length {n}: this header is ({n} + 1) × 8 = {} bytes.",
                (n + 1) * 8
            ),
            "RFC 8200",
        ),
        "ipv6.opt.type" => (
            format!(
                "Option type 0x{n:02x} ({meaning}); its top two bits say what a node that does not know it must do."
            ),
            "RFC 8200 §4.2",
        ),
        "ipv6.opt.length" => (format!("Option data length: {n} bytes."), "RFC 8200 §4.2"),
        "ipv6.routing.type" => (
            format!(
                "Routing type {n}{}: how the route's addresses are listed.",
                if n == 4 { " (segment routing)" } else { "" }
            ),
            "RFC 8200 §4.4",
        ),
        "ipv6.routing.segleft" => (
            format!("Segments left {n}: route stops still to visit."),
            "RFC 8200 §4.4",
        ),
        "ipv6.fraghdr.reserved_octet" | "ipv6.fraghdr.reserved_bits" => (
            format!("Reserved {n}: sent as zero, ignored by the receiver."),
            "RFC 8200 §4.5",
        ),
        "ipv6.fraghdr.offset" => (
            format!(
                "Fragment offset {n} (units of 8 bytes): this piece belongs at byte {} of the original packet; in IPv6 only the sender fragments.",
                n * 8
            ),
            "RFC 8200 §4.5",
        ),
        "ipv6.fraghdr.more" => (
            format!(
                "More fragments {n}: {}",
                if n == 1 {
                    "more pieces follow."
                } else {
                    "this is the last piece."
                }
            ),
            "RFC 8200 §4.5",
        ),
        "ipv6.fraghdr.ident" => (
            format!("Identification 0x{n:08x}: the same in every fragment of one packet."),
            "RFC 8200 §4.5",
        ),
        "ah.next_header" => (
            format!("Next header {n} ({meaning}): what the Authentication Header protects."),
            "RFC 4302",
        ),
        "ah.length" => (
            format!(
                "AH length {n}: the header is ({n} + 2) × 4 = {} bytes.",
                (n + 2) * 4
            ),
            "RFC 4302",
        ),
        "ah.spi" => (
            format!(
                "Security Parameters Index 0x{n:08x}: which security association (keys, algorithm) to check with."
            ),
            "RFC 4302",
        ),
        "ah.sequence" => (
            format!(
                "Sequence number {n}: rises by one per packet so replayed packets can be refused."
            ),
            "RFC 4302",
        ),
        "ah.icv" => (
            format!(
                "Integrity check value ({len} bytes): the keyed hash that proves the packet was not changed."
            ),
            "RFC 4302",
        ),
        // ICMP.
        "icmp.type" | "icmpv6.type" => {
            let v6 = f.key == "icmpv6.type";
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
        }
        "icmp.code" if d.field("icmp.type").and_then(|t| num(&t.value)) == Some(3) => (
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
        ),
        "icmp.code" | "icmpv6.code" => (
            format!(
                "Code {n}{}: refines the type{}.",
                f.meaning
                    .as_deref()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default(),
                if matches!(
                    d.field("icmp.type")
                        .or_else(|| d.field("icmpv6.type"))
                        .and_then(|t| num(&t.value)),
                    Some(0 | 8 | 128 | 129)
                ) {
                    "; echo messages always use 0"
                } else {
                    ""
                }
            ),
            if f.key == "icmp.code" {
                "RFC 792"
            } else {
                "RFC 4443"
            },
        ),
        "icmp.checksum" => (
            format!("Checksum 0x{n:04x}: a one's-complement sum over the whole ICMP message."),
            "RFC 792, RFC 1071",
        ),
        "icmpv6.checksum" => (
            format!(
                "Checksum 0x{n:04x}: over a pseudo-header (addresses, length, next header) and the whole ICMPv6 message."
            ),
            "RFC 4443",
        ),
        "icmp.checksum.status" => (
            format!(
                "wirepeek summed the message itself: {}.",
                if text == "Good" {
                    "the checksum matches"
                } else {
                    "the checksum does not match"
                }
            ),
            "RFC 1071",
        ),
        "icmp.ident" | "icmpv6.echo.identifier" => (
            format!(
                "Identifier {n}: picked by the sender so it can tell its replies from other programs' (the reply carries it back)."
            ),
            if f.key == "icmp.ident" {
                "RFC 792"
            } else {
                "RFC 4443"
            },
        ),
        "icmp.seq" | "icmpv6.echo.sequence_number" => (
            format!(
                "Sequence number {n}: counts the requests; the reply repeats it, so the sender can spot a lost one and time each round trip."
            ),
            if f.key == "icmp.seq" {
                "RFC 792"
            } else {
                "RFC 4443"
            },
        ),
        "icmp.redir_gw" => (
            format!("Gateway {text}: the better first hop the router suggests."),
            "RFC 792",
        ),
        "icmp.pointer" | "icmpv6.pointer" => (
            format!("Pointer {n}: the offset of the bad byte in the quoted packet."),
            if f.key == "icmp.pointer" {
                "RFC 792"
            } else {
                "RFC 4443"
            },
        ),
        "icmp.mtu" => (
            format!(
                "Next-hop MTU {n}: the largest packet the next link takes; the sender should send smaller ones."
            ),
            "RFC 1191",
        ),
        "icmpv6.mtu" => (
            format!(
                "MTU {n}: the largest packet the next link takes; the sender must send smaller ones."
            ),
            "RFC 8201",
        ),
        "icmp.unused" | "icmpv6.reserved" => (
            "Unused: four zero bytes before the quoted packet.".to_string(),
            if f.key == "icmp.unused" {
                "RFC 792"
            } else {
                "RFC 4443"
            },
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
            format!(
                "Hop limit {n}: what hosts should put in their packets' hop limit (0: no advice)."
            ),
            "RFC 4861",
        ),
        "icmpv6.nd.ra.flag" => (
            format!(
                "Flags 0x{n:02x}: M and O say whether hosts should use DHCPv6 for addresses or other settings."
            ),
            "RFC 4861",
        ),
        "icmpv6.nd.ra.router_lifetime" => (
            format!(
                "Router lifetime {n} s: how long hosts may use this router as default (0: not a default router)."
            ),
            "RFC 4861",
        ),
        "icmpv6.nd.ra.reachable_time" => (
            format!(
                "Reachable time {n} ms: how long a neighbour counts as reachable after confirmation (0: no advice)."
            ),
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
            format!(
                "Flags 0x{n:08x}: R (sender is a router), S (answers a solicitation), O (override cached entries)."
            ),
            "RFC 4861",
        ),
        "icmpv6.nd.na.target_address" => (
            format!("Target {text}: the address this advertisement is about."),
            "RFC 4861",
        ),
        "icmpv6.nd.rd.target_address" => {
            (format!("Target {text}: the better first hop."), "RFC 4861")
        }
        "icmpv6.nd.rd.destination_address" => (
            format!("Destination {text}: the destination the redirect is for."),
            "RFC 4861",
        ),
        "icmpv6.opt.type" => (format!("Option type {n} ({meaning})."), "RFC 4861"),
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
        "ipv6.routing.src.reserved" | "ipv6.routing.mipv6.reserved" => (
            format!("{len} reserved bytes: sent as zero, ignored by the receiver."),
            "RFC 8200 §4.4",
        ),
        "ipv6.routing.src.addr" => (
            format!(
                "Route stop {text}: one address of the source route, visited in order (type 0 is deprecated, RFC 5095)."
            ),
            "RFC 2460 §4.4, RFC 5095",
        ),
        "ipv6.routing.mipv6.home_address" => (
            format!(
                "Home address {text}: the mobile node's permanent address, where the packet is finally delivered."
            ),
            "RFC 6275 §6.4",
        ),
        "ipv6.routing.srh.last_entry" => (
            format!(
                "Last entry {n}: the index of the last segment in the list (the list has {} segments).",
                n + 1
            ),
            "RFC 8754",
        ),
        "ipv6.routing.srh.flags" => (
            format!("Flags 0x{n:02x}: none are defined yet; sent as zero."),
            "RFC 8754",
        ),
        "ipv6.routing.srh.tag" => (
            "Tag: marks packets as part of a class or group; usually zero.".to_string(),
            "RFC 8754",
        ),
        "ipv6.routing.srh.addr" => (
            format!(
                "Segment {text}: one stop of the segment list, which is stored last stop first."
            ),
            "RFC 8754",
        ),
        "ipv6.routing.unknown_data" => (
            format!("{len} bytes of routing data for a routing type wirepeek does not decode."),
            "RFC 8200 §4.4",
        ),
        "icmpv6.mld.maximum_response_code" => (
            format!(
                "Maximum response code {n}: how long, in milliseconds (exactly so below 32768), a listener may wait before reporting."
            ),
            "RFC 3810 §5.1.3",
        ),
        "icmpv6.mld.flag" => (
            format!("Flags 0x{n:02x}: the S bit and the querier's robustness variable."),
            "RFC 3810 §5.1",
        ),
        "icmpv6.mld.flag.s" => (
            format!(
                "Suppress router-side processing {n}: when 1, routers that hear this query do not update their timers."
            ),
            "RFC 3810 §5.1.7",
        ),
        "icmpv6.mld.flag.qrv" => (
            format!(
                "Querier's robustness variable {n}: how many times reports are repeated to survive loss."
            ),
            "RFC 3810 §5.1.8",
        ),
        "icmpv6.mld.flag.reserved" => (format!("Reserved {n}: sent as zero."), "RFC 3810 §5.1"),
        "icmpv6.mld.qqi" => (
            format!(
                "Querier's query interval code {n}: how often, in seconds, the querier sends general queries."
            ),
            "RFC 3810 §5.1.9",
        ),
        "icmpv6.mld.nb_sources" | "icmpv6.mldr.mar.nb_sources" => (
            format!("Number of sources {n}: the source addresses listed next."),
            "RFC 3810",
        ),
        "icmpv6.mld.source_address" | "icmpv6.mldr.mar.source_address" => (
            format!("Source {text}: a sender this listening state is about."),
            "RFC 3810",
        ),
        "icmpv6.mldr.nb_mcast_records" => (
            format!("{n} multicast address records follow, one per group this host reports on."),
            "RFC 3810 §5.2",
        ),
        "icmpv6.mldr.mar.record_type" => (
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
        ),
        "icmpv6.mldr.mar.aux_data_len" => (
            format!(
                "Auxiliary data length {n} (units of 4 bytes): MLDv2 defines none, so it is 0."
            ),
            "RFC 3810 §5.2",
        ),
        "icmpv6.mldr.mar.multicast_address" => (
            format!("Multicast group {text}: the group this record is about."),
            "RFC 3810 §5.2",
        ),
        "icmpv6.mldr.mar.auxiliary_data" => (
            format!("{len} bytes of auxiliary data, which MLDv2 does not define."),
            "RFC 3810 §5.2",
        ),
        _ => return None,
    })
}
