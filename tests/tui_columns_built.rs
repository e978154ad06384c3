//! The TUI's columns on packets built here, against tshark's words for
//! them (`_ws.col.*`, one pass): ICMP, ICMPv6 and ARP messages absent from
//! the corpora, echo requests and replies as tshark pairs them (and the
//! pairing's bound), tunnels the corpora lack (IP-in-IP, 6in4, Teredo,
//! GRE, 4in6), and every message cut anywhere (words or nothing, never a
//! panic). The tshark parts skip without tshark.

mod common;

use wirepeek::app::store::empty_frame;
use wirepeek::decode::Dissection;
use wirepeek::tui::list::row_text;

/// An IPv4 header (TTL 64, 10.0.0.1 → 10.0.0.2) carrying `payload`.
fn ip4(proto: u8, payload: &[u8]) -> Vec<u8> {
    ip4_between([10, 0, 0, 1], [10, 0, 0, 2], proto, payload)
}

/// An IPv4 header (TTL 64) from `src` to `dst` carrying `payload`, with
/// its header checksum right.
fn ip4_between(src: [u8; 4], dst: [u8; 4], proto: u8, payload: &[u8]) -> Vec<u8> {
    let total = (20 + payload.len()) as u16;
    let mut p = vec![0x45, 0, 0, 0, 0, 1, 0, 0, 64, proto, 0, 0];
    p[2..4].copy_from_slice(&total.to_be_bytes());
    p.extend(src);
    p.extend(dst);
    p = checksummed(p, 10, &[]);
    p.extend_from_slice(payload);
    p
}

