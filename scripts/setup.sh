#!/usr/bin/env bash
# Installs whatever this machine lacks to build (and, with --test, to test) the project, and
# nothing it already has. Everything comes from the registries: rustup, crates.io, npm, Debian.
#   scripts/setup.sh          toolchain, wasm-bindgen CLI, node_modules
#   scripts/setup.sh --test   the same, plus the three browser engines and ffmpeg (apt-get:
#                             chromium, chromium-driver, firefox-esr, webkit2gtk-driver, xvfb), and
#                             npm's cache for installing the package offline
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. The pinned nightly (rust-toolchain.toml). A machine whose preinstalled `nightly` is that very
#    release reuses it instead of downloading a second copy.
channel=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
host=$(rustc +stable -vV 2>/dev/null | sed -n 's/^host: //p' || true)
host=${host:-x86_64-unknown-linux-gnu}
toolchains="${RUSTUP_HOME:-$HOME/.rustup}/toolchains"
if [ ! -e "$toolchains/$channel-$host" ] && [ -d "$toolchains/nightly-$host" ] &&
   grep -q "^date = \"${channel#nightly-}\"" "$toolchains/nightly-$host/lib/rustlib/multirust-channel-manifest.toml" 2>/dev/null; then
  ln -s "nightly-$host" "$toolchains/$channel-$host"
fi
rustup toolchain install "$channel" --profile minimal --component rust-src,clippy,rustfmt --target wasm32-unknown-unknown >/dev/null 2>&1 ||
  rustup toolchain install "$channel" --profile minimal --component rust-src,clippy,rustfmt --target wasm32-unknown-unknown
rustup component add rust-src clippy rustfmt >/dev/null
rustup target add wasm32-unknown-unknown >/dev/null

# 2. wasm-bindgen CLI, exactly the version in Cargo.lock, installed once outside the clone.
#    (No --locked: its lockfile pins crate versions that some registry mirrors do not serve.)
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "== installing wasm-bindgen-cli $want (found: ${have:-none})"
  cargo install wasm-bindgen-cli --version "$want" --force
fi

# 3. JavaScript dependencies, from package-lock.json.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# 4. npm's cache: what an app needs to install this package's tarball offline (the dependencies'
#    registry metadata, which `npm ci` does not fetch), for tests/e2e/package.test.mjs. Resolved
#    once online when the cache lacks it; a lockfile-only install downloads no packages.
if [ "${1:-}" = "--test" ]; then
  deps=$(node -p "Object.entries(require('./package.json').dependencies || {}).map(([n, v]) => n + '@' + v).join(' ')")
  scratch=$(mktemp -d)
  if [ -n "$deps" ] && ! (cd "$scratch" && npm install --offline --package-lock-only --ignore-scripts --no-audit --no-fund $deps >/dev/null 2>&1); then
    echo "== caching the registry metadata of $deps"
    (cd "$scratch" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund $deps >/dev/null)
  fi
  rm -rf "$scratch"
fi

# 5. For the tests: Debian's three browser engines and their drivers (never downloaded by a test
#    tool; Firefox is driven over WebDriver BiDi by puppeteer-core, WebKitGTK's MiniBrowser by
#    WebKitWebDriver under a virtual X display), and ffprobe. One apt-get update, only if needed.
if [ "${1:-}" = "--test" ]; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v firefox-esr >/dev/null || missing+=(firefox-esr)
  command -v WebKitWebDriver >/dev/null || missing+=(webkit2gtk-driver)
  command -v xvfb-run >/dev/null || missing+=(xvfb)
  command -v ffprobe >/dev/null || missing+=(ffmpeg)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== apt-get install ${missing[*]}"
    sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}"
  fi
fi
