#!/usr/bin/env bash
# Flow-table benchmark: a synthetic capture with about a million distinct
# flows, ingested three ways under /usr/bin/time -v:
#   1. read --stats --no-flows   decode only (the baseline)
#   2. read --stats              decode + flow tracking + conversation totals
#   3. flows --json              decode + flow tracking + one JSON row per flow
# Reports wall time, peak RSS, and memory per tracked flow
# ((peak RSS of 3 - peak RSS of 1) / flows).
#
# Usage: bench/flows.sh [PACKETS] [FLOWS]   (defaults 4000000 1000000)
# Needs: /usr/bin/time (apt package `time`), the generator in
# /work/shared/bench/gen (built here if missing), ~3 GB in $BENCH_DIR.
set -euo pipefail

PACKETS=${1:-4000000}
FLOWS=${2:-1000000}
SEED=1
HERE=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/wirepeek-bench}
GEN_SRC=${GEN_SRC:-/work/shared/bench/gen}
GEN=/tmp/gen-target/release/gen
CAP="$BENCH_DIR/flows-${PACKETS}-${FLOWS}.pcap"
mkdir -p "$BENCH_DIR"

if [ ! -x "$GEN" ]; then
  (cd "$GEN_SRC" && cargo build --release --target-dir /tmp/gen-target)
fi
(cd "$HERE" && cargo build --release)
BIN="$HERE/target/release/wirepeek"

if [ ! -s "$CAP" ]; then
  echo "generating $CAP ($PACKETS packets over $FLOWS flows)" >&2
  "$GEN" "$CAP" "$PACKETS" "$SEED" "$FLOWS"
fi

# run NAME CMD...: prints "NAME seconds peak_kB"
run() {
  local name=$1; shift
  local log="$BENCH_DIR/$name.time"
  /usr/bin/time -v "$@" > "$BENCH_DIR/$name.out" 2> "$log"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  echo "$name $wall $rss"
}

read -r _ t_base rss_base < <(run decode-only "$BIN" read "$CAP" --stats --no-flows)
read -r _ t_stats rss_stats < <(run stats-with-flows "$BIN" read "$CAP" --stats)
read -r _ t_flows rss_flows < <(run flows-json "$BIN" flows "$CAP" --json --sort first)

flows=$(wc -l < "$BENCH_DIR/flows-json.out")
size=$(stat -c %s "$CAP")
echo "capture: $CAP ($size bytes, $PACKETS packets, $flows conversations listed)"
grep -E '^(Conversations|Flow table)' "$BENCH_DIR/stats-with-flows.out" || true
awk -v tb="$t_base" -v rb="$rss_base" -v ts="$t_stats" -v rs="$rss_stats" \
    -v tf="$t_flows" -v rf="$rss_flows" -v n="$flows" -v p="$PACKETS" 'BEGIN {
  printf "%-28s %9s %12s %10s\n", "run", "wall (s)", "peak RSS MB", "vs decode"
  printf "%-28s %9.2f %12.1f %10s\n", "read --stats --no-flows", tb, rb/1024, "-"
  printf "%-28s %9.2f %12.1f %9.0f%%\n", "read --stats (flows on)", ts, rs/1024, (ts/tb-1)*100
  printf "%-28s %9.2f %12.1f %9.0f%%\n", "flows --json", tf, rf/1024, (tf/tb-1)*100
  printf "ingest rate (flows --json): %.0f packets/s\n", p/tf
  printf "memory per tracked flow (flows - decode-only peak RSS): %.0f bytes (each includes its 40-byte key, stored once)\n", (rf-rb)*1024/n
  printf "memory per tracked flow (read --stats - decode-only peak RSS): %.0f bytes\n", (rs-rb)*1024/n
}'
