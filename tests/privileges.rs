//! Every command that opens a capture socket gives up every privilege
//! right after the socket (and any output file) is open, on the main
//! thread, before any other thread starts (issue 18): read from
//! `/proc/PID/task/*/status` of the running command, every thread has
//! empty capability sets (effective, permitted, inheritable, bounding,
//! ambient), `NoNewPrivs: 1` and a uid that is not 0. And what can go wrong
//! at start-up (an unknown `-Z` user, an interface that is down, a `-w`
//! path that cannot be created) is said before "listening on", which is
//! then never printed. Root only: each test skips with one line otherwise.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const EMPTY: &str = "0000000000000000";
const CAP_SETS: [&str; 5] = ["CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb"];

fn root() -> bool {
    common::root_or_skip("capture needs root (CAP_NET_RAW); CI runs as root")
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wirepeek"))
}

/// Each thread of `pid`: its id and its status lines as key → value.
fn threads(pid: u32) -> Vec<(String, BTreeMap<String, String>)> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for task in tasks.flatten() {
        let Ok(text) = std::fs::read_to_string(task.path().join("status")) else {
            continue; // the thread ended meanwhile
        };
        let fields = text
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.to_string(), v.trim().to_string()))
            .collect();
        found.push((task.file_name().to_string_lossy().into_owned(), fields));
    }
    found
}

/// What is wrong with one thread's privileges, if anything.
fn privileged(fields: &BTreeMap<String, String>, uid: Option<&str>) -> Vec<String> {
    let mut wrong = Vec::new();
    for set in CAP_SETS {
        let value = fields.get(set).map_or("(missing)", String::as_str);
        if value != EMPTY {
            wrong.push(format!("{set} {value}"));
        }
    }
    if fields.get("NoNewPrivs").map(String::as_str) != Some("1") {
        wrong.push(format!("NoNewPrivs {:?}", fields.get("NoNewPrivs")));
    }
    let uids = fields.get("Uid").cloned().unwrap_or_default();
    // Real, effective, saved and filesystem uid: none may be root.
    if uids.split_whitespace().count() != 4 || uids.split_whitespace().any(|u| u == "0") {
        wrong.push(format!("Uid {uids}"));
    }
    if let Some(uid) = uid
        && uids.split_whitespace().next() != Some(uid)
    {
        wrong.push(format!("Uid {uids}, wanted {uid}"));
    }
    wrong
}

/// Assert that every thread of `pid` has given up every privilege, once
/// at least `min_threads` are running (waiting up to 5 s for them).
fn assert_unprivileged(pid: u32, min_threads: usize, uid: Option<&str>, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = threads(pid);
    while seen.len() < min_threads && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        seen = threads(pid);
    }
    assert!(
        seen.len() >= min_threads,
        "{what}: wanted {min_threads} threads, found {}",
        seen.len()
    );
    for (tid, fields) in &seen {
        let wrong = privileged(fields, uid);
        assert!(
            wrong.is_empty(),
            "{what}: thread {tid} ({}) keeps privileges: {wrong:?}",
            fields.get("Name").map_or("?", String::as_str)
        );
    }
}

/// Read standard error until the "listening on" line is complete.
fn wait_listening(child: &mut Child) -> String {
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
    // Keep draining, so the child never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    text
}

/// A child killed when the test ends however it ends (an assertion that
/// fails must not leave a capture running).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn interrupt(mut running: Running) {
    // SAFETY: sending SIGINT to our own child process.
    unsafe {
        libc::kill(running.0.id() as i32, libc::SIGINT);
    }
    let status = running.0.wait().expect("exits");
    assert!(status.success(), "{status:?}");
}

#[test]
fn capture_on_lo_keeps_no_privilege_in_any_thread() {
    if !root() {
        return;
    }
    let path =
        std::env::temp_dir().join(format!("wirepeek-privileges-{}.pcap", std::process::id()));
    let path = path.to_string_lossy().into_owned();
    // (extra arguments, threads once running, uid it must run as)
    let cases: [(&[&str], usize, Option<&str>); 4] = [
        (&[], 1, None),
        (&["-Z", "nobody"], 1, Some("65534")),
        // --stats keeps the flow table on a second thread.
        (&["--stats"], 2, None),
        (&["-w", &path, "--flows"], 1, None),
    ];
    for (extra, min_threads, uid) in cases {
        let mut child = Running(
            bin()
                .args(["capture", "-i", "lo", "--duration", "10"])
                .args(extra)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("starts"),
        );
        wait_listening(&mut child.0);
        assert_unprivileged(
            child.0.id(),
            min_threads,
            uid,
            &format!("capture -i lo {extra:?}"),
        );
        interrupt(child);
    }
    // The file was created as root before the drop, and written after it.
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    let _ = std::fs::remove_file(&path);
    assert!(size >= 24, "the -w file has its header ({size} bytes)");
}

