//! The tcpdump evaluator: a parsed expression over a frame's bytes with libpcap's
//! meaning: the same offsets per link type, the same checks (IPv4 ports only
//! in first fragments, `host` covering ARP and RARP addresses), and the same
//! rule that a read past the captured bytes rejects the whole packet, as a
//! BPF load out of bounds does.
//!
//! Uses `frame` only; reads no dissection, so frames can be filtered before
//! they are decoded.

use super::ast::{Arith, Base, BinOp, Dir, Join, Node, Prim, PrimKind, RelOp};
use crate::filter::FilterError;
use crate::frame::{FrameRecord, LinkType};

/// A read past the captured bytes: BPF's "return 0".
struct Oob;

type E<T> = Result<T, Oob>;

struct Pkt<'a> {
    data: &'a [u8],
    wire_len: u32,
    link: LinkType,
}

impl Pkt<'_> {
    fn bytes<const N: usize>(&self, at: usize) -> E<[u8; N]> {
        let end = at.checked_add(N).ok_or(Oob)?;
        let slice = self.data.get(at..end).ok_or(Oob)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }
    fn u8(&self, at: usize) -> E<u8> {
        self.data.get(at).copied().ok_or(Oob)
    }
    fn u16(&self, at: usize) -> E<u16> {
        self.bytes::<2>(at).map(u16::from_be_bytes)
    }
    fn u32(&self, at: usize) -> E<u32> {
        self.bytes::<4>(at).map(u32::from_be_bytes)
    }
}

/// How a link type says which network protocol follows, and where it starts.
#[derive(Clone, Copy)]
pub(super) enum LinkKind {
    /// An EtherType at this offset; the payload at the second.
    EtherType(usize, usize),
    /// BSD loopback: a 4-byte address family, host order (NULL) or network
    /// order (LOOP).
    Null {
        big_endian: bool,
    },
    /// Raw IP: the version nibble decides.
    Raw,
    OnlyIpv4,
    OnlyIpv6,
    Unknown,
}

pub(super) fn link_kind(link: LinkType) -> LinkKind {
    match link {
        LinkType::ETHERNET => LinkKind::EtherType(12, 14),
        LinkType::LINUX_SLL => LinkKind::EtherType(14, 16),
        LinkType::LINUX_SLL2 => LinkKind::EtherType(0, 20),
        LinkType::NULL => LinkKind::Null { big_endian: false },
        LinkType::LOOP => LinkKind::Null { big_endian: true },
        LinkType::RAW | LinkType::RAW_12 | LinkType::RAW_14 => LinkKind::Raw,
        LinkType::IPV4 => LinkKind::OnlyIpv4,
        LinkType::IPV6 => LinkKind::OnlyIpv6,
        _ => LinkKind::Unknown,
    }
}

/// BSD address families libpcap accepts as IPv6 (BSD, FreeBSD, Darwin).
const AF_INET6_BSD: [u32; 3] = [24, 28, 30];

/// Offset of the network-layer header.
pub(super) fn net_offset(link: LinkType, shift: usize) -> usize {
    match link_kind(link) {
        LinkKind::EtherType(_, pl) => pl + shift,
        LinkKind::Null { .. } => 4,
        _ => 0,
    }
}

/// Could this link type ever carry this EtherType? `Some(b)` when the answer
/// is the same for every packet.
fn ethertype_const(link: LinkType, ty: u16) -> Option<bool> {
    match link_kind(link) {
        LinkKind::EtherType(..) => None,
        LinkKind::Null { .. } | LinkKind::Raw => (ty == 0x0800 || ty == 0x86dd)
            .then_some(())
            .map_or(Some(false), |_| None),
        LinkKind::OnlyIpv4 => Some(ty == 0x0800),
        LinkKind::OnlyIpv6 => Some(ty == 0x86dd),
        LinkKind::Unknown => Some(false),
    }
}

fn is_ethertype(p: &Pkt, shift: usize, ty: u16) -> E<bool> {
    Ok(match link_kind(p.link) {
        LinkKind::EtherType(at, _) => p.u16(at + shift)? == ty,
        LinkKind::Null { big_endian } => {
            let raw = p.bytes::<4>(0)?;
            let family = if big_endian {
                u32::from_be_bytes(raw)
            } else {
                u32::from_ne_bytes(raw)
            };
            match ty {
                0x0800 => family == 2,
                0x86dd => AF_INET6_BSD.contains(&family),
                _ => false,
            }
        }
        LinkKind::Raw => match ty {
            0x0800 => p.u8(0)? & 0xf0 == 0x40,
            0x86dd => p.u8(0)? & 0xf0 == 0x60,
            _ => false,
        },
        LinkKind::OnlyIpv4 => ty == 0x0800,
        LinkKind::OnlyIpv6 => ty == 0x86dd,
        LinkKind::Unknown => false,
    })
}

