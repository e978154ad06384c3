//! DNS and mDNS in one line: tcpdump's words (print-domain.c at its default
//! verbosity: `22836+ [1au] A? www.tcpdump.org. (56)`, `22836*- 2/2/5 A
//! 192.139.46.66, A 198.199.88.104 (224)`) and Wireshark's Info column
//! (`Standard query 0x5934 A www.tcpdump.org OPT`). Both read the message's
//! bytes, bounded by what was captured; nothing here allocates per record
//! beyond the line itself.

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::decode::dns::name;

/// Reading past the captured bytes: tcpdump prints ` [|domain]` there.
struct Trunc;

fn be16(m: &[u8], at: usize) -> Result<u16, Trunc> {
    m.get(at..at + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or(Trunc)
}

/// tcpdump's record type names (ns_type2str).
fn tcpdump_type(t: u16) -> Option<&'static str> {
    const LOW: [&str; 64] = [
        "",
        "A",
        "NS",
        "MD",
        "MF",
        "CNAME",
        "SOA",
        "MB",
        "MG",
        "MR",
        "NULL",
        "WKS",
        "PTR",
        "HINFO",
        "MINFO",
        "MX",
        "TXT",
        "RP",
        "AFSDB",
        "X25",
        "ISDN",
        "RT",
        "NSAP",
        "NSAP_PTR",
        "SIG",
        "KEY",
        "PX",
        "GPOS",
        "AAAA",
        "LOC",
        "NXT",
        "EID",
        "NIMLOC",
        "SRV",
        "ATMA",
        "NAPTR",
        "KX",
        "CERT",
        "A6",
        "DNAME",
        "SINK",
        "OPT",
        "APL",
        "DS",
        "SSHFP",
        "IPSECKEY",
        "RRSIG",
        "NSEC",
        "DNSKEY",
        "DHCID",
        "NSEC3",
        "NSEC3PARAM",
        "TLSA",
        "SMIMEA",
        "",
        "HIP",
        "NINFO",
        "RKEY",
        "TALINK",
        "CDS",
        "CDNSKEY",
        "OPENPGPKEY",
        "CSYNC",
        "ZONEMD",
    ];
    let name = match t {
        1..=63 => LOW[t as usize],
        64 => "SVCB",
        65 => "HTTPS",
        99 => "SPF",
        100 => "UINFO",
        101 => "UID",
        102 => "GID",
        103 => "UNSPEC",
        104 => "NID",
        105 => "L32",
        106 => "L64",
        107 => "LP",
        108 => "EUI48",
        109 => "EUI64",
        249 => "TKEY",
        250 => "TSIG",
        251 => "IXFR",
        252 => "AXFR",
        253 => "MAILB",
        254 => "MAILA",
        255 => "ANY",
        256 => "URI",
        257 => "CAA",
        258 => "AVC",
        259 => "DOA",
        260 => "AMTRELAY",
        32768 => "TA",
        32769 => "DLV",
        _ => "",
    };
    (!name.is_empty()).then_some(name)
}

fn push_type(out: &mut String, t: u16) {
    match tcpdump_type(t) {
        Some(n) => out.push_str(n),
        None => {
            let _ = write!(out, "Type{t}");
        }
    }
}

fn push_class(out: &mut String, class: u16) {
    match class {
        1 => {}
        3 => out.push_str(" CHAOS"),
        4 => out.push_str(" HS"),
        255 => out.push_str(" ANY"),
        c => {
            let _ = write!(out, " (Class {c})");
        }
    }
}

