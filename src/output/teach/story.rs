//! The words around a conversation's steps, shared by the text and the
//! Markdown renderers: the title, who the client is (or that nobody can
//! tell), the initial sequence numbers or the mid-stream start, and the
//! round-trip times worked through RFC 6298.

use crate::teach::conversation::{Conversation, RttSample, Side};

/// Samples shown one by one per sender; the rest are summed up.
const SAMPLES_SHOWN: usize = 8;

pub(super) fn endpoint(e: &(std::net::IpAddr, u16)) -> String {
    match e.0 {
        std::net::IpAddr::V4(a) => format!("{a}:{}", e.1),
        std::net::IpAddr::V6(a) => format!("[{a}]:{}", e.1),
    }
}

/// The title line and the sentences before the ladder.
pub(super) fn conversation_intro(c: &Conversation) -> (String, Vec<String>) {
    let stream = match c.transport {
        "TCP" => format!("tcp.stream {}", c.stream),
        "UDP" => format!("udp.stream {}", c.stream),
        _ => format!("stream {}", c.stream),
    };
    let title = format!(
        "{} conversation ({stream}) between {} ({}) and {} ({}), {} packets",
        c.transport,
        endpoint(&c.client),
        c.name(Side::Client),
        endpoint(&c.server),
        c.name(Side::Server),
        c.steps.len()
    );
    let mut intro = Vec::new();
    if c.client_known {
        intro.push(format!(
            "The client is {}: {}.",
            endpoint(&c.client),
            c.client_reason
        ));
    } else {
        intro.push(format!("Which side is the client: {}.", c.client_reason));
    }
    match c.isn {
        [Some(ci), Some(si)] => intro.push(format!(
            "Initial sequence numbers: {} {ci}, {} {si}. Numbers below are relative to them (raw minus initial), as Wireshark shows them.",
            c.name(Side::Client),
            c.name(Side::Server)
        )),
        _ if c.midstream => intro.push(
            "The capture starts after the handshake: no SYN was captured, so neither side's initial sequence number is known. As Wireshark does, each side's first sequence number seen counts as 1 (and so does the first acknowledgment number seen for the other side); numbers below are relative to that."
                .to_string(),
        ),
        _ if c.transport == "TCP" => intro.push(
            "Only one side's SYN was captured: the other side's first sequence number seen counts as 1, as Wireshark counts it."
                .to_string(),
        ),
        _ => {}
    }
    (title, intro)
}

fn ms(seconds: f64) -> String {
    format!("{:.3}", seconds * 1000.0)
}

fn sample_line(s: &RttSample) -> String {
    let r = ms(s.sample);
    let head = format!(
        "frame {} acknowledges frame {}: SampleRTT = {r} ms.",
        s.frame, s.acked
    );
    match s.before {
        None => format!(
            "{head} The first sample: EstimatedRTT = SampleRTT = {r} ms, DevRTT = SampleRTT/2 = {} ms.",
            ms(s.dev)
        ),
        Some((est, dev)) => format!(
            "{head} DevRTT = 0.75 × {} + 0.25 × |{r} − {}| = {} ms; EstimatedRTT = 0.875 × {} + 0.125 × {r} = {} ms.",
            ms(dev),
            ms(est),
            ms(s.dev),
            ms(est),
            ms(s.estimated)
        ),
    }
}

/// The round-trip section: a heading sentence and one line per sample
/// (the first few per sender), or None without samples.
pub(super) fn rtt_lines(c: &Conversation) -> Option<(String, Vec<String>)> {
    if c.rtt.samples.is_empty() {
        return None;
    }
    let heading = "Each ACK that acknowledges exactly the end of a segment times one round trip (tshark's tcp.analysis.ack_rtt, measured where the capture was taken). A sender smooths the samples of its own data as RFC 6298 says, using the EstimatedRTT from before each sample: EstimatedRTT = 0.875·EstimatedRTT + 0.125·SampleRTT and DevRTT = 0.75·DevRTT + 0.25·|SampleRTT − EstimatedRTT|; its retransmission timer is TimeoutInterval = EstimatedRTT + 4·DevRTT (RFC 6298 rounds it up to 1 second at least).".to_string();
    let mut lines = Vec::new();
    for side in [Side::Client, Side::Server] {
        let mine: Vec<&RttSample> = c.rtt.samples.iter().filter(|s| s.sender == side).collect();
        let Some(last) = mine.last() else { continue };
        lines.push(format!(
            "{}'s segments, acknowledged by {}:",
            capital(c.label(side)),
            c.label(side.other())
        ));
        for s in mine.iter().take(SAMPLES_SHOWN) {
            lines.push(sample_line(s));
        }
        if mine.len() > SAMPLES_SHOWN {
            lines.push(format!(
                "… and {} more samples, the same way.",
                mine.len() - SAMPLES_SHOWN
            ));
        }
        lines.push(format!(
            "After {} samples: EstimatedRTT = {} ms, DevRTT = {} ms, so TimeoutInterval = {} + 4 × {} = {} ms.",
            mine.len(),
            ms(last.estimated),
            ms(last.dev),
            ms(last.estimated),
            ms(last.dev),
            ms(last.timeout())
        ));
    }
    Some((heading, lines))
}

fn capital(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Text for Markdown: every character Markdown or HTML would read as
/// markup is escaped, so a quoted payload shows as it is.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            // A backslash escapes only punctuation (CommonMark): `\n` shows
            // as it is, `\*` needs doubling.
            '\\' if chars.peek().is_some_and(|c| c.is_ascii_punctuation()) => {
                out.push_str("\\\\");
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// The longest run of backticks in `s`.
fn longest_ticks(s: &str) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in s.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// An inline code span that holds `s` whatever backticks it contains
/// (CommonMark: a longer fence, padded with spaces).
pub fn md_code(s: &str) -> String {
    let s = s.replace('\n', " ");
    let fence = "`".repeat(longest_ticks(&s) + 1);
    if s.starts_with('`') || s.ends_with('`') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

/// A fence for a code block holding `s`: longer than any backtick run in it.
pub fn md_fence(s: &str) -> String {
    "`".repeat(longest_ticks(s).max(2) + 1)
}
