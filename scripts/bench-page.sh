#!/usr/bin/env bash
# The page benchmark (web/bench/page.mjs): builds the release page if needed, then drives it in
# headless Chromium and prints load, edit → redraw and big-run figures. Arguments pick sections:
# load, edit, big (all three when none is named).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
scripts/setup.sh
[ -f dist/index.html ] || scripts/build-page.sh
node web/bench/page.mjs "$@"
