//! Rules about the tasks as a whole: those that never finished, waited in a queue, hit the
//! timeout, or spent most of their time waiting on I/O.

use super::{insight, io_and_cpu_share, pct, plural};
use crate::duration::{human, MS};
use crate::run::{Insight, Kind, Run};
use crate::validate::Checked;

pub(super) fn unfinished(run: &Run, _: &Checked) -> Option<Insight> {
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

pub(super) fn queued(run: &Run, _: &Checked) -> Option<Insight> {
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

pub(super) fn cancelled(run: &Run, ck: &Checked) -> Option<Insight> {
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

pub(super) fn io_share(run: &Run, _: &Checked) -> Option<Insight> {
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
