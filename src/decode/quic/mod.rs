//! QUIC (RFC 9000 §17): long-header packets (Initial, 0-RTT, Handshake,
//! Retry) and short-header packets, as tshark shows them. Initial packets
//! are decrypted as tshark does (RFC 9001 §5.2, [`crypto`]) with the keys
//! a client's first Initial carries in its own Destination Connection ID;
//! the decrypted frames become a second data source ("Decrypted QUIC"),
//! and the ClientHello in their CRYPTO data is decoded by the TLS code.
//!
//! ```text
//! Long header:  |1|1|T T|X X X X| Version (32) | DCID Len (8) | DCID ...
//!               | SCID Len (8) | SCID ... | [Initial: Token Length (i), Token]
//!               | Length (i) | Packet Number (8..32, protected) | Payload
//! Short header: |0|1|S|R R|K|P P| DCID (length known only to the peers) ...
//! ```
//! The decoder keeps no state between packets, so what needs the
//! connection's history is not shown: a server's Initial and a client's
//! later Initials are keyed by the client's first Destination Connection
//! ID, which they do not carry (a note says so), and a short header's
//! Destination Connection ID has a length only the connection knows.

pub mod crypto;
pub mod frames;

use super::field::{FieldDef, Format::*};
use super::{Ctx, DataSource, NoteKind, Proto, Severity, Value};

crate::fields! {
    PACKET_LENGTH = FieldDef::generated("quic.packet_length", "Packet Length", Dec);
    HEADER_FORM = FieldDef::var("quic.header_form", "Header Form", Dec).mask(0x80).spec("RFC 9000 §17.2");
    FIXED_BIT = FieldDef::var("quic.fixed_bit", "Fixed Bit", Bool).mask(0x40).spec("RFC 9000 §17.2");
    PACKET_TYPE = FieldDef::var("quic.long.packet_type", "Packet Type", Dec).mask(0x30).spec("RFC 9000 §17.2");
    RESERVED = FieldDef::var("quic.long.reserved", "Reserved", Dec).mask(0x0c).spec("RFC 9000 §17.2");
    PN_LENGTH = FieldDef::var("quic.packet_number_length", "Packet Number Length", Dec).mask(0x03).spec("RFC 9000 §17.2");
    SPIN_BIT = FieldDef::var("quic.spin_bit", "Spin Bit", Bool).mask(0x20).spec("RFC 9000 §17.3.1");
    VERSION = FieldDef::var("quic.version", "Version", Hex(8)).spec("RFC 9000 §15");
    DCIL = FieldDef::var("quic.dcil", "Destination Connection ID Length", Dec).spec("RFC 9000 §17.2");
    DCID = FieldDef::var("quic.dcid", "Destination Connection ID", Bytes).spec("RFC 9000 §17.2");
    SCIL = FieldDef::var("quic.scil", "Source Connection ID Length", Dec).spec("RFC 9000 §17.2");
    SCID = FieldDef::var("quic.scid", "Source Connection ID", Bytes).spec("RFC 9000 §17.2");
    TOKEN_LENGTH = FieldDef::var("quic.token_length", "Token Length", Dec).spec("RFC 9000 §17.2.2");
    TOKEN = FieldDef::var("quic.token", "Token", Bytes).spec("RFC 9000 §17.2.2");
    LENGTH = FieldDef::var("quic.length", "Length", Dec).spec("RFC 9000 §17.2");
    PACKET_NUMBER = FieldDef::var("quic.packet_number", "Packet Number", Dec).spec("RFC 9000 §17.1");
    PAYLOAD = FieldDef::var("quic.payload", "Payload", Bytes).spec("RFC 9001 §5.3");
    REMAINING = FieldDef::var("quic.remaining_payload", "Remaining Payload", Bytes).spec("RFC 9001 §5");
}

/// Long packet types of QUIC version 1 (RFC 9000 §17.2).
pub const INITIAL: u8 = 0;
pub const RETRY: u8 = 3;

