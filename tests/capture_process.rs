//! Process attribution on live traffic (issue 18): a UDP sender the test
//! starts as a child process on `lo` is named, by the pid the test got
//! when it started it and the command and user `/proc` shows the test for
//! it, in `capture --flows`, in each `--json` object and, read back by
//! tshark, in each pcapng packet comment. Root only (capture needs
//! CAP_NET_RAW; every user's processes need CAP_SYS_PTRACE); python3
//! starts the sender. Traffic goes to 127.0.0.1 only, a few datagrams.

mod common;

use std::io::Read;
use std::net::UdpSocket;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wirepeek"))
}

fn ready() -> bool {
    if !common::root_or_skip("capture needs root (CAP_NET_RAW); CI runs as root") {
        return false;
    }
    let python = Command::new("python3")
        .args(["-c", "pass"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !python {
        common::skip("python3 is not installed: it starts the UDP sender");
    }
    python
}

/// A child killed when the test ends however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `wirepeek capture ARGS`, once it says it is listening; stderr drained
/// in the background.
fn start_capture(args: &[&str]) -> (Running, std::thread::JoinHandle<String>) {
    let mut child = bin()
        .arg("capture")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut err = child.stderr.take().expect("stderr piped");
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline && !seen.ends_with(b"bytes\n") {
        match err.read(&mut byte) {
            Ok(1) => seen.push(byte[0]),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&seen).into_owned();
    assert!(text.contains("listening on"), "no capture started: {text}");
    let rest = std::thread::spawn(move || {
        let mut rest = text;
        let _ = err.read_to_string(&mut rest);
        rest
    });
    (Running(child), rest)
}

/// What the test itself knows of the sender: pid, `/proc/PID/comm`, and
/// the name of its uid in /etc/passwd.
struct Sender {
    child: Running,
    pid: u32,
    command: String,
    user: String,
}

/// A python3 process that opens a UDP socket, then, once told to go,
/// sends `count` datagrams 20 ms apart to 127.0.0.1:`port` and holds the
/// socket half a second more.
fn start_sender(port: u16, count: usize) -> Sender {
    start_sender_as(&["python3"], port, count)
}

/// `start_sender`, started by `program` (`python3`, or a command that
/// runs a python3 as another user).
fn start_sender_as(program: &[&str], port: u16, count: usize) -> Sender {
    let script = format!(
        "import socket, sys, time\n\
         s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
         print('ready', flush=True)\n\
         sys.stdin.read(1)\n\
         for i in range({count}):\n    s.sendto(b'wirepeek process test %d' % i, ('127.0.0.1', {port}))\n    time.sleep(0.02)\n\
         time.sleep(0.5)\n"
    );
    let mut child = Command::new(program[0])
        .args(&program[1..])
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    // Once it says so it is python itself (not a wrapper that execs it)
    // and holds its socket.
    let ready = common::first_line(child.stdout.as_mut().expect("stdout piped"));
    assert_eq!(ready, "ready\n");
    let pid = child.id();
    let command = std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .expect("the sender's comm")
        .trim_end()
        .to_string();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_whitespace().next().map(str::to_string))
        .expect("a Uid line");
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let user = passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 2 && f[2] == uid)
        .map_or(uid.clone(), |f| f[0].to_string());
    Sender {
        child: Running(child),
        pid,
        command,
        user,
    }
}

impl Sender {
    /// Let it send (it waits for a byte on standard input), and wait for
    /// it to end.
    fn go(mut self) {
        use std::io::Write;
        let mut stdin = self.child.0.stdin.take().expect("stdin piped");
        stdin.write_all(b"x").expect("the sender reads");
        drop(stdin);
        let status = self.child.0.wait().expect("the sender ends");
        assert!(status.success(), "{status:?}");
    }
}

/// A receiver on an ephemeral port, so nothing answers with ICMP; its
/// socket is a local one too, and the sender's must still be chosen.
fn receiver() -> (UdpSocket, u16) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = socket.local_addr().expect("addr").port();
    (socket, port)
}

/// Wait for the capture to end on its own (`-c`), within 10 s.
fn finish(mut capture: Running, stderr: std::thread::JoinHandle<String>) -> (String, String) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while capture.0.try_wait().expect("waits").is_none() {
        assert!(Instant::now() < deadline, "the capture did not stop at -c");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = String::new();
    let stdout = capture.0.stdout.as_mut().expect("stdout piped");
    stdout.read_to_string(&mut out).expect("stdout");
    let err = stderr.join().expect("stderr");
    let status = capture.0.wait().expect("status");
    assert!(status.success(), "{status:?}: {err}");
    (out, err)
}

#[test]
fn a_local_udp_senders_pid_command_and_user_are_in_json_and_flows() {
    if !ready() {
        return;
    }
    let (_receiver, port) = receiver();
    let filter = format!("udp port {port}");
    let (capture, stderr) = start_capture(&["-i", "lo", "--json", "--flows", "-c", "5", &filter]);
    let sender = start_sender(port, 5);
    let (pid, command, user) = (sender.pid, sender.command.clone(), sender.user.clone());
    sender.go();
    let (out, err) = finish(capture, stderr);
    let expected =
        format!("\"process\":{{\"pid\":{pid},\"command\":\"{command}\",\"user\":\"{user}\"}}");
    let packets: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("{\"frame\""))
        .collect();
    assert_eq!(packets.len(), 5, "{out}\n{err}");
    for line in &packets {
        assert!(line.contains(&expected), "{expected} not in {line}");
    }
    // The table's row for the conversation names it too.
    let row = out
        .lines()
        .find(|l| l.starts_with("udp ") && l.contains(&format!(":{port}")))
        .unwrap_or_else(|| panic!("no row for port {port}: {out}"));
    assert!(row.ends_with(&format!("{pid} {command} ({user})")), "{row}");
    assert!(out.contains("  Process\n"), "a Process column: {out}");
}

