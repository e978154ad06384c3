//! Inputs the fuzzers (`fuzz/`, see README "Robustness") found that crashed,
//! hung or exhausted memory, each pinned as the bytes that did it. Every test
//! is named after what it found.

use std::sync::mpsc;
use std::time::Duration;

use wirepeek::filter::Filter;

/// Run `f` on another thread and fail if it takes longer than a few seconds:
/// these inputs used to loop forever.
fn finishes<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(5))
        .expect("did not finish within 5 seconds: an endless loop")
}

/// `tcpdump_filter` found `vl:::::::::::::::: a` (minimised: `:::`): a run of
/// colons that is no IPv6 address was cut to an empty word at its first colon,
/// so the lexer pushed empty words forever without moving, eating memory.
#[test]
fn regression_fuzz_tcpdump_colon_run_lexer_loop() {
    for text in [":::", "vl:::::::::::::::: a", "host :::1", "\\:::"] {
        let result = finishes(move || Filter::parse(Some(text), None).map(|_| ()));
        assert!(result.is_err(), "{text:?} should be a syntax error");
    }
    // The colons that do belong to a word still parse.
    for text in ["host ::1", "ether host 00:11:22:33:44:55", "tcp[2:2] = 80"] {
        let result = finishes(move || Filter::parse(Some(text), None).map(|_| ()));
        assert!(result.is_ok(), "{text:?}: {result:?}");
    }
}
