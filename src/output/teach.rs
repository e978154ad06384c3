//! Renders the teaching models (`teach::Lesson`, `teach::Conversation`) as
//! terminal text, optionally coloured with plain ANSI codes, or as Markdown
//! for handouts. Formats the model only: every number and sentence comes
//! from `teach`, which got it from `decode`.

use std::fmt::Write;

use crate::decode::Severity;
use crate::teach::conversation::Phase;
use crate::teach::{Conversation, Encapsulation, Lesson, Side, Span};

mod markdown;
mod stories;
mod story;

pub use markdown::{write_conversation_markdown, write_lesson_markdown};
pub use stories::{peers, quoted_key, stories, tracked, verdicts};
use story::{conversation_intro, rtt_lines};

/// Width of the nesting diagram and of wrapped sentences.
const WIDTH: usize = 76;
const WRAP: usize = 100;

/// ANSI colour, on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paint {
    pub on: bool,
}

impl Paint {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn cyan(self, s: &str) -> String {
        self.wrap("36", s)
    }
    fn green(self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn yellow(self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn red(self, s: &str) -> String {
        self.wrap("31", s)
    }
}

/// Append `text` wrapped at `WRAP` columns, each line starting with `indent`.
fn wrapped(out: &mut String, indent: &str, text: &str) {
    wrapped_at(WRAP, out, indent, text);
}

/// Append `text` wrapped at `width` columns, each line starting with `indent`.
fn wrapped_at(width: usize, out: &mut String, indent: &str, text: &str) {
    hanging_at(width, out, indent, indent, text);
}

/// Append `text` wrapped at `WRAP` columns: the first line starts with
/// `first`, the rest with `rest`.
fn hanging(out: &mut String, first: &str, rest: &str, text: &str) {
    hanging_at(WRAP, out, first, rest, text);
}

/// `hanging` at `width` columns.
fn hanging_at(width: usize, out: &mut String, first: &str, rest: &str, text: &str) {
    let mut line = String::new();
    let mut indent = first;
    for word in text.split(' ') {
        let len = line.chars().count();
        if len > 0 && indent.len() + len + 1 + word.chars().count() > width {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
            indent = rest;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
}

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - n))
    }
}

fn span_label(s: &Span, captured: usize) -> String {
    let mut label = if s.proto == crate::decode::Proto::Payload {
        format!(
            "payload [{}..{}) {} B",
            s.extent.start,
            s.extent.end,
            s.extent.len()
        )
    } else {
        let mut l = format!(
            "{} [{}..{}), header {} B",
            s.name, s.extent.start, s.extent.end, s.header_len
        );
        if s.header_len > s.header.len() {
            l.push_str(&format!(" ({} captured)", s.header.len()));
        }
        l
    };
    if s.quoted {
        label.push_str(", quoted");
    }
    if s.extent.end > captured {
        label.push_str(&format!(", captured to {captured}"));
    }
    label
}

/// The nesting as boxes inside boxes.
pub fn write_boxes(out: &mut String, e: &Encapsulation, captured: usize, p: Paint) {
    let n = e.spans.len();
    let side = |k: usize| "│ ".repeat(k);
    let close = |k: usize| " │".repeat(k);
    for (k, s) in e.spans.iter().enumerate() {
        let inner = WIDTH.saturating_sub(4 * k);
        let label = span_label(s, captured);
        let fill = inner.saturating_sub(label.chars().count() + 5);
        let _ = writeln!(
            out,
            "  {}┌─ {} {}┐{}",
            side(k),
            p.bold(&label),
            "─".repeat(fill),
            close(k)
        );
        if k + 1 == n
            && let Some(text) = &s.preview
        {
            let body = pad(&format!(" {text}"), inner.saturating_sub(2));
            let _ = writeln!(out, "  {}│{}│{}", side(k), p.green(&body), close(k));
        }
        // A segment whose data the capture did not keep: say so in its box.
        let data_at = s.header.start + s.header_len;
        if k + 1 == n
            && s.proto != crate::decode::Proto::Payload
            && !s.quoted
            && s.header.end >= captured
            && s.extent.end > data_at
        {
            let body = pad(
                &format!(
                    " [{data_at}..{}) {} B after the header: not captured",
                    s.extent.end,
                    s.extent.end - data_at
                ),
                inner.saturating_sub(2),
            );
            let _ = writeln!(out, "  {}│{}│{}", side(k), p.dim(&body), close(k));
        }
    }
    for k in (0..n).rev() {
        let inner = WIDTH.saturating_sub(4 * k);
        if k == 0
            && let Some(t) = &e.trailer
        {
            let body = pad(
                &format!(" padding [{}..{}) {} B", t.start, t.end, t.len()),
                inner.saturating_sub(2),
            );
            let _ = writeln!(out, "  │{}│", p.dim(&body));
        }
        let _ = writeln!(
            out,
            "  {}└{}┘{}",
            side(k),
            "─".repeat(inner.saturating_sub(2)),
            close(k)
        );
    }
}

