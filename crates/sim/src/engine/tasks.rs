//! Tasks: their arrival (drawing the plan, or sharing the fixed plan of their class), their
//! deadline and their end.

use super::{exec, Engine, Entry, Sid, What, NONE};
use crate::duration::Ns;
use crate::plan::{Plan, PoissonGaps, Rng};
use crate::run::{Kind, TaskSegment, KIND_COUNT};
use crate::scenario::Arrivals;

/// The slot in `Engine::plans` of the empty plan: a task's before it arrives and once it is
/// done (work orphaned by a cancellation finds no step left).
pub(super) const NO_PLAN: u32 = 0;

/// A task: what the engine needs of it while it runs, and what its record says.
#[derive(Clone, Copy)]
pub(super) struct Task {
    pub class: u32,
    pub client: u32,
    pub arrival: Ns,
    pub start: Option<Ns>,
    pub end: Option<Ns>,
    /// Its plan's slot in `Engine::plans`.
    pub plan: u32,
    pub next_branch: u32,
    pub cancelled: bool,
    pub timed_out: bool,
    pub cancel_requested: bool,
}

impl Task {
    const BLANK: Task = Task {
        class: 0,
        client: u32::MAX,
        arrival: 0,
        start: None,
        end: None,
        plan: NO_PLAN,
        next_branch: 1,
        cancelled: false,
        timed_out: false,
        cancel_requested: false,
    };
}

