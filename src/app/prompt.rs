//! The line typed at the bottom of the screen: a cursor that moves and
//! edits like a shell's (Left/Right, Home/End or Ctrl-A/Ctrl-E, Backspace,
//! Ctrl-U to the start, Ctrl-K to the end, Ctrl-W a word back), and a
//! history per purpose that ↑/↓ walk, as readline's does.

use super::Key;

/// Entries kept per history.
const HISTORY: usize = 100;

/// What a prompt's text is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptFor {
    Filter,
    SavePath,
    /// The save target exists: `y` replaces it.
    Replace,
    /// `:` — a frame number to go to.
    Command,
    /// Ctrl-F — a string, hex bytes or a display filter to find.
    Find,
    /// `/` on the Follow tab — text to find in the stream.
    FollowFind,
    /// `c` — the packet list's columns.
    Columns,
}

/// A line of text being typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    pub purpose: PromptFor,
    pub text: String,
    /// The cursor, in characters from the start.
    pub cursor: usize,
    /// Live validation: why the text would be refused, if it would.
    pub error: Option<String>,
}

impl Prompt {
    /// A prompt holding `text`, the cursor at its end.
    pub fn new(purpose: PromptFor, text: String) -> Prompt {
        Prompt {
            purpose,
            cursor: text.chars().count(),
            text,
            error: None,
        }
    }

    /// The text before the cursor and from it on.
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.byte_at(self.cursor))
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(b, _)| b)
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// Replace the whole text, the cursor at its end.
    pub fn set(&mut self, text: String) {
        self.cursor = text.chars().count();
        self.text = text;
    }

    /// Apply an editing key; false when it is not one.
    pub fn edit(&mut self, key: Key) -> bool {
        match key {
            Key::Left | Key::Ctrl('b') => self.cursor = self.cursor.saturating_sub(1),
            Key::Right | Key::Ctrl('f') => self.cursor = (self.cursor + 1).min(self.len()),
            Key::Home | Key::Ctrl('a') => self.cursor = 0,
            Key::End | Key::Ctrl('e') => self.cursor = self.len(),
            Key::Backspace | Key::Ctrl('h') => {
                if self.cursor > 0 {
                    self.cursor -= 1;
                    let at = self.byte_at(self.cursor);
                    self.text.remove(at);
                }
            }
            Key::Ctrl('d') => {
                if self.cursor < self.len() {
                    let at = self.byte_at(self.cursor);
                    self.text.remove(at);
                }
            }
            Key::Ctrl('u') => {
                let at = self.byte_at(self.cursor);
                self.text.replace_range(..at, "");
                self.cursor = 0;
            }
            Key::Ctrl('k') => {
                let at = self.byte_at(self.cursor);
                self.text.truncate(at);
            }
            Key::Ctrl('w') => {
                // Back over spaces, then over the word before them.
                let before: Vec<char> = self.split().0.chars().collect();
                let mut start = before.len();
                while start > 0 && before[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && before[start - 1] != ' ' {
                    start -= 1;
                }
                let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(from..to, "");
                self.cursor = start;
            }
            Key::Char(c) => {
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            _ => return false,
        }
        true
    }
}

/// Lines entered before, newest last; ↑ walks back from the draft.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    entries: Vec<String>,
    /// Position while walking; None: at the draft.
    at: Option<usize>,
    draft: String,
}

impl History {
    /// Remember an entered line (not a repeat of the last one).
    pub fn push(&mut self, line: &str) {
        self.at = None;
        let line = line.trim();
        if line.is_empty() || self.entries.last().is_some_and(|l| l == line) {
            return;
        }
        if self.entries.len() == HISTORY {
            self.entries.remove(0);
        }
        self.entries.push(line.to_string());
    }

    /// Forget where the walk was (a new prompt).
    pub fn reset(&mut self) {
        self.at = None;
    }

    /// ↑ (`back`) or ↓ from `current`: the line to show, if it changes.
    pub fn walk(&mut self, back: bool, current: &str) -> Option<String> {
        let next = match (self.at, back) {
            (None, true) => {
                self.draft = current.to_string();
                self.entries.len().checked_sub(1)?
            }
            (None, false) => return None,
            (Some(i), true) => i.checked_sub(1)?,
            (Some(i), false) if i + 1 < self.entries.len() => i + 1,
            (Some(_), false) => {
                self.at = None;
                return Some(std::mem::take(&mut self.draft));
            }
        };
        self.at = Some(next);
        Some(self.entries[next].clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(keys: &[Key]) -> Prompt {
        let mut p = Prompt::new(PromptFor::Filter, String::new());
        for &k in keys {
            p.edit(k);
        }
        p
    }

    fn chars(s: &str) -> Vec<Key> {
        s.chars().map(Key::Char).collect()
    }

    #[test]
    fn typing_inserts_at_the_cursor_and_the_arrows_move_it() {
        let mut keys = chars("tcp port 80");
        keys.extend([Key::Home, Key::Right, Key::Right, Key::Right]);
        keys.extend(chars(".x"));
        keys.extend([Key::End, Key::Left, Key::Backspace]);
        let p = typed(&keys);
        assert_eq!(p.text, "tcp.x port 0");
        assert_eq!(p.split(), ("tcp.x port ", "0"));
    }

    #[test]
    fn ctrl_u_ctrl_k_and_ctrl_w_delete_as_in_a_shell() {
        let mut keys = chars("ip.src == 10.0.0.1  ");
        keys.push(Key::Ctrl('w'));
        let p = typed(&keys);
        assert_eq!(p.text, "ip.src == ");
        let mut keys = chars("ip.src == 1");
        keys.extend([Key::Left, Key::Left, Key::Ctrl('u')]);
        let p = typed(&keys);
        assert_eq!((p.text.as_str(), p.cursor), (" 1", 0));
        let mut keys = chars("abc def");
        keys.extend([Key::Home, Key::Right, Key::Ctrl('k')]);
        assert_eq!(typed(&keys).text, "a");
    }

    #[test]
    fn multibyte_text_edits_by_character() {
        let mut keys = chars("a→b");
        keys.extend([Key::Left, Key::Backspace]);
        let p = typed(&keys);
        assert_eq!(p.text, "ab");
        assert_eq!(p.cursor, 1);
    }

    #[test]
    fn the_history_walks_back_and_forward_to_the_draft() {
        let mut h = History::default();
        h.push("tcp");
        h.push("udp");
        h.push("udp");
        assert_eq!(h.walk(true, "dr").as_deref(), Some("udp"));
        assert_eq!(h.walk(true, "udp").as_deref(), Some("tcp"));
        assert_eq!(h.walk(true, "tcp"), None, "the oldest is the end");
        assert_eq!(h.walk(false, "tcp").as_deref(), Some("udp"));
        assert_eq!(h.walk(false, "udp").as_deref(), Some("dr"));
        assert_eq!(h.walk(false, "dr"), None);
    }
}
