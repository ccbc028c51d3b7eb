#!/usr/bin/env bash
# Builds the two WebAssembly variants of the engine and their JS bindings into pkg/:
#   pkg/threads  — shared memory, atomics, rayon pool (pages that are cross-origin isolated)
#   pkg/single   — one thread, same code (pages without COOP/COEP); the worker picks at run time.
# Both use wasm SIMD; the flags are in scripts/wasm-flags.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/wasm-flags.sh

build() { # name rustflags cargo-args...
  local name=$1 flags=$2; shift 2
  echo "== building pkg/$name"
  RUSTFLAGS="$flags" cargo build --quiet --lib --release --target wasm32-unknown-unknown \
    --target-dir "target/wasm-$name" "$@"
  rm -rf "pkg/$name"
  wasm-bindgen --target web --out-dir "pkg/$name" --out-name engine \
    "target/wasm-$name/wasm32-unknown-unknown/release/quantonium_video.wasm"
  # wasm-bindgen-rayon's helpers import('../../..'), i.e. this folder: give it an entry point.
  # No "type": "module" here: with it webpack treats that extensionless request as fully specified.
  cat > "pkg/$name/package.json" <<JSON
{ "name": "quantonium-engine-$name", "private": true, "main": "engine.js", "module": "engine.js", "types": "engine.d.ts", "sideEffects": ["./snippets/*"] }
JSON
}

build threads "$THREADED_RUSTFLAGS" --features threads -Z build-std=panic_abort,std
build single "$SINGLE_RUSTFLAGS"

# A threaded build whose memory is not shared would run on one thread without any error: refuse it.
grep -q 'shared: *true' pkg/threads/engine.js || { echo "pkg/threads: memory is not shared (threads would silently be off)" >&2; exit 1; }
if grep -q 'shared: *true' pkg/single/engine.js; then echo "pkg/single must not use shared memory" >&2; exit 1; fi
ls -l pkg/*/engine_bg.wasm
