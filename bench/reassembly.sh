#!/usr/bin/env bash
# TCP stream reassembly benchmark, beside tshark in the same run:
#  1. memory: 1,000,000 concurrent conversations each missing a segment
#     (bench/gaps.py) through `read --stats` and `flows` with reassembly on
#     (default bound, and a small one), off, and `follow` of one of them;
#     peak RSS and the peak held bytes `--stats` reports against the bound.
#  2. speed: `follow` of the biggest TCP stream of the 1M-packet bench file
#     beside `tshark -q -z follow,tcp,raw,N`, in packets/s and MB/s of the
#     file read (both read every packet to find the stream's).
#   bench/reassembly.sh [GAPS_CAPTURE] [BENCH_CAPTURE]
#   (defaults: /tmp/gaps1m.pcap, made by bench/gaps.py; /tmp/1m.pcap, made
#   as bench/read.sh makes it)
set -euo pipefail
cd "$(dirname "$0")/.."

GAPS=${1:-/tmp/gaps1m.pcap}
FILE=${2:-/tmp/1m.pcap}
command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install -y time)" >&2; exit 1; }
if [ ! -s "$GAPS" ]; then
    echo "making $GAPS with bench/gaps.py (1,000,000 conversations)" >&2
    python3 bench/gaps.py "$GAPS" 1000000
fi
if [ ! -s "$FILE" ]; then
    echo "making $FILE with ../shared/bench/gen (1,000,000 packets, seed 7)" >&2
    (cd ../shared/bench/gen && cargo build --release -q --target-dir /tmp/gen-target)
    /tmp/gen-target/release/gen "$FILE" 1000000 7
fi
cargo build --release -q
WP=target/release/wirepeek
TIMES=$(mktemp)
OUT=$(mktemp)
trap 'rm -f "$TIMES" "$OUT"' EXIT

# run LABEL PACKETS BYTES CMD...: wall seconds, CPU seconds (user + system,
# all threads: steadier than wall time on a shared machine), packets/s and
# MB/s of wall time, peak MB.
run() {
    local label=$1 packets=$2 bytes=$3; shift 3
    /usr/bin/time -o "$TIMES" -f '%e %U %S %M' "$@" > "$OUT" 2>/dev/null || true
    tail -n 1 "$TIMES" | awk -v l="$label" -v n="$packets" -v b="$bytes" \
        '{ s = $1; printf "%-50s %8.2f %8.2f %11.0f %8.1f %8.1f\n", l, s, $2 + $3, (s > 0 ? n / s : 0), (s > 0 ? b / s / 1e6 : 0), $4 / 1024 }'
}
header() {
    printf '%-50s %8s %8s %11s %8s %8s\n' "$1" "seconds" "CPU s" "packets/s" "MB/s" "peak MB"
}

cat "$GAPS" > /dev/null
gap_packets=$($WP read "$GAPS" --stats --no-reassembly | awk '/^Packets:/ {print $2}')
gap_bytes=$(stat -c %s "$GAPS")
conversations=$((gap_packets / 3))
header "$conversations conversations missing a segment ($gap_packets packets)"
run "wirepeek read --stats (reassembly on, bound 256M)" "$gap_packets" "$gap_bytes" $WP read "$GAPS" --stats
grep -E '^(TCP streams|Reassembly):' "$OUT" | sed 's/^/    /'
run "wirepeek read --stats --max-reassembly-bytes 32M" "$gap_packets" "$gap_bytes" $WP read "$GAPS" --stats --max-reassembly-bytes 32M
grep -E '^(TCP streams|Reassembly):' "$OUT" | sed 's/^/    /'
run "wirepeek read --stats --no-reassembly" "$gap_packets" "$gap_bytes" $WP read "$GAPS" --stats --no-reassembly
run "wirepeek flows (reassembly on)" "$gap_packets" "$gap_bytes" $WP flows "$GAPS"
run "wirepeek flows --no-reassembly" "$gap_packets" "$gap_bytes" $WP flows "$GAPS" --no-reassembly
run "wirepeek follow --stream $((conversations / 2)) --format raw" "$gap_packets" "$gap_bytes" $WP follow "$GAPS" --stream $((conversations / 2)) --format raw
if command -v tshark >/dev/null; then
    run "tshark -q -z conv,tcp" "$gap_packets" "$gap_bytes" tshark -n -q -r "$GAPS" -z conv,tcp
fi

echo
cat "$FILE" > /dev/null
packets=$($WP read "$FILE" --stats --no-reassembly | awk '/^Packets:/ {print $2}')
bytes=$(stat -c %s "$FILE")
# The biggest TCP stream by bytes.
stream=$($WP flows "$FILE" --json --sort bytes | grep -m1 '"proto":"tcp"' | sed 's/.*"stream":\([0-9]*\).*/\1/')
header "follow the biggest TCP stream ($stream) of $FILE ($packets packets)"
run "wirepeek follow --stream $stream --format raw" "$packets" "$bytes" $WP follow "$FILE" --stream "$stream" --format raw
echo "    $(grep -c '' "$OUT") output lines"
if command -v tshark >/dev/null; then
    run "tshark -q -z follow,tcp,raw,$stream" "$packets" "$bytes" tshark -n -q -r "$FILE" -z follow,tcp,raw,"$stream"
    echo "    $(grep -c '' "$OUT") output lines"
fi
