//! DHCPv6 (RFC 8415) against tshark (every occurrence of every dhcpv6
//! field we declare, and the Info column) and tcpdump (the default line),
//! on the corpus-app capture and on messages built here from RFC 8415 §§8,
//! 9, 11 and 21 with the options that capture lacks (IA_PD and IA Prefix,
//! IA_TA, status code, DNS servers, domain list, preference, DUID-EN, a
//! relayed message, an unknown option).

mod common;

use std::path::PathBuf;

use wirepeek::decode::{Proto, decode};

fn opt(code: u16, body: &[u8]) -> Vec<u8> {
    let mut v = code.to_be_bytes().to_vec();
    v.extend((body.len() as u16).to_be_bytes());
    v.extend_from_slice(body);
    v
}

fn addr(s: &str) -> [u8; 16] {
    s.parse::<std::net::Ipv6Addr>().unwrap().octets()
}

/// IPv6 and UDP around `msg`, from port `sport` to `dport`.
fn packet(sport: u16, dport: u16, msg: &[u8]) -> Vec<u8> {
    let udp_len = (8 + msg.len()) as u16;
    let mut p = vec![0x60, 0, 0, 0];
    p.extend(udp_len.to_be_bytes());
    p.extend([17, 1]);
    p.extend(addr("fe80::1"));
    p.extend(addr("ff02::1:2"));
    p.extend(sport.to_be_bytes());
    p.extend(dport.to_be_bytes());
    p.extend(udp_len.to_be_bytes());
    p.extend([0, 0]);
    p.extend_from_slice(msg);
    // The UDP checksum over the pseudo-header (RFC 8200 §8.1).
    let mut sum: u32 = 0;
    let mut words = |b: &[u8]| {
        for c in b.chunks(2) {
            sum += u32::from(c[0]) << 8 | u32::from(*c.get(1).unwrap_or(&0));
        }
    };
    words(&p[8..40]);
    words(&[0, 0, 0, 17]);
    words(&udp_len.to_be_bytes());
    words(&p[40..]);
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    let c = !(sum as u16);
    p[46..48].copy_from_slice(&c.to_be_bytes());
    p
}

fn built() -> Vec<Vec<u8>> {
    let llt = [
        &[0, 1, 0, 1, 0x18, 0x46, 0x48, 0x8c][..],
        &[0, 0x11, 0x22, 0x33, 0x44, 0x55],
    ]
    .concat();
    let en = [0, 2, 0, 0, 0, 9, 1, 2, 3];
    let prefix = [
        &100u32.to_be_bytes()[..],
        &200u32.to_be_bytes(),
        &[56],
        &addr("2001:db8:1200::"),
    ]
    .concat();
    let status = [&[0, 0][..], b"all fine"].concat();
    let ia_pd = [
        &[0, 0, 0, 7][..],
        &1800u32.to_be_bytes(),
        &2880u32.to_be_bytes(),
        &opt(26, &prefix),
        &opt(13, &status),
    ]
    .concat();
    let dns = [addr("2001:db8::53"), addr("2001:db8::54")].concat();
    let domains = b"\x07example\x03com\x00\x03lab\x07example\x03org\x00";
    let reply = [
        &[7, 0x12, 0x34, 0x56][..],
        &opt(1, &en),
        &opt(2, &llt),
        &opt(25, &ia_pd),
        &opt(23, &dns),
        &opt(24, domains),
        &opt(7, &[255]),
        &opt(99, &[1, 2, 3]),
    ]
    .concat();
    let solicit = [
        &[1, 0xab, 0xcd, 0xef][..],
        &opt(8, &[0, 100]),
        &opt(6, &[0, 23, 0, 24]),
    ]
    .concat();
    let relay = [
        &[12, 1][..],
        &addr("2001:db8::1"),
        &addr("fe80::2"),
        &opt(18, b"eth0"),
        &opt(9, &solicit),
    ]
    .concat();
    let iaaddr = [
        &addr("2001:db8::77")[..],
        &300u32.to_be_bytes(),
        &400u32.to_be_bytes(),
    ]
    .concat();
    let ia_ta = [&[0, 0, 0, 9][..], &opt(5, &iaaddr)].concat();
    let inforeq = [&[11, 0, 0, 1][..], &opt(4, &ia_ta), &opt(13, &[0, 2])].concat();
    vec![
        packet(547, 546, &reply),
        packet(547, 547, &relay),
        packet(546, 547, &inforeq),
    ]
}

/// The corpus capture and a pcap of the built messages (removed by the
/// caller).
fn files(test: &str) -> (Vec<PathBuf>, PathBuf) {
    let made = common::raw_pcap(test, &built());
    let mut files: Vec<PathBuf> = common::app_capture("dhcpv6-ia-na.pcap")
        .into_iter()
        .collect();
    files.push(made.clone());
    (files, made)
}

#[test]
fn dhcpv6_fields_match_tshark_every_occurrence() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let (files, made) = files("dhcpv6-fields");
    let mut keys = vec!["frame.protocols"];
    keys.extend(
        wirepeek::decode::field::all()
            .filter(|f| f.key.starts_with("dhcpv6."))
            .map(|f| f.key),
    );
    let mut bad = Vec::new();
    for file in &files {
        for b in common::fields_disagree(file, &keys) {
            bad.push(format!("{}: {b}", file.display()));
        }
    }
    let _ = std::fs::remove_file(&made);
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(30)].join("\n"));
}

#[test]
fn dhcpv6_info_matches_tshark() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let (files, made) = files("dhcpv6-info");
    let mut compared = 0;
    let mut bad = Vec::new();
    for file in &files {
        let (n, b) = common::info_disagree(file);
        compared += n;
        bad.extend(b);
    }
    let _ = std::fs::remove_file(&made);
    assert!(compared >= 3, "only {compared} frames");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn dhcpv6_lines_match_tcpdump() {
    if !common::tcpdump_present() {
        common::skip("tcpdump is not installed");
        return;
    }
    let (files, made) = files("dhcpv6-lines");
    let mut compared = 0;
    let mut bad = Vec::new();
    for file in &files {
        let (ours, theirs) = common::read_and_tcpdump_lines(env!("CARGO_BIN_EXE_wirepeek"), file);
        for (a, b) in ours.lines().zip(theirs.lines()) {
            compared += 1;
            if a != b {
                bad.push(format!("ours:    {a}\ntcpdump: {b}"));
            }
        }
    }
    let _ = std::fs::remove_file(&made);
    assert!(compared >= 3, "only {compared} lines");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn dhcpv6_cut_anywhere_or_corrupted_never_panics_and_says_why() {
    for whole in built() {
        for cut in 0..whole.len() {
            let mut f = common::raw_frame(whole[..cut].to_vec());
            f.orig_len = whole.len() as u32;
            let _ = decode(&f);
        }
        for i in 48..whole.len() {
            for v in [0x00, 0xff] {
                let mut b = whole.clone();
                b[i] = v;
                let _ = decode(&common::raw_frame(b));
            }
        }
    }
    // An option longer than the message is named, not read past.
    let mut msg = vec![1, 0, 0, 1];
    msg.extend([0, 8, 0, 40, 0, 0]);
    let d = decode(&common::raw_frame(packet(546, 547, &msg)));
    assert!(d.has(Proto::Dhcpv6));
    assert!(
        d.notes.iter().any(|n| n.message.contains("says 40 bytes")),
        "{:?}",
        d.notes
    );
}
