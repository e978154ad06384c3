//! DHCPv6 (RFC 8415) on UDP ports 546 and 547: a message type and a 24-bit
//! transaction ID (relay messages: hop count, link and peer address), then
//! options, each a 16-bit code and length:
//!
//! ```text
//! | msg-type (8) |        transaction-id (24)         |
//! | option-code (16)        | option-len (16)         |
//! | option-data (option-len octets) ...               |
//! ```
//! Client and Server Identifier carry a DUID (§11); IA_NA, IA_TA and IA_PD
//! carry options of their own (addresses, prefixes, status). Fields carry
//! tshark's names; an option this file does not know shows its code and
//! length only, as its bytes are not tshark's business either.

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, Value};

crate::fields! {
    MSGTYPE = FieldDef::fixed("dhcpv6.msgtype", "Message type", 0..1, Dec).spec("RFC 8415 §8");
    XID = FieldDef::fixed("dhcpv6.xid", "Transaction ID", 1..4, Hex(6)).spec("RFC 8415 §8");
    HOPCOUNT = FieldDef::fixed("dhcpv6.hopcount", "Hopcount", 1..2, Dec).spec("RFC 8415 §9");
    LINKADDR = FieldDef::fixed("dhcpv6.linkaddr", "Link address", 2..18, Ipv6).spec("RFC 8415 §9");
    PEERADDR = FieldDef::fixed("dhcpv6.peeraddr", "Peer address", 18..34, Ipv6).spec("RFC 8415 §9");
    OPTION_TYPE = FieldDef::var("dhcpv6.option.type", "Option", Dec).spec("RFC 8415 §21.1");
    OPTION_LENGTH = FieldDef::var("dhcpv6.option.length", "Length", Dec).spec("RFC 8415 §21.1");
    DUID_BYTES = FieldDef::var("dhcpv6.duid.bytes", "DUID", Bytes).spec("RFC 8415 §11");
    DUID_TYPE = FieldDef::var("dhcpv6.duid.type", "DUID Type", Dec).spec("RFC 8415 §11.1");
    DUIDLLT_HWTYPE = FieldDef::var("dhcpv6.duidllt.hwtype", "Hardware type", Dec).spec("RFC 8415 §11.2");
    DUIDLLT_TIME = FieldDef::var("dhcpv6.duidllt.time", "DUID Time", Text).spec("RFC 8415 §11.2");
    DUIDLLT_ADDR = FieldDef::var("dhcpv6.duidllt.link_layer_addr", "Link-layer address", Text).spec("RFC 8415 §11.2");
    DUIDEN_ENTERPRISE = FieldDef::var("dhcpv6.duiden.enterprise", "Enterprise ID", Dec).spec("RFC 8415 §11.3");
    DUIDEN_IDENTIFIER = FieldDef::var("dhcpv6.duiden.identifier", "Identifier", Bytes).spec("RFC 8415 §11.3");
    DUIDLL_HWTYPE = FieldDef::var("dhcpv6.duidll.hwtype", "Hardware type", Dec).spec("RFC 8415 §11.4");
    DUIDLL_ADDR = FieldDef::var("dhcpv6.duidll.link_layer_addr", "Link-layer address", Text).spec("RFC 8415 §11.4");
    DUIDUUID = FieldDef::var("dhcpv6.duiduuid.bytes", "UUID", Bytes).spec("RFC 6355 §4");
    IAID = FieldDef::var("dhcpv6.iaid", "IAID", Text).spec("RFC 8415 §21.4");
    IAID_T1 = FieldDef::var("dhcpv6.iaid.t1", "T1", Dec).spec("RFC 8415 §21.4");
    IAID_T2 = FieldDef::var("dhcpv6.iaid.t2", "T2", Dec).spec("RFC 8415 §21.4");
    IATA = FieldDef::var("dhcpv6.iata", "IATA", Text).spec("RFC 8415 §21.5");
    IAADDR_IP = FieldDef::var("dhcpv6.iaaddr.ip", "IPv6 address", Ipv6).spec("RFC 8415 §21.6");
    IAADDR_PREF = FieldDef::var("dhcpv6.iaaddr.pref_lifetime", "Preferred lifetime", Dec).spec("RFC 8415 §21.6");
    IAADDR_VALID = FieldDef::var("dhcpv6.iaaddr.valid_lifetime", "Valid lifetime", Dec).spec("RFC 8415 §21.6");
    REQUESTED = FieldDef::var("dhcpv6.requested_option_code", "Requested Option code", Dec).spec("RFC 8415 §21.7");
    PREFERENCE = FieldDef::var("dhcpv6.option_preference", "Pref-value", Dec).spec("RFC 8415 §21.8");
    ELAPSED = FieldDef::var("dhcpv6.elapsed_time", "Elapsed time (ms)", Dec).spec("RFC 8415 §21.9");
    STATUS_CODE = FieldDef::var("dhcpv6.status_code", "Status Code", Dec).spec("RFC 8415 §21.13");
    STATUS_MSG = FieldDef::var("dhcpv6.status_msg", "Status Message", Text).spec("RFC 8415 §21.13");
    DNS_SERVER = FieldDef::var("dhcpv6.dns_server", "DNS server address", Ipv6).spec("RFC 3646 §3");
    SEARCH_LIST = FieldDef::var("dhcpv6.search_list_entry", "List entry", Text).spec("RFC 3646 §4");
    IAPREFIX_PREF = FieldDef::var("dhcpv6.iaprefix.pref_lifetime", "Preferred lifetime", Dec).spec("RFC 8415 §21.22");
    IAPREFIX_VALID = FieldDef::var("dhcpv6.iaprefix.valid_lifetime", "Valid lifetime", Dec).spec("RFC 8415 §21.22");
    IAPREFIX_LEN = FieldDef::var("dhcpv6.iaprefix.pref_len", "Prefix length", Dec).spec("RFC 8415 §21.22");
    IAPREFIX_ADDR = FieldDef::var("dhcpv6.iaprefix.pref_addr", "Prefix address", Ipv6).spec("RFC 8415 §21.22");
}

