//! `wirepeek quiz`: the handout (`--answers`) as reviewed golden text on
//! the bundled echo capture; every answer it can give checked against
//! tshark's reading of the same frames; an interactive run with right,
//! wrong and missing answers on standard input; `-n` and `--seed`
//! validated.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn quiz(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .arg("quiz")
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wirepeek runs");
    child
        .stdin
        .take()
        .expect("stdin piped")
        .write_all(stdin.as_bytes())
        .expect("answers written");
    child.wait_with_output().expect("wirepeek finishes")
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "quiz failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).expect("UTF-8")
}

/// (question, answer) pairs of an `--answers` handout.
fn pairs(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if let Some((_, q)) = l.split_once(". ").filter(|(n, _)| n.parse::<u32>().is_ok()) {
            let a = lines
                .next()
                .and_then(|a| a.trim().strip_prefix("Answer: "))
                .expect("an answer under each question");
            out.push((q.to_string(), a.to_string()));
        }
    }
    out
}

#[test]
fn answers_handout_on_echo_tcp4_matches_the_reviewed_golden() {
    let text = stdout(&quiz(
        &[
            "captures/echo-tcp4.pcap",
            "--answers",
            "-n",
            "6",
            "--seed",
            "7",
        ],
        "",
    ));
    let path = root().join("tests/golden/quiz-echo-tcp4-answers.txt");
    if std::env::var_os("WIREPEEK_BLESS").is_some() {
        std::fs::write(&path, &text).expect("golden written");
        return;
    }
    let want = std::fs::read_to_string(&path).expect("golden present (WIREPEEK_BLESS=1)");
    assert_eq!(text, want);
}

/// The number in a prompt after `frame `.
fn frame_of(q: &str) -> u64 {
    let at = q.rfind("frame ").expect("a frame number") + 6;
    q[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a frame number")
}

#[test]
fn every_answer_agrees_with_tshark() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    // What each field question asks, in tshark's names.
    let asks = [
        ("the TCP header length", "tcp.hdr_len"),
        ("the TCP source port", "tcp.srcport"),
        ("the TCP destination port", "tcp.dstport"),
        ("the window field", "tcp.window_size_value"),
        ("the IPv4 time to live", "ip.ttl"),
        ("the IPv4 total length", "ip.len"),
        ("the IPv4 header length", "ip.hdr_len"),
        ("the IPv6 hop limit", "ipv6.hlim"),
        ("the IPv6 payload length", "ipv6.plen"),
        ("the UDP length", "udp.length"),
    ];
    let mut checked = 0;
    for file in [
        "captures/echo-tcp4.pcap",
        "captures/echo-tcp6.pcap",
        "captures/echo-udp4.pcap",
    ] {
        let path = root().join(file);
        let mut keys: Vec<&str> = vec![
            "frame.number",
            "tcp.seq",
            "tcp.len",
            "tcp.flags.syn",
            "tcp.flags.ack",
            "tcp.srcport",
            "tcp.dstport",
        ];
        keys.extend(asks.iter().map(|a| a.1));
        let out = common::tshark_fields(&path, &keys)
            .output()
            .expect("tshark runs");
        let table: HashMap<u64, HashMap<&str, String>> = String::from_utf8(out.stdout)
            .expect("UTF-8")
            .lines()
            .map(|l| {
                let cols: Vec<&str> = l.split('\t').collect();
                let row: HashMap<&str, String> = keys
                    .iter()
                    .zip(&cols)
                    .map(|(k, v)| (*k, v.to_string()))
                    .collect();
                (cols[0].parse().expect("frame number"), row)
            })
            .collect();
        let get = |n: u64, k: &str| table[&n][k].clone();
        // The client: the sender of the SYN without ACK.
        let syn = table
            .iter()
            .find(|(_, r)| r["tcp.flags.syn"] == "1" && r["tcp.flags.ack"] == "0")
            .map(|(n, r)| (*n, r["tcp.srcport"].clone(), r["tcp.dstport"].clone()));
        let handout = stdout(&quiz(&[file, "--answers", "-n", "100"], ""));
        for (q, a) in pairs(&handout) {
            let n = frame_of(&q);
            let want = if let Some((_, key)) = asks.iter().find(|(p, _)| q.contains(p)) {
                get(n, key)
            } else if q.contains("which side is the server") {
                let (_, _, server) = syn.clone().expect("a SYN");
                format!("127.0.0.1:{server} (port {server})")
            } else if q.contains("How many bytes of data has the client") {
                let (_, client, _) = syn.clone().expect("a SYN");
                // tshark's relative sequence numbers: data starts at 1.
                let sent = (1..=n)
                    .filter(|m| table.contains_key(m) && get(*m, "tcp.srcport") == client)
                    .map(|m| {
                        let seq: u64 = get(m, "tcp.seq").parse().unwrap_or(0);
                        let len: u64 = get(m, "tcp.len").parse().unwrap_or(0);
                        if len > 0 { seq + len - 1 } else { 0 }
                    })
                    .max()
                    .unwrap_or(0);
                sent.to_string()
            } else {
                panic!("a question the test does not know: {q}");
            };
            if q.contains("server") && file.contains("tcp6") {
                assert!(
                    a.ends_with(&format!("(port {})", syn.clone().expect("SYN").2)),
                    "{q}: {a}"
                );
            } else {
                assert_eq!(a, want, "{file}: {q}");
            }
            checked += 1;
        }
    }
    eprintln!("{checked} answers checked against tshark");
    assert!(checked > 50, "only {checked} answers checked");
}

