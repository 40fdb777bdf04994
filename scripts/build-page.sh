#!/usr/bin/env bash
# Builds the page for release into dist/: `trunk build`, with the standard library compiled
# for size (scripts/page-build-env.sh). Arguments go to trunk, e.g. --public-url /whenasync/
# --dist target/e2e-subpath/whenasync. A bare `trunk build` fails: the page's wasm must go
# through the splitter (scripts/shims/wasm-bindgen), which only this PATH provides.
set -euo pipefail
cd "$(dirname "$0")/.."
# scripts/shims first: Trunk's wasm-bindgen is the one that splits the page's wasm first.
export PATH="$PWD/scripts/shims:$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
# shellcheck source=scripts/page-build-env.sh
. scripts/page-build-env.sh
exec trunk build index.html --release --skip-version-check "$@"
