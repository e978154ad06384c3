//! Every field key wirepeek emits, against `tshark -T fields`, on every
//! file of `../shared/corpus` and of `../shared/corpus-app` (each skipped
//! with a line when absent): the keys are taken from our own `read --json`
//! (not a fixed list), plus the frame columns `--fields` works out itself;
//! tshark runs once per file per occurrence mode (`f` and `a`) with IP
//! reassembly on, its default and ours; the files whose answers reassembly
//! changes (those with an `oracle-nodefrag/` answer) are compared a second
//! time with `--no-reassembly` against tshark with `ip.defragment` off. A
//! cell is compared when either side has a value. Deliberate differences
//! are listed in `tests/conformance-differences.txt` with a reason each;
//! any other difference fails, so does a key tshark does not know, and so
//! does a listed difference no cell needs any more.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Columns `--fields` computes from the frames, not in `--json`'s layers.
const COMPUTED: &[&str] = &[
    "frame.number",
    "frame.len",
    "frame.cap_len",
    "frame.time_epoch",
    "frame.time_relative",
    "frame.time_delta",
    "frame.time_delta_displayed",
    "frame.protocols",
    "frame.interface_id",
];

/// A listed difference: file (`*` any), frames (`*` any; a comma-separated
/// list of numbers; `undecoded` where tshark dissects bytes wirepeek shows
/// as data, see `undecoded`; `pcap` in a classic pcap file, which has no
/// interface blocks), field keys (comma-separated; one ending in `*` stands
/// for every key it begins).
struct Rule {
    /// The line of the list it is on (for EVERY_FIELD_DUMP and stale rules).
    line: usize,
    file: String,
    frames: Vec<String>,
    keys: Vec<String>,
}

impl Rule {
    fn key(&self, key: &str) -> bool {
        self.keys.iter().any(|k| match k.strip_suffix('*') {
            Some(prefix) => key.starts_with(prefix),
            None => k == key,
        })
    }

    /// Whether it lists `key` for every frame of every file (a key tshark
    /// does not know may be emitted only so).
    fn everywhere(&self, key: &str) -> bool {
        self.file == "*" && self.frames == ["*"] && self.key(key)
    }

    fn lists(&self, file: &str, frame: &str, key: &str, undecoded: bool, pcap: bool) -> bool {
        self.key(key)
            && (self.file == "*" || self.file == file)
            && self.frames.iter().any(|f| {
                f == "*" || f == frame || (f == "undecoded" && undecoded) || (f == "pcap" && pcap)
            })
    }
}

fn rules() -> Vec<Rule> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance-differences.txt");
    let text = std::fs::read_to_string(path).expect("tests/conformance-differences.txt exists");
    let list = |cell: &str| cell.split(',').map(|c| c.trim().to_string()).collect();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(n, l)| {
            let cells: Vec<&str> = l.split('\t').collect();
            assert!(
                cells.len() >= 4 && !cells[3].trim().is_empty(),
                "each listed difference needs file, frames, fields and a reason: {l}"
            );
            Rule {
                line: n + 1,
                file: cells[0].to_string(),
                frames: list(cells[1]),
                keys: list(cells[2]),
            }
        })
        .collect()
}

/// Every field key tshark knows (`tshark -G fields`).
fn tshark_keys() -> HashSet<String> {
    let out = Command::new("tshark")
        .args(["-G", "fields"])
        .output()
        .expect("tshark runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut cells = l.split('\t');
            (cells.next() == Some("F")).then(|| cells.nth(1).map(str::to_string))?
        })
        .collect()
}

fn wirepeek(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args(args)
        .output()
        .expect("wirepeek runs")
}

/// The field keys of our `--json` for a file, in order of first appearance.
fn json_keys(file: &str, defrag: bool) -> Option<Vec<String>> {
    let mut args = vec!["read", file, "--json"];
    if !defrag {
        args.push("--no-reassembly");
    }
    let out = wirepeek(&args);
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut seen = HashSet::new();
    let mut keys = Vec::new();
    let pat = "\"key\":\"";
    for line in text.lines() {
        let mut rest = line;
        while let Some(i) = rest.find(pat) {
            rest = &rest[i + pat.len()..];
            let end = rest.find('"').expect("a key string ends");
            let key = &rest[..end];
            if seen.insert(key.to_string()) {
                keys.push(key.to_string());
            }
        }
    }
    Some(keys)
}

