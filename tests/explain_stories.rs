//! `explain --conversation` tells what happened, checked against `flows`
//! (the one client rule) and tshark (relative numbers, analysis flags,
//! SACK edges, window sizes, RTT samples, fragments) on bundled, corpus
//! and hand-made captures. Issues 13 ("one conversation engine") and 20
//! ("honest stories", "fragmentation lesson").

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn wirepeek(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("wirepeek runs");
    assert!(
        out.status.success(),
        "wirepeek {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The Markdown story of frame `n`'s conversation: one line per step.
fn story(file: &Path, n: u64) -> String {
    let file = file.to_str().expect("UTF-8 path");
    wirepeek(&[
        "explain",
        file,
        "-n",
        &n.to_string(),
        "--conversation",
        "--markdown",
    ])
}

/// Each step's line of a Markdown story, by frame number.
fn steps(md: &str) -> BTreeMap<u64, String> {
    md.lines()
        .filter_map(|l| {
            let (_, rest) = l.split_once(". Frame ")?;
            let (n, _) = rest.split_once(',')?;
            Some((n.parse().ok()?, l.to_string()))
        })
        .collect()
}

/// tshark's values of `fields` per frame (first column: frame number).
fn tshark(file: &Path, filter: &str, fields: &[&str]) -> Vec<Vec<String>> {
    let mut all = vec!["frame.number"];
    all.extend_from_slice(fields);
    let out = common::tshark_fields(file, &all)
        .args(["-Y", filter])
        .output()
        .expect("tshark runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn captures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("captures"))
        .expect("captures/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcap"))
        .collect();
    files.sort();
    files
}

/// Conversations compared per file at most (the corpus's largest has 257).
const STREAMS_PER_FILE: usize = 40;

/// (compared, disagreements) for one capture.
fn client_agreement(file: &Path) -> (usize, Vec<String>) {
    let name = file.to_str().expect("UTF-8 path");
    let flows = wirepeek(&["flows", "--json", "--sort", "stream", name]);
    let fields = wirepeek(&[
        "read",
        name,
        "--fields",
        "frame.number,tcp.stream,udp.stream,icmp.ident,icmp.type,ip.src,ip.dst",
    ]);
    // The first frame of each (protocol, stream); of each ICMP echo ident.
    let mut first: BTreeMap<(String, String), u64> = BTreeMap::new();
    for line in fields.lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        let Ok(n) = c[0].parse::<u64>() else { continue };
        for (proto, v) in [("tcp", c[1]), ("udp", c[2])] {
            if !v.is_empty() {
                first.entry((proto.into(), v.into())).or_insert(n);
            }
        }
        if matches!(c.get(4), Some(&"0") | Some(&"8")) && !c[3].is_empty() && c.len() > 6 {
            let (lo, hi) = (c[5].min(c[6]), c[5].max(c[6]));
            first
                .entry(("icmp".into(), format!("{lo}:{} {hi}:{}", c[3], c[3])))
                .or_insert(n);
        }
    }
    let (mut compared, mut bad) = (0, Vec::new());
    for line in flows.lines().take(STREAMS_PER_FILE) {
        let proto = common::json_value(line, "proto");
        let (a, b) = (common::json_value(line, "a"), common::json_value(line, "b"));
        let client = common::json_value(line, "client");
        let frame = match proto {
            "icmp" => first.get(&("icmp".into(), format!("{} {}", a.min(b), a.max(b)))),
            _ => first.get(&(proto.into(), common::json_value(line, "stream").into())),
        };
        // Tunnels' inner conversations have no first-occurrence stream here.
        let Some(&n) = frame else { continue };
        let md = story(file, n);
        let title = md.lines().next().unwrap_or_default().to_string();
        let want = match client {
            "a" => format!("{a} (client)"),
            "b" => format!("{b} (client)"),
            _ => format!("{a} (A)"),
        };
        // The title escapes Markdown: IPv6 brackets come out as `\[`.
        let title = title.replace('\\', "");
        compared += 1;
        if !title.contains(&format!("between {want}")) {
            bad.push(format!(
                "{name} frame {n}: flows says {want:?}, explain: {title}"
            ));
        }
    }
    (compared, bad)
}

#[test]
fn flows_and_explain_agree_on_the_client_of_every_conversation() {
    let mut files = captures();
    // The bundled captures hold 7 conversations; the corpus adds over 150.
    let mut floor = 7;
    match common::corpus() {
        Some(dir) => {
            floor = 100;
            let mut more: Vec<PathBuf> = std::fs::read_dir(dir)
                .expect("corpus")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            more.sort();
            files.extend(more);
        }
        None => common::skip("corpus absent: bundled captures only"),
    }
    let (mut compared, mut bad) = (0, Vec::new());
    for file in &files {
        // Files the reader refuses (the corpus's hostile ones) have no flows.
        let ok = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
            .args(["flows", "--json"])
            .arg(file)
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            continue;
        }
        let (c, b) = client_agreement(file);
        compared += c;
        bad.extend(b);
    }
    assert!(compared >= floor, "only {compared} conversations compared");
    assert!(
        bad.is_empty(),
        "{} of {compared}:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn a_udp_conversation_between_two_ephemeral_ports_says_the_client_is_unknown() {
    let md = story(&root().join("captures/echo-udp4.pcap"), 1);
    assert!(md.contains("(A) and 127.0.0.1:53545 (B)"), "{md}");
    assert!(md.contains("Which side is the client: not known"), "{md}");
}

/// A raw IPv4 + TCP segment 10.0.0.1:40000 ↔ 10.0.0.2:80 (`back`: from
/// the server), with a window and raw option bytes (a multiple of 4).
fn tcp(
    back: bool,
    seq: u32,
    ack: u32,
    flags: u8,
    window: u16,
    options: &[u8],
    data: &[u8],
) -> Vec<u8> {
    let hdr = 20 + options.len();
    let total = (20 + hdr + data.len()) as u16;
    let (src, dst, sport, dport): ([u8; 4], [u8; 4], u16, u16) = if back {
        ([10, 0, 0, 2], [10, 0, 0, 1], 80, 40000)
    } else {
        ([10, 0, 0, 1], [10, 0, 0, 2], 40000, 80)
    };
    let mut b = vec![0x45, 0];
    b.extend(total.to_be_bytes());
    b.extend([0, 1, 0x40, 0, 64, 6, 0, 0]);
    b.extend(src);
    b.extend(dst);
    b.extend(sport.to_be_bytes());
    b.extend(dport.to_be_bytes());
    b.extend(seq.to_be_bytes());
    b.extend(ack.to_be_bytes());
    b.extend([((hdr / 4) as u8) << 4, flags]);
    b.extend(window.to_be_bytes());
    b.extend([0, 0, 0, 0]);
    b.extend(options);
    b.extend(data);
    b
}

const A: u8 = 0x10;
const PA: u8 = 0x18;

#[test]
fn a_midstream_capture_counts_each_sides_first_byte_as_one_as_tshark_does() {
    let file = common::raw_pcap(
        "midstream",
        &[
            tcp(true, 7000, 2001, PA, 512, &[], b"HTTP/1.1 200 OK\r\n"),
            tcp(false, 2001, 7017, A, 512, &[], b""),
            tcp(true, 7017, 2001, PA, 512, &[], b"more"),
        ],
    );
    let md = story(&file, 1);
    assert!(
        md.contains("The capture starts after the handshake"),
        "{md}"
    );
    if !common::tshark_present() {
        common::skip("tshark is not installed: numbers not compared");
        return;
    }
    let steps = steps(&md);
    for row in tshark(&file, "tcp", &["tcp.seq", "tcp.ack"]) {
        let n: u64 = row[0].parse().expect("frame number");
        let line = &steps[&n];
        assert!(
            line.contains(&format!("ack {}", row[2])),
            "frame {n}: tshark says ack {}, story: {line}",
            row[2]
        );
    }
    // The server's first data byte is 1 and the client's ACK asks for 18.
    assert!(steps[&1].contains("its bytes 1 to 17"), "{}", steps[&1]);
    assert!(steps[&2].contains("ack 18"), "{}", steps[&2]);
}

#[test]
fn a_zero_window_is_told_where_tshark_flags_it() {
    let file = common::raw_pcap(
        "zero-window",
        &[
            tcp(false, 1000, 5000, PA, 512, &[], b"0123456789"),
            tcp(true, 5000, 1010, A, 0, &[], b""),
            tcp(true, 5000, 1010, A, 512, &[], b""),
            tcp(false, 1010, 5000, PA, 512, &[], b"abc"),
        ],
    );
    let steps = steps(&story(&file, 1));
    assert!(steps[&2].contains("with a window of 0"), "{}", steps[&2]);
    assert!(!steps[&3].contains("window of 0"), "{}", steps[&3]);
    if !common::tshark_present() {
        common::skip("tshark is not installed: not compared");
        return;
    }
    let flagged = tshark(&file, "tcp.analysis.zero_window", &[]);
    let frames: Vec<&str> = flagged.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(frames, ["2"]);
}

#[test]
fn window_scaling_is_said_in_bytes_as_tshark_computes_it() {
    let file = root().join("captures/echo-tcp4.pcap");
    let steps = steps(&story(&file, 1));
    let line = &steps[&3];
    assert!(line.contains("window field says 64, × 1024"), "{line}");
    if !common::tshark_present() {
        common::skip("tshark is not installed: not compared");
        return;
    }
    let row = &tshark(&file, "frame.number == 3", &["tcp.window_size"])[0];
    let bytes: u64 = row[1].parse().expect("window size");
    let grouped = format!("{},{:03}", bytes / 1000, bytes % 1000);
    assert!(
        line.contains(&format!("= {grouped} bytes")),
        "tshark {bytes}: {line}"
    );
}

/// Frames of `file` tshark flags with `flag`, and the story lines of the
/// conversations they are in.
fn flagged_steps(file: &Path, flag: &str) -> Vec<(u64, String)> {
    let rows = tshark(file, flag, &["tcp.stream"]);
    let mut by_stream: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for r in &rows {
        by_stream
            .entry(r[1].clone())
            .or_default()
            .push(r[0].parse().expect("n"));
    }
    let mut out = Vec::new();
    for frames in by_stream.values() {
        let steps = steps(&story(file, frames[0]));
        for n in frames {
            out.push((*n, steps.get(n).cloned().unwrap_or_default()));
        }
    }
    out
}

#[test]
fn retransmissions_fast_retransmissions_and_duplicate_acks_are_told_where_tshark_flags_them() {
    let Some(dir) = common::corpus_and_tshark() else {
        return;
    };
    let mut told = 0;
    let mut bad = Vec::new();
    for (file, flag, words) in [
        (
            "many-protocols.pcap",
            "tcp.analysis.fast_retransmission",
            "a fast retransmission",
        ),
        (
            "many-protocols.pcap",
            "tcp.analysis.duplicate_ack",
            "a duplicate ACK",
        ),
        ("pptp.pcap", "tcp.analysis.retransmission", "again"),
        (
            "qi_internet_SYNACK_curl_jsonip.pcap",
            "tcp.analysis.retransmission",
            "again",
        ),
        ("option-sack.pcap", "tcp.analysis.retransmission", "again"),
    ] {
        for (n, line) in flagged_steps(&dir.join(file), flag) {
            told += 1;
            if !line.contains(words) {
                bad.push(format!("{file} frame {n} ({flag}): {line}"));
            }
        }
    }
    assert!(told >= 20, "only {told} flagged frames");
    assert!(
        bad.is_empty(),
        "{} of {told}:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn a_reset_is_told_as_an_abort_where_tshark_sees_rst() {
    let Some(dir) = common::corpus_and_tshark() else {
        return;
    };
    let flagged = flagged_steps(
        &dir.join("one_tcp_stream_fin_rst_close_packet.pcap"),
        "tcp.flags.reset == 1",
    );
    assert!(!flagged.is_empty());
    for (n, line) in flagged {
        assert!(
            line.contains("aborts the connection (RST)"),
            "frame {n}: {line}"
        );
    }
}

#[test]
fn sack_blocks_are_told_with_tsharks_relative_edges() {
    let Some(dir) = common::corpus_and_tshark() else {
        return;
    };
    // The first SACK block of each ACK that carries one (option-sack.pcap
    // has SACK options on SYNs only, where nothing says where the peer's
    // numbers start: not compared).
    let file = dir.join("many-protocols.pcap");
    let rows = tshark(
        &file,
        "tcp.options.sack_le && tcp.flags.ack == 1",
        &["tcp.stream", "tcp.options.sack_le", "tcp.options.sack_re"],
    );
    assert!(rows.len() >= 100, "{} rows", rows.len());
    let mut stories: BTreeMap<String, BTreeMap<u64, String>> = BTreeMap::new();
    let mut bad = Vec::new();
    for r in &rows {
        let n: u64 = r[0].parse().expect("n");
        let steps = stories
            .entry(r[1].clone())
            .or_insert_with(|| steps(&story(&file, n)));
        let re: u64 = r[3].parse().expect("right edge");
        let want = format!(
            "SACK option (RFC 2018) says which later bytes did arrive: {} to {}",
            r[2],
            re - 1
        );
        let line = steps.get(&n).cloned().unwrap_or_default();
        if !line.contains(&want) {
            bad.push(format!("frame {n}: tshark {want:?}: {line}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {}:\n{}",
        bad.len(),
        rows.len(),
        bad.join("\n")
    );
}

#[test]
fn an_icmp_error_is_told_in_the_conversation_it_quotes() {
    let md = story(&root().join("captures/icmp-port-unreachable.pcap"), 1);
    let steps = steps(&md);
    assert_eq!(steps.len(), 2, "{md}");
    assert!(
        steps[&2].contains("an ICMP error from 10.213.9.2 comes back to the client"),
        "{md}"
    );
    assert!(steps[&2].contains("the packet of frame 1"), "{md}");
    // Asked about the error itself, the story is the same conversation.
    assert_eq!(
        story(&root().join("captures/icmp-port-unreachable.pcap"), 2),
        md
    );
}

#[test]
fn an_icmp_echo_exchange_is_a_conversation_of_request_and_reply() {
    let md = story(&root().join("captures/icmp-echo.pcap"), 1);
    let steps = steps(&md);
    assert!(md.contains("10.213.9.1:4660 (client)"), "{md}");
    assert!(
        steps[&1].contains("sends an echo request (identifier 4660, sequence number 1"),
        "{md}"
    );
    assert!(
        steps[&2].contains("answers the client with an echo reply"),
        "{md}"
    );
}

/// (ACK frame, acknowledged frame, SampleRTT in ms) as the story lists them.
fn samples(md: &str) -> Vec<(u64, u64, f64)> {
    md.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("- frame ")?;
            let (ack, rest) = rest.split_once(" acknowledges frame ")?;
            let (acked, rest) = rest.split_once(": SampleRTT = ")?;
            let (ms, _) = rest.split_once(" ms")?;
            Some((ack.parse().ok()?, acked.parse().ok()?, ms.parse().ok()?))
        })
        .collect()
}

fn check_rtt(file: &Path, first_frame: u64, stream: &str) {
    let md = story(file, first_frame);
    let ours = samples(&md);
    let theirs = tshark(
        file,
        &format!("tcp.stream == {stream} && tcp.analysis.ack_rtt"),
        &["tcp.analysis.acks_frame", "tcp.analysis.ack_rtt"],
    );
    assert!(!ours.is_empty(), "{md}");
    let counted: usize = md
        .lines()
        .filter_map(|l| {
            l.strip_prefix("- After ")?
                .split_once(' ')?
                .0
                .parse::<usize>()
                .ok()
        })
        .sum();
    assert_eq!(
        counted,
        theirs.len(),
        "sample count: ours {counted}, tshark {}",
        theirs.len()
    );
    for (ack, acked, ms) in ours {
        let row = theirs
            .iter()
            .find(|r| r[0] == ack.to_string())
            .unwrap_or_else(|| panic!("tshark has no ack_rtt on frame {ack}"));
        assert_eq!(row[1], acked.to_string(), "frame {ack}");
        let want: f64 = row[2].parse::<f64>().expect("rtt") * 1000.0;
        assert!(
            (want - ms).abs() <= 0.0005 + 1e-9,
            "frame {ack}: tshark {want} ms, ours {ms}"
        );
    }
}

#[test]
fn rtt_samples_match_tsharks_ack_rtt_and_are_worked_through_rfc_6298() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let file = root().join("captures/echo-tcp4.pcap");
    check_rtt(&file, 1, "0");
    // The estimate after the first two client samples, by hand from
    // tshark's samples (RFC 6298 §2.2–2.3): R1 = 0.011187 ms, R2 = 0.004597.
    let (r1, r2) = (0.011187f64, 0.004597f64);
    let dev = 0.75 * (r1 / 2.0) + 0.25 * (r2 - r1).abs();
    let est = 0.875 * r1 + 0.125 * r2;
    let md = story(&file, 1);
    let want =
        format!("= {dev:.3} ms; EstimatedRTT = 0.875 × {r1:.3} + 0.125 × {r2:.3} = {est:.3} ms");
    assert!(md.contains(&want), "want {want:?} in\n{md}");
    if let Some(dir) = common::corpus() {
        let sll = dir.join("sll.pcap");
        let first = &tshark(&sll, "tcp.stream == 0", &[])[0][0];
        check_rtt(&sll, first.parse().expect("frame"), "0");
    }
}

#[path = "explain_stories/lessons.rs"]
mod lessons;