/// Versions whose long headers we recognise by content: 1 (RFC 9000),
/// 2 (RFC 9369), and the IETF drafts (0xff0000xx).
fn known_version(v: u32) -> bool {
    v == 1 || v == 0x6b33_43cf || v >> 8 == 0x00ff_0000
}

/// Coalesced packets in one datagram (RFC 9000 §12.2): a handful at most.
const MAX_PACKETS: usize = 16;

/// Whether a UDP payload between these ports is QUIC, as tshark decides:
/// on port 443, and elsewhere a long header of a known version.
pub(crate) fn claims(bytes: &[u8], sport: u16, dport: u16) -> bool {
    if bytes.is_empty() {
        return false;
    }
    if sport == 443 || dport == 443 {
        return bytes[0] & 0x40 != 0 || bytes[0] & 0x80 != 0;
    }
    bytes.len() >= 7
        && bytes[0] & 0xc0 == 0xc0
        && known_version(u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]))
        && bytes[5] <= 20
}

/// A variable-length integer (RFC 9000 §16) at `at`: value and size.
pub(crate) fn varint(data: &[u8], at: usize) -> Option<(u64, usize)> {
    let first = *data.get(at)?;
    let len = 1usize << (first >> 6);
    let bytes = data.get(at..at + len)?;
    let value = bytes[1..]
        .iter()
        .fold(u64::from(first & 0x3f), |acc, b| acc << 8 | u64::from(*b));
    Some((value, len))
}

/// Decode the QUIC packets of the UDP payload `at..end`.
pub fn dissect(ctx: &mut Ctx, at: usize, end: usize) {
    ctx.layer(Proto::Quic, at..end);
    let end = end.min(ctx.data.len());
    let mut p = at;
    for _ in 0..MAX_PACKETS {
        if p >= end {
            return;
        }
        let first = ctx.data[p];
        // A coalesced packet after one whose CRYPTO data became a TLS
        // layer: a QUIC layer of its own, as tshark shows it.
        if ctx.d.layers.last().is_some_and(|l| l.proto != Proto::Quic) {
            ctx.layer(Proto::Quic, p..end);
        }
        if first & 0x80 == 0 {
            short(ctx, p, end);
            return;
        }
        match long(ctx, p, end) {
            Some(next) if next > p => p = next,
            _ => return,
        }
    }
    ctx.malformed(
        Proto::Quic,
        p,
        format!("more than {MAX_PACKETS} coalesced QUIC packets in one datagram"),
    );
}

/// A short-header packet: everything after the first byte is protected or
/// a connection ID whose length this packet does not say.
fn short(ctx: &mut Ctx, p: usize, end: usize) {
    ctx.generated(&PACKET_LENGTH, Value::UInt((end - p) as u64));
    ctx.uint_at(&HEADER_FORM, p..p + 1);
    ctx.uint_at(&FIXED_BIT, p..p + 1);
    ctx.uint_at(&SPIN_BIT, p..p + 1);
    ctx.bytes_at(&REMAINING, p + 1..end);
}

/// Say that a long header's `what` runs past the datagram.
fn cut(ctx: &mut Ctx, p: usize, what: &str) -> Option<usize> {
    ctx.note(
        Severity::Note,
        NoteKind::Truncated,
        Proto::Quic,
        p,
        format!("QUIC long header cut: its {what} runs past the datagram's captured end"),
    );
    None
}

