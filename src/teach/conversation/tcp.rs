//! A TCP segment's sentence: handshake, data, acknowledgments, the
//! sequence analysis's verdicts (retransmissions, duplicate ACKs, zero
//! windows, lost segments), SACK blocks, window scaling, FIN and RST. The
//! numbers are the flow table's relative ones; this file only words them.

use super::{
    ACK, Conversation, FIN, Member, Phase, RST, SYN, Side, Step, Tracked, said, tcp_flags,
};
use crate::decode::{Dissection, tcp};
use crate::teach::glossary::num;

/// What the story remembers from segment to segment.
#[derive(Default)]
pub(super) struct State {
    syn_ack_seen: bool,
    open: bool,
    /// Relative sequence number each side's FIN used.
    fin_at: [Option<u32>; 2],
    /// Each side's window has been told in bytes once.
    window_told: [bool; 2],
    /// Duplicate ACKs in a row per side, and the number they repeat.
    dups: [(u32, u32); 2],
}

fn idx(side: Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}

fn field(d: &Dissection, key: &str) -> Option<u64> {
    d.field(key).and_then(|f| num(&f.value))
}

/// Initial sequence numbers and window scales, from the SYNs captured.
pub(super) fn handshake_facts(
    c: &mut Conversation,
    members: &[Member],
    side_of: &dyn Fn(&Member) -> Side,
) {
    let mut syn_seen = [false; 2];
    for m in members.iter().filter(|m| m.tracked.is_some()) {
        let f = tcp_flags(m.d);
        if f & SYN == 0 {
            continue;
        }
        let i = idx(side_of(m));
        if !syn_seen[i] {
            syn_seen[i] = true;
            c.isn[i] = field(m.d, tcp::SEQ_RAW.key).map(|v| v as u32);
            c.wscale[i] = field(m.d, tcp::OPTIONS_WSCALE_SHIFT.key).map(|v| v as u8);
        }
    }
    c.midstream = !syn_seen[0] && !syn_seen[1];
    // RFC 7323 §2.2: scaling is in force only when both SYNs offered it.
    if !(syn_seen[0] && syn_seen[1]) {
        c.wscale = [None, None];
    }
}

/// The window this segment advertises, in words, the first time a side's
/// window is told (and whenever it is zero).
fn window_words(c: &Conversation, st: &mut State, step: &Step, d: &Dissection) -> String {
    let Some(win) = field(d, tcp::WINDOW_SIZE_VALUE.key) else {
        return String::new();
    };
    let i = idx(step.from);
    if step.has("SYN") {
        return match c.wscale[i] {
            Some(shift) => format!(
                "; its window scale option says {shift}: once both sides agree, its window field counts in units of 2^{shift} = {} bytes",
                group(1u64 << shift.min(14))
            ),
            None => String::new(),
        };
    }
    if st.window_told[i] && win != 0 {
        return String::new();
    }
    st.window_told[i] = true;
    match c.scale(step.from) {
        Some(scale) if scale > 1 => format!(
            "; its window field says {win}, × {scale} (the window scale both SYNs agreed) = {} bytes it can still take",
            group(win * u64::from(scale))
        ),
        Some(_) => format!(
            "; its window says it can still take {} bytes (no scaling)",
            group(win)
        ),
        None if c.midstream => format!(
            "; its window field says {win}, but the SYNs that set the window scale were not captured, so how many bytes that means is unknown"
        ),
        None => format!(
            "; its window says it can still take {} bytes (the SYNs did not both offer window scaling)",
            group(win)
        ),
    }
}

/// 65536 → `65,536`.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The SACK blocks of `d`, relative to the peer's sequence numbers.
fn sack_words(d: &Dissection, t: &Tracked, raw_ack: Option<u32>) -> String {
    let base = match (raw_ack, t.rel_ack) {
        (Some(raw), Some(rel)) => raw.wrapping_sub(rel),
        _ => return String::new(),
    };
    let edges = |key: &str| -> Vec<u32> {
        d.fields_named(key)
            .filter_map(|f| num(&f.value))
            .map(|v| (v as u32).wrapping_sub(base))
            .collect()
    };
    let (le, re) = (
        edges(tcp::OPTIONS_SACK_LE.key),
        edges(tcp::OPTIONS_SACK_RE.key),
    );
    if le.is_empty() || le.len() != re.len() {
        return String::new();
    }
    let blocks: Vec<String> = le
        .iter()
        .zip(&re)
        .map(|(l, r)| format!("{l} to {}", r.wrapping_sub(1)))
        .collect();
    format!(
        "; its SACK option (RFC 2018) says which later bytes did arrive: {}, so only the gap before them needs sending again",
        blocks.join(" and ")
    )
}

