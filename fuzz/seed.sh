#!/bin/sh
# Fill fuzz/corpus/ with seeds from the bundled captures and the shared corpus:
# whole files for read_file, single frames for decode and render, packet
# sequences for flows and lesson, and the filter expressions the filter tests
# use for the two filter targets. The corpora are generated, never committed. Run from anywhere.
set -eu
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
corpus=$fuzz/corpus
mkdir -p "$corpus/read_file" "$corpus/decode" "$corpus/render" "$corpus/flows" \
    "$corpus/lesson" "$corpus/tcpdump_filter" "$corpus/display_filter"

files=$(ls "$root"/captures/*.pcap "$root"/../shared/corpus/captures/* 2>/dev/null || true)
for f in $files; do
    cp -f "$f" "$corpus/read_file/" && chmod u+w "$corpus/read_file/$(basename "$f")"
done

# One seed per frame, through the crate's own reader. SEED_FRAMES names a
# seed_frames already built (`cargo fuzz build` makes one in
# target/x86_64-unknown-linux-gnu/release/) instead of a build of its own.
if [ -n "${SEED_FRAMES:-}" ]; then
    "$SEED_FRAMES" "$corpus/decode" "$corpus/flows" "$corpus/lesson" $files
else
    cargo run --quiet --release --manifest-path "$fuzz/Cargo.toml" --bin seed_frames -- \
        "$corpus/decode" "$corpus/flows" "$corpus/lesson" $files
fi
# The printers take the decoder's input.
cp -f "$corpus/decode"/* "$corpus/render/"

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
for t in read_file decode render flows lesson tcpdump_filter display_filter; do
    echo "$t: $(ls "$corpus/$t" | wc -l) seeds"
done
