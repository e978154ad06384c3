//! The lesson and the conversation as Markdown, for notes and handouts.

use super::story::{md_code, md_fence, md_text};
use super::*;

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The lesson for one packet as Markdown.
pub fn write_lesson_markdown(out: &mut String, l: &Lesson) {
    let _ = writeln!(
        out,
        "## Frame {}: {} bytes on the wire, {} captured\n",
        l.frame, l.wire_len, l.captured_len
    );
    let _ = writeln!(out, "{}\n", md_code(&l.summary));
    let _ = writeln!(out, "### 1. Headers inside headers\n");
    let _ = writeln!(out, "{}\n", md_code(&l.encapsulation.one_line()));
    let mut boxes = String::new();
    write_boxes(
        &mut boxes,
        &l.encapsulation,
        l.captured_len,
        Paint { on: false },
    );
    let fence = md_fence(&boxes);
    let _ = write!(out, "{fence}text\n{boxes}{fence}\n\n");
    let _ = writeln!(out, "{}\n", overhead_sentence(&l.encapsulation));
    let _ = writeln!(out, "### 2. Field by field\n");
    for h in &l.headers {
        let _ = writeln!(
            out,
            "#### {} [{}..{}){}\n",
            h.title,
            h.range.start,
            h.range.end,
            if h.quoted { " (quoted)" } else { "" }
        );
        out.push_str("| bytes | hex | field | value | what it is for | defined in |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for r in &h.rows {
            let (offset, hex) = match &r.bytes {
                Some(b) => (format!("{}..{}", b.start, b.end), format!("`{}`", r.hex)),
                None => (String::new(), "computed".to_string()),
            };
            let mut what = md_text(r.sentence.as_deref().unwrap_or_default());
            if let Some(order) = &r.byte_order {
                what.push_str(&format!(" *{}*", md_text(order)));
            }
            let _ = writeln!(
                out,
                "| {offset} | {hex} | {}{} | {} | {} | {} |",
                "&nbsp;&nbsp;".repeat(r.depth as usize),
                md_cell(r.name),
                md_cell(&md_code(&r.value)),
                what,
                r.source.unwrap_or("")
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### 3. The connection\n");
    match &l.connection {
        Some(c) => {
            let _ = writeln!(
                out,
                "- {} socket pair ({}, {}), source first; this packet goes {} → {}.",
                c.transport, c.src, c.dst, c.names[0], c.names[1]
            );
            let _ = writeln!(
                out,
                "- Which side is the client: {}.",
                md_text(&c.client_reason)
            );
            for port in &c.ports {
                let _ = writeln!(out, "- {}.", md_text(port));
            }
            if let Some(pos) = &c.position {
                let _ = writeln!(out, "- Where it sits: {}.", md_text(pos));
            }
        }
        None if l.fragment.is_some() => {
            let _ = writeln!(
                out,
                "No TCP or UDP header in this piece, so no ports here: see the fragmentation below."
            );
        }
        None => {
            let _ = writeln!(
                out,
                "No TCP or UDP header, so no ports and no socket pair: the operating system itself handles this packet, not a program listening on a port."
            );
        }
    }
    if let Some(f) = &l.fragment {
        let _ = writeln!(out, "\n#### Fragmentation\n");
        for sentence in f.sentences(l.frame) {
            let _ = writeln!(out, "- {}", md_text(&sentence));
        }
    }
    if let Some(about) = &l.quoted_about {
        let _ = writeln!(
            out,
            "\nThis error is about {about}, quoted inside it: the sender's kernel uses the quoted ports to tell that socket its message failed."
        );
    }
    out.push('\n');
    let _ = writeln!(out, "### 4. What went wrong\n");
    if l.problems.is_empty() {
        let _ = writeln!(
            out,
            "Nothing: every header is complete and agrees with the others."
        );
    }
    for problem in &l.problems {
        let _ = writeln!(
            out,
            "- **{}** at byte {}: {}. {}",
            problem.layer, problem.offset, problem.what, problem.why
        );
    }
    out.push('\n');
}

/// The conversation as Markdown: the ladder in a code block, then the
/// story; every quoted payload escaped.
pub fn write_conversation_markdown(out: &mut String, c: &Conversation) {
    let (title, intro) = conversation_intro(c);
    let _ = writeln!(out, "## {}\n", md_text(&title));
    for sentence in &intro {
        let _ = writeln!(out, "{}\n", md_text(sentence));
    }
    let mut ladder = String::new();
    write_ladder(&mut ladder, c, Paint { on: false });
    let fence = md_fence(&ladder);
    let _ = write!(out, "{fence}text\n{ladder}{fence}\n");
    let mut phase: Option<Phase> = None;
    for s in &c.steps {
        if phase != Some(s.phase) {
            let _ = writeln!(out, "\n### {}\n", s.phase.title());
            phase = Some(s.phase);
        }
        let _ = writeln!(
            out,
            "{}. Frame {}, {} → {}: {}.",
            s.index,
            s.frame,
            c.name(s.from),
            c.name(s.from.other()),
            md_text(&s.story)
        );
    }
    if let Some((heading, lines)) = rtt_lines(c) {
        let _ = writeln!(out, "\n### Round-trip times\n\n{}\n", md_text(&heading));
        for line in lines {
            let _ = writeln!(out, "- {}", md_text(&line));
        }
    }
    out.push('\n');
}