impl Engine<'_> {
    /// The shared plans: the empty one, then each class's fixed plan (empty if it has none).
    pub(super) fn setup_tasks(&mut self) {
        self.plans.push(Plan::default());
        for class in 0..self.ck.classes.len() {
            let fixed = self.drawer.fixed_plan(class).cloned();
            self.plans.push(fixed.unwrap_or_default());
        }
    }

    /// Whether tasks have a deadline (and so may need cancelling).
    pub(super) fn deadlines(&self) -> bool {
        self.ck.scenario.workload.timeout.is_some()
    }

    /// Makes room for task `n`.
    fn grow_tasks(&mut self, n: u32) {
        let len = n as usize + 1;
        if self.tasks.len() < len {
            self.tasks.resize(len, Task::BLANK);
            if self.records {
                self.task_times.resize(len, [0; KIND_COUNT]);
            }
            if self.deadlines() {
                self.lives.resize_with(len, Vec::new);
            }
        }
    }

    pub(super) fn start_arrivals(&mut self) {
        match self.ck.scenario.workload.arrivals {
            Arrivals::ClosedLoop { clients, .. } => {
                for c in 0..clients {
                    self.issue(0, c);
                }
            }
            _ => {
                // Every task of an open loop arrives: room for all of them at once.
                if let Some(last) = self.ck.scenario.workload.arrivals.count().checked_sub(1) {
                    self.grow_tasks(last);
                }
                self.schedule(0, What::Arrival(0));
            }
        }
    }

    /// Schedules the next request of closed-loop client `client`.
    fn issue(&mut self, at: Ns, client: u32) {
        let n = self.issued;
        self.issued += 1;
        self.grow_tasks(n);
        self.tasks[n as usize].client = client;
        self.schedule(at, What::Arrival(n));
    }

    pub(super) fn arrive(&mut self, n: u32) {
        let sc = &self.ck.scenario;
        let count = sc.workload.arrivals.count();
        // Open-loop arrivals schedule their successor; closed-loop ones are issued on completion.
        // Either way its slot is there: sized at the start, or by `issue`.
        debug_assert!((n as usize) < self.tasks.len());
        let next_gap = match sc.workload.arrivals {
            Arrivals::Burst { .. } => Some(0),
            Arrivals::Interval { every, .. } => Some(every.0),
            Arrivals::Poisson { .. } => self.gaps.as_mut().map(PoissonGaps::next_gap),
            Arrivals::ClosedLoop { .. } => None,
        };
        if let Some(gap) = next_gap {
            if n + 1 < count {
                self.schedule(self.now + gap, What::Arrival(n + 1));
            }
        }
        // A drawn plan takes a free slot (its memory reused: no allocation per task in a long
        // run); a fixed one is its class's, shared.
        let (class, plan) = if self.drawer.only_fixed() {
            (0, 1)
        } else {
            let slot = match self.free_plans.pop() {
                Some(slot) => slot,
                None => {
                    self.plans.push(Plan::default());
                    (self.plans.len() - 1) as u32
                }
            };
            let (class, drawn) =
                self.drawer
                    .draw_unless_fixed(self.ck, n, &mut self.plans[slot as usize]);
            if drawn {
                (class, slot)
            } else {
                self.free_plans.push(slot);
                (class, class + 1)
            }
        };
        let task = &mut self.tasks[n as usize];
        task.class = class;
        task.arrival = self.now;
        task.plan = plan;
        if let Some(t) = sc.workload.timeout {
            self.schedule(self.now + t.0, What::Deadline(n));
        }
        match self.entry {
            Entry::Pool(pool) => {
                let s = self.new_strand(n, 0, exec::Cont::Task, NONE);
                self.submit(pool, s);
            }
            Entry::Loop(lp) => {
                let s = self.new_strand(n, 0, exec::Cont::Task, lp);
                self.strands[s as usize].new = true;
                self.post_to_loop(lp, exec::Item::Create(s), Kind::LoopBusy);
            }
            Entry::Listen => {
                // Server workers share one listening socket: the connection waits in its
                // backlog until a worker's loop polls and accepts it.
                let s = self.new_strand(n, 0, exec::Cont::Task, NONE);
                self.strands[s as usize].new = true;
                self.connect(s);
            }
        }
    }

    /// Strand `s` of task `task` is live (for cancellation).
    pub(super) fn add_live(&mut self, task: u32, s: Sid) {
        if !self.deadlines() {
            return;
        }
        let live = &mut self.lives[task as usize];
        if live.capacity() == 0 {
            if let Some(spare) = self.spare_live.pop() {
                *live = spare;
            }
        }
        live.push(s);
    }

    /// Strand `s` of task `task` has ended.
    pub(super) fn remove_live(&mut self, task: u32, s: Sid) {
        if self.deadlines() {
            self.lives[task as usize].retain(|&x| x != s);
        }
    }

    /// Task `n` is done (finished or cancelled) at `now`.
    pub(super) fn task_done(&mut self, n: u32, cancelled: bool) {
        let now = self.now;
        self.ended += 1;
        let n_classes = self.ck.classes.len() as u32;
        let task = &mut self.tasks[n as usize];
        task.end = Some(now);
        task.cancelled = cancelled;
        let plan = std::mem::replace(&mut task.plan, NO_PLAN);
        let client = task.client;
        if plan > n_classes {
            self.free_plans.push(plan);
        }
        if self.deadlines() {
            let mut live = std::mem::take(&mut self.lives[n as usize]);
            live.clear();
            self.spare_live.push(live);
        }
        if let Arrivals::ClosedLoop {
            ref think, count, ..
        } = self.ck.scenario.workload.arrivals
        {
            if self.issued < count {
                // The think time comes from the finished task's own stream (after its plan).
                let mut rng = Rng::for_task(self.ck.scenario.seed ^ 0x0074_6869_6e6b, n as u64);
                let gap = rng.sample(think);
                self.issue(now + gap, client);
            }
        }
    }

    pub(super) fn on_deadline(&mut self, n: u32) {
        let task = &self.tasks[n as usize];
        if task.end.is_some() {
            self.superseded += 1;
            return;
        }
        self.cancel_task(n);
    }

    /// A finished span of a task strand: added to the task's time by kind (and the run's),
    /// and written down.
    #[inline]
    pub(super) fn task_span(&mut self, seg: TaskSegment) {
        if seg.end <= seg.start && seg.kind != Kind::Cancelled {
            return;
        }
        let d = seg.end - seg.start;
        self.time_by_kind[seg.kind as usize] += d;
        if self.records {
            self.task_times[seg.task as usize][seg.kind as usize] += d;
        }
        self.rec.task_span(seg);
    }
}
