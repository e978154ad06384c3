//! The Follow tab's model (`F`): one conversation's byte stream as each
//! side's reader got it, in pieces (side, carrying frame, bytes) that the
//! TUI's follow job computes with the `follow` command's engine and hands
//! over as `Msg::Followed` batches. The model keeps at most `MAX_BYTES` of
//! them (and says so when it cuts), turns them into lines as ASCII or hex,
//! shows both sides or one, searches the lines, and knows for every line
//! which frame carried it, so Enter can go there.

use std::fmt::Write;

/// The most stream bytes the tab keeps; `wirepeek follow` shows the rest.
pub const MAX_BYTES: usize = 8 << 20;
/// Longest ASCII line before it wraps, so binary data still gives lines.
const WRAP: usize = 160;

/// Bytes one side's reader got (or a gap it met), and the frame they came in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowChunk {
    /// 0: the conversation's first sender (the client, usually); 1: the other.
    pub side: u8,
    pub frame: u64,
    pub bytes: Vec<u8>,
    /// The receiver acknowledged this many bytes the capture lacks.
    pub missing: Option<i32>,
}

/// Which sides the tab shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sides {
    #[default]
    Both,
    Client,
    Server,
}

impl Sides {
    pub fn next(self) -> Sides {
        match self {
            Sides::Both => Sides::Client,
            Sides::Client => Sides::Server,
            Sides::Server => Sides::Both,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sides::Both => "both sides",
            Sides::Client => "node 0 only",
            Sides::Server => "node 1 only",
        }
    }

    fn shows(self, side: u8) -> bool {
        match self {
            Sides::Both => true,
            Sides::Client => side == 0,
            Sides::Server => side == 1,
        }
    }
}

/// One line of the tab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowLine {
    pub side: u8,
    pub frame: u64,
    pub text: String,
}

/// The followed conversation and how it is shown.
#[derive(Debug, Default)]
pub struct FollowView {
    /// Which follow job's pieces belong here.
    pub job: u64,
    /// The conversation in a few words.
    pub title: String,
    /// Node 0 and node 1 as `addr:port`, once known.
    pub nodes: Option<[String; 2]>,
    pub chunks: Vec<FollowChunk>,
    /// Stream bytes kept, and those not kept past `MAX_BYTES`.
    pub held: usize,
    pub cut: u64,
    /// Frames of the conversation looked at, of `total`.
    pub progress: (usize, usize),
    pub done: bool,
    /// What the pieces do not show (held bytes nobody acknowledged...).
    pub notes: Vec<String>,
    pub hex: bool,
    pub sides: Sides,
    pub lines: Vec<FollowLine>,
    /// Per side, the stream offset the next hex line starts at.
    offsets: [usize; 2],
    pub cursor: usize,
    pub top: usize,
    pub height: usize,
    /// The last search inside, for `n`/`N`.
    pub search: Option<String>,
}

impl FollowView {
    pub fn new(job: u64, title: String, total: usize) -> FollowView {
        FollowView {
            job,
            title,
            progress: (0, total),
            height: 1,
            ..FollowView::default()
        }
    }

    /// Take a batch of pieces from the job.
    pub fn take(&mut self, chunks: Vec<FollowChunk>) {
        for mut c in chunks {
            let room = MAX_BYTES.saturating_sub(self.held);
            if c.bytes.len() > room {
                self.cut += (c.bytes.len() - room) as u64;
                c.bytes.truncate(room);
                if c.bytes.is_empty() {
                    continue;
                }
            }
            self.held += c.bytes.len();
            self.add_lines(&c);
            self.chunks.push(c);
        }
    }

    /// Rebuild the lines after the mode or the sides changed.
    pub fn relayout(&mut self) {
        let frame = self.lines.get(self.cursor).map(|l| l.frame);
        self.lines.clear();
        self.offsets = [0, 0];
        let chunks = std::mem::take(&mut self.chunks);
        for c in &chunks {
            self.add_lines(c);
        }
        self.chunks = chunks;
        // Stay near the frame the cursor was on.
        self.cursor = frame
            .and_then(|f| self.lines.iter().position(|l| l.frame >= f))
            .unwrap_or(0)
            .min(self.lines.len().saturating_sub(1));
        self.scroll_to_cursor();
    }

