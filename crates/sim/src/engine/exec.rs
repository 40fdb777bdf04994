//! Python on top of the machine: pools that run work items on threads (or processes), event
//! loops that run coroutines, and strands — a task's body or one of its branches — stepping
//! through their plan.
//!
//! The event loop follows asyncio (`base_events.py`):
//! 1. One iteration runs every callback that was ready when it began, FIFO; then polls I/O.
//! 2. A new task (an arrival, a `gather` branch) first costs `task_create` on the loop and takes
//!    its first step in a later iteration, so `gather` creates all its tasks before any runs.
//! 3. A resumed coroutine goes to the back of the ready queue; while the loop is busy it waits
//!    there ("loop lag", [`Kind::LoopBusy`]); each resume costs `await_overhead`.
//! 4. Offloaded steps run on pool threads that share the loop's GIL.
//! 5. Server workers share one listening socket (`selector_events.py`). A connection waits in
//!    its backlog until a worker's loop polls and finds the socket readable: then the accept
//!    callback joins the ready queue behind the callbacks already there and, when it runs,
//!    accepts every waiting connection, up to [`ACCEPT_BATCH`], creating a task for each
//!    (`_accept_connection`). A loop busy with a callback accepts only at its next poll, then
//!    takes all that queued meanwhile. Loops parked in `select()` all wake on a connection
//!    (no `EPOLLEXCLUSIVE`); the first to accept wins it, the others find nothing and park.
//! 6. An awaited `io` is a timer (`asyncio.sleep`). A loop parked in `select()` until its next
//!    timer wakes the timer slack late (`gil_timer_slack`, as every timed wait: `os.rs` rule 6)
//!    and then runs every timer due by then; woken earlier by a file descriptor (a thread's
//!    `call_soon_threadsafe`, a connection), it runs the due timers at once. A busy loop finds
//!    its due timers at its next iteration, with no slack.

use std::collections::VecDeque;

use super::os::{Role, TState, Thread};
use super::{Engine, Sid, Tid, What, NONE};
use crate::plan::PStep;
use crate::run::{Kind, LaneKind, TaskSegment, RESOURCE_TRACKER};
use crate::scenario::{PoolSpec, StartMethod};
use crate::validate::start_cost;

/// The most connections one run of the accept callback takes: the `backlog` argument of
/// `BaseSelectorEventLoop._accept_connection`, 100 (`asyncio.start_server`'s default).
pub(crate) const ACCEPT_BATCH: usize = 100;

/// Where a strand's result goes when it finishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cont {
    /// It is the task: the task is done.
    Task,
    /// A `gather` branch: tell the parent coroutine.
    Join(Sid),
    /// Offloaded from a blocking thread: wake that thread.
    Thread(Tid),
    /// Offloaded from a coroutine: resume it on its loop.
    Loop(Sid),
    /// Its awaiter was cancelled: the result is dropped.
    Orphan,
}

/// What a suspended coroutine waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    None,
    Io,
    Sem,
    Children(u32),
    Offload(Sid),
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    seq: u32,
    pc: u32,
}

/// A sequential thread of a task's work: its body, a `gather` branch, or an offloaded call.
pub(crate) struct Strand {
    pub task: u32,
    pub branch: u32,
    frames: Vec<Frame>,
    pub cont: Cont,
    pub wait: Wait,
    /// Bumped when a scheduled `IoDone` becomes stale (cancellation).
    gen: u32,
    /// Created on a loop but not yet through its `task_create`.
    pub new: bool,
    /// The loop it runs on, or `NONE` on a pool.
    pub lp: u32,
    seg: Option<Kind>,
    seg_since: u64,
    ready_since: u64,
    alive: bool,
    /// A process pool's IPC cost for this work item, ns.
    ipc: u64,
}

/// An event loop entry.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Item {
    /// Create the task (`task_create`), then schedule its first step.
    Create(Sid),
    /// Resume the coroutine.
    Resume(Sid),
    /// The listening socket's accept callback: accept waiting connections, a task for each.
    Accept,
}

pub(crate) struct Loop {
    thread: Tid,
    proc: u32,
    ready: VecDeque<Item>,
    pending: VecDeque<Item>,
    batch: usize,
    parked: bool,
    limit: Option<u32>,
    in_flight: u32,
    sem_waiters: VecDeque<Sid>,
    /// A server worker: it accepts connections from the listening socket the workers share.
    shared_accept: bool,
    /// Awaited `io`s whose timer fell due while the loop slept in `select()` (rule 6): each
    /// strand with the generation of its wait. They run once the loop wakes.
    due: Vec<(Sid, u32)>,
    /// Bumped whenever `due` is emptied, so that a stale `LoopTimer` wakes nobody.
    timer_gen: u32,
}

