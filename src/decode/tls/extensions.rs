//! Hello extensions (RFC 8446 §4.2): a 2-byte type and a 2-byte length
//! each. Decoded in full: server_name (RFC 6066 §3), supported_groups
//! (RFC 8446 §4.2.7), ec_point_formats (RFC 8422 §5.1.2),
//! signature_algorithms (§4.2.3), ALPN (RFC 7301 §3.1),
//! supported_versions (§4.2.1), key_share (§4.2.8) and renegotiation_info
//! (RFC 5746 §3.2); the others show their type and length.

use std::borrow::Cow;

use super::super::field::{FieldDef, Format::*};
use super::super::{Ctx, Value};
use super::handshake::fits;
use super::names;

crate::fields! {
    TYPE = FieldDef::var("tls.handshake.extension.type", "Type", Dec).spec("RFC 8446 §4.2");
    LEN = FieldDef::var("tls.handshake.extension.len", "Length", Dec).spec("RFC 8446 §4.2");
    SNI_LIST_LEN = FieldDef::var("tls.handshake.extensions_server_name_list_len", "Server Name list length", Dec).spec("RFC 6066 §3");
    SNI_TYPE = FieldDef::var("tls.handshake.extensions_server_name_type", "Server Name Type", Dec).spec("RFC 6066 §3");
    SNI_LEN = FieldDef::var("tls.handshake.extensions_server_name_len", "Server Name length", Dec).spec("RFC 6066 §3");
    SNI = FieldDef::var("tls.handshake.extensions_server_name", "Server Name", Text).spec("RFC 6066 §3");
    GROUPS_LENGTH = FieldDef::var("tls.handshake.extensions_supported_groups_length", "Supported Groups List Length", Dec).spec("RFC 8446 §4.2.7");
    GROUP = FieldDef::var("tls.handshake.extensions_supported_group", "Supported Group", Hex(4)).spec("RFC 8446 §4.2.7");
    EC_FORMATS_LENGTH = FieldDef::var("tls.handshake.extensions_ec_point_formats_length", "EC point formats Length", Dec).spec("RFC 8422 §5.1.2");
    EC_FORMAT = FieldDef::var("tls.handshake.extensions_ec_point_format", "EC point format", Dec).spec("RFC 8422 §5.1.2");
    SIG_LEN = FieldDef::var("tls.handshake.sig_hash_alg_len", "Signature Hash Algorithms Length", Dec).spec("RFC 8446 §4.2.3");
    SIG_ALG = FieldDef::var("tls.handshake.sig_hash_alg", "Signature Algorithm", Hex(4)).spec("RFC 8446 §4.2.3");
    SIG_HASH = FieldDef::var("tls.handshake.sig_hash_hash", "Signature Hash Algorithm Hash", Dec).spec("RFC 5246 §7.4.1.4.1");
    SIG_SIG = FieldDef::var("tls.handshake.sig_hash_sig", "Signature Hash Algorithm Signature", Dec).spec("RFC 5246 §7.4.1.4.1");
    ALPN_LEN = FieldDef::var("tls.handshake.extensions_alpn_len", "ALPN Extension Length", Dec).spec("RFC 7301 §3.1");
    ALPN_STR_LEN = FieldDef::var("tls.handshake.extensions_alpn_str_len", "ALPN string length", Dec).spec("RFC 7301 §3.1");
    ALPN_STR = FieldDef::var("tls.handshake.extensions_alpn_str", "ALPN Next Protocol", Text).spec("RFC 7301 §3.1");
    VERSIONS_LEN = FieldDef::var("tls.handshake.extensions.supported_versions_len", "Supported Versions length", Dec).spec("RFC 8446 §4.2.1");
    VERSION = FieldDef::var("tls.handshake.extensions.supported_version", "Supported Version", Hex(4)).spec("RFC 8446 §4.2.1");
    KEY_SHARE_LENGTH = FieldDef::var("tls.handshake.extensions_key_share_client_length", "Client Key Share Length", Dec).spec("RFC 8446 §4.2.8");
    KEY_SHARE_GROUP = FieldDef::var("tls.handshake.extensions_key_share_group", "Group", Dec).spec("RFC 8446 §4.2.8");
    KEY_EXCHANGE_LENGTH = FieldDef::var("tls.handshake.extensions_key_share_key_exchange_length", "Key Exchange Length", Dec).spec("RFC 8446 §4.2.8");
    KEY_EXCHANGE = FieldDef::var("tls.handshake.extensions_key_share_key_exchange", "Key Exchange", Bytes).spec("RFC 8446 §4.2.8");
    RENEG_LEN = FieldDef::var("tls.handshake.extensions_reneg_info_len", "Renegotiation info extension length", Dec).spec("RFC 5746 §3.2");
}

/// More extensions than this in one hello is hostile (IANA has ~60 types).
const MAX_EXTENSIONS: usize = 128;

/// The extensions in `at..end`.
pub(super) fn list(ctx: &mut Ctx, at: usize, end: usize, client: bool) {
    let mut p = at;
    for _ in 0..MAX_EXTENSIONS {
        if p + 4 > end {
            if p < end {
                fits(ctx, p, 4, end, "extension header");
            }
            return;
        }
        let Some(kind) = ctx.uint_at(&TYPE, p..p + 2) else {
            return;
        };
        ctx.meaning(names::extension(kind as u16));
        let len = ctx.uint_at(&LEN, p + 2..p + 4).unwrap_or(0) as usize;
        let body = p + 4;
        if !fits(ctx, body, len, end, "extension") {
            return;
        }
        if ctx.fields_on {
            one(ctx, kind as u16, body, body + len, client);
        }
        p = body + len;
    }
    fits(
        ctx,
        p,
        end - p + 1,
        end,
        "extension list (too many extensions)",
    );
}