/// A long-header packet at `p`; returns where the next coalesced packet
/// starts.
fn long(ctx: &mut Ctx, p: usize, end: usize) -> Option<usize> {
    let data = ctx.data;
    if p + 6 > end {
        return cut(ctx, p, "version and connection ID lengths");
    }
    let version = u32::from_be_bytes([data[p + 1], data[p + 2], data[p + 3], data[p + 4]]);
    let kind = (data[p] & 0x30) >> 4;
    // The Length field bounds the packet; find it before emitting
    // quic.packet_length, which tshark shows first.
    let dcil = usize::from(data[p + 5]);
    let dcid = p + 6;
    let Some(&scil) = data.get(dcid + dcil).filter(|_| dcid + dcil < end) else {
        return cut(ctx, p, "destination connection ID");
    };
    let scid = dcid + dcil + 1;
    let mut q = scid + usize::from(scil);
    if q > end {
        return cut(ctx, p, "source connection ID");
    }
    let v1 = version == 1;
    let mut token = None;
    if v1 && kind == INITIAL {
        let Some((n, size)) = varint(data, q).filter(|(_, s)| q + s <= end) else {
            return cut(ctx, p, "token length");
        };
        token = Some((q, size, n as usize));
        q += size;
        if q + n as usize > end {
            return cut(ctx, p, "token");
        }
        q += n as usize;
    }
    let length = if !v1 || kind == RETRY {
        None
    } else {
        let Some((n, size)) = varint(data, q).filter(|(_, s)| q + s <= end) else {
            return cut(ctx, p, "length");
        };
        Some((q, size, n as usize))
    };
    let stop = match length {
        Some((at, size, n)) => (at + size + n).min(end),
        None => end,
    };
    ctx.generated(&PACKET_LENGTH, Value::UInt((stop - p) as u64));
    ctx.uint_at(&HEADER_FORM, p..p + 1);
    ctx.uint_at(&FIXED_BIT, p..p + 1);
    ctx.uint_at(&PACKET_TYPE, p..p + 1);
    ctx.uint_at(&VERSION, p + 1..p + 5);
    ctx.uint_at(&DCIL, p + 5..p + 6);
    ctx.bytes_at(&DCID, dcid..dcid + dcil);
    ctx.uint_at(&SCIL, scid - 1..scid);
    ctx.bytes_at(&SCID, scid..scid + usize::from(scil));
    if let Some((at, size, n)) = token {
        ctx.value_at(&TOKEN_LENGTH, at..at + size, Value::UInt(n as u64));
        ctx.bytes_at(&TOKEN, at + size..at + size + n);
    }
    let Some((at, size, n)) = length else {
        return Some(end);
    };
    ctx.value_at(&LENGTH, at..at + size, Value::UInt(n as u64));
    let pn_at = at + size;
    if pn_at + n > end {
        ctx.short_of(Proto::Quic, pn_at, n, end, "packet length");
    }
    if kind == INITIAL && ctx.fields_on {
        initial(ctx, p, pn_at, stop, &data[dcid..dcid + dcil]);
    } else {
        ctx.bytes_at(&REMAINING, pn_at..stop);
    }
    Some(stop)
}

/// An Initial packet `p..stop` whose packet number starts at `pn_at`:
/// decrypt it with the client keys its Destination Connection ID gives.
fn initial(ctx: &mut Ctx, p: usize, pn_at: usize, stop: usize, dcid: &[u8]) {
    let keys = crypto::initial_keys(dcid, false);
    let opened = match crypto::open(&ctx.data[p..stop], pn_at - p, &keys) {
        Ok(opened) => opened,
        Err(why) => {
            let message = match why {
                crypto::Failure::NoSample | crypto::Failure::TooShort => {
                    "QUIC Initial too short to remove its protection".to_string()
                }
                crypto::Failure::Authentication => "QUIC Initial not decrypted: the keys from its Destination Connection ID do not open it (a server's Initial or a later client Initial, keyed by the client's first Destination Connection ID, which this packet does not carry; or damaged bytes)".to_string(),
            };
            ctx.note(
                Severity::Note,
                NoteKind::Unsupported,
                Proto::Quic,
                pn_at,
                message,
            );
            ctx.bytes_at(&REMAINING, pn_at..stop);
            return;
        }
    };
    let first = Value::UInt(u64::from((opened.first & 0x0c) >> 2));
    ctx.value_at(&RESERVED, p..p + 1, first);
    let pn_len = Value::UInt(u64::from(opened.first & 0x03));
    ctx.value_at(&PN_LENGTH, p..p + 1, pn_len);
    let pn_end = pn_at + opened.pn_len;
    ctx.value_at(&PACKET_NUMBER, pn_at..pn_end, Value::UInt(opened.pn));
    ctx.bytes_at(&PAYLOAD, pn_end..stop);
    ctx.d.sources.push(DataSource {
        name: "Decrypted QUIC",
        bytes: opened.plaintext,
    });
    frames::decrypted(ctx, ctx.d.sources.len());
}

