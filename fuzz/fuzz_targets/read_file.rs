//! The pcap and pcapng readers on arbitrary bytes: either a clean error or
//! frames until the end, never a panic, a hang or an unbounded allocation.
//! A file with problems is read a second time taking the warnings after
//! every frame (`FileSource::take_warnings`, as `read` does); both ways must
//! deliver the same frames and the same warnings, none lost or repeated.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};

/// Warnings the reader names before it only counts them (`MAX_WARNINGS`).
const NAMED: usize = 100;

/// What one pass over the file delivered.
#[derive(Debug, PartialEq)]
struct Pass {
    /// Each frame's number, captured and original length, link type.
    frames: Vec<(u64, usize, u32, u32)>,
    /// Every warning line, in order, however it was handed over.
    warnings: Vec<String>,
}

/// Read the whole file; `take` takes the warnings after every frame.
fn read(data: &[u8], take: bool) -> Option<Pass> {
    let reader = Box::new(std::io::Cursor::new(data.to_vec()));
    let mut source = FileSource::from_reader("fuzz", reader).ok()?;
    let mut pass = Pass {
        frames: Vec::new(),
        warnings: Vec::new(),
    };
    loop {
        match source.next_frame() {
            Ok(Next::Frame(f)) => {
                // Every frame consumes input, so a well-behaved reader
                // delivers at most one frame per byte; more means a loop.
                assert!(
                    pass.frames.len() < data.len(),
                    "more frames than input bytes"
                );
                assert_eq!(f.number, pass.frames.len() as u64 + 1);
                assert!(f.data.len() <= data.len(), "a frame longer than the file");
                pass.frames
                    .push((f.number, f.data.len(), f.orig_len, f.link.0));
                if take {
                    pass.warnings.extend(source.take_warnings());
                }
            }
            Ok(Next::Idle) => panic!("a file source never idles"),
            Ok(Next::End { warning }) => {
                if let Some(w) = warning {
                    pass.warnings
                        .extend(w.split("\nwirepeek: warning: ").map(String::from));
                }
                break;
            }
            Err(e) => panic!("a read error from memory: {e}"),
        }
    }
    // Done is done: no more frames, no warning handed over twice.
    assert!(matches!(
        source.next_frame(),
        Ok(Next::End { warning: None })
    ));
    assert!(
        source.take_warnings().is_empty(),
        "warnings left after the end"
    );
    let _ = source.info();
    for w in &pass.warnings {
        assert!(
            w.starts_with("fuzz: "),
            "a warning that does not name the file: {w}"
        );
    }
    Some(pass)
}

fuzz_target!(|data: &[u8]| {
    let Some(whole) = read(data, false) else {
        return;
    };
    // Past the named warnings the two ways count differently; below, they
    // must agree line for line.
    if !whole.warnings.is_empty() && whole.warnings.len() <= NAMED {
        let taken = read(data, true).expect("the file opened the first time");
        assert_eq!(
            whole, taken,
            "warnings taken as they come differ from those at the end"
        );
    }
});
