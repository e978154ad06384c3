//! tcpdump (libpcap) filter expressions, in stages: `lex` cuts the text into
//! tokens, `parse` (with `addr` and `arith`) builds the tree of `ast` from
//! them using the tables of `names`, and `eval` runs the tree over a frame's
//! bytes with libpcap's meaning. Nothing imports back from `eval` into the
//! earlier stages, and the tree is all they share.
//!
//! Bounded whatever the input: lexing is linear in its length, nesting
//! (parentheses, `not`, unary minus) stops at `filter::MAX_DEPTH` levels
//! with an error at the place, and a run of `and`/`or` or of `+`/`-` is one
//! flat chain, so evaluation recurses no deeper than the nesting.
//! Uses `frame` only; never prints.

mod addr;
mod arith;
mod ast;
pub mod bpf;
mod eval;
mod lex;
mod names;
mod parse;
#[cfg(test)]
mod tests;

use super::FilterError;
use crate::frame::{FrameRecord, LinkType};

/// A parsed tcpdump expression, ready to test frames.
#[derive(Clone, Debug)]
pub struct TcpdumpFilter {
    root: ast::Node,
    text: String,
}

impl TcpdumpFilter {
    /// Parse an expression as tcpdump would (words already joined by spaces).
    pub fn parse(text: &str) -> Result<TcpdumpFilter, FilterError> {
        Ok(TcpdumpFilter {
            root: parse::parse(text)?,
            text: text.to_string(),
        })
    }

    /// Refuse what tcpdump refuses on this link type: link-specific
    /// primitives (`vlan`, `ether host`) elsewhere than Ethernet, and an
    /// expression no packet of this link type could match.
    pub fn check_link(&self, link: LinkType) -> Result<(), FilterError> {
        eval::check_link(&self.root, link, &self.text)
    }

    /// True when tcpdump would accept this frame.
    pub fn matches(&self, frame: &FrameRecord) -> bool {
        eval::matches(&self.root, frame)
    }

    /// The expression as a classic BPF program for a live socket of this
    /// link type, meaning what `matches` means; `None` when the kernel's
    /// view of the packet would change the answer (then filter in user
    /// space).
    pub fn compile_bpf(&self, link: LinkType) -> Option<Vec<bpf::Insn>> {
        bpf::compile(&self.root, link)
    }
}
