//! `whenasync bench` in WebAssembly: the same engine on the same reference scenario
//! (`presets::bench_scenario`), exported to JavaScript so `bench/wasm/bench.cjs` can time it
//! under Node.js next to the native binary.

use wasm_bindgen::prelude::*;
use whenasync_sim::presets::bench_scenario;
use whenasync_sim::{simulate_model, simulate_summary, validate, Checked, Model, ScenarioError};

const MODEL: Model = Model::Threads { workers: 8 };

fn checked(tasks: u32) -> Result<Checked, JsError> {
    validate(&bench_scenario(tasks)).map_err(js)
}

fn js(e: ScenarioError) -> JsError {
    JsError::new(&e.to_string())
}

/// The full run of the reference scenario with `tasks` requests: every segment written down,
/// as the charts need. Returns the events processed.
#[wasm_bindgen]
pub fn run_full(tasks: u32) -> Result<f64, JsError> {
    let run = simulate_model(&checked(tasks)?, &MODEL).map_err(js)?;
    Ok(run.summary.events as f64)
}

/// The figures-only run of the reference scenario (no segments, as sweeps use). Returns the
/// events processed.
#[wasm_bindgen]
pub fn run_figures(tasks: u32) -> Result<f64, JsError> {
    let summary = simulate_summary(&checked(tasks)?, &MODEL).map_err(js)?;
    Ok(summary.events as f64)
}
