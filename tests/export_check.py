"""Checks for tests/export.rs: read `wirepeek export` output back with
DuckDB and pyarrow and compare it with what `read --fields` and `flows
--json` printed (files under OUT/expected/), and Community IDs with the
`communityid` package. Usage: export_check.py packets|conn|community|ndjson|hive OUT
Prints one summary line; exits 1 with the first differences."""

import glob
import json
import os
import sys

import communityid
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

what, out = sys.argv[1], sys.argv[2]
problems = []


def fail(msg):
    problems.append(msg)
    if len(problems) >= 20:
        finish()


def finish(summary=""):
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(summary)
    sys.exit(0)


def inputs():
    with open(os.path.join(out, "expected", "inputs")) as f:
        return f.read().split("\n")


def tsv(i):
    with open(os.path.join(out, "expected", f"{i}.tsv")) as f:
        lines = f.read().split("\n")
    header = lines[0].split("\t")
    return header, [l.split("\t") for l in lines[1:] if l != ""]


def ns_of(text):
    """read's `SECS.NANOS` (the frame's seconds and nanoseconds fields, as
    tshark prints them) as nanoseconds since the epoch."""
    secs, _, frac = text.partition(".")
    return int(secs) * 10**9 + int(frac.ljust(9, "0"))


def decimal_ns(text):
    """A decimal number of seconds (`-1.500000000`) as nanoseconds."""
    from decimal import Decimal
    return int(Decimal(text) * 10**9)


def pylist(t):
    """Rows as dicts, timestamps as integer nanoseconds (Python's datetime
    stops at microseconds)."""
    for i, f in enumerate(t.schema):
        if pa.types.is_timestamp(f.type):
            t = t.set_column(i, f.name, t[f.name].cast(pa.int64()))
    return t.to_pylist()


def table(pattern):
    files = sorted(glob.glob(os.path.join(out, "**", pattern), recursive=True))
    return files, pq.read_table(files) if files else None


def packets():
    files, t = table("packets-*.parquet")
    schema = t.schema
    types = {f.name: f.type for f in schema}
    if types["frame.time_epoch"] != pa.timestamp("ns", tz="UTC"):
        fail(f"frame.time_epoch is {types['frame.time_epoch']}")
    con = duckdb.connect()
    con.execute(f"CREATE VIEW p AS SELECT * FROM read_parquet({files!r})")
    compared = rows_total = 0
    for i, path in enumerate(inputs()):
        header, rows = tsv(i)
        got = con.execute(
            'SELECT * FROM p WHERE source_file = ? ORDER BY "frame.number"', [path]
        ).fetchall()
        names = [d[0] for d in con.description]
        if len(got) != len(rows):
            fail(f"{path}: {len(got)} rows, read printed {len(rows)} packets")
            continue
        rows_total += len(rows)
        epoch = names.index("frame.time_epoch")
        for row, want in zip(got, rows):
            for col, name in enumerate(header):
                expect = want[col]
                value = row[names.index(name)]
                ty = types[name]
                if name == "frame.time_epoch":
                    # DuckDB hands back microseconds: compare the exact
                    # nanoseconds through pyarrow below instead.
                    continue
                if expect == "":
                    ok = value is None
                elif pa.types.is_int64(ty):
                    ok = value == int(expect, 0)
                elif pa.types.is_boolean(ty):
                    ok = value == (expect == "1")
                elif pa.types.is_string(ty):
                    ok = value == expect
                else:
                    ok = False
                compared += 1
                if not ok:
                    fail(f"{path} frame {row[names.index('frame.number')]} {name} ({ty}): {value!r} != {expect!r}")
        # Exact nanoseconds and every declared type, through pyarrow.
        mine = t.filter(pa.compute.equal(t["source_file"], path)).sort_by("frame.number")
        stamps = mine["frame.time_epoch"].cast(pa.int64()).to_pylist()
        want_ns = [ns_of(r[header.index("frame.time_epoch")]) if r[header.index("frame.time_epoch")] else None for r in rows]
        # Times past what 64-bit nanoseconds hold are left empty (and warned of).
        want_ns = [None if n is not None and not -(2**63) <= n < 2**63 else n for n in want_ns]
        for k, (a, b) in enumerate(zip(stamps, want_ns)):
            if a != b:
                fail(f"{path} frame {k + 1}: frame.time_epoch {a} != {b}")
                break
    finish(f"packets: {len(inputs())} inputs, {rows_total} rows, {compared} values equal to read --fields")


