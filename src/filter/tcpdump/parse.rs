//! The tcpdump parser: `and`/`or`/`not`, parentheses and primitives with
//! their qualifiers, to the tree of `ast`. Addresses and ports are built in
//! `addr`, arithmetic relations in `arith`.
//!
//! libpcap quirks kept on purpose: `and` and `or` have equal precedence and
//! group left to right; a bare value inherits the previous primitive's
//! qualifiers (`host a or b`, `port 80 or 443`); `vlan` moves the link-layer
//! payload offset by four bytes for every primitive parsed after it.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::ast::{Dir, Join, Node, Prim, PrimKind};
use super::lex::{Kind, Token, lex};
use super::names::{
    KEYWORDS, QProto, QType, UNSUPPORTED, ip_protocol_number, named_constant, parse_mac,
    parse_number, port_number, qproto, qproto_name, qtype,
};
use crate::filter::{FilterError, MAX_DEPTH, close_matches, too_deep};

/// Qualifiers a bare value inherits from the primitive before it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Qual {
    pub proto: Option<QProto>,
    pub dir: Dir,
    pub typ: Option<QType>,
}

pub(super) struct Parser {
    pub toks: Vec<Token>,
    pub pos: usize,
    /// The column just past the expression.
    pub end: usize,
    /// Bytes added to link-layer offsets by the `vlan`s parsed so far.
    pub shift: usize,
    pub last: Option<Qual>,
    /// Nesting levels open at this point.
    pub depth: usize,
    /// Errors libpcap's optimizer would raise (a divisor that folds to 0):
    /// reported only when the whole expression parses, as tcpdump does.
    pub pending: Vec<FilterError>,
    /// Where a parenthesized arithmetic term failed, and how.
    pub failed: HashMap<usize, FilterError>,
}

pub(super) type R<T> = Result<T, FilterError>;

/// Parse an expression to its tree.
pub(super) fn parse(text: &str) -> R<Node> {
    let toks = lex(text)?;
    if toks.is_empty() {
        return Err(FilterError::new("empty filter expression", text, 0));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        end: text.chars().count(),
        shift: 0,
        last: None,
        depth: 0,
        pending: Vec::new(),
        failed: HashMap::new(),
    };
    // Errors inside the parser leave the expression out (a failed try at
    // arithmetic would copy it each time); the one returned gets it here.
    p.whole()
        .map_err(|e| FilterError::new(e.message, text, e.column))
}

impl Parser {
    fn whole(&mut self) -> R<Node> {
        let root = self.expr()?;
        if let Some(t) = self.toks.get(self.pos) {
            return Err(self.unexpected(t));
        }
        match self.pending.drain(..).next() {
            Some(e) => Err(e),
            None => Ok(root),
        }
    }
}

impl Parser {
    /// Open one nesting level at `col`, or refuse past `MAX_DEPTH`.
    pub(super) fn deeper(&mut self, col: usize) -> R<()> {
        if self.depth >= MAX_DEPTH {
            return Err(too_deep("", col));
        }
        self.depth += 1;
        Ok(())
    }