pub(crate) struct Pool {
    queue: VecDeque<Sid>,
    idle: VecDeque<Tid>,
    threads: Vec<Tid>,
    pub max: u32,
    /// Thread pool: the process its threads live in. Process pool: `NONE`.
    proc: u32,
    /// Process pool start-up cost per worker, ns (`None` for thread pools).
    start: Option<u64>,
    started: bool,
    /// Process pool under spawn or forkserver: a worker starts at a submit that finds none
    /// idle (`_adjust_process_count`), not all at the first submit.
    on_demand: bool,
    /// `_idle_worker_semaphore`: released once per finished work item, acquired by a submit.
    idle_sem: u32,
    lazy: bool,
    /// Whether picking up a work item costs `thread_switch` (an executor hand-off).
    pub handoff: bool,
    pub prefix: String,
    pub numbered: bool,
}

impl Engine<'_> {
    // ---- building ----

    pub(super) fn add_thread_pool(
        &mut self,
        proc: u32,
        max: u32,
        prefix: &str,
        numbered: bool,
    ) -> u32 {
        self.pools.push(Pool {
            queue: VecDeque::new(),
            idle: VecDeque::new(),
            threads: Vec::new(),
            max,
            proc,
            start: None,
            started: true,
            on_demand: false,
            idle_sem: 0,
            lazy: true,
            handoff: true,
            prefix: prefix.to_string(),
            numbered,
        });
        (self.pools.len() - 1) as u32
    }

    pub(super) fn add_process_pool(
        &mut self,
        max: u32,
        start: StartMethod,
        prefix: &str,
        numbered: bool,
    ) -> u32 {
        let cost = start_cost(self.m, start);
        self.pools.push(Pool {
            queue: VecDeque::new(),
            idle: VecDeque::new(),
            threads: Vec::new(),
            max,
            proc: NONE,
            start: Some(cost),
            started: false,
            on_demand: start != StartMethod::Fork,
            idle_sem: 0,
            lazy: false,
            handoff: true,
            prefix: prefix.to_string(),
            numbered,
        });
        (self.pools.len() - 1) as u32
    }

    /// Server workers running sync or threads: one shared accept queue over `workers`
    /// pre-started processes of `per` threads each.
    pub(super) fn add_server_pool(&mut self, workers: u32, per: u32) -> u32 {
        let pool = self.add_thread_pool(NONE, workers * per, "worker", true);
        self.pools[pool as usize].lazy = false;
        for w in 0..workers {
            let p = self.add_proc(format!("worker {}", w + 1));
            for i in 0..per {
                let name = if per == 1 {
                    format!("worker {}", w + 1)
                } else {
                    format!("worker {} · thread {}", w + 1, i + 1)
                };
                self.spawn_thread(pool, p, name);
            }
        }
        pool
    }

    /// Adds a thread to `pool` in process `proc`; it starts idle.
    fn spawn_thread(&mut self, pool: u32, proc: u32, name: String) -> Tid {
        let lane = self.rec.add_lane(LaneKind::Thread, name, Some(proc), false);
        let t = self.threads.len() as Tid;
        self.threads
            .push(Thread::new(proc, lane, Role::Worker(pool)));
        self.pools[pool as usize].threads.push(t);
        self.pools[pool as usize].idle.push_back(t);
        t
    }

    pub(super) fn add_pool_thread(&mut self, pool: u32) -> Tid {
        let n = self.pools[pool as usize].threads.len() as u32;
        let name = self.pool_lane_name(pool, n);
        let proc = self.pools[pool as usize].proc;
        self.spawn_thread(pool, proc, name)
    }

    pub(super) fn add_loop(&mut self, proc: u32, limit: Option<u32>, name: &str) -> u32 {
        let lane = self
            .rec
            .add_lane(LaneKind::Thread, name.to_string(), Some(proc), true);
        let t = self.threads.len() as Tid;
        let lp = self.loops.len() as u32;
        self.threads.push(Thread::new(proc, lane, Role::Loop(lp)));
        self.loops.push(Loop {
            thread: t,
            proc,
            ready: VecDeque::new(),
            pending: VecDeque::new(),
            batch: 0,
            parked: true,
            limit,
            in_flight: 0,
            sem_waiters: VecDeque::new(),
            shared_accept: false,
            due: Vec::new(),
            timer_gen: 0,
        });
        lp
    }

    /// The pool instance for pool `idx` of the scenario, as seen from process `proc`.
    fn pool_for(&mut self, proc: u32, idx: u16) -> u32 {
        if let Some(&p) = self.pool_at.get(&(proc, idx)) {
            return p;
        }
        let name = &self.ck.pools[idx as usize].name;
        let owner = &self.procs[proc as usize].label;
        let base = match name.as_str() {
            "default" => "to_thread".to_string(),
            n => format!("pool {n}"),
        };
        let prefix = if owner.is_empty() {
            base
        } else {
            format!("{owner} · {base}")
        };
        let p = match *self.default_pool_spec(idx) {
            PoolSpec::Thread { workers } => self.add_thread_pool(proc, workers, &prefix, true),
            PoolSpec::Process { workers, start } => {
                self.add_process_pool(workers, start, &prefix, true)
            }
        };
        self.pool_at.insert((proc, idx), p);
        p
    }

    // ---- strands ----

    pub(super) fn new_strand(&mut self, task: u32, seq: u32, cont: Cont, lp: u32) -> Sid {
        let branch = if seq == 0 && cont == Cont::Task {
            0
        } else {
            let t = &mut self.tasks[task as usize];
            t.next_branch += 1;
            t.next_branch - 1
        };
        // A reused slot keeps its frame stack's memory.
        let mut frames = match self.free_strands.last() {
            Some(&id) => std::mem::take(&mut self.strands[id as usize].frames),
            None => Vec::with_capacity(2),
        };
        frames.clear();
        frames.push(Frame { seq, pc: 0 });
        let s = Strand {
            task,
            branch,
            frames,
            cont,
            wait: Wait::None,
            gen: 0,
            new: false,
            lp,
            seg: None,
            seg_since: self.now,
            ready_since: self.now,
            alive: true,
            ipc: 0,
        };
        let id = match self.free_strands.pop() {
            Some(id) => {
                // Generations stay monotonic per slot, so a stale event never matches.
                let gen = self.strands[id as usize].gen.wrapping_add(1);
                self.strands[id as usize] = Strand { gen, ..s };
                id
            }
            None => {
                self.strands.push(s);
                (self.strands.len() - 1) as Sid
            }
        };
        let live = &mut self.tasks[task as usize].live;
        if live.capacity() == 0 {
            if let Some(spare) = self.spare_live.pop() {
                *live = spare;
            }
        }
        live.push(id);
        id
    }

    /// Puts strand `s` into state `kind` from now on.
    pub(super) fn strand_state(&mut self, s: Sid, kind: Kind) {
        let now = self.now;
        let st = &mut self.strands[s as usize];
        if st.seg == Some(kind) {
            return;
        }
        let prev = st.seg.replace(kind);
        let since = std::mem::replace(&mut st.seg_since, now);
        if let Some(k) = prev {
            let (task, branch) = (st.task, st.branch);
            let by_kind = &mut self.tasks[task as usize].time_by_kind;
            self.rec.task_span(
                TaskSegment {
                    task,
                    branch,
                    kind: k,
                    start: since,
                    end: now,
                },
                by_kind,
            );
        }
    }

    /// The next step of `s`. `blocking`: a `gather` runs its branches one after another.
    fn next_step(&mut self, s: Sid, blocking: bool) -> Option<PStep> {
        loop {
            let st = &mut self.strands[s as usize];
            let frame = st.frames.last_mut()?;
            let step = self.tasks[st.task as usize].plan.step(frame.seq, frame.pc);
            match step {
                None => {
                    st.frames.pop();
                }
                Some(PStep::Gather { first, n }) if blocking => {
                    frame.pc += 1;
                    for b in (0..n).rev() {
                        st.frames.push(Frame {
                            seq: first + b,
                            pc: 0,
                        });
                    }
                }
                Some(p) => {
                    frame.pc += 1;
                    return Some(p);
                }
            }
        }
    }

    /// Strand `s` is finished (or cancelled): close it and pass the result on.
    fn finish_strand(&mut self, s: Sid, cancelled: bool) {
        self.end_strand(s, cancelled, true);
    }

    /// Like [`Self::finish_strand`]; `recycle: false` keeps the slot until a queue that still
    /// names it has dropped it.
    fn end_strand(&mut self, s: Sid, cancelled: bool, recycle: bool) {
        let now = self.now;
        let task = self.strands[s as usize].task;
        if cancelled {
            self.strand_state(s, Kind::Cancelled);
        }
        // Close the last segment.
        {
            let st = &mut self.strands[s as usize];
            if let Some(k) = st.seg.take() {
                let (branch, since) = (st.branch, st.seg_since);
                let by_kind = &mut self.tasks[task as usize].time_by_kind;
                self.rec.task_span(
                    TaskSegment {
                        task,
                        branch,
                        kind: k,
                        start: since,
                        end: now,
                    },
                    by_kind,
                );
            }
            st.alive = false;
        }
        let cont = self.strands[s as usize].cont;
        let lp = self.strands[s as usize].lp;
        self.tasks[task as usize].live.retain(|&x| x != s);
        if recycle {
            self.free_strands.push(s);
        }
        match cont {
            Cont::Task => {
                if lp != NONE {
                    self.sem_release(lp);
                }
                self.task_done(task, cancelled);
            }
            Cont::Join(p) => {
                if let Wait::Children(n) = self.strands[p as usize].wait {
                    if n > 1 {
                        self.strands[p as usize].wait = Wait::Children(n - 1);
                    } else {
                        self.strands[p as usize].wait = Wait::None;
                        // The last branch finished on the loop thread: call_soon.
                        let plp = self.strands[p as usize].lp;
                        self.strands[p as usize].ready_since = now;
                        self.strand_state(p, Kind::LoopBusy);
                        self.loops[plp as usize].ready.push_back(Item::Resume(p));
                    }
                }
            }
            Cont::Thread(t) => self.unpark(t),
            Cont::Loop(p) => {
                self.strands[p as usize].wait = Wait::None;
                let plp = self.strands[p as usize].lp;
                self.post_to_loop(plp, Item::Resume(p), Kind::LoopBusy);
            }
            Cont::Orphan => {}
        }
    }

    /// `call_soon_threadsafe` / an I/O event: the item joins the loop's next poll.
    pub(super) fn post_to_loop(&mut self, lp: u32, item: Item, kind: Kind) {
        if let Item::Create(s) | Item::Resume(s) = item {
            self.strands[s as usize].ready_since = self.now;
            self.strand_state(s, kind);
        }
        let l = &mut self.loops[lp as usize];
        l.pending.push_back(item);
        if l.parked {
            l.parked = false;
            let t = l.thread;
            self.unpark(t);
        }
    }

    pub(super) fn on_io_done(&mut self, s: Sid, gen: u32) {
        let st = &self.strands[s as usize];
        if !st.alive || st.gen != gen || st.wait != Wait::Io {
            self.superseded += 1;
            return;
        }
        let lp = st.lp;
        let slack = self.m.gil_timer_slack.0;
        let l = &mut self.loops[lp as usize];
        if l.parked && slack > 0 {
            // The loop sleeps in `select()` until this timer: it wakes the slack late (rule 6).
            // The strand waits on until then.
            if l.due.is_empty() {
                let tg = l.timer_gen;
                self.schedule(self.now + slack, What::LoopTimer(lp, tg));
            }
            self.loops[lp as usize].due.push((s, gen));
            return;
        }
        self.strands[s as usize].wait = Wait::None;
        self.post_to_loop(lp, Item::Resume(s), Kind::LoopBusy);
    }

    /// Loop `lp`'s `select()` timeout fired (the timer slack after its first due timer).
    pub(super) fn on_loop_timer(&mut self, lp: u32, timer_gen: u32) {
        let l = &mut self.loops[lp as usize];
        if l.timer_gen != timer_gen || !l.parked {
            // Woken earlier: it has run (or will run) its due timers.
            self.superseded += 1;
            return;
        }
        l.parked = false;
        let t = l.thread;
        self.unpark(t);
    }

    /// A waking loop runs the timers that fell due while it slept, after the I/O callbacks.
    fn run_due_timers(&mut self, lp: u32) {
        let l = &mut self.loops[lp as usize];
        if l.due.is_empty() {
            return;
        }
        l.timer_gen = l.timer_gen.wrapping_add(1);
        let mut due = std::mem::take(&mut l.due);
        for &(s, gen) in &due {
            let st = &mut self.strands[s as usize];
            // A strand cancelled meanwhile has been resumed already (its wait bumped).
            if !st.alive || st.gen != gen || st.wait != Wait::Io {
                continue;
            }
            st.wait = Wait::None;
            st.ready_since = self.now;
            self.strand_state(s, Kind::LoopBusy);
            self.loops[lp as usize].ready.push_back(Item::Resume(s));
        }
        due.clear();
        self.loops[lp as usize].due = due;
    }

    // ---- pools ----

    /// Queues strand `s` on pool `pool` (`executor.submit`).
    pub(super) fn submit(&mut self, pool: u32, s: Sid) {
        self.strand_state(s, Kind::Queued);
        let p = &mut self.pools[pool as usize];
        p.queue.push_back(s);
        if p.on_demand {
            self.adjust_process_count(pool);
        } else if p.start.is_some() && !p.started {
            self.start_processes(pool);
            return;
        }
        if let Some(t) = self.pools[pool as usize].idle.pop_front() {
            self.unpark(t);
        } else if self.pools[pool as usize].lazy
            && (self.pools[pool as usize].threads.len() as u32) < self.pools[pool as usize].max
        {
            let t = self.add_pool_thread(pool);
            self.pools[pool as usize].idle.retain(|&x| x != t);
            self.unpark(t);
        }
    }

    /// A fork pool starts all its workers at the first submit (`_launch_processes`: forking
    /// once the executor's thread runs could deadlock, gh-90622); each pays its start-up.
    fn start_processes(&mut self, pool: u32) {
        self.pools[pool as usize].started = true;
        for _ in 0..self.pools[pool as usize].max {
            self.start_process(pool);
        }
    }

    /// A spawn or forkserver pool at a submit (`_adjust_process_count`): a worker left idle by
    /// a finished item takes it (the semaphore); otherwise one more worker starts, up to max.
    fn adjust_process_count(&mut self, pool: u32) {
        let p = &mut self.pools[pool as usize];
        if p.idle_sem > 0 {
            p.idle_sem -= 1;
        } else if (p.threads.len() as u32) < p.max {
            if !self.tracker_started {
                self.start_resource_tracker();
            }
            self.start_process(pool);
        }
    }

    /// Starts one worker process of `pool`: it boots (start-up CPU in the child), then takes
    /// work.
    fn start_process(&mut self, pool: u32) {
        let n = self.pools[pool as usize].threads.len();
        let name = format!("{} {}", self.pools[pool as usize].prefix, n + 1);
        let p = self.add_proc(name.clone());
        let t = self.spawn_thread(pool, p, name);
        self.pools[pool as usize].idle.retain(|&x| x != t);
        let cost = self.pools[pool as usize].start.unwrap_or(0);
        self.boot(t, cost);
    }

    /// Thread `t` of a new process boots: interpreter start-up is CPU work in the child.
    fn boot(&mut self, t: Tid, cost: u64) {
        self.threads[t as usize].state = TState::Parked;
        if cost > 0 {
            self.compute(t, cost, true, Kind::Overhead);
        } else {
            self.unpark(t);
        }
    }

    /// The first spawn or forkserver pool of a run starts `multiprocessing`'s resource tracker
    /// (its queues' semaphores register with it): one more spawned interpreter, which boots at
    /// the cost of a spawn start-up and then sleeps for the rest of the run.
    fn start_resource_tracker(&mut self) {
        self.tracker_started = true;
        let pool = self.add_thread_pool(NONE, 1, RESOURCE_TRACKER, false);
        self.pools[pool as usize].lazy = false;
        self.pools[pool as usize].handoff = false;
        let p = self.add_proc(RESOURCE_TRACKER.to_string());
        let t = self.spawn_thread(pool, p, RESOURCE_TRACKER.to_string());
        self.pools[pool as usize].idle.retain(|&x| x != t);
        self.boot(t, self.m.process_start_spawn.0);
    }

    /// Thread `t` is free to do its next thing.
    pub(super) fn advance(&mut self, t: Tid) {
        match self.threads[t as usize].role {
            Role::Worker(pool) => self.worker_advance(t, pool),
            Role::Loop(lp) => self.loop_advance(t, lp),
        }
    }

    fn worker_advance(&mut self, t: Tid, pool: u32) {
        loop {
            if let Some(s) = self.threads[t as usize].strand {
                if self.run_blocking_step(t, s) {
                    return;
                }
                continue;
            }
            // Take the next work item.
            let next = loop {
                match self.pools[pool as usize].queue.pop_front() {
                    Some(s) if !self.strands[s as usize].alive => {
                        self.free_strands.push(s); // cancelled while queued
                        continue;
                    }
                    other => break other,
                }
            };
            let Some(s) = next else {
                self.pools[pool as usize].idle.push_back(t);
                self.park(t, None, None);
                return;
            };
            self.threads[t as usize].strand = Some(s);
            let task = self.strands[s as usize].task;
            let tk = &mut self.tasks[task as usize];
            if tk.start.is_none() {
                tk.start = Some(self.now);
            }
            // Pick-up cost: unpickling and IPC in a process pool, the thread hand-off otherwise.
            let cost = if self.pools[pool as usize].start.is_some() {
                let kb = self.ck.scenario.workload.classes[tk.class as usize].payload_kb;
                self.m.ipc_fixed.0 + libm::round(self.m.ipc_per_kb.0 as f64 * kb) as u64
            } else if self.pools[pool as usize].handoff {
                self.m.thread_switch.0
            } else {
                0
            };
            self.strands[s as usize].ipc = cost;
            if cost > 0 {
                self.compute(t, cost, true, Kind::Overhead);
                return;
            }
        }
    }

    /// Runs the next step of `s` on blocking thread `t`. Returns whether `t` is now busy.
    fn run_blocking_step(&mut self, t: Tid, s: Sid) -> bool {
        match self.next_step(s, true) {
            Some(PStep::Cpu(d)) => self.busy(t, d, true, Kind::Running),
            Some(PStep::CpuNoGil(d)) => self.busy(t, d, false, Kind::RunningNoGil),
            Some(PStep::Io(d)) => self.blocked(t, d, Kind::IoWait),
            Some(PStep::Blocking(d)) => self.blocked(t, d, Kind::Blocked),
            Some(PStep::Offload { pool, seq }) => {
                let task = self.strands[s as usize].task;
                let child = self.new_strand(task, seq, Cont::Thread(t), NONE);
                let proc = self.threads[t as usize].proc;
                let p = self.pool_for(proc, pool);
                // `executor.submit(...).result()`: the thread blocks on the future.
                self.park(t, Some(Kind::Blocked), Some(Kind::Awaiting));
                self.submit(p, child);
                true
            }
            Some(PStep::Gather { .. }) => false, // expanded by next_step
            None => {
                self.threads[t as usize].strand = None;
                if let Role::Worker(pool) = self.threads[t as usize].role {
                    // The executor's manager thread, told of the result, marks a worker idle.
                    let p = &mut self.pools[pool as usize];
                    if p.on_demand {
                        p.idle_sem += 1;
                    }
                }
                self.finish_strand(s, false);
                false
            }
        }
    }

    fn busy(&mut self, t: Tid, d: u64, gil: bool, kind: Kind) -> bool {
        if d == 0 {
            return false;
        }
        self.compute(t, d, gil, kind);
        true
    }

    fn blocked(&mut self, t: Tid, d: u64, kind: Kind) -> bool {
        if d == 0 {
            return false;
        }
        self.sleep(t, d, kind, kind);
        true
    }

    // ---- event loops ----

    fn loop_advance(&mut self, t: Tid, lp: u32) {
        loop {
            if let Some(s) = self.threads[t as usize].strand {
                if self.run_coroutine_step(t, lp, s) {
                    return;
                }
                continue;
            }
            let l = &mut self.loops[lp as usize];
            if l.batch == 0 {
                // A new iteration: poll I/O — a readable listening socket queues its accept
                // callback, completions their callbacks — then run what is ready now.
                if l.shared_accept && !self.backlog.is_empty() {
                    l.ready.push_back(Item::Accept);
                }
                let pending = std::mem::take(&mut l.pending);
                l.ready.extend(pending);
                self.run_due_timers(lp);
                let l = &mut self.loops[lp as usize];
                l.batch = l.ready.len();
                if l.batch == 0 {
                    l.parked = true;
                    self.park(t, None, None);
                    return;
                }
            }
            let l = &mut self.loops[lp as usize];
            l.batch -= 1;
            let Some(item) = l.ready.pop_front() else {
                continue;
            };
            match item {
                Item::Create(s) => {
                    let lag = self.now - self.strands[s as usize].ready_since;
                    self.loop_lags.push(lag);
                    self.threads[t as usize].strand = Some(s);
                    let task = self.strands[s as usize].task;
                    if self.tasks[task as usize].start.is_none() {
                        self.tasks[task as usize].start = Some(self.now);
                    }
                    let cost = self.m.task_create.0;
                    if cost > 0 {
                        self.compute(t, cost, true, Kind::Overhead);
                        return;
                    }
                }
                Item::Accept => self.accept(lp),
                Item::Resume(s) => {
                    if !self.strands[s as usize].alive {
                        continue;
                    }
                    let lag = self.now - self.strands[s as usize].ready_since;
                    self.loop_lags.push(lag);
                    self.threads[t as usize].strand = Some(s);
                    let cost = self.m.await_overhead.0;
                    if cost > 0 {
                        self.compute(t, cost, true, Kind::Overhead);
                        return;
                    }
                }
            }
        }
    }

    /// Runs coroutine `s` on loop thread `t` until it is busy or suspends.
    /// Returns whether `t` is now busy.
    fn run_coroutine_step(&mut self, t: Tid, lp: u32, s: Sid) -> bool {
        let now = self.now;
        if self.strands[s as usize].new {
            // Created: its first step runs in a later iteration (after the semaphore).
            self.strands[s as usize].new = false;
            self.threads[t as usize].strand = None;
            let cancelled = self.tasks[self.strands[s as usize].task as usize].cancel_requested;
            let l = &mut self.loops[lp as usize];
            if !cancelled && l.limit.is_some_and(|k| l.in_flight >= k) {
                l.sem_waiters.push_back(s);
                self.strands[s as usize].wait = Wait::Sem;
                self.strand_state(s, Kind::Queued);
            } else {
                l.in_flight += 1;
                l.ready.push_back(Item::Resume(s));
                self.strands[s as usize].ready_since = now;
                self.strand_state(s, Kind::LoopBusy);
            }
            return false;
        }
        if let Wait::Children(_) = self.strands[s as usize].wait {
            // The gather's task creation is paid; now it awaits its branches.
            self.threads[t as usize].strand = None;
            self.strand_state(s, Kind::Awaiting);
            return false;
        }
        let task = self.strands[s as usize].task;
        if self.tasks[task as usize].cancel_requested {
            self.threads[t as usize].strand = None;
            self.finish_strand(s, true);
            return false;
        }
        match self.next_step(s, false) {
            Some(PStep::Cpu(d)) => self.busy(t, d, true, Kind::Running),
            Some(PStep::CpuNoGil(d)) => self.busy(t, d, false, Kind::RunningNoGil),
            Some(PStep::Blocking(d)) => self.blocked(t, d, Kind::Blocked),
            Some(PStep::Io(d)) => {
                self.threads[t as usize].strand = None;
                let st = &mut self.strands[s as usize];
                st.wait = Wait::Io;
                st.gen += 1;
                let gen = st.gen;
                self.strand_state(s, Kind::IoWait);
                self.schedule(now + d, What::IoDone(s, gen));
                false
            }
            Some(PStep::Offload { pool, seq }) => {
                self.threads[t as usize].strand = None;
                let child = self.new_strand(task, seq, Cont::Loop(s), NONE);
                self.strands[s as usize].wait = Wait::Offload(child);
                self.strand_state(s, Kind::Awaiting);
                let proc = self.loops[lp as usize].proc;
                let p = self.pool_for(proc, pool);
                self.submit(p, child);
                false
            }
            Some(PStep::Gather { first, n }) => {
                // Create every branch task now (call_soon), then await them all.
                for b in 0..n {
                    let c = self.new_strand(task, first + b, Cont::Join(s), lp);
                    self.strands[c as usize].ready_since = now;
                    self.strand_state(c, Kind::LoopBusy);
                    self.loops[lp as usize].ready.push_back(Item::Resume(c));
                }
                self.strands[s as usize].wait = Wait::Children(n);
                let cost = self.m.task_create.0 * n as u64;
                if cost > 0 {
                    self.compute(t, cost, true, Kind::Overhead);
                    return true;
                }
                false
            }
            None => {
                self.threads[t as usize].strand = None;
                self.finish_strand(s, false);
                false
            }
        }
    }

    /// Marks loops as server workers sharing one listening socket.
    pub(super) fn share_accept(&mut self, lps: &[u32]) {
        for &lp in lps {
            self.loops[lp as usize].shared_accept = true;
        }
    }

    /// A client connects to the server's listening socket (rule 5): the connection waits in
    /// the backlog. Every worker parked in `select()` wakes and races to accept it; the winner
    /// is the first parked one after the last worker to accept. Only the winner is woken here:
    /// the others would find the backlog empty and park again, at no cost in the model. Busy
    /// workers see the connection at their next poll.
    pub(super) fn connect(&mut self, s: Sid) {
        self.strands[s as usize].ready_since = self.now;
        self.strand_state(s, Kind::Queued);
        self.backlog.push_back(s);
        let n = self.loops.len();
        let winner = (0..n)
            .map(|i| (self.accept_from + i) % n)
            .find(|&i| self.loops[i].shared_accept && self.loops[i].parked);
        if let Some(i) = winner {
            self.loops[i].parked = false;
            let t = self.loops[i].thread;
            self.unpark(t);
        }
    }

    /// Loop `lp`'s accept callback runs (rule 5): it accepts the waiting connections, oldest
    /// first and at most [`ACCEPT_BATCH`], and creates their tasks now, in accept order, before
    /// the rest of the iteration (`create_task` runs inside the callback).
    fn accept(&mut self, lp: u32) {
        let k = self.backlog.len().min(ACCEPT_BATCH);
        let mut took = false;
        for i in (0..k).rev() {
            let s = self.backlog[i];
            if !self.strands[s as usize].alive {
                self.free_strands.push(s); // its caller gave up while it waited
                continue;
            }
            took = true;
            self.strands[s as usize].lp = lp;
            self.strand_state(s, Kind::LoopBusy);
            let l = &mut self.loops[lp as usize];
            l.ready.push_front(Item::Create(s));
            l.batch += 1;
        }
        self.backlog.drain(..k);
        if took {
            self.accept_from = lp as usize + 1;
        }
    }

    /// A task on loop `lp` finished: its semaphore slot goes to the next waiter.
    fn sem_release(&mut self, lp: u32) {
        let l = &mut self.loops[lp as usize];
        if l.limit.is_none() {
            return;
        }
        match l.sem_waiters.pop_front() {
            Some(w) => {
                l.ready.push_back(Item::Resume(w));
                self.strands[w as usize].wait = Wait::None;
                self.strands[w as usize].ready_since = self.now;
                self.strand_state(w, Kind::LoopBusy);
            }
            None => l.in_flight = l.in_flight.saturating_sub(1),
        }
    }

    /// The task's deadline passed: cancel what Python can cancel.
    pub(super) fn cancel_task(&mut self, n: u32) {
        let live = self.tasks[n as usize].live.clone();
        let on_loop = live
            .first()
            .is_some_and(|&s| self.strands[s as usize].lp != NONE);
        if !on_loop {
            // A pool: a work item still queued is cancelled (`future.cancel()`); a running one
            // cannot be stopped, and its caller has given up.
            let started = self.tasks[n as usize].start.is_some();
            if started {
                self.tasks[n as usize].timed_out = true;
            } else if let Some(&root) = live.first() {
                self.end_strand(root, true, false);
            }
            return;
        }
        self.tasks[n as usize].cancel_requested = true;
        for s in live {
            let st = &self.strands[s as usize];
            if !st.alive || st.lp == NONE {
                continue; // offloaded work on a thread runs on regardless
            }
            let lp = st.lp;
            match st.wait {
                Wait::Io => {
                    self.strands[s as usize].gen += 1;
                    self.strands[s as usize].wait = Wait::None;
                    self.post_to_loop(lp, Item::Resume(s), Kind::LoopBusy);
                }
                Wait::Sem => {
                    self.loops[lp as usize].sem_waiters.retain(|&x| x != s);
                    self.loops[lp as usize].in_flight += 1;
                    self.strands[s as usize].wait = Wait::None;
                    self.post_to_loop(lp, Item::Resume(s), Kind::LoopBusy);
                }
                Wait::Offload(child) => {
                    self.strands[child as usize].cont = Cont::Orphan;
                    self.strands[s as usize].wait = Wait::None;
                    self.post_to_loop(lp, Item::Resume(s), Kind::LoopBusy);
                }
                // Waiting for branches (they are cancelled too), already ready, or running:
                // the CancelledError lands at its next await.
                Wait::Children(_) | Wait::None => {}
            }
        }
    }
}
