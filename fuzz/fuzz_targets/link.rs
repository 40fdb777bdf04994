//! Fuzz target: a link from a stranger, through decode → validate → simulate. Nothing may
//! panic. Scenarios too heavy for an interactive run (by the validator's own estimate) are
//! skipped after validation: the page sends those to a worker, and the budget is tested.
//! Run: `RUSTC_BOOTSTRAP=1 cargo +nightly fuzz run link` (see the README).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(link) = whenasync_link::decode(text) else { return };
    let Ok(sc) = whenasync_link::scenario_of(&link) else { return };
    let Ok(checked) = whenasync_sim::validate(&sc) else { return };
    if checked.estimated_events > 200_000 {
        return;
    }
    for model in &sc.models {
        let _ = whenasync_sim::simulate_model(&checked, model);
    }
});
