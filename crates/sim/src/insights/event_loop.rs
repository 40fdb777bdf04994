//! Rules about the event loop: a blocking call or a long stretch of CPU that froze it, the
//! GIL it waited for, and what awaits and task creation cost it.

use super::{insight, lane_segments, loop_lanes, pct, plural};
use crate::duration::{human, Ns, MS};
use crate::run::{Insight, Kind, Run, Segment, NO_TASK};
use crate::validate::Checked;

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

pub(super) fn loop_blocked(run: &Run, _: &Checked) -> Option<Insight> {
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

pub(super) fn loop_cpu(run: &Run, _: &Checked) -> Option<Insight> {
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

pub(super) fn loop_gil(run: &Run, _: &Checked) -> Option<Insight> {
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

pub(super) fn await_overhead(run: &Run, _: &Checked) -> Option<Insight> {
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
