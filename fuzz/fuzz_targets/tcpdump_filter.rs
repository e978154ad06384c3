//! The tcpdump-expression parser on arbitrary text; an expression that parses
//! is run on a few real frames of every kind we ship captures of.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirepeek::filter::Filter;
use wirepeek_fuzz::LINKS;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(filter) = Filter::parse(Some(text), None) else {
        return;
    };
    for link in LINKS {
        let _ = filter.check_link(link);
    }
    for (frame, d) in wirepeek_fuzz::sample_frames() {
        let pass = filter.matches_frame(frame);
        assert_eq!(pass, filter.matches(frame, d));
    }
});
