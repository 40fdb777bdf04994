//! A run: what every worker, thread, core and GIL did, per-task records, a summary and
//! insights. Everything the product shows is a view of a [`Run`].

use serde::Serialize;

use crate::duration::Ns;

/// What a lane or a task was doing during a segment. One colour per kind in every chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Kind {
    /// Running Python code, holding the GIL (`cpu`).
    Running = 0,
    /// Running C code that released the GIL (`cpu_nogil`).
    RunningNoGil,
    /// Waiting on awaited I/O (or, outside a loop, blocked on an I/O call).
    IoWait,
    /// Inside a blocking call (`blocking_io`, waiting on `future.result()`).
    Blocked,
    /// Runnable, waiting for the GIL.
    GilWait,
    /// Runnable, waiting for a free core.
    CoreWait,
    /// Waiting for a free worker (pool queue, concurrency limit).
    Queued,
    /// Ready to resume, but the event loop is busy ("loop lag").
    LoopBusy,
    /// Interpreter and runtime overhead: await/resume, task creation, pickling, start-up.
    Overhead,
    /// Suspended until sub-calls finish (`gather`, an offloaded call).
    Awaiting,
    /// Cancelled at its deadline (a marker at the moment of cancellation).
    Cancelled,
}

/// Number of [`Kind`]s.
pub const KIND_COUNT: usize = 11;

impl Kind {
    /// Every kind, in legend order.
    pub const ALL: [Kind; KIND_COUNT] = [
        Kind::Running,
        Kind::RunningNoGil,
        Kind::IoWait,
        Kind::Blocked,
        Kind::GilWait,
        Kind::CoreWait,
        Kind::Queued,
        Kind::LoopBusy,
        Kind::Overhead,
        Kind::Awaiting,
        Kind::Cancelled,
    ];

    /// The legend label.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Running => "running (GIL held)",
            Kind::RunningNoGil => "running without GIL",
            Kind::IoWait => "I/O wait",
            Kind::Blocked => "blocked call",
            Kind::GilWait => "waiting for GIL",
            Kind::CoreWait => "waiting for a core",
            Kind::Queued => "queued",
            Kind::LoopBusy => "ready, loop busy",
            Kind::Overhead => "overhead",
            Kind::Awaiting => "awaiting sub-calls",
            Kind::Cancelled => "cancelled",
        }
    }

    /// The snake_case name used in JSON and traces.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Running => "running",
            Kind::RunningNoGil => "running_no_gil",
            Kind::IoWait => "io_wait",
            Kind::Blocked => "blocked",
            Kind::GilWait => "gil_wait",
            Kind::CoreWait => "core_wait",
            Kind::Queued => "queued",
            Kind::LoopBusy => "loop_busy",
            Kind::Overhead => "overhead",
            Kind::Awaiting => "awaiting",
            Kind::Cancelled => "cancelled",
        }
    }

    /// Whether this kind consumes a core.
    pub fn on_core(self) -> bool {
        matches!(self, Kind::Running | Kind::RunningNoGil | Kind::Overhead)
    }
}

/// What a lane shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LaneKind {
    /// An OS thread (the event loop, a pool thread, a process's main thread).
    Thread,
    /// The GIL of one process: who held it when.
    Gil,
    /// One CPU core: which thread ran on it when.
    Core,
}

/// The lane name of `multiprocessing`'s resource tracker process, started with the first spawn
/// or forkserver pool of a run.
pub(crate) const RESOURCE_TRACKER: &str = "resource tracker";

/// A row of the worker-view Gantt chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lane {
    /// Index in [`Run::lanes`].
    pub id: u32,
    /// What the lane shows.
    pub kind: LaneKind,
    /// Human name: `event loop`, `thread 3`, `process 2`, `GIL`, `core 0`.
    pub name: String,
    /// The simulated process the lane belongs to (cores: none).
    pub process: Option<u32>,
    /// Whether the thread is an event loop thread.
    pub is_loop: bool,
}

/// "No task": a segment of a lane that was not working for any task.
pub const NO_TASK: u32 = u32::MAX;

/// A span of one lane in one state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Lane index.
    pub lane: u32,
    /// Task id, or [`NO_TASK`].
    pub task: u32,
    /// What happened.
    pub kind: Kind,
    /// Start, ns.
    pub start: Ns,
    /// End, ns (exclusive).
    pub end: Ns,
}

