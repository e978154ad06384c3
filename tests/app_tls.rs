//! TLS end to end on the public captures: `-Y` on a ClientHello's server
//! name finds the frames tshark's same filter finds, and the Info column
//! names each record as tshark's does (Wireshark 4.2 added the server name
//! to "Client Hello"; the tshark here is older, so its text is compared
//! with that part taken out of ours).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};
use wirepeek::decode::{decode, summary};

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

/// tshark's Info column for every frame of `file`, one segment at a time.
fn tshark_info(file: &Path) -> Vec<String> {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(file)
        .args([
            "-o",
            "tcp.desegment_tcp_streams:FALSE",
            "-o",
            "tcp.analyze_sequence_numbers:TRUE",
        ])
        .args([
            "-T",
            "fields",
            "-e",
            "frame.protocols",
            "-e",
            "_ws.col.Info",
        ])
        .output()
        .expect("tshark runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Our Info text with the ` (SNI=...)` Wireshark 4.2 adds taken out.
fn without_sni(info: &str) -> String {
    match (info.find(" (SNI="), info.find(')')) {
        (Some(a), Some(_)) => {
            let rest = &info[a..];
            let close = rest.find(')').map_or(rest.len(), |i| i + 1);
            format!("{}{}", &info[..a], &rest[close..])
        }
        _ => info.to_string(),
    }
}

#[test]
fn info_column_names_each_record_as_tshark_does() {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let mut compared = 0;
    let mut sni = 0;
    for name in ["ecdhe.pcap", "chrome-34-google.pcap"] {
        let Some(file) = app(name) else { return };
        let theirs = tshark_info(&file);
        let mut source = FileSource::open(&file.to_string_lossy()).expect("capture opens");
        let mut n = 0;
        while let Ok(Next::Frame(frame)) = source.next_frame() {
            let d = decode(&frame);
            let (protocols, info) = theirs[n].split_once('\t').unwrap_or(("", ""));
            n += 1;
            // Retransmissions: tshark shows no TLS there (a listed
            // difference), and its Info is about TCP.
            if !protocols.ends_with(":tls") {
                continue;
            }
            let ours = summary::app::info(&frame.data, &d).unwrap_or_default();
            sni += usize::from(ours.contains("(SNI="));
            assert_eq!(without_sni(&ours), info, "{name} frame {n}");
            compared += 1;
        }
    }
    assert!(compared >= 25, "only {compared} TLS frames compared");
    assert!(sni >= 1, "a Client Hello names its server");
}
