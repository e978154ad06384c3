//! The names a display filter may use: every field the decoder's registry
//! declares (`decode::field`: the wire fields, and the generated ones such
//! as `tcp.stream`), the protocol names of its layers (`Proto::ALL`), and
//! Wireshark's "any" fields. `--fields` accepts the same names (and the
//! frame columns it computes itself).

use crate::decode::field;
use crate::decode::{Proto, ethernet, ipv4, ipv6, tcp, udp};

/// Wireshark's "any" fields: one name for both directions' fields.
const ANY: &[(&str, [&str; 2])] = &[
    ("ip.addr", [ipv4::SRC.key, ipv4::DST.key]),
    ("ipv6.addr", [ipv6::SRC.key, ipv6::DST.key]),
    ("tcp.port", [tcp::SRCPORT.key, tcp::DSTPORT.key]),
    ("udp.port", [udp::SRCPORT.key, udp::DSTPORT.key]),
    ("eth.addr", [ethernet::SRC.key, ethernet::DST.key]),
];

/// The protocols a filter may name: every layer but the catch-all for
/// bytes we do not decode (Wireshark has no such protocol).
fn protocols() -> impl Iterator<Item = &'static str> {
    Proto::ALL
        .iter()
        .filter(|p| **p != Proto::Unsupported)
        .map(|p| p.key())
}

/// True when a display filter or `--fields` may use this name: a declared
/// field, a protocol or an "any" field.
pub(crate) fn is_known(name: &str) -> bool {
    field::find(name).is_some() || any_field(name).is_some() || protocols().any(|p| p == name)
}

/// Every name a filter may use, for close-match hints.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    field::all()
        .map(|f| f.key)
        .chain(protocols())
        .chain(ANY.iter().map(|(name, _)| *name))
}

/// The two fields an "any" field stands for.
pub(crate) fn any_field(key: &str) -> Option<&'static [&'static str]> {
    ANY.iter()
        .find(|(name, _)| *name == key)
        .map(|(_, keys)| &keys[..])
}