/// True when tcpdump would accept this frame.
pub(crate) fn matches(root: &Node, frame: &FrameRecord) -> bool {
    let p = Pkt {
        data: &frame.data,
        wire_len: frame.orig_len,
        link: frame.link,
    };
    eval(root, &p).unwrap_or(false)
}

/// Recursion only through `not` and parentheses, so no deeper than the
/// parser's nesting limit.
fn eval(n: &Node, p: &Pkt) -> E<bool> {
    Ok(match n {
        Node::Chain(first, rest) => {
            // `a and b or c` is `(a and b) or c`: short-circuit as a left fold.
            let mut acc = eval(first, p)?;
            for (join, n) in rest {
                acc = match join {
                    Join::And => acc && eval(n, p)?,
                    Join::Or => acc || eval(n, p)?,
                };
            }
            acc
        }
        Node::Not(a) => !eval(a, p)?,
        Node::Prim(prim) => eval_prim(prim, p)?,
    })
}

fn dir_match(dir: Dir, src: impl FnOnce() -> E<bool>, dst: impl FnOnce() -> E<bool>) -> E<bool> {
    Ok(match dir {
        Dir::Src => src()?,
        Dir::Dst => dst()?,
        Dir::SrcOrDst => src()? || dst()?,
        Dir::SrcAndDst => src()? && dst()?,
    })
}

fn eval_prim(prim: &Prim, p: &Pkt) -> E<bool> {
    let shift = prim.shift;
    let nl = net_offset(p.link, shift);
    match &prim.kind {
        PrimKind::EtherType(ty) => is_ethertype(p, shift, *ty),
        PrimKind::IpProto { v4, v6, proto } => {
            if *v6 && is_ethertype(p, shift, 0x86dd)? {
                let next = p.u8(nl + 6)?;
                return Ok(next == *proto || (next == 44 && p.u8(nl + 40)? == *proto));
            }
            Ok(*v4 && is_ethertype(p, shift, 0x0800)? && p.u8(nl + 9)? == *proto)
        }
        PrimKind::Host4 {
            addr,
            mask,
            dir,
            ip,
            arp,
            rarp,
        } => {
            let hit = |at: usize| -> E<bool> { Ok(p.u32(at)? & mask == *addr) };
            if *ip && is_ethertype(p, shift, 0x0800)? {
                return dir_match(*dir, || hit(nl + 12), || hit(nl + 16));
            }
            let arpish = (*arp && is_ethertype(p, shift, 0x0806)?)
                || (*rarp && is_ethertype(p, shift, 0x8035)?);
            if arpish {
                return dir_match(*dir, || hit(nl + 14), || hit(nl + 24));
            }
            Ok(false)
        }
        PrimKind::Host6 { addr, mask, dir } => {
            if !is_ethertype(p, shift, 0x86dd)? {
                return Ok(false);
            }
            let hit = |at: usize| -> E<bool> {
                let got = p.bytes::<16>(at)?;
                Ok(got
                    .iter()
                    .zip(mask)
                    .zip(addr)
                    .all(|((g, m), a)| g & m == *a))
            };
            dir_match(*dir, || hit(nl + 8), || hit(nl + 24))
        }
        PrimKind::Port {
            lo,
            hi,
            dir,
            on,
            v4,
            v6,
        } => {
            let wanted = |proto: u8| match proto {
                6 => on.tcp,
                17 => on.udp,
                132 => on.sctp,
                _ => false,
            };
            let hit = |at: usize| -> E<bool> {
                let port = p.u16(at)?;
                Ok(*lo <= port && port <= *hi)
            };
            if *v6 && is_ethertype(p, shift, 0x86dd)? {
                if !wanted(p.u8(nl + 6)?) {
                    return Ok(false);
                }
                return dir_match(*dir, || hit(nl + 40), || hit(nl + 42));
            }
            if *v4 && is_ethertype(p, shift, 0x0800)? {
                if !wanted(p.u8(nl + 9)?) || p.u16(nl + 6)? & 0x1fff != 0 {
                    return Ok(false);
                }
                let x = 4 * usize::from(p.u8(nl)? & 0x0f);
                return dir_match(*dir, || hit(nl + x), || hit(nl + x + 2));
            }
            Ok(false)
        }
        PrimKind::EtherHost { mac, dir } => dir_match(
            *dir,
            || Ok(p.bytes::<6>(6)? == *mac),
            || Ok(p.bytes::<6>(0)? == *mac),
        ),
        PrimKind::EtherBroadcast => Ok(p.bytes::<6>(0)? == [0xff; 6]),
        PrimKind::EtherMulticast => Ok(p.u8(0)? & 1 != 0),
        PrimKind::Vlan(id) => {
            let LinkKind::EtherType(at, _) = link_kind(p.link) else {
                return Ok(false);
            };
            let ty = p.u16(at + shift)?;
            if !matches!(ty, 0x8100 | 0x88a8 | 0x9100) {
                return Ok(false);
            }
            match id {
                Some(id) => Ok(p.u16(at + shift + 2)? & 0x0fff == *id),
                None => Ok(true),
            }
        }
        PrimKind::Len { greater, n } => Ok(if *greater {
            p.wire_len >= *n
        } else {
            p.wire_len <= *n
        }),
        PrimKind::Rel { lhs, op, rhs } => {
            let (Some(a), Some(b)) = (arith(lhs, p)?, arith(rhs, p)?) else {
                return Ok(false);
            };
            Ok(match op {
                RelOp::Eq => a == b,
                RelOp::Ne => a != b,
                RelOp::Lt => a < b,
                RelOp::Le => a <= b,
                RelOp::Gt => a > b,
                RelOp::Ge => a >= b,
            })
        }
    }
}

