//! Wireshark-style display filters over the decoded model's field names:
//! `ip.addr == 10.0.0.0/8 && tcp.flags.syn == 1`, `tcp contains "GET"`.
//!
//! Meaning follows Wireshark 4.0: `==`, `<`, `contains` and friends are true
//! when any occurrence of the field satisfies them; `!=` is true when the
//! field is present and every occurrence differs. A bare name tests that a
//! field or protocol is present. Uses `frame` and `decode` only; never prints.

use std::net::IpAddr;

use super::display_fields::{any_field, is_known, names};
use super::{FilterError, MAX_DEPTH, close_matches, too_deep};
use crate::decode::{Dissection, Value};
use crate::frame::FrameRecord;

/// A parsed display filter.
#[derive(Clone, Debug)]
pub struct DisplayFilter {
    root: DNode,
}

/// Nested no deeper than `MAX_DEPTH`: a run of `&&` or `||` is one node.
#[derive(Clone, Debug)]
enum DNode {
    And(Vec<DNode>),
    Or(Vec<DNode>),
    Not(Box<DNode>),
    Exists(String),
    Cmp { field: String, op: Op, lit: Literal },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
}

/// The right-hand side, read every way it can be read; the field's type
/// decides which reading counts.
#[derive(Clone, Debug)]
struct Literal {
    num: Option<u64>,
    ip: Option<(IpAddr, u8)>,
    mac: Option<[u8; 6]>,
    bytes: Option<Vec<u8>>,
    text: String,
}

impl Literal {
    fn parse(text: &str, quoted: bool) -> Option<Literal> {
        if quoted {
            return Some(Literal {
                num: None,
                ip: None,
                mac: None,
                bytes: Some(text.as_bytes().to_vec()),
                text: text.to_string(),
            });
        }
        let num = if let Some(h) = text.strip_prefix("0x") {
            u64::from_str_radix(h, 16).ok()
        } else {
            text.parse().ok()
        }
        .or(match text {
            "true" | "True" | "TRUE" => Some(1),
            "false" | "False" | "FALSE" => Some(0),
            _ => None,
        });
        let ip = match text.split_once('/') {
            Some((a, len)) => a.parse::<IpAddr>().ok().and_then(|a| {
                let len: u8 = len.parse().ok()?;
                let max = if a.is_ipv4() { 32 } else { 128 };
                (len <= max).then_some((a, len))
            }),
            None => text
                .parse::<IpAddr>()
                .ok()
                .map(|a| (a, if a.is_ipv4() { 32 } else { 128 })),
        };
        let bytes: Option<Vec<u8>> = {
            let parts: Vec<&str> = text.split([':', '-', '.']).collect();
            if parts.iter().all(|p| p.len() == 2) {
                parts
                    .iter()
                    .map(|p| u8::from_str_radix(p, 16).ok())
                    .collect()
            } else {
                None
            }
        };
        let mac = bytes
            .as_ref()
            .and_then(|b| <[u8; 6]>::try_from(b.as_slice()).ok());
        if num.is_none() && ip.is_none() && bytes.is_none() {
            return None;
        }
        Some(Literal {
            num,
            ip,
            mac,
            bytes,
            text: text.to_string(),
        })
    }
}

impl DisplayFilter {
    /// Parse a display filter; unknown field names are errors naming close matches.
    pub fn parse(text: &str) -> Result<DisplayFilter, FilterError> {
        let toks = lex(text)?;
        if toks.is_empty() {
            return Err(FilterError::new("empty display filter", text, 0));
        }
        let mut p = Parser {
            toks,
            pos: 0,
            text,
            depth: 0,
        };
        let root = p.or()?;
        if let Some(t) = p.toks.get(p.pos) {
            return Err(FilterError::new(
                format!("unexpected '{}'", t.text),
                text,
                t.col,
            ));
        }
        Ok(DisplayFilter { root })
    }

