# Sourced by the build and test scripts: the RUSTFLAGS of the two wasm variants, in one place.
# Keep in sync with the capability checks in www/lib/engine.worker.js (threaded build only on
# cross-origin isolated pages).
#
# On this nightly, +atomics alone no longer makes the memory shared (rust-lang/rust#147225), and
# wasm-bindgen then silently emits single-threaded glue; the linker flags make it shared and
# imported. --max-memory is the most the engine can ever use (1 GiB).
THREADED_RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128 \
-C link-arg=--shared-memory -C link-arg=--max-memory=1073741824 -C link-arg=--import-memory \
-C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
-C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"
SINGLE_RUSTFLAGS="-C target-feature=+simd128"
