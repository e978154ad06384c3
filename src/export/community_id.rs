//! Community ID v1 (corelight/community-id-spec): a flow hash that Zeek,
//! Suricata, Wireshark and Elastic agree on, so a conversation can be
//! found in each of their logs. SHA-1 over the seed (16 bits), the two
//! addresses and ports in a canonical order, the protocol and a zero pad
//! byte, then base64, after the version: `1:…`.
//!
//! ICMP has no ports: the type stands for the source port and the type's
//! counterpart (echo ↔ echo reply, …) for the destination port, so both
//! directions of an exchange hash alike; a type without a counterpart keeps
//! its code as the destination port and its direction ("one-way").

use std::collections::HashMap;
use std::net::IpAddr;

use sha1::{Digest, Sha1};

use crate::decode::{Dissection, Proto};
use crate::flow::{ICMP, ICMPV6, TCP, UDP};
use crate::frame::FrameRecord;

/// SCTP: the spec gives it ports too.
const SCTP: u8 = 132;

/// The counterpart of an ICMP type, when it has one.
fn icmp_counterpart(proto: u8, kind: u8) -> Option<u8> {
    let pairs: &[(u8, u8)] = if proto == ICMP {
        // echo, timestamp, information, router solicitation, address mask
        &[(8, 0), (13, 14), (15, 16), (10, 9), (17, 18)]
    } else {
        // echo, MLD query/report, router and neighbour discovery,
        // node information (who-are-you), home agent discovery
        &[
            (128, 129),
            (130, 131),
            (133, 134),
            (135, 136),
            (139, 140),
            (144, 145),
        ]
    };
    pairs.iter().find_map(|&(a, b)| {
        if kind == a {
            Some(b)
        } else if kind == b {
            Some(a)
        } else {
            None
        }
    })
}

/// The Community ID of a flow from `src` to `dst` (for ICMP the ports are
/// the type and code, as Zeek logs them). `None` when the addresses are of
/// different families.
pub fn community_id(
    seed: u16,
    proto: u8,
    src: (IpAddr, u16),
    dst: (IpAddr, u16),
) -> Option<String> {
    let (mut a, mut b) = (src, dst);
    let mut one_way = false;
    if proto == ICMP || proto == ICMPV6 {
        let kind = src.1.min(255) as u8;
        match icmp_counterpart(proto, kind) {
            Some(other) => b.1 = u16::from(other),
            None => one_way = true,
        }
    }
    let bytes = |ip: IpAddr| -> Vec<u8> {
        match ip {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets().to_vec(),
        }
    };
    let (mut ab, mut bb) = (bytes(a.0), bytes(b.0));
    if ab.len() != bb.len() {
        return None;
    }
    if !one_way && (ab.as_slice(), a.1) > (bb.as_slice(), b.1) {
        std::mem::swap(&mut a, &mut b);
        std::mem::swap(&mut ab, &mut bb);
    }
    let mut h = Sha1::new();
    h.update(seed.to_be_bytes());
    h.update(&ab);
    h.update(&bb);
    h.update([proto, 0]);
    if matches!(proto, TCP | UDP | SCTP | ICMP | ICMPV6) {
        h.update(a.1.to_be_bytes());
        h.update(b.1.to_be_bytes());
    }
    let digest = h.finalize();
    let mut out = String::with_capacity(30);
    out.push_str("1:");
    base64(&mut out, &digest);
    Some(out)
}

