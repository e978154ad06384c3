//! `wirepeek explain` on the sample captures, compared with reviewed golden
//! text in `tests/golden/`. A change to a sentence, a range or a number shows
//! up as a diff to review. `WIREPEEK_BLESS=1 cargo test --test explain_golden`
//! rewrites the files; read them as a student would before committing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn wirepeek(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wirepeek"));
    cmd.args(args).current_dir(root()).env_remove("NO_COLOR");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("the wirepeek binary runs")
}

fn golden(name: &str, args: &[&str]) {
    let out = wirepeek(args, &[("TZ", "Pacific/Auckland")]);
    assert!(
        out.status.success(),
        "wirepeek {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let path: PathBuf = root().join("tests/golden").join(format!("{name}.txt"));
    if std::env::var_os("WIREPEEK_BLESS").is_some() {
        std::fs::write(&path, &text).expect("write golden file");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with WIREPEEK_BLESS=1 to create it",
            path.display()
        )
    });
    if text != want {
        let first = text
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(text.lines().count().min(want.lines().count()));
        panic!(
            "explain output for {name} differs from {} at line {}:\n got: {:?}\nwant: {:?}",
            path.display(),
            first + 1,
            text.lines().nth(first),
            want.lines().nth(first)
        );
    }
}

#[test]
fn tcp_over_ipv4_data_packet_is_explained_layer_by_layer() {
    golden(
        "echo-tcp4-frame4",
        &[
            "explain",
            "captures/echo-tcp4.pcap",
            "-n",
            "4",
            "--color",
            "never",
        ],
    );
}

#[test]
fn tcp_over_ipv4_conversation_is_told_as_a_story() {
    golden(
        "echo-tcp4-conversation",
        &[
            "explain",
            "captures/echo-tcp4.pcap",
            "--conversation",
            "--color",
            "never",
        ],
    );
}

#[test]
fn tcp_over_ipv6_syn_is_explained_with_its_options() {
    golden(
        "echo-tcp6-frame1",
        &[
            "explain",
            "captures/echo-tcp6.pcap",
            "-n",
            "1",
            "--color",
            "never",
        ],
    );
}

#[test]
fn udp_over_ipv4_datagram_is_explained() {
    golden(
        "echo-udp4-frame1",
        &["explain", "captures/echo-udp4.pcap", "--color", "never"],
    );
}

#[test]
fn udp_over_ipv6_conversation_has_no_handshake() {
    golden(
        "echo-udp6-conversation",
        &[
            "explain",
            "captures/echo-udp6.pcap",
            "--conversation",
            "--color",
            "never",
        ],
    );
}

#[test]
fn arp_request_is_explained() {
    golden(
        "arp-request",
        &[
            "explain",
            "captures/arp-request-reply.pcap",
            "-n",
            "1",
            "--color",
            "never",
        ],
    );
}

#[test]
fn arp_reply_is_explained() {
    golden(
        "arp-reply",
        &[
            "explain",
            "captures/arp-request-reply.pcap",
            "-n",
            "2",
            "--color",
            "never",
        ],
    );
}

#[test]
fn icmp_echo_request_is_explained() {
    golden(
        "icmp-echo-request",
        &[
            "explain",
            "captures/icmp-echo.pcap",
            "-n",
            "1",
            "--color",
            "never",
        ],
    );
}

#[test]
fn packet_cut_by_the_snap_length_is_explained_as_such() {
    golden(
        "tcp-snaplen-60-frame4",
        &[
            "explain",
            "captures/tcp-snaplen-60.pcap",
            "-n",
            "4",
            "--color",
            "never",
        ],
    );
}

#[test]
fn markdown_handout_of_a_data_packet() {
    golden(
        "echo-tcp4-frame4-markdown",
        &[
            "explain",
            "captures/echo-tcp4.pcap",
            "-n",
            "4",
            "--markdown",
        ],
    );
}

#[test]
fn colour_is_used_only_when_asked_or_on_a_terminal() {
    let args = ["explain", "captures/echo-tcp4.pcap", "-n", "4"];
    let always = wirepeek(&[&args[..], &["--color", "always"]].concat(), &[]);
    assert!(String::from_utf8_lossy(&always.stdout).contains("\x1b["));
    // Piped (as here), auto means plain.
    let auto = wirepeek(&args, &[]);
    assert!(auto.status.success());
    assert!(!String::from_utf8_lossy(&auto.stdout).contains("\x1b["));
    let never = wirepeek(&[&args[..], &["--color", "never"]].concat(), &[]);
    assert_eq!(auto.stdout, never.stdout);
}

#[test]
fn a_frame_number_past_the_end_is_a_usage_error() {
    let out = wirepeek(
        &["explain", "captures/arp-request-reply.pcap", "-n", "9"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no frame 9") && err.contains("2 frames"),
        "{err}"
    );
}

#[test]
fn read_with_explain_gives_one_lesson_per_packet_without_conversation_context() {
    let out = wirepeek(
        &["read", "captures/echo-udp4.pcap", "--explain", "-c", "2"],
        &[],
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("2. Field by field").count(), 2, "{text}");
    // Without the whole capture, the client is inferred from one packet.
    assert!(text.contains("a guess from this packet alone"), "{text}");
}

#[test]
fn icmp_port_unreachable_explains_the_quoted_datagram() {
    golden(
        "icmp-port-unreachable",
        &[
            "explain",
            "captures/icmp-port-unreachable.pcap",
            "-n",
            "2",
            "--color",
            "never",
        ],
    );
}

#[test]
fn ip_fragments_tell_identification_offset_units_and_reassembly() {
    for n in ["2", "3"] {
        golden(
            &format!("ip-fragments-frame{n}"),
            &[
                "explain",
                "captures/ip-fragments.pcap",
                "-n",
                n,
                "--color",
                "never",
            ],
        );
    }
}
