//! The socket calls of the demo's client and server beside the packets
//! they caused, in time order. A call is tied to frames only by what can be
//! checked: the byte counts against the segments' relative sequence numbers
//! (or, for UDP, the n-th datagram of the same length), and the times (a
//! packet a call sent is stamped after the call was entered; a packet a
//! call waited for is stamped before it returned). When the check fails the
//! row says only where the call falls in time.

use crate::echo::{Call, CallKind, Peer};

use super::segments::{ACK, FIN, SYN, Segment};

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Nanoseconds since the epoch.
    pub ts: i128,
    /// `client`, `server`, or empty for a packet.
    pub who: &'static str,
    pub text: String,
    /// A packet's row (printed indented), not a call's.
    pub packet: bool,
}

/// What the reader loop lesson needs: the reads that returned less than
/// they asked for while the message was still arriving.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// `(peer, counts)` of every side whose reads returned data.
    pub reads: Vec<(Peer, Vec<usize>)>,
    /// Datagrams received whole, one per recvfrom().
    pub datagrams: usize,
    pub tcp: bool,
}

fn other(peer: Peer) -> Peer {
    match peer {
        Peer::Client => Peer::Server,
        Peer::Server => Peer::Client,
    }
}

/// `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `frame 4`, `frames 4, 6 and 8`, `frames 4–9` (consecutive).
fn frames_text(frames: &[u64]) -> String {
    match frames {
        [] => "no frame".to_string(),
        [one] => format!("frame {one}"),
        _ if frames.windows(2).all(|w| w[1] == w[0] + 1) => {
            format!("frames {}–{}", frames[0], frames[frames.len() - 1])
        }
        _ => {
            let list: Vec<String> = frames.iter().map(u64::to_string).collect();
            let (last, rest) = list.split_last().expect("two or more");
            format!("frames {} and {last}", rest.join(", "))
        }
    }
}

/// The frames of `from` carrying stream bytes `[start, end)`, and how many
/// of those bytes they cover (each byte once: a retransmission adds none).
fn carriers(segs: &[Segment], from: Peer, start: u64, end: u64) -> (Vec<u64>, u64) {
    let mut frames = Vec::new();
    let mut covered: Vec<(u64, u64)> = Vec::new();
    for s in segs.iter().filter(|s| s.from == from && s.tcp && s.len > 0) {
        let (a, b) = s.span();
        let (lo, hi) = (a.max(start), b.min(end));
        if lo < hi {
            frames.push(s.frame);
            covered.push((lo, hi));
        }
    }
    covered.sort_unstable();
    let mut total = 0;
    let mut reach = start;
    for (lo, hi) in covered {
        let lo = lo.max(reach);
        if hi > lo {
            total += hi - lo;
            reach = hi;
        }
    }
    (frames, total)
}

fn first(segs: &[Segment], test: impl Fn(&Segment) -> bool) -> Option<&Segment> {
    segs.iter().find(|s| test(s))
}

