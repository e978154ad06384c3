//! The glossary's spanning tree BPDU sentences (IEEE 802.1D, 802.1w for
//! RSTP, Cisco PVST+).

use super::*;
use crate::decode::stp;

fn bit(c: &Cx, what: &str) -> (String, &'static str) {
    (format!("{} {}: {what}", c.f.name, c.n), spec(c))
}

/// STP and RSTP BPDUs.
pub(super) const TABLE: &[Entry] = &[
    (&[&stp::PROTOCOL], |c| {
        (
            format!("Protocol identifier 0x{:04x}: 0 for spanning tree.", c.n),
            spec(c),
        )
    }),
    (&[&stp::VERSION], |c| {
        let what = match c.n {
            0 => "classic STP (802.1D)",
            2 => "Rapid STP (802.1w)",
            3 => "Multiple STP (802.1s)",
            _ => "an unknown version",
        };
        (format!("Version {}: {what}.", c.n), spec(c))
    }),
    (&[&stp::TYPE], |c| {
        (
            format!(
                "BPDU type 0x{:02x} ({}): bridges exchange these to build one loop-free tree over the switched network.",
                c.n,
                stp::type_name(c.n as u8)
            ),
            spec(c),
        )
    }),
    (&[&stp::FLAGS], |c| {
        (format!("Flags 0x{:02x}: one by one below.", c.n), spec(c))
    }),
    (&[&stp::TCACK], |c| {
        bit(c, "acknowledges a topology change notice.")
    }),
    (&[&stp::AGREEMENT], |c| {
        bit(
            c,
            "agrees to a neighbour's proposal, so the port may forward at once (RSTP).",
        )
    }),
    (&[&stp::FORWARDING], |c| {
        bit(c, "the sending port forwards frames.")
    }),
    (&[&stp::LEARNING], |c| {
        bit(c, "the sending port learns MAC addresses.")
    }),
    (&[&stp::PORT_ROLE], |c| {
        let what = match c.n {
            1 => "alternate or backup",
            2 => "root port (towards the root bridge)",
            3 => "designated port (serving its segment)",
            _ => "unknown",
        };
        (format!("Port role {}: {what}.", c.n), spec(c))
    }),
    (&[&stp::PROPOSAL], |c| {
        bit(
            c,
            "the sender proposes to become designated port for the segment (RSTP).",
        )
    }),
    (&[&stp::TC], |c| {
        bit(
            c,
            "the topology changed; bridges age out their MAC tables quickly.",
        )
    }),
    (&[&stp::ROOT_PRIO, &stp::BRIDGE_PRIO], |c| {
        (
            format!(
                "Priority {}: the lowest priority (then the lowest MAC) wins the election for root; multiples of 4096.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&stp::ROOT_EXT, &stp::BRIDGE_EXT], |c| {
        (
            format!(
                "System ID extension {}: usually the VLAN this tree is for.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&stp::ROOT_HW], |c| {
        (
            format!(
                "Root bridge {}: the bridge the sender believes is the root.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&stp::ROOT_COST], |c| {
        (
            format!(
                "Root path cost {}: the sum of link costs from the sender to the root; bridges keep the cheapest path.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&stp::BRIDGE_HW], |c| {
        (
            format!("Bridge {}: the bridge that sent this BPDU.", c.text),
            spec(c),
        )
    }),
    (&[&stp::PORT], |c| {
        (
            format!(
                "Port identifier 0x{:04x}: priority (top 4 bits) and number of the sending port, the last tie-breaker.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&stp::MSG_AGE], |c| {
        (
            format!(
                "Message age {} s: how old the root's information is (grows one per bridge).",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&stp::MAX_AGE], |c| {
        (
            format!(
                "Max age {} s: information older than this is thrown away.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&stp::HELLO], |c| {
        (
            format!("Hello time {} s: the root sends a BPDU this often.", c.text),
            spec(c),
        )
    }),
    (&[&stp::FORWARD], |c| {
        (
            format!(
                "Forward delay {} s: time spent listening and then learning before a port forwards (classic STP).",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&stp::VERSION_1_LENGTH], |c| {
        (
            format!("Version 1 length {}: always 0 in RSTP.", c.n),
            spec(c),
        )
    }),
    (&[&stp::PVST_TLVTYPE], |c| {
        (format!("PVST+ TLV type 0x{:04x}.", c.n), spec(c))
    }),
    (&[&stp::PVST_TLVLEN], |c| {
        (format!("PVST+ TLV length {}.", c.n), spec(c))
    }),
    (&[&stp::PVST_ORIGVLAN], |c| {
        (
            format!(
                "Originating VLAN {}: Cisco runs one tree per VLAN and says which.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&stp::PVST_TLVVAL], |c| {
        (format!("PVST+ TLV value, {} bytes.", c.len), spec(c))
    }),
];
