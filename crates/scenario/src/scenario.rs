//! The scenario file format, version 1: workload, machine, pools, execution models and seed.
//!
//! These types are the documented JSON format (`docs/scenario-format.md`). They are parsed
//! leniently about nothing: unknown fields are errors, so a typo is never silently ignored.
//! `whenasync_sim::validate` turns a parsed scenario into one the engine can run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::duration::{Dist, Dur, MS, US};

/// The newest scenario format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// A complete, self-contained description of one experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Format version; this build reads `1`.
    pub version: u32,
    /// Stable machine name (presets: the name used in links).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// One-line human title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Two sentences on what the scenario shows.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The claim (from an article) the scenario lets people check.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub claim: String,
    /// Seed of the run's random numbers (task classes, durations, arrivals).
    #[serde(default)]
    pub seed: u64,
    /// What the program does.
    pub workload: Workload,
    /// The computer and interpreter it runs on.
    #[serde(default)]
    pub machine: Machine,
    /// Named executors that `offload` steps can target (besides `"default"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pools: BTreeMap<String, PoolSpec>,
    /// The execution models to run the workload under (each gives one run).
    #[serde(default = "default_models")]
    pub models: Vec<Model>,
}

/// The default comparison: sync, asyncio, a thread pool and a process pool sized to the machine.
pub fn default_models() -> Vec<Model> {
    vec![
        Model::Sync,
        Model::Async { limit: None },
        Model::Threads { workers: 8 },
        Model::Processes {
            workers: 4,
            start: StartMethod::Fork,
        },
    ]
}

/// The task mix: classes of tasks, how they arrive, and an optional deadline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// Task classes; each task is drawn from them by weight.
    pub classes: Vec<TaskClass>,
    /// When tasks arrive.
    pub arrivals: Arrivals,
    /// Per-task timeout (`asyncio.wait_for`): a task still running at arrival + timeout is
    /// cancelled where Python can cancel it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Dur>,
}

/// One kind of task (a request handler, a job).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskClass {
    /// Name shown in charts and records.
    pub name: String,
    /// Relative weight when drawing a task's class.
    #[serde(default = "one")]
    pub weight: f64,
    /// What the task does, in order.
    pub steps: Vec<Step>,
    /// Size of arguments + result in KB, for pickling/IPC cost in process pools.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub payload_kb: f64,
}

fn one() -> f64 {
    1.0
}
fn is_one(v: &f64) -> bool {
    *v == 1.0
}

/// One step of a task. In JSON: `{"cpu": "2ms"}`, `{"io": {"exp": "20ms"}}`,
/// `{"offload": {"pool": "default", "steps": [...]}}`, `{"gather": [[...], [...]]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Pure-Python CPU work: needs the GIL and a core.
    Cpu(Dist),
    /// C code that releases the GIL (hashlib, zlib, NumPy): needs a core, not the GIL.
    CpuNogil(Dist),
    /// Awaited, non-blocking I/O (`await asyncio.sleep`, asyncpg). Outside an event loop the
    /// same wait blocks the calling thread (the sync driver).
    Io(Dist),
    /// A blocking call (`time.sleep`, `requests`, `psycopg2`): releases the GIL but blocks
    /// its thread; on an event loop it freezes the loop.
    BlockingIo(Dist),
    /// `asyncio.to_thread` / `run_in_executor`: run these steps on a pool and wait for them.
    Offload(Offload),
    /// `asyncio.gather` over sub-calls: the branches run concurrently (on an event loop) and
    /// the task continues when all are done.
    Gather(Vec<Vec<Step>>),
    /// A `for` loop: these steps, `times` times over (each iteration drawn anew).
    Repeat(Repeat),
}

/// The body of a [`Step::Repeat`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    /// Iterations.
    pub times: u32,
    /// The loop body.
    pub steps: Vec<Step>,
}

/// The body of an [`Step::Offload`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offload {
    /// `"default"` (the loop's default `ThreadPoolExecutor`) or a key of `Scenario::pools`.
    #[serde(default = "default_pool")]
    pub pool: String,
    /// What runs on the pool.
    pub steps: Vec<Step>,
}

fn default_pool() -> String {
    "default".to_string()
}

/// When tasks arrive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Arrivals {
    /// All at t = 0 (`gather` over N calls, a batch job).
    Burst {
        /// Number of tasks.
        count: u32,
    },
    /// Open-loop Poisson arrivals (a web server under load).
    Poisson {
        /// Mean arrivals per second.
        rate_per_s: f64,
        /// Number of tasks.
        count: u32,
    },
    /// One task every `every`.
    Interval {
        /// Gap between arrivals.
        every: Dur,
        /// Number of tasks.
        count: u32,
    },
    /// C clients, each sending a request, waiting for its response, thinking, and repeating.
    ClosedLoop {
        /// Concurrent clients.
        clients: u32,
        /// Think time between a response and the client's next request.
        think: Dist,
        /// Total requests over all clients.
        count: u32,
    },
}

