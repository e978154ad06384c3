//! The kernel's side of a program: running it over a packet, and
//! printing it as `tcpdump -d` does.

use super::*;

/// Run a program over a packet as the kernel does: `Some(kept bytes)` or
/// `None` when it rejects (a return of 0, a load past the packet, a
/// division by zero).
pub fn run(program: &[Insn], data: &[u8], wire_len: u32) -> Option<u32> {
    let (mut a, mut x) = (0u32, 0u32);
    let mut mem = [0u32; MEM_WORDS as usize];
    let load = |at: u32, size: u16| -> Option<u32> {
        let at = at as usize;
        let width = match size {
            B => 1,
            H => 2,
            _ => 4,
        };
        let bytes = data.get(at..at.checked_add(width)?)?;
        Some(bytes.iter().fold(0u32, |v, b| (v << 8) | u32::from(*b)))
    };
    let mut pc = 0;
    while let Some(i) = program.get(pc) {
        pc += 1;
        let class = i.code & 0x07;
        match class {
            LD | LDX => {
                let mode = i.code & 0xe0;
                let size = i.code & 0x18;
                let v = match mode {
                    IMM => i.k,
                    ABS => load(i.k, size)?,
                    IND => load(x.checked_add(i.k)?, size)?,
                    MEM => mem[i.k as usize],
                    LEN => wire_len,
                    MSH => 4 * (load(i.k, B)? & 0xf),
                    _ => return None,
                };
                if class == LD {
                    a = v;
                } else {
                    x = v;
                }
            }
            ST => mem[i.k as usize] = a,
            0x03 => mem[i.k as usize] = x,
            ALU => {
                let v = if i.code & X != 0 { x } else { i.k };
                a = match i.code & 0xf0 {
                    ADD => a.wrapping_add(v),
                    SUB => a.wrapping_sub(v),
                    MUL => a.wrapping_mul(v),
                    DIV => a.checked_div(v)?,
                    MOD => a.checked_rem(v)?,
                    OR => a | v,
                    AND => a & v,
                    XOR => a ^ v,
                    LSH => a.checked_shl(v).unwrap_or(0),
                    RSH => a.checked_shr(v).unwrap_or(0),
                    NEG => a.wrapping_neg(),
                    _ => return None,
                };
            }
            JMP => {
                let v = if i.code & X != 0 { x } else { i.k };
                let taken = match i.code & 0xf0 {
                    JA => {
                        pc += i.k as usize;
                        continue;
                    }
                    JEQ => a == v,
                    JGT => a > v,
                    JGE => a >= v,
                    JSET => a & v != 0,
                    _ => return None,
                };
                pc += usize::from(if taken { i.jt } else { i.jf });
            }
            RET => {
                let v = if i.code & 0x18 == 0x10 { a } else { i.k };
                return (v != 0).then_some(v);
            }
            MISC => {
                if i.code & 0xf8 == TXA {
                    a = x;
                } else {
                    x = a;
                }
            }
            _ => return None,
        }
    }
    None
}

/// The program as `tcpdump -d` prints it.
pub fn disassemble(program: &[Insn]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for (n, i) in program.iter().enumerate() {
        let size = match i.code & 0x18 {
            H => "h",
            B => "b",
            _ => "",
        };
        let (op, arg) = match i.code & 0x07 {
            LD | LDX => {
                let name = if i.code & 0x07 == LD { "ld" } else { "ldx" };
                let arg = match i.code & 0xe0 {
                    IMM => format!("#{:#x}", i.k),
                    ABS => format!("[{}]", i.k),
                    IND => format!("[x + {}]", i.k),
                    MEM => format!("M[{}]", i.k),
                    LEN => "#pktlen".to_string(),
                    MSH => format!("4*([{}]&0xf)", i.k),
                    _ => "?".to_string(),
                };
                let op = if i.code & 0xe0 == MSH {
                    "ldxb".to_string()
                } else {
                    format!("{name}{size}")
                };
                (op, arg)
            }
            ST => ("st".to_string(), format!("M[{}]", i.k)),
            0x03 => ("stx".to_string(), format!("M[{}]", i.k)),
            ALU => {
                let name = match i.code & 0xf0 {
                    ADD => "add",
                    SUB => "sub",
                    MUL => "mul",
                    DIV => "div",
                    MOD => "mod",
                    OR => "or",
                    AND => "and",
                    XOR => "xor",
                    LSH => "lsh",
                    RSH => "rsh",
                    _ => "neg",
                };
                let arg = if i.code & 0xf0 == NEG {
                    String::new()
                } else if i.code & X != 0 {
                    "x".into()
                } else {
                    format!("#{:#x}", i.k)
                };
                (name.to_string(), arg)
            }
            JMP if i.code & 0xf0 == JA => ("ja".to_string(), format!("{}", n + 1 + i.k as usize)),
            JMP => {
                let name = match i.code & 0xf0 {
                    JEQ => "jeq",
                    JGT => "jgt",
                    JGE => "jge",
                    _ => "jset",
                };
                let v = if i.code & X != 0 {
                    "x".to_string()
                } else {
                    format!("#{:#x}", i.k)
                };
                let _ = writeln!(
                    out,
                    "({n:03}) {name:<8} {v:<16} jt {}\tjf {}",
                    n + 1 + usize::from(i.jt),
                    n + 1 + usize::from(i.jf)
                );
                continue;
            }
            RET => ("ret".to_string(), format!("#{}", i.k)),
            _ => (
                if i.code & 0xf8 == TXA { "txa" } else { "tax" }.to_string(),
                String::new(),
            ),
        };
        let _ = writeln!(out, "({n:03}) {op:<8} {arg}");
    }
    out
}