    pub(super) fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    pub(super) fn peek_word(&self, ahead: usize) -> Option<String> {
        self.toks
            .get(self.pos + ahead)
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.text.to_ascii_lowercase())
    }

    pub(super) fn peek_sym(&self, ahead: usize) -> Option<&str> {
        self.toks
            .get(self.pos + ahead)
            .filter(|t| t.kind == Kind::Sym)
            .map(|t| t.text.as_str())
    }

    pub(super) fn next(&mut self) -> Option<Token> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    pub(super) fn end_col(&self) -> usize {
        self.end
    }

    /// An error at `col`, without the expression (`parse` adds it).
    pub(super) fn err(&self, msg: impl Into<String>, col: usize) -> FilterError {
        FilterError::new(msg, "", col)
    }

    pub(super) fn unexpected(&self, t: &Token) -> FilterError {
        let lower = t.text.to_ascii_lowercase();
        let hints = close_matches(&lower, KEYWORDS.iter().copied());
        let msg = match hints.first() {
            Some(h) if t.kind == Kind::Word => {
                format!("unexpected '{}' — did you mean '{h}'?", t.text)
            }
            _ => format!("unexpected '{}'", t.text),
        };
        self.err(msg, t.col)
    }

    pub(super) fn expect_sym(&mut self, sym: &str) -> R<()> {
        match self.next() {
            Some(t) if t.kind == Kind::Sym && t.text == sym => Ok(()),
            Some(t) => Err(self.err(format!("expected '{sym}', found '{}'", t.text), t.col)),
            None => Err(self.err(format!("expected '{sym}' at the end"), self.end_col())),
        }
    }

    /// `term (and|or term)*`, left to right at one precedence, as libpcap.
    fn expr(&mut self) -> R<Node> {
        let first = self.term()?;
        let mut rest = Vec::new();
        loop {
            let join = match self.peek() {
                Some(t) if matches!(t.text.as_str(), "and" | "&&") => Join::And,
                Some(t) if matches!(t.text.as_str(), "or" | "||") => Join::Or,
                _ => break,
            };
            self.pos += 1;
            rest.push((join, self.term()?));
        }
        Ok(if rest.is_empty() {
            first
        } else {
            Node::Chain(Box::new(first), rest)
        })
    }

    fn term(&mut self) -> R<Node> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.err("expression ends too early", self.end_col()));
        };
        if (t.kind == Kind::Word && t.text == "not") || (t.kind == Kind::Sym && t.text == "!") {
            self.pos += 1;
            self.deeper(t.col)?;
            let inner = self.term()?;
            self.depth -= 1;
            return Ok(Node::Not(Box::new(inner)));
        }
        if t.kind == Kind::Sym && t.text == "(" {
            // `(` opens arithmetic (`(ip[0]) = 4`) or an expression; try
            // the first, and on failure go back as if it had not been.
            let (pos, depth, pending) = (self.pos, self.depth, self.pending.len());
            if let Ok(rel) = self.relation() {
                return Ok(rel);
            }
            (self.pos, self.depth) = (pos + 1, depth);
            self.pending.truncate(pending);
            self.deeper(t.col)?;
            let inner = self.expr()?;
            self.expect_sym(")")?;
            self.depth -= 1;
            return Ok(inner);
        }
        self.primitive()
    }

    pub(super) fn prim(&self, kind: PrimKind, column: usize) -> Node {
        Node::Prim(Prim {
            kind,
            shift: self.shift,
            column,
        })
    }

    fn starts_relation(&self) -> bool {
        let Some(w) = self.peek_word(0) else {
            return self.peek_sym(0) == Some("-");
        };
        if w == "len" {
            return true;
        }
        if qproto(&w).is_some() && self.peek_sym(1) == Some("[") {
            return true;
        }
        let numeric = parse_number(&w).is_some() || named_constant(&w).is_some();
        numeric
            && self
                .peek_sym(1)
                .is_some_and(|s| !matches!(s, "&&" | "||" | "(" | ")" | "[" | "]" | ":" | "!"))
    }

    fn primitive(&mut self) -> R<Node> {
        if self.starts_relation() {
            return self.relation();
        }
        let Some(t) = self.peek().cloned() else {
            return Err(self.err("expression ends too early", self.end_col()));
        };
        if t.kind == Kind::Sym {
            return Err(self.unexpected(&t));
        }
        let w = t.text.to_ascii_lowercase();
        if t.kind == Kind::Escaped {
            self.pos += 1;
            return self.value(self.inherited(), t);
        }
        match w.as_str() {
            "less" | "greater" => {
                self.pos += 1;
                let n = self.number_arg(&w)?;
                self.last = None;
                Ok(self.prim(
                    PrimKind::Len {
                        greater: w == "greater",
                        n,
                    },
                    t.col,
                ))
            }
            "vlan" => {
                self.pos += 1;
                let id = match self.peek_word(0).and_then(|n| parse_number(&n)) {
                    Some(n) => {
                        let tok = self.next();
                        if n > 4095 {
                            let col = tok.map_or(t.col, |t| t.col);
                            return Err(
                                self.err(format!("VLAN tag {n} greater than maximum 4095"), col)
                            );
                        }
                        Some(n as u16)
                    }
                    None => None,
                };
                let node = self.prim(PrimKind::Vlan(id), t.col);
                self.shift += 4;
                self.last = None;
                Ok(node)
            }
            "broadcast" | "multicast" => {
                self.pos += 1;
                self.last = None;
                let kind = if w == "broadcast" {
                    PrimKind::EtherBroadcast
                } else {
                    PrimKind::EtherMulticast
                };
                Ok(self.prim(kind, t.col))
            }
            _ if UNSUPPORTED.contains(&w.as_str()) => Err(self.err(
                format!(
                    "'{}' is a tcpdump keyword wirepeek does not support",
                    t.text
                ),
                t.col,
            )),
            _ => {
                if let Some(p) = qproto(&w) {
                    self.pos += 1;
                    if self.qualifier_follows() {
                        return self.qualified(Some(p));
                    }
                    if p == QProto::Ether
                        && matches!(
                            self.peek_word(0).as_deref(),
                            Some("broadcast" | "multicast")
                        )
                    {
                        return self.primitive();
                    }
                    self.last = None;
                    return Ok(self.proto_prim(p, t.col));
                }
                if matches!(w.as_str(), "src" | "dst") || qtype(&w).is_some() {
                    return self.qualified(None);
                }
                if KEYWORDS.contains(&w.as_str()) {
                    return Err(self.unexpected(&t));
                }
                if t.text.chars().all(|c| c.is_ascii_alphabetic())
                    && !close_matches(&w, KEYWORDS.iter().copied()).is_empty()
                {
                    return Err(self.unexpected(&t));
                }
                self.pos += 1;
                self.value(self.inherited(), t)
            }
        }
    }

    fn inherited(&self) -> Qual {
        self.last.unwrap_or(Qual {
            proto: None,
            dir: Dir::SrcOrDst,
            typ: None,
        })
    }

    fn qualifier_follows(&self) -> bool {
        match self.peek() {
            Some(t) if t.kind == Kind::Escaped => true,
            Some(t) if t.kind == Kind::Word => {
                let w = t.text.to_ascii_lowercase();
                matches!(w.as_str(), "src" | "dst") || qtype(&w).is_some()
            }
            _ => false,
        }
    }

    /// `[proto] [dir] [type] value`, the first already consumed.
    fn qualified(&mut self, proto: Option<QProto>) -> R<Node> {
        let mut dir = Dir::SrcOrDst;
        if let Some(w) = self.peek_word(0).filter(|w| w == "src" || w == "dst") {
            self.pos += 1;
            dir = if w == "src" { Dir::Src } else { Dir::Dst };
            let combo = self.peek_word(0);
            if matches!(combo.as_deref(), Some("or" | "and"))
                && self.peek_word(1).as_deref() == Some(if w == "src" { "dst" } else { "src" })
            {
                dir = if combo.as_deref() == Some("or") {
                    Dir::SrcOrDst
                } else {
                    Dir::SrcAndDst
                };
                self.pos += 2;
            }
        }
        let typ = self.peek_word(0).and_then(|w| qtype(&w));
        if typ.is_some() {
            self.pos += 1;
        }
        let q = Qual { proto, dir, typ };
        match self.next() {
            Some(t)
                if t.kind == Kind::Escaped
                    || (t.kind == Kind::Word
                        && !KEYWORDS.contains(&t.text.to_ascii_lowercase().as_str())) =>
            {
                self.value(q, t)
            }
            Some(t) => Err(self.unexpected(&t)),
            None => Err(self.err("expected a value after the qualifiers", self.end_col())),
        }
    }

    /// A bare protocol: `tcp`, `ip6`, `arp`.
    fn proto_prim(&self, p: QProto, col: usize) -> Node {
        let kind = match p {
            QProto::Ether => PrimKind::EtherType(0),
            QProto::Ip => PrimKind::EtherType(0x0800),
            QProto::Ip6 => PrimKind::EtherType(0x86dd),
            QProto::Arp => PrimKind::EtherType(0x0806),
            QProto::Rarp => PrimKind::EtherType(0x8035),
            QProto::Tcp => ip_proto(true, true, 6),
            QProto::Udp => ip_proto(true, true, 17),
            QProto::Sctp => ip_proto(true, true, 132),
            QProto::Icmp => ip_proto(true, false, 1),
            QProto::Igmp => ip_proto(true, false, 2),
            QProto::Icmp6 => ip_proto(false, true, 58),
        };
        if p == QProto::Ether {
            // `ether` alone means any frame with an Ethernet header.
            return self.prim(
                PrimKind::Len {
                    greater: true,
                    n: 0,
                },
                col,
            );
        }
        self.prim(kind, col)
    }

    pub(super) fn number_arg(&mut self, after: &str) -> R<u32> {
        match self.next() {
            Some(t) => parse_number(&t.text).ok_or_else(|| {
                self.err(
                    format!("'{after}' needs a number, found '{}'", t.text),
                    t.col,
                )
            }),
            None => Err(self.err(format!("'{after}' needs a number"), self.end_col())),
        }
    }

    /// Build the primitive a value means under these qualifiers.
    fn value(&mut self, q: Qual, t: Token) -> R<Node> {
        let v = t.text.to_ascii_lowercase();
        let bad = |this: &Self, msg: String| Err(this.err(msg, t.col));
        let kind = match q.typ {
            None | Some(QType::Host) => {
                if q.proto == Some(QProto::Ether) {
                    match parse_mac(&v) {
                        Some(mac) => PrimKind::EtherHost { mac, dir: q.dir },
                        None => return bad(self, format!("'{}' is not a MAC address", t.text)),
                    }
                } else if let Ok(a) = v.parse::<Ipv4Addr>() {
                    self.host4(q, u32::from(a), u32::MAX, t.col)?
                } else if let Ok(a) = v.parse::<Ipv6Addr>() {
                    self.host6(q, a, 128, t.col)?
                } else if q.typ.is_none() && parse_mac(&v).is_some() {
                    return bad(
                        self,
                        format!("a MAC address needs 'ether host': '{}'", t.text),
                    );
                } else {
                    return bad(
                        self,
                        format!(
                            "unknown host '{}' (wirepeek does not look up names)",
                            t.text
                        ),
                    );
                }
            }
            Some(QType::Net) => self.net(q, &t)?,
            Some(QType::Port) => {
                let Some(port) = port_number(&v) else {
                    return bad(self, format!("illegal port number '{}'", t.text));
                };
                self.port(q, port, port, t.col)?
            }
            Some(QType::PortRange) => {
                let range = v
                    .split_once('-')
                    .and_then(|(a, b)| Some((port_number(a)?, port_number(b)?)));
                let Some((a, b)) = range else {
                    return bad(self, format!("illegal port range '{}'", t.text));
                };
                self.port(q, a.min(b), a.max(b), t.col)?
            }
            Some(QType::Proto) => {
                let Some(n) = ip_protocol_number(&v)
                    .map(u32::from)
                    .or_else(|| match v.as_str() {
                        "ip" => Some(0x0800),
                        "ip6" => Some(0x86dd),
                        "arp" => Some(0x0806),
                        "rarp" => Some(0x8035),
                        _ => parse_number(&v),
                    })
                else {
                    return bad(self, format!("unknown protocol '{}'", t.text));
                };
                match q.proto {
                    None => ip_proto(true, true, proto_byte(self, n, t.col)?),
                    Some(QProto::Ip) => ip_proto(true, false, proto_byte(self, n, t.col)?),
                    Some(QProto::Ip6) => ip_proto(false, true, proto_byte(self, n, t.col)?),
                    Some(QProto::Ether) => match u16::try_from(n) {
                        Ok(ty) if ty > 1500 => PrimKind::EtherType(ty),
                        _ => {
                            return bad(
                                self,
                                format!(
                                    "EtherType {n} is not supported (values up to 1500 are 802.3 lengths)"
                                ),
                            );
                        }
                    },
                    Some(p) => {
                        return bad(
                            self,
                            format!("'{}' modifier applied to 'proto'", qproto_name(p)),
                        );
                    }
                }
            }
        };
        self.last = Some(q);
        Ok(self.prim(kind, t.col))
    }
}

pub(super) fn proto_byte(p: &Parser, n: u32, col: usize) -> R<u8> {
    u8::try_from(n).map_err(|_| p.err(format!("protocol number {n} is more than 255"), col))
}

pub(super) fn ip_proto(v4: bool, v6: bool, proto: u8) -> PrimKind {
    PrimKind::IpProto { v4, v6, proto }
}
