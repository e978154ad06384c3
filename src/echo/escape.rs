//! Making a peer's bytes safe to show on a terminal: what the echo client
//! prints when its standard output is a terminal (`--raw` turns it off).
//!
//! Printable UTF-8 text, newline and tab pass through; every other byte is
//! written as `\xNN`: C0 controls (ESC, BEL, CR, backspace …), DEL, C1
//! controls (U+0080–U+009F, written as their UTF-8 bytes), Unicode's bidi
//! and line/paragraph separator controls, and bytes that are not valid
//! UTF-8. A backslash is left as it is: this view is for reading, `--raw`
//! is for exact bytes. The module uses std only, as the echo module must.

use std::io::{self, Write};

/// True for characters that must not reach a terminal as themselves.
pub fn is_unsafe_char(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        // C0, DEL and C1 (char::is_control covers exactly these).
        c if c.is_control() => true,
        // Bidi embeddings, overrides and isolates (text that reads backwards),
        // line and paragraph separators.
        '\u{061C}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{2028}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.extend_from_slice(&[
            b'\\',
            b'x',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 15)],
        ]);
    }
}

/// Appends `bytes` to `out` with everything unsafe written as `\xNN`.
/// Only complete input is handled here; [`EscapingWriter`] carries a UTF-8
/// sequence split across writes.
pub fn escape_into(out: &mut Vec<u8>, bytes: &[u8]) {
    for chunk in bytes.utf8_chunks() {
        let text = chunk.valid();
        let mut clean_from = 0;
        for (at, c) in text.char_indices() {
            if is_unsafe_char(c) {
                out.extend_from_slice(&text.as_bytes()[clean_from..at]);
                push_hex(out, &text.as_bytes()[at..at + c.len_utf8()]);
                clean_from = at + c.len_utf8();
            }
        }
        out.extend_from_slice(&text.as_bytes()[clean_from..]);
        push_hex(out, chunk.invalid());
    }
}

/// `bytes` escaped for a terminal, as a new string.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    escape_into(&mut out, bytes);
    // Only valid UTF-8 and ASCII escapes were written.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Length of an incomplete UTF-8 sequence at the end of `bytes` that more
/// input could complete (0 to 3 bytes).
fn incomplete_tail(bytes: &[u8]) -> usize {
    for back in 1..=3.min(bytes.len()) {
        let b = bytes[bytes.len() - back];
        if b & 0xC0 == 0x80 {
            continue; // a continuation byte: look further back for the lead
        }
        let needed = match b {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => return 0,
        };
        return if needed > back { back } else { 0 };
    }
    0
}

/// A writer that escapes what passes through it for a terminal. A UTF-8
/// sequence split between two writes is held back (at most 3 bytes) until
/// it is complete; [`EscapingWriter::finish`] writes a leftover as `\xNN`.
pub struct EscapingWriter<'a> {
    inner: &'a mut dyn Write,
    pending: Vec<u8>,
    scratch: Vec<u8>,
}

impl<'a> EscapingWriter<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a mut dyn Write) -> Self {
        EscapingWriter {
            inner,
            pending: Vec::with_capacity(4),
            scratch: Vec::new(),
        }
    }

    /// Writes any held-back partial sequence (escaped) and flushes.
    pub fn finish(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.scratch.clear();
            push_hex(&mut self.scratch, &self.pending);
            self.pending.clear();
            self.inner.write_all(&self.scratch)?;
        }
        self.inner.flush()
    }
}

impl Write for EscapingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let keep = incomplete_tail(&self.pending);
        let ready = self.pending.len() - keep;
        self.scratch.clear();
        escape_into(&mut self.scratch, &self.pending[..ready]);
        self.pending.drain(..ready);
        self.inner.write_all(&self.scratch)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Whether the client should escape what it prints: when asked for raw
/// bytes never; otherwise only when the output is a terminal (a pipe or a
/// file gets the exact bytes, as nc writes them).
pub fn should_escape(raw: bool, output_is_terminal: bool) -> bool {
    !raw && output_is_terminal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_control_sequences_are_written_as_hex_escapes() {
        // Window title (OSC 0 … BEL), clear screen, OSC 52 clipboard write.
        let hostile = b"\x1b]0;owned\x07\x1b[2J\x1b]52;c;ZWNobyBoaQ==\x07ok\n";
        assert_eq!(
            escape_bytes(hostile),
            "\\x1b]0;owned\\x07\\x1b[2J\\x1b]52;c;ZWNobyBoaQ==\\x07ok\n"
        );
    }

    #[test]
    fn text_newline_tab_and_non_ascii_pass_through_unchanged() {
        let text = "plain\ttext, wörld 日本 \\x41\n";
        assert_eq!(escape_bytes(text.as_bytes()), text);
    }

    #[test]
    fn cr_del_c1_bidi_and_invalid_utf8_are_escaped() {
        assert_eq!(escape_bytes(b"a\rb\x7f"), "a\\x0db\\x7f");
        // U+009B (C1 CSI) as UTF-8, a bare 0x9b byte, U+202E (right-to-left override).
        assert_eq!(escape_bytes("x\u{9b}y".as_bytes()), "x\\xc2\\x9by");
        assert_eq!(escape_bytes(b"\x9b\xff"), "\\x9b\\xff");
        assert_eq!(escape_bytes("\u{202e}abc".as_bytes()), "\\xe2\\x80\\xaeabc");
    }

    #[test]
    fn a_utf8_character_split_across_writes_is_not_mangled() {
        let text = "é→😀\x1b".as_bytes();
        for cut in 0..=text.len() {
            let mut out = Vec::new();
            let mut writer = EscapingWriter::new(&mut out);
            writer.write_all(&text[..cut]).expect("write to memory");
            writer.write_all(&text[cut..]).expect("write to memory");
            writer.finish().expect("finish");
            assert_eq!(
                String::from_utf8(out).expect("utf-8"),
                "é→😀\\x1b",
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn a_truncated_sequence_at_the_end_is_escaped_not_dropped() {
        let mut out = Vec::new();
        let mut writer = EscapingWriter::new(&mut out);
        writer.write_all(b"ab\xe2\x86").expect("write to memory");
        writer.finish().expect("finish");
        assert_eq!(out, b"ab\\xe2\\x86");
    }

    #[test]
    fn escaping_is_decided_by_raw_and_the_terminal() {
        assert!(should_escape(false, true));
        assert!(!should_escape(true, true));
        assert!(!should_escape(false, false));
        assert!(!should_escape(true, false));
    }
}
