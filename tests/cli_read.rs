//! `wirepeek read` as a user runs it: output modes on real captures, and
//! every kind of bad input giving a clear one-line error, the right exit
//! code, and every complete packet before a cut.

mod common;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn wirepeek(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args(args)
        .env("TZ", "UTC")
        .output()
        .expect("the wirepeek binary runs")
}

fn corpus_file(name: &str) -> Option<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/captures")
        .join(name);
    p.exists().then(|| p.to_string_lossy().into_owned())
}

fn sample(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wirepeek-cli-read-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn default_output_is_one_tcpdump_style_line_per_packet() {
    let out = wirepeek(&["read", &sample("echo-tcp4.pcap")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 10, "{text}");
    assert!(
        lines[0].contains(": Flags [S], seq "),
        "first line is the SYN: {}",
        lines[0]
    );
    assert!(lines[0].contains("options [mss "), "{}", lines[0]);
    assert!(
        lines[1].contains("Flags [S.]"),
        "second is the SYN-ACK: {}",
        lines[1]
    );
    assert!(
        text.contains("Flags [P.]"),
        "data segments carry PSH: {text}"
    );
    assert!(text.contains("Flags [F.]"), "the teardown is there: {text}");
    // HH:MM:SS.nnnnnnnnn: our own captures have nanosecond timestamps.
    let ts = lines[0].split(' ').next().unwrap_or("");
    assert_eq!(ts.len(), "00:00:00.000000000".len(), "{ts}");
}

#[test]
fn count_link_header_and_relative_time_flags_work_together() {
    let out = wirepeek(&[
        "read",
        &sample("echo-tcp4.pcap"),
        "-c",
        "2",
        "-e",
        "--relative",
    ]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.starts_with("0.000000000 "), "{text}");
    assert!(text.contains("ethertype IPv4 (0x0800)"), "{text}");
}

#[test]
fn vlan_tags_are_shown_with_the_link_header() {
    let Some(file) = corpus_file("vlan-qinqinq.pcap") else {
        common::skip("../shared/corpus is not beside the repository");
        return;
    };
    let text = stdout(&wirepeek(&["read", &file, "-e", "-c", "1"]));
    assert!(
        text.contains("ethertype 802.1Q (0x8100), length 90: vlan 30, p 0"),
        "{text}"
    );
}

#[test]
fn verbose_tree_lists_fields_with_byte_ranges() {
    let out = wirepeek(&["read", &sample("echo-tcp4.pcap"), "-v", "-c", "1"]);
    let text = stdout(&out);
    assert!(text.contains("Ethernet II, bytes [0..14)"), "{text}");
    assert!(
        text.contains("Internet Protocol Version 4, bytes [14..34)"),
        "{text}"
    );
    assert!(
        text.contains("Time to Live: 64  {ip.ttl, bytes 22..23}"),
        "{text}"
    );
    assert!(text.contains("[Header checksum status: Good]"), "{text}");
    assert!(
        text.contains("Syn: 1  {tcp.flags.syn, bytes 47..48, mask 0x2}"),
        "{text}"
    );
}

#[test]
fn hex_dump_marks_each_layer() {
    let text = stdout(&wirepeek(&[
        "read",
        &sample("echo-tcp4.pcap"),
        "-x",
        "-c",
        "1",
    ]));
    assert!(text.contains("-- Ethernet [0..14), 14 bytes"), "{text}");
    assert!(text.contains("-- IPv4 [14..34), 20 bytes"), "{text}");
    assert!(text.contains("-- TCP [34.."), "{text}");
}

#[test]
fn json_lines_parse_and_carry_fields_with_byte_ranges() {
    let out = wirepeek(&["read", &sample("echo-udp4.pcap"), "--json"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let python = Command::new("python3")
        .args([
            "-c",
            "import json,sys\nn=0\nfor line in sys.stdin:\n  p=json.loads(line); n+=1\n  assert p['tuple']['proto']=='udp'\n  f=[x for l in p['layers'] for x in l['fields'] if x['key']=='udp.dstport'][0]\n  assert f['bytes'][1]-f['bytes'][0]==2\nprint(n)",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let Ok(mut python) = python else {
        common::skip("the JSON parse check needs python3, which is not installed");
        return;
    };
    python
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write to python");
    let checked = python.wait_with_output().expect("python runs");
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let n: usize = String::from_utf8_lossy(&checked.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    assert_eq!(n, text.lines().count());
    assert!(n >= 4);
}

#[test]
fn fields_print_a_header_and_empty_cells_for_absent_fields() {
    let text = stdout(&wirepeek(&[
        "read",
        &sample("echo-udp4.pcap"),
        "--fields",
        "frame.number,ip.src,udp.dstport,tcp.srcport",
        "-c",
        "1",
    ]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "frame.number\tip.src\tudp.dstport\ttcp.srcport");
    let cells: Vec<&str> = lines[1].split('\t').collect();
    assert_eq!(cells.len(), 4);
    assert_eq!(cells[0], "1");
    assert_eq!(cells[1], "127.0.0.1");
    assert_eq!(cells[3], "", "UDP packet has no tcp.srcport");
}

#[test]
fn stats_report_protocol_hierarchy_and_duration() {
    let text = stdout(&wirepeek(&["read", &sample("echo-tcp4.pcap"), "--stats"]));
    assert!(text.contains("Protocol hierarchy"), "{text}");
    assert!(text.contains("  Ethernet"), "{text}");
    assert!(text.contains("      TCP"), "{text}");
    assert!(text.contains("Duration:"), "{text}");
    assert!(text.contains("EN10MB (Ethernet)"), "{text}");
}

/// `--stats` keeps the flow table on its own thread (only totals are
/// wanted); a display filter brings it back in line (the filter may ask for
/// `tcp.stream`). Both must reach the same totals on every real capture.
#[test]
fn stats_flow_totals_are_the_same_whether_the_table_runs_on_its_own_thread_or_in_line() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/captures");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        common::skip(&format!("no corpus at {}", dir.display()));
        return;
    };
    let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    files.extend(
        std::fs::read_dir(sample(""))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path()),
    );
    files.retain(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"));
    files.sort();
    let totals = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| {
                l.starts_with("Conversations")
                    || l.starts_with("Endpoints")
                    || l.starts_with("Flow table")
            })
            .map(str::to_owned)
            .collect()
    };
    let mut compared = 0;
    for file in &files {
        let f = file.to_string_lossy();
        let threaded = wirepeek(&["read", &f, "--stats"]);
        let inline = wirepeek(&["read", &f, "--stats", "-Y", "frame"]);
        if !threaded.status.success() {
            continue; // not a capture we read (the corpus has a few)
        }
        let (a, b) = (totals(&stdout(&threaded)), totals(&stdout(&inline)));
        assert_eq!(a.len(), 3, "{f}: {}", stdout(&threaded));
        assert_eq!(a, b, "{f}");
        compared += 1;
    }
    assert!(compared >= 8, "only {compared} captures compared");
    eprintln!("{compared} captures: the same flow totals both ways");
}

/// A capture piped in by a program that keeps writing (`tcpdump -U -w - |
/// wirepeek read -`): each packet prints as soon as it is there, not when
/// the pipe closes.
#[test]
fn packets_piped_in_print_as_they_arrive_while_the_pipe_stays_open() {
    use std::io::{BufRead, BufReader};
    let bytes = std::fs::read(sample("echo-tcp4.pcap")).expect("sample");
    let first_len = u32::from_le_bytes(bytes[32..36].try_into().expect("4 bytes")) as usize;
    let (first, rest) = bytes.split_at(24 + 16 + first_len);
    let mut child = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args(["read", "-"])
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("wirepeek runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(first)
        .expect("write the header and one packet");
    stdin.flush().expect("flush");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let lines = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let line = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the first packet printed while the pipe is still open");
    assert!(line.contains("Flags [S]"), "{line}");
    stdin.write_all(rest).expect("the other packets");
    drop(stdin);
    let status = child.wait().expect("wirepeek ends when the pipe closes");
    assert!(status.success());
    lines.join().expect("reader thread");
    assert_eq!(rx.iter().count(), 13, "the other 13 packets follow");
}

#[test]
fn standard_input_is_read_with_a_dash() {
    let bytes = std::fs::read(sample("echo-udp4.pcap")).expect("sample exists");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args(["read", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&bytes)
        .expect("write");
    let out = child.wait_with_output().expect("finishes");
    assert!(out.status.success());
    assert!(stdout(&out).contains("UDP, length"));
}

#[test]
fn a_missing_file_is_a_one_line_error_with_exit_code_1() {
    let out = wirepeek(&["read", "/nonexistent/capture.pcap"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("/nonexistent/capture.pcap") && err.contains("No such file"),
        "{err}"
    );
}

#[test]
fn a_file_that_is_not_a_capture_names_its_first_bytes() {
    let path = scratch("notes.txt");
    std::fs::write(&path, b"hello, this is text\n").expect("write");
    let out = wirepeek(&["read", &path.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("not a pcap or pcapng file") && err.contains("68 65 6c 6c 6f"),
        "{err}"
    );
}

#[test]
fn empty_files_directories_and_dev_zero_are_clear_errors() {
    let empty = scratch("empty.pcap");
    std::fs::write(&empty, b"").expect("write");
    let out = wirepeek(&["read", &empty.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is empty"), "{}", stderr(&out));

    let out = wirepeek(&["read", &std::env::temp_dir().to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));

    let out = wirepeek(&["read", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("00 00 00 00"), "{}", stderr(&out));
}

#[test]
fn a_file_cut_mid_record_yields_every_whole_packet_then_a_warning() {
    let bytes = std::fs::read(sample("echo-tcp4.pcap")).expect("sample exists");
    let whole = stdout(&wirepeek(&["read", &sample("echo-tcp4.pcap")]));
    let total = whole.lines().count();
    // Cut 10 bytes into the last record's data.
    let cut = scratch("cut.pcap");
    std::fs::write(&cut, &bytes[..bytes.len() - 10]).expect("write");
    let out = wirepeek(&["read", &cut.to_string_lossy()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a truncated file is not a failure"
    );
    assert_eq!(stdout(&out).lines().count(), total - 1);
    let err = stderr(&out);
    assert!(
        err.contains("warning") && err.contains("byte offset"),
        "{err}"
    );
}

#[test]
fn a_capture_cut_at_every_byte_offset_reads_without_panicking() {
    let bytes = std::fs::read(sample("echo-udp4.pcap")).expect("sample exists");
    let cut = scratch("every-cut.pcap");
    let mut previous = 0;
    for len in 0..=bytes.len() {
        std::fs::write(&cut, &bytes[..len]).expect("write");
        let out = wirepeek(&["read", &cut.to_string_lossy()]);
        let code = out.status.code();
        assert!(
            code == Some(0) || code == Some(1),
            "cut at {len}: {code:?} {}",
            stderr(&out)
        );
        let n = stdout(&out).lines().count();
        assert!(n >= previous, "a longer prefix never yields fewer packets");
        previous = n;
    }
}

#[test]
fn unknown_flags_are_usage_errors_with_exit_code_2() {
    let out = wirepeek(&["read", "--no-such-flag", "x.pcap"]);
    assert_eq!(out.status.code(), Some(2));
    let out = wirepeek(&["read", &sample("echo-tcp4.pcap"), "--json", "--stats"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn malformed_packets_say_where_and_why_they_stop() {
    let Some(file) = corpus_file("ipv4_invalid_hdr_length.pcap") else {
        common::skip("../shared/corpus is not beside the repository");
        return;
    };
    let out = wirepeek(&["read", &file, "-v"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("less than the minimum of 20"), "{text}");
}

#[test]
fn unsupported_link_types_are_a_per_frame_note_not_an_abort() {
    // A pcap header with link type 147 (user-defined) and one record.
    let mut file = vec![
        0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 147, 0, 0, 0,
    ];
    file.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 1, 2, 3, 4]);
    let path = scratch("linktype147.pcap");
    std::fs::write(&path, &file).expect("write");
    let out = wirepeek(&["read", &path.to_string_lossy()]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("unsupported link type 147"),
        "{}",
        stdout(&out)
    );
}

/// Issue 15: `capture --duration inf` panicked (exit 101) after the socket
/// was open, and `-c 0`, `--max-flows 0`, `--fields ''` or a 100 GB `-B`
/// were accepted. Every one is now a usage error before anything opens, so
/// this needs no privilege.
#[test]
fn numeric_flags_are_validated_before_anything_opens() {
    let tcp = sample("echo-tcp4.pcap");
    let cases: &[(&[&str], &str)] = &[
        (
            &["capture", "-i", "lo", "--duration", "inf"],
            "positive number of seconds",
        ),
        (
            &["capture", "-i", "lo", "--duration", "-1"],
            "positive number of seconds",
        ),
        (
            &["capture", "-i", "lo", "--duration", "0"],
            "positive number of seconds",
        ),
        (
            &["capture", "-i", "lo", "-B", "100000000"],
            "half of this machine's memory",
        ),
        (&["capture", "-i", "lo", "-B", "0"], "at least 1 MiB"),
        (&["capture", "-i", "lo", "-s", "300000"], "snapshot length"),
        (&["read", &tcp, "-c", "0"], "at least 1"),
        (&["read", &tcp, "--max-flows", "0"], "--max-flows"),
        (
            &["read", &tcp, "--flow-timeout", "nan"],
            "positive number of seconds",
        ),
        (&["read", &tcp, "--fields", ""], "empty field name"),
        (
            &["read", &tcp, "--fields", "ip.src,,ip.dst"],
            "empty field name",
        ),
        (&["flows", &tcp, "-c", "0"], "at least 1"),
        (&["explain", &tcp, "-n", "0"], "--frame"),
        (
            &["tui", &tcp, "--replay", "--speed", "0"],
            "--speed must be a positive number",
        ),
    ];
    for (args, says) in cases {
        let out = wirepeek(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(says),
            "{args:?} should say {says:?}: {}",
            stderr(&out)
        );
    }
}

/// Issue 14: a flag that the chosen output mode would ignore is refused,
/// not silently dropped.
#[test]
fn output_modes_that_ignore_a_flag_are_usage_errors() {
    let tcp = sample("echo-tcp4.pcap");
    for extra in [
        &["--stats", "-v"][..],
        &["--json", "-v"],
        &["-e", "--json"],
        &["--explain", "-x"],
        &["--fields", "ip.src", "-x"],
    ] {
        let mut args = vec!["read", tcp.as_str()];
        args.extend_from_slice(extra);
        let out = wirepeek(&args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("cannot be used with"),
            "{extra:?}: {}",
            stderr(&out)
        );
    }
}

/// Issue 14: tcpdump's reflexes. `-t` to `-tttt`, `-q` and `-A` print what
/// `tcpdump -n` prints on the same file (times cut to tcpdump's
/// microseconds, since wirepeek prints the file's nanoseconds), and `-nn`,
/// `-vv`, `-xx`, `-X` and tshark's `-V` are accepted instead of being
/// "used multiple times" or read as filter words.
#[test]
fn tcpdump_time_quick_and_ascii_flags_print_what_tcpdump_prints() {
    let has_tcpdump = Command::new("tcpdump")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    for flags in [&["-nn", "-vv"][..], &["-xx"], &["-X"], &["-V"], &["-l"]] {
        let mut args = vec!["read".to_string(), sample("echo-tcp4.pcap")];
        args.extend(flags.iter().map(|f| f.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = wirepeek(&args);
        assert!(out.status.success(), "{flags:?}: {}", stderr(&out));
    }
    if !has_tcpdump {
        common::skip("tcpdump is not installed: the line comparison needs it");
        return;
    }
    let micros = |line: &str| -> String {
        // HH:MM:SS.fffffffff or SECS.fffffffff → six digits, as tcpdump.
        let mut out = String::new();
        let mut digits_after_dot = None;
        for (i, c) in line.char_indices() {
            if c == ' ' && i > 0 && digits_after_dot.is_some() {
                out.push_str(&line[i..]);
                return out;
            }
            match digits_after_dot {
                Some(n) if n >= 6 => {}
                Some(n) => {
                    out.push(c);
                    digits_after_dot = Some(n + 1);
                }
                None => {
                    out.push(c);
                    if c == '.' {
                        digits_after_dot = Some(0);
                    }
                }
            }
        }
        out
    };
    for file in [
        "echo-tcp4.pcap",
        "echo-udp6.pcap",
        "icmp-port-unreachable.pcap",
    ] {
        let path = sample(file);
        for flags in [
            &["-t"][..],
            &["-tt"],
            &["-tttt"],
            &["-q"],
            &["-A"],
            &["-q", "-t"],
        ] {
            let mut ours = vec!["read", path.as_str()];
            ours.extend_from_slice(flags);
            let ours = stdout(&wirepeek(&ours));
            let theirs = Command::new("tcpdump")
                .args(["-n", "-r", &path])
                .args(flags)
                .env("TZ", "UTC")
                .output()
                .expect("tcpdump runs");
            let theirs = String::from_utf8_lossy(&theirs.stdout).into_owned();
            let packet_lines = |text: &str| -> Vec<String> {
                text.lines()
                    .map(|l| {
                        if flags.contains(&"-A") {
                            l.to_string()
                        } else {
                            micros(l)
                        }
                    })
                    .collect()
            };
            let (ours, theirs) = if flags.contains(&"-t") || flags.contains(&"-A") {
                (
                    ours.lines().map(str::to_string).collect(),
                    theirs.lines().map(str::to_string).collect(),
                )
            } else {
                (packet_lines(&ours), packet_lines(&theirs))
            };
            let ours: Vec<String> = if flags.contains(&"-A") {
                // Packet lines carry the time; compare the ASCII lines whole.
                ours.iter().map(|l| micros_if_timed(l, &micros)).collect()
            } else {
                ours
            };
            let theirs: Vec<String> = if flags.contains(&"-A") {
                theirs.iter().map(|l| micros_if_timed(l, &micros)).collect()
            } else {
                theirs
            };
            assert!(
                !theirs.is_empty(),
                "tcpdump printed nothing for {file} {flags:?}"
            );
            assert_eq!(ours, theirs, "{file} {flags:?}");
        }
    }
}

/// A packet line of `-A` output starts with a time of day; its ASCII lines
/// do not.
fn micros_if_timed(line: &str, micros: &dyn Fn(&str) -> String) -> String {
    let timed = line.len() > 9 && line.as_bytes()[2] == b':' && line.as_bytes()[5] == b':';
    if timed {
        micros(line)
    } else {
        line.to_string()
    }
}

/// Issue 14/21: `read IN -w OUT EXPR` saves exactly the packets the filter
/// keeps (tshark reads the file back when it is here), `-r FILE` works as
/// in tcpdump, with or without the `read` word, and `-T fields` names the
/// wirepeek equivalent.
#[test]
fn read_w_saves_the_selected_packets_and_r_names_the_input() {
    let input = sample("echo-tcp4.pcap");
    let out = scratch("syn-only.pcap");
    let out_s = out.to_string_lossy().into_owned();
    let saved = wirepeek(&["read", &input, "-w", &out_s, "tcp[tcpflags] & tcp-syn != 0"]);
    assert!(saved.status.success(), "{}", stderr(&saved));
    let lines = stdout(&wirepeek(&["read", &out_s]));
    assert_eq!(lines.lines().count(), 2, "SYN and SYN-ACK: {lines}");
    assert!(lines.lines().all(|l| l.contains("Flags [S")), "{lines}");
    // The same selection through -r, with and without `read`.
    let via_r = stdout(&wirepeek(&[
        "read",
        "-r",
        &input,
        "tcp[tcpflags]",
        "&",
        "tcp-syn",
        "!=",
        "0",
    ]));
    let bare_r = stdout(&wirepeek(&["-r", &input, "tcp[tcpflags] & tcp-syn != 0"]));
    assert_eq!(via_r, bare_r);
    let originals: Vec<&str> = via_r.lines().collect();
    assert_eq!(originals, lines.lines().collect::<Vec<_>>());
    // Flags after the file and after the expression are flags.
    let counted = stdout(&wirepeek(&["read", &input, "tcp", "-c", "1"]));
    assert_eq!(counted.lines().count(), 1, "{counted}");
    // -s cuts what is saved; the wire length is kept.
    let cut = scratch("cut.pcapng");
    let cut_s = cut.to_string_lossy().into_owned();
    let saved = wirepeek(&["read", &input, "-s", "40", "-w", &cut_s, "--pcapng"]);
    assert!(saved.status.success(), "{}", stderr(&saved));
    let json = stdout(&wirepeek(&["read", &cut_s, "--json", "-c", "1"]));
    assert!(json.contains("\"len\":74,\"cap_len\":40"), "{json}");
    let tshark = wirepeek(&["read", &input, "-T", "fields", "-e", "ip.src"]);
    assert_eq!(tshark.status.code(), Some(2));
    assert!(stderr(&tshark).contains("--fields"), "{}", stderr(&tshark));
}

/// Issues 13 and 14: `-Y` accepts every key `--fields` accepts and the
/// other way round, for every key the decoder emits on the bundled
/// captures (and the generated flow fields); an unknown name is an error in
/// both, naming close matches.
#[test]
fn every_emitted_key_works_in_fields_and_in_display_filters() {
    let mut keys = std::collections::BTreeSet::new();
    for name in [
        "echo-tcp4.pcap",
        "echo-udp6.pcap",
        "arp-request-reply.pcap",
        "icmp-port-unreachable.pcap",
    ] {
        let json = stdout(&wirepeek(&["read", &sample(name), "--json"]));
        for chunk in json.split("\"key\":\"").skip(1) {
            keys.insert(chunk.split('"').next().unwrap().to_string());
        }
    }
    assert!(keys.len() > 60, "{keys:?}");
    for key in ["tcp.stream", "tcp.seq", "tcp.ack", "udp.stream"] {
        keys.insert(key.to_string());
    }
    let tcp = sample("echo-tcp4.pcap");
    for key in &keys {
        let fields = wirepeek(&["read", &tcp, "--fields", key, "-c", "1"]);
        assert!(
            fields.status.success(),
            "--fields {key}: {}",
            stderr(&fields)
        );
        let filter = wirepeek(&["read", &tcp, "-Y", key, "-c", "1"]);
        assert!(filter.status.success(), "-Y {key}: {}", stderr(&filter));
    }
    let fields = wirepeek(&["read", &tcp, "--fields", "ip.srcc"]);
    assert_eq!(fields.status.code(), Some(2));
    assert!(stderr(&fields).contains("Some fields aren't valid: ip.srcc (did you mean ip.src"));
    let filter = wirepeek(&["read", &tcp, "-Y", "ip.srcc"]);
    assert_eq!(filter.status.code(), Some(2));
    assert!(stderr(&filter).contains("did you mean 'ip.src'"));
    // tshark's -E occurrence=: all by default, first, last or the Nth.
    let kinds = |occ: &[&str]| {
        let mut args = vec![
            "read",
            tcp.as_str(),
            "--fields",
            "tcp.option_kind",
            "-c",
            "1",
        ];
        args.extend_from_slice(occ);
        stdout(&wirepeek(&args))
            .lines()
            .nth(1)
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(kinds(&[]), "2,4,8,1,3");
    assert_eq!(kinds(&["--occurrence", "f"]), "2");
    assert_eq!(kinds(&["--occurrence", "l"]), "3");
    assert_eq!(kinds(&["--occurrence", "3"]), "8");
    assert_eq!(
        wirepeek(&["read", &tcp, "--fields", "ip.src", "--occurrence", "x"])
            .status
            .code(),
        Some(2)
    );
}
