//! Recording what happened: lanes, worker segments and task segments. A lane or a strand is
//! in one state at a time; changing the state closes the previous segment.
//!
//! The totals the summary needs (busy core time, GIL waiting and its union over threads) are
//! kept as segments close, so a run may write down only some of its segments: a budget of
//! segments ends the trace at a cut time (a huge run stays small enough for a browser tab),
//! and a budget of zero writes none (a run for its figures only).

use crate::duration::Ns;
use crate::run::{Kind, Lane, LaneKind, Segment, TaskSegment, NO_TASK};

/// Open state of one lane.
#[derive(Clone, Copy)]
struct Open {
    state: Option<(Kind, u32)>,
    since: Ns,
    kind: LaneKind,
}

/// Totals kept while the run goes, for the summary.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Totals {
    /// Busy core time, ns.
    pub core_busy: u128,
    /// Time threads spent waiting for a GIL, summed over threads, ns.
    pub gil_wait: Ns,
    /// Time during which at least one thread waited for a GIL, ns.
    pub gil_wait_union: Ns,
    /// Threads waiting for a GIL now, and since when the count has been above zero.
    gil_waiting: u32,
    gil_waiting_since: Ns,
}

impl Totals {
    /// A thread starts (`starts`) or stops waiting for a GIL at `now`: the union of all
    /// threads' waits grows while at least one waits.
    fn gil_waiter(&mut self, starts: bool, now: Ns) {
        if starts {
            if self.gil_waiting == 0 {
                self.gil_waiting_since = now;
            }
            self.gil_waiting += 1;
        } else {
            self.gil_waiting -= 1;
            if self.gil_waiting == 0 {
                self.gil_wait_union += now - self.gil_waiting_since;
            }
        }
    }
}

/// Whether a lane state is a wait for the GIL.
fn waiting(state: Option<(Kind, u32)>) -> bool {
    matches!(state, Some((Kind::GilWait, _)))
}

/// Collects segments as the engine runs.
pub(crate) struct Recorder {
    pub lanes: Vec<Lane>,
    open: Vec<Open>,
    pub segments: Vec<Segment>,
    pub task_segments: Vec<TaskSegment>,
    pub totals: Totals,
    /// Segments (worker and task) that may still be written down.
    budget: usize,
    /// When the trace ended because the budget ran out (`Some(0)`: no trace at all).
    pub cut: Option<Ns>,
}

impl Recorder {
    /// A recorder that writes down at most `budget` segments, worker and task ones together.
    pub fn with_budget(budget: usize) -> Self {
        Recorder {
            lanes: Vec::new(),
            open: Vec::new(),
            segments: Vec::new(),
            task_segments: Vec::new(),
            totals: Totals::default(),
            budget,
            cut: (budget == 0).then_some(0),
        }
    }

    /// Whether segments are still written down.
    pub fn tracing(&self) -> bool {
        self.cut.is_none()
    }

    /// Spends one segment of the budget; at the last one the trace ends at `now`, with the
    /// segments still open written down up to it.
    fn spend(&mut self, now: Ns) {
        self.budget -= 1;
        if self.budget > 0 {
            return;
        }
        self.cut = Some(now);
        for (lane, open) in self.open.iter().enumerate() {
            if let Some((kind, task)) = open.state {
                if now > open.since {
                    self.segments.push(Segment {
                        lane: lane as u32,
                        task,
                        kind,
                        start: open.since,
                        end: now,
                    });
                }
            }
        }
    }

    pub fn add_lane(
        &mut self,
        kind: LaneKind,
        name: String,
        process: Option<u32>,
        is_loop: bool,
    ) -> u32 {
        let id = self.lanes.len() as u32;
        self.lanes.push(Lane {
            id,
            kind,
            name,
            process,
            is_loop,
        });
        self.open.push(Open {
            state: None,
            since: 0,
            kind,
        });
        id
    }

    /// Puts `lane` into `state` from `now` on, closing its previous segment.
    #[inline]
    pub fn set(&mut self, lane: u32, state: Option<(Kind, u32)>, now: Ns) {
        if self.tracing() {
            self.trace(lane, state, now);
        } else {
            self.count(lane, state, now);
        }
    }

