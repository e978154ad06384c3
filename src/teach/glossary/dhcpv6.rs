//! The glossary's DHCPv6 sentences (RFC 8415, RFC 3646 for DNS options,
//! RFC 6355 for UUID DUIDs).

use super::*;
use crate::decode::dhcpv6 as v6;

fn lifetime(n: u64) -> String {
    if n == 0xffff_ffff {
        "infinity (0xffffffff)".to_string()
    } else {
        format!("{n} s")
    }
}

/// DHCPv6 messages, relay headers and options.
pub(super) const TABLE: &[Entry] = &[
    (&[&v6::MSGTYPE], |c| {
        let name = v6::msg_name(c.n as u8).map_or("unknown", |(w, _)| w);
        let what = match c.n {
            1 => "a client looks for servers (sent to ff02::1:2)",
            2 => "a server says it can serve",
            3 => "the client asks that server for addresses",
            7 => "the server's answer: addresses, lifetimes and settings",
            11 => "a client wants settings only, no address (stateless DHCPv6)",
            12 | 13 => "a relay carries a message between a client's link and a server",
            _ => "part of renewing, releasing or confirming addresses",
        };
        (format!("Message type {} ({name}): {what}.", c.n), spec(c))
    }),
    (&[&v6::XID], |c| {
        (
            format!(
                "Transaction ID 0x{:06x}: chosen by the client, copied into the answer to match it.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&v6::HOPCOUNT], |c| {
        (
            format!("Hop count {}: relays this message has passed.", c.n),
            spec(c),
        )
    }),
    (&[&v6::LINKADDR], |c| {
        (
            format!(
                "Link address {}: an address of the client's link, so the server picks the right prefix.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&v6::PEERADDR], |c| {
        (
            format!(
                "Peer address {}: where the relay got the message from.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&v6::OPTION_TYPE], |c| {
        let what = match c.n {
            1 => "Client Identifier",
            2 => "Server Identifier",
            3 => "IA_NA, non-temporary addresses",
            5 => "IA Address",
            6 => "Option Request",
            8 => "Elapsed Time",
            9 => "Relay Message",
            13 => "Status Code",
            23 => "DNS servers",
            24 => "domain search list",
            25 => "IA_PD, delegated prefixes",
            26 => "IA Prefix",
            _ => "an option this lesson does not detail",
        };
        (
            format!(
                "Option {} ({what}): each option is a code, a length and data.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&v6::OPTION_LENGTH], |c| {
        (format!("Length {}: bytes of option data.", c.n), spec(c))
    }),
    (&[&v6::DUID_BYTES], |c| {
        (
            format!(
                "DUID, {} bytes: a DHCP Unique Identifier, meant to stay the same for a device across reboots and interfaces.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&v6::DUID_TYPE], |c| {
        let what = match c.n {
            1 => "link-layer address plus time (DUID-LLT)",
            2 => "enterprise number plus identifier (DUID-EN)",
            3 => "link-layer address (DUID-LL)",
            4 => "UUID (DUID-UUID)",
            _ => "unknown",
        };
        (format!("DUID type {}: {what}.", c.n), spec(c))
    }),
    (&[&v6::DUIDLLT_HWTYPE, &v6::DUIDLL_HWTYPE], |c| {
        (
            format!(
                "Hardware type {}{}: the kind of link-layer address in the DUID.",
                c.n,
                if c.n == 1 { " (Ethernet)" } else { "" }
            ),
            spec(c),
        )
    }),
    (&[&v6::DUIDLLT_TIME], |c| {
        (
            format!(
                "DUID time {}: when the DUID was made (seconds since 2000-01-01), keeping it unique.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&v6::DUIDLLT_ADDR, &v6::DUIDLL_ADDR], |c| {
        (
            format!(
                "Link-layer address {}: the interface the DUID was built from.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&v6::DUIDEN_ENTERPRISE], |c| {
        (
            format!(
                "Enterprise number {}: the vendor, as IANA numbers them.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&v6::DUIDEN_IDENTIFIER], |c| {
        (
            format!("Identifier, {} bytes, chosen by the vendor.", c.len),
            spec(c),
        )
    }),
    (&[&v6::DUIDUUID], |c| {
        (
            format!("UUID, {} bytes: the device's universally unique ID.", c.len),
            spec(c),
        )
    }),
    (&[&v6::IAID], |c| {
        (
            format!(
                "IAID {}: names one identity association (one interface's set of addresses) of the client.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&v6::IAID_T1], |c| {
        (
            format!(
                "T1 {} s: when to renew with the same server (0: the server decides).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&v6::IAID_T2], |c| {
        (
            format!(
                "T2 {} s: when to rebind with any server (0: the server decides).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&v6::IATA], |c| {
        (
            format!("IATA {}: an association of temporary addresses.", c.text),
            spec(c),
        )
    }),
    (&[&v6::IAADDR_IP], |c| {
        (
            format!("Address {}: an IPv6 address leased to the client.", c.text),
            spec(c),
        )
    }),
    (&[&v6::IAADDR_PREF, &v6::IAPREFIX_PREF], |c| {
        (
            format!(
                "Preferred lifetime {}: until then new connections may use it.",
                lifetime(c.n)
            ),
            spec(c),
        )
    }),
    (&[&v6::IAADDR_VALID, &v6::IAPREFIX_VALID], |c| {
        (
            format!(
                "Valid lifetime {}: after it the client must stop using it altogether.",
                lifetime(c.n)
            ),
            spec(c),
        )
    }),
    (&[&v6::REQUESTED], |c| {
        (
            format!(
                "Requested option {}: a setting the client wants in the reply.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&v6::PREFERENCE], |c| {
        (
            format!(
                "Preference {}: clients pick the server with the highest value (255: take it at once).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&v6::ELAPSED], |c| {
        (
            format!(
                "Elapsed time {} ms: how long the client has been trying (the wire counts hundredths of a second).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&v6::STATUS_CODE], |c| {
        let what = match c.n {
            0 => "Success",
            1 => "UnspecFail",
            2 => "NoAddrsAvail",
            3 => "NoBinding",
            4 => "NotOnLink",
            5 => "UseMulticast",
            6 => "NoPrefixAvail",
            _ => "another status",
        };
        (
            format!("Status code {} ({what}): the outcome of the request.", c.n),
            spec(c),
        )
    }),
    (&[&v6::STATUS_MSG], |c| {
        (
            format!("Status message \"{}\": text for humans.", c.text),
            spec(c),
        )
    }),
    (&[&v6::DNS_SERVER], |c| {
        (
            format!(
                "DNS server {}: where the client sends its DNS queries.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&v6::SEARCH_LIST], |c| {
        (
            format!("Search domain {}: tried after names without a dot.", c.text),
            spec(c),
        )
    }),
    (&[&v6::IAPREFIX_LEN], |c| {
        (
            format!("Prefix length /{}: the size of the delegated prefix.", c.n),
            spec(c),
        )
    }),
    (&[&v6::IAPREFIX_ADDR], |c| {
        (
            format!(
                "Prefix {}: delegated to a router (prefix delegation), which numbers its own links from it.",
                c.text
            ),
            spec(c),
        )
    }),
];
