//! The TUI's Source, Destination, Protocol and Info columns against
//! tshark's (`_ws.col.Source`, `_ws.col.Destination`, `_ws.col.Protocol`,
//! `_ws.col.Info`, one pass), cell by cell: every frame of the tunnel and
//! 802.2 captures (VXLAN, Geneve, GRE, PPTP, VLAN with CDP), and every
//! frame carrying ICMP, ICMPv6 or ARP in `../shared/corpus` and
//! `../shared/corpus-app`. The rows are made as the list draws them
//! (`tui::list::row_text` over the model loaded from the file), so an echo
//! reply's `(request in N)` comes from the model's pairing. What tshark
//! words that wirepeek does not decode is listed in `EXCEPTIONS`, each line
//! with its reason; a line no frame needs fails the test. Skips without
//! tshark or without a corpus.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use wirepeek::app::store::empty_frame;
use wirepeek::decode::Dissection;
use wirepeek::tui::list::row_text;

/// The four columns, in the order of the counts.
const COLUMNS: [&str; 4] = ["Source", "Destination", "Protocol", "Info"];

/// Cells wirepeek does not word as tshark does: (file, column, tshark's
/// Protocol column for the frame, why). A cell is excused only by its own
/// file, column and protocol.
const EXCEPTIONS: &[(&str, &str, &str, &str)] = &[
    (
        "handshake.pcap",
        "Source",
        "ICMPv6",
        "link type 9 (PPP) is not decoded: the frame is one undecoded layer",
    ),
    (
        "handshake.pcap",
        "Destination",
        "ICMPv6",
        "link type 9 (PPP) is not decoded: the frame is one undecoded layer",
    ),
    (
        "handshake.pcap",
        "Protocol",
        "ICMPv6",
        "link type 9 (PPP) is not decoded: the frame is one undecoded layer",
    ),
    (
        "handshake.pcap",
        "Info",
        "ICMPv6",
        "link type 9 (PPP) is not decoded: the frame is one undecoded layer",
    ),
    (
        "pptp.pcap",
        "Info",
        "TCP",
        "TCP's Info is tcpdump's words after the ports, not Wireshark's [SYN] Seq=0 Win=… (relative numbers from the first SYN)",
    ),
    (
        "geneve.pcap",
        "Info",
        "TCP",
        "TCP's Info is tcpdump's words after the ports, not Wireshark's [SYN] Seq=0 Win=… (relative numbers from the first SYN)",
    ),
    (
        "pptp.pcap",
        "Protocol",
        "PPTP",
        "PPTP (TCP port 1723) is not decoded",
    ),
    (
        "pptp.pcap",
        "Info",
        "PPTP",
        "PPTP (TCP port 1723) is not decoded",
    ),
    (
        "pptp.pcap",
        "Protocol",
        "PPP LCP",
        "PPP inside GREv1 is not decoded",
    ),
    (
        "pptp.pcap",
        "Info",
        "PPP LCP",
        "PPP inside GREv1 is not decoded",
    ),
    ("geneve.pcap", "Protocol", "SSH", "SSH is not decoded"),
    ("geneve.pcap", "Info", "SSH", "SSH is not decoded"),
    ("geneve.pcap", "Protocol", "SSHv2", "SSH is not decoded"),
    ("geneve.pcap", "Info", "SSHv2", "SSH is not decoded"),
    (
        "various_gre.pcap",
        "Protocol",
        "LOOP",
        "Ethernet loopback (EtherType 0x9000) is not decoded",
    ),
    (
        "various_gre.pcap",
        "Info",
        "LOOP",
        "Ethernet loopback (EtherType 0x9000) is not decoded",
    ),
    (
        "various_gre.pcap",
        "Protocol",
        "CDP",
        "CDP (SNAP 0x00000c/0x2000, GRE 0x2000) is not decoded",
    ),
    (
        "various_gre.pcap",
        "Info",
        "CDP",
        "CDP (SNAP 0x00000c/0x2000, GRE 0x2000) is not decoded",
    ),
    (
        "VlanPackets.pcap",
        "Protocol",
        "CDP",
        "CDP (SNAP 0x00000c/0x2000) is not decoded",
    ),
    (
        "VlanPackets.pcap",
        "Info",
        "CDP",
        "CDP (SNAP 0x00000c/0x2000) is not decoded",
    ),
    (
        "many-protocols.pcap",
        "Protocol",
        "CDP",
        "CDP (SNAP 0x00000c/0x2000) is not decoded",
    ),
    (
        "many-protocols.pcap",
        "Info",
        "CDP",
        "CDP (SNAP 0x00000c/0x2000) is not decoded",
    ),
    (
        "various_gre.pcap",
        "Protocol",
        "PIMv2",
        "PIM (IP protocol 103) is not decoded",
    ),
    (
        "various_gre.pcap",
        "Info",
        "PIMv2",
        "PIM (IP protocol 103) is not decoded",
    ),
    (
        "various_gre.pcap",
        "Protocol",
        "DTP",
        "DTP (SNAP 0x00000c/0x2004) is not decoded",
    ),
    (
        "various_gre.pcap",
        "Info",
        "DTP",
        "DTP (SNAP 0x00000c/0x2004) is not decoded",
    ),
];

