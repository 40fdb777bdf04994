//! The discrete-event engine: one [`Engine`] simulates one execution model over one checked
//! scenario. Events are ordered by `(time, sequence number)`, so equal times are FIFO and the
//! run never depends on hash order or the platform.
//!
//! Layers: [`os`] is the machine (cores with a time slice, one GIL per process, threads that
//! compute, sleep or park); [`exec`] is Python on top of it (pools, event loops, coroutines and
//! their steps); [`record`] writes down segments. [`queue`] holds the events; [`tasks`] the
//! tasks (arrival, deadline, end).

mod exec;
mod os;
mod queue;
mod record;
mod tasks;

use std::collections::{BTreeMap, VecDeque};

use crate::duration::Ns;
use crate::plan::{Plan, PoissonGaps};
use crate::run::{LaneKind, Run, Summary, TaskRecord, KIND_COUNT};
use crate::scenario::{Arrivals, Machine, Model, PoolSpec};
use crate::validate::{limits, Checked, ScenarioError};

use record::Recorder;
pub(crate) use record::{Totals, NONE};

type Tid = u32;
type Sid = u32;

/// Something that happens at a time.
#[derive(Clone, Copy, Debug)]
enum What {
    /// Task `n` arrives.
    Arrival(u32),
    /// A thread's compute finishes or its time slice ends.
    ComputeEnd(Tid, u32),
    /// A sleeping thread's blocking call returns.
    Wake(Tid, u32),
    /// A GIL waiter's timed wait of one switch interval ends (with the GIL's switch number
    /// when the wait began).
    GilTimeout(Tid, u32, u32),
    /// A thread handed the GIL has woken up and can run.
    GilWake(Tid, u32),
    /// An awaited I/O of a coroutine completes.
    IoDone(Sid, u32),
    /// A loop sleeping in `select()` wakes for its due timers (with its timer generation).
    LoopTimer(u32, u32),
    /// Task `n`'s deadline.
    Deadline(u32),
}

/// One process: its own GIL (none when free-threaded) and its GIL lane.
struct Proc {
    gil: Option<os::Gil>,
    gil_lane: u32,
    label: String,
}

/// Where arriving tasks go.
#[derive(Clone, Copy)]
enum Entry {
    /// Into a pool's queue (sync, threads, processes, server of sync/threads workers).
    Pool(u32),
    /// Onto the one event loop, as a task created at its arrival (async).
    Loop(u32),
    /// Into the listening socket that the event loops of server workers share.
    Listen,
}

pub(crate) struct Engine<'a> {
    ck: &'a Checked,
    m: &'a Machine,
    now: Ns,
    events: u64,
    /// Events that found, when they came due, that what they were for had already happened
    /// (a timed wait that ended first, a compute rescheduled): counted in `events`, and they
    /// do nothing.
    superseded: u64,
    /// Timers taken off the queue before they came due (a GIL waiter's, when it is handed the
    /// GIL): never events.
    cancelled: u64,
    queue: queue::Queue,
    procs: Vec<Proc>,
    threads: Vec<os::Thread>,
    cores: Vec<Option<Tid>>,
    core_lanes: Vec<u32>,
    runq: VecDeque<Tid>,
    pools: Vec<exec::Pool>,
    pool_at: BTreeMap<(u32, u16), u32>,
    loops: Vec<exec::Loop>,
    strands: Vec<exec::Strand>,
    free_strands: Vec<Sid>,
    tasks: Vec<tasks::Task>,
    /// Each task's time by kind, kept only for a run's task records (not for figures only).
    task_times: Vec<[Ns; KIND_COUNT]>,
    /// Every task's time by kind, summed (the summary's).
    time_by_kind: [Ns; KIND_COUNT],
    /// Whether the run keeps task records (`task_times`).
    records: bool,
    /// The plans tasks run: the empty plan (`tasks::NO_PLAN`), each class's fixed plan (empty
    /// if it has none) shared by its tasks, then the drawn plans of tasks in flight.
    plans: Vec<Plan>,
    /// Slots of `plans` free for the next drawn plan.
    free_plans: Vec<u32>,
    /// Each task's live strands, kept only if tasks have deadlines (cancellation needs them).
    lives: Vec<Vec<Sid>>,
    entry: Entry,
    rec: Recorder,
    wakeups: VecDeque<Tid>,
    /// The gaps between Poisson arrivals (`None` for other arrivals).
    gaps: Option<PoissonGaps>,
    issued: u32,
    loop_lags: Vec<Ns>,
    /// Connections waiting in the listening socket's backlog, oldest first: no server worker
    /// has accepted them yet.
    backlog: VecDeque<Sid>,
    /// Tasks finished or cancelled so far (for progress).
    ended: u32,
    /// Draws each arriving task (sharing the plans of classes with fixed durations).
    drawer: crate::plan::Drawer,
    /// Memory of finished tasks' strand lists, for the next tasks.
    spare_live: Vec<Vec<Sid>>,
    /// The worker woken first by the next connection: the one after the last to accept (so
    /// idle workers take turns at winning the race to `accept()`).
    accept_from: usize,
    /// Whether `multiprocessing`'s resource tracker has been started (once per run).
    tracker_started: bool,
    model: &'a Model,
}

