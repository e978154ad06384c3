//! The source thread indexes frames where they lie in the file and the
//! store reads them back by offset: checked against the reader's own copy
//! of each frame, for pcap and for a pcapng whose second interface is
//! described between packets.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::*;
use crate::capture::save::{CaptureWriter, SaveFormat, SavedInterface};
use crate::frame::LinkType;

/// Load `path` through the TUI's source thread into a fresh app.
pub(super) fn load(path: &str) -> App {
    let spec = super::super::SourceSpec::File { path: path.into() };
    let (tx, rx) = std::sync::mpsc::sync_channel(64);
    super::super::source::start(
        &spec,
        tx,
        Arc::new(AtomicBool::new(false)),
        Arc::new(super::super::source::Drops::default()),
    )
    .expect("the capture opens");
    let mut app = App::new(spec.kind(), None);
    for event in rx {
        if let super::super::Event::App(msg) = event {
            let end = matches!(msg, Msg::SourceEnded { .. } | Msg::SourceFailed(_));
            app.update(msg);
            if end {
                break;
            }
        }
    }
    app
}

/// Every frame as the file reader delivers it.
fn read_all(path: &str) -> Vec<FrameRecord> {
    let mut source = FileSource::open(path).expect("opens");
    let mut frames = Vec::new();
    while let Ok(Next::Frame(f)) = source.next_frame() {
        frames.push(f);
    }
    frames
}

fn assert_same(app: &App, want: &[FrameRecord]) {
    assert!(app.store.file_backed());
    assert_eq!(app.store.len(), want.len());
    for (i, w) in want.iter().enumerate().rev() {
        let got = app.store.frame(i).expect("reads back");
        assert_eq!(got.data, w.data, "frame {}", w.number);
        assert_eq!(
            (got.number, got.ts, got.orig_len, got.link, got.iface),
            (w.number, w.ts, w.orig_len, w.link, w.iface)
        );
    }
}

#[test]
fn a_pcap_file_is_read_back_by_offset_frame_for_frame() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp6.pcap");
    let app = load(path);
    let want = read_all(path);
    assert!(want.len() > 5);
    assert_same(&app, &want);
    // Only the read-ahead window holds bytes.
    assert!(app.store.allocated() < 1 << 21);
}

#[test]
fn a_pcapng_with_an_interface_described_between_packets_is_read_back_by_offset() {
    let dir = std::env::temp_dir().join(format!("wirepeek-tui-ng-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("two-interfaces.pcapng");
    let path = path.to_str().expect("utf-8").to_string();
    let mut frames = echo_frames();
    // Odd lengths (padding), and from the fourth frame on a second
    // interface of another link type whose description comes mid-file.
    for (n, f) in frames.iter_mut().enumerate() {
        f.data.truncate(f.data.len() - n % 4);
        if n >= 3 && n % 2 == 1 {
            f.iface = 1;
            f.link = LinkType::RAW;
        }
    }
    let first = [SavedInterface {
        iface: 0,
        link: LinkType::ETHERNET,
        name: None,
    }];
    let file = std::fs::File::create(&path).expect("create");
    let mut w = CaptureWriter::create(Box::new(file), &path, SaveFormat::PcapNg, 0, &first)
        .expect("writer");
    for f in &frames {
        w.write(f).expect("write");
    }
    w.finish().expect("finish");
    let want = read_all(&path);
    assert_eq!(want.len(), frames.len());
    assert!(want.iter().any(|f| f.link == LinkType::RAW));
    let app = load(&path);
    assert_same(&app, &want);
    let _ = std::fs::remove_dir_all(&dir);
}