#[test]
fn pcapng_packet_comments_name_the_sender_as_tshark_reads_them() {
    if !ready() {
        return;
    }
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    let (_receiver, port) = receiver();
    let path = std::env::temp_dir().join(format!("wirepeek-process-{}.pcapng", std::process::id()));
    let path_text = path.to_string_lossy().into_owned();
    let filter = format!("udp port {port}");
    let (capture, stderr) =
        start_capture(&["-i", "lo", "-w", &path_text, "--pcapng", "-c", "4", &filter]);
    let sender = start_sender(port, 4);
    let (pid, command, user) = (sender.pid, sender.command.clone(), sender.user.clone());
    sender.go();
    finish(capture, stderr);
    let out = common::tshark_fields(&path, &["udp.dstport", "frame.comment"])
        .output()
        .expect("tshark runs");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let expected = format!("{port}\tPID: {pid}, Command: {command}, User: {user}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    for line in lines {
        assert_eq!(line, expected);
    }
}

#[test]
fn no_process_leaves_every_packet_without_one_and_starts_no_lookup() {
    if !ready() {
        return;
    }
    let (_receiver, port) = receiver();
    let filter = format!("udp port {port}");
    let (capture, stderr) =
        start_capture(&["-i", "lo", "--json", "--no-process", "-c", "3", &filter]);
    // Only the capture itself: no lookup process was forked.
    let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", capture.0.id()))
        .unwrap_or_default();
    assert_eq!(children.trim(), "", "a child process: {children}");
    let sender = start_sender(port, 3);
    sender.go();
    let (out, _) = finish(capture, stderr);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(!out.contains("\"process\""), "{out}");
}

/// A copy of the binary given only cap_net_raw (as README suggests), run
/// as `nobody`: its lookup process has no CAP_SYS_PTRACE, says so, names
/// a sender of its own user and leaves root's sender without a process.
#[test]
fn a_setcap_binary_run_by_a_user_names_only_that_users_processes() {
    if !ready() {
        return;
    }
    let tools = ["setcap", "setpriv"].iter().all(|t| {
        Command::new("sh")
            .args(["-c", &format!("command -v {t}")])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !tools || !std::path::Path::new("/usr/bin/python3").exists() {
        common::skip("needs setcap, setpriv and /usr/bin/python3 (a python nobody can run)");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("wirepeek-setcap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let copy = dir.join("wirepeek");
    std::fs::copy(env!("CARGO_BIN_EXE_wirepeek"), &copy).expect("copy the binary");
    let granted = Command::new("setcap")
        .arg("cap_net_raw=eip")
        .arg(&copy)
        .output()
        .is_ok_and(|o| o.status.success());
    let cleanup = || {
        let _ = std::fs::remove_dir_all(&dir);
    };
    if !granted {
        cleanup();
        common::skip("setcap failed here (a file system without extended attributes?)");
        return;
    }
    let (_receiver, port) = receiver();
    let filter = format!("udp dst port {port}");
    let nobody = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ];
    let mut capture = Command::new(nobody[0]);
    capture
        .args(&nobody[1..])
        .arg(&copy)
        .args(["capture", "-i", "lo", "--json", "-c", "2", &filter])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = capture.spawn().expect("starts");
    let mut err = child.stderr.take().expect("stderr piped");
    let mut said = Vec::new();
    let mut byte = [0u8; 1];
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline && !said.ends_with(b"bytes\n") {
        match err.read(&mut byte) {
            Ok(1) => said.push(byte[0]),
            _ => break,
        }
    }
    if !String::from_utf8_lossy(&said).contains("listening on") {
        let _ = child.kill();
        let _ = child.wait();
        cleanup();
        common::skip("file capabilities are not honoured here (nosuid mount?)");
        return;
    }
    let rest = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = err.read_to_string(&mut rest);
        rest
    });
    let capture = Running(child);
    let theirs = start_sender_as(
        &[
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "/usr/bin/python3",
        ],
        port,
        1,
    );
    let their_pid = theirs.pid;
    assert_eq!(theirs.user, "nobody");
    theirs.go();
    let root_sender = start_sender(port, 1);
    root_sender.go();
    let (out, err) = finish(capture, rest);
    cleanup();
    assert!(
        err.contains("process attribution: only processes of user nobody"),
        "{err}"
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    let expected =
        format!("\"process\":{{\"pid\":{their_pid},\"command\":\"python3\",\"user\":\"nobody\"}}");
    assert!(
        lines[0].contains(&expected),
        "{expected} not in {}",
        lines[0]
    );
    assert!(
        !lines[1].contains("\"process\""),
        "root's sender named: {}",
        lines[1]
    );
}