/// The client's and the servers' and relays' UDP ports (RFC 8415 §7.2).
pub const CLIENT_PORT: u16 = 546;
pub const SERVER_PORT: u16 = 547;
/// Options inside options (IA_NA holding IA Address holding Status Code,
/// Relay Message holding a message): deeper is malformed.
const MAX_DEPTH: u8 = 8;

/// The message type's name as Wireshark and tcpdump spell it (RFC 8415
/// §7.3), Wireshark's first.
pub fn msg_name(t: u8) -> Option<(&'static str, &'static str)> {
    Some(match t {
        1 => ("Solicit", "solicit"),
        2 => ("Advertise", "advertise"),
        3 => ("Request", "request"),
        4 => ("Confirm", "confirm"),
        5 => ("Renew", "renew"),
        6 => ("Rebind", "rebind"),
        7 => ("Reply", "reply"),
        8 => ("Release", "release"),
        9 => ("Decline", "decline"),
        10 => ("Reconfigure", "reconfigure"),
        11 => ("Information-request", "inf-req"),
        12 => ("Relay-forw", "relay-fwd"),
        13 => ("Relay-reply", "relay-reply"),
        _ => return None,
    })
}

/// Decode a DHCPv6 message at `start`; `end` is where the datagram ends.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(Proto::Dhcpv6, start..end.min(ctx.data.len()).max(start));
    ctx.set_pdu(start..end);
    message(ctx, start, end, 0);
}

