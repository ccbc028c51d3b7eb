#!/usr/bin/env bash
# Fuzzes validation + decoding + analysis + rendering (fuzz/fuzz_targets/decode_analyse.rs) for a
# bounded time: `bash scripts/fuzz.sh [seconds, default 600]`. Not part of CI.
# Seeds: the valid test images and the hostile corpus that `cargo test --test hostile` writes.
# Crashes land in fuzz/artifacts/decode_analyse/; reproduce one with
#   cargo fuzz run decode_analyse fuzz/artifacts/decode_analyse/<file>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
command -v cargo-fuzz > /dev/null || cargo install cargo-fuzz --locked
cargo test --quiet --test hostile > /dev/null
seeds=target/fuzz-seeds
rm -rf "$seeds" && mkdir -p "$seeds"
# Each seed: two option bytes (256x192-ish AVI with resonance; 64x48 MP4 with shimmer), then the file.
for f in target/tmp/hostile-corpus/*.bin target/tmp/valid-images/*; do
  name=$(basename "$f")
  { printf '\x60\x60'; cat "$f"; } > "$seeds/a-$name"
  { printf '\x20\x98'; cat "$f"; } > "$seeds/b-$name"
done
mkdir -p fuzz/corpus/decode_analyse
cargo fuzz run decode_analyse fuzz/corpus/decode_analyse "$seeds" -- \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1
