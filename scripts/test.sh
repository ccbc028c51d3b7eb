#!/usr/bin/env bash
# `npm test`: every test, from a fresh machine. Installs what is missing (scripts/setup.sh --test),
# then runs the three layers:
#   1. Rust core, native: fmt, clippy -D warnings, cargo test (unit, integration, doc tests);
#   2. bindings in headless Chromium: wasm-bindgen-test in a dedicated worker, threaded build;
#   3. end to end: the built demo in headless Chromium (playwright-core), and in Firefox ESR and
#      WebKitGTK too (tests/e2e/engines.test.mjs), files checked by ffprobe.
# After the build, tsc type-checks the library's and the demo's JavaScript (tsconfig.json).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/wasm-flags.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "setup"
bash scripts/setup.sh --test

step "1/3 Rust core: fmt, clippy, cargo test"
cargo fmt --check
cargo clippy --quiet --all-targets -- -D warnings
RUSTFLAGS="$SINGLE_RUSTFLAGS" cargo clippy --quiet --lib --target wasm32-unknown-unknown --target-dir target/wasm-single -- -D warnings  # bindings, SIMD kernels
cargo test --quiet

step "build: both wasm variants and the static site (dist/)"
npm run --silent build

step "types: tsc --noEmit over the library and the demo (JSDoc and index.d.ts)"
npx tsc -p tsconfig.json

step "2/3 bindings: wasm-bindgen-test in headless Chromium (threads, SIMD)"
# The no-bundler flavour of wasm-bindgen-rayon lets the test runner's plain worker start the pool.
# (Its own target dir: tests need an unwinding std, the release wasm builds an aborting one.)
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} RUSTFLAGS="$THREADED_RUSTFLAGS" \
  cargo test --target wasm32-unknown-unknown --features test-threads -Z build-std=panic_abort,std \
  --target-dir target/wasm-test --test web

step "3/3 end to end: demo page in Chromium, Firefox ESR and WebKitGTK, files checked with ffprobe"
node --test --test-concurrency=1 tests/e2e/

step "all tests passed"
