#!/usr/bin/env bash
# File-decode benchmark: wirepeek `read` in each output mode beside
# `tcpdump -n -r`, `tshark -n -r` and `tshark -T fields` on the same large
# synthetic capture, in the same run. Prints wall seconds, packets/s and
# peak memory (max RSS). Output goes to /dev/null, so printing costs count
# but the terminal does not. The `--no-reassembly` rows give the cost of
# reassembly (IP fragments, TCP PDUs, and for `--stats` the TCP streams);
# the one-line mode never reassembles (tcpdump decodes one packet at a
# time), so its two rows differ only by noise.
#   bench/read.sh [CAPTURE]   (default: makes /tmp/1m.pcap, 1,000,000 packets)
set -euo pipefail
cd "$(dirname "$0")/.."

FILE=${1:-/tmp/1m.pcap}
GEN_DIR=../shared/bench/gen
if [ ! -s "$FILE" ]; then
    echo "making $FILE with $GEN_DIR (1,000,000 packets, seed 7)" >&2
    (cd "$GEN_DIR" && cargo build --release -q --target-dir /tmp/gen-target)
    /tmp/gen-target/release/gen "$FILE" 1000000 7
fi
command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install -y time)" >&2; exit 1; }
cargo build --release -q
WP=target/release/wirepeek
FIELDS=frame.number,frame.len,frame.cap_len,eth.src,eth.dst,eth.type,vlan.id,ip.src,ip.dst,ip.proto,ip.ttl,ip.flags.mf,ip.frag_offset,ipv6.src,ipv6.dst,ipv6.nxt,tcp.srcport,tcp.dstport,tcp.flags,tcp.seq_raw,tcp.ack_raw,tcp.window_size_value,tcp.len,udp.srcport,udp.dstport,udp.length,icmp.type,icmpv6.type,arp.opcode
TSHARK_FIELDS=$(echo "$FIELDS" | sed 's/,/ -e /g; s/^/-e /')
TIMES=$(mktemp)
trap 'rm -f "$TIMES"' EXIT
packets=$($WP read "$FILE" --stats | awk '/^Packets:/ {print $2}')
# Warm the page cache so every tool reads from memory.
cat "$FILE" > /dev/null

printf '%-44s %9s %14s %12s\n' "command ($packets packets)" "seconds" "packets/s" "peak MB"
run() {
    local label=$1; shift
    local stats
    /usr/bin/time -o "$TIMES" -f '%e %M' "$@" > /dev/null 2>/dev/null || true
    stats=$(tail -n 1 "$TIMES")
    local secs=${stats% *} kb=${stats#* }
    awk -v l="$label" -v s="$secs" -v k="$kb" -v n="$packets" \
        'BEGIN { printf "%-44s %9.2f %14.0f %12.1f\n", l, s, (s > 0 ? n / s : 0), k / 1024 }'
}
run "wirepeek read (one line per packet)" $WP read "$FILE"
run "wirepeek read -e" $WP read "$FILE" -e
run "wirepeek read --no-reassembly (one line)" $WP read "$FILE" --no-reassembly
run "wirepeek read --stats" $WP read "$FILE" --stats
run "wirepeek read --stats --no-reassembly" $WP read "$FILE" --stats --no-reassembly
run "wirepeek read --fields (29 oracle fields)" $WP read "$FILE" --fields "$FIELDS"
run "wirepeek read --fields --no-reassembly" $WP read "$FILE" --fields "$FIELDS" --no-reassembly
run "wirepeek read --json" $WP read "$FILE" --json
run "wirepeek read -x" $WP read "$FILE" -x
run "wirepeek read -v" $WP read "$FILE" -v
if command -v tcpdump >/dev/null; then
    run "tcpdump -n -r" tcpdump -n -r "$FILE"
fi
if command -v tshark >/dev/null; then
    run "tshark -n -r" tshark -n -r "$FILE"
    # shellcheck disable=SC2086
    run "tshark -T fields (same 29 fields)" tshark -n -r "$FILE" -T fields $TSHARK_FIELDS
fi
