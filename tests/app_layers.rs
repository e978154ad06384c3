//! Frame by frame, an application or tunnel layer is present in our
//! `frame.protocols` exactly when tshark's has it, on `../shared/corpus`
//! and `../shared/corpus-app`. Only protocols in `CLAIMED` are held to it
//! (each must appear somewhere, so a claim cannot pass by never decoding);
//! a protocol joins the list when its dissector lands. IP fragments are
//! reassembled on both sides, and HTTP and DNS messages that span TCP
//! segments are put together (tshark's defaults); TLS records are read one
//! segment at a time on both sides.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// tshark's protocol filter names of the layers we decode above TCP/UDP
/// and the tunnels, in `frame.protocols` spelling.
const CLAIMED: &[&str] = &[
    "cmd", "dhcp", "dhcpv6", "dns", "geneve", "gre", "http", "igmp", "llc", "mdns", "ntp", "quic",
    "ssdp", "stp", "tls", "vxlan",
];

const WEBSOCKET: &str = "WebSocket frames after an HTTP Upgrade: tshark knows the conversation switched protocols and shows them as TCP; decoding one segment at a time, we see a continuation on port 80";
const RETRANSMISSION: &str = "tshark's sequence analysis marks the segment a retransmission (or out of order) and does not hand it to HTTP; we decode each segment alone";
const STATE: &str = "tshark's HTTP conversation state: it takes the segment as part of a message it has already accounted for and shows plain TCP; we see a continuation on port 80";
const SPURIOUS: &str = "a spurious retransmission (bytes already acknowledged): with desegmentation on, tshark's sequence analysis withholds them from the dissector; the decoder does not track acknowledgements";
const NO_REQUEST: &str = "a segment on port 80 that starts no message, in a conversation whose only request never completed: tshark shows a continuation only once it has seen a request, we show every one on an HTTP port";
/// Frames where tshark and we are known to disagree: (file, frame,
/// protocol, why). Keep it short and say why.
const DIFFERENCES: &[(&str, usize, &str, &str)] = &[
    (
        "many-protocols.pcap",
        2507,
        "tls",
        "a retransmission: tshark's sequence analysis withholds its payload from TLS; the decoder keeps no state between segments",
    ),
    (
        "ecdhe.pcap",
        26,
        "tls",
        "a retransmission: tshark's sequence analysis withholds its payload from TLS; the decoder keeps no state between segments",
    ),
    (
        "quic_handshake.pcap",
        2,
        "tls",
        "the server's Initial is keyed by the client's first Destination Connection ID, which only an earlier packet carries: not decrypted without connection state",
    ),
    (
        "handshake.pcap",
        5,
        "quic",
        "PPP (link type 9) is not decoded, so nothing above it is",
    ),
    (
        "handshake.pcap",
        6,
        "quic",
        "PPP (link type 9) is not decoded, so nothing above it is",
    ),
    (
        "handshake.pcap",
        7,
        "quic",
        "PPP (link type 9) is not decoded, so nothing above it is",
    ),
    (
        "handshake.pcap",
        8,
        "quic",
        "PPP (link type 9) is not decoded, so nothing above it is",
    ),
    (
        "handshake.pcap",
        9,
        "quic",
        "PPP (link type 9) is not decoded, so nothing above it is",
    ),
    (
        "handshake.pcap",
        10,
        "quic",
        "PPP (link type 9) is not decoded, so nothing above it is",
    ),
    (
        "handshake.pcap",
        11,
        "quic",
        "PPP (link type 9) is not decoded, so nothing above it is",
    ),
    (
        "handshake.pcap",
        12,
        "quic",
        "PPP (link type 9) is not decoded, so nothing above it is",
    ),
    (
        "handshake.pcap",
        13,
        "quic",
        "PPP (link type 9) is not decoded, so nothing above it is",
    ),
    (
        "handshake.pcap",
        5,
        "tls",
        "PPP (link type 9) is not decoded, so nothing above it is",
    ),
    (
        "handshake.pcap",
        6,
        "tls",
        "PPP (link type 9) is not decoded, so nothing above it is",
    ),
    ("ipv6-http-atomic-frag.pcap", 7, "http", STATE),
    ("ipv6-http-atomic-frag.pcap", 18, "http", NO_REQUEST),
    ("ipv6-http-atomic-frag.pcap", 28, "http", NO_REQUEST),
    ("ipv6-http-atomic-frag.pcap", 38, "http", NO_REQUEST),
    ("many-protocols.pcap", 656, "http", SPURIOUS),
    ("many-protocols.pcap", 831, "http", SPURIOUS),
    ("many-protocols.pcap", 911, "http", SPURIOUS),
    ("many-protocols.pcap", 1463, "http", SPURIOUS),
    ("many-protocols.pcap", 1877, "http", SPURIOUS),
    ("many-protocols.pcap", 2008, "http", SPURIOUS),
    ("many-protocols.pcap", 2173, "http", SPURIOUS),
    ("many-protocols.pcap", 2411, "http", SPURIOUS),
    ("many-protocols.pcap", 2859, "http", SPURIOUS),
    ("many-protocols.pcap", 3012, "http", SPURIOUS),
    ("many-protocols.pcap", 4323, "tls", SPURIOUS),
    ("many-protocols.pcap", 27, "http", WEBSOCKET),
    ("many-protocols.pcap", 28, "http", WEBSOCKET),
    ("many-protocols.pcap", 42, "http", WEBSOCKET),
    ("many-protocols.pcap", 43, "http", WEBSOCKET),
    ("many-protocols.pcap", 1287, "http", WEBSOCKET),
    ("many-protocols.pcap", 1288, "http", WEBSOCKET),
    ("many-protocols.pcap", 3613, "http", WEBSOCKET),
    ("many-protocols.pcap", 3614, "http", WEBSOCKET),
    ("many-protocols.pcap", 4601, "http", WEBSOCKET),
    ("many-protocols.pcap", 4602, "http", WEBSOCKET),
    ("many-protocols.pcap", 1549, "http", RETRANSMISSION),
    ("many-protocols.pcap", 2377, "http", RETRANSMISSION),
    ("many-protocols.pcap", 2379, "http", RETRANSMISSION),
    ("many-protocols.pcap", 2382, "http", RETRANSMISSION),
    ("many-protocols.pcap", 2386, "http", RETRANSMISSION),
    ("many-protocols.pcap", 2388, "http", RETRANSMISSION),
    ("many-protocols.pcap", 2468, "http", RETRANSMISSION),
    ("many-protocols.pcap", 2599, "http", RETRANSMISSION),
    ("many-protocols.pcap", 2668, "http", RETRANSMISSION),
    ("many-protocols.pcap", 3014, "http", RETRANSMISSION),
    ("pcapng-example.pcapng", 141, "http", STATE),
    (
        "qi_internet_SYNACK_curl_jsonip.pcap",
        9,
        "http",
        RETRANSMISSION,
    ),
];

