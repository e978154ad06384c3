//! The module table in DESIGN.md, for the TUI's two modules: `app` is the
//! model (no terminal, no I/O, no capture or output code) and `tui` gets
//! frames as messages (no pnet, no pcap-file).

use std::path::Path;

fn uses_in(dir: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the module directory exists") {
        let path = entry.expect("a directory entry").path();
        let text = std::fs::read_to_string(&path).expect("a readable source file");
        for line in text.lines().map(str::trim) {
            if line.starts_with("use ") || line.starts_with("pub use ") || line.contains("crate::")
            {
                found.push((path.display().to_string(), line.to_string()));
            }
        }
    }
    assert!(!found.is_empty(), "no use lines found in {}", dir.display());
    found
}

fn assert_none(dir: &str, forbidden: &[&str]) {
    for (file, line) in uses_in(dir) {
        for f in forbidden {
            assert!(!line.contains(f), "{file} must not use {f}: {line}");
        }
    }
}

#[test]
fn the_app_model_imports_no_terminal_capture_or_output_code() {
    assert_none(
        "app",
        &[
            "ratatui",
            "crossterm",
            "pnet",
            "pcap_file",
            "crate::tui",
            "crate::capture",
            "crate::output",
            "std::fs",
            "std::net",
        ],
    );
}

#[test]
fn the_tui_gets_frames_as_messages_not_from_capture_libraries() {
    assert_none("tui", &["pnet", "pcap_file"]);
}
