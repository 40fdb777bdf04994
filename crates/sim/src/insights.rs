//! Insights: short sentences that say *why* a run looks the way it does, each pointing at the
//! task, lane and span that prove it; and the verdict over several runs of one workload.
//!
//! Every rule reads only the [`Run`] (and the scenario for parameters), so the same sentence
//! comes out natively and in the browser.

use crate::duration::{human, Ns, MS};
use crate::run::{Insight, Kind, LaneKind, Run, Segment, NO_TASK, RESOURCE_TRACKER};
use crate::scenario::{Arrivals, Model, StartMethod};
use crate::validate::Checked;

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

/// Tasks other than `except` that were ready but stuck behind a busy loop during [start, end).
fn waiting_behind(run: &Run, except: u32, start: Ns, end: Ns) -> (u64, Ns) {
    let mut tasks = Vec::new();
    let mut longest = 0;
    for s in &run.task_segments {
        if s.kind == Kind::LoopBusy && s.task != except && s.start < end && s.end > start {
            tasks.push(s.task);
            longest = longest.max(s.end - s.start);
        }
    }
    tasks.sort_unstable();
    tasks.dedup();
    (tasks.len() as u64, longest)
}

fn unfinished(run: &Run, _: &Checked) -> Option<Insight> {
    let n = run.summary.unfinished;
    if n == 0 {
        return None;
    }
    let first = run.tasks.iter().find(|t| t.end.is_none())?;
    Some(insight(
        "deadlock",
        format!(
            "{} never finished: every worker was blocked waiting for work queued behind it (a pool waiting on itself deadlocks).",
            plural(n, "task", "tasks")
        ),
        Some(first.id),
        None,
        first.arrival,
        run.summary.makespan.max(first.arrival),
    ))
}

fn loop_blocked(run: &Run, _: &Checked) -> Option<Insight> {
    let mut worst: Option<&Segment> = None;
    let (mut count, mut total) = (0u64, 0);
    for lane in loop_lanes(run) {
        for s in lane_segments(run, lane)
            .iter()
            .filter(|s| s.kind == Kind::Blocked)
        {
            count += 1;
            total += s.end - s.start;
            if worst.is_none_or(|w| s.end - s.start > w.end - w.start) {
                worst = Some(s);
            }
        }
    }
    let w = worst?;
    let d = w.end - w.start;
    if d < MS {
        return None;
    }
    let (n, _) = waiting_behind(run, w.task, w.start, w.end);
    let mut text = format!(
        "Task {}'s blocking call froze the event loop for {}; {} waited behind it.",
        w.task,
        human(d),
        plural(n, "other task", "other tasks")
    );
    if count > 1 {
        text.push_str(&format!(
            " Blocking calls froze the loop {count} times, {} in all.",
            human(total)
        ));
    }
    Some(insight(
        "loop_blocked",
        text,
        Some(w.task),
        Some(w.lane),
        w.start,
        w.end,
    ))
}

fn loop_cpu(run: &Run, _: &Checked) -> Option<Insight> {
    // The longest stretch in which the loop ran one task's code without yielding.
    let mut best: Option<(u32, u32, Ns, Ns)> = None;
    for lane in loop_lanes(run) {
        let mut cur: Option<(u32, Ns, Ns)> = None;
        for s in lane_segments(run, lane) {
            let cpu = matches!(s.kind, Kind::Running | Kind::RunningNoGil | Kind::Overhead)
                && s.task != NO_TASK;
            cur = match cur {
                Some((t, a, b)) if cpu && t == s.task && b == s.start => Some((t, a, s.end)),
                _ if cpu => Some((s.task, s.start, s.end)),
                _ => None,
            };
            if let Some((t, a, b)) = cur {
                if best.is_none_or(|(_, _, x, y)| b - a > y - x) {
                    best = Some((t, lane, a, b));
                }
            }
        }
    }
    let (task, lane, a, b) = best?;
    if b - a < 10 * MS {
        return None;
    }
    let (n, longest) = waiting_behind(run, task, a, b);
    if n == 0 {
        return None;
    }
    Some(insight(
        "loop_cpu",
        format!(
            "Task {task} ran {} of CPU on the event loop without yielding; {} were ready meanwhile and waited up to {}.",
            human(b - a),
            plural(n, "other task", "other tasks"),
            human(longest)
        ),
        Some(task),
        Some(lane),
        a,
        b,
    ))
}

