#!/usr/bin/env bash
# Trunk's post-build hook (Trunk.toml):
# - The page's wasm chunks and the JS that loads them ship beside its JS glue (below).
# - In a release build, every wasm module and chunk is reordered for gzip: each function next to the one
#   most like it (crates/wasm-order names them by that order, and wasm-opt moves them), about
#   5 % less to download. Trunk's own wasm-opt pass (-Oz, index.html) has run already; this
#   runs -Oz once more, which is quick on an optimised module and keeps its encoding as small.
# - Trunk writes the page wasm's size into the loader for its progress reports (web/boot.js
#   fills the loading screen's bar with them), but it measures the wasm before wasm-opt shrinks
#   it: 2.5 MB for a 1.1 MB file, so the bar would stop at 43 % and jump. This writes the size
#   of the wasm as shipped.
# - Trunk's preload of the wasm (`as=fetch`) carries an integrity hash, which Chromium does not
#   check for that kind of preload and warns about on every load. The hash goes.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by Trunk, which sets TRUNK_STAGING_DIR}"
fail() {
  echo "trunk-post-build: $*" >&2
  exit 1
}
# The page's chunks (crates/app/src/deferred.rs). Its JS glue imports the splitter's loader,
# __wasm_split-<build>.js, which scripts/shims/wasm-bindgen left beside wasm-bindgen's output
# with the chunks it fetches. They ship beside the glue, and the loader imports the glue by
# the name Trunk gave it.
for glue in "$dir"/*.js; do
  loader=$(grep -o -E '__wasm_split-[0-9a-f]{16}\.js' "$glue" | head -n 1) || true
  [ -n "$loader" ] || continue
  src=$(find "${CARGO_TARGET_DIR:-target}/wasm-bindgen" -path "*.split/$loader" | head -n 1)
  [ -n "$src" ] || fail "$(basename "$glue") imports $loader, which no split under ${CARGO_TARGET_DIR:-target}/wasm-bindgen wrote"
  split=$(dirname "$src")
  out_name=$(basename "$split" .split)
  sed "s#\"\./$out_name\.js\"#\"./$(basename "$glue")\"#" "$src" > "$dir/$loader"
  grep -q -F "\"./$(basename "$glue")\"" "$dir/$loader" || fail "$loader does not import ./$out_name.js, the glue"
  find "$split" -maxdepth 1 -name '*.wasm' ! -name main.wasm -exec cp {} "$dir/" \;
  # The glue imports the loader as it starts: preloaded beside the glue, it costs no round trip
  # of its own. Its address is the glue's, with the loader's name (Trunk's public URL kept).
  href=$(grep -o -E "href=[\"']?[^\"' >]*$(basename "$glue")" "$dir/index.html" | head -n 1) || true
  [ -n "$href" ] || fail "index.html does not load $(basename "$glue")"
  href=${href#href=}
  href=${href#[\"\']}
  sed -i "s#</head>#<link crossorigin href=\"${href%"$(basename "$glue")"}$loader\" rel=modulepreload></head>#" "$dir/index.html"
  grep -q -F "$loader\" rel=modulepreload" "$dir/index.html" || fail "found no </head> in index.html to preload $loader before"
done
for module in "$dir"/*.wasm; do
  if grep -q -a -F __wasm_split_placeholder__ "$module"; then
    fail "$(basename "$module") has split points but was not split: build with scripts/build-page.sh, whose PATH runs the splitter (scripts/shims/wasm-bindgen)"
  fi
done
if [ "${TRUNK_PROFILE:-}" = release ]; then
  version=$(wasm-opt --version)
  case "$version" in
    *"version 132"*) ;;
    *) echo "trunk-post-build: wasm-opt on PATH is not version 132: $version" >&2; exit 1 ;;
  esac
  # A native tool, built without the page's settings for compiling std (page-build-env.sh).
  order() {
    env -u RUSTC_BOOTSTRAP -u CARGO_UNSTABLE_BUILD_STD -u CARGO_UNSTABLE_BUILD_STD_FEATURES \
      cargo run --quiet --release -p whenasync-wasm-order -- "$@"
  }
  for module in "$dir"/*.wasm; do
    order "$module" "$module.named"
    wasm-opt -Oz --reorder-functions-by-name --strip-debug "$module.named" -o "$module"
    rm "$module.named"
  done
fi
wasm=$(find "$dir" -maxdepth 1 -name 'whenasync-app-*_bg.wasm' | head -n 1)
[ -n "$wasm" ] || { echo "trunk-post-build: no whenasync-app wasm in $dir" >&2; exit 1; }
name=$(basename "$wasm")
size=$(wc -c < "$wasm")
# The loader's call: __trunkInitializer(init, '<base><name>', <size>, …), quoted with ' or `.
sed -E -i "s/(${name}['\`\"],[[:space:]]*)[0-9]+/\\1${size}/" "$dir/index.html"
grep -Eq "${name}['\`\"],[[:space:]]*${size}[,)]" "$dir/index.html" || {
  echo "trunk-post-build: found no loader call for $name in index.html to write $size into" >&2
  exit 1
}
# The preload: <link … href=…/NAME … integrity=… rel=preload …>, attributes in any order.
sed -E -i "s#(<link[^>]*${name}[^>]*) integrity=(\"[^\"]*\"|[^ >]*)#\1#; s#(<link[^>]*) integrity=(\"[^\"]*\"|[^ >]*)([^>]*${name})#\1\3#" "$dir/index.html"
if grep -Eq "<link[^>]*integrity=[^>]*${name}|<link[^>]*${name}[^>]*integrity=" "$dir/index.html"; then
  echo "trunk-post-build: the preload of $name still has an integrity attribute" >&2
  exit 1
fi