fn message(ctx: &mut Ctx, start: usize, end: usize, depth: u8) {
    let Some(t) = ctx.u8_at(start) else {
        ctx.short_of(Proto::Dhcpv6, start, 4, end, "header");
        return;
    };
    let relay = matches!(t, 12 | 13);
    let head = if relay { 34 } else { 4 };
    if ctx.available(start, end) < head {
        ctx.short_of(Proto::Dhcpv6, start, head, end, "header");
    }
    if !ctx.fields_on {
        return;
    }
    ctx.uint(&MSGTYPE, start);
    if relay {
        ctx.uint(&HOPCOUNT, start);
        ctx.ipv6(&LINKADDR, start);
        ctx.ipv6(&PEERADDR, start);
    } else {
        ctx.uint(&XID, start);
    }
    options(ctx, start + head, end, depth);
}

/// The options in `at..end`.
fn options(ctx: &mut Ctx, mut at: usize, end: usize, depth: u8) {
    if depth >= MAX_DEPTH {
        ctx.malformed(
            Proto::Dhcpv6,
            at,
            format!("options nested more than {MAX_DEPTH} deep; decoding stops here"),
        );
        return;
    }
    let end = end.min(ctx.data.len());
    // Each option takes at least 4 bytes: bounded by the message's length.
    while at + 4 <= end {
        let (Some(code), Some(len)) = (ctx.u16_at(at), ctx.u16_at(at + 2)) else {
            return;
        };
        let body = at + 4;
        let stop = body + usize::from(len);
        ctx.uint_at(&OPTION_TYPE, at..at + 2);
        ctx.uint_at(&OPTION_LENGTH, at + 2..at + 4);
        if stop > end {
            ctx.malformed(
                Proto::Dhcpv6,
                at,
                format!(
                    "option {code} at offset {at} says {len} bytes but only {} are left",
                    end - body
                ),
            );
            return;
        }
        option(ctx, code, body, stop, depth);
        at = stop;
    }
    if at < end {
        ctx.malformed(
            Proto::Dhcpv6,
            at,
            format!(
                "{} bytes after the last option are too few for another",
                end - at
            ),
        );
    }
}

fn option(ctx: &mut Ctx, code: u16, at: usize, end: usize, depth: u8) {
    let len = end - at;
    match code {
        1 | 2 => duid(ctx, at, end),
        3 | 25 if len >= 12 => {
            hex_text(ctx, &IAID, at, at + 4);
            ctx.uint_at(&IAID_T1, at + 4..at + 8);
            ctx.uint_at(&IAID_T2, at + 8..at + 12);
            options(ctx, at + 12, end, depth + 1);
        }
        4 if len >= 4 => {
            hex_text(ctx, &IATA, at, at + 4);
            options(ctx, at + 4, end, depth + 1);
        }
        5 if len >= 24 => {
            ctx.ipv6_at(&IAADDR_IP, at);
            ctx.uint_at(&IAADDR_PREF, at + 16..at + 20);
            ctx.uint_at(&IAADDR_VALID, at + 20..at + 24);
            options(ctx, at + 24, end, depth + 1);
        }
        6 => {
            for p in (at..end.saturating_sub(1)).step_by(2) {
                ctx.uint_at(&REQUESTED, p..p + 2);
            }
        }
        7 if len >= 1 => {
            ctx.uint_at(&PREFERENCE, at..at + 1);
        }
        8 if len >= 2 => {
            // Hundredths of a second on the wire; tshark shows milliseconds.
            if let Some(v) = ctx.read(at..at + 2) {
                ctx.value_at(&ELAPSED, at..at + 2, Value::UInt(v * 10));
            }
        }
        9 => message(ctx, at, end, depth + 1),
        13 if len >= 2 => {
            ctx.uint_at(&STATUS_CODE, at..at + 2);
            if len > 2 {
                let text = String::from_utf8_lossy(&ctx.data[at + 2..end]).into_owned();
                ctx.value_at(&STATUS_MSG, at + 2..end, Value::Text(text.into()));
            }
        }
        23 => {
            for p in (at..end).step_by(16).filter(|p| p + 16 <= end) {
                ctx.ipv6_at(&DNS_SERVER, p);
            }
        }
        24 => search_list(ctx, at, end),
        26 if len >= 25 => {
            ctx.uint_at(&IAPREFIX_PREF, at..at + 4);
            ctx.uint_at(&IAPREFIX_VALID, at + 4..at + 8);
            ctx.uint_at(&IAPREFIX_LEN, at + 8..at + 9);
            ctx.ipv6_at(&IAPREFIX_ADDR, at + 9);
            options(ctx, at + 25, end, depth + 1);
        }
        _ => {}
    }
}

