//! Handshake messages (RFC 8446 §4): a 1-byte type and a 3-byte length,
//! then the body. ClientHello and ServerHello are decoded field by field,
//! Certificate to its list of certificates, NewSessionTicket (RFC 5077
//! §3.3) to its ticket; the others show their type and length only.

use super::super::field::{FieldDef, Format::*};
use super::super::{Ctx, Proto};
use super::{extensions, names};

crate::fields! {
    TYPE = FieldDef::var("tls.handshake.type", "Handshake Type", Dec).spec("RFC 8446 §4");
    LENGTH = FieldDef::var("tls.handshake.length", "Length", Dec).spec("RFC 8446 §4");
    VERSION = FieldDef::var("tls.handshake.version", "Version", Hex(4)).spec("RFC 8446 §4.1.2");
    RANDOM = FieldDef::var("tls.handshake.random", "Random", Bytes).spec("RFC 8446 §4.1.2");
    RANDOM_BYTES = FieldDef::var("tls.handshake.random_bytes", "Random Bytes", Bytes).spec("RFC 5246 §7.4.1.2");
    SESSION_ID_LENGTH = FieldDef::var("tls.handshake.session_id_length", "Session ID Length", Dec).spec("RFC 8446 §4.1.2");
    SESSION_ID = FieldDef::var("tls.handshake.session_id", "Session ID", Bytes).spec("RFC 8446 §4.1.2");
    CIPHER_SUITES_LENGTH = FieldDef::var("tls.handshake.cipher_suites_length", "Cipher Suites Length", Dec).spec("RFC 8446 §4.1.2");
    CIPHERSUITE = FieldDef::var("tls.handshake.ciphersuite", "Cipher Suite", Hex(4)).spec("RFC 8446 §B.4");
    COMP_METHODS_LENGTH = FieldDef::var("tls.handshake.comp_methods_length", "Compression Methods Length", Dec).spec("RFC 8446 §4.1.2");
    COMP_METHOD = FieldDef::var("tls.handshake.comp_method", "Compression Method", Dec).spec("RFC 5246 §7.4.1.2");
    EXTENSIONS_LENGTH = FieldDef::var("tls.handshake.extensions_length", "Extensions Length", Dec).spec("RFC 8446 §4.1.2");
    CERTIFICATES_LENGTH = FieldDef::var("tls.handshake.certificates_length", "Certificates Length", Dec).spec("RFC 5246 §7.4.2");
    CERTIFICATE_LENGTH = FieldDef::var("tls.handshake.certificate_length", "Certificate Length", Dec).spec("RFC 5246 §7.4.2");
    CERTIFICATE = FieldDef::var("tls.handshake.certificate", "Certificate", Bytes).spec("RFC 5280 §4.1");
    TICKET_LIFETIME = FieldDef::var("tls.handshake.session_ticket_lifetime_hint", "Session Ticket Lifetime Hint", Dec).spec("RFC 5077 §3.3");
    TICKET_LENGTH = FieldDef::var("tls.handshake.session_ticket_length", "Session Ticket Length", Dec).spec("RFC 5077 §3.3");
    TICKET = FieldDef::var("tls.handshake.session_ticket", "Session Ticket", Bytes).spec("RFC 5077 §3.3");
}

pub const CLIENT_HELLO: u8 = 1;
pub const SERVER_HELLO: u8 = 2;
const NEW_SESSION_TICKET: u8 = 4;
const CERTIFICATE_MSG: u8 = 11;

/// More messages than this in one record is hostile: each takes 4 bytes at
/// least, and a 16 KiB record holds a handful in practice.
const MAX_MESSAGES: usize = 64;

/// Whether the bytes `body` are plaintext handshake messages: each of known
/// type, together filling the record exactly. An encrypted Finished is
/// random bytes and almost never does.
pub(super) fn tiles(data: &[u8], body: std::ops::Range<usize>) -> bool {
    let mut p = body.start;
    for _ in 0..MAX_MESSAGES {
        let Some(h) = data.get(p..p + 4) else {
            return false;
        };
        if names::handshake(h[0]) == "Unknown" {
            return false;
        }
        p += 4 + (usize::from(h[1]) << 16 | usize::from(h[2]) << 8 | usize::from(h[3]));
        if p >= body.end {
            return p == body.end;
        }
    }
    false
}

/// Decode the handshake messages in `at..end` (a record's body, or a QUIC
/// CRYPTO frame's data). A message running past `end` shows its type and
/// length, and a note says it is cut.
pub(crate) fn messages(ctx: &mut Ctx, at: usize, end: usize) {
    messages_in(ctx, at, end, false);
}

/// The handshake messages of a QUIC CRYPTO frame: always TLS 1.3 (RFC 9001
/// §4.2), whose Random tshark does not split into time and bytes.
pub(crate) fn quic_messages(ctx: &mut Ctx, at: usize, end: usize) {
    messages_in(ctx, at, end, true);
}