/// An IPv6 header (hop limit 255, fe80::1 → fe80::2) carrying `payload`.
fn ip6(next: u8, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x60, 0, 0, 0];
    p.extend((payload.len() as u16).to_be_bytes());
    p.extend([next, 255]);
    p.extend([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    p.extend([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    p.extend_from_slice(payload);
    p
}

/// An ICMP or ICMPv6 message: type, code, zero checksum, `rest`.
fn icmp(kind: u8, code: u8, rest: &[u8]) -> Vec<u8> {
    let mut m = vec![kind, code, 0, 0];
    m.extend_from_slice(rest);
    m
}

/// An Ethernet ARP frame (Ethernet/IPv4 addresses).
fn arp(op: u16, sha: [u8; 6], spa: [u8; 4], tha: [u8; 6], tpa: [u8; 4]) -> Vec<u8> {
    let mut f = vec![0xff; 6];
    f.extend(sha);
    f.extend([0x08, 0x06, 0, 1, 0x08, 0, 6, 4]);
    f.extend(op.to_be_bytes());
    f.extend(sha);
    f.extend(spa);
    f.extend(tha);
    f.extend(tpa);
    f
}

#[test]
fn icmp_icmpv6_and_arp_messages_absent_from_the_corpora_are_worded_as_tshark_words_them() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    // What an error quotes: an IPv4 header and a UDP header.
    let quoted4 = ip4(17, &[0x30, 0x39, 0, 53, 0, 8, 0, 0]);
    let quoted6 = ip6(17, &[0x30, 0x39, 0, 53, 0, 8, 0, 0]);
    let with = |head: &[u8], quoted: &[u8]| [head, quoted].concat();
    let v4: Vec<Vec<u8>> = vec![
        icmp(11, 0, &with(&[0; 4], &quoted4)),
        icmp(11, 1, &with(&[0; 4], &quoted4)),
        icmp(3, 1, &with(&[0; 4], &quoted4)),
        icmp(3, 4, &with(&[0, 0, 5, 0xdc], &quoted4)),
        icmp(3, 10, &with(&[0; 4], &quoted4)),
        icmp(3, 13, &with(&[0; 4], &quoted4)),
        icmp(3, 99, &with(&[0; 4], &quoted4)),
        icmp(5, 1, &with(&[10, 0, 0, 254], &quoted4)),
        icmp(12, 0, &with(&[20, 0, 0, 0], &quoted4)),
        icmp(4, 0, &with(&[0; 4], &quoted4)),
        icmp(8, 0, &[0x12, 0x34, 0x01, 0x02, 1, 2, 3, 4]),
    ]
    .into_iter()
    .map(|m| ip4(1, &m))
    .collect();
    let target = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9];
    let v6: Vec<Vec<u8>> = vec![
        icmp(1, 4, &with(&[0; 4], &quoted6)),
        icmp(1, 0, &with(&[0; 4], &quoted6)),
        icmp(3, 0, &with(&[0; 4], &quoted6)),
        icmp(2, 0, &with(&[0, 0, 5, 0xdc], &quoted6)),
        icmp(4, 1, &with(&[0, 0, 0, 40], &quoted6)),
        icmp(136, 0, &with(&[0; 4], &target)),
        icmp(
            136,
            0,
            &[&[0x40, 0, 0, 0][..], &target, &[2, 1, 0, 1, 2, 3, 4, 5]].concat(),
        ),
        icmp(133, 0, &[0, 0, 0, 0, 1, 1, 0, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e]),
        icmp(129, 0, &[0xab, 0xcd, 0, 7]),
        icmp(132, 0, &with(&[0; 4], &target)),
    ]
    .into_iter()
    .map(|m| ip6(58, &m))
    .collect();
    let (a, b) = ([0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]);
    let (x, y) = ([192, 0, 2, 1], [192, 0, 2, 2]);
    let arps = vec![
        arp(1, a, [0; 4], [0; 6], x),
        arp(1, a, x, [0xff; 6], x),
        arp(1, a, x, [0; 6], x),
        arp(1, a, x, [0; 6], y),
        arp(2, a, x, b, x),
        arp(2, a, x, b, y),
        arp(3, a, [0; 4], b, [0; 4]),
        arp(4, a, x, b, y),
    ];
    let files = [
        (common::raw_pcap("columns-icmp", &v4), v4.len()),
        (common::raw_pcap("columns-icmpv6", &v6), v6.len()),
        (common::pcap_of("columns-arp", 1, &arps), arps.len()),
    ];
    let mut bad = Vec::new();
    for (file, n) in &files {
        let (compared, b) = common::info_disagree(file);
        assert_eq!(
            compared,
            *n,
            "{}: a message has no Info of ours",
            file.display()
        );
        bad.extend(b);
        let _ = std::fs::remove_file(file);
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The Internet checksum (RFC 1071) of `b` put at `at`; `pseudo` is
/// summed first (ICMPv6's pseudo-header).
fn checksummed(mut b: Vec<u8>, at: usize, pseudo: &[u8]) -> Vec<u8> {
    let mut sum: u32 = 0;
    for chunk in pseudo.chunks(2).chain(b.chunks(2)) {
        sum += u32::from(chunk[0]) << 8 | u32::from(*chunk.get(1).unwrap_or(&0));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    b[at..at + 2].copy_from_slice(&(!(sum as u16)).to_be_bytes());
    b
}

/// An ICMP echo (request 8, reply 0) with a right checksum, or not.
fn ping(kind: u8, id: u16, seq: u16, good: bool) -> Vec<u8> {
    let mut m = icmp(
        kind,
        0,
        &[&id.to_be_bytes()[..], &seq.to_be_bytes(), &[7; 24]].concat(),
    );
    if good {
        m = checksummed(m, 2, &[]);
    }
    let mut p = ip4(1, &m);
    if kind == 0 {
        p[12..20].rotate_left(4);
    }
    p
}

/// An ICMPv6 echo (128, 129) with a right checksum, or not.
fn ping6(kind: u8, id: u16, seq: u16, good: bool) -> Vec<u8> {
    let mut m = icmp(
        kind,
        0,
        &[&id.to_be_bytes()[..], &seq.to_be_bytes()].concat(),
    );
    let mut p = ip6(58, &m);
    if kind == 129 {
        p[8..40].rotate_left(16);
    }
    if good {
        let mut pseudo = p[8..40].to_vec();
        pseudo.extend((m.len() as u32).to_be_bytes());
        pseudo.extend([0, 0, 0, 58]);
        m = checksummed(m, 2, &pseudo);
        p.truncate(40);
        p.extend(m);
    }
    p
}

#[test]
fn echo_replies_name_their_request_as_tshark_pairs_them() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let packets = vec![
        ping(8, 1, 1, true),
        ping(0, 1, 1, true),
        // A second reply to an answered request names none.
        ping(0, 1, 1, true),
        // Of two requests alike, the later is answered.
        ping(8, 1, 1, true),
        ping(8, 1, 1, true),
        ping(0, 1, 1, true),
        // A wrong checksum pairs nothing.
        ping(8, 1, 2, false),
        ping(0, 1, 2, true),
        ping(8, 1, 3, true),
        ping(0, 1, 3, false),
        // Another identifier is another exchange.
        ping(8, 2, 4, true),
        ping(0, 3, 4, true),
        ping6(128, 9, 1, true),
        ping6(129, 9, 1, true),
        ping6(128, 9, 2, false),
        ping6(129, 9, 2, false),
    ];
    let file = common::raw_pcap("columns-pairs", &packets);
    let theirs = common::tshark_columns(&file);
    let app = common::loaded_app(&file);
    let _ = std::fs::remove_file(&file);
    assert_eq!(app.list.len(), packets.len());
    let (mut frame, mut d) = (empty_frame(), Dissection::default());
    let mut paired = 0;
    for (pos, want) in theirs.iter().enumerate() {
        assert!(
            app.store
                .load_into(app.list.shown[pos] as usize, &mut frame)
        );
        let row = row_text(&app, pos, &frame, &mut d);
        assert_eq!(row.info, want.info, "frame {}", pos + 1);
        paired += usize::from(want.info.contains("(request in"));
    }
    assert_eq!(paired, 3, "tshark pairs three replies here");
}

#[test]
fn echo_pairing_remembers_a_bounded_number_of_unanswered_requests() {
    use wirepeek::app::echo_pairs::{EchoPairs, PENDING};
    let echo = |kind: u8, n: usize| common::raw_frame(ping(kind, (n >> 16) as u16, n as u16, true));
    let mut pairs = EchoPairs::default();
    let requests = PENDING + 100;
    for n in 0..requests {
        let f = echo(8, n);
        pairs.ingest(n, n as u64 + 1, &f.data, &wirepeek::decode::decode(&f));
    }
    assert_eq!(pairs.pending(), PENDING);
    // The oldest requests were forgotten; the newest are answered.
    for (n, want) in [(0, None), (requests - 1, Some(requests as u64))] {
        let f = echo(0, n);
        let at = requests + n;
        pairs.ingest(at, at as u64 + 1, &f.data, &wirepeek::decode::decode(&f));
        assert_eq!(pairs.request_of(at), want, "reply to request {n}");
    }
    // A reply answers once: the same reply again names no request.
    let f = echo(0, requests - 1);
    pairs.ingest(3 * requests, 0, &f.data, &wirepeek::decode::decode(&f));
    assert_eq!(pairs.request_of(3 * requests), None);
}

#[test]
fn tunnels_built_here_show_their_inner_packet_as_tshark_does() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let (outer_a, outer_b) = ([192, 0, 2, 1], [192, 0, 2, 2]);
    let inner4 = ip4(1, &ping(8, 7, 1, true)[20..]);
    let inner6 = ping6(128, 7, 2, true);
    // From the Teredo port: to it, an echo request is a connectivity test.
    let mut teredo = vec![0x0d, 0xd8, 0x9c, 0x40];
    teredo.extend(((8 + inner6.len()) as u16).to_be_bytes());
    teredo.extend([0, 0]);
    teredo.extend(&inner6);
    let gre = [&[0, 0, 0x08, 0x00][..], &inner4].concat();
    let mut four_in_six = ip6(4, &inner4);
    four_in_six[8..40].rotate_left(16);
    let packets = vec![
        ip4_between(outer_a, outer_b, 4, &inner4),
        ip4_between(outer_a, outer_b, 41, &inner6),
        ip4_between(outer_a, outer_b, 17, &teredo),
        ip4_between(outer_a, outer_b, 47, &gre),
        four_in_six,
    ];
    let file = common::raw_pcap("columns-tunnels", &packets);
    let theirs = common::tshark_columns(&file);
    let app = common::loaded_app(&file);
    let _ = std::fs::remove_file(&file);
    assert_eq!(app.list.len(), packets.len());
    let (mut frame, mut d) = (empty_frame(), Dissection::default());
    for (pos, want) in theirs.iter().enumerate() {
        assert!(
            app.store
                .load_into(app.list.shown[pos] as usize, &mut frame)
        );
        let row = row_text(&app, pos, &frame, &mut d);
        let ours = [&row.src, &row.dst, &row.proto, &row.info];
        let tshark = [&want.source, &want.destination, &want.protocol, &want.info];
        assert_eq!(ours, tshark, "frame {} ({})", pos + 1, want.protocols);
    }
}

#[test]
fn the_columns_of_messages_cut_anywhere_are_words_or_nothing_never_a_panic() {
    use wirepeek::decode::summary::columns;
    let target = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9];
    let na = [&[0xe0, 0, 0, 0][..], &target, &[2, 1, 0, 1, 2, 3, 4, 5]].concat();
    let packets = [
        ping(8, 1, 1, true),
        ip4(1, &icmp(3, 3, &[&[0; 4][..], &ip4(17, &[0; 8])].concat())),
        ping6(128, 1, 1, true),
        ip6(58, &icmp(136, 0, &na)),
        ip6(
            58,
            &icmp(
                135,
                0,
                &[&[0; 4][..], &target, &[1, 1, 9, 9, 9, 9, 9, 9]].concat(),
            ),
        ),
        ip6(58, &icmp(134, 0, &[0; 20])),
        ip4_between([1, 1, 1, 1], [2, 2, 2, 2], 4, &ping(0, 1, 1, true)),
    ];
    let mut worded = 0;
    for p in &packets {
        for cut in 0..=p.len() {
            let f = common::raw_frame(p[..cut].to_vec());
            let d = wirepeek::decode::decode(&f);
            worded += usize::from(columns::info(&f.data, &d).is_some());
            let _ = (columns::protocol(&f.data, &d), columns::addresses(&d));
            let _ = columns::echo(&f.data, &d);
        }
    }
    let arp = arp(1, [1; 6], [10, 0, 0, 1], [0; 6], [10, 0, 0, 2]);
    for cut in 0..=arp.len() {
        let mut f = common::raw_frame(arp[..cut].to_vec());
        f.link = wirepeek::frame::LinkType::ETHERNET;
        let d = wirepeek::decode::decode(&f);
        worded += usize::from(columns::info(&f.data, &d).is_some());
        let _ = (columns::protocol(&f.data, &d), columns::addresses(&d));
    }
    // The whole messages, at least, are worded.
    assert!(worded > packets.len(), "only {worded} cuts worded");
}
