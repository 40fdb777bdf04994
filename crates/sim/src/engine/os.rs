//! The machine under Python: threads that compute, sleep or park; cores shared round-robin
//! with a time slice; and the GIL of each process, following CPython 3.2+ (`ceval_gil.c`):
//!
//! 1. A thread runs Python code only while it holds its process's GIL.
//! 2. A thread that finds the GIL taken waits up to one switch interval (plus the kernel's
//!    timer slack). If the wait times out
//!    and no switch happened meanwhile, it asks the holder to drop the GIL; if a switch did
//!    happen, it starts a new wait.
//! 3. The holder drops at once (its next eval-breaker check) and queues behind the others: it
//!    cannot take the GIL straight back.
//! 4. Blocking (I/O, `cpu_nogil`, parking) releases the GIL voluntarily.
//! 5. A released GIL goes to the first waiter (FIFO, deterministic; the OS decides in reality),
//!    which runs after `gil_handoff` (its wake-up).
//! 6. Every timed wait of a thread ends the timer slack (`gil_timer_slack`) late: the GIL's
//!    (rule 2) and a blocking step's (`io` on a thread, `blocking_io` anywhere), which the
//!    model takes to be a timer (`time.sleep`); Linux fires a sleeping thread's timer up to
//!    its `timerslack_ns` late to coalesce wake-ups.
//!
//! The convoy effect is not special-cased: it follows from rules 2–5.

use std::collections::VecDeque;

use super::{Engine, Tid, What, NONE};
use crate::duration::Ns;
use crate::run::Kind;

/// One process's GIL.
#[derive(Default)]
pub(crate) struct Gil {
    pub holder: Option<Tid>,
    last_holder: Option<Tid>,
    pub waiters: VecDeque<Tid>,
    pub switch_no: u32,
}

/// Where a thread is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TState {
    /// Parked: idle, in `select()`, or waiting on a future.
    Parked,
    /// Sleeping in a blocking call until a `Wake` event.
    Sleeping,
    /// Waiting for its process's GIL.
    GilWait,
    /// Handed the GIL, waking up.
    GilWake,
    /// Runnable, waiting for a core.
    CoreWait,
    /// Running on a core.
    OnCore,
}

/// What the thread does for the engine above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// A pool thread (or a sync program's main thread) working through a queue.
    Worker(u32),
    /// The thread running event loop `n`.
    Loop(u32),
}

pub(crate) struct Thread {
    pub proc: u32,
    pub lane: u32,
    pub role: Role,
    pub state: TState,
    /// Bumped whenever a scheduled event of this thread becomes stale.
    pub gen: u32,
    pub has_gil: bool,
    /// Remaining work of the current compute, ns.
    pub left: Ns,
    pub op_gil: bool,
    pub op_kind: Kind,
    pub core: u32,
    pub last_core: u32,
    /// When the current stretch of work on the core began (for `left`).
    run_since: Ns,
    /// When the current time slice began.
    slice_start: Ns,
    /// When the scheduled `ComputeEnd` fires.
    end_at: Ns,
    /// The strand (task work) this thread is executing, if any.
    pub strand: Option<u32>,
}

impl Thread {
    pub fn new(proc: u32, lane: u32, role: Role) -> Thread {
        Thread {
            proc,
            lane,
            role,
            state: TState::Parked,
            gen: 0,
            has_gil: false,
            left: 0,
            op_gil: false,
            op_kind: Kind::Running,
            core: NONE,
            last_core: NONE,
            run_since: 0,
            slice_start: 0,
            end_at: 0,
            strand: None,
        }
    }
}

