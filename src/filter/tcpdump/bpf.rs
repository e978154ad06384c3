//! Classic BPF from the expression tree, so the kernel drops what a live
//! capture's filter rejects before it is copied to user space (libpcap's
//! `pcap_compile`, for the primitives whose meaning the kernel's view of a
//! packet shares with ours). The program means exactly what `eval` means:
//! the same loads in the same short-circuit order, so a load past the
//! packet rejects it as `eval`'s out-of-bounds rule does. `run` interprets a
//! program as the kernel would; tests hold it to `eval` on every corpus frame.
//!
//! Not compiled (`None`, and the caller filters in user space): link types
//! whose socket view differs from the frame we build (cooked SLL, which we
//! synthesise), `vlan` and VLAN EtherTypes (the kernel strips the tag before
//! the filter runs, we put it back), loads relative to the link header
//! (same reason), shifts by a computed amount, and programs past the
//! kernel's 4,096 instructions or 16 scratch words.

use super::ast::{Arith, Base, BinOp, Dir, Join, Node, PrimKind, RelOp};
use super::eval::{LinkKind, link_kind, net_offset};
use crate::frame::LinkType;

mod layout;
mod vm;
pub use vm::{disassemble, run};

/// One classic BPF instruction (`struct sock_filter`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insn {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

// Instruction classes and fields (linux/filter.h).
const LD: u16 = 0x00;
const LDX: u16 = 0x01;
const ST: u16 = 0x02;
const ALU: u16 = 0x04;
const JMP: u16 = 0x05;
const RET: u16 = 0x06;
const MISC: u16 = 0x07;
const W: u16 = 0x00;
const H: u16 = 0x08;
const B: u16 = 0x10;
const IMM: u16 = 0x00;
const ABS: u16 = 0x20;
const IND: u16 = 0x40;
const MEM: u16 = 0x60;
const LEN: u16 = 0x80;
const MSH: u16 = 0xa0;
const ADD: u16 = 0x00;
const SUB: u16 = 0x10;
const MUL: u16 = 0x20;
const DIV: u16 = 0x30;
const OR: u16 = 0x40;
const AND: u16 = 0x50;
const LSH: u16 = 0x60;
const RSH: u16 = 0x70;
const NEG: u16 = 0x80;
const MOD: u16 = 0x90;
const XOR: u16 = 0xa0;
const JA: u16 = 0x00;
const JEQ: u16 = 0x10;
const JGT: u16 = 0x20;
const JGE: u16 = 0x30;
const JSET: u16 = 0x40;
const K: u16 = 0x00;
const X: u16 = 0x08;
const TAX: u16 = 0x00;
const TXA: u16 = 0x80;

/// The kernel's limits (BPF_MAXINSNS, BPF_MEMWORDS).
const MAX_INSNS: usize = 4096;
const MEM_WORDS: u32 = 16;
/// What an accepting program returns: keep this many bytes (libpcap's
/// largest snapshot length; the ring's own snap length applies after).
const ACCEPT: u32 = 262_144;

type Label = usize;

/// An instruction before jumps are resolved.
enum Op {
    Plain(u16, u32),
    /// A conditional jump to one of two labels.
    Cond(u16, u32, Label, Label),
    Goto(Label),
    Mark(Label),
}

struct Gen {
    ops: Vec<Op>,
    labels: usize,
    link: LinkType,
    /// Scratch words in use (arithmetic keeps partial results there).
    depth: u32,
}

/// Compile `root` for frames of `link`; `None` when the kernel cannot run it
/// with our meaning (see the module comment).
pub(super) fn compile(root: &Node, link: LinkType) -> Option<Vec<Insn>> {
    if !matches!(link, LinkType::ETHERNET | LinkType::RAW) {
        return None;
    }
    let mut g = Gen {
        ops: Vec::new(),
        labels: 0,
        link,
        depth: 0,
    };
    let (yes, no) = (g.label(), g.label());
    g.node(root, yes, no)?;
    g.mark(yes);
    g.plain(RET | K, ACCEPT);
    g.mark(no);
    g.plain(RET | K, 0);
    g.resolve()
}

