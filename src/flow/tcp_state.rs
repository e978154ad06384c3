//! Per-connection TCP bookkeeping: the connection state as far as the
//! capture shows it, Wireshark's relative sequence numbers, tcpdump's
//! relative numbers for the line output, the handshake round-trip time, and
//! retransmission / out-of-order counts (a simplified form of Wireshark's
//! `tcp.analysis` rules: a segment that starts below the highest sequence
//! number already seen is out-of-order when it follows the previous segment
//! of its direction within 3 ms, a retransmission otherwise).
//!
//! Fixed size, no allocation. Also carries the ICMP echo pairing counters so
//! every flow record has one shape.

use super::TcpSegment;

/// A segment arriving sooner than this after the previous one in its
/// direction, below the highest sequence number seen, is taken for
/// reordering rather than a retransmission (Wireshark's default threshold).
const OOO_WINDOW_US: u32 = 3_000;

/// How far the connection got, as far as the capture shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TcpState {
    /// The capture started after the handshake.
    #[default]
    Midstream,
    /// A SYN was seen, no SYN-ACK yet.
    SynSent,
    /// A SYN-ACK was seen, the handshake's last ACK not yet.
    SynReceived,
    Established,
    /// One side sent a FIN.
    FinWait,
    /// Both sides sent a FIN.
    ClosedByFin,
    /// A RST was seen.
    Reset,
}

impl TcpState {
    /// The label shown in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            TcpState::Midstream => "MIDSTREAM",
            TcpState::SynSent => "SYN_SENT",
            TcpState::SynReceived => "SYN_RECEIVED",
            TcpState::Established => "ESTABLISHED",
            TcpState::FinWait => "FIN_WAIT",
            TcpState::ClosedByFin => "CLOSED by FIN",
            TcpState::Reset => "RESET",
        }
    }
}

/// Bits of `TcpFlow::flags`.
const BASE_A: u8 = 0x01;
const BASE_B: u8 = 0x02;
const FIN_A: u8 = 0x04;
const FIN_B: u8 = 0x08;
const NEXT_A: u8 = 0x10;
const NEXT_B: u8 = 0x20;
const TCPDUMP_SET: u8 = 0x40;
const HANDSHAKE: u8 = 0x80;

/// TCP (and ICMP echo) state of one flow. Direction index 0 is from the
/// key's lower endpoint to its higher one.
#[derive(Clone, Debug, Default)]
pub struct TcpFlow {
    pub state: TcpState,
    flags: u8,
    /// Wireshark's base sequence number per direction.
    base: [u32; 2],
    /// The highest sequence number seen plus segment length, per direction.
    next: [u32; 2],
    /// tcpdump's base per direction.
    tcpdump: [u32; 2],
    /// Time of the previous segment per direction, µs after the flow began.
    last_us: [u32; 2],
    /// Handshake round-trip time (SYN to the ACK of the SYN-ACK), µs.
    pub rtt_us: Option<u32>,
    pub retransmissions: u32,
    pub out_of_order: u32,
    /// ICMP echo: replies matched to the outstanding request.
    pub matched: u32,
    /// ICMP echo: the sequence number of the outstanding request.
    pub(crate) echo_seq: Option<u16>,
}

/// What one segment learns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentInfo {
    pub rel_seq: u32,
    pub rel_ack: u32,
    pub line_seq: Option<(u32, u32)>,
}

