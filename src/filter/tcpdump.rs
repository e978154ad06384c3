//! tcpdump (libpcap) filter expressions: lexer and parser to an AST whose
//! primitives carry what libpcap's code generator would test, so that
//! `tcpdump_match` can evaluate them with libpcap's meaning.
//!
//! libpcap quirks kept on purpose: `and` and `or` have equal precedence and
//! group left to right; a bare value inherits the previous primitive's
//! qualifiers (`host a or b`, `port 80 or 443`); `vlan` moves the link-layer
//! payload offset by four bytes for every primitive parsed after it.
//! Uses `frame` only (through `tcpdump_match`); never prints.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{FilterError, close_matches};
use crate::frame::{FrameRecord, LinkType};

/// A parsed tcpdump expression, ready to test frames.
#[derive(Clone, Debug)]
pub struct TcpdumpFilter {
    pub(crate) root: Node,
    pub(crate) text: String,
}

impl TcpdumpFilter {
    /// Parse an expression as tcpdump would (words already joined by spaces).
    pub fn parse(text: &str) -> Result<TcpdumpFilter, FilterError> {
        let toks = lex(text)?;
        if toks.is_empty() {
            return Err(FilterError::new("empty filter expression", text, 0));
        }
        let mut p = Parser {
            toks,
            pos: 0,
            text,
            shift: 0,
            last: None,
        };
        let root = p.expr()?;
        if let Some(t) = p.toks.get(p.pos) {
            return Err(p.unexpected(t));
        }
        Ok(TcpdumpFilter {
            root,
            text: text.to_string(),
        })
    }

    /// Refuse what tcpdump refuses on this link type: link-specific
    /// primitives (`vlan`, `ether host`) elsewhere than Ethernet, and an
    /// expression no packet of this link type could match.
    pub fn check_link(&self, link: LinkType) -> Result<(), FilterError> {
        super::tcpdump_match::check_link(&self.root, link, &self.text)
    }

    /// True when tcpdump would accept this frame.
    pub fn matches(&self, frame: &FrameRecord) -> bool {
        super::tcpdump_match::matches(&self.root, frame)
    }
}

/// The expression tree.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Prim(Prim),
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
        size: u8,
        shift: usize,
    },
    Neg(Box<Arith>),
    Bin(BinOp, Box<Arith>, Box<Arith>),
}

// ---------------------------------------------------------------- lexer

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Word,
    /// A word after a backslash: a name, never a keyword (`proto \tcp`).
    Escaped,
    Sym,
}

#[derive(Clone, Debug)]
struct Token {
    kind: Kind,
    text: String,
    col: usize,
}

const SYMBOLS: [&str; 25] = [
    "&&", "||", "!=", "==", "<=", ">=", "<<", ">>", "!", "=", "<", ">", "&", "|", "+", "-", "*",
    "/", "%", "^", "(", ")", "[", "]", ":",
];

fn lex(text: &str) -> Result<Vec<Token>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let word_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':');
        let escaped = c == '\\';
        let start = if escaped { i + 1 } else { i };
        let ip6_start = chars.get(start) == Some(&':') && chars.get(start + 1) == Some(&':');
        if start < chars.len()
            && (chars[start].is_ascii_alphanumeric() || chars[start] == '_' || ip6_start)
        {
            let mut end = start;
            while end < chars.len() && word_char(chars[end]) {
                end += 1;
            }
            // A word never ends with '-' (libpcap's ID pattern).
            while end > start + 1 && chars[end - 1] == '-' {
                end -= 1;
            }
            let mut word: String = chars[start..end].iter().collect();
            // `tcp[2:2]`: a colon belongs to the word only in a MAC or IPv6 address.
            if word.contains(':') && !is_mac_or_ip6(&word) {
                let cut = word.find(':').unwrap_or(word.len());
                word.truncate(cut);
                end = start + word.chars().count();
            }
            // A run of colons that is no IPv6 address leaves no word: it is
            // lexed as symbols below (an empty word would never move `i` on).
            if !word.is_empty() {
                toks.push(Token {
                    kind: if escaped { Kind::Escaped } else { Kind::Word },
                    text: word,
                    col: i,
                });
                i = end;
                continue;
            }
        }
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        match SYMBOLS.iter().find(|s| rest.starts_with(**s)) {
            Some(sym) => {
                toks.push(Token {
                    kind: Kind::Sym,
                    text: (*sym).to_string(),
                    col: i,
                });
                i += sym.len();
            }
            None => {
                return Err(FilterError::new(
                    format!("unexpected character '{c}'"),
                    text,
                    i,
                ));
            }
        }
    }
    Ok(toks)
}

