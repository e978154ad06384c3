//! IP fragment reassembly against tshark on crafted captures
//! (tests/fixtures/frags, made by make.py there: out of order, a duplicate,
//! an overlap with different bytes, a missing piece, two tails, IPv6
//! fragments, TCP over fragments) and on the HTTP request over fragments of
//! ../shared/corpus-app: every listed field in every frame, with reassembly
//! on (both tools' default) and off (`--no-reassembly`, tshark's
//! `-o ip.defragment:FALSE`), and the reassembled bytes `-x` prints beside
//! tshark's "Reassembled IPv4" block.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const KEYS: &[&str] = &[
    "frame.number",
    "frame.protocols",
    "ip.flags.mf",
    "ip.frag_offset",
    "ip.fragments",
    "ip.fragment",
    "ip.fragment.error",
    "ip.fragment.count",
    "ip.reassembled.length",
    "ip.reassembled.data",
    "ip.fragment.overlap",
    "ip.fragment.overlap.conflict",
    "ip.fragment.multipletails",
    "ip.fragment.toolongfragment",
    "ipv6.fragment",
    "ipv6.fragment.count",
    "ipv6.reassembled.length",
    "ipv6.reassembled.data",
    "ipv6.fragment.overlap",
    "ipv6.fragment.overlap.conflict",
    "udp.srcport",
    "udp.length",
    "udp.checksum",
    "udp.stream",
    "data.len",
    "data.data",
    "tcp.srcport",
    "tcp.flags",
    "tcp.len",
    "tcp.stream",
];

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/frags");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/fixtures/frags lists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap"))
        .collect();
    files.sort();
    files
}

fn ours(file: &Path, keys: &[&str], defrag: bool) -> Vec<String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wirepeek"));
    command
        .arg("read")
        .arg(file)
        .args(["--fields", &keys.join(",")]);
    if !defrag {
        command.arg("--no-reassembly");
    }
    let out = command.output().expect("wirepeek runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

fn theirs(file: &Path, keys: &[&str], defrag: bool) -> Vec<String> {
    let mut command = Command::new("tshark");
    command.args(["-n", "-r"]).arg(file);
    if !defrag {
        command.args(["-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"]);
    }
    command.args(["-T", "fields", "-E", "occurrence=a"]);
    for k in keys {
        command.args(["-e", k]);
    }
    let out = command.output().expect("tshark runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn compare(file: &Path, keys: &[&str], defrag: bool, failures: &mut Vec<String>) -> usize {
    let (a, b) = (ours(file, keys, defrag), theirs(file, keys, defrag));
    let name = file.file_name().unwrap().to_string_lossy();
    if a.len() != b.len() {
        failures.push(format!("{name}: {} rows, tshark {}", a.len(), b.len()));
    }
    let mut cells = 0;
    for (row_a, row_b) in a.iter().zip(&b) {
        let (ca, cb): (Vec<&str>, Vec<&str>) =
            (row_a.split('\t').collect(), row_b.split('\t').collect());
        for (i, key) in keys.iter().enumerate() {
            let (x, y) = (
                ca.get(i).copied().unwrap_or(""),
                cb.get(i).copied().unwrap_or(""),
            );
            cells += 1;
            if x != y {
                failures.push(format!(
                    "{name} (reassembly {}) frame {} {key}: ours {:.80?}, tshark {:.80?}",
                    if defrag { "on" } else { "off" },
                    cb.first().copied().unwrap_or("?"),
                    x,
                    y
                ));
            }
        }
    }
    cells
}

#[test]
fn crafted_fragments_agree_with_tshark_with_and_without_reassembly() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let mut failures = Vec::new();
    let mut cells = 0;
    let files = fixtures();
    assert!(files.len() >= 7, "make.py writes seven captures");
    for file in &files {
        for defrag in [true, false] {
            cells += compare(file, KEYS, defrag, &mut failures);
        }
    }
    println!(
        "ip_reassembly: {} captures, {cells} cells compared",
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_http_request_over_fragments_agrees_with_tshark() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus-app/captures/frag_http_req.pcap");
    if !file.exists() {
        common::skip("../shared/corpus-app/captures/frag_http_req.pcap not found");
        return;
    }
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    // tshark goes on into HTTP, which wirepeek shows as data: the
    // protocols column and the data fields are left out; and tcp.len,
    // which tshark leaves empty in the first fragment's cut TCP header with
    // reassembly off (the TCP decoder's business, not reassembly's).
    let keys: Vec<&str> = KEYS
        .iter()
        .copied()
        .filter(|k| !matches!(*k, "frame.protocols" | "data.len" | "data.data" | "tcp.len"))
        .chain(["tcp.seq_raw", "tcp.ack_raw"])
        .collect();
    let mut failures = Vec::new();
    for defrag in [true, false] {
        compare(&file, &keys, defrag, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The bytes of a hex dump's lines after `heading`, up to the next heading:
/// ours (`\t0x0000:  4500 ...`, one block per layer) or tshark's
/// (`0000  45 00 ...`).
fn dumped_after(text: &str, heading: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.trim_start().starts_with(heading) {
            inside = true;
            continue;
        }
        if !inside {
            continue;
        }
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("0x") {
            // Ours: offset, two spaces, groups of four hex digits, then
            // the ASCII column after two spaces.
            let hex = rest.get(6..46).unwrap_or("");
            let digits: String = hex.chars().filter(char::is_ascii_hexdigit).collect();
            bytes.extend(
                (0..digits.len() / 2)
                    .map(|i| u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).expect("hex")),
            );
        } else if t.starts_with("--") {
            continue;
        } else if t.len() > 6 && t[..4].chars().all(|c| c.is_ascii_hexdigit()) && &t[4..6] == "  " {
            let hex = t.get(6..53).unwrap_or("");
            bytes.extend(
                hex.split_whitespace()
                    .map(|b| u8::from_str_radix(b, 16).expect("hex")),
            );
        } else {
            break;
        }
    }
    bytes
}

#[test]
fn hex_prints_the_reassembled_bytes_as_tshark_does() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/frags");
    for (file, frame, heading) in [
        ("v4_out_of_order.pcap", 3, "Reassembled IPv4"),
        ("v4_overlap_conflict.pcap", 3, "Reassembled IPv4"),
        ("v6_fragments.pcap", 5, "Reassembled IPv6"),
    ] {
        let path = dir.join(file);
        let ours = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
            .arg("read")
            .arg(&path)
            .args(["-x", "-c", &frame.to_string()])
            .output()
            .expect("wirepeek runs");
        let ours = String::from_utf8_lossy(&ours.stdout).to_string();
        let theirs = Command::new("tshark")
            .args(["-n", "-x", "-r"])
            .arg(&path)
            .args(["-Y", &format!("frame.number == {frame}")])
            .output()
            .expect("tshark runs");
        let theirs = String::from_utf8_lossy(&theirs.stdout).to_string();
        let (a, b) = (dumped_after(&ours, heading), dumped_after(&theirs, heading));
        assert!(b.len() > 1000, "{file}: tshark printed a reassembled block");
        assert_eq!(a, b, "{file}: the reassembled bytes differ");
    }
}
