//! `whenasync fidelity`: every preset's programs (`whenasync python`) run under the local
//! CPython, several times; the medians of makespan, p50 and p99 are compared with the
//! simulator's prediction for the same scenario on this machine (its core count), and the
//! winning models are compared too. The table goes to stdout and into `docs/fidelity.md`,
//! between markers, so the hand-written analysis around it survives a regeneration.
//!
//! Timings on a shared machine are noisy. Around every run the command measures the CPU used
//! by *other* processes (busy time in `/proc/stat` minus the CPU of its own children, per
//! second of wall time); a run that shared the machine with more than `--noisy` cores of
//! foreign load is retried after waiting for quiet, and a result that stays noisy is marked
//! "busy" in the table instead of being reported as model error. The calibration of each run
//! (loop iterations per ms) is compared too: a drift beyond 10 % between runs is marked.

mod measure;
mod report;
mod table;

use std::path::Path;
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::Value;
use whenasync_sim::{
    insights, presets, python, simulate_model, validate, Arrivals, Checked, Run, Scenario,
};

use crate::Fail;
use measure::{cpu_model, loadavg, measure, today, Measured};
use report::{rows_from_json, rows_json, write_report};
use table::{fmt_ms, header, render, row_line, verdicts, Env, Row};

/// Arguments of `whenasync fidelity`.
#[derive(Args)]
pub struct FidelityArgs {
    /// Runs of each program; their medians are compared with the prediction.
    #[arg(long, default_value_t = 3)]
    runs: u32,
    /// Scale a preset's task count down so that its slowest model is predicted to take at most
    /// this many seconds (every model of the preset gets the same, smaller workload).
    #[arg(long, default_value_t = 6.0)]
    max_run_s: f64,
    /// A quick look: one run of each program, each at most 1.5 s (fewer tasks).
    #[arg(long)]
    quick: bool,
    /// Only these presets (repeatable).
    #[arg(long = "preset")]
    presets: Vec<String>,
    /// The Python interpreter to measure.
    #[arg(long, default_value = "python3")]
    python: String,
    /// The report to (re)generate: the part between its markers is replaced.
    #[arg(long, default_value = "docs/fidelity.md")]
    out: String,
    /// Print the table only; write no report.
    #[arg(long)]
    no_write: bool,
    /// Re-measure only the presets given (`--preset`) and merge them into the results kept
    /// beside the report (`docs/fidelity.json`): the other rows stay as they were.
    #[arg(long)]
    merge: bool,
    /// Foreign load, in cores used by other processes, above which a run counts as noisy.
    #[arg(long, default_value_t = 0.25)]
    noisy: f64,
    /// Extra attempts per program when runs are noisy (each after waiting up to `--wait-s`
    /// for quiet).
    #[arg(long, default_value_t = 2)]
    retries: u32,
    /// Longest wait for a quiet machine before each attempt, seconds.
    #[arg(long, default_value_t = 10.0)]
    wait_s: f64,
    /// Keep the generated programs (their directory is printed).
    #[arg(long)]
    keep: bool,
}

