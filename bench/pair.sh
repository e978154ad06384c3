#!/usr/bin/env bash
# Before/after check of the two modes issue 17 bounds (one line per packet
# and --stats): each mode RUNS times with the older binary and this build,
# interleaved (before, after, before, after, …) so drift on a shared
# machine hits both alike. Prints each binary's median and minimum CPU
# seconds (user + system) and the change of the medians.
#   BEFORE=/path/to/older/wirepeek bench/pair.sh [CAPTURE] [RUNS]
#   (default capture /tmp/1m.pcap from ../shared/bench/gen, 5 runs;
#   AFTER=/path/to/wirepeek overrides this build's binary)
set -euo pipefail
cd "$(dirname "$0")/.."

FILE=${1:-/tmp/1m.pcap}
RUNS=${2:-5}
: "${BEFORE:?set BEFORE to the older wirepeek binary}"
[ -s "$FILE" ] || { echo "bench: $FILE is missing (see bench/read.sh)" >&2; exit 1; }
if [ -z "${AFTER:-}" ]; then
    cargo build --release -q
    AFTER=target/release/wirepeek
fi
TIMES=$(mktemp)
trap 'rm -f "$TIMES"' EXIT
cat "$FILE" > /dev/null

cpu() {
    /usr/bin/time -o "$TIMES" -f '%U %S' "$@" > /dev/null 2>/dev/null || true
    awk '{ printf "%.2f\n", $1 + $2 }' "$TIMES"
}
stat_line() {
    sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f %.2f\n", m, v[1] }'
}
printf '%-28s %14s %14s %14s %14s %8s\n' "mode ($RUNS runs each)" "before median" "before min" "after median" "after min" "change"
for mode in line stats; do
    args=(read "$FILE")
    [ "$mode" = stats ] && args+=(--stats)
    b=() a=()
    for _ in $(seq "$RUNS"); do
        b+=("$(cpu "$BEFORE" "${args[@]}")")
        a+=("$(cpu "$AFTER" "${args[@]}")")
    done
    read -r bm bmin < <(printf '%s\n' "${b[@]}" | stat_line)
    read -r am amin < <(printf '%s\n' "${a[@]}" | stat_line)
    label="read (one line)"
    [ "$mode" = stats ] && label="read --stats"
    awk -v l="$label" -v bm="$bm" -v bn="$bmin" -v am="$am" -v an="$amin" \
        'BEGIN { printf "%-28s %14.2f %14.2f %14.2f %14.2f %+7.0f%%\n", l, bm, bn, am, an, (bm > 0 ? 100 * (am - bm) / bm : 0) }'
    echo "  before: ${b[*]}   after: ${a[*]}"
done
