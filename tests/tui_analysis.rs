//! The packet list's `tcp.analysis` colours, checked against tshark: the
//! model is loaded as the TUI loads it, and for each flag (retransmission,
//! out of order, duplicate ACK, zero window) and for RST the frames the
//! model flags must be the frames `tshark -Y FLAG` lists; the list then
//! draws them in Wireshark's "Bad TCP" and "TCP RST" colours with its Info
//! prefix. Zero windows are in no corpus capture, so a capture of our own
//! (a handshake, then a receiver announcing window 0) is checked by the
//! same oracle. Skips without tshark (and the corpus for the corpus part).

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use wirepeek::app::flows::{Analysis, RESET};
use wirepeek::app::store::empty_frame;
use wirepeek::app::{App, Msg, SourceKind};
use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};
use wirepeek::decode::Dissection;
use wirepeek::tui::list::row_text;
use wirepeek::tui::theme;

const FLAGS: [(&str, u8); 5] = [
    ("tcp.analysis.retransmission", Analysis::RETRANSMISSION),
    ("tcp.analysis.out_of_order", Analysis::OUT_OF_ORDER),
    ("tcp.analysis.duplicate_ack", Analysis::DUPLICATE_ACK),
    ("tcp.analysis.zero_window", Analysis::ZERO_WINDOW),
    ("tcp.flags.reset == 1", RESET),
];

fn loaded(file: &Path) -> App {
    let mut app = App::new(
        SourceKind::File {
            path: file.display().to_string(),
        },
        None,
    );
    let mut source = FileSource::open(file.to_str().expect("utf-8 path")).expect("opens");
    let mut frames = Vec::new();
    while let Ok(Next::Frame(f)) = source.next_frame() {
        frames.push(f);
    }
    app.update(Msg::Frames(frames));
    app.update(Msg::SourceEnded { warning: None });
    app
}

fn tshark_frames(file: &Path, filter: &str) -> BTreeSet<u64> {
    common::tshark_shows(file, filter).into_iter().collect()
}

/// Compare every flag on `file`; returns how many flagged frames agreed.
fn check(file: &Path) -> usize {
    let app = loaded(file);
    let mut agreed = 0;
    for (filter, bit) in FLAGS {
        let ours: BTreeSet<u64> = (0..app.store.len())
            .filter(|&i| app.flows.analysis_of(i) & bit != 0)
            .filter_map(|i| app.store.number(i))
            .collect();
        let theirs = tshark_frames(file, filter);
        assert_eq!(ours, theirs, "{}: {filter}", file.display());
        agreed += ours.len();
    }
    // The list draws what it flags in Wireshark's colours, with its label.
    let mut frame = empty_frame();
    let mut d = Dissection::default();
    for pos in 0..app.list.len() {
        let i = app.list.shown[pos] as usize;
        let bits = app.flows.analysis_of(i);
        assert!(app.store.load_into(i, &mut frame));
        let row = row_text(&app, pos, &frame, &mut d);
        if bits & !RESET != 0 {
            assert_eq!(row.style, theme::BAD_TCP, "frame {}", frame.number);
            assert!(row.info.starts_with("[TCP "), "{}", row.info);
        } else if bits & RESET != 0 {
            assert_eq!(row.style, theme::TCP_RST, "frame {}", frame.number);
        } else {
            assert_ne!(row.style.bg, theme::BAD_TCP.bg, "frame {}", frame.number);
        }
    }
    agreed
}

#[test]
fn flagged_frames_are_the_ones_tshark_flags_in_corpus_captures() {
    let Some(dir) = common::corpus_and_tshark() else {
        return;
    };
    let mut agreed = 0;
    for name in [
        "many-protocols.pcap",
        "pptp.pcap",
        "qi_internet_SYNACK_curl_jsonip.pcap",
        "option-sack.pcap",
        "one_tcp_stream_fin_rst_close_packet.pcap",
        "gap-data-missing.pcapng",
    ] {
        let file = dir.join(name);
        if file.is_file() {
            agreed += check(&file);
        }
    }
    assert!(agreed >= 50, "only {agreed} flagged frames compared");
}

/// An IPv4 + TCP packet from 10.0.0.1:1000 to 10.0.0.2:80 (or back).
fn tcp(back: bool, seq: u32, ack: u32, flags: u8, window: u16, payload: &[u8]) -> Vec<u8> {
    let total = (40 + payload.len()) as u16;
    let (src, dst) = if back { (2, 1) } else { (1, 2) };
    let mut p = vec![0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 6, 0, 0];
    p[2..4].copy_from_slice(&total.to_be_bytes());
    p.extend_from_slice(&[10, 0, 0, src, 10, 0, 0, dst]);
    let (sport, dport) = if back { (80u16, 1000u16) } else { (1000, 80) };
    p.extend_from_slice(&sport.to_be_bytes());
    p.extend_from_slice(&dport.to_be_bytes());
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&ack.to_be_bytes());
    p.extend_from_slice(&[0x50, flags]);
    p.extend_from_slice(&window.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0, 0]);
    p.extend_from_slice(payload);
    p
}

#[test]
fn a_zero_window_is_flagged_where_tshark_flags_it() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    const SYN: u8 = 0x02;
    const ACK: u8 = 0x10;
    const PSH: u8 = 0x08;
    let packets = [
        tcp(false, 100, 0, SYN, 1000, &[]),
        tcp(true, 500, 101, SYN | ACK, 1000, &[]),
        tcp(false, 101, 501, ACK, 1000, &[]),
        tcp(false, 101, 501, PSH | ACK, 1000, b"0123456789"),
        // The server's buffer is full: window 0.
        tcp(true, 501, 111, ACK, 0, &[]),
        tcp(true, 501, 111, ACK, 1000, &[]),
    ];
    let file = common::raw_pcap("zero-window", &packets);
    let theirs = tshark_frames(&file, "tcp.analysis.zero_window");
    assert_eq!(theirs, BTreeSet::from([5]), "tshark's own reading");
    check(&file);
    let _ = std::fs::remove_file(&file);
}
