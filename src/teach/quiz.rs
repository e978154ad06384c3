//! `wirepeek quiz`: questions about a capture whose answers the decoder
//! already knows. A field's value hidden ("What is the TCP header length of
//! frame 4, in bytes?"), which side of a TCP conversation is the server
//! and how one knows, and how many bytes the client has sent when a frame
//! arrives. Questions are offered frame by frame (`Pool::offer`), then
//! picked with a seeded generator (`Pool::pick`), so a seed always gives
//! the same quiz. Each question carries its answer and an explanation made
//! of the field's bytes and its glossary sentence. No I/O here.

use std::collections::HashMap;
use std::net::IpAddr;

use super::glossary;
use super::rows::hex_bytes;
use crate::decode::{Dissection, Field, Origin, Proto, Value, ipv4, ipv6, tcp, udp};
use crate::frame::FrameRecord;

/// Questions one quiz may ask at most.
pub const MAX_QUESTIONS: u32 = 100;
/// Frames of a capture the quiz draws on: the first ones.
pub const MAX_FRAMES: u64 = 2_000;
/// TCP conversations followed for the byte-count questions.
const MAX_CONVERSATIONS: usize = 1_000;

/// One question with its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub prompt: String,
    pub answer: String,
    pub check: Check,
    /// Why, line by line: the bytes and the glossary's sentence.
    pub why: Vec<String>,
}

/// How a reply is judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// The first whole number in the reply equals this.
    Number(u64),
    /// The reply names this port (and not the other side's).
    Port { server: u16, client: u16 },
}

impl Question {
    /// Whether `reply` is right.
    pub fn is_right(&self, reply: &str) -> bool {
        let numbers: Vec<u64> = reply
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        match self.check {
            Check::Number(n) => numbers.first() == Some(&n),
            Check::Port { server, client } => {
                numbers.contains(&u64::from(server))
                    && (server == client || !numbers.contains(&u64::from(client)))
            }
        }
    }
}

/// A field question: which field, how to ask, the unit.
struct Ask {
    key: &'static str,
    what: &'static str,
    unit: &'static str,
}

const ASKS: &[Ask] = &[
    Ask {
        key: tcp::HDR_LEN.key,
        what: "the TCP header length",
        unit: ", in bytes",
    },
    Ask {
        key: tcp::SRCPORT.key,
        what: "the TCP source port",
        unit: "",
    },
    Ask {
        key: tcp::DSTPORT.key,
        what: "the TCP destination port",
        unit: "",
    },
    Ask {
        key: tcp::WINDOW_SIZE_VALUE.key,
        what: "the window field of the TCP header (unscaled)",
        unit: "",
    },
    Ask {
        key: ipv4::TTL.key,
        what: "the IPv4 time to live",
        unit: "",
    },
    Ask {
        key: ipv4::LEN.key,
        what: "the IPv4 total length",
        unit: ", in bytes",
    },
    Ask {
        key: ipv4::HDR_LEN.key,
        what: "the IPv4 header length",
        unit: ", in bytes",
    },
    Ask {
        key: ipv6::HLIM.key,
        what: "the IPv6 hop limit",
        unit: "",
    },
    Ask {
        key: ipv6::PLEN.key,
        what: "the IPv6 payload length",
        unit: ", in bytes",
    },
    Ask {
        key: udp::LENGTH.key,
        what: "the UDP length",
        unit: ", in bytes",
    },
];

type Socket = (IpAddr, u16);

/// One TCP conversation as seen so far: who sent the first SYN, their
/// initial sequence number, and the highest byte the client has sent.
struct Conv {
    client: Socket,
    server: Socket,
    syn_frame: u64,
    isn: u32,
    /// Data bytes the client has sent so far (the highest sequence number
    /// reached, less the SYN's).
    sent: u64,
    asked_server: bool,
}

/// The questions a capture offers, kind by kind.
#[derive(Default)]
pub struct Pool {
    fields: Vec<Question>,
    servers: Vec<Question>,
    sent: Vec<Question>,
    convs: HashMap<(Socket, Socket), Conv>,
}

impl Pool {
    /// Offer the questions one frame allows.
    pub fn offer(&mut self, frame: &FrameRecord, d: &Dissection) {
        let data = &frame.data[..];
        let n = frame.number;
        for ask in ASKS {
            // The outermost header of its protocol, read from the wire.
            let Some(f) = d
                .fields
                .iter()
                .find(|f| f.key == ask.key && f.origin == Origin::Wire && f.source == 0)
            else {
                continue;
            };
            let Value::UInt(v) = f.value else { continue };
            if in_quoted(d, f) {
                continue;
            }
            self.fields.push(Question {
                prompt: format!("What is {} of frame {n}{}?", ask.what, ask.unit),
                answer: v.to_string(),
                check: Check::Number(v),
                why: field_why(f, d, data),
            });
        }
        self.offer_tcp(frame, d);
    }

