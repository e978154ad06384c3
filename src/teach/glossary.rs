//! One plain sentence, and the document that defines it, for every field the
//! decoder declares: the link layers, IPv4, IPv6 and its extension headers,
//! TCP, UDP, ICMP, ICMPv6, the application protocols (DNS/mDNS, HTTP/SSDP,
//! TLS, QUIC, DHCP, DHCPv6, NTP, IGMP) and the tunnels and bridging layers
//! (LLC/SNAP, STP, GRE, VXLAN, Geneve, Teredo, MPLS). Keyed by the fields'
//! definitions; the sentences use the packet's own values.
//! Uses `decode` only.

use std::net::IpAddr;

use crate::decode::field::FieldDef;
use crate::decode::{Dissection, Field, Value, names};

mod capture;
mod dhcp;
mod dhcpv6;
mod dns;
mod dns_records;
mod geneve;
mod gre;
mod http;
mod icmp;
mod igmp;
mod ipv6;
mod link;
mod llc;
mod ntp;
mod quic;
mod reassembly;
mod stp;
mod teredo;
#[cfg(test)]
mod tests;
mod tls;
mod tls_extensions;
mod transport;
mod vxlan;

/// What a field is for, and where that is defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gloss {
    pub sentence: String,
    /// The defining document, e.g. `RFC 791`.
    pub source: &'static str,
}

/// The field's number, if it is one.
pub(crate) fn num(value: &Value) -> Option<u64> {
    match value {
        Value::UInt(v) | Value::Hex(v, _) => Some(*v),
        Value::Bool(b) => Some(u64::from(*b)),
        _ => None,
    }
}

fn flag(d: &Dissection, key: &str) -> bool {
    d.field(key).and_then(|f| num(&f.value)).unwrap_or(0) != 0
}

fn mac_text(m: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

fn about_mac(m: &[u8; 6]) -> &'static str {
    if *m == [0xff; 6] {
        "the broadcast address: every station on the link takes the frame"
    } else if *m == [0; 6] {
        "all zeros, because loopback has no hardware and Linux fills in zeros"
    } else if m[0] & 1 == 1 {
        "a multicast address: every station that joined the group takes the frame"
    } else {
        "only the network card with this address keeps the frame"
    }
}

fn about_ip(ip: IpAddr) -> &'static str {
    match ip {
        IpAddr::V4(a) if a.is_loopback() => " (loopback: the packet never leaves this host)",
        IpAddr::V4(a) if a.is_private() => " (a private address, RFC 1918)",
        IpAddr::V4(a) if a.is_broadcast() => " (the limited broadcast address)",
        IpAddr::V6(a) if a.is_loopback() => " (IPv6 loopback: the packet never leaves this host)",
        IpAddr::V6(a) if a.segments()[0] & 0xffc0 == 0xfe80 => {
            " (link-local: valid on this link only)"
        }
        IpAddr::V6(a) if a.is_multicast() => " (multicast)",
        _ => "",
    }
}

fn port_kind(port: u64) -> String {
    let service = names::service(port as u16);
    let class = match port {
        0..=1023 => "a well-known (system) port",
        1024..=49151 => "a registered (user) port",
        _ => "a dynamic (private) port",
    };
    let ephemeral = if (32768..=60999).contains(&port) {
        " inside Linux's ephemeral range (32768-60999)"
    } else {
        ""
    };
    match service {
        Some(s) => format!("{class}{ephemeral}, the {s} service"),
        None => format!("{class}{ephemeral}, not a service in wirepeek's table"),
    }
}

fn tcp_option_source(kind: u64) -> &'static str {
    match kind {
        3 | 8 => "RFC 7323",
        4 | 5 => "RFC 2018",
        _ => "RFC 9293",
    }
}

/// What a sentence may use: the field, the packet it is in, and the
/// field's value read as a number, a table name, text and a byte count.
#[derive(Clone, Copy)]
pub(super) struct Cx<'a> {
    pub f: &'a Field,
    pub d: &'a Dissection,
    pub data: &'a [u8],
    pub n: u64,
    pub meaning: &'a str,
    pub text: &'a str,
    pub len: usize,
}

/// The definitions a sentence covers, and the sentence with its source.
pub(super) type Entry = (
    &'static [&'static FieldDef],
    fn(&Cx) -> (String, &'static str),
);

/// Every table of sentences, keyed by the fields' definitions, so a key
/// that is not declared does not compile.
const TABLES: &[&[Entry]] = &[
    link::TABLE,
    transport::TABLE,
    ipv6::TABLE,
    icmp::TABLE,
    capture::TABLE,
    reassembly::TABLE,
    llc::TABLE,
    stp::TABLE,
    gre::TABLE,
    vxlan::TABLE,
    geneve::TABLE,
    teredo::TABLE,
    igmp::TABLE,
    ntp::TABLE,
    dhcp::TABLE,
    dhcpv6::TABLE,
    dns::TABLE,
    dns_records::TABLE,
    http::TABLE,
    tls::TABLE,
    tls_extensions::TABLE,
    quic::TABLE,
];

/// The defining document declared with the field (`FieldDef::spec`).
pub(super) fn spec(cx: &Cx) -> &'static str {
    crate::decode::field::find(cx.f.key).map_or("", |d| d.spec)
}

/// The field's printable text, or a count of its bytes.
pub(super) fn shown(cx: &Cx) -> String {
    match &cx.f.value {
        Value::Bytes(_) => {
            preview(&cx.f.value, cx.data).unwrap_or_else(|| format!("{} bytes", cx.len))
        }
        _ => cx.text.to_string(),
    }
}

/// The sentence-maker for this key, if the glossary covers it.
fn entry(key: &str) -> Option<&'static Entry> {
    TABLES
        .iter()
        .flat_map(|t| t.iter())
        .find(|(defs, _)| defs.iter().any(|def| def.key == key))
}

/// True when the glossary has a sentence for this key.
pub fn covers(key: &str) -> bool {
    entry(key).is_some()
}

/// The sentence for `f`, or None for keys the glossary does not cover.
pub fn explain(f: &Field, d: &Dissection, data: &[u8]) -> Option<Gloss> {
    let (_, sentence) = entry(f.key)?;
    let n = num(&f.value).unwrap_or(0);
    let text = match &f.value {
        Value::Text(t) => t.to_string(),
        Value::Ip(ip) => ip.to_string(),
        Value::Mac(m) => mac_text(m),
        _ => n.to_string(),
    };
    let cx = Cx {
        f,
        d,
        data,
        n,
        meaning: f.meaning.as_deref().unwrap_or("unknown"),
        text: &text,
        len: f.bytes.len(),
    };
    let (sentence, source) = sentence(&cx);
    Some(Gloss { sentence, source })
}

/// Printable text of a byte-valued field, quoted, or None if it is not text.
fn preview(value: &Value, data: &[u8]) -> Option<String> {
    let Value::Bytes(range) = value else {
        return None;
    };
    let bytes = data.get(range.clone())?;
    super::printable(bytes)
}
