#![allow(dead_code)] // each test binary uses a different part of this module
//! What the differential tests against tshark share: where the corpus is,
//! whether tshark is here, how tshark is run (reassembly on, sequence
//! analysis on, first occurrence of each field), and reading our NDJSON.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `../shared/corpus/captures`, if this checkout has it beside it.
pub fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/captures");
    dir.is_dir().then_some(dir)
}

/// The corpus directory when it and tshark are both here; otherwise says
/// which is missing (the test then skips).
pub fn corpus_and_tshark() -> Option<PathBuf> {
    let Some(dir) = corpus() else {
        skip("corpus ../shared/corpus/captures not found");
        return None;
    };
    if !tshark_present() {
        skip("tshark is not installed");
        return None;
    }
    Some(dir)
}

pub fn tshark_present() -> bool {
    Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `tshark -r FILE -T fields -e FIELD…` with IP reassembly on (tshark's
/// default and wirepeek's) and TCP sequence analysis on, one value per
/// field (`occurrence=f`); more arguments (statistics, more fields) may
/// follow.
pub fn tshark_fields(file: &Path, fields: &[&str]) -> Command {
    let mut command = Command::new("tshark");
    command.args(["-n", "-r"]).arg(file).args([
        "-o",
        "tcp.analyze_sequence_numbers:TRUE",
        "-T",
        "fields",
        "-E",
        "occurrence=f",
    ]);
    for field in fields {
        command.args(["-e", field]);
    }
    command
}

/// A value of a flat JSON object (our own NDJSON: no nesting, no commas in
/// values).
pub fn json_value<'a>(line: &'a str, key: &str) -> &'a str {
    let pat = format!("\"{key}\":");
    let start = line
        .find(&pat)
        .map(|i| i + pat.len())
        .unwrap_or_else(|| panic!("no {key} in {line}"));
    let rest = &line[start..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim_matches('"')
}

/// Say why this test skips, in one line, and record it so that `.ci/run`
/// counts it as skipped rather than passed (libtest has no run-time skip).
/// The caller returns right after.
pub fn skip(reason: &str) {
    use std::io::Write;
    eprintln!("skipped: {reason}");
    let test = std::thread::current()
        .name()
        .unwrap_or("unnamed test")
        .to_string();
    let binary = std::env::args()
        .next()
        .and_then(|arg0| {
            Path::new(&arg0)
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_default();
    let binary = binary
        .rsplit_once('-')
        .map_or(binary.as_str(), |(name, _hash)| name);
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join("skipped.log");
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
    {
        // One write per line, so lines from parallel tests never interleave.
        let _ = file.write_all(format!("{binary}::{test}: {reason}\n").as_bytes());
    }
}

/// True as root; otherwise records the skip with `reason`.
pub fn root_or_skip(reason: &str) -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() == 0 };
    if !root {
        skip(reason);
    }
    root
}

/// The first line a child writes to `out` (at most 200 bytes), read a byte
/// at a time so nothing after it is taken: an echo server's
/// `listening on tcp ADDR` banner.
pub fn first_line(out: &mut impl std::io::Read) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\n") && line.len() < 200 {
        if out.read(&mut byte).expect("read the first line") == 0 {
            break;
        }
        line.push(byte[0]);
    }
    String::from_utf8(line).expect("a UTF-8 line")
}
