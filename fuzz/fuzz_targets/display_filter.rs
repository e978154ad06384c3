//! The Wireshark display-filter parser on arbitrary text; a filter that
//! parses is run on a few real frames of every kind we ship captures of.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirepeek::filter::Filter;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(filter) = Filter::parse(None, Some(text)) else {
        return;
    };
    for (frame, d) in wirepeek_fuzz::sample_frames() {
        // No tcpdump expression: every frame passes that part.
        assert!(filter.matches_frame(frame));
        let _ = filter.matches(frame, d);
    }
});
