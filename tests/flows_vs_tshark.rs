//! Differential test: `wirepeek flows --json` against `tshark -z conv,tcp -z
//! conv,udp` (IP reassembly off), and `wirepeek read --fields
//! frame.number,tcp.stream,tcp.seq,tcp.ack,udp.stream` against tshark's
//! fields, on every capture in `../shared/corpus/captures/` that tshark can
//! read. One tshark run per file prints both the fields and the tables.
//!
//! Compared per conversation: protocol, endpoint A (the first packet's
//! sender) and B, frames in each direction, and bytes in each direction
//! (exactly from tshark's per-frame `frame.len` summed by stream; and
//! against the conversation table's own figure, which tshark 4.0 rounds
//! down to kB/MB above 10,000 bytes). Deliberate differences are listed,
//! with a reason each, in `tests/flows_vs_tshark_differences.tsv`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{corpus_and_tshark, json_value, tshark_fields};

const DIFFERENCES: &str = include_str!("flows_vs_tshark_differences.tsv");

/// One conversation, as either tool reports it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Conv {
    proto: String,
    a: String,
    b: String,
    frames: [u64; 2],
}

/// tshark prints IPv6 endpoints as `addr:port`; we print `[addr]:port`.
fn unbracket(s: &str) -> String {
    s.replace(['[', ']'], "")
}

/// Our flows: (conversation, stream index, bytes per direction).
fn ours(file: &Path) -> Vec<(Conv, u64, [u64; 2])> {
    let out = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args(["flows", "--json", "--sort", "stream"])
        .arg(file)
        .output()
        .expect("run wirepeek flows");
    assert!(
        out.status.success(),
        "wirepeek flows failed on {}",
        file.display()
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .filter(|l| matches!(json_value(l, "proto"), "tcp" | "udp"))
        .map(|l| {
            let n = |k| json_value(l, k).parse::<u64>().expect("number");
            (
                Conv {
                    proto: json_value(l, "proto").to_string(),
                    a: unbracket(json_value(l, "a")),
                    b: unbracket(json_value(l, "b")),
                    frames: [n("packets_a_to_b"), n("packets_b_to_a")],
                },
                n("stream"),
                [n("bytes_a_to_b"), n("bytes_b_to_a")],
            )
        })
        .collect()
}

/// tshark's byte cell: exact for `N bytes`, else a floor in kB or MB.
fn bytes_cell_matches(value: &str, unit: &str, ours: u64) -> bool {
    let v: u64 = value.parse().unwrap_or(u64::MAX);
    match unit {
        "bytes" => v == ours,
        "kB" => ours / 1000 == v,
        "MB" => ours / 1_000_000 == v,
        _ => false,
    }
}

/// A conversation line of `-z conv,…`: the conversation and the byte cells
/// `(value, unit)` B→A then A→B.
fn parse_conv_line(proto: &str, line: &str) -> (Conv, [(String, String); 2]) {
    let t: Vec<&str> = line.split_whitespace().collect();
    // A <-> B  fr_ba by_ba unit  fr_ab by_ab unit  total… start duration
    assert!(
        t.len() >= 9 && t[1] == "<->",
        "unexpected tshark line: {line}"
    );
    let conv = Conv {
        proto: proto.to_string(),
        a: t[0].to_string(),
        b: t[2].to_string(),
        frames: [t[6].parse().expect("frames"), t[3].parse().expect("frames")],
    };
    (
        conv,
        [
            (t[4].to_string(), t[5].to_string()),
            (t[7].to_string(), t[8].to_string()),
        ],
    )
}

struct Tshark {
    /// Per frame: number, len, tcp.stream, tcp.seq, tcp.ack, udp.stream,
    /// tcp.srcport, udp.srcport, ip.src, ipv6.src.
    rows: Vec<Vec<String>>,
    convs: Vec<(Conv, [(String, String); 2])>,
}

fn tshark(file: &Path) -> Option<Tshark> {
    let out = tshark_fields(
        file,
        &[
            "frame.number",
            "frame.len",
            "tcp.stream",
            "tcp.seq",
            "tcp.ack",
            "udp.stream",
            "tcp.srcport",
            "udp.srcport",
            "ip.src",
            "ipv6.src",
        ],
    )
    .args(["-z", "conv,tcp", "-z", "conv,udp"])
    .output()
    .expect("run tshark");
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut rows = Vec::new();
    let mut convs = Vec::new();
    let mut section: Option<&str> = None;
    let mut in_tables = false;
    for line in text.lines() {
        if line.starts_with("=====") {
            in_tables = true;
            continue;
        }
        if !in_tables {
            rows.push(line.split('\t').map(str::to_string).collect());
        } else if line.starts_with("TCP Conversations") {
            section = Some("tcp");
        } else if line.starts_with("UDP Conversations") {
            section = Some("udp");
        } else if line.contains(" <-> ")
            && let Some(proto) = section
        {
            convs.push(parse_conv_line(proto, line));
        }
    }
    Some(Tshark { rows, convs })
}

/// Listed (file, frame) pairs whose flow fields differ on purpose.
fn listed() -> BTreeSet<(String, String)> {
    DIFFERENCES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut c = l.split('\t');
            let file = c.next().unwrap_or_default().to_string();
            let frame = c.next().unwrap_or_default().to_string();
            assert!(
                c.nth(1).is_some_and(|reason| !reason.trim().is_empty()),
                "every listed difference needs a reason: {l}"
            );
            (file, frame)
        })
        .collect()
}

