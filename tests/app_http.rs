//! HTTP/1.x and SSDP: hand-built messages judged by tshark and tcpdump on a
//! pcap written here, `-Y` on the corpus-app captures against tshark, and
//! hostile heads and chunked bodies that must give notes or nothing, never
//! a panic.

mod common;

use std::process::Command;

use wirepeek::decode::{Proto, decode};

fn ip_packet(proto: u8, sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let l4 = if proto == 17 { 8 } else { 20 };
    let total = (20 + l4 + payload.len()) as u16;
    let mut p = vec![
        0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    p[2..4].copy_from_slice(&total.to_be_bytes());
    let mut s: u32 = p
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
        .sum();
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    p[10..12].copy_from_slice(&(!(s as u16)).to_be_bytes());
    p.extend(sport.to_be_bytes());
    p.extend(dport.to_be_bytes());
    if proto == 17 {
        p.extend(((8 + payload.len()) as u16).to_be_bytes());
        p.extend([0, 0]);
    } else {
        p.extend([0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    }
    p.extend_from_slice(payload);
    p
}

const REQUEST: &[u8] = b"GET /a/b?x=1&&y=2 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\nCookie: a=1; b=2\r\n\r\n";
const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nServer: t\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
const SSDP: &[u8] = b"M-SEARCH * HTTP/1.1\r\nHost:239.255.255.250:1900\r\nST:ssdp:all\r\nMan:\"ssdp:discover\"\r\nMX:3\r\n\r\n";

const KEYS: &[&str] = &[
    "frame.protocols",
    "http.request.method",
    "http.request.uri",
    "http.request.uri.path",
    "http.request.uri.query",
    "http.request.uri.query.parameter",
    "http.request.version",
    "http.host",
    "http.user_agent",
    "http.accept",
    "http.cookie",
    "http.cookie_pair",
    "http.request.line",
    "http.request.full_uri",
    "http.request",
    "http.response.version",
    "http.response.code",
    "http.response.phrase",
    "http.response.line",
    "http.content_type",
    "http.transfer_encoding",
    "http.server",
    "http.chunk_size",
    "http.chunk_data",
    "http.chunk_boundary",
    "http.response",
];

#[test]
fn hand_built_request_response_and_ssdp_agree_with_tshark_field_by_field() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let path = common::raw_pcap(
        "fields",
        &[
            ip_packet(6, 40000, 80, REQUEST),
            ip_packet(6, 80, 40000, RESPONSE),
            ip_packet(17, 40000, 1900, SSDP),
        ],
    );
    let ours = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .arg("read")
        .arg(&path)
        .args(["--fields", &KEYS.join(",")])
        .output()
        .expect("wirepeek runs");
    let mut tshark = Command::new("tshark");
    tshark
        .args(["-n", "-r"])
        .arg(&path)
        .args(["-T", "fields", "-E", "occurrence=a"]);
    for k in KEYS {
        tshark.args(["-e", k]);
    }
    let theirs = tshark.output().expect("tshark runs");
    let ours: Vec<String> = String::from_utf8_lossy(&ours.stdout)
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect();
    let theirs: Vec<String> = String::from_utf8_lossy(&theirs.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    // tshark names the dechunked body's protocol (data-text-lines); we stop
    // at http, so compare the protocols up to there.
    for (n, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        let (a, b): (Vec<&str>, Vec<&str>) = (a.split('\t').collect(), b.split('\t').collect());
        assert!(
            b[0].starts_with(a[0]),
            "frame {}: {} vs {}",
            n + 1,
            a[0],
            b[0]
        );
        assert_eq!(a[1..], b[1..], "frame {}", n + 1);
    }
    assert_eq!(ours.len(), 3);
    assert!(ours[2].starts_with("raw:ip:udp:ssdp"), "{}", ours[2]);
    let _ = std::fs::remove_file(path);
}

#[test]
fn hand_built_request_prints_tcpdumps_first_line() {
    if Command::new("tcpdump").arg("--version").output().is_err() {
        common::skip("tcpdump is not installed");
        return;
    }
    let path = common::raw_pcap(
        "lines",
        &[
            ip_packet(6, 40000, 80, REQUEST),
            ip_packet(6, 80, 40000, RESPONSE),
            ip_packet(6, 80, 40000, b"xyz"),
        ],
    );
    let run = |cmd: &mut Command| {
        let out = cmd.env("TZ", "UTC").output().expect("runs");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split_once(' ').map_or("", |x| x.1).to_string())
            .collect::<Vec<_>>()
    };
    let theirs = run(Command::new("tcpdump").arg("-n").arg("-r").arg(&path));
    let ours = run(Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .arg("read")
        .arg(&path));
    assert_eq!(ours, theirs);
    assert!(
        theirs[0].ends_with(": HTTP: GET /a/b?x=1&&y=2 HTTP/1.1"),
        "{}",
        theirs[0]
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn display_filter_on_method_counts_as_tsharks_on_corpus_app() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus-app/captures");
    if !dir.is_dir() || !common::tshark_present() {
        common::skip("../shared/corpus-app or tshark is missing");
        return;
    }
    for (file, filter) in [
        ("get.pcap", "http.request.method == \"GET\""),
        ("get-gzip.pcap", "http.response.code == 200"),
    ] {
        let path = dir.join(file);
        let ours = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
            .arg("read")
            .arg(&path)
            .args(["-Y", filter])
            .output()
            .expect("runs");
        let theirs = Command::new("tshark")
            .args(["-n", "-o", "tcp.desegment_tcp_streams:FALSE", "-r"])
            .arg(&path)
            .args(["-Y", filter])
            .output()
            .expect("runs");
        let count = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).lines().count();
        assert!(
            ours.status.success(),
            "{}",
            String::from_utf8_lossy(&ours.stderr)
        );
        assert_eq!(count(&ours), count(&theirs), "{file}: {filter}");
        assert!(count(&ours) >= 1);
    }
}

#[test]
fn info_column_is_the_start_line_or_continuation() {
    let f = common::raw_frame(ip_packet(6, 40000, 80, REQUEST));
    let d = decode(&f);
    assert_eq!(
        wirepeek::decode::summary::app::info(&f.data, &d).as_deref(),
        Some("GET /a/b?x=1&&y=2 HTTP/1.1 ")
    );
    let f = common::raw_frame(ip_packet(6, 80, 40000, b"some body bytes"));
    let d = decode(&f);
    assert!(d.has(Proto::Http) && d.has(Proto::Payload));
    assert_eq!(
        wirepeek::decode::summary::app::info(&f.data, &d).as_deref(),
        Some("Continuation")
    );
}

#[test]
fn a_request_on_another_port_is_found_by_content_and_binary_is_not() {
    let d = decode(&common::raw_frame(ip_packet(6, 40000, 5000, REQUEST)));
    assert!(d.has(Proto::Http));
    let d = decode(&common::raw_frame(ip_packet(
        6,
        40000,
        5000,
        b"\x16\x03\x01\x02\x00GET ",
    )));
    assert!(!d.has(Proto::Http));
}

#[test]
fn heads_and_chunked_bodies_cut_anywhere_or_garbled_never_panic() {
    let hostile: [&[u8]; 4] = [
        RESPONSE,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nxx",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext\r\nhel",
        b"GET  HTTP/1.1\r\n:\r\n::::\r\nHost:\r\n\r\n",
    ];
    for bytes in hostile {
        for cut in 0..=bytes.len() {
            for port in [80, 5000] {
                let mut data = ip_packet(6, port, 40000, bytes);
                let full = data.len();
                data.truncate(40 + cut);
                let mut f = common::raw_frame(data);
                f.orig_len = full as u32;
                let d = decode(&f);
                let mut line = String::new();
                wirepeek::decode::summary::tcpdump_line(&f, &d, false, &mut line);
                let _ = wirepeek::decode::summary::app::info(&f.data, &d);
            }
        }
    }
}

/// `payload` split at `cuts` into TCP segments 10.0.0.1:sport ->
/// 10.0.0.2:dport with consecutive sequence numbers.
fn segments(sport: u16, dport: u16, payload: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(payload.len());
    bounds
        .windows(2)
        .map(|w| {
            let mut p = ip_packet(6, sport, dport, &payload[w[0]..w[1]]);
            p[24..28].copy_from_slice(&(1 + w[0] as u32).to_be_bytes());
            p
        })
        .collect()
}

#[test]
fn http_and_dns_messages_over_several_segments_decode_where_tsharks_do() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let mut dns = vec![0, 33];
    dns.extend([0x1a, 0x2b, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    dns.extend(b"\x07example\x03com\x00\x00\x01\x00\x01");
    let mut frames = segments(80, 40000, RESPONSE, &[10, 40, 90]);
    frames.extend(segments(40001, 80, REQUEST, &[30]));
    frames.extend(segments(40002, 53, &dns, &[1, 20]));
    let path = common::raw_pcap("http-desegment", &frames);
    let keys = [
        "frame.protocols",
        "http.response.code",
        "http.chunk_size",
        "http.request.method",
        "http.host",
        "dns.qry.name",
        "tcp.segment",
        "tcp.segment.count",
        "tcp.reassembled.length",
    ];
    let ours = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .arg("read")
        .arg(&path)
        .args(["--fields", &keys.join(","), "--occurrence", "a"])
        .output()
        .expect("wirepeek runs");
    let mut tshark = Command::new("tshark");
    tshark
        .args(["-n", "-r"])
        .arg(&path)
        .args(["-T", "fields", "-E", "occurrence=a"]);
    for k in keys {
        tshark.args(["-e", k]);
    }
    let theirs = tshark.output().expect("tshark runs");
    let _ = std::fs::remove_file(&path);
    let ours: Vec<String> = String::from_utf8_lossy(&ours.stdout)
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect();
    // tshark hands a text/plain body to its line-based text dissector,
    // which wirepeek does not have.
    let theirs: Vec<String> = String::from_utf8_lossy(&theirs.stdout)
        .lines()
        .map(|l| l.replace(":data-text-lines", ""))
        .collect();
    assert_eq!(ours.len(), 9);
    assert_eq!(ours, theirs);
    // The HTTP messages are decoded in their last segments only.
    assert!(ours[3].contains("http") && ours[5].contains("http"));
    assert!(!ours[0].contains("http") && !ours[4].contains("http"));
}

/// Bytes copied to put a message together: into the held PDU (the table's
/// count) and into every data source the segments' dissections made.
fn bytes_copied(frames: &[Vec<u8>]) -> (u64, wirepeek::decode::Dissection) {
    use wirepeek::pipeline::{Reassembler, Reassembly, decode_frame};
    let mut r = Reassembler::new(Reassembly::default());
    let mut copied = 0;
    let mut last = wirepeek::decode::Dissection::default();
    for (n, data) in frames.iter().enumerate() {
        let mut frame = common::raw_frame(data.clone());
        frame.number = n as u64 + 1;
        let mut d = wirepeek::decode::Dissection::default();
        decode_frame(&frame, wirepeek::decode::Detail::Fields, &mut d, &mut r);
        copied += d.sources.iter().map(|s| s.bytes.len() as u64).sum::<u64>();
        last = d;
    }
    let table = r.tcp.as_ref().expect("reassembly is on");
    assert_eq!(table.held_bytes(), 0, "nothing is left held");
    (copied + table.stats.copied, last)
}

#[test]
fn a_chunked_body_over_2000_segments_is_put_together_in_linear_time() {
    // 2,000 chunks of 64 bytes, one per segment (each segment ends where a
    // chunk does, so the framer can only guess "one more segment"), and
    // the same body as one chunk cut into 2,000 segments (an exact need).
    let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let data = [b'x'; 64];
    let mut many = head.clone();
    let mut cuts = Vec::new();
    for _ in 0..2000 {
        many.extend(b"40\r\n");
        many.extend(data);
        many.extend(b"\r\n");
        cuts.push(many.len());
    }
    many.extend(b"0\r\n\r\n");
    cuts.pop();
    let mut one = head.clone();
    one.extend(format!("{:x}\r\n", 64 * 2000).as_bytes());
    one.extend(std::iter::repeat_n(b'x', 64 * 2000));
    one.extend(b"\r\n0\r\n\r\n");
    let step = one.len() / 2000;
    let one_cuts: Vec<usize> = (1..2000).map(|i| i * step).collect();
    for (body, cuts, chunks) in [(&many, &cuts, 2001), (&one, &one_cuts, 2)] {
        let frames = segments(80, 40000, body, cuts);
        assert_eq!(frames.len(), 2000);
        let (copied, last) = bytes_copied(&frames);
        // Each byte into the held PDU once, and the PDU once into its
        // reassembled source: copying it again for every segment would be
        // about 1,000 times the message.
        let len = body.len() as u64;
        assert!(
            copied <= 2 * len,
            "{copied} bytes copied for a {len}-byte message"
        );
        let count = last.field("tcp.segment.count").map(|f| &f.value);
        assert_eq!(count, Some(&wirepeek::decode::Value::UInt(2000)));
        let sizes = last.fields_named("http.chunk_size").count();
        assert_eq!(sizes, chunks, "every chunk decoded from the whole body");
    }
}

/// `--fields keys` against tshark's, both with TCP desegmentation on (their
/// default); tshark's line-based text dissector (which wirepeek lacks) is
/// read as data.
fn desegmented_fields_disagree(path: &std::path::Path, keys: &[&str]) -> Vec<String> {
    let ours = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .arg("read")
        .arg(path)
        .args(["--fields", &keys.join(","), "--occurrence", "a"])
        .output()
        .expect("wirepeek runs");
    let mut tshark = Command::new("tshark");
    tshark
        .args(["-n", "-r"])
        .arg(path)
        .args(["-T", "fields", "-E", "occurrence=a"]);
    for k in keys {
        tshark.args(["-e", k]);
    }
    let theirs = tshark.output().expect("tshark runs");
    let ours = String::from_utf8_lossy(&ours.stdout).to_string();
    let theirs = String::from_utf8_lossy(&theirs.stdout).replace(":data-text-lines", ":data");
    let (ours, theirs): (Vec<&str>, Vec<&str>) =
        (ours.lines().skip(1).collect(), theirs.lines().collect());
    let mut bad = Vec::new();
    if ours.len() != theirs.len() {
        bad.push(format!("{} frames, tshark {}", ours.len(), theirs.len()));
    }
    for (n, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        if a != b {
            bad.push(format!("frame {}: ours {a:?}, tshark {b:?}", n + 1));
        }
    }
    bad
}

#[test]
fn a_body_with_no_length_runs_to_the_servers_fin_as_in_tshark() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let keys = [
        "frame.protocols",
        "tcp.segment",
        "tcp.segment.count",
        "tcp.reassembled.length",
        "tcp.reassembled.data",
        "tcp.segment_data",
        "http.response.code",
        "http.content_type",
        "http.connection",
    ];
    // A real one: Python's http.server under HTTP/1.0 and curl, recorded by
    // tests/fixtures/make-http10-capture.sh (head, three body writes, bare FIN).
    let real = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/http10-body-to-fin.pcap");
    let bad = desegmented_fields_disagree(&real, &keys);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    let last = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .arg("read")
        .arg(&real)
        .args(["--fields", "tcp.reassembled.length,http.response.code"])
        .output()
        .expect("wirepeek runs");
    assert!(
        String::from_utf8_lossy(&last.stdout).contains("173\t200"),
        "the whole response, 173 bytes, is decoded on the FIN segment"
    );
    // Hand-built: FIN on the last data segment; Connection: Keep-Alive
    // (tshark still waits for FIN); no FIN before the capture ends.
    let heads: [&[u8]; 3] = [
        b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n",
        b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: Keep-Alive\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nServer: t\r\n\r\nfirst\n",
    ];
    for (i, head) in heads.iter().enumerate() {
        let body = [*head, b"part one\n", b"part two\n"].concat();
        let cuts = [head.len(), head.len() + 9];
        let mut frames = segments(80, 40000, &body, &cuts);
        match i {
            0 => *frames.last_mut().unwrap().get_mut(33).unwrap() |= 0x01,
            1 => {
                let mut fin = ip_packet(6, 80, 40000, b"");
                fin[24..28].copy_from_slice(&(1 + body.len() as u32).to_be_bytes());
                fin[33] = 0x11;
                frames.push(fin);
            }
            _ => {}
        }
        let path = common::raw_pcap(&format!("http-to-fin-{i}"), &frames);
        let bad = desegmented_fields_disagree(&path, &keys);
        let _ = std::fs::remove_file(&path);
        assert!(bad.is_empty(), "case {i}: {}", bad.join("\n"));
    }
}
