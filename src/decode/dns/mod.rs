//! DNS (RFC 1035) and Multicast DNS (RFC 6762), over UDP and over TCP with
//! its two-byte length prefix (RFC 1035 §4.2.2, RFC 7766).
//!
//! ```text
//!  0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |                      ID                       |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |            QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT  |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! ```
//! then the questions (name, type, class) and the answer, authority and
//! additional records (name, type, class, TTL, length, data). Fields carry
//! tshark's names; mDNS uses the same `dns.*` fields with the class's top
//! bit read as "unicast response" (questions) or "cache flush" (records).

pub mod name;
pub(crate) mod opt;
pub(crate) mod rr;

use super::desegment::framed::{Framer, Framing};
use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, Value};

crate::fields! {
    LENGTH = FieldDef::var("dns.length", "Length", Dec).spec("RFC 1035 §4.2.2");
    ID = FieldDef::fixed("dns.id", "Transaction ID", 0..2, Hex(4)).spec("RFC 1035 §4.1.1");
    FLAGS = FieldDef::fixed("dns.flags", "Flags", 2..4, Hex(4)).spec("RFC 1035 §4.1.1");
    RESPONSE = FieldDef::fixed("dns.flags.response", "Response", 2..4, Bool).mask(0x8000).spec("RFC 1035 §4.1.1");
    OPCODE = FieldDef::fixed("dns.flags.opcode", "Opcode", 2..4, Dec).mask(0x7800).spec("RFC 1035 §4.1.1");
    AUTHORITATIVE = FieldDef::fixed("dns.flags.authoritative", "Authoritative", 2..4, Bool).mask(0x0400).spec("RFC 1035 §4.1.1");
    TRUNCATED = FieldDef::fixed("dns.flags.truncated", "Truncated", 2..4, Bool).mask(0x0200).spec("RFC 1035 §4.1.1");
    RECDESIRED = FieldDef::fixed("dns.flags.recdesired", "Recursion desired", 2..4, Bool).mask(0x0100).spec("RFC 1035 §4.1.1");
    RECAVAIL = FieldDef::fixed("dns.flags.recavail", "Recursion available", 2..4, Bool).mask(0x0080).spec("RFC 1035 §4.1.1");
    Z = FieldDef::fixed("dns.flags.z", "Z", 2..4, Bool).mask(0x0040).spec("RFC 1035 §4.1.1");
    AUTHENTICATED = FieldDef::fixed("dns.flags.authenticated", "Answer authenticated", 2..4, Bool).mask(0x0020).spec("RFC 4035 §3.2.3");
    CHECKDISABLE = FieldDef::fixed("dns.flags.checkdisable", "Non-authenticated data", 2..4, Bool).mask(0x0010).spec("RFC 4035 §3.2.2");
    RCODE = FieldDef::fixed("dns.flags.rcode", "Reply code", 2..4, Dec).mask(0x000f).spec("RFC 1035 §4.1.1");
    QUERIES = FieldDef::fixed("dns.count.queries", "Questions", 4..6, Dec).spec("RFC 1035 §4.1.1");
    ZONES = FieldDef::fixed("dns.count.zones", "Zones", 4..6, Dec).spec("RFC 2136 §2.2");
    ANSWERS = FieldDef::fixed("dns.count.answers", "Answer RRs", 6..8, Dec).spec("RFC 1035 §4.1.1");
    PREREQUISITES = FieldDef::fixed("dns.count.prerequisites", "Prerequisites", 6..8, Dec).spec("RFC 2136 §2.2");
    AUTH_RR = FieldDef::fixed("dns.count.auth_rr", "Authority RRs", 8..10, Dec).spec("RFC 1035 §4.1.1");
    UPDATES = FieldDef::fixed("dns.count.updates", "Updates", 8..10, Dec).spec("RFC 2136 §2.2");
    ADD_RR = FieldDef::fixed("dns.count.add_rr", "Additional RRs", 10..12, Dec).spec("RFC 1035 §4.1.1");
    QRY_NAME = FieldDef::var("dns.qry.name", "Name", Text).spec("RFC 1035 §4.1.2");
    QRY_NAME_LEN = FieldDef::generated("dns.qry.name.len", "Name Length", Dec);
    COUNT_LABELS = FieldDef::generated("dns.count.labels", "Label Count", Dec);
    QRY_TYPE = FieldDef::var("dns.qry.type", "Type", Dec).spec("RFC 1035 §4.1.2");
    QRY_CLASS = FieldDef::var("dns.qry.class", "Class", Hex(4)).spec("RFC 1035 §4.1.2");
    QRY_QU = FieldDef::var("dns.qry.qu", "\"QU\" question", Bool).mask(0x8000).spec("RFC 6762 §5.4");
}

