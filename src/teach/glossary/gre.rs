//! The glossary's GRE sentences (RFC 2784, RFC 2890 for keys and sequence
//! numbers, RFC 1701 for the old routing fields, RFC 2637 for PPTP's
//! enhanced GRE).

use super::*;
use crate::decode::gre;

fn flag_bit(c: &Cx, what: &str) -> (String, &'static str) {
    (
        format!(
            "{} {}: {}",
            c.f.name,
            c.n,
            if c.n != 0 {
                format!("the {what} field is present.")
            } else {
                format!("no {what} field.")
            }
        ),
        spec(c),
    )
}

/// The GRE header.
pub(super) const TABLE: &[Entry] = &[
    (&[&gre::FLAGS_AND_VERSION], |c| {
        (
            format!(
                "Flags and version 0x{:04x}: which optional fields follow the 4-byte base header, and the version (0, or 1 for PPTP).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&gre::F_CHECKSUM], |c| flag_bit(c, "checksum")),
    (&[&gre::F_ROUTING], |c| flag_bit(c, "routing (obsolete)")),
    (&[&gre::F_KEY], |c| flag_bit(c, "key")),
    (&[&gre::F_SEQ], |c| flag_bit(c, "sequence number")),
    (&[&gre::F_SSR], |c| {
        (
            format!(
                "Strict source route {}: obsolete, must be 0 in RFC 2784 GRE.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&gre::F_RECURSION], |c| {
        (
            format!(
                "Recursion control {}: obsolete (how many more encapsulations were allowed).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&gre::F_ACK], |c| flag_bit(c, "acknowledgment number")),
    (&[&gre::F_RESERVED], |c| {
        (format!("Reserved flags {}: must be 0.", c.n), spec(c))
    }),
    (&[&gre::F_VERSION], |c| {
        (
            format!(
                "Version {}: {}",
                c.n,
                if c.n == 1 {
                    "enhanced GRE, as PPTP uses it."
                } else {
                    "plain GRE."
                }
            ),
            spec(c),
        )
    }),
    (&[&gre::PROTO], |c| {
        (
            format!(
                "Protocol type 0x{:04x} ({}): an EtherType saying what the tunnel carries; the inner packet is decoded below as if it arrived on its own (0x6558 is a whole Ethernet frame, bridging).",
                c.n,
                gre::proto_name(c.n as u16)
            ),
            spec(c),
        )
    }),
    (&[&gre::CHECKSUM], |c| {
        (
            format!(
                "Checksum 0x{:04x}: the Internet checksum over the GRE header and payload.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&gre::OFFSET], |c| {
        (format!("Offset {}: obsolete routing offset.", c.n), spec(c))
    }),
    (&[&gre::KEY], |c| {
        (
            format!(
                "Key 0x{:08x}: tells apart several tunnels between the same two ends (a tenant or flow ID).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&gre::KEY_PAYLOAD_LENGTH], |c| {
        (
            format!("Payload length {}: bytes after the GRE header (PPTP).", c.n),
            spec(c),
        )
    }),
    (&[&gre::KEY_CALL_ID], |c| {
        (
            format!("Call ID {}: which PPTP session the packet belongs to.", c.n),
            spec(c),
        )
    }),
    (&[&gre::SEQUENCE_NUMBER], |c| {
        (
            format!(
                "Sequence number {}: lets the far end notice lost or reordered packets inside the tunnel.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&gre::ACK_NUMBER], |c| {
        (
            format!(
                "Acknowledgment number {}: the highest sequence number received (PPTP).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&gre::ROUTING_AF], |c| {
        (
            format!(
                "Address family {}: of the obsolete source route entry.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&gre::ROUTING_SRE_OFFSET], |c| {
        (format!("SRE offset {}.", c.n), spec(c))
    }),
    (&[&gre::ROUTING_SRE_LENGTH], |c| {
        (format!("SRE length {}.", c.n), spec(c))
    }),
    (&[&gre::ROUTING_INFORMATION], |c| {
        (
            format!(
                "Routing information, {} bytes (obsolete source routing).",
                c.len
            ),
            spec(c),
        )
    }),
];