    /// True when the frame's dissection (decoded with every field) passes.
    pub fn matches(&self, frame: &FrameRecord, d: &Dissection) -> bool {
        eval(&self.root, frame, d)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum TKind {
    Word,
    Str,
    Sym,
}

#[derive(Clone, Debug)]
struct Tok {
    kind: TKind,
    text: String,
    col: usize,
}

const SYMS: [&str; 12] = [
    "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "~",
];

fn lex(text: &str) -> Result<Vec<Tok>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' {
            let mut s = String::new();
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    None => return Err(FilterError::new("unterminated string", text, i)),
                    Some('"') => break,
                    Some('\\') => {
                        match chars.get(j + 1) {
                            Some('n') => s.push('\n'),
                            Some('t') => s.push('\t'),
                            Some(&e) => s.push(e),
                            None => return Err(FilterError::new("unterminated string", text, i)),
                        }
                        j += 2;
                        continue;
                    }
                    Some(&ch) => s.push(ch),
                }
                j += 1;
            }
            out.push(Tok {
                kind: TKind::Str,
                text: s,
                col: i,
            });
            i = j + 1;
        } else if c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.') {
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_alphanumeric()
                    || matches!(chars[j], '_' | ':' | '.' | '/' | '-'))
            {
                j += 1;
            }
            out.push(Tok {
                kind: TKind::Word,
                text: chars[i..j].iter().collect(),
                col: i,
            });
            i = j;
        } else {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let Some(sym) = SYMS.iter().find(|s| two.starts_with(**s)) else {
                return Err(FilterError::new(
                    format!("unexpected character '{c}'"),
                    text,
                    i,
                ));
            };
            out.push(Tok {
                kind: TKind::Sym,
                text: (*sym).to_string(),
                col: i,
            });
            i += sym.len();
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    text: &'a str,
    /// Parentheses and `!` open at this point.
    depth: usize,
}

type R<T> = Result<T, FilterError>;