/// The length of the fixed header.
pub const HEADER_LEN: usize = 12;
/// Records decoded from one message (more are counted, not shown): a
/// 64 KiB message holds at most about 6,000 minimal records.
pub const MAX_RECORDS: usize = 8192;

/// The UDP ports on which tshark decodes DNS and mDNS.
pub fn udp_port(port: u16) -> Option<Proto> {
    match port {
        53 => Some(Proto::Dns),
        5353 => Some(Proto::Mdns),
        _ => None,
    }
}

/// A DNS or mDNS message that is a whole UDP payload `at..end`.
pub fn dissect_udp(ctx: &mut Ctx, proto: Proto, at: usize, end: usize) {
    ctx.layer(proto, at..end);
    message(ctx, proto, at, end);
}

/// DNS over TCP, one message at a time over the stream (tshark's
/// `dns.desegment_dns_messages`).
pub const TCP: Framer = Framer {
    len: tcp_len,
    decode: tcp_message,
    other: tcp_message,
};

/// The length of the message at the start of `bytes`, its two-byte
/// prefix included (RFC 1035 §4.2.2).
pub fn tcp_len(bytes: &[u8]) -> Framing {
    let Some(prefix) = bytes.get(..2) else {
        return Framing::More(2 - bytes.len() as u32);
    };
    let total = 2 + usize::from(u16::from_be_bytes([prefix[0], prefix[1]]));
    if bytes.len() >= total {
        Framing::Whole(total)
    } else {
        Framing::More((total - bytes.len()) as u32)
    }
}

/// One message after its two-byte length at `pos..end` (a message cut at
/// the end is decoded as far as it goes, with a note).
fn tcp_message(ctx: &mut Ctx, pos: usize, end: usize) {
    ctx.layer(Proto::Dns, pos..end);
    let Some(len) = ctx.uint_at(&LENGTH, pos..pos + 2) else {
        ctx.short_of(Proto::Dns, pos, 2, end, "length prefix");
        return;
    };
    let body = pos + 2;
    let stop = body + len as usize;
    if stop > end {
        ctx.short_of(Proto::Dns, body, len as usize, end, "length");
    }
    let stop = stop.min(end);
    ctx.set_header(pos..stop);
    ctx.set_pdu(pos..stop);
    message(ctx, Proto::Dns, body, stop);
}

/// The message `base..end` (header, questions, records).
fn message(ctx: &mut Ctx, proto: Proto, base: usize, end: usize) {
    let saved = ctx.limit;
    ctx.bound(end);
    if ctx.fields_on {
        fields(ctx, proto, base, end);
    } else if ctx.available(base, end) < HEADER_LEN {
        ctx.short_of(proto, base, HEADER_LEN, end, "header");
    }
    ctx.limit = saved;
}

