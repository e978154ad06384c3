//! Zeek's per-connection facts for a `conn.log` row: each endpoint's TCP
//! state (Zeek's `TCP_ENDPOINT_*`, from which `conn_state` follows), the
//! `history` letters, payload bytes in sequence space and IP-level bytes.
//! Follows `TCPSessionAdapter.cc` (`update_history`, the `Update*State`
//! functions, `TCP_Endpoint::Size`) and `conn_state()` in Zeek's
//! `base/protocols/conn/main.zeek`, without Zeek's "weird" reports, its
//! reassembler (so no `g` content-gap letters and no `c` checksum letters)
//! or 64-bit sequence wrap counting (payloads past 4 GiB wrap).
//!
//! Kept by whoever wants conn rows (`export`), one per conversation, fed
//! each packet with its direction as the flow key has it (0: from the
//! lower endpoint); fixed size, no allocation.

use super::{Packet, TCP, TcpSegment, UDP};
use crate::decode::{Dissection, Proto};

/// Zeek's endpoint states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Endpoint {
    #[default]
    Inactive,
    SynSent,
    SynAckSent,
    Partial,
    Established,
    Closed,
    Reset,
}

/// Most history letters kept (Zeek's own strings stay far shorter).
const HISTORY_MAX: usize = 24;

/// Bits of `ConnLog::seen`, per direction (shifted by 8 for direction 1).
const H_SYN: u8 = 0x01;
const H_FIN: u8 = 0x02;
const H_RST: u8 = 0x04;
const H_DATA: u8 = 0x08;
const H_ACK: u8 = 0x10;
const H_FIN_RST: u8 = 0x20;
const H_MULTI: u8 = 0x40;

/// One direction's sequence-space bookkeeping (Zeek's `TCP_Endpoint`).
#[derive(Clone, Copy, Debug, Default)]
struct Side {
    state: Endpoint,
    prev: Endpoint,
    /// Zeek's start, last and ack sequence numbers (valid once `init`).
    start: u32,
    last: u32,
    ack: u32,
    init: bool,
    fins: u32,
    /// Sequence numbers of the last SYN, FIN and RST, for repeats.
    last_syn: u32,
    last_fin: u32,
    last_rst: u32,
    /// Retransmissions and zero windows, and the next count at which each
    /// adds a letter (1, 10, 100, …).
    rexmit: u32,
    rexmit_next: u32,
    zero: u32,
    zero_next: u32,
    /// Packets, IP-level bytes and (UDP, ICMP) payload bytes sent.
    ip_bytes: u64,
    payload: u64,
}

impl Side {
    fn set(&mut self, s: Endpoint) {
        self.prev = self.state;
        self.state = s;
    }

    /// Zeek's `Size()`: payload bytes by sequence numbers.
    fn size(&self) -> u64 {
        if !self.init {
            return 0;
        }
        let delta = |a: u32, b: u32| a.wrapping_sub(b) as i32;
        let top = if delta(self.last, self.ack) > 0 {
            self.last
        } else {
            self.ack
        };
        // Less the SYN's octet, and the FIN's if one was sent.
        let size = (delta(top, self.start).max(0) as u64).saturating_sub(1);
        if self.fins > 0 {
            size.saturating_sub(1)
        } else {
            size
        }
    }
}

/// What Zeek would log about one conversation.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConnLog {
    side: [Side; 2],
    /// Which direction (0: lower endpoint) is the originator.
    orig: usize,
    flipped: bool,
    started: bool,
    proto: u8,
    seen: u16,
    history: [u8; HISTORY_MAX],
    /// Letters used; past `HISTORY_MAX` they are dropped.
    len: u8,
    /// The application protocols seen (bits of `SERVICES`), in the order
    /// first seen.
    services: [u8; SERVICES.len()],
    service_count: u8,
}

/// Zeek's names for the analyzers whose protocols wirepeek decodes
/// (`ssl` is Zeek's name for TLS; mDNS is DNS to Zeek).
const SERVICES: [(Proto, &str); 7] = [
    (Proto::Dns, "dns"),
    (Proto::Http, "http"),
    (Proto::Tls, "ssl"),
    (Proto::Quic, "quic"),
    (Proto::Dhcp, "dhcp"),
    (Proto::Ntp, "ntp"),
    (Proto::Mdns, "dns"),
];

