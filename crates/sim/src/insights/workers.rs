//! Rules about worker processes: what starting them and sending work to them costs, and how
//! server workers sharing one socket split the waiting connections.

use super::{insight, pct, plural};
use crate::duration::{human, Ns};
use crate::run::{Insight, Kind, LaneKind, Run, Segment, NO_TASK, RESOURCE_TRACKER};
use crate::scenario::{Model, StartMethod};
use crate::validate::Checked;

pub(super) fn process_startup(run: &Run, ck: &Checked) -> Option<Insight> {
    // Start-up is the work a worker process does before its first task (no task attached).
    let mut per_lane: std::collections::BTreeMap<u32, Ns> = Default::default();
    let mut first: Option<&Segment> = None;
    for s in &run.segments {
        if s.kind == Kind::Overhead
            && s.task == NO_TASK
            && run.lanes[s.lane as usize].kind == LaneKind::Thread
        {
            *per_lane.entry(s.lane).or_default() += s.end - s.start;
            first.get_or_insert(s);
        }
    }
    let f = first?;
    let n = per_lane.len() as u64;
    let each = per_lane.values().sum::<Ns>() / n.max(1);
    // A spawn or forkserver pool also starts multiprocessing's resource tracker.
    let tracker = per_lane
        .keys()
        .any(|&l| run.lanes[l as usize].name == RESOURCE_TRACKER);
    let workers = plural(n - tracker as u64, "worker process", "worker processes");
    let who = if tracker {
        format!("{workers} and the resource tracker")
    } else {
        workers
    };
    if (each as f64) < 0.01 * run.summary.makespan as f64 {
        return None;
    }
    let method = ck
        .scenario
        .models
        .iter()
        .find_map(|m| match m {
            Model::Processes { start, .. } if m.label() == run.model => Some(*start),
            _ => None,
        })
        .map(|s| match s {
            StartMethod::Fork => "fork",
            StartMethod::Spawn => "spawn",
            StartMethod::Forkserver => "forkserver",
        })
        .unwrap_or("start-up");
    Some(insight(
        "process_startup",
        format!(
            "Starting {who} ({method}) took {} of CPU each before any task ran: {} of the makespan.",
            human(each),
            pct(each as f64 / run.summary.makespan.max(1) as f64)
        ),
        None,
        Some(f.lane),
        f.start,
        f.end,
    ))
}

pub(super) fn ipc_cost(run: &Run, _: &Checked) -> Option<Insight> {
    if run.family != "processes" {
        return None;
    }
    let t = &run.summary.time_by_kind;
    let overhead = t[Kind::Overhead as usize];
    let work = t[Kind::Running as usize] + t[Kind::RunningNoGil as usize];
    if overhead == 0 || work == 0 || (overhead as f64) < 0.02 * work as f64 {
        return None;
    }
    let n = run.tasks.len().max(1) as u64;
    Some(insight(
        "ipc_cost",
        format!(
            "Pickling arguments and results and sending them between processes cost {} per task, {} on top of the CPU work.",
            human(overhead / n),
            pct(overhead as f64 / work as f64)
        ),
        None,
        None,
        0,
        run.summary.makespan,
    ))
}

/// Async server workers share one listening socket, and asyncio accepts every waiting
/// connection (up to 100) when its loop polls: the largest batch one loop took at once.
pub(super) fn greedy_accept(run: &Run, _: &Checked) -> Option<Insight> {
    let loops = run.lanes.iter().filter(|l| l.is_loop).count();
    if run.family != "server" || loops < 2 {
        return None;
    }
    // A connection waits in the backlog (queued, from its arrival) until a loop accepts it:
    // connections whose wait ends at one instant were taken by one poll.
    let mut ends: Vec<(Ns, u32)> = run
        .task_segments
        .iter()
        .filter(|g| g.branch == 0 && g.kind == Kind::Queued)
        .map(|g| (g.end, g.task))
        .collect();
    ends.sort_unstable();
    let (mut best, mut i) = ((0, 0, 0), 0);
    while i < ends.len() {
        let j = ends[i..].partition_point(|e| e.0 == ends[i].0) + i;
        if j - i > best.2 - best.1 {
            best = (ends[i].0, i, j);
        }
        i = j;
    }
    let (at, from, to) = best;
    let taken = to - from;
    if taken < loops.max(4) {
        return None;
    }
    let batch = &ends[from..to];
    let first = batch.iter().map(|e| e.1).min()?;
    let last_end = batch
        .iter()
        .filter_map(|e| run.tasks.get(e.1 as usize)?.end)
        .max()
        .unwrap_or(at);
    let lane = run
        .segments
        .iter()
        .find(|g| g.task == first && g.start >= at && run.lanes[g.lane as usize].is_loop)
        .map(|g| g.lane);
    let l = &run.summary.latency;
    let tail = if l.p99 as f64 >= 1.5 * l.p50 as f64 {
        format!(
            " That batch is the tail: p99 {} against p50 {}.",
            human(l.p99),
            human(l.p50)
        )
    } else {
        String::new()
    };
    let text = format!(
        "At {} one worker's loop accepted {taken} waiting connections in a single poll (asyncio takes up to 100 per readable event), so they ran one after another on that loop while the other {} took only what arrived later.{tail}",
        human(at),
        if loops == 2 { "worker".to_owned() } else { format!("{} workers", loops - 1) },
    );
    Some(insight(
        "greedy_accept",
        text,
        Some(first),
        lane,
        at,
        last_end,
    ))
}
