//! `F`'s bytes, checked against tshark: for every TCP conversation of a few
//! corpus captures, the model is loaded as the TUI loads it, `F` is pressed
//! on a packet of the conversation, the follow job runs to the end, and the
//! pieces it handed over (side and bytes, in order) must be the chunks
//! `tshark -q -z follow,tcp,raw,N` prints. Skips without tshark or the
//! corpus.

mod common;

use std::path::Path;
use std::process::Command;

use wirepeek::app::{App, Effect, Input, Key, Msg, SourceKind, Tab};
use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};
use wirepeek::tui::follow::Job;

/// tshark's chunks of stream `n`: (side, bytes), node 1's lines indented.
fn tshark_chunks(file: &Path, n: u32) -> Vec<(u8, Vec<u8>)> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args(["-q", "-z", &format!("follow,tcp,raw,{n}")])
        .output()
        .expect("tshark runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut chunks = Vec::new();
    let mut body = false;
    for line in text.lines() {
        if line.starts_with("Node 1:") {
            body = true;
            continue;
        }
        if !body || line.starts_with("====") || line.is_empty() {
            continue;
        }
        let side = u8::from(line.starts_with('\t'));
        let hex = line.trim();
        let bytes = (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("tshark hex"))
            .collect();
        chunks.push((side, bytes));
    }
    chunks
}

/// Each TCP stream's first frame number, from tshark.
fn streams(file: &Path) -> Vec<(u32, u64)> {
    let out = common::tshark_fields(file, &["tcp.stream", "frame.number"])
        .args(["-Y", "tcp"])
        .output()
        .expect("tshark runs");
    let mut seen: Vec<(u32, u64)> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut it = line.split('\t');
        let (Some(s), Some(f)) = (it.next(), it.next()) else {
            continue;
        };
        let (Ok(s), Ok(f)) = (s.parse(), f.parse()) else {
            continue;
        };
        if !seen.iter().any(|(x, _)| *x == s) {
            seen.push((s, f));
        }
    }
    seen
}

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

#[test]
fn f_hands_the_view_the_chunks_tshark_follow_prints_for_every_tcp_stream() {
    let Some(dir) = common::corpus_and_tshark() else {
        return;
    };
    let mut checked = 0;
    for name in [
        "four_ipv6_http_streams.pcap",
        "one_tcp_stream_fin_rst_close_packet.pcap",
        "qi_internet_SYNACK_curl_jsonip.pcap",
    ] {
        let file = dir.join(name);
        if !file.is_file() {
            continue;
        }
        let mut app = loaded(&file);
        for (stream, first) in streams(&file) {
            app.go_to_number(first);
            app.tab = Tab::Packets;
            let effect = app.update(Msg::Input(Input::Key(Key::Char('F'))));
            let Some(Effect::Follow { job, frames }) = effect else {
                panic!("{name}: F on frame {first} started no follow: {effect:?}");
            };
            Job::new(job, frames).run(&mut app);
            let view = app.follow.as_ref().expect("the Follow tab's stream");
            assert!(view.done, "{name} stream {stream}: the job did not finish");
            let ours: Vec<(u8, Vec<u8>)> = view
                .chunks
                .iter()
                .filter(|c| c.missing.is_none())
                .map(|c| (c.side, c.bytes.clone()))
                .collect();
            let theirs = tshark_chunks(&file, stream);
            assert_eq!(
                ours.len(),
                theirs.len(),
                "{name} stream {stream}: chunk count"
            );
            for (k, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                assert_eq!(a, b, "{name} stream {stream}: chunk {k}");
            }
            assert!(
                view.title.contains(&format!("tcp stream {stream} ")),
                "{name}: {}",
                view.title
            );
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} streams were checked");
}
