//! The Graphs tab's numbers, checked against tshark on corpus captures,
//! with the model loaded as the TUI loads it and the keys a user presses:
//!
//! - the I/O graph's bins (frames and bytes per interval) are the rows of
//!   `tshark -q -z io,stat,INTERVAL` and, with a display filter set by `/`,
//!   of `-z io,stat,INTERVAL,FILTER`;
//! - the TCP stream graph's points (frame, time, relative sequence number,
//!   length, retransmission mark) for every TCP conversation are the rows of
//!   `tshark -Y tcp.stream==N -T fields -e frame.time_relative -e tcp.seq
//!   -e tcp.len -e tcp.analysis.retransmission`. tshark's times are from the
//!   capture's first frame and ours from the conversation's first packet, so
//!   the stream's first `frame.time_relative` is subtracted from each (both
//!   read as whole nanoseconds from tshark's nine decimals).
//!
//! Skips without tshark or the corpus.

mod common;

use std::path::Path;
use std::process::Command;

use wirepeek::app::filter::display_compiler;
use wirepeek::app::flows::Analysis;
use wirepeek::app::graph::io::{Bin, STEPS};
use wirepeek::app::{App, Input, Key, Msg, SourceKind};
use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};

fn loaded(file: &Path) -> App {
    let mut app = App::new(
        SourceKind::File {
            path: file.display().to_string(),
        },
        None,
    );
    app.view.compiler = Some(display_compiler());
    let mut source = FileSource::open(file.to_str().expect("utf-8 path")).expect("opens");
    let mut frames = Vec::new();
    while let Ok(Next::Frame(f)) = source.next_frame() {
        frames.push(f);
    }
    app.update(Msg::Frames(frames));
    app.update(Msg::SourceEnded { warning: None });
    app
}

fn key(app: &mut App, k: Key) {
    app.update(Msg::Input(Input::Key(k)));
}

fn set_filter(app: &mut App, text: &str) {
    key(app, Key::Char('/'));
    for c in text.chars() {
        key(app, Key::Char(c));
    }
    key(app, Key::Enter);
    let shown = app.view.display.as_ref().map(|a| a.text.as_str());
    assert_eq!(shown, Some(text), "the filter {text:?} was not applied");
}

/// tshark's rows of `-z io,stat,SECS[,FILTER]`: frames and bytes per interval.
fn tshark_bins(file: &Path, secs: &str, filter: Option<&str>) -> Vec<Bin> {
    let mut stat = format!("io,stat,{secs}");
    if let Some(f) = filter {
        stat.push_str(&format!(",{f}"));
    }
    let out = Command::new("tshark")
        .args(["-n", "-q", "-r"])
        .arg(file)
        .args(["-z", &stat])
        .output()
        .expect("tshark runs");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter(|l| l.contains("<>"))
        .map(|l| {
            let cols: Vec<&str> = l.split('|').map(str::trim).collect();
            Bin {
                frames: cols[2].parse().expect("frames"),
                bytes: cols[3].parse().expect("bytes"),
            }
        })
        .collect()
}

/// Our bins at interval `step` (an index of `STEPS`).
fn our_bins(app: &mut App, step: usize) -> Vec<Bin> {
    key(app, Key::Char('6'));
    key(app, Key::Char('i'));
    app.graph.io.step = step;
    app.graph.io.auto = false;
    app.graph_finish();
    let io = &app.graph.io;
    assert_eq!(io.done, app.list.shown.len(), "the count finished");
    assert_eq!(
        (io.untimed, io.past),
        (0, 0),
        "every frame was counted (step {step})"
    );
    io.bins.clone()
}

fn same_bins(name: &str, what: &str, ours: &[Bin], theirs: &[Bin]) {
    assert!(
        !theirs.is_empty(),
        "{name} {what}: tshark printed no interval"
    );
    let n = ours.len().max(theirs.len());
    for k in 0..n {
        let a = ours.get(k).copied().unwrap_or_default();
        let b = theirs.get(k).copied().unwrap_or_default();
        assert_eq!(a, b, "{name} {what}: interval {k}");
    }
    assert!(
        ours.len() <= theirs.len(),
        "{name} {what}: bins past tshark's"
    );
}

