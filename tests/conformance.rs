//! Conformance with Wireshark: decode every capture in the shared corpus and
//! compare our `--fields` values, field by field, with the tshark oracle:
//! with IP reassembly on (our default and tshark's) against
//! `../shared/corpus/oracle/`, and with it off against `oracle-nodefrag/`
//! where reassembly changed tshark's answer (`oracle/` elsewhere).
//!
//! Deliberate disagreements are listed in `tests/conformance-differences.txt`
//! (`file<TAB>frame<TAB>field<TAB>reason`); any other disagreement fails.

mod common;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};
use wirepeek::decode::{Detail, Dissection, decode};
use wirepeek::output::fields::{FieldColumns, Occurrence};
use wirepeek::pipeline::{Reassembler, Reassembly, decode_frame};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    dir.join("MANIFEST.tsv").exists().then_some(dir)
}

struct Manifest {
    file: String,
    malformed: bool,
}

fn manifest(dir: &Path) -> Vec<Manifest> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv is readable");
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .expect("MANIFEST has a header")
        .split('\t')
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .expect("MANIFEST column")
    };
    let (file_col, malformed_col) = (col("file"), col("malformed"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            Manifest {
                file: cells[file_col].to_string(),
                malformed: cells[malformed_col] == "yes",
            }
        })
        .collect()
}

fn allowed_differences() -> HashSet<(String, String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance-differences.txt");
    let text = std::fs::read_to_string(path).expect("tests/conformance-differences.txt exists");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            assert!(
                cells.len() >= 4,
                "each listed difference needs file, frame, field and a reason: {l}"
            );
            (
                cells[0].to_string(),
                cells[1].to_string(),
                cells[2].to_string(),
            )
        })
        .collect()
}

/// Our `--fields` rows for a file (IP reassembly on), plus whether it
/// opened at all.
fn our_rows(path: &Path, columns: &str) -> (Option<Vec<String>>, Option<String>) {
    our_rows_with(path, columns, true)
}

fn our_rows_with(
    path: &Path,
    columns: &str,
    defrag: bool,
) -> (Option<Vec<String>>, Option<String>) {
    let mut source = match FileSource::open(&path.to_string_lossy()) {
        Ok(s) => s,
        Err(e) => return (None, Some(e.to_string())),
    };
    let mut cols = FieldColumns::with_occurrence(columns, Occurrence::First);
    let mut rows = Vec::new();
    let mut table = Reassembler::new(if defrag {
        Reassembly::default()
    } else {
        Reassembly::Off
    });
    let mut d = Dissection::default();
    loop {
        match source
            .next_frame()
            .expect("reading a corpus file never fails with an I/O error")
        {
            Next::Frame(frame) => {
                decode_frame(&frame, Detail::Fields, &mut d, &mut table);
                let mut row = String::new();
                cols.write_row(&mut row, &frame, &d);
                rows.push(row.trim_end_matches('\n').to_string());
            }
            Next::Idle => {}
            Next::End { warning } => return (Some(rows), warning),
        }
    }
}

#[test]
fn every_corpus_field_agrees_with_tshark_or_is_listed() {
    compare_with_oracle(true);
}

#[test]
fn every_corpus_field_agrees_with_tshark_without_reassembly() {
    compare_with_oracle(false);
}