impl Gen {
    fn label(&mut self) -> Label {
        self.labels += 1;
        self.labels - 1
    }
    fn mark(&mut self, l: Label) {
        self.ops.push(Op::Mark(l));
    }
    fn plain(&mut self, code: u16, k: u32) {
        self.ops.push(Op::Plain(code, k));
    }
    fn cond(&mut self, code: u16, k: u32, t: Label, f: Label) {
        self.ops.push(Op::Cond(JMP | code, k, t, f));
    }
    fn goto(&mut self, l: Label) {
        self.ops.push(Op::Goto(l));
    }

    /// Jump to `t` when the node holds, `f` when it does not.
    fn node(&mut self, n: &Node, t: Label, f: Label) -> Option<()> {
        match n {
            Node::Not(inner) => self.node(inner, f, t),
            Node::Prim(p) => self.prim(&p.kind, p.shift, t, f),
            Node::Chain(first, rest) => {
                // A left fold: after item i the running value is known, and
                // the next join says whether it still matters. Continuations
                // are worked out from the end, so no recursion on length.
                let items: Vec<&Node> = std::iter::once(&**first)
                    .chain(rest.iter().map(|(_, n)| n))
                    .collect();
                let entry: Vec<Label> = (0..items.len()).map(|_| self.label()).collect();
                let mut cont = vec![(t, f); items.len()];
                for i in (0..items.len() - 1).rev() {
                    let (next_t, next_f) = cont[i + 1];
                    cont[i] = match rest[i].0 {
                        Join::And => (entry[i + 1], next_f),
                        Join::Or => (next_t, entry[i + 1]),
                    };
                }
                for (i, item) in items.iter().enumerate() {
                    self.mark(entry[i]);
                    self.node(item, cont[i].0, cont[i].1)?;
                }
                Some(())
            }
        }
    }

    /// Jump to `t` when the link layer carries EtherType `ty`, else `f`.
    fn ethertype(&mut self, shift: usize, ty: u16, t: Label, f: Label) -> Option<()> {
        match link_kind(self.link) {
            LinkKind::EtherType(at, _) => {
                self.plain(LD | H | ABS, (at + shift) as u32);
                self.cond(JEQ | K, u32::from(ty), t, f);
            }
            LinkKind::Raw => match ty {
                0x0800 | 0x86dd => {
                    self.plain(LD | B | ABS, 0);
                    self.plain(ALU | AND | K, 0xf0);
                    self.cond(JEQ | K, if ty == 0x0800 { 0x40 } else { 0x60 }, t, f);
                }
                _ => self.goto(f),
            },
            _ => return None,
        }
        Some(())
    }

    fn dir(
        &mut self,
        dir: Dir,
        src: usize,
        dst: usize,
        test: &dyn Fn(&mut Gen, usize, Label, Label),
        t: Label,
        f: Label,
    ) {
        match dir {
            Dir::Src => test(self, src, t, f),
            Dir::Dst => test(self, dst, t, f),
            Dir::SrcOrDst => {
                let other = self.label();
                test(self, src, t, other);
                self.mark(other);
                test(self, dst, t, f);
            }
            Dir::SrcAndDst => {
                let other = self.label();
                test(self, src, other, f);
                self.mark(other);
                test(self, dst, t, f);
            }
        }
    }

