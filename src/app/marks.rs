//! Moves through a big capture: `:N` goes to frame N, Ctrl-F finds a
//! string, hex bytes or a display filter (`n`/`N` again, forward and
//! back, wrapping), `m` marks and `]`/`[` jump between marks, Ctrl-T sets
//! the time reference, `a`/`A` apply the selected field as the display
//! filter, `y` copies the selected field's value or the packet's bytes.

use std::fmt::Write;

use crate::decode::{Detail, Value, decode_into};

use super::details::TreeRow;
use super::filter::PacketFilter;
use super::{App, Effect, Pane};

/// What Ctrl-F looks for; Tab in its prompt changes it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FindKind {
    /// The text's bytes anywhere in the packet.
    #[default]
    Text,
    /// Hex bytes: `de ad be ef`, `deadbeef`, `de:ad:be:ef`, `0xdead`.
    Hex,
    /// Packets a display filter accepts.
    Filter,
}

impl FindKind {
    pub fn next(self) -> FindKind {
        match self {
            FindKind::Text => FindKind::Hex,
            FindKind::Hex => FindKind::Filter,
            FindKind::Filter => FindKind::Text,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FindKind::Text => "string",
            FindKind::Hex => "hex bytes",
            FindKind::Filter => "display filter",
        }
    }
}

/// A search ready to run.
pub struct Find {
    pub kind: FindKind,
    pub text: String,
    needle: Vec<u8>,
    filter: Option<Box<dyn PacketFilter>>,
}

impl std::fmt::Debug for Find {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Find")
            .field("kind", &self.kind)
            .field("text", &self.text)
            .finish()
    }
}

/// Hex digits in pairs, with optional `0x` and separators.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let t = text.trim();
    let t = t.strip_prefix("0x").unwrap_or(t);
    let digits: Vec<u8> = t
        .bytes()
        .filter(|b| !matches!(b, b' ' | b':' | b'-' | b'.'))
        .collect();
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return Err(format!(
            "{text:?} is not hex bytes (an even number of hex digits, e.g. de ad be ef)"
        ));
    }
    digits
        .chunks(2)
        .map(|p| {
            std::str::from_utf8(p)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
                .ok_or_else(|| format!("{text:?} is not hex bytes: {:?}", p[0] as char))
        })
        .collect()
}

/// The first place `needle` occurs in `hay`.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let mut at = 0;
    while let Some(p) = hay[at..].iter().position(|&b| b == first) {
        let start = at + p;
        if hay[start + 1..].starts_with(rest) {
            return true;
        }
        at = start + 1;
    }
    false
}

/// A display-filter literal for a field's value, as Wireshark's "Apply as
/// Filter" writes it.
pub fn filter_literal(value: &Value, data: &[u8]) -> String {
    let mut s = String::new();
    match value {
        Value::UInt(n) => {
            let _ = write!(s, "{n}");
        }
        Value::Hex(n, digits) => {
            let _ = write!(s, "0x{n:0w$x}", w = usize::from(*digits));
        }
        Value::Bool(b) => s.push_str(if *b { "1" } else { "0" }),
        Value::Mac(m) => {
            let parts: Vec<String> = m.iter().map(|b| format!("{b:02x}")).collect();
            s.push_str(&parts.join(":"));
        }
        Value::Ip(ip) => {
            let _ = write!(s, "{ip}");
        }
        Value::Bytes(r) => {
            let bytes = data.get(r.clone()).unwrap_or_default();
            let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
            s.push_str(&parts.join(":"));
        }
        Value::Text(t) => {
            let _ = write!(s, "{:?}", t.as_ref());
        }
    }
    s
}

impl App {
    /// `:text`: a frame number to go to.
    pub(super) fn command(&mut self, text: &str) {
        let t = text.trim();
        let Ok(number) = t.parse::<u64>() else {
            self.notify(
                format!("unknown command {t:?}: type a frame number (:123 goes to frame 123)"),
                true,
            );
            return;
        };
        self.go_to_number(number);
    }