/// CAP_DAC_READ_SEARCH (2) and CAP_SYS_PTRACE (19): what the process
/// lookup keeps to read every user's `/proc/PID/fd`.
const LOOKUP_CAPS: &str = "0000000000080004";

/// The child processes of `pid`.
fn children(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .collect()
}

/// Process attribution (issue 18) runs its `/proc` reading in a process
/// of its own: while it exists, every thread of the capture still has no
/// capability, `no_new_privs` and a uid that is not 0; the lookup process
/// runs as the same unprivileged user with exactly CAP_DAC_READ_SEARCH
/// and CAP_SYS_PTRACE (effective, permitted and bounding; nothing
/// inheritable or ambient), `no_new_privs`, and no descriptor but
/// /dev/null and its socket (not the capture socket, not the -w file);
/// it is gone once the capture ends.
#[test]
fn the_process_lookup_keeps_two_capabilities_and_the_capture_none() {
    if !root() {
        return;
    }
    let path = std::env::temp_dir().join(format!(
        "wirepeek-privileges-lookup-{}.pcapng",
        std::process::id()
    ));
    let cases: [&[&str]; 3] = [
        &["--flows"],
        &["--json"],
        &["-w", path.to_str().expect("utf-8 path"), "--pcapng"],
    ];
    for extra in cases {
        let what = format!("capture -i lo {extra:?}");
        let mut child = Running(
            bin()
                .args(["capture", "-i", "lo", "--duration", "10"])
                .args(extra)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("starts"),
        );
        wait_listening(&mut child.0);
        let main = child.0.id();
        let helpers = children(main);
        assert_eq!(helpers.len(), 1, "{what}: one lookup process: {helpers:?}");
        let helper = helpers[0];
        assert_unprivileged(main, 1, None, &what);
        let main_uid = threads(main)[0].1.get("Uid").cloned().expect("Uid");
        let seen = threads(helper);
        assert_eq!(seen.len(), 1, "{what}: the lookup process has one thread");
        let fields = &seen[0].1;
        for (set, wanted) in [
            ("CapEff", LOOKUP_CAPS),
            ("CapPrm", LOOKUP_CAPS),
            ("CapBnd", LOOKUP_CAPS),
            ("CapInh", EMPTY),
            ("CapAmb", EMPTY),
            ("NoNewPrivs", "1"),
            ("Uid", main_uid.as_str()),
        ] {
            assert_eq!(
                fields.get(set).map(String::as_str),
                Some(wanted),
                "{what}: lookup process {set}"
            );
        }
        let mut fds: Vec<(String, String)> = std::fs::read_dir(format!("/proc/{helper}/fd"))
            .expect("the lookup's descriptors")
            .flatten()
            .map(|e| {
                let target = std::fs::read_link(e.path())
                    .map_or(String::new(), |t| t.to_string_lossy().into_owned());
                (e.file_name().to_string_lossy().into_owned(), target)
            })
            .collect();
        fds.sort();
        let names: Vec<&str> = fds.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["0", "1", "2", "3"], "{what}: {fds:?}");
        assert!(
            fds[..3].iter().all(|(_, t)| t == "/dev/null"),
            "{what}: {fds:?}"
        );
        assert!(fds[3].1.starts_with("socket:["), "{what}: {fds:?}");
        interrupt(child);
        let deadline = Instant::now() + Duration::from_secs(2);
        while std::path::Path::new(&format!("/proc/{helper}")).exists() {
            assert!(
                Instant::now() < deadline,
                "{what}: the lookup outlived the capture"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn demo_keeps_no_privilege_in_any_thread_once_it_has_more_than_one() {
    if !root() {
        return;
    }
    let path = std::env::temp_dir().join(format!(
        "wirepeek-privileges-demo-{}.pcap",
        std::process::id()
    ));
    let mut child = bin()
        .args(["demo", "-w"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    // The demo lasts well under a second: sample it as fast as we can.
    // Before its socket is open it is one thread with root's privileges;
    // from the first moment it has a second thread, none may have any.
    let (mut samples, mut threaded) = (0, 0);
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("waits").is_none() && Instant::now() < deadline {
        let seen = threads(child.id());
        samples += 1;
        if seen.len() >= 2 {
            threaded += 1;
            for (tid, fields) in &seen {
                let wrong = privileged(fields, None);
                assert!(wrong.is_empty(), "demo thread {tid}: {wrong:?}");
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let out = child.wait_with_output().expect("exits");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        threaded > 0,
        "never saw the demo with its threads running ({samples} samples)"
    );
    // The echo server and client still worked as nobody, and the file
    // created before the drop holds the conversation.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("TCP conversation"), "{text}");
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    let _ = std::fs::remove_file(&path);
    assert!(
        size > 24 + 10 * 16,
        "the -w file holds the packets ({size} bytes)"
    );
}

/// A private tmux server, killed when the test ends however it ends.
struct Tmux(String);

impl Tmux {
    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-L", &self.0, "-f", "/dev/null"])
            .args(args)
            .env("LANG", "C.UTF-8")
            .output()
            .expect("tmux runs")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// The wirepeek process in the tmux pane: the pane's process itself, or
/// its child when tmux started it through a shell.
fn pane_wirepeek(tmux: &Tmux) -> Option<u32> {
    let out = tmux.run(&["display-message", "-p", "-t", "tui", "#{pane_pid}"]);
    let pane: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    let is_ours = |pid: u32| {
        std::fs::read_link(format!("/proc/{pid}/exe"))
            .is_ok_and(|exe| exe.file_name().is_some_and(|n| n == "wirepeek"))
    };
    if is_ours(pane) {
        return Some(pane);
    }
    let children = std::fs::read_to_string(format!("/proc/{pane}/task/{pane}/children")).ok()?;
    children
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .find(|c| is_ours(*c))
}

#[test]
fn tui_on_lo_keeps_no_privilege_in_any_of_its_threads() {
    if !root() {
        return;
    }
    if !Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        common::skip("tmux is not installed (apt-get install tmux)");
        return;
    }
    let tmux = Tmux(format!("wirepeek-privileges-{}", std::process::id()));
    let exe = env!("CARGO_BIN_EXE_wirepeek");
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "tui",
        "-x",
        "100",
        "-y",
        "30",
        exe,
        "tui",
        "-i",
        "lo",
    ]);
    assert!(started.status.success(), "{started:?}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let pid = loop {
        if let Some(pid) = pane_wirepeek(&tmux) {
            break pid;
        }
        assert!(Instant::now() < deadline, "the TUI did not start");
        std::thread::sleep(Duration::from_millis(50));
    };
    // The main loop, the capture thread and the input thread.
    assert_unprivileged(pid, 3, None, "tui -i lo");
    let _ = tmux.run(&["send-keys", "-t", "tui", "q"]);
}

/// A network namespace with a veth pair inside, both ends left down;
/// deleted (with the pair) when dropped.
struct DownPair {
    namespace: String,
}

impl DownPair {
    fn create() -> Option<DownPair> {
        let namespace = format!("wp-priv-{}", std::process::id());
        let ok = |args: &[&str]| {
            Command::new("ip")
                .args(args)
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if !ok(&["netns", "add", &namespace]) {
            common::skip("`ip netns add` failed (no ip(8) or no namespace support)");
            return None;
        }
        let pair = DownPair { namespace };
        let made = ok(&[
            "-n",
            &pair.namespace,
            "link",
            "add",
            "wpdown0",
            "type",
            "veth",
            "peer",
            "name",
            "wpdown1",
        ]);
        assert!(made, "a veth pair in {}", pair.namespace);
        Some(pair)
    }

    /// `wirepeek ARGS` run inside the namespace.
    fn wirepeek(&self, args: &[&str]) -> std::process::Output {
        Command::new("ip")
            .args(["netns", "exec", &self.namespace, "timeout", "10"])
            .arg(env!("CARGO_BIN_EXE_wirepeek"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("ip netns exec runs")
    }
}

impl Drop for DownPair {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.namespace])
            .output();
    }
}

/// Exits with an error whose message contains `message`, never having
/// said "listening on".
fn assert_refused(out: &std::process::Output, message: &str, what: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "{what}: exit status {:?}",
        out.status
    );
    assert!(err.contains(message), "{what}: {err}");
    assert!(!err.contains("listening on"), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
}

#[test]
fn start_up_errors_are_said_before_listening_on() {
    if !root() {
        return;
    }
    let out = bin()
        .args(["capture", "-i", "lo", "-c", "1", "-Z", "nosuchuser"])
        .output()
        .expect("runs");
    assert_refused(&out, "--user nosuchuser: no such user", "-Z nosuchuser");

    let out = bin()
        .args(["capture", "-i", "lo", "-c", "1", "-w"])
        .arg("/nonexistent-wirepeek-dir/out.pcap")
        .output()
        .expect("runs");
    assert_refused(&out, "/nonexistent-wirepeek-dir/out.pcap", "a bad -w path");

    let Some(pair) = DownPair::create() else {
        return;
    };
    for command in ["capture", "tui"] {
        let out = pair.wirepeek(&[command, "-i", "wpdown0"]);
        assert_refused(
            &out,
            "wpdown0: That device is not up",
            &format!("{command} on a down interface"),
        );
    }
}
