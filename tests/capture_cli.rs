//! `wirepeek capture` and `wirepeek demo` as a user runs them, on real
//! loopback traffic. Needs root (CI runs as root); without it each test says
//! why it skips. Traffic goes to 127.0.0.1 / ::1 only, bounded in count.

mod common;
use std::net::UdpSocket;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};
use wirepeek::decode::{Proto, decode};
use wirepeek::frame::FrameRecord;

/// True as root; otherwise says why the test skips.
fn root_or_skip() -> bool {
    common::root_or_skip("capture needs root (CAP_NET_RAW); CI runs as root")
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wirepeek"))
}

fn scratch(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("wirepeek-capture-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name).to_string_lossy().into_owned()
}

fn read_frames(path: &str) -> Vec<FrameRecord> {
    let mut source = FileSource::open(path).expect("a capture we wrote opens");
    let mut frames = Vec::new();
    loop {
        match source.next_frame().expect("reads") {
            Next::Frame(f) => frames.push(f),
            Next::Idle => {}
            Next::End { warning } => {
                assert!(warning.is_none(), "{path}: {warning:?}");
                return frames;
            }
        }
    }
}

/// Wait until the capture process says it is listening (it prints that on
/// stderr before the first packet); the handle yields the rest of stderr.
fn wait_listening(child: &mut Child) -> std::thread::JoinHandle<String> {
    use std::io::Read;
    let mut err = child.stderr.take().expect("stderr piped");
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut byte = [0u8; 1];
    while Instant::now() < deadline {
        match err.read(&mut byte) {
            Ok(1) => {
                seen.push(byte[0]);
                if seen.ends_with(b"bytes\n") {
                    break;
                }
            }
            _ => break,
        }
    }
    // Keep draining stderr in the background so the child never blocks.
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = err.read_to_string(&mut rest);
        rest
    })
}

/// Start `wirepeek capture ARGS` with stderr piped, and wait until it
/// listens; the handle yields the rest of its stderr.
fn start_capture(args: &[&str], stdout: Stdio) -> (Child, std::thread::JoinHandle<String>) {
    let mut child = bin()
        .arg("capture")
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let stderr = wait_listening(&mut child);
    (child, stderr)
}