/// tcpdump's fqdn_print: each label and a dot, pointers only backwards.
/// Returns where the name ends in place.
fn fqdn(m: &[u8], at: usize, out: &mut String) -> Result<usize, Trunc> {
    let mut cp = at;
    let mut max_offset = at;
    let mut rp: Option<usize> = None;
    let mut i = *m.get(cp).ok_or(Trunc)?;
    cp += 1;
    if i == 0 {
        out.push('.');
        return Ok(cp);
    }
    while i != 0 {
        match i & 0xc0 {
            0xc0 => {
                let low = *m.get(cp).ok_or(Trunc)?;
                rp.get_or_insert(cp + 1);
                let offset = (usize::from(i & 0x3f) << 8) | usize::from(low);
                if offset >= max_offset {
                    out.push_str("<BAD PTR>");
                    return Err(Trunc);
                }
                max_offset = offset;
                cp = offset;
                i = *m.get(cp).ok_or(Trunc)?;
                cp += 1;
                continue;
            }
            0x00 => {
                let label = m.get(cp..cp + usize::from(i)).ok_or(Trunc)?;
                for &c in label {
                    let mut c = c;
                    if !c.is_ascii() {
                        c &= 0x7f;
                        out.push_str("M-");
                    }
                    if !(0x20..0x7f).contains(&c) {
                        c ^= 0x40;
                        out.push('^');
                    }
                    out.push(c as char);
                }
                cp += usize::from(i);
                out.push('.');
            }
            _ => {
                let _ = write!(out, "<ELT {}>", i & 0x3f);
                return Err(Trunc);
            }
        }
        i = *m.get(cp).ok_or(Trunc)?;
        cp += 1;
    }
    Ok(rp.unwrap_or(cp))
}

/// tcpdump's ns_nskip: the end of the name at `at`, without printing it.
fn skip(m: &[u8], at: usize) -> Result<usize, Trunc> {
    let mut cp = at;
    loop {
        let i = *m.get(cp).ok_or(Trunc)?;
        cp += 1;
        match i & 0xc0 {
            _ if i == 0 => return Ok(cp),
            0xc0 => return Ok(cp + 1),
            0x00 => cp += usize::from(i),
            _ => return Err(Trunc),
        }
    }
}

/// tcpdump's words for the message `m` (captured bytes of the DNS
/// message), whose length on the wire is `length`.
pub(super) fn tcpdump(m: &[u8], length: usize, mdns: bool, out: &mut String) {
    if words(m, mdns, out).is_ok() {
        let _ = write!(out, " ({length})");
    } else {
        out.push_str(" [|domain]");
    }
}

const OPS: [&str; 16] = [
    "",
    " inv_q",
    " stat",
    " op3",
    " notify",
    " update",
    " op6",
    " op7",
    " op8",
    " updateA",
    " updateD",
    " updateDA",
    " updateM",
    " updateMA",
    " zoneInit",
    " zoneRef",
];
const RCODES: [&str; 16] = [
    "",
    " FormErr",
    " ServFail",
    " NXDomain",
    " NotImp",
    " Refused",
    " YXDomain",
    " YXRRSet",
    " NXRRSet",
    " NotAuth",
    " NotZone",
    " Resp11",
    " Resp12",
    " Resp13",
    " Resp14",
    " Resp15",
];

fn words(m: &[u8], mdns: bool, out: &mut String) -> Result<(), Trunc> {
    let id = be16(m, 0)?;
    let flags = be16(m, 2)?;
    let qd = be16(m, 4)?;
    let an = be16(m, 6)?;
    let ns = be16(m, 8)?;
    let ar = be16(m, 10)?;
    let op = OPS[usize::from(flags >> 11 & 15)];
    let mut cp = 12;
    if flags & 0x8000 != 0 {
        let _ = write!(out, "{id}{op}{}", RCODES[usize::from(flags & 15)]);
        for (bit, c) in [(0x0400, "*"), (0x0200, "|"), (0x0020, "$")] {
            if bit == 0x0200 && flags & 0x0080 == 0 {
                out.push('-');
            }
            if flags & bit != 0 {
                out.push_str(c);
            }
        }
        if qd != 1 {
            let _ = write!(out, " [{qd}q]");
        }
        for _ in 0..qd {
            cp = skip(m, cp)? + 4;
        }
        let _ = write!(out, " {an}/{ns}/{ar}");
        for i in 0..an {
            if i > 0 {
                if cp >= m.len() {
                    return Err(Trunc);
                }
                out.push(',');
            }
            cp = record(m, cp, mdns, out)?;
        }
    } else {
        let _ = write!(out, "{id}{op}");
        if flags & 0x0100 != 0 {
            out.push('+');
        }
        if flags & 0x0010 != 0 {
            out.push('%');
        }
        if flags & 0x6cf != 0 {
            let _ = write!(out, " [b2&3=0x{flags:x}]");
        }
        if flags >> 11 & 15 == 1 {
            if qd != 0 {
                let _ = write!(out, " [{qd}q]");
            }
            if an != 1 {
                let _ = write!(out, " [{an}a]");
            }
        } else {
            if an != 0 {
                let _ = write!(out, " [{an}a]");
            }
            if qd != 1 {
                let _ = write!(out, " [{qd}q]");
            }
        }
        if ns != 0 {
            let _ = write!(out, " [{ns}n]");
        }
        if ar != 0 {
            let _ = write!(out, " [{ar}au]");
        }
        for i in 0..qd {
            if i > 0 && cp >= m.len() {
                return Err(Trunc);
            }
            let np = skip(m, cp)?;
            let t = be16(m, np)?;
            let class = be16(m, np + 2)?;
            out.push(' ');
            push_type(out, t);
            push_class(out, if mdns { class & 0x7fff } else { class });
            if mdns {
                out.push_str(if class & 0x8000 != 0 {
                    " (QU)"
                } else {
                    " (QM)"
                });
            }
            out.push_str("? ");
            fqdn(m, cp, out)?;
            cp = np + 4;
        }
    }
    Ok(())
}