/// An arithmetic value; `None` when a load's protocol is absent (the
/// relation is then false, as libpcap ANDs the protocol test in).
fn arith(a: &Arith, p: &Pkt) -> E<Option<u32>> {
    Ok(Some(match a {
        Arith::Num(n) => *n,
        Arith::Len => p.wire_len,
        Arith::Neg(x) => match arith(x, p)? {
            Some(v) => v.wrapping_neg(),
            None => return Ok(None),
        },
        Arith::Chain(first, rest) => {
            let Some(mut x) = arith(first, p)? else {
                return Ok(None);
            };
            for (op, y) in rest {
                let Some(y) = arith(y, p)? else {
                    return Ok(None);
                };
                x = match op {
                    BinOp::Add => x.wrapping_add(y),
                    BinOp::Sub => x.wrapping_sub(y),
                    BinOp::Mul => x.wrapping_mul(y),
                    // BPF's run-time division by zero rejects the packet.
                    BinOp::Div => x.checked_div(y).ok_or(Oob)?,
                    BinOp::Mod => x.checked_rem(y).ok_or(Oob)?,
                    BinOp::And => x & y,
                    BinOp::Or => x | y,
                    BinOp::Xor => x ^ y,
                    BinOp::Shl => x.checked_shl(y).unwrap_or(0),
                    BinOp::Shr => x.checked_shr(y).unwrap_or(0),
                };
            }
            x
        }
        Arith::Load {
            base,
            index,
            known,
            size,
            shift,
        } => {
            let nl = net_offset(p.link, *shift);
            // The fixed part of the offset, and the IPv4 header length a
            // transport load adds at run time (BPF's X register).
            let (fixed, header) = match base {
                Base::Link => (0, 0),
                Base::Net(ty) => {
                    if !is_ethertype(p, *shift, *ty)? {
                        return Ok(None);
                    }
                    (nl, 0)
                }
                Base::Transport(proto) => {
                    if !is_ethertype(p, *shift, 0x0800)?
                        || p.u8(nl + 9)? != *proto
                        || p.u16(nl + 6)? & 0x1fff != 0
                    {
                        return Ok(None);
                    }
                    (nl, 4 * usize::from(p.u8(nl)? & 0x0f))
                }
                Base::Ip6Next(next) => {
                    if !is_ethertype(p, *shift, 0x86dd)? || p.u8(nl + 6)? != *next {
                        return Ok(None);
                    }
                    (nl + 40, 0)
                }
            };
            let Some(i) = arith(index, p)? else {
                return Ok(None);
            };
            // BPF loads `[x + k]` in 32 bits. libpcap folds a constant index
            // into k, which wraps (`ip[-1]` on Ethernet is byte 13); a
            // computed one goes to x, added to the IPv4 header length for a
            // transport load (wrapping too). x + k itself does not wrap: past
            // the packet, the packet is rejected.
            let (x, k) = match known {
                Some(k) => (header as u32, (fixed as u32).wrapping_add(*k)),
                None => ((header as u32).wrapping_add(i), fixed as u32),
            };
            let at = usize::try_from(u64::from(x) + u64::from(k)).map_err(|_| Oob)?;
            match size {
                1 => u32::from(p.u8(at)?),
                2 => u32::from(p.u16(at)?),
                _ => p.u32(at)?,
            }
        }
    }))
}

