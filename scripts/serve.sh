#!/usr/bin/env bash
# Builds the playground for release and serves it on http://127.0.0.1:8080 (PORT to change).
# Installs the toolchain first if it is missing (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

scripts/build-page.sh

port="${PORT:-8080}"
echo "serve: the playground is at http://127.0.0.1:$port/ (Ctrl-C stops it)"
# Python's server sends .wasm as application/wasm, which streaming compilation needs.
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory dist