    fn offer_tcp(&mut self, frame: &FrameRecord, d: &Dissection) {
        let Some(t) = d.tuple.filter(|t| t.protocol == 6) else {
            return;
        };
        let num = |key: &str| match d.field(key).map(|f| &f.value) {
            Some(Value::UInt(v)) => Some(*v),
            Some(Value::Bool(b)) => Some(u64::from(*b)),
            _ => None,
        };
        let (Some(syn), Some(ack), Some(seq)) = (
            num(tcp::FLAGS_SYN.key),
            num(tcp::FLAGS_ACK.key),
            num(tcp::SEQ_RAW.key),
        ) else {
            return;
        };
        let len = num(tcp::LEN.key).unwrap_or(0);
        let (src, dst) = ((t.src, t.src_port), (t.dst, t.dst_port));
        let key = (src.min(dst), src.max(dst));
        let n = frame.number;
        if syn == 1 && ack == 0 {
            if self.convs.len() < MAX_CONVERSATIONS && !self.convs.contains_key(&key) {
                self.convs.insert(
                    key,
                    Conv {
                        client: src,
                        server: dst,
                        syn_frame: n,
                        isn: seq as u32,
                        sent: 0,
                        asked_server: false,
                    },
                );
            }
            return;
        }
        let Some(c) = self.convs.get_mut(&key) else {
            return;
        };
        if syn == 1 && ack == 1 && src == c.server && !c.asked_server {
            c.asked_server = true;
            self.servers.push(Question {
                prompt: format!(
                    "In the TCP conversation of frame {n}, which side is the server (give its port), and how do you know?"
                ),
                answer: format!("{} (port {})", sock(c.server), c.server.1),
                check: Check::Port {
                    server: c.server.1,
                    client: c.client.1,
                },
                why: vec![
                    format!(
                        "Frame {} is a SYN without ACK from {} to {}: the client's connect() opens the connection.",
                        c.syn_frame,
                        sock(c.client),
                        sock(c.server)
                    ),
                    format!(
                        "Frame {n} answers it with SYN-ACK from {}: only a socket that called listen() answers a SYN, so that side is the server.",
                        sock(c.server)
                    ),
                ],
            });
        }
        if src == c.client && len > 0 {
            // Relative to the SYN, whose sequence number uses up one.
            let rel = u64::from((seq as u32).wrapping_sub(c.isn.wrapping_add(1)));
            c.sent = c.sent.max(rel + len);
            self.sent.push(Question {
                prompt: format!(
                    "How many bytes of data has the client ({}) sent in its TCP conversation when frame {n} arrives (counting frame {n})?",
                    sock(c.client)
                ),
                answer: c.sent.to_string(),
                check: Check::Number(c.sent),
                why: vec![
                    format!(
                        "The client's SYN (frame {}) has sequence number {}; SYN counts as one, so its first data byte is {}.",
                        c.syn_frame,
                        c.isn,
                        c.isn.wrapping_add(1)
                    ),
                    format!(
                        "Frame {n} has sequence number {seq} and {len} bytes of data, so the client has sent bytes up to {} - {} + {len} = {} (a retransmission sends nothing new).",
                        seq,
                        c.isn.wrapping_add(1),
                        c.sent
                    ),
                ],
            });
        }
    }

    /// How many questions the capture offers.
    pub fn len(&self) -> usize {
        self.fields.len() + self.servers.len() + self.sent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `n` questions (fewer if the capture offers fewer), the kinds taken
    /// in turn, each kind's question drawn by the generator seeded with
    /// `seed`.
    pub fn pick(mut self, n: usize, seed: u64) -> Vec<Question> {
        let mut rng = SplitMix(seed);
        let mut kinds = [
            std::mem::take(&mut self.fields),
            std::mem::take(&mut self.servers),
            std::mem::take(&mut self.sent),
        ];
        let mut out = Vec::with_capacity(n);
        let mut k = rng.below(kinds.len());
        while out.len() < n && kinds.iter().any(|q| !q.is_empty()) {
            let kind = &mut kinds[k % 3];
            k += 1;
            if kind.is_empty() {
                continue;
            }
            let i = rng.below(kind.len());
            out.push(kind.swap_remove(i));
        }
        out
    }
}

fn sock(s: Socket) -> String {
    match s.0 {
        IpAddr::V4(a) => format!("{a}:{}", s.1),
        IpAddr::V6(a) => format!("[{a}]:{}", s.1),
    }
}

fn in_quoted(d: &Dissection, f: &Field) -> bool {
    d.layers
        .iter()
        .filter(|l| l.quoted && l.proto != Proto::Frame)
        .any(|l| l.header.start <= f.bytes.start && f.bytes.end <= l.header.end)
}

/// The field's bytes and bits, then its glossary sentence.
fn field_why(f: &Field, d: &Dissection, data: &[u8]) -> Vec<String> {
    let bytes = data.get(f.bytes.clone()).unwrap_or(&[]);
    let mut why = vec![format!(
        "{} ({}) is at bytes {}..{} of the frame: {}{}.",
        f.name,
        f.key,
        f.bytes.start,
        f.bytes.end,
        hex_bytes(bytes, 8),
        if f.mask != 0 && bytes.len() <= 4 {
            format!(", bits {}", super::rows::bit_pattern(bytes, f.mask))
        } else {
            String::new()
        }
    )];
    if let Some(g) = glossary::explain(f, d, data) {
        why.push(if g.source.is_empty() {
            g.sentence
        } else {
            format!("{} ({})", g.sentence, g.source)
        });
    }
    why
}

/// SplitMix64 (Steele, Lea and Flood 2014): small, fast, and the same on
/// every platform, so a seed names one quiz.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_its_reference_sequence() {
        // The first outputs for seed 1234567 from the reference C code.
        let mut r = SplitMix(1234567);
        assert_eq!(r.next(), 6457827717110365317);
        assert_eq!(r.next(), 3203168211198807973);
    }

    #[test]
    fn replies_are_judged_by_their_numbers() {
        let q = Question {
            prompt: String::new(),
            answer: "40".into(),
            check: Check::Number(40),
            why: Vec::new(),
        };
        assert!(q.is_right("40"));
        assert!(q.is_right(" 40 bytes"));
        assert!(!q.is_right("20"));
        assert!(!q.is_right("forty"));
        let s = Question {
            check: Check::Port {
                server: 36619,
                client: 34554,
            },
            ..q
        };
        assert!(s.is_right("127.0.0.1:36619, it answered the SYN"));
        assert!(!s.is_right("34554"));
        assert!(!s.is_right("36619 or 34554"));
    }
}