/// The earlier step of the same side that sent the same bytes first.
fn first_sent(c: &Conversation, step: &Step) -> Option<u64> {
    c.steps
        .iter()
        .find(|s| s.from == step.from && s.seq == step.seq && (s.len > 0 || s.has("FIN")))
        .map(|s| s.frame)
}

/// Fill in `step` (a segment tracked as `t`) with its numbers and sentence.
pub(super) fn story(c: &Conversation, st: &mut State, step: &mut Step, m: &Member, t: Tracked) {
    let d = m.d;
    let f = tcp_flags(d);
    let from = step.from;
    let (who, peer) = (c.label(from), c.label(from.other()));
    let peer_s = format!("{peer}'s");
    step.flags = tcp::flag_names(f);
    step.raw_seq = field(d, tcp::SEQ_RAW.key).map(|v| v as u32);
    step.raw_ack = (f & ACK != 0)
        .then(|| field(d, tcp::ACK_RAW.key).map(|v| v as u32))
        .flatten();
    step.seq = t.rel_seq;
    step.ack = if f & ACK != 0 { t.rel_ack } else { None };
    let (s, a, len) = (step.seq.unwrap_or(0), step.ack.unwrap_or(0), step.len);
    let v = t.verdicts;
    let i = idx(from);
    let acks_peer_fin = st.fin_at[1 - i].is_some_and(|p| a == p.wrapping_add(1));
    let last = s.wrapping_add(len as u32).wrapping_sub(1);
    let window = window_words(c, st, step, d);
    let sack = sack_words(d, &t, step.raw_ack);
    let closing = st.fin_at.iter().any(Option::is_some);
    let text_said = said(step);
    if !v.duplicate_ack {
        st.dups[i] = (0, a);
    }
    let (phase, text) = if f & RST != 0 {
        (
            Phase::Reset,
            format!(
                "{who} aborts the connection (RST): no more data either way, and no goodbye; a reset answers a segment its sender has no connection for, or a program that closed with data unread"
            ),
        )
    } else if f & SYN != 0 && f & ACK == 0 {
        let again = if v.retransmission {
            " again: no SYN-ACK came back in time, so it retransmits the SYN"
        } else {
            ""
        };
        (
            Phase::Handshake,
            format!(
                "handshake 1/3: {who} asks to open a connection (SYN){again}; it picked {} at random as its initial sequence number, which counts as 0 from here on{window}",
                step.raw_seq.unwrap_or(0)
            ),
        )
    } else if f & SYN != 0 {
        st.syn_ack_seen = true;
        let again = if v.retransmission {
            " again (a retransmission)"
        } else {
            ""
        };
        (
            Phase::Handshake,
            format!(
                "handshake 2/3: {who} agrees (SYN, ACK){again}; its own initial sequence number is {} (relative 0), and ack {a} says {peer_s} SYN arrived: a SYN counts as one byte{window}",
                step.raw_seq.unwrap_or(0)
            ),
        )
    } else if f & FIN != 0 {
        let fin_seq = s.wrapping_add(len as u32);
        st.fin_at[i] = Some(fin_seq);
        let data = if len > 0 {
            format!("sends its last {len} bytes{text_said} and ")
        } else {
            String::new()
        };
        let again = if v.retransmission {
            " (sent again: a retransmission of its FIN)"
        } else {
            ""
        };
        let text = if acks_peer_fin {
            format!(
                "{who} {data}closes its side too (FIN at seq {fin_seq}){again}, and ack {a} acknowledges {peer_s} FIN"
            )
        } else {
            format!(
                "{who} {data}has nothing more to send (FIN at seq {fin_seq}; a FIN counts as one byte){again}; ack {a}: next it expects {peer_s} byte {a}"
            )
        };
        (Phase::Teardown, text)
    } else if !st.open && st.syn_ack_seen && len == 0 && from == Side::Client {
        st.open = true;
        (
            Phase::Handshake,
            format!(
                "handshake 3/3: {who} acknowledges {peer_s} SYN (ack {a}); the connection is open, and neither side has sent data yet{window}"
            ),
        )
    } else if acks_peer_fin && len == 0 {
        let both = st.fin_at[i].is_some();
        (
            Phase::Teardown,
            format!(
                "{who} acknowledges {peer_s} FIN (ack {a}){}",
                if both {
                    "; both sides have closed, and the connection is over"
                } else {
                    ""
                }
            ),
        )
    } else if len > 0 {
        st.open = true;
        let bytes = if len == 1 {
            format!("its byte {s}")
        } else {
            format!("its bytes {s} to {last}")
        };
        let gap = if v.lost_segment {
            "the capture missed some of its earlier bytes (this segment starts past the next one expected), and now "
        } else {
            ""
        };
        let first = first_sent(c, step)
            .map(|n| format!(", first sent in frame {n}"))
            .unwrap_or_default();
        let text = if v.zero_window_probe {
            format!(
                "{who} probes {peer_s} zero window with one byte ({bytes}): is there room yet? The probe does not advance the sequence numbers"
            )
        } else if v.keep_alive {
            format!(
                "{who} sends a keep-alive ({bytes} again, one before the next): it checks that {peer} is still there"
            )
        } else if v.fast_retransmission {
            format!(
                "{who} sends {bytes} again{first}: a fast retransmission. {peer} sent duplicate ACKs asking for byte {s}, so {who} resends at once instead of waiting for its timer (RFC 5681)"
            )
        } else if v.spurious_retransmission {
            format!(
                "{who} sends {bytes} again{first}, though {peer} had already acknowledged them: a spurious retransmission (its timer fired too early, or the ACK was late)"
            )
        } else if v.retransmission {
            format!(
                "{who} sends {bytes} again{first}: a retransmission, because no acknowledgment for them came back before its timer ran out; ack {a}"
            )
        } else if v.out_of_order {
            format!(
                "{who} sends {len} bytes{text_said}, {bytes}, out of order: later bytes were seen first; ack {a}"
            )
        } else {
            format!(
                "{gap}{who} sends {len} bytes{text_said}, {bytes}; ack {a}: next it expects {peer_s} byte {a}"
            )
        };
        (
            if closing {
                Phase::Teardown
            } else {
                Phase::Data
            },
            format!("{text}{window}"),
        )
    } else {
        st.open = true;
        let text = if v.duplicate_ack {
            let n = if st.dups[i].1 == a {
                st.dups[i].0 + 1
            } else {
                1
            };
            st.dups[i] = (n, a);
            let third = if n == 3 {
                "; three duplicates are the signal for a fast retransmission (RFC 5681)"
            } else {
                ""
            };
            format!(
                "{who} sends a duplicate ACK (#{n}): ack {a} again, no data. A segment after {peer_s} byte {} arrived, but byte {a} itself is still missing, so {who} keeps asking for it{third}",
                a.wrapping_sub(1)
            )
        } else if v.zero_window {
            format!(
                "{who} acknowledges {peer_s} bytes up to {} (ack {a}) with a window of 0: its receive buffer is full, and {peer} must stop sending until it opens the window again",
                a.wrapping_sub(1)
            )
        } else if v.keep_alive {
            format!(
                "{who} sends a keep-alive: no data, one before its next byte, to check that {peer} is still there"
            )
        } else {
            format!(
                "{who} acknowledges without data: ack {a} says {peer_s} bytes up to {} have arrived",
                a.wrapping_sub(1)
            )
        };
        (
            if closing {
                Phase::Teardown
            } else {
                Phase::Data
            },
            format!("{text}{window}"),
        )
    };
    step.phase = phase;
    step.story = format!("{text}{sack}");
}
