//! The glossary's IEEE 802.2 LLC and SNAP sentences (IEEE 802.2, RFC 1042).

use super::*;
use crate::decode::{llc, names};

/// LLC addresses and control, and the SNAP header after them.
pub(super) const TABLE: &[Entry] = &[
    (&[&llc::DSAP], |c| {
        (
            format!(
                "DSAP 0x{:02x} ({}): the destination service access point, which protocol on the receiver takes the frame (802.3 frames have a length where Ethernet II has a type, so this says what follows).",
                c.n,
                llc::sap_name(c.n as u8)
            ),
            spec(c),
        )
    }),
    (&[&llc::DSAP_SAP, &llc::SSAP_SAP], |c| {
        (
            format!("SAP {}: the address without its lowest bit.", c.n),
            spec(c),
        )
    }),
    (&[&llc::DSAP_IG], |c| {
        (
            format!(
                "I/G bit {}: {}",
                c.n,
                if c.n == 1 {
                    "a group address."
                } else {
                    "an individual address."
                }
            ),
            spec(c),
        )
    }),
    (&[&llc::SSAP], |c| {
        (
            format!(
                "SSAP 0x{:02x} ({}): the source service access point, the sending protocol.",
                c.n,
                llc::sap_name(c.n as u8)
            ),
            spec(c),
        )
    }),
    (&[&llc::SSAP_CR], |c| {
        (
            format!(
                "C/R bit {}: {}",
                c.n,
                if c.n == 1 {
                    "a response."
                } else {
                    "a command."
                }
            ),
            spec(c),
        )
    }),
    (&[&llc::CONTROL], |c| {
        (
            format!(
                "Control 0x{:02x}: the frame's kind; 0x03 is an unnumbered information (UI) frame, plain datagrams with no LLC-level acknowledgment.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&llc::U_CMD, &llc::U_RESP], |c| {
        (
            format!(
                "Unnumbered {} 0x{:02x}: which U-frame this is (UI, XID, TEST …).",
                c.f.name.to_lowercase(),
                c.n
            ),
            spec(c),
        )
    }),
    (&[&llc::FTYPE], |c| {
        let what = match c.n {
            3 => "unnumbered (U)",
            1 => "supervisory (S)",
            _ => "information (I)",
        };
        (format!("Frame type {}: {what}.", c.n), spec(c))
    }),
    (&[&llc::N_R], |c| {
        (
            format!(
                "N(R) {}: the next I-frame number the sender expects (LLC type 2, connection mode).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&llc::N_S], |c| {
        (
            format!("N(S) {}: this I-frame's send sequence number.", c.n),
            spec(c),
        )
    }),
    (&[&llc::OUI], |c| {
        (
            format!(
                "Organization code 0x{:06x}{}: SNAP's 3-byte owner of the protocol number that follows.",
                c.n,
                match c.n {
                    0 => " (encapsulated Ethernet: the next field is an EtherType)",
                    0x00000c => " (Cisco)",
                    0x0080c2 => " (IEEE 802.1)",
                    _ => "",
                }
            ),
            spec(c),
        )
    }),
    (&[&llc::TYPE], |c| {
        (
            format!(
                "Type 0x{:04x} ({}): an EtherType, so SNAP carries the same protocols as Ethernet II (ARP and IP over SNAP).",
                c.n,
                names::ethertype(c.n as u16)
            ),
            spec(c),
        )
    }),
    (&[&llc::PID], |c| {
        (
            format!(
                "Protocol ID 0x{:04x}: a protocol number assigned by the organization above.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&llc::CISCO_PID], |c| {
        let what = match c.n {
            0x2000 => "CDP",
            0x010b => "PVST+ (per-VLAN spanning tree)",
            0x2004 => "DTP",
            _ => "a Cisco protocol",
        };
        (format!("Cisco protocol ID 0x{:04x}: {what}.", c.n), spec(c))
    }),
];