    fn prim(&mut self, kind: &PrimKind, shift: usize, t: Label, f: Label) -> Option<()> {
        let nl = net_offset(self.link, shift);
        match kind {
            PrimKind::EtherType(ty) => {
                if matches!(ty, 0x8100 | 0x88a8 | 0x9100) {
                    return None;
                }
                self.ethertype(shift, *ty, t, f)?;
            }
            PrimKind::IpProto { v4, v6, proto } => {
                let not_v6 = self.label();
                if *v6 {
                    let (is_v6, frag) = (self.label(), self.label());
                    self.ethertype(shift, 0x86dd, is_v6, not_v6)?;
                    self.mark(is_v6);
                    self.plain(LD | B | ABS, (nl + 6) as u32);
                    let after_direct = self.label();
                    self.cond(JEQ | K, u32::from(*proto), t, after_direct);
                    self.mark(after_direct);
                    self.cond(JEQ | K, 44, frag, f);
                    self.mark(frag);
                    self.plain(LD | B | ABS, (nl + 40) as u32);
                    self.cond(JEQ | K, u32::from(*proto), t, f);
                } else {
                    self.goto(not_v6);
                }
                self.mark(not_v6);
                if *v4 {
                    let is_v4 = self.label();
                    self.ethertype(shift, 0x0800, is_v4, f)?;
                    self.mark(is_v4);
                    self.plain(LD | B | ABS, (nl + 9) as u32);
                    self.cond(JEQ | K, u32::from(*proto), t, f);
                } else {
                    self.goto(f);
                }
            }
            PrimKind::Host4 {
                addr,
                mask,
                dir,
                ip,
                arp,
                rarp,
            } => {
                let (addr, mask) = (*addr, *mask);
                let test = move |g: &mut Gen, at: usize, t: Label, f: Label| {
                    g.plain(LD | W | ABS, at as u32);
                    if mask != u32::MAX {
                        g.plain(ALU | AND | K, mask);
                    }
                    g.cond(JEQ | K, addr, t, f);
                };
                let mut next = self.label();
                if *ip {
                    let is_ip = self.label();
                    self.ethertype(shift, 0x0800, is_ip, next)?;
                    self.mark(is_ip);
                    self.dir(*dir, nl + 12, nl + 16, &test, t, f);
                }
                for (wanted, ty) in [(*arp, 0x0806), (*rarp, 0x8035)] {
                    if !wanted {
                        continue;
                    }
                    self.mark(next);
                    next = self.label();
                    let is_arp = self.label();
                    self.ethertype(shift, ty, is_arp, next)?;
                    self.mark(is_arp);
                    self.dir(*dir, nl + 14, nl + 24, &test, t, f);
                }
                self.mark(next);
                self.goto(f);
            }
            PrimKind::Host6 { addr, mask, dir } => {
                let is_v6 = self.label();
                self.ethertype(shift, 0x86dd, is_v6, f)?;
                self.mark(is_v6);
                let (addr, mask) = (*addr, *mask);
                let test = move |g: &mut Gen, at: usize, t: Label, f: Label| {
                    for word in 0..4 {
                        let m = u32::from_be_bytes(
                            mask[word * 4..word * 4 + 4].try_into().expect("4 bytes"),
                        );
                        let a = u32::from_be_bytes(
                            addr[word * 4..word * 4 + 4].try_into().expect("4 bytes"),
                        );
                        // A masked-out word is still read, as eval reads all 16 bytes.
                        g.plain(LD | W | ABS, (at + word * 4) as u32);
                        if m != u32::MAX {
                            g.plain(ALU | AND | K, m);
                        }
                        if word == 3 {
                            g.cond(JEQ | K, a, t, f);
                        } else {
                            let next = g.label();
                            g.cond(JEQ | K, a, next, f);
                            g.mark(next);
                        }
                    }
                };
                self.dir(*dir, nl + 8, nl + 24, &test, t, f);
            }
            PrimKind::Port {
                lo,
                hi,
                dir,
                on,
                v4,
                v6,
            } => {
                let (lo, hi) = (u32::from(*lo), u32::from(*hi));
                let test = move |g: &mut Gen, at: usize, t: Label, f: Label| {
                    g.plain(LD | H | IND, at as u32);
                    if lo == hi {
                        g.cond(JEQ | K, lo, t, f);
                    } else {
                        let upper = g.label();
                        g.cond(JGE | K, lo, upper, f);
                        g.mark(upper);
                        g.cond(JGT | K, hi, f, t);
                    }
                };
                let protos: Vec<u32> = [(on.tcp, 6), (on.udp, 17), (on.sctp, 132)]
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, p)| *p)
                    .collect();
                // Jump to `yes` when the protocol byte now in A is wanted.
                let wanted = |g: &mut Gen, yes: Label, no: Label| {
                    for (i, p) in protos.iter().enumerate() {
                        if i + 1 == protos.len() {
                            g.cond(JEQ | K, *p, yes, no);
                        } else {
                            let next = g.label();
                            g.cond(JEQ | K, *p, yes, next);
                            g.mark(next);
                        }
                    }
                    if protos.is_empty() {
                        g.goto(no);
                    }
                };
                let not_v6 = self.label();
                if *v6 {
                    let (is_v6, ports) = (self.label(), self.label());
                    self.ethertype(shift, 0x86dd, is_v6, not_v6)?;
                    self.mark(is_v6);
                    self.plain(LD | B | ABS, (nl + 6) as u32);
                    wanted(self, ports, f);
                    self.mark(ports);
                    self.plain(LDX | W | IMM, 0);
                    self.dir(*dir, nl + 40, nl + 42, &test, t, f);
                } else {
                    self.goto(not_v6);
                }
                self.mark(not_v6);
                if *v4 {
                    let (is_v4, proto_ok, first_fragment) =
                        (self.label(), self.label(), self.label());
                    self.ethertype(shift, 0x0800, is_v4, f)?;
                    self.mark(is_v4);
                    self.plain(LD | B | ABS, (nl + 9) as u32);
                    wanted(self, proto_ok, f);
                    self.mark(proto_ok);
                    self.plain(LD | H | ABS, (nl + 6) as u32);
                    self.cond(JSET | K, 0x1fff, f, first_fragment);
                    self.mark(first_fragment);
                    self.plain(LDX | B | MSH, nl as u32);
                    self.dir(*dir, nl, nl + 2, &test, t, f);
                } else {
                    self.goto(f);
                }
            }
            PrimKind::EtherHost { mac, dir } => {
                if self.link != LinkType::ETHERNET {
                    return None;
                }
                let mac = *mac;
                let test = move |g: &mut Gen, at: usize, t: Label, f: Label| {
                    let rest = g.label();
                    g.plain(LD | W | ABS, at as u32);
                    g.cond(
                        JEQ | K,
                        u32::from_be_bytes([mac[0], mac[1], mac[2], mac[3]]),
                        rest,
                        f,
                    );
                    g.mark(rest);
                    g.plain(LD | H | ABS, at as u32 + 4);
                    g.cond(
                        JEQ | K,
                        u32::from(u16::from_be_bytes([mac[4], mac[5]])),
                        t,
                        f,
                    );
                };
                self.dir(*dir, 6, 0, &test, t, f);
            }
            PrimKind::EtherBroadcast => {
                if self.link != LinkType::ETHERNET {
                    return None;
                }
                let rest = self.label();
                self.plain(LD | W | ABS, 0);
                self.cond(JEQ | K, u32::MAX, rest, f);
                self.mark(rest);
                self.plain(LD | H | ABS, 4);
                self.cond(JEQ | K, 0xffff, t, f);
            }
            PrimKind::EtherMulticast => {
                if self.link != LinkType::ETHERNET {
                    return None;
                }
                self.plain(LD | B | ABS, 0);
                self.cond(JSET | K, 1, t, f);
            }
            PrimKind::Vlan(_) => return None,
            PrimKind::Len { greater, n } => {
                self.plain(LD | W | LEN, 0);
                if *greater {
                    self.cond(JGE | K, *n, t, f);
                } else {
                    self.cond(JGT | K, *n, f, t);
                }
            }
            PrimKind::Rel { lhs, op, rhs } => {
                self.arith(lhs, f)?;
                let slot = self.push()?;
                self.plain(ST, slot);
                self.arith(rhs, f)?;
                self.plain(MISC | TAX, 0);
                self.plain(LD | MEM, slot);
                self.pop();
                let (code, swap) = match op {
                    RelOp::Eq => (JEQ, false),
                    RelOp::Ne => (JEQ, true),
                    RelOp::Gt => (JGT, false),
                    RelOp::Le => (JGT, true),
                    RelOp::Ge => (JGE, false),
                    RelOp::Lt => (JGE, true),
                };
                if swap {
                    self.cond(code | X, 0, f, t);
                } else {
                    self.cond(code | X, 0, t, f);
                }
            }
        }
        Some(())
    }
}
