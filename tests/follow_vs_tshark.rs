//! `wirepeek follow` against `tshark -q -z follow,PROTO,FORMAT,N`: every TCP
//! and UDP stream of every corpus file and every crafted case in
//! tests/fixtures/streams (made by its make.py), in all four formats, byte
//! for byte. Both reassemble IP fragments, tshark's default and ours. The crafted cases also carry checks of
//! their own, worked out from how make.py builds them, that run without
//! tshark.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FORMATS: [&str; 4] = ["raw", "ascii", "hex", "yaml"];
/// tshark's options: its defaults (IP reassembly on, as ours).
const NO_DEFRAG: [&str; 0] = [];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/streams")
}

fn wirepeek(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args(args)
        .output()
        .expect("run wirepeek")
}

/// `wirepeek follow` of one stream; its standard output.
fn follow(file: &Path, proto: &str, stream: u32, format: &str) -> Vec<u8> {
    let file = file.to_str().unwrap();
    let stream = stream.to_string();
    let mut args = vec!["follow", file, "--stream", &stream, "--format", format];
    if proto == "udp" {
        args.push("--udp");
    }
    let out = wirepeek(&args);
    assert!(
        out.status.success(),
        "wirepeek {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// tshark's follow output for several streams in one run. tshark prints
/// the `-z` statistics last-given first, so they are given in reverse.
fn tshark_follow(file: &Path, streams: &[(&str, u32)], format: &str) -> Vec<u8> {
    let mut command = Command::new("tshark");
    command
        .args(["-n", "-r"])
        .arg(file)
        .args(NO_DEFRAG)
        .arg("-q");
    for (proto, n) in streams.iter().rev() {
        command.args(["-z", &format!("follow,{proto},{format},{n}")]);
    }
    let out = command.output().expect("run tshark");
    assert!(out.status.success(), "tshark on {}", file.display());
    out.stdout
}

/// The TCP and UDP stream indices tshark sees in a file.
fn tshark_streams(file: &Path) -> Vec<(&'static str, u32)> {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(file)
        .args(NO_DEFRAG)
        .args(["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"])
        .args(["-e", "tcp.stream", "-e", "udp.stream"])
        .output()
        .expect("run tshark");
    let mut all = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        for (proto, column) in ["tcp", "udp"].into_iter().zip(line.split('\t')) {
            for n in column.split(',').filter_map(|v| v.parse::<u32>().ok()) {
                all.push((proto, n));
            }
        }
    }
    all.sort_unstable();
    all.dedup();
    all
}

/// Compare every stream of `file` in every format. Returns per format
/// (streams compared, streams equal) and the unequal ones.
fn compare_file(file: &Path, totals: &mut [(usize, usize); 4], unequal: &mut Vec<String>) {
    let streams = tshark_streams(file);
    if streams.is_empty() {
        return;
    }
    for (f, format) in FORMATS.iter().enumerate() {
        let theirs = tshark_follow(file, &streams, format);
        let ours: Vec<Vec<u8>> = streams
            .iter()
            .map(|&(proto, n)| follow(file, proto, n, format))
            .collect();
        totals[f].0 += streams.len();
        if ours.concat() == theirs {
            totals[f].1 += streams.len();
            continue;
        }
        // Find which: one tshark run per stream.
        for (&(proto, n), mine) in streams.iter().zip(&ours) {
            if *mine == tshark_follow(file, &[(proto, n)], format) {
                totals[f].1 += 1;
            } else {
                let name = file.file_name().unwrap().to_string_lossy();
                unequal.push(format!("{name} {proto} {n} {format}"));
            }
        }
    }
}

fn report(what: &str, totals: &[(usize, usize); 4], unequal: &[String]) {
    for (format, (compared, equal)) in FORMATS.iter().zip(totals) {
        eprintln!("{what} {format}: {equal} of {compared} streams equal to tshark");
    }
    assert!(unequal.is_empty(), "unequal to tshark: {unequal:#?}");
}

#[test]
fn every_corpus_stream_matches_tshark_follow_in_every_format() {
    let Some(dir) = common::corpus_and_tshark() else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (mut totals, mut unequal) = ([(0, 0); 4], Vec::new());
    for file in &files {
        compare_file(file, &mut totals, &mut unequal);
    }
    assert!(totals[0].0 > 300, "too few corpus streams: {totals:?}");
    report("corpus", &totals, &unequal);
}

#[test]
fn crafted_streams_match_tshark_follow_in_every_format() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let (mut totals, mut unequal) = ([(0, 0); 4], Vec::new());
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap"))
        .collect();
    files.sort();
    assert!(files.len() >= 12, "run make.py in tests/fixtures/streams");
    for file in &files {
        compare_file(file, &mut totals, &mut unequal);
    }
    report("crafted", &totals, &unequal);
}