/// Simulates `model` over a checked scenario, writing down at most `max_segments` segments.
pub(crate) fn simulate_model(
    ck: &Checked,
    model: &Model,
    max_segments: usize,
    progress: &mut dyn FnMut(f64),
) -> Result<Run, ScenarioError> {
    Ok(run_events(ck, model, max_segments, progress)?.finish())
}

/// Simulates `model` over a checked scenario for its figures only.
pub(crate) fn simulate_summary(ck: &Checked, model: &Model) -> Result<Summary, ScenarioError> {
    let mut e = run_events(ck, model, 0, &mut |_| {})?;
    e.rec.close_all(e.now);
    Ok(e.summarise())
}

/// Simulates `model` for its figures only: its events, how many of them were superseded, and
/// how many timers it cancelled.
pub(crate) fn event_counts(ck: &Checked, model: &Model) -> Result<(u64, u64, u64), ScenarioError> {
    let e = run_events(ck, model, 0, &mut |_| {})?;
    Ok((e.events, e.superseded, e.cancelled))
}

/// Runs the event loop to the end.
fn run_events<'a>(
    ck: &'a Checked,
    model: &'a Model,
    max_segments: usize,
    progress: &mut dyn FnMut(f64),
) -> Result<Engine<'a>, ScenarioError> {
    /// Events between progress reports: rare enough to cost nothing.
    const REPORT_EVERY: u64 = 1 << 16;
    let mut e = Engine::new(ck, model, max_segments);
    e.setup_tasks();
    e.setup();
    e.start_arrivals();
    let total = ck.scenario.workload.arrivals.count().max(1) as f64;
    while let Some((at, what)) = e.queue.next() {
        e.now = at;
        e.events += 1;
        if e.events > limits::MAX_EVENTS {
            return Err(ScenarioError::TooManyEvents {
                limit: limits::MAX_EVENTS,
            });
        }
        e.handle(what);
        e.drain_wakeups();
        if e.events.is_multiple_of(REPORT_EVERY) {
            progress(e.ended as f64 / total);
        }
    }
    progress(1.0);
    Ok(e)
}

impl<'a> Engine<'a> {
    fn new(ck: &'a Checked, model: &'a Model, max_segments: usize) -> Self {
        let m = &ck.scenario.machine;
        let mut rec = Recorder::with_budget(max_segments);
        let core_lanes = (0..m.cores)
            .map(|i| rec.add_lane(LaneKind::Core, format!("core {i}"), None, false))
            .collect();
        Engine {
            ck,
            m,
            now: 0,
            events: 0,
            superseded: 0,
            cancelled: 0,
            queue: queue::Queue::new(),
            procs: Vec::new(),
            threads: Vec::new(),
            cores: vec![None; m.cores as usize],
            core_lanes,
            runq: VecDeque::new(),
            pools: Vec::new(),
            pool_at: BTreeMap::new(),
            loops: Vec::new(),
            strands: Vec::new(),
            free_strands: Vec::new(),
            tasks: Vec::with_capacity(ck.scenario.workload.arrivals.count() as usize),
            task_times: Vec::new(),
            time_by_kind: [0; KIND_COUNT],
            records: max_segments > 0,
            plans: Vec::new(),
            free_plans: Vec::new(),
            lives: Vec::new(),
            entry: Entry::Loop(0),
            rec,
            wakeups: VecDeque::new(),
            gaps: match ck.scenario.workload.arrivals {
                Arrivals::Poisson { rate_per_s, .. } => {
                    Some(PoissonGaps::new(ck.scenario.seed, rate_per_s))
                }
                _ => None,
            },
            issued: 0,
            loop_lags: Vec::new(),
            backlog: VecDeque::new(),
            ended: 0,
            accept_from: 0,
            tracker_started: false,
            drawer: crate::plan::Drawer::new(ck),
            spare_live: Vec::new(),
            model,
        }
    }

    fn schedule(&mut self, at: Ns, what: What) {
        self.queue.schedule(at, what);
    }

    /// Schedules `what` at `at`, a GIL waiter's timed wait (all of them have the same delay).
    fn schedule_timeout(&mut self, at: Ns, what: What) {
        self.queue.schedule_timeout(at, what);
    }

    /// Schedules `what` at `at`, the end of a blocking call.
    fn schedule_sleep(&mut self, at: Ns, what: What) {
        self.queue.schedule_sleep(at, at - self.now, what);
    }

