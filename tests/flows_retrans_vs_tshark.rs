//! Differential test: the per-conversation `retransmissions` and
//! `out_of_order` counts of `wirepeek flows --json` against tshark 4.0's
//! `tcp.analysis` flags, on every capture in `../shared/corpus/captures/`
//! that tshark can read (IP reassembly off, sequence analysis on, the same
//! preferences `flows_vs_tshark` uses).
//!
//! How tshark's flags map onto our two counters, per `tcp.stream`:
//!
//! - `retransmissions` counts the *frames* carrying any of
//!   `tcp.analysis.retransmission`, `tcp.analysis.fast_retransmission` or
//!   `tcp.analysis.spurious_retransmission`. tshark 4.0 sets
//!   `tcp.analysis.retransmission` as well on every fast or spurious
//!   retransmission, so a frame can carry two flags; it counts once.
//! - `out_of_order` counts the frames carrying `tcp.analysis.out_of_order`
//!   (never set together with a retransmission flag).
//!
//! Streams are matched by index: our JSON's `stream` field is tshark's
//! `tcp.stream` (checked frame by frame in `flows_vs_tshark`). A stream
//! either tool does not list counts as zero for it.
//!
//! The out-of-order threshold is the connection's initial RTT when known,
//! so that is compared too: our `handshake_rtt` against tshark's
//! `tcp.analysis.initial_rtt` (the first value in the stream), equal when
//! they differ by less than a microsecond (TCP analysis keeps capture
//! times in whole microseconds).
//!
//! Besides the corpus, the test reads `tests/fixtures/tcp-analysis/`:
//! crafted exchanges (made by `make.py` there) for the rules the corpus
//! has few or no cases of — it holds one out-of-order segment and one fast
//! retransmission in all.
//!
//! Deliberate differences are listed, one `(file, stream)` each with a
//! reason, in `tests/flows_retrans_vs_tshark_differences.tsv` (counts) and
//! `tests/flows_irtt_vs_tshark_differences.tsv` (initial RTT); the test fails
//! on any unlisted difference and on any listed one that no longer occurs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{corpus_and_tshark, json_value, tshark_fields};

const DIFFERENCES: &str = include_str!("flows_retrans_vs_tshark_differences.tsv");
const IRTT_DIFFERENCES: &str = include_str!("flows_irtt_vs_tshark_differences.tsv");

/// Per stream: (retransmissions, out-of-order), frames counted.
type Counts = BTreeMap<u64, [u64; 2]>;

/// Per stream: the initial RTT in nanoseconds, where there is one.
type Rtts = BTreeMap<u64, u64>;

/// Seconds with up to 9 decimals (`0.012345000`) as nanoseconds.
fn nanoseconds(s: &str) -> u64 {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let frac = format!("{frac:0<9}");
    whole.parse::<u64>().expect("seconds") * 1_000_000_000
        + frac[..9].parse::<u64>().expect("fraction")
}

/// Our counts and initial RTTs per TCP stream.
fn ours(file: &Path) -> (Counts, Rtts) {
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
    let (mut counts, mut rtts) = (Counts::new(), Rtts::new());
    for l in String::from_utf8(out.stdout).expect("utf-8").lines() {
        if json_value(l, "proto") != "tcp" {
            continue;
        }
        let n = |k| json_value(l, k).parse::<u64>().expect("number");
        let stream = n("stream");
        counts.insert(stream, [n("retransmissions"), n("out_of_order")]);
        let rtt = json_value(l, "handshake_rtt");
        if rtt != "null" {
            rtts.insert(stream, nanoseconds(rtt));
        }
    }
    (counts, rtts)
}

/// tshark's flagged frames per TCP stream, how many frames it flagged, and
/// its initial RTTs (`None` when tshark cannot read the file).
fn tshark(file: &Path) -> Option<(Counts, u64, Rtts)> {
    let out = tshark_fields(
        file,
        &[
            "tcp.stream",
            "tcp.analysis.retransmission",
            "tcp.analysis.fast_retransmission",
            "tcp.analysis.spurious_retransmission",
            "tcp.analysis.out_of_order",
            "tcp.analysis.initial_rtt",
        ],
    )
    .output()
    .expect("run tshark");
    if !out.status.success() {
        return None;
    }
    let (mut counts, mut rtts) = (Counts::new(), Rtts::new());
    let mut flagged = 0;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let cells: Vec<&str> = line.split('\t').collect();
        let cell = |i: usize| cells.get(i).copied().unwrap_or_default();
        let Ok(stream) = cell(0).parse::<u64>() else {
            continue;
        };
        let retrans = [1, 2, 3].iter().any(|&i| !cell(i).is_empty());
        let ooo = !cell(4).is_empty();
        if !cell(5).is_empty() {
            rtts.entry(stream).or_insert_with(|| nanoseconds(cell(5)));
        }
        if retrans || ooo {
            flagged += 1;
            let c = counts.entry(stream).or_default();
            c[0] += u64::from(retrans);
            c[1] += u64::from(ooo);
        }
    }
    Some((counts, flagged, rtts))
}