fn before(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// The facts for a `conn.log` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnSummary {
    /// Zeek's `service`: the application protocols seen, comma-separated
    /// in the order first seen; empty when none.
    pub service: String,
    /// True when the originator is the flow key's lower endpoint.
    pub orig_is_lo: bool,
    pub conn_state: &'static str,
    pub history: String,
    pub orig_bytes: u64,
    pub resp_bytes: u64,
    pub orig_ip_bytes: u64,
    pub resp_ip_bytes: u64,
}

impl ConnLog {
    /// Account for one packet: `dir` 0 when it travels from the flow key's
    /// lower endpoint, `ip_len` the IP header's total length (IPv6: payload
    /// length + 40), `payload` the transport payload by the IP header.
    /// Note the application protocols of one of the conversation's
    /// packets: the layers above its innermost TCP or UDP header (a
    /// tunnel's outer layers belong to the outer conversation, which the
    /// flow table does not track).
    pub fn saw(&mut self, d: &Dissection) {
        let Some(transport) = d
            .layers
            .iter()
            .rposition(|l| matches!(l.proto, Proto::Tcp | Proto::Udp))
        else {
            return;
        };
        for layer in &d.layers[transport + 1..] {
            let Some(i) = SERVICES.iter().position(|(p, _)| *p == layer.proto) else {
                continue;
            };
            // mDNS is listed as DNS: one name once.
            let name = SERVICES[i].1;
            let seen = &self.services[..usize::from(self.service_count)];
            if seen.iter().any(|&s| SERVICES[usize::from(s)].1 == name) {
                continue;
            }
            self.services[usize::from(self.service_count)] = i as u8;
            self.service_count += 1;
        }
    }

    pub fn packet(&mut self, p: &Packet, ip_len: u64, payload: u64) {
        let dir = usize::from(!p.forward);
        if !self.started {
            self.started = true;
            self.proto = p.key.proto;
            // Zeek's originator is the first packet's sender, flipped ('^')
            // when that packet is a SYN-ACK, or carries no SYN and comes
            // from a well-known port to an ephemeral one (as `flows`
            // chooses its client).
            let syn_ack = p.tcp.is_some_and(|t| t.flags & 0x12 == 0x12);
            let syn = p.tcp.is_some_and(|t| t.flags & 0x12 == 0x02);
            let by_ports = p.echo.is_none()
                && !syn
                && p.src_port < super::EPHEMERAL_FROM
                && p.dst_port >= super::EPHEMERAL_FROM;
            let reply = p.echo.is_some_and(|e| !e.request);
            self.flipped = syn_ack || by_ports || reply;
            self.orig = if self.flipped { 1 - dir } else { dir };
            if self.flipped && p.key.proto == TCP {
                self.push(b'^');
            }
        }
        let s = &mut self.side[dir];
        s.ip_bytes += ip_len;
        s.payload += payload;
        match (p.key.proto, p.tcp) {
            (TCP, Some(seg)) if seg.analysed => self.tcp(dir, &seg),
            (UDP, _) => {
                self.side[dir].state = Endpoint::Established;
                self.letter(dir, H_DATA, b'D');
            }
            _ => self.side[dir].state = Endpoint::Established,
        }
    }

    fn push(&mut self, c: u8) {
        if usize::from(self.len) < HISTORY_MAX {
            self.history[usize::from(self.len)] = c;
            self.len += 1;
        }
    }

    /// Add `c` (upper case from the originator) unless already seen.
    /// Returns whether it had been seen.
    fn letter(&mut self, dir: usize, bit: u8, c: u8) -> bool {
        let bit = u16::from(bit) << (8 * dir);
        if self.seen & bit != 0 {
            return true;
        }
        self.seen |= bit;
        self.add(dir, c);
        false
    }

    fn add(&mut self, dir: usize, c: u8) {
        let c = if dir == self.orig {
            c
        } else {
            c.to_ascii_lowercase()
        };
        self.push(c);
    }

