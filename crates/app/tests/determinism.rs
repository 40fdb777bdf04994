//! Determinism across platforms: every golden link, simulated here in wasm inside headless
//! Chromium, reproduces the summaries recorded natively in `tests/golden-links`, to the
//! nanosecond. A platform-dependent float or hash order would show up here first.

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn wasm_runs_equal_native_runs() {
    let golden = include_str!("../../../tests/golden-links");
    let recomputed = whenasync_link::golden::recompute(golden).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(recomputed, golden, "a run differs between wasm and native");
}
