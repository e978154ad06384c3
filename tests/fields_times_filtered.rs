//! `read --fields` under a display filter: `frame.time_relative` counts
//! from the file's first frame and `frame.time_delta` from the frame read
//! before, whether or not those were shown; only
//! `frame.time_delta_displayed` counts shown frames. tshark is the oracle.

mod common;

use std::path::Path;
use std::process::Command;

const TIMES: [&str; 4] = [
    "frame.number",
    "frame.time_relative",
    "frame.time_delta",
    "frame.time_delta_displayed",
];

fn ours(file: &Path, filter: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .arg("read")
        .arg(file)
        .args(["--fields", &TIMES.join(","), "-Y", filter])
        .output()
        .expect("wirepeek runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Our first line names the columns; tshark prints none.
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().skip(1).map(|l| format!("{l}\n")).collect()
}

fn theirs(file: &Path, filter: &str) -> String {
    let out = common::tshark_fields(file, &TIMES)
        .args(["-Y", filter])
        .output()
        .expect("tshark runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn filtered_rows_count_times_from_every_frame_as_tshark_does() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    let cases = [
        ("echo-tcp4.pcap", "tcp.len > 0"),
        ("echo-tcp4.pcap", "frame.number >= 3"),
        ("echo-udp6.pcap", "frame.number > 1"),
    ];
    let mut rows = 0;
    for (name, filter) in cases {
        let file = bundled.join(name);
        let (a, b) = (ours(&file, filter), theirs(&file, filter));
        assert!(!b.is_empty(), "{name} -Y {filter}: tshark shows no frame");
        assert_eq!(a, b, "{name} -Y {filter}");
        rows += b.lines().count();
    }
    assert!(rows >= 6, "only {rows} rows compared");
}
