#!/usr/bin/env bash
# Flow-table benchmark: a synthetic capture with about a million distinct
# flows (packets pick their flow uniformly at random: the worst case for a
# table, every lookup a cache miss), run REPS times each, interleaved so
# the machine's drift hits every mode alike, under /usr/bin/time -v:
#   1. read --stats --no-flows   decode only (the baseline)
#   2. read --stats              + flow tracking on the table's own thread
#                                  (only totals are wanted) + conversation
#                                  and endpoint totals
#   3. read --no-flows / read    one line per packet, where tracking runs in
#                                  line (each line needs its stream's
#                                  relative sequence numbers)
#   4. flows --json              one JSON row per flow
# Reports min and median wall time, CPU time (user + sys: the table
# thread's work shows here even where wall time hides it), peak RSS, and
# memory per tracked flow ((peak RSS of 4 - peak RSS of 1) / flows).
#
# Usage: bench/flows.sh [PACKETS] [FLOWS] [REPS]   (defaults 4000000 1000000 5)
# Needs: /usr/bin/time (apt package `time`), the generator in
# /work/shared/bench/gen (built here if missing), ~3 GB in $BENCH_DIR.
set -euo pipefail

PACKETS=${1:-4000000}
FLOWS=${2:-1000000}
REPS=${3:-5}
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

# run NAME CMD...: appends "NAME wall cpu peak_kB" to $BENCH_DIR/flows.runs
run() {
  local name=$1; shift
  local log="$BENCH_DIR/$name.time"
  /usr/bin/time -v "$@" > "$BENCH_DIR/$name.out" 2> "$log"
  awk -v name="$name" -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
    /User time/ { cpu += $2 } /System time/ { cpu += $2 }
    /Maximum resident set size/ { rss = $2 }
    END { print name, wall, cpu, rss }' "$log" >> "$BENCH_DIR/flows.runs"
}

: > "$BENCH_DIR/flows.runs"
for _ in $(seq "$REPS"); do
  run decode-only "$BIN" read "$CAP" --stats --no-flows
  run stats-with-flows "$BIN" read "$CAP" --stats
  run lines-no-flows "$BIN" read "$CAP" --no-flows
  run lines-with-flows "$BIN" read "$CAP"
  run flows-json "$BIN" flows "$CAP" --json --sort first
done

flows=$(wc -l < "$BENCH_DIR/flows-json.out")
size=$(stat -c %s "$CAP")
echo "capture: $CAP ($size bytes, $PACKETS packets, $flows conversations listed), $REPS runs each"
grep -E '^(Conversations|Endpoints|Flow table)' "$BENCH_DIR/stats-with-flows.out" || true
sort -k1,1 -k2,2n "$BENCH_DIR/flows.runs" | awk -v n="$flows" '
  { k = $1; c[k]++; w[k, c[k]] = $2; if (!(k in cpu) || $3 < cpu[k]) cpu[k] = $3; if ($4 > rss[k]) rss[k] = $4 }
  END {
    split("decode-only stats-with-flows lines-no-flows lines-with-flows flows-json", order, " ")
    base["stats-with-flows"] = "decode-only"; base["lines-with-flows"] = "lines-no-flows"
    base["flows-json"] = "decode-only"
    printf "%-18s %9s %9s %9s %9s %12s\n", "run", "min (s)", "median", "vs base", "CPU (s)", "peak RSS MB"
    for (i = 1; i <= 5; i++) {
      k = order[i]; mn[k] = w[k, 1]; md[k] = w[k, int((c[k] + 1) / 2)]
      vs = (k in base) ? sprintf("%+.0f%%", (md[k] / md[base[k]] - 1) * 100) : "-"
      printf "%-18s %9.2f %9.2f %9s %9.2f %12.1f\n", k, mn[k], md[k], vs, cpu[k], rss[k] / 1024
    }
    printf "memory per tracked flow (flows-json - decode-only peak RSS): %.0f bytes (key included)\n", (rss["flows-json"] - rss["decode-only"]) * 1024 / n
    printf "memory per tracked flow (stats-with-flows - decode-only): %.0f bytes\n", (rss["stats-with-flows"] - rss["decode-only"]) * 1024 / n
  }'