fn overhead_sentence(e: &Encapsulation) -> String {
    let o = &e.overhead;
    let mut s = format!(
        "Of {} bytes on the wire, {} are headers ({}%) and {} are application data ({}%)",
        o.wire,
        o.headers,
        o.percent(o.headers),
        o.data,
        o.percent(o.data)
    );
    if o.data_captured < o.data {
        s.push_str(&format!(
            " (the capture kept {} bytes of that data)",
            o.data_captured
        ));
    }
    if o.quoted > 0 {
        s.push_str(&format!(
            "; {} are the quoted start of the packet that caused this error ({}%)",
            o.quoted,
            o.percent(o.quoted)
        ));
    }
    if o.padding > 0 {
        s.push_str(&format!(
            "; {} are padding ({}%)",
            o.padding,
            o.percent(o.padding)
        ));
    }
    if o.unaccounted > 0 {
        s.push_str(&format!(
            "; {} were not captured, so we cannot say what they held",
            o.unaccounted
        ));
    }
    s.push('.');
    s
}

/// The lesson for one packet as terminal text.
pub fn write_lesson(out: &mut String, l: &Lesson, p: Paint) {
    write_lesson_at(out, l, p, WRAP);
}

/// `write_lesson` with sentences wrapped at `wrap` columns (the TUI's
/// width) instead of 100.
pub fn write_lesson_at(out: &mut String, l: &Lesson, p: Paint, wrap: usize) {
    let _ = writeln!(
        out,
        "{}",
        p.bold(&format!(
            "Frame {}: {} bytes on the wire, {} captured",
            l.frame, l.wire_len, l.captured_len
        ))
    );
    let _ = writeln!(out, "{}", l.summary);
    out.push('\n');

    let _ = writeln!(out, "{}", p.bold("1. Headers inside headers"));
    wrapped_at(wrap, out, "  ", &l.encapsulation.one_line());
    out.push('\n');
    write_boxes(out, &l.encapsulation, l.captured_len, p);
    out.push('\n');
    wrapped_at(wrap, out, "  ", &overhead_sentence(&l.encapsulation));
    out.push('\n');

    let _ = writeln!(
        out,
        "{}",
        p.bold("2. Field by field, in wire order (offsets count from the frame's first byte)")
    );
    for h in &l.headers {
        out.push('\n');
        let _ = writeln!(
            out,
            "  {}",
            p.bold(&format!(
                "{} [{}..{}){}",
                h.title,
                h.range.start,
                h.range.end,
                if h.quoted {
                    ", quoted from the packet that caused the error"
                } else {
                    ""
                }
            ))
        );
        for r in &h.rows {
            let indent = "  ".repeat(r.depth as usize);
            let (offset, hex) = match &r.bytes {
                Some(b) => (format!("{}..{}", b.start, b.end), r.hex.clone()),
                None => (String::new(), "[computed]".to_string()),
            };
            let _ = writeln!(
                out,
                "  {} {} {indent}{}: {}",
                p.cyan(&pad(&offset, 9)),
                p.dim(&pad(&hex, 20)),
                r.name,
                p.green(&r.value)
            );
            let text_indent = format!("{}{indent}", " ".repeat(34));
            if let Some(sentence) = &r.sentence {
                let mut s = sentence.clone();
                if let Some(src) = r.source {
                    s.push_str(&format!(" [{src}]"));
                }
                wrapped_at(wrap, out, &text_indent, &s);
            }
            if let Some(order) = &r.byte_order {
                // Wrap first, then colour each line, so escape codes never
                // count towards the width.
                let mut plain = String::new();
                wrapped_at(wrap, &mut plain, &text_indent, &format!("↳ {order}"));
                for line in plain.lines() {
                    let text = line.strip_prefix(text_indent.as_str()).unwrap_or(line);
                    let _ = writeln!(out, "{text_indent}{}", p.yellow(text));
                }
            }
        }
    }
    out.push('\n');

    let _ = writeln!(out, "{}", p.bold("3. The connection"));
    match &l.connection {
        Some(c) => {
            wrapped_at(
                wrap,
                out,
                "  ",
                &format!(
                    "{} socket pair ({}, {}), source first. This packet goes {} → {}.",
                    c.transport, c.src, c.dst, c.names[0], c.names[1]
                ),
            );
            wrapped_at(
                wrap,
                out,
                "  ",
                &format!("Which side is the client: {}.", c.client_reason),
            );
            for port in &c.ports {
                wrapped_at(wrap, out, "  ", &format!("{port}."));
            }
            if let Some(pos) = &c.position {
                wrapped_at(wrap, out, "  ", &format!("Where it sits: {pos}."));
            }
        }
        None if l.fragment.is_some() => wrapped_at(
            wrap,
            out,
            "  ",
            "No TCP or UDP header in this piece, so no ports here: see the fragmentation below.",
        ),
        None => wrapped_at(
            wrap,
            out,
            "  ",
            "No TCP or UDP header, so no ports and no socket pair: the operating system itself handles this packet, not a program listening on a port.",
        ),
    }
    if let Some(f) = &l.fragment {
        out.push('\n');
        let _ = writeln!(out, "  {}", p.bold("Fragmentation"));
        for sentence in f.sentences(l.frame) {
            wrapped_at(wrap, out, "  ", &sentence);
        }
    }
    if let Some(about) = &l.quoted_about {
        wrapped_at(
            wrap,
            out,
            "  ",
            &format!(
                "This error is about {about}, quoted inside it: the sender's kernel uses the quoted ports to tell that socket its message failed."
            ),
        );
    }
    out.push('\n');

    let _ = writeln!(out, "{}", p.bold("4. What went wrong"));
    if l.problems.is_empty() {
        wrapped_at(
            wrap,
            out,
            "  ",
            "Nothing: every header is complete and agrees with the others.",
        );
    }
    for problem in &l.problems {
        let mark = match problem.severity {
            Severity::Note => p.yellow("note"),
            Severity::Warn => p.red("warning"),
        };
        wrapped_at(
            wrap,
            out,
            "  ",
            &format!(
                "{mark}: {} at byte {}: {}.",
                problem.layer, problem.offset, problem.what
            ),
        );
        wrapped_at(wrap, out, "    ", &problem.why);
    }
}

