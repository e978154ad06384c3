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
#   BEFORE=/path/to/older/wirepeek bench/read.sh   runs each wirepeek mode
#   with that binary too, right before this build's row, so a change is
#   measured before and after in one run.
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

printf '%-52s %9s %9s %14s %12s\n' "command ($packets packets)" "seconds" "CPU s" "packets/s" "peak MB"
run() {
    local label=$1; shift
    local stats
    # Wall seconds, user + system CPU seconds (the figure to trust on a
    # shared machine), peak resident KB.
    /usr/bin/time -o "$TIMES" -f '%e %U %S %M' "$@" > /dev/null 2>/dev/null || true
    stats=$(tail -n 1 "$TIMES")
    echo "$stats" | awk -v l="$label" -v n="$packets" \
        '{ printf "%-52s %9.2f %9.2f %14.0f %12.1f\n", l, $1, $2 + $3, ($1 > 0 ? n / $1 : 0), $4 / 1024 }'
}
# One wirepeek mode with one binary.
mode_row() {
    local wp=$1 tag=$2
    case $3 in
        line) run "wirepeek read (one line per packet)$tag" "$wp" read "$FILE" ;;
        e) run "wirepeek read -e$tag" "$wp" read "$FILE" -e ;;
        stats) run "wirepeek read --stats$tag" "$wp" read "$FILE" --stats ;;
        stats-nr) run "wirepeek read --stats --no-reassembly$tag" "$wp" read "$FILE" --stats --no-reassembly ;;
        line-nr) run "wirepeek read --no-reassembly (one line)$tag" "$wp" read "$FILE" --no-reassembly ;;
        fields-nr) run "wirepeek read --fields --no-reassembly$tag" "$wp" read "$FILE" --fields "$FIELDS" --no-reassembly ;;
        fields) run "wirepeek read --fields (29 oracle fields)$tag" "$wp" read "$FILE" --fields "$FIELDS" ;;
        json) run "wirepeek read --json$tag" "$wp" read "$FILE" --json ;;
        x) run "wirepeek read -x$tag" "$wp" read "$FILE" -x ;;
        v) run "wirepeek read -v$tag" "$wp" read "$FILE" -v ;;
    esac
}
# Each mode, the older binary's row right before this build's when BEFORE is set.
for mode in line e line-nr stats stats-nr fields fields-nr json x v; do
    if [ -n "${BEFORE:-}" ]; then
        mode_row "$BEFORE" " [before]" "$mode"
        mode_row "$WP" " [after]" "$mode"
    else
        mode_row "$WP" "" "$mode"
    fi
done
if command -v tcpdump >/dev/null; then
    run "tcpdump -n -r" tcpdump -n -r "$FILE"
fi
if command -v tshark >/dev/null; then
    run "tshark -n -r" tshark -n -r "$FILE"
    # shellcheck disable=SC2086
    run "tshark -T fields (same 29 fields)" tshark -n -r "$FILE" -T fields $TSHARK_FIELDS
fi
