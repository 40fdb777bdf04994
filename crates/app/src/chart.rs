//! What a Gantt chart shows, before any pixel: labelled rows taken from a run, either by
//! worker (threads, GILs, cores) or by task, and how a row's bars become device pixels
//! ([`raster`]). Pure data, so it is tested natively and the drawing code only maps it to the
//! canvas.
//!
//! Worker rows borrow the run's own segments (a lane's segments are contiguous in
//! [`Run::segments`]), so a run with millions of segments is never copied to be drawn.

use std::collections::BTreeMap;
use std::ops::Range;

use whenasync_sim::run::KIND_COUNT;
use whenasync_sim::{Kind, LaneKind, Ns, Run, Segment};

use crate::axis::Window;
use crate::theme::{self, Mark};

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

/// The rows of `run` in `view`. Task rows depend on the visible `window` when the run has
/// more tasks than rows: they are the first [`MAX_TASK_ROWS`] tasks alive in it, so zooming
/// anywhere into a 100,000-task run shows the tasks that were there.
pub fn rows(run: &Run, view: View, window: Window) -> Rows {
    match view {
        View::Workers => worker_rows(run),
        View::Tasks => task_rows(run, window),
    }
}

fn worker_rows(run: &Run) -> Rows {
    let rows = run
        .lanes
        .iter()
        .map(|lane| {
            let lo = run.segments.partition_point(|s| s.lane < lane.id);
            let hi = run.segments.partition_point(|s| s.lane <= lane.id);
            let hi = hi.max(lo);
            Row {
                label: lane.name.clone(),
                group: u8::from(lane.kind == LaneKind::Core),
                lane: Some(lane.id),
                task: None,
                bars: Bars::Segments(lo..hi),
                instants: run.segments[lo..hi]
                    .iter()
                    .filter(|s| theme::mark(s.kind) == Mark::Tick)
                    .map(Bar::from)
                    .collect(),
            }
        })
        .collect();
    Rows { rows, hidden: 0 }
}

fn task_rows(run: &Run, window: Window) -> Rows {
    // Every task when they fit; otherwise the first ones (in arrival order) alive in the window.
    let alive: Vec<u32> = if run.tasks.len() <= MAX_TASK_ROWS {
        run.tasks.iter().map(|t| t.id).collect()
    } else {
        run.tasks
            .iter()
            .filter(|t| t.arrival < window.end && t.end.is_none_or(|e| e > window.start))
            .map(|t| t.id)
            .collect()
    };
    let mut shown = vec![false; run.tasks.len()];
    for &id in alive.iter().take(MAX_TASK_ROWS) {
        if let Some(s) = shown.get_mut(id as usize) {
            *s = true;
        }
    }
    let mut by_row: BTreeMap<(u32, u32), Vec<Bar>> = BTreeMap::new();
    for s in run
        .task_segments
        .iter()
        .filter(|s| shown.get(s.task as usize).copied().unwrap_or(false))
    {
        by_row.entry((s.task, s.branch)).or_default().push(Bar {
            kind: s.kind,
            task: s.task,
            start: s.start,
            end: s.end,
        });
    }
    let rows = by_row
        .into_iter()
        .map(|((task, branch), mut bars)| {
            bars.sort_by_key(|b| (b.start, b.end));
            Row {
                label: task_label(run, task, branch),
                group: 0,
                lane: None,
                task: Some(task),
                instants: bars
                    .iter()
                    .filter(|b| theme::mark(b.kind) == Mark::Tick)
                    .copied()
                    .collect(),
                bars: Bars::Own(bars),
            }
        })
        .collect();
    Rows {
        rows,
        hidden: alive.len().saturating_sub(MAX_TASK_ROWS),
    }
}

/// `task 7`, or `query 7` when the workload has several classes; branches get `└ 1`.
fn task_label(run: &Run, task: u32, branch: u32) -> String {
    if branch > 0 {
        return format!("  └ branch {branch}");
    }
    let class = run
        .tasks
        .get(task as usize)
        .and_then(|t| run.classes.get(t.class as usize));
    match class {
        Some(name) if run.classes.len() > 1 => format!("{name} {task}"),
        _ => format!("task {task}"),
    }
}

