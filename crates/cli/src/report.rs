//! The readable summary printed by `whenasync run`.

use std::fmt::Write;

use whenasync_sim::duration::human;
use whenasync_sim::{Checked, Run};

/// A table of figures per model, then each model's insights, then the verdict.
pub fn text(ck: &Checked, runs: &[Run], verdict: Option<&str>) -> String {
    let sc = &ck.scenario;
    let mut out = String::new();
    let title = if sc.title.is_empty() {
        "scenario".to_string()
    } else {
        sc.title.clone()
    };
    let name = if sc.name.is_empty() {
        String::new()
    } else {
        format!("{} — ", sc.name)
    };
    let _ = writeln!(out, "{name}{title}");
    let _ = writeln!(
        out,
        "{} tasks · {} cores · switch interval {} · seed {}\n",
        sc.workload.arrivals.count(),
        sc.machine.cores,
        human(sc.machine.switch_interval.0),
        sc.seed
    );
    let _ = writeln!(
        out,
        "{:<22} {:>10} {:>10} {:>10} {:>10} {:>12} {:>6} {:>10} {:>10}",
        "model", "makespan", "p50", "p99", "max", "throughput", "cores", "GIL wait", "loop lag"
    );
    for r in runs {
        let s = &r.summary;
        let _ = writeln!(
            out,
            "{:<22} {:>10} {:>10} {:>10} {:>10} {:>10.1}/s {:>5.0}% {:>10} {:>10}",
            r.model,
            human(s.makespan),
            human(s.latency.p50),
            human(s.latency.p99),
            human(s.latency.max),
            s.throughput_per_s,
            s.core_utilisation * 100.0,
            human(s.gil_wait),
            human(s.loop_lag.max),
        );
    }
    for r in runs {
        let s = &r.summary;
        let mut notes = Vec::new();
        if s.cancelled > 0 {
            notes.push(format!("{} cancelled", s.cancelled));
        }
        if s.timed_out > 0 {
            notes.push(format!("{} timed out", s.timed_out));
        }
        if s.unfinished > 0 {
            notes.push(format!("{} never finished", s.unfinished));
        }
        let _ = writeln!(
            out,
            "\n{}{}",
            r.model,
            if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join(", "))
            }
        );
        if r.insights.is_empty() {
            let _ = writeln!(out, "  · nothing stands out.");
        }
        for i in &r.insights {
            let _ = writeln!(out, "  · {}", i.text);
        }
    }
    if let Some(v) = verdict {
        let _ = writeln!(out, "\nverdict: {v}");
    }
    out
}
