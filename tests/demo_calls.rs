//! `wirepeek demo`'s socket calls beside the packets (issue 20), checked
//! against tshark's reading of the capture the demo saved with `-w`: every
//! `write(n) → frames …` names frames of the writer whose `tcp.len` add up
//! to n at the right relative sequence number, every `read()` names
//! frames that carry the bytes it returned and that were stamped before it
//! returned, every packet row has tshark's `frame.time_relative`. Root only
//! (the demo captures on `lo`); tshark optional for the cross-checks.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wirepeek"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wirepeek-demo-calls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// Run `demo ARGS -w FILE`; the printed text and the file.
fn demo(name: &str, args: &[&str]) -> (String, PathBuf) {
    let path = scratch(&format!("{name}.pcap"));
    let out = bin()
        .arg("demo")
        .args(args)
        .arg("-w")
        .arg(&path)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "demo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (String::from_utf8(out.stdout).expect("UTF-8"), path)
}

/// One row of the timeline.
#[derive(Debug)]
struct Row {
    time: f64,
    /// `client`/`server`, or None for a packet row.
    who: Option<String>,
    text: String,
}

fn timeline(text: &str) -> Vec<Row> {
    let start = text
        .find("Socket calls beside the packets")
        .unwrap_or_else(|| panic!("no timeline:\n{text}"));
    text[start..]
        .lines()
        .skip(2)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| !l.trim_start().starts_with('('))
        .map(|line| {
            let line = line.trim_start();
            let (time, rest) = line.split_once(' ').expect("time column");
            let rest = rest.trim_start();
            let (who, text) = match rest.split_once("  ") {
                Some((who, text)) if who == "client" || who == "server" => {
                    (Some(who.to_string()), text.trim_start().to_string())
                }
                _ => (None, rest.to_string()),
            };
            Row {
                time: time.parse().unwrap_or_else(|_| panic!("time in {line}")),
                who,
                text,
            }
        })
        .collect()
}

/// The frame numbers a row names after `marker` (`frame 4`, `frames 4–6`,
/// `frames 4, 6 and 8`), up to the first `(`, `;` or `:` after them.
fn frames_after(text: &str, marker: &str) -> Vec<u64> {
    let Some(at) = text.find(marker) else {
        return Vec::new();
    };
    let rest = &text[at + marker.len()..];
    let rest = rest
        .trim_start()
        .trim_start_matches("frames")
        .trim_start_matches("frame");
    let end = rest.find(['(', ';', ':']).unwrap_or(rest.len());
    let list = &rest[..end];
    if let Some((a, b)) = list.split_once('–') {
        let (a, b): (u64, u64) = (
            a.trim().parse().expect("from"),
            b.trim().parse().expect("to"),
        );
        return (a..=b).collect();
    }
    list.replace(" and ", ",")
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect()
}

fn number(text: &str, after: &str) -> u64 {
    let at = text
        .find(after)
        .unwrap_or_else(|| panic!("{after} in {text}"))
        + after.len();
    let digits: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("number after {after} in {text}"))
}

/// What tshark says of one frame.
#[derive(Debug, Clone, Default)]
struct Tshark {
    time: f64,
    src_port: u16,
    seq: u64,
    len: u64,
    flags: u16,
}

