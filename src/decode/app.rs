//! Which application protocol a TCP or UDP payload carries: the one place
//! that chooses, by port and by content, as tshark's heuristics do. Each
//! protocol's dissector lives in its own file; this file only dispatches.

use super::{Ctx, payload};

/// The payload `at..end` of a UDP datagram between these ports.
pub(crate) fn udp(ctx: &mut Ctx, sport: u16, dport: u16, at: usize, end: usize) {
    let _ = (sport, dport);
    payload::data(ctx, at, end);
}

/// The payload `at..end` of a TCP segment between these ports (this frame's
/// bytes only; reassembled streams reach the decoders through the pipeline).
pub(crate) fn tcp(ctx: &mut Ctx, sport: u16, dport: u16, at: usize, end: usize) {
    // PDUs that span segments: see desegment.rs for a dissector's part.
    super::desegment::tcp_payload(ctx, at, end, tcp_dissector(sport, dport));
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