/// tcpdump's ns_rprint at default verbosity: type and data of one record.
fn record(m: &[u8], at: usize, mdns: bool, out: &mut String) -> Result<usize, Trunc> {
    let mut cp = skip(m, at)?;
    let t = be16(m, cp)?;
    let raw_class = be16(m, cp + 2)?;
    let class = if mdns { raw_class & 0x7fff } else { raw_class };
    cp += 4;
    if t != 41 {
        push_class(out, class);
    }
    if mdns && raw_class & 0x8000 != 0 {
        out.push_str(" (Cache flush)");
    }
    let opt_flags = be16(m, cp + 2)?;
    cp += 4;
    let len = usize::from(be16(m, cp)?);
    cp += 2;
    let rp = cp + len;
    out.push(' ');
    push_type(out, t);
    if rp > m.len() {
        return Err(Trunc);
    }
    match t {
        1 if len >= 4 => {
            let _ = write!(
                out,
                " {}",
                Ipv4Addr::new(m[cp], m[cp + 1], m[cp + 2], m[cp + 3])
            );
        }
        2 | 5 | 12 | 39 => {
            out.push(' ');
            fqdn(m, cp, out)?;
        }
        15 => {
            out.push(' ');
            fqdn(m, cp + 2, out)?;
            let _ = write!(out, " {}", be16(m, cp)?);
        }
        16 => {
            let mut p = cp;
            while p < rp {
                let n = usize::from(m[p]);
                let s = m.get(p + 1..p + 1 + n).ok_or(Trunc)?;
                out.push_str(" \"");
                for &c in s {
                    if (0x20..0x7f).contains(&c) {
                        out.push(c as char);
                    } else {
                        out.push('.');
                    }
                }
                out.push('"');
                p += 1 + n;
            }
        }
        33 => {
            out.push(' ');
            fqdn(m, cp + 6, out)?;
            let _ = write!(
                out,
                ":{} {} {}",
                be16(m, cp + 4)?,
                be16(m, cp)?,
                be16(m, cp + 2)?
            );
        }
        28 if len >= 16 => {
            let b: [u8; 16] = m[cp..cp + 16].try_into().map_err(|_| Trunc)?;
            let _ = write!(out, " {}", Ipv6Addr::from(b));
        }
        41 => {
            let _ = write!(out, " UDPsize={class}");
            if opt_flags & 0x8000 != 0 {
                out.push_str(" DO");
            }
        }
        _ => {}
    }
    Ok(rp)
}

