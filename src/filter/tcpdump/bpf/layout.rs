//! The generator's arithmetic (`len`, `ip[2:2] + 4`) on the scratch
//! stack, and the final layout: labels resolved to jump offsets, which
//! classic BPF holds in a byte, so long programs are laid out again with
//! jumps spread through intermediate `ja`s.

use super::*;

impl Gen {
    pub(super) fn push(&mut self) -> Option<u32> {
        if self.depth >= MEM_WORDS {
            return None;
        }
        self.depth += 1;
        Some(self.depth - 1)
    }
    pub(super) fn pop(&mut self) {
        self.depth -= 1;
    }

    /// Leave the value in A; jump to `absent` when a load's protocol is not
    /// there (the relation is then false, as in `eval`).
    pub(super) fn arith(&mut self, a: &Arith, absent: Label) -> Option<()> {
        match a {
            Arith::Num(n) => self.plain(LD | IMM, *n),
            Arith::Len => self.plain(LD | W | LEN, 0),
            Arith::Neg(x) => {
                self.arith(x, absent)?;
                self.plain(ALU | NEG, 0);
            }
            Arith::Chain(first, rest) => {
                self.arith(first, absent)?;
                for (op, y) in rest {
                    if matches!(op, BinOp::Shl | BinOp::Shr) && !matches!(y, Arith::Num(_)) {
                        // The kernel's shift by a register past 31 is not
                        // eval's "0"; leave those to user space.
                        return None;
                    }
                    let slot = self.push()?;
                    self.plain(ST, slot);
                    self.arith(y, absent)?;
                    self.plain(MISC | TAX, 0);
                    self.plain(LD | MEM, slot);
                    self.pop();
                    let code = match op {
                        BinOp::Add => ADD,
                        BinOp::Sub => SUB,
                        BinOp::Mul => MUL,
                        BinOp::Div => DIV,
                        BinOp::Mod => MOD,
                        BinOp::And => AND,
                        BinOp::Or => OR,
                        BinOp::Xor => XOR,
                        BinOp::Shl => LSH,
                        BinOp::Shr => RSH,
                    };
                    self.plain(ALU | code | X, 0);
                }
            }
            Arith::Load {
                base,
                index,
                known,
                size,
                shift,
            } => {
                let nl = net_offset(self.link, *shift);
                let size_code = match size {
                    1 => B,
                    2 => H,
                    _ => W,
                };
                // The protocol test first, as eval makes it.
                let (fixed, transport) = match base {
                    Base::Link => return None,
                    Base::Net(ty) => {
                        if matches!(ty, 0x8100 | 0x88a8 | 0x9100) {
                            return None;
                        }
                        let present = self.label();
                        self.ethertype(*shift, *ty, present, absent)?;
                        self.mark(present);
                        (nl, false)
                    }
                    Base::Transport(proto) => {
                        let (is_v4, proto_ok, first_fragment) =
                            (self.label(), self.label(), self.label());
                        self.ethertype(*shift, 0x0800, is_v4, absent)?;
                        self.mark(is_v4);
                        self.plain(LD | B | ABS, (nl + 9) as u32);
                        self.cond(JEQ | K, u32::from(*proto), proto_ok, absent);
                        self.mark(proto_ok);
                        self.plain(LD | H | ABS, (nl + 6) as u32);
                        self.cond(JSET | K, 0x1fff, absent, first_fragment);
                        self.mark(first_fragment);
                        (nl, true)
                    }
                    Base::Ip6Next(next) => {
                        let (is_v6, next_ok) = (self.label(), self.label());
                        self.ethertype(*shift, 0x86dd, is_v6, absent)?;
                        self.mark(is_v6);
                        self.plain(LD | B | ABS, (nl + 6) as u32);
                        self.cond(JEQ | K, u32::from(*next), next_ok, absent);
                        self.mark(next_ok);
                        (nl + 40, false)
                    }
                };
                match known {
                    Some(k) => {
                        let k = (fixed as u32).wrapping_add(*k);
                        if transport {
                            self.plain(LDX | B | MSH, fixed as u32);
                            self.plain(LD | size_code | IND, k);
                        } else {
                            self.plain(LD | size_code | ABS, k);
                        }
                    }
                    None => {
                        self.arith(index, absent)?;
                        if transport {
                            let slot = self.push()?;
                            self.plain(ST, slot);
                            self.plain(LDX | B | MSH, fixed as u32);
                            self.plain(MISC | TXA, 0);
                            self.plain(LDX | MEM, slot);
                            self.pop();
                            self.plain(ALU | ADD | X, 0);
                        }
                        self.plain(MISC | TAX, 0);
                        self.plain(LD | size_code | IND, fixed as u32);
                    }
                }
            }
        }
        Some(())
    }

    /// Lay the code out: compact when every jump fits in 8 bits; otherwise
    /// each conditional jump becomes `j.. k, 0, 1` followed by two
    /// unconditional jumps, whose 32-bit offsets have no distance limit.
    pub(super) fn resolve(self) -> Option<Vec<Insn>> {
        self.layout(false).or_else(|| self.layout(true))
    }

    /// Lay the code out. Compact: each conditional jump one instruction,
    /// possible when every target is within the 255 instructions its 8-bit
    /// offsets reach (all jumps go forward: the code has no loops). Spread:
    /// `j.. k, 0, 1` then two unconditional jumps, whose 32-bit offsets
    /// have no distance limit.
    fn layout(&self, spread: bool) -> Option<Vec<Insn>> {
        let cond_len = if spread { 3 } else { 1 };
        let mut at = vec![0usize; self.labels];
        let mut n = 0;
        for op in &self.ops {
            match op {
                Op::Mark(l) => at[*l] = n,
                Op::Cond(..) => n += cond_len,
                _ => n += 1,
            }
        }
        if n > MAX_INSNS {
            return None;
        }
        let insn = |code: u16, jt: u8, jf: u8, k: u32| Insn { code, jt, jf, k };
        let ja = |from: usize, to: usize| insn(JMP | JA, 0, 0, (to - from - 1) as u32);
        let mut out = Vec::with_capacity(n);
        for op in &self.ops {
            let pc = out.len();
            match op {
                Op::Mark(_) => {}
                Op::Plain(code, k) => out.push(insn(*code, 0, 0, *k)),
                Op::Goto(l) => out.push(ja(pc, at[*l])),
                Op::Cond(code, k, t, f) if spread => {
                    out.push(insn(*code, 0, 1, *k));
                    out.push(ja(pc + 1, at[*t]));
                    out.push(ja(pc + 2, at[*f]));
                }
                Op::Cond(code, k, t, f) => {
                    let jt = u8::try_from(at[*t] - pc - 1).ok()?;
                    let jf = u8::try_from(at[*f] - pc - 1).ok()?;
                    out.push(insn(*code, jt, jf, *k));
                }
            }
        }
        Some(out)
    }
}
