#!/usr/bin/env bash
# Trunk's post-build hook (Trunk.toml). Trunk writes the page wasm's size into index.html's
# loader for its progress reports (web/boot.js fills the loading screen's bar with them), but
# it measures the wasm before wasm-opt shrinks it: 2.5 MB for a 1.1 MB file, so the bar would
# stop at 43 % and jump. This writes the size of the wasm as shipped.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by Trunk, which sets TRUNK_STAGING_DIR}"
wasm=$(find "$dir" -maxdepth 1 -name 'whenasync-app-*_bg.wasm' | head -n 1)
[ -n "$wasm" ] || { echo "trunk-wasm-size: no whenasync-app wasm in $dir" >&2; exit 1; }
name=$(basename "$wasm")
size=$(wc -c < "$wasm")
# The loader's call: __trunkInitializer(init, '<base><name>', <size>, …), quoted with ' or `.
sed -E -i "s/(${name}['\`\"],[[:space:]]*)[0-9]+/\\1${size}/" "$dir/index.html"
grep -Eq "${name}['\`\"],[[:space:]]*${size}[,)]" "$dir/index.html" || {
  echo "trunk-wasm-size: found no loader call for $name in index.html to write $size into" >&2
  exit 1
}