#[test]
fn io_bins_are_tsharks_io_stat_rows_with_and_without_a_filter() {
    let Some(dir) = common::corpus_and_tshark() else {
        return;
    };
    // (capture, interval in seconds, filters)
    let cases: &[(&str, &str, &[&str])] = &[
        ("sll.pcap", "1", &["tcp", "udp", "frame.len > 200"]),
        ("sll.pcap", "0.1", &["tcp.len > 0"]),
        (
            "four_ipv6_http_streams.pcap",
            "0.01",
            &["tcp.len > 0", "tcp.srcport == 80"],
        ),
        ("many-protocols.pcap", "86400", &["tcp", "arp or icmp"]),
        ("many_interfaces-1.pcapng", "0.01", &["ip.len > 100"]),
        ("linux_dlt_sll2.pcap", "10", &["icmp or icmpv6"]),
        ("test_loopback.pcap", "0.001", &["tcp.len > 0"]),
        ("gap-data-missing.pcapng", "1", &["tcp"]),
    ];
    let mut checked = 0;
    for &(name, secs, filters) in cases {
        let file = dir.join(name);
        if !file.is_file() {
            continue;
        }
        let ns = (secs.parse::<f64>().expect("seconds") * 1e9).round() as u64;
        let step = STEPS
            .iter()
            .position(|&s| s == ns)
            .expect("a step we offer");
        let mut app = loaded(&file);
        let ours = our_bins(&mut app, step);
        same_bins(name, secs, &ours, &tshark_bins(&file, secs, None));
        checked += 1;
        for filter in filters {
            let mut app = loaded(&file);
            set_filter(&mut app, filter);
            let ours = our_bins(&mut app, step);
            let total: u64 = ours.iter().map(|b| b.frames).sum();
            assert_eq!(total, app.list.shown.len() as u64);
            let theirs = tshark_bins(&file, secs, Some(filter));
            same_bins(name, &format!("{secs} {filter}"), &ours, &theirs);
            checked += 1;
        }
    }
    assert!(checked >= 12, "only {checked} graphs were checked");
}

type Row = (u64, i64, u32, u32, bool);

/// tshark's rows for every TCP stream, in order of first appearance:
/// (stream, its first frame, its rows as (frame, ns from the stream's
/// first packet, tcp.seq, tcp.len, retransmission)).
fn tshark_streams(file: &Path) -> Vec<(u32, u64, Vec<Row>)> {
    let out = common::tshark_fields(
        file,
        &[
            "tcp.stream",
            "frame.number",
            "frame.time_relative",
            "tcp.seq",
            "tcp.len",
            "tcp.analysis.retransmission",
        ],
    )
    .args(["-Y", "tcp"])
    .output()
    .expect("tshark runs");
    let ns = |s: &str| {
        let (secs, frac) = s.split_once('.').unwrap_or((s, "0"));
        let frac = format!("{frac:0<9}");
        secs.parse::<i64>().expect("secs") * 1_000_000_000 + frac[..9].parse::<i64>().expect("ns")
    };
    let mut streams: Vec<(u32, u64, Vec<Row>)> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (Ok(stream), Ok(frame)) = (f[0].parse::<u32>(), f[1].parse::<u64>()) else {
            continue;
        };
        let row = (
            frame,
            ns(f[2]),
            f[3].parse().expect("seq"),
            f[4].parse().expect("len"),
            f.get(5).is_some_and(|r| !r.is_empty()),
        );
        match streams.iter_mut().find(|s| s.0 == stream) {
            Some(s) => s.2.push(row),
            None => streams.push((stream, frame, vec![row])),
        }
    }
    for (_, _, rows) in &mut streams {
        let zero = rows[0].1;
        for r in rows.iter_mut() {
            r.1 -= zero;
        }
    }
    streams
}

#[test]
fn tcp_graph_points_are_tsharks_seq_len_time_and_retransmissions() {
    let Some(dir) = common::corpus_and_tshark() else {
        return;
    };
    let mut streams = 0;
    let mut retransmissions = 0;
    for name in [
        "pptp.pcap",
        "qi_internet_SYNACK_curl_jsonip.pcap",
        "option-sack.pcap",
        "gap-data-missing.pcapng",
        "four_ipv6_http_streams.pcap",
        "sll.pcap",
        "many-protocols.pcap",
    ] {
        let file = dir.join(name);
        if !file.is_file() {
            continue;
        }
        let mut app = loaded(&file);
        for (stream, first, theirs) in tshark_streams(&file) {
            app.go_to_number(first);
            key(&mut app, Key::Char('1'));
            key(&mut app, Key::Char('6'));
            key(&mut app, Key::Char('t'));
            app.graph_finish();
            let g = app.graph.tcp.as_ref().expect("a stream graph");
            assert!(
                g.title.contains(&format!("tcp stream {stream} ")),
                "{}",
                g.title
            );
            let ours: Vec<Row> = g
                .points
                .iter()
                .map(|p| {
                    (
                        p.number,
                        p.t_ns,
                        p.seq,
                        p.len,
                        p.marks & Analysis::RETRANSMISSION != 0,
                    )
                })
                .collect();
            assert_eq!(ours.len(), theirs.len(), "{name} stream {stream}: points");
            for (a, b) in ours.iter().zip(&theirs) {
                assert_eq!(
                    a, b,
                    "{name} stream {stream}: (frame, ns, seq, len, retransmission)"
                );
            }
            retransmissions += theirs.iter().filter(|r| r.4).count();
            streams += 1;
            key(&mut app, Key::Char('1'));
        }
    }
    eprintln!("{streams} streams, {retransmissions} retransmissions checked");
    assert!(streams >= 10, "only {streams} streams were checked");
    assert!(
        retransmissions >= 3,
        "only {retransmissions} retransmissions were seen"
    );
}
