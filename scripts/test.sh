#!/usr/bin/env bash
# Every check the project has, in order, stopping at the first failure:
# toolchain set-up, format, lints (native and wasm), native tests, browser unit tests
# (wasm-bindgen-test in headless Chromium), the release Trunk builds (at / and at the
# sub-path /whenasync/), and the Playwright end-to-end suite against both builds.
# Prints how long each stage took and ends with "stages: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

SUBPATH_DIST=target/e2e-subpath/whenasync

names=()
results=()
seconds=()
passed=0
failed=0

summary() {
  echo
  echo "──── scripts/test.sh ────"
  local i
  for i in "${!names[@]}"; do
    printf '  %-4s %5ss  %s\n' "${results[$i]}" "${seconds[$i]}" "${names[$i]}"
  done
  if [ -f dist/index.html ]; then
    # What a first visit loads, its workers included (they run its wasm); embed.js is for host
    # pages, the chunks (split_*, chunk_*) load on first use, and the Python writer
    # (whenasync-python*) when a Python dialog first opens. landing.test.mjs measures what the
    # server actually sends a first visit, file by file.
    local wasm js css chunks writer
    wasm=$(find dist -maxdepth 1 -name 'whenasync-app-*_bg.wasm' -exec cat {} + | gzip -9 | wc -c)
    js=$(find dist -maxdepth 1 -name '*.js' ! -name embed.js ! -name 'whenasync-python*' -exec cat {} + | gzip -9 | wc -c)
    css=$(cat dist/*.css 2>/dev/null | gzip -9 | wc -c)
    chunks=$(find dist -maxdepth 1 \( -name 'split_*.wasm' -o -name 'chunk_*.wasm' \) -exec cat {} + | gzip -9 | wc -c)
    writer=$(cat dist/whenasync-python* 2>/dev/null | gzip -9 | wc -c)
    echo "  first visit (gzip -9): wasm $((wasm / 1024)) KiB + JS $((js / 1024)) KiB + CSS $((css / 1024)) KiB = $(((wasm + js + css) / 1024)) KiB; on first use: chunks $((chunks / 1024)) KiB, Python writer $((writer / 1024)) KiB"
  fi
  # A stage that fails for want of space says so in its own output; this line says how much.
  echo "  disk: $(df -Ph . | awk 'NR == 2 { print $4 " free of " $2 }') where target/ is $(du -sh target 2>/dev/null | cut -f1)"
  echo "stages: $passed passed, $failed failed"
}

# stage NAME COMMAND...: runs one stage, records its time; stops everything on failure.
stage() {
  local name=$1
  shift
  echo
  echo "════ $name: $*"
  local start=$SECONDS
  if "$@"; then
    results+=("ok")
    passed=$((passed + 1))
  else
    results+=("FAIL")
    failed=$((failed + 1))
  fi
  names+=("$name")
  seconds+=($((SECONDS - start)))
  if [ "$failed" -gt 0 ]; then
    summary
    exit 1
  fi
}

stage "set-up" scripts/setup.sh
stage "format" cargo fmt --all -- --check
stage "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
# The wasm as the page builds it, with its split points (crates/app/src/deferred.rs); native
# clippy sees the app without them.
stage "clippy (wasm)" cargo clippy -p whenasync-app -p whenasync-worker -p whenasync-python-wasm \
  --features whenasync-app/split --all-targets --target wasm32-unknown-unknown -- -D warnings
stage "docs (rustdoc, warnings denied)" env RUSTDOCFLAGS="-D warnings" \
  cargo doc --no-deps --workspace
stage "docs (wasm-only parts)" env RUSTDOCFLAGS="-D warnings" \
  cargo doc --no-deps -p whenasync-app -p whenasync-worker -p whenasync-python-wasm --target wasm32-unknown-unknown
stage "tests (native)" cargo test --workspace
# ChromeDriver leaves a Chromium profile (about 70 MB) in $TMPDIR for every test binary it
# runs; they go to target/ instead, and are cleared when the stage ends.
wasm_tests() {
  local tmp=$PWD/target/tmp/wasm-tests rc
  mkdir -p "$tmp"
  TMPDIR=$tmp cargo test --target wasm32-unknown-unknown -p whenasync-app --tests
  rc=$?
  rm -rf "$tmp"
  return "$rc"
}

stage "tests (wasm, headless Chromium)" wasm_tests
stage "page build (/)" scripts/build-page.sh
stage "page build (/whenasync/)" scripts/build-page.sh \
  --public-url /whenasync/ --dist "$SUBPATH_DIST"
stage "end-to-end (Playwright)" env WHENASYNC_E2E_REQUIRE=1 WHENASYNC_E2E_DIST=dist \
  WHENASYNC_E2E_SUBPATH_DIST="$SUBPATH_DIST" node --test web/e2e/

summary