fn send_udp(port: u16, count: usize) {
    let sock = UdpSocket::bind("127.0.0.1:0").expect("bind");
    for i in 0..count {
        sock.send_to(
            format!("wirepeek test datagram {i}").as_bytes(),
            ("127.0.0.1", port),
        )
        .expect("send");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn udp_to_port(frames: &[FrameRecord], port: u16) -> Vec<String> {
    frames
        .iter()
        .filter_map(|f| {
            let d = decode(f);
            let t = d.tuple?;
            (t.protocol == 17 && t.dst_port == port).then(|| {
                let p = d.layer(Proto::Payload).expect("payload");
                String::from_utf8_lossy(&f.data[p.header.clone()]).into_owned()
            })
        })
        .collect()
}

#[test]
fn sigint_during_write_leaves_a_valid_file_with_every_packet() {
    if !root_or_skip() {
        return;
    }
    let path = scratch("sigint.pcap");
    let (mut child, _stderr) = start_capture(&["-i", "lo", "-w", &path], Stdio::null());
    // A port nobody listens on: the datagrams are still on the wire.
    let port = 47_000 + (std::process::id() % 1000) as u16;
    send_udp(port, 100);
    std::thread::sleep(Duration::from_millis(200));
    // SAFETY: sending SIGINT to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let status = child.wait().expect("exits");
    assert!(status.success(), "capture exits 0 on SIGINT: {status:?}");
    let frames = read_frames(&path);
    let payloads = udp_to_port(&frames, port);
    assert_eq!(payloads.len(), 100, "every datagram sent is in the file");
    for (i, p) in payloads.iter().enumerate() {
        assert_eq!(
            p,
            &format!("wirepeek test datagram {i}"),
            "in order, each once"
        );
    }
    if let Ok(out) = Command::new("tshark")
        .args(["-r", &path, "-q", "-z", "io,stat,0"])
        .output()
    {
        assert!(
            out.status.success(),
            "tshark reads our file: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn sigterm_stops_a_capture_to_stdout_that_tshark_reads_from_a_pipe() {
    if !root_or_skip() {
        return;
    }
    let port = 49_000 + (std::process::id() % 1000) as u16;
    let (mut child, _stderr) = start_capture(&["-i", "lo", "-w", "-"], Stdio::piped());
    let pipe = child.stdout.take().expect("stdout piped");
    let reader = std::thread::spawn(move || {
        let mut source =
            FileSource::from_reader("-", Box::new(pipe)).expect("a pcap header arrives at once");
        let mut frames = Vec::new();
        while let Ok(Next::Frame(f)) = source.next_frame() {
            frames.push(f);
        }
        frames
    });
    send_udp(port, 20);
    std::thread::sleep(Duration::from_millis(200));
    // SAFETY: sending SIGTERM to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    assert!(child.wait().expect("exits").success());
    let frames = reader.join().expect("reader");
    assert_eq!(
        udp_to_port(&frames, port).len(),
        20,
        "every datagram came through the pipe"
    );
}

#[test]
fn count_stops_the_capture_and_the_summary_goes_to_stderr() {
    if !root_or_skip() {
        return;
    }
    let port = 48_000 + (std::process::id() % 1000) as u16;
    let (mut child, stderr) = start_capture(&["-i", "lo", "-c", "3", "-e"], Stdio::piped());
    let sender = std::thread::spawn(move || send_udp(port, 50));
    let status = child.wait().expect("exits");
    sender.join().expect("sender");
    assert!(status.success());
    let mut text = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().expect("stdout"), &mut text)
        .expect("read");
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.contains("ethertype IPv4"), "{text}");
    let err = stderr.join().expect("stderr");
    assert!(
        err.contains("3 packets captured, 0 dropped by the kernel, 0 dropped by wirepeek"),
        "{err}"
    );
}

#[test]
fn writing_to_a_full_disk_is_a_clear_error_with_exit_code_1() {
    if !root_or_skip() {
        return;
    }
    let out = bin()
        .args(["capture", "-i", "lo", "-c", "1", "-w", "/dev/full"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/dev/full") && err.contains("No space left"),
        "{err}"
    );
}

#[test]
fn without_cap_net_raw_the_error_says_how_to_fix_it() {
    if !common::root_or_skip("dropping privileges needs root to start with") {
        return;
    }
    let Ok(out) = Command::new("setpriv")
        .args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "--inh-caps=-all",
        ])
        .arg(env!("CARGO_BIN_EXE_wirepeek"))
        .args(["capture", "-i", "lo", "-c", "1"])
        .output()
    else {
        common::skip("setpriv (util-linux) is not installed");
        return;
    };
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("setpriv:") {
        common::skip(&format!("setpriv could not switch user here: {err}"));
        return;
    }
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("CAP_NET_RAW") && err.contains("setcap cap_net_raw=eip"),
        "{err}"
    );
}

