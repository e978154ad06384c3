//! Tunnels and 802.2 (issue 17): GRE, VXLAN, Geneve, Teredo, LLC/SNAP and
//! STP against tshark and tcpdump on the corpus-app captures and on
//! packets built here from the RFCs' layouts, and hostile input (cut
//! anywhere, 64 nested tunnels).

mod common;

use std::path::{Path, PathBuf};

use wirepeek::decode::{NoteKind, Proto, decode};
use wirepeek::frame::{FrameRecord, LinkType, TsPrecision};

const TUNNEL_KEYS: &[&str] = &[
    "frame.protocols",
    "eth.src",
    "eth.type",
    "ip.src",
    "ip.dst",
    "ip.proto",
    "udp.srcport",
    "udp.stream",
    "tcp.srcport",
    "tcp.stream",
    "tcp.seq",
    "tcp.ack",
    "icmp.type",
    "arp.opcode",
    "vxlan.flags",
    "vxlan.flag_i",
    "vxlan.gbp",
    "vxlan.vni",
    "geneve.version",
    "geneve.option.length",
    "geneve.flags",
    "geneve.flags.critical",
    "geneve.proto_type",
    "geneve.vni",
    "geneve.options",
    "geneve.option.class",
    "geneve.option.type",
    "geneve.option.flags",
    "geneve.option.unknown.data",
    "gre.flags_and_version",
    "gre.flags.key",
    "gre.flags.version",
    "gre.proto",
    "gre.key",
    "cmd.type",
    "cmd.sgt",
    "llc.dsap",
    "llc.ssap",
    "llc.control",
    "llc.oui",
    "llc.cisco_pid",
    "stp.type",
    "stp.flags",
    "stp.root.prio",
    "stp.root.ext",
    "stp.root.hw",
    "stp.bridge.hw",
    "stp.port",
    "stp.max_age",
    "stp.pvst.origvlan",
];

/// Frames whose frame.protocols go past what wirepeek decodes (tshark's
/// loop, CDP, DTP, PIM and SSH dissectors): that column is left out there.
fn beyond_us(line: &str) -> bool {
    [":loop", ":cdp", ":dtp", ":pim", ":ssh"]
        .iter()
        .any(|p| line.contains(p))
}

#[test]
fn tunnel_fields_and_inner_streams_match_tshark_every_occurrence() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let files: Vec<PathBuf> = ["vxlan.pcap", "geneve.pcap", "various_gre.pcap"]
        .iter()
        .filter_map(|f| common::app_capture(f))
        .collect();
    if files.is_empty() {
        common::skip("../shared/corpus-app/captures not found");
        return;
    }
    let mut bad = Vec::new();
    for file in &files {
        for b in common::fields_disagree(file, TUNNEL_KEYS) {
            if b.contains(" frame.protocols: ") && beyond_us(&b) {
                continue;
            }
            bad.push(format!("{}: {b}", file.display()));
        }
    }
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(30)].join("\n"));
}

/// tcpdump's lines on the tunnel and spanning-tree captures, except where
/// tcpdump decodes what wirepeek does not (Cisco's loopback, CDP, DTP and
/// the SSH banner inside Geneve).
#[test]
fn tunnel_and_stp_lines_match_tcpdump() {
    if !common::tcpdump_present() {
        common::skip("tcpdump is not installed");
        return;
    }
    let files: Vec<PathBuf> = ["vxlan.pcap", "geneve.pcap", "various_gre.pcap"]
        .iter()
        .filter_map(|f| common::app_capture(f))
        .collect();
    if files.is_empty() {
        common::skip("../shared/corpus-app/captures not found");
        return;
    }
    let (mut compared, mut bad) = (0, Vec::new());
    for file in &files {
        let (ours, theirs) = common::read_and_tcpdump_lines(env!("CARGO_BIN_EXE_wirepeek"), file);
        let theirs: Vec<&str> = theirs.lines().filter(|l| !l.starts_with('\t')).collect();
        let ours: Vec<&str> = ours.lines().collect();
        assert_eq!(ours.len(), theirs.len(), "{}", file.display());
        for (a, b) in ours.iter().zip(&theirs) {
            let skip = ["Loopback, skipCount", "CDPv", "DTPv", ": SSH: "];
            if skip.iter().any(|s| b.contains(s)) {
                continue;
            }
            compared += 1;
            if a != b {
                bad.push(format!("ours:    {a}\ntcpdump: {b}"));
            }
        }
    }
    assert!(compared > 100, "only {compared} lines compared");
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(10)].join("\n"));
}

fn frame(data: Vec<u8>) -> FrameRecord {
    FrameRecord {
        number: 1,
        ts: None,
        precision: TsPrecision::Micro,
        link: LinkType::ETHERNET,
        orig_len: data.len() as u32,
        iface: 0,
        data,
    }
}

