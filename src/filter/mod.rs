//! Packet filters: tcpdump expressions (`tcp port 80 and host 10.0.0.1`) and
//! Wireshark-style display filters (`ip.addr == 10.0.0.0/8 && tcp.flags.syn == 1`),
//! parsed once into one predicate over a frame and its dissection.
//!
//! Owns the filter languages and their meaning. Uses `frame` and `decode`
//! only; must not import capture, output, run or any UI. Never prints: a bad
//! expression comes back as a `FilterError` that knows its column.

pub mod display;
mod display_fields;
pub mod tcpdump;

use crate::decode::Dissection;
use crate::frame::{FrameRecord, LinkType};

pub use display::DisplayFilter;
pub(crate) use display_fields::any_field;
pub use tcpdump::TcpdumpFilter;

/// How deeply parentheses, `not`/`!` and unary minus may nest, in both
/// languages. libpcap's own parser gives up at 10,000 levels ("memory
/// exhausted"); 256 keeps the recursive parsers and evaluators far inside a
/// 2 MiB thread stack.
pub(crate) const MAX_DEPTH: usize = 256;

/// The error for one level more than `MAX_DEPTH`, at the token that opens it.
pub(crate) fn too_deep(expr: &str, column: usize) -> FilterError {
    FilterError::new(
        format!("filter nests too deeply (more than {MAX_DEPTH} levels)"),
        expr,
        column,
    )
}

/// A filter expression that could not be parsed, with where it went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    /// What is wrong, in one line.
    pub message: String,
    /// The expression as given.
    pub expr: String,
    /// 0-based character column of the problem in `expr`.
    pub column: usize,
}

impl FilterError {
    pub(crate) fn new(message: impl Into<String>, expr: &str, column: usize) -> FilterError {
        FilterError {
            message: message.into(),
            expr: expr.to_string(),
            column,
        }
    }
}

/// How much of a long expression an error shows around its column.
const SHOWN: usize = 100;

impl std::fmt::Display for FilterError {
    /// The message, then the expression with a caret under the column; of
    /// an expression longer than `SHOWN` characters, the part around the
    /// column, with `…` where it is cut.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}", self.message)?;
        let len = self.expr.chars().count();
        if len <= SHOWN {
            writeln!(f, "    {}", self.expr)?;
            return write!(f, "    {}^", " ".repeat(self.column));
        }
        let start = self.column.saturating_sub(SHOWN / 2).min(len - SHOWN);
        let part: String = self.expr.chars().skip(start).take(SHOWN).collect();
        let (before, after) = (
            if start > 0 { "…" } else { "" },
            if start + SHOWN < len { "…" } else { "" },
        );
        writeln!(f, "    {before}{part}{after}")?;
        let pad = self.column - start + usize::from(start > 0);
        write!(
            f,
            "    {}^ (column {} of {len})",
            " ".repeat(pad),
            self.column + 1
        )
    }
}

impl std::error::Error for FilterError {}

/// Both kinds of filter; a frame passes when every filter given accepts it.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub tcpdump: Option<TcpdumpFilter>,
    pub display: Option<DisplayFilter>,
}

impl Filter {
    /// Parse the optional tcpdump expression and display filter.
    pub fn parse(tcpdump: Option<&str>, display: Option<&str>) -> Result<Filter, FilterError> {
        Ok(Filter {
            tcpdump: tcpdump.map(TcpdumpFilter::parse).transpose()?,
            display: display.map(DisplayFilter::parse).transpose()?,
        })
    }

    /// True when no filter was given.
    pub fn is_empty(&self) -> bool {
        self.tcpdump.is_none() && self.display.is_none()
    }

    /// True when the display filter needs every field decoded
    /// (`Detail::Fields`); tcpdump expressions read the frame's bytes.
    pub fn needs_fields(&self) -> bool {
        self.display.is_some()
    }

    /// Whether a tcpdump expression can run on this link type at all (as
    /// tcpdump refuses `vlan` on raw IP, or an expression no packet can match).
    pub fn check_link(&self, link: LinkType) -> Result<(), FilterError> {
        match &self.tcpdump {
            Some(t) => t.check_link(link),
            None => Ok(()),
        }
    }

    /// True when the frame passes the tcpdump expression alone; needs no
    /// dissection, so callers can skip decoding frames it rejects.
    pub fn matches_frame(&self, frame: &FrameRecord) -> bool {
        self.tcpdump.as_ref().is_none_or(|t| t.matches(frame))
    }

    /// True when the frame passes every filter.
    pub fn matches(&self, frame: &FrameRecord, d: &Dissection) -> bool {
        self.matches_frame(frame) && self.display.as_ref().is_none_or(|f| f.matches(frame, d))
    }
}

/// Up to three words from `candidates` within a small edit distance of
/// `word`, closest first.
pub(crate) fn close_matches<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Vec<&'a str> {
    let limit = (word.len() / 3).clamp(1, 3);
    let mut scored: Vec<(usize, &str)> = candidates
        // Longer than a candidate by more than the limit: neither close nor
        // a prefix, and never worth an edit distance over a long word.
        .filter(|c| word.len() <= c.len() + limit)
        .filter_map(|c| {
            let d = edit_distance(word, c);
            let prefix = c.starts_with(word) && word.len() >= 2;
            (d <= limit || prefix).then_some((if prefix { d.min(limit) } else { d }, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// Levenshtein distance over bytes.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_matches_suggest_the_nearest_keyword() {
        let words = ["proto", "port", "portrange", "host"];
        assert_eq!(close_matches("prot", words.into_iter())[0], "proto");
        assert!(close_matches("zzzzzz", words.into_iter()).is_empty());
    }

    #[test]
    fn error_display_of_a_long_expression_shows_the_part_around_the_column() {
        let expr = format!("{}@{}", "x".repeat(50_000), "y".repeat(50_000));
        let shown = FilterError::new("unexpected character '@'", &expr, 50_000).to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[1].chars().count() < 120, "{}", lines[1]);
        let at = lines[1].chars().position(|c| c == '@');
        assert_eq!(at, lines[2].chars().position(|c| c == '^'));
        assert!(
            lines[2].ends_with("^ (column 50001 of 100001)"),
            "{}",
            lines[2]
        );
        let start = FilterError::new("x", &expr, 0).to_string();
        assert!(
            start.lines().nth(2) == Some("    ^ (column 1 of 100001)"),
            "{start}"
        );
    }

    #[test]
    fn error_display_puts_a_caret_under_the_column() {
        let e = FilterError::new("unexpected 'x'", "tcp x", 4);
        assert_eq!(e.to_string(), "unexpected 'x'\n    tcp x\n        ^");
    }
}