fn messages_in(ctx: &mut Ctx, at: usize, end: usize, tls13: bool) {
    let mut p = at;
    for _ in 0..MAX_MESSAGES {
        if p + 4 > end {
            if p < end {
                ctx.short_of(Proto::Tls, p, 4, end, "handshake message header");
            }
            return;
        }
        let Some(kind) = ctx.uint_at(&TYPE, p..p + 1) else {
            return;
        };
        ctx.meaning(names::handshake(kind as u8));
        let Some(len) = ctx.uint_at(&LENGTH, p + 1..p + 4) else {
            return;
        };
        let body = p + 4;
        let stop = body + len as usize;
        if stop > end {
            ctx.short_of(
                Proto::Tls,
                p,
                4 + len as usize,
                end,
                "handshake message length",
            );
            return;
        }
        match kind as u8 {
            CLIENT_HELLO => hello(ctx, body, stop, true, tls13),
            SERVER_HELLO => hello(ctx, body, stop, false, tls13),
            CERTIFICATE_MSG => certificates(ctx, body, stop),
            NEW_SESSION_TICKET => ticket(ctx, body, stop),
            _ => {}
        }
        p = stop;
        if p >= end {
            return;
        }
    }
    ctx.malformed(
        Proto::Tls,
        p,
        format!("more than {MAX_MESSAGES} handshake messages in one record"),
    );
}

/// Say that a field of `need` bytes at `p` does not fit before `end`.
pub(super) fn fits(ctx: &mut Ctx, p: usize, need: usize, end: usize, what: &str) -> bool {
    if p + need <= end {
        return true;
    }
    ctx.malformed(
        Proto::Tls,
        p,
        format!(
            "TLS {what} needs {need} bytes but its message leaves {}",
            end.saturating_sub(p)
        ),
    );
    false
}

/// A ClientHello or ServerHello body (RFC 8446 §4.1.2, §4.1.3).
fn hello(ctx: &mut Ctx, at: usize, end: usize, client: bool, tls13: bool) {
    if !fits(ctx, at, 2 + 32 + 1, end, "hello") {
        return;
    }
    if let Some(v) = ctx.uint_at(&VERSION, at..at + 2) {
        ctx.meaning(names::version(v as u16));
    }
    ctx.bytes_at(&RANDOM, at + 2..at + 34);
    if !tls13 {
        ctx.bytes_at(&RANDOM_BYTES, at + 6..at + 34);
    }
    let mut p = at + 34;
    let Some(sid) = ctx.uint_at(&SESSION_ID_LENGTH, p..p + 1) else {
        return;
    };
    p += 1;
    if !fits(ctx, p, sid as usize, end, "session id") {
        return;
    }
    ctx.bytes_at(&SESSION_ID, p..p + sid as usize);
    p += sid as usize;
    if client {
        if !fits(ctx, p, 2, end, "cipher suites length") {
            return;
        }
        let n = ctx.uint_at(&CIPHER_SUITES_LENGTH, p..p + 2).unwrap_or(0) as usize;
        p += 2;
        if !fits(ctx, p, n, end, "cipher suites") {
            return;
        }
        for q in (p..p + n - n % 2).step_by(2) {
            ctx.uint_at(&CIPHERSUITE, q..q + 2);
        }
        p += n;
        if !fits(ctx, p, 1, end, "compression methods length") {
            return;
        }
        let n = ctx.uint_at(&COMP_METHODS_LENGTH, p..p + 1).unwrap_or(0) as usize;
        p += 1;
        if !fits(ctx, p, n, end, "compression methods") {
            return;
        }
        for q in p..p + n {
            ctx.uint_at(&COMP_METHOD, q..q + 1);
        }
        p += n;
    } else {
        if !fits(ctx, p, 3, end, "cipher suite and compression method") {
            return;
        }
        ctx.uint_at(&CIPHERSUITE, p..p + 2);
        ctx.uint_at(&COMP_METHOD, p + 2..p + 3);
        p += 3;
    }
    if p + 2 > end {
        return; // no extensions (allowed before TLS 1.3)
    }
    let n = ctx.uint_at(&EXTENSIONS_LENGTH, p..p + 2).unwrap_or(0) as usize;
    p += 2;
    if !fits(ctx, p, n, end, "extensions") {
        return;
    }
    extensions::list(ctx, p, p + n, client);
}

/// A TLS 1.2 Certificate message: a 3-byte list length, then each
/// certificate with its 3-byte length (RFC 5246 §7.4.2).
fn certificates(ctx: &mut Ctx, at: usize, end: usize) {
    if !fits(ctx, at, 3, end, "certificates length") {
        return;
    }
    let n = ctx.uint_at(&CERTIFICATES_LENGTH, at..at + 3).unwrap_or(0) as usize;
    let mut p = at + 3;
    let stop = (p + n).min(end);
    if p + n > end {
        fits(ctx, p, n, end, "certificate list");
    }
    while p + 3 <= stop {
        let len = ctx.uint_at(&CERTIFICATE_LENGTH, p..p + 3).unwrap_or(0) as usize;
        p += 3;
        if !fits(ctx, p, len, stop, "certificate") {
            return;
        }
        ctx.bytes_at(&CERTIFICATE, p..p + len);
        p += len;
    }
}

/// A NewSessionTicket (RFC 5077 §3.3): lifetime hint, ticket length, ticket.
fn ticket(ctx: &mut Ctx, at: usize, end: usize) {
    if !fits(ctx, at, 6, end, "session ticket") {
        return;
    }
    ctx.uint_at(&TICKET_LIFETIME, at..at + 4);
    let n = ctx.uint_at(&TICKET_LENGTH, at + 4..at + 6).unwrap_or(0) as usize;
    if fits(ctx, at + 6, n, end, "session ticket") {
        ctx.bytes_at(&TICKET, at + 6..at + 6 + n);
    }
}