/// One extension's body `at..end`.
fn one(ctx: &mut Ctx, kind: u16, at: usize, end: usize, client: bool) {
    match kind {
        0 if at + 2 <= end => server_name(ctx, at, end),
        10 => list16(ctx, at, end, &GROUPS_LENGTH, |ctx, q| {
            if let Some(g) = ctx.uint_at(&GROUP, q..q + 2) {
                ctx.meaning(names::group(g as u16));
            }
        }),
        11 if at < end => {
            let n = ctx.uint_at(&EC_FORMATS_LENGTH, at..at + 1).unwrap_or(0) as usize;
            for q in at + 1..(at + 1 + n).min(end) {
                ctx.uint_at(&EC_FORMAT, q..q + 1);
            }
        }
        13 => signature_algorithms(ctx, at, end),
        16 if at + 2 <= end => {
            let n = ctx.uint_at(&ALPN_LEN, at..at + 2).unwrap_or(0) as usize;
            let stop = (at + 2 + n).min(end);
            let mut q = at + 2;
            while q < stop {
                let len = ctx.uint_at(&ALPN_STR_LEN, q..q + 1).unwrap_or(0) as usize;
                if !fits(ctx, q + 1, len, stop, "ALPN protocol name") {
                    return;
                }
                text(ctx, &ALPN_STR, q + 1..q + 1 + len);
                q += 1 + len;
            }
        }
        43 if client && at < end => {
            let n = ctx.uint_at(&VERSIONS_LEN, at..at + 1).unwrap_or(0) as usize;
            let stop = (at + 1 + n).min(end);
            for q in (at + 1..stop.saturating_sub(1)).step_by(2) {
                if let Some(v) = ctx.uint_at(&VERSION, q..q + 2) {
                    ctx.meaning(names::version(v as u16));
                }
            }
        }
        43 if at + 2 <= end => {
            if let Some(v) = ctx.uint_at(&VERSION, at..at + 2) {
                ctx.meaning(names::version(v as u16));
            }
        }
        51 if client && at + 2 <= end => {
            let n = ctx.uint_at(&KEY_SHARE_LENGTH, at..at + 2).unwrap_or(0) as usize;
            let stop = (at + 2 + n).min(end);
            let mut q = at + 2;
            while q + 4 <= stop {
                q = key_share_entry(ctx, q, stop);
            }
        }
        51 if at + 4 <= end => {
            key_share_entry(ctx, at, end);
        }
        65281 if at < end => {
            ctx.uint_at(&RENEG_LEN, at..at + 1);
        }
        _ => {}
    }
}

/// One KeyShareEntry at `q`: group, key exchange length, key exchange.
/// Returns where the next one starts (`stop` when this one does not fit).
fn key_share_entry(ctx: &mut Ctx, q: usize, stop: usize) -> usize {
    if let Some(g) = ctx.uint_at(&KEY_SHARE_GROUP, q..q + 2) {
        ctx.meaning(names::group(g as u16));
    }
    let len = ctx.uint_at(&KEY_EXCHANGE_LENGTH, q + 2..q + 4).unwrap_or(0) as usize;
    if !fits(ctx, q + 4, len, stop, "key exchange") {
        return stop;
    }
    ctx.bytes_at(&KEY_EXCHANGE, q + 4..q + 4 + len);
    q + 4 + len
}

/// signature_algorithms: a 2-byte length, then 2-byte schemes, each shown
/// also as its TLS 1.2 hash and signature bytes (as tshark does).
pub(super) fn signature_algorithms(ctx: &mut Ctx, at: usize, end: usize) {
    list16(ctx, at, end, &SIG_LEN, |ctx, q| {
        ctx.uint_at(&SIG_ALG, q..q + 2);
        ctx.uint_at(&SIG_HASH, q..q + 1);
        ctx.nest(1);
        ctx.uint_at(&SIG_SIG, q + 1..q + 2);
        ctx.nest(1);
    });
}

/// A list with a 2-byte length of 2-byte items, each shown by `item`.
fn list16(
    ctx: &mut Ctx,
    at: usize,
    end: usize,
    length: &'static FieldDef,
    mut item: impl FnMut(&mut Ctx, usize),
) {
    if at + 2 > end {
        return;
    }
    let n = ctx.uint_at(length, at..at + 2).unwrap_or(0) as usize;
    let stop = (at + 2 + n).min(end);
    for q in (at + 2..stop.saturating_sub(1)).step_by(2) {
        item(ctx, q);
    }
}

/// server_name: a list length, then entries of type, length and name.
fn server_name(ctx: &mut Ctx, at: usize, end: usize) {
    let n = ctx.uint_at(&SNI_LIST_LEN, at..at + 2).unwrap_or(0) as usize;
    let stop = (at + 2 + n).min(end);
    let mut q = at + 2;
    while q + 3 <= stop {
        ctx.uint_at(&SNI_TYPE, q..q + 1);
        let len = ctx.uint_at(&SNI_LEN, q + 1..q + 3).unwrap_or(0) as usize;
        if !fits(ctx, q + 3, len, stop, "server name") {
            return;
        }
        text(ctx, &SNI, q + 3..q + 3 + len);
        q += 3 + len;
    }
}

/// A string field over `range` (invalid UTF-8 shown with replacement
/// characters, as tshark shows it escaped).
fn text(ctx: &mut Ctx, def: &'static FieldDef, range: std::ops::Range<usize>) {
    if let Some(bytes) = ctx.data.get(range.clone()) {
        let s: Cow<'static, str> = Cow::Owned(String::from_utf8_lossy(bytes).into_owned());
        ctx.value_at(def, range, Value::Text(s));
    }
}
