//! The tcpdump expression tree: what the parser builds and the evaluator
//! reads. Primitives carry what libpcap's code generator would test. Prints
//! as an S-expression (for tests and debugging): `tcp and port 80` is
//! `(and (proto ip,ip6 6) (port src-or-dst 80-80 tcp,udp,sctp ip,ip6))`.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The expression tree. Its depth is bounded by the parser's nesting limit:
/// a run of `and`/`or` is one `Chain`, not a tree as deep as the run is long.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    /// `first op node op node …`: libpcap gives `and` and `or` one
    /// precedence and groups them left to right, so this is a left fold.
    Chain(Box<Node>, Vec<(Join, Node)>),
    Not(Box<Node>),
    Prim(Prim),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Join {
    And,
    Or,
}

/// One primitive, with the VLAN shift in force where it was written.
#[derive(Clone, Debug)]
pub(crate) struct Prim {
    pub kind: PrimKind,
    /// Bytes added to the link-layer type and payload offsets by `vlan`s
    /// parsed before this primitive.
    pub shift: usize,
    pub column: usize,
}

/// Which addresses or ports a primitive compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    SrcOrDst,
    Src,
    Dst,
    SrcAndDst,
}

/// Which transport protocols a `port` primitive looks at.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Transports {
    pub tcp: bool,
    pub udp: bool,
    pub sctp: bool,
}

#[derive(Clone, Debug)]
pub(crate) enum PrimKind {
    /// The link layer says this EtherType (`ip`, `ip6`, `arp`, `ether proto N`).
    EtherType(u16),
    /// IP protocol number, in IPv4 and/or IPv6 (IPv6 also behind one
    /// fragment header, as libpcap does).
    IpProto {
        v4: bool,
        v6: bool,
        proto: u8,
    },
    Host4 {
        addr: u32,
        mask: u32,
        dir: Dir,
        ip: bool,
        arp: bool,
        rarp: bool,
    },
    Host6 {
        addr: [u8; 16],
        mask: [u8; 16],
        dir: Dir,
    },
    Port {
        lo: u16,
        hi: u16,
        dir: Dir,
        on: Transports,
        v4: bool,
        v6: bool,
    },
    EtherHost {
        mac: [u8; 6],
        dir: Dir,
    },
    EtherBroadcast,
    EtherMulticast,
    Vlan(Option<u16>),
    /// `less N` (wire length <= N) or `greater N` (>= N).
    Len {
        greater: bool,
        n: u32,
    },
    Rel {
        lhs: Arith,
        op: RelOp,
        rhs: Arith,
    },
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum RelOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    And,
    Or,
    Xor,
    Shl,
    Shr,
}

/// Where a `proto[offset:size]` load counts from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Base {
    /// The start of the link-layer header (`ether[]`, `link[]`).
    Link,
    /// The network header, when the link layer carries this EtherType.
    Net(u16),
    /// The transport header inside an unfragmented IPv4 packet of this protocol.
    Transport(u8),
    /// The header after a fixed IPv6 header of this next-header value.
    Ip6Next(u8),
}

#[derive(Clone, Debug)]
pub(crate) enum Arith {
    Num(u32),
    /// The frame's wire length.
    Len,
    Load {
        base: Base,
        index: Box<Arith>,
        /// The index when it is a constant, as libpcap's optimizer folds
        /// it into the load's offset (32-bit: `ip[-1]` reads the byte
        /// before the IP header).
        known: Option<u32>,
        size: u8,
        shift: usize,
    },
    Neg(Box<Arith>),
    /// `first op x op y …` at one precedence level, grouped left to right.
    Chain(Box<Arith>, Vec<(BinOp, Arith)>),
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Chain(first, rest) => {
                // Left to right: `a and b or c` prints `(or (and a b) c)`.
                for (join, _) in rest.iter().rev() {
                    let word = if *join == Join::And { "and" } else { "or" };
                    write!(f, "({word} ")?;
                }
                write!(f, "{first}")?;
                for (_, n) in rest {
                    write!(f, " {n})")?;
                }
                Ok(())
            }
            Node::Not(n) => write!(f, "(not {n})"),
            Node::Prim(p) => write!(f, "{p}"),
        }
    }
}

fn dir_word(d: Dir) -> &'static str {
    match d {
        Dir::SrcOrDst => "src-or-dst",
        Dir::Src => "src",
        Dir::Dst => "dst",
        Dir::SrcAndDst => "src-and-dst",
    }
}

