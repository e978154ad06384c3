//! Resource records (RFC 1035 §4.1.3): owner name, type, class, TTL, data
//! length and data; the data of the common types decoded into tshark's
//! fields, of the rest shown as bytes.

use super::super::field::{FieldDef, Format::*};
use super::super::{Ctx, Value};
use super::{name, name_field, opt};

crate::fields! {
    RESP_NAME = FieldDef::var("dns.resp.name", "Name", Text).spec("RFC 1035 §4.1.3");
    RESP_TYPE = FieldDef::var("dns.resp.type", "Type", Dec).spec("RFC 1035 §4.1.3");
    RESP_CLASS = FieldDef::var("dns.resp.class", "Class", Hex(4)).spec("RFC 1035 §4.1.3");
    CACHE_FLUSH = FieldDef::var("dns.resp.cache_flush", "Cache flush", Bool).mask(0x8000).spec("RFC 6762 §10.2");
    RESP_TTL = FieldDef::var("dns.resp.ttl", "Time to live", Dec).spec("RFC 1035 §4.1.3");
    RESP_LEN = FieldDef::var("dns.resp.len", "Data length", Dec).spec("RFC 1035 §4.1.3");
    UDP_PAYLOAD_SIZE = FieldDef::var("dns.rr.udp_payload_size", "UDP payload size", Dec).spec("RFC 6891 §6.1.2");
    EXT_RCODE = FieldDef::var("dns.resp.ext_rcode", "Higher bits in extended RCODE", Hex(2)).spec("RFC 6891 §6.1.3");
    EDNS0_VERSION = FieldDef::var("dns.resp.edns0_version", "EDNS0 version", Dec).spec("RFC 6891 §6.1.3");
    RESP_Z = FieldDef::var("dns.resp.z", "Z", Hex(4)).spec("RFC 6891 §6.1.3");
    Z_DO = FieldDef::var("dns.resp.z.do", "DO bit", Bool).mask(0x8000).spec("RFC 3225 §3");
    Z_RESERVED = FieldDef::var("dns.resp.z.reserved", "Reserved", Hex(4)).mask(0x7fff).spec("RFC 6891 §6.1.3");
    A = FieldDef::var("dns.a", "Address", Ipv4).spec("RFC 1035 §3.4.1");
    AAAA = FieldDef::var("dns.aaaa", "AAAA Address", Ipv6).spec("RFC 3596 §2.2");
    CNAME = FieldDef::var("dns.cname", "CNAME", Text).spec("RFC 1035 §3.3.1");
    NS = FieldDef::var("dns.ns", "Name Server", Text).spec("RFC 1035 §3.3.11");
    PTR = FieldDef::var("dns.ptr.domain_name", "Domain Name", Text).spec("RFC 1035 §3.3.12");
    MX_PREFERENCE = FieldDef::var("dns.mx.preference", "Preference", Dec).spec("RFC 1035 §3.3.9");
    MX_EXCHANGE = FieldDef::var("dns.mx.mail_exchange", "Mail Exchange", Text).spec("RFC 1035 §3.3.9");
    TXT_LENGTH = FieldDef::var("dns.txt.length", "TXT Length", Dec).spec("RFC 1035 §3.3.14");
    TXT = FieldDef::var("dns.txt", "TXT", Text).spec("RFC 1035 §3.3.14");
    SOA_MNAME = FieldDef::var("dns.soa.mname", "Primary name server", Text).spec("RFC 1035 §3.3.13");
    SOA_RNAME = FieldDef::var("dns.soa.rname", "Responsible authority's mailbox", Text).spec("RFC 1035 §3.3.13");
    SOA_SERIAL = FieldDef::var("dns.soa.serial_number", "Serial Number", Dec).spec("RFC 1035 §3.3.13");
    SOA_REFRESH = FieldDef::var("dns.soa.refresh_interval", "Refresh Interval", Dec).spec("RFC 1035 §3.3.13");
    SOA_RETRY = FieldDef::var("dns.soa.retry_interval", "Retry Interval", Dec).spec("RFC 1035 §3.3.13");
    SOA_EXPIRE = FieldDef::var("dns.soa.expire_limit", "Expire limit", Dec).spec("RFC 1035 §3.3.13");
    SOA_MINIMUM = FieldDef::var("dns.soa.minimum_ttl", "Minimum TTL", Dec).spec("RFC 1035 §3.3.13");
    SRV_SERVICE = FieldDef::var("dns.srv.service", "Service", Text).spec("RFC 2782");
    SRV_PROTO = FieldDef::var("dns.srv.proto", "Protocol", Text).spec("RFC 2782");
    SRV_NAME = FieldDef::var("dns.srv.name", "Name", Text).spec("RFC 2782");
    SRV_PRIORITY = FieldDef::var("dns.srv.priority", "Priority", Dec).spec("RFC 2782");
    SRV_WEIGHT = FieldDef::var("dns.srv.weight", "Weight", Dec).spec("RFC 2782");
    SRV_PORT = FieldDef::var("dns.srv.port", "Port", Dec).spec("RFC 2782");
    SRV_TARGET = FieldDef::var("dns.srv.target", "Target", Text).spec("RFC 2782");
    DATA = FieldDef::var("dns.data", "Data", Bytes).spec("RFC 1035 §3.2.1");
}

