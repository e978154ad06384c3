//! The module table of `../shared/DESIGN.md`, checked: every `crate::x`
//! path in a module's source (in `use` lines or written out in code) must
//! name a module the table lets it use, and no module may name a library
//! the table keeps from it (`ratatui::`, `pnet::`, ...). Comments are not
//! code and are skipped. When DESIGN.md is beside the checkout, every
//! module its tables name must have a row here, so the two stay in step.
//!
//! Modules not yet written (`stream`, `export`) are checked once they
//! appear. The top-level glue (`main`, `lib`, `run`, `demo`) may use
//! anything and has no row.

use std::path::{Path, PathBuf};

/// One row: the module (a directory or a file under `src/`), the crate
/// modules it may use besides itself, the libraries and paths it must not
/// name.
struct Rule {
    module: &'static str,
    may_use: &'static [&'static str],
    must_not_name: &'static [&'static str],
}

const MODELS: &[&str] = &["frame", "decode", "flow", "filter", "teach"];

const RULES: &[Rule] = &[
    Rule {
        module: "frame",
        may_use: &[],
        must_not_name: &["pnet", "pcap_file", "etherparse", "ratatui", "crossterm"],
    },
    Rule {
        module: "decode",
        may_use: &["frame"],
        must_not_name: &["pnet", "pcap_file", "ratatui", "crossterm"],
    },
    Rule {
        module: "flow",
        may_use: &["frame", "decode"],
        must_not_name: &["pnet", "pcap_file", "ratatui", "crossterm"],
    },
    Rule {
        module: "filter",
        may_use: &["frame", "decode"],
        must_not_name: &["pnet", "pcap_file", "ratatui", "crossterm"],
    },
    Rule {
        module: "teach",
        may_use: &["frame", "decode"],
        must_not_name: &["pnet", "pcap_file", "ratatui", "crossterm"],
    },
    Rule {
        module: "capture",
        may_use: &["frame", "error"],
        must_not_name: &["ratatui", "crossterm", "etherparse"],
    },
    Rule {
        module: "output",
        may_use: &["frame", "decode", "flow", "filter", "teach"],
        must_not_name: &["ratatui", "crossterm", "pnet", "pcap_file"],
    },
    Rule {
        module: "app",
        // `stream` for the reassembler its first look decodes through.
        may_use: &["frame", "decode", "flow", "stream", "filter", "teach"],
        // The model does no I/O at all.
        must_not_name: &[
            "ratatui",
            "crossterm",
            "pnet",
            "pcap_file",
            "std::fs",
            "std::net",
        ],
    },
    Rule {
        // "app and the models", the capture sources and writer (through
        // `FrameSource`s; frames arrive as messages), the pipeline that
        // runs them, its own command line, errors and the printers' text
        // helpers; never `run`.
        module: "tui",
        may_use: &[
            "app", "frame", "decode", "flow", "filter", "teach", "capture", "pipeline", "cli",
            "error", "output",
        ],
        must_not_name: &["pnet", "pcap_file"],
    },
    Rule {
        module: "echo",
        may_use: &[],
        must_not_name: &["pnet", "pcap_file", "ratatui", "crossterm"],
    },
    Rule {
        module: "stream",
        may_use: &["frame", "decode", "flow"],
        must_not_name: &["pnet", "pcap_file", "ratatui", "crossterm"],
    },
    Rule {
        // A sink of the pipeline (as the printers and the capture writer
        // are): it opens its inputs, runs them through the pipeline and
        // writes values as `read --fields` prints them.
        module: "export",
        may_use: &[
            "frame", "decode", "flow", "stream", "filter", "capture", "pipeline", "output", "error",
        ],
        must_not_name: &["ratatui", "crossterm", "pnet", "pcap_file"],
    },
    Rule {
        // The frame pipeline: source → filter → decode → reassemble/annotate → sink.
        module: "pipeline",
        may_use: &[
            "frame", "capture", "decode", "flow", "stream", "filter", "output", "teach", "error",
        ],
        must_not_name: &["ratatui", "crossterm", "pnet", "pcap_file"],
    },
    Rule {
        // Argument structs: the echo tool's own subcommands.
        module: "cli",
        may_use: &["echo"],
        must_not_name: &["pnet", "pcap_file", "ratatui", "crossterm"],
    },
    Rule {
        module: "error",
        may_use: &["capture"],
        must_not_name: &["pnet", "pcap_file", "ratatui", "crossterm"],
    },
];

