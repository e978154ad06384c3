//! Domain names on the wire (RFC 1035 §3.1, §4.1.4): labels, each a length
//! byte and that many bytes, ended by a zero byte or by a two-byte pointer
//! (top bits `11`) to a name earlier in the message. Pointers are followed
//! at most [`MAX_POINTERS`] times and the text is bounded by [`MAX_TEXT`],
//! so a loop or a forged chain costs a bounded amount of work.
//!
//! Shown as Wireshark shows them: labels joined by dots, `<Root>` for the
//! empty name, bytes outside printable ASCII escaped.

/// Pointers followed in one name before it counts as a loop.
pub const MAX_POINTERS: usize = 128;
/// Characters of text kept for one name (RFC 1035 §2.3.4 allows 255
/// octets on the wire; escapes may make the text longer).
pub const MAX_TEXT: usize = 1024;

/// A name read from a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// The name as tshark shows it (`www.example.com`, `<Root>`).
    pub text: String,
    /// Its labels, as tshark's `dns.count.labels` counts them.
    pub labels: u16,
    /// Bytes the name takes where it stands (up to and with its first
    /// pointer).
    pub len: usize,
    /// Set when the name could not be read to its end: what went wrong.
    pub trouble: Option<&'static str>,
    /// The name runs past the message's captured bytes (tshark then shows
    /// neither the name nor the question or record holding it).
    pub cut: bool,
}

/// Read the name at offset `at` of the DNS message `msg` (offsets, also
/// those of pointers, count from the message's first byte). `None` when not
/// even its first bytes are there.
pub fn read(msg: &[u8], at: usize) -> Option<Name> {
    let mut text = String::new();
    let mut labels: u16 = 0;
    let mut pos = at;
    let mut len: Option<usize> = None;
    let mut pointers = 0;
    let mut trouble = None;
    let mut cut = false;
    loop {
        let Some(&b) = msg.get(pos) else {
            trouble = Some("the name runs past the end of the message");
            cut = true;
            break;
        };
        match b & 0xc0 {
            0x00 if b == 0 => {
                pos += 1;
                break;
            }
            0x00 => {
                let n = b as usize;
                let Some(label) = msg.get(pos + 1..pos + 1 + n) else {
                    trouble = Some("a label runs past the end of the message");
                    cut = true;
                    pos = msg.len();
                    break;
                };
                if text.len() > MAX_TEXT {
                    trouble = Some("the name is longer than any legal name");
                    text = "<Name too long>".into();
                    pos += 1 + n;
                    break;
                }
                if labels > 0 {
                    text.push('.');
                }
                escape(&mut text, label);
                labels = labels.saturating_add(1);
                pos += 1 + n;
            }
            0xc0 => {
                let Some(&low) = msg.get(pos + 1) else {
                    trouble = Some("a compression pointer is cut off");
                    cut = true;
                    pos = msg.len();
                    break;
                };
                if len.is_none() {
                    len = Some(pos + 2 - at);
                }
                pointers += 1;
                let target = (((b & 0x3f) as usize) << 8) | low as usize;
                if pointers > MAX_POINTERS || target == pos {
                    trouble = Some("the name's compression pointers loop");
                    text = "<Name contains a pointer that loops>".into();
                    break;
                }
                pos = target;
            }
            _ => {
                trouble = Some("a label type other than a length or a pointer (RFC 6891 §5)");
                pos += 1;
                break;
            }
        }
    }
    let len = len.unwrap_or(pos.saturating_sub(at));
    if len == 0 {
        return None;
    }
    if text.is_empty() && trouble.is_none() {
        text.push_str("<Root>");
    }
    Some(Name {
        text,
        labels,
        len,
        trouble,
        cut,
    })
}

/// Append a label's bytes, printable ASCII as itself and the rest escaped
/// as `\xNN`.
fn escape(out: &mut String, label: &[u8]) {
    for &c in label {
        if (0x20..0x7f).contains(&c) && c != b'\\' {
            out.push(c as char);
        } else {
            out.push_str(&format!("\\x{c:02x}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 1035 §4.1.4's example: F.ISI.ARPA at 20, FOO.F.ISI.ARPA at 40
    /// pointing to it, and ARPA by a pointer alone at 64.
    fn rfc1035_example() -> Vec<u8> {
        let mut m = vec![0u8; 20];
        m.extend([1, b'F', 3, b'I', b'S', b'I', 4, b'A', b'R', b'P', b'A', 0]);
        m.resize(40, 0);
        m.extend([3, b'F', b'O', b'O', 0xc0, 20]);
        m.resize(64, 0);
        m.extend([0xc0, 26]);
        m
    }

    #[test]
    fn rfc1035_compression_example_reads_all_three_names() {
        let m = rfc1035_example();
        let f = read(&m, 20).unwrap();
        assert_eq!((f.text.as_str(), f.labels, f.len), ("F.ISI.ARPA", 3, 12));
        let foo = read(&m, 40).unwrap();
        assert_eq!((foo.text.as_str(), foo.len), ("FOO.F.ISI.ARPA", 6));
        let arpa = read(&m, 64).unwrap();
        assert_eq!(
            (arpa.text.as_str(), arpa.len, arpa.trouble),
            ("ARPA", 2, None)
        );
    }

    #[test]
    fn the_empty_name_is_root() {
        let n = read(&[0], 0).unwrap();
        assert_eq!((n.text.as_str(), n.labels, n.len), ("<Root>", 0, 1));
    }

    #[test]
    fn a_pointer_to_itself_and_a_two_pointer_loop_stop_with_trouble() {
        let own = read(&[0xc0, 0x00], 0).unwrap();
        assert!(own.trouble.unwrap().contains("loop"));
        // 0 -> 2 -> 0 -> ...: stops after MAX_POINTERS jumps.
        let pair = read(&[0xc0, 0x02, 0xc0, 0x00], 0).unwrap();
        assert_eq!(pair.len, 2);
        assert!(pair.trouble.unwrap().contains("loop"));
    }

    #[test]
    fn labels_past_the_end_and_cut_pointers_are_trouble_not_panics() {
        assert!(read(&[5, b'a', b'b'], 0).unwrap().trouble.is_some());
        assert!(read(&[0xc0], 0).unwrap().trouble.is_some());
        assert!(read(&[0xc0, 0x40], 0).unwrap().trouble.is_some());
        assert!(read(&[], 0).is_none());
        assert!(read(&[0x80], 0).unwrap().trouble.is_some());
    }

    #[test]
    fn a_chain_of_labels_through_many_pointers_is_bounded_in_text() {
        // 200 copies of "63 x 'a'" each pointing to the previous one.
        let mut m = vec![0u8];
        let mut prev = 0usize;
        for _ in 0..200 {
            let here = m.len();
            m.push(63);
            m.extend([b'a'; 63]);
            m.extend([0xc0 | (prev >> 8) as u8, prev as u8]);
            prev = here;
        }
        let n = read(&m, prev).unwrap();
        assert!(n.text.len() <= MAX_TEXT + 64 + 1, "{}", n.text.len());
        assert!(n.trouble.is_some());
    }
}
