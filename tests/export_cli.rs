//! `wirepeek export` from the command line: bad arguments are usage errors
//! with the reason, an unwritable output folder names the path, and an
//! export killed part-way leaves no file under a final name (only a hidden
//! `.NAME.partial`, which DuckDB's and Spark's globs skip).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_wirepeek");

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn capture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(name)
}

fn export(args: &[&str]) -> std::process::Output {
    Command::new(BIN).arg("export").args(args).output().unwrap()
}

#[test]
fn bad_arguments_are_usage_errors_that_say_why() {
    let out = scratch("export-cli-usage");
    let o = out.to_str().unwrap();
    let input = capture("echo-tcp4.pcap");
    let input = input.to_str().unwrap();
    for (args, says) in [
        (vec![input, "-o", o, "-j", "0"], "0 is not in 1..=1024"),
        (vec![input, "-o", o, "--format", "csv"], "csv"),
        (vec![input, "-o", o, "--partition", "minute"], "minute"),
        (vec![input, "-o", o, "--max-flows", "0"], "0"),
        (
            vec![input, "-o", o, "--fields", "ip.srcc"],
            "ip.srcc (did you mean",
        ),
        (
            vec![input, "-o", o, "--fields", "frame.time_delta"],
            "frame.time_epoch",
        ),
        (vec!["-o", o], "INPUT"),
    ] {
        let r = export(&args);
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn unreadable_inputs_and_unwritable_outputs_are_named() {
    let out = scratch("export-cli-io");
    let missing = out.join("no-such.pcap");
    let r = export(&[missing.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no-such.pcap"), "{stderr}");

    // The output "folder" is a file.
    let file = out.join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let input = capture("echo-tcp4.pcap");
    let r = export(&[input.to_str().unwrap(), "-o", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("plain-file"), "{stderr}");
}

#[test]
fn each_written_file_is_listed_with_its_rows_and_no_temporary_file_remains() {
    let out = scratch("export-cli-list");
    let input = capture("echo-udp4.pcap");
    let r = export(&[
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--format",
        "ndjson",
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let listed = String::from_utf8_lossy(&r.stdout);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "conn-echo-udp4.pcap-0-0.ndjson",
            "packets-echo-udp4.pcap-0-0.ndjson"
        ]
    );
    // Six packets (tcpdump -r counts them too), one conversation.
    assert!(
        listed.contains("packets-echo-udp4.pcap-0-0.ndjson\t6"),
        "{listed}"
    );
    assert!(
        listed.contains("conn-echo-udp4.pcap-0-0.ndjson\t1"),
        "{listed}"
    );
    let lines = std::fs::read_to_string(out.join("packets-echo-udp4.pcap-0-0.ndjson")).unwrap();
    assert_eq!(lines.lines().count(), 6);
}

/// A classic pcap of `copies` copies of the records of `template`.
fn big_capture(template: &Path, copies: usize, dest: &Path) {
    let bytes = std::fs::read(template).unwrap();
    let (header, records) = bytes.split_at(24);
    let mut out = Vec::with_capacity(24 + records.len() * copies);
    out.extend_from_slice(header);
    for _ in 0..copies {
        out.extend_from_slice(records);
    }
    std::fs::write(dest, out).unwrap();
}

#[test]
fn an_export_killed_midway_leaves_no_file_under_a_final_name() {
    let out = scratch("export-cli-kill");
    let input = out.join("big.pcap");
    // 14 packets × 40,000: 560,000 packets, several seconds of work.
    big_capture(&capture("echo-tcp4.pcap"), 40_000, &input);
    let dest = out.join("tables");
    let mut child = Command::new(BIN)
        .arg("export")
        .arg(&input)
        .arg("-o")
        .arg(&dest)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the first row group to reach the temporary file.
    let partial = dest.join(".packets-big.pcap-0-0.parquet.partial");
    let started = Instant::now();
    loop {
        let size = std::fs::metadata(&partial).map_or(0, |m| m.len());
        if size > 0 || started.elapsed() > Duration::from_secs(60) {
            break;
        }
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let finished_first = child.try_wait().unwrap().is_some();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !finished_first,
        "the export ended before it could be interrupted"
    );
    assert!(partial.exists(), "the temporary file was being written");
    let finals: Vec<String> = std::fs::read_dir(&dest)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert!(
        finals.is_empty(),
        "final-named files after a kill: {finals:?}"
    );
}