    fn add_lines(&mut self, c: &FollowChunk) {
        let side = usize::from(c.side.min(1));
        if let Some(n) = c.missing {
            if self.sides.shows(c.side) {
                self.push(c, format!("[{n} bytes missing in capture file]"));
            }
            return;
        }
        let start = self.offsets[side];
        self.offsets[side] += c.bytes.len();
        if !self.sides.shows(c.side) {
            return;
        }
        if self.hex {
            for (k, row) in c.bytes.chunks(16).enumerate() {
                let line = hex_line(start + 16 * k, row);
                self.push(c, line);
            }
            return;
        }
        let body = c.bytes.strip_suffix(b"\n").unwrap_or(&c.bytes);
        for line in body.split(|&b| b == b'\n') {
            let text = printable(line.strip_suffix(b"\r").unwrap_or(line));
            let mut chars = text.chars().peekable();
            loop {
                let piece: String = chars.by_ref().take(WRAP).collect();
                self.push(c, piece);
                if chars.peek().is_none() {
                    break;
                }
            }
        }
    }

    fn push(&mut self, c: &FollowChunk, text: String) {
        self.lines.push(FollowLine {
            side: c.side,
            frame: c.frame,
            text,
        });
    }

    /// The frame that carried the line under the cursor.
    pub fn cursor_frame(&self) -> Option<u64> {
        self.lines.get(self.cursor).map(|l| l.frame)
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.lines.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
        self.scroll_to_cursor();
    }

    pub fn set_height(&mut self, height: usize) {
        self.height = height.max(1);
        self.scroll_to_cursor();
    }

    fn scroll_to_cursor(&mut self) {
        if self.cursor < self.top {
            self.top = self.cursor;
        } else if self.cursor >= self.top + self.height {
            self.top = self.cursor + 1 - self.height;
        }
    }

    /// Move the cursor to the next line (or previous, `!forward`) after it
    /// that holds the search text, case-insensitively, wrapping around.
    /// False when no line holds it.
    pub fn find(&mut self, forward: bool) -> bool {
        let Some(needle) = self.search.as_ref().map(|s| s.to_lowercase()) else {
            return false;
        };
        let n = self.lines.len();
        for step in 1..=n {
            let i = if forward {
                (self.cursor + step) % n
            } else {
                (self.cursor + n - step % n) % n
            };
            if self.lines[i].text.to_lowercase().contains(&needle) {
                self.cursor = i;
                self.scroll_to_cursor();
                return true;
            }
        }
        false
    }
}

/// Bytes as text: printable ASCII and tabs (as spaces) kept, the rest `.`
/// as tshark's ascii format shows them.
fn printable(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\t' => s.push_str("    "),
            0x20..=0x7e => s.push(b as char),
            _ => s.push('.'),
        }
    }
    s
}

/// One hex line as tshark's hex format prints it: offset, 16 bytes in two
/// groups of 8, and their ASCII in two groups of 8.
fn hex_line(offset: usize, row: &[u8]) -> String {
    let mut s = format!("{offset:08X}  ");
    for i in 0..16 {
        match row.get(i) {
            Some(b) => {
                let _ = write!(s, "{b:02x} ");
            }
            None => s.push_str("   "),
        }
        if i == 7 {
            s.push(' ');
        }
    }
    s.push(' ');
    for (i, &b) in row.iter().enumerate() {
        if i == 8 {
            s.push(' ');
        }
        s.push(if (0x20..0x7f).contains(&b) {
            b as char
        } else {
            '.'
        });
    }
    s
}

