//! Ctrl-F: find a string, hex bytes or a display filter in the shown
//! packets, `n`/`N` again forward and back, wrapping once around the list.
//! A search never holds the key path: the first slice runs with the key
//! (`INLINE` packets, so a small capture answers at once), the rest in
//! slices between events (`App::search_work`, called by the TUI loop with
//! its clock), with the progress in the status bar and Esc to cancel. The
//! hit is selected when it is found.

use crate::decode::Detail;

use super::filter::PacketFilter;
use super::{App, Pane};

/// Packets looked at with the key itself, before the search goes on in
/// the background.
pub const INLINE: usize = 1024;
/// Packets between two looks at the clock.
const CHECK_EVERY: usize = 64;

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

/// A search under way: the list positions it has still to look at, one
/// step at a time from the row selected when it started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    pub forward: bool,
    /// The position the search started from.
    start: usize,
    /// The list's length then: positions past it arrived later.
    len: usize,
    /// The next step, 1..=len (step `len` is the start itself).
    step: usize,
    /// The list's `epoch` then: a rebuilt list ends the search.
    epoch: u64,
}

impl Search {
    /// How much of the list has been looked at, 0 to 100.
    pub fn percent(&self) -> u8 {
        ((self.step - 1) * 100 / self.len.max(1)).min(100) as u8
    }

    fn pos(&self, step: usize) -> usize {
        let n = self.len;
        if self.forward {
            (self.start + step) % n
        } else {
            (self.start + n - step % n) % n
        }
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

/// True when `needle` occurs in `hay`.
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

impl App {
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

    /// `n` / `N`: start looking for the next (or previous) shown packet the
    /// search matches, wrapping around the list once; a search under way
    /// is replaced.
    pub fn find_next(&mut self, forward: bool) {
        if self.find.is_none() {
            self.notify("nothing to find yet: Ctrl-F searches", false);
            return;
        }
        let n = self.list.len();
        if n == 0 {
            return self.notify("no packet shown to search", false);
        }
        let start = self
            .list
            .selected
            .unwrap_or(if forward { n - 1 } else { 0 });
        self.search = Some(Search {
            forward,
            start,
            len: n,
            step: 1,
            epoch: self.list.epoch,
        });
        let mut checks = 0;
        self.search_work(&mut || {
            checks += 1;
            checks * CHECK_EVERY >= INLINE
        });
    }

    /// True while a search is under way.
    pub fn searching(&self) -> bool {
        self.search.is_some()
    }

    /// Esc: stop the search under way; `n`/`N` start it again.
    pub fn cancel_search(&mut self) {
        if let Some(s) = self.search.take() {
            self.notify(
                format!(
                    "search cancelled at {}%: n or N searches again",
                    s.percent()
                ),
                false,
            );
        }
    }

    /// Go on with the search until it ends or `out_of_time` (asked every
    /// few packets) says stop; true while there is more to do.
    pub fn search_work(&mut self, out_of_time: &mut dyn FnMut() -> bool) -> bool {
        if self.search.is_none() {
            return false;
        }
        let (Some(mut s), Some(find)) = (self.search.take(), self.find.take()) else {
            return false;
        };
        if s.epoch != self.list.epoch || self.list.len() < s.len {
            self.find = Some(find);
            self.notify(
                "search stopped: the list changed meanwhile; n or N searches again",
                true,
            );
            return false;
        }
        let mut found = None;
        while s.step <= s.len {
            let pos = s.pos(s.step);
            s.step += 1;
            let i = self.list.at(pos).map_or(usize::MAX, |i| i as usize);
            if self.find_matches(&find, i) {
                found = Some(pos);
                break;
            }
            if s.step.is_multiple_of(CHECK_EVERY) && out_of_time() {
                break;
            }
        }
        let more = found.is_none() && s.step <= s.len;
        match found {
            Some(pos) => {
                let wrapped = if s.forward {
                    pos <= s.start
                } else {
                    pos >= s.start
                };
                self.list.select(pos);
                self.focus = Pane::List;
                self.sync_details();
                if wrapped {
                    self.notify("search wrapped around", false);
                }
            }
            None if !more => self.notify(
                format!("{} {:?} not found", find.kind.name(), find.text),
                true,
            ),
            None => self.search = Some(s),
        }
        self.find = Some(find);
        more
    }

    fn find_matches(&mut self, find: &Find, i: usize) -> bool {
        if !self.store.load_into(i, &mut self.scratch) {
            return false;
        }
        match &find.filter {
            None => contains(&self.scratch.data, &find.needle),
            Some(f) => {
                self.reassembled
                    .decode(i, &self.scratch, Detail::Fields, &mut self.scratch_d);
                f.matches(&self.scratch, &self.scratch_d)
            }
        }
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
}
