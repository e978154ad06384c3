//! The glossary's VXLAN sentences (RFC 7348, and the group policy draft).

use super::*;
use crate::decode::vxlan;

/// The 8-byte VXLAN header.
pub(super) const TABLE: &[Entry] = &[
    (&[&vxlan::FLAGS], |c| {
        (
            format!(
                "Flags 0x{:04x}: only the I bit is required; a whole Ethernet frame follows the 8-byte header, carried in UDP to port 4789.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&vxlan::FLAG_G], |c| {
        (
            format!(
                "G {}: a group policy ID is {}.",
                c.n,
                if c.n == 1 { "present" } else { "absent" }
            ),
            spec(c),
        )
    }),
    (&[&vxlan::FLAG_I], |c| {
        (
            format!(
                "I {}: the VNI field is {}valid (must be 1).",
                c.n,
                if c.n == 1 { "" } else { "not " }
            ),
            spec(c),
        )
    }),
    (&[&vxlan::FLAG_D], |c| {
        (
            format!(
                "Don't learn {}: the receiver {} learn the inner source MAC.",
                c.n,
                if c.n == 1 { "must not" } else { "may" }
            ),
            spec(c),
        )
    }),
    (&[&vxlan::FLAG_A], |c| {
        (
            format!(
                "Policy applied {}: the group policy {} already enforced.",
                c.n,
                if c.n == 1 { "was" } else { "was not" }
            ),
            spec(c),
        )
    }),
    (&[&vxlan::FLAGS_RESERVED], |c| {
        (format!("Reserved flags 0x{:04x}: must be 0.", c.n), spec(c))
    }),
    (&[&vxlan::GBP], |c| {
        (
            format!(
                "Group policy ID {}: the sender's security group, for policy at the far end.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&vxlan::VNI], |c| {
        (
            format!(
                "VNI {}: the virtual network (like a VLAN ID, but 24 bits: 16 million networks) the inner frame belongs to.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&vxlan::RESERVED8], |c| {
        (format!("Reserved {}: must be 0.", c.n), spec(c))
    }),
];
