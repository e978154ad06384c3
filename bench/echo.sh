#!/usr/bin/env bash
# Benchmarks `wirepeek echo server` against a reference echo server on
# loopback, driving both with `wirepeek echo client` at concurrency 1, 10
# and 100, and prints msg/s, MB/s and RTT median/p99 for each.
#
# Reference: socat with fork (one process per connection, like ours is one
# thread per connection), 64 KiB buffers, TCP_NODELAY, echoing through a
# pipe:  socat -b 65536 TCP-LISTEN:PORT,bind=127.0.0.1,reuseaddr,fork,nodelay PIPE
#
# Run from the repository root. Tunables (environment):
#   TOTAL  messages per run, split evenly over the connections (default 40000)
#   SIZES  message sizes in bytes (default "64 16384")
#   CONCURRENCY  (default "1 10 100")
#   ROUNDS  runs per cell, alternating the servers; the median by msg/s is
#           shown, which tames noise from other load on a small machine (default 3)
set -euo pipefail

TOTAL=${TOTAL:-40000}
SIZES=${SIZES:-"64 16384"}
CONCURRENCY=${CONCURRENCY:-"1 10 100"}
ROUNDS=${ROUNDS:-3}
BIN=target/release/wirepeek

command -v socat >/dev/null || {
    echo "socat is required (apt-get install -y socat)" >&2
    exit 1
}
cargo build --release --quiet

PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap cleanup EXIT

WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT

# Our server picks a free port and prints it.
"$BIN" echo server -l 127.0.0.1:0 -q >"$WORK/ours.out" &
PIDS+=($!)
for _ in $(seq 50); do
    [[ -s "$WORK/ours.out" ]] && break
    sleep 0.1
done
OURS_PORT=$(awk '/listening on tcp/ {n = split($4, a, ":"); print a[n]; exit}' "$WORK/ours.out")
[[ -n "$OURS_PORT" ]] || { echo "our server did not report its port" >&2; exit 1; }

# socat cannot report a kernel-chosen port, so ask the kernel for a free one.
REF_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
socat -b 65536 "TCP-LISTEN:$REF_PORT,bind=127.0.0.1,reuseaddr,fork,nodelay" PIPE &
PIDS+=($!)
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$REF_PORT") 2>/dev/null && break
    sleep 0.1
done

run() { # server-name port concurrency size
    local per_connection=$((TOTAL / $3))
    local report
    report=$("$BIN" echo client 127.0.0.1 "$2" --count "$per_connection" \
        --size "$4" --concurrency "$3" --timeout 10000 -q) || {
        echo "client run against $1 failed" >&2
        return 1
    }
    awk -v name="$1" -v c="$3" -v size="$4" '
        /^rtt/        { median = $5; p99 = $7 }
        /^throughput/ { msgs = $2; mbs = $4 }
        END { printf "%-8s %6s %11s %12s %10s %12s %12s\n", name, size, c, msgs, mbs, median, p99 }
    ' <<<"$report"
}

median_row() { # rows on stdin -> the row with the median msg/s (column 4)
    sort -k4,4n | awk '{ rows[NR] = $0 } END { print rows[int((NR + 1) / 2)] }'
}

printf "%-8s %6s %11s %12s %10s %12s %12s\n" server size concurrency "msg/s" "MB/s" "rtt median" "rtt p99"
for size in $SIZES; do
    for c in $CONCURRENCY; do
        : >"$WORK/ours.rows"
        : >"$WORK/ref.rows"
        for _ in $(seq "$ROUNDS"); do
            run wirepeek "$OURS_PORT" "$c" "$size" >>"$WORK/ours.rows"
            run socat "$REF_PORT" "$c" "$size" >>"$WORK/ref.rows"
        done
        median_row <"$WORK/ours.rows"
        median_row <"$WORK/ref.rows"
    done
done