/// The raw format's chunks after the header: (from node 1, bytes as text).
fn chunks(file: &str) -> Vec<(bool, String)> {
    let out = follow(&fixtures().join(file), "tcp", 0, "raw");
    let text = String::from_utf8(out).unwrap();
    text.lines()
        .skip(6)
        .take_while(|l| !l.starts_with('='))
        .map(|l| {
            let hex = l.trim_start_matches('\t');
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            (
                l.starts_with('\t'),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect()
}

fn client_text(file: &str) -> String {
    chunks(file)
        .into_iter()
        .filter(|(server, _)| !server)
        .map(|(_, t)| t)
        .collect()
}

#[test]
fn a_retransmitted_segment_is_shown_once() {
    assert_eq!(client_text("retransmission.pcap"), "GET / HTTP/1.0\r\n\r\n");
}

#[test]
fn on_an_overlap_with_different_bytes_the_first_copy_wins() {
    assert_eq!(client_text("overlap_different_bytes.pcap"), "abcdefghijkl");
}

#[test]
fn out_of_order_segments_come_out_in_sequence_order() {
    assert_eq!(client_text("out_of_order.pcap"), "one two three four");
}

#[test]
fn a_gap_the_receiver_acknowledged_is_marked_with_its_size() {
    // make.py leaves out 10 bytes between "before " and "after"; the mark
    // keeps tshark's NUL.
    assert_eq!(
        client_text("gap.pcap"),
        "before [10 bytes missing in capture file]\0after"
    );
}

#[test]
fn sequence_numbers_that_wrap_through_zero_reassemble() {
    assert_eq!(
        client_text("sequence_wrap.pcap"),
        "0123456789abcdefGHIJKLMNOPQRSTUV"
    );
}

#[test]
fn data_before_its_fin_is_still_delivered() {
    assert_eq!(client_text("fin_before_data.pcap"), "first last.");
}

#[test]
fn a_reset_mid_stream_keeps_what_came_before_and_after() {
    let c = chunks("rst_mid_stream.pcap");
    let expect = [(false, "hello"), (true, "hi"), (false, "late")];
    let c: Vec<(bool, &str)> = c.iter().map(|(s, t)| (*s, t.as_str())).collect();
    assert_eq!(c, expect);
}

#[test]
fn a_hole_nobody_acknowledges_hides_what_follows_and_says_so() {
    let file = fixtures().join("unacknowledged_hole.pcap");
    let out = wirepeek(&["follow", file.to_str().unwrap(), "--stream", "0"]);
    assert!(out.status.success());
    assert_eq!(client_text("unacknowledged_hole.pcap"), "shown");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("5 bytes after a hole"), "{err}");
}

#[test]
fn segments_past_max_stream_bytes_are_dropped_and_counted() {
    let file = fixtures().join("out_of_order.pcap");
    let file = file.to_str().unwrap();
    let out = wirepeek(&["follow", file, "--stream", "0", "--max-stream-bytes", "1"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("one ") && text.contains("two ") && !text.contains("three"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2 out-of-order segments (10 bytes) dropped"),
        "{err}"
    );
}

#[test]
fn the_server_speaking_first_is_still_node_1() {
    let c = chunks("server_speaks_first.pcap");
    let sides: Vec<bool> = c.iter().map(|(s, _)| *s).collect();
    assert_eq!(sides, [true, false, true]);
}

#[test]
fn follow_frame_follows_that_frames_stream() {
    let file = fixtures().join("udp.pcap");
    let file = file.to_str().unwrap();
    let by_frame = wirepeek(&["follow", file, "--frame", "3", "--format", "raw"]);
    assert!(by_frame.status.success());
    let by_stream = follow(Path::new(file), "udp", 0, "raw");
    assert_eq!(by_frame.stdout, by_stream);
    // "query", then "answer" from node 1 (the empty datagram is left out).
    let text = String::from_utf8(by_stream).unwrap();
    assert!(text.contains("\n7175657279\n\t616e73776572\n"), "{text}");
}

#[test]
fn direction_client_prints_only_node_0() {
    let file = fixtures().join("retransmission.pcap");
    let file = file.to_str().unwrap();
    let args = ["follow", file, "--stream", "0", "--format", "raw"];
    let out = wirepeek(&[&args[..], &["--direction", "client"]].concat());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.lines().any(|l| l.starts_with('\t')), "{text}");
    let out = wirepeek(&[&args[..], &["--direction", "server"]].concat());
    let text = String::from_utf8(out.stdout).unwrap();
    let data: Vec<&str> = text
        .lines()
        .skip(6)
        .filter(|l| !l.starts_with('='))
        .collect();
    assert!(
        !data.is_empty() && data.iter().all(|l| l.starts_with('\t')),
        "{text}"
    );
}

#[test]
fn follow_arguments_are_checked() {
    let file = fixtures().join("udp.pcap");
    let file = file.to_str().unwrap();
    for (args, says) in [
        (vec!["follow", file, "--frame", "0"], "0"),
        (vec!["follow", file, "--frame", "99"], "no frame 99"),
        (
            vec!["follow", file, "--stream", "0", "--max-stream-bytes", "0"],
            "at least 1 byte",
        ),
        (
            vec!["follow", file, "--stream", "0", "--max-stream-bytes", "9X"],
            "suffix",
        ),
        (
            vec!["follow", file, "--stream", "0", "--max-stream-bytes", "65G"],
            "64 GiB",
        ),
        (vec!["follow", "-", "--frame", "1"], "standard input"),
        (vec!["follow", file], "--stream"),
        (
            vec!["follow", file, "--frame", "1", "--udp", "--stream", "2"],
            "cannot be used",
        ),
    ] {
        let out = wirepeek(&args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