fn is_mac_or_ip6(word: &str) -> bool {
    parse_mac(word).is_some() || word.parse::<Ipv6Addr>().is_ok()
}

fn parse_mac(word: &str) -> Option<[u8; 6]> {
    let parts: Vec<&str> = if word.contains(':') {
        word.split(':').collect()
    } else if word.contains('-') {
        word.split('-').collect()
    } else {
        return None;
    };
    if parts.len() != 6 {
        return None;
    }
    let mut mac = [0u8; 6];
    for (m, p) in mac.iter_mut().zip(parts) {
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *m = u8::from_str_radix(p, 16).ok()?;
    }
    Some(mac)
}

/// A number as libpcap reads it: decimal, `0x` hex or leading-zero octal.
pub(crate) fn parse_number(word: &str) -> Option<u32> {
    if let Some(hex) = word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
        u32::from_str_radix(hex, 16).ok()
    } else if word.len() > 1 && word.starts_with('0') {
        u32::from_str_radix(&word[1..], 8).ok()
    } else {
        word.parse().ok()
    }
}

// ---------------------------------------------------------------- parser

/// The protocol qualifier of a primitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum QProto {
    Ether,
    Ip,
    Ip6,
    Arp,
    Rarp,
    Tcp,
    Udp,
    Sctp,
    Icmp,
    Icmp6,
    Igmp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum QType {
    Host,
    Net,
    Port,
    PortRange,
    Proto,
}

/// Qualifiers a bare value inherits from the primitive before it.
#[derive(Clone, Copy, Debug)]
struct Qual {
    proto: Option<QProto>,
    dir: Dir,
    typ: Option<QType>,
}

fn qproto(word: &str) -> Option<QProto> {
    Some(match word {
        "ether" | "link" => QProto::Ether,
        "ip" => QProto::Ip,
        "ip6" => QProto::Ip6,
        "arp" => QProto::Arp,
        "rarp" => QProto::Rarp,
        "tcp" => QProto::Tcp,
        "udp" => QProto::Udp,
        "sctp" => QProto::Sctp,
        "icmp" => QProto::Icmp,
        "icmp6" => QProto::Icmp6,
        "igmp" => QProto::Igmp,
        _ => return None,
    })
}

fn qtype(word: &str) -> Option<QType> {
    Some(match word {
        "host" => QType::Host,
        "net" => QType::Net,
        "port" => QType::Port,
        "portrange" => QType::PortRange,
        "proto" => QType::Proto,
        _ => return None,
    })
}

/// Every keyword we know, for "did you mean" and to tell names from keywords.
const KEYWORDS: &[&str] = &[
    "ether",
    "link",
    "ip",
    "ip6",
    "arp",
    "rarp",
    "tcp",
    "udp",
    "sctp",
    "icmp",
    "icmp6",
    "igmp",
    "host",
    "net",
    "mask",
    "port",
    "portrange",
    "proto",
    "src",
    "dst",
    "and",
    "or",
    "not",
    "less",
    "greater",
    "len",
    "vlan",
    "broadcast",
    "multicast",
];