impl super::App {
    /// `F`: follow the conversation of the selected packet (on the Flows
    /// tab, of the selected conversation) on the Follow tab.
    pub(super) fn start_follow(&mut self) -> Option<super::Effect> {
        let row = match self.tab {
            super::Tab::Flows => self.flows.selected_row(),
            _ => self
                .list
                .selected_frame()
                .and_then(|i| self.flows.row_of(i)),
        };
        let Some(state) = row.and_then(|r| self.flows.rows.get(r as usize)) else {
            self.notify(
                "F follows a TCP or UDP conversation: select one of its packets",
                true,
            );
            return None;
        };
        let proto = state.key.proto;
        if proto != crate::flow::TCP && proto != crate::flow::UDP {
            self.notify("F follows TCP and UDP conversations only", true);
            return None;
        }
        let row = row?;
        let title = format!(
            "{} stream {} ({})",
            state.key.proto_name(),
            state.stream,
            self.flows.label(row)
        );
        let frames: Vec<u32> = (self.store.first()..self.flows.ingested())
            .filter(|&i| self.flows.row_of(i) == Some(row))
            .map(|i| i as u32)
            .collect();
        self.follow_jobs += 1;
        let job = self.follow_jobs;
        let mut view = FollowView::new(job, title, frames.len());
        if let Some(old) = &self.follow {
            view.hex = old.hex;
            view.height = old.height;
        }
        self.follow = Some(view);
        self.tab = super::Tab::Follow;
        Some(super::Effect::Follow { job, frames })
    }

    pub(super) fn followed(&mut self, job: u64, done: usize, chunks: Vec<FollowChunk>) {
        if let Some(v) = self.follow.as_mut().filter(|v| v.job == job) {
            v.progress.0 = done;
            v.take(chunks);
        }
    }

    pub(super) fn follow_ended(
        &mut self,
        job: u64,
        nodes: Option<[String; 2]>,
        notes: Vec<String>,
    ) {
        if let Some(v) = self.follow.as_mut().filter(|v| v.job == job) {
            v.done = true;
            v.progress.0 = v.progress.1;
            v.nodes = nodes;
            v.notes = notes;
        }
    }

    /// Keys on the Follow tab.
    pub(super) fn follow_key(&mut self, key: super::Key) -> Option<super::Effect> {
        use super::Key;
        let Some(v) = self.follow.as_mut() else {
            return match key {
                Key::Esc | Key::Backspace => {
                    self.tab = super::Tab::Packets;
                    None
                }
                _ => self.key(key),
            };
        };
        let page = v.height.saturating_sub(1).max(1) as isize;
        match key {
            Key::Up | Key::Char('k') => v.move_by(-1),
            Key::Down | Key::Char('j') => v.move_by(1),
            Key::PageUp => v.move_by(-page),
            Key::PageDown | Key::Char(' ') => v.move_by(page),
            Key::Home | Key::Char('g') => v.move_by(isize::MIN),
            Key::End | Key::Char('G') => v.move_by(isize::MAX),
            Key::Char('x') => {
                v.hex = !v.hex;
                v.relayout();
            }
            Key::Char('d') => {
                v.sides = v.sides.next();
                v.relayout();
            }
            Key::Char('/') => {
                let text = v.search.clone().unwrap_or_default();
                self.prompt = Some(super::Prompt::new(super::PromptFor::FollowFind, text));
            }
            Key::Char('n') | Key::Char('N') => {
                self.follow_find(key == Key::Char('n'));
            }
            Key::Enter => {
                let Some(frame) = v.cursor_frame() else {
                    self.notify("no bytes to go to yet", false);
                    return None;
                };
                self.tab = super::Tab::Packets;
                self.go_to_number(frame);
            }
            Key::Esc | Key::Backspace => self.tab = super::Tab::Packets,
            _ => return self.key(key),
        }
        None
    }

    /// Find the follow search text again, forward or back; false (and
    /// said) when it is not there.
    pub(super) fn follow_find(&mut self, forward: bool) -> bool {
        let Some(v) = self.follow.as_mut() else {
            return false;
        };
        let Some(text) = v.search.clone() else {
            self.notify("/ finds text in the stream first", false);
            return false;
        };
        let found = v.find(forward);
        if !found {
            self.notify(format!("{text:?} is not in the stream shown"), true);
        }
        found
    }

    /// `/` on the Follow tab was submitted.
    pub(super) fn start_follow_find(&mut self, text: &str) {
        let Some(v) = self.follow.as_mut() else {
            return;
        };
        if text.is_empty() {
            v.search = None;
            return;
        }
        v.search = Some(text.to_string());
        // The first match at or after the cursor line.
        let at = v.cursor;
        v.cursor = at.checked_sub(1).unwrap_or(v.lines.len().saturating_sub(1));
        if !self.follow_find(true)
            && let Some(v) = self.follow.as_mut()
        {
            v.cursor = at;
        }
    }
}
