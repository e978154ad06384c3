//! DNS and mDNS: hand-built messages (RFC 1035 encodings) judged by tshark
//! and tcpdump on a pcap written here, the corpus-app captures against both
//! tools, and hostile messages (compression loops, counts and lengths past
//! the end, cuts anywhere) that must give notes, never a panic or a hang.

mod common;

use std::path::Path;
use std::process::Command;

use wirepeek::decode::{NoteKind, Proto, decode};

/// An IPv4 packet (raw IP link type) carrying UDP or TCP between the ports.
fn ip_packet(proto: u8, sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let l4 = if proto == 17 { 8 } else { 20 };
    let total = (20 + l4 + payload.len()) as u16;
    let mut p = vec![
        0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    p[2..4].copy_from_slice(&total.to_be_bytes());
    let sum = checksum(&p);
    p[10..12].copy_from_slice(&sum.to_be_bytes());
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

fn checksum(h: &[u8]) -> u16 {
    let mut s: u32 = h
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
        .sum();
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    !(s as u16)
}

/// `www.example.com` A? with id 0x1a2b, RD, and one OPT record (RFC 6891)
/// with a client cookie.
fn query() -> Vec<u8> {
    let mut m = vec![0x1a, 0x2b, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1];
    m.extend(b"\x03www\x07example\x03com\x00");
    m.extend([0, 1, 0, 1]);
    m.extend([0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 12, 0, 10, 0, 8]);
    m.extend([1, 2, 3, 4, 5, 6, 7, 8]);
    m
}

/// Its answer: AA, RA; the question, a CNAME by a pointer to offset 12,
/// an A and an AAAA for the CNAME's target (compressed too), an MX.
fn response() -> Vec<u8> {
    let mut m = vec![0x1a, 0x2b, 0x85, 0x80, 0, 1, 0, 4, 0, 0, 0, 0];
    m.extend(b"\x03www\x07example\x03com\x00");
    m.extend([0, 1, 0, 1]);
    // CNAME www.example.com -> web.example.com (labels "web" + ptr to 16)
    m.extend([
        0xc0, 12, 0, 5, 0, 1, 0, 0, 0x0e, 0x10, 0, 6, 3, b'w', b'e', b'b', 0xc0, 16,
    ]);
    let web = 12 + 21 + 12;
    m.extend([
        0xc0, web as u8, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 93, 184, 216, 34,
    ]);
    m.extend([0xc0, web as u8, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16]);
    m.extend([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    m.extend([
        0xc0, 16, 0, 15, 0, 1, 0, 0, 1, 0, 0, 4, 0, 10, 0xc0, web as u8,
    ]);
    m
}

fn fields(path: &Path, keys: &[&str]) -> (Vec<String>, Vec<String>) {
    let ours = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .arg("read")
        .arg(path)
        .args(["--fields", &keys.join(",")])
        .output()
        .expect("wirepeek runs");
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    let mut tshark = Command::new("tshark");
    tshark
        .args(["-n", "-r"])
        .arg(path)
        .args(["-T", "fields", "-E", "occurrence=a"]);
    for k in keys {
        tshark.args(["-e", k]);
    }
    let theirs = tshark.output().expect("tshark runs");
    let lines = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .lines()
            .map(str::to_string)
            .collect()
    };
    let ours: Vec<String> = lines(&ours.stdout);
    (ours[1..].to_vec(), lines(&theirs.stdout))
}

const KEYS: &[&str] = &[
    "dns.id",
    "dns.flags",
    "dns.flags.response",
    "dns.flags.opcode",
    "dns.flags.authoritative",
    "dns.flags.recdesired",
    "dns.flags.recavail",
    "dns.flags.rcode",
    "dns.count.queries",
    "dns.count.answers",
    "dns.count.add_rr",
    "dns.qry.name",
    "dns.qry.name.len",
    "dns.count.labels",
    "dns.qry.type",
    "dns.qry.class",
    "dns.resp.name",
    "dns.resp.type",
    "dns.resp.class",
    "dns.resp.ttl",
    "dns.resp.len",
    "dns.cname",
    "dns.a",
    "dns.aaaa",
    "dns.mx.preference",
    "dns.mx.mail_exchange",
    "dns.rr.udp_payload_size",
    "dns.resp.z.do",
    "dns.opt.code",
    "dns.opt.len",
    "dns.opt.cookie.client",
];

#[test]
fn hand_built_query_and_compressed_response_agree_with_tshark_field_by_field() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let path = common::raw_pcap(
        "fields",
        &[
            ip_packet(17, 40000, 53, &query()),
            ip_packet(17, 53, 40000, &response()),
        ],
    );
    let (ours, theirs) = fields(&path, KEYS);
    assert_eq!(ours, theirs, "keys {KEYS:?}");
    // And the values are what the bytes say (RFC 1035 §4.1.4: the CNAME's
    // target is "web" then a pointer to "example.com").
    assert!(ours[1].contains("web.example.com"), "{}", ours[1]);
    assert!(ours[1].contains("93.184.216.34") && ours[1].contains("2001:db8::1"));
    let _ = std::fs::remove_file(path);
}

#[test]
fn hand_built_messages_print_tcpdumps_words_over_udp_and_tcp() {
    if Command::new("tcpdump").arg("--version").output().is_err() {
        common::skip("tcpdump is not installed");
        return;
    }
    let mut tcp = (query().len() as u16).to_be_bytes().to_vec();
    tcp.extend(query());
    let path = common::raw_pcap(
        "lines",
        &[
            ip_packet(17, 40000, 53, &query()),
            ip_packet(17, 53, 40000, &response()),
            ip_packet(6, 40001, 53, &tcp),
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
        theirs[0].ends_with("6699+ [1au] A? www.example.com. (56)"),
        "{}",
        theirs[0]
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn corpus_app_dns_lines_match_tcpdump() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus-app/captures");
    if !dir.is_dir() || Command::new("tcpdump").arg("--version").output().is_err() {
        common::skip("../shared/corpus-app or tcpdump is missing");
        return;
    }
    let mut compared = 0;
    for name in [
        "dns_udp.pcap",
        "dns_tcp.pcap",
        "dnssec.pcap",
        "edns-opts.pcap",
        "mdns.pcap",
    ] {
        let path = dir.join(name);
        let run = |cmd: &mut Command| {
            let out = cmd.env("TZ", "UTC").output().expect("runs");
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let theirs = run(Command::new("tcpdump").arg("-n").arg("-r").arg(&path));
        let ours = run(Command::new(env!("CARGO_BIN_EXE_wirepeek"))
            .arg("read")
            .arg(&path));
        assert_eq!(ours.len(), theirs.len(), "{name}");
        for (a, b) in ours.iter().zip(&theirs) {
            // Only DNS lines are ours to hold (mdns.pcap has IGMP too).
            if b.contains(".53: ") || b.contains(".53 > ") || b.contains(".5353") {
                // Times are compared by the line tests; the words here.
                assert_eq!(
                    a.split_once(' ').map(|x| x.1),
                    b.split_once(' ').map(|x| x.1),
                    "{name}"
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 70, "{compared} DNS lines compared");
}

#[test]
fn info_column_reads_like_wiresharks() {
    let d = decode(&common::raw_frame(ip_packet(17, 40000, 53, &query())));
    let f = common::raw_frame(ip_packet(17, 40000, 53, &query()));
    let info = wirepeek::decode::summary::app::info(&f.data, &d);
    assert_eq!(
        info.as_deref(),
        Some("Standard query 0x1a2b A www.example.com OPT")
    );
    let f = common::raw_frame(ip_packet(17, 53, 40000, &response()));
    let d = decode(&f);
    let info = wirepeek::decode::summary::app::info(&f.data, &d).unwrap();
    assert_eq!(
        info,
        "Standard query response 0x1a2b A www.example.com CNAME web.example.com A 93.184.216.34 AAAA 2001:db8::1 MX web.example.com"
    );
}

fn notes_of(payload: &[u8]) -> Vec<(NoteKind, String)> {
    let d = decode(&common::raw_frame(ip_packet(17, 40000, 53, payload)));
    assert!(d.has(Proto::Dns));
    d.notes
        .iter()
        .map(|n| (n.kind, n.message.clone()))
        .collect()
}

#[test]
fn a_name_pointing_at_itself_is_noted_as_a_loop() {
    let mut m = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    m.extend([0xc0, 12, 0, 1, 0, 1]);
    let notes = notes_of(&m);
    assert!(notes.iter().any(|(_, m)| m.contains("loop")), "{notes:?}");
}

#[test]
fn two_pointers_at_each_other_stop_after_the_pointer_limit() {
    let mut m = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    m.extend([0xc0, 14, 0xc0, 12, 0, 1, 0, 1]);
    let started = std::time::Instant::now();
    let notes = notes_of(&m);
    assert!(notes.iter().any(|(_, m)| m.contains("loop")), "{notes:?}");
    assert!(started.elapsed().as_secs() < 2);
}

#[test]
fn counts_beyond_the_message_are_malformed_not_a_hang() {
    // 65535 of each section, and nothing after the header.
    let m = [
        0, 1, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ];
    let notes = notes_of(&m);
    assert!(
        notes.iter().any(|(k, _)| *k == NoteKind::Malformed),
        "{notes:?}"
    );
}

#[test]
fn a_record_length_past_the_end_shows_nothing_of_the_record_and_says_so() {
    let mut m = response();
    let at = 12 + 21 + 10; // the CNAME's data length
    m[at] = 0xff;
    let f = common::raw_frame(ip_packet(17, 53, 40000, &m));
    let d = decode(&f);
    assert!(d.field("dns.cname").is_none());
    assert!(d.notes.iter().any(|n| n.kind == NoteKind::Malformed));
}

#[test]
fn a_message_cut_anywhere_decodes_as_far_as_it_goes() {
    // tcpdump reads a query's question only (33 bytes here), a response's
    // answers too: a cut inside what it reads ends the line with [|domain].
    for (bytes, read) in [(query(), 33), (response(), response().len())] {
        for cut in 0..bytes.len() {
            let mut data = ip_packet(17, 53, 40000, &bytes);
            let full = data.len();
            data.truncate(28 + cut);
            let mut f = common::raw_frame(data);
            f.orig_len = full as u32;
            let d = decode(&f);
            assert!(cut == 0 || d.has(Proto::Dns), "cut {cut}");
            let line = {
                let mut s = String::new();
                wirepeek::decode::summary::tcpdump_line(&f, &d, false, &mut s);
                s
            };
            assert!(
                cut == 0 || cut >= read || line.contains("[|domain]"),
                "cut {cut}: {line}"
            );
        }
    }
}

#[test]
fn a_tcp_segment_of_empty_messages_stops_at_the_layer_limit() {
    let payload = vec![0u8; 4000]; // 2000 length prefixes of zero
    let d = decode(&common::raw_frame(ip_packet(6, 40000, 53, &payload)));
    let dns = d.layers.iter().filter(|l| l.proto == Proto::Dns).count();
    assert!((100..=300).contains(&dns), "{dns} DNS layers");
    assert!(d.notes.iter().any(|n| n.message.contains("nested headers")));
}

#[test]
fn display_filter_selects_by_query_name_as_tshark_does() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus-app/captures");
    if !dir.is_dir() || !common::tshark_present() {
        common::skip("../shared/corpus-app or tshark is missing");
        return;
    }
    let file = dir.join("edns-opts.pcap");
    let filter = "dns.qry.name == \"example.com\" && dns.flags.response == 1";
    let ours = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .arg("read")
        .arg(&file)
        .args(["-Y", filter])
        .output()
        .expect("runs");
    let theirs = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(&file)
        .args(["-Y", filter])
        .output()
        .expect("runs");
    let count = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).lines().count();
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    assert_eq!(count(&ours), count(&theirs));
    assert!(count(&ours) > 10);
}
