//! Which application protocol a TCP or UDP payload carries: the one place
//! that chooses, by port and by content, as tshark's heuristics do. Each
//! protocol's dissector lives in its own file; this file only dispatches.

use super::{Ctx, payload, quic, tls};

/// The payload `at..end` of a UDP datagram between these ports.
pub(crate) fn udp(ctx: &mut Ctx, sport: u16, dport: u16, at: usize, end: usize) {
    let head = ctx.data.get(at..end.min(ctx.data.len())).unwrap_or(&[]);
    if quic::claims(head, sport, dport) {
        return quic::dissect(ctx, at, end);
    }
    payload::data(ctx, at, end);
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
