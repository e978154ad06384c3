//! Hostile and damaged capture files: each yields a clear error or every
//! whole packet, never a panic, never a hang, and never more memory than the
//! file can actually hold (run under a 256 MB address-space limit). Each
//! crafted pcapng case is also read by tshark, when it is installed, and the
//! packets it shows are compared with ours.

mod common;
#[path = "fixtures/hostile/craft.rs"]
mod craft;

use craft::*;

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

#[test]
fn a_record_claiming_four_gigabytes_ends_with_a_warning_not_an_allocation() {
    let frame = ethernet_frame();
    let mut file = pcap_header();
    file.extend(record(&frame, frame.len() as u32));
    file.extend(record(&frame, u32::MAX));
    let got = ours(&write_scratch("huge-record.pcap", &file));
    assert_eq!((got.code, got.rows.len()), (Some(0), 1), "{}", got.stderr);
    assert!(got.stderr.contains("byte offset 100: "), "{}", got.stderr);
}

/// What `wirepeek read --fields …` or tshark printed: one row per packet.
struct Shown {
    code: Option<i32>,
    rows: Vec<String>,
    stderr: String,
}

const FIELDS: &str = "frame.number,frame.time_epoch,frame.len,frame.cap_len,eth.src";

fn ours(path: &Path) -> Shown {
    let cmd = format!(
        "ulimit -v 262144; exec timeout 20 '{}' read --fields {FIELDS} '{}'",
        env!("CARGO_BIN_EXE_wirepeek"),
        path.display()
    );
    let out = Command::new("bash")
        .args(["-c", &cmd])
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    Shown {
        code: out.status.code(),
        rows: stdout.lines().skip(1).map(str::to_string).collect(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// tshark's view of the same file, or `None` (the comparison is skipped).
fn theirs(path: &Path) -> Option<Shown> {
    if !common::tshark_present() {
        common::skip("tshark is not installed: no comparison");
        return None;
    }
    let mut cmd = Command::new("tshark");
    cmd.arg("-n").arg("-r").arg(path).args(["-T", "fields"]);
    for field in FIELDS.split(',') {
        cmd.args(["-e", field]);
    }
    let out = cmd.output().expect("tshark runs");
    Some(Shown {
        code: out.status.code(),
        rows: String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// The tag (last source-MAC byte) of each row.
fn tags(shown: &Shown) -> Vec<u8> {
    shown
        .rows
        .iter()
        .map(|row| {
            let mac = row.rsplit('\t').next().unwrap_or_default();
            u8::from_str_radix(mac.rsplit(':').next().unwrap_or_default(), 16).unwrap_or(0)
        })
        .collect()
}

fn column(shown: &Shown, index: usize) -> Vec<String> {
    shown
        .rows
        .iter()
        .map(|row| row.split('\t').nth(index).unwrap_or_default().to_string())
        .collect()
}

fn write_scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

/// A packet block that is well framed but cannot be shown: we name it (its
/// byte offset and `why`) and go on to the next packet; tshark shows the
/// packets before it and refuses the rest of the file.
fn assert_skipped_and_named(path: &Path, shown: &[u8], offset: u64, why: &str) {
    let got = ours(path);
    assert_eq!(got.code, Some(0), "{}", got.stderr);
    assert_eq!(tags(&got), shown, "packets shown:\n{}", got.rows.join("\n"));
    let numbers: Vec<String> = (1..=shown.len()).map(|n| n.to_string()).collect();
    assert_eq!(column(&got, 0), numbers, "frames numbered without gaps");
    let named = format!("byte offset {offset}: ");
    assert!(
        got.stderr.contains("warning") && got.stderr.contains(&named) && got.stderr.contains(why),
        "expected a warning naming byte offset {offset} and '{why}':\n{}",
        got.stderr
    );
    if let Some(tshark) = theirs(path) {
        assert!(
            tshark.stderr.contains("appears to be damaged or corrupt"),
            "tshark now reads it: {}",
            tshark.stderr
        );
        assert!(
            got.rows.starts_with(&tshark.rows),
            "tshark shows\n{}\nwe show\n{}",
            tshark.rows.join("\n"),
            got.rows.join("\n")
        );
    }
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
        common::skip("the corpus ../shared/corpus is not beside the repository");
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

#[test]
fn pcapng_packet_with_negative_timestamp_is_shown() {
    // if_tsoffset -1000 s: packets at 1.5 s and 999.00025 s read as before
    // 1970. Both used to vanish without a word.
    let mut file = pcapng_shb();
    file.extend(pcapng_idb_with(&options(&[(
        14,
        &(-1000i64).to_le_bytes(),
    )])));
    file.extend(pcapng_epb_full(0, 1_500_000, &tagged(1), 60, &[]));
    file.extend(pcapng_epb_full(0, 999_000_250, &tagged(2), 60, &[]));
    let path = write_scratch("negative-ts.pcapng", &file);
    let got = ours(&path);
    assert_eq!(got.code, Some(0), "{}", got.stderr);
    assert_eq!(tags(&got), [1, 2]);
    // -998.5 s and -0.99975 s, written as tshark writes them: the whole
    // seconds rounded down, then the fraction (-999 + 0.5).
    assert_eq!(column(&got, 1), ["-999.500000000", "-1.000250000"]);
    assert!(got.stderr.is_empty(), "{}", got.stderr);
    if let Some(tshark) = theirs(&path) {
        assert_eq!(got.rows, tshark.rows);
    }
    let clock = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .env("TZ", "UTC")
        .arg("read")
        .arg(&path)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&clock.stdout);
    assert!(text.starts_with("23:43:21.500000 "), "{text}");
}

#[test]
fn pcapng_epb_for_missing_interface_is_named_in_a_warning() {
    let mut file = pcapng_shb();
    file.extend(pcapng_idb());
    file.extend(epb_tagged(1));
    file.extend(pcapng_epb_full(5, 1_000_000, &tagged(2), 60, &[]));
    file.extend(epb_tagged(3));
    let path = write_scratch("missing-interface.pcapng", &file);
    assert_skipped_and_named(&path, &[1, 3], 140, "names interface 5");

    // Before any interface is described.
    let mut file = pcapng_shb();
    file.extend(epb_tagged(1));
    file.extend(pcapng_idb());
    file.extend(epb_tagged(2));
    let path = write_scratch("before-any-idb.pcapng", &file);
    assert_skipped_and_named(&path, &[2], 28, "none are described before it");
}

#[test]
fn pcapng_epb_with_lying_captured_length_is_named_in_a_warning() {
    let mut file = pcapng_shb();
    file.extend(pcapng_idb());
    file.extend(epb_tagged(1));
    file.extend(pcapng_epb_full(0, 1_000_000, &tagged(2), 0xffff_fff0, &[]));
    file.extend(epb_tagged(3));
    let path = write_scratch("lying-caplen.pcapng", &file);
    assert_skipped_and_named(&path, &[1, 3], 140, "captured 4294967280 bytes");
}

#[test]
fn pcapng_if_tsresol_0_binary_and_beyond_10_pow_19_units_are_shown() {
    // 0x0123456789abcdef units; the seconds each resolution makes of it
    // (worked out with Python's decimal module, cut to nanoseconds).
    let raw = 0x0123_4567_89ab_cdefu64;
    for (resol, expected) in [
        (0u8, "81985529216486895.000000000"),
        (0x80, "81985529216486895.000000000"),
        (0x80 | 10, "80063993375475.483398437"),
        (12, "81985.529216486"),
        (19, "0.008198552"),
        (20, "0.000819855"),
        (38, "0.000000000"),
        (0x7f, "0.000000000"),
        (0x80 | 63, "0.008888888"),
        (0x80 | 64, "0.004444444"),
        (0xff, "0.000000000"),
    ] {
        let mut file = pcapng_shb();
        file.extend(pcapng_idb_with(&options(&[(9, &[resol])])));
        file.extend(pcapng_epb_full(0, raw, &tagged(1), 60, &[]));
        file.extend(pcapng_epb_full(0, 0, &tagged(2), 60, &[]));
        let path = write_scratch(&format!("tsresol-{resol:02x}.pcapng"), &file);
        let got = ours(&path);
        assert_eq!(got.code, Some(0), "{resol:#x}: {}", got.stderr);
        assert_eq!(tags(&got), [1, 2], "{resol:#x}: every packet shown");
        assert_eq!(column(&got, 1)[0], expected, "if_tsresol {resol:#x}");
        if let Some(tshark) = theirs(&path) {
            // tshark 4.0 shows both packets too; its times are exact only
            // up to 10^9 units per second (above, its arithmetic overflows).
            assert_eq!(tshark.rows.len(), 2, "{resol:#x}: {}", tshark.stderr);
            if resol == 0 || resol == 0x80 || resol == 0x80 | 10 {
                assert_eq!(got.rows, tshark.rows, "if_tsresol {resol:#x}");
            }
        }
    }
}

#[test]
fn non_utf8_comment_in_shb_idb_isb_nrb_costs_no_packets() {
    let comment = options(&[BAD_COMMENT]);
    let mut file = pcapng_shb_with(&comment);
    file.extend(pcapng_idb_with(&comment));
    file.extend(epb_tagged(1));
    let mut isb = vec![0; 12];
    isb.extend_from_slice(&comment);
    file.extend(block(5, &isb));
    file.extend(epb_tagged(2));
    let mut nrb = vec![0; 4];
    nrb.extend_from_slice(&comment);
    file.extend(block(4, &nrb));
    file.extend(pcapng_epb_full(0, 1_000_000, &tagged(3), 60, &comment));
    file.extend(epb_tagged(4));
    let path = write_scratch("bad-comments.pcapng", &file);
    let got = ours(&path);
    assert_eq!(got.code, Some(0), "{}", got.stderr);
    assert_eq!(tags(&got), [1, 2, 3, 4]);
    assert!(
        got.stderr.is_empty(),
        "a comment is not ours to judge: {}",
        got.stderr
    );
    if let Some(tshark) = theirs(&path) {
        assert_eq!(got.rows, tshark.rows);
    }
}

#[test]
fn pcapng_damaged_interface_options_cost_no_packets() {
    // An option running past its block: tshark refuses the file; we keep
    // the interface (and its packets) and name the option.
    let mut idb = vec![1, 0, 0, 0, 0, 0, 0, 0];
    idb.extend_from_slice(&[9, 0, 200, 0, 9, 0, 0, 0]);
    let mut file = pcapng_shb();
    file.extend(block(1, &idb));
    file.extend(epb_tagged(1));
    file.extend(epb_tagged(2));
    let path = write_scratch("idb-option-overrun.pcapng", &file);
    let got = ours(&path);
    assert_eq!(got.code, Some(0), "{}", got.stderr);
    assert_eq!(tags(&got), [1, 2]);
    assert_eq!(column(&got, 1), ["1.000000000", "1.000000000"]);
    assert!(
        got.stderr.contains("byte offset 28: ") && got.stderr.contains("option 9 claims 200 bytes"),
        "{}",
        got.stderr
    );
}

/// Peak resident memory of `wirepeek read` run by `shell` (`$W` is the
/// binary), in kilobytes, from /usr/bin/time; `None` without it.
fn peak_rss_kb(shell: &str) -> Option<(u64, Output)> {
    if !Path::new("/usr/bin/time").exists() {
        return None;
    }
    let cmd = format!("W='{}'; {shell}", env!("CARGO_BIN_EXE_wirepeek"));
    let out = Command::new("bash")
        .args(["-c", &cmd])
        .output()
        .expect("bash runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kb = stderr.lines().rev().find_map(|l| l.strip_prefix("rss="))?;
    Some((kb.trim().parse().ok()?, out))
}

#[test]
fn record_claiming_4gb_is_refused_before_allocation() {
    let frame = tagged(1);
    let mut pcap = pcap_header();
    pcap.extend(record(&frame, frame.len() as u32));
    pcap.extend(record(&frame, frame.len() as u32)[..8].iter());
    pcap.extend(0xffff_fff0u32.to_le_bytes());
    pcap.extend(0xffff_fff0u32.to_le_bytes());
    let mut ng = pcapng_shb();
    ng.extend(pcapng_idb());
    ng.extend(epb_tagged(1));
    let ng_offset = ng.len();
    let mut largest = ng.clone();
    ng.extend(6u32.to_le_bytes());
    ng.extend(0xffff_fff0u32.to_le_bytes());
    // The largest block accepted (a name block of 16 MiB + 128 KiB) costs
    // about its own size, not twice that.
    largest.extend(4u32.to_le_bytes());
    largest.extend(((16 << 20) + (128 << 10) as u32).to_le_bytes());
    for (name, head, offset, says, limit_mb) in [
        ("pcap", pcap, 100, "4294967280", 64),
        ("pcapng", ng, ng_offset, "4294967280", 64),
        ("largest.pcapng", largest, ng_offset, "ends with 0", 24),
    ] {
        // Sparse: 4 GB long, a few kilobytes on disk.
        let path = write_scratch(&format!("sparse-4g.{name}"), &head);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .expect("open");
        file.set_len(0x1_0000_0100).expect("sparse file");
        drop(file);
        let p = path.display();
        for (how, shell) in [
            (
                "file",
                format!("/usr/bin/time -f rss=%M timeout 20 \"$W\" read '{p}'"),
            ),
            (
                "stdin",
                format!("cat '{p}' | /usr/bin/time -f rss=%M timeout 20 \"$W\" read -"),
            ),
        ] {
            let Some((kb, out)) = peak_rss_kb(&shell) else {
                common::skip("/usr/bin/time is not installed: peak memory not measured");
                return;
            };
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{name} {how}: {stderr}");
            assert_eq!(
                String::from_utf8_lossy(&out.stdout).lines().count(),
                1,
                "{name} {how}"
            );
            assert!(
                stderr.contains(&format!("byte offset {offset}: ")) && stderr.contains(says),
                "{name} {how}: {stderr}"
            );
            assert!(kb < limit_mb * 1024, "{name} {how}: peak RSS {kb} kB");
        }
        let _ = std::fs::remove_file(&path);
    }
}

#[test]
fn pcap_record_above_256k_is_refused_unless_the_snap_length_allows_it() {
    let big = vec![0u8; 300_000];
    for (snaplen, shown) in [(65535u32, 1), (400_000, 3)] {
        let mut file = pcap_header();
        file[16..20].copy_from_slice(&snaplen.to_le_bytes());
        file.extend(record(&ethernet_frame(), 60));
        file.extend(record(&big, 300_000));
        file.extend(record(&ethernet_frame(), 60));
        let path = write_scratch(&format!("pcap-300k-{snaplen}.pcap"), &file);
        let got = ours(&path);
        assert_eq!(got.code, Some(0), "{}", got.stderr);
        assert_eq!(
            got.rows.len(),
            shown,
            "snap length {snaplen}: {}",
            got.stderr
        );
        if shown == 1 {
            assert!(
                got.stderr.contains("byte offset 100: ") && got.stderr.contains("300000"),
                "{}",
                got.stderr
            );
        }
    }
}

#[test]
fn pcap_record_longer_than_its_original_length_is_shown_as_tshark_shows_it() {
    let frame = tagged(2);
    let mut file = pcap_header();
    file.extend(record(&tagged(1), 60));
    let mut lying = record(&frame, 60);
    lying[12..16].copy_from_slice(&20u32.to_le_bytes());
    file.extend(lying);
    file.extend(record(&tagged(3), 60));
    let path = write_scratch("incl-over-orig.pcap", &file);
    let got = ours(&path);
    assert_eq!(got.code, Some(0), "{}", got.stderr);
    assert_eq!(tags(&got), [1, 2, 3]);
    assert_eq!(column(&got, 2), ["60", "20", "60"], "frame.len");
    assert_eq!(column(&got, 3), ["60", "60", "60"], "frame.cap_len");
    if let Some(tshark) = theirs(&path) {
        assert_eq!(got.rows, tshark.rows);
    }
}

#[test]
fn pcapng_epb_above_256k_is_named_unless_its_snap_length_allows_it() {
    let mut big = tagged(2);
    big.resize(300_000, 0);
    for (snaplen, shown) in [(0u32, &[1, 3][..]), (400_000, &[1, 2, 3])] {
        let mut idb = pcapng_idb();
        idb[12..16].copy_from_slice(&snaplen.to_le_bytes());
        let mut file = pcapng_shb();
        file.extend(idb);
        file.extend(epb_tagged(1));
        file.extend(pcapng_epb(&big));
        file.extend(epb_tagged(3));
        let path = write_scratch(&format!("epb-300k-{snaplen}.pcapng"), &file);
        if shown.len() == 2 {
            assert_skipped_and_named(&path, shown, 140, "captured 300000 bytes, more than");
        } else {
            let got = ours(&path);
            assert_eq!(
                (got.code, tags(&got)),
                (Some(0), shown.to_vec()),
                "{}",
                got.stderr
            );
        }
    }
}

#[test]
fn pcapng_timestamp_past_the_range_of_a_time_is_shown_without_one_and_named() {
    // 2^64-1 whole seconds: tshark wraps it to -1 s; we show no time.
    let mut file = pcapng_shb();
    file.extend(pcapng_idb_with(&options(&[(9, &[0])])));
    file.extend(pcapng_epb_full(0, u64::MAX, &tagged(1), 60, &[]));
    file.extend(pcapng_epb_full(0, 5, &tagged(2), 60, &[]));
    let got = ours(&write_scratch("ts-overflow.pcapng", &file));
    assert_eq!(
        (got.code, tags(&got)),
        (Some(0), vec![1, 2]),
        "{}",
        got.stderr
    );
    assert_eq!(column(&got, 1), ["", "5.000000000"]);
    assert!(
        got.stderr
            .contains("byte offset 60: packet 1: its timestamp"),
        "{}",
        got.stderr
    );
}
