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
    let b = match common::beside_tshark(file, |c| wanted(&c.protocols)) {
        None => return,
        Some(Err(e)) => return t.bad.push(e),
        Some(Ok(b)) => b,
    };
    let name = &b.name;
    t.files += 1;
    let mut frame = empty_frame();
    let mut d = Dissection::default();
    for (pos, want) in b.theirs.iter().enumerate() {
        if !wanted(&want.protocols) {
            continue;
        }
        t.frames += 1;
        let row = b.row(pos, &mut frame, &mut d);
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
    let corpus = common::corpus_files();
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
    common::settle_exceptions(
        EXCEPTIONS
            .iter()
            .map(|(file, col, proto, why)| format!("{file} {col} {proto} ({why})")),
        &t.used,
        std::mem::take(&mut t.bad),
    );
    // Both corpora are here: the counts are the corpora's.
    if tunnels.len() == 5 {
        assert!(t.frames > 400, "only {} frames compared", t.frames);
    }
}