impl Parser<'_> {
    fn peek_is(&self, words: &[&str]) -> bool {
        self.toks
            .get(self.pos)
            .is_some_and(|t| t.kind != TKind::Str && words.contains(&t.text.as_str()))
    }

    fn err_at_end(&self, msg: &str) -> FilterError {
        FilterError::new(msg, self.text, self.text.chars().count())
    }

    fn or(&mut self) -> R<DNode> {
        let mut all = vec![self.and()?];
        while self.peek_is(&["||", "or"]) {
            self.pos += 1;
            all.push(self.and()?);
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            DNode::Or(all)
        })
    }

    fn and(&mut self) -> R<DNode> {
        let mut all = vec![self.not()?];
        while self.peek_is(&["&&", "and"]) {
            self.pos += 1;
            all.push(self.not()?);
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            DNode::And(all)
        })
    }

    /// Open one nesting level at the token about to be read.
    fn deeper(&mut self) -> R<()> {
        if self.depth >= MAX_DEPTH {
            let col = self.toks.get(self.pos).map_or(0, |t| t.col);
            return Err(too_deep(self.text, col));
        }
        self.depth += 1;
        Ok(())
    }

    fn not(&mut self) -> R<DNode> {
        if self.peek_is(&["!", "not"]) {
            self.deeper()?;
            self.pos += 1;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(DNode::Not(Box::new(inner)));
        }
        self.atom()
    }

    fn atom(&mut self) -> R<DNode> {
        let Some(t) = self.toks.get(self.pos).cloned() else {
            return Err(self.err_at_end("filter ends too early"));
        };
        if t.kind == TKind::Sym && t.text == "(" {
            self.deeper()?;
        }
        self.pos += 1;
        if t.kind == TKind::Sym && t.text == "(" {
            let inner = self.or()?;
            match self.toks.get(self.pos) {
                Some(c) if c.text == ")" => self.pos += 1,
                Some(c) => {
                    return Err(FilterError::new(
                        format!("expected ')', found '{}'", c.text),
                        self.text,
                        c.col,
                    ));
                }
                None => return Err(self.err_at_end("expected ')'")),
            }
            self.depth -= 1;
            return Ok(inner);
        }
        if t.kind != TKind::Word {
            return Err(FilterError::new(
                format!("unexpected '{}'", t.text),
                self.text,
                t.col,
            ));
        }
        let field = t.text.clone();
        if !is_known(&field) {
            let hints = close_matches(&field, names());
            let msg = if hints.is_empty() {
                format!("unknown field '{field}'")
            } else {
                format!(
                    "unknown field '{field}' — did you mean {}?",
                    hints
                        .iter()
                        .map(|h| format!("'{h}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(FilterError::new(msg, self.text, t.col));
        }
        let op = match self.toks.get(self.pos).map(|t| t.text.as_str()) {
            Some("==" | "eq") => Op::Eq,
            Some("!=" | "ne") => Op::Ne,
            Some("<" | "lt") => Op::Lt,
            Some("<=" | "le") => Op::Le,
            Some(">" | "gt") => Op::Gt,
            Some(">=" | "ge") => Op::Ge,
            Some("contains") => Op::Contains,
            _ => return Ok(DNode::Exists(field)),
        };
        self.pos += 1;
        let Some(v) = self.toks.get(self.pos).cloned() else {
            return Err(self.err_at_end("expected a value after the comparison"));
        };
        self.pos += 1;
        if v.kind == TKind::Sym {
            return Err(FilterError::new(
                format!("expected a value, found '{}'", v.text),
                self.text,
                v.col,
            ));
        }
        let Some(lit) = Literal::parse(&v.text, v.kind == TKind::Str) else {
            return Err(FilterError::new(
                format!("'{}' is not a number, address or byte string", v.text),
                self.text,
                v.col,
            ));
        };
        Ok(DNode::Cmp { field, op, lit })
    }
}

fn eval(n: &DNode, frame: &FrameRecord, d: &Dissection) -> bool {
    match n {
        DNode::And(all) => all.iter().all(|n| eval(n, frame, d)),
        DNode::Or(all) => all.iter().any(|n| eval(n, frame, d)),
        DNode::Not(a) => !eval(a, frame, d),
        DNode::Exists(name) => exists(name, d),
        DNode::Cmp { field, op, lit } => compare(field, *op, lit, frame, d),
    }
}

fn keys_of(name: &str) -> &[&str] {
    any_field(name).unwrap_or(std::slice::from_ref(&""))
}

fn exists(name: &str, d: &Dissection) -> bool {
    if name == "frame" {
        return true;
    }
    let keys = keys_of(name);
    let direct = keys == [""];
    d.fields.iter().any(|f| {
        if direct {
            f.key == name
        } else {
            keys.contains(&f.key)
        }
    }) || d.layers.iter().any(|l| l.proto.key() == name)
}

fn compare(name: &str, op: Op, lit: &Literal, frame: &FrameRecord, d: &Dissection) -> bool {
    let keys = keys_of(name);
    let direct = keys == [""];
    let mut values = d
        .fields
        .iter()
        .filter(|f| {
            if direct {
                f.key == name
            } else {
                keys.contains(&f.key)
            }
        })
        .map(|f| &f.value)
        .peekable();
    // A protocol name stands for its bytes (`tcp contains "GET"`).
    if values.peek().is_none() {
        if op != Op::Contains {
            return false;
        }
        let Some(needle) = &lit.bytes else {
            return false;
        };
        if name == "frame" {
            return find(&frame.data, needle);
        }
        return d.layers.iter().filter(|l| l.proto.key() == name).any(|l| {
            let end = l.pdu.end.min(frame.data.len());
            let start = l.header.start.min(end);
            find(&frame.data[start..end], needle)
        });
    }
    if op == Op::Ne {
        return values.all(|v| one(v, Op::Eq, lit, frame) == Some(false));
    }
    values.any(|v| one(v, op, lit, frame) == Some(true))
}

/// Linear in both lengths (two-way search), however long the pattern.
fn find(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

fn order<T: Ord>(a: T, b: T, op: Op) -> bool {
    match op {
        Op::Eq => a == b,
        Op::Ne => a != b,
        Op::Lt => a < b,
        Op::Le => a <= b,
        Op::Gt => a > b,
        Op::Ge => a >= b,
        Op::Contains => false,
    }
}

/// Compare one field value; `None` when the literal cannot be read as the
/// field's type.
fn one(v: &Value, op: Op, lit: &Literal, frame: &FrameRecord) -> Option<bool> {
    Some(match v {
        Value::UInt(n) | Value::Hex(n, _) => order(*n, lit.num?, op),
        Value::Bool(b) => order(u64::from(*b), lit.num?, op),
        Value::Ip(addr) => {
            let (want, len) = lit.ip?;
            match (addr, want) {
                (IpAddr::V4(a), IpAddr::V4(w)) => {
                    let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
                    let (a, w) = (u32::from(*a), u32::from(w));
                    if op == Op::Eq || op == Op::Ne {
                        order(a & mask, w & mask, op)
                    } else {
                        order(a, w, op)
                    }
                }
                (IpAddr::V6(a), IpAddr::V6(w)) => {
                    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
                    let (a, w) = (u128::from(*a), u128::from(w));
                    if op == Op::Eq || op == Op::Ne {
                        order(a & mask, w & mask, op)
                    } else {
                        order(a, w, op)
                    }
                }
                _ => false,
            }
        }
        Value::Mac(m) => order(*m, lit.mac?, op),
        Value::Bytes(range) => {
            let have = frame.data.get(range.clone())?;
            let want = lit.bytes.as_deref()?;
            if op == Op::Contains {
                find(have, want)
            } else {
                order(have, want, op)
            }
        }
        Value::Text(s) => {
            if op == Op::Contains {
                s.contains(lit.text.as_str())
            } else {
                order(s.as_ref(), lit.text.as_str(), op)
            }
        }
    })
}

#[cfg(test)]
mod tests;
