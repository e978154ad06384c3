//! The TUI's Info cell of every frame whose tshark Protocol column is
//! `TCP`, in every capture of `../shared/corpus` and
//! `../shared/corpus-app`, against tshark's `_ws.col.Info` (one pass, TCP
//! sequence analysis on). The rows are made as the list draws them
//! (`tui::list::row_text` over the model loaded from the file), so the
//! relative numbers, the window scale and the analysis prefix are the
//! model's. A cell that differs is put down to causes found mechanically
//! (each names what had to be taken off both cells before they agree);
//! each (file, causes) must be listed in `EXCEPTIONS` with its reason, and
//! a listed line no cell needs fails the test. Skips without tshark or
//! without a corpus.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use wirepeek::app::store::empty_frame;
use wirepeek::decode::Dissection;
use wirepeek::tui::list::row_text;

/// (file, causes, why): cells of `file` whose difference is exactly
/// `causes` (as `causes` names them, joined by `+`).
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("chrome-34-google.pcap", "reassembly mark", REASSEMBLY_MARK),
    ("ecdhe.pcap", "reassembly mark", REASSEMBLY_MARK),
    (
        "gap-data-missing.pcapng",
        "reassembly mark",
        REASSEMBLY_MARK,
    ),
    (
        "ipv6-http-atomic-frag.pcap",
        "analysis label",
        ANALYSIS_LABEL,
    ),
    (
        "ipv6-http-atomic-frag.pcap",
        "our Protocol is HTTP: Continuation",
        HTTP_CONTINUATION,
    ),
    (
        "many-protocols.pcap",
        "application words on a held segment",
        HTTP_WORDS_ON_A_HELD_SEGMENT,
    ),
    (
        "many-protocols.pcap",
        "our Protocol is HTTP on a retransmission",
        HTTP_ON_A_RETRANSMISSION,
    ),
    (
        "many-protocols.pcap",
        "our Protocol is HTTP: Continuation",
        HTTP_CONTINUATION,
    ),
    ("many-protocols.pcap", "our Protocol is TLS", TLS),
    (
        "many-protocols.pcap",
        "reassembly error",
        WHY_REASSEMBLY_ERROR,
    ),
    ("many-protocols.pcap", "reassembly mark", REASSEMBLY_MARK),
    (
        "one_tcp_stream_fin_rst_close_packet.pcap",
        "reassembly mark",
        REASSEMBLY_MARK,
    ),
    (
        "pcapng-example.pcapng",
        "our Protocol is HTTP: Continuation",
        HTTP_CONTINUATION,
    ),
    (
        "sll.pcap",
        "application words on a held segment",
        HTTP_WORDS_ON_A_HELD_SEGMENT,
    ),
    (
        "test_loopback.pcap",
        "application words on a held segment",
        HTTP_WORDS_ON_A_HELD_SEGMENT,
    ),
];

/// Why cells of this cause differ.
const HTTP_WORDS_ON_A_HELD_SEGMENT: &str = "tshark words the start line of an HTTP message on every segment while it asks for one more at a time (a chunked body, headers not ended yet); we word it on the segment that starts the message, and keep TCP's words and the mark on the segments that continue it";
/// Why cells of this cause differ.
const HTTP_CONTINUATION: &str = "a segment on an HTTP port that tshark's HTTP takes into no message (it starts none and continues none tshark holds); to us, as to `read`, it is HTTP `Continuation`";
/// Why cells of this cause differ.
const TLS: &str = "a TLS record across segments that our reassembly (as `read`'s) does not hold where tshark does: TLS words (`Ignored Unknown Record`) or TCP's without the mark, where tshark marks the segment";
/// Why cells of this cause differ.
const HTTP_ON_A_RETRANSMISSION: &str = "a fast retransmission that tshark's reassembly takes into the HTTP message it holds; our reassembly leaves a retransmission out, so it is HTTP `Continuation` to us";
/// Why cells of this cause differ.
const REASSEMBLY_MARK: &str = "a segment tshark holds for a PDU (a TLS record, LDAP, MySQL) that our decoders take whole or do not hold: no ` [TCP segment of a reassembled PDU]`";
/// Why cells of this cause differ.
const WHY_REASSEMBLY_ERROR: &str = "tshark's reassembly complains that a keep-alive's byte differs from the one it already holds; ours takes the byte as a retransmission, silently";
/// Why cells of this cause differ.
const ANALYSIS_LABEL: &str =
    "`[TCP ACKed unseen segment]` is not among the flow analysis's verdicts";

/// What tshark appends to a segment whose payload it holds for a PDU
/// reassembled later.
const PDU_MARK: &str = wirepeek::decode::summary::columns::PDU_MARK;

/// What tshark appends when a segment's bytes differ from what its
/// reassembly already holds for them.
const REASSEMBLY_ERROR: &str = "[Reassembly error, protocol TCP: ";

/// `text` without its leading `[TCP …] ` analysis labels, and the labels.
fn split_prefix(text: &str) -> (&str, &str) {
    let mut rest = text;
    while rest.starts_with("[TCP ") {
        match rest.find("] ") {
            Some(i) => rest = &rest[i + 2..],
            None => break,
        }
    }
    (&text[..text.len() - rest.len()], rest)
}

