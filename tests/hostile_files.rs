//! Hostile and damaged capture files: each yields a clear error or every
//! whole packet, never a panic, never a hang, and never more memory than the
//! file can actually hold (run under a 256 MB address-space limit).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wirepeek-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// Run `wirepeek read FILE` with the address space capped, so a reader that
/// trusts a length field and allocates 4 GB fails the test instead of
/// quietly succeeding on a big machine.
fn read_capped(path: &Path) -> Output {
    let cmd = format!(
        "ulimit -v 262144; exec timeout 20 '{}' read '{}'",
        env!("CARGO_BIN_EXE_wirepeek"),
        path.display()
    );
    Command::new("bash")
        .args(["-c", &cmd])
        .output()
        .expect("bash runs")
}

fn pcap_header() -> Vec<u8> {
    // Little-endian microsecond pcap, version 2.4, snaplen 65535, Ethernet.
    vec![
        0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
    ]
}

fn record(data: &[u8], incl_len: u32) -> Vec<u8> {
    let mut r = vec![1, 0, 0, 0, 0, 0, 0, 0];
    r.extend_from_slice(&incl_len.to_le_bytes());
    r.extend_from_slice(&(data.len() as u32).to_le_bytes());
    r.extend_from_slice(data);
    r
}

fn ethernet_frame() -> Vec<u8> {
    let mut f = vec![0xff; 6];
    f.extend_from_slice(&[0, 1, 2, 3, 4, 5, 0x08, 0x06]);
    f.resize(60, 0);
    f
}

#[test]
fn a_record_claiming_four_gigabytes_ends_with_a_warning_not_an_allocation() {
    let mut file = pcap_header();
    let frame = ethernet_frame();
    file.extend(record(&frame, frame.len() as u32));
    file.extend(record(&frame, u32::MAX));
    let path = scratch("huge-record.pcap");
    std::fs::write(&path, &file).expect("write");
    let out = read_capped(&path);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        1,
        "the whole packet before it"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("byte offset 100"));
}

fn pcapng_shb() -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&0x0a0d_0d0au32.to_le_bytes());
    b.extend_from_slice(&28u32.to_le_bytes());
    b.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&0u16.to_le_bytes());
    b.extend_from_slice(&u64::MAX.to_le_bytes());
    b.extend_from_slice(&28u32.to_le_bytes());
    b
}

fn pcapng_idb() -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&20u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&0u16.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&20u32.to_le_bytes());
    b
}

fn pcapng_epb(data: &[u8]) -> Vec<u8> {
    let padded = data.len().div_ceil(4) * 4;
    let total = (32 + padded) as u32;
    let mut b = Vec::new();
    b.extend_from_slice(&6u32.to_le_bytes());
    b.extend_from_slice(&total.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&1_000_000u32.to_le_bytes());
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(data);
    b.resize(b.len() + padded - data.len(), 0);
    b.extend_from_slice(&total.to_le_bytes());
    b
}

#[test]
fn pcapng_block_lengths_past_the_end_or_before_the_block_are_refused_cleanly() {
    let frame = ethernet_frame();
    let mut good = pcapng_shb();
    good.extend(pcapng_idb());
    good.extend(pcapng_epb(&frame));
    for (name, length) in [
        ("past-end", 0x7fff_fff0u32),
        ("before-itself", 4u32),
        ("unaligned", 33u32),
    ] {
        let mut file = good.clone();
        let mut bad = pcapng_epb(&frame);
        bad[4..8].copy_from_slice(&length.to_le_bytes());
        file.extend(bad);
        let path = scratch(&format!("pcapng-{name}.pcapng"));
        std::fs::write(&path, &file).expect("write");
        let out = read_capped(&path);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{name}: {err}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).lines().count(),
            1,
            "{name}: the good packet"
        );
        assert!(
            err.contains("warning") && err.contains("byte offset"),
            "{name}: {err}"
        );
    }
}

#[test]
fn a_fifo_is_read_as_a_stream() {
    let fifo = scratch("capture.fifo");
    let _ = std::fs::remove_file(&fifo);
    let c_path = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).expect("path");
    // SAFETY: mkfifo with a valid NUL-terminated path and mode.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let mut file = pcap_header();
    let frame = ethernet_frame();
    for _ in 0..3 {
        file.extend(record(&frame, frame.len() as u32));
    }
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || std::fs::write(writer_path, file));
    let out = read_capped(&fifo);
    writer
        .join()
        .expect("writer thread")
        .expect("write to fifo");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
}

#[test]
fn malformed_corpus_files_never_crash_and_always_say_why() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(manifest) = std::fs::read_to_string(dir.join("MANIFEST.tsv")) else {
        eprintln!("skipping: the corpus is not beside the repository");
        return;
    };
    let mut checked = 0;
    for line in manifest.lines().skip(1) {
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.last() != Some(&"yes") {
            continue;
        }
        let path = dir.join("captures").join(cells[0]);
        for mode in [&["-v"][..], &["--json"][..], &["-x"][..]] {
            let cmd = format!(
                "ulimit -v 262144; exec timeout 20 '{}' read '{}' {}",
                env!("CARGO_BIN_EXE_wirepeek"),
                path.display(),
                mode.join(" ")
            );
            let out = Command::new("bash")
                .args(["-c", &cmd])
                .output()
                .expect("runs");
            let code = out.status.code();
            assert!(
                code == Some(0) || code == Some(1),
                "{}: {mode:?} exit {code:?}",
                cells[0]
            );
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let says_why = text.contains("warning")
                || text.contains("note")
                || text.contains("\"notes\":[{")
                || text.contains("[|")
                || code == Some(1);
            assert!(says_why, "{} {mode:?}: no reason given:\n{text}", cells[0]);
        }
        checked += 1;
    }
    assert!(
        checked >= 10,
        "the corpus marks about 14 files malformed; saw {checked}"
    );
}
