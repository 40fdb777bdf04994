//! Python on top of the machine: pools that run work items on threads (or processes), event
//! loops that run coroutines, and strands — a task's body or one of its branches — stepping
//! through their plan. This file holds the strands and their steps; [`pools`] the pools and
//! [`event_loop`] the event loop.
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

mod event_loop;
mod pools;

pub(crate) use event_loop::Loop;
pub(crate) use pools::Pool;

use super::os::Role;
use super::{Engine, Sid, Tid, What, NONE};
use crate::plan::{PStep, Plan};
use crate::run::{Kind, TaskSegment};

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

/// A sequence of a plan being run: its next step `pc` and its end, as indices into the plan's
/// steps.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    pc: u32,
    end: u32,
}

impl Frame {
    /// Sequence `seq` of `plan` from its first step (no step if the plan has no such sequence,
    /// as a finished task's empty plan).
    fn of(plan: &Plan, seq: u32) -> Frame {
        match plan.seqs.get(seq as usize) {
            Some(&(start, len)) => Frame {
                pc: start,
                end: start + len,
            },
            None => Frame { pc: 0, end: 0 },
        }
    }
}

/// A sequential thread of a task's work: its body, a `gather` branch, or an offloaded call.
pub(crate) struct Strand {
    pub task: u32,
    pub branch: u32,
    /// The sequence being run (read at every step, so kept inline) ...
    top: Frame,
    /// ... and those it interrupted (a blocking `gather`'s parent and later branches), the
    /// next to resume last.
    below: Vec<Frame>,
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

impl Engine<'_> {
    // ---- strands ----

    pub(super) fn new_strand(&mut self, task: u32, seq: u32, cont: Cont, lp: u32) -> Sid {
        let branch = if seq == 0 && cont == Cont::Task {
            0
        } else {
            let t = &mut self.tasks[task as usize];
            t.next_branch += 1;
            t.next_branch - 1
        };
        let frame = Frame::of(&self.plans[self.tasks[task as usize].plan as usize], seq);
        let fresh = |below: Vec<Frame>, gen: u32| Strand {
            task,
            branch,
            top: frame,
            below,
            cont,
            wait: Wait::None,
            gen,
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
                // A reused slot keeps its frame stack's memory; generations stay monotonic per
                // slot, so a stale event never matches.
                let st = &mut self.strands[id as usize];
                let mut below = std::mem::take(&mut st.below);
                below.clear();
                *st = fresh(below, st.gen.wrapping_add(1));
                id
            }
            None => {
                let st = fresh(Vec::new(), 0);
                self.strands.push(st);
                (self.strands.len() - 1) as Sid
            }
        };
        self.add_live(task, id);
        id
    }

    /// Puts strand `s` into state `kind` from now on.
    #[inline]
    pub(super) fn strand_state(&mut self, s: Sid, kind: Kind) {
        let now = self.now;
        let st = &mut self.strands[s as usize];
        if st.seg == Some(kind) {
            return;
        }
        let prev = st.seg.replace(kind);
        let since = std::mem::replace(&mut st.seg_since, now);
        if let Some(k) = prev {
            self.strand_span(s, k, since);
        }
    }

    /// Strand `s` was in state `kind` from `since` to now: its task's span.
    #[inline]
    fn strand_span(&mut self, s: Sid, kind: Kind, since: u64) {
        let st = &self.strands[s as usize];
        self.task_span(TaskSegment {
            task: st.task,
            branch: st.branch,
            kind,
            start: since,
            end: self.now,
        });
    }

    /// The state strand `s` is shown in.
    pub(super) fn strand_shown(&self, s: Sid) -> Option<Kind> {
        self.strands[s as usize].seg
    }

    /// The next step of `s`. `blocking`: a `gather` runs its branches one after another.
    #[inline]
    fn next_step(&mut self, s: Sid, blocking: bool) -> Option<PStep> {
        let st = &mut self.strands[s as usize];
        // Read at every step: a finished task's plan is the empty one.
        let plan = &self.plans[self.tasks[st.task as usize].plan as usize];
        loop {
            let frame = &mut st.top;
            let step = if frame.pc < frame.end {
                plan.steps.get(frame.pc as usize).copied()
            } else {
                None
            };
            match step {
                None => st.top = st.below.pop()?,
                Some(PStep::Gather { first, n }) if blocking => {
                    frame.pc += 1;
                    if n > 0 {
                        // The first branch runs now; the parent resumes after the last.
                        st.below.push(*frame);
                        for b in (1..n).rev() {
                            st.below.push(Frame::of(plan, first + b));
                        }
                        st.top = Frame::of(plan, first);
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
        let st = &mut self.strands[s as usize];
        st.alive = false;
        if let Some(k) = st.seg.take() {
            let since = st.seg_since;
            self.strand_span(s, k, since);
        }
        let cont = self.strands[s as usize].cont;
        let lp = self.strands[s as usize].lp;
        self.remove_live(task, s);
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

    // ---- steps ----

    /// Thread `t` is free to do its next thing.
    pub(super) fn advance(&mut self, t: Tid) {
        match self.threads[t as usize].role {
            Role::Worker(pool) => self.worker_advance(t, pool),
            Role::Loop(lp) => self.loop_advance(t, lp),
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
                self.schedule_sleep(now + d, What::IoDone(s, gen));
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

    // ---- cancellation ----

    /// The task's deadline passed: cancel what Python can cancel.
    pub(super) fn cancel_task(&mut self, n: u32) {
        let live = self.lives[n as usize].clone();
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
