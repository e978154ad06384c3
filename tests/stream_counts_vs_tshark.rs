//! `flows` and `read --stats` count, per TCP conversation and direction,
//! the bytes a reader got in order and the bytes missing from the capture.
//! The oracle is tshark's follow: the bytes of its `raw` chunks and the N
//! of its "[N bytes missing in capture file]" marks, for every TCP stream
//! of every crafted capture in tests/fixtures/streams and of the corpus.
//! The gap fixture's numbers are also checked against how make.py builds
//! it, without tshark.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Per stream: (node 0 endpoint, [delivered, missing] per node).
type Counts = BTreeMap<u32, (String, [[u64; 2]; 2])>;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/streams")
}

fn wirepeek(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args(args)
        .output()
        .expect("run wirepeek");
    assert!(
        out.status.success(),
        "wirepeek {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn number(line: &str, key: &str) -> u64 {
    common::json_value(line, key)
        .parse()
        .unwrap_or_else(|_| panic!("{key} in {line}"))
}

/// Ours, from `flows --json`: per TCP stream, A and its counts (none for a
/// file wirepeek refuses, as some corpus files are meant to be refused).
fn ours(file: &Path) -> Counts {
    let mut all = Counts::new();
    let out = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args(["flows", "--json"])
        .arg(file)
        .output()
        .expect("run wirepeek");
    if !out.status.success() {
        return all;
    }
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        if !line.contains("\"proto\":\"tcp\"") {
            continue;
        }
        let a = common::json_value(line, "a").trim_matches('"').to_string();
        let counts = [
            [
                number(line, "delivered_a_to_b"),
                number(line, "missing_a_to_b"),
            ],
            [
                number(line, "delivered_b_to_a"),
                number(line, "missing_b_to_a"),
            ],
        ];
        all.insert(number(line, "stream") as u32, (a, counts));
    }
    all
}

/// tshark's, from `-z follow,tcp,raw,N` for each stream in one run.
fn theirs(file: &Path, streams: impl Iterator<Item = u32>) -> Counts {
    let mut command = Command::new("tshark");
    command.args(["-n", "-q", "-r"]).arg(file);
    for n in streams {
        command.args(["-z", &format!("follow,tcp,raw,{n}")]);
    }
    let out = command.output().expect("run tshark");
    assert!(out.status.success(), "tshark on {}", file.display());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut all = Counts::new();
    let (mut stream, mut node0, mut counts) = (None, String::new(), [[0u64; 2]; 2]);
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("Filter: tcp.stream eq ") {
            stream = Some(n.trim().parse::<u32>().unwrap());
        } else if let Some(n) = line.strip_prefix("Node 0: ") {
            node0 = n.trim().to_string();
        } else if line.starts_with("Node 1: ") || line.starts_with("Follow: ") {
        } else if line.starts_with("====") {
            if let Some(s) = stream.take() {
                all.insert(s, (std::mem::take(&mut node0), counts));
                counts = [[0; 2]; 2];
            }
        } else if stream.is_some() {
            let side = usize::from(line.starts_with('\t'));
            let hex = line.trim_start_matches('\t');
            let bytes: Vec<u8> = (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            let chunk = String::from_utf8_lossy(&bytes);
            match chunk
                .strip_prefix('[')
                .and_then(|c| c.strip_suffix(" bytes missing in capture file]\0"))
            {
                Some(n) => counts[side][1] += n.parse::<u64>().unwrap(),
                None => counts[side][0] += bytes.len() as u64,
            }
        }
    }
    all
}

/// Ours against tshark's for one file; the streams that differ.
fn compare(file: &Path, compared: &mut usize) -> Vec<String> {
    let mine = ours(file);
    if mine.is_empty() {
        return Vec::new();
    }
    let tshark = theirs(file, mine.keys().rev().copied());
    let name = file.file_name().unwrap().to_string_lossy();
    let mut differ = Vec::new();
    for (stream, (a, counts)) in &mine {
        *compared += 1;
        let Some((node0, expect)) = tshark.get(stream) else {
            differ.push(format!("{name} stream {stream}: tshark has no follow"));
            continue;
        };
        // Our A is tshark's node 0 unless the two chose different first senders.
        let expect = if node0 == a {
            *expect
        } else {
            [expect[1], expect[0]]
        };
        if *counts != expect {
            differ.push(format!(
                "{name} stream {stream}: ours {counts:?}, tshark {expect:?} ([delivered, missing] A→B, B→A)"
            ));
        }
    }
    differ
}

fn pcaps(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    files.sort();
    files
}

#[test]
fn a_gap_is_counted_as_make_py_built_it() {
    // make.py: the client sends "before " (7) and "after" (5) with 10 bytes
    // left out between them, which the server acknowledges; it answers
    // "reply" (5).
    let file = fixtures().join("gap.pcap");
    let got = ours(&file);
    assert_eq!(got[&0].1, [[12, 10], [5, 0]]);
    let out = wirepeek(&["read", "--stats", file.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("TCP streams:    17 bytes delivered in order, 10 bytes missing"),
        "{text}"
    );
}

#[test]
fn without_reassembly_no_stream_counts_are_claimed() {
    let file = fixtures().join("gap.pcap");
    let file = file.to_str().unwrap();
    let json = wirepeek(&["flows", "--json", "--no-reassembly", file]);
    assert!(!String::from_utf8_lossy(&json.stdout).contains("delivered_a_to_b"));
    let table = wirepeek(&["flows", "--no-reassembly", file]);
    assert!(!String::from_utf8_lossy(&table.stdout).contains("Miss A→B"));
    let stats = wirepeek(&["read", "--stats", "--no-reassembly", file]);
    assert!(!String::from_utf8_lossy(&stats.stdout).contains("TCP streams:"));
}

#[test]
fn crafted_stream_counts_match_tshark_follow() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let (mut compared, mut differ) = (0, Vec::new());
    for file in pcaps(&fixtures()) {
        differ.extend(compare(&file, &mut compared));
    }
    eprintln!(
        "crafted: {} of {compared} TCP streams agree",
        compared - differ.len()
    );
    assert!(compared >= 10, "only {compared} streams");
    assert!(differ.is_empty(), "{differ:#?}");
}

#[test]
fn corpus_stream_counts_match_tshark_follow() {
    let Some(dir) = common::corpus_and_tshark() else {
        return;
    };
    let (mut compared, mut differ) = (0, Vec::new());
    for file in pcaps(&dir) {
        differ.extend(compare(&file, &mut compared));
    }
    eprintln!(
        "corpus: {} of {compared} TCP streams agree",
        compared - differ.len()
    );
    assert!(differ.is_empty(), "{differ:#?}");
}
