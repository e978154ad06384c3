#!/usr/bin/env bash
# TUI with a large capture: load it through the TUI's own source thread and
# model, time screen draws on each tab (tests/tui_bench.rs, release), and in
# the same run time tshark reading the same file (what termshark waits for
# before it can show anything).
#   bench/tui.sh [CAPTURE]   (default /tmp/mem-1m.pcap if present, else
#   /tmp/1m.pcap; see bench/read.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
DEFAULT=/tmp/1m.pcap
[ -s /tmp/mem-1m.pcap ] && DEFAULT=/tmp/mem-1m.pcap
FILE=${1:-$DEFAULT}
[ -s "$FILE" ] || { echo "bench: $FILE missing; run bench/read.sh first to make it" >&2; exit 1; }
cat "$FILE" > /dev/null
WIREPEEK_BENCH_FILE="$FILE" cargo test --release -q --test tui_bench -- --ignored --nocapture 2>&1 \
    | grep -E '^(first screen|loaded|reassembly kept|draw|key to redraw|Ctrl-F|[0-9]+ conversations)'
if command -v tshark >/dev/null; then
    TIMES=$(mktemp)
    trap 'rm -f "$TIMES"' EXIT
    /usr/bin/time -o "$TIMES" -f '%e %M' tshark -n -r "$FILE" > /dev/null 2>&1 || true
    read -r secs kb < <(tail -n 1 "$TIMES")
    awk -v s="$secs" -v k="$kb" 'BEGIN { printf "tshark -n -r (same file): %.2f s, max RSS %.0f MiB\n", s, k / 1024 }'
fi
