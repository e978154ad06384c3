//! `wirepeek tui` refusing what it cannot do, before it touches the
//! terminal: a plain one-line message and the usual exit codes.

use std::process::{Command, Output, Stdio};

fn tui(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .arg("tui")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the wirepeek binary runs")
}

fn sample() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp4.pcap")
}

fn check(args: &[&str], code: i32, says: &str) {
    let out = tui(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    assert!(err.contains(says), "{args:?}: {err}");
    assert!(
        !out.stdout.contains(&0x1b),
        "no escape sequences were written: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_missing_file_is_a_plain_error_with_exit_code_1() {
    check(&["/nonexistent/x.pcap"], 1, "No such file");
}

#[test]
fn replay_with_an_interface_or_a_bad_speed_is_a_usage_error() {
    check(&["-i", "lo", "--replay"], 2, "cannot be used with -i");
    check(
        &[sample(), "--replay", "--speed", "0"],
        2,
        "--speed must be a positive number",
    );
}

#[test]
fn good_filters_are_accepted_and_bad_ones_are_usage_errors_with_a_caret() {
    // Accepted: it gets as far as looking for a terminal.
    check(
        &[sample(), "tcp", "port", "80", "-Y", "tcp.flags.syn == 1"],
        2,
        "needs a terminal",
    );
    check(&[sample(), "tcp", "port"], 2, "bad filter expression");
    check(
        &[sample(), "-Y", "tcp.flags.syn =="],
        2,
        "bad display filter",
    );
    let out = tui(&[sample(), "-Y", "tcp.nosuchfield == 1"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains('^'), "the caret points at the problem: {err}");
}

#[test]
fn without_a_terminal_it_says_so_instead_of_drawing() {
    check(&[sample()], 2, "needs a terminal");
}

#[test]
fn max_packets_must_be_a_positive_count() {
    check(&[sample(), "--max-packets", "0"], 2, "--max-packets");
    check(&[sample(), "--max-packets", "many"], 2, "--max-packets");
    // Accepted: it gets as far as looking for a terminal.
    check(&[sample(), "--max-packets", "5"], 2, "needs a terminal");
}