/// The tunnel and 802.2 captures, compared frame by frame in full.
fn tunnel_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["vxlan.pcap", "geneve.pcap", "various_gre.pcap"]
        .iter()
        .filter_map(|n| common::app_capture(n))
        .collect();
    if let Some(dir) = common::corpus() {
        files.extend(
            ["VlanPackets.pcap", "pptp.pcap"]
                .iter()
                .map(|n| dir.join(n))
                .filter(|p| p.is_file()),
        );
    }
    files
}

/// Every capture of both corpora.
fn corpus_files() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = common::corpus().into_iter().collect();
    dirs.extend(common::app_capture("vxlan.pcap").and_then(|p| p.parent().map(Path::to_path_buf)));
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).expect("corpus directory lists"))
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    files.sort();
    files
}

/// True when tshark's `frame.protocols` has ICMP, ICMPv6 or ARP, 802.2
/// or a tunnel.
fn icmp_or_arp(protocols: &str) -> bool {
    protocols.split(':').any(|p| {
        matches!(
            p,
            "icmp" | "icmpv6" | "arp" | "llc" | "gre" | "vxlan" | "geneve" | "teredo"
        )
    })
}

#[derive(Default)]
struct Tally {
    files: usize,
    frames: usize,
    compared: [usize; 4],
    agreed: [usize; 4],
    excused: [usize; 4],
    used: BTreeMap<usize, usize>,
    bad: Vec<String>,
}

/// Compare the columns of the frames of `file` that `wanted` picks (by
/// tshark's `frame.protocols`).
fn compare(file: &Path, wanted: &dyn Fn(&str) -> bool, t: &mut Tally) {
    let theirs = common::tshark_columns(file);
    if !theirs.iter().any(|c| wanted(&c.protocols)) {
        return;
    }
    let app = common::loaded_app(file);
    let name = file
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    if app.list.len() != theirs.len() {
        t.bad.push(format!(
            "{name}: {} frames ours, {} tshark's",
            app.list.len(),
            theirs.len()
        ));
        return;
    }
    t.files += 1;
    let mut frame = empty_frame();
    let mut d = Dissection::default();
    for (pos, want) in theirs.iter().enumerate() {
        if !wanted(&want.protocols) {
            continue;
        }
        t.frames += 1;
        let index = app.list.shown[pos] as usize;
        assert!(
            app.store.load_into(index, &mut frame),
            "{name}: frame {pos} loads"
        );
        let row = row_text(&app, pos, &frame, &mut d);
        let cells = [
            (&row.src, &want.source),
            (&row.dst, &want.destination),
            (&row.proto, &want.protocol),
            (&row.info, &want.info),
        ];
        for (c, (ours, tshark)) in cells.into_iter().enumerate() {
            t.compared[c] += 1;
            if ours == tshark {
                t.agreed[c] += 1;
                continue;
            }
            let excuse = EXCEPTIONS.iter().position(|(f, col, proto, _)| {
                *f == name && *col == COLUMNS[c] && *proto == want.protocol
            });
            match excuse {
                Some(e) => {
                    t.excused[c] += 1;
                    *t.used.entry(e).or_default() += 1;
                }
                None => t.bad.push(format!(
                    "{name} frame {} {}: ours {ours:?}, tshark {tshark:?} ({})",
                    frame.number, COLUMNS[c], want.protocols
                )),
            }
        }
    }
}

#[test]
fn list_columns_match_tshark_on_tunnels_and_every_icmp_and_arp_frame() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let tunnels = tunnel_files();
    let corpus = corpus_files();
    if tunnels.is_empty() && corpus.is_empty() {
        common::skip("neither ../shared/corpus nor ../shared/corpus-app is here");
        return;
    }
    let mut t = Tally::default();
    for file in &tunnels {
        compare(file, &|_| true, &mut t);
    }
    for file in corpus.iter().filter(|f| !tunnels.contains(f)) {
        compare(file, &icmp_or_arp, &mut t);
    }
    for (c, name) in COLUMNS.iter().enumerate() {
        eprintln!(
            "{name}: {} cells compared, {} agree, {} excused",
            t.compared[c], t.agreed[c], t.excused[c]
        );
    }
    eprintln!("{} files, {} frames", t.files, t.frames);
    for (e, (file, col, proto, why)) in EXCEPTIONS.iter().enumerate() {
        match t.used.get(&e) {
            Some(n) => eprintln!("excused {n}: {file} {col} {proto}: {why}"),
            None => t.bad.push(format!(
                "exception listed but no cell needs it: {file} {col} {proto} ({why})"
            )),
        }
    }
    assert!(
        t.bad.is_empty(),
        "{}\n{} disagreements",
        t.bad.join("\n"),
        t.bad.len()
    );
    // Both corpora are here: the counts are the corpora's.
    if tunnels.len() == 5 {
        assert!(t.frames > 400, "only {} frames compared", t.frames);
    }
}

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
