#!/usr/bin/env bash
# The engine's speed natively and in WebAssembly under Node.js, on the reference scenario.
# Arguments: [tasks] [repeat] (defaults 100000 and 3).
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo build --release --quiet -p whenasync-cli
# The page's profile and wasm-opt pass, as Trunk builds them (index.html): the page and its
# workers simulate with this code.
(. scripts/page-build-env.sh &&
    cargo build --quiet --target wasm32-unknown-unknown --profile wasm-release -p whenasync-bench-wasm)
wasm-bindgen --target nodejs --out-dir target/bench-wasm \
    target/wasm32-unknown-unknown/wasm-release/whenasync_bench_wasm.wasm
PATH="$PWD/node_modules/.bin:$PATH" wasm-opt -Oz --enable-bulk-memory \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types \
    --enable-multivalue --enable-mutable-globals \
    target/bench-wasm/whenasync_bench_wasm_bg.wasm -o target/bench-wasm/whenasync_bench_wasm_bg.wasm
# wasm-bindgen's nodejs output is CommonJS; the root package.json says "type": "module".
echo '{"type": "commonjs"}' > target/bench-wasm/package.json
node bench/wasm/bench.cjs target/bench-wasm target/release/whenasync "$@"
