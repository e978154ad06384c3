//! Several `-i` at once (issue 18), in two network namespaces the test
//! creates and joins with a veth pair: `capture -i lo -i VETH` writes one
//! pcapng with an interface block per interface, each packet naming its
//! own (tshark reads `frame.interface_id`, `frame.interface_name` and the
//! cooked header's interface index, checked against the index
//! `/sys/class/net` gives inside the namespace), and prints the lines
//! tcpdump `-i any` prints for the same packets in the same namespace.
//! Root, ip(8), tshark and tcpdump; each test skips with one line
//! otherwise. Traffic stays inside the namespaces: a few UDP echoes.

mod common;

use std::io::Read;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A port tcpdump has no dissector for (7007 is AFS rx to it).
const PORT: &str = "47007";

/// Two namespaces joined by a veth pair: A holds `veth` (10.78.0.1) and
/// an up `lo`, B the peer (10.78.0.2). Deleted, with the pair, on drop.
struct Pair {
    a: String,
    b: String,
    veth: String,
}

fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

impl Pair {
    fn create(tag: &str) -> Option<Pair> {
        let id = std::process::id() % 100_000;
        let pair = Pair {
            a: format!("wpm-{tag}-a-{id}"),
            b: format!("wpm-{tag}-b-{id}"),
            veth: format!("wpm{tag}{id}"),
        };
        if !ip(&["netns", "add", &pair.a]) {
            common::skip("`ip netns add` failed (no ip(8) or no namespace support)");
            return None;
        }
        let peer = format!("{}p", pair.veth);
        let steps: [&[&str]; 7] = [
            &["netns", "add", &pair.b],
            &[
                "-n", &pair.a, "link", "add", &pair.veth, "type", "veth", "peer", "name", &peer,
                "netns", &pair.b,
            ],
            &[
                "-n",
                &pair.a,
                "addr",
                "add",
                "10.78.0.1/24",
                "dev",
                &pair.veth,
            ],
            &["-n", &pair.b, "addr", "add", "10.78.0.2/24", "dev", &peer],
            &["-n", &pair.a, "link", "set", &pair.veth, "up"],
            &["-n", &pair.b, "link", "set", &peer, "up"],
            &["-n", &pair.a, "link", "set", "lo", "up"],
        ];
        for step in steps {
            assert!(ip(step), "ip {step:?}");
        }
        Some(pair)
    }

    /// `PROGRAM ARGS` inside namespace `ns`, bounded to 20 s.
    fn exec(ns: &str, program: &str, args: &[&str]) -> Command {
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", ns, "timeout", "20", program])
            .args(args);
        command
    }

    /// The veth's interface index inside namespace A.
    fn veth_index(&self) -> String {
        let out = Pair::exec(
            &self.a,
            "cat",
            &[&format!("/sys/class/net/{}/ifindex", self.veth)],
        )
        .output()
        .expect("cat runs");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Two UDP echoes over `lo` in A and two from B to A over the veth:
    /// eight packets as A sees them, four on each interface.
    fn talk(&self) {
        let bin = env!("CARGO_BIN_EXE_wirepeek");
        let client = |ns: &str, host: &str| {
            let out = Pair::exec(
                ns,
                bin,
                &[
                    "echo", "client", "--udp", "-q", host, PORT, "-m", "hi", "--count", "2",
                ],
            )
            .output()
            .expect("echo client runs");
            assert!(out.status.success(), "echo client: {out:?}");
        };
        client(&self.a, "127.0.0.1");
        client(&self.b, "10.78.0.1");
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        // Deleting A's end deletes the pair.
        let _ = ip(&["netns", "del", &self.a]);
        let _ = ip(&["netns", "del", &self.b]);
    }
}

/// A child killed when the test ends however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    /// Wait until its standard error has said `marker`.
    fn wait_for(&mut self, marker: &str) -> String {
        let mut err = self.0.stderr.take().expect("stderr piped");
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && !String::from_utf8_lossy(&seen).contains(marker) {
            match err.read(&mut byte) {
                Ok(1) => seen.push(byte[0]),
                _ => break,
            }
        }
        let text = String::from_utf8_lossy(&seen).into_owned();
        assert!(text.contains(marker), "never said {marker:?}: {text}");
        std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
        text
    }