#[cfg(test)]
mod tests {
    use crate::decode::ethernet::tests::{decode_raw, get, ipv4, note};
    use crate::decode::{NoteKind, Proto, Value};

    /// RFC 9001 A.3's server Initial, protected (an RFC example).
    const A3: &str = "cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc42158407dd074ee";

    fn datagram(quic: &[u8], keep: usize) -> crate::decode::Dissection {
        datagram_bytes(quic, keep).1
    }

    fn datagram_bytes(quic: &[u8], keep: usize) -> (Vec<u8>, crate::decode::Dissection) {
        let total = 28 + quic.len();
        let mut bytes = ipv4(17, total as u16);
        let [lh, ll] = ((8 + quic.len()) as u16).to_be_bytes();
        bytes.extend([0x01, 0xbb, 0xc3, 0x50, lh, ll, 0, 0]); // 443 -> 50000
        bytes.extend(&quic[..keep]);
        (bytes.clone(), decode_raw(bytes, total))
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn server_initial_of_rfc_9001_a3_shows_its_header_and_a_note_not_its_frames() {
        let packet = hex(A3);
        let (bytes, d) = datagram_bytes(&packet, packet.len());
        assert!(d.has(Proto::Quic));
        assert_eq!(get(&d, "quic.header_form").0, Value::UInt(1));
        assert_eq!(get(&d, "quic.long.packet_type").0, Value::UInt(0));
        assert_eq!(get(&d, "quic.version").0, Value::Hex(1, 8));
        assert_eq!(get(&d, "quic.dcil").0, Value::UInt(0));
        assert_eq!(get(&d, "quic.scid").1, 28 + 7..28 + 15);
        assert_eq!(get(&d, "quic.token_length").0, Value::UInt(0));
        assert_eq!(get(&d, "quic.length").0, Value::UInt(0x75));
        assert_eq!(
            get(&d, "quic.packet_length").0,
            Value::UInt(packet.len() as u64)
        );
        // Its keys come from the client's DCID, which it does not carry.
        let why = note(&d, Proto::Quic, NoteKind::Unsupported);
        assert!(why.contains("not decrypted"), "{why}");
        assert!(d.field("quic.packet_number").is_none());
        assert!(!d.has(Proto::Tls));
        let info = crate::decode::summary::app::info(&bytes, &d);
        assert_eq!(info.as_deref(), Some("Initial, SCID=f067a5502a4262b5"));
    }

    #[test]
    fn quic_cut_anywhere_or_with_lengths_past_the_end_never_panics() {
        let packet = hex(A3);
        for keep in 0..=packet.len() {
            let _ = datagram(&packet, keep);
            let _ = datagram(&packet[..keep], keep);
        }
        let mut hostile = packet.clone();
        for i in 0..24 {
            hostile[i] = 0xff;
            let _ = datagram(&hostile, hostile.len());
            hostile[i] = packet[i];
        }
        // Twenty coalesced copies: bounded, with a note.
        let many: Vec<u8> = packet
            .iter()
            .copied()
            .cycle()
            .take(packet.len() * 20)
            .collect();
        let d = datagram(&many, many.len());
        let why = note(&d, Proto::Quic, NoteKind::Malformed);
        assert!(why.contains("coalesced"), "{why}");
    }
}
