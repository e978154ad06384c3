//! The glossary's QUIC packet header and frame sentences (RFC 9000, and
//! RFC 9001 for the protection of Initial packets).

use super::*;
use crate::decode::quic::{self, frames};

/// QUIC long and short headers, and the frames of decrypted Initials.
pub(super) const TABLE: &[Entry] = &[
    (&[&quic::PACKET_LENGTH], |c| {
        (
            format!(
                "Packet length {}: bytes of this QUIC packet; one UDP datagram may carry several.",
                c.n
            ),
            "RFC 9000 §12.2",
        )
    }),
    (&[&quic::HEADER_FORM], |c| {
        (
            format!(
                "Header form {}: {}",
                c.n,
                if c.n == 1 {
                    "a long header, used while the connection is being set up; it carries the version and both connection IDs."
                } else {
                    "a short header, used once keys are set; it carries only the destination connection ID."
                }
            ),
            spec(c),
        )
    }),
    (&[&quic::FIXED_BIT], |c| {
        (
            format!(
                "Fixed bit {}: always 1 in QUIC v1, which lets QUIC share a port with other protocols.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&quic::PACKET_TYPE], |c| {
        let what = match c.n {
            0 => "Initial: the first flight, carrying the TLS ClientHello or ServerHello",
            1 => "0-RTT: early data sent with keys from an earlier session",
            2 => "Handshake: the rest of the TLS handshake",
            _ => "Retry: the server asks the client to prove its address with a token",
        };
        (format!("Packet type {}, {what}.", c.n), spec(c))
    }),
    (&[&quic::RESERVED], |c| {
        (
            format!(
                "Reserved bits {}: must be 0; they are hidden by header protection like the packet number length.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&quic::PN_LENGTH], |c| {
        (
            format!(
                "Packet number length field {}: the packet number takes {} byte(s); it is only readable after header protection is removed.",
                c.n,
                c.n + 1
            ),
            spec(c),
        )
    }),
    (&[&quic::SPIN_BIT], |c| {
        (
            format!(
                "Spin bit {}: flipped once per round trip, so an observer can measure latency without reading anything else.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&quic::VERSION], |c| {
        let what = match c.n {
            0x0000_0001 => "QUIC version 1 (RFC 9000)",
            0x6b33_43cf => "QUIC version 2 (RFC 9369)",
            0 => "version negotiation: the server lists the versions it speaks",
            n if n & 0x0f0f_0f0f == 0x0a0a_0a0a => {
                "a reserved version that forces version negotiation"
            }
            _ => "a draft or private version",
        };
        (format!("Version 0x{:08x}: {what}.", c.n), spec(c))
    }),
    (&[&quic::DCIL, &quic::SCIL], |c| {
        (
            format!(
                "Connection ID length {}: bytes of the ID that follows (0 to 20).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&quic::DCID], |c| {
        (
            format!(
                "Destination connection ID, {} bytes: names the connection for the receiver, so it survives a change of address or port; a client Initial's ID also seeds the Initial keys (RFC 9001 §5.2), which is how wirepeek decrypts it.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&quic::SCID], |c| {
        (
            format!(
                "Source connection ID, {} bytes: the ID the sender wants to see as destination in replies.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&quic::TOKEN_LENGTH], |c| {
        (
            format!(
                "Token length {}: {}",
                c.n,
                if c.n == 0 {
                    "no token; a first Initial has none."
                } else {
                    "a token from a Retry or an earlier connection follows."
                }
            ),
            spec(c),
        )
    }),
    (&[&quic::TOKEN], |c| {
        (
            format!(
                "Token, {} bytes: proves the client received an earlier packet at this address.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&quic::LENGTH], |c| {
        (
            format!(
                "Length {}: bytes of packet number and payload, so another packet may follow in the datagram (a variable-length integer).",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&quic::PACKET_NUMBER], |c| {
        (
            format!(
                "Packet number {}: counts up and is never reused, even for retransmitted data; acknowledgments name packets by it.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&quic::PAYLOAD], |c| {
        (
            format!(
                "Payload, {} bytes, encrypted with AEAD (16 of them are the authentication tag).",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&quic::REMAINING], |c| {
        (
            format!(
                "Remaining payload, {} bytes that could not be decrypted here (keys other than the Initial ones belong to the two ends only).",
                c.len
            ),
            spec(c),
        )
    }),
    // Frames.
    (&[&frames::FRAME_TYPE], |c| {
        let what = match c.n {
            0 => {
                "PADDING: makes a client Initial at least 1200 bytes, so the server cannot be used to amplify attacks"
            }
            1 => "PING: asks for an acknowledgment",
            2 | 3 => "ACK: which packet numbers arrived",
            6 => "CRYPTO: TLS handshake bytes",
            8..=15 => "STREAM: application data",
            0x1c | 0x1d => "CONNECTION_CLOSE",
            _ => "a frame this lesson does not detail",
        };
        (format!("Frame type {}, {what}.", c.n), spec(c))
    }),
    (&[&frames::PADDING_LENGTH], |c| {
        (
            format!("{} bytes of padding frames (zeros).", c.n),
            "RFC 9000 §19.1",
        )
    }),
    (&[&frames::ACK_LARGEST], |c| {
        (
            format!(
                "Largest acknowledged {}: the highest packet number received.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&frames::ACK_DELAY], |c| {
        (
            format!(
                "ACK delay {}: how long the receiver held the acknowledgment, scaled by the peer's ack_delay_exponent, to keep RTT estimates honest.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&frames::ACK_RANGE_COUNT], |c| {
        (
            format!(
                "ACK range count {}: gap/range pairs after the first range.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&frames::ACK_FIRST_RANGE], |c| {
        (
            format!(
                "First ACK range {}: that many packets before the largest also arrived.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&frames::ACK_GAP], |c| {
        (
            format!("Gap {}: packets missing before the next range.", c.n),
            spec(c),
        )
    }),
    (&[&frames::ACK_RANGE], |c| {
        (
            format!("ACK range {}: packets received after the gap.", c.n),
            spec(c),
        )
    }),
    (
        &[&frames::ACK_ECT0, &frames::ACK_ECT1, &frames::ACK_CE],
        |c| {
            (
                format!(
                    "ECN count {}: packets that arrived with this ECN mark; CE counts mean a router signalled congestion.",
                    c.n
                ),
                spec(c),
            )
        },
    ),
    (&[&frames::CRYPTO_OFFSET], |c| {
        (
            format!(
                "Offset {}: where these bytes sit in the TLS handshake stream, which may arrive out of order.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&frames::CRYPTO_LENGTH], |c| {
        (
            format!("Length {}: bytes of TLS handshake data in this frame.", c.n),
            spec(c),
        )
    }),
];