#[test]
fn flows_and_stream_fields_agree_with_tshark_on_the_corpus() {
    let Some(dir) = corpus_and_tshark() else {
        return;
    };
    let listed = listed();
    let mut used_listed = BTreeSet::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let (mut compared, mut convs_matched, mut frames_compared, mut exact_compared) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let Some(ts) = tshark(file) else {
            eprintln!("{name}: skipped, tshark cannot read it");
            continue;
        };
        compared += 1;
        let our_flows = ours(file);

        // 1. The conversation tables.
        let mut theirs: Vec<Conv> = ts.convs.iter().map(|(c, _)| c.clone()).collect();
        let mut mine: Vec<Conv> = our_flows.iter().map(|(c, _, _)| c.clone()).collect();
        theirs.sort();
        mine.sort();
        if theirs != mine {
            failures.push(format!(
                "{name}: conversations differ\n  tshark: {theirs:?}\n  ours:   {mine:?}"
            ));
            continue;
        }
        convs_matched += theirs.len();
        for (conv, cells) in &ts.convs {
            let bytes = our_flows
                .iter()
                .filter(|(c, _, _)| c == conv)
                .map(|(_, _, b)| *b)
                .collect::<Vec<_>>();
            let ok = bytes.iter().any(|b| {
                bytes_cell_matches(&cells[1].0, &cells[1].1, b[0])
                    && bytes_cell_matches(&cells[0].0, &cells[0].1, b[1])
            });
            if !ok {
                failures.push(format!(
                    "{name}: bytes of {conv:?}: tshark {cells:?}, ours {bytes:?}"
                ));
            }
        }

        // 2. Per-frame stream index and relative numbers.
        let out = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
            .args([
                "read",
                "--fields",
                "frame.number,tcp.stream,tcp.seq,tcp.ack,udp.stream",
            ])
            .arg(file)
            .output()
            .expect("run wirepeek read");
        let text = String::from_utf8_lossy(&out.stdout);
        let our_rows: BTreeMap<String, String> = text
            .lines()
            .skip(1)
            .map(|l| {
                (
                    l.split('\t').next().unwrap_or_default().to_string(),
                    l.to_string(),
                )
            })
            .collect();
        // Exact bytes per (proto, stream, direction), from tshark's frames.
        // Frames tshark tracks but leaves out of its conversation table (a
        // header the capture cut) make the sums differ; there the frame
        // counts differ too, and the table comparison above governs.
        let mut exact: BTreeMap<(String, String), ([u64; 2], [u64; 2])> = BTreeMap::new();
        for row in &ts.rows {
            let cell = |i: usize| row.get(i).map_or("", String::as_str);
            let frame = cell(0).to_string();
            if listed.contains(&(name.clone(), frame.clone())) {
                used_listed.insert((name.clone(), frame.clone()));
                continue;
            }
            frames_compared += 1;
            let want = [cell(0), cell(2), cell(3), cell(4), cell(5)].join("\t");
            let got = our_rows.get(&frame).cloned().unwrap_or_default();
            if want != got {
                failures.push(format!(
                    "{name} frame {frame}: tshark {want:?}, ours {got:?}"
                ));
            }
            let (proto, stream, port) = if !cell(2).is_empty() {
                ("tcp", cell(2), cell(6))
            } else if !cell(5).is_empty() {
                ("udp", cell(5), cell(7))
            } else {
                continue;
            };
            let Some((conv, _, _)) = our_flows
                .iter()
                .find(|(c, s, _)| c.proto == proto && s.to_string() == stream)
            else {
                continue;
            };
            let src_ip = if cell(8).is_empty() { cell(9) } else { cell(8) };
            let a_port = conv.a.rsplit(':').next().unwrap_or_default();
            let b_port = conv.b.rsplit(':').next().unwrap_or_default();
            let from_a = if a_port != b_port {
                port == a_port
            } else {
                conv.a.rsplit_once(':').map(|x| x.0) == Some(src_ip)
            };
            let len: u64 = cell(1).parse().unwrap_or(0);
            let e = exact
                .entry((proto.to_string(), stream.to_string()))
                .or_default();
            e.0[usize::from(!from_a)] += 1;
            e.1[usize::from(!from_a)] += len;
        }
        for (conv, stream, bytes) in &our_flows {
            if let Some((frames, want)) = exact.get(&(conv.proto.clone(), stream.to_string()))
                && *frames == conv.frames
            {
                exact_compared += 1;
                if want == bytes {
                    continue;
                }
                failures.push(format!(
                    "{name}: {} stream {stream} bytes A→B, B→A: tshark frames sum to {want:?}, ours {bytes:?}",
                    conv.proto
                ));
            }
        }
    }
    let stale: Vec<_> = listed.difference(&used_listed).collect();
    eprintln!(
        "compared {compared} files: {convs_matched} conversations matched ({exact_compared} with exact per-frame byte sums), {frames_compared} frames' stream fields compared, {} listed differences",
        used_listed.len()
    );
    assert!(
        stale.is_empty(),
        "listed differences no longer seen (remove them): {stale:?}"
    );
    assert!(compared > 0, "no capture could be compared");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_kilobyte_cell_is_compared_as_tshark_rounds_it() {
    assert!(bytes_cell_matches("517", "kB", 517_920));
    assert!(!bytes_cell_matches("518", "kB", 517_920));
    assert!(bytes_cell_matches("9156", "bytes", 9156));
}
