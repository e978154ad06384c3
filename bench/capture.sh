#!/usr/bin/env bash
# Capture throughput on loopback: floods 127.0.0.1 with a bounded burst of
# UDP datagrams (examples/udp_flood, one core) while wirepeek's LiveSource
# (examples/capture_count) and tcpdump capture the same traffic side by
# side, then prints sent / captured / dropped and CPU seconds for both.
# Loopback only. Needs root. Env: COUNT (2000000), SIZES ("64 1400"),
# PORT (47999), RING_MIB (32: our ring; tcpdump keeps libpcap's 2 MiB
# default unless TCPDUMP_BUFFER_KIB is set).
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-2000000}
SIZES=${SIZES:-"64 1400"}
PORT=${PORT:-47999}
RING_MIB=${RING_MIB:-32}
TCPDUMP_BUFFER_KIB=${TCPDUMP_BUFFER_KIB:-}

if ! command -v tcpdump >/dev/null; then
    echo "bench: tcpdump is not installed (apt-get install -y tcpdump)" >&2
    exit 1
fi
cargo build --release --examples -q
bin=target/release/examples
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# Waits (at most 10 s) for a capture process to say it is listening.
wait_listening() {
    for _ in $(seq 100); do
        grep -q "listening on" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "bench: capture did not start: $(cat "$1")" >&2
    exit 1
}

# utime+stime of a live process, in seconds (USER_HZ = 100).
cpu_of() {
    awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"
}

printf '%-6s %-9s %10s %10s %10s %10s %8s\n' size tool sent captured dropped "recv(k)" cpu_s
for size in $SIZES; do
    "$bin/capture_count" lo "$PORT" 2 "$RING_MIB" 600 >"$work/wp.out" 2>"$work/wp.err" &
    wp_pid=$!
    pids+=("$wp_pid")
    buffer_args=()
    [ -n "$TCPDUMP_BUFFER_KIB" ] && buffer_args=(-B "$TCPDUMP_BUFFER_KIB")
    tcpdump -i lo -n "${buffer_args[@]}" -w /dev/null "udp port $PORT" 2>"$work/td.err" &
    td_pid=$!
    pids+=("$td_pid")
    wait_listening "$work/wp.err"
    wait_listening "$work/td.err"

    "$bin/udp_flood" "$PORT" "$COUNT" "$size" >"$work/flood.out"
    sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' "$work/flood.out")
    rate=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' "$work/flood.out")

    # capture_count stops by itself 2 s after the last matching frame.
    wait "$wp_pid" || true
    sleep 1
    td_cpu=$(cpu_of "$td_pid")
    kill -INT "$td_pid"
    wait "$td_pid" || true
    pids=()

    wp=$(cat "$work/wp.out")
    field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$wp"; }
    wp_cpu=$(awk -v u="$(field cpu_user)" -v s="$(field cpu_sys)" 'BEGIN {printf "%.2f", u + s}')
    td_captured=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$work/td.err")
    td_received=$(sed -n 's/^\([0-9]*\) packets received by filter.*/\1/p' "$work/td.err")
    td_dropped=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$work/td.err")
    printf '%-6s %-9s %10s %10s %10s %10s %8s\n' "$size" wirepeek "$sent" "$(field matched)" \
        "$(field kernel_dropped)" "$(field kernel_received)" "$wp_cpu"
    printf '%-6s %-9s %10s %10s %10s %10s %8s\n' "$size" tcpdump "$sent" "$td_captured" \
        "$td_dropped" "$td_received" "$td_cpu"
    echo "       (sender: $rate datagrams/s)"
done