#[test]
fn an_unknown_interface_lists_the_ones_that_exist() {
    if !root_or_skip() {
        return;
    }
    let out: Output = bin()
        .args(["capture", "-i", "nosuch0", "-c", "1"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nosuch0") && err.contains("lo"), "{err}");
}

fn demo(extra: &[&str]) -> Vec<FrameRecord> {
    let path = scratch(&format!("demo{}.pcap", extra.join("")));
    let out = bin()
        .arg("demo")
        .args(extra)
        .args(["-w", &path])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("socket pair ("), "{text}");
    read_frames(&path)
}

fn tcp_flags(f: &FrameRecord) -> u16 {
    let d = decode(f);
    d.layer(Proto::Tcp)
        .and_then(|l| f.data.get(l.header.start + 12..l.header.start + 14))
        .map(|b| u16::from_be_bytes([b[0], b[1]]) & 0x0fff)
        .unwrap_or(0)
}

#[test]
fn demo_captures_handshake_echoed_payloads_and_teardown_over_ipv4_and_ipv6() {
    if !common::root_or_skip("demo captures on lo and needs root; CI runs as root") {
        return;
    }
    for extra in [&[][..], &["-6"][..]] {
        let frames = demo(extra);
        assert!(frames.len() >= 10, "{extra:?}: {} frames", frames.len());
        let flags: Vec<u16> = frames.iter().map(tcp_flags).collect();
        assert_eq!(
            &flags[..3],
            &[0x002, 0x012, 0x010],
            "{extra:?}: SYN, SYN-ACK, ACK first"
        );
        assert!(
            flags.iter().filter(|f| *f & 0x001 != 0).count() >= 2,
            "{extra:?}: both sides send FIN"
        );
        let first = decode(&frames[0]).tuple.expect("tcp tuple");
        let mut to_server = Vec::new();
        let mut to_client = Vec::new();
        for f in &frames {
            let d = decode(f);
            let (Some(t), Some(p)) = (d.tuple, d.layer(Proto::Payload)) else {
                continue;
            };
            let bytes = f.data[p.header.clone()].to_vec();
            if t.src_port == first.src_port {
                to_server.extend(bytes);
            } else {
                to_client.extend(bytes);
            }
        }
        assert!(!to_server.is_empty(), "{extra:?}: the client sent data");
        assert_eq!(
            to_server, to_client,
            "{extra:?}: the server echoed every byte"
        );
    }
}

#[test]
fn udp_demo_captures_each_datagram_and_its_echo() {
    if !common::root_or_skip("demo captures on lo and needs root; CI runs as root") {
        return;
    }
    let frames = demo(&["--udp"]);
    assert_eq!(frames.len(), 6, "three datagrams and three echoes");
    for pair in frames.chunks(2) {
        let (a, b) = (decode(&pair[0]), decode(&pair[1]));
        let (ta, tb) = (a.tuple.expect("udp"), b.tuple.expect("udp"));
        assert_eq!(
            (ta.src_port, ta.dst_port),
            (tb.dst_port, tb.src_port),
            "the echo goes back"
        );
        let pa = &pair[0].data[a.layer(Proto::Payload).expect("payload").header.clone()];
        let pb = &pair[1].data[b.layer(Proto::Payload).expect("payload").header.clone()];
        assert_eq!(pa, pb);
    }
}

/// The `Name:\tvalue` lines of a process's status file that we check.
fn proc_status(pid: u32, key: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_string()))
        .unwrap_or_default()
}

#[test]
fn capabilities_are_dropped_once_the_socket_is_open() {
    if !root_or_skip() {
        return;
    }
    // Root without -Z switches to an unprivileged user too (issue 18):
    // nobody here, as no `wirepeek` user exists on the test machines.
    for (extra, uid) in [(&[][..], "65534"), (&["-Z", "nobody"][..], "65534")] {
        let path = scratch(&format!("caps{}.pcap", extra.len()));
        let mut child = bin()
            .args(["capture", "-i", "lo", "-w", &path, "--duration", "5"])
            .args(extra)
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts");
        let _stderr = wait_listening(&mut child);
        // The drop happens right after "listening"; give it a moment.
        let deadline = Instant::now() + Duration::from_secs(3);
        while proc_status(child.id(), "CapEff:") != "0000000000000000" && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        let effective = proc_status(child.id(), "CapEff:");
        let permitted = proc_status(child.id(), "CapPrm:");
        let real_uid = proc_status(child.id(), "Uid:");
        // Still capturing without privileges: packets keep arriving.
        let port = 50_000 + (std::process::id() % 1000) as u16;
        send_udp(port, 10);
        std::thread::sleep(Duration::from_millis(150));
        // SAFETY: sending SIGINT to our own child process.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGINT);
        }
        assert!(child.wait().expect("exits").success());
        assert_eq!(
            effective, "0000000000000000",
            "{extra:?}: no effective capabilities"
        );
        assert_eq!(
            permitted, "0000000000000000",
            "{extra:?}: none left to regain"
        );
        assert!(real_uid.starts_with(uid), "{extra:?}: uid {real_uid}");
        assert_eq!(
            udp_to_port(&read_frames(&path), port).len(),
            10,
            "{extra:?}: capture continued"
        );
    }
}

