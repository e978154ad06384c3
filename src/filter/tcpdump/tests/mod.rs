//! Unit tests of the tcpdump stages: expressions to printed trees and to
//! errors (column and message), and evaluation over literal frames of every
//! link type the evaluator knows.

mod eval_frames;
mod parse_table;

use super::TcpdumpFilter;

/// The printed tree of an expression that must parse.
fn tree(expr: &str) -> String {
    match TcpdumpFilter::parse(expr) {
        Ok(f) => f.root.to_string(),
        Err(e) => panic!("`{expr}` does not parse: {e}"),
    }
}
