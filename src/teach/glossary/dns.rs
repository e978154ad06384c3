//! The glossary's DNS and mDNS header and question sentences (RFC 1035,
//! RFC 6762 for mDNS).

use super::*;
use crate::decode::dns;

/// What a record type asks for or carries, and the document that defines it.
pub(super) fn rr_type(n: u64) -> (String, &'static str) {
    let name = dns::rr::type_name(n as u16).unwrap_or("an unlisted type");
    let (what, source) = match n {
        1 => ("an IPv4 address", "RFC 1035"),
        2 => ("the name servers of a zone", "RFC 1035"),
        5 => (
            "an alias: the canonical name to look up instead",
            "RFC 1035",
        ),
        6 => (
            "the zone's start of authority (its primary server and timers)",
            "RFC 1035",
        ),
        12 => (
            "a name for an address (reverse lookup) or a service instance (DNS-SD)",
            "RFC 1035",
        ),
        15 => ("the mail servers of a domain", "RFC 1035"),
        16 => (
            "free text (SPF, domain verification, DNS-SD metadata)",
            "RFC 1035",
        ),
        28 => ("an IPv6 address", "RFC 3596"),
        33 => ("the host and port of a service", "RFC 2782"),
        41 => (
            "no data: OPT is EDNS's pseudo-record carrying the sender's UDP size and options",
            "RFC 6891",
        ),
        43 | 46 | 47 | 48 | 50 | 51 => (
            "DNSSEC material: keys, signatures or proof of non-existence",
            "RFC 4034",
        ),
        64 | 65 => (
            "the endpoints and parameters (ALPN, port, address hints) of a service",
            "RFC 9460",
        ),
        255 => ("every record the server has for the name", "RFC 1035"),
        _ => ("data this lesson does not detail", "RFC 1035"),
    };
    (format!("{n} ({name}): {what}"), source)
}

/// What a class number means.
pub(super) fn class(n: u64) -> &'static str {
    match n {
        1 => "IN, the Internet class: practically every record",
        3 => "CH, Chaos: used for server queries such as version.bind",
        254 => "NONE, used by dynamic updates",
        255 => "ANY",
        _ => "an unusual class",
    }
}