impl Engine<'_> {
    /// Thread `t` now needs `left` ns of CPU (with the GIL if `gil`), shown as `kind`.
    /// A zero-length compute is skipped by the caller.
    pub(super) fn compute(&mut self, t: Tid, left: Ns, gil: bool, kind: Kind) {
        let needs_gil = gil
            && self.procs[self.threads[t as usize].proc as usize]
                .gil
                .is_some();
        {
            let th = &mut self.threads[t as usize];
            th.left = left;
            th.op_gil = needs_gil;
            th.op_kind = kind;
        }
        let th = &self.threads[t as usize];
        if needs_gil && !th.has_gil {
            if th.state == TState::OnCore {
                self.leave_core(t);
            }
            self.gil_request(t);
            return;
        }
        if !needs_gil && th.has_gil {
            self.gil_release(t);
        }
        if self.threads[t as usize].state == TState::OnCore {
            // Still on its core from the previous op: carry on (same time slice).
            let th = &mut self.threads[t as usize];
            th.run_since = self.now;
            self.show(t);
            self.arm(t);
        } else {
            self.core_request(t);
        }
    }

    /// Thread `t` blocks for `dur` (I/O, `time.sleep`), releasing its GIL and core. Its wait
    /// is a timer, which the kernel fires the timer slack late (rule 6).
    pub(super) fn sleep(&mut self, t: Tid, dur: Ns, kind: Kind, strand_kind: Kind) {
        self.block(t);
        let th = &mut self.threads[t as usize];
        th.state = TState::Sleeping;
        th.gen += 1;
        let gen = th.gen;
        self.show_as(t, Some(kind), Some(strand_kind));
        let at = self.now + dur + self.m.gil_timer_slack.0;
        self.schedule_sleep(at, What::Wake(t, gen));
    }

    /// Thread `t` parks until woken (idle worker, loop in `select()`, waiting on a future).
    pub(super) fn park(&mut self, t: Tid, kind: Option<Kind>, strand_kind: Option<Kind>) {
        self.block(t);
        let th = &mut self.threads[t as usize];
        th.state = TState::Parked;
        th.gen += 1;
        self.show_as(t, kind, strand_kind);
    }

    /// Wakes a parked thread: it will pick its next op once the current event is handled.
    pub(super) fn unpark(&mut self, t: Tid) {
        debug_assert_eq!(self.threads[t as usize].state, TState::Parked);
        self.wakeups.push_back(t);
    }

    fn block(&mut self, t: Tid) {
        if self.threads[t as usize].state == TState::OnCore {
            self.leave_core(t);
        }
        if self.threads[t as usize].has_gil {
            self.gil_release(t);
        }
    }

    pub(super) fn on_wake(&mut self, t: Tid, gen: u32) {
        let th = &self.threads[t as usize];
        if th.gen != gen || th.state != TState::Sleeping {
            self.superseded += 1;
            return;
        }
        self.threads[t as usize].state = TState::Parked;
        self.advance(t);
    }

    // ---- cores ----

    fn core_request(&mut self, t: Tid) {
        let last = self.threads[t as usize].last_core;
        let free = if last != NONE && self.cores[last as usize].is_none() {
            Some(last as usize)
        } else {
            self.cores.iter().position(|c| c.is_none())
        };
        match free {
            Some(c) => self.start_on_core(t, c as u32),
            None => {
                self.threads[t as usize].state = TState::CoreWait;
                self.show(t);
                let was_empty = self.runq.is_empty();
                self.runq.push_back(t);
                if was_empty {
                    // Someone waits now: running threads must yield at the end of their slice.
                    for c in 0..self.cores.len() {
                        if let Some(r) = self.cores[c] {
                            self.arm(r);
                        }
                    }
                }
            }
        }
    }

    fn start_on_core(&mut self, t: Tid, c: u32) {
        self.cores[c as usize] = Some(t);
        let th = &mut self.threads[t as usize];
        th.state = TState::OnCore;
        th.core = c;
        th.last_core = c;
        th.run_since = self.now;
        th.slice_start = self.now;
        self.show(t);
        self.arm(t);
    }

    /// (Re)schedules `t`'s `ComputeEnd`: when its work ends, or its slice if others wait.
    fn arm(&mut self, t: Tid) {
        let slice = self.m.os_time_slice.0;
        let now = self.now;
        let waiting = !self.runq.is_empty();
        let th = &mut self.threads[t as usize];
        let done_at = th.run_since + th.left;
        let at = if waiting {
            done_at.min((th.slice_start + slice).max(now))
        } else {
            done_at
        };
        th.gen += 1;
        th.end_at = at;
        let gen = th.gen;
        self.schedule(at, What::ComputeEnd(t, gen));
    }

    /// Takes `t` off its core, banking the work it did.
    fn leave_core(&mut self, t: Tid) {
        let now = self.now;
        let th = &mut self.threads[t as usize];
        let done = now - th.run_since;
        th.left = th.left.saturating_sub(done);
        th.run_since = now;
        th.gen += 1;
        let c = th.core;
        th.core = NONE;
        th.state = TState::Parked;
        self.rec.set(self.core_lanes[c as usize], None, now);
        self.cores[c as usize] = None;
        if let Some(next) = self.runq.pop_front() {
            self.start_on_core(next, c);
        }
    }

    pub(super) fn on_compute_end(&mut self, t: Tid, gen: u32) {
        let now = self.now;
        let th = &mut self.threads[t as usize];
        if th.gen != gen || th.state != TState::OnCore {
            self.superseded += 1;
            return;
        }
        th.left = th.left.saturating_sub(now - th.run_since);
        th.run_since = now;
        if th.left == 0 {
            // The op is done; the thread keeps its core while it decides what comes next.
            self.advance(t);
            return;
        }
        if self.runq.is_empty() {
            self.threads[t as usize].slice_start = now;
            self.arm(t);
        } else {
            // Time slice over and others wait: to the back of the run queue. It joins the
            // queue before the next thread is dispatched, so that thread gets a slice too.
            self.runq.push_back(t);
            self.leave_core(t);
            self.threads[t as usize].state = TState::CoreWait;
            self.show(t);
        }
    }

    // ---- the GIL ----

    fn gil_request(&mut self, t: Tid) {
        let p = self.threads[t as usize].proc as usize;
        let interval = self.m.switch_interval.0 + self.m.gil_timer_slack.0;
        let gil = self.procs[p]
            .gil
            .as_mut()
            .expect("gil_request on a process with a GIL");
        if gil.holder.is_none() {
            self.gil_take(t);
            self.core_request(t);
            return;
        }
        gil.waiters.push_back(t);
        let sn = gil.switch_no;
        let th = &mut self.threads[t as usize];
        th.state = TState::GilWait;
        th.gen += 1;
        let gen = th.gen;
        self.show(t);
        self.schedule_timeout(self.now + interval, What::GilTimeout(t, gen, sn));
    }

    fn gil_take(&mut self, t: Tid) {
        let p = self.threads[t as usize].proc as usize;
        if let Some(gil) = self.procs[p].gil.as_mut() {
            gil.holder = Some(t);
            if gil.last_holder != Some(t) {
                gil.last_holder = Some(t);
                gil.switch_no = gil.switch_no.wrapping_add(1);
            }
        }
        self.threads[t as usize].has_gil = true;
    }

    /// `t` releases its GIL; the first waiter gets it.
    fn gil_release(&mut self, t: Tid) {
        let p = self.threads[t as usize].proc as usize;
        self.threads[t as usize].has_gil = false;
        if self.rec.tracing() {
            // A GIL lane only draws: no totals come from it.
            let lane = self.procs[p].gil_lane;
            self.rec.set(lane, None, self.now);
        }
        let Some(gil) = self.procs[p].gil.as_mut() else {
            return;
        };
        gil.holder = None;
        if let Some(w) = gil.waiters.pop_front() {
            self.gil_take(w);
            let handoff = self.m.gil_handoff.0;
            let th = &mut self.threads[w as usize];
            let waited = th.gen;
            th.gen += 1;
            let gen = th.gen;
            // Its timed wait is signalled: the timer will not fire. (It usually comes first
            // among the timed waits; if not, it comes due later and finds itself stale.)
            if self.queue.cancel_timeout(
                |what| matches!(what, What::GilTimeout(u, g, _) if u == w && g == waited),
            ) {
                self.cancelled += 1;
            }
            if handoff == 0 {
                self.core_request(w);
            } else {
                self.threads[w as usize].state = TState::GilWake;
                if self.rec.tracing() {
                    // The GIL lane shows it waking; for the totals it still waits, as shown.
                    self.show(w);
                } else {
                    debug_assert!(self.shown_waiting(w));
                }
                self.schedule(self.now + handoff, What::GilWake(w, gen));
            }
        }
    }

    pub(super) fn on_gil_wake(&mut self, t: Tid, gen: u32) {
        let th = &self.threads[t as usize];
        if th.gen != gen || th.state != TState::GilWake {
            self.superseded += 1;
            return;
        }
        self.core_request(t);
    }

    pub(super) fn on_gil_timeout(&mut self, t: Tid, gen: u32, sn: u32) {
        let th = &self.threads[t as usize];
        if th.gen != gen || th.state != TState::GilWait {
            self.superseded += 1;
            return;
        }
        let p = th.proc as usize;
        let interval = self.m.switch_interval.0 + self.m.gil_timer_slack.0;
        let Some(gil) = self.procs[p].gil.as_ref() else {
            return;
        };
        let (holder, now_sn) = (gil.holder, gil.switch_no);
        match holder {
            Some(h) if now_sn == sn => self.force_drop(h),
            _ => {
                // A switch happened meanwhile (or the GIL is in hand-off): wait again.
                let th = &mut self.threads[t as usize];
                th.gen += 1;
                let gen = th.gen;
                self.schedule_timeout(self.now + interval, What::GilTimeout(t, gen, now_sn));
            }
        }
    }

    /// The drop request: holder `h` drops the GIL at its next check and queues for it again.
    fn force_drop(&mut self, h: Tid) {
        match self.threads[h as usize].state {
            TState::OnCore => self.leave_core(h),
            TState::CoreWait => {
                self.runq.retain(|&x| x != h);
                self.threads[h as usize].gen += 1;
            }
            _ => {
                self.threads[h as usize].gen += 1;
            }
        }
        self.gil_release(h);
        self.gil_request(h);
    }

    // ---- showing states ----

    /// Whether `t`'s lane and strand are shown waiting for the GIL (for the totals).
    fn shown_waiting(&self, t: Tid) -> bool {
        let th = &self.threads[t as usize];
        self.rec.waits(th.lane)
            && th
                .strand
                .is_none_or(|s| self.strand_shown(s) == Some(Kind::GilWait))
    }

    /// Records `t`'s lane (and its strand's, and its GIL's) from its state.
    pub(super) fn show(&mut self, t: Tid) {
        let th = &self.threads[t as usize];
        let kind = match th.state {
            TState::OnCore => th.op_kind,
            TState::CoreWait => Kind::CoreWait,
            TState::GilWait | TState::GilWake => Kind::GilWait,
            TState::Parked | TState::Sleeping => return,
        };
        self.show_as(t, Some(kind), Some(kind));
    }

    /// Records `t`'s lane as `kind`, and its strand (if any) as `strand_kind`.
    #[inline]
    pub(super) fn show_as(&mut self, t: Tid, kind: Option<Kind>, strand_kind: Option<Kind>) {
        if self.rec.tracing() {
            self.show_traced(t, kind, strand_kind);
            return;
        }
        // Only what the totals see: whether the thread waits for its GIL, whether its core is
        // busy.
        let now = self.now;
        let th = &self.threads[t as usize];
        let (lane, strand, state, core) = (th.lane, th.strand, th.state, th.core);
        self.rec
            .count_thread(lane, kind == Some(Kind::GilWait), now);
        if state == TState::OnCore && core != NONE {
            let cl = self.core_lanes[core as usize];
            self.rec.count_core(cl, kind.is_some(), now);
        }
        if let (Some(s), Some(k)) = (strand, strand_kind) {
            self.strand_state(s, k);
        }
    }

    /// `show_as` while segments are written down.
    #[inline(never)]
    fn show_traced(&mut self, t: Tid, kind: Option<Kind>, strand_kind: Option<Kind>) {
        let now = self.now;
        let th = &self.threads[t as usize];
        let (lane, strand, has_gil, proc, state, core) =
            (th.lane, th.strand, th.has_gil, th.proc, th.state, th.core);
        // Which task a lane shows only matters to a trace: the totals never look.
        let task = match strand {
            Some(s) => self.strands[s as usize].task,
            None => NONE,
        };
        self.rec.set(lane, kind.map(|k| (k, task)), now);
        // A GIL lane only draws: no totals come from it.
        if has_gil {
            let gl = self.procs[proc as usize].gil_lane;
            self.rec.set(gl, kind.map(|k| (k, task)), now);
        }
        if state == TState::OnCore && core != NONE {
            let cl = self.core_lanes[core as usize];
            self.rec.set(cl, kind.map(|k| (k, task)), now);
        }
        if let (Some(s), Some(k)) = (strand, strand_kind) {
            self.strand_state(s, k);
        }
    }
}
