//! The presets: scenario files with stable names (they appear in links), each reproducing a
//! claim from the articles in `shared/seeds/`. The files live in `presets/` at the repository
//! root and are compiled in, so every build carries the same presets.

use crate::scenario::Scenario;
use crate::validate::ScenarioError;

/// `(name, JSON)` of every preset, in gallery order. Names are part of the public interface.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "gather-10-queries",
        include_str!("../../../presets/gather-10-queries.json"),
    ),
    (
        "cpu-in-async-handler",
        include_str!("../../../presets/cpu-in-async-handler.json"),
    ),
    (
        "time-sleep-in-async",
        include_str!("../../../presets/time-sleep-in-async.json"),
    ),
    (
        "sync-db-in-async-route",
        include_str!("../../../presets/sync-db-in-async-route.json"),
    ),
    (
        "cpu-threads-gil",
        include_str!("../../../presets/cpu-threads-gil.json"),
    ),
    (
        "dashboard-gather",
        include_str!("../../../presets/dashboard-gather.json"),
    ),
    (
        "c10k-slow-requests",
        include_str!("../../../presets/c10k-slow-requests.json"),
    ),
    (
        "offload-to-thread",
        include_str!("../../../presets/offload-to-thread.json"),
    ),
    (
        "cpu-process-pool",
        include_str!("../../../presets/cpu-process-pool.json"),
    ),
    (
        "pbkdf2-releases-gil",
        include_str!("../../../presets/pbkdf2-releases-gil.json"),
    ),
    (
        "gil-convoy",
        include_str!("../../../presets/gil-convoy.json"),
    ),
    (
        "uvicorn-workers",
        include_str!("../../../presets/uvicorn-workers.json"),
    ),
    (
        "wait-timeout-cancel",
        include_str!("../../../presets/wait-timeout-cancel.json"),
    ),
    (
        "sync-crud-is-fine",
        include_str!("../../../presets/sync-crud-is-fine.json"),
    ),
    (
        "async-overhead-cpu",
        include_str!("../../../presets/async-overhead-cpu.json"),
    ),
];

/// Names of every preset, in gallery order.
pub fn names() -> impl Iterator<Item = &'static str> {
    PRESETS.iter().map(|(n, _)| *n)
}

/// The preset called `name`, parsed.
pub fn get(name: &str) -> Option<Result<Scenario, ScenarioError>> {
    PRESETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, json)| Scenario::from_json(json))
}

/// Every preset, parsed. A preset that does not parse is a bug caught by the tests.
pub fn all() -> Vec<Scenario> {
    PRESETS
        .iter()
        .filter_map(|(_, json)| Scenario::from_json(json).ok())
        .collect()
}

/// The benchmark's reference scenario: a `ThreadPoolExecutor(8)` sharing one GIL, `tasks`
/// requests of 2 ms CPU, 20 ms I/O and 1 ms CPU arriving as Poisson traffic at 300 requests/s,
/// on the default machine. The native, wasm and SimPy benchmarks all run this one.
pub fn bench_scenario(tasks: u32) -> Scenario {
    let json = format!(
        r#"{{
      "version": 1, "name": "bench-threadpool", "seed": 42,
      "workload": {{
        "classes": [{{ "name": "request", "steps": [{{ "cpu": "2ms" }}, {{ "io": "20ms" }}, {{ "cpu": "1ms" }}] }}],
        "arrivals": {{ "poisson": {{ "rate_per_s": 300, "count": {tasks} }} }}
      }},
      "models": [{{ "kind": "threads", "workers": 8 }}]
    }}"#
    );
    Scenario::from_json(&json).expect("the bench scenario is valid")
}