/// Listed (file, stream) pairs that differ on purpose.
fn listed(differences: &str) -> BTreeSet<(String, u64)> {
    differences
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut c = l.split('\t');
            let file = c.next().unwrap_or_default().to_string();
            let stream = c
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("bad stream in listed difference: {l}"));
            assert!(
                c.next().is_some_and(|reason| !reason.trim().is_empty()),
                "every listed difference needs a reason: {l}"
            );
            (file, stream)
        })
        .collect()
}

#[test]
fn retransmission_and_out_of_order_counts_agree_with_tshark_on_the_corpus() {
    let Some(dir) = corpus_and_tshark() else {
        return;
    };
    let listed_counts = listed(DIFFERENCES);
    let listed_rtts = listed(IRTT_DIFFERENCES);
    let (mut used_counts, mut used_rtts) = (BTreeSet::new(), BTreeSet::new());
    // The corpus, then our crafted cases of the rules it lacks
    // (tests/fixtures/tcp-analysis/make.py).
    let crafted = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tcp-analysis");
    let mut files: Vec<PathBuf> = Vec::new();
    for d in [&dir, &crafted] {
        let mut these: Vec<PathBuf> = std::fs::read_dir(d)
            .unwrap_or_else(|e| panic!("read {}: {e}", d.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x != "py"))
            .collect();
        these.sort();
        files.extend(these);
    }
    let (mut compared, mut streams, mut matched, mut flagged, mut flagged_matched) =
        (0, 0, 0, 0, 0);
    let (mut rtts_compared, mut rtts_matched) = (0, 0);
    let mut failures = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let Some((theirs, frames, their_rtts)) = tshark(file) else {
            eprintln!("{name}: skipped, tshark cannot read it");
            continue;
        };
        compared += 1;
        flagged += frames;
        let (mine, my_rtts) = ours(file);
        let all: BTreeSet<u64> = theirs.keys().chain(mine.keys()).copied().collect();
        streams += all.len();
        for stream in all {
            let want = theirs.get(&stream).copied().unwrap_or_default();
            let got = mine.get(&stream).copied().unwrap_or_default();
            if want == got {
                matched += 1;
                flagged_matched += want[0] + want[1];
                continue;
            }
            if listed_counts.contains(&(name.clone(), stream)) {
                used_counts.insert((name.clone(), stream));
                continue;
            }
            failures.push(format!(
                "{name} tcp.stream {stream}: tshark {} retransmissions, {} out-of-order; ours {}, {}",
                want[0], want[1], got[0], got[1]
            ));
        }
        let all: BTreeSet<u64> = their_rtts.keys().chain(my_rtts.keys()).copied().collect();
        for stream in all {
            rtts_compared += 1;
            let (want, got) = (their_rtts.get(&stream), my_rtts.get(&stream));
            if let (Some(w), Some(g)) = (want, got)
                && w.abs_diff(*g) < 1000
            {
                rtts_matched += 1;
                continue;
            }
            if listed_rtts.contains(&(name.clone(), stream)) {
                used_rtts.insert((name.clone(), stream));
                continue;
            }
            failures.push(format!(
                "{name} tcp.stream {stream}: initial RTT tshark {want:?} ns, ours {got:?} ns"
            ));
        }
    }
    let stale: Vec<_> = listed_counts
        .difference(&used_counts)
        .chain(listed_rtts.difference(&used_rtts))
        .collect();
    eprintln!(
        "compared {compared} files: {streams} TCP streams, {matched} with equal counts; \
         {flagged} frames flagged by tshark, {flagged_matched} of them in streams that match; \
         {} listed count differences; initial RTTs: {rtts_compared} compared, {rtts_matched} \
         equal, {} listed differences",
        used_counts.len(),
        used_rtts.len()
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
