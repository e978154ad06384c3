//! QUIC end to end on `../shared/corpus-app/captures/quic_handshake.pcap`
//! (a public capture): the client's Initial decrypts to the ClientHello
//! tshark shows (its SNI and ALPN, compared with tshark's own output, not
//! with values we wrote down), `-Y` finds it by server name, and a damaged
//! Initial gives a note and no TLS layer, never a panic.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn capture() -> Option<PathBuf> {
    let f = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus-app/captures/quic_handshake.pcap");
    if f.is_file() {
        Some(f)
    } else {
        common::skip("../shared/corpus-app/captures/quic_handshake.pcap not found");
        None
    }
}

fn wirepeek(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args(args)
        .output()
        .expect("wirepeek runs")
}

const KEYS: &[&str] = &[
    "quic.long.packet_type",
    "quic.packet_number",
    "quic.crypto.length",
    "tls.handshake.type",
    "tls.handshake.extensions_server_name",
    "tls.handshake.extensions_alpn_str",
    "tls.handshake.random",
];

#[test]
fn client_initial_decrypts_to_the_client_hello_tshark_shows() {
    let Some(file) = capture() else { return };
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let ours = wirepeek(&["read", file.to_str().unwrap(), "--fields", &KEYS.join(",")]);
    assert!(ours.status.success());
    let ours = String::from_utf8_lossy(&ours.stdout);
    let first = ours.lines().nth(1).expect("frame 1");
    let mut tshark = Command::new("tshark");
    tshark
        .args(["-n", "-r"])
        .arg(&file)
        .args(["-T", "fields", "-E", "occurrence=a"]);
    for k in KEYS {
        tshark.args(["-e", k]);
    }
    let theirs = tshark.output().expect("tshark runs");
    let theirs = String::from_utf8_lossy(&theirs.stdout);
    assert_eq!(first, theirs.lines().next().expect("tshark's frame 1"));
    // And what that row says, for the reader.
    let cells: Vec<&str> = first.split('\t').collect();
    assert_eq!((cells[3], cells[4], cells[5]), ("1", "localhost", "h3"));
}

#[test]
fn display_filter_finds_the_initial_by_server_name_and_info_names_it() {
    let Some(file) = capture() else { return };
    let f = file.to_str().unwrap();
    let out = wirepeek(&[
        "read",
        f,
        "-Y",
        "tls.handshake.extensions_server_name == \"localhost\"",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    let out = wirepeek(&["read", f, "-Y", "quic", "--fields", "frame.number"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1 + 18);
}

#[test]
fn a_damaged_initial_is_a_note_not_a_panic_and_shows_no_tls() {
    let Some(file) = capture() else { return };
    let mut bytes = std::fs::read(&file).expect("capture reads");
    // pcap header 24, record header 16, BSD loopback 4, IPv6 40, UDP 8:
    // the QUIC packet of frame 1 starts at 92; flip a byte of its payload.
    bytes[92 + 200] ^= 0x01;
    let dir = std::env::temp_dir().join(format!("wirepeek-quic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let damaged = dir.join("damaged.pcap");
    std::fs::write(&damaged, &bytes).unwrap();
    let d = damaged.to_str().unwrap();
    let out = wirepeek(&["read", d, "-c", "1", "-v"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("QUIC Initial not decrypted"), "{text}");
    assert!(!text.contains("Transport Layer Security"), "{text}");
    // Cut the frame short anywhere: every length still decodes.
    for keep in [60usize, 93, 100, 150, 400, 1000] {
        let mut cut = bytes[..24 + 16 + keep].to_vec();
        cut[24 + 8..24 + 12].copy_from_slice(&(keep as u32).to_le_bytes());
        std::fs::write(&damaged, &cut).unwrap();
        let out = wirepeek(&["read", d, "-v"]);
        assert!(
            out.status.success(),
            "cut at {keep}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
