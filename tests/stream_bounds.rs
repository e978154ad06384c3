//! The TCP stream bound `read --stats` and `flows` reassemble within:
//! many conversations each holding a segment after a hole, under a total
//! bound too small for all of them. What the bound refused is counted,
//! the peak held stays within it, and the counts add up.

mod common;

use std::process::Command;

/// An IPv4/TCP packet (no options), checksums left 0.
fn tcp(
    src: [u8; 4],
    sport: u16,
    dst: [u8; 4],
    dport: u16,
    seq: u32,
    ack: u32,
    data: &[u8],
) -> Vec<u8> {
    let total = (40 + data.len()) as u16;
    let mut p = vec![0x45, 0];
    p.extend(total.to_be_bytes());
    p.extend([0, 0, 0x40, 0, 64, 6, 0, 0]);
    p.extend(src);
    p.extend(dst);
    p.extend(sport.to_be_bytes());
    p.extend(dport.to_be_bytes());
    p.extend(seq.to_be_bytes());
    p.extend(ack.to_be_bytes());
    p.extend([0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    p.extend_from_slice(data);
    p
}

/// `n` conversations: each sends segments 1 and 3 of `size` bytes (2 is
/// lost), then the server acknowledges all three of every one.
fn gaps(n: u8, size: usize) -> Vec<Vec<u8>> {
    let server = [192, 168, 0, 1];
    let data = vec![b'x'; size];
    let step = size as u32;
    let mut packets = Vec::new();
    for i in 0..n {
        let client = [10, 0, 0, i];
        packets.push(tcp(client, 40000, server, 80, 1000, 5000, &data));
        packets.push(tcp(client, 40000, server, 80, 1000 + 2 * step, 5000, &data));
    }
    for i in 0..n {
        packets.push(tcp(
            server,
            80,
            [10, 0, 0, i],
            40000,
            5000,
            1000 + 3 * step,
            &[],
        ));
    }
    packets
}

/// The number after `prefix` in the `--stats` line starting with `line`.
fn figure(text: &str, line: &str, prefix: &str) -> u64 {
    let l = text
        .lines()
        .find(|l| l.starts_with(line))
        .unwrap_or_else(|| panic!("{line} in {text}"));
    let at = l.find(prefix).unwrap_or_else(|| panic!("{prefix} in {l}")) + prefix.len();
    l[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_total_bound_too_small_for_every_hole_drops_counted_segments_and_holds_no_more() {
    let (n, size) = (100u64, 32u64);
    let file = common::raw_pcap("stream-bounds", &gaps(n as u8, size as usize));
    let bound = 4000u64;
    let out = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args([
            "read",
            "--stats",
            "--max-reassembly-bytes",
            &bound.to_string(),
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let peak = figure(&text, "Reassembly:", "peak ");
    let dropped = figure(&text, "Reassembly:", "), ");
    let delivered = figure(&text, "TCP streams:", "TCP streams:    ");
    let missing = figure(&text, "TCP streams:", "order, ");
    assert!(peak <= bound, "peak {peak} over the bound {bound}");
    assert!(dropped > 0 && dropped < n, "{text}");
    // A conversation whose segment 3 was held delivers both and reports the
    // hole; one whose segment 3 was refused delivers only segment 1 (its
    // hole is never proven by a later held segment).
    let held = n - dropped;
    assert_eq!(missing, held * size, "{text}");
    assert_eq!(delivered, n * size + held * size, "{text}");
    // Without a bound in the way every hole shows.
    let out = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args(["read", "--stats"])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(figure(&text, "TCP streams:", "order, "), n * size, "{text}");
    assert_eq!(figure(&text, "Reassembly:", "), "), 0, "{text}");
    let _ = std::fs::remove_file(file);
}

#[test]
fn stream_bounds_on_the_command_line_are_checked() {
    for bad in ["", "0x", "-1", "12Q"] {
        let out = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
            .args(["read", "--stats", "--max-stream-bytes", bad, "x.pcap"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--max-stream-bytes {bad:?}");
    }
}
