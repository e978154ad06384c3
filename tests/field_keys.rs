//! Every field key the program emits is written as a string literal in
//! exactly one source file outside tests: the protocol file that declares
//! it with `fields!`. Everything else names a field through its definition
//! (`tcp::SRCPORT.key`), so a renamed or misspelt key does not compile.
//!
//! The keys come from the registry itself (`decode::field::all`); the
//! sources are read with comments and `#[cfg(test)]` items left out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Files of other areas that still write registry keys as literals, with
/// the key: each line must still match (a stale line fails), so none
/// outlives its cause. Remove a line when the file names the definition.
const KNOWN: &[(&str, &str)] = &[];

fn sources() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable").flatten() {
            let path = entry.path();
            // Test modules (`tests.rs`, `*_tests.rs`, a `tests/` folder) are
            // tests: they may name the keys they check.
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if name != "tests" {
                    dirs.push(path);
                }
            } else if name.ends_with(".rs") && name != "tests.rs" && !name.ends_with("_tests.rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The code of a source file without comments and without the items
/// marked `#[cfg(test)]` (a `mod tests { .. }` block, a helper function).
/// Strings keep their escapes; character literals (`'"'`, `b'\\'`)
/// become `'_'` so their quotes open no string.
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            rest = &rest[end..];
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(rest.len(), |i| i + 2);
            rest = &rest[end..];
        } else if let Some(after) = rest.strip_prefix("#[cfg(test)]") {
            rest = skip_item(after);
        } else if c == '"' {
            let len = string_len(rest);
            out.push_str(&rest[..len]);
            rest = &rest[len..];
        } else if let Some(len) = char_literal_len(rest) {
            // Never a key: a placeholder keeps its quote from opening a string.
            out.push_str("'_'");
            rest = &rest[len..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The length of the string literal at the start of `text` (quotes
/// included), escapes honoured.
fn string_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The length of a character literal at the start of `text` (`'x'`,
/// `'\\n'`, `'"'`), or None for a lifetime or anything else.
fn char_literal_len(text: &str) -> Option<usize> {
    let rest = text.strip_prefix('\'')?;
    if let Some(esc) = rest.strip_prefix('\\') {
        let close = esc.get(1..)?.find('\'')?;
        return Some(1 + 1 + 1 + close + 1);
    }
    let c = rest.chars().next()?;
    rest[c.len_utf8()..]
        .starts_with('\'')
        .then(|| 1 + c.len_utf8() + 1)
}

/// What follows the item at the start of `text`: up to its first `;` when
/// that comes before any `{`, else past the matching `}`. Braces inside
/// strings and character literals are not counted.
fn skip_item(text: &str) -> &str {
    let mut depth = 0usize;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next().unwrap_or(' ');
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        if c == '"' {
            i += string_len(rest);
            continue;
        }
        if let Some(len) = char_literal_len(rest) {
            i += len;
            continue;
        }
        match c {
            ';' if depth == 0 => return &text[i + 1..],
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &text[i + 1..];
                }
            }
            _ => {}
        }
        i += c.len_utf8();
    }
    ""
}

/// The string literals of a piece of code, without their quotes.
fn literals(code: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(open) = code[i..].find('"') {
        let at = i + open;
        let len = string_len(&code[at..]);
        found.push(&code[at + 1..(at + len).saturating_sub(1).max(at + 1)]);
        i = at + len;
    }
    found
}

#[test]
fn every_registry_key_is_a_literal_in_one_source_file() {
    let keys: Vec<&str> = wirepeek::decode::field::all().map(|f| f.key).collect();
    assert!(keys.len() > 200, "only {} keys declared", keys.len());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files_of: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for path in sources() {
        let text = std::fs::read_to_string(&path).expect("source is readable");
        let code = code(&text);
        let name = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let mut seen: Vec<&str> = literals(&code)
            .into_iter()
            .filter_map(|l| keys.iter().copied().find(|k| *k == l))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for key in seen {
            files_of.entry(key).or_default().push(name.clone());
        }
    }
    let mut known_seen = vec![false; KNOWN.len()];
    let mut bad = Vec::new();
    for key in &keys {
        let files = files_of.get(key).cloned().unwrap_or_default();
        if files.is_empty() {
            bad.push(format!("{key}: declared nowhere as a literal?"));
            continue;
        }
        if files.len() > 1 {
            let declaring = files
                .iter()
                .find(|f| f.starts_with("src/decode/"))
                .cloned()
                .unwrap_or_default();
            for file in files.iter().filter(|f| **f != declaring) {
                match KNOWN.iter().position(|(f, k)| f == file && k == key) {
                    Some(i) => known_seen[i] = true,
                    None => bad.push(format!("{key}: also a literal in {file}")),
                }
            }
        }
    }
    for (seen, (file, key)) in known_seen.iter().zip(KNOWN) {
        if !seen {
            bad.push(format!(
                "KNOWN lists {key} in {file}, which no longer happens: remove the line"
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_scanner_skips_comments_and_test_items() {
    let src = r#"
        // "ip.src" in a comment
        fn emit() { let k = "ip.dst"; }
        fn esc() { let a = "\\\\"; let q = '"'; let b = b'\\\\'; }
        #[cfg(test)]
        mod tests { fn t() { let s = "{"; let c = '}'; let k = "ip.ttl"; } }
        #[cfg(test)]
        use foo::bar;
        fn after() { "ip.len" }
    "#;
    let code = code(src);
    assert_eq!(literals(&code), vec!["ip.dst", r"\\\\", "ip.len"]);
}
