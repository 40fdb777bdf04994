//! Rules about contention for the machine: the GIL convoy after blocking calls, threads
//! serialised by one GIL, and more runnable work than cores.

use super::{insight, io_and_cpu_share, lane_segments, pct, plural};
use crate::duration::{human, Ns, MS};
use crate::run::{Insight, Kind, LaneKind, Run, NO_TASK};
use crate::validate::Checked;

pub(super) fn gil_convoy(run: &Run, ck: &Checked) -> Option<Insight> {
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

pub(super) fn gil_serialised(run: &Run, _: &Checked) -> Option<Insight> {
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

pub(super) fn core_wait(run: &Run, _: &Checked) -> Option<Insight> {
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
