//! The table: the rows (a preset's model, predicted and measured), the winners of each
//! preset, and the Markdown that goes to stdout and into the report.

use std::fmt::Write as _;

/// Target: within ±10 %, or within ±5 ms where the value is small.
pub(super) fn within(pred: f64, meas: f64) -> bool {
    (pred - meas).abs() <= 5.0 || (meas > 0.0 && ((pred - meas) / meas).abs() <= 0.10)
}

/// One row: a preset's model, predicted and measured.
pub(super) struct Row {
    pub(super) preset: String,
    pub(super) model: String,
    pub(super) note: String,
    /// The verdict's metric for this preset: `makespan` or `p99`.
    pub(super) metric: String,
    /// The predicted run finished every task (it can win).
    pub(super) valid: bool,
    pub(super) pred: [f64; 3],
    pub(super) meas: Option<[f64; 3]>,
    /// Median foreign load of the kept runs, and whether they were noisy.
    pub(super) foreign: Option<f64>,
    pub(super) busy: bool,
    pub(super) drift: bool,
    pub(super) runs: usize,
    pub(super) failure: Option<String>,
}

impl Row {
    fn ok(&self, i: usize) -> Option<bool> {
        self.meas.map(|m| within(self.pred[i], m[i]))
    }
    fn all_ok(&self) -> Option<bool> {
        self.meas
            .map(|_| (0..3).all(|i| self.ok(i).unwrap_or(false)))
    }
}

/// Winners of one preset.
pub(super) struct Verdict {
    preset: String,
    metric: &'static str,
    predicted: String,
    measured: Option<String>,
    /// Measured margin of the measured winner over the predicted one (`measured / winner − 1`).
    margin: Option<f64>,
}

pub(super) fn fmt_ms(v: f64) -> String {
    if !v.is_finite() {
        "—".into()
    } else if v >= 10_000.0 {
        format!("{:.1} s", v / 1000.0)
    } else if v >= 1000.0 {
        format!("{:.2} s", v / 1000.0)
    } else if v >= 10.0 {
        format!("{v:.0} ms")
    } else {
        format!("{v:.1} ms")
    }
}

/// Model error relative to the measurement, with a mark when outside the target.
fn fmt_err(pred: f64, meas: f64) -> String {
    let rel = if meas > 0.0 {
        (pred - meas) / meas * 100.0
    } else {
        0.0
    };
    let mark = if within(pred, meas) { "" } else { " ✗" };
    format!("{rel:+.0} %{mark}")
}

pub(super) fn row_line(r: &Row) -> String {
    match (&r.failure, r.meas) {
        (Some(e), _) => format!("failed: {e}"),
        (None, Some(m)) => format!(
            "measured makespan {} ({}), p50 {} ({}), p99 {} ({}){}",
            fmt_ms(m[0]),
            fmt_err(r.pred[0], m[0]),
            fmt_ms(m[1]),
            fmt_err(r.pred[1], m[1]),
            fmt_ms(m[2]),
            fmt_err(r.pred[2], m[2]),
            if r.busy { "  [busy machine]" } else { "" }
        ),
        (None, None) => "no measurement".into(),
    }
}

/// The predicted and measured winners of each preset, by the verdict's metric.
pub(super) fn verdicts(rows: &[Row]) -> Vec<Verdict> {
    let mut out: Vec<Verdict> = Vec::new();
    for r in rows {
        if out.last().is_some_and(|v| v.preset == r.preset) {
            continue;
        }
        let group: Vec<&Row> = rows.iter().filter(|x| x.preset == r.preset).collect();
        let idx = if r.metric == "makespan" { 0 } else { 2 };
        let predicted = group
            .iter()
            .filter(|x| x.valid)
            .min_by(|a, b| a.pred[idx].total_cmp(&b.pred[idx]))
            .map(|x| x.model.clone())
            .unwrap_or_default();
        let measured = group
            .iter()
            .filter_map(|x| x.meas.map(|m| (&x.model, m[idx])))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let margin = measured.and_then(|(_, best)| {
            group
                .iter()
                .find(|x| x.model == predicted)
                .and_then(|x| x.meas.map(|m| m[idx] / best - 1.0))
        });
        out.push(Verdict {
            preset: r.preset.clone(),
            metric: if idx == 0 { "makespan" } else { "p99" },
            predicted,
            measured: measured.map(|(l, _)| l.clone()),
            margin,
        });
    }
    out
}

pub(super) struct Env {
    pub(super) python: String,
    pub(super) cores: u32,
    pub(super) cpu: String,
    pub(super) load_start: Option<[f64; 3]>,
    pub(super) load_end: Option<[f64; 3]>,
    pub(super) minutes: f64,
    pub(super) runs: u32,
    pub(super) max_run_s: f64,
    pub(super) noisy: f64,
    pub(super) date: String,
    /// Presets re-measured later with `--merge`.
    pub(super) remeasured: Option<String>,
    /// The first paragraph of an earlier run, kept by `--merge`.
    pub(super) header: Option<String>,
}