impl Arrivals {
    /// Total number of tasks.
    pub fn count(&self) -> u32 {
        match *self {
            Arrivals::Burst { count }
            | Arrivals::Poisson { count, .. }
            | Arrivals::Interval { count, .. }
            | Arrivals::ClosedLoop { count, .. } => count,
        }
    }
}

/// `multiprocessing` start method of a process pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartMethod {
    /// `fork`: copy-on-write clone of the parent (Linux default before 3.14).
    #[default]
    Fork,
    /// `spawn`: a fresh interpreter that re-imports the main module.
    Spawn,
    /// `forkserver`: forks from a clean server process.
    Forkserver,
}

/// An executor that offload steps can target. In JSON: `{"kind": "thread", "workers": 4}`,
/// read flat and checked against its kind (`tagged.rs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[serde(try_from = "crate::tagged::RawPool")]
pub enum PoolSpec {
    /// `ThreadPoolExecutor(workers)` in the submitting process.
    Thread {
        /// Maximum threads (created on demand, as CPython does).
        workers: u32,
    },
    /// `ProcessPoolExecutor(workers)`.
    Process {
        /// Worker processes.
        workers: u32,
        /// Start method.
        #[serde(default)]
        start: StartMethod,
    },
}

/// An execution model: how the program runs its tasks. In JSON: `{"kind": "threads",
/// "workers": 8}`, read flat and checked against its kind (`tagged.rs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[serde(try_from = "crate::tagged::RawModel")]
pub enum Model {
    /// One thread runs the tasks one after another, in arrival order.
    Sync,
    /// One asyncio event loop runs every task as a coroutine.
    Async {
        /// Concurrency limit (a semaphore or connection pool of this size).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
    },
    /// `ThreadPoolExecutor(workers)`: tasks queue FIFO for a free thread; one GIL.
    Threads {
        /// Threads in the pool.
        workers: u32,
    },
    /// `ProcessPoolExecutor(workers)`: each task runs in a worker process with its own GIL.
    Processes {
        /// Worker processes.
        workers: u32,
        /// Start method.
        #[serde(default)]
        start: StartMethod,
    },
    /// `uvicorn --workers N` / gunicorn: N processes, each running `inner`.
    Server {
        /// Worker processes.
        workers: u32,
        /// What each worker process runs (sync, async or threads).
        inner: Box<Model>,
    },
}

impl Model {
    /// Short name used on the command line and in charts: `sync`, `async`, `threads`,
    /// `processes`, `server`.
    pub fn family(&self) -> &'static str {
        match self {
            Model::Sync => "sync",
            Model::Async { .. } => "async",
            Model::Threads { .. } => "threads",
            Model::Processes { .. } => "processes",
            Model::Server { .. } => "server",
        }
    }

    /// A readable label with parameters: `threads(8)`, `async(limit 10)`, `server(4 × async)`.
    pub fn label(&self) -> String {
        match self {
            Model::Sync => "sync".into(),
            Model::Async { limit: None } => "async".into(),
            Model::Async { limit: Some(k) } => format!("async(limit {k})"),
            Model::Threads { workers } => format!("threads({workers})"),
            Model::Processes { workers, start } => {
                let s = match start {
                    StartMethod::Fork => "fork",
                    StartMethod::Spawn => "spawn",
                    StartMethod::Forkserver => "forkserver",
                };
                format!("processes({workers}, {s})")
            }
            Model::Server { workers, inner } => format!("server({workers} × {})", inner.label()),
        }
    }
}

/// The machine and interpreter. Every default is a measurement of real CPython; see
/// `docs/model.md` for the measurement behind each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Machine {
    /// CPU cores shared by every thread and process.
    pub cores: u32,
    /// `sys.getswitchinterval()`: how long a GIL waiter waits before asking the holder to drop.
    pub switch_interval: Dur,
    /// How late the kernel fires a thread's timed wait (timer slack, `timerslack_ns`): a GIL
    /// waiter's, and every step's wait, which the model takes to be a timer (`time.sleep`,
    /// `asyncio.sleep` on a loop asleep in `select()`).
    pub gil_timer_slack: Dur,
    /// CPU cost on the loop of one await/resume (task step scheduling).
    pub await_overhead: Dur,
    /// CPU cost on the loop of creating one task (`create_task`, one `gather` argument).
    pub task_create: Dur,
    /// CPU cost of handing a work item to a pool thread and waking it.
    pub thread_switch: Dur,
    /// Delay between a GIL drop and the new holder running (the OS wake-up of the waiter).
    pub gil_handoff: Dur,
    /// CPU time to start one worker process with `fork`.
    pub process_start_fork: Dur,
    /// CPU time to start one worker process with `spawn`.
    pub process_start_spawn: Dur,
    /// CPU time to start one worker process with `forkserver`.
    pub process_start_forkserver: Dur,
    /// Fixed per-task cost of sending a task to a worker process and its result back.
    pub ipc_fixed: Dur,
    /// Extra IPC + pickling cost per KB of payload.
    pub ipc_per_kb: Dur,
    /// The OS scheduler's time slice when more threads are runnable than there are cores.
    pub os_time_slice: Dur,
    /// Free-threaded CPython (3.13t): no GIL at all.
    pub free_threaded: bool,
    /// Single-thread slowdown of the free-threaded build (1.0 = none).
    pub free_threaded_slowdown: f64,
}