/// Runs the comparison.
pub fn run(mut args: FidelityArgs) -> Result<(), Fail> {
    if args.quick {
        args.runs = 1;
        args.max_run_s = args.max_run_s.min(1.5);
    }
    let runs = args.runs.max(1);
    let cores = std::thread::available_parallelism()
        .map(|n| n.get() as u32)
        .unwrap_or(1);
    let dir = std::env::temp_dir().join(format!("whenasync-fidelity-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| Fail(format!("cannot create {}: {e}", dir.display())))?;
    let started = Instant::now();
    let load_start = loadavg();
    let mut rows = Vec::new();
    let mut python_version = String::new();
    let presets: Vec<Scenario> = presets::all()
        .into_iter()
        .filter(|sc| args.presets.is_empty() || args.presets.contains(&sc.name))
        .collect();
    if presets.is_empty() {
        return Err(Fail(format!(
            "no preset named {}; presets: {}",
            args.presets.join(", "),
            presets::names().collect::<Vec<_>>().join(", ")
        )));
    }
    for sc in presets {
        let (ck, preds, note) = prepare(sc, cores, args.max_run_s)?;
        let name = ck.scenario.name.clone();
        let tasks = ck.scenario.workload.arrivals.count();
        for (i, (model, pred)) in ck.scenario.models.iter().zip(&preds).enumerate() {
            let label = model.label();
            eprintln!(
                "{name} · {label}: predicted makespan {}",
                fmt_ms(ms(pred.summary.makespan))
            );
            let path = dir.join(format!("{name}-{i}.py"));
            std::fs::write(&path, python::program(&ck, model))
                .map_err(|e| Fail(format!("cannot write {}: {e}", path.display())))?;
            let limit = Duration::from_secs_f64(pred.summary.makespan as f64 / 1e9 * 5.0 + 60.0);
            let mut row = Row {
                preset: name.clone(),
                model: label.clone(),
                note: note.clone(),
                metric: insights::verdict_metric(&ck).to_string(),
                valid: pred.summary.unfinished == 0 && pred.summary.completed > 0,
                pred: [
                    ms(pred.summary.makespan),
                    ms(pred.summary.latency.p50),
                    ms(pred.summary.latency.p99),
                ],
                meas: None,
                foreign: None,
                busy: false,
                drift: false,
                runs: 0,
                failure: None,
            };
            match measure(&args, &path, &dir, runs, limit, tasks) {
                Ok(ms_runs) => {
                    if let Some(m) = ms_runs.first() {
                        python_version = m.python.clone();
                    }
                    let quiet: Vec<&Measured> = ms_runs
                        .iter()
                        .filter(|m| m.foreign.is_none_or(|f| f <= args.noisy))
                        .collect();
                    // Keep the quiet runs when there are enough; otherwise all, marked busy.
                    let kept: Vec<&Measured> = if quiet.len() >= runs as usize {
                        quiet
                    } else {
                        ms_runs.iter().collect()
                    };
                    row.busy = kept
                        .iter()
                        .any(|m| m.foreign.is_some_and(|f| f > args.noisy));
                    row.runs = kept.len();
                    let med = |f: &dyn Fn(&Measured) -> f64| median(kept.iter().map(|m| f(m)));
                    row.meas = Some([med(&|m| m.makespan), med(&|m| m.p50), med(&|m| m.p99)]);
                    let fs: Vec<f64> = kept.iter().filter_map(|m| m.foreign).collect();
                    row.foreign = (!fs.is_empty()).then(|| median(fs.into_iter()));
                    // Calibration drift, within a run (start vs end) or between runs.
                    let (lo, hi) = kept.iter().fold((f64::MAX, 0.0f64), |(lo, hi), m| {
                        let (a, b) = (m.loops_per_ms, m.loops_per_ms_after);
                        (lo.min(a).min(b), hi.max(a).max(b))
                    });
                    // `cpu` steps run on the thread's CPU clock, so only pbkdf2's fixed
                    // iteration counts feel a change of speed.
                    row.drift = kept.iter().any(|m| m.nogil) && hi > lo * 1.10;
                    if kept.iter().any(|m| !m.tasks_ok) {
                        row.failure = Some("wrong task count in the output".into());
                    }
                }
                Err(e) => row.failure = Some(e),
            }
            eprintln!("  {}", row_line(&row));
            rows.push(row);
        }
    }
    if !args.keep {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        eprintln!("programs kept in {}", dir.display());
    }
    let env = Env {
        python: python_version,
        cores,
        cpu: cpu_model(),
        load_start,
        load_end: loadavg(),
        minutes: started.elapsed().as_secs_f64() / 60.0,
        runs,
        max_run_s: args.max_run_s,
        noisy: args.noisy,
        date: today(),
        remeasured: None,
        header: None,
    };
    let json_path = Path::new(&args.out).with_extension("json");
    let mut env = env;
    if args.merge {
        let measured: Vec<String> = rows.iter().map(|r| r.preset.clone()).collect();
        let old = std::fs::read_to_string(&json_path)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .ok_or_else(|| Fail(format!("--merge: cannot read {}", json_path.display())))?;
        let mut merged: Vec<Row> = rows_from_json(&old["rows"])
            .into_iter()
            .filter(|r| !measured.contains(&r.preset))
            .collect();
        merged.append(&mut rows);
        let order: Vec<&str> = presets::names().collect();
        let rank = |p: &str| order.iter().position(|n| *n == p).unwrap_or(usize::MAX);
        merged.sort_by_key(|r| rank(&r.preset));
        rows = merged;
        let mut names = measured;
        names.dedup();
        let this_run = format!(
            "on {}, {} run{} per program, in {:.1} min, load average {} at the start.",
            env.date,
            env.runs,
            if env.runs == 1 { "" } else { "s" },
            env.minutes,
            env.load_start
                .map(|l| format!("{:.2}", l[0]))
                .unwrap_or_else(|| "unknown".into())
        );
        env.remeasured = Some(format!(
            "{}{} re-measured: {}",
            old["remeasured"]
                .as_str()
                .map(|s| format!("{s} "))
                .unwrap_or_default(),
            names.join(", "),
            this_run.trim_end()
        ));
        env.header = old["header"].as_str().map(str::to_string);
        env.date = old["date"].as_str().unwrap_or(&env.date).to_string();
    }
    let verdicts = verdicts(&rows);
    let table = render(&env, &rows, &verdicts);
    println!("{table}");
    if !args.no_write {
        write_report(Path::new(&args.out), &table)?;
        let v = serde_json::json!({
            "date": env.date, "header": env.header.clone().unwrap_or_else(|| header(&env)),
            "remeasured": env.remeasured, "rows": rows_json(&rows)
        });
        std::fs::write(
            &json_path,
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n",
        )
        .map_err(|e| Fail(format!("cannot write {}: {e}", json_path.display())))?;
        eprintln!("wrote {}", args.out);
    }
    Ok(())
}

/// The preset adjusted to this machine: its cores, and fewer tasks if it would run long.
/// Returns the checked scenario, the predicted runs and a note saying what was changed.
fn prepare(
    mut sc: Scenario,
    cores: u32,
    max_run_s: f64,
) -> Result<(Checked, Vec<Run>, String), Fail> {
    let mut notes = Vec::new();
    if sc.machine.cores != cores {
        notes.push(format!("cores {}→{cores}", sc.machine.cores));
        sc.machine.cores = cores;
    }
    let predict = |sc: &Scenario| -> Result<(Checked, Vec<Run>), Fail> {
        let ck = validate(sc)?;
        let runs = ck
            .scenario
            .models
            .iter()
            .map(|m| simulate_model(&ck, m).map_err(Fail::from))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((ck, runs))
    };
    let (ck, runs) = predict(&sc)?;
    let longest = runs.iter().map(|r| r.summary.makespan).max().unwrap_or(0) as f64 / 1e9;
    let count = sc.workload.arrivals.count();
    let cap = python::MAX_TASKS.min(count);
    let mut want = cap;
    if longest > max_run_s {
        want = want.min(((count as f64 * max_run_s / longest).ceil() as u32).max(20));
    }
    if let Arrivals::ClosedLoop { clients, .. } = sc.workload.arrivals {
        want = want.max(clients.min(count));
    }
    if want >= count {
        return Ok((ck, runs, notes.join(", ")));
    }
    notes.push(format!("tasks {count}→{want}"));
    match &mut sc.workload.arrivals {
        Arrivals::Burst { count }
        | Arrivals::Poisson { count, .. }
        | Arrivals::Interval { count, .. }
        | Arrivals::ClosedLoop { count, .. } => *count = want,
    }
    let (ck, runs) = predict(&sc)?;
    Ok((ck, runs, notes.join(", ")))
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

#[cfg(test)]
mod tests {
    use super::table::within;
    use super::*;

    #[test]
    fn target_is_ten_percent_or_five_ms() {
        assert!(within(110.0, 100.0));
        assert!(!within(112.0, 100.0));
        assert!(within(7.0, 3.0)); // small: 4 ms off
        assert!(!within(1200.0, 1000.0));
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(today().len(), 10);
    }

    #[test]
    fn report_keeps_the_text_around_the_markers() {
        let dir = std::env::temp_dir().join(format!("whenasync-fid-test-{}", std::process::id()));
        let path = dir.join("f.md");
        assert!(write_report(&path, "one").is_ok());
        let first = std::fs::read_to_string(&path).expect("read");
        assert!(first.contains("one"));
        std::fs::write(
            &path,
            first.replace("# Fidelity", "# Fidelity\n\nhand-written"),
        )
        .expect("edit");
        assert!(write_report(&path, "two").is_ok());
        let second = std::fs::read_to_string(&path).expect("read");
        assert!(
            second.contains("hand-written") && second.contains("two") && !second.contains("one\n")
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