/// The bar under time `t`, if any (the last one drawn wins, as on screen). Binary search:
/// fast on a lane with a million segments.
pub fn bar_at(bars: BarSlice<'_>, t: Ns) -> Option<Bar> {
    // Bars are in time order and do not overlap: the candidates end after t.
    let from = bars.partition_point(|_, end| end <= t);
    let to = bars.partition_point(|start, _| start <= t);
    (from..to.max(from))
        .rev()
        .map(|i| bars.get(i))
        .find(|b| b.start <= t && t < b.end.max(b.start + 1))
}

/// A tooltip for `bar` of `row`: a headline (who, doing what, for how long) and its timing.
pub fn describe(row: &Row, bar: &Bar, view: View) -> (String, String) {
    let mut headline = row.label.trim().to_owned();
    if view == View::Workers && bar.task != whenasync_sim::NO_TASK {
        headline.push_str(&format!(" · task {}", bar.task));
    }
    headline.push_str(&format!(
        " · {} · {}",
        bar.kind.label(),
        crate::format::duration(bar.end - bar.start)
    ));
    let timing = format!(
        "from {} to {}",
        crate::format::duration(bar.start),
        crate::format::duration(bar.end)
    );
    (headline, timing)
}

/// A run of device pixels of one row drawn in one kind's colour: columns `[x0, x1)` of the
/// plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// First column.
    pub x0: u32,
    /// One past the last column.
    pub x1: u32,
    /// The kind drawn.
    pub kind: Kind,
    /// How much of these columns' time is covered at all, 0 (a tenth or less) to 3 (all of
    /// it), for columns crowded with segments: drawn as opacity, so a lane busy 10 % of the
    /// time does not look saturated when zoomed out. A column with one or two segments is
    /// always 3: a lone short event stays vivid.
    pub density: u8,
}

/// The opacity of each [`Span::density`].
pub const DENSITY_ALPHA: [f64; 4] = [0.4, 0.6, 0.8, 1.0];

/// The density level of a column whose time is `covered` (0 to 1) busy.
pub fn density(covered: f64) -> u8 {
    if covered >= 0.75 {
        3
    } else if covered >= 0.4 {
        2
    } else if covered >= 0.15 {
        1
    } else {
        0
    }
}

/// Most bars weighed exactly in one pixel column; denser columns are sampled evenly.
pub const EXACT_PER_PIXEL: usize = 48;

/// The bars of a row in `window`, as `px` columns of pixels: each column shows the kind that
/// covers most of its time (any bar, however short, paints its column), and neighbouring
/// columns of one kind merge into one span. The work is bounded by the pixels (each column
/// costs a binary search and at most [`EXACT_PER_PIXEL`] bars), not by the segments, so a
/// lane with a million segments draws as fast as one with a hundred. Instants
/// ([`Mark::Tick`] kinds) are left to [`instants`].
pub fn raster(bars: BarSlice<'_>, window: Window, px: u32) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    if px == 0 || bars.is_empty() {
        return out;
    }
    let t0 = window.start as f64;
    let per_px = window.span() as f64 / f64::from(px);
    // The first bar still running at the window's start.
    let mut i = bars.partition_point(|_, end| (end as f64) <= t0);
    let n = bars.len();
    let mut col = 0u32;
    while col < px && i < n {
        let lo = t0 + f64::from(col) * per_px;
        let hi = lo + per_px;
        let first = bars.get(i);
        if first.start as f64 >= hi {
            // Empty columns up to the next bar: jump straight to it.
            col = ((first.start as f64 - t0) / per_px)
                .floor()
                .max(f64::from(col + 1)) as u32;
            continue;
        }
        let mut cover = [0.0_f64; KIND_COUNT];
        let mut touched = false;
        // Bars in this column: from i up to the first that starts at or after hi.
        let mut j = i;
        while j < n && j - i < EXACT_PER_PIXEL {
            let b = bars.get(j);
            if b.start as f64 >= hi {
                break;
            }
            weigh(&mut cover, &mut touched, b, lo, hi);
            j += 1;
        }
        if j < n && j - i == EXACT_PER_PIXEL && (bars.get(j).start as f64) < hi {
            // A dense column: find where it ends and weigh an even sample of it instead.
            let end = bars.partition_point(|start, _| (start as f64) < hi).max(j);
            cover = [0.0; KIND_COUNT];
            let count = end - i;
            for k in 0..EXACT_PER_PIXEL {
                let b = bars.get(i + k * count / EXACT_PER_PIXEL);
                weigh(&mut cover, &mut touched, b, lo, hi);
            }
            // The sample stands for all `count` bars.
            let scale = count as f64 / EXACT_PER_PIXEL as f64;
            for c in &mut cover {
                *c *= scale;
            }
            j = end;
        }
        if touched {
            let kind = dominant(&cover);
            // A lone event stays vivid; a crowd of short ones shows how busy it kept the lane.
            let density = if j - i <= 2 {
                3
            } else {
                density(cover.iter().sum::<f64>() / per_px)
            };
            match out.last_mut() {
                Some(last) if last.kind == kind && last.density == density && last.x1 == col => {
                    last.x1 = col + 1
                }
                _ => out.push(Span {
                    x0: col,
                    x1: col + 1,
                    kind,
                    density,
                }),
            }
        }
        // Bars that end inside this column are done; the last one may run on.
        i = j.saturating_sub(1).max(i);
        while i < n && (bars.get(i).end as f64) <= hi {
            i += 1;
        }
        col += 1;
    }
    out
}

