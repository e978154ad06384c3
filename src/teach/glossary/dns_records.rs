//! The glossary's DNS resource record, EDNS (OPT) and SVCB/HTTPS sentences
//! (RFC 1035, 3596, 2782, 6891, 9460 and the option RFCs).

use super::dns::{class, rr_type};
use super::*;
use crate::decode::dns::{opt, rr};

fn seconds(n: u64) -> String {
    match n {
        0..=119 => format!("{n} s"),
        120..=7199 => format!("{n} s ({} min)", n / 60),
        7200..=172_799 => format!("{n} s ({} h)", n / 3600),
        _ => format!("{n} s ({} days)", n / 86400),
    }
}

/// Resource records.
pub(super) const TABLE: &[Entry] = &[
    (&[&rr::RESP_NAME], |c| {
        let name = if c.text.is_empty() { "<Root>" } else { c.text };
        let bytes = c.data.get(c.f.bytes.clone()).unwrap_or(&[]);
        (
            match bytes {
                [a, b] if a & 0xc0 == 0xc0 => format!(
                    "Name {name}: the owner of this record, written as a 2-byte pointer ({a:02x} {b:02x}: top two bits set) to offset {} of the DNS message, where the name was already spelt out (name compression).",
                    u16::from(a & 0x3f) << 8 | u16::from(*b)
                ),
                _ => format!(
                    "Name {name}: the owner of this record, spelt out as length-prefixed labels (or ending in a pointer to a name earlier in the message)."
                ),
            },
            spec(c),
        )
    }),
    (&[&rr::RESP_TYPE], |c| {
        let (what, source) = rr_type(c.n);
        (
            format!("Type {what}: the kind of data this record carries."),
            source,
        )
    }),
    (&[&rr::RESP_CLASS], |c| {
        (format!("Class 0x{:04x}: {}.", c.n, class(c.n)), spec(c))
    }),
    (&[&rr::CACHE_FLUSH], |c| {
        (
            format!(
                "Cache flush {}: in mDNS, {}",
                c.n,
                if c.n == 1 {
                    "this record replaces whatever caches hold for the name and type (the sender owns it)."
                } else {
                    "this record adds to what caches hold (a shared record, such as a PTR)."
                }
            ),
            spec(c),
        )
    }),
    (&[&rr::RESP_TTL], |c| {
        (
            format!(
                "TTL {}: how long resolvers may cache this record before asking again.",
                seconds(c.n)
            ),
            spec(c),
        )
    }),
    (&[&rr::RESP_LEN], |c| {
        (
            format!(
                "Data length {}: bytes of record data (RDATA) that follow.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&rr::UDP_PAYLOAD_SIZE], |c| {
        (
            format!(
                "UDP payload size {}: in the OPT pseudo-record, the class field is reused for the largest DNS message the sender accepts over UDP (plain DNS stops at 512).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&rr::EXT_RCODE], |c| {
        (
            format!(
                "Extended RCODE 0x{:02x}: the upper 8 bits of a 12-bit reply code (0 unless the error is EDNS-only, such as BADVERS).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&rr::EDNS0_VERSION], |c| {
        (
            format!("EDNS version {}: only version 0 exists.", c.n),
            spec(c),
        )
    }),
    (&[&rr::RESP_Z], |c| {
        (
            format!(
                "EDNS flags 0x{:04x}: the OPT record's TTL field holds flags; only DO is defined.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&rr::Z_DO], |c| {
        (
            format!(
                "DO {}: the sender {} DNSSEC records (signatures) in the answer.",
                c.n,
                if c.n == 1 { "wants" } else { "does not want" }
            ),
            spec(c),
        )
    }),
    (&[&rr::Z_RESERVED], |c| {
        (
            format!("Reserved EDNS flags 0x{:04x}: must be 0.", c.n),
            spec(c),
        )
    }),
    (&[&rr::A], |c| {
        (
            format!("Address {}: the IPv4 address the name stands for.", c.text),
            spec(c),
        )
    }),
    (&[&rr::AAAA], |c| {
        (
            format!(
                "AAAA address {}: the IPv6 address the name stands for.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&rr::CNAME], |c| {
        (
            format!(
                "CNAME {}: the owner name is an alias; resolvers continue with this canonical name.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&rr::NS], |c| {
        (
            format!(
                "Name server {}: a server that answers for the zone.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&rr::PTR], |c| {
        (
            format!(
                "Domain name {}: what the pointer points to (a host name for a reverse lookup, a service instance in DNS-SD).",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&rr::MX_PREFERENCE], |c| {
        (
            format!(
                "Preference {}: mail goes to the server with the lowest value first.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&rr::MX_EXCHANGE], |c| {
        (
            format!(
                "Mail exchange {}: a server that accepts mail for the domain.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&rr::TXT_LENGTH], |c| {
        (
            format!(
                "TXT length {}: each text string is prefixed with one length byte, so a string holds at most 255 bytes.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&rr::TXT], |c| {
        (
            format!("Text {}: free-form data published under the name.", c.text),
            spec(c),
        )
    }),
    (&[&rr::SOA_MNAME], |c| {
        (
            format!("Primary name server {}: where the zone is edited.", c.text),
            spec(c),
        )
    }),
    (&[&rr::SOA_RNAME], |c| {
        (
            format!(
                "Mailbox {}: the zone's administrator, with the first dot standing for @.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&rr::SOA_SERIAL], |c| {
        (
            format!(
                "Serial {}: the zone's version; secondaries copy the zone again when it grows.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&rr::SOA_REFRESH], |c| {
        (
            format!(
                "Refresh {}: how often secondaries check the serial.",
                seconds(c.n)
            ),
            spec(c),
        )
    }),
    (&[&rr::SOA_RETRY], |c| {
        (
            format!(
                "Retry {}: how soon a secondary tries again after a failed check.",
                seconds(c.n)
            ),
            spec(c),
        )
    }),
    (&[&rr::SOA_EXPIRE], |c| {
        (
            format!(
                "Expire {}: how long a secondary keeps answering without reaching the primary.",
                seconds(c.n)
            ),
            spec(c),
        )
    }),
    (&[&rr::SOA_MINIMUM], |c| {
        (
            format!(
                "Minimum TTL {}: how long resolvers cache a \"no such name\" answer (negative caching, RFC 2308).",
                seconds(c.n)
            ),
            spec(c),
        )
    }),
    (&[&rr::SRV_SERVICE], |c| {
        (
            format!(
                "Service {}: the first label of an SRV name, the service's name.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&rr::SRV_PROTO], |c| {
        (
            format!("Protocol {}: the second label, _tcp or _udp.", c.text),
            spec(c),
        )
    }),
    (&[&rr::SRV_NAME], |c| {
        (
            format!("Name {}: the domain that offers the service.", c.text),
            spec(c),
        )
    }),
    (&[&rr::SRV_PRIORITY], |c| {
        (
            format!("Priority {}: clients try the lowest priority first.", c.n),
            spec(c),
        )
    }),
    (&[&rr::SRV_WEIGHT], |c| {
        (
            format!(
                "Weight {}: among targets of equal priority, load is shared in proportion to weight.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&rr::SRV_PORT], |c| {
        (
            format!(
                "Port {}: the port the service listens on at the target.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&rr::SRV_TARGET], |c| {
        (
            format!("Target {}: the host that runs the service.", c.text),
            spec(c),
        )
    }),
    (&[&rr::DATA], |c| {
        (
            format!(
                "Data, {} bytes: the record data of a type wirepeek does not take apart.",
                c.len
            ),
            spec(c),
        )
    }),
    // EDNS options.
    (&[&opt::OPT_CODE], |c| {
        let what = match c.n {
            3 => "NSID, the server's identity (RFC 5001)",
            5..=7 => "the DNSSEC algorithms the client understands (RFC 6975)",
            8 => {
                "Client Subnet: part of the client's address, for location-aware answers (RFC 7871)"
            }
            10 => "a DNS Cookie against spoofing (RFC 7873)",
            11 => "TCP keepalive (RFC 7828)",
            12 => "padding, to hide the message's length when encrypted (RFC 7830)",
            15 => "an Extended DNS Error (RFC 8914)",
            _ => "an option this lesson does not detail",
        };
        (format!("Option code {}: {what}.", c.n), spec(c))
    }),
    (&[&opt::OPT_LEN], |c| {
        (
            format!("Option length {}: bytes of option data.", c.n),
            spec(c),
        )
    }),
    (&[&opt::OPT_DATA], |c| {
        (format!("Option data, {} bytes.", c.len), spec(c))
    }),
    (&[&opt::OPT_DAU, &opt::OPT_DHU, &opt::OPT_N3U], |c| {
        (
            format!(
                "Algorithm {}: one of the DNSSEC signing, hash or NSEC3 algorithms the client can validate.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&opt::CLIENT_FAMILY], |c| {
        (
            format!(
                "Family {} ({}): the client subnet's address family.",
                c.n,
                match c.n {
                    1 => "IPv4",
                    2 => "IPv6",
                    _ => "other",
                }
            ),
            spec(c),
        )
    }),
    (&[&opt::CLIENT_NETMASK], |c| {
        (
            format!(
                "Source netmask /{}: how many leading bits of the client's address are revealed.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&opt::CLIENT_SCOPE], |c| {
        (
            format!(
                "Scope netmask /{}: in an answer, the prefix length the answer is valid for.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&opt::CLIENT_ADDR4, &opt::CLIENT_ADDR6], |c| {
        (
            format!("Client subnet {}: the truncated client address.", c.text),
            spec(c),
        )
    }),
    (&[&opt::COOKIE_CLIENT], |c| {
        (
            format!(
                "Client cookie, {} bytes: the client's random value; a forged answer cannot echo it.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&opt::COOKIE_SERVER], |c| {
        (
            format!(
                "Server cookie, {} bytes: the server's value, returned by the client to prove it asked before.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&opt::KEEPALIVE_TIMEOUT], |c| {
        (
            format!(
                "Timeout {} × 100 ms: how long an idle DNS-over-TCP connection may stay open.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&opt::PADDING], |c| {
        (
            format!(
                "Padding, {} bytes: meaningless filler that hides the message's true size.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&opt::CHAIN_FQDN], |c| {
        (
            format!(
                "Closest trust point {}: where the client's DNSSEC chain of trust starts.",
                c.text
            ),
            spec(c),
        )
    }),
    // SVCB and HTTPS records.
    (&[&opt::SVCPRIORITY], |c| {
        (
            format!(
                "SvcPriority {}: {}",
                c.n,
                if c.n == 0 {
                    "alias mode, the target name replaces the owner name."
                } else {
                    "service mode; lower values are preferred."
                }
            ),
            spec(c),
        )
    }),
    (&[&opt::TARGETNAME], |c| {
        (
            format!(
                "Target name {}: the host that serves (\".\" means the owner name itself).",
                if c.text.is_empty() { "." } else { c.text }
            ),
            spec(c),
        )
    }),
    (&[&opt::SVCPARAM_KEY], |c| {
        let what = match c.n {
            0 => "mandatory",
            1 => "alpn",
            2 => "no-default-alpn",
            3 => "port",
            4 => "ipv4hint",
            5 => "ech",
            6 => "ipv6hint",
            _ => "an unlisted key",
        };
        (
            format!("SvcParamKey {} ({what}): which parameter follows.", c.n),
            spec(c),
        )
    }),
    (&[&opt::SVCPARAM_LEN], |c| {
        (
            format!("Value length {}: bytes of the parameter's value.", c.n),
            spec(c),
        )
    }),
    (&[&opt::SVCPARAM_VALUE], |c| {
        (format!("Parameter value, {} bytes.", c.len), spec(c))
    }),
    (&[&opt::MANDATORY_KEY], |c| {
        (
            format!(
                "Mandatory key {}: a client that does not understand this key must skip the record.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&opt::ALPN_LENGTH], |c| {
        (
            format!("ALPN length {}: bytes of the protocol name.", c.n),
            spec(c),
        )
    }),
    (&[&opt::ALPN], |c| {
        (
            format!(
                "ALPN {}: an application protocol the service speaks (h2, h3 …), so the client can pick before it connects.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&opt::PORT], |c| {
        (
            format!("Port {}: the service's port, if not the default.", c.n),
            spec(c),
        )
    }),
    (&[&opt::IPV4HINT, &opt::IPV6HINT], |c| {
        (
            format!(
                "Address hint {}: lets the client connect before its A/AAAA lookup returns.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&opt::ECHCONFIG], |c| {
        (
            format!(
                "ECH configuration, {} bytes: the public key with which a client encrypts its ClientHello (hiding the server name).",
                c.len
            ),
            spec(c),
        )
    }),
];
