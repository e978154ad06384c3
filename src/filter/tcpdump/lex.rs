//! The tcpdump lexer: words (names, numbers, addresses), escaped words
//! (`\tcp`) and symbols, each with its character column.
//!
//! Linear in the length of the expression: a word-character run is scanned
//! once however many words it is cut into (`1:1:1:…` is the word `1`, a
//! colon, the word `1`, …), and a run too long to be a MAC or IPv6 address
//! is never handed to the address parsers.

use super::names::is_mac_or_ip6;
use crate::filter::FilterError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Word,
    /// A word after a backslash: a name, never a keyword (`proto \tcp`).
    Escaped,
    Sym,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub kind: Kind,
    pub text: String,
    pub col: usize,
}

const SYMBOLS: [&str; 25] = [
    "&&", "||", "!=", "==", "<=", ">=", "<<", ">>", "!", "=", "<", ">", "&", "|", "+", "-", "*",
    "/", "%", "^", "(", ")", "[", "]", ":",
];

/// No MAC (17) or IPv6 address (45, with an IPv4 tail) is longer than this.
const LONGEST_ADDRESS: usize = 64;

fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':')
}

/// The word-character run that holds a position, scanned once: every start
/// inside one run shares its end.
struct Run {
    start: usize,
    end: usize,
    /// `end` less the trailing dashes (a word never ends with '-', as in
    /// libpcap's ID pattern).
    trimmed: usize,
}

pub(super) fn lex(text: &str) -> Result<Vec<Token>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let mut run = Run {
        start: 0,
        end: 0,
        trimmed: 0,
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let escaped = c == '\\';
        let start = if escaped { i + 1 } else { i };
        let ip6_start = chars.get(start) == Some(&':') && chars.get(start + 1) == Some(&':');
        if start < chars.len()
            && (chars[start].is_ascii_alphanumeric() || chars[start] == '_' || ip6_start)
        {
            if !(run.start <= start && start < run.end) {
                let mut end = start;
                while end < chars.len() && word_char(chars[end]) {
                    end += 1;
                }
                let mut trimmed = end;
                while trimmed > start + 1 && chars[trimmed - 1] == '-' {
                    trimmed -= 1;
                }
                run = Run {
                    start,
                    end,
                    trimmed,
                };
            }
            // chars[start] is no dash, so the trimmed end is past it.
            let mut end = run.trimmed.max(start + 1);
            // `tcp[2:2]`: a colon belongs to the word only in a MAC or IPv6
            // address; otherwise the word stops at its first colon.
            let colon = chars[start..end].iter().position(|&c| c == ':');
            if let Some(at) = colon {
                let whole_address = end - start <= LONGEST_ADDRESS && {
                    let word: String = chars[start..end].iter().collect();
                    is_mac_or_ip6(&word)
                };
                if !whole_address {
                    end = start + at;
                }
            }
            // A run of colons that is no IPv6 address leaves no word: it is
            // lexed as symbols below (an empty word would never move `i` on).
            if end > start {
                toks.push(Token {
                    kind: if escaped { Kind::Escaped } else { Kind::Word },
                    text: chars[start..end].iter().collect(),
                    col: i,
                });
                i = end;
                continue;
            }
        }
        let next = chars.get(i + 1).copied();
        let sym = SYMBOLS.iter().find(|s| {
            let mut sc = s.chars();
            sc.next() == Some(c) && sc.next().is_none_or(|d| Some(d) == next)
        });
        match sym {
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