fn tshark(file: &Path, udp: bool) -> HashMap<u64, Tshark> {
    let fields: &[&str] = if udp {
        &[
            "frame.number",
            "frame.time_relative",
            "udp.srcport",
            "udp.length",
        ]
    } else {
        &[
            "frame.number",
            "frame.time_relative",
            "tcp.srcport",
            "tcp.seq",
            "tcp.len",
            "tcp.flags",
        ]
    };
    let out = common::tshark_fields(file, fields)
        .output()
        .expect("tshark runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut frames = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let cells: Vec<&str> = line.split('\t').collect();
        let n = |i: usize| {
            cells
                .get(i)
                .and_then(|c| c.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let frame = Tshark {
            time: cells[1].parse().expect("time"),
            src_port: n(2) as u16,
            seq: if udp { 0 } else { n(3) },
            len: if udp { n(3).saturating_sub(8) } else { n(4) },
            flags: if udp {
                0
            } else {
                u16::from_str_radix(cells[5].trim_start_matches("0x"), 16).expect("flags")
            },
        };
        frames.insert(n(0), frame);
    }
    frames
}

/// Check every row of a TCP timeline against tshark; returns the client's
/// port.
fn check_tcp_against_tshark(rows: &[Row], t: &HashMap<u64, Tshark>) -> u16 {
    let client_port = t[&1].src_port;
    let port_of = |who: &str| {
        if who == "client" {
            client_port
        } else {
            t.values()
                .find(|f| f.src_port != client_port)
                .expect("server frames")
                .src_port
        }
    };
    let position = |frame: u64| {
        rows.iter()
            .position(|r| r.who.is_none() && r.text.starts_with(&format!("frame {frame} ")))
            .unwrap_or_else(|| panic!("no packet row for frame {frame}"))
    };
    let mut written: HashMap<String, u64> = HashMap::new();
    let mut read: HashMap<String, u64> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let Some(who) = &row.who else {
            let frame = number(&row.text, "frame ");
            assert!(
                (row.time - t[&frame].time).abs() < 2e-6,
                "frame {frame}: printed {} but tshark says {}",
                row.time,
                t[&frame].time
            );
            continue;
        };
        let text = &row.text;
        if text.starts_with("write(") && text.contains('→') {
            let n = number(text, "write(");
            let frames = frames_after(text, "→");
            let total: u64 = frames.iter().map(|f| t[f].len).sum();
            assert_eq!(total, n, "{who} {text}: tcp.len of {frames:?}");
            for f in &frames {
                assert_eq!(
                    t[f].src_port,
                    port_of(who),
                    "{text}: frame {f} is the writer's"
                );
                assert!(
                    position(*f) > i,
                    "{text}: frame {f} is listed after the call"
                );
            }
            let offset = written.entry(who.clone()).or_default();
            assert_eq!(
                t[&frames[0]].seq,
                *offset + 1,
                "{text}: starts where the last write ended"
            );
            *offset += n;
        } else if text.starts_with("read() returned") && !text.starts_with("read() returned 0") {
            let n = number(text, "returned ");
            let frames = frames_after(text, "carried by");
            assert!(!frames.is_empty(), "{who} {text}: names its frames");
            let from = number(text, ": bytes ");
            let offset = read.entry(who.clone()).or_default();
            assert_eq!(from, *offset + 1, "{text}: continues the stream");
            let last = from + n - 1;
            let lo = frames.iter().map(|f| t[f].seq).min().expect("frames");
            let hi = frames
                .iter()
                .map(|f| t[f].seq + t[f].len - 1)
                .max()
                .expect("frames");
            assert!(lo <= from && hi >= last, "{text}: tshark's seq {lo}..{hi}");
            for f in &frames {
                assert_ne!(
                    t[f].src_port,
                    port_of(who),
                    "{text}: frame {f} came from the peer"
                );
                assert!(
                    position(*f) < i,
                    "{text}: frame {f} arrived before read() returned"
                );
            }
            *offset += n;
        } else if text.starts_with("connect() → SYN") {
            let f = number(text, "(frame ");
            assert_eq!(
                (t[&f].flags, t[&f].src_port),
                (0x002, client_port),
                "{text}"
            );
            assert!(position(f) > i, "{text}: the SYN follows connect()");
        } else if text.starts_with("accept() returned after") {
            let f = number(text, "(frame ");
            assert_eq!(
                (t[&f].flags, t[&f].src_port),
                (0x010, client_port),
                "{text}"
            );
            assert!(position(f) < i, "{text}: the handshake's ACK came first");
        } else if text.starts_with("shutdown(SHUT_WR) → FIN") || text.starts_with("close() → FIN")
        {
            let f = number(text, "(frame ");
            assert_eq!(t[&f].flags & 0x001, 1, "{text}: frame {f} is a FIN");
            assert_eq!(t[&f].src_port, port_of(who), "{text}");
            assert!(position(f) > i, "{text}: the FIN follows the call");
        }
    }
    client_port
}

/// The calls of one side, in order, with numbers that vary from run to
/// run (times, ports, frame numbers) masked.
fn calls_of(rows: &[Row], who: &str) -> Vec<String> {
    rows.iter()
        .filter(|r| r.who.as_deref() == Some(who))
        .map(|r| mask(&r.text))
        .collect()
}

fn mask(text: &str) -> String {
    let mut out = text.to_string();
    for prefix in ["frame ", "127.0.0.1:", "[::1]:"] {
        let mut masked = String::new();
        let mut rest = out.as_str();
        while let Some(at) = rest.find(prefix) {
            masked.push_str(&rest[..at + prefix.len()]);
            rest = &rest[at + prefix.len()..];
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if digits > 0 {
                masked.push('N');
                rest = &rest[digits..];
            }
        }
        masked.push_str(rest);
        out = masked;
    }
    out
}

#[test]
fn socket_calls_match_the_frames_tshark_sees_in_order_and_byte_count() {
    if !common::root_or_skip("demo captures on lo and needs root; CI runs as root") {
        return;
    }
    let (text, file) = demo("tcp", &[]);
    let rows = timeline(&text);
    let client = calls_of(&rows, "client");
    let kinds: Vec<&str> = client
        .iter()
        .map(|c| c.split('(').next().unwrap_or(""))
        .collect();
    assert_eq!(
        kinds,
        [
            "socket", "connect", "connect", "write", "read", "write", "read", "write", "read",
            "shutdown", "read", "close"
        ],
        "{client:#?}"
    );
    let writes = client
        .iter()
        .filter(|c| c.starts_with("write(12) → frame"))
        .count();
    assert_eq!(writes, 3, "{client:#?}");
    let server = calls_of(&rows, "server");
    let reads = server
        .iter()
        .filter(|c| c.starts_with("read() returned 12 bytes"))
        .count();
    assert_eq!(reads, 3, "{server:#?}");
    if !common::tshark_present() {
        common::skip("tshark is not installed: the frames are not cross-checked");
        return;
    }
    check_tcp_against_tshark(&rows, &tshark(&file, false));
}

#[test]
fn a_message_larger_than_a_segment_reaches_the_reader_in_several_short_reads() {
    if !common::root_or_skip("demo captures on lo and needs root; CI runs as root") {
        return;
    }
    let (text, file) = demo("large", &["--message-size", "100000"]);
    let rows = timeline(&text);
    let server_reads: Vec<u64> = rows
        .iter()
        .filter(|r| r.who.as_deref() == Some("server") && r.text.starts_with("read() returned"))
        .map(|r| number(&r.text, "returned "))
        .filter(|&n| n > 0)
        .collect();
    assert!(
        server_reads.len() >= 2,
        "several read() calls: {server_reads:?}"
    );
    assert!(
        server_reads.iter().all(|&n| n < 100_000),
        "{server_reads:?}"
    );
    assert_eq!(
        server_reads.iter().sum::<u64>(),
        100_000,
        "{server_reads:?}"
    );
    let client_writes: Vec<&Row> = rows
        .iter()
        .filter(|r| r.who.as_deref() == Some("client") && r.text.starts_with("write("))
        .collect();
    assert_eq!(
        client_writes.len(),
        1,
        "one write() sends it all: {client_writes:?}"
    );
    assert!(text.contains("Why the reader loops"), "{text}");
    assert!(text.contains("Rio_readn"), "{text}");
    if !common::tshark_present() {
        common::skip("tshark is not installed: the frames are not cross-checked");
        return;
    }
    let t = tshark(&file, false);
    let client = check_tcp_against_tshark(&rows, &t);
    let data: Vec<u64> = t
        .values()
        .filter(|f| f.src_port == client && f.len > 0)
        .map(|f| f.len)
        .collect();
    assert!(
        data.len() >= 2,
        "tshark: the message crossed in several segments: {data:?}"
    );
    assert_eq!(data.iter().sum::<u64>(), 100_000);
}

#[test]
fn udp_each_recvfrom_returns_exactly_one_datagram() {
    if !common::root_or_skip("demo captures on lo and needs root; CI runs as root") {
        return;
    }
    let (text, file) = demo("udp", &["--udp"]);
    let rows = timeline(&text);
    let whole: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            r.text.starts_with("recvfrom() returned") && r.text.contains("the whole datagram")
        })
        .collect();
    assert_eq!(
        whole.len(),
        6,
        "three datagrams and three echoes: {rows:#?}"
    );
    let sends = rows
        .iter()
        .filter(|r| r.text.starts_with("sendto(12) → frame"))
        .count();
    assert_eq!(sends, 6, "{rows:#?}");
    assert!(text.contains("UDP keeps message boundaries"), "{text}");
    if !common::tshark_present() {
        common::skip("tshark is not installed: the frames are not cross-checked");
        return;
    }
    let t = tshark(&file, true);
    let client = t[&1].src_port;
    for row in &rows {
        match &row.who {
            None => {
                let f = number(&row.text, "frame ");
                assert!((row.time - t[&f].time).abs() < 2e-6, "frame {f} time");
            }
            Some(who) if row.text.starts_with("recvfrom()") => {
                let (n, f) = (
                    number(&row.text, "returned "),
                    number(&row.text, "of frame "),
                );
                assert_eq!(t[&f].len, n, "{who} {}: udp.length - 8", row.text);
                assert_eq!(t[&f].src_port == client, who == "server", "{}", row.text);
            }
            Some(who) if row.text.starts_with("sendto(") => {
                let (n, f) = (number(&row.text, "sendto("), number(&row.text, "→ frame "));
                assert_eq!(t[&f].len, n, "{}", row.text);
                assert_eq!(t[&f].src_port == client, who == "client", "{}", row.text);
            }
            _ => {}
        }
    }
}