impl Default for Machine {
    /// Measured on CPython 3.11 (Linux, x86-64): `docs/measurements.md` has each figure and
    /// the script behind it.
    fn default() -> Self {
        Machine {
            cores: 4,
            switch_interval: Dur(5 * MS),
            gil_timer_slack: Dur(50 * US),
            await_overhead: Dur(5 * US),
            task_create: Dur(3 * US),
            thread_switch: Dur(10 * US),
            gil_handoff: Dur(20 * US),
            process_start_fork: Dur(3 * MS),
            process_start_spawn: Dur(50 * MS),
            process_start_forkserver: Dur(20 * MS),
            ipc_fixed: Dur(200 * US),
            ipc_per_kb: Dur(2 * US),
            os_time_slice: Dur(4 * MS),
            free_threaded: false,
            free_threaded_slowdown: 1.4,
        }
    }
}

/// A file's `version`, read before the rest of it: a whole number, or how anything else was
/// written (`2.0`, `"1"`, `an array`), for the message. Read without `serde_json::Value`,
/// whose reader and map would be 6 KB of the page's gzipped wasm for this one field.
enum Version {
    Number(u64),
    Other(String),
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct Read;
        impl<'de> Visitor<'de> for Read {
            type Value = Version;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a version number")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Version, E> {
                Ok(Version::Number(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Version, E> {
                Ok(Version::Other(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Version, E> {
                Ok(Version::Other(format!("{v:?}")))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Version, E> {
                Ok(Version::Other(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Version, E> {
                Ok(Version::Other(serde_json::to_string(v).unwrap_or_default()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Version, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Version::Other("an array".into()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Version, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Version::Other("an object".into()))
            }
        }
        d.deserialize_any(Read)
    }
}

impl Scenario {
    /// Parses a scenario from JSON text. Errors carry serde's line and column.
    pub fn from_json(text: &str) -> Result<Scenario, crate::ScenarioError> {
        // Read the version first so a file from a newer build gets a clear message
        // instead of an "unknown field" complaint.
        #[derive(Deserialize)]
        struct VersionOnly {
            version: Option<Version>,
        }
        let probe: VersionOnly =
            serde_json::from_str(text).map_err(|e| crate::ScenarioError::Parse(e.to_string()))?;
        match probe.version {
            None => {
                return Err(crate::ScenarioError::Parse(
                    "missing field `version`".into(),
                ))
            }
            Some(Version::Number(n)) if n == FORMAT_VERSION as u64 => {}
            Some(Version::Number(n)) => {
                return Err(crate::ScenarioError::UnsupportedVersion(n.to_string()))
            }
            Some(Version::Other(v)) => return Err(crate::ScenarioError::UnsupportedVersion(v)),
        }
        serde_json::from_str(text).map_err(|e| crate::ScenarioError::Parse(e.to_string()))
    }

    /// Pretty JSON in the file format.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The same JSON on one line, without spaces: for links and messages, which no one reads.
    pub fn to_compact_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::Scenario;

    fn error_of(text: &str) -> String {
        match Scenario::from_json(text) {
            Ok(_) => panic!("{text} was read"),
            Err(e) => e.to_string(),
        }
    }

    /// A file the build cannot read says which version it holds, whatever its type; the rest
    /// of the file is not read first.
    #[test]
    fn the_version_is_read_first_and_named() {
        let cases = [
            (r#"{"version": 2}"#, "version 2:"),
            (
                r#"{"version": 99, "workload": "not even an object"}"#,
                "version 99:",
            ),
            (r#"{"version": -1}"#, "version -1:"),
            (r#"{"version": 1.0}"#, "version 1.0:"),
            (r#"{"version": "1"}"#, r#"version "1":"#),
            (r#"{"version": true}"#, "version true:"),
            (r#"{"version": [1]}"#, "version an array:"),
            (r#"{"version": {"major": 1}}"#, "version an object:"),
        ];
        for (text, want) in cases {
            let e = error_of(text);
            assert!(
                e.starts_with("unsupported scenario version") && e.contains(want),
                "{text}: {e}"
            );
        }
        for text in [r#"{"workload": {}}"#, r#"{"version": null}"#] {
            assert!(error_of(text).contains("missing field `version`"), "{text}");
        }
        assert!(
            error_of(r#"{"version": 1"#).starts_with("invalid scenario: EOF"),
            "a truncated file"
        );
        // Version 1 goes on to the rest of the file.
        assert!(error_of(r#"{"version": 1}"#).contains("missing field"));
    }
}
