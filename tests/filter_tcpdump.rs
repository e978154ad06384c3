//! Differential test: our tcpdump-expression matcher against tcpdump itself.
//! For every corpus file tcpdump reads whole, and every expression in the
//! table, the frames `tcpdump -r FILE -w - EXPR` writes must be exactly the
//! frames our filter keeps; an expression tcpdump refuses we must refuse.
//! Skips, saying why, when tcpdump is not installed.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};
use wirepeek::filter::TcpdumpFilter;
use wirepeek::frame::{FrameRecord, LinkType};

const EXPRESSIONS: &[&str] = &[
    "ip",
    "ip6",
    "arp",
    "tcp",
    "udp",
    "icmp",
    "icmp6",
    "not ip",
    "tcp or udp",
    "udp or icmp6",
    "tcp port 80",
    "port 80 or 443",
    "port 53",
    "src port 80",
    "dst port 80",
    "tcp dst port 80 or 443",
    "udp port 53",
    "portrange 1-1023",
    "tcp portrange 8000-9000",
    "host 10.0.0.1",
    "src host 10.0.0.1",
    "dst host 10.0.0.1",
    "host 192.168.1.1 or 10.0.0.1",
    "src or dst 10.118.10.1",
    "src and dst net 10.0.0.0/8",
    "net 10.0.0.0/8",
    "net 192.168.0.0 mask 255.255.0.0",
    "net 192.150",
    "host 192.150.187.1",
    "arp host 192.168.123.1",
    "ip host 192.168.123.1",
    "host 2001:618:1:8000::5",
    "src net 2001:618::/32",
    "ip6 net fe80::/10",
    "ether host 00:13:c3:df:ae:18",
    "ether src 00:1b:d4:1b:a4:d8",
    "ether dst ff:ff:ff:ff:ff:ff",
    "ether broadcast",
    "ether multicast",
    "vlan",
    "vlan and ip",
    "vlan and vlan and icmp",
    "vlan 118",
    "vlan 123 and arp",
    "vlan and tcp port 80",
    "less 60",
    "greater 1000",
    "len > 100 and len <= 200",
    "ip proto 17",
    "ip6 proto 58",
    "proto \\tcp",
    "ip proto \\udp",
    "ether proto 0x86dd",
    "tcp[tcpflags] & tcp-syn != 0",
    "tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst|tcp-push|tcp-ack|tcp-urg) != 0",
    "tcp[tcpflags] == tcp-syn|tcp-ack",
    "tcp[tcpflags] & tcp-push != 0 and tcp port 80",
    "icmp[icmptype] == icmp-echo",
    "icmp6[icmp6type] == icmp6-neighborsolicit",
    "ip[6:2] & 0x1fff != 0",
    "ip[8] < 64",
    "not tcp and not udp",
    "(tcp or udp) and not port 53",
    "tcp and (port 80 or port 443)",
    "host 10.0.0.1 and not port 443",
    "host 10.0.0.1 and not 173.194.78.104",
    "ip and udp port 53 or arp",
    "! ip6 && udp",
    "ether[0] & 1 != 0",
    "udp[4:2] > 100",
    "tcp[((tcp[12]&0xf0)>>2):4] = 0x47455420",
    "ip[0] & 0xf != 5",
    "tcp port http or https",
    // libpcap folds a constant index into a 32-bit offset.
    "ip[-1] = 0",
    "tcp[-1] = 0",
    // tcpdump refuses these; so must we.
    "tcp and prot 6",
    "port",
    "host",
    "tcp[13] &",
    "vlan 5000",
    "net 10.0.0.1/8",
    "ip and (",
    "port 99999",
    "tcp src",
    "tcp[0:3] = 1",
    "ip[0] / 0 = 0",
    "ip[0] / (2 - 2) = 0",
    "ip[0] << -1 = 0",
];