const WS_OPS: [&str; 7] = [
    "Standard query",
    "Inverse query",
    "Server status request",
    "Unknown operation (3)",
    "Zone change notification",
    "Dynamic update",
    "DNS Stateful operations (DSO)",
];
const WS_RCODES: [&str; 11] = [
    "No error",
    "Format error",
    "Server failure",
    "No such name",
    "Not implemented",
    "Refused",
    "Name exists",
    "RRset exists",
    "RRset does not exist",
    "Not authoritative",
    "Name out of zone",
];

/// Wireshark's Info column for the message `m`: as far as the captured
/// bytes go.
pub(super) fn info(m: &[u8], mdns: bool) -> Option<String> {
    let id = be16(m, 0).ok()?;
    let flags = be16(m, 2).ok()?;
    let mut out = String::new();
    let op = usize::from(flags >> 11 & 15);
    match WS_OPS.get(op) {
        Some(s) => out.push_str(s),
        None => {
            let _ = write!(out, "Unknown operation ({op})");
        }
    }
    if flags & 0x8000 != 0 {
        out.push_str(" response");
    }
    let _ = write!(out, " 0x{id:04x}");
    let rcode = usize::from(flags & 15);
    if flags & 0x8000 != 0 && rcode != 0 {
        let _ = write!(out, " {}", WS_RCODES.get(rcode).unwrap_or(&"Unknown error"));
    }
    let counts: Vec<u16> = (0..4).filter_map(|i| be16(m, 4 + 2 * i).ok()).collect();
    if counts.len() < 4 {
        return Some(out);
    }
    let mut cp = 12;
    for _ in 0..counts[0] {
        let Some(n) = name::read(m, cp).filter(|n| !n.cut) else {
            return Some(out);
        };
        let (Ok(t), Ok(class)) = (be16(m, cp + n.len), be16(m, cp + n.len + 2)) else {
            return Some(out);
        };
        let _ = write!(out, " {} {}", ws_type(t), n.text);
        if mdns {
            let q = if class & 0x8000 != 0 { "QU" } else { "QM" };
            let _ = write!(out, ", \"{q}\" question");
        }
        cp += n.len + 4;
    }
    let records = usize::from(counts[1]) + usize::from(counts[2]) + usize::from(counts[3]);
    for _ in 0..records.min(crate::decode::dns::MAX_RECORDS) {
        let Some(n) = name::read(m, cp).filter(|n| !n.cut) else {
            break;
        };
        let at = cp + n.len;
        let (Ok(t), Ok(class), Ok(len)) = (be16(m, at), be16(m, at + 2), be16(m, at + 8)) else {
            break;
        };
        let rd = at + 10;
        let len = usize::from(len);
        let Some(data) = m.get(rd..rd + len) else {
            break;
        };
        let _ = write!(out, " {}", ws_type(t));
        if mdns && t != 41 && class & 0x8000 != 0 {
            out.push_str(", cache flush");
        }
        match t {
            1 if len == 4 => {
                let _ = write!(
                    out,
                    " {}",
                    Ipv4Addr::new(data[0], data[1], data[2], data[3])
                );
            }
            28 if len == 16 => {
                let b: [u8; 16] = data.try_into().unwrap_or([0; 16]);
                let _ = write!(out, " {}", Ipv6Addr::from(b));
            }
            2 | 5 | 12 | 6 => {
                if let Some(n) = name::read(m, rd) {
                    let _ = write!(out, " {}", n.text);
                }
            }
            15 if len > 2 => {
                if let Some(n) = name::read(m, rd + 2) {
                    let _ = write!(out, " {}", n.text);
                }
            }
            33 if len > 6 => {
                if let Some(n) = name::read(m, rd + 6) {
                    let port = u16::from_be_bytes([data[4], data[5]]);
                    let (p, w) = (
                        u16::from_be_bytes([data[0], data[1]]),
                        u16::from_be_bytes([data[2], data[3]]),
                    );
                    let _ = write!(out, " {p} {w} {port} {}", n.text);
                }
            }
            _ => {}
        }
        cp = rd + len;
    }
    Some(out)
}

/// Wireshark's type names in the Info column.
fn ws_type(t: u16) -> String {
    match crate::decode::dns::rr::type_name(t) {
        Some(n) => n.to_string(),
        None => format!("Unknown ({t})"),
    }
}