fn arrow_label(s: &crate::teach::Step) -> String {
    let mut parts = Vec::new();
    if s.flags.starts_with("ICMP") {
        parts.push(s.flags.clone());
    } else if !s.flags.is_empty() {
        // The order people say them in: SYN+ACK, PSH+ACK, FIN+ACK.
        let said: Vec<&str> = ["SYN", "FIN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"]
            .into_iter()
            .filter(|f| s.flags.split(", ").any(|g| g == *f))
            .collect();
        parts.push(said.join("+"));
    }
    if let Some(seq) = s.seq {
        parts.push(format!("seq={seq}"));
    }
    if let Some(ack) = s.ack {
        parts.push(format!("ack={ack}"));
    }
    if s.len > 0 || s.flags.is_empty() {
        parts.push(format!("len={}", s.len));
    }
    let v = &s.verdicts;
    let tag = if v.fast_retransmission {
        "[fast retr]"
    } else if v.spurious_retransmission {
        "[spurious retr]"
    } else if v.retransmission {
        "[retr]"
    } else if v.out_of_order {
        "[out of order]"
    } else if v.duplicate_ack {
        "[dup ack]"
    } else if v.zero_window_probe {
        "[win probe]"
    } else if v.zero_window {
        "[win 0]"
    } else if v.keep_alive {
        "[keep-alive]"
    } else {
        ""
    };
    if !tag.is_empty() {
        parts.push(tag.to_string());
    }
    parts.join(" ")
}

/// The conversation's ladder diagram, one arrow per packet.
fn write_ladder(out: &mut String, c: &Conversation, p: Paint) {
    const LANE: usize = 46;
    let (left, right) = (c.name(Side::Client), c.name(Side::Server));
    let _ = writeln!(out, "  {}{right}", pad(left, LANE - 2));
    for s in &c.steps {
        let label = format!(" {} ", arrow_label(s));
        let fill = LANE.saturating_sub(label.chars().count() + 3);
        let arrow = match s.from {
            Side::Client => format!("──{label}{}▶", "─".repeat(fill)),
            Side::Server => format!("◀{}{label}──", "─".repeat(fill)),
        };
        let _ = writeln!(
            out,
            "  │{}│  {}",
            p.cyan(&arrow),
            p.dim(&format!("{:>2}. frame {}", s.index, s.frame))
        );
    }
}

/// The whole conversation as a numbered story.
pub fn write_conversation(out: &mut String, c: &Conversation, p: Paint) {
    let (title, intro) = conversation_intro(c);
    let _ = writeln!(out, "{}", p.bold(&title));
    for sentence in &intro {
        wrapped(out, "", sentence);
    }
    out.push('\n');
    write_ladder(out, c, p);
    let mut phase: Option<Phase> = None;
    for s in &c.steps {
        if phase != Some(s.phase) {
            out.push('\n');
            let _ = writeln!(out, "{}", p.bold(s.phase.title()));
            phase = Some(s.phase);
        }
        let line = format!(
            "{:>3}. frame {}, {} → {}: {}.",
            s.index,
            s.frame,
            c.name(s.from),
            c.name(s.from.other()),
            s.story
        );
        hanging(out, "", "     ", &line);
    }
    if let Some((heading, lines)) = rtt_lines(c) {
        out.push('\n');
        let _ = writeln!(out, "{}", p.bold("Round-trip times"));
        wrapped(out, "", &heading);
        for line in lines {
            hanging(out, "  ", "    ", &line);
        }
    }
}
