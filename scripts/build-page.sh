#!/usr/bin/env bash
# Builds the page for release into dist/: `trunk build`, with the standard library compiled
# for size (scripts/page-build-env.sh). Arguments go to trunk, e.g. --public-url /whenasync/
# --dist target/e2e-subpath/whenasync. `trunk build --release` alone also works; it builds
# a page 33 KiB larger.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
# shellcheck source=scripts/page-build-env.sh
. scripts/page-build-env.sh
exec trunk build index.html --release --skip-version-check "$@"
