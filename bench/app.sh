#!/usr/bin/env bash
# Application-protocol decode benchmark: wirepeek `read` (one line per
# packet, -v and --stats) beside `tcpdump -n -r` and `tshark -r` on a
# capture heavy in DNS and TLS (bench/app-gen.py: 4 of every 15 packets
# DNS with EDNS and name compression, 4 carrying TLS 1.3 handshake or
# application data records), in the same run. Prints wall seconds, CPU
# seconds (user + system: the figure to trust on a shared machine),
# packets/s by wall and by CPU time, and peak memory (max RSS). Output goes
# to /dev/null, so formatting costs count but the terminal does not.
#   bench/app.sh [CAPTURE]   (default: makes /tmp/app-500k.pcap, 500,000 packets, seed 7)
#   BEFORE=/path/to/older/wirepeek bench/app.sh   adds that binary's rows
#   right before this build's; FULL=1 adds tcpdump -v and tshark -V;
#   WP=/path/to/wirepeek skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."

FILE=${1:-/tmp/app-500k.pcap}
if [ ! -s "$FILE" ]; then
    echo "making $FILE with bench/app-gen.py (500,000 packets, seed 7)" >&2
    python3 bench/app-gen.py "$FILE" 500000 7
fi
command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install -y time)" >&2; exit 1; }
if [ -z "${WP:-}" ]; then
    cargo build --release -q
    WP=target/release/wirepeek
fi
TIMES=$(mktemp)
trap 'rm -f "$TIMES"' EXIT
packets=$($WP read "$FILE" --stats | awk '/^Packets:/ {print $2}')
# Warm the page cache so every tool reads from memory.
cat "$FILE" > /dev/null

printf '%-40s %9s %9s %14s %14s %10s\n' "command ($packets packets)" "seconds" "CPU s" "packets/s" "packets/CPU s" "peak MB"
run() {
    local label=$1; shift
    local stats
    /usr/bin/time -o "$TIMES" -f '%e %U %S %M' "$@" > /dev/null 2>/dev/null || true
    stats=$(tail -n 1 "$TIMES")
    echo "$stats" | awk -v l="$label" -v n="$packets" \
        '{ cpu = $2 + $3; printf "%-40s %9.2f %9.2f %14.0f %14.0f %10.1f\n", l, $1, cpu, ($1 > 0 ? n / $1 : 0), (cpu > 0 ? n / cpu : 0), $4 / 1024 }'
}
mode_row() {
    local wp=$1 tag=$2
    case $3 in
        line) run "wirepeek read (one line)$tag" "$wp" read "$FILE" ;;
        v) run "wirepeek read -v$tag" "$wp" read "$FILE" -v ;;
        stats) run "wirepeek read --stats$tag" "$wp" read "$FILE" --stats ;;
    esac
}
for mode in line v stats; do
    if [ -n "${BEFORE:-}" ]; then
        mode_row "$BEFORE" " [before]" "$mode"
        mode_row "$WP" " [after]" "$mode"
    else
        mode_row "$WP" "" "$mode"
    fi
done
if command -v tcpdump >/dev/null; then
    run "tcpdump -n -r" tcpdump -n -r "$FILE"
    [ -n "${FULL:-}" ] && run "tcpdump -n -v -r" tcpdump -n -v -r "$FILE"
fi
if command -v tshark >/dev/null; then
    run "tshark -r" tshark -r "$FILE"
    # FULL=1 adds the verbose rows (long on a loaded machine).
    [ -n "${FULL:-}" ] && run "tshark -n -V -r" tshark -n -V -r "$FILE"
fi
true
