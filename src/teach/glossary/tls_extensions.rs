//! The glossary's TLS hello extension sentences (RFC 8446 §4.2, RFC 6066
//! for the server name, RFC 7301 for ALPN, RFC 8422 for EC formats).

use super::tls::version_note;
use super::*;
use crate::decode::tls::extensions as ext;

fn group_note(n: u64) -> &'static str {
    match n {
        0x001d => "X25519, the usual elliptic-curve key exchange",
        0x0017..=0x0019 => "a NIST curve (P-256, P-384 or P-521)",
        0x0100..=0x0104 => "a finite-field Diffie-Hellman group (RFC 7919)",
        0x11ec => "X25519MLKEM768, a hybrid with a post-quantum KEM",
        n if n & 0x0f0f == 0x0a0a => "a GREASE value (RFC 8701)",
        _ => "a key-exchange group",
    }
}

/// Extensions of the ClientHello and ServerHello.
pub(super) const TABLE: &[Entry] = &[
    (&[&ext::TYPE], |c| {
        (
            format!(
                "Extension {} ({}): hellos grow by extensions, each a type, a length and data, so new features need no new message.",
                c.n, c.meaning
            ),
            spec(c),
        )
    }),
    (&[&ext::LEN], |c| {
        (
            format!("Extension length {}: bytes of its data.", c.n),
            spec(c),
        )
    }),
    (&[&ext::SNI_LIST_LEN], |c| {
        (format!("Server name list length {}.", c.n), spec(c))
    }),
    (&[&ext::SNI_TYPE], |c| {
        (
            format!(
                "Name type {}{}: the only type ever defined.",
                c.n,
                if c.n == 0 { " (host_name)" } else { "" }
            ),
            spec(c),
        )
    }),
    (&[&ext::SNI_LEN], |c| {
        (format!("Server name length {}.", c.n), spec(c))
    }),
    (&[&ext::SNI], |c| {
        (
            format!(
                "Server name {}: the site the client wants, sent before encryption starts so one address can host many certificates; this is why an observer sees which site you visit.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&ext::GROUPS_LENGTH], |c| {
        (
            format!(
                "Supported groups length {}: {} groups of 2 bytes.",
                c.n,
                c.n / 2
            ),
            spec(c),
        )
    }),
    (&[&ext::GROUP], |c| {
        (
            format!(
                "Group 0x{:04x} ({}): {}; one of the key exchanges the client can do.",
                c.n,
                c.meaning,
                group_note(c.n)
            ),
            spec(c),
        )
    }),
    (&[&ext::EC_FORMATS_LENGTH], |c| {
        (format!("EC point formats length {}.", c.n), spec(c))
    }),
    (&[&ext::EC_FORMAT], |c| {
        (
            format!(
                "EC point format {}{}: how elliptic-curve points are encoded (TLS 1.2 and older).",
                c.n,
                if c.n == 0 { " (uncompressed)" } else { "" }
            ),
            spec(c),
        )
    }),
    (&[&ext::SIG_LEN], |c| {
        (
            format!(
                "Signature algorithms length {}: {} algorithms of 2 bytes.",
                c.n,
                c.n / 2
            ),
            spec(c),
        )
    }),
    (&[&ext::SIG_ALG], |c| {
        let what = match c.n {
            0x0403 | 0x0503 | 0x0603 => "ECDSA with SHA-2",
            0x0804..=0x0806 => "RSA-PSS with SHA-2",
            0x0401 | 0x0501 | 0x0601 => "RSA PKCS#1 v1.5 with SHA-2",
            0x0807 => "Ed25519",
            0x0808 => "Ed448",
            _ => "a signature scheme",
        };
        (
            format!(
                "Signature algorithm 0x{:04x} ({what}): a way the client accepts to see the server sign the handshake and its certificates.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&ext::SIG_HASH], |c| {
        (
            if c.n == 8 {
                "Hash 8: not a hash; TLS 1.3 puts 8 here for schemes named as a whole (RSA-PSS, EdDSA), whose second byte says which.".to_string()
            } else {
                format!(
                    "Hash {}: the first byte of a TLS 1.2 signature algorithm (4 = SHA-256, 5 = SHA-384, 6 = SHA-512).",
                    c.n
                )
            },
            spec(c),
        )
    }),
    (&[&ext::SIG_SIG], |c| {
        (
            format!(
                "Signature {}: the second byte of a TLS 1.2 signature algorithm (1 = RSA, 3 = ECDSA).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&ext::ALPN_LEN], |c| {
        (format!("ALPN list length {}.", c.n), spec(c))
    }),
    (&[&ext::ALPN_STR_LEN], |c| {
        (format!("ALPN string length {}.", c.n), spec(c))
    }),
    (&[&ext::ALPN_STR], |c| {
        let what = match c.text {
            "h2" => "HTTP/2",
            "http/1.1" => "HTTP/1.1",
            "h3" => "HTTP/3 over QUIC",
            "dot" => "DNS over TLS",
            _ => "an application protocol",
        };
        (
            format!(
                "ALPN {} ({what}): the protocol to speak inside TLS, agreed during the handshake so no extra round trip is needed.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&ext::VERSIONS_LEN], |c| {
        (format!("Supported versions length {}.", c.n), spec(c))
    }),
    (&[&ext::VERSION], |c| {
        (
            format!(
                "Supported version 0x{:04x}: {}. This extension is where TLS 1.3 is really negotiated.",
                c.n,
                version_note(c.n)
            ),
            spec(c),
        )
    }),
    (&[&ext::KEY_SHARE_LENGTH], |c| {
        (format!("Client key share length {}.", c.n), spec(c))
    }),
    (&[&ext::KEY_SHARE_GROUP], |c| {
        (
            format!(
                "Key share group {} ({}): the client guesses the group the server will pick and sends its public key at once, saving a round trip.",
                c.n,
                group_note(c.n)
            ),
            spec(c),
        )
    }),
    (&[&ext::KEY_EXCHANGE_LENGTH], |c| {
        (format!("Key exchange length {}.", c.n), spec(c))
    }),
    (&[&ext::KEY_EXCHANGE], |c| {
        (
            format!(
                "Key exchange, {} bytes: the sender's ephemeral public key; with the peer's it gives the shared secret, and an observer cannot compute it.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&ext::RENEG_LEN], |c| {
        (
            format!(
                "Renegotiation info length {}: 0 on a first handshake; the extension proves both sides guard against the renegotiation attack.",
                c.n
            ),
            spec(c),
        )
    }),
];
