//! The frames of a decrypted QUIC packet (RFC 9000 §19): PADDING, PING,
//! ACK and CRYPTO are decoded; at any other frame type decoding stops with
//! a note. The ClientHello (or ServerHello) in a CRYPTO frame at offset 0
//! is decoded by the TLS code, as tshark shows `quic:tls`.
//!
//! These fields index the decrypted bytes, data source N of the
//! dissection (`Field::source`, `Layer::source`), not the frame.

use super::super::field::{FieldDef, Format::*};
use super::super::{Ctx, NoteKind, Proto, Severity, Value, tls};
use super::varint;

crate::fields! {
    FRAME_TYPE = FieldDef::var("quic.frame_type", "Frame Type", Dec).spec("RFC 9000 §19");
    PADDING_LENGTH = FieldDef::generated("quic.padding_length", "Padding Length", Dec);
    ACK_LARGEST = FieldDef::var("quic.ack.largest_acknowledged", "Largest Acknowledged", Dec).spec("RFC 9000 §19.3");
    ACK_DELAY = FieldDef::var("quic.ack.ack_delay", "ACK Delay", Dec).spec("RFC 9000 §19.3");
    ACK_RANGE_COUNT = FieldDef::var("quic.ack.ack_range_count", "ACK Range Count", Dec).spec("RFC 9000 §19.3");
    ACK_FIRST_RANGE = FieldDef::var("quic.ack.first_ack_range", "First ACK Range", Dec).spec("RFC 9000 §19.3");
    ACK_GAP = FieldDef::var("quic.ack.gap", "Gap", Dec).spec("RFC 9000 §19.3.1");
    ACK_RANGE = FieldDef::var("quic.ack.ack_range", "ACK Range", Dec).spec("RFC 9000 §19.3.1");
    ACK_ECT0 = FieldDef::var("quic.ack.ect0_count", "ECT(0) Count", Dec).spec("RFC 9000 §19.3.2");
    ACK_ECT1 = FieldDef::var("quic.ack.ect1_count", "ECT(1) Count", Dec).spec("RFC 9000 §19.3.2");
    ACK_CE = FieldDef::var("quic.ack.ecn_ce_count", "ECN-CE Count", Dec).spec("RFC 9000 §19.3.2");
    CRYPTO_OFFSET = FieldDef::var("quic.crypto.offset", "Offset", Dec).spec("RFC 9000 §19.6");
    CRYPTO_LENGTH = FieldDef::var("quic.crypto.length", "Length", Dec).spec("RFC 9000 §19.6");
}

/// ACK ranges past this many are hostile (a datagram holds ~600 at most).
const MAX_ACK_RANGES: u64 = 1024;

/// Decode the frames of data source `source` (the decrypted payload just
/// pushed), as fields of the current QUIC layer.
pub(super) fn decrypted(ctx: &mut Ctx, source: usize) {
    let Ok(n) = u8::try_from(source) else {
        return;
    };
    let bytes = std::mem::take(&mut ctx.d.sources[source - 1].bytes);
    let first_field = ctx.d.fields.len();
    let mut sub = Ctx {
        data: &bytes,
        d: &mut *ctx.d,
        fields_on: ctx.fields_on,
        quoted: ctx.quoted,
        addrs: ctx.addrs,
        limit: bytes.len(),
        source: n,
        defrag: Default::default(),
        tcp_pdu: Default::default(),
    };
    frames(&mut sub);
    // Until every view reads `Field::source`, byte-valued fields of the
    // decrypted source carry their hex as text, so no view shows the
    // frame's bytes at those offsets instead.
    for f in &mut ctx.d.fields[first_field..] {
        if let (Value::Bytes(r), true) = (&f.value, f.source == n) {
            let mut hex = String::with_capacity(2 * r.len());
            for b in bytes.get(r.clone()).unwrap_or(&[]) {
                hex.push_str(&format!("{b:02x}"));
            }
            f.value = Value::Text(hex.into());
        }
    }
    ctx.d.sources[source - 1].bytes = bytes;
}

