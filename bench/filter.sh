#!/usr/bin/env bash
# Filter cost: `read FILE EXPR --stats` beside `read FILE --stats` on the
# large synthetic capture (goal: within 1.5x), plus display filters, and
# tcpdump with the same expressions in the same run.
#   bench/filter.sh [CAPTURE]   (default /tmp/1m.pcap; see bench/read.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
FILE=${1:-/tmp/1m.pcap}
[ -s "$FILE" ] || { echo "bench: $FILE missing; run bench/read.sh first to make it" >&2; exit 1; }
cargo build --release -q
WP=target/release/wirepeek
TIMES=$(mktemp)
trap 'rm -f "$TIMES"' EXIT
cat "$FILE" > /dev/null
run() {
    local label=$1; shift
    /usr/bin/time -o "$TIMES" -f '%e %M' "$@" > /dev/null 2>/dev/null || true
    local stats; stats=$(tail -n 1 "$TIMES")
    awk -v l="$label" -v s="${stats% *}" -v k="${stats#* }" 'BEGIN { printf "%-58s %8.2f s %8.1f MB\n", l, s, k / 1024 }'
}
run "wirepeek read --stats (no filter)" $WP read "$FILE" --stats
for expr in "tcp port 80" "udp or icmp" "host 10.0.0.1 and tcp[tcpflags] & tcp-syn != 0" "vlan and ip" "not arp and greater 1000"; do
    run "wirepeek read --stats '$expr'" $WP read "$FILE" --stats $expr
    if command -v tcpdump >/dev/null; then
        run "tcpdump -n -r FILE '$expr' (printing)" tcpdump -n -r "$FILE" $expr
    fi
done
for display in "tcp.port == 80" "ip.addr == 10.0.0.0/8 && tcp.flags.syn == 1"; do
    run "wirepeek read --stats -Y '$display'" $WP read "$FILE" --stats -Y "$display"
done
