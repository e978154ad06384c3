//! tcpdump's words and Wireshark's Info text for the application layers
//! above TCP and UDP. Each protocol's wording lives beside its dissector's
//! summary file; this file only dispatches on the layer the decoder found.

use std::fmt::Write;

use super::super::{Dissection, Layer, Proto};

/// The layer right after `transport` in `d`, if it is an application layer.
fn above<'d>(d: &'d Dissection, transport: &Layer) -> Option<&'d Layer> {
    let i = d.layers.iter().position(|l| std::ptr::eq(l, transport))?;
    d.layers.get(i + 1)
}

/// Write tcpdump's words for the application layer carried by the UDP layer
/// `udp` (print-domain.c, print-ntp.c, …) in place of "UDP, length N".
/// Returns false when there is none, or tcpdump prints none for it.
pub(super) fn after_udp(data: &[u8], d: &Dissection, udp: &Layer, out: &mut String) -> bool {
    let Some(app) = above(d, udp) else {
        return false;
    };
    let wire = udp.pdu.end.saturating_sub(app.header.start);
    match app.proto {
        Proto::Dns | Proto::Mdns => {
            let msg = captured(data, app.header.start, udp.pdu.end);
            super::dns::tcpdump(msg, wire, app.proto == Proto::Mdns, out);
            true
        }
        Proto::Dhcp => {
            // print-bootp.c: `BOOTP/DHCP, Request from MAC, length N`.
            let s = app.header.start;
            let _ = write!(out, "BOOTP/DHCP, ");
            match data.get(s) {
                Some(1) => {
                    out.push_str("Request");
                    if data.get(s + 1..s + 3) == Some(&[1, 6])
                        && let Some(mac) = data.get(s + 28..s + 34)
                    {
                        out.push_str(" from ");
                        super::super::text::push_mac(out, mac);
                    }
                }
                Some(2) => out.push_str("Reply"),
                Some(op) => {
                    let _ = write!(out, "op-#{op}");
                }
                None => {}
            }
            let _ = write!(out, ", length {}", app.pdu.len());
            true
        }
        Proto::Ntp => {
            // print-ntp.c: `NTPv4, Client, length 48`.
            let Some(&flags) = data.get(app.header.start) else {
                return false;
            };
            let _ = write!(
                out,
                "NTPv{}, {}, length {}",
                (flags >> 3) & 7,
                super::super::ntp::mode_name(flags & 7),
                app.pdu.len()
            );
            true
        }
        Proto::Dhcpv6 => {
            let msg = captured(data, app.header.start, udp.pdu.end);
            super::dhcpv6::tcpdump(msg, out);
            true
        }
        Proto::Vxlan => super::tunnel::vxlan_words(data, app.header.start, out),
        Proto::Geneve => super::tunnel::geneve_words(data, app.header.start, out),
        _ => false,
    }
}

/// The captured bytes from `start` up to `end`.
fn captured(data: &[u8], start: usize, end: usize) -> &[u8] {
    let end = end.min(data.len());
    data.get(start..end.max(start)).unwrap_or(&[])
}

/// Append tcpdump's words for the application layer carried by the TCP
/// layer `tcp` (after ", length N"; e.g. `: HTTP: GET / HTTP/1.1`).
pub(super) fn after_tcp(data: &[u8], d: &Dissection, tcp: &Layer, out: &mut String) {
    // tcpdump reads each segment alone: a message put together from
    // segments (another data source) is not its business.
    let app = above(d, tcp).filter(|a| a.source == tcp.source);
    if let Some(app) = app.filter(|a| a.proto == Proto::Dns) {
        // print-domain.c over TCP: the prefix must give the rest's length.
        let length = tcp.pdu.end.saturating_sub(app.header.start);
        let bytes = captured(data, app.header.start, tcp.pdu.end);
        if length < 2 || bytes.len() < 2 {
            let _ = write!(out, " [DNS over TCP: length {length} < 2] (invalid)");
            return;
        }
        let prefix = usize::from(u16::from_be_bytes([bytes[0], bytes[1]]));
        if prefix != length - 2 {
            let _ = write!(
                out,
                " [prefix length({prefix}) != length({})] (invalid)",
                length - 2
            );
            return;
        }
        out.push(' ');
        super::dns::tcpdump(&bytes[2..], length - 2, false, out);
        return;
    }
    // tcpdump chooses HTTP by port alone (80 and 8080), whatever the bytes.
    let ports = captured(data, tcp.header.start, tcp.header.start + 4);
    let http = ports.len() == 4
        && [[ports[0], ports[1]], [ports[2], ports[3]]]
            .iter()
            .any(|p| matches!(u16::from_be_bytes(*p), 80 | 8080));
    if http && tcp.pdu.end > tcp.header.end {
        super::http::tcpdump(captured(data, tcp.header.end, tcp.pdu.end), out);
    }
}

/// Wireshark's Info column for the innermost application layer
/// (`Standard query 0x1a2b A example.com`), when there is one.
pub fn info(data: &[u8], d: &Dissection) -> Option<String> {
    let quic: Vec<&Layer> = d.layers.iter().filter(|l| l.proto == Proto::Quic).collect();
    if !quic.is_empty() {
        return super::quic::info(data, d, &quic);
    }
    if let Some(tls) = d.layer(Proto::Tls) {
        return super::tls::info(d, tls);
    }
    if let Some(l) = d
        .layers
        .iter()
        .rev()
        .find(|l| matches!(l.proto, Proto::Dhcp | Proto::Ntp | Proto::Igmp))
    {
        let msg = captured(data, l.header.start, l.pdu.end);
        return match l.proto {
            Proto::Dhcp => super::app_info::dhcp(msg),
            Proto::Ntp => super::app_info::ntp(msg),
            _ => super::app_info::igmp(msg),
        };
    }
    if let Some(l) = d.layer(Proto::Dhcpv6) {
        return super::dhcpv6::info(captured(data, l.header.start, l.pdu.end));
    }
    dns_http_info(data, d)
}

/// Info for DNS, mDNS, HTTP and SSDP.
fn dns_http_info(data: &[u8], d: &Dissection) -> Option<String> {
    let app = d.layers.iter().rev().find(|l| {
        matches!(
            l.proto,
            Proto::Dns | Proto::Mdns | Proto::Http | Proto::Ssdp
        )
    })?;
    // A message put together from segments is read from its own bytes.
    let data = d.data(app.source, data);
    if matches!(app.proto, Proto::Http | Proto::Ssdp) {
        let end = d.layers.last().map_or(app.header.end, |l| l.header.end);
        return super::http::info(captured(data, app.header.start, end));
    }
    let tcp = d.layers.iter().any(|l| l.proto == Proto::Tcp);
    let skip = if tcp { 2 } else { 0 };
    let msg = captured(data, app.header.start + skip, app.header.end);
    super::dns::info(msg, app.proto == Proto::Mdns)
}
