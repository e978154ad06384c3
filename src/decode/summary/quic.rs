//! Wireshark's Info column for QUIC: per packet its type, a connection ID,
//! its packet number and frames when decrypted (`Initial,
//! DCID=84acac06b42ed863, PKN: 0, CRYPTO, PADDING`), or `Protected Payload
//! (KP0)` for a short header. tcpdump 4.99 prints `UDP, length N` for QUIC.

use std::fmt::Write;

use super::super::{Dissection, Layer, Value, quic};

/// Bytes as contiguous lower-case hex.
fn write_hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
}

/// Frame type names (RFC 9000 §19), as Wireshark writes them.
fn frame(t: u64) -> &'static str {
    match t {
        0x00 => "PADDING",
        0x01 => "PING",
        0x02 | 0x03 => "ACK",
        0x04 => "RESET_STREAM",
        0x05 => "STOP_SENDING",
        0x06 => "CRYPTO",
        0x07 => "NEW_TOKEN",
        0x08..=0x0f => "STREAM",
        0x18 => "NEW_CONNECTION_ID",
        0x1c | 0x1d => "CONNECTION_CLOSE",
        0x1e => "HANDSHAKE_DONE",
        _ => "Unknown",
    }
}

/// The Info text for the QUIC layers of `d` (coalesced packets joined).
pub(super) fn info(data: &[u8], d: &Dissection, layers: &[&Layer]) -> Option<String> {
    let mut out = String::new();
    for layer in layers {
        for f in d.fields_of(layer) {
            match (f.key, &f.value) {
                (k, _) if k == quic::PACKET_LENGTH.key && !out.is_empty() => out.push_str(", "),
                (k, Value::UInt(0)) if k == quic::HEADER_FORM.key => {
                    let kp = data.get(f.bytes.start).map_or(0, |b| (b >> 2) & 1);
                    let _ = write!(out, "Protected Payload (KP{kp})");
                }
                (k, Value::UInt(t)) if k == quic::PACKET_TYPE.key => out.push_str(match t {
                    0 => "Initial",
                    1 => "0-RTT",
                    2 => "Handshake",
                    _ => "Retry",
                }),
                (k, Value::Bytes(r)) if k == quic::DCID.key => {
                    out.push_str(", DCID=");
                    write_hex(&mut out, data.get(r.clone()).unwrap_or(&[]));
                }
                (k, Value::Bytes(r)) if k == quic::SCID.key && !out.contains("DCID=") => {
                    out.push_str(", SCID=");
                    write_hex(&mut out, data.get(r.clone()).unwrap_or(&[]));
                }
                (k, Value::UInt(n)) if k == quic::PACKET_NUMBER.key => {
                    let _ = write!(out, ", PKN: {n}");
                }
                (k, Value::UInt(t)) if k == quic::frames::FRAME_TYPE.key => {
                    let _ = write!(out, ", {}", frame(*t));
                }
                _ => {}
            }
        }
    }
    (!out.is_empty()).then_some(out)
}
