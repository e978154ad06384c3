#!/bin/sh
# Fill fuzz/corpus/ with seeds from the bundled captures and the shared corpus:
# whole files for read_file, single frames for decode, packet sequences for
# flows, and the filter expressions the filter tests use for the two filter
# targets. The corpora are generated, never committed. Run from anywhere.
set -eu
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
corpus=$fuzz/corpus
mkdir -p "$corpus/read_file" "$corpus/decode" "$corpus/flows" \
    "$corpus/tcpdump_filter" "$corpus/display_filter"

files=$(ls "$root"/captures/*.pcap "$root"/../shared/corpus/captures/* 2>/dev/null || true)
for f in $files; do
    cp -f "$f" "$corpus/read_file/" && chmod u+w "$corpus/read_file/$(basename "$f")"
done

# One seed per frame, through the crate's own reader.
cargo run --quiet --release --manifest-path "$fuzz/Cargo.toml" --bin seed_frames -- \
    "$corpus/decode" "$corpus/flows" $files

# Each string literal alone on a line of the filter tests' tables.
i=0
for pair in "filter_tcpdump:tcpdump_filter" "filter_display:display_filter"; do
    test=${pair%%:*}
    target=${pair#*:}
    sed -n 's/^ *"\(.*\)",$/\1/p' "$root/tests/$test.rs" | while IFS= read -r expr; do
        i=$((i + 1))
        printf '%s' "$expr" > "$corpus/$target/seed-$i"
    done
done
for t in read_file decode flows tcpdump_filter display_filter; do
    echo "$t: $(ls "$corpus/$t" | wc -l) seeds"
done
