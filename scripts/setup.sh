#!/usr/bin/env bash
# Installs everything building and testing the playground needs, on a fresh machine or this
# one: each step is skipped when its tool is already there at the right version.
# See shared/TOOLCHAIN.md for why each piece is installed the way it is.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.22.1
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

say() { printf 'setup: %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# Disk: a clean run of scripts/test.sh writes about 4 GB (target/ and node_modules/). Too
# little space fails a stage halfway, with "No space left on device" in its output; say so first.
free_kib=$(df -Pk . | awk 'NR == 2 { print $4 }')
if [ "${free_kib:-0}" -lt $((6 * 1024 * 1024)) ]; then
  say "warning: $((free_kib / 1024)) MiB free here; a clean run of the tests writes about 4 GB"
fi

# The Rust target the browser build compiles to.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The standard library's sources: the page's build compiles std for size
# (scripts/page-build-env.sh).
if ! rustup component list --installed | grep -q '^rust-src'; then
  say "adding the rust-src component"
  # Not fatal: without it the page builds with the prebuilt std, 33 KiB larger.
  rustup component add rust-src || say "warning: cannot add rust-src; the page will be 33 KiB larger"
fi

# Trunk. 0.22 asks for a newer rustc than it needs, hence --ignore-rust-version.
if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 9 minutes on 2 cores)"
  cargo install "trunk@$TRUNK_VERSION" --locked --ignore-rust-version
fi

# wasm-bindgen CLI (and wasm-bindgen-test-runner) at exactly the version in Cargo.lock.
# Not --locked: its own lock file wants a crate version the registry no longer has.
wb_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$wb_version" ]; then
  echo "setup: cannot find wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wb_version" ||
  ! wasm-bindgen-test-runner --version 2>/dev/null | grep -q "$wb_version"; then
  say "installing wasm-bindgen-cli $wb_version"
  cargo install "wasm-bindgen-cli@$wb_version" --force
fi

# Node tools: wasm-opt (npm binaryen; Debian's is too old and breaks the page) and
# playwright-core (it drives Debian's Chromium; it never downloads a browser).
if ! command -v npm >/dev/null; then
  say "installing node and npm"
  apt_install nodejs npm
fi
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] ||
  [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing node packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Chromium and ChromeDriver for the browser tests (a build-only job, like the Pages
# workflow, sets WHENASYNC_SKIP_BROWSER=1).
if [ -z "${WHENASYNC_SKIP_BROWSER:-}" ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  say "installing chromium and chromium-driver"
  apt_install chromium chromium-driver
fi

# Trunk builds offline (Trunk.toml), so every crate must be in the local cache first.
# The std the page compiles (scripts/page-build-env.sh) has crates of its own.
cargo fetch --quiet
(. scripts/page-build-env.sh && cargo fetch --quiet --target wasm32-unknown-unknown)

say "ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(wasm-opt --version | awk '{print $3}'), node $(node --version), $(/usr/bin/chromium --version 2>/dev/null | grep -o 'Chromium [0-9.]*')"