/// DNS header, counts and questions.
pub(super) const TABLE: &[Entry] = &[
    (&[&dns::LENGTH], |c| {
        (
            format!(
                "Length {}: over TCP each DNS message is preceded by its length, because TCP is a byte stream with no message boundaries.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dns::ID], |c| {
        (
            format!(
                "Transaction ID 0x{:04x}: the client picks it, the server copies it into the answer, so answers are matched to questions (and a random ID makes forged answers harder).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dns::FLAGS], |c| {
        (
            format!(
                "Flags 0x{:04x}: sixteen bits saying query or response, the kind of query and how it was answered; one by one below.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dns::RESPONSE], |c| {
        (
            if c.n == 1 {
                "QR 1: this message is a response.".to_string()
            } else {
                "QR 0: this message is a query.".to_string()
            },
            spec(c),
        )
    }),
    (&[&dns::OPCODE], |c| {
        let what = match c.n {
            0 => "a standard query",
            1 => "an inverse query (obsolete)",
            2 => "a server status request",
            4 => "a NOTIFY: the zone changed (RFC 1996)",
            5 => "an UPDATE: add or delete records (RFC 2136)",
            _ => "an unusual operation",
        };
        (format!("Opcode {}: {what}.", c.n), spec(c))
    }),
    (&[&dns::AUTHORITATIVE], |c| {
        (
            format!(
                "AA {}: {}",
                c.n,
                if c.n == 1 {
                    "the answering server owns the zone, so the answer does not come from a cache."
                } else {
                    "the answer comes from a cache or a forwarder, not the zone's own server."
                }
            ),
            spec(c),
        )
    }),
    (&[&dns::TRUNCATED], |c| {
        (
            format!(
                "TC {}: {}",
                c.n,
                if c.n == 1 {
                    "the answer did not fit in the UDP datagram; the client should ask again over TCP."
                } else {
                    "the message is complete."
                }
            ),
            spec(c),
        )
    }),
    (&[&dns::RECDESIRED], |c| {
        (
            format!(
                "RD {}: {}",
                c.n,
                if c.n == 1 {
                    "the client asks the server to chase the answer through other servers for it (recursion)."
                } else {
                    "the client wants only what this server knows itself."
                }
            ),
            spec(c),
        )
    }),
    (&[&dns::RECAVAIL], |c| {
        (
            format!(
                "RA {}: the server {} recursive lookups.",
                c.n,
                if c.n == 1 { "offers" } else { "does not offer" }
            ),
            spec(c),
        )
    }),
    (&[&dns::Z], |c| {
        (format!("Z {}: reserved, must be 0.", c.n), spec(c))
    }),
    (&[&dns::AUTHENTICATED], |c| {
        (
            format!(
                "AD {}: {}",
                c.n,
                if c.n == 1 {
                    "the resolver checked the DNSSEC signatures of this data."
                } else {
                    "no claim that the data was DNSSEC-validated."
                }
            ),
            spec(c),
        )
    }),
    (&[&dns::CHECKDISABLE], |c| {
        (
            format!(
                "CD {}: {}",
                c.n,
                if c.n == 1 {
                    "the client asks the resolver not to check DNSSEC signatures; it will check them itself."
                } else {
                    "the resolver may check DNSSEC signatures as usual."
                }
            ),
            spec(c),
        )
    }),
    (&[&dns::RCODE], |c| {
        let what = match c.n {
            0 => "NoError: the question was answered (maybe with no records)",
            1 => "FormErr: the server could not parse the query",
            2 => "ServFail: the server failed (often a DNSSEC or upstream problem)",
            3 => "NXDomain: the name does not exist",
            4 => "NotImp: the server does not support this kind of query",
            5 => "Refused: the server will not answer this client",
            _ => "a less common error",
        };
        (format!("Reply code {}: {what}.", c.n), spec(c))
    }),
    (&[&dns::QUERIES], |c| {
        (
            format!(
                "{} question(s) follow the 12-byte header (in practice always 1).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dns::ANSWERS], |c| {
        (
            format!(
                "{} answer record(s): the records that answer the question.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dns::AUTH_RR], |c| {
        (
            format!(
                "{} authority record(s): name servers (or the SOA) of the zone responsible for the name.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dns::ADD_RR], |c| {
        (
            format!(
                "{} additional record(s): helpful extras such as the addresses of named servers, and EDNS's OPT record.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dns::ZONES], |c| {
        (
            format!(
                "In an UPDATE the first count is the zone section: {} zone(s), the zone to change.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dns::PREREQUISITES], |c| {
        (
            format!(
                "{} prerequisite record(s): conditions the zone must meet for the update to apply.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dns::UPDATES], |c| {
        (
            format!("{} update record(s): the records to add or delete.", c.n),
            spec(c),
        )
    }),
    (&[&dns::QRY_NAME], |c| {
        (
            format!(
                "Name {}: the name asked about, written on the wire as length-prefixed labels ending with a zero byte.",
                if c.text.is_empty() { "<Root>" } else { c.text }
            ),
            spec(c),
        )
    }),
    (&[&dns::QRY_NAME_LEN], |c| {
        (
            format!(
                "{} characters in the dotted name, worked out by wirepeek as Wireshark does.",
                c.n
            ),
            "Wireshark",
        )
    }),
    (&[&dns::COUNT_LABELS], |c| {
        (
            format!(
                "{} labels: the parts between the dots, each stored with its own length byte.",
                c.n
            ),
            "Wireshark",
        )
    }),
    (&[&dns::QRY_TYPE], |c| {
        let (what, source) = rr_type(c.n);
        (
            format!("Type {what}: the kind of record the question asks for."),
            source,
        )
    }),
    (&[&dns::QRY_CLASS], |c| {
        (format!("Class 0x{:04x}: {}.", c.n, class(c.n)), spec(c))
    }),
    (&[&dns::QRY_QU], |c| {
        (
            format!(
                "QU {}: in mDNS the class's top bit asks for a {} answer.",
                c.n,
                if c.n == 1 {
                    "unicast (straight back to the asker)"
                } else {
                    "multicast (to the whole link, so every cache learns it)"
                }
            ),
            spec(c),
        )
    }),
];