/// libpcap keywords we do not implement: an error, not a host name.
const UNSUPPORTED: &[&str] = &[
    "gateway",
    "mpls",
    "pppoed",
    "pppoes",
    "geneve",
    "inbound",
    "outbound",
    "ifname",
    "on",
    "rnr",
    "rulenum",
    "reason",
    "rset",
    "srnr",
    "subrulenum",
    "action",
    "decnet",
    "iso",
    "esis",
    "isis",
    "clnp",
    "stp",
    "ipx",
    "netbeui",
    "atalk",
    "aarp",
    "lat",
    "moprc",
    "mopdl",
    "sca",
    "pim",
    "vrrp",
    "carp",
    "ah",
    "esp",
    "fddi",
    "tr",
    "wlan",
    "type",
    "subtype",
    "dir",
    "addr1",
    "addr2",
    "addr3",
    "addr4",
    "ra",
    "ta",
    "protochain",
    "llc",
    "atm",
    "lane",
    "vpi",
    "vci",
    "oam",
    "oamf4",
    "metac",
    "bcc",
    "sc",
    "ilmic",
    "connectmsg",
    "metaconnect",
    "radio",
    "hdpr",
    "slip",
    "ppp",
    "sio",
    "fisu",
    "lssu",
    "msu",
    "dpc",
    "opc",
    "sls",
    "ip6multicast",
];

/// Named constants usable in arithmetic (`tcp[tcpflags] & tcp-syn`).
fn named_constant(word: &str) -> Option<u32> {
    Some(match word {
        "tcpflags" => 13,
        "tcp-fin" => 0x01,
        "tcp-syn" => 0x02,
        "tcp-rst" => 0x04,
        "tcp-push" => 0x08,
        "tcp-ack" => 0x10,
        "tcp-urg" => 0x20,
        "tcp-ece" => 0x40,
        "tcp-cwr" => 0x80,
        "icmptype" | "icmp6type" => 0,
        "icmpcode" | "icmp6code" => 1,
        "icmp-echoreply" => 0,
        "icmp-unreach" => 3,
        "icmp-sourcequench" => 4,
        "icmp-redirect" => 5,
        "icmp-echo" => 8,
        "icmp-routeradvert" => 9,
        "icmp-routersolicit" => 10,
        "icmp-timxceed" => 11,
        "icmp-paramprob" => 12,
        "icmp-tstamp" => 13,
        "icmp-tstampreply" => 14,
        "icmp-ireq" => 15,
        "icmp-ireqreply" => 16,
        "icmp-maskreq" => 17,
        "icmp-maskreply" => 18,
        "icmp6-destinationunreach" => 1,
        "icmp6-packettoobig" => 2,
        "icmp6-timeexceeded" => 3,
        "icmp6-parameterproblem" => 4,
        "icmp6-echo" => 128,
        "icmp6-echoreply" => 129,
        "icmp6-multicastlistenerquery" => 130,
        "icmp6-multicastlistenerreportv1" => 131,
        "icmp6-multicastlistenerdone" => 132,
        "icmp6-routersolicit" => 133,
        "icmp6-routeradvert" => 134,
        "icmp6-neighborsolicit" => 135,
        "icmp6-neighboradvert" => 136,
        "icmp6-redirect" => 137,
        _ => return None,
    })
}

/// Well-known port names (tcpdump reads /etc/services; these are the usual ones).
fn port_number(word: &str) -> Option<u16> {
    Some(match word {
        "ftp-data" => 20,
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "domain" => 53,
        "bootps" => 67,
        "bootpc" => 68,
        "http" | "www" => 80,
        "pop3" => 110,
        "ntp" => 123,
        "imap" | "imap2" => 143,
        "snmp" => 161,
        "bgp" => 179,
        "https" => 443,
        _ => return u16::try_from(parse_number(word)?).ok(),
    })
}

fn ip_protocol_number(word: &str) -> Option<u8> {
    Some(match word {
        "icmp" => 1,
        "igmp" => 2,
        "tcp" => 6,
        "udp" => 17,
        "ipv6" => 41,
        "icmp6" => 58,
        "sctp" => 132,
        _ => return u8::try_from(parse_number(word)?).ok(),
    })
}

struct Parser<'a> {
    toks: Vec<Token>,
    pos: usize,
    text: &'a str,
    shift: usize,
    last: Option<Qual>,
}