    /// Its output once it ends on its own (within 15 s).
    fn output(mut self) -> Output {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.0.try_wait().expect("waits").is_none() {
            assert!(Instant::now() < deadline, "did not stop at its count");
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut stdout = Vec::new();
        if let Some(out) = self.0.stdout.as_mut() {
            out.read_to_end(&mut stdout).expect("stdout");
        }
        let status = self.0.wait().expect("status");
        Output {
            status,
            stdout,
            stderr: Vec::new(),
        }
    }
}

fn spawn(mut command: Command) -> Running {
    Running(
        command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts"),
    )
}

fn ready(tools: &[&str]) -> bool {
    if !common::root_or_skip("capture and namespaces need root; CI runs as root") {
        return false;
    }
    for tool in tools {
        let present = Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !present {
            common::skip(&format!("{tool} is not installed"));
            return false;
        }
    }
    true
}

/// The echo server on every address of namespace A.
fn server(pair: &Pair) -> Running {
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let listen = format!("0.0.0.0:{PORT}");
    let mut server = spawn(Pair::exec(
        &pair.a,
        bin,
        &["echo", "server", "--udp", "-l", &listen],
    ));
    let banner = common::first_line(server.0.stdout.as_mut().expect("stdout piped"));
    assert!(banner.contains("listening"), "{banner}");
    server
}

#[test]
fn one_pcapng_names_each_packets_interface_as_tshark_reads_it() {
    if !ready(&["tshark"]) {
        return;
    }
    let Some(pair) = Pair::create("f") else {
        return;
    };
    let _server = server(&pair);
    let path = std::env::temp_dir().join(format!("wirepeek-multi-{}.pcapng", std::process::id()));
    let path_text = path.to_string_lossy().into_owned();
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let filter = format!("udp port {PORT}");
    let mut capture = spawn(Pair::exec(
        &pair.a,
        bin,
        &[
            "capture", "-i", "lo", "-i", &pair.veth, "-w", &path_text, "--pcapng", "-c", "8",
            &filter,
        ],
    ));
    let said = capture.wait_for("bytes\n");
    assert!(
        said.contains(&format!("listening on lo and {}", pair.veth)),
        "{said}"
    );
    pair.talk();
    let status = capture.output().status;
    assert!(status.success(), "{status:?}");
    let out = common::tshark_fields(
        &path,
        &[
            "frame.interface_id",
            "frame.interface_name",
            "sll.ifindex",
            "sll.pkttype",
            "ip.src",
            "ip.dst",
        ],
    )
    .output()
    .expect("tshark runs");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 8, "{text}");
    let veth_index = pair.veth_index();
    let (mut on_lo, mut on_veth, mut veth_out) = (0, 0, 0);
    for row in &rows {
        let loopback = row[4] == "127.0.0.1" && row[5] == "127.0.0.1";
        if loopback {
            on_lo += 1;
            assert_eq!(&row[..2], ["0", "lo"], "{row:?}");
            assert_eq!(row[2], "1", "lo is index 1 in a new namespace: {row:?}");
        } else {
            on_veth += 1;
            assert_eq!(
                &row[..3],
                ["1", pair.veth.as_str(), veth_index.as_str()],
                "{row:?}"
            );
            // Outgoing (4) from 10.78.0.1, incoming (0) to it.
            let out = row[4] == "10.78.0.1";
            assert_eq!(row[3], if out { "4" } else { "0" }, "{row:?}");
            veth_out += usize::from(out);
        }
    }
    assert_eq!((on_lo, on_veth, veth_out), (4, 4, 2), "{text}");
}

/// A line without its time stamp.
fn untimed(line: &str) -> String {
    line.split_once(' ')
        .map_or(line, |(_, rest)| rest)
        .to_string()
}

#[test]
fn lines_are_prefixed_with_interface_and_direction_as_tcpdump_any_prints_them() {
    if !ready(&["tcpdump"]) {
        return;
    }
    let Some(pair) = Pair::create("l") else {
        return;
    };
    let _server = server(&pair);
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let filter = format!("udp port {PORT}");
    let mut ours = spawn(Pair::exec(
        &pair.a,
        bin,
        &[
            "capture", "-i", "lo", "-i", &pair.veth, "-n", "-c", "8", &filter,
        ],
    ));
    ours.wait_for("bytes\n");
    let mut theirs = spawn(Pair::exec(
        &pair.a,
        "tcpdump",
        &["-i", "any", "-n", "-l", "-c", "8", &filter],
    ));
    theirs.wait_for("listening on");
    pair.talk();
    let ours = ours.output();
    let theirs = theirs.output();
    assert!(ours.status.success() && theirs.status.success());
    let mut a: Vec<String> = String::from_utf8_lossy(&ours.stdout)
        .lines()
        .map(untimed)
        .collect();
    let mut b: Vec<String> = String::from_utf8_lossy(&theirs.stdout)
        .lines()
        .map(untimed)
        .collect();
    assert_eq!(a.len(), 8, "{a:#?}");
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert!(
        a.iter()
            .any(|l| l.starts_with(&format!("{} Out IP 10.78.0.1", pair.veth))),
        "{a:#?}"
    );
}

#[test]
fn any_with_another_interface_and_a_repeated_interface_are_usage_errors() {
    if !ready(&[]) {
        return;
    }
    for (args, message) in [
        (
            ["-i", "any", "-i", "lo"],
            "-i any already captures every interface",
        ),
        (["-i", "lo", "-i", "lo"], "-i lo is given twice"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
            .arg("capture")
            .args(args)
            .args(["-c", "1"])
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(!err.contains("listening on"), "{err}");
    }
}
