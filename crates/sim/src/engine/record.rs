//! Recording what happened: lanes, worker segments and task segments. A lane or a strand is
//! in one state at a time; changing the state closes the previous segment.

use crate::duration::Ns;
use crate::run::{Kind, Lane, LaneKind, Segment, TaskSegment, KIND_COUNT, NO_TASK};

/// Open state of one lane.
#[derive(Clone, Copy)]
struct Open {
    state: Option<(Kind, u32)>,
    since: Ns,
}

/// Collects segments as the engine runs.
#[derive(Default)]
pub(crate) struct Recorder {
    pub lanes: Vec<Lane>,
    open: Vec<Open>,
    pub segments: Vec<Segment>,
    pub task_segments: Vec<TaskSegment>,
}

impl Recorder {
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
        });
        id
    }

    /// Puts `lane` into `state` from `now` on, closing its previous segment.
    pub fn set(&mut self, lane: u32, state: Option<(Kind, u32)>, now: Ns) {
        let open = &mut self.open[lane as usize];
        if open.state == state {
            return;
        }
        if let Some((kind, task)) = open.state {
            if now > open.since {
                push_merged(
                    &mut self.segments,
                    Segment {
                        lane,
                        task,
                        kind,
                        start: open.since,
                        end: now,
                    },
                );
            }
        }
        *open = Open { state, since: now };
    }

    /// Closes every open lane at `now`.
    pub fn close_all(&mut self, now: Ns) {
        for lane in 0..self.lanes.len() as u32 {
            self.set(lane, None, now);
        }
    }

    /// Records a finished span of a task strand, and adds it to the task's time by kind.
    pub fn task_span(&mut self, seg: TaskSegment, by_kind: &mut [Ns; KIND_COUNT]) {
        if seg.end <= seg.start && seg.kind != Kind::Cancelled {
            return;
        }
        by_kind[seg.kind as usize] += seg.end - seg.start;
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
    }
}

fn push_merged(segments: &mut Vec<Segment>, seg: Segment) {
    // Consecutive pushes for the same lane are common (cpu then cpu): merge them.
    if let Some(last) = segments.last_mut() {
        if last.lane == seg.lane
            && last.task == seg.task
            && last.kind == seg.kind
            && last.end == seg.start
        {
            last.end = seg.end;
            return;
        }
    }
    segments.push(seg);
}

/// `NO_TASK` re-exported for the engine.
pub(crate) const NONE: u32 = NO_TASK;