fn loop_gil(run: &Run, _: &Checked) -> Option<Insight> {
    let mut total = 0;
    let mut worst: Option<&Segment> = None;
    for lane in loop_lanes(run) {
        for s in lane_segments(run, lane)
            .iter()
            .filter(|s| s.kind == Kind::GilWait)
        {
            total += s.end - s.start;
            if worst.is_none_or(|w| s.end - s.start > w.end - w.start) {
                worst = Some(s);
            }
        }
    }
    let w = worst?;
    if total < MS {
        return None;
    }
    Some(insight(
        "loop_gil",
        format!(
            "The event loop waited {} in all for the GIL held by its pool threads (up to {} at a time): offloading Python CPU to threads does not give the loop its latency back.",
            human(total),
            human(w.end - w.start)
        ),
        (w.task != NO_TASK).then_some(w.task),
        Some(w.lane),
        w.start,
        w.end,
    ))
}

fn gil_convoy(run: &Run, ck: &Checked) -> Option<Insight> {
    let si = ck.scenario.machine.switch_interval.0;
    let mut best: Option<(u32, u64, Ns, Ns, Ns)> = None; // lane, count, total, first start, first end
    for lane in run.lanes.iter().filter(|l| l.kind == LaneKind::Thread) {
        let segs = lane_segments(run, lane.id);
        let (mut n, mut total, mut first) = (0u64, 0, None);
        for pair in segs.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if matches!(a.kind, Kind::IoWait | Kind::Blocked)
                && b.kind == Kind::GilWait
                && a.end == b.start
            {
                n += 1;
                total += b.end - b.start;
                first.get_or_insert((b.start, b.end));
            }
        }
        if n >= 3 && best.is_none_or(|(_, bn, bt, _, _)| total / n > bt / bn) {
            let (s, e) = first.unwrap_or((0, 0));
            best = Some((lane.id, n, total, s, e));
        }
    }
    let (lane, n, total, s, e) = best?;
    let mean = total / n;
    if (mean as f64) < 0.4 * si as f64 {
        return None;
    }
    Some(insight(
        "gil_convoy",
        format!(
            "After each of its {n} blocking calls, {} waited a mean {} to win the GIL back from a CPU-bound thread (switch interval {}): the convoy effect.",
            run.lanes[lane as usize].name,
            human(mean),
            human(si)
        ),
        None,
        Some(lane),
        s,
        e,
    ))
}

fn gil_serialised(run: &Run, _: &Checked) -> Option<Insight> {
    let s = &run.summary;
    let (_, cpu, _) = io_and_cpu_share(run);
    // Only a story when Python CPU is a real part of the work and the waiting is material.
    if s.gil_contention < 0.3 || cpu < 0.3 || (s.gil_wait as f64) < 0.1 * s.makespan as f64 {
        return None;
    }
    let gil_lane = run.lanes.iter().find(|l| l.kind == LaneKind::Gil)?;
    let threads = run
        .lanes
        .iter()
        .filter(|l| l.kind == LaneKind::Thread && l.process == gil_lane.process)
        .count();
    Some(insight(
        "gil_serialised",
        format!(
            "{threads} threads shared one GIL, so their Python code ran one at a time: cores were {} busy and threads spent {} waiting for the GIL.",
            pct(s.core_utilisation),
            human(s.gil_wait)
        ),
        None,
        Some(gil_lane.id),
        0,
        s.makespan,
    ))
}

