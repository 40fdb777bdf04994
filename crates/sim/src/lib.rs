//! whenasync's simulator: a pure, deterministic discrete-event model of how CPython runs a
//! task mix under sync, asyncio, a thread pool with the GIL, a process pool, or server workers.
//!
//! ```text
//!   Scenario (JSON) ──validate──▶ Checked ──simulate_model──▶ Run
//!                                   │                          ├─ lanes + segments (Gantt)
//!                                   └─ one run per model       ├─ task records
//!                                                              ├─ summary
//!                                                              └─ insights
//! ```
//!
//! The same scenario and seed give the same run, natively and in wasm, bit for bit: time is
//! integer nanoseconds, randomness comes from seeded per-task streams, transcendental
//! functions come from `libm`, and simultaneous events run in the order they were scheduled.
//!
//! ```
//! use whenasync_sim::{simulate, Scenario};
//!
//! let json = r#"{
//!   "version": 1,
//!   "workload": {
//!     "classes": [{ "name": "query", "steps": [{ "io": "100ms" }] }],
//!     "arrivals": { "burst": { "count": 10 } }
//!   },
//!   "models": [{ "kind": "sync" }, { "kind": "async" }]
//! }"#;
//! let scenario = Scenario::from_json(json)?;
//! let runs = simulate(&scenario)?;
//! let (sync, asyncio) = (&runs[0], &runs[1]);
//! assert!(sync.summary.makespan >= 1_000_000_000);   // ten queries, one after another
//! assert!(asyncio.summary.makespan < 101_000_000);   // all ten in flight at once
//! # Ok::<(), whenasync_sim::ScenarioError>(())
//! ```
//!
//! The simulator knows nothing about browsers, URLs, files or wall-clock time.

mod engine;
pub mod export;
pub mod insights;
pub mod plan;
pub mod presets;
pub mod python;
pub mod run;
pub mod summary;
pub mod validate;

pub use duration::{Dist, Dur, Ns, MS, SEC, US};
pub use run::{
    Insight, Kind, Lane, LaneKind, Run, Segment, Stats, Summary, TaskRecord, TaskSegment, NO_TASK,
};
pub use scenario::{
    Arrivals, Machine, Model, PoolSpec, Scenario, StartMethod, Step, TaskClass, Workload,
};
pub use validate::{validate, Checked, ScenarioError};
/// The scenario format lives in `whenasync-scenario` (built for size in the page); these are
/// its modules and types, re-exported as the simulator's own.
pub use whenasync_scenario::{duration, number, scenario};

/// Simulates one model over a checked scenario for its [`Summary`] only, writing down no
/// segments: the same figures as [`simulate_model`]'s, for sweeps and benchmarks.
pub fn simulate_summary(checked: &Checked, model: &Model) -> Result<Summary, ScenarioError> {
    check_model(checked, model)?;
    engine::simulate_summary(checked, model)
}

/// The events of one model's run, as the benchmark counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventCounts {
    /// Every event taken off the queue ([`Summary::events`]).
    pub events: u64,
    /// Those of them that did nothing: when they came due, what they were for had already
    /// happened (a compute rescheduled; a GIL waiter's timeout after it got the GIL, when the
    /// timeout was not the next to come due among the waiters', so not cancelled). They cost a
    /// push and a pop each.
    pub superseded: u64,
    /// Timers taken off the queue before they came due, which are not events: a GIL waiter's
    /// timed wait, signalled when it is handed the GIL.
    pub cancelled: u64,
}

/// Simulates one model for its figures only and counts its events ([`EventCounts`]).
pub fn event_counts(checked: &Checked, model: &Model) -> Result<EventCounts, ScenarioError> {
    check_model(checked, model)?;
    let (events, superseded, cancelled) = engine::event_counts(checked, model)?;
    Ok(EventCounts {
        events,
        superseded,
        cancelled,
    })
}

/// Validates `scenario` and simulates every model in it, in order.
pub fn simulate(scenario: &Scenario) -> Result<Vec<Run>, ScenarioError> {
    let checked = validate(scenario)?;
    checked
        .scenario
        .models
        .iter()
        .map(|m| simulate_model(&checked, m))
        .collect()
}

/// Simulates one model over a checked scenario. The model need not be one of the scenario's.
pub fn simulate_model(checked: &Checked, model: &Model) -> Result<Run, ScenarioError> {
    simulate_model_with_progress(checked, model, &mut |_| {})
}

/// Like [`simulate_model`], calling `progress` with a rough fraction done (0 to 1, from the
/// tasks finished so far) every few tens of thousands of events, and with 1.0 at the end.
/// For a progress bar; the run does not depend on it.
pub fn simulate_model_with_progress(
    checked: &Checked,
    model: &Model,
    progress: &mut dyn FnMut(f64),
) -> Result<Run, ScenarioError> {
    check_model(checked, model)?;
    engine::simulate_model(checked, model, usize::MAX, progress)
}

/// Like [`simulate_model_with_progress`], writing down at most `max_segments` segments (worker
/// and task ones together). A run that needs more keeps its trace up to the time the budget
/// ran out ([`Run::trace_end`]); its tasks, summary and insights still cover the whole run.
/// For huge runs in a browser tab, where a million tasks would otherwise need gigabytes.
pub fn simulate_model_within(
    checked: &Checked,
    model: &Model,
    max_segments: usize,
    progress: &mut dyn FnMut(f64),
) -> Result<Run, ScenarioError> {
    check_model(checked, model)?;
    engine::simulate_model(checked, model, max_segments.max(1), progress)
}

/// Models from outside the scenario are validated like the scenario's own.
fn check_model(checked: &Checked, model: &Model) -> Result<(), ScenarioError> {
    if !checked.scenario.models.contains(model) {
        let mut sc = checked.scenario.clone();
        sc.models = vec![model.clone()];
        validate(&sc)?;
    }
    Ok(())
}
