#!/usr/bin/env bash
# Export benchmark: `wirepeek export` of the bench capture to Parquet and
# NDJSON with one worker and with two (the file split into two halves by
# editcap, so two workers have two inputs), beside tshark writing the same
# fields as CSV (`-T fields -E separator=,`) and as Elasticsearch bulk JSON
# (`-T ek`), in the same run. Prints wall and CPU seconds, packets/s and
# MB/s of capture (wall), peak memory (max RSS) and output size.
#   bench/export.sh [CAPTURE]   (default: /tmp/mem-1m.pcap, else makes /tmp/1m.pcap)
set -euo pipefail
cd "$(dirname "$0")/.."

FILE=${1:-}
if [ -z "$FILE" ]; then
    if [ -s /tmp/mem-1m.pcap ]; then FILE=/tmp/mem-1m.pcap; else FILE=/tmp/1m.pcap; fi
fi
GEN_DIR=../shared/bench/gen
if [ ! -s "$FILE" ]; then
    echo "making $FILE with $GEN_DIR (1,000,000 packets, seed 7)" >&2
    (cd "$GEN_DIR" && cargo build --release -q --target-dir /tmp/gen-target)
    /tmp/gen-target/release/gen "$FILE" 1000000 7
fi
for tool in /usr/bin/time editcap; do
    command -v "$tool" >/dev/null || { echo "bench: needs $tool" >&2; exit 1; }
done
cargo build --release -q
WP=$PWD/target/release/wirepeek
WORK=$(mktemp -d /tmp/export-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
packets=$($WP read "$FILE" --stats | awk '/^Packets:/ {print $2}')
bytes=$(stat -c %s "$FILE")
half=$(( (packets + 1) / 2 ))
editcap -c "$half" "$FILE" "$WORK/half.pcap"
HALVES=$(ls "$WORK"/half_*.pcap)
# The default packets fields that tshark knows (community_id is ours).
FIELDS="frame.number,frame.time_epoch,frame.len,frame.cap_len,frame.interface_id,frame.protocols,eth.src,eth.dst,eth.type,vlan.id,ip.src,ip.dst,ip.proto,ip.ttl,ip.len,ip.id,ip.flags.df,ip.flags.mf,ip.frag_offset,ip.dsfield.dscp,ipv6.src,ipv6.dst,ipv6.nxt,ipv6.hlim,ipv6.plen,tcp.srcport,tcp.dstport,tcp.stream,tcp.seq,tcp.ack,tcp.flags,tcp.flags.syn,tcp.flags.ack,tcp.flags.fin,tcp.flags.reset,tcp.window_size_value,tcp.len,udp.srcport,udp.dstport,udp.length,udp.stream,icmp.type,icmp.code,icmpv6.type,icmpv6.code,arp.opcode,arp.src.proto_ipv4,arp.dst.proto_ipv4"
TSHARK_FIELDS=$(echo "$FIELDS" | sed 's/,/ -e /g; s/^/-e /')
TIMES=$WORK/times
cat "$FILE" $HALVES > /dev/null   # page cache warm for every tool

# packets/CPU s is the figure per core (the goal: 1M); wall times on a
# shared machine only bound it.
printf '%-46s %8s %7s %11s %12s %7s %8s %9s\n' "command ($packets packets, $((bytes >> 20)) MiB)" "wall s" "CPU s" "packets/s" "pkts/CPU s" "MB/s" "peak MB" "out MB"
run() {
    local label=$1 out=$2; shift 2
    rm -rf "$out"
    /usr/bin/time -o "$TIMES" -f '%e %U %S %M' "$@" > "$WORK/stdout" 2>/dev/null || true
    local s u y k size
    read -r s u y k < <(tail -n 1 "$TIMES")
    size=$({ du -sk "$out" "$WORK/stdout" 2>/dev/null || true; } | awk '{t += $1} END {print t}')
    awk -v l="$label" -v s="$s" -v u="$u" -v y="$y" -v k="$k" -v n="$packets" -v b="$bytes" -v o="$size" \
        'BEGIN { c = u + y; printf "%-46s %8.2f %7.2f %11.0f %12.0f %7.1f %8.1f %9.1f\n", l, s, c, (s > 0 ? n / s : 0), (c > 0 ? n / c : 0), (s > 0 ? b / s / 1e6 : 0), k / 1024, o / 1024 }'
    rm -rf "$out"
}
run "wirepeek export (Parquet, -j1, 1 file)" "$WORK/o" $WP export "$FILE" -o "$WORK/o" -j1
run "wirepeek export (Parquet, -j1, 2 halves)" "$WORK/o" $WP export $HALVES -o "$WORK/o" -j1
run "wirepeek export (Parquet, -j2, 2 halves)" "$WORK/o" $WP export $HALVES -o "$WORK/o" -j2
run "wirepeek export --partition hour (-j1)" "$WORK/o" $WP export "$FILE" -o "$WORK/o" -j1 --partition hour
run "wirepeek export (NDJSON, -j1, 1 file)" "$WORK/o" $WP export "$FILE" -o "$WORK/o" -j1 --format ndjson
run "wirepeek export (NDJSON, -j2, 2 halves)" "$WORK/o" $WP export $HALVES -o "$WORK/o" -j2 --format ndjson
run "wirepeek read --fields (same fields, TSV)" "$WORK/o" $WP read "$FILE" --fields "$FIELDS"
if command -v tshark >/dev/null; then
    # shellcheck disable=SC2086
    run "tshark -T fields -E separator=, (same)" "$WORK/o" tshark -n -r "$FILE" -T fields -E separator=, $TSHARK_FIELDS
    # shellcheck disable=SC2086
    run "tshark -T ek (same fields)" "$WORK/o" tshark -n -r "$FILE" -T ek $TSHARK_FIELDS
fi