/// The causes that take `ours` to `theirs`, or None when taking them off
/// does not make the cells agree.
fn causes(ours: &str, theirs: &str) -> Option<String> {
    let mut found = Vec::new();
    let (mut ours, mut theirs) = (ours.to_string(), theirs.to_string());
    // tshark's reassembly complaining about the byte a keep-alive repeats.
    if let Some(at) = theirs.find(REASSEMBLY_ERROR) {
        found.push("reassembly error");
        theirs.truncate(at);
    }
    if let Some(rest) = theirs.strip_suffix(PDU_MARK) {
        let rest = rest.to_string();
        // Ports first: our TCP words; anything else: an application's
        // words over a segment tshark holds for reassembly.
        let tcp_words = split_prefix(&rest).1.contains(" → ");
        if tcp_words {
            found.push("reassembly mark");
            theirs = rest;
        } else {
            found.push("application words on a held segment");
            return Some(found.join("+"));
        }
    }
    let (op, orest) = split_prefix(&ours);
    let (tp, trest) = split_prefix(&theirs);
    if op != tp {
        found.push("analysis label");
        let (orest, trest) = (orest.to_string(), trest.to_string());
        ours = orest;
        theirs = trest;
    }
    (ours == theirs).then(|| found.join("+"))
}

#[derive(Default)]
struct Tally {
    files: usize,
    frames: usize,
    equal: usize,
    excused: usize,
    used: BTreeMap<usize, usize>,
    bad: Vec<String>,
}

fn compare(file: &Path, t: &mut Tally) {
    let b = match common::beside_tshark(file, |c| c.protocol == "TCP") {
        None => return,
        Some(Err(e)) => return t.bad.push(e),
        Some(Ok(b)) => b,
    };
    let (name, app) = (&b.name, &b.app);
    t.files += 1;
    let mut frame = empty_frame();
    let mut d = Dissection::default();
    for (pos, want) in b.theirs.iter().enumerate() {
        if want.protocol != "TCP" {
            ours_only(app, pos, name, want, t);
            continue;
        }
        t.frames += 1;
        let row = b.row(pos, &mut frame, &mut d);
        if row.info == want.info {
            t.equal += 1;
            continue;
        }
        // A segment the decoder gives to an application protocol (an HTTP
        // body's continuation, a TLS record) that tshark holds as TCP: the
        // Protocol column differs first.
        let why = if row.proto != want.protocol {
            let what = if want.info.contains("Retransmission] ") {
                " on a retransmission"
            } else if split_prefix(&row.info).1 == "Continuation" {
                ": Continuation"
            } else if want.info == format!("{}{PDU_MARK}", row.info) {
                ": a PDU's first segment"
            } else {
                ""
            };
            Some(format!("our Protocol is {}{what}", row.proto))
        } else {
            causes(&row.info, &want.info)
        };
        let listed = why.as_ref().and_then(|c| {
            EXCEPTIONS
                .iter()
                .position(|(f, cause, _)| *f == name && cause == c)
        });
        match listed {
            Some(e) => {
                t.excused += 1;
                *t.used.entry(e).or_default() += 1;
            }
            None => t.bad.push(format!(
                "{name} frame {} ({}): ours {:?}, tshark {:?}",
                frame.number,
                why.as_deref().unwrap_or("no cause found"),
                row.info,
                want.info
            )),
        }
    }
}

/// A segment whose columns the model makes TCP's (a retransmission or an
/// out-of-order segment, `FlowList::held_back`) must be one tshark calls
/// TCP too.
fn ours_only(
    app: &wirepeek::app::App,
    pos: usize,
    name: &str,
    want: &common::TsharkColumns,
    t: &mut Tally,
) {
    let mut frame = empty_frame();
    let mut d = Dissection::default();
    let index = app.list.shown[pos] as usize;
    if !app.flows.held_back(index) || !app.store.load_into(index, &mut frame) {
        return;
    }
    let row = row_text(app, index, &frame, &mut d);
    if row.proto == "TCP" {
        t.bad.push(format!(
            "{name} frame {}: held back as TCP {:?}, tshark {} {:?}",
            frame.number, row.info, want.protocol, want.info
        ));
    }
}

#[test]
fn tcp_info_cells_match_tshark_on_every_tcp_frame_of_both_corpora() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let files = common::corpus_files();
    if files.is_empty() {
        common::skip("neither ../shared/corpus nor ../shared/corpus-app is here");
        return;
    }
    let mut t = Tally::default();
    for file in &files {
        compare(file, &mut t);
    }
    eprintln!(
        "{} files, {} TCP frames, {} Info cells equal, {} listed by cause",
        t.files, t.frames, t.equal, t.excused
    );
    common::settle_exceptions(
        EXCEPTIONS
            .iter()
            .map(|(file, cause, why)| format!("{file} ({cause}): {why}")),
        &t.used,
        std::mem::take(&mut t.bad),
    );
}