// ---------------------------------------------------------- link checks

/// Refuse link-specific primitives elsewhere, and expressions that can
/// match no packet of this link type (tcpdump: "expression rejects all
/// packets").
pub(crate) fn check_link(root: &Node, link: LinkType, text: &str) -> Result<(), FilterError> {
    if constant(root, link, text)? == Some(false) {
        return Err(FilterError::new(
            format!(
                "expression rejects all packets on link type {}",
                link.name()
            ),
            text,
            0,
        ));
    }
    Ok(())
}

fn and3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn or3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// The expression's value when it is the same for every packet of `link`.
fn constant(n: &Node, link: LinkType, text: &str) -> Result<Option<bool>, FilterError> {
    Ok(match n {
        Node::Chain(first, rest) => {
            let mut acc = constant(first, link, text)?;
            for (join, n) in rest {
                let v = constant(n, link, text)?;
                acc = match join {
                    Join::And => and3(acc, v),
                    Join::Or => or3(acc, v),
                };
            }
            acc
        }
        Node::Not(a) => constant(a, link, text)?.map(|v| !v),
        Node::Prim(prim) => prim_constant(prim, link, text)?,
    })
}

fn prim_constant(prim: &Prim, link: LinkType, text: &str) -> Result<Option<bool>, FilterError> {
    let ethernet = link == LinkType::ETHERNET;
    let needs_ethernet = |what: &str| -> Result<Option<bool>, FilterError> {
        if ethernet {
            Ok(None)
        } else {
            Err(FilterError::new(
                format!("{what} not supported on link type {}", link.name()),
                text,
                prim.column,
            ))
        }
    };
    let ety = |ty: u16, rest: Option<bool>| and3(ethertype_const(link, ty), rest);
    Ok(match &prim.kind {
        PrimKind::EtherType(ty) => ethertype_const(link, *ty),
        PrimKind::IpProto { v4, v6, .. } => or3(
            if *v4 { ety(0x0800, None) } else { Some(false) },
            if *v6 { ety(0x86dd, None) } else { Some(false) },
        ),
        PrimKind::Host4 { ip, arp, rarp, .. } => {
            let part = |on: bool, ty: u16| if on { ety(ty, None) } else { Some(false) };
            or3(
                or3(part(*ip, 0x0800), part(*arp, 0x0806)),
                part(*rarp, 0x8035),
            )
        }
        PrimKind::Host6 { .. } => ety(0x86dd, None),
        PrimKind::Port { v4, v6, .. } => or3(
            if *v4 { ety(0x0800, None) } else { Some(false) },
            if *v6 { ety(0x86dd, None) } else { Some(false) },
        ),
        PrimKind::EtherHost { .. } | PrimKind::EtherBroadcast | PrimKind::EtherMulticast => {
            needs_ethernet("ethernet addresses are")?
        }
        PrimKind::Vlan(_) => needs_ethernet("VLAN is")?,
        PrimKind::Len { .. } => None,
        PrimKind::Rel { lhs, rhs, .. } => and3(load_constant(lhs, link), load_constant(rhs, link)),
    })
}

/// `Some(false)` when a load in this arithmetic can never find its protocol.
fn load_constant(a: &Arith, link: LinkType) -> Option<bool> {
    match a {
        Arith::Num(_) | Arith::Len => None,
        Arith::Neg(x) => load_constant(x, link),
        Arith::Chain(first, rest) => rest.iter().fold(load_constant(first, link), |acc, (_, y)| {
            and3(acc, load_constant(y, link))
        }),
        Arith::Load { base, index, .. } => {
            let here = match base {
                Base::Link => None,
                Base::Net(ty) => ethertype_const(link, *ty).filter(|v| !v),
                Base::Transport(_) => ethertype_const(link, 0x0800).filter(|v| !v),
                Base::Ip6Next(_) => ethertype_const(link, 0x86dd).filter(|v| !v),
            };
            and3(here, load_constant(index, link))
        }
    }
}
