# Sourced, not run: the environment the page's wasm is built in (scripts/build-page.sh, and
# bench/wasm/run.sh, which measures the engine as the page runs it).
#
# The standard library is compiled from source with the page, for size: built for size
# (`optimize_for_size`: smaller sorts, formatting and collections) and without the file names
# and lines of panic locations. 34 KB less gzipped wasm, measured: 524.3 -> 501.6 -> 490.3 KB.
# A panic still reports its message (crates/app/src/crash.rs).
#
# Compiling std needs cargo's -Zbuild-std, which the stable toolchain allows under
# RUSTC_BOOTSTRAP=1, the rust-src component, and std's own crates in the cargo cache; the
# set-up (scripts/setup.sh) installs and fetches both. Only the wasm build sees these
# settings: native builds, tests and lints use the toolchain as it comes.
#
# Without rust-src (a machine where rustup could not fetch it), the page is built with the
# prebuilt std: it works the same and is 33 KiB larger, which the end-to-end transfer budget
# reports.
if [ -f "$(rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.lock" ]; then
  export RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
  # Replaces .cargo/config.toml's rustflags for the target, so its --cfg is repeated here.
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -Zlocation-detail=none"
else
  echo "page build: no rust-src component, so std is the prebuilt one (the page is 33 KiB larger); 'rustup component add rust-src' restores the smaller build" >&2
fi