    /// Select frame `number`, or the nearest shown one after it.
    pub fn go_to_number(&mut self, number: u64) {
        let store = &self.store;
        let shown = &self.list.shown;
        let pos = shown.partition_point(|&i| store.number(i as usize).is_some_and(|n| n < number));
        let Some(pos) = pos.checked_sub(usize::from(pos == shown.len())) else {
            self.notify("no packet shown to go to", true);
            return;
        };
        let got = store.number(shown[pos] as usize);
        self.list.select(pos);
        self.focus = Pane::List;
        self.sync_details();
        if got != Some(number) {
            let why = if self
                .store
                .number(self.store.first())
                .is_some_and(|f| number < f)
            {
                "is not held"
            } else {
                "is not shown"
            };
            let at = got.map_or(String::new(), |g| format!("; at frame {g}"));
            self.notify(format!("frame {number} {why}{at}"), false);
        }
    }

    /// Ctrl-F's text, as a search of the prompt's kind; then run it.
    pub(super) fn start_find(&mut self, text: &str) {
        let kind = self.find_kind;
        let (needle, filter) = match kind {
            FindKind::Text => (text.as_bytes().to_vec(), None),
            FindKind::Hex => match parse_hex(text) {
                Ok(bytes) => (bytes, None),
                Err(e) => return self.notify(e, true),
            },
            FindKind::Filter => match self.view.compiler.as_ref().map(|c| c(text)) {
                Some(Ok(f)) => (Vec::new(), Some(f)),
                Some(Err(e)) => return self.notify(format!("not a display filter: {e}"), true),
                None => {
                    return self.notify("display filters are not available in this build", true);
                }
            },
        };
        if text.is_empty() {
            return;
        }
        self.find = Some(Find {
            kind,
            text: text.to_string(),
            needle,
            filter,
        });
        self.find_next(true);
    }

    /// `n` / `N`: the next (or previous) shown packet the search matches,
    /// wrapping around the list once.
    pub fn find_next(&mut self, forward: bool) {
        let Some(find) = self.find.take() else {
            self.notify("nothing to find yet: Ctrl-F searches", false);
            return;
        };
        let n = self.list.len();
        if n == 0 {
            self.find = Some(find);
            return self.notify("no packet shown to search", false);
        }
        let start = self
            .list
            .selected
            .unwrap_or(if forward { n - 1 } else { 0 });
        let mut found = None;
        for step in 1..=n {
            let pos = if forward {
                (start + step) % n
            } else {
                (start + n - step % n) % n
            };
            if self.find_matches(&find, self.list.shown[pos] as usize) {
                found = Some((pos, (forward && pos <= start) || (!forward && pos >= start)));
                break;
            }
        }
        match found {
            Some((pos, wrapped)) => {
                self.list.select(pos);
                self.focus = Pane::List;
                self.sync_details();
                if wrapped {
                    self.notify("search wrapped around", false);
                }
            }
            None => self.notify(
                format!("{} {:?} not found", find.kind.name(), find.text),
                true,
            ),
        }
        self.find = Some(find);
    }

    fn find_matches(&mut self, find: &Find, i: usize) -> bool {
        if !self.store.load_into(i, &mut self.scratch) {
            return false;
        }
        match &find.filter {
            None => contains(&self.scratch.data, &find.needle),
            Some(f) => {
                decode_into(&self.scratch, Detail::Fields, &mut self.scratch_d);
                f.matches(&self.scratch, &self.scratch_d)
            }
        }
    }

    /// `m`: mark or unmark the selected packet.
    pub(super) fn toggle_mark(&mut self) {
        let Some(i) = self.list.selected_frame() else {
            return;
        };
        if !self.marks.remove(&(i as u32)) {
            self.marks.insert(i as u32);
        }
    }

    /// `]` / `[`: the next (previous) marked packet the list shows.
    pub(super) fn jump_mark(&mut self, forward: bool) {
        let Some(sel) = self.list.selected else {
            return;
        };
        let marked = |p: &usize| self.marks.contains(&self.list.shown[*p]);
        let pos = if forward {
            (sel + 1..self.list.len()).find(marked)
        } else {
            (0..sel).rev().find(marked)
        };
        match pos {
            Some(p) => {
                self.list.select(p);
                self.sync_details();
            }
            None => self.notify(
                if self.marks.is_empty() {
                    "no packet is marked: m marks the selected one"
                } else if forward {
                    "no marked packet after this one"
                } else {
                    "no marked packet before this one"
                },
                false,
            ),
        }
    }