fn have_tcpdump() -> bool {
    Command::new("tcpdump")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn frames_of(source: &mut FileSource) -> Option<Vec<FrameRecord>> {
    let mut out = Vec::new();
    loop {
        match source.next_frame() {
            Ok(Next::Frame(f)) => out.push(f),
            Ok(Next::Idle) => continue,
            Ok(Next::End { warning: None }) => return Some(out),
            Ok(Next::End { warning: Some(_) }) | Err(_) => return None,
        }
    }
}

/// What identifies a frame across tcpdump's rewrite: wire length and bytes.
fn key(f: &FrameRecord) -> (u32, Vec<u8>) {
    (f.orig_len, f.data.clone())
}

/// Frames tcpdump keeps, or its error message.
fn tcpdump_selects(file: &Path, expr: &str) -> Result<Vec<(u32, Vec<u8>)>, String> {
    let out = Command::new("tcpdump")
        .arg("-r")
        .arg(file)
        .args(["-w", "-"])
        .arg(expr)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let mut source = FileSource::from_reader("tcpdump", Box::new(std::io::Cursor::new(out.stdout)))
        .map_err(|e| format!("reading tcpdump's output: {e}"))?;
    let frames = frames_of(&mut source).ok_or("tcpdump's output did not read whole")?;
    Ok(frames.iter().map(key).collect())
}

#[test]
fn tcpdump_expressions_select_the_same_frames_as_tcpdump() {
    if !have_tcpdump() {
        common::skip("tcpdump is not installed (CI installs it)");
        return;
    }
    let Some(corpus) = common::corpus() else {
        common::skip("corpus ../shared/corpus/captures not found");
        return;
    };
    assert!(EXPRESSIONS.len() >= 60);
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus)
        .expect("corpus directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    // Files both tcpdump and we read whole, with our frames.
    let mut readable = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let ours = FileSource::open(&file.to_string_lossy())
            .ok()
            .and_then(|mut s| frames_of(&mut s));
        let theirs = tcpdump_selects(file, "");
        match (ours, theirs) {
            (Some(frames), Ok(all)) => {
                let frames: Vec<FrameRecord> = frames
                    .into_iter()
                    .filter(|f| f.link != LinkType::PCAPNG_CUSTOM)
                    .collect();
                if frames.iter().map(key).collect::<Vec<_>>() != all {
                    eprintln!("skipped {name}: tcpdump reads different frames (mixed link types?)");
                    continue;
                }
                readable.push((file.clone(), name, frames));
            }
            (None, _) => eprintln!("skipped {name}: wirepeek does not read it whole"),
            (_, Err(e)) => eprintln!("skipped {name}: tcpdump cannot read it: {e}"),
        }
    }
    assert!(
        readable.len() >= 40,
        "only {} readable files",
        readable.len()
    );

    let jobs: Vec<&str> = EXPRESSIONS.to_vec();
    let failures = std::sync::Mutex::new(Vec::<String>::new());
    let compared = std::sync::atomic::AtomicUsize::new(0);
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(expr) = jobs.get(i) else { break };
                    let parsed = TcpdumpFilter::parse(expr);
                    for (file, name, frames) in &readable {
                        let theirs = tcpdump_selects(file, expr);
                        let link = frames.first().map_or(LinkType::ETHERNET, |f| f.link);
                        let ours = parsed
                            .as_ref()
                            .map_err(|e| e.message.clone())
                            .and_then(|f| {
                                f.check_link(link).map_err(|e| e.message.clone())?;
                                Ok(frames
                                    .iter()
                                    .filter(|fr| f.matches(fr))
                                    .map(key)
                                    .collect::<Vec<_>>())
                            });
                        compared.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let problem = match (&ours, &theirs) {
                            (Ok(a), Ok(b)) if a == b => None,
                            (Err(_), Err(_)) => None,
                            (Ok(a), Ok(b)) => {
                                Some(format!("we keep {} frames, tcpdump {}", a.len(), b.len()))
                            }
                            (Ok(_), Err(e)) => Some(format!("tcpdump refuses ({e}) but we accept")),
                            (Err(e), Ok(_)) => Some(format!("we refuse ({e}) but tcpdump accepts")),
                        };
                        if let Some(p) = problem {
                            failures
                                .lock()
                                .expect("lock")
                                .push(format!("{name}: `{expr}`: {p}"));
                        }
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().expect("lock");
    let n = compared.into_inner();
    eprintln!(
        "{} expressions x {} files = {n} comparisons, {} disagreements",
        EXPRESSIONS.len(),
        readable.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "disagreements with tcpdump:\n{}",
        failures.join("\n")
    );
}

/// The frames of a capture in the repository, by path relative to it.
fn repo_frames(path: &str) -> Vec<FrameRecord> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let mut source = FileSource::open(&full.to_string_lossy()).expect("capture opens");
    frames_of(&mut source).unwrap_or_else(|| panic!("{path} does not read whole"))
}

/// Expressions tcpdump's optimizer proves match nothing, which it refuses
/// ("expression rejects all packets"); wirepeek knows only link-level
/// constants, so it accepts them and keeps no frame.
const PROVEN_EMPTY: &[&str] = &["tcp or udp and icmp"];

/// Against tcpdump's answers recorded by tests/fixtures/filter/make-verdicts.sh
/// (captures/ and the link-type captures beside the script), so that this
/// runs where tcpdump is not installed.
#[test]
fn tcpdump_expressions_keep_the_frames_tcpdumps_recorded_verdicts_keep() {
    let tsv = include_str!("fixtures/filter/tcpdump-verdicts.tsv");
    let mut frames: std::collections::HashMap<&str, Vec<FrameRecord>> = Default::default();
    let mut failures = Vec::new();
    let mut checked = 0;
    for line in tsv.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [file, expr, verdict, detail] = cols[..] else {
            panic!("bad verdict line {line:?}");
        };
        let frames = frames.entry(file).or_insert_with(|| repo_frames(file));
        let link = frames.first().map_or(LinkType::ETHERNET, |f| f.link);
        let ours = TcpdumpFilter::parse(expr).and_then(|f| {
            f.check_link(link)?;
            Ok((1..)
                .zip(frames.iter())
                .filter(|(_, fr)| f.matches(fr))
                .map(|(n, _)| n.to_string())
                .collect::<Vec<_>>())
        });
        let shown: String = expr.chars().take(60).collect();
        let problem = match (verdict, &ours) {
            ("keep", Ok(kept)) => {
                let kept = if kept.is_empty() {
                    "-".to_string()
                } else {
                    kept.join(",")
                };
                (kept != detail).then(|| format!("we keep {kept}, tcpdump {detail}"))
            }
            ("keep", Err(e)) => Some(format!("we refuse ({}), tcpdump keeps {detail}", e.message)),
            ("refuse", Ok(kept))
                if PROVEN_EMPTY.contains(&expr) && detail == "expression rejects all packets" =>
            {
                (!kept.is_empty())
                    .then(|| format!("we keep {}, tcpdump proves none", kept.join(",")))
            }
            ("refuse", Ok(_)) => Some(format!("tcpdump refuses ({detail}), we accept")),
            ("refuse", Err(_)) => None,
            _ => panic!("bad verdict {verdict:?} in {line:?}"),
        };
        checked += 1;
        if let Some(p) = problem {
            failures.push(format!("{file}: `{shown}`: {p}"));
        }
    }
    eprintln!(
        "{checked} recorded verdicts, {} disagreements",
        failures.len()
    );
    assert!(checked >= 1500, "only {checked} verdicts");
    assert!(
        failures.is_empty(),
        "disagreements with tcpdump:\n{}",
        failures.join("\n")
    );
}