/// Adds the part of `b` inside `[lo, hi)` to its kind's cover. Instants count as a sliver so
/// that a column holding only instants still shows.
fn weigh(cover: &mut [f64; KIND_COUNT], touched: &mut bool, b: Bar, lo: f64, hi: f64) {
    if theme::mark(b.kind) == Mark::Tick {
        return;
    }
    let overlap = (b.end as f64).min(hi) - (b.start as f64).max(lo);
    if overlap > 0.0 || b.start == b.end {
        cover[b.kind as usize] += overlap.max(1e-9);
        *touched = true;
    }
}

/// The kind with the most cover (the earlier kind in legend order on a tie).
fn dominant(cover: &[f64; KIND_COUNT]) -> Kind {
    let mut best = 0;
    for (k, c) in cover.iter().enumerate() {
        if *c > cover[best] {
            best = k;
        }
    }
    Kind::ALL[best]
}

/// The instants of `row` inside `window`.
pub fn instants(row: &Row, window: Window) -> &[Bar] {
    let from = row.instants.partition_point(|b| b.start < window.start);
    let to = row.instants.partition_point(|b| b.start <= window.end);
    &row.instants[from..to.max(from)]
}

/// What every row was doing at `t`: the bar under it, or nothing (idle).
pub fn states_at<'a>(run: &'a Run, rows: &'a Rows, t: Ns) -> Vec<(&'a Row, Option<Bar>)> {
    rows.rows
        .iter()
        .map(|row| (row, bar_at(row.bars(run), t)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::{presets, simulate};

    fn landing_runs() -> Vec<Run> {
        let scenario = presets::get("gather-10-queries")
            .expect("the landing preset exists")
            .expect("the landing preset parses");
        simulate(&scenario).expect("the landing preset simulates")
    }

    fn bar(kind: Kind, start: Ns, end: Ns) -> Bar {
        Bar {
            kind,
            task: 0,
            start,
            end,
        }
    }

    fn own(bars: Vec<Bar>) -> Row {
        Row {
            label: "t".into(),
            group: 0,
            lane: None,
            task: Some(0),
            bars: Bars::Own(bars),
            instants: Vec::new(),
        }
    }

    #[test]
    fn worker_rows_follow_lanes_and_keep_every_segment() {
        for run in landing_runs() {
            let r = rows(&run, View::Workers, Window::full(run.summary.makespan));
            assert_eq!(r.rows.len(), run.lanes.len(), "{}", run.model);
            let bars: usize = r.rows.iter().map(|row| row.bars(&run).len()).sum();
            assert_eq!(bars, run.segments.len(), "{}", run.model);
            for (row, lane) in r.rows.iter().zip(&run.lanes) {
                let slice = row.bars(&run);
                assert!((1..slice.len()).all(|i| slice.get(i - 1).start <= slice.get(i).start));
                assert_eq!(row.lane, Some(lane.id));
                if let BarSlice::Segments(segs) = slice {
                    assert!(segs.iter().all(|s| s.lane == lane.id));
                }
            }
            assert!(r.rows.iter().any(|row| row.label.starts_with("core")));
            // Cores come last, in their own group.
            let first_core = r.rows.iter().position(|row| row.group == 1);
            assert!(first_core.is_some_and(|i| r.rows[i..].iter().all(|row| row.group == 1)));
        }
    }

    #[test]
    fn task_rows_have_one_row_per_task_here() {
        for run in landing_runs() {
            // Ten tasks fit: all of them, wherever the window is.
            let r = rows(&run, View::Tasks, Window { start: 0, end: 1 });
            assert_eq!(r.rows.len(), 10, "{}", run.model);
            assert_eq!(r.rows[3].label, "task 3");
            assert_eq!(r.rows[3].task, Some(3));
            assert_eq!(r.hidden, 0);
        }
    }

    #[test]
    fn many_tasks_show_those_alive_in_the_window() {
        let mut sc = presets::get("gather-10-queries")
            .expect("exists")
            .expect("parses");
        sc.workload.arrivals = whenasync_sim::Arrivals::Interval {
            every: whenasync_sim::Dur(10_000_000),
            count: 300,
        };
        sc.models.truncate(2);
        let run = simulate(&sc).expect("simulates").remove(1);
        let all = rows(&run, View::Tasks, Window::full(run.summary.makespan));
        assert_eq!(all.rows.len(), MAX_TASK_ROWS);
        assert_eq!(all.rows[0].task, Some(0));
        assert_eq!(all.hidden, 300 - MAX_TASK_ROWS);
        // A second, 2 s in: tasks that arrived between 1.9 s and 3 s.
        let later = rows(
            &run,
            View::Tasks,
            Window {
                start: 2_000_000_000,
                end: 3_000_000_000,
            },
        );
        let first = later.rows[0].task.expect("a task row");
        assert!((185..=200).contains(&first), "{first}");
        assert_eq!(later.hidden, 0);
    }

    #[test]
    fn bar_at_finds_the_bar_under_a_time() {
        let row = own(vec![
            bar(Kind::Running, 0, 10),
            bar(Kind::IoWait, 10, 20),
            bar(Kind::Running, 30, 40),
        ]);
        let run = &landing_runs()[0];
        let at = |t| bar_at(row.bars(run), t).map(|b| b.kind);
        assert_eq!(at(0), Some(Kind::Running));
        assert_eq!(at(10), Some(Kind::IoWait));
        assert_eq!(at(25), None);
        assert_eq!(at(39), Some(Kind::Running));
        assert_eq!(at(40), None);
    }

    #[test]
    fn tooltips_name_the_task_once() {
        let b = Bar {
            kind: Kind::IoWait,
            task: 4,
            start: 1_120_000,
            end: 101_120_000,
        };
        let row = |label: &str| Row {
            label: label.into(),
            group: 0,
            lane: None,
            task: None,
            bars: Bars::Own(vec![b]),
            instants: Vec::new(),
        };
        assert_eq!(
            describe(&row("task 4"), &b, View::Tasks),
            (
                "task 4 · I/O wait · 100 ms".to_owned(),
                "from 1.12 ms to 101 ms".to_owned()
            )
        );
        assert_eq!(
            describe(&row("thread 2"), &b, View::Workers).0,
            "thread 2 · task 4 · I/O wait · 100 ms"
        );
    }

    fn spans(bars: &[Bar], window: Window, px: u32) -> Vec<(u32, u32, Kind)> {
        raster(BarSlice::Own(bars), window, px)
            .into_iter()
            .map(|s| (s.x0, s.x1, s.kind))
            .collect()
    }

    #[test]
    fn raster_shows_how_busy_a_column_is() {
        let w = Window {
            start: 0,
            end: 1_000,
        };
        let sparse: Vec<Bar> = (0..50)
            .map(|i| bar(Kind::Running, i * 20, i * 20 + 2))
            .collect();
        // Five short bars per column, 10 % busy: drawn, but faint.
        let out = raster(BarSlice::Own(&sparse), w, 10);
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].x0, out[0].x1, out[0].density), (0, 10, 0));
        // One short bar alone in its column is an event to see: full strength.
        let lone = [bar(Kind::Blocked, 450, 451)];
        assert_eq!(raster(BarSlice::Own(&lone), w, 10)[0].density, 3);
        let full = [bar(Kind::Running, 0, 1_000)];
        assert_eq!(raster(BarSlice::Own(&full), w, 10)[0].density, 3);
        // Dense columns are sampled, and the sample still reads as busy.
        let dense: Vec<Bar> = (0..100_000u64)
            .map(|i| bar(Kind::Running, i * 10, i * 10 + 9))
            .collect();
        let out = raster(BarSlice::Own(&dense), Window::full(1_000_000), 10);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].density, 3);
        assert_eq!(density(0.5), 2);
        assert_eq!(density(0.2), 1);
    }

    #[test]
    fn raster_merges_columns_of_one_kind_and_keeps_gaps() {
        // 100 ns per pixel over 10 pixels.
        let w = Window {
            start: 0,
            end: 1_000,
        };
        let bars = [
            bar(Kind::Running, 0, 300),
            bar(Kind::IoWait, 300, 600),
            bar(Kind::Running, 800, 1_000),
        ];
        assert_eq!(
            spans(&bars, w, 10),
            vec![
                (0, 3, Kind::Running),
                (3, 6, Kind::IoWait),
                (8, 10, Kind::Running)
            ]
        );
        // Zoomed into the middle: only what is inside, at the new scale.
        let zoomed = Window {
            start: 250,
            end: 350,
        };
        assert_eq!(
            spans(&bars, zoomed, 4),
            vec![(0, 2, Kind::Running), (2, 4, Kind::IoWait)]
        );
    }

    #[test]
    fn raster_shows_a_sliver_and_lets_the_dominant_kind_win() {
        let w = Window {
            start: 0,
            end: 1_000,
        };
        // A 1 ns bar still paints its pixel.
        assert_eq!(
            spans(&[bar(Kind::Blocked, 450, 451)], w, 10),
            vec![(4, 5, Kind::Blocked)]
        );
        // Within one pixel, 70 ns of I/O beat 30 ns of running.
        let mixed = [bar(Kind::Running, 100, 130), bar(Kind::IoWait, 130, 200)];
        assert_eq!(spans(&mixed, w, 10), vec![(1, 2, Kind::IoWait)]);
        // Cancellation ticks are drawn separately, not as bars.
        assert_eq!(spans(&[bar(Kind::Cancelled, 500, 500)], w, 10), vec![]);
    }

    #[test]
    fn raster_of_a_million_segments_is_bounded_by_pixels() {
        // Alternating running / GIL wait, 1 µs each: far narrower than a pixel.
        let bars: Vec<Bar> = (0..1_000_000u64)
            .map(|i| {
                let kind = if i % 4 == 3 {
                    Kind::GilWait
                } else {
                    Kind::Running
                };
                bar(kind, i * 1_000, (i + 1) * 1_000)
            })
            .collect();
        let w = Window::full(1_000_000_000);
        let out = raster(BarSlice::Own(&bars), w, 1_000);
        // One span: running dominates every pixel; and the whole row is covered.
        assert_eq!(
            out,
            vec![Span {
                x0: 0,
                x1: 1_000,
                kind: Kind::Running,
                density: 3
            }]
        );
        // Zoomed in to 100 bars across 1,000 pixels, every bar shows on its own.
        let zoomed = Window {
            start: 500_000_000,
            end: 500_100_000,
        };
        let out = raster(BarSlice::Own(&bars), zoomed, 1_000);
        // Three running bars merge into 30 pixels, then 10 pixels of GIL wait, 25 times.
        assert_eq!(out.len(), 50);
        assert_eq!((out[0].x0, out[0].x1, out[0].kind), (0, 30, Kind::Running));
        assert_eq!((out[1].x0, out[1].x1, out[1].kind), (30, 40, Kind::GilWait));
    }

    #[test]
    fn raster_of_an_empty_or_distant_row_is_empty() {
        let w = Window {
            start: 0,
            end: 1_000,
        };
        assert!(spans(&[], w, 10).is_empty());
        assert!(spans(&[bar(Kind::Running, 5_000, 6_000)], w, 10).is_empty());
        assert!(spans(&[bar(Kind::Running, 0, 100)], w, 0).is_empty());
    }

    #[test]
    fn instants_are_found_once_and_filtered_by_window() {
        let mut row = own(vec![bar(Kind::Running, 0, 10)]);
        row.instants = vec![bar(Kind::Cancelled, 5, 5), bar(Kind::Cancelled, 50, 50)];
        assert_eq!(instants(&row, Window { start: 0, end: 20 }).len(), 1);
        assert_eq!(instants(&row, Window { start: 0, end: 100 }).len(), 2);
        assert_eq!(
            instants(
                &row,
                Window {
                    start: 60,
                    end: 100
                }
            )
            .len(),
            0
        );
    }

    #[test]
    fn states_at_name_what_every_row_did() {
        let run = &landing_runs()[0];
        let r = rows(run, View::Workers, Window::full(run.summary.makespan));
        let states = states_at(run, &r, 50_000_000);
        assert_eq!(states.len(), r.rows.len());
        // The sync thread is waiting on the first query 50 ms in.
        assert_eq!(states[0].1.map(|b| b.kind), Some(Kind::IoWait));
    }
}
