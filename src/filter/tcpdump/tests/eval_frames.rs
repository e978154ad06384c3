//! Evaluation over literal frames: one IPv4 TCP SYN (10.0.0.1:12345 →
//! 10.0.0.2:80) wrapped in every link layer the evaluator knows, and the
//! verdicts libpcap's generated BPF code gives for each.

use super::super::TcpdumpFilter;
use crate::frame::{FrameRecord, LinkType, TsPrecision};

/// The IPv4 packet every frame carries.
const IP_TCP: [u8; 40] = [
    0x45, 0x00, 0x00, 0x28, // version 4, header length 5 words; total length 40
    0x00, 0x01, 0x40, 0x00, // id 1; don't fragment, fragment offset 0
    0x40, 0x06, 0x00, 0x00, // TTL 64, protocol 6 (TCP); checksum (not checked)
    10, 0, 0, 1, // source 10.0.0.1
    10, 0, 0, 2, // destination 10.0.0.2
    0x30, 0x39, 0x00, 0x50, // TCP: source port 12345, destination port 80
    0, 0, 0, 1, // sequence number 1
    0, 0, 0, 0, // acknowledgement 0
    0x50, 0x02, 0xff, 0xff, // data offset 5 words, flags SYN; window 65535
    0x00, 0x00, 0x00, 0x00, // checksum, urgent pointer
];

const DST_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];
const SRC_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];

fn frame(link: LinkType, header: &[u8]) -> FrameRecord {
    let mut data = header.to_vec();
    data.extend_from_slice(&IP_TCP);
    FrameRecord {
        number: 1,
        ts: None,
        precision: TsPrecision::Micro,
        link,
        orig_len: data.len() as u32,
        iface: 0,
        data,
    }
}

fn ethernet() -> FrameRecord {
    let mut h = [DST_MAC, SRC_MAC].concat();
    h.extend_from_slice(&[0x08, 0x00]); // EtherType IPv4
    frame(LinkType::ETHERNET, &h)
}

fn vlan() -> FrameRecord {
    let mut h = [DST_MAC, SRC_MAC].concat();
    h.extend_from_slice(&[0x81, 0x00]); // EtherType 802.1Q
    h.extend_from_slice(&[0x00, 0x76]); // priority 0, VLAN 118
    h.extend_from_slice(&[0x08, 0x00]); // inner EtherType IPv4
    frame(LinkType::ETHERNET, &h)
}

fn sll() -> FrameRecord {
    let h = [
        0x00, 0x00, // packet type: to us
        0x00, 0x01, // ARPHRD_ETHER
        0x00, 0x06, // address length 6
        0x02, 0, 0, 0, 0, 0x01, 0, 0, // address, padded to 8
        0x08, 0x00, // protocol IPv4
    ];
    frame(LinkType::LINUX_SLL, &h)
}

fn sll2() -> FrameRecord {
    let h = [
        0x08, 0x00, // protocol IPv4
        0x00, 0x00, // reserved
        0x00, 0x00, 0x00, 0x02, // interface index 2
        0x00, 0x01, // ARPHRD_ETHER
        0x00, // packet type: to us
        0x06, // address length 6
        0x02, 0, 0, 0, 0, 0x01, 0, 0x5a, // address, padded to 8 (last byte 0x5a)
    ];
    frame(LinkType::LINUX_SLL2, &h)
}

fn raw() -> FrameRecord {
    frame(LinkType::RAW, &[])
}

/// BSD loopback: the address family in the capturing host's byte order.
fn null() -> FrameRecord {
    frame(LinkType::NULL, &2u32.to_ne_bytes()) // AF_INET
}

/// OpenBSD loopback: the address family in network byte order.
fn lo0p() -> FrameRecord {
    frame(LinkType::LOOP, &[0, 0, 0, 2]) // AF_INET
}

/// Verdicts that hold on every link type.
const EVERYWHERE: &[(&str, bool)] = &[
    ("ip", true),
    ("ip6", false),
    ("tcp", true),
    ("udp", false),
    ("not udp", true),
    ("tcp dst port 80", true),
    ("src port 80", false),
    ("port 12345 and port 80", true),
    ("portrange 1-100", true),
    ("host 10.0.0.1", true),
    ("src host 10.0.0.2", false),
    ("src 10.0.0.1 and dst 10.0.0.2", true),
    ("net 10.0.0.0/8", true),
    ("net 192.168", false),
    ("ip[9] = 6", true),
    ("ip[0] & 0xf = 5", true),
    ("tcp[tcpflags] & tcp-syn != 0", true),
    ("tcp[tcpflags] == tcp-syn|tcp-ack", false),
    ("tcp[2:2] = 80", true),
    ("tcp[0:4] = 0x30390050", true),
    // A computed index is not folded: 0 - 1 as X does not wrap back.
    ("ip[ip[1] - 1] = 0", false),
    ("tcp or udp and icmp", false),
    ("udp and icmp or tcp", true),
    ("less 100", true),
    ("greater 100", false),
    // ip[1] is 0: the run-time division by zero rejects the packet, even
    // under `not`.
    ("ip[0] / ip[1] = 0", false),
    ("not ip[0] / ip[1] = 0", false),
    ("ip[0] << ip[9] = 0x1140", true),
    // A shift by 32 or more (ip[3] is 40) gives 0, as libpcap's bpf_filter.
    ("ip[0] >> ip[3] = 0", true),
];