fn files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let mut files = Vec::new();
    for dir in ["corpus/captures", "corpus-app/captures"] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
            files.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()));
        }
    }
    files.sort();
    files
}

fn ours(file: &Path) -> Option<Vec<String>> {
    let out = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .arg("read")
        .arg(file)
        .args(["--fields", "frame.protocols"])
        .output()
        .expect("wirepeek runs");
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .skip(1)
            .map(str::to_string)
            .collect()
    })
}

fn theirs(file: &Path) -> Vec<String> {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(file)
        .args([
            // IP reassembly and TCP desegmentation on, as ours by
            // default (HTTP and DNS messages put together from segments);
            // TLS records one segment at a time, as the TLS decoder reads
            // them.
            "-o",
            "tls.desegment_ssl_records:FALSE",
            "-o",
            "tls.desegment_ssl_application_data:FALSE",
            "-T",
            "fields",
            "-e",
            "frame.protocols",
        ])
        .output()
        .expect("tshark runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn has(protocols: &str, proto: &str) -> bool {
    protocols.split(':').any(|p| p == proto)
}

#[test]
fn claimed_layers_are_present_exactly_when_tshark_has_them() {
    if common::corpus().is_none() {
        common::skip("corpus ../shared/corpus/captures not found");
        return;
    }
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let mut seen: BTreeMap<&str, usize> = CLAIMED.iter().map(|p| (*p, 0)).collect();
    let mut failures = Vec::new();
    let mut stale = Vec::new();
    let (mut files_read, mut frames) = (0, 0);
    for file in files() {
        let Some(ours) = ours(&file) else {
            continue;
        };
        files_read += 1;
        let theirs = theirs(&file);
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        for (n, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            frames += 1;
            for proto in CLAIMED {
                let (x, y) = (has(a, proto), has(b, proto));
                if x {
                    *seen.get_mut(proto).unwrap() += 1;
                }
                let listed = DIFFERENCES
                    .iter()
                    .any(|(f, fr, p, _)| *f == name && *fr == n + 1 && p == proto);
                if x == y && listed {
                    stale.push(format!("{name} frame {}: {proto} now agrees", n + 1));
                }
                if x != y && !listed {
                    failures.push(format!(
                        "{name} frame {}: {proto} {} ours ({a}) but {} tshark's ({b})",
                        n + 1,
                        if x { "in" } else { "not in" },
                        if y { "in" } else { "not in" },
                    ));
                }
            }
        }
    }
    println!("app_layers: {files_read} files, {frames} frames; frames per claimed layer: {seen:?}");
    // A listed difference that no longer differs is taken off the list.
    failures.extend(stale);
    for (proto, n) in &seen {
        if *n == 0 {
            failures.push(format!("{proto} is claimed but never decoded"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
