//! Memory that does not grow with the input: `flows --max-flows N` keeps at
//! most N conversations and sums the evicted ones, and `explain -n N` keeps
//! frame N and its conversation, not the whole capture. Captures are built
//! here as pcap bytes; peak RSS is measured with `/usr/bin/time -f %M`
//! (skipped where it is absent).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn wirepeek() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wirepeek"))
}

/// A classic pcap file (microseconds, Ethernet) of the given frames, each
/// `(seconds, bytes)`.
fn pcap(frames: impl Iterator<Item = (u32, Vec<u8>)>) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&4u16.to_le_bytes());
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&65535u32.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes());
    for (secs, f) in frames {
        b.extend_from_slice(&secs.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&(f.len() as u32).to_le_bytes());
        b.extend_from_slice(&(f.len() as u32).to_le_bytes());
        b.extend_from_slice(&f);
    }
    b
}

/// An Ethernet/IPv4/UDP frame with a 4-byte payload (46 bytes).
fn udp(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16) -> Vec<u8> {
    let mut b = vec![0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00];
    b.extend_from_slice(&[0x45, 0, 0, 32, 0, 0, 0x40, 0, 64, 17, 0, 0]);
    b.extend_from_slice(&src);
    b.extend_from_slice(&dst);
    b.extend_from_slice(&sport.to_be_bytes());
    b.extend_from_slice(&dport.to_be_bytes());
    b.extend_from_slice(&[0, 12, 0, 0]);
    b.extend_from_slice(b"ping");
    b
}

/// Conversation `i`'s endpoints: 10.0.{i / 50,000}.2 port 1024 + i mod
/// 50,000, talking to 10.0.0.1:9000.
fn client(i: u32) -> ([u8; 4], u16) {
    ([10, 0, (i / 50_000) as u8, 2], 1024 + (i % 50_000) as u16)
}

/// `packets` frames over `conversations` UDP conversations, two frames
/// (a datagram and its answer) per conversation in turn.
fn udp_capture(name: &str, packets: u32, conversations: u32) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let server = ([10, 0, 0, 1], 9000);
    let frames = (0..packets).map(|n| {
        let (c, port) = client((n / 2) % conversations);
        let f = if n % 2 == 0 {
            udp(c, port, server.0, server.1)
        } else {
            udp(server.0, server.1, c, port)
        };
        (n / 100, f)
    });
    std::fs::write(&path, pcap(frames)).expect("write the capture");
    path
}

/// Run wirepeek under `/usr/bin/time`: its output and its peak RSS in KB.
fn measured(args: &[&str]) -> Option<(Output, u64)> {
    if !Path::new("/usr/bin/time").exists() {
        return None;
    }
    let out = Command::new("/usr/bin/time")
        .args(["-f", "peak-rss-kb %M"])
        .arg(env!("CARGO_BIN_EXE_wirepeek"))
        .args(args)
        .output()
        .expect("run /usr/bin/time wirepeek");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kb = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("peak-rss-kb "))
        .and_then(|v| v.trim().parse().ok())
        .expect("/usr/bin/time printed the peak RSS");
    Some((out, kb))
}

#[test]
fn flows_max_flows_kept_every_evicted_conversation_now_lists_at_most_max_and_sums_the_rest() {
    let file = udp_capture("memory-bounds-flows.pcap", 200_000, 100_000);
    let file = file.to_str().expect("UTF-8 path");
    let Some((bounded, bounded_kb)) = measured(&["flows", file, "--max-flows", "1000"]) else {
        common::skip("/usr/bin/time is not installed");
        return;
    };
    assert!(bounded.status.success(), "{bounded:?}");
    let (unbounded, unbounded_kb) =
        measured(&["flows", file, "--max-flows", "200000"]).expect("/usr/bin/time ran once");
    assert!(unbounded.status.success(), "{unbounded:?}");
    let text = String::from_utf8(bounded.stdout).expect("UTF-8");
    let rows = text.lines().filter(|l| l.starts_with("udp ")).count();
    assert_eq!(rows, 1000, "{}", &text[text.len().saturating_sub(2000)..]);
    // 99,000 evicted conversations of two 46-byte frames each.
    let summary = "… and 99000 more conversations evicted when the table was full (198000 packets, 9108000 bytes; 0 TCP, 99000 UDP, 0 ICMP echo), not listed: raise --max-flows to list them";
    assert!(
        text.lines().any(|l| l == summary),
        "no summary line in {}",
        &text[text.len().saturating_sub(800)..]
    );
    assert!(text.contains("99000 evicted when full"), "{text}");
    let all = String::from_utf8(unbounded.stdout).expect("UTF-8");
    assert_eq!(
        all.lines().filter(|l| l.starts_with("udp ")).count(),
        100_000
    );
    // 99,000 conversations are about 20 MB of records; the bounded run
    // must not hold them.
    eprintln!("flows --max-flows 1000: {bounded_kb} KB; --max-flows 200000: {unbounded_kb} KB");
    assert!(
        bounded_kb + 10_000 < unbounded_kb,
        "--max-flows 1000 peaked at {bounded_kb} KB, the unbounded run at {unbounded_kb} KB"
    );

    // The JSON listing ends with the same summary as an object of its own.
    let json = wirepeek()
        .args(["flows", "--json", file, "--max-flows", "1000"])
        .output()
        .expect("run wirepeek flows --json");
    let json = String::from_utf8(json.stdout).expect("UTF-8");
    assert_eq!(
        json.lines()
            .filter(|l| l.contains("\"proto\":\"udp\""))
            .count(),
        1000
    );
    assert_eq!(
        json.lines().last(),
        Some(
            r#"{"unlisted":{"conversations":99000,"evicted":99000,"packets":198000,"bytes":9108000,"tcp":0,"udp":99000,"icmp":0}}"#
        )
    );
}

