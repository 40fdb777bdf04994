//! Insights: short sentences that say *why* a run looks the way it does, each pointing at the
//! task, lane and span that prove it; and the verdict over several runs of one workload.
//!
//! Every rule reads only the [`Run`] (and the scenario for parameters), so the same sentence
//! comes out natively and in the browser.
//!
//! Layout (private submodules in `insights/`): `tasks` (unfinished, queued, cancelled and
//! I/O-bound tasks), `event_loop` (what froze or slowed the loop), `contention` (the GIL and
//! the cores), `workers` (process start-up, IPC, a server's accept), `verdict` (the sentence
//! across runs). This file holds the order of the rules and the helpers they share.

mod contention;
mod event_loop;
mod tasks;
mod verdict;
mod workers;

use crate::duration::Ns;
use crate::run::{Insight, Kind, Run, Segment};
use crate::validate::Checked;

use contention::{core_wait, gil_convoy, gil_serialised};
use event_loop::{await_overhead, loop_blocked, loop_cpu, loop_gil};
use tasks::{cancelled, io_share, queued, unfinished};
pub use verdict::{verdict, verdict_metric};
use workers::{greedy_accept, ipc_cost, process_startup};

/// Explains a run, most important first.
pub fn explain(run: &Run, ck: &Checked) -> Vec<Insight> {
    let mut out = Vec::new();
    let rules: [fn(&Run, &Checked) -> Option<Insight>; 14] = [
        unfinished,
        loop_blocked,
        loop_cpu,
        loop_gil,
        gil_convoy,
        gil_serialised,
        process_startup,
        ipc_cost,
        core_wait,
        greedy_accept,
        queued,
        cancelled,
        await_overhead,
        io_share,
    ];
    for rule in rules {
        if let Some(i) = rule(run, ck) {
            out.push(i);
        }
    }
    out
}

fn insight(
    rule: &'static str,
    text: String,
    task: Option<u32>,
    lane: Option<u32>,
    start: Ns,
    end: Ns,
) -> Insight {
    Insight {
        rule,
        text,
        task,
        lane,
        start,
        end,
    }
}

fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn loop_lanes(run: &Run) -> impl Iterator<Item = u32> + '_ {
    run.lanes.iter().filter(|l| l.is_loop).map(|l| l.id)
}

fn lane_segments(run: &Run, lane: u32) -> &[Segment] {
    let lo = run.segments.partition_point(|s| s.lane < lane);
    let hi = run.segments.partition_point(|s| s.lane <= lane);
    &run.segments[lo..hi]
}

/// Share of the tasks' own time spent waiting on I/O (awaited or blocking), and on CPU.
pub fn io_and_cpu_share(run: &Run) -> (f64, f64, f64) {
    let t = &run.summary.time_by_kind;
    let io = (t[Kind::IoWait as usize] + t[Kind::Blocked as usize]) as f64;
    let gil = t[Kind::Running as usize] as f64;
    let nogil = t[Kind::RunningNoGil as usize] as f64;
    let total = io + gil + nogil;
    if total == 0.0 {
        return (0.0, 0.0, 0.0);
    }
    (io / total, gil / total, nogil / total)
}
