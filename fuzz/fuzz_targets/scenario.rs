//! Fuzz target: scenario JSON from a stranger (a file, a pasted scenario, a link's payload once
//! inflated), through parse → validate → simulate. Nothing may panic, and what parses writes
//! back to JSON that parses to the same scenario. Seeded with `presets/*.json`.
//! Run (in `fuzz/`): `RUSTC_BOOTSTRAP=1 cargo +nightly fuzz run scenario corpus/scenario ../presets`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use whenasync_sim::Scenario;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(sc) = Scenario::from_json(text) else { return };
    for json in [sc.to_json(), sc.to_compact_json()] {
        assert_eq!(Scenario::from_json(&json).as_ref(), Ok(&sc), "{json}");
    }
    let Ok(checked) = whenasync_sim::validate(&sc) else { return };
    if checked.estimated_events > 200_000 {
        return;
    }
    for model in &sc.models {
        let _ = whenasync_sim::simulate_model(&checked, model);
    }
});