type R<T> = Result<T, FilterError>;

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn peek_word(&self, ahead: usize) -> Option<String> {
        self.toks
            .get(self.pos + ahead)
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.text.to_ascii_lowercase())
    }

    fn peek_sym(&self, ahead: usize) -> Option<&str> {
        self.toks
            .get(self.pos + ahead)
            .filter(|t| t.kind == Kind::Sym)
            .map(|t| t.text.as_str())
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn end_col(&self) -> usize {
        self.text.chars().count()
    }

    fn err(&self, msg: impl Into<String>, col: usize) -> FilterError {
        FilterError::new(msg, self.text, col)
    }

    fn unexpected(&self, t: &Token) -> FilterError {
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

    fn expect_sym(&mut self, sym: &str) -> R<()> {
        match self.next() {
            Some(t) if t.kind == Kind::Sym && t.text == sym => Ok(()),
            Some(t) => Err(self.err(format!("expected '{sym}', found '{}'", t.text), t.col)),
            None => Err(self.err(format!("expected '{sym}' at the end"), self.end_col())),
        }
    }

    /// `term (and|or term)*`, left to right at one precedence, as libpcap.
    fn expr(&mut self) -> R<Node> {
        let mut lhs = self.term()?;
        loop {
            let op = match self.peek() {
                Some(t) if matches!(t.text.as_str(), "and" | "&&") => true,
                Some(t) if matches!(t.text.as_str(), "or" | "||") => false,
                _ => break,
            };
            self.pos += 1;
            let rhs = self.term()?;
            lhs = if op {
                Node::And(Box::new(lhs), Box::new(rhs))
            } else {
                Node::Or(Box::new(lhs), Box::new(rhs))
            };
        }
        Ok(lhs)
    }

    fn term(&mut self) -> R<Node> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.err("expression ends too early", self.end_col()));
        };
        if (t.kind == Kind::Word && t.text == "not") || (t.kind == Kind::Sym && t.text == "!") {
            self.pos += 1;
            return Ok(Node::Not(Box::new(self.term()?)));
        }
        if t.kind == Kind::Sym && t.text == "(" {
            let saved = self.pos;
            if let Ok(rel) = self.relation() {
                return Ok(rel);
            }
            self.pos = saved + 1;
            let inner = self.expr()?;
            self.expect_sym(")")?;
            return Ok(inner);
        }
        self.primitive()
    }

    fn prim(&self, kind: PrimKind, column: usize) -> Node {
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

    fn number_arg(&mut self, after: &str) -> R<u32> {
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

    fn host4(&self, q: Qual, addr: u32, mask: u32, col: usize) -> R<PrimKind> {
        let (ip, arp, rarp) = match q.proto {
            None => (true, true, true),
            Some(QProto::Ip) => (true, false, false),
            Some(QProto::Arp) => (false, true, false),
            Some(QProto::Rarp) => (false, false, true),
            Some(p) => {
                return Err(self.err(
                    format!("'{}' modifier applied to host", qproto_name(p)),
                    col,
                ));
            }
        };
        Ok(PrimKind::Host4 {
            addr,
            mask,
            dir: q.dir,
            ip,
            arp,
            rarp,
        })
    }

    fn host6(&self, q: Qual, addr: Ipv6Addr, prefix: u32, col: usize) -> R<PrimKind> {
        match q.proto {
            None | Some(QProto::Ip6) => {}
            Some(p) => {
                return Err(self.err(
                    format!("'{}' modifier applied to IPv6 address", qproto_name(p)),
                    col,
                ));
            }
        }
        let bits = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
        let addr = addr.octets();
        let mask = bits.to_be_bytes();
        if addr.iter().zip(mask).any(|(a, m)| a & !m != 0) {
            return Err(self.err("non-network bits set in IPv6 address", col));
        }
        Ok(PrimKind::Host6 {
            addr,
            mask,
            dir: q.dir,
        })
    }

    fn net(&mut self, q: Qual, t: &Token) -> R<PrimKind> {
        let v = t.text.to_ascii_lowercase();
        let col = t.col;
        if self.peek_sym(0) == Some("/") {
            self.pos += 1;
            let len = self.number_arg("/")?;
            if let Ok(a) = v.parse::<Ipv6Addr>() {
                if len > 128 {
                    return Err(self.err(format!("mask length must be <= 128, not {len}"), col));
                }
                return self.host6(q, a, len, col);
            }
            let (addr, _) = self.partial_ipv4(&v, col)?;
            if len > 32 {
                return Err(self.err(format!("mask length must be <= 32, not {len}"), col));
            }
            let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
            return self.checked_net(q, addr, mask, col);
        }
        if self.peek_word(0).as_deref() == Some("mask") {
            self.pos += 1;
            let (addr, _) = self.partial_ipv4(&v, col)?;
            let m = self.next();
            let mask = m
                .as_ref()
                .and_then(|m| m.text.parse::<Ipv4Addr>().ok())
                .ok_or_else(|| {
                    self.err(
                        "'mask' needs an IPv4 netmask",
                        m.map_or(self.end_col(), |m| m.col),
                    )
                })?;
            return self.checked_net(q, addr, u32::from(mask), col);
        }
        if let Ok(a) = v.parse::<Ipv6Addr>() {
            return self.host6(q, a, 128, col);
        }
        let (addr, octets) = self.partial_ipv4(&v, col)?;
        let mask = u32::MAX.checked_shl(32 - 8 * octets).unwrap_or(0);
        self.checked_net(q, addr, mask, col)
    }

    fn checked_net(&self, q: Qual, addr: u32, mask: u32, col: usize) -> R<PrimKind> {
        if addr & !mask != 0 {
            return Err(self.err("non-network bits set in the network address", col));
        }
        self.host4(q, addr, mask, col)
    }

    /// `10`, `10.1`, `10.1.2`, `10.1.2.3` → address and number of octets.
    fn partial_ipv4(&self, v: &str, col: usize) -> R<(u32, u32)> {
        let parts: Vec<&str> = v.split('.').collect();
        let mut addr = 0u32;
        if parts.is_empty() || parts.len() > 4 {
            return Err(self.err(format!("'{v}' is not an IPv4 network"), col));
        }
        for (i, p) in parts.iter().enumerate() {
            let Some(b) = p.parse::<u8>().ok() else {
                return Err(self.err(format!("'{v}' is not an IPv4 network"), col));
            };
            addr |= u32::from(b) << (24 - 8 * i);
        }
        Ok((addr, parts.len() as u32))
    }

    fn port(&self, q: Qual, lo: u16, hi: u16, col: usize) -> R<PrimKind> {
        let all = Transports {
            tcp: true,
            udp: true,
            sctp: true,
        };
        let (on, v4, v6) = match q.proto {
            None => (all, true, true),
            Some(QProto::Tcp) => (
                Transports {
                    tcp: true,
                    udp: false,
                    sctp: false,
                },
                true,
                true,
            ),
            Some(QProto::Udp) => (
                Transports {
                    tcp: false,
                    udp: true,
                    sctp: false,
                },
                true,
                true,
            ),
            Some(QProto::Sctp) => (
                Transports {
                    tcp: false,
                    udp: false,
                    sctp: true,
                },
                true,
                true,
            ),
            Some(QProto::Ip) => (all, true, false),
            Some(QProto::Ip6) => (all, false, true),
            Some(p) => {
                return Err(self.err(
                    format!("'{}' modifier applied to port", qproto_name(p)),
                    col,
                ));
            }
        };
        Ok(PrimKind::Port {
            lo,
            hi,
            dir: q.dir,
            on,
            v4,
            v6,
        })
    }

    // ------------------------------------------------ arithmetic relations

    fn relation(&mut self) -> R<Node> {
        let col = self.peek().map_or(0, |t| t.col);
        let lhs = self.arith(0)?;
        let op = match self.peek_sym(0) {
            Some("=" | "==") => RelOp::Eq,
            Some("!=") => RelOp::Ne,
            Some("<") => RelOp::Lt,
            Some("<=") => RelOp::Le,
            Some(">") => RelOp::Gt,
            Some(">=") => RelOp::Ge,
            _ => {
                let (msg, c) = match self.peek() {
                    Some(t) => (
                        format!("expected a comparison (==, !=, <, >), found '{}'", t.text),
                        t.col,
                    ),
                    None => (
                        "expected a comparison (==, !=, <, >)".to_string(),
                        self.end_col(),
                    ),
                };
                return Err(self.err(msg, c));
            }
        };
        self.pos += 1;
        let rhs = self.arith(0)?;
        self.last = None;
        Ok(self.prim(PrimKind::Rel { lhs, op, rhs }, col))
    }

    /// Precedence climbing over libpcap's levels: `| ^` < `&` < `<< >>` <
    /// `+ -` < `* / %`.
    fn arith(&mut self, level: u8) -> R<Arith> {
        if level > 4 {
            return self.arith_atom();
        }
        let mut lhs = self.arith(level + 1)?;
        loop {
            let op = match (level, self.peek_sym(0)) {
                (0, Some("|")) => BinOp::Or,
                (0, Some("^")) => BinOp::Xor,
                (1, Some("&")) => BinOp::And,
                (2, Some("<<")) => BinOp::Shl,
                (2, Some(">>")) => BinOp::Shr,
                (3, Some("+")) => BinOp::Add,
                (3, Some("-")) => BinOp::Sub,
                (4, Some("*")) => BinOp::Mul,
                (4, Some("/")) => BinOp::Div,
                (4, Some("%")) => BinOp::Mod,
                _ => return Ok(lhs),
            };
            self.pos += 1;
            let rhs = self.arith(level + 1)?;
            lhs = Arith::Bin(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn arith_atom(&mut self) -> R<Arith> {
        let Some(t) = self.next() else {
            return Err(self.err("expression ends too early", self.end_col()));
        };
        if t.kind == Kind::Sym {
            return match t.text.as_str() {
                "(" => {
                    let inner = self.arith(0)?;
                    self.expect_sym(")")?;
                    Ok(inner)
                }
                "-" => Ok(Arith::Neg(Box::new(self.arith_atom()?))),
                _ => Err(self.unexpected(&t)),
            };
        }
        let w = t.text.to_ascii_lowercase();
        if w == "len" {
            return Ok(Arith::Len);
        }
        if let Some(n) = parse_number(&w).or_else(|| named_constant(&w)) {
            return Ok(Arith::Num(n));
        }
        if let Some(p) = qproto(&w) {
            self.expect_sym("[")?;
            let index = self.arith(0)?;
            let mut size = 1;
            if self.peek_sym(0) == Some(":") {
                self.pos += 1;
                let st = self.next();
                size = match st.as_ref().map(|s| s.text.as_str()) {
                    Some("1") => 1,
                    Some("2") => 2,
                    Some("4") => 4,
                    _ => {
                        let c = st.map_or(self.end_col(), |s| s.col);
                        return Err(self.err("data size must be 1, 2, or 4", c));
                    }
                };
            }
            self.expect_sym("]")?;
            let base = match p {
                QProto::Ether => Base::Link,
                QProto::Ip => Base::Net(0x0800),
                QProto::Ip6 => Base::Net(0x86dd),
                QProto::Arp => Base::Net(0x0806),
                QProto::Rarp => Base::Net(0x8035),
                QProto::Tcp => Base::Transport(6),
                QProto::Udp => Base::Transport(17),
                QProto::Sctp => Base::Transport(132),
                QProto::Icmp => Base::Transport(1),
                QProto::Igmp => Base::Transport(2),
                QProto::Icmp6 => Base::Ip6Next(58),
            };
            return Ok(Arith::Load {
                base,
                index: Box::new(index),
                size,
                shift: self.shift,
            });
        }
        Err(self.unexpected(&t))
    }
}

fn proto_byte(p: &Parser, n: u32, col: usize) -> R<u8> {
    u8::try_from(n).map_err(|_| p.err(format!("protocol number {n} is more than 255"), col))
}

fn ip_proto(v4: bool, v6: bool, proto: u8) -> PrimKind {
    PrimKind::IpProto { v4, v6, proto }
}

fn qproto_name(p: QProto) -> &'static str {
    match p {
        QProto::Ether => "ether",
        QProto::Ip => "ip",
        QProto::Ip6 => "ip6",
        QProto::Arp => "arp",
        QProto::Rarp => "rarp",
        QProto::Tcp => "tcp",
        QProto::Udp => "udp",
        QProto::Sctp => "sctp",
        QProto::Icmp => "icmp",
        QProto::Icmp6 => "icmp6",
        QProto::Igmp => "igmp",
    }
}
