//! Wireshark's Info column for a GRE packet nothing is decoded inside
//! (packet-gre.c): `Encapsulated` and the name of its protocol type. Only
//! the keepalive (protocol type 0, RFC 2784 §2.4 leaves it unassigned;
//! Cisco's keepalives use it) is worded here.

use super::super::view::View;
use super::super::{Layer, gre};

/// The Info text of the GRE layer `layer` when it is the innermost one.
pub(super) fn info(data: &[u8], layer: &Layer) -> Option<String> {
    match View::of(data, layer).u16(&gre::PROTO)? {
        0 => Some("Encapsulated Possible GRE keepalive packet".to_string()),
        _ => None,
    }
}
