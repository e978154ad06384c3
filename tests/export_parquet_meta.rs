//! The Parquet layout `wirepeek export` claims (src/export/parquet.rs),
//! read back from the file's own metadata by pyarrow and queried by
//! DuckDB: encodings chosen per column (a dictionary where values repeat,
//! DELTA_BINARY_PACKED uncompressed where they do not), min/max statistics
//! on every row group for the columns engines prune with, none for the
//! Community ID hash, and columns no packet fills readable as all nulls.
//! The capture is built here, so the expected values come from how it was
//! built, not from the exporter. Skips without python3's pyarrow and duckdb.

mod common;

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_wirepeek");

/// More than one row group (65,536 rows each).
const PACKETS: usize = 70_000;

/// RFC 791 header checksum.
fn checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = header
        .chunks(2)
        .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Packet `i`: IPv4 from 10.0.0.1 or 10.0.0.2 (alternating) to 10.0.0.99,
/// IP ID `i % 65536`, UDP from port 40000 or 40001 to 9999, 4 bytes.
fn packet(i: usize) -> Vec<u8> {
    let host = 1 + (i % 2) as u8;
    let id = (i % 65_536) as u16;
    let mut p = vec![0x45, 0, 0, 32];
    p.extend(id.to_be_bytes());
    p.extend([0, 0, 64, 17, 0, 0, 10, 0, 0, host, 10, 0, 0, 99]);
    let sum = checksum(&p);
    p[10..12].copy_from_slice(&sum.to_be_bytes());
    p.extend((40_000 + u16::from(host) - 1).to_be_bytes());
    p.extend(9999u16.to_be_bytes());
    p.extend([0, 12, 0, 0, b'p', b'i', b'n', b'g']);
    p
}

const CHECK: &str = r#"
import sys, glob
import pyarrow.parquet as pq
import duckdb

out, total = sys.argv[1], int(sys.argv[2])
files = glob.glob(out + "/packets-*.parquet")
assert len(files) == 1, files
f = pq.ParquetFile(files[0])
meta = f.metadata
assert meta.num_rows == total, (meta.num_rows, total)
assert meta.num_row_groups >= 2, meta.num_row_groups
names = [meta.schema.column(i).name for i in range(meta.num_columns)]
col = {n: i for i, n in enumerate(names)}
start = 0
for g in range(meta.num_row_groups):
    rg = meta.row_group(g)
    rows = range(start, start + rg.num_rows)
    start += rg.num_rows

    def chunk(name):
        return rg.column(col[name])

    def bounds(name):
        s = chunk(name).statistics
        assert s is not None and s.has_min_max, (g, name, "no min/max")
        return (s.min, s.max)

    # Never repeats: deltas, no dictionary, not compressed.
    for name in ("frame.number", "ip.id"):
        c = chunk(name)
        assert "DELTA_BINARY_PACKED" in c.encodings, (g, name, c.encodings)
        assert not c.has_dictionary_page, (g, name)
        assert c.compression == "UNCOMPRESSED", (g, name, c.compression)
    assert bounds("frame.number") == (rows[0] + 1, rows[-1] + 1), (g, bounds("frame.number"))
    ids = [r % 65536 for r in rows]
    assert bounds("ip.id") == (min(ids), max(ids)), (g, bounds("ip.id"))
    # Repeats: a dictionary.
    for name in ("ip.src", "ip.dst", "udp.dstport", "ip.proto", "udp.srcport"):
        c = chunk(name)
        assert c.has_dictionary_page and "RLE_DICTIONARY" in c.encodings, (g, name, c.encodings)
    assert bounds("ip.src") == ("10.0.0.1", "10.0.0.2"), (g, bounds("ip.src"))
    assert bounds("udp.dstport") == (9999, 9999), (g, bounds("udp.dstport"))
    assert bounds("udp.srcport") == (40000, 40001), (g, bounds("udp.srcport"))
    assert bounds("frame.len") == (32, 32), (g, bounds("frame.len"))
    epoch = bounds("frame.time_epoch")
    assert (int(epoch[0].timestamp()), int(epoch[1].timestamp())) == (
        1_600_000_000 + rows[0], 1_600_000_000 + rows[-1]), (g, epoch)
    # Every integer column a packet fills has its range.
    for i, name in enumerate(names):
        c = rg.column(i)
        if c.physical_type == "INT64" and c.statistics.null_count < rg.num_rows:
            bounds(name)
    # A hash: no range.
    s = chunk("community_id").statistics
    assert s is None or not s.has_min_max, (g, "community_id has min/max")
    # Filled by no packet: all nulls, counted as such.
    for name in ("ipv6.src", "tcp.srcport", "tcp.flags.syn", "dns.qry.name"):
        s = chunk(name).statistics
        assert s is not None and s.null_count == rg.num_rows, (g, name, s)

table = pq.read_table(files[0], columns=["ipv6.src", "tcp.srcport", "tcp.flags.syn"])
for c in table.columns:
    assert c.null_count == total, (c, c.null_count)
con = duckdb.connect()
row = con.execute(
    f"""SELECT count(*), count("ipv6.src"), count("tcp.srcport"), count(DISTINCT community_id),
        min("frame.number"), max("frame.number"), count(DISTINCT "ip.id")
        FROM read_parquet('{files[0]}')"""
).fetchone()
assert row == (total, 0, 0, 2, 1, total, 65536), row
# Row groups DuckDB can rule out by their statistics are skipped: a filter
# on frame.number past the first group still finds exactly its rows.
n = con.execute(
    f"""SELECT count(*) FROM read_parquet('{files[0]}') WHERE "frame.number" > 65536"""
).fetchone()[0]
assert n == total - 65536, n
print(f"parquet layout: {meta.num_row_groups} row groups, {total} rows checked")
"#;

#[test]
fn parquet_encodings_and_statistics_are_the_ones_claimed() {
    let ok = Command::new("python3")
        .args(["-c", "import duckdb, pyarrow"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        common::skip("python3 with duckdb and pyarrow is not installed");
        return;
    }
    let packets: Vec<Vec<u8>> = (0..PACKETS).map(packet).collect();
    let input = common::raw_pcap("parquet-layout", &packets);
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("export-parquet-layout");
    let _ = std::fs::remove_dir_all(&out);
    let export = Command::new(BIN)
        .arg("export")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("wirepeek runs");
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let check = Command::new("python3")
        .args(["-c", CHECK])
        .arg(&out)
        .arg(PACKETS.to_string())
        .output()
        .expect("python3 runs");
    let _ = std::fs::remove_file(&input);
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}
