//! `wirepeek explain` on application packets (issue 17's teaching part):
//! an HTTP request is shown inside TCP inside IPv4 inside Ethernet with
//! each layer's byte range, and the glossary's sentences for HTTP and DNS
//! fields are printed with the packet's values and their RFCs. First on
//! frames built here byte by byte (always run), then on corpus-app's
//! captures, cross-checked with tshark's values when both are present.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The explain text with its wrapping undone (sentences are wrapped to
/// the terminal width), so a sentence can be searched for whole.
fn explain(file: &Path, frame: u32) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args(["explain", &file.to_string_lossy(), "-n", &frame.to_string()])
        .args(["--color", "never"])
        .output()
        .expect("the wirepeek binary runs");
    assert!(
        out.status.success(),
        "explain failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = bytes
        .chunks(2)
        .map(|c| u32::from(c[0]) << 8 | u32::from(*c.get(1).unwrap_or(&0)))
        .sum();
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An Ethernet + IPv4 frame around `l4` (protocol `proto`).
fn ether_ipv4(proto: u8, l4: &[u8]) -> Vec<u8> {
    let mut f = vec![
        0x02, 0, 0, 0, 0, 0x02, // destination MAC
        0x02, 0, 0, 0, 0, 0x01, // source MAC
        0x08, 0x00, // EtherType IPv4
    ];
    let total = (20 + l4.len()) as u16;
    let mut ip = vec![0x45, 0];
    ip.extend(total.to_be_bytes());
    ip.extend([0x12, 0x34, 0x40, 0x00, 64, proto, 0, 0]);
    ip.extend([10, 0, 0, 1, 10, 0, 0, 2]);
    let c = checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    f.extend(ip);
    f.extend_from_slice(l4);
    f
}

/// A classic pcap of Ethernet frames in the temp directory.
fn pcap(name: &str, frames: &[Vec<u8>]) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "wirepeek-explain-app-{}-{name}.pcap",
        std::process::id()
    ));
    let mut out = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    out.extend(65535u32.to_le_bytes());
    out.extend(1u32.to_le_bytes());
    for (i, f) in frames.iter().enumerate() {
        out.extend((1_700_000_000 + i as u32).to_le_bytes());
        out.extend(0u32.to_le_bytes());
        out.extend((f.len() as u32).to_le_bytes());
        out.extend((f.len() as u32).to_le_bytes());
        out.extend_from_slice(f);
    }
    std::fs::write(&path, out).expect("temp pcap written");
    path
}

const GET: &[u8] = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";

#[test]
fn explain_shows_http_inside_tcp_inside_ip_inside_ethernet_with_byte_ranges() {
    let mut tcp = vec![
        0xc0, 0x00, 0x00, 0x50, // ports 49152 → 80
        0, 0, 0, 1, 0, 0, 0, 1, // seq, ack
        0x50, 0x18, 0xff, 0xff, // data offset 5, PSH+ACK, window
        0, 0, 0, 0, // checksum (not checked), urgent pointer
    ];
    tcp.extend_from_slice(GET);
    let file = pcap("http", &[ether_ipv4(6, &tcp)]);
    let text = explain(&file, 1);
    std::fs::remove_file(&file).ok();
    let end = 14 + 20 + 20 + GET.len();
    let nesting = format!("Ethernet [0..14) ⊃ IPv4 [14..34) ⊃ TCP [34..54) ⊃ HTTP [54..{end})");
    assert!(text.contains(&nesting), "no {nesting:?} in:\n{text}");
    for sentence in [
        "Method GET: fetch the resource. It is the request line's first word. [RFC 9110 §9]",
        "Request target /index.html: the resource asked for",
        "Host: example.com — which site the request is for",
        "[RFC 9110 §7.2]",
    ] {
        assert!(text.contains(sentence), "no {sentence:?} in:\n{text}");
    }
}

#[test]
fn explain_prints_the_dns_glossary_sentences_with_the_packets_values() {
    let mut dns = vec![
        0x1a, 0x2b, // ID
        0x01, 0x00, // flags: standard query, RD
        0, 1, 0, 0, 0, 0, 0, 0, // 1 question
        7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 3, b'c', b'o', b'm', 0, // example.com
        0, 28, 0, 1, // type AAAA, class IN
    ];
    let mut udp = vec![0xd4, 0x31, 0, 53];
    udp.extend(((8 + dns.len()) as u16).to_be_bytes());
    udp.extend([0, 0]);
    udp.append(&mut dns);
    let file = pcap("dns", &[ether_ipv4(17, &udp)]);
    let text = explain(&file, 1);
    std::fs::remove_file(&file).ok();
    assert!(text.contains("⊃ UDP [34..42) ⊃ DNS [42.."), "{text}");
    for sentence in [
        "Transaction ID 0x1a2b: the client picks it",
        "QR 0: this message is a query. [RFC 1035 §4.1.1]",
        "Name example.com: the name asked about",
        "Type 28 (AAAA): an IPv6 address: the kind of record the question asks for. [RFC 3596]",
        "Class 0x0001: IN, the Internet class",
    ] {
        assert!(text.contains(sentence), "no {sentence:?} in:\n{text}");
    }
}

/// One field of one frame as tshark shows it.
fn tshark_field(file: &Path, frame: u32, key: &str) -> String {
    let out = common::tshark_fields(file, &[key])
        .args(["-Y", &format!("frame.number == {frame}")])
        .output()
        .expect("tshark runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn explain_on_corpus_app_http_and_dns_packets_prints_their_sentences() {
    let (Some(get), Some(dns)) = (
        common::app_capture("get.pcap"),
        common::app_capture("dns_udp.pcap"),
    ) else {
        common::skip("../shared/corpus-app is absent");
        return;
    };
    // get.pcap frame 4 is the GET request; dns_udp.pcap frame 1 a query.
    let text = explain(&get, 4);
    assert!(
        text.contains("Ethernet [0..14) ⊃ IPv4 [14..34) ⊃ TCP [34..66) ⊃ HTTP [66..202)"),
        "{text}"
    );
    assert!(text.contains("Method GET: fetch the resource"), "{text}");
    let text_dns = explain(&dns, 1);
    assert!(
        text_dns.contains("⊃ UDP [34..42) ⊃ DNS [42.."),
        "{text_dns}"
    );
    assert!(
        text_dns.contains("the kind of record the question asks for."),
        "{text_dns}"
    );
    if !common::tshark_present() {
        common::skip("tshark is not installed: values are not cross-checked");
        return;
    }
    let host = tshark_field(&get, 4, "http.host");
    assert!(!host.is_empty(), "tshark sees no Host in get.pcap frame 4");
    let want = format!("Host: {host} — which site the request is for");
    assert!(text.contains(&want), "no {want:?} in:\n{text}");
    let name = tshark_field(&dns, 1, "dns.qry.name");
    let want = format!("Name {name}: the name asked about");
    assert!(text_dns.contains(&want), "no {want:?} in:\n{text_dns}");
    let id = tshark_field(&dns, 1, "dns.id");
    let want = format!("Transaction ID {id}: the client picks it");
    assert!(text_dns.contains(&want), "no {want:?} in:\n{text_dns}");
}