/// Record types (RFC 1035 §3.2.2 and later), as tcpdump and Wireshark name
/// them.
pub fn type_name(t: u16) -> Option<&'static str> {
    Some(match t {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        13 => "HINFO",
        15 => "MX",
        16 => "TXT",
        17 => "RP",
        24 => "SIG",
        25 => "KEY",
        28 => "AAAA",
        29 => "LOC",
        33 => "SRV",
        35 => "NAPTR",
        39 => "DNAME",
        41 => "OPT",
        43 => "DS",
        44 => "SSHFP",
        46 => "RRSIG",
        47 => "NSEC",
        48 => "DNSKEY",
        50 => "NSEC3",
        51 => "NSEC3PARAM",
        52 => "TLSA",
        64 => "SVCB",
        65 => "HTTPS",
        99 => "SPF",
        249 => "TKEY",
        250 => "TSIG",
        251 => "IXFR",
        252 => "AXFR",
        255 => "ANY",
        256 => "URI",
        257 => "CAA",
        _ => return None,
    })
}

fn be(msg: &[u8], at: usize, n: usize) -> u64 {
    msg[at..at + n]
        .iter()
        .fold(0, |a, b| (a << 8) | u64::from(*b))
}

/// One record at `pos` of the message; returns where the next starts, or
/// `None` when the record does not fit in the message (then, as tshark,
/// nothing of it is shown).
pub(super) fn record(
    ctx: &mut Ctx,
    msg: &[u8],
    base: usize,
    pos: usize,
    mdns: bool,
) -> Option<usize> {
    let owner = name::read(msg, pos)?;
    let at = pos + owner.len;
    if owner.cut || msg.len() < at + 10 || msg.len() < at + 10 + be(msg, at + 8, 2) as usize {
        return None;
    }
    let rtype = u16::from_be_bytes([msg[at], msg[at + 1]]);
    let name_range = base + pos..base + at;
    if rtype == 33 && owner.labels > 0 && owner.trouble.is_none() {
        let mut parts = owner.text.splitn(3, '.');
        for def in [&SRV_SERVICE, &SRV_PROTO, &SRV_NAME] {
            if let Some(p) = parts.next() {
                ctx.value_at(def, name_range.clone(), Value::Text(p.to_string().into()));
            }
        }
    } else {
        name_field(ctx, &RESP_NAME, msg, base, pos)?;
    }
    if owner.trouble.is_some() {
        return None;
    }
    let abs = |o: usize, n: usize| base + o..base + o + n;
    ctx.uint_at(&RESP_TYPE, abs(at, 2));
    let class = be(msg, at + 2, 2);
    if rtype == 41 {
        if mdns {
            let v = Value::Hex(class & 0x7fff, 4);
            let def = &UDP_PAYLOAD_SIZE;
            ctx.value_masked(def, abs(at + 2, 2), 0x7fff, v);
            ctx.uint_at(&CACHE_FLUSH, abs(at + 2, 2));
        } else {
            ctx.uint_at(&UDP_PAYLOAD_SIZE, abs(at + 2, 2));
        }
        ctx.uint_at(&EXT_RCODE, abs(at + 4, 1));
        ctx.uint_at(&EDNS0_VERSION, abs(at + 5, 1));
        ctx.uint_at(&RESP_Z, abs(at + 6, 2));
        ctx.uint_at(&Z_DO, abs(at + 6, 2));
        ctx.uint_at(&Z_RESERVED, abs(at + 6, 2));
    } else {
        if mdns {
            let def = &RESP_CLASS;
            let v = Value::Hex(class & 0x7fff, 4);
            ctx.value_masked(def, abs(at + 2, 2), 0x7fff, v);
            ctx.uint_at(&CACHE_FLUSH, abs(at + 2, 2));
        } else {
            ctx.uint_at(&RESP_CLASS, abs(at + 2, 2));
        }
        ctx.uint_at(&RESP_TTL, abs(at + 4, 4));
    }
    let rdlen = be(msg, at + 8, 2) as usize;
    ctx.uint_at(&RESP_LEN, abs(at + 8, 2));
    let rd = at + 10;
    rdata(ctx, msg, base, rtype, rd, rd + rdlen);
    Some(rd + rdlen)
}

