//! Teredo: IPv6 over UDP through NATs (RFC 4380), on UDP port 3544 as
//! tshark takes it (its content heuristic is off by default). Before the
//! IPv6 packet there may be an authentication indication (type 1,
//! RFC 4380 §5.1.1) and an origin indication (type 0, §5.1.1: the
//! client's mapped port and IPv4 address, each bit inverted).
//!
//! ```text
//! auth:   | 0x0001 | ID-len | AU-len | client id | auth value | nonce (8) | conf (1) |
//! origin: | 0x0000 | obfuscated port (2) | obfuscated IPv4 address (4) |
//! ```

use std::net::{IpAddr, Ipv4Addr};

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, Value, ipv6, payload, tunnel};

crate::fields! {
    AUTH_IDLEN = FieldDef::var("teredo.auth.idlen", "Client identifier length", Dec).spec("RFC 4380 §5.1.1");
    AUTH_AULEN = FieldDef::var("teredo.auth.aulen", "Authentication value length", Dec).spec("RFC 4380 §5.1.1");
    AUTH_ID = FieldDef::var("teredo.auth.id", "Client identifier", Bytes).spec("RFC 4380 §5.1.1");
    AUTH_VALUE = FieldDef::var("teredo.auth.value", "Authentication value", Bytes).spec("RFC 4380 §5.1.1");
    AUTH_NONCE = FieldDef::var("teredo.auth.nonce", "Nonce value", Bytes).spec("RFC 4380 §5.1.1");
    AUTH_CONF = FieldDef::var("teredo.auth.conf", "Confirmation byte", Bytes).spec("RFC 4380 §5.1.1");
    ORIG_PORT = FieldDef::var("teredo.orig.port", "Origin UDP port", Dec).spec("RFC 4380 §5.1.1");
    ORIG_ADDR = FieldDef::var("teredo.orig.addr", "Origin IPv4 address", Ipv4).spec("RFC 4380 §5.1.1");
}

pub const PORT: u16 = 3544;

/// Decode Teredo's indications at `start`, then the IPv6 packet.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(Proto::Teredo, start..start);
    ctx.set_pdu(start..end);
    if tunnel::too_deep(ctx, start) {
        return;
    }
    let mut at = start;
    if ctx.u16_at(at) == Some(1) {
        let Some(after) = auth(ctx, at, end) else {
            return;
        };
        at = after;
    }
    if ctx.u16_at(at) == Some(0) {
        let (Some(port), Some(addr)) = (ctx.u16_at(at + 2), ctx.read(at + 4..at + 8)) else {
            ctx.short_of(Proto::Teredo, at, 8, end, "origin indication");
            return;
        };
        ctx.value_at(&ORIG_PORT, at + 2..at + 4, Value::UInt(u64::from(!port)));
        let addr = Ipv4Addr::from(!(addr as u32));
        ctx.value_at(&ORIG_ADDR, at + 4..at + 8, Value::Ip(IpAddr::V4(addr)));
        at += 8;
    }
    ctx.set_header(start..at);
    match ctx.u8_at(at) {
        Some(b) if b >> 4 == 6 => ipv6::dissect(ctx, at, end),
        Some(_) => payload::data(ctx, at, end),
        None => {}
    }
}

/// The authentication indication at `at`; returns where it ends.
fn auth(ctx: &mut Ctx, at: usize, end: usize) -> Option<usize> {
    let (Some(idlen), Some(aulen)) = (ctx.u8_at(at + 2), ctx.u8_at(at + 3)) else {
        ctx.short_of(Proto::Teredo, at, 4, end, "authentication indication");
        return None;
    };
    let (idlen, aulen) = (usize::from(idlen), usize::from(aulen));
    let len = 4 + idlen + aulen + 9;
    ctx.uint_at(&AUTH_IDLEN, at + 2..at + 3);
    ctx.uint_at(&AUTH_AULEN, at + 3..at + 4);
    if ctx.available(at, end) < len {
        ctx.short_of(Proto::Teredo, at, len, end, "authentication indication");
        return None;
    }
    let mut p = at + 4;
    if idlen > 0 {
        ctx.bytes_at(&AUTH_ID, p..p + idlen);
    }
    p += idlen;
    if aulen > 0 {
        ctx.bytes_at(&AUTH_VALUE, p..p + aulen);
    }
    p += aulen;
    ctx.bytes_at(&AUTH_NONCE, p..p + 8);
    ctx.bytes_at(&AUTH_CONF, p + 8..p + 9);
    Some(p + 9)
}
