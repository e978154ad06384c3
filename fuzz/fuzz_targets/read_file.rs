//! The pcap and pcapng readers on arbitrary bytes: either a clean error or
//! frames until the end, never a panic, a hang or an unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};

fuzz_target!(|data: &[u8]| {
    let reader = Box::new(std::io::Cursor::new(data.to_vec()));
    let Ok(mut source) = FileSource::from_reader("fuzz", reader) else {
        return;
    };
    // Every frame consumes input, so a well-behaved reader delivers at most
    // one frame per byte; more than that means it is looping.
    let mut frames = 0usize;
    loop {
        match source.next_frame() {
            Ok(Next::Frame(f)) => {
                frames += 1;
                assert!(frames <= data.len(), "more frames than input bytes");
                assert_eq!(f.number, frames as u64);
                assert!(f.data.len() <= data.len(), "a frame longer than the file");
            }
            Ok(Next::Idle) => panic!("a file source never idles"),
            Ok(Next::End { .. }) | Err(_) => break,
        }
    }
    let _ = source.info();
});