fn checksum(b: &[u8]) -> u16 {
    let mut s: u32 = b
        .chunks(2)
        .map(|c| u32::from(c[0]) << 8 | u32::from(*c.get(1).unwrap_or(&0)))
        .sum();
    while s >> 16 != 0 {
        s = (s & 0xffff) + (s >> 16);
    }
    !(s as u16)
}

fn ipv4(proto: u8, payload: &[u8], src: [u8; 4], dst: [u8; 4]) -> Vec<u8> {
    let total = (20 + payload.len()) as u16;
    let mut h = vec![
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        1,
        0,
        0,
        64,
        proto,
        0,
        0,
    ];
    h.extend(src);
    h.extend(dst);
    let c = checksum(&h);
    h[10..12].copy_from_slice(&c.to_be_bytes());
    h.extend(payload);
    h
}

fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut u = Vec::new();
    u.extend(sport.to_be_bytes());
    u.extend(dport.to_be_bytes());
    u.extend(((8 + payload.len()) as u16).to_be_bytes());
    u.extend([0, 0]);
    u.extend(payload);
    u
}

fn ethernet(ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut e = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
    e.extend(ethertype.to_be_bytes());
    e.extend(payload);
    e
}

/// Teredo frames (RFC 4380 §5.1.1): with an origin indication, bare, with
/// authentication and origin, a bubble (no next header), a non-IPv6
/// payload on the Teredo port, and IPv6 on other ports (tshark's
/// heuristic is off by default, so that one is plain UDP data).
fn teredo_frames() -> Vec<Vec<u8>> {
    let s6: [u8; 16] = [
        0x20, 0x01, 0, 0, 0x41, 0x36, 0xe3, 0x78, 0x80, 0, 0x63, 0xbf, 0x3f, 0xff, 0xfd, 0xd2,
    ];
    let mut d6 = [0u8; 16];
    d6[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    d6[15] = 1;
    let icmp = [128, 0, 0, 0, 0x12, 0x34, 0, 1, b'a', b'b', b'c', b'd'];
    let ip6 = |next: u8, body: &[u8]| {
        let mut p = vec![0x60, 0, 0, 0];
        p.extend((body.len() as u16).to_be_bytes());
        p.extend([next, 64]);
        p.extend(s6);
        p.extend(d6);
        p.extend(body);
        p
    };
    // Origin: port 40000 and 192.0.2.45, every bit inverted.
    let mut orig = vec![0, 0];
    orig.extend((!40000u16).to_be_bytes());
    orig.extend([!192u8, !0, !2, !45]);
    let mut auth = vec![0, 1, 0, 0];
    auth.extend([0x11; 8]);
    auth.push(0);
    let (a, b) = ([192, 0, 2, 1], [198, 51, 100, 2]);
    let wrap = |sp, dp, payload: &[u8]| ethernet(0x0800, &ipv4(17, &udp(sp, dp, payload), a, b));
    vec![
        wrap(3544, 51000, &[orig.clone(), ip6(58, &icmp)].concat()),
        wrap(51000, 3544, &ip6(58, &icmp)),
        wrap(3544, 51000, &[auth, orig, ip6(58, &icmp)].concat()),
        wrap(51000, 3544, &ip6(59, &[])),
        wrap(51000, 3544, &[0x45; 48]),
        wrap(51000, 51001, &ip6(58, &icmp)),
    ]
}

fn write_pcap(path: &Path, frames: &[Vec<u8>]) {
    let mut out = Vec::new();
    out.extend(0xa1b2c3d4u32.to_le_bytes());
    out.extend(2u16.to_le_bytes());
    out.extend(4u16.to_le_bytes());
    out.extend([0u8; 8]);
    out.extend(65535u32.to_le_bytes());
    out.extend(1u32.to_le_bytes());
    for (i, f) in frames.iter().enumerate() {
        out.extend((1000 + i as u32).to_le_bytes());
        out.extend(0u32.to_le_bytes());
        out.extend((f.len() as u32).to_le_bytes());
        out.extend((f.len() as u32).to_le_bytes());
        out.extend(f);
    }
    std::fs::write(path, out).expect("write pcap");
}

#[test]
fn teredo_indications_are_undone_and_the_inner_ipv6_packet_follows() {
    let frames = teredo_frames();
    let d = decode(&frame(frames[0].clone()));
    let v = |k: &str| d.field(k).map(|f| f.value.clone());
    // RFC 4380 §5.1.1: the origin port and address are sent inverted.
    assert_eq!(
        v("teredo.orig.port"),
        Some(wirepeek::decode::Value::UInt(40000))
    );
    assert_eq!(
        v("teredo.orig.addr"),
        Some(wirepeek::decode::Value::Ip("192.0.2.45".parse().unwrap()))
    );
    let teredo = d.layer(Proto::Teredo).expect("teredo");
    assert_eq!(teredo.header, 42..50);
    assert_eq!(d.layer(Proto::Ipv6).map(|l| l.header.start), Some(50));
    assert!(d.has(Proto::Icmpv6));
    // Not on the Teredo port: plain UDP data.
    let d = decode(&frame(frames[5].clone()));
    assert!(!d.has(Proto::Teredo) && !d.has(Proto::Ipv6));
}

#[test]
fn teredo_fields_match_tshark() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let path = std::env::temp_dir().join(format!("wirepeek-teredo-{}.pcap", std::process::id()));
    write_pcap(&path, &teredo_frames());
    let keys = [
        "teredo.orig.port",
        "teredo.orig.addr",
        "teredo.auth.idlen",
        "teredo.auth.aulen",
        "teredo.auth.nonce",
        "teredo.auth.conf",
        "ipv6.src",
        "ipv6.dst",
        "ipv6.nxt",
        "udp.stream",
        "icmpv6.type",
    ];
    let mut bad = common::fields_disagree(&path, &keys);
    let mut protocols = common::fields_disagree(&path, &["frame.protocols"]);
    // tshark's ICMPv6 takes an echo request to the Teredo port for a
    // "direct IPv6 connectivity test" and shows no data after it.
    protocols.retain(|b| !b.starts_with("frame 2 "));
    bad.extend(protocols);
    let _ = std::fs::remove_file(&path);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// `n` VXLAN tunnels, each inside the one before.
fn nested_vxlan(n: usize) -> Vec<u8> {
    let mut inner = ethernet(
        0x0800,
        &ipv4(17, &udp(5000, 40000, b"ping"), [10, 0, 0, 1], [10, 0, 0, 2]),
    );
    for _ in 0..n {
        let mut vx = vec![0x08, 0, 0, 0, 0, 0, 1, 0];
        vx.extend(&inner);
        inner = ethernet(
            0x0800,
            &ipv4(17, &udp(40000, 4789, &vx), [10, 0, 0, 1], [10, 0, 0, 2]),
        );
    }
    inner
}

/// `n` GRE headers, each carrying IPv4 with the next.
fn nested_gre(n: usize) -> Vec<u8> {
    let mut inner = ipv4(17, &udp(5000, 40000, b"ping"), [10, 0, 0, 1], [10, 0, 0, 2]);
    for _ in 0..n {
        let mut g = vec![0, 0, 0x08, 0x00];
        g.extend(&inner);
        inner = ipv4(47, &g, [10, 0, 0, 1], [10, 0, 0, 2]);
    }
    ethernet(0x0800, &inner)
}

#[test]
fn sixty_four_nested_tunnels_stop_with_a_note_not_a_stack_overflow() {
    for bytes in [nested_vxlan(64), nested_gre(64)] {
        let d = decode(&frame(bytes));
        let note = d
            .notes
            .iter()
            .find(|n| n.kind == NoteKind::Malformed && n.message.contains("nested tunnels"))
            .expect("a note about the nesting");
        assert!(note.message.contains("more than 32"), "{}", note.message);
        let tunnels = d
            .layers
            .iter()
            .filter(|l| matches!(l.proto, Proto::Vxlan | Proto::Gre))
            .count();
        assert_eq!(tunnels, 33, "the 33rd tunnel header is where it stops");
    }
    // Within the bound everything decodes, innermost UDP included.
    let d = decode(&frame(nested_gre(8)));
    assert!(d.notes.is_empty(), "{:?}", d.notes);
    assert_eq!(d.fields_named("gre.proto").count(), 8);
    assert_eq!(d.layers.iter().filter(|l| l.proto == Proto::Udp).count(), 1);
}

#[test]
fn tunnel_frames_cut_anywhere_or_with_lengths_past_the_end_never_panic() {
    let mut cases = teredo_frames();
    cases.push(nested_vxlan(3));
    cases.push(nested_gre(3));
    for name in ["vxlan.pcap", "geneve.pcap", "various_gre.pcap"] {
        if let Some(p) = common::app_capture(name) {
            // The first few frames of each capture (the pcap header is 24
            // bytes, each record header 16).
            let bytes = std::fs::read(p).unwrap();
            let mut at = 24;
            while at + 16 <= bytes.len() && cases.len() < 40 {
                let len = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
                if at + 16 + len > bytes.len() {
                    break;
                }
                cases.push(bytes[at + 16..at + 16 + len].to_vec());
                at += 16 + len;
            }
        }
    }
    for whole in &cases {
        for cut in 0..whole.len() {
            let mut f = frame(whole[..cut].to_vec());
            f.orig_len = whole.len() as u32;
            let _ = decode(&f);
            // Every byte a length field could claim: set each byte to 0xff.
        }
        for i in 14..whole.len().min(120) {
            let mut b = whole.clone();
            b[i] = 0xff;
            let _ = decode(&frame(b));
        }
    }
}
