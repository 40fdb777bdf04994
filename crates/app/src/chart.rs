//! What a Gantt chart shows, before any pixel: labelled rows taken from a run, either by
//! worker (threads, GILs, cores) or by task, and how a row's bars become device pixels
//! ([`raster`]). Pure data, so it is tested natively and the drawing code only maps it to the
//! canvas.
//!
//! Worker rows borrow the run's own segments (a lane's segments are contiguous in
//! [`Run::segments`]), so a run with millions of segments is never copied to be drawn.

mod build;
mod hit;
mod pixels;

use std::ops::Range;

use whenasync_sim::{Kind, Ns, Run, Segment};

pub use build::rows;
pub use hit::{bar_at, describe, states_at};
pub use pixels::{density, instants, raster, Span, DENSITY_ALPHA, EXACT_PER_PIXEL};

/// Which rows a Gantt chart has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum View {
    /// One row per thread, GIL and core: what every worker did.
    #[default]
    Workers,
    /// One row per task (and per `gather` branch or offloaded call): what every task went
    /// through.
    Tasks,
}

impl View {
    /// Both views, in picker order.
    pub const ALL: [View; 2] = [View::Workers, View::Tasks];

    /// The picker label.
    pub fn label(self) -> &'static str {
        match self {
            View::Workers => "by worker",
            View::Tasks => "by task",
        }
    }
}

/// Rows beyond this many tasks are left out of a chart (and counted in [`Rows::hidden`]),
/// so a scenario with thousands of tasks still draws instantly.
pub const MAX_TASK_ROWS: usize = 120;

/// One span of one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bar {
    /// What the worker or task was doing.
    pub kind: Kind,
    /// The task it was doing it for, or [`whenasync_sim::NO_TASK`].
    pub task: u32,
    /// Start, ns.
    pub start: Ns,
    /// End, ns (exclusive).
    pub end: Ns,
}

impl From<&Segment> for Bar {
    fn from(s: &Segment) -> Self {
        Bar {
            kind: s.kind,
            task: s.task,
            start: s.start,
            end: s.end,
        }
    }
}

/// Where a row's bars are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bars {
    /// A lane's segments: this range of [`Run::segments`].
    Segments(Range<usize>),
    /// Bars of their own (task rows, tests).
    Own(Vec<Bar>),
}

/// A row's bars, in time order, without copying them.
#[derive(Clone, Copy, Debug)]
pub enum BarSlice<'a> {
    /// Borrowed from the run.
    Segments(&'a [Segment]),
    /// Borrowed from the row.
    Own(&'a [Bar]),
}

impl BarSlice<'_> {
    /// Number of bars.
    pub fn len(&self) -> usize {
        match self {
            BarSlice::Segments(s) => s.len(),
            BarSlice::Own(b) => b.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`th bar.
    pub fn get(&self, i: usize) -> Bar {
        match self {
            BarSlice::Segments(s) => Bar::from(&s[i]),
            BarSlice::Own(b) => b[i],
        }
    }

    /// The number of bars for which `pred` holds, when it holds for a prefix.
    fn partition_point(&self, pred: impl Fn(Ns, Ns) -> bool) -> usize {
        match self {
            BarSlice::Segments(s) => s.partition_point(|b| pred(b.start, b.end)),
            BarSlice::Own(b) => b.partition_point(|b| pred(b.start, b.end)),
        }
    }
}

/// One row of a chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The label drawn left of the row: `thread 3`, `GIL`, `core 0`, `task 7`.
    pub label: String,
    /// Rows with different groups get a separator between them (workers above cores).
    pub group: u8,
    /// The lane this row draws (worker rows).
    pub lane: Option<u32>,
    /// The task this row draws (task rows; its branches too).
    pub task: Option<u32>,
    /// The bars, in time order.
    pub bars: Bars,
    /// Its instants (cancellations), drawn as ticks on top whatever the zoom: found once
    /// here, so drawing never scans a long row for them.
    pub instants: Vec<Bar>,
}

impl Row {
    /// This row's bars, read from `run` where they live there.
    pub fn bars<'a>(&'a self, run: &'a Run) -> BarSlice<'a> {
        match &self.bars {
            Bars::Segments(r) => BarSlice::Segments(run.segments.get(r.clone()).unwrap_or(&[])),
            Bars::Own(b) => BarSlice::Own(b),
        }
    }
}

/// The rows of one chart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rows {
    /// Rows, top to bottom.
    pub rows: Vec<Row>,
    /// How many tasks alive in the window were left out (see [`MAX_TASK_ROWS`]).
    pub hidden: usize,
}

/// Runs, bars and rows shared by the submodules' tests.
#[cfg(test)]
mod fixtures {
    use whenasync_sim::{presets, simulate, Kind, Ns, Run};

    use super::{Bar, Bars, Row};

    pub(super) fn landing_runs() -> Vec<Run> {
        let scenario = presets::get("gather-10-queries")
            .expect("the landing preset exists")
            .expect("the landing preset parses");
        simulate(&scenario).expect("the landing preset simulates")
    }

    pub(super) fn bar(kind: Kind, start: Ns, end: Ns) -> Bar {
        Bar {
            kind,
            task: 0,
            start,
            end,
        }
    }

    pub(super) fn own(bars: Vec<Bar>) -> Row {
        Row {
            label: "t".into(),
            group: 0,
            lane: None,
            task: Some(0),
            bars: Bars::Own(bars),
            instants: Vec::new(),
        }
    }
}
