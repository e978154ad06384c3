//! The glossary's Teredo sentences (RFC 4380).

use super::*;
use crate::decode::teredo;

/// Teredo's authentication and origin indications before the inner IPv6.
pub(super) const TABLE: &[Entry] = &[
    (&[&teredo::AUTH_IDLEN], |c| {
        (
            format!("Client ID length {}: bytes of client identifier.", c.n),
            spec(c),
        )
    }),
    (&[&teredo::AUTH_AULEN], |c| {
        (
            format!(
                "Authentication length {}: bytes of authentication value.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&teredo::AUTH_ID], |c| {
        (
            format!(
                "Client identifier, {} bytes: who the client is to its server.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&teredo::AUTH_VALUE], |c| {
        (
            format!(
                "Authentication value, {} bytes: proves the message comes from the client.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&teredo::AUTH_NONCE], |c| {
        (
            format!(
                "Nonce, {} bytes: a random value the server echoes, so the client knows the answer is fresh.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&teredo::AUTH_CONF], |c| {
        (
            format!(
                "Confirmation byte ({} byte): non-zero when the client's secret must be renewed.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&teredo::ORIG_PORT], |c| {
        (
            format!(
                "Origin port {}: the client's UDP port as its NAT maps it, so the client learns how it is seen from outside (sent obfuscated, each bit inverted).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&teredo::ORIG_ADDR], |c| {
        (
            format!(
                "Origin address {}: the client's public IPv4 address behind its NAT (sent with each bit inverted). Teredo carries IPv6 in UDP so it crosses NATs that would drop IPv6-in-IPv4.",
                c.text
            ),
            spec(c),
        )
    }),
];