/// A span of one task (or one of its concurrent branches) in one state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TaskSegment {
    /// Task id.
    pub task: u32,
    /// 0 for the task itself, 1.. for its `gather` branches and offloaded calls.
    pub branch: u32,
    /// What happened.
    pub kind: Kind,
    /// Start, ns.
    pub start: Ns,
    /// End, ns (exclusive).
    pub end: Ns,
}

/// One task's life.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskRecord {
    /// Task id (arrival order).
    pub id: u32,
    /// Index of its class in the scenario.
    pub class: u32,
    /// When it arrived.
    pub arrival: Ns,
    /// When a worker first picked it up (none if it never started).
    pub start: Option<Ns>,
    /// When it finished or was cancelled (none if it never finished: a deadlock).
    pub end: Option<Ns>,
    /// Cancelled at its deadline.
    pub cancelled: bool,
    /// Passed its deadline but could not be cancelled (a running thread): it ran to the end
    /// and its caller had given up.
    pub timed_out: bool,
    /// Time spent in each [`Kind`], summed over the task and its branches, ns.
    pub time_by_kind: [Ns; crate::run::KIND_COUNT],
}

impl TaskRecord {
    /// End − arrival, when it ended.
    pub fn latency(&self) -> Option<Ns> {
        self.end.map(|e| e - self.arrival)
    }
}

/// Latency (or lag) statistics, ns. Percentiles are nearest-rank.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Number of values.
    pub count: u64,
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: Ns,
    /// 90th percentile.
    pub p90: Ns,
    /// 99th percentile.
    pub p99: Ns,
    /// Maximum.
    pub max: Ns,
}

/// The figures of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Time from 0 to the last task's end.
    pub makespan: Ns,
    /// Completed tasks per second of makespan.
    pub throughput_per_s: f64,
    /// Tasks that finished normally, within their deadline if any.
    pub completed: u64,
    /// Tasks cancelled at their deadline.
    pub cancelled: u64,
    /// Tasks that passed their deadline without being cancellable (not in `completed`).
    pub timed_out: u64,
    /// Tasks that never finished (deadlock: e.g. a pool waiting on itself).
    pub unfinished: u64,
    /// Latency of completed tasks.
    pub latency: Stats,
    /// Busy core time / (cores × makespan).
    pub core_utilisation: f64,
    /// Total time threads spent waiting for a GIL, ns.
    pub gil_wait: Ns,
    /// Share of the makespan during which at least one thread was waiting for a GIL.
    pub gil_contention: f64,
    /// How long resumed coroutines waited for a busy loop (per resume).
    pub loop_lag: Stats,
    /// Time in each kind over all tasks, ns.
    pub time_by_kind: [Ns; KIND_COUNT],
    /// Events the engine processed.
    pub events: u64,
}

/// A generated sentence that explains the run, pointing at what proves it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Insight {
    /// Short identifier of the rule that produced it (`loop_blocked`, `gil_convoy`, …).
    pub rule: &'static str,
    /// The sentence.
    pub text: String,
    /// The task it points at.
    pub task: Option<u32>,
    /// The lane it points at.
    pub lane: Option<u32>,
    /// Start of the span that proves it, ns.
    pub start: Ns,
    /// End of that span, ns.
    pub end: Ns,
}

/// The result of simulating one scenario under one execution model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Run {
    /// Model label (`threads(8)`).
    pub model: String,
    /// Model family (`threads`).
    pub family: &'static str,
    /// Number of cores of the machine.
    pub cores: u32,
    /// Worker-view lanes.
    pub lanes: Vec<Lane>,
    /// Worker-view segments, grouped by lane in time order within each lane.
    pub segments: Vec<Segment>,
    /// Task-view segments.
    pub task_segments: Vec<TaskSegment>,
    /// Where the trace stops when the run was simulated with a segment budget it exceeded:
    /// segments cover `[0, trace_end)`, while tasks, summary and insights cover the whole run.
    /// `None`: every segment is there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_end: Option<Ns>,
    /// Per-task records, by id.
    pub tasks: Vec<TaskRecord>,
    /// Class names, indexed by [`TaskRecord::class`].
    pub classes: Vec<String>,
    /// Figures.
    pub summary: Summary,
    /// Explanations.
    pub insights: Vec<Insight>,
}