#[test]
fn http_demo_shows_http_inside_tcp_with_the_request_line() {
    if !common::root_or_skip("demo captures on lo and needs root; CI runs as root") {
        return;
    }
    let (text, file) = demo("http", &["--http"]);
    assert!(text.contains("⊃ TCP [34..66) ⊃ HTTP [66.."), "{text}");
    let rows = timeline(&text);
    assert!(
        rows.iter()
            .any(|r| r.who.is_none() && r.text.ends_with("HTTP GET /index.html HTTP/1.0")),
        "{rows:#?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.text.ends_with("HTTP HTTP/1.0 200 OK")),
        "{rows:#?}"
    );
    if !common::tshark_present() {
        common::skip("tshark is not installed: the request is not cross-checked");
        return;
    }
    let t = tshark(&file, false);
    check_tcp_against_tshark(&rows, &t);
    let server = t
        .values()
        .find(|f| f.src_port != t[&1].src_port)
        .expect("server")
        .src_port;
    let out = Command::new("tshark")
        .arg("-n")
        .arg("-r")
        .arg(&file)
        .args([
            "-d",
            &format!("tcp.port=={server},http"),
            "-Y",
            "http.request",
        ])
        .args([
            "-T",
            "fields",
            "-e",
            "http.request.method",
            "-e",
            "http.request.uri",
        ])
        .args(["-e", "http.request.version"])
        .output()
        .expect("tshark runs");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "GET\t/index.html\tHTTP/1.0"
    );
}

