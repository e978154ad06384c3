//! DHCP, NTP and IGMP (issue 17) against tshark (every occurrence of every
//! field we emit for them) and tcpdump (the default line), on the
//! corpus-app captures, the main corpus's IGMP capture, and IGMPv3
//! reports and source-specific queries built here from RFC 3376 §4.

mod common;

use std::path::{Path, PathBuf};

use wirepeek::decode::{Proto, decode};
use wirepeek::frame::{FrameRecord, LinkType, TsPrecision};

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

fn corpus_capture(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/captures")
        .join(name);
    p.is_file().then_some(p)
}

/// Every key the registry declares for `prefix` (`dhcp.`): what we emit.
fn keys(prefix: &str) -> Vec<&'static str> {
    wirepeek::decode::field::all()
        .filter(|f| f.key.starts_with(prefix))
        .map(|f| f.key)
        .collect()
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

/// Ethernet, IPv4 (protocol 2, TTL 1) and an IGMP message whose checksum
/// is filled in.
fn igmp_frame(mut msg: Vec<u8>) -> Vec<u8> {
    if msg.len() >= 4 && msg[2..4] == [0, 0] {
        let c = checksum(&msg);
        msg[2..4].copy_from_slice(&c.to_be_bytes());
    }
    let total = (20 + msg.len()) as u16;
    let mut ip = vec![
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        1,
        0,
        0,
        1,
        2,
        0,
        0,
    ];
    ip.extend([192, 0, 2, 1, 224, 0, 0, 22]);
    let c = checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    let mut f = vec![1, 0, 0x5e, 0, 0, 0x16, 2, 0, 0, 0, 0, 1, 8, 0];
    f.extend(ip);
    f.extend(msg);
    f
}

/// RFC 3376 §4.2: a report with two group records (one with two sources,
/// one with a word of auxiliary data); §4.1: a group-and-source-specific
/// query; RFC 2236: a leave and a report with a wrong checksum.
fn igmp_frames() -> Vec<Vec<u8>> {
    let mut report = vec![0x22, 0, 0, 0, 0, 0, 0, 2];
    report.extend([1, 0, 0, 2, 232, 1, 1, 1, 10, 0, 0, 1, 10, 0, 0, 2]);
    report.extend([4, 1, 0, 0, 239, 1, 2, 3, 0xaa, 0xbb, 0xcc, 0xdd]);
    let mut query = vec![0x11, 0x64, 0, 0, 232, 1, 1, 1, 0x0a, 125, 0, 2];
    query.extend([10, 0, 0, 1, 10, 0, 0, 2]);
    let leave = vec![0x17, 0, 0, 0, 225, 1, 1, 3];
    let bad = vec![0x16, 0, 0x12, 0x34, 225, 1, 1, 3];
    [report, query, leave, bad]
        .into_iter()
        .map(igmp_frame)
        .collect()
}

fn files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = [
        "dhcp-rfc3004.pcap",
        "ntp.pcap",
        "IGMP_V1.pcap",
        "igmpv3-queries.pcap",
    ]
    .iter()
    .filter_map(|f| common::app_capture(f))
    .collect();
    files.extend(corpus_capture("IGMP_V2.pcap"));
    files
}

#[test]
fn dhcp_ntp_igmp_fields_match_tshark_every_occurrence() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let mut files = files();
    if files.is_empty() {
        common::skip("../shared/corpus-app/captures not found");
        return;
    }
    let built = std::env::temp_dir().join(format!("wirepeek-igmp-{}.pcap", std::process::id()));
    write_pcap(&built, &igmp_frames());
    files.push(built.clone());
    let mut all = vec!["frame.protocols"];
    for p in ["dhcp.", "ntp.", "igmp."] {
        all.extend(keys(p));
    }
    let mut bad = Vec::new();
    for file in &files {
        for b in common::fields_disagree(file, &all) {
            bad.push(format!("{}: {b}", file.display()));
        }
    }
    let _ = std::fs::remove_file(&built);
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(30)].join("\n"));
}

#[test]
fn dhcp_ntp_igmp_info_matches_tshark() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let mut files = files();
    if files.is_empty() {
        common::skip("../shared/corpus-app/captures not found");
        return;
    }
    let built = std::env::temp_dir().join(format!("wirepeek-igmp-i-{}.pcap", std::process::id()));
    write_pcap(&built, &igmp_frames());
    files.push(built.clone());
    files.extend(common::app_capture("mdns.pcap"));
    let (mut compared, mut bad) = (0, Vec::new());
    for file in &files {
        let (n, b) = common::info_disagree(file);
        compared += n;
        bad.extend(b);
    }
    let _ = std::fs::remove_file(&built);
    assert!(compared > 60, "only {compared} frames with an Info of ours");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn dhcp_ntp_igmp_lines_match_tcpdump() {
    if !common::tcpdump_present() {
        common::skip("tcpdump is not installed");
        return;
    }
    let mut files = files();
    if files.is_empty() {
        common::skip("../shared/corpus-app/captures not found");
        return;
    }
    let built = std::env::temp_dir().join(format!("wirepeek-igmp-l-{}.pcap", std::process::id()));
    write_pcap(&built, &igmp_frames());
    files.push(built.clone());
    let mut bad = Vec::new();
    let mut compared = 0;
    for file in &files {
        let (ours, theirs) = common::read_and_tcpdump_lines(env!("CARGO_BIN_EXE_wirepeek"), file);
        for (a, b) in ours.lines().zip(theirs.lines()) {
            compared += 1;
            if a != b {
                bad.push(format!("ours:    {a}\ntcpdump: {b}"));
            }
        }
    }
    let _ = std::fs::remove_file(&built);
    assert!(compared > 60, "only {compared} lines");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
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

#[test]
fn igmp_v3_report_records_and_a_bad_checksum_are_decoded_as_rfc_3376_lays_them_out() {
    let frames = igmp_frames();
    let d = decode(&frame(frames[0].clone()));
    let all = |k: &str| d.fields_named(k).map(|f| f.bytes.start).collect::<Vec<_>>();
    // Records at 42 and 58 (34 + 8); sources at 50 and 54; aux data at 66.
    assert_eq!(all("igmp.record_type"), vec![42, 58]);
    assert_eq!(all("igmp.saddr"), vec![50, 54]);
    assert_eq!(all("igmp.aux_data"), vec![66]);
    let d = decode(&frame(frames[3].clone()));
    assert!(
        d.notes
            .iter()
            .any(|n| n.message.contains("IGMP checksum is wrong"))
    );
}

#[test]
fn dhcp_ntp_igmp_cut_anywhere_or_corrupted_never_panic() {
    let mut cases = igmp_frames();
    for name in ["dhcp-rfc3004.pcap", "ntp.pcap"] {
        if let Some(p) = common::app_capture(name) {
            let bytes = std::fs::read(p).unwrap();
            let len = u32::from_le_bytes(bytes[32..36].try_into().unwrap()) as usize;
            cases.push(bytes[40..40 + len].to_vec());
        }
    }
    for whole in &cases {
        for cut in 0..whole.len() {
            let mut f = frame(whole[..cut].to_vec());
            f.orig_len = whole.len() as u32;
            let d = decode(&f);
            assert!(d.has(Proto::Ethernet));
        }
        for i in 34..whole.len() {
            let mut b = whole.clone();
            b[i] = 0xff;
            let _ = decode(&frame(b));
        }
    }
}