    /// Ctrl-T: count times from the selected packet, or again from the
    /// first when it already is the reference.
    pub(super) fn toggle_time_ref(&mut self) {
        let sel = self.list.selected_frame();
        self.time_ref = if self.time_ref == sel { None } else { sel };
    }

    /// The selected field in the details pane and its value as a filter
    /// literal, if the cursor is on a field.
    fn selected_field(&self) -> Option<(&'static str, String)> {
        let d = &self.details;
        let TreeRow::Field(_, f) = *d.rows.get(d.cursor)? else {
            return None;
        };
        let field = d.dissection.fields.get(f)?;
        Some((field.key, filter_literal(&field.value, &d.frame.data)))
    }

    /// `a` (`and`: `A`): the selected field as the display filter.
    pub(super) fn apply_field(&mut self, and: bool) {
        let Some((key, value)) = self.selected_field() else {
            self.notify("put the cursor on a field in the details pane first", false);
            return;
        };
        let term = format!("{key} == {value}");
        let text = match (&self.view.display, and) {
            (Some(a), true) => format!("({}) && {term}", a.text),
            _ => term,
        };
        self.apply_filter(&text);
    }

    /// `y`: the selected field's value (details pane), or the packet's
    /// bytes as hex (elsewhere), to the clipboard.
    pub(super) fn copy(&mut self) -> Option<Effect> {
        if self.focus == Pane::Details
            && let Some((key, value)) = self.selected_field()
        {
            self.notify(format!("copied {key}: {value}"), false);
            return Some(Effect::Copy(value));
        }
        self.details.frame_index?;
        let data = &self.details.frame.data;
        let mut hex = String::with_capacity(data.len() * 2);
        for b in data {
            let _ = write!(hex, "{b:02x}");
        }
        self.notify(
            format!(
                "copied frame {}'s {} bytes as hex",
                self.details.frame.number,
                data.len()
            ),
            false,
        );
        Some(Effect::Copy(hex))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_bytes_parse_in_the_usual_spellings() {
        for t in [
            "de ad be ef",
            "deadbeef",
            "DE:AD:BE:EF",
            "0xdeadbeef",
            "de-ad-be-ef",
        ] {
            assert_eq!(parse_hex(t), Ok(vec![0xde, 0xad, 0xbe, 0xef]), "{t}");
        }
        assert!(parse_hex("abc").is_err());
        assert!(parse_hex("zz").is_err());
        assert!(parse_hex("").is_err());
    }

    #[test]
    fn contains_finds_a_needle_anywhere_and_only_whole() {
        assert!(contains(b"GET / HTTP/1.1", b"HTTP"));
        assert!(contains(b"aab", b"ab"));
        assert!(!contains(b"HTT", b"HTTP"));
        assert!(!contains(b"", b"x"));
    }

    #[test]
    fn field_values_become_filter_literals_as_wireshark_writes_them() {
        let ip = "2001:db8::1".parse().expect("an address");
        assert_eq!(filter_literal(&Value::Ip(ip), &[]), "2001:db8::1");
        assert_eq!(filter_literal(&Value::Hex(0x800, 4), &[]), "0x0800");
        assert_eq!(filter_literal(&Value::UInt(80), &[]), "80");
        assert_eq!(
            filter_literal(&Value::Mac([0, 1, 2, 0xa, 0xb, 0xc]), &[]),
            "00:01:02:0a:0b:0c"
        );
        assert_eq!(
            filter_literal(&Value::Bytes(1..3), &[9, 0xab, 0xcd]),
            "ab:cd"
        );
        assert_eq!(
            filter_literal(&Value::Text("a\"b".into()), &[]),
            "\"a\\\"b\""
        );
    }
}
