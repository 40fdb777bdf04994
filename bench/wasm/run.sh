#!/usr/bin/env bash
# The engine's speed natively and in WebAssembly under Node.js, on the reference scenario.
# Arguments: [tasks] [repeat] (defaults 100000 and 3).
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo build --release --quiet -p whenasync-cli
# The Web Worker's profile: the wasm the page simulates with.
cargo build --quiet --target wasm32-unknown-unknown --profile wasm-worker -p whenasync-bench-wasm
wasm-bindgen --target nodejs --out-dir target/bench-wasm \
    target/wasm32-unknown-unknown/wasm-worker/whenasync_bench_wasm.wasm
# wasm-bindgen's nodejs output is CommonJS; the root package.json says "type": "module".
echo '{"type": "commonjs"}' > target/bench-wasm/package.json
node bench/wasm/bench.cjs target/bench-wasm target/release/whenasync "$@"