/// tcp[-1] wraps to the byte before the TCP header, the last of the
/// destination address, wherever the IP header is not at offset 0.
const WRAP: (&str, bool) = ("tcp[-1] = 2", true);

/// The frames, each with verdicts of its own link layer, and whether
/// `EVERYWHERE` applies (not behind a VLAN tag, which needs `vlan` first).
type Case = (&'static str, FrameRecord, bool, Vec<(&'static str, bool)>);

fn cases() -> Vec<Case> {
    vec![
        (
            "Ethernet",
            ethernet(),
            true,
            vec![
                WRAP,
                ("ether[12:2] = 0x0800", true),
                ("ether src 02:00:00:00:00:01", true),
                ("ether dst 02:00:00:00:00:01", false),
                ("ether broadcast", false),
                ("vlan", false),
                ("len = 54", true),
                ("ip[-1] = 0", true), // the low byte of EtherType 0x0800
            ],
        ),
        (
            "VLAN",
            vlan(),
            false,
            vec![
                ("vlan", true),
                ("vlan 118", true),
                ("vlan 119", false),
                ("ip", false), // before `vlan`, the outer EtherType counts
                ("vlan and ip", true),
                ("vlan and tcp port 80", true),
                ("vlan and host 10.0.0.2", true),
                ("vlan and ip[-1] = 0", true),
                ("vlan and tcp[tcpflags] & tcp-syn != 0", true),
            ],
        ),
        (
            "SLL",
            sll(),
            true,
            vec![WRAP, ("ip[-1] = 0", true), ("vlan", false)],
        ),
        ("SLL2", sll2(), true, vec![WRAP, ("ip[-1] = 0x5a", true)]),
        (
            "raw IP",
            raw(),
            true,
            // ip[-1] and tcp[-1] load at offset 0xffffffff: past the
            // packet, which is rejected, `not` or no `not`.
            vec![
                ("ip[-1] = 0", false),
                ("not ip[-1] = 0", false),
                ("tcp[-1] = 2", false),
            ],
        ),
        (
            "NULL",
            null(),
            true,
            vec![
                WRAP,
                (
                    if cfg!(target_endian = "little") {
                        "ip[-1] = 0"
                    } else {
                        "ip[-1] = 2"
                    },
                    true,
                ),
            ],
        ),
        (
            "LOOP",
            lo0p(),
            true,
            vec![WRAP, ("ip[-1] = 2", true), ("ip6", false)],
        ),
    ]
}

#[test]
fn literal_frames_of_every_link_type_get_libpcaps_verdicts() {
    let mut wrong = Vec::new();
    for (name, frame, everywhere, own) in cases() {
        let common = EVERYWHERE.iter().copied().filter(|_| everywhere);
        for (expr, want) in common.chain(own) {
            let f = TcpdumpFilter::parse(expr).unwrap_or_else(|e| panic!("`{expr}`: {e}"));
            if f.matches(&frame) != want {
                wrong.push(format!("{name}: `{expr}` should be {want}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn link_checks_refuse_what_tcpdump_refuses() {
    let vlan = TcpdumpFilter::parse("vlan").expect("parses");
    assert!(vlan.check_link(LinkType::ETHERNET).is_ok());
    let e = vlan
        .check_link(LinkType::RAW)
        .expect_err("no VLAN on raw IP");
    assert!(
        e.message.starts_with("VLAN is not supported"),
        "{}",
        e.message
    );
    let arp = TcpdumpFilter::parse("arp").expect("parses");
    let e = arp.check_link(LinkType::NULL).expect_err("no ARP on NULL");
    assert!(e.message.contains("rejects all packets"), "{}", e.message);
    let either = TcpdumpFilter::parse("arp or tcp").expect("parses");
    assert!(either.check_link(LinkType::NULL).is_ok());
}

/// Parse and evaluate on a thread with a 2 MiB stack, as a spawned thread
/// gets by default.
fn on_small_stack(expr: String, frame: FrameRecord) -> bool {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let f = TcpdumpFilter::parse(&expr).expect("parses");
            let verdict = f.matches(&frame);
            drop(f.clone());
            verdict
        })
        .expect("thread starts")
        .join()
        .expect("no stack overflow")
}

#[test]
fn the_deepest_allowed_expression_runs_on_a_2_mib_stack() {
    let parens = format!("{}tcp{}", "(".repeat(256), ")".repeat(256));
    assert!(on_small_stack(parens, ethernet()));
    let nots = format!("{}tcp", "not ".repeat(256));
    assert!(on_small_stack(nots, ethernet()));
    let arith = format!("ip[{}9{}] = 6", "(".repeat(256), ")".repeat(256));
    assert!(on_small_stack(arith, ethernet()));
    let negs = format!("ip[9] = {}6", "- ".repeat(256));
    assert!(on_small_stack(negs, ethernet()));
}

#[test]
fn long_flat_runs_run_on_a_2_mib_stack() {
    let ors = vec!["udp"; 20_000].join(" or ") + " or tcp";
    assert!(!on_small_stack(ors, vlan()));
    let ors = vec!["udp"; 20_000].join(" or ") + " or tcp";
    assert!(on_small_stack(ors, ethernet()));
    let sum = format!("ip[0]{} = 69", " + 0".repeat(20_000));
    assert!(on_small_stack(sum, ethernet()));
}