#[test]
fn explain_n_1_decoded_and_kept_every_packet_now_its_rss_does_not_grow_with_the_file() {
    let small = udp_capture("memory-bounds-explain-10k.pcap", 10_000, 5_000);
    let large = udp_capture("memory-bounds-explain-200k.pcap", 200_000, 100_000);
    let run = |file: &Path| measured(&["explain", file.to_str().expect("UTF-8"), "-n", "1"]);
    let Some((small_out, small_kb)) = run(&small) else {
        common::skip("/usr/bin/time is not installed");
        return;
    };
    let (large_out, large_kb) = run(&large).expect("/usr/bin/time ran once");
    assert!(small_out.status.success() && large_out.status.success());
    // The lesson is the same: frame 1 is packet 1 of its two.
    assert_eq!(small_out.stdout, large_out.stdout);
    let text = String::from_utf8(large_out.stdout).expect("UTF-8");
    assert!(
        text.contains("packet 1 of 2 in this conversation"),
        "{text}"
    );
    // Decoding and keeping 200,000 packets took gigabytes; now the two
    // runs differ by less than 3 MB.
    eprintln!("explain -n 1: 10k packets {small_kb} KB, 200k packets {large_kb} KB");
    assert!(
        large_kb < small_kb + 3_000,
        "200k packets peaked at {large_kb} KB, 10k at {small_kb} KB"
    );
}

#[test]
fn explain_read_the_whole_file_for_a_frame_in_no_conversation_now_stops_there() {
    // An ARP request, then a record the file cuts short: reading on would
    // hit it and warn.
    let mut arp = vec![0xff; 6];
    arp.extend_from_slice(&[0, 0, 0, 0, 0, 2, 0x08, 0x06]);
    arp.extend_from_slice(&[0, 1, 0x08, 0, 6, 4, 0, 1, 0, 0, 0, 0, 0, 2, 10, 0, 0, 2]);
    arp.extend_from_slice(&[0, 0, 0, 0, 0, 0, 10, 0, 0, 1]);
    let mut bytes = pcap([(0, arp)].into_iter());
    bytes.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 100, 0, 0, 0, 1, 2, 3]);
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("memory-bounds-arp-then-cut.pcap");
    std::fs::write(&path, bytes).expect("write the capture");
    let out = wirepeek()
        .args([
            "explain",
            path.to_str().expect("UTF-8"),
            "-n",
            "1",
            "--color",
            "never",
        ])
        .output()
        .expect("run wirepeek explain");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("ARP"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("warning"), "read past frame 1: {stderr}");
    // Reading to the end (-n 2, which is not there) does meet the cut record.
    let out = wirepeek()
        .args(["explain", path.to_str().expect("UTF-8"), "-n", "2"])
        .output()
        .expect("run wirepeek explain");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning") && stderr.contains("holds 1 frames"),
        "{stderr}"
    );
}

#[test]
fn explain_of_a_conversation_longer_than_its_cap_tells_the_first_frames_and_says_so() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("memory-bounds-long-conversation.pcap");
    let frames = (0..12_000u32).map(|n| (n / 100, udp([10, 0, 0, 2], 5000, [10, 0, 0, 1], 9000)));
    std::fs::write(&path, pcap(frames)).expect("write the capture");
    let out = wirepeek()
        .args([
            "explain",
            path.to_str().expect("UTF-8"),
            "--conversation",
            "--color",
            "never",
        ])
        .output()
        .expect("run wirepeek explain");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| l.ends_with(", 10000 packets")),
        "{}",
        text.lines().next().unwrap_or("")
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a conversation of 12000 frames, longer than explain keeps (10000 frames or 32 MiB); the story covers the first 10000"),
        "{stderr}"
    );
    // A lesson past the cap says its place is told from the packet alone.
    let out = wirepeek()
        .args([
            "explain",
            path.to_str().expect("UTF-8"),
            "-n",
            "11000",
            "--color",
            "never",
        ])
        .output()
        .expect("run wirepeek explain");
    assert!(out.status.success(), "{out:?}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("in this conversation"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("frame 11000 is packet 11000 of"));
}

