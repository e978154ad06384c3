//! Per-connection TCP bookkeeping: the connection state as far as the
//! capture shows it, Wireshark's relative sequence numbers, tcpdump's
//! relative numbers for the line output, the initial round-trip time, and
//! retransmission / out-of-order counts by Wireshark 4.0's `tcp.analysis`
//! rules (`tcp_analyze_sequence_number` in `epan/dissectors/packet-tcp.c`).
//!
//! A segment is judged only if it carries data or a SYN or FIN and is not a
//! keep-alive (0 or 1 byte starting one before the next expected sequence
//! number) or a zero-window probe (1 byte at the next expected sequence
//! number while the other side's window is 0, which does not advance it).
//! It has "not advanced" when it starts before the highest sequence number
//! seen in its direction (`next`), unless it carries more than one byte and
//! starts exactly one before it (data after a probe). Then, in Wireshark's
//! order:
//!
//! 1. a *spurious retransmission* when its data was already acknowledged by
//!    the other side (its end is at or below the other side's last ACK; this
//!    needs no "not advanced");
//! 2. a *fast retransmission* when it has not advanced, the other side's
//!    last two or more segments were duplicate ACKs of exactly its sequence
//!    number, and the last of them came less than 20 ms ago;
//! 3. *out-of-order* when it has not advanced, arrives less than the
//!    threshold after the segment that set `next` (the initial RTT if known,
//!    else 3 ms), and does not end exactly at `next`;
//! 4. otherwise a plain *retransmission* if it has not advanced.
//!
//! `retransmissions` counts 1, 2 and 4 (tshark sets
//! `tcp.analysis.retransmission` on all three), `out_of_order` counts 3.
//!
//! A duplicate ACK, as Wireshark has it: no data, no SYN/FIN/RST, a non-zero
//! window equal to the direction's previous one, the sequence number at
//! `next` and the acknowledgement number equal to the previous one, and the
//! other side's last segment not a keep-alive. Known simplifications, to
//! keep the record small: windows are compared unscaled and through a 4-bit
//! fingerprint (a window change the fingerprint hides reads as no change:
//! `Analysis::DUPLICATE_ACK` may then flag a window update, which a caller
//! that keeps whole windows can tell apart), the count stops at 2 (all the
//! rule asks), Wireshark's resetting of it on an ACK of unseen data and its 1000-unacked-segments bookkeeping are not
//! followed, and times are microseconds since the flow began.
//!
//! Fixed size, no allocation. Also carries the ICMP echo pairing counters so
//! every flow record has one shape.

use super::TcpSegment;

/// Wireshark's out-of-order threshold while the initial RTT is unknown.
const OOO_DEFAULT_US: u32 = 3_000;
/// A retransmission of the sequence number the other side's duplicate ACKs
/// ask for, this soon after the last of them, is a fast retransmission.
const FAST_RETRANSMISSION_US: u32 = 20_000;

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
/// `irtt` holds the time of the latest SYN (without ACK).
const SYN_TIME: u8 = 0x10;
/// `irtt` holds the initial round-trip time.
const IRTT: u8 = 0x20;
const TCPDUMP_SET: u8 = 0x40;
const HANDSHAKE: u8 = 0x80;

/// Bits of each direction's byte of `TcpFlow::analysis`.
/// Duplicate ACKs in a row, stopping at 2.
const DUP_ACKS: u8 = 0x03;
/// The direction's last segment was a keep-alive.
const KEEP_ALIVE: u8 = 0x04;
/// The direction's last window was zero.
const ZERO_WINDOW: u8 = 0x08;
/// The direction's last window, folded to 4 bits (`fingerprint`).
const WINDOW_SHIFT: u32 = 4;

/// A window folded to 4 bits, to tell a changed window from an unchanged
/// one without keeping it.
fn fingerprint(window: u16) -> u8 {
    ((window ^ window >> 4 ^ window >> 8 ^ window >> 12) & 0x0f) as u8
}