    /// `set` while segments are written down.
    #[inline(never)]
    fn trace(&mut self, lane: u32, state: Option<(Kind, u32)>, now: Ns) {
        let open = &mut self.open[lane as usize];
        if open.state == state {
            return;
        }
        let lane_kind = open.kind;
        if lane_kind == LaneKind::Thread && waiting(open.state) != waiting(state) {
            self.totals.gil_waiter(waiting(state), now);
        }
        if let Some((kind, task)) = open.state {
            if now > open.since {
                let d = now - open.since;
                match lane_kind {
                    LaneKind::Core => self.totals.core_busy += d as u128,
                    LaneKind::Thread if kind == Kind::GilWait => self.totals.gil_wait += d,
                    _ => {}
                }
            }
            let since = open.since;
            *open = Open {
                state,
                since: now,
                kind: lane_kind,
            };
            if now > since {
                let seg = Segment {
                    lane,
                    task,
                    kind,
                    start: since,
                    end: now,
                };
                if push_merged(&mut self.segments, seg) {
                    self.spend(now);
                }
            }
            return;
        }
        *open = Open {
            state,
            since: now,
            kind: lane_kind,
        };
    }

    /// `set` when nothing is written down any more: only the changes the totals see count (a
    /// core going busy or idle, a thread starting or ending a GIL wait), so a lane's open state
    /// is kept only as far as they need it.
    #[inline]
    fn count(&mut self, lane: u32, state: Option<(Kind, u32)>, now: Ns) {
        let open = &mut self.open[lane as usize];
        let t = &mut self.totals;
        match open.kind {
            LaneKind::Core => {
                let (was, is) = (open.state.is_some(), state.is_some());
                if was == is {
                    return;
                }
                if was {
                    t.core_busy += (now - open.since) as u128;
                }
            }
            LaneKind::Thread => {
                let (was, is) = (waiting(open.state), waiting(state));
                if was == is {
                    return;
                }
                if was {
                    t.gil_wait += now - open.since;
                }
                t.gil_waiter(is, now);
            }
            LaneKind::Gil => return,
        }
        open.state = state;
        open.since = now;
    }

    /// Whether thread lane `lane` is shown waiting for its GIL.
    pub fn waits(&self, lane: u32) -> bool {
        waiting(self.open[lane as usize].state)
    }

    /// `count` for a thread lane: whether it now `waits` for its GIL.
    #[inline]
    pub fn count_thread(&mut self, lane: u32, waits: bool, now: Ns) {
        let open = &mut self.open[lane as usize];
        let was = waiting(open.state);
        if was == waits {
            return;
        }
        if was {
            self.totals.gil_wait += now - open.since;
        }
        self.totals.gil_waiter(waits, now);
        open.state = waits.then_some((Kind::GilWait, NO_TASK));
        open.since = now;
    }

    /// `count` for a core lane: whether it is now `busy`.
    #[inline]
    pub fn count_core(&mut self, lane: u32, busy: bool, now: Ns) {
        let open = &mut self.open[lane as usize];
        let was = open.state.is_some();
        if was == busy {
            return;
        }
        if was {
            self.totals.core_busy += (now - open.since) as u128;
        }
        open.state = busy.then_some((Kind::Running, NO_TASK));
        open.since = now;
    }

    /// Closes every open lane at `now`.
    pub fn close_all(&mut self, now: Ns) {
        for lane in 0..self.lanes.len() as u32 {
            self.set(lane, None, now);
        }
    }

    /// Records a finished span of a task strand (already added to the task's time by kind).
    #[inline]
    pub fn task_span(&mut self, seg: TaskSegment) {
        // With no trace at all (a cut at 0), nothing is written down.
        if self.cut != Some(0) {
            self.write_span(seg);
        }
    }

    /// Writes down a task span: merged with the last one when it continues it, and past the
    /// cut only up to it.
    #[inline(never)]
    fn write_span(&mut self, seg: TaskSegment) {
        if let Some(cut) = self.cut {
            // Past the cut, only what began before it is kept, up to it.
            if seg.start < cut {
                self.task_segments.push(TaskSegment {
                    end: seg.end.min(cut),
                    ..seg
                });
            }
            return;
        }
        if let Some(last) = self.task_segments.last_mut() {
            if last.task == seg.task
                && last.branch == seg.branch
                && last.kind == seg.kind
                && last.end == seg.start
            {
                last.end = seg.end;
                return;
            }
        }
        self.task_segments.push(seg);
        self.spend(seg.end);
    }
}

/// Appends `seg`, or extends the last segment with it; true if it was appended.
fn push_merged(segments: &mut Vec<Segment>, seg: Segment) -> bool {
    // Consecutive pushes for the same lane are common (cpu then cpu): merge them.
    if let Some(last) = segments.last_mut() {
        if last.lane == seg.lane
            && last.task == seg.task
            && last.kind == seg.kind
            && last.end == seg.start
        {
            last.end = seg.end;
            return false;
        }
    }
    segments.push(seg);
    true
}

/// `NO_TASK` re-exported for the engine.
pub(crate) const NONE: u32 = NO_TASK;