    fn add_proc(&mut self, label: String) -> u32 {
        let id = self.procs.len() as u32;
        let gil_name = if label.is_empty() {
            "GIL".to_string()
        } else {
            format!("{label} · GIL")
        };
        let gil_lane = self.rec.add_lane(LaneKind::Gil, gil_name, Some(id), false);
        let gil = if self.m.free_threaded {
            None
        } else {
            Some(os::Gil::default())
        };
        self.procs.push(Proc {
            gil,
            gil_lane,
            label,
        });
        id
    }

    /// Builds the processes, threads, pools and loops of the model.
    fn setup(&mut self) {
        let model = self.model;
        match model {
            Model::Sync => {
                let p = self.add_proc(String::new());
                let pool = self.add_thread_pool(p, 1, "main thread", false);
                // A plain loop over the tasks: no executor hand-off per task.
                self.pools[pool as usize].handoff = false;
                self.add_pool_thread(pool);
                self.entry = Entry::Pool(pool);
            }
            Model::Threads { workers } => {
                let p = self.add_proc(String::new());
                let pool = self.add_thread_pool(p, *workers, "thread", true);
                self.entry = Entry::Pool(pool);
            }
            Model::Processes { workers, start } => {
                let pool = self.add_process_pool(*workers, *start, "process", true);
                self.entry = Entry::Pool(pool);
            }
            Model::Async { limit } => {
                let p = self.add_proc(String::new());
                let lp = self.add_loop(p, *limit, "event loop");
                self.entry = Entry::Loop(lp);
            }
            Model::Server { workers, inner } => match **inner {
                Model::Async { limit } => {
                    let mut lps = Vec::new();
                    for w in 0..*workers {
                        let p = self.add_proc(format!("worker {}", w + 1));
                        lps.push(self.add_loop(p, limit, &format!("worker {} · loop", w + 1)));
                    }
                    self.share_accept(&lps);
                    self.entry = Entry::Listen;
                }
                Model::Threads { workers: per } => {
                    let pool = self.add_server_pool(*workers, per);
                    self.entry = Entry::Pool(pool);
                }
                _ => {
                    let pool = self.add_server_pool(*workers, 1);
                    self.entry = Entry::Pool(pool);
                }
            },
        }
    }

    fn handle(&mut self, what: What) {
        match what {
            What::Arrival(n) => self.arrive(n),
            What::ComputeEnd(t, gen) => self.on_compute_end(t, gen),
            What::Wake(t, gen) => self.on_wake(t, gen),
            What::GilTimeout(t, gen, sn) => self.on_gil_timeout(t, gen, sn),
            What::GilWake(t, gen) => self.on_gil_wake(t, gen),
            What::IoDone(s, gen) => self.on_io_done(s, gen),
            What::LoopTimer(lp, tg) => self.on_loop_timer(lp, tg),
            What::Deadline(n) => self.on_deadline(n),
        }
    }

    fn drain_wakeups(&mut self) {
        while let Some(t) = self.wakeups.pop_front() {
            self.advance(t);
        }
    }

    fn finish(mut self) -> Run {
        let end = self.now;
        self.rec.close_all(end);
        let classes = self
            .ck
            .scenario
            .workload
            .classes
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let tasks: Vec<TaskRecord> = self
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| TaskRecord {
                id: i as u32,
                class: t.class,
                arrival: t.arrival,
                start: t.start,
                end: t.end,
                cancelled: t.cancelled,
                timed_out: t.timed_out,
                time_by_kind: self.task_times[i],
            })
            .collect();
        let summary = self.summarise();
        let (lanes, segments) = crate::summary::order_lanes(self.rec.lanes, self.rec.segments);
        let mut run = Run {
            model: self.model.label(),
            family: self.model.family(),
            cores: self.m.cores,
            lanes,
            segments,
            task_segments: self.rec.task_segments,
            trace_end: self.rec.cut,
            tasks,
            classes,
            summary,
            insights: Vec::new(),
        };
        run.insights = crate::insights::explain(&run, self.ck);
        run
    }

    /// The figures of the finished run (its lanes closed).
    fn summarise(&mut self) -> Summary {
        let tasks = self.tasks.iter().map(|t| crate::summary::Outcome {
            arrival: t.arrival,
            end: t.end,
            cancelled: t.cancelled,
            timed_out: t.timed_out,
        });
        crate::summary::summarise(
            tasks,
            self.time_by_kind,
            self.m.cores,
            &self.rec.totals,
            self.events,
            &mut self.loop_lags,
        )
    }

    /// The label of a new pool thread or process.
    fn pool_lane_name(&self, pool: u32, index: u32) -> String {
        let p = &self.pools[pool as usize];
        if p.max == 1 && !p.numbered {
            p.prefix.clone()
        } else {
            format!("{} {}", p.prefix, index + 1)
        }
    }

    fn default_pool_spec(&self, idx: u16) -> &PoolSpec {
        &self.ck.pools[idx as usize].spec
    }
}
