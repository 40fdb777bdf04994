//! The verdict across runs of one workload: which model wins on the figure that matters, by
//! how much, and why.

use super::{io_and_cpu_share, pct};
use crate::duration::{grouped, human, Ns};
use crate::run::Run;
use crate::scenario::Arrivals;
use crate::validate::Checked;

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
        "∞×".to_string()
    } else if ratio < 9.95 {
        format!("{ratio:.1}×")
    } else {
        format!("{}×", grouped(ratio.round() as u64))
    }
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
            Some(i) => format!("; {}", lower_first(i.text.trim_end_matches('.'))),
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

/// A sentence continued after a semicolon: its first word in lower case, unless that word is
/// an initialism ("The loop…" → "the loop…"; "GIL waits…" and "I/O…" stay). The sentences
/// are ours, in ASCII English: no Unicode case table is needed.
fn lower_first(sentence: &str) -> String {
    let word = sentence.split(' ').next().unwrap_or_default();
    let mut chars = word.chars();
    match chars.next() {
        Some(first) if first.is_ascii_uppercase() && !chars.any(|c| c.is_ascii_uppercase()) => {
            let mut out = String::with_capacity(sentence.len());
            out.push(first.to_ascii_lowercase());
            out.push_str(&sentence[1..]);
            out
        }
        _ => sentence.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{lower_first, times};

    #[test]
    fn a_continued_sentence_keeps_its_initialisms() {
        assert_eq!(lower_first("The loop is busy"), "the loop is busy");
        assert_eq!(lower_first("GIL waits are long"), "GIL waits are long");
        assert_eq!(lower_first("I/O waits overlap"), "I/O waits overlap");
        assert_eq!(lower_first("A"), "a");
        assert_eq!(lower_first("already lower"), "already lower");
        assert_eq!(lower_first(""), "");
    }

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