/// TCP (and ICMP echo) state of one flow. Direction index 0 is from the
/// key's lower endpoint to its higher one.
#[derive(Clone, Debug, Default)]
pub struct TcpFlow {
    pub state: TcpState,
    flags: u8,
    /// Per direction (byte `dir`): `DUP_ACKS`, `KEEP_ALIVE`, `ZERO_WINDOW`
    /// and the window's fingerprint.
    analysis: u16,
    /// Wireshark's base sequence number per direction.
    base: [u32; 2],
    /// The highest sequence number seen plus segment length (plus one for
    /// SYN or FIN), per direction; 0 while unknown, as in Wireshark.
    next: [u32; 2],
    /// tcpdump's base per direction.
    tcpdump: [u32; 2],
    /// Time of the previous segment per direction, µs after the flow began.
    last_us: [u32; 2],
    /// Time of the segment that last moved `next` forward, per direction.
    next_us: [u32; 2],
    /// The acknowledgement number of the previous segment per direction.
    last_ack: [u32; 2],
    /// The latest SYN's time (`SYN_TIME`), then the initial RTT (`IRTT`).
    irtt: u32,
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
    /// The segment's `tcp.analysis` flags (`Analysis`).
    pub analysis: u8,
}

/// Bits of `SegmentInfo::analysis`: Wireshark's per-packet `tcp.analysis`
/// flags this module judges (see the module's documentation).
pub struct Analysis;

impl Analysis {
    /// `tcp.analysis.retransmission` (fast and spurious ones included).
    pub const RETRANSMISSION: u8 = 0x01;
    /// `tcp.analysis.out_of_order`.
    pub const OUT_OF_ORDER: u8 = 0x02;
    /// `tcp.analysis.duplicate_ack`.
    pub const DUPLICATE_ACK: u8 = 0x04;
    /// `tcp.analysis.zero_window`: window 0 without SYN, FIN or RST.
    pub const ZERO_WINDOW: u8 = 0x08;
}

