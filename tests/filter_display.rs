//! Differential test: our display filters against tshark's. Every corpus
//! file mergecap and we both read is merged into one pcapng; tshark (IP
//! reassembly off) runs once per filter on it, and the frame numbers it keeps
//! must be exactly the ones our filter keeps. Skips, saying why, when tshark
//! or mergecap is not installed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};
use wirepeek::decode::{Detail, Dissection, decode_into};
use wirepeek::filter::DisplayFilter;
use wirepeek::frame::FrameRecord;

const FILTERS: &[&str] = &[
    "tcp",
    "udp",
    "arp",
    "ip",
    "ipv6",
    "icmp",
    "icmpv6",
    "vlan",
    "ipv6.fraghdr",
    "ipv6.fraghdr.more == 1",
    "ipv6.fraghdr.offset > 0 || ipv6.fraghdr.ident == 0x98d687d1",
    "ipv6.hlim == 255",
    "!ip",
    "tcp || udp",
    "tcp and not udp",
    "ip.addr == 10.0.0.1",
    "ip.src == 10.0.0.1",
    "ip.dst == 173.194.78.104",
    "ip.addr == 10.0.0.0/8",
    "ip.addr != 10.0.0.1",
    "ip.addr == 10.0.0.1 && tcp.flags.syn == 1",
    "ipv6.addr == 2001:618:1:8000::5",
    "ipv6.src == fe80::/10",
    "tcp.port == 80",
    "tcp.port == 80 || tcp.port == 443",
    "tcp.srcport >= 1024",
    "tcp.dstport < 1024",
    "udp.port == 53",
    "udp.length > 100",
    "tcp.flags.syn == 1",
    "tcp.flags.syn == 1 and tcp.flags.ack == 0",
    "tcp.flags.reset == 1",
    "tcp.flags.fin == 1 || tcp.flags.reset == 1",
    "eth.addr == ff:ff:ff:ff:ff:ff",
    "eth.src == 00:13:c3:df:ae:18",
    "eth.type == 0x0800",
    "vlan.id == 10",
    "ip.ttl < 64",
    "ip.ttl >= 128",
    "ip.proto == 17",
    "ip.flags.mf == 1",
    "ip.frag_offset > 0",
    "icmp.type == 8",
    "icmpv6.type == 135",
    "arp.opcode == 1",
    "frame.len > 1000",
    "frame.len <= 60",
    "tcp contains \"GET\"",
    "frame contains \"HTTP\"",
    "udp contains 00:01",
    "(tcp.port == 80 || udp.port == 53) && !ip.addr == 10.0.0.1",
    "not (tcp or udp or arp)",
    "ipv6.nxt == 58",
];

fn have(tool: &str) -> bool {
    Command::new(tool)
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

fn tshark_numbers(file: &Path, filter: &str) -> Result<Vec<u64>, String> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args(["-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"])
        .args(["-Y", filter, "-T", "fields", "-e", "frame.number"])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().parse::<u64>().map_err(|e| format!("{l:?}: {e}")))
        .collect()
}

#[test]
fn display_filters_select_the_same_frames_as_tshark() {
    if !have("tshark") || !have("mergecap") {
        common::skip("tshark or mergecap is not installed (CI installs them)");
        return;
    }
    let Some(corpus) = common::corpus() else {
        common::skip("corpus ../shared/corpus/captures not found");
        return;
    };
    assert!(FILTERS.len() >= 40);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .expect("corpus directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let scratch = std::env::temp_dir().join(format!("wirepeek-display-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let mut inputs = Vec::new();
    for file in &files {
        let path = file.to_string_lossy().to_string();
        let ours = FileSource::open(&path)
            .ok()
            .and_then(|mut s| frames_of(&mut s));
        let probe = scratch.join("probe.pcapng");
        let merges = Command::new("mergecap")
            .arg("-a")
            .arg("-w")
            .arg(&probe)
            .arg(file)
            .output()
            .is_ok_and(|o| o.status.success());
        match (ours, merges) {
            (Some(_), true) => inputs.push(file.clone()),
            (None, _) => eprintln!("skipped {path}: wirepeek does not read it whole"),
            (_, false) => eprintln!("skipped {path}: mergecap cannot read it"),
        }
    }
    let merged = scratch.join("corpus.pcapng");
    let status = Command::new("mergecap")
        .arg("-a")
        .arg("-w")
        .arg(&merged)
        .args(&inputs)
        .status()
        .expect("mergecap runs");
    assert!(status.success(), "mergecap failed");
    let mut source = FileSource::open(&merged.to_string_lossy()).expect("merged file opens");
    let frames = frames_of(&mut source).expect("merged file reads whole");
    let mut d = Dissection::default();
    let dissections: Vec<Dissection> = frames
        .iter()
        .map(|f| {
            decode_into(f, Detail::Fields, &mut d);
            d.clone()
        })
        .collect();

    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::<String>::new());
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(filter) = FILTERS.get(i) else { break };
                    let problem = match (DisplayFilter::parse(filter), tshark_numbers(&merged, filter)) {
                        (Ok(f), Ok(theirs)) => {
                            let ours: Vec<u64> = frames
                                .iter()
                                .zip(&dissections)
                                .filter(|(fr, d)| f.matches(fr, d))
                                .map(|(fr, _)| fr.number)
                                .collect();
                            (ours != theirs).then(|| {
                                let extra: Vec<_> = ours.iter().filter(|n| !theirs.contains(n)).take(5).collect();
                                let missing: Vec<_> = theirs.iter().filter(|n| !ours.contains(n)).take(5).collect();
                                format!("we keep {} frames, tshark {} (ours only: {extra:?}, tshark only: {missing:?})", ours.len(), theirs.len())
                            })
                        }
                        (Err(e), Ok(_)) => Some(format!("we refuse ({}) but tshark accepts", e.message)),
                        (Ok(_), Err(e)) => Some(format!("tshark refuses ({e}) but we accept")),
                        (Err(_), Err(_)) => None,
                    };
                    if let Some(p) = problem {
                        failures.lock().expect("lock").push(format!("`{filter}`: {p}"));
                    }
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&scratch);
    let failures = failures.into_inner().expect("lock");
    eprintln!(
        "{} filters over {} files merged ({} frames): {} disagreements",
        FILTERS.len(),
        inputs.len(),
        frames.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "disagreements with tshark:\n{}",
        failures.join("\n")
    );
}