#[test]
fn capture_with_flows_prints_the_conversation_table_at_the_end() {
    if !root_or_skip() {
        return;
    }
    let port = 51_000 + (std::process::id() % 1000) as u16;
    let (child, _stderr) =
        start_capture(&["-i", "lo", "--flows", "--duration", "3"], Stdio::piped());
    send_udp(port, 5);
    std::thread::sleep(Duration::from_millis(100));
    // SAFETY: sending SIGINT to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().expect("exits");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let row = text
        .lines()
        .find(|l| l.starts_with("udp") && l.contains(&format!("127.0.0.1:{port}")))
        .unwrap_or_else(|| panic!("no flow row for port {port}:\n{text}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert!(cells.contains(&"5"), "five packets A→B: {row}");
}

#[test]
fn demo_explain_teaches_the_first_data_packet_and_tells_the_conversation() {
    if !common::root_or_skip("demo captures on lo and needs root; CI runs as root") {
        return;
    }
    let out = bin()
        .args(["demo", "--explain", "--color", "never"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // The per-packet roles come from `teach`.
    assert!(
        text.contains("handshake 1/3: the client asks to open a connection"),
        "{text}"
    );
    // The lesson is about the first packet with a payload (frame 4).
    assert!(
        text.contains("Frame 4: 78 bytes on the wire, 78 captured"),
        "{text}"
    );
    assert!(
        text.contains("⊃ payload [66..78) \"hello there\\n\""),
        "{text}"
    );
    assert!(!text.contains("\x1b["), "no colour with --color never");
    // Then the story, with the teardown acknowledged by the client last.
    assert!(text.contains("Three-way handshake"), "{text}");
    assert!(text.contains("both sides have closed"), "{text}");
}

#[test]
fn a_filter_expression_keeps_only_matching_live_packets() {
    if !root_or_skip() {
        return;
    }
    let wanted = 52_000 + (std::process::id() % 1000) as u16;
    let other = wanted + 1;
    let path = scratch("filtered.pcap");
    let mut child = bin()
        .args([
            "capture", "-i", "lo", "-c", "10", "-w", &path, "udp", "and", "dst", "port",
        ])
        .arg(wanted.to_string())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let _stderr = wait_listening(&mut child);
    // Interleave: half the datagrams go to a port the filter rejects.
    for _ in 0..10 {
        send_udp(other, 1);
        send_udp(wanted, 1);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("polls").is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = child.try_wait().expect("polls");
    assert!(
        status.is_some_and(|s| s.success()),
        "-c 10 ends the capture: {status:?}"
    );
    let frames = read_frames(&path);
    assert_eq!(frames.len(), 10, "only the matching datagrams were saved");
    assert_eq!(udp_to_port(&frames, wanted).len(), 10);
}

#[test]
fn a_bad_filter_is_a_usage_error_before_any_capture_starts() {
    let out = bin()
        .args(["capture", "-i", "lo", "-c", "1", "udp", "prot", "80"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("prot") && err.contains('^'), "{err}");
    assert!(!err.contains("listening on"), "no capture started: {err}");
}

#[test]
fn a_closed_pipe_on_dash_w_ends_the_capture_quietly_with_the_summary() {
    if !root_or_skip() {
        return;
    }
    let port = 53_000 + (std::process::id() % 1000) as u16;
    let (mut child, stderr) =
        start_capture(&["-i", "lo", "-w", "-", "--duration", "10"], Stdio::piped());
    // The reader takes the file header and goes away, as `| head -c 24` would.
    let mut pipe = child.stdout.take().expect("stdout piped");
    let mut header = [0u8; 24];
    std::io::Read::read_exact(&mut pipe, &mut header).expect("the pcap header arrives at once");
    drop(pipe);
    // Traffic makes the capture write, and so meet the closed pipe.
    let started = Instant::now();
    while child.try_wait().expect("polls").is_none() && started.elapsed() < Duration::from_secs(8) {
        send_udp(port, 20);
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = child.try_wait().expect("polls");
    assert!(
        status.is_some_and(|s| s.success()),
        "SIGPIPE/EPIPE ends it with 0: {status:?}"
    );
    let err = stderr.join().expect("stderr");
    assert!(
        err.contains("packets captured"),
        "the summary is still printed: {err}"
    );
}

#[test]
fn a_path_that_cannot_be_created_is_a_clear_error_and_leaves_nothing() {
    if !root_or_skip() {
        return;
    }
    let path = "/nonexistent-dir/capture.pcap";
    let out = bin()
        .args(["capture", "-i", "lo", "-c", "1", "-w", path])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(path) && err.contains("No such file"), "{err}");
    assert!(!std::path::Path::new(path).exists());
}

/// Issue 18: `-i any` captures every interface as Linux cooked v2 frames
/// naming the interface and direction, each loopback packet once (the
/// outgoing copy on `lo` is dropped), and tshark reads the file.
#[test]
fn capture_on_any_sees_each_loopback_packet_once_as_sll2() {
    if !root_or_skip() {
        return;
    }
    let path = scratch("any.pcap");
    let (child, stderr) = start_capture(&["-i", "any", "-w", &path], Stdio::null());
    let port = 45_000 + (std::process::id() % 1000) as u16;
    send_udp(port, 50);
    std::thread::sleep(Duration::from_millis(300));
    interrupt(child, stderr);
    let frames = read_frames(&path);
    assert!(
        frames
            .iter()
            .all(|f| f.link == wirepeek::frame::LinkType::LINUX_SLL2)
    );
    let payloads = udp_to_port(&frames, port);
    assert_eq!(payloads.len(), 50, "each datagram once: {payloads:?}");
    let lo_index: u32 = std::fs::read_to_string("/sys/class/net/lo/ifindex")
        .expect("lo has an index")
        .trim()
        .parse()
        .expect("a number");
    let Ok(out) = Command::new("tshark")
        .args([
            "-r",
            &path,
            "-T",
            "fields",
            "-e",
            "sll.ifindex",
            "-e",
            "sll.pkttype",
            "-Y",
        ])
        .arg(format!("udp.dstport == {port} && !icmp"))
        .output()
    else {
        common::skip("tshark is not installed: the SLL2 fields are not cross-checked");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 50, "{text}");
    for line in text.lines() {
        assert_eq!(
            line,
            format!("{lo_index}\t0"),
            "interface lo, direction 'to us'"
        );
    }
}

/// Stop a capture with SIGINT and collect its standard error.
fn interrupt(mut child: Child, stderr: std::thread::JoinHandle<String>) -> String {
    // SAFETY: sending SIGINT to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    assert!(child.wait().expect("exits").success());
    stderr.join().expect("stderr read")
}

/// Issue 18: the tcpdump expression runs in the kernel as classic BPF, so
/// frames it rejects are never copied up: the socket's own "received"
/// counter holds only the accepted ones, and frame numbers count only them.
#[test]
fn the_kernel_filter_keeps_rejected_frames_out_of_the_socket_and_the_numbering() {
    if !root_or_skip() {
        return;
    }
    let port = 43_000 + (std::process::id() % 1000) as u16;
    let (child, stderr) = start_capture(
        &["-i", "lo", "--json", &format!("udp dst port {port}")],
        Stdio::piped(),
    );
    let mut child = child;
    let stdout = child.stdout.take().expect("stdout piped");
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    send_udp(port + 1, 30);
    send_udp(port, 20);
    send_udp(port + 2, 30);
    std::thread::sleep(Duration::from_millis(300));
    let err = interrupt(child, stderr);
    let json = reader.join().expect("stdout read");
    let numbers: Vec<u64> = json
        .lines()
        .map(|l| {
            let at = l.find("\"frame\":").expect("a frame number") + 8;
            l[at..]
                .split(',')
                .next()
                .unwrap()
                .parse()
                .expect("a number")
        })
        .collect();
    assert_eq!(
        numbers,
        (1..=20).collect::<Vec<_>>(),
        "accepted frames numbered 1..20"
    );
    assert!(
        err.contains("20 packets captured") && err.contains("(20 received by the socket)"),
        "the 60 datagrams to other ports and their ICMP replies never reach the socket: {err}"
    );
}

/// Issue 18: `capture -d` prints the program, as `tcpdump -d`, without a
/// socket (so without privileges), and says when an expression stays in
/// user space.
#[test]
fn capture_d_prints_the_kernel_program_without_opening_a_socket() {
    let out = bin()
        .args(["capture", "-i", "lo", "-d", "tcp", "port", "80"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("(000) ldh      [12]\n"), "{text}");
    assert!(
        text.contains("jset     #0x1fff") && text.contains("ldxb     4*([14]&0xf)"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("ret      #0"), "{text}");
    let vlan = bin()
        .args(["capture", "-i", "lo", "-d", "vlan"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&vlan.stdout).contains("matched in user space"));
    let bad = bin()
        .args(["capture", "-i", "lo", "-W", "3"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("-W needs -C or -G"));
}

/// Issue 18: `-C 1` starts a new file after each million bytes, named as
/// tcpdump names them; every file is whole (tshark reads each) and together
/// they hold every datagram once.
#[test]
fn rotation_by_size_splits_the_capture_into_whole_files() {
    if !root_or_skip() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("wirepeek-rotate-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    // Files after the first are created once the capture runs as nobody.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let base = dir.join("cap.pcap").to_string_lossy().into_owned();
    let port = 44_000 + (std::process::id() % 1000) as u16;
    let (child, stderr) = start_capture(
        &[
            "-i",
            "lo",
            "-w",
            &base,
            "-C",
            "1",
            &format!("udp dst port {port}"),
        ],
        Stdio::null(),
    );
    let sock = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let payload = vec![0x5a_u8; 1200];
    for i in 0..2500u32 {
        let mut p = payload.clone();
        p[..4].copy_from_slice(&i.to_be_bytes());
        sock.send_to(&p, ("127.0.0.1", port)).expect("send");
        if i % 100 == 0 {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    std::thread::sleep(Duration::from_millis(400));
    let err = interrupt(child, stderr);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["cap.pcap", "cap.pcap1", "cap.pcap2", "cap.pcap3"],
        "{err}"
    );
    let mut seen = Vec::new();
    for name in &names {
        let path = dir.join(name).to_string_lossy().into_owned();
        let size = std::fs::metadata(&path).expect("file").len();
        assert!(size <= 1_000_000 + 1300 + 24, "{name}: {size} bytes");
        for f in read_frames(&path) {
            let d = decode(&f);
            let p = d.layer(Proto::Payload).expect("payload");
            seen.push(u32::from_be_bytes(
                f.data[p.header.start..p.header.start + 4]
                    .try_into()
                    .unwrap(),
            ));
        }
        if let Ok(out) = Command::new("tshark").args(["-r", &path, "-q"]).output() {
            assert!(
                out.status.success(),
                "tshark reads {name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    assert_eq!(
        seen,
        (0..2500).collect::<Vec<_>>(),
        "every datagram once, in order"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