    fn tcp(&mut self, dir: usize, seg: &TcpSegment) {
        let (syn, fin, rst, ack) = (
            seg.has(TcpSegment::SYN),
            seg.has(TcpSegment::FIN),
            seg.has(TcpSegment::RST),
            seg.has(TcpSegment::ACK),
        );
        let peer_dir = 1 - dir;
        let len = seg.len;
        let mut seg_len = len + u32::from(syn) + u32::from(fin);
        if rst {
            seg_len -= len;
        }
        let end = seg.seq.wrapping_add(seg_len);
        // init_endpoint
        let s = &mut self.side[dir];
        if s.state == Endpoint::Inactive && !s.init {
            let start = if syn {
                seg.seq
            } else {
                seg.seq.wrapping_sub(1)
            };
            (s.start, s.ack, s.init) = (start, start, true);
            s.last = if syn { end } else { seg.seq };
        } else if syn && seg.seq != s.start {
            (s.start, s.ack, s.last) = (seg.seq, seg.seq, end);
        }
        let rel = seg.seq.wrapping_sub(s.start);
        self.history(dir, seg, rel);
        if seg.window == 0 && !rst && self.side[peer_dir].state != Endpoint::Closed {
            let s = &mut self.side[dir];
            if s.state != Endpoint::Reset {
                s.zero += 1;
                if s.zero >= s.zero_next.max(1) {
                    s.zero_next = s.zero_next.max(1) * 10;
                    self.add(dir, b'W');
                }
            }
        }
        if fin {
            self.side[dir].fins += 1;
        }
        if ack {
            let peer = &mut self.side[peer_dir];
            if peer.state == Endpoint::Inactive && !peer.init {
                let a = seg.ack.wrapping_sub(1);
                (peer.start, peer.ack, peer.last, peer.init) = (a, a, a, true);
            } else if !rst && before(peer.ack, seg.ack) {
                peer.ack = seg.ack;
            }
        }
        // update_last_seq
        let s = &mut self.side[dir];
        if fin && s.last == s.start.wrapping_add(1) {
            s.last = end;
        } else if s.state == Endpoint::Reset {
        } else if before(s.last, end) {
            s.last = end;
        } else if len > 0 && !syn {
            s.rexmit += 1;
            if s.rexmit >= s.rexmit_next.max(1) {
                s.rexmit_next = s.rexmit_next.max(1) * 10;
                self.add(dir, b'T');
            }
        }
        self.state_machine(dir, syn, fin, rst, ack, len);
    }

    /// Zeek's `update_history`.
    fn history(&mut self, dir: usize, seg: &TcpSegment, rel: u32) {
        let (syn, fin, rst) = (
            seg.has(TcpSegment::SYN),
            seg.has(TcpSegment::FIN),
            seg.has(TcpSegment::RST),
        );
        let bits = u8::from(syn) + u8::from(fin) + u8::from(rst);
        if bits > 1 {
            if fin && rst {
                self.letter(dir, H_FIN_RST, b'I');
            } else {
                self.letter(dir, H_MULTI, b'Q');
            }
        } else if syn {
            let c = if seg.has(TcpSegment::ACK) { b'H' } else { b'S' };
            if self.letter(dir, H_SYN, c) && rel != self.side[dir].last_syn {
                self.add(dir, c);
            }
            self.side[dir].last_syn = rel;
        } else if fin {
            let at = rel.wrapping_add(seg.len);
            if self.letter(dir, H_FIN, b'F') && at != self.side[dir].last_fin {
                self.add(dir, b'F');
            }
            self.side[dir].last_fin = at;
        } else if rst {
            if self.letter(dir, H_RST, b'R') && rel != self.side[dir].last_rst {
                self.add(dir, b'R');
            }
            self.side[dir].last_rst = rel;
        } else if seg.len > 0 {
            self.letter(dir, H_DATA, b'D');
        } else if seg.has(TcpSegment::ACK) {
            self.letter(dir, H_ACK, b'A');
        }
    }

