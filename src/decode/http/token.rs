//! Whether bytes start with an HTTP header name: token characters
//! (RFC 9110 §5.6.2) up to a colon. A segment on an HTTP port is scanned
//! this way whenever it starts no message, and a body of letters has no
//! colon and no delimiter for a long way: runs of ASCII letters (all token
//! characters) are passed eight bytes at a time, everything else one byte
//! at a time, so the answer is the byte loop's.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether `bytes` start with a header name and its colon.
pub(super) fn looks_like_header(bytes: &[u8]) -> bool {
    let mut at = 0;
    while at < bytes.len() {
        // Four words of letters at a time, then one.
        while let Some(block) = bytes[at..].first_chunk::<32>()
            && not_letters(block, 0)
                | not_letters(block, 8)
                | not_letters(block, 16)
                | not_letters(block, 24)
                == 0
        {
            at += 32;
        }
        if let Some(word) = bytes[at..].first_chunk::<8>()
            && not_letters(word, 0) == 0
        {
            at += 8;
            continue;
        }
        let end = (at + 8).min(bytes.len());
        for &c in &bytes[at..end] {
            match class(c) {
                Class::Token => {}
                Class::Colon => return true,
                Class::Other => return false,
            }
        }
        at = end;
    }
    false
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Token,
    Colon,
    Other,
}

/// One byte of a would-be header name.
fn class(c: u8) -> Class {
    match c {
        b':' => Class::Colon,
        b'(' | b')' | b'<' | b'>' | b'@' | b',' | b';' | b'\\' | b'"' | b'/' | b'[' | b']'
        | b'?' | b'=' | b'{' | b'}' | b' ' => Class::Other,
        0x21..=0x7e => Class::Token,
        _ => Class::Other,
    }
}

/// Zero when the eight bytes of `block` from `at` are all ASCII letters.
/// With no top bit set, `b | 0x20` is a lower-case letter (0x61..=0x7a)
/// exactly when `b` is a letter; `+ 0x1f` sets the top bit when it is at
/// least 0x61, and `+ 0x05` leaves it clear when it is at most 0x7a (no
/// byte carries into the next: every sum stays below 0x100). A byte with
/// its top bit set makes the answer non-zero whatever its sums carry.
#[inline(always)]
fn not_letters(block: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&block[at..at + 8]);
    let w = u64::from_ne_bytes(word);
    let x = w | (0x20 * ONES);
    (w | !x.wrapping_add(0x1f * ONES) | x.wrapping_add(0x05 * ONES)) & HIGH
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: RFC 9110's token characters one byte at a time,
    /// written out from the RFC's list, not from `class`.
    fn reference(bytes: &[u8]) -> bool {
        const DELIMITERS: &[u8] = b"\"(),/:;<=>?@[\\]{}";
        for &c in bytes {
            if c == b':' {
                return true;
            }
            if !(0x21..=0x7e).contains(&c) || DELIMITERS.contains(&c) {
                return false;
            }
        }
        false
    }

    #[test]
    fn not_letters_is_zero_for_eight_ascii_letters_only() {
        for b in 0..=255u8 {
            let letter = b.is_ascii_alphabetic();
            // The odd byte at each place among letters.
            for place in 0..8 {
                let mut w = *b"abcdXYZq";
                w[place] = b;
                assert_eq!(not_letters(&w, 0) == 0, letter, "{b:#x} at {place}");
            }
        }
    }

    #[test]
    fn header_scan_agrees_with_the_byte_by_byte_reference() {
        // Every byte value at every place of a run of letters, for runs
        // shorter and longer than a word, and a colon or not after it.
        for len in [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 64, 70] {
            for tail in [&b""[..], b":", b": x", b" :"] {
                for place in 0..=len {
                    for b in 0..=255u8 {
                        let mut v: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                        v.insert(place, b);
                        v.extend_from_slice(tail);
                        assert_eq!(looks_like_header(&v), reference(&v), "{v:?}");
                    }
                }
            }
        }
        for s in [
            &b"Content-Type: text"[..],
            b"X-Y-Z123:",
            b"GET / HTTP/1.1",
            b"\r\n",
            b"",
        ] {
            assert_eq!(looks_like_header(s), reference(s), "{s:?}");
        }
    }
}