#[test]
fn the_calls_of_each_side_keep_their_golden_shape() {
    if !common::root_or_skip("demo captures on lo and needs root; CI runs as root") {
        return;
    }
    let (text, _) = demo("golden", &[]);
    let rows = timeline(&text);
    let mut got = String::new();
    for who in ["server", "client"] {
        for call in calls_of(&rows, who) {
            got.push_str(&format!("{who}  {call}\n"));
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/demo-socket-calls.txt");
    if std::env::var_os("WIREPEEK_BLESS").is_some() {
        std::fs::write(&path, &got).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with WIREPEEK_BLESS=1", path.display()));
    assert_eq!(got, want, "the calls differ from {}", path.display());
}

/// Flags are refused before any capture starts, so no root is needed.
fn refused(args: &[&str]) -> String {
    let out: Output = bin().arg("demo").args(args).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "demo {args:?} must be a usage error"
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn demo_flags_out_of_range_are_usage_errors_with_the_bound() {
    assert!(refused(&["--message-size", "0"]).contains("1..=1048576"));
    assert!(refused(&["--message-size", "1048577"]).contains("1..=1048576"));
    assert!(refused(&["--message-size", "lots"]).contains("invalid digit"));
    assert!(refused(&["--udp", "--message-size", "65508"]).contains("at most 65507 bytes"));
    assert!(refused(&["--http", "--udp"]).contains("cannot be used with"));
    assert!(refused(&["--http", "--message-size", "10"]).contains("cannot be used with"));
}