    /// Zeek's `UpdateStateMachine`, without its events.
    fn state_machine(&mut self, dir: usize, syn: bool, fin: bool, rst: bool, ack: bool, len: u32) {
        use Endpoint::*;
        let is_orig = dir == self.orig;
        let peer_dir = 1 - dir;
        let (mut me, mut peer) = (self.side[dir], self.side[peer_dir]);
        match me.state {
            Inactive => {
                if syn {
                    if is_orig {
                        me.set(if ack { SynAckSent } else { SynSent });
                    } else {
                        if peer.state == SynSent {
                            peer.set(Established);
                        }
                        me.set(Established);
                    }
                }
                if fin {
                    me.set(Closed);
                }
                if rst {
                    me.set(Reset);
                }
                if me.state == Inactive {
                    // An ACK of the SYN before the SYN-ACK: not yet partial.
                    if !is_orig && len == 0 && peer.state == SynSent {
                    } else if ack && peer.state == Established {
                        me.set(Established);
                    } else {
                        me.set(Partial);
                    }
                }
            }
            SynSent | SynAckSent => {
                if fin {
                    me.set(Closed);
                }
                if rst {
                    me.set(Reset);
                }
            }
            Established | Partial => {
                if syn && me.state == Partial && peer.state == Inactive && !ack {
                    me.set(SynSent);
                }
                if fin && !rst {
                    me.set(Closed);
                    if peer.state == Reset && peer.prev == Closed {
                        peer.set(Closed);
                    }
                }
                if rst {
                    me.set(Reset);
                }
            }
            Closed => {
                if rst && peer.state != Closed {
                    me.set(Reset);
                }
            }
            Reset => {}
        }
        // Keep the sequence bookkeeping, take the states.
        self.side[dir].prev = me.prev;
        self.side[dir].state = me.state;
        self.side[peer_dir].prev = peer.prev;
        self.side[peer_dir].state = peer.state;
    }

    /// The row's facts, once the conversation is over.
    pub fn summary(&self) -> ConnSummary {
        let (o, r) = (&self.side[self.orig], &self.side[1 - self.orig]);
        let history = String::from_utf8_lossy(&self.history[..usize::from(self.len)]).into_owned();
        let (orig_bytes, resp_bytes) = if self.proto == TCP {
            (o.size(), r.size())
        } else {
            (o.payload, r.payload)
        };
        let mut service = String::new();
        for &i in &self.services[..usize::from(self.service_count)] {
            if !service.is_empty() {
                service.push(',');
            }
            service.push_str(SERVICES[usize::from(i)].1);
        }
        ConnSummary {
            service,
            orig_is_lo: self.orig == 0,
            conn_state: self.conn_state(&history, orig_bytes, resp_bytes),
            history,
            orig_bytes,
            resp_bytes,
            orig_ip_bytes: o.ip_bytes,
            resp_ip_bytes: r.ip_bytes,
        }
    }

    /// Zeek's `conn_state()`.
    fn conn_state(&self, history: &str, orig_size: u64, resp_size: u64) -> &'static str {
        use Endpoint::*;
        let (os, rs) = (self.side[self.orig].state, self.side[1 - self.orig].state);
        match self.proto {
            TCP => {
                let o_inactive = matches!(os, Inactive | Partial);
                let r_inactive = matches!(rs, Inactive | Partial);
                if rs == Reset {
                    if matches!(os, SynSent | SynAckSent)
                        || (os == Reset && orig_size == 0 && resp_size == 0)
                    {
                        "REJ"
                    } else if o_inactive {
                        "RSTRH"
                    } else {
                        "RSTR"
                    }
                } else if os == Reset {
                    if r_inactive {
                        if rst_after_syn_only(history) {
                            "RSTOS0"
                        } else {
                            "OTH"
                        }
                    } else {
                        "RSTO"
                    }
                } else if rs == Closed && os == Closed {
                    "SF"
                } else if os == Closed {
                    if r_inactive { "SH" } else { "S2" }
                } else if rs == Closed {
                    if o_inactive { "SHR" } else { "S3" }
                } else if os == SynSent && rs == Inactive {
                    "S0"
                } else if os == Established && rs == Established {
                    "S1"
                } else {
                    "OTH"
                }
            }
            UDP => match (os == Established, rs == Established) {
                (true, true) => "SF",
                (true, false) => "S0",
                (false, true) => "SHR",
                (false, false) => "OTH",
            },
            _ => "OTH",
        }
    }
}

/// Zeek's `/\^?S[^HAFGIQ]*R.*/` over the history.
fn rst_after_syn_only(history: &str) -> bool {
    let h = history.strip_prefix('^').unwrap_or(history);
    let Some(rest) = h.strip_prefix('S') else {
        return false;
    };
    for c in rest.chars() {
        match c {
            'R' => return true,
            'H' | 'A' | 'F' | 'G' | 'I' | 'Q' => return false,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
#[path = "conn_log_tests.rs"]
mod tests;
