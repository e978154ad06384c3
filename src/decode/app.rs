//! Which application protocol a TCP or UDP payload carries: the one place
//! that chooses, by port and by content, as tshark's heuristics do. Each
//! protocol's dissector lives in its own file; this file only dispatches.

use super::{Ctx, dhcp, geneve, ntp, payload, quic, teredo, tls, vxlan};

/// The payload `at..end` of a UDP datagram between these ports. As
/// tshark's UDP dissector does, the lower port is tried first.
pub(crate) fn udp(ctx: &mut Ctx, sport: u16, dport: u16, at: usize, end: usize) {
    let (lo, hi) = if sport <= dport {
        (sport, dport)
    } else {
        (dport, sport)
    };
    for port in [lo, hi] {
        if udp_port(ctx, port, at, end) {
            return;
        }
    }
    let head = ctx.data.get(at..end.min(ctx.data.len())).unwrap_or(&[]);
    if quic::claims(head, sport, dport) {
        return quic::dissect(ctx, at, end);
    }
    payload::data(ctx, at, end);
}

/// The protocol registered on a UDP port; false when there is none.
fn udp_port(ctx: &mut Ctx, port: u16, at: usize, end: usize) -> bool {
    match port {
        dhcp::SERVER_PORT | dhcp::CLIENT_PORT => dhcp::dissect(ctx, at, end),
        ntp::PORT => ntp::dissect(ctx, at, end),
        vxlan::PORT => vxlan::dissect(ctx, at, end),
        geneve::PORT => geneve::dissect(ctx, at, end),
        teredo::PORT => teredo::dissect(ctx, at, end),
        _ => return false,
    }
    true
}

/// The payload `at..end` of a TCP segment between these ports (this frame's
/// bytes only; reassembled streams reach the decoders through the pipeline).
pub(crate) fn tcp(ctx: &mut Ctx, sport: u16, dport: u16, at: usize, end: usize) {
    let head = ctx.data.get(at..end.min(ctx.data.len())).unwrap_or(&[]);
    if tls::claims(head, sport, dport) {
        return tls::dissect(ctx, at, end);
    }
    payload::data(ctx, at, end);
}
