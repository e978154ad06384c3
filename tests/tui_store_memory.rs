//! The TUI's store keeps an index, not the frames: a generated 60 MB
//! capture of 40,000 full-size frames is loaded through the TUI's own
//! source thread and model, and the process's resident memory may grow by
//! a small fraction of the file (a store that copied every frame's bytes
//! would grow by the whole 60 MB). Then every frame read back by offset is
//! checked against the bytes written, and `--max-packets` still ages the
//! oldest out.

mod common;

use wirepeek::app::App;

const FRAMES: u32 = 40_000;
const LEN: usize = 1_500;

/// Frame `n`: an Ethernet/IPv4/UDP header, then bytes that say which
/// frame they belong to, to `LEN` bytes.
fn frame(n: u32) -> Vec<u8> {
    let mut b = vec![0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00];
    let ip_len = (LEN - 14) as u16;
    b.extend_from_slice(&[0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0]);
    b[16..18].copy_from_slice(&ip_len.to_be_bytes());
    b.extend_from_slice(&[10, 0, 0, 2, 10, 0, 0, 1]);
    b.extend_from_slice(&(1024 + (n % 1000) as u16).to_be_bytes());
    b.extend_from_slice(&9000u16.to_be_bytes());
    b.extend_from_slice(&(ip_len - 20).to_be_bytes());
    b.extend_from_slice(&[0, 0]);
    while b.len() < LEN {
        b.extend_from_slice(&n.to_le_bytes());
    }
    b.truncate(LEN);
    b
}

fn capture() -> std::path::PathBuf {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("tui-store-memory.pcap");
    let mut b = Vec::with_capacity(24 + FRAMES as usize * (16 + LEN));
    b.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&4u16.to_le_bytes());
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&65535u32.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes());
    for n in 0..FRAMES {
        b.extend_from_slice(&(n / 1000).to_le_bytes());
        b.extend_from_slice(&(n % 1000).to_le_bytes());
        b.extend_from_slice(&(LEN as u32).to_le_bytes());
        b.extend_from_slice(&(LEN as u32).to_le_bytes());
        b.extend_from_slice(&frame(n));
    }
    std::fs::write(&path, b).expect("write the capture");
    path
}

/// The resident set now, in bytes (VmRSS, not the peak).
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn load(path: &str, max: Option<usize>) -> App {
    common::file_backed_app(path, max)
}

#[test]
fn loading_a_60_mb_capture_grows_resident_memory_by_a_small_fraction_of_it() {
    if std::fs::read_to_string("/proc/self/status").is_err() {
        common::skip("no /proc/self/status to read the resident set from");
        return;
    }
    let path = capture();
    let path = path.to_str().expect("a UTF-8 path");
    let before = rss();
    let app = load(path, None);
    let grown = rss().saturating_sub(before);
    assert_eq!(app.store.len(), FRAMES as usize);
    assert_eq!(app.list.len(), FRAMES as usize);
    let file = u64::from(FRAMES) * LEN as u64;
    assert!(
        grown < file / 6,
        "resident memory grew by {grown} bytes loading {file} bytes of frames"
    );
    assert!(
        app.store.allocated() <= 2 << 20,
        "{}",
        app.store.allocated()
    );
    // Every frame comes back from the file as it was written, forwards
    // and from the far end.
    for i in (0..FRAMES as usize).chain((0..FRAMES as usize).rev().step_by(997)) {
        let f = app.store.frame(i).expect("the frame reads back");
        assert_eq!(f.data, frame(i as u32), "frame {}", i + 1);
        assert_eq!(f.number, i as u64 + 1);
    }

    let limited = load(path, Some(1000));
    assert_eq!(limited.store.held(), 1000);
    assert_eq!(limited.store.first(), FRAMES as usize - 1000);
    let oldest = limited.store.frame(limited.store.first()).expect("held");
    assert_eq!(oldest.data, frame(FRAMES - 1000));
    assert_eq!(limited.list.len(), 1000);
    let _ = std::fs::remove_file(path);
}