fn before(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// Microseconds from `then` to `now`, both capture times modulo 2^32 µs
/// (71.6 minutes): exact for gaps up to half that either way, negative
/// when `then` is later.
fn elapsed(now: u32, then: u32) -> i32 {
    now.wrapping_sub(then) as i32
}

/// `now - then < limit`, false when `then` is later (Wireshark's unsigned
/// difference wraps to a huge value).
fn within(now: u32, then: u32, limit: u32) -> bool {
    u32::try_from(elapsed(now, then)).is_ok_and(|t| t < limit)
}

impl TcpFlow {
    fn bit(dir: usize, a: u8, b: u8) -> u8 {
        if dir == 0 { a } else { b }
    }

    fn analysis(&self, dir: usize) -> u8 {
        (self.analysis >> (8 * dir)) as u8
    }

    fn set_analysis(&mut self, dir: usize, bits: u8) {
        let shift = 8 * dir;
        self.analysis = self.analysis & !(0xff << shift) | u16::from(bits) << shift;
    }

    /// True when a SYN was seen at the start of this flow (so the handshake,
    /// or its attempt, is in the capture).
    pub fn handshake_seen(&self) -> bool {
        self.flags & HANDSHAKE != 0
    }

    /// The initial round-trip time in µs, as Wireshark's
    /// `tcp.analysis.initial_rtt`: from the latest SYN to the first segment
    /// after it with ACK and without SYN, in either direction.
    pub fn rtt_us(&self) -> Option<u32> {
        (self.flags & IRTT != 0).then_some(self.irtt)
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
    /// higher endpoint) at capture time `now_us` (microseconds since the
    /// epoch, modulo 2^32: only differences are used, taken wrapping, so
    /// neither a flow's length nor a packet dated before the flow's first
    /// one upsets them).
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

        self.initial_rtt(seg, now_us);
        let analysis = self.analyse(dir, seg, now_us);
        self.advance(dir, seg, first);
        SegmentInfo {
            rel_seq,
            rel_ack,
            line_seq,
            analysis,
        }
    }

    /// Wireshark's `ts_mru_syn` / `ts_first_rtt`: a zero RTT counts as
    /// unknown, so a later ACK measures it again.
    fn initial_rtt(&mut self, seg: &TcpSegment, now_us: u32) {
        if self.flags & IRTT != 0 {
            return;
        }
        let syn = seg.has(TcpSegment::SYN);
        if syn && !seg.has(TcpSegment::ACK) {
            self.irtt = now_us;
            self.flags |= SYN_TIME;
        } else if !syn && seg.has(TcpSegment::ACK) && self.flags & SYN_TIME != 0 {
            let rtt = elapsed(now_us, self.irtt);
            if rtt > 0 {
                self.irtt = rtt as u32;
                self.flags = self.flags & !SYN_TIME | IRTT;
            }
        }
    }

    /// Wireshark's sequence analysis, as far as retransmissions and
    /// out-of-order segments need it (see the module's documentation);
    /// returns the segment's `Analysis` bits.
    fn analyse(&mut self, dir: usize, seg: &TcpSegment, now_us: u32) -> u8 {
        let rev = 1 - dir;
        let (syn, fin) = (seg.has(TcpSegment::SYN), seg.has(TcpSegment::FIN));
        let plain = !syn && !fin && !seg.has(TcpSegment::RST);
        let len = seg.len;
        let next = self.next[dir];
        let mine = self.analysis(dir);
        let theirs = self.analysis(rev);
        let zero = seg.window == 0;
        let print = fingerprint(seg.window);

        let probe = len == 1 && seg.seq == next && theirs & ZERO_WINDOW != 0;
        let keep_alive = !probe && len <= 1 && seg.seq == next.wrapping_sub(1) && plain;
        let mut dups = mine & DUP_ACKS;
        let mut flags = 0;
        if zero && plain {
            flags |= Analysis::ZERO_WINDOW;
        }
        let same_window = (mine & ZERO_WINDOW != 0) == zero && mine >> WINDOW_SHIFT == print;
        if !probe
            && len == 0
            && plain
            && !zero
            && same_window
            && seg.seq == next
            && seg.ack == self.last_ack[dir]
            && theirs & KEEP_ALIVE == 0
        {
            dups = (dups + 1).min(2);
            flags |= Analysis::DUPLICATE_ACK;
        }
        if seg.ack != self.last_ack[dir] {
            dups = 0;
        }

        if (len > 0 || syn || fin) && !keep_alive {
            let not_advanced =
                next != 0 && before(seg.seq, next) && !(len > 1 && seg.seq == next.wrapping_sub(1));
            let their_ack = self.last_ack[rev];
            let end = seg.seq.wrapping_add(len);
            let spurious = len > 0 && their_ack != 0 && !before(their_ack, end);
            let fast = not_advanced
                && theirs & DUP_ACKS >= 2
                && their_ack == seg.seq
                && within(now_us, self.last_us[rev], FAST_RETRANSMISSION_US);
            let threshold = self.rtt_us().unwrap_or(OOO_DEFAULT_US);
            let out_of_order = not_advanced
                && within(now_us, self.next_us[dir], threshold)
                && next != end.wrapping_add(u32::from(syn || fin));
            if spurious || fast {
                self.retransmissions += 1;
                flags |= Analysis::RETRANSMISSION;
            } else if out_of_order {
                self.out_of_order += 1;
                flags |= Analysis::OUT_OF_ORDER;
            } else if not_advanced {
                self.retransmissions += 1;
                flags |= Analysis::RETRANSMISSION;
            }
        }

        // The highest sequence number; a zero-window probe does not move it.
        let end = seg
            .seq
            .wrapping_add(len)
            .wrapping_add(u32::from(syn || fin));
        if (next == 0 || before(next, end)) && !probe {
            self.next[dir] = end;
            self.next_us[dir] = now_us;
        }
        self.last_ack[dir] = seg.ack;
        self.last_us[dir] = now_us;
        let mut bits = dups | print << WINDOW_SHIFT;
        if keep_alive {
            bits |= KEEP_ALIVE;
        }
        if zero {
            bits |= ZERO_WINDOW;
        }
        self.set_analysis(dir, bits);
        flags
    }

    fn advance(&mut self, dir: usize, seg: &TcpSegment, first: bool) {
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
            (TcpState::SynReceived, false, true) => TcpState::Established,
            (s, _, _) => s,
        };
    }
}

#[cfg(test)]
#[path = "tcp_state_tests.rs"]
mod tests;