/// Known breaks of the table, each with the path that breaks it. Remove a
/// line when its cause is fixed; a line that no longer matches anything
/// fails the test, so none outlives its cause.
const KNOWN: &[(&str, &str)] = &[];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The module's source files: `src/NAME.rs` and everything under
/// `src/NAME/`.
fn files(module: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let file = src().join(format!("{module}.rs"));
    if file.is_file() {
        found.push(file);
    }
    let mut dirs = vec![src().join(module)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The code of a source file, comments blanked out (line comments, doc
/// comments and block comments).
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut in_string = false;
    while let Some(c) = rest.chars().next() {
        if !in_string && rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            rest = &rest[end..];
            continue;
        }
        if !in_string && rest.starts_with("/*") {
            let end = rest.find("*/").map_or(rest.len(), |i| i + 2);
            rest = &rest[end..];
            continue;
        }
        if c == '"' && !out.ends_with('\\') && !out.ends_with('\'') {
            in_string = !in_string;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Whether `name` appears in `code` as a path start: `name::`, not
/// preceded by an identifier character or `::` (so `std::fs` in
/// `my_std::fs` or `x::pnet::` does not count).
fn names(code: &str, name: &str) -> Option<usize> {
    let needle = if name.contains("::") {
        name.to_string()
    } else {
        format!("{name}::")
    };
    let mut from = 0;
    while let Some(i) = code[from..].find(&needle) {
        let at = from + i;
        let before = code[..at].chars().next_back();
        let path_start = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':'));
        if path_start {
            return Some(at);
        }
        from = at + needle.len();
    }
    None
}

/// Every crate module a piece of code names: `crate::x` paths, and the
/// first segment of each item in `crate::{x::.., y}` groups.
fn crate_modules(code: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find("crate::") {
        let at = from + i;
        from = at + "crate::".len();
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue; // `$crate::` or `other_crate::`
        }
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let first = item.trim().split("::").next().unwrap_or("").trim();
                if !first.is_empty() {
                    found.push((first.to_string(), at));
                }
            }
            continue;
        }
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // `crate::fields!` is a macro exported at the root, not a module.
        if rest[ident.len()..].starts_with('!') {
            continue;
        }
        found.push((ident, at));
    }
    found
}

fn line_of(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    text[start..end].trim()
}

#[test]
fn every_module_uses_only_what_the_design_table_allows() {
    let mut broken = Vec::new();
    let mut known_seen = vec![false; KNOWN.len()];
    let mut checked = 0;
    for rule in RULES {
        for path in files(rule.module) {
            checked += 1;
            let text = std::fs::read_to_string(&path).expect("a readable source file");
            let code = code(&text);
            let file = path.strip_prefix(src()).unwrap_or(&path).display();
            for (module, at) in crate_modules(&code) {
                let allowed = module == rule.module || rule.may_use.contains(&module.as_str());
                if allowed {
                    continue;
                }
                let known = KNOWN.iter().position(|(m, p)| {
                    *m == rule.module && code[at..].starts_with(p) && module == p["crate::".len()..]
                });
                match known {
                    Some(k) => known_seen[k] = true,
                    None => broken.push(format!(
                        "src/{file}: {} must not use crate::{module}: {}",
                        rule.module,
                        line_of(&code, at)
                    )),
                }
            }
            for name in rule.must_not_name {
                if let Some(at) = names(&code, name) {
                    broken.push(format!(
                        "src/{file}: {} must not name {name}: {}",
                        rule.module,
                        line_of(&code, at)
                    ));
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} source files found");
    for (seen, (module, path)) in known_seen.iter().zip(KNOWN) {
        assert!(
            seen,
            "KNOWN lists {module} → {path}, which no longer happens: remove the line"
        );
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_models_modules_exist_and_are_checked() {
    for module in MODELS
        .iter()
        .chain(&["capture", "output", "app", "tui", "echo", "pipeline"])
    {
        assert!(
            !files(module).is_empty(),
            "src/{module} has no source files: the table checks nothing"
        );
    }
}

#[test]
fn every_module_in_design_md_has_a_rule() {
    let design = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/DESIGN.md");
    let Ok(text) = std::fs::read_to_string(&design) else {
        eprintln!("skipped: ../shared/DESIGN.md is not beside this checkout");
        return;
    };
    let mut named = Vec::new();
    for line in text.lines() {
        // `| `flow`, `filter`, `teach` | may use | must not use |`
        let Some(first) = line.strip_prefix('|').and_then(|l| l.split('|').next()) else {
            continue;
        };
        for part in first.split(',') {
            let part = part.trim();
            if let Some(name) = part.strip_prefix('`').and_then(|p| p.strip_suffix('`')) {
                named.push(name.split_whitespace().next().unwrap_or(name).to_string());
            }
        }
    }
    assert!(named.len() >= 10, "DESIGN.md's tables name {named:?}");
    for name in named {
        assert!(
            RULES.iter().any(|r| r.module == name),
            "DESIGN.md's table has `{name}`, tests/architecture.rs has no rule for it"
        );
    }
}

/// The checker itself: a path it must catch, and comments it must not.
#[test]
fn the_checker_finds_paths_in_code_and_skips_comments() {
    let text = "//! crate::tui in a doc comment\nuse crate::{frame::X, run::y};\nfn f() { crate::output::z(); } /* crate::app */\nlet s = \"crate::echo\";";
    let code = code(text);
    let found: Vec<String> = crate_modules(&code).into_iter().map(|(m, _)| m).collect();
    assert!(found.contains(&"frame".to_string()), "{found:?}");
    assert!(found.contains(&"run".to_string()), "{found:?}");
    assert!(found.contains(&"output".to_string()), "{found:?}");
    assert!(!found.contains(&"tui".to_string()), "{found:?}");
    assert!(!found.contains(&"app".to_string()), "{found:?}");
    assert!(names("use ratatui::Frame;", "ratatui").is_some());
    assert!(names("use my_ratatui::Frame;", "ratatui").is_none());
    assert!(names("let f = std::fs::read(p);", "std::fs").is_some());
}