fn fields(ctx: &mut Ctx, proto: Proto, base: usize, end: usize) {
    ctx.uint(&ID, base);
    let Some(flags) = ctx.uint(&FLAGS, base) else {
        ctx.short_of(proto, base, HEADER_LEN, end, "header");
        return;
    };
    let response = flags & 0x8000 != 0;
    ctx.uint(&RESPONSE, base);
    let opcode = ctx.uint(&OPCODE, base);
    if response {
        ctx.uint(&AUTHORITATIVE, base);
    }
    ctx.uint(&TRUNCATED, base);
    ctx.uint(&RECDESIRED, base);
    if response {
        ctx.uint(&RECAVAIL, base);
    }
    ctx.uint(&Z, base);
    if response || flags & 0x0020 != 0 {
        ctx.uint(&AUTHENTICATED, base);
    }
    ctx.uint(&CHECKDISABLE, base);
    if response {
        ctx.uint(&RCODE, base);
    }
    let update = opcode == Some(5);
    let counts = if update {
        [&ZONES, &PREREQUISITES, &UPDATES, &ADD_RR]
    } else {
        [&QUERIES, &ANSWERS, &AUTH_RR, &ADD_RR]
    };
    let mut n = [0usize; 4];
    for (i, def) in counts.into_iter().enumerate() {
        match ctx.uint(def, base) {
            Some(v) => n[i] = v as usize,
            None => {
                ctx.short_of(proto, base, HEADER_LEN, end, "header");
                return;
            }
        }
    }
    let msg = &ctx.data[base..end.min(ctx.data.len()).max(base)];
    let mdns = proto == Proto::Mdns;
    let mut pos = HEADER_LEN;
    for _ in 0..n[0] {
        match question(ctx, msg, base, pos, mdns) {
            Some(next) => pos = next,
            None => {
                cut(ctx, proto, base + pos, end, "question");
                return;
            }
        }
    }
    let total = n[1] + n[2] + n[3];
    for i in 0..total {
        if i >= MAX_RECORDS {
            ctx.malformed(
                proto,
                base + pos,
                format!("{total} records; only the first {MAX_RECORDS} are decoded"),
            );
            return;
        }
        match rr::record(ctx, msg, base, pos, mdns) {
            Some(next) => pos = next,
            None => {
                cut(ctx, proto, base + pos, end, "record");
                return;
            }
        }
    }
}

/// Say why a question or record at `at` could not be read.
fn cut(ctx: &mut Ctx, proto: Proto, at: usize, end: usize, what: &str) {
    if at >= ctx.data.len() && at < end {
        ctx.truncated(proto, at, 1);
    } else {
        ctx.malformed(
            proto,
            at,
            format!(
                "a {what} at offset {at} runs past the end of the message, which its counts say holds more"
            ),
        );
    }
}

/// Emit a name read at `pos` of the message as field `def`; returns the
/// name, having noted any trouble with it.
pub(super) fn name_field(
    ctx: &mut Ctx,
    def: &'static FieldDef,
    msg: &[u8],
    base: usize,
    pos: usize,
) -> Option<name::Name> {
    let n = name::read(msg, pos)?;
    if !n.cut && ctx.wants(def) {
        ctx.value_at(
            def,
            base + pos..base + pos + n.len,
            Value::Text(n.text.clone().into()),
        );
    }
    if let Some(why) = n.trouble {
        let proto = ctx.d.top_proto();
        ctx.malformed(
            proto,
            base + pos,
            format!("name at offset {}: {why}", base + pos),
        );
    }
    Some(n)
}

/// One question at `pos`; like tshark, nothing of it is shown unless all
/// of it is there.
fn question(ctx: &mut Ctx, msg: &[u8], base: usize, pos: usize, mdns: bool) -> Option<usize> {
    let n = name::read(msg, pos)?;
    let at = pos + n.len;
    if n.cut || msg.len() < at + 4 {
        return None;
    }
    name_field(ctx, &QRY_NAME, msg, base, pos)?;
    let len = if n.labels > 0 { n.text.len() } else { 0 };
    ctx.generated(&QRY_NAME_LEN, Value::UInt(len as u64));
    ctx.generated(&COUNT_LABELS, Value::UInt(n.labels as u64));
    ctx.uint_at(&QRY_TYPE, base + at..base + at + 2);
    let class = u16::from_be_bytes([msg[at + 2], msg[at + 3]]);
    let range = base + at + 2..base + at + 4;
    if mdns {
        ctx.value_masked(
            &QRY_CLASS,
            range.clone(),
            0x7fff,
            Value::Hex(u64::from(class & 0x7fff), 4),
        );
        ctx.uint_at(&QRY_QU, range);
    } else {
        ctx.uint_at(&QRY_CLASS, range);
    }
    Some(at + 4)
}
