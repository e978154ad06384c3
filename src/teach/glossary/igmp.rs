//! The glossary's IGMP v1/v2/v3 sentences (RFC 1112, 2236, 3376).

use super::*;
use crate::decode::igmp;

/// IGMP queries, reports and v3 group records.
pub(super) const TABLE: &[Entry] = &[
    (&[&igmp::VERSION], |c| {
        (
            format!(
                "IGMP version {}: not a field, worked out from the type, the max response time and the length.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&igmp::TYPE], |c| {
        let what = match c.n {
            0x11 => "a router asks which groups have members on the link",
            0x12 | 0x16 => "a host says it wants a group's traffic",
            0x17 => "a host leaves a group (IGMPv2)",
            0x22 => "a host reports its groups and their sources (IGMPv3)",
            _ => "an unusual type",
        };
        (
            format!(
                "Type 0x{:02x} ({}): {what}.",
                c.n,
                igmp::type_name(c.n as u8)
            ),
            match c.n {
                0x12 => "RFC 1112",
                0x16 | 0x17 => "RFC 2236",
                _ => spec(c),
            },
        )
    }),
    (&[&igmp::RESERVED], |c| {
        (format!("Reserved ({} bytes): must be 0.", c.len), spec(c))
    }),
    (&[&igmp::MAX_RESP], |c| {
        let tenths = igmp::max_resp_tenths(c.n as u8);
        (
            format!(
                "Max response time {:.1} s: hosts answer a query after a random delay up to this, so one report per group is enough.",
                f64::from(tenths) / 10.0
            ),
            spec(c),
        )
    }),
    (&[&igmp::MAX_RESP_EXP, &igmp::MAX_RESP_MANT], |c| {
        (
            format!(
                "{} {}: codes of 128 and above are a small floating point number, (mantissa | 0x10) << (exponent + 3) tenths of a second.",
                c.f.name, c.n
            ),
            spec(c),
        )
    }),
    (&[&igmp::CHECKSUM], |c| {
        (
            format!(
                "Checksum 0x{:04x}: the Internet checksum over the IGMP message.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&igmp::CHECKSUM_STATUS], |c| {
        (
            format!("Checksum status: {}, recomputed by wirepeek.", c.text),
            "RFC 3376 §4.1.2",
        )
    }),
    (&[&igmp::MADDR], |c| {
        (
            format!(
                "Group address {}: {}",
                c.text,
                if c.text == "0.0.0.0" {
                    "0.0.0.0 in a general query, which asks about every group."
                } else {
                    "the multicast group (224.0.0.0/4) this message is about."
                }
            ),
            spec(c),
        )
    }),
    (&[&igmp::S], |c| {
        (
            format!(
                "S {}: {}",
                c.n,
                if c.n == 1 {
                    "routers hearing this query do not lower their timers."
                } else {
                    "routers update their timers as usual."
                }
            ),
            spec(c),
        )
    }),
    (&[&igmp::QRV], |c| {
        (
            format!(
                "Querier's robustness variable {}: how many times messages are repeated to survive loss.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&igmp::QQIC], |c| {
        (
            format!(
                "Querier's query interval code {}: seconds between general queries.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&igmp::NUM_SRC], |c| {
        (format!("{} source address(es) follow.", c.n), spec(c))
    }),
    (&[&igmp::SADDR], |c| {
        (
            format!(
                "Source {}: a sender whose traffic to the group is wanted or refused (source-specific multicast).",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&igmp::NUM_GRP_RECS], |c| {
        (
            format!("{} group record(s): one per group the host reports.", c.n),
            spec(c),
        )
    }),
    (&[&igmp::RECORD_TYPE], |c| {
        (
            format!(
                "Record type {} ({}): include means only the listed sources, exclude means all but them; an exclude with no sources is a plain join.",
                c.n,
                igmp::record_type_name(c.n as u8)
            ),
            spec(c),
        )
    }),
    (&[&igmp::AUX_DATA_LEN], |c| {
        (
            format!("Aux data length {} (32-bit words): always 0 so far.", c.n),
            spec(c),
        )
    }),
    (&[&igmp::AUX_DATA], |c| {
        (
            format!("Auxiliary data, {} bytes: none defined.", c.len),
            spec(c),
        )
    }),
];