def flows(i):
    with open(os.path.join(out, "expected", f"{i}.flows")) as f:
        return [json.loads(l) for l in f if l.strip() and "unlisted" not in l]


def endpoint(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def seconds_ns(text):
    return ns_of(text)


# Zeek's analyzer names for the application protocols of frame.protocols.
SERVICE = {"dns": "dns", "mdns": "dns", "http": "http", "tls": "ssl", "quic": "quic", "dhcp": "dhcp", "ntp": "ntp"}


def services_by_stream(i):
    """Per (proto, stream): the Zeek services of the application layers
    above each frame's transport, from `read --fields` (frame.protocols,
    which tests/app_layers.rs holds to tshark's). Frames with two
    transports (tunnels) make their conversation's answer unknown (None)."""
    header, rows = tsv(i)
    col = {name: n for n, name in enumerate(header)}
    out_ = {}
    for row in rows:
        layers = row[col["frame.protocols"]].split(":")
        transports = [n for n, l in enumerate(layers) if l in ("tcp", "udp")]
        if not transports:
            continue
        proto = layers[transports[-1]]
        stream = row[col[f"{proto}.stream"]]
        if stream == "":
            continue
        key = (proto, int(stream))
        if len(transports) > 1:
            out_[key] = None
            continue
        if key in out_ and out_[key] is None:
            continue
        seen = out_.setdefault(key, set())
        seen.update(SERVICE[l] for l in layers[transports[-1] + 1:] if l in SERVICE)
    return out_


def conn():
    files, t = table("conn-*.parquet")
    types = {f.name: f.type for f in t.schema}
    for name, ty in [("ts", pa.timestamp("ns", tz="UTC")), ("id.orig_p", pa.int64()), ("duration", pa.float64()), ("history", pa.string())]:
        if types[name] != ty:
            fail(f"conn {name} is {types[name]}, not {ty}")
    rows = pylist(t)
    for r in rows:
        r["ts_ns"] = r["ts"]
    checked = service_checked = with_service = 0
    for i, path in enumerate(inputs()):
        mine = {}
        for r in rows:
            if r["source_file"] == path:
                proto = r["proto"]
                mine[(proto, r["stream"])] = r
        services = services_by_stream(i)
        for (proto, stream), r in mine.items():
            expect = services.get((proto, stream), set())
            if expect is None:
                continue
            got = set(r["service"].split(",")) if r["service"] else set()
            if got != expect:
                fail(f"{path} {proto} {stream}: service {r['service']!r}, frames say {sorted(expect)}")
            service_checked += 1
            with_service += bool(got)
        want = flows(i)
        if len(want) != len(mine):
            fail(f"{path}: {len(mine)} conn rows, flows --json {len(want)}")
        for f in want:
            proto = "icmp" if f["proto"] in ("icmp", "icmpv6") else f["proto"]
            r = mine.get((proto, f["stream"]))
            if r is None:
                fail(f"{path}: no conn row for {f['proto']} stream {f['stream']}")
                continue
            checked += 1
            if r["ts_ns"] != seconds_ns(f["first_seen"]):
                fail(f"{path} {proto} {f['stream']}: ts {r['ts_ns']} != {f['first_seen']}")
            dur = seconds_ns(f["duration"])
            if dur > 0 and abs(r["duration"] * 1e9 - dur) > 1000:
                fail(f"{path} {proto} {f['stream']}: duration {r['duration']} != {f['duration']}")
            if dur == 0 and r["duration"] is not None:
                fail(f"{path} {proto} {f['stream']}: duration {r['duration']} for a zero-length conversation")
            orig = endpoint(r["id.orig_h"], r["id.orig_p"])
            resp = endpoint(r["id.resp_h"], r["id.resp_p"])
            if proto in ("tcp", "udp"):
                if (orig, resp) == (f["a"], f["b"]):
                    pk = (f["packets_a_to_b"], f["packets_b_to_a"])
                elif (orig, resp) == (f["b"], f["a"]):
                    pk = (f["packets_b_to_a"], f["packets_a_to_b"])
                else:
                    fail(f"{path} {proto} {f['stream']}: endpoints {orig} {resp} vs {f['a']} {f['b']}")
                    continue
                if f["client"] == "a" and orig != f["a"] or f["client"] == "b" and orig != f["b"]:
                    fail(f"{path} {proto} {f['stream']}: originator {orig}, flows' client {f['client']}")
            else:
                hosts = {f["a"].rsplit(":", 1)[0].strip("[]"), f["b"].rsplit(":", 1)[0].strip("[]")}
                if {r["id.orig_h"], r["id.resp_h"]} != hosts:
                    fail(f"{path} icmp {f['stream']}: hosts {r['id.orig_h']} {r['id.resp_h']} vs {hosts}")
                pk = tuple(sorted((f["packets_a_to_b"], f["packets_b_to_a"])))
                got = tuple(sorted((r["orig_pkts"], r["resp_pkts"])))
                if got != pk:
                    fail(f"{path} icmp {f['stream']}: packets {got} != {pk}")
                continue
            if (r["orig_pkts"], r["resp_pkts"]) != pk:
                fail(f"{path} {proto} {f['stream']}: packets {(r['orig_pkts'], r['resp_pkts'])} != {pk}")
            if proto == "tcp":
                if (r["retransmissions"], r["out_of_order"]) != (f["retransmissions"], f["out_of_order"]):
                    fail(f"{path} tcp {f['stream']}: retransmissions/out-of-order differ")
                rtt = f.get("handshake_rtt")
                if (rtt is None) != (r["handshake_rtt"] is None) or rtt is not None and abs(r["handshake_rtt"] * 1e9 - seconds_ns(rtt)) > 1000:
                    fail(f"{path} tcp {f['stream']}: handshake_rtt {r['handshake_rtt']} != {rtt}")
            if r["conn_state"] not in "S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH".split():
                fail(f"{path} {proto} {f['stream']}: conn_state {r['conn_state']}")
    finish(f"conn: {checked} conversations equal to flows --json; service of {service_checked} ({with_service} named) equal to their frames' application layers")


def reference(proto, src, dst, sport, dport):
    cid = communityid.CommunityID(0)
    make = {
        "tcp": communityid.FlowTuple.make_tcp,
        "udp": communityid.FlowTuple.make_udp,
        "icmp": communityid.FlowTuple.make_icmp,
        "icmpv6": communityid.FlowTuple.make_icmp6,
    }[proto]
    return cid.calc(make(src, dst, sport, dport))


def community():
    files, t = table("packets-*.parquet")
    n_packets = 0
    counts = {}
    for r in pylist(t):
        # Source-routed packets: read's ip.dst is the route's last hop and
        # IPv6's conversations end at the routing header's final
        # destination; these are checked through their conversation below.
        if r["ipv6.routing.segleft"] or r["ip.cur_rt"] is not None:
            continue
        src = r["ip.src"] or r["ipv6.src"]
        dst = r["ip.dst"] or r["ipv6.dst"]
        if r["tcp.srcport"] is not None and r["tcp.stream"] is not None:
            want = reference("tcp", src, dst, r["tcp.srcport"], r["tcp.dstport"])
        elif r["udp.srcport"] is not None and r["udp.stream"] is not None:
            want = reference("udp", src, dst, r["udp.srcport"], r["udp.dstport"])
        elif r["icmp.type"] is not None and src and r["ip.src"]:
            want = reference("icmp", src, dst, r["icmp.type"], r["icmp.code"])
        elif r["icmpv6.type"] is not None and r["ipv6.src"]:
            want = reference("icmpv6", src, dst, r["icmpv6.type"], r["icmpv6.code"])
        else:
            continue
        n_packets += 1
        proto = "tcp" if r["tcp.stream"] is not None else "udp" if r["udp.stream"] is not None else "icmp"
        counts[proto] = counts.get(proto, 0) + 1
        if r["community_id"] != want:
            fail(f"{r['source_file']} frame {r['frame.number']}: {r['community_id']} != reference {want}")
    # Each conversation: its own tuple by the reference, and the ID its
    # packets carry (TCP and UDP, by stream).
    by_stream = {}
    for r in pylist(t):
        for proto in ("tcp", "udp"):
            s = r[f"{proto}.stream"]
            if s is not None and r["community_id"]:
                by_stream.setdefault((r["source_file"], proto, s), set()).add(r["community_id"])
    _, c = table("conn-*.parquet")
    n_conns = 0
    for r in pylist(c):
        proto = r["proto"]
        if proto == "icmp":
            proto = "icmpv6" if ":" in r["id.orig_h"] else "icmp"
        want = reference(proto, r["id.orig_h"], r["id.resp_h"], r["id.orig_p"], r["id.resp_p"])
        n_conns += 1
        if r["community_id"] != want:
            fail(f"{r['source_file']} conn {r['uid']}: {r['community_id']} != reference {want}")
        ids = by_stream.get((r["source_file"], r["proto"], r["stream"]))
        if r["proto"] in ("tcp", "udp") and ids != {r["community_id"]}:
            fail(f"{r['source_file']} conn {r['proto']} {r['stream']}: packets carry {ids}, conn {r['community_id']}")
    finish(f"community: {n_packets} packets {counts} and {n_conns} conversations equal to the reference")


def ndjson():
    for kind in ("packets", "conn"):
        files = sorted(glob.glob(os.path.join(out, "parquet", f"{kind}-*.parquet")))
        t = pq.read_table(files)
        parquet_rows = pylist(t)
        stamp = "frame.time_epoch" if kind == "packets" else "ts"
        ns = [r[stamp] for r in parquet_rows]
        lines = []
        for f in sorted(glob.glob(os.path.join(out, "ndjson", f"{kind}-*.ndjson"))):
            with open(f) as h:
                lines += [json.loads(l, parse_float=str) for l in h]
        if len(lines) != len(parquet_rows):
            fail(f"{kind}: {len(lines)} JSON lines, {len(parquet_rows)} Parquet rows")
            continue
        key = (lambda r: (r["source_file"], r["frame.number"])) if kind == "packets" else (lambda r: r["uid"])
        by_key = {key(r): (r, n) for r, n in zip(parquet_rows, ns)}
        for line in lines:
            row, n = by_key[key(line)]
            for name, value in row.items():
                j = line.get(name)
                if name == stamp:
                    if j is None and n is None:
                        continue
                    if decimal_ns(j) != n:
                        fail(f"{kind} {key(line)}: {name} {j} != {n}")
                elif isinstance(value, float):
                    if abs(float(j) - value) > 1e-6:
                        fail(f"{kind} {key(line)}: {name} {j} != {value}")
                elif j != value:
                    fail(f"{kind} {key(line)}: {name} {j!r} != {value!r}")
    finish("ndjson: every row equal to Parquet's")


def hive():
    with open(os.path.join(out, "expected_packets")) as f:
        expected = int(f.read())
    pattern = os.path.join(out, "**", "packets*.parquet")
    con = duckdb.connect()
    total = con.execute(f"SELECT count(*) FROM read_parquet('{pattern}', hive_partitioning=true)").fetchone()[0]
    if total != expected:
        fail(f"{total} rows, read printed {expected}")
    wrong = con.execute(
        f"""SELECT count(*) FROM read_parquet('{pattern}', hive_partitioning=true)
            WHERE "frame.time_epoch" IS NOT NULL AND (
              CAST(date AS VARCHAR) != strftime(timezone('UTC', "frame.time_epoch"), '%Y-%m-%d')
              OR CAST(hour AS INTEGER) != CAST(strftime(timezone('UTC', "frame.time_epoch"), '%H') AS INTEGER))"""
    ).fetchone()[0]
    if wrong:
        fail(f"{wrong} packets under another hour's folder")
    if glob.glob(os.path.join(out, "**", ".*.partial"), recursive=True):
        fail("temporary files left behind")
    parts = len(glob.glob(os.path.join(out, "date=*", "hour=*")))
    finish(f"hive: {total} packets in {parts} hour folders")


{"packets": packets, "conn": conn, "community": community, "ndjson": ndjson, "hive": hive}[what]()
