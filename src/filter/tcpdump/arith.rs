//! Arithmetic relations (`tcp[13] & 2 != 0`, `len > 100`) and the checks
//! tcpdump makes on them before any packet is read.
//!
//! libpcap refuses a division, modulus or shift in two places, and both are
//! kept here. Its code generator looks at the first instruction of the right
//! operand: a constant 0 there is "division by zero" (`ip[0] / 0`, but also
//! `ip[0] / ip[0]`, whose code starts by loading the index 0), a constant
//! above 31 under a shift is "shift by more than 31 bits". Those are raised
//! at once. Its optimizer then folds constants (`2 - 2`, `x * 0`, `x & 0`,
//! `-1`) and raises the same errors for a folded divisor or shift count;
//! those wait until the whole expression has parsed, as tcpdump reports a
//! syntax error first.

use super::ast::{Arith, Base, BinOp, Node, PrimKind, RelOp};
use super::lex::Kind;
use super::names::{QProto, named_constant, parse_number, qproto};
use super::parse::{Parser, R};

/// An arithmetic expression with what libpcap's compiler knows of it.
pub(super) struct Val {
    pub expr: Arith,
    /// The value, when the optimizer can fold it to a constant.
    pub known: Option<u32>,
    /// The constant loaded by its first instruction, if that is a constant.
    pub first: Option<u32>,
}

impl Val {
    fn constant(n: u32) -> Val {
        Val {
            expr: Arith::Num(n),
            known: Some(n),
            first: Some(n),
        }
    }
}

/// The generator's check on `op` with this right operand.
fn generator_refuses(op: BinOp, rhs: &Val) -> Option<&'static str> {
    match (op, rhs.first) {
        (BinOp::Div, Some(0)) => Some("division by zero"),
        (BinOp::Mod, Some(0)) => Some("modulus by zero"),
        (BinOp::Shl | BinOp::Shr, Some(k)) if k > 31 => Some("shift by more than 31 bits"),
        _ => None,
    }
}

/// What the optimizer knows of `a op b`, or the error it raises.
fn fold(op: BinOp, a: Option<u32>, b: Option<u32>) -> Result<Option<u32>, &'static str> {
    use BinOp::*;
    Ok(match (a, b) {
        (_, Some(0)) => match op {
            Div => return Err("division by zero"),
            Mod => return Err("modulus by zero"),
            Mul | And => Some(0),
            Add | Sub | Or | Xor | Shl | Shr => a,
        },
        (_, Some(k)) if matches!(op, Shl | Shr) && k > 31 => {
            return Err("shift by more than 31 bits");
        }
        (Some(0), _) if matches!(op, Mul | Div | Mod | And) => Some(0),
        (Some(x), Some(y)) => Some(match op {
            Add => x.wrapping_add(y),
            Sub => x.wrapping_sub(y),
            Mul => x.wrapping_mul(y),
            Div => x / y,
            Mod => x % y,
            And => x & y,
            Or => x | y,
            Xor => x ^ y,
            Shl => x << y,
            Shr => x >> y,
        }),
        _ => None,
    })
}

impl Parser {
    pub(super) fn relation(&mut self) -> R<Node> {
        let col = self.peek().map_or(0, |t| t.col);
        let lhs = self.arith(0)?.expr;
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
        let rhs = self.arith(0)?.expr;
        self.last = None;
        Ok(self.prim(PrimKind::Rel { lhs, op, rhs }, col))
    }

    /// Precedence climbing over libpcap's levels: `| ^` < `&` < `<< >>` <
    /// `+ -` < `* / %`; each level is one left-to-right chain.
    pub(super) fn arith(&mut self, level: u8) -> R<Val> {
        if level > 4 {
            return self.arith_atom();
        }
        let first = self.arith(level + 1)?;
        let mut known = first.known;
        let mut rest = Vec::new();
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
                _ => break,
            };
            let col = self.peek().map_or(0, |t| t.col);
            self.pos += 1;
            let rhs = self.arith(level + 1)?;
            if let Some(msg) = generator_refuses(op, &rhs) {
                return Err(self.err(msg, col));
            }
            known = match fold(op, known, rhs.known) {
                Ok(k) => k,
                Err(msg) => {
                    let e = self.err(msg, col);
                    self.pending.push(e);
                    None
                }
            };
            rest.push((op, rhs.expr));
        }
        if rest.is_empty() {
            return Ok(first);
        }
        Ok(Val {
            expr: Arith::Chain(Box::new(first.expr), rest),
            known,
            first: first.first,
        })
    }

    fn parenthesized(&mut self, col: usize) -> R<Val> {
        self.deeper(col)?;
        let inner = self.arith(0)?;
        self.expect_sym(")")?;
        self.depth -= 1;
        Ok(inner)
    }

    fn arith_atom(&mut self) -> R<Val> {
        let Some(t) = self.next() else {
            return Err(self.err("expression ends too early", self.end_col()));
        };
        if t.kind == Kind::Sym {
            return match t.text.as_str() {
                "(" => {
                    // Each enclosing `(` of the expression tries arithmetic
                    // first, reaching this one again: fail at once the
                    // second time (the outcome depends on the tokens only),
                    // or deep nesting around long arithmetic is quadratic.
                    let at = self.pos - 1;
                    if let Some(e) = self.failed.get(&at) {
                        return Err(e.clone());
                    }
                    let inner = self.parenthesized(t.col);
                    if let Err(e) = &inner {
                        self.failed.insert(at, e.clone());
                    }
                    inner
                }
                "-" => {
                    self.deeper(t.col)?;
                    let inner = self.arith_atom()?;
                    self.depth -= 1;
                    Ok(Val {
                        expr: Arith::Neg(Box::new(inner.expr)),
                        known: inner.known.map(u32::wrapping_neg),
                        first: inner.first,
                    })
                }
                _ => Err(self.unexpected(&t)),
            };
        }
        let w = t.text.to_ascii_lowercase();
        if w == "len" {
            return Ok(Val {
                expr: Arith::Len,
                known: None,
                first: None,
            });
        }
        if let Some(n) = parse_number(&w).or_else(|| named_constant(&w)) {
            return Ok(Val::constant(n));
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
            // The load's code starts with the index's code.
            return Ok(Val {
                expr: Arith::Load {
                    base,
                    index: Box::new(index.expr),
                    known: index.known,
                    size,
                    shift: self.shift,
                },
                known: None,
                first: index.first,
            });
        }
        Err(self.unexpected(&t))
    }
}
