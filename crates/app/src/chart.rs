//! What a Gantt chart shows, before any pixel: labelled rows of bars taken from a run, either
//! by worker (threads, GILs, cores) or by task. Pure data, so it is tested natively and the
//! drawing code only maps it to the canvas.

use std::collections::BTreeMap;

use whenasync_sim::{Kind, LaneKind, Ns, Run};

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

/// One row of a chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The label drawn left of the row: `thread 3`, `GIL`, `core 0`, `task 7`.
    pub label: String,
    /// Rows with different groups get a separator between them (workers above cores).
    pub group: u8,
    /// The bars, in time order.
    pub bars: Vec<Bar>,
}

/// The rows of one chart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rows {
    /// Rows, top to bottom.
    pub rows: Vec<Row>,
    /// How many task rows were left out (see [`MAX_TASK_ROWS`]).
    pub hidden: usize,
}

/// The rows of `run` in `view`.
pub fn rows(run: &Run, view: View) -> Rows {
    match view {
        View::Workers => worker_rows(run),
        View::Tasks => task_rows(run),
    }
}

fn worker_rows(run: &Run) -> Rows {
    let mut rows: Vec<Row> = run
        .lanes
        .iter()
        .map(|lane| Row {
            label: lane.name.clone(),
            group: u8::from(lane.kind == LaneKind::Core),
            bars: Vec::new(),
        })
        .collect();
    for s in &run.segments {
        if let Some(row) = rows.get_mut(s.lane as usize) {
            row.bars.push(Bar {
                kind: s.kind,
                task: s.task,
                start: s.start,
                end: s.end,
            });
        }
    }
    Rows { rows, hidden: 0 }
}

fn task_rows(run: &Run) -> Rows {
    let mut by_row: BTreeMap<(u32, u32), Vec<Bar>> = BTreeMap::new();
    for s in &run.task_segments {
        by_row.entry((s.task, s.branch)).or_default().push(Bar {
            kind: s.kind,
            task: s.task,
            start: s.start,
            end: s.end,
        });
    }
    let mut tasks_seen = 0usize;
    let mut last_task = None;
    let mut rows = Vec::new();
    let mut hidden_tasks = std::collections::BTreeSet::new();
    for ((task, branch), mut bars) in by_row {
        if last_task != Some(task) {
            tasks_seen += 1;
            last_task = Some(task);
        }
        if tasks_seen > MAX_TASK_ROWS {
            hidden_tasks.insert(task);
            continue;
        }
        bars.sort_by_key(|b| (b.start, b.end));
        rows.push(Row {
            label: task_label(run, task, branch),
            group: 0,
            bars,
        });
    }
    Rows {
        rows,
        hidden: hidden_tasks.len(),
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

/// The bar of `row` under time `t`, if any (the last one drawn wins, as on screen).
pub fn bar_at(row: &Row, t: Ns) -> Option<&Bar> {
    row.bars
        .iter()
        .rev()
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

    #[test]
    fn worker_rows_follow_lanes_and_keep_every_segment() {
        for run in landing_runs() {
            let r = rows(&run, View::Workers);
            assert_eq!(r.rows.len(), run.lanes.len(), "{}", run.model);
            let bars: usize = r.rows.iter().map(|row| row.bars.len()).sum();
            assert_eq!(bars, run.segments.len(), "{}", run.model);
            assert!(r.rows.iter().any(|row| row.label.starts_with("core")));
            // Cores come last, in their own group.
            let first_core = r.rows.iter().position(|row| row.group == 1);
            assert!(first_core.is_some_and(|i| r.rows[i..].iter().all(|row| row.group == 1)));
        }
    }

    #[test]
    fn task_rows_have_one_row_per_task_here() {
        for run in landing_runs() {
            let r = rows(&run, View::Tasks);
            assert_eq!(r.rows.len(), 10, "{}", run.model);
            assert_eq!(r.rows[3].label, "task 3");
            assert_eq!(r.hidden, 0);
        }
    }

    #[test]
    fn bar_at_finds_the_bar_under_a_time() {
        let row = Row {
            label: "t".into(),
            group: 0,
            bars: vec![
                Bar {
                    kind: Kind::Running,
                    task: 0,
                    start: 0,
                    end: 10,
                },
                Bar {
                    kind: Kind::IoWait,
                    task: 0,
                    start: 10,
                    end: 20,
                },
            ],
        };
        assert_eq!(bar_at(&row, 10).map(|b| b.kind), Some(Kind::IoWait));
        assert_eq!(bar_at(&row, 25), None);
    }

    #[test]
    fn tooltips_name_the_task_once() {
        let bar = Bar {
            kind: Kind::IoWait,
            task: 4,
            start: 1_120_000,
            end: 101_120_000,
        };
        let row = |label: &str| Row {
            label: label.into(),
            group: 0,
            bars: vec![bar],
        };
        assert_eq!(
            describe(&row("task 4"), &bar, View::Tasks),
            (
                "task 4 · I/O wait · 100 ms".to_owned(),
                "from 1.12 ms to 101 ms".to_owned()
            )
        );
        assert_eq!(
            describe(&row("thread 2"), &bar, View::Workers).0,
            "thread 2 · task 4 · I/O wait · 100 ms"
        );
    }
}
