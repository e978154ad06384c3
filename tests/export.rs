//! `wirepeek export`, read back by real engines: DuckDB's and pyarrow's
//! Python packages read the Parquet files; row counts are `read`'s packet
//! counts, types are the declared ones, every value equals what `read
//! --fields --occurrence f` prints for the same field, conn rows equal
//! `flows --json` for the columns they share, and Community IDs equal the
//! `communityid` package's (the reference implementation) for every TCP,
//! UDP and ICMP packet and conversation. Skips when python3 or those
//! packages are missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_wirepeek");

/// Fields compared value by value (the default set and more: relative SACK
/// edges, checksum statuses, text flags, options).
const FIELDS: &str = "eth.src,eth.dst,eth.type,vlan.id,ip.src,ip.dst,ip.proto,ip.ttl,ip.len,ip.id,\
ip.flags.df,ip.flags.mf,ip.frag_offset,ip.dsfield.dscp,ip.checksum.status,ipv6.src,ipv6.dst,ipv6.nxt,\
ipv6.hlim,ipv6.plen,ipv6.flow,tcp.srcport,tcp.dstport,tcp.stream,tcp.seq,tcp.ack,tcp.flags,tcp.flags.syn,\
tcp.flags.ack,tcp.flags.fin,tcp.flags.reset,tcp.flags.str,tcp.window_size_value,tcp.len,\
tcp.options.sack_le,tcp.options.timestamp.tsval,udp.srcport,udp.dstport,udp.length,udp.stream,\
icmp.type,icmp.code,icmpv6.type,icmpv6.code,arp.opcode,arp.src.proto_ipv4,arp.dst.proto_ipv4,\
arp.src.hw_mac,data.len,ip.addr,tcp.port,frame.protocols,frame.time_epoch,frame.len,frame.cap_len,\
frame.interface_id";

fn python_ready() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import duckdb, pyarrow, communityid"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        common::skip("python3 with duckdb, pyarrow and communityid is not installed");
    }
    ok
}

/// A fresh scratch folder under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The bundled captures and the corpus's, those `read` accepts.
fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("captures")];
    dirs.extend(common::corpus());
    let mut files = Vec::new();
    for dir in dirs {
        let mut here: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
            .collect();
        here.sort();
        files.extend(here);
    }
    files.retain(|f| {
        Command::new(BIN)
            .arg("read")
            .arg(f)
            .output()
            .is_ok_and(|o| o.status.success())
    });
    files
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Export `inputs` to `out` with extra arguments; for each input, write
/// what `read --fields FIELDS --occurrence f` and `flows --json` print
/// beside it (`expected/N.tsv`, `expected/N.flows`).
fn export_with_oracle(inputs: &[PathBuf], out: &Path, extra: &[&str]) {
    let mut cmd = Command::new(BIN);
    cmd.arg("export")
        .args(inputs)
        .arg("-o")
        .arg(out)
        .args(extra);
    run(&mut cmd);
    let expected = out.join("expected");
    std::fs::create_dir_all(&expected).unwrap();
    for (i, f) in inputs.iter().enumerate() {
        let tsv = run(Command::new(BIN)
            .args(["read", "--fields", FIELDS, "--occurrence", "f"])
            .arg(f));
        std::fs::write(expected.join(format!("{i}.tsv")), tsv.stdout).unwrap();
        let flows = run(Command::new(BIN).args(["flows", "--json"]).arg(f));
        std::fs::write(expected.join(format!("{i}.flows")), flows.stdout).unwrap();
    }
    let list: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    std::fs::write(expected.join("inputs"), list.join("\n")).unwrap();
}

/// Run the checking script over an export folder; it prints one summary
/// line and exits non-zero with the first differences.
fn check(out: &Path, what: &str) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/export_check.py");
    let result = Command::new("python3")
        .arg(&script)
        .arg(what)
        .arg(out)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&result.stdout).into_owned();
    assert!(
        result.status.success(),
        "{what}: {stdout}\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    println!("{stdout}");
    stdout
}

#[test]
fn parquet_packets_equal_read_fields_value_by_value_with_declared_types() {
    if !python_ready() {
        return;
    }
    let inputs = inputs();
    let out = scratch("export-packets");
    let mut extra = vec!["-j", "2", "--fields"];
    let fields = format!("{FIELDS},community_id");
    extra.push(&fields);
    export_with_oracle(&inputs, &out, &extra);
    let summary = check(&out, "packets");
    assert!(summary.contains("packets:"), "{summary}");
}

#[test]
fn conn_rows_equal_flows_json_and_community_ids_equal_the_reference() {
    if !python_ready() {
        return;
    }
    let inputs = inputs();
    let out = scratch("export-conn");
    export_with_oracle(
        &inputs,
        &out,
        &[
            "--fields",
            "ip.src,ip.dst,ipv6.src,ipv6.dst,tcp.srcport,tcp.dstport,udp.srcport,udp.dstport,icmp.type,icmp.code,icmpv6.type,icmpv6.code,tcp.stream,udp.stream,ipv6.routing.segleft,ip.cur_rt,community_id",
        ],
    );
    check(&out, "conn");
    check(&out, "community");
}

#[test]
fn ndjson_rows_equal_the_parquet_rows() {
    if !python_ready() {
        return;
    }
    let inputs = inputs();
    let out = scratch("export-ndjson");
    run(Command::new(BIN)
        .arg("export")
        .args(&inputs)
        .arg("-o")
        .arg(out.join("parquet")));
    run(Command::new(BIN)
        .arg("export")
        .args(&inputs)
        .arg("-o")
        .arg(out.join("ndjson"))
        .args(["--format", "ndjson", "-j", "1"]));
    check(&out, "ndjson");
}

#[test]
fn hour_partitions_hold_each_packet_under_its_own_utc_hour() {
    if !python_ready() {
        return;
    }
    let inputs = inputs();
    let out = scratch("export-hive");
    let exported = run(Command::new(BIN)
        .arg("export")
        .args(&inputs)
        .arg("-o")
        .arg(&out)
        .args(["--partition", "hour"]));
    let listed = String::from_utf8_lossy(&exported.stdout);
    assert!(listed.contains("/date="), "{listed}");
    let packets: u64 = inputs
        .iter()
        .map(|f| {
            let o = run(Command::new(BIN)
                .args(["read", "--fields", "frame.number"])
                .arg(f));
            String::from_utf8_lossy(&o.stdout).lines().count() as u64 - 1
        })
        .sum();
    std::fs::write(out.join("expected_packets"), packets.to_string()).unwrap();
    check(&out, "hive");
}