/// Our `--fields` rows with occurrence `occ` ("a" is the default). Until the
/// command line has `--occurrence`, `f` takes the first of each cell's
/// comma-separated occurrences (no value we print contains a comma).
fn our_rows(file: &str, keys: &str, occ: &str, defrag: bool) -> Vec<String> {
    let mut args = vec!["read", file, "--fields", keys];
    if !defrag {
        args.push("--no-reassembly");
    }
    if occ != "a" {
        args.extend(["--occurrence", occ]);
    }
    let out = wirepeek(&args);
    let derived = !out.status.success()
        && String::from_utf8_lossy(&out.stderr).contains("--occurrence")
        && occ == "f";
    let out = if derived {
        wirepeek(&["read", file, "--fields", keys])
    } else {
        out
    };
    assert!(
        out.status.success(),
        "{file}: --fields failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .skip(1)
        .map(|row| {
            if !derived {
                return row.to_string();
            }
            row.split('\t')
                .map(|cell| cell.split(',').next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect()
}

fn tshark_rows(file: &Path, keys: &[&str], occ: &str, defrag: bool) -> Vec<String> {
    let mut command = Command::new("tshark");
    command.args(["-n", "-r"]).arg(file);
    if !defrag {
        command.args(["-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"]);
    }
    command.args([
        "-o",
        "tcp.analyze_sequence_numbers:TRUE",
        // TCP desegmentation on (tshark's default and ours: HTTP and DNS
        // messages over several segments), TLS records one segment at a
        // time, as the TLS decoder reads them.
        "-o",
        "tls.desegment_ssl_records:FALSE",
        "-o",
        "tls.desegment_ssl_application_data:FALSE",
        // wirepeek always verifies the IPv4 header checksum; tshark only
        // when asked (otherwise ip.checksum.status is 2, "unverified").
        "-o",
        "ip.check_checksum:TRUE",
        "-T",
        "fields",
        "-E",
    ]);
    command.arg(format!("occurrence={occ}"));
    for k in keys {
        command.args(["-e", k]);
    }
    let out = command.output().expect("tshark runs");
    assert!(
        out.status.success(),
        "{}: tshark refused: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn cell<'a>(v: &[&'a str], i: usize) -> &'a str {
    v.get(i).copied().unwrap_or("")
}

/// True where tshark dissects bytes that wirepeek shows as data: tshark's
/// `frame.protocols` goes on past ours into protocols we do not decode (ours
/// ends in `data` there), or stops at the transport where ours adds `data`
/// (tshark gave the bytes to the port's dissector, which declined them or
/// took them as a continuation, or its sequence analysis found a
/// retransmission: either way it shows them as `tcp.payload`, not data).
fn undecoded(ours: &str, theirs: &str) -> bool {
    let base = ours.strip_suffix(":data").unwrap_or(ours);
    let onward = ours != theirs && theirs.starts_with(&format!("{base}:"));
    let stops = ours.ends_with(":data")
        && base == theirs
        && (theirs.ends_with(":tcp") || theirs.ends_with(":udp"));
    onward || stops
}

#[derive(Default)]
struct Tally {
    frames: usize,
    cells: usize,
    agree: usize,
    listed: usize,
}

/// The two corpora: `../shared/corpus` (with its `oracle-nodefrag/`) and
/// `../shared/corpus-app`, each skipped with a line when absent.
fn corpora() -> Vec<(&'static str, PathBuf)> {
    let mut found = Vec::new();
    match common::corpus() {
        Some(dir) => found.push(("corpus", dir)),
        None => common::skip("corpus ../shared/corpus/captures not found"),
    }
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus-app/captures");
    if app.is_dir() {
        found.push(("corpus-app", app));
    } else {
        common::skip("corpus ../shared/corpus-app/captures not found");
    }
    found
}

#[test]
fn every_emitted_field_agrees_with_tshark_in_both_occurrence_modes() {
    let corpora = corpora();
    if corpora.is_empty() {
        return;
    }
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let known = tshark_keys();
    let rules = rules();
    let mut used = vec![false; rules.len()];
    let mut failures = Vec::new();
    // Unlisted differing cells per key; the first three of each are shown
    // (all of them with EVERY_FIELD_ALL set).
    let shown = if std::env::var_os("EVERY_FIELD_ALL").is_some() {
        usize::MAX
    } else {
        3
    };
    let mut unlisted: BTreeMap<String, usize> = BTreeMap::new();
    // Per key: cells compared, cells differing (listed or not).
    let mut by_key: BTreeMap<(&str, String), (usize, usize)> = BTreeMap::new();
    // Every differing cell, listed or not, to a file on request
    // (EVERY_FIELD_DUMP=PATH): file, frame, key, occurrence, ours, tshark's,
    // and the line of the rule that lists it.
    let mut dump = std::env::var_os("EVERY_FIELD_DUMP")
        .map(|p| std::fs::File::create(p).expect("the dump file can be created"));
    let mut summary = Vec::new();
    let mut counts = BTreeMap::new();
    for (name, dir) in &corpora {
        let started = std::time::Instant::now();
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("corpus directory lists")
            .map(|e| e.expect("corpus entry").path())
            .collect();
        files.sort();
        let mut all_keys = BTreeSet::new();
        let mut read_files = 0;
        let mut tallies = [("f", Tally::default()), ("a", Tally::default())];
        let nodefrag = dir.join("../oracle-nodefrag");
        let runs = files.iter().flat_map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let again = nodefrag.join(format!("{name}.tsv")).exists();
            std::iter::once((path, true)).chain(again.then_some((path, false)))
        });
        let mut nodefrag_runs = 0;
        for (path, defrag) in runs {
            let file = path.file_name().unwrap().to_string_lossy().to_string();
            let base = file.clone();
            let p = path.to_string_lossy().to_string();
            // Files we refuse are the conformance test's business (tshark
            // must refuse them too).
            let Some(mut keys) = json_keys(&p, defrag) else {
                continue;
            };
            if defrag {
                read_files += 1;
            } else {
                nodefrag_runs += 1;
            }
            let file = if defrag {
                file
            } else {
                format!("{file} (--no-reassembly)")
            };
            for k in COMPUTED.iter().rev() {
                if !keys.iter().any(|x| x == k) {
                    keys.insert(0, k.to_string());
                }
            }
            for k in keys.iter().filter(|k| !known.contains(*k)) {
                match rules.iter().position(|r| r.everywhere(k)) {
                    Some(i) => used[i] = true,
                    None => {
                        failures.push(format!("{file}: we emit {k}, which tshark does not know"))
                    }
                }
            }
            let keys: Vec<&str> = keys
                .iter()
                .filter(|k| known.contains(*k))
                .map(String::as_str)
                .collect();
            all_keys.extend(keys.iter().map(|k| k.to_string()));
            let list = keys.join(",");
            let pcap = std::fs::read(path).is_ok_and(|b| !b.starts_with(&[0x0a, 0x0d, 0x0d, 0x0a]));
            let protocols = keys.iter().position(|k| *k == "frame.protocols").unwrap();
            for (occ, tally) in tallies.iter_mut() {
                let ours = our_rows(&p, &list, occ, defrag);
                let theirs = tshark_rows(path, &keys, occ, defrag);
                if ours.len() != theirs.len() {
                    failures.push(format!(
                        "{file}: {} rows, tshark has {} (occurrence {occ})",
                        ours.len(),
                        theirs.len()
                    ));
                }
                for (n, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                    tally.frames += 1;
                    let frame = (n + 1).to_string();
                    let a: Vec<&str> = a.split('\t').collect();
                    let b: Vec<&str> = b.split('\t').collect();
                    let undecoded = undecoded(cell(&a, protocols), cell(&b, protocols));
                    for (i, key) in keys.iter().enumerate() {
                        let (x, y) = (cell(&a, i), cell(&b, i));
                        if x.is_empty() && y.is_empty() {
                            continue;
                        }
                        tally.cells += 1;
                        let entry = by_key.entry((occ, key.to_string())).or_default();
                        entry.0 += 1;
                        if x == y {
                            tally.agree += 1;
                            continue;
                        }
                        entry.1 += 1;
                        let mut listed = None;
                        for (r, rule) in rules.iter().enumerate() {
                            if rule.lists(&base, &frame, key, undecoded, pcap) {
                                used[r] = true;
                                listed.get_or_insert(rule.line);
                            }
                        }
                        if let Some(dump) = dump.as_mut() {
                            let rule = listed.map_or("-".to_string(), |l| l.to_string());
                            writeln!(dump, "{file}\t{frame}\t{key}\t{occ}\t{x}\t{y}\t{rule}")
                                .expect("the dump file takes a line");
                        }
                        if listed.is_some() {
                            tally.listed += 1;
                        } else {
                            let seen = unlisted.entry(key.to_string()).or_insert(0);
                            *seen += 1;
                            if *seen <= shown {
                                failures.push(format!(
                                    "{file} frame {frame} {key} (occurrence {occ}): ours {x:?}, tshark {y:?}"
                                ));
                            }
                        }
                    }
                }
            }
        }
        let mut line = format!(
            "every_field {name}: {read_files} files with reassembly, {nodefrag_runs} again without"
        );
        for (occ, t) in &tallies {
            line.push_str(&format!(
                "; {} frames, {} keys, {} cells agree of {} ({:.2}%), {} listed differences (occurrence {occ})",
                t.frames,
                all_keys.len(),
                t.agree,
                t.cells,
                t.agree as f64 * 100.0 / t.cells.max(1) as f64,
                t.listed
            ));
        }
        line.push_str(&format!("; {:.0} s", started.elapsed().as_secs_f64()));
        summary.push(line);
        counts.insert(*name, (read_files, nodefrag_runs));
    }
    for line in &summary {
        println!("{line}");
    }
    for ((occ, key), (n, bad)) in &by_key {
        if *bad > 0 {
            println!("  occurrence {occ}: {key} differs in {bad} of {n} cells");
        }
    }
    if let Some((read_files, nodefrag_runs)) = counts.get("corpus") {
        assert!(
            *read_files >= 55,
            "the corpus should have about 60 readable files"
        );
        assert!(
            *nodefrag_runs >= 4,
            "the corpus has four files whose answers reassembly changes"
        );
    }
    if let Some((read_files, _)) = counts.get("corpus-app") {
        assert!(*read_files >= 20, "corpus-app has 21 captures");
    }
    // With both corpora here every listed difference must still be needed.
    if corpora.len() == 2 {
        for (rule, used) in rules.iter().zip(&used) {
            if !used {
                failures.push(format!(
                    "tests/conformance-differences.txt line {}: listed, but no cell differs there any more",
                    rule.line
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "unlisted differences with tshark, cells per key {unlisted:?}; the first of each:\n{}",
        failures.join("\n")
    );
}
