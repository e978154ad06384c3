//! The glossary's Geneve sentences (RFC 8926).

use super::*;
use crate::decode::{geneve, gre};

/// The Geneve header and its options.
pub(super) const TABLE: &[Entry] = &[
    (&[&geneve::VERSION], |c| {
        (format!("Version {}: only 0 is defined.", c.n), spec(c))
    }),
    (&[&geneve::OPTION_LENGTH], |c| {
        (
            format!(
                "Length {}: the option data's length in 4-byte words (or the header's options length, also in words).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&geneve::FLAGS], |c| {
        (format!("Flags 0x{:02x}: O and C below.", c.n), spec(c))
    }),
    (&[&geneve::FLAG_OAM], |c| {
        (
            format!(
                "O {}: {}",
                c.n,
                if c.n == 1 {
                    "a control (OAM) packet for the tunnel endpoints, not user traffic."
                } else {
                    "an ordinary data packet."
                }
            ),
            spec(c),
        )
    }),
    (&[&geneve::FLAG_CRITICAL], |c| {
        (
            format!(
                "C {}: {}",
                c.n,
                if c.n == 1 {
                    "critical options are present; a receiver that does not know one must drop the packet."
                } else {
                    "no critical options."
                }
            ),
            spec(c),
        )
    }),
    (
        &[
            &geneve::FLAG_RESERVED,
            &geneve::RESERVED,
            &geneve::OPTION_FLAGS_RESERVED,
        ],
        |c| (format!("Reserved {}: must be 0.", c.n), spec(c)),
    ),
    (&[&geneve::PROTO_TYPE], |c| {
        (
            format!(
                "Protocol type 0x{:04x} ({}): an EtherType for the inner packet (0x6558: an Ethernet frame).",
                c.n,
                gre::proto_name(c.n as u16)
            ),
            spec(c),
        )
    }),
    (&[&geneve::VNI], |c| {
        (
            format!(
                "VNI 0x{:06x}: the virtual network the inner packet belongs to (24 bits).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&geneve::OPTIONS], |c| {
        (
            format!(
                "Options, {} bytes: Geneve's point, metadata in type-length-value form that VXLAN has no room for.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&geneve::OPTION], |c| {
        (
            format!("One option, {} bytes: class, type, length and data.", c.len),
            spec(c),
        )
    }),
    (&[&geneve::OPTION_CLASS], |c| {
        (
            format!(
                "Option class 0x{:04x}: who defined the option (a vendor or standard body, IANA-assigned).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&geneve::OPTION_TYPE], |c| {
        (
            format!(
                "Option type 0x{:02x}: which option of that class; its top bit marks it critical.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&geneve::OPTION_TYPE_CRITICAL], |c| {
        (
            format!(
                "Critical {}: a receiver that does not understand it must {}.",
                c.n,
                if c.n == 1 {
                    "drop the packet"
                } else {
                    "just skip it"
                }
            ),
            spec(c),
        )
    }),
    (&[&geneve::OPTION_FLAGS], |c| {
        (
            format!("Option flags 0x{:02x}: reserved bits and the length.", c.n),
            spec(c),
        )
    }),
    (&[&geneve::OPTION_UNKNOWN_DATA], |c| {
        (
            format!(
                "Option data, {} bytes, of an option wirepeek does not know.",
                c.len
            ),
            spec(c),
        )
    }),
];
