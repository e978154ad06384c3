//! TLS records (RFC 8446 §5.1, RFC 5246 §6.2) and the handshake messages
//! inside them that travel in the clear: ClientHello, ServerHello,
//! Certificate, NewSessionTicket (RFC 5077), and alerts.
//!
//! ```text
//! +--------------+---------------------+-------------------+----------...
//! | content type |  legacy version     |  length           |  fragment
//! |   (1 byte)   |  (2 bytes, 0x03xx)  |  (2 bytes)        |  (length)
//! +--------------+---------------------+-------------------+----------...
//! ```
//! One segment at a time, as tshark with TCP desegmentation off: a record
//! whose header or body runs past the segment's end has no fields (tshark
//! shows none either) and gets a note; the decoder keeps no state between
//! frames, so a handshake record is taken as encrypted when it follows a
//! ChangeCipherSpec in the same segment or its messages do not tile it.
//! [`dissect`] works on whatever bytes `ctx` holds, so it can be handed
//! reassembled bytes (a second data source) unchanged.

pub mod extensions;
pub mod handshake;
pub(crate) mod names;

use super::field::{FieldDef, Format::*};
use super::{Ctx, NoteKind, Proto, Severity};

pub(crate) use handshake::quic_messages;

crate::fields! {
    CONTENT_TYPE = FieldDef::var("tls.record.content_type", "Content Type", Dec).spec("RFC 8446 §5.1");
    RECORD_VERSION = FieldDef::var("tls.record.version", "Version", Hex(4)).spec("RFC 8446 §5.1");
    RECORD_LENGTH = FieldDef::var("tls.record.length", "Length", Dec).spec("RFC 8446 §5.1");
    APP_DATA = FieldDef::var("tls.app_data", "Encrypted Application Data", Bytes).spec("RFC 8446 §5.2");
    ALERT_LEVEL = FieldDef::var("tls.alert_message.level", "Level", Dec).spec("RFC 5246 §7.2");
    ALERT_DESC = FieldDef::var("tls.alert_message.desc", "Description", Dec).spec("RFC 8446 §6");
}

/// Content types (RFC 8446 §5.1; 24 is Heartbeat, RFC 6520).
pub const CHANGE_CIPHER_SPEC: u8 = 20;
pub const ALERT: u8 = 21;
pub const HANDSHAKE: u8 = 22;
pub const APPLICATION_DATA: u8 = 23;

/// The largest record length a peer may send (RFC 5246 §6.2.3: 2^14 plus
/// 2048 of expansion); a header claiming more is not a record.
const MAX_RECORD: usize = 16384 + 2048;

/// Whether the 5 bytes at `at` look like a TLS record header, as
/// Wireshark's `ssl_looks_like_sslv3`: a known content type, major version
/// 3, a minor version up to TLS 1.3, and a plausible length.
pub(crate) fn looks_like_record(head: &[u8]) -> bool {
    match head {
        [t, 3, minor, hi, lo, ..] => {
            (CHANGE_CIPHER_SPEC..=24).contains(t)
                && *minor <= 4
                && usize::from(u16::from_be_bytes([*hi, *lo])) <= MAX_RECORD
        }
        _ => false,
    }
}

/// Whether a TCP payload between these ports is TLS, as tshark decides it
/// one segment at a time: on TLS's registered ports unless it starts with
/// four printable characters (Wireshark's own test: plain text, not TLS),
/// elsewhere when it starts with a record header (what a STARTTLS
/// hand-off, as MySQL's, leads tshark to).
pub(crate) fn claims(bytes: &[u8], sport: u16, dport: u16) -> bool {
    if looks_like_record(bytes) {
        return true;
    }
    let on_port = is_tls_port(sport) || is_tls_port(dport);
    on_port && bytes.len() > 4 && !bytes[..4].iter().all(|b| (0x20..0x7f).contains(b))
}

/// TCP ports Wireshark gives to TLS by default (https, smtps, nntps,
/// ldaps, ftps-data/ftps, telnets, imaps, pop3s, sips).
fn is_tls_port(port: u16) -> bool {
    matches!(
        port,
        443 | 465 | 563 | 636 | 989 | 990 | 992 | 993 | 995 | 5061
    )
}

/// Decode the TLS records in `at..end` (one TCP segment's payload, or any
/// bytes `ctx` holds).
pub fn dissect(ctx: &mut Ctx, at: usize, end: usize) {
    ctx.layer(Proto::Tls, at..end);
    let mut p = at;
    let mut encrypted = false;
    while p < end {
        let have = end - p;
        let Some(head) = ctx.data.get(p..p + 5).filter(|_| have >= 5) else {
            let why = if have < 5 {
                format!("TLS record header cut: {have} of its 5 bytes are in this segment")
            } else {
                "TLS record header lies past the captured bytes (snap length)".to_string()
            };
            // Not the capture's cut (the line would print `[|tls]`): the
            // record goes on in the next segment.
            ctx.note(Severity::Note, NoteKind::Unsupported, Proto::Tls, p, why);
            return;
        };
        if !looks_like_record(head) {
            // The middle of a record that began in an earlier segment
            // (tshark's "Ignored Unknown Record").
            ctx.note(
                Severity::Note,
                NoteKind::Unsupported,
                Proto::Tls,
                p,
                format!(
                    "{have} bytes that do not start a TLS record: the rest of a record from an earlier segment"
                ),
            );
            return;
        }
        let (kind, length) = (head[0], usize::from(u16::from_be_bytes([head[3], head[4]])));
        let body = p + 5;
        if body + length > end {
            ctx.note(
                Severity::Note,
                NoteKind::Unsupported,
                Proto::Tls,
                p,
                format!(
                    "TLS record of {length} bytes continues past this segment's end ({} here)",
                    end - body
                ),
            );
            return;
        }
        record(ctx, p, kind, length, &mut encrypted);
        p = body + length;
    }
}

/// One whole record at `p` of content type `kind`.
fn record(ctx: &mut Ctx, p: usize, kind: u8, length: usize, encrypted: &mut bool) {
    ctx.uint_at(&CONTENT_TYPE, p..p + 1);
    ctx.meaning(names::content_type(kind));
    if let Some(v) = ctx.uint_at(&RECORD_VERSION, p + 1..p + 3) {
        ctx.meaning(names::version(v as u16));
    }
    ctx.uint_at(&RECORD_LENGTH, p + 3..p + 5);
    let body = p + 5..p + 5 + length;
    if !ctx.fields_on {
        *encrypted |= kind == CHANGE_CIPHER_SPEC;
        return;
    }
    match kind {
        CHANGE_CIPHER_SPEC => *encrypted = true,
        ALERT if !*encrypted && length == 2 => {
            ctx.uint_at(&ALERT_LEVEL, body.start..body.start + 1);
            if let Some(d) = ctx.uint_at(&ALERT_DESC, body.start + 1..body.end) {
                ctx.meaning(names::alert(d as u8));
            }
        }
        HANDSHAKE if !*encrypted && handshake::tiles(ctx.data, body.clone()) => {
            handshake::messages(ctx, body.start, body.end);
        }
        APPLICATION_DATA => ctx.bytes_at(&APP_DATA, body),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
