//! Building a chart's rows from a run: one per lane, borrowing the lane's segments, or one
//! per task and branch (the first [`MAX_TASK_ROWS`] alive in the window).

use std::collections::BTreeMap;

use whenasync_sim::{LaneKind, Run};

use super::{Bar, Bars, Row, Rows, View, MAX_TASK_ROWS};
use crate::axis::Window;
use crate::theme::{self, Mark};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::fixtures::landing_runs;
    use crate::chart::BarSlice;
    use whenasync_sim::{presets, simulate};

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
}