fn before(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

impl TcpFlow {
    fn bit(dir: usize, a: u8, b: u8) -> u8 {
        if dir == 0 { a } else { b }
    }

    /// True when a SYN was seen at the start of this flow (so the handshake,
    /// or its attempt, is in the capture).
    pub fn handshake_seen(&self) -> bool {
        self.flags & HANDSHAKE != 0
    }

    /// True when this SYN (no ACK) opens a new connection on a 4-tuple whose
    /// previous connection used another initial sequence number (tshark
    /// 4.0's rule for starting a new `tcp.stream`).
    pub fn is_new_connection(&self, dir: usize, seg: &TcpSegment) -> bool {
        seg.flags & (TcpSegment::SYN | TcpSegment::ACK) == TcpSegment::SYN
            && self.flags & Self::bit(dir, BASE_A, BASE_B) != 0
            && seg.seq != self.base[dir]
    }

    /// Account for one segment travelling in direction `dir` (0 = lower to
    /// higher endpoint),
    /// `now_us` microseconds after the flow's first packet.
    pub fn segment(
        &mut self,
        dir: usize,
        seg: &TcpSegment,
        now_us: u32,
        first: bool,
    ) -> SegmentInfo {
        let rev = 1 - dir;
        let syn = seg.has(TcpSegment::SYN);
        let ack = seg.has(TcpSegment::ACK);
        // Wireshark: the base is the SYN's sequence number, or one less than
        // the first one seen; an ACK also fixes the other side's base.
        if self.flags & Self::bit(dir, BASE_A, BASE_B) == 0 {
            self.base[dir] = if syn {
                seg.seq
            } else {
                seg.seq.wrapping_sub(1)
            };
            self.flags |= Self::bit(dir, BASE_A, BASE_B);
        }
        if ack && self.flags & Self::bit(rev, BASE_A, BASE_B) == 0 {
            self.base[rev] = seg.ack.wrapping_sub(1);
            self.flags |= Self::bit(rev, BASE_A, BASE_B);
        }
        let rel_seq = seg.seq.wrapping_sub(self.base[dir]);
        // Without the ACK flag tshark shows the field as it is on the wire.
        let rel_ack = if ack {
            seg.ack.wrapping_sub(self.base[rev])
        } else {
            seg.ack
        };

        // tcpdump: only ACK-bearing segments are made relative; the first
        // one (or any SYN) sets the bases and prints absolute numbers.
        let line_seq = if !ack {
            None
        } else if self.flags & TCPDUMP_SET == 0 || syn {
            self.tcpdump[dir] = seg.seq;
            self.tcpdump[rev] = seg.ack.wrapping_sub(1);
            self.flags |= TCPDUMP_SET;
            None
        } else {
            Some((
                seg.seq.wrapping_sub(self.tcpdump[dir]),
                seg.ack.wrapping_sub(self.tcpdump[rev]),
            ))
        };

        // Retransmission and reordering.
        let seg_len = seg.len + u32::from(syn) + u32::from(seg.has(TcpSegment::FIN));
        let next_bit = Self::bit(dir, NEXT_A, NEXT_B);
        let end = seg.seq.wrapping_add(seg_len);
        if self.flags & next_bit != 0 {
            let keep_alive = seg.len <= 1 && seg.seq.wrapping_add(1) == self.next[dir];
            if seg_len > 0 && before(seg.seq, self.next[dir]) && !keep_alive {
                if now_us.saturating_sub(self.last_us[dir]) < OOO_WINDOW_US {
                    self.out_of_order += 1;
                } else {
                    self.retransmissions += 1;
                }
            }
            if before(self.next[dir], end) {
                self.next[dir] = end;
            }
        } else {
            self.next[dir] = end;
            self.flags |= next_bit;
        }
        self.last_us[dir] = now_us;

        self.advance(dir, seg, now_us, first);
        SegmentInfo {
            rel_seq,
            rel_ack,
            line_seq,
        }
    }

    fn advance(&mut self, dir: usize, seg: &TcpSegment, now_us: u32, first: bool) {
        let syn = seg.has(TcpSegment::SYN);
        let ack = seg.has(TcpSegment::ACK);
        if first && syn {
            self.flags |= HANDSHAKE;
        }
        if seg.has(TcpSegment::RST) {
            self.state = TcpState::Reset;
            return;
        }
        if seg.has(TcpSegment::FIN) {
            self.flags |= Self::bit(dir, FIN_A, FIN_B);
            self.state = if self.flags & (FIN_A | FIN_B) == FIN_A | FIN_B {
                TcpState::ClosedByFin
            } else {
                TcpState::FinWait
            };
            return;
        }
        self.state = match (self.state, syn, ack) {
            (TcpState::Midstream, true, false) if first => TcpState::SynSent,
            (TcpState::Midstream, true, true) if first => TcpState::SynReceived,
            (TcpState::SynSent, true, true) => TcpState::SynReceived,
            (TcpState::SynReceived, false, true) => {
                if self.handshake_seen() && self.rtt_us.is_none() {
                    self.rtt_us = Some(now_us);
                }
                TcpState::Established
            }
            (s, _, _) => s,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(seq: u32, ack: u32, flags: u16, len: u32) -> TcpSegment {
        TcpSegment {
            seq,
            ack,
            flags,
            len,
            analysed: true,
        }
    }

    const S: u16 = TcpSegment::SYN;
    const A: u16 = TcpSegment::ACK;
    const F: u16 = TcpSegment::FIN;

    #[test]
    fn a_full_handshake_gives_relative_numbers_from_zero_and_an_rtt() {
        let mut t = TcpFlow::default();
        let i = t.segment(0, &seg(1000, 0, S, 0), 0, true);
        assert_eq!((i.rel_seq, i.rel_ack, i.line_seq), (0, 0, None));
        assert_eq!(t.state, TcpState::SynSent);
        let i = t.segment(1, &seg(5000, 1001, S | A, 0), 100, false);
        assert_eq!((i.rel_seq, i.rel_ack, i.line_seq), (0, 1, None));
        let i = t.segment(0, &seg(1001, 5001, A, 0), 250, false);
        assert_eq!((i.rel_seq, i.rel_ack, i.line_seq), (1, 1, Some((1, 1))));
        assert_eq!(t.state, TcpState::Established);
        assert_eq!(t.rtt_us, Some(250));
        t.segment(0, &seg(1001, 5001, A | F, 0), 300, false);
        assert_eq!(t.state, TcpState::FinWait);
        t.segment(1, &seg(5001, 1002, A | F, 0), 400, false);
        assert_eq!(t.state, TcpState::ClosedByFin);
    }

    #[test]
    fn a_midstream_flow_starts_its_relative_numbers_at_one() {
        let mut t = TcpFlow::default();
        let i = t.segment(0, &seg(777, 999, A, 10), 0, true);
        assert_eq!((i.rel_seq, i.rel_ack), (1, 1));
        assert_eq!(t.state, TcpState::Midstream);
        assert!(t.rtt_us.is_none());
    }

    #[test]
    fn a_segment_sent_again_later_counts_as_a_retransmission() {
        let mut t = TcpFlow::default();
        t.segment(0, &seg(100, 1, A, 50), 0, true);
        t.segment(0, &seg(150, 1, A, 50), 10, false);
        t.segment(0, &seg(100, 1, A, 50), 200_000, false);
        assert_eq!((t.retransmissions, t.out_of_order), (1, 0));
    }

    #[test]
    fn a_syn_with_a_new_sequence_number_opens_a_new_connection() {
        let mut t = TcpFlow::default();
        t.segment(0, &seg(100, 0, S, 0), 0, true);
        assert!(!t.is_new_connection(0, &seg(100, 0, S, 0)));
        assert!(t.is_new_connection(0, &seg(900, 0, S, 0)));
    }
}