fn families(v4: bool, v6: bool) -> &'static str {
    match (v4, v6) {
        (true, true) => "ip,ip6",
        (true, false) => "ip",
        (false, true) => "ip6",
        (false, false) => "none",
    }
}

impl fmt::Display for Prim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            PrimKind::EtherType(ty) => write!(f, "(ethertype 0x{ty:04x}")?,
            PrimKind::IpProto { v4, v6, proto } => {
                write!(f, "(proto {} {proto}", families(*v4, *v6))?;
            }
            PrimKind::Host4 {
                addr,
                mask,
                dir,
                ip,
                arp,
                rarp,
            } => {
                let over: Vec<&str> = [(*ip, "ip"), (*arp, "arp"), (*rarp, "rarp")]
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, w)| *w)
                    .collect();
                write!(
                    f,
                    "(host4 {} {}/{} {}",
                    dir_word(*dir),
                    Ipv4Addr::from(*addr),
                    Ipv4Addr::from(*mask),
                    over.join(",")
                )?;
            }
            PrimKind::Host6 { addr, mask, dir } => write!(
                f,
                "(host6 {} {}/{}",
                dir_word(*dir),
                Ipv6Addr::from(*addr),
                Ipv6Addr::from(*mask)
            )?,
            PrimKind::Port {
                lo,
                hi,
                dir,
                on,
                v4,
                v6,
            } => {
                let over: Vec<&str> = [(on.tcp, "tcp"), (on.udp, "udp"), (on.sctp, "sctp")]
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, w)| *w)
                    .collect();
                write!(
                    f,
                    "(port {} {lo}-{hi} {} {}",
                    dir_word(*dir),
                    over.join(","),
                    families(*v4, *v6)
                )?;
            }
            PrimKind::EtherHost { mac, dir } => {
                let m: Vec<String> = mac.iter().map(|b| format!("{b:02x}")).collect();
                write!(f, "(ether-host {} {}", dir_word(*dir), m.join(":"))?;
            }
            PrimKind::EtherBroadcast => write!(f, "(ether-broadcast")?,
            PrimKind::EtherMulticast => write!(f, "(ether-multicast")?,
            PrimKind::Vlan(None) => write!(f, "(vlan")?,
            PrimKind::Vlan(Some(id)) => write!(f, "(vlan {id}")?,
            PrimKind::Len { greater, n } => {
                write!(f, "(len {} {n}", if *greater { ">=" } else { "<=" })?;
            }
            PrimKind::Rel { lhs, op, rhs } => {
                let op = match op {
                    RelOp::Eq => "==",
                    RelOp::Ne => "!=",
                    RelOp::Lt => "<",
                    RelOp::Le => "<=",
                    RelOp::Gt => ">",
                    RelOp::Ge => ">=",
                };
                write!(f, "({op} {lhs} {rhs}")?;
            }
        }
        if self.shift > 0 {
            write!(f, " @+{}", self.shift)?;
        }
        write!(f, ")")
    }
}

fn bin_word(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Mod => "%",
        BinOp::And => "&",
        BinOp::Or => "|",
        BinOp::Xor => "^",
        BinOp::Shl => "<<",
        BinOp::Shr => ">>",
    }
}

impl fmt::Display for Arith {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arith::Num(n) => write!(f, "{n}"),
            Arith::Len => write!(f, "len"),
            Arith::Load {
                base,
                index,
                size,
                shift,
                ..
            } => {
                match base {
                    Base::Link => write!(f, "link")?,
                    Base::Net(ty) => write!(f, "net/0x{ty:04x}")?,
                    Base::Transport(p) => write!(f, "transport/{p}")?,
                    Base::Ip6Next(p) => write!(f, "ip6next/{p}")?,
                }
                if *shift > 0 {
                    write!(f, "@+{shift}")?;
                }
                write!(f, "[{index}:{size}]")
            }
            Arith::Neg(x) => write!(f, "(neg {x})"),
            Arith::Chain(first, rest) => {
                for (op, _) in rest.iter().rev() {
                    write!(f, "({} ", bin_word(*op))?;
                }
                write!(f, "{first}")?;
                for (_, x) in rest {
                    write!(f, " {x})")?;
                }
                Ok(())
            }
        }
    }
}