/// Bytes shown as hex digits in a text field (tshark's IAID, IATA).
fn hex_text(ctx: &mut Ctx, def: &'static FieldDef, at: usize, end: usize) {
    let mut s = String::with_capacity(2 * (end - at));
    for b in &ctx.data[at..end] {
        s.push_str(&format!("{b:02x}"));
    }
    ctx.value_at(def, at..end, Value::Text(s.into()));
}

/// A link-layer address as tshark shows it (colon-separated hex).
fn addr_text(ctx: &mut Ctx, def: &'static FieldDef, at: usize, end: usize) {
    if at >= end {
        return;
    }
    let mut s = String::with_capacity(3 * (end - at));
    for (i, b) in ctx.data[at..end].iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        s.push_str(&format!("{b:02x}"));
    }
    ctx.value_at(def, at..end, Value::Text(s.into()));
}

/// A DUID (RFC 8415 §11): its bytes, its type, and the type's parts.
fn duid(ctx: &mut Ctx, at: usize, end: usize) {
    if at >= end {
        return;
    }
    ctx.bytes_at(&DUID_BYTES, at..end);
    let Some(kind) = ctx.u16_at(at).filter(|_| end - at >= 2) else {
        return;
    };
    ctx.uint_at(&DUID_TYPE, at..at + 2);
    let len = end - at;
    match kind {
        1 if len >= 8 => {
            ctx.uint_at(&DUIDLLT_HWTYPE, at + 2..at + 4);
            if let Some(t) = ctx.read(at + 4..at + 8) {
                // Seconds since midnight UTC, 1 January 2000.
                let ntp = (t as u32).wrapping_add(3_155_673_600);
                let text = super::ntp::timestamp(ntp, 0);
                ctx.value_at(&DUIDLLT_TIME, at + 4..at + 8, Value::Text(text.into()));
            }
            addr_text(ctx, &DUIDLLT_ADDR, at + 8, end);
        }
        2 if len >= 6 => {
            ctx.uint_at(&DUIDEN_ENTERPRISE, at + 2..at + 6);
            if len > 6 {
                ctx.bytes_at(&DUIDEN_IDENTIFIER, at + 6..end);
            }
        }
        3 if len >= 4 => {
            ctx.uint_at(&DUIDLL_HWTYPE, at + 2..at + 4);
            addr_text(ctx, &DUIDLL_ADDR, at + 4, end);
        }
        4 if len == 18 => ctx.bytes_at(&DUIDUUID, at + 2..end),
        _ => {}
    }
}

/// Domain names in DNS wire format without compression (RFC 3646 §4,
/// RFC 1035 §3.1), one field each.
fn search_list(ctx: &mut Ctx, at: usize, end: usize) {
    let mut p = at;
    while p < end {
        let start = p;
        let mut name = String::new();
        loop {
            let Some(&n) = ctx.data.get(p).filter(|_| p < end) else {
                ctx.malformed(
                    Proto::Dhcpv6,
                    start,
                    format!("domain name at offset {start} runs past its option"),
                );
                return;
            };
            p += 1;
            if n == 0 {
                break;
            }
            let n = usize::from(n);
            if n > 63 || p + n > end {
                ctx.malformed(
                    Proto::Dhcpv6,
                    start,
                    format!("domain name at offset {start} has a bad label length {n}"),
                );
                return;
            }
            if !name.is_empty() {
                name.push('.');
            }
            name.push_str(&String::from_utf8_lossy(&ctx.data[p..p + n]));
            p += n;
        }
        // tshark writes the root's dot too: `example.com.`.
        name.push('.');
        ctx.value_at(&SEARCH_LIST, start..p, Value::Text(name.into()));
    }
}