fn process_startup(run: &Run, ck: &Checked) -> Option<Insight> {
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

fn ipc_cost(run: &Run, _: &Checked) -> Option<Insight> {
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

fn core_wait(run: &Run, _: &Checked) -> Option<Insight> {
    let t = &run.summary.time_by_kind;
    let wait = t[Kind::CoreWait as usize];
    let work = t[Kind::Running as usize] + t[Kind::RunningNoGil as usize];
    if wait < MS || (wait as f64) < 0.05 * work as f64 {
        return None;
    }
    let worst = run
        .segments
        .iter()
        .filter(|s| s.kind == Kind::CoreWait)
        .max_by_key(|s| s.end - s.start)?;
    Some(insight(
        "core_wait",
        format!(
            "More threads and processes were runnable than the {}: work waited {} in all for a core, so each ran slower than alone.",
            plural(run.cores as u64, "core", "cores"),
            human(wait)
        ),
        (worst.task != NO_TASK).then_some(worst.task),
        Some(worst.lane),
        worst.start,
        worst.end,
    ))
}

/// Async server workers share one listening socket, and asyncio accepts every waiting
/// connection (up to 100) when its loop polls: the largest batch one loop took at once.
fn greedy_accept(run: &Run, _: &Checked) -> Option<Insight> {
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

fn queued(run: &Run, _: &Checked) -> Option<Insight> {
    let s = &run.summary;
    if s.completed == 0 {
        return None;
    }
    let total = s.time_by_kind[Kind::Queued as usize];
    let n = run.tasks.len() as u64;
    let mean = total / n.max(1);
    if mean < MS || (mean as f64) < 0.2 * s.latency.mean {
        return None;
    }
    let worst = run
        .tasks
        .iter()
        .max_by_key(|t| t.time_by_kind[Kind::Queued as usize])?;
    let share = pct(mean as f64 / s.latency.mean.max(1.0));
    let text = match run.family {
        "sync" => format!("Tasks waited a mean {} for the one thread to finish the tasks ahead of them, {share} of their latency.", human(mean)),
        "async" => format!("Tasks waited a mean {} for a slot under the concurrency limit, {share} of their latency.", human(mean)),
        _ => format!("Tasks waited a mean {} for a free worker, {share} of their latency: the number of workers, not the work, sets the pace.", human(mean)),
    };
    Some(insight(
        "queued",
        text,
        Some(worst.id),
        None,
        worst.arrival,
        worst.start.unwrap_or(worst.arrival),
    ))
}

fn cancelled(run: &Run, ck: &Checked) -> Option<Insight> {
    let s = &run.summary;
    let timeout = ck.scenario.workload.timeout?;
    if s.cancelled > 0 {
        let first = run
            .tasks
            .iter()
            .filter(|t| t.cancelled)
            .min_by_key(|t| t.end)?;
        return Some(insight(
            "cancelled",
            format!(
                "{} hit the {} timeout and {} cancelled; the first at {}.",
                plural(s.cancelled, "task", "tasks"),
                human(timeout.0),
                if s.cancelled == 1 { "was" } else { "were" },
                human(first.end.unwrap_or(0))
            ),
            Some(first.id),
            None,
            first.arrival,
            first.end.unwrap_or(first.arrival),
        ));
    }
    if s.timed_out > 0 {
        let first = run.tasks.iter().find(|t| t.timed_out)?;
        return Some(insight(
            "timed_out",
            format!(
                "{} passed the {} timeout while running on a thread and ran to the end anyway: Python cannot cancel a running thread.",
                plural(s.timed_out, "task", "tasks"),
                human(timeout.0)
            ),
            Some(first.id),
            None,
            first.arrival,
            first.end.unwrap_or(first.arrival),
        ));
    }
    None
}

fn await_overhead(run: &Run, _: &Checked) -> Option<Insight> {
    let (mut over, mut work) = (0, 0);
    for lane in loop_lanes(run) {
        for s in lane_segments(run, lane) {
            match s.kind {
                Kind::Overhead => over += s.end - s.start,
                Kind::Running | Kind::RunningNoGil => work += s.end - s.start,
                _ => {}
            }
        }
    }
    if work == 0 || (over as f64) < 0.05 * work as f64 {
        return None;
    }
    Some(insight(
        "await_overhead",
        format!(
            "Awaits, resumes and task creation cost the loop {} of CPU, {} on top of the {} of real work.",
            human(over),
            pct(over as f64 / work as f64),
            human(work)
        ),
        None,
        loop_lanes(run).next(),
        0,
        run.summary.makespan,
    ))
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

fn io_share(run: &Run, _: &Checked) -> Option<Insight> {
    let (io, _, _) = io_and_cpu_share(run);
    if io < 0.7 {
        return None;
    }
    let text = if run.family == "sync" {
        format!(
            "{} of the tasks' work is waiting on I/O, and sync waits for each wait in turn.",
            pct(io)
        )
    } else {
        format!("{} of the tasks' work is waiting on I/O: how many waits overlap, not CPU speed, sets the pace.", pct(io))
    };
    Some(insight(
        "io_share",
        text,
        None,
        None,
        0,
        run.summary.makespan,
    ))
}

/// The figure a verdict compares: makespan for batches, p99 latency for open-loop traffic.
pub fn verdict_metric(ck: &Checked) -> &'static str {
    match ck.scenario.workload.arrivals {
        Arrivals::Burst { .. } => "makespan",
        _ => "p99",
    }
}

fn metric(run: &Run, which: &str) -> Ns {
    if which == "makespan" {
        run.summary.makespan
    } else {
        run.summary.latency.p99
    }
}

/// A ratio as a reader takes it in: `2.4×`, `37×`, `20,030×` (three digits say all there is).
fn times(ratio: f64) -> String {
    if !ratio.is_finite() {
        return "∞×".to_string();
    }
    if ratio < 9.95 {
        return format!("{ratio:.1}×");
    }
    let whole = format!("{:.0}", ratio);
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out + "×"
}

/// One sentence comparing runs of the same workload: who wins, by how much, and why.
pub fn verdict(runs: &[Run], ck: &Checked) -> Option<String> {
    if runs.len() < 2 {
        return None;
    }
    let which = verdict_metric(ck);
    let valid = |r: &&Run| r.summary.unfinished == 0 && r.summary.completed > 0;
    let winner = runs.iter().filter(valid).min_by_key(|r| metric(r, which))?;
    let baseline = runs
        .iter()
        .filter(|r| r.model != winner.model)
        .find(|r| r.family == "sync")
        .or_else(|| {
            runs.iter()
                .filter(|r| r.model != winner.model)
                .max_by_key(|r| metric(r, which))
        })?;
    let (w, b) = (metric(winner, which) as f64, metric(baseline, which) as f64);
    let ratio = if w > 0.0 { b / w } else { f64::INFINITY };
    let lead = if ratio < 1.1 {
        return Some(format!(
            "{} and {} are within 10 % ({} vs {}): for this workload the model hardly matters; pick the simpler one.",
            winner.model,
            baseline.model,
            human(w as Ns),
            human(b as Ns)
        ));
    } else if which == "makespan" {
        format!(
            "{} finishes {} sooner than {} ({} vs {})",
            winner.model,
            times(ratio),
            baseline.model,
            human(w as Ns),
            human(b as Ns)
        )
    } else {
        format!(
            "{} has a {} lower p99 latency than {} ({} vs {})",
            winner.model,
            times(ratio),
            baseline.model,
            human(w as Ns),
            human(b as Ns)
        )
    };
    let (io, gil, nogil) = io_and_cpu_share(baseline);
    let why = match winner.family {
        "async" | "threads" if io >= 0.5 => format!("because {} of each task is waiting on I/O, and {} overlaps the waits", pct(io), winner.family),
        "threads" if nogil >= 0.5 => format!("because {} of the work is C code that releases the GIL, so threads run it on several cores", pct(nogil)),
        "processes" | "server" if gil >= 0.5 => format!("because {} of the work is pure-Python CPU, which only separate processes run in parallel ({} cores)", pct(gil), winner.cores),
        "processes" | "server" => "because separate processes run in parallel, each with its own GIL".to_string(),
        "sync" => "because the others only add overhead to work that cannot overlap".to_string(),
        _ => match winner.insights.first() {
            Some(i) => format!("; {}", i.text.trim_end_matches('.').to_lowercase()),
            None => String::new(),
        },
    };
    let sep = if why.starts_with(';') || why.is_empty() {
        ""
    } else {
        " "
    };
    Some(format!("{lead}{sep}{why}."))
}

#[cfg(test)]
mod tests {
    use super::times;

    #[test]
    fn ratios_read_at_a_glance() {
        assert_eq!(times(1.25), "1.2×");
        assert_eq!(times(9.94), "9.9×");
        assert_eq!(times(9.96), "10×");
        assert_eq!(times(37.4), "37×");
        assert_eq!(times(999.6), "1,000×");
        assert_eq!(times(20_029.7), "20,030×");
        assert_eq!(times(1_234_567.0), "1,234,567×");
        assert_eq!(times(f64::INFINITY), "∞×");
    }
}
