//! TCP PDUs held in the capture file by offset (`frame::Recall`), read back
//! when they complete, against the same PDUs held by copy: every frame of
//! the bundled HTTP/1.0 capture and of every corpus capture decodes to the
//! same dissection either way, and the file way did hold PDUs by offset
//! (its count of recalled bytes is not zero). A file cut while a PDU waits
//! costs that PDU, counted, and nothing else.

mod common;

use std::path::{Path, PathBuf};

use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};
use wirepeek::decode::{Detail, Dissection};
use wirepeek::frame::FrameRecord;
use wirepeek::pipeline::{Reassembler, Reassembly, decode_frame};
use wirepeek::stream::tcp_pdu::PduStats;

/// Frames with the file offset of their bytes.
type Placed = Vec<(FrameRecord, Option<u64>)>;

/// Every frame of `path` with the file offset of its bytes; `None` for a
/// file that is not a capture (the corpus has a few on purpose).
fn frames(path: &Path) -> Option<(FileSource, Placed)> {
    let mut source = FileSource::open(path.to_str()?).ok()?;
    let mut frames = Vec::new();
    while let Ok(Next::Frame(frame)) = source.next_frame() {
        frames.push((frame, source.data_offset()));
    }
    Some((source, frames))
}

/// The frames decoded in order through one reassembler: by offset into
/// `recall`'s file, or by copy when `by_offset` is false.
fn decode_all(source: &FileSource, frames: &Placed, by_offset: bool) -> (Vec<String>, PduStats) {
    let mut r = Reassembler::new(Reassembly::default());
    if by_offset {
        r.recall_from(source.recall());
    }
    let mut out = Vec::with_capacity(frames.len());
    for (frame, at) in frames {
        let mut d = Dissection::default();
        r.frame_at(at.filter(|_| by_offset));
        decode_frame(frame, Detail::Fields, &mut d, &mut r);
        out.push(format!("{:?} {:?} {:?}", d.layers, d.fields, d.notes));
    }
    (out, r.tcp.expect("reassembly is on").stats)
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/http10-body-to-fin.pcap")
}

#[test]
fn a_pdu_held_in_the_file_decodes_as_one_held_by_copy() {
    let (source, frames) = frames(&fixture()).expect("the fixture opens");
    assert!(frames.len() > 3 && frames.iter().all(|(_, at)| at.is_some()));
    let (copied, by_copy) = decode_all(&source, &frames, false);
    let (recalled, by_file) = decode_all(&source, &frames, true);
    assert_eq!(copied, recalled);
    assert!(by_copy.copied > 0 && by_copy.recalled == 0, "{by_copy:?}");
    assert!(
        by_file.recalled > 0,
        "the body was held by offset: {by_file:?}"
    );
    assert_eq!(by_file.copied, 0, "{by_file:?}");
    assert_eq!(by_copy.completed, by_file.completed);
    assert_eq!(by_file.unreadable, 0);
}

#[test]
fn every_corpus_capture_decodes_alike_held_by_offset_or_by_copy() {
    let Some(dir) = common::corpus() else {
        common::skip("corpus ../shared/corpus/captures not found");
        return;
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("reads the corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus-app/captures");
    if let Ok(entries) = std::fs::read_dir(app) {
        paths.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
    }
    paths.retain(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"));
    paths.sort();
    let (mut files, mut frames_seen, mut recalled, mut completed) = (0, 0, 0, 0);
    for path in &paths {
        let Some((source, frames)) = frames(path) else {
            continue;
        };
        let (copied, by_copy) = decode_all(&source, &frames, false);
        let (by_offset, by_file) = decode_all(&source, &frames, true);
        for (i, (a, b)) in copied.iter().zip(&by_offset).enumerate() {
            assert_eq!(a, b, "{} frame {}", path.display(), i + 1);
        }
        assert_eq!(by_copy.completed, by_file.completed, "{}", path.display());
        assert_eq!(by_file.unreadable, 0, "{}", path.display());
        files += 1;
        frames_seen += frames.len();
        recalled += by_file.recalled;
        completed += by_file.completed;
    }
    eprintln!(
        "{files} files, {frames_seen} frames alike; {completed} PDUs completed, {recalled} bytes read back"
    );
    assert!(files > 20 && recalled > 0 && completed > 0);
}

#[test]
fn a_file_cut_while_a_pdu_waits_costs_that_pdu_counted() {
    let dir = std::env::temp_dir().join(format!("wirepeek-recall-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let copy = dir.join("cut.pcap");
    std::fs::copy(fixture(), &copy).expect("copies the fixture");
    let (source, frames) = frames(&copy).expect("the copy opens");
    // The file is cut back to its header before the frames are decoded: the
    // body held by offset cannot be read back when its last segment comes.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&copy)
        .and_then(|f| f.set_len(24))
        .expect("cuts the file");
    let (cut, stats) = decode_all(&source, &frames, true);
    let (whole, _) = decode_all(&source, &frames, false);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(stats.unreadable, 1, "{stats:?}");
    assert_eq!(stats.completed, 0);
    assert_eq!(cut.len(), whole.len(), "every frame is still decoded");
    let differ = cut.iter().zip(&whole).filter(|(a, b)| a != b).count();
    assert_eq!(
        differ, 1,
        "only the frame that would complete the body differs"
    );
}