/// With reassembly (`defrag`) against `oracle/`; without, against
/// `oracle-nodefrag/` where it exists.
fn compare_with_oracle(defrag: bool) {
    let Some(dir) = corpus() else {
        common::skip("../shared/corpus is not beside the repository");
        return;
    };
    let allowed = allowed_differences();
    let (mut files, mut packets, mut compared, mut agreed) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for entry in manifest(&dir) {
        let nodefrag = dir
            .join("oracle-nodefrag")
            .join(format!("{}.tsv", entry.file));
        let oracle_path = if nodefrag.exists() && !defrag {
            nodefrag
        } else {
            dir.join("oracle").join(format!("{}.tsv", entry.file))
        };
        let oracle = std::fs::read_to_string(&oracle_path).expect("oracle exists");
        let mut oracle_lines = oracle.lines();
        let Some(header) = oracle_lines.next() else {
            // tshark refused the file: so must we, with a clear reason.
            let (rows, why) = our_rows(&dir.join("captures").join(&entry.file), "frame.number");
            assert!(
                rows.is_none(),
                "{}: tshark refuses this file but we read it",
                entry.file
            );
            let why = why.unwrap_or_default();
            assert!(!why.is_empty(), "{}: refused without a reason", entry.file);
            files += 1;
            continue;
        };
        let names: Vec<&str> = header.split('\t').collect();
        let (rows, warning) = our_rows_with(
            &dir.join("captures").join(&entry.file),
            &names.join(","),
            defrag,
        );
        let rows = rows.unwrap_or_else(|| {
            panic!("{}: we refuse a file tshark reads: {warning:?}", entry.file)
        });
        let expected: Vec<&str> = oracle_lines.collect();
        files += 1;
        if rows.len() != expected.len() {
            failures.push(format!(
                "{}: {} packets, tshark has {}",
                entry.file,
                rows.len(),
                expected.len()
            ));
        }
        for (ours, theirs) in rows.iter().zip(&expected) {
            packets += 1;
            let ours: Vec<&str> = ours.split('\t').collect();
            let theirs: Vec<&str> = theirs.split('\t').collect();
            for (i, name) in names.iter().enumerate() {
                let (a, b) = (
                    ours.get(i).copied().unwrap_or(""),
                    theirs.get(i).copied().unwrap_or(""),
                );
                compared += 1;
                if a == b {
                    agreed += 1;
                    continue;
                }
                let frame = theirs.first().copied().unwrap_or("?").to_string();
                if !allowed.contains(&(entry.file.clone(), frame.clone(), name.to_string())) {
                    failures.push(format!(
                        "{} frame {frame} {name}: ours {a:?}, tshark {b:?}",
                        entry.file
                    ));
                }
            }
        }
        if entry.malformed {
            // Malformed files must say why, per packet or for the file.
            let mut source =
                FileSource::open(&dir.join("captures").join(&entry.file).to_string_lossy())
                    .expect("tshark read it, so it opens");
            let mut explained = warning.is_some();
            while let Ok(Next::Frame(frame)) = source.next_frame() {
                explained |= !decode(&frame).notes.is_empty();
            }
            assert!(
                explained,
                "{}: malformed, but no note or warning says why",
                entry.file
            );
        }
    }
    println!(
        "conformance (reassembly {}): {files} files",
        if defrag { "on" } else { "off" }
    );
    println!(
        "conformance: {files} files, {packets} packets, {compared} fields compared, {agreed} agree ({:.3}%)",
        agreed as f64 * 100.0 / compared.max(1) as f64
    );
    assert!(
        files >= 60,
        "the corpus should have about 63 files, found {files}"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements with tshark:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_timestamps_agree_with_tshark_to_the_nanosecond() {
    let Some(dir) = corpus() else {
        common::skip("../shared/corpus is not beside the repository");
        return;
    };
    let mut compared = 0;
    for entry in manifest(&dir) {
        let oracle =
            std::fs::read_to_string(dir.join("oracle-time").join(format!("{}.tsv", entry.file)))
                .expect("time oracle exists");
        let mut lines = oracle.lines();
        if lines.next().is_none() {
            continue;
        }
        let (rows, _) = our_rows(
            &dir.join("captures").join(&entry.file),
            "frame.number,frame.time_epoch",
        );
        let Some(rows) = rows else { continue };
        for (ours, theirs) in rows.iter().zip(lines) {
            let theirs: Vec<&str> = theirs.split('\t').collect();
            let ours: Vec<&str> = ours.split('\t').collect();
            // tshark prints an invalid sub-second value unnormalised; we
            // carry it into the seconds, so compare as nanoseconds.
            let as_ns = |s: &str| -> Option<i128> {
                let (sec, frac) = s.split_once('.')?;
                let frac_ns: i128 = format!("{frac:0<9}").parse().ok()?;
                Some(sec.parse::<i128>().ok()? * 1_000_000_000 + frac_ns)
            };
            let expected = theirs.get(1).copied().unwrap_or("");
            let got = ours.get(1).copied().unwrap_or("");
            assert_eq!(
                as_ns(got),
                as_ns(expected),
                "{} frame {}: time {got:?}, tshark {expected:?}",
                entry.file,
                theirs[0]
            );
            compared += 1;
        }
    }
    println!("timestamps: {compared} packets compared");
    assert!(compared > 5000);
}