#[test]
fn explain_from_a_pipe_places_frame_n_in_its_conversation_like_from_the_file() {
    // From stdin the frames before N cannot be read again: they are held.
    let path = udp_capture("memory-bounds-pipe.pcap", 2_000, 300);
    let args = ["-n", "1203", "--color", "never"];
    let from_file = wirepeek()
        .arg("explain")
        .arg(&path)
        .args(args)
        .output()
        .expect("run wirepeek explain");
    assert!(from_file.status.success(), "{from_file:?}");
    let mut child = wirepeek()
        .args(["explain", "-"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start wirepeek explain -");
    let bytes = std::fs::read(&path).expect("read the capture");
    let mut stdin = child.stdin.take().expect("stdin");
    // Explain may stop reading once it has what it needs.
    let _ = stdin.write_all(&bytes);
    drop(stdin);
    let from_pipe = child.wait_with_output().expect("wirepeek explain - ends");
    assert!(from_pipe.status.success(), "{from_pipe:?}");
    let text = String::from_utf8(from_file.stdout).expect("UTF-8");
    // Frame 1203 is in conversation 601 mod 300 = 1: frames 3, 4, 603,
    // 604, 1203, 1204, 1803 and 1804.
    assert!(
        text.contains("packet 5 of 8 in this conversation"),
        "{text}"
    );
    assert_eq!(String::from_utf8(from_pipe.stdout).expect("UTF-8"), text);

    // A named pipe cannot be read twice either (reopening it would read on
    // from where the first pass stopped).
    let fifo = Path::new(env!("CARGO_TARGET_TMPDIR")).join("memory-bounds-pipe.fifo");
    let _ = std::fs::remove_file(&fifo);
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        common::skip("mkfifo did not make a named pipe");
        return;
    }
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            // Blocks until wirepeek opens the pipe; it may stop reading early.
            if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&fifo) {
                let _ = f.write_all(&bytes);
            }
        })
    };
    let from_fifo = wirepeek()
        .arg("explain")
        .arg(&fifo)
        .args(args)
        .output()
        .expect("run wirepeek explain on a FIFO");
    // Should wirepeek never have opened the pipe, a reader of our own
    // unblocks the writer (a non-blocking open never waits).
    {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo);
    }
    writer.join().expect("the FIFO writer ends");
    let _ = std::fs::remove_file(&fifo);
    assert!(from_fifo.status.success(), "{from_fifo:?}");
    assert_eq!(String::from_utf8(from_fifo.stdout).expect("UTF-8"), text);
}

#[test]
fn explain_of_a_conversation_of_jumbo_frames_keeps_at_most_its_byte_cap() {
    // 600 datagrams of 65,042 bytes (39 MB): ten thousand of them would be
    // 650 MB held; the story stops at 32 MiB, 515 frames.
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("memory-bounds-jumbo.pcap");
    let jumbo = || {
        let mut f = udp([10, 0, 0, 2], 5000, [10, 0, 0, 1], 9000);
        f.truncate(42);
        f[16..18].copy_from_slice(&65028u16.to_be_bytes());
        f[38..40].copy_from_slice(&65008u16.to_be_bytes());
        f.resize(65_042, b'x');
        f
    };
    let frames = (0..600u32).map(|n| (n, jumbo()));
    std::fs::write(&path, pcap(frames)).expect("write the capture");
    let out = wirepeek()
        .args(["explain", path.to_str().expect("UTF-8"), "--conversation"])
        .args(["--color", "never"])
        .output()
        .expect("run wirepeek explain");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or("");
    assert!(first.ends_with(", 515 packets"), "{first}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a conversation of 600 frames, longer than explain keeps (10000 frames or 32 MiB); the story covers the first 515"),
        "{stderr}"
    );
}

