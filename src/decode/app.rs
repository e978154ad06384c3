//! Which application protocol a TCP or UDP payload carries: the one place
//! that chooses, by port and by content, as tshark's heuristics do. Each
//! protocol's dissector lives in its own file; this file only dispatches.

use super::desegment::{TcpPdu, framed};
use super::{Ctx, Proto, dhcp, dhcpv6, dns, geneve, http, ntp, payload, quic, teredo, tls, vxlan};

/// The payload `at..end` of a UDP datagram between these ports. As
/// tshark's UDP dissector does, the lower port is tried first.
pub(crate) fn udp(ctx: &mut Ctx, sport: u16, dport: u16, at: usize, end: usize) {
    let (lo, hi) = (sport.min(dport), sport.max(dport));
    for port in [lo, hi] {
        if udp_port(ctx, port, at, end) {
            return;
        }
    }
    if sport == 1900 || dport == 1900 {
        return http::message(ctx, Proto::Ssdp, at, end);
    }
    let head = ctx.data.get(at..end.min(ctx.data.len())).unwrap_or(&[]);
    if quic::claims(head, sport, dport) {
        return quic::dissect(ctx, at, end);
    }
    payload::data(ctx, at, end);
}

/// The protocol registered on a UDP port; false when there is none.
fn udp_port(ctx: &mut Ctx, port: u16, at: usize, end: usize) -> bool {
    if let Some(proto) = dns::udp_port(port) {
        dns::dissect_udp(ctx, proto, at, end);
        return true;
    }
    match port {
        dhcp::SERVER_PORT | dhcp::CLIENT_PORT => dhcp::dissect(ctx, at, end),
        dhcpv6::SERVER_PORT | dhcpv6::CLIENT_PORT => dhcpv6::dissect(ctx, at, end),
        ntp::PORT => ntp::dissect(ctx, at, end),
        vxlan::PORT => vxlan::dissect(ctx, at, end),
        geneve::PORT => geneve::dissect(ctx, at, end),
        teredo::PORT => teredo::dissect(ctx, at, end),
        _ => return false,
    }
    true
}

/// The payload `at..end` of a TCP segment between these ports. HTTP and
/// DNS messages that span segments are put together (see
/// `desegment::framed`): a segment that continues or completes one goes
/// back to the framer that asked for it.
pub(crate) fn tcp(ctx: &mut Ctx, sport: u16, dport: u16, at: usize, end: usize) {
    if sport == 53 || dport == 53 {
        return framed::tcp_pdus(ctx, at, end, &dns::TCP);
    }
    if http::tcp_port(sport) || http::tcp_port(dport) {
        return framed::tcp_pdus(ctx, at, end, &http::ON_PORT);
    }
    if let Some(d) = tcp_dissector(sport, dport) {
        return super::desegment::tcp_payload(ctx, at, end, Some(d));
    }
    let head = ctx.data.get(at..end.min(ctx.data.len())).unwrap_or(&[]);
    // A message found by content that spans segments: its later segments
    // start with no request line, but the pipeline says what they are.
    let pending = !matches!(ctx.tcp_pdu, TcpPdu::Fresh | TcpPdu::Alone | TcpPdu::Ask(_));
    if pending || http::start(head).is_some() {
        return framed::tcp_pdus(ctx, at, end, &http::BY_CONTENT);
    }
    if tls::claims(head, sport, dport) {
        return tls::dissect(ctx, at, end);
    }
    payload::data(ctx, at, end);
}

/// The dissector for a TCP payload between these ports, if any.
fn tcp_dissector(sport: u16, dport: u16) -> Option<super::desegment::TcpDissector> {
    #[cfg(test)]
    if let Some(d) = super::desegment::tests::by_port(sport, dport) {
        return Some(d);
    }
    let _ = (sport, dport);
    None
}