/// The frames in `ctx.data`, then the TLS messages of a CRYPTO frame at
/// offset 0.
fn frames(ctx: &mut Ctx) {
    let end = ctx.data.len();
    let mut p = 0;
    let mut crypto = None;
    while p < end {
        let Some((kind, size)) = varint(ctx.data, p) else {
            return stop(ctx, p, "a frame type runs past the packet's end");
        };
        ctx.value_at(&FRAME_TYPE, p..p + size, Value::UInt(kind));
        let mut q = p + size;
        match kind {
            0x00 => {
                let zeros = ctx.data[p..].iter().take_while(|b| **b == 0).count();
                ctx.generated(&PADDING_LENGTH, Value::UInt(zeros as u64));
                q = p + zeros;
            }
            0x01 => {}
            0x02 | 0x03 => {
                let Some(next) = ack(ctx, q, kind == 0x03) else {
                    return stop(ctx, q, "an ACK frame runs past the packet's end");
                };
                q = next;
            }
            0x06 => {
                let Some((offset, next)) = number(ctx, &CRYPTO_OFFSET, q) else {
                    return stop(ctx, q, "a CRYPTO frame runs past the packet's end");
                };
                let Some((len, data)) = number(ctx, &CRYPTO_LENGTH, next) else {
                    return stop(ctx, next, "a CRYPTO frame runs past the packet's end");
                };
                let Some(stop_at) = data.checked_add(len as usize).filter(|e| *e <= end) else {
                    return stop(
                        ctx,
                        data,
                        "a CRYPTO frame's data runs past the packet's end",
                    );
                };
                if offset == 0 && crypto.is_none() {
                    crypto = Some(data..stop_at);
                }
                q = stop_at;
            }
            other => {
                ctx.note(
                    Severity::Note,
                    NoteKind::Unsupported,
                    Proto::Quic,
                    p,
                    format!("QUIC frame type {other:#x} is not decoded; the frames after it are not shown"),
                );
                break;
            }
        }
        p = q;
    }
    if let Some(range) = crypto {
        ctx.layer(Proto::Tls, range.clone());
        tls::quic_messages(ctx, range.start, range.end);
    }
}

/// A variable-length integer field at `at`: its value and where it ends.
fn number(ctx: &mut Ctx, def: &'static FieldDef, at: usize) -> Option<(u64, usize)> {
    let (value, size) = varint(ctx.data, at)?;
    ctx.value_at(def, at..at + size, Value::UInt(value));
    Some((value, at + size))
}

/// An ACK frame's body at `at` (RFC 9000 §19.3); returns its end.
fn ack(ctx: &mut Ctx, at: usize, ecn: bool) -> Option<usize> {
    let (_, q) = number(ctx, &ACK_LARGEST, at)?;
    let (_, q) = number(ctx, &ACK_DELAY, q)?;
    let (count, q) = number(ctx, &ACK_RANGE_COUNT, q)?;
    let (_, mut q) = number(ctx, &ACK_FIRST_RANGE, q)?;
    if count > MAX_ACK_RANGES {
        return None;
    }
    for _ in 0..count {
        (_, q) = number(ctx, &ACK_GAP, q)?;
        (_, q) = number(ctx, &ACK_RANGE, q)?;
    }
    if ecn {
        (_, q) = number(ctx, &ACK_ECT0, q)?;
        (_, q) = number(ctx, &ACK_ECT1, q)?;
        (_, q) = number(ctx, &ACK_CE, q)?;
    }
    Some(q)
}

/// Stop decoding frames with a note saying why.
fn stop(ctx: &mut Ctx, at: usize, why: &str) {
    ctx.malformed(Proto::Quic, at, format!("decrypted QUIC payload: {why}"));
}