/// Interleave `calls` with `segs` by time; `Summary` feeds the closing lesson.
pub fn timeline(calls: &[Call], segs: &[Segment]) -> (Vec<Row>, Summary) {
    let mut rows: Vec<Row> = segs
        .iter()
        .map(|s| Row {
            ts: s.ts,
            who: "",
            text: packet_text(s),
            packet: true,
        })
        .collect();
    let tcp = segs.first().is_none_or(|s| s.tcp);
    let mut summary = Summary {
        tcp,
        ..Summary::default()
    };
    // Stream offsets written and read so far, per peer (client, server).
    let mut written = [0u64; 2];
    let mut read = [0u64; 2];
    // UDP datagrams sent and received so far, per peer.
    let mut sent = [0usize; 2];
    let mut received = [0usize; 2];
    let index = |p: Peer| usize::from(p == Peer::Server);
    for call in calls {
        let p = call.peer;
        let me = index(p);
        let mut row = |ts: i128, text: String| {
            rows.push(Row {
                ts,
                who: p.name(),
                text,
                packet: false,
            })
        };
        if let Some(error) = &call.error {
            row(
                call.returned,
                format!("{}() failed: {error}", call.kind.name()),
            );
            continue;
        }
        let n = call.result.unwrap_or(0) as u64;
        match call.kind {
            CallKind::Socket => row(
                call.entered,
                "socket(): a new endpoint; nothing on the wire".to_string(),
            ),
            CallKind::Bind => {
                let addr = call.addr.map_or_else(String::new, |a| a.to_string());
                row(
                    call.entered,
                    format!("bind({addr}): claims the address and port; nothing on the wire"),
                );
            }
            CallKind::Listen => row(
                call.entered,
                "listen(): the kernel now answers SYNs for this port; nothing on the wire"
                    .to_string(),
            ),
            CallKind::Connect => {
                let syn = first(segs, |s| {
                    s.from == p && s.has(SYN) && !s.has(ACK) && s.ts >= call.entered
                });
                match syn.filter(|s| s.ts <= call.returned) {
                    Some(s) => row(call.entered, format!("connect() → SYN (frame {})", s.frame)),
                    None => row(call.entered, "connect() called".to_string()),
                }
                let synack = first(segs, |s| {
                    s.from == other(p) && s.has(SYN) && s.has(ACK) && s.ts <= call.returned
                });
                match synack.filter(|s| syn.is_some_and(|syn| s.ts >= syn.ts)) {
                    Some(s) => row(
                        call.returned,
                        format!(
                            "connect() returned after the SYN-ACK (frame {}): its side of the connection is open",
                            s.frame
                        ),
                    ),
                    None => row(call.returned, "connect() returned".to_string()),
                }
            }
            CallKind::Accept => {
                let synack = first(segs, |s| s.from == p && s.has(SYN) && s.has(ACK));
                let third = synack.and_then(|sa| {
                    first(segs, |s| {
                        s.from == other(p) && s.has(ACK) && !s.has(SYN) && s.ts >= sa.ts
                    })
                });
                match third.filter(|s| s.ts <= call.returned) {
                    Some(s) => row(
                        call.returned,
                        format!(
                            "accept() returned after the handshake's third packet (frame {}): the kernel had completed the handshake; accept() hands over the new connection",
                            s.frame
                        ),
                    ),
                    None => row(call.returned, "accept() returned".to_string()),
                }
            }
            CallKind::Write => {
                let (start, end) = (written[me], written[me] + n);
                written[me] = end;
                let (frames, covered) = carriers(segs, p, start, end);
                let late = segs
                    .iter()
                    .filter(|s| frames.contains(&s.frame) && s.ts > call.returned)
                    .count();
                let early = segs
                    .iter()
                    .any(|s| frames.contains(&s.frame) && s.ts < call.entered);
                let text = if covered == n && !early && !frames.is_empty() {
                    let mut text = format!("write({}) → {}", thousands(n), frames_text(&frames));
                    if frames.len() > 1 {
                        text.push_str(&format!(
                            " (bytes {}–{} of its stream in {} segments)",
                            thousands(start + 1),
                            thousands(end),
                            frames.len()
                        ));
                    }
                    if late > 0 {
                        text.push_str(&format!(
                            "; {late} of them left after write() returned: write() only copies into the socket's send buffer, the kernel sends as the receiver's window allows"
                        ));
                    }
                    text
                } else {
                    format!(
                        "write({}) returned {}; the capture shows {} of these bytes",
                        thousands(call.asked.unwrap_or(0) as u64),
                        thousands(n),
                        thousands(covered)
                    )
                };
                row(call.entered, text);
            }
            CallKind::Read => {
                if n == 0 {
                    let fin = first(segs, |s| s.from == other(p) && s.has(FIN));
                    let text = match fin.filter(|s| s.ts <= call.returned) {
                        Some(s) => format!(
                            "read() returned 0: end of stream, the {}'s FIN (frame {}) had arrived",
                            other(p).name(),
                            s.frame
                        ),
                        None => "read() returned 0: end of stream".to_string(),
                    };
                    row(call.returned, text);
                    continue;
                }
                let (start, end) = (read[me], read[me] + n);
                read[me] = end;
                match summary.reads.iter_mut().find(|(q, _)| *q == p) {
                    Some((_, counts)) => counts.push(n as usize),
                    None => summary.reads.push((p, vec![n as usize])),
                }
                let (frames, covered) = carriers(segs, other(p), start, end);
                let arrived = segs
                    .iter()
                    .filter(|s| frames.contains(&s.frame))
                    .all(|s| s.ts <= call.returned);
                let asked = call.asked.unwrap_or(0) as u64;
                let short = if n < asked {
                    format!(" (room for {})", thousands(asked))
                } else {
                    String::new()
                };
                let text = if covered == n && arrived && !frames.is_empty() {
                    format!(
                        "read() returned {} bytes{short}: bytes {}–{} of the {}'s stream, carried by {}",
                        thousands(n),
                        thousands(start + 1),
                        thousands(end),
                        other(p).name(),
                        frames_text(&frames)
                    )
                } else {
                    format!("read() returned {} bytes{short}", thousands(n))
                };
                row(call.returned, text);
            }
            CallKind::SendTo => {
                let k = sent[me];
                sent[me] += 1;
                let datagram = segs.iter().filter(|s| s.from == p && !s.tcp).nth(k);
                let text = match datagram.filter(|s| s.len == n && s.ts >= call.entered) {
                    Some(s) => format!(
                        "sendto({}) → frame {}: one datagram of {} bytes",
                        thousands(n),
                        s.frame,
                        thousands(n)
                    ),
                    None => format!("sendto({})", thousands(n)),
                };
                row(call.entered, text);
            }
            CallKind::RecvFrom => {
                let k = received[me];
                received[me] += 1;
                let datagram = segs.iter().filter(|s| s.from == other(p) && !s.tcp).nth(k);
                let text = match datagram.filter(|s| s.len == n && s.ts <= call.returned) {
                    Some(s) => {
                        summary.datagrams += 1;
                        format!(
                            "recvfrom() returned {} bytes: the whole datagram of frame {}, no more and no less",
                            thousands(n),
                            s.frame
                        )
                    }
                    None => format!("recvfrom() returned {} bytes", thousands(n)),
                };
                row(call.returned, text);
            }
            CallKind::Shutdown => {
                let fin = first(segs, |s| s.from == p && s.has(FIN) && s.ts >= call.entered);
                let text = match fin {
                    Some(s) => format!(
                        "shutdown(SHUT_WR) → FIN (frame {}): the {} will send no more data",
                        s.frame,
                        p.name()
                    ),
                    None => "shutdown(SHUT_WR)".to_string(),
                };
                row(call.entered, text);
            }
            CallKind::Close => {
                let earlier = first(segs, |s| s.from == p && s.has(FIN) && s.ts < call.entered);
                let fin = first(segs, |s| s.from == p && s.has(FIN) && s.ts >= call.entered);
                let text = match (earlier, fin, tcp) {
                    (_, _, false) => {
                        "close(): nothing on the wire (UDP has no connection to end)".to_string()
                    }
                    (Some(s), _, true) => format!(
                        "close(): nothing more on the wire, its FIN went earlier (frame {})",
                        s.frame
                    ),
                    (None, Some(s), true) => format!("close() → FIN (frame {})", s.frame),
                    (None, None, true) => "close()".to_string(),
                };
                row(call.entered, text);
            }
        }
    }
    // Stable: a call and the packet it sent at the same nanosecond keep
    // the call first only if it was pushed first; sort by time, calls
    // before packets on a tie (the call was entered first).
    rows.sort_by_key(|r| (r.ts, r.packet));
    (rows, summary)
}

fn packet_text(s: &Segment) -> String {
    let dir = match s.from {
        Peer::Client => "client → server",
        Peer::Server => "server → client",
    };
    if !s.tcp {
        return format!("frame {}  {dir}  UDP, {} bytes", s.frame, thousands(s.len));
    }
    let mut text = format!("frame {}  {dir}  {}", s.frame, s.label());
    if s.len > 0 {
        let (a, b) = s.span();
        text.push_str(&format!(
            " bytes {}–{} ({})",
            thousands(a + 1),
            thousands(b),
            thousands(s.len)
        ));
    }
    if let Some(line) = &s.http {
        text.push_str(&format!("  HTTP {line}"));
    }
    text
}