#[test]
fn capture_flows_kept_every_evicted_conversation_of_a_live_capture_now_sums_them() {
    if !common::root_or_skip("live capture on lo needs root") {
        return;
    }
    use std::io::{BufRead, BufReader};
    use std::net::UdpSocket;
    use std::time::{Duration, Instant};
    // Loopback only: 20,000 datagrams from one socket to 127.1.x.y:9, each
    // its own conversation, captured by a filter on the socket's port.
    const SENT: u32 = 20_000;
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a loopback socket");
    let port = socket.local_addr().expect("local address").port();
    let mut child = wirepeek()
        .args(["capture", "-i", "lo", "-w", "/dev/null", "--flows"])
        .args([
            "--max-flows",
            "100",
            "-c",
            &SENT.to_string(),
            "--duration",
            "20",
        ])
        .args(["udp", "and", "src", "port", &port.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wirepeek capture");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    stderr
        .read_line(&mut line)
        .expect("read the capture's first line");
    assert!(line.contains("listening on lo"), "{line}");
    let start = Instant::now();
    for i in 0..SENT {
        if start.elapsed() > Duration::from_secs(15) {
            break;
        }
        let to = format!("127.1.{}.{}:9", i >> 8 & 255, i & 255);
        let _ = socket.send_to(b"ping", to.as_str());
        if i % 1000 == 999 {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("read stderr");
    let out = child.wait_with_output().expect("wirepeek capture ends");
    assert!(out.status.success(), "{rest}");
    let captured: u64 = rest
        .lines()
        .find_map(|l| l.split_once(" packets captured"))
        .and_then(|(n, _)| n.parse().ok())
        .expect("the closing counts");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let rows = text.lines().filter(|l| l.starts_with("udp ")).count() as u64;
    assert!(rows <= 100, "{rows} conversations listed");
    let evicted = captured - rows;
    let summary = format!(
        "… and {evicted} more conversations evicted when the table was full ({evicted} packets, {} bytes; 0 TCP, {evicted} UDP, 0 ICMP echo), not listed: raise --max-flows to list them",
        evicted * 46
    );
    assert!(
        evicted == 0 || text.lines().any(|l| l == summary),
        "no `{summary}` in {}",
        &text[text.len().saturating_sub(600)..]
    );
    assert!(
        captured > 1000,
        "only {captured} of {SENT} datagrams captured"
    );
}

/// The first fragment (MF set, offset 0) of datagram `i`, 200 payload
/// bytes, each from its own source so no two share a reassembly key.
fn first_fragment(i: u32) -> Vec<u8> {
    let mut b = vec![0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00];
    b.extend_from_slice(&[
        0x45,
        0,
        0,
        220,
        (i >> 8) as u8,
        i as u8,
        0x20,
        0,
        64,
        17,
        0,
        0,
    ]);
    b.extend_from_slice(&[10, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
    b.extend_from_slice(&[10, 255, 0, 1]);
    b.extend_from_slice(&[0x5a; 200]);
    b
}

#[test]
fn fragments_of_datagrams_that_never_complete_stay_within_the_fragment_bound_and_are_counted() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("memory-bounds-fragments.pcap");
    let n = 200_000u32;
    std::fs::write(&path, pcap((0..n).map(|i| (i / 1000, first_fragment(i))))).expect("write");
    let file = path.to_str().expect("UTF-8 path");
    let common_args = [
        "read",
        file,
        "--stats",
        "--max-fragment-datagrams",
        "1000000",
    ];
    let bounded_args = [&common_args[..], &["--max-fragment-bytes", "2M"]].concat();
    let Some((bounded, bounded_kb)) = measured(&bounded_args) else {
        common::skip("/usr/bin/time is not installed");
        return;
    };
    assert!(bounded.status.success(), "{bounded:?}");
    let unbounded_args = [&common_args[..], &["--max-fragment-bytes", "1G"]].concat();
    let (unbounded, unbounded_kb) = measured(&unbounded_args).expect("/usr/bin/time ran once");
    assert!(unbounded.status.success(), "{unbounded:?}");
    // Each held piece counts its 200 bytes and 320 of overhead: 2 MiB
    // holds 4,032 of them, so 195,968 datagrams are dropped, and said.
    let said = String::from_utf8_lossy(&bounded.stderr);
    assert!(
        said.contains(
            "IP reassembly: 195968 incomplete datagrams (195968 fragments, 39193600 bytes) dropped"
        ),
        "{said}"
    );
    assert!(
        !String::from_utf8_lossy(&unbounded.stderr).contains("IP reassembly"),
        "nothing is dropped under 1G"
    );
    // The unbounded run holds 200,000 pieces (about 53 MB); the bounded
    // one 2 MiB.
    eprintln!("fragments --max-fragment-bytes 2M: {bounded_kb} KB; 1G: {unbounded_kb} KB");
    assert!(
        bounded_kb + 30_000 < unbounded_kb,
        "2M peaked at {bounded_kb} KB, 1G at {unbounded_kb} KB"
    );
}