#[test]
fn interactive_quiz_judges_right_wrong_and_missing_answers() {
    let args = ["captures/echo-tcp4.pcap", "-n", "3", "--seed", "3"];
    let key = pairs(&stdout(&quiz(&[&args[..], &["--answers"]].concat(), "")));
    assert_eq!(key.len(), 3);
    // Right, then wrong (one more than the answer's first number), then
    // standard input ends.
    let first_number = |a: &str| -> u64 {
        a.split(|c: char| !c.is_ascii_digit())
            .find(|s| !s.is_empty())
            .and_then(|s| s.parse().ok())
            .expect("a number in the answer")
    };
    let wrong = first_number(&key[1].1) + 1;
    let text = stdout(&quiz(&args, &format!("{}\n{wrong}\n", key[0].1)));
    assert!(text.contains(&format!("1. {}\n> ", key[0].0)), "{text}");
    assert!(text.contains(&format!("   Right: {}.", key[0].1)), "{text}");
    assert!(
        text.contains(&format!(
            "   Not quite: you said \"{wrong}\"; the answer is {}.",
            key[1].1
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("(no answer) The answer is {}.", key[2].1)),
        "{text}"
    );
    assert!(text.contains("   Why: "), "{text}");
    assert!(text.ends_with("Score: 1 of 3 right.\n"), "{text}");
}

#[test]
fn the_same_seed_gives_the_same_quiz_and_another_seed_another() {
    let run = |seed: &str| {
        stdout(&quiz(
            &["captures/echo-tcp4.pcap", "--answers", "--seed", seed],
            "",
        ))
    };
    assert_eq!(run("42"), run("42"));
    assert_ne!(run("42"), run("43"));
}

#[test]
fn bad_question_counts_and_seeds_are_clear_usage_errors() {
    for (args, says) in [
        (&["-n", "0"][..], "--questions"),
        (&["-n", "101"][..], "--questions"),
        (&["-n", "many"][..], "--questions"),
        (&["--seed=-1"][..], "--seed"),
        (&["--seed", "x"][..], "--seed"),
        (&["--seed", "18446744073709551616"][..], "--seed"),
    ] {
        let out = quiz(&[&["captures/echo-tcp4.pcap"][..], args].concat(), "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn a_capture_with_nothing_to_ask_is_a_clear_error() {
    let out = quiz(&["captures/arp-request-reply.pcap"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("offers no questions"));
}