/// Standard base64 (RFC 4648 §4) with padding.
pub fn base64(out: &mut String, bytes: &[u8]) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let word = u32::from(chunk[0]) << 16
            | u32::from(*chunk.get(1).unwrap_or(&0)) << 8
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= n {
                out.push(ALPHABET[(word >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
}

/// The Community ID of a packet's flow: TCP and UDP by their ports, ICMP
/// and ICMPv6 by type and code; `None` for anything else.
/// TCP, UDP and ICMP echo take the addresses of their conversation (an
/// IPv6 routing header's final destination, as the conn table and Zeek
/// have them), so each packet's ID is its conversation's.
pub fn packet_community_id(frame: &FrameRecord, d: &Dissection) -> Option<String> {
    let (proto, src, dst) = packet_flow(frame, d)?;
    community_id(0, proto, src, dst)
}

/// What a packet's Community ID is worked out from: protocol, source and
/// destination (address, port or ICMP type and code).
pub type Ends = (u8, (IpAddr, u16), (IpAddr, u16));

/// What a TCP or UDP packet's Community ID is worked out from, by its
/// flow key (`None` for ICMP echo, whose ID takes type and code).
pub fn transport_ends(p: &crate::flow::Packet) -> Option<Ends> {
    if p.echo.is_some() {
        return None;
    }
    let (src, dst) = if p.forward {
        (p.key.lo(), p.key.hi())
    } else {
        (p.key.hi(), p.key.lo())
    };
    Some((p.key.proto, (src, p.src_port), (dst, p.dst_port)))
}

fn packet_flow(frame: &FrameRecord, d: &Dissection) -> Option<Ends> {
    let flow = crate::flow::Packet::from_dissection(frame, d).map(|p| {
        let ends = if p.forward {
            (p.key.lo(), p.key.hi())
        } else {
            (p.key.hi(), p.key.lo())
        };
        (p, ends)
    });
    if let Some(ends) = flow.as_ref().and_then(|(p, _)| transport_ends(p)) {
        return Some(ends);
    }
    let data = &frame.data[..];
    let i = d
        .layers
        .iter()
        .position(|l| matches!(l.proto, Proto::Icmp | Proto::Icmpv6) && !l.quoted)?;
    let icmp = &d.layers[i];
    let (kind, code) = (
        *data.get(icmp.header.start)?,
        *data.get(icmp.header.start + 1)?,
    );
    let ip = d.layers[..i]
        .iter()
        .rev()
        .find(|l| matches!(l.proto, Proto::Ipv4 | Proto::Ipv6))?;
    let h = ip.header.start;
    let (src, dst): (IpAddr, IpAddr) = if ip.proto == Proto::Ipv4 {
        let s: [u8; 4] = data.get(h + 12..h + 16)?.try_into().ok()?;
        let t: [u8; 4] = data.get(h + 16..h + 20)?.try_into().ok()?;
        (s.into(), t.into())
    } else {
        let s: [u8; 16] = data.get(h + 8..h + 24)?.try_into().ok()?;
        let t: [u8; 16] = data.get(h + 24..h + 40)?.try_into().ok()?;
        (s.into(), t.into())
    };
    let (src, dst) = flow.map_or((src, dst), |(_, ends)| ends);
    let proto = if icmp.proto == Proto::Icmp {
        crate::flow::ICMP
    } else {
        crate::flow::ICMPV6
    };
    Some((proto, (src, u16::from(kind)), (dst, u16::from(code))))
}

/// Community IDs already worked out, by what they are worked out from:
/// the packets of one flow ask for the same one, and SHA-1 and base64
/// cost more than the rest of a row. Holds at most `MEMO_MAX` (then
/// starts over), so memory stays bounded however many flows an input has.
#[derive(Default)]
pub struct CommunityIds {
    known: HashMap<Ends, Option<String>, BuildFnv>,
    /// The IDs of recent conversations by (protocol, stream index), one
    /// slot per `stream % BY_STREAM`: a packet the flow table tracked
    /// finds its ID without hashing its addresses.
    by_stream: Vec<Option<(u8, u32, Option<String>)>>,
}

const MEMO_MAX: usize = 1 << 16;
const BY_STREAM: usize = 1 << 16;

impl CommunityIds {
    /// The Community ID of a TCP or UDP packet of conversation `stream`
    /// (its `transport_ends`): the same for every packet of it, since an
    /// ID orders its two ends.
    pub fn conversation(&mut self, stream: u32, ends: Ends) -> Option<&str> {
        if self.by_stream.is_empty() {
            self.by_stream.resize(BY_STREAM, None);
        }
        let slot = (stream as usize ^ usize::from(ends.0) << 15) % BY_STREAM;
        let hit = matches!(&self.by_stream[slot], Some((p, s, _)) if *p == ends.0 && *s == stream);
        if !hit {
            let id = community_id(0, ends.0, ends.1, ends.2);
            self.by_stream[slot] = Some((ends.0, stream, id));
        }
        self.by_stream[slot].as_ref()?.2.as_deref()
    }

    /// The Community ID of a packet's flow (as `packet_community_id`).
    pub fn packet(&mut self, frame: &FrameRecord, d: &Dissection) -> Option<&str> {
        let ends = packet_flow(frame, d)?;
        if self.known.len() >= MEMO_MAX && !self.known.contains_key(&ends) {
            self.known.clear();
        }
        self.known
            .entry(ends)
            .or_insert_with(|| community_id(0, ends.0, ends.1, ends.2))
            .as_deref()
    }
}

/// FNV-1a: a few bytes of addresses and ports, hashed without SipHash's
/// cost (the memo is private; nothing outside chooses its keys' spread
/// but the capture, and a bad spread costs only time).
#[derive(Default, Clone, Copy)]
struct BuildFnv;

struct Fnv(u64);

impl std::hash::BuildHasher for BuildFnv {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_4648_test_vectors() {
        // RFC 4648 §10.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            let mut s = String::new();
            base64(&mut s, plain.as_bytes());
            assert_eq!(s, encoded, "{plain:?}");
        }
    }

    #[test]
    fn community_ids_match_the_specs_baseline() {
        // community-id-spec, baseline/baseline_deflt.log (seed 0).
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let cases = [
            (
                TCP,
                ("128.232.110.120", 34855),
                ("66.35.250.204", 80),
                "1:LQU9qZlK+B5F3KDmev6m5PMibrg=",
            ),
            (
                UDP,
                ("192.168.1.52", 54585),
                ("8.8.8.8", 53),
                "1:d/FP5EW3wiY1vCndhwleRRKHowQ=",
            ),
            (
                ICMP,
                ("192.168.0.89", 8),
                ("192.168.0.1", 0),
                "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=",
            ),
            (
                ICMPV6,
                ("fe80::200:86ff:fe05:80da", 135),
                ("fe80::260:97ff:fe07:69ea", 0),
                "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=",
            ),
        ];
        for (proto, (sa, sp), (da, dp), want) in cases {
            let forward = community_id(0, proto, (ip(sa), sp), (ip(da), dp));
            assert_eq!(forward.as_deref(), Some(want), "{sa} → {da}");
        }
        // Both directions of a TCP connection hash alike.
        let a = (ip("10.0.0.2"), 40000);
        let b = (ip("10.0.0.1"), 80);
        assert_eq!(community_id(0, TCP, a, b), community_id(0, TCP, b, a));
        assert_ne!(community_id(0, TCP, a, b), community_id(1, TCP, a, b));
        assert_eq!(community_id(0, TCP, a, (ip("::1"), 80)), None);
    }
}