/// The data `rd..stop` of a record of type `rtype`.
fn rdata(ctx: &mut Ctx, msg: &[u8], base: usize, rtype: u16, rd: usize, stop: usize) {
    let len = stop - rd;
    let abs = |o: usize, n: usize| base + o..base + o + n;
    match rtype {
        1 if len == 4 => {
            ctx.ipv4_at(&A, base + rd);
        }
        28 if len == 16 => {
            ctx.ipv6_at(&AAAA, base + rd);
        }
        2 | 5 | 12 => {
            let def = match rtype {
                2 => &NS,
                5 => &CNAME,
                _ => &PTR,
            };
            name_field(ctx, def, msg, base, rd);
        }
        15 if len >= 3 => {
            ctx.uint_at(&MX_PREFERENCE, abs(rd, 2));
            name_field(ctx, &MX_EXCHANGE, msg, base, rd + 2);
        }
        16 => {
            let mut p = rd;
            while p < stop {
                let n = msg[p] as usize;
                ctx.uint_at(&TXT_LENGTH, abs(p, 1));
                let end = (p + 1 + n).min(stop);
                if end > p + 1 {
                    let text = String::from_utf8_lossy(&msg[p + 1..end]).into_owned();
                    ctx.value_at(&TXT, abs(p + 1, end - p - 1), Value::Text(text.into()));
                }
                p = p + 1 + n;
            }
        }
        6 => {
            let Some(m) = name_field(ctx, &SOA_MNAME, msg, base, rd) else {
                return;
            };
            let Some(r) = name_field(ctx, &SOA_RNAME, msg, base, rd + m.len) else {
                return;
            };
            let mut p = rd + m.len + r.len;
            for def in [
                &SOA_SERIAL,
                &SOA_REFRESH,
                &SOA_RETRY,
                &SOA_EXPIRE,
                &SOA_MINIMUM,
            ] {
                if p + 4 > stop {
                    return;
                }
                ctx.uint_at(def, abs(p, 4));
                p += 4;
            }
        }
        33 if len >= 7 => {
            ctx.uint_at(&SRV_PRIORITY, abs(rd, 2));
            ctx.uint_at(&SRV_WEIGHT, abs(rd + 2, 2));
            ctx.uint_at(&SRV_PORT, abs(rd + 4, 2));
            name_field(ctx, &SRV_TARGET, msg, base, rd + 6);
        }
        41 => opt::options(ctx, msg, base, rd, stop),
        64 | 65 => opt::svcb(ctx, msg, base, rd, stop),
        _ => ctx.bytes_at(&DATA, abs(rd, len)),
    }
}
