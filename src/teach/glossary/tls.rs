//! The glossary's TLS record and handshake message sentences (RFC 8446,
//! RFC 5246 for TLS 1.2, RFC 5077 for tickets).

use super::*;
use crate::decode::tls::{self, handshake};

/// Why a protocol version number looks the way it does.
pub(super) fn version_note(n: u64) -> &'static str {
    match n {
        0x0300 => "SSL 3.0, broken and long retired",
        0x0301 => {
            "TLS 1.0 (numbered 3.1, SSL's successor); records still carry it for compatibility"
        }
        0x0302 => "TLS 1.1, retired by RFC 8996",
        0x0303 => "TLS 1.2 (3.3); TLS 1.3 also writes this here and says 1.3 in supported_versions",
        0x0304 => "TLS 1.3",
        n if n & 0x0f0f == 0x0a0a => {
            "a GREASE value: a random reserved number that keeps servers tolerant of unknown values (RFC 8701)"
        }
        _ => "an unusual version",
    }
}

/// Records, alerts and handshake messages.
pub(super) const TABLE: &[Entry] = &[
    (&[&tls::CONTENT_TYPE], |c| {
        let what = match c.n {
            20 => {
                "ChangeCipherSpec: from here on the sender encrypts (in TLS 1.3 only a compatibility gesture)"
            }
            21 => "an alert: a warning or the reason the connection fails",
            22 => "a handshake message: hellos, certificates, key exchange",
            23 => "application data, encrypted: what the user actually sends",
            24 => "a heartbeat (RFC 6520)",
            _ => "an unknown record type",
        };
        (
            format!("Content type {} ({}): {what}.", c.n, c.meaning),
            spec(c),
        )
    }),
    (&[&tls::RECORD_VERSION], |c| {
        (
            format!("Record version 0x{:04x}: {}.", c.n, version_note(c.n)),
            spec(c),
        )
    }),
    (&[&tls::RECORD_LENGTH], |c| {
        (
            format!(
                "Record length {}: bytes of record data after this 5-byte header (at most 16384 plus the encryption overhead).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&tls::APP_DATA], |c| {
        (
            format!(
                "Encrypted application data, {} bytes: only the two ends hold the keys, so an observer sees only its size and timing.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&tls::ALERT_LEVEL], |c| {
        (
            format!(
                "Alert level {}: {}",
                c.n,
                if c.n == 2 {
                    "fatal, the connection ends now."
                } else {
                    "warning (TLS 1.3 ignores the level; close_notify is the usual one)."
                }
            ),
            spec(c),
        )
    }),
    (&[&tls::ALERT_DESC], |c| {
        (
            format!(
                "Alert {} ({}): why the sender is warning or closing; after the handshake alerts are encrypted and cannot be read.",
                c.n, c.meaning
            ),
            spec(c),
        )
    }),
    (&[&handshake::TYPE], |c| {
        let what = match c.n {
            1 => {
                "the client's opening offer: versions, cipher suites, extensions such as the server name"
            }
            2 => "the server's choice among the client's offers",
            4 => "a ticket the client can use to resume the session later",
            8 => "the server's encrypted extensions (TLS 1.3)",
            11 => "the certificate chain that proves the server's identity",
            12 => "the server's key exchange parameters (TLS 1.2)",
            13 => "the server asks the client for a certificate",
            14 => "the server has finished its hello messages (TLS 1.2)",
            15 => "a signature proving possession of the certificate's key",
            16 => "the client's key exchange (TLS 1.2)",
            20 => "a MAC over the whole handshake: proof nobody tampered with it",
            _ => "a less common handshake message",
        };
        (
            format!("Handshake type {} ({}): {what}.", c.n, c.meaning),
            spec(c),
        )
    }),
    (&[&handshake::LENGTH], |c| {
        (
            format!(
                "Handshake length {}: bytes of this message after its 4-byte header.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&handshake::VERSION], |c| {
        (
            format!("Version 0x{:04x}: {}.", c.n, version_note(c.n)),
            spec(c),
        )
    }),
    (&[&handshake::RANDOM], |c| {
        (
            format!(
                "Random, {} bytes chosen fresh by the sender: both hellos' randoms go into the keys, so a recorded handshake cannot be replayed.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&handshake::RANDOM_BYTES], |c| {
        (
            format!(
                "Random bytes ({}): in TLS 1.2 the random after its first 4 bytes (which once held the time).",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&handshake::SESSION_ID_LENGTH], |c| {
        (
            format!(
                "Session ID length {}: bytes of session ID that follow (at most 32).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&handshake::SESSION_ID], |c| {
        (
            format!(
                "Session ID, {} bytes: in TLS 1.2 a handle to resume a session; TLS 1.3 clients send a random one so middleboxes see a familiar handshake.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&handshake::CIPHER_SUITES_LENGTH], |c| {
        (
            format!(
                "Cipher suites length {}: {} suites of 2 bytes each follow, in the client's order of preference.",
                c.n,
                c.n / 2
            ),
            spec(c),
        )
    }),
    (&[&handshake::CIPHERSUITE], |c| {
        let what = match c.n {
            0x1301 => "TLS_AES_128_GCM_SHA256 (TLS 1.3)",
            0x1302 => "TLS_AES_256_GCM_SHA384 (TLS 1.3)",
            0x1303 => "TLS_CHACHA20_POLY1305_SHA256 (TLS 1.3)",
            0x00ff => "not a suite: the renegotiation signal (RFC 5746)",
            n if n & 0x0f0f == 0x0a0a => "a GREASE value (RFC 8701)",
            _ => "a suite naming key exchange, cipher and hash (TLS 1.2 or older)",
        };
        (
            format!(
                "Cipher suite 0x{:04x}, {what}: a combination of algorithms the client offers or the server picked.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&handshake::COMP_METHODS_LENGTH], |c| {
        (format!("Compression methods length {}.", c.n), spec(c))
    }),
    (&[&handshake::COMP_METHOD], |c| {
        (
            format!(
                "Compression method {}{}: TLS compression leaked secrets (the CRIME attack), so only 0 (none) is used now.",
                c.n,
                if c.n == 0 { " (null)" } else { "" }
            ),
            spec(c),
        )
    }),
    (&[&handshake::EXTENSIONS_LENGTH], |c| {
        (
            format!(
                "Extensions length {}: bytes of extensions that end the hello.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&handshake::CERTIFICATES_LENGTH], |c| {
        (
            format!("Certificates length {}: bytes of the whole chain.", c.n),
            spec(c),
        )
    }),
    (&[&handshake::CERTIFICATE_LENGTH], |c| {
        (
            format!("Certificate length {}: bytes of the next certificate.", c.n),
            spec(c),
        )
    }),
    (&[&handshake::CERTIFICATE], |c| {
        (
            format!(
                "Certificate, {} bytes of DER-encoded X.509: a name and public key signed by an authority; the first is the server's own, the rest lead to a trusted root.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&handshake::TICKET_LIFETIME], |c| {
        (
            format!(
                "Ticket lifetime hint {} s: how long the client may keep the ticket.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&handshake::TICKET_LENGTH], |c| {
        (format!("Ticket length {}.", c.n), spec(c))
    }),
    (&[&handshake::TICKET], |c| {
        (
            format!(
                "Session ticket, {} bytes: session state the server encrypted for itself; the client presents it to resume without a full handshake.",
                c.len
            ),
            spec(c),
        )
    }),
];