/// Where, when and how the runs were made.
pub(super) fn header(env: &Env) -> String {
    let load = |l: Option<[f64; 3]>| {
        l.map(|l| format!("{:.2} / {:.2} / {:.2}", l[0], l[1], l[2]))
            .unwrap_or_else(|| "unknown".into())
    };
    format!(
        "Measured on {} with CPython {} on {} ({} cores), {} run{} per program (medians), \
         in {:.1} min. Load average (1/5/15 min) {} at the start, {} at the end (it counts \
         these programs too and lags by minutes: the *load* column is the measure that matters).\n",
        env.date,
        if env.python.is_empty() {
            "?"
        } else {
            &env.python
        },
        env.cpu,
        env.cores,
        env.runs,
        if env.runs == 1 { "" } else { "s" },
        env.minutes,
        load(env.load_start),
        load(env.load_end)
    )
}

/// The generated part of the report (Markdown).
pub(super) fn render(env: &Env, rows: &[Row], verdicts: &[Verdict]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", env.header.clone().unwrap_or_else(|| header(env)));
    if let Some(r) = &env.remeasured {
        let _ = writeln!(s, "Merged (`--merge`): {r}\n");
    }
    let _ = writeln!(
        s,
        "Each preset runs with `machine.cores` set to this machine's {} cores and, when its \
         slowest model would take more than {} s, with fewer tasks (same arrival rate, same \
         durations): the *changes* column says so. Error = (predicted − measured) / measured; \
         ✗ marks a value outside ±10 % that is also more than 5 ms off. *Load* is the median \
         number of cores other processes used during the kept runs; **busy** means the runs \
         shared the machine with more than {} cores of other work even after waiting and \
         retrying, so their error is noise as much as model.\n",
        env.cores, env.max_run_s, env.noisy
    );
    s.push_str("| preset | model | changes | makespan pred | meas | err | p50 pred | meas | err | p99 pred | meas | err | load |\n");
    s.push_str("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for r in rows {
        let changes = if r.note.is_empty() {
            "—".to_string()
        } else {
            r.note.clone()
        };
        match (&r.failure, r.meas) {
            (Some(e), _) => {
                let _ = writeln!(
                    s,
                    "| {} | {} | {changes} | {} | failed: {} | | | | | | | | |",
                    r.preset,
                    r.model,
                    fmt_ms(r.pred[0]),
                    e.replace('|', "/")
                );
            }
            (None, Some(m)) => {
                let mut load = r
                    .foreign
                    .map(|f| format!("{f:.2}"))
                    .unwrap_or_else(|| "?".into());
                if r.busy {
                    load.push_str(" **busy**");
                }
                if r.drift {
                    load.push_str(" drift");
                }
                let _ = writeln!(
                    s,
                    "| {} | {} | {changes} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {load} |",
                    r.preset,
                    r.model,
                    fmt_ms(r.pred[0]),
                    fmt_ms(m[0]),
                    fmt_err(r.pred[0], m[0]),
                    fmt_ms(r.pred[1]),
                    fmt_ms(m[1]),
                    fmt_err(r.pred[1], m[1]),
                    fmt_ms(r.pred[2]),
                    fmt_ms(m[2]),
                    fmt_err(r.pred[2], m[2]),
                );
            }
            (None, None) => {}
        }
    }
    let measured: Vec<&Row> = rows.iter().filter(|r| r.meas.is_some()).collect();
    let ok = measured.iter().filter(|r| r.all_ok() == Some(true)).count();
    let quiet_ok = measured
        .iter()
        .filter(|r| !r.busy && r.all_ok() == Some(true))
        .count();
    let quiet = measured.iter().filter(|r| !r.busy).count();
    let values_ok: usize = measured
        .iter()
        .map(|r| (0..3).filter(|&i| r.ok(i) == Some(true)).count())
        .sum();
    let failed = rows.iter().filter(|r| r.failure.is_some()).count();
    let _ = writeln!(
        s,
        "\n**{ok} of {} preset/model pairs** have makespan, p50 and p99 all within the target \
         ({values_ok} of {} values); of the {quiet} measured on a quiet machine, {quiet_ok}.{}\n",
        measured.len(),
        measured.len() * 3,
        if failed > 0 {
            format!(" {failed} programs failed to run.")
        } else {
            String::new()
        }
    );
    s.push_str("### Winners\n\nThe winner is the model with the lowest makespan (burst arrivals) or p99 latency (the others), as in the verdict.\n\n");
    s.push_str(
        "| preset | by | predicted winner | measured winner | same? |\n|---|---|---|---|---|\n",
    );
    let mut same = 0;
    for v in verdicts {
        let m = v.measured.clone().unwrap_or_else(|| "—".into());
        let verdict = if v.measured.as_deref() == Some(v.predicted.as_str()) {
            same += 1;
            "yes".to_string()
        } else {
            match v.margin {
                Some(x) if x <= 0.10 => format!(
                    "no, but the predicted winner is within {:.1} % of it (a tie)",
                    x * 100.0
                ),
                Some(x) => format!("**no**: the predicted winner is {:.0} % behind", x * 100.0),
                None => "—".into(),
            }
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {m} | {verdict} |",
            v.preset, v.metric, v.predicted
        );
    }
    let _ = writeln!(
        s,
        "\nThe winner matches in {same} of {} presets.",
        verdicts.len()
    );
    s
}
