//! Which application protocol a TCP or UDP payload carries: the one place
//! that chooses, by port and by content, as tshark's heuristics do. Each
//! protocol's dissector lives in its own file; this file only dispatches.

use super::{Ctx, Proto, dns, http, payload};

/// The payload `at..end` of a UDP datagram between these ports. As tshark
/// does, the lower port is tried first.
pub(crate) fn udp(ctx: &mut Ctx, sport: u16, dport: u16, at: usize, end: usize) {
    let (lo, hi) = (sport.min(dport), sport.max(dport));
    if let Some(proto) = dns::udp_port(lo).or_else(|| dns::udp_port(hi)) {
        return dns::dissect_udp(ctx, proto, at, end);
    }
    if sport == 1900 || dport == 1900 {
        return http::message(ctx, Proto::Ssdp, at, end);
    }
    payload::data(ctx, at, end);
}

/// The payload `at..end` of a TCP segment between these ports (this frame's
/// bytes only; reassembled streams reach the decoders through the pipeline).
pub(crate) fn tcp(ctx: &mut Ctx, sport: u16, dport: u16, at: usize, end: usize) {
    if sport == 53 || dport == 53 {
        return dns::dissect(ctx, at, end);
    }
    if http::tcp_port(sport) || http::tcp_port(dport) {
        return http::dissect(ctx, at, end);
    }
    // tshark's HTTP heuristic: a request or status line on any other port.
    let from = at.min(ctx.data.len());
    let captured = &ctx.data[from..end.min(ctx.data.len()).max(from)];
    if http::start(captured).is_some() {
        return http::message(ctx, Proto::Http, at, end);
    }
    payload::data(ctx, at, end);
}
