//! Measuring: runs one generated program under CPython (retrying when the machine is busy),
//! watches the load of other processes in `/proc/stat` around each run, parses the program's
//! JSON output, and reads what the report says about the machine (CPU, load average, date).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::FidelityArgs;

/// One measured run of one program.
pub(super) struct Measured {
    pub(super) makespan: f64,
    pub(super) p50: f64,
    pub(super) p99: f64,
    pub(super) loops_per_ms: f64,
    /// The same calibration, repeated after the run.
    pub(super) loops_per_ms_after: f64,
    /// The program has `cpu_nogil` steps: a fixed count of pbkdf2 iterations, so a change of
    /// the machine's speed changes their duration.
    pub(super) nogil: bool,
    /// Cores used by other processes during the run (`None` without `/proc/stat`).
    pub(super) foreign: Option<f64>,
    pub(super) python: String,
    pub(super) tasks_ok: bool,
}

/// Runs one program `runs` times (retrying noisy runs), in `dir`.
pub(super) fn measure(
    args: &FidelityArgs,
    program: &Path,
    dir: &Path,
    runs: u32,
    limit: Duration,
    tasks: u32,
) -> Result<Vec<Measured>, String> {
    let mut out = Vec::new();
    let mut quiet = 0;
    let mut attempts = 0;
    // The planned runs, plus up to `retries` more while too few of them were quiet.
    while quiet < runs && attempts < runs + args.retries {
        wait_for_quiet(args.noisy, args.wait_s);
        attempts += 1;
        let m = once(&args.python, program, dir, limit, tasks)?;
        let noisy = m.foreign.is_some_and(|f| f > args.noisy);
        if noisy {
            eprintln!(
                "  attempt {attempts}: other processes used {:.2} cores: noisy",
                m.foreign.unwrap_or(0.0)
            );
        } else {
            quiet += 1;
        }
        out.push(m);
    }
    Ok(out)
}

/// One run of a program.
fn once(
    python: &str,
    program: &Path,
    dir: &Path,
    limit: Duration,
    tasks: u32,
) -> Result<Measured, String> {
    let stdout_path = dir.join("stdout.json");
    let stderr_path = dir.join("stderr.txt");
    let open = |p: &PathBuf| std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()));
    let (busy0, kids0) = (busy_ticks(), children_ticks());
    let t0 = Instant::now();
    let mut cmd = Command::new(python);
    // Its own process group, so that a timeout kills its worker processes too.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd
        .arg(program)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(open(&stdout_path)?)
        .stderr(open(&stderr_path)?)
        .spawn()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if t0.elapsed() > limit => {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {:.0} s", limit.as_secs_f64()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(e.to_string()),
        }
    };
    let wall = t0.elapsed().as_secs_f64();
    let foreign = match (busy0, busy_ticks(), kids0, children_ticks()) {
        (Some(b0), Some(b1), Some(k0), Some(k1)) => {
            let others = (b1 - b0) - (k1 - k0);
            Some((others as f64 / 100.0 / wall).max(0.0))
        }
        _ => None,
    };
    if !status.success() {
        let err = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        let tail: Vec<&str> = err.lines().rev().take(3).collect();
        return Err(format!(
            "exit {}: {}",
            status.code().unwrap_or(-1),
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        ));
    }
    let text = std::fs::read_to_string(&stdout_path).map_err(|e| e.to_string())?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("invalid JSON output: {e}"))?;
    let r = &v["runs"][0];
    let num = |x: &Value| {
        x.as_f64()
            .ok_or_else(|| format!("missing number in output: {x}"))
    };
    Ok(Measured {
        makespan: num(&r["makespan_ms"])?,
        p50: num(&r["latency_ms"]["p50"])?,
        p99: num(&r["latency_ms"]["p99"])?,
        loops_per_ms: num(&v["host"]["loops_per_ms"])?,
        loops_per_ms_after: num(&v["host"]["loops_per_ms_after"])?,
        nogil: v["host"]["pbkdf2_per_ms"].is_number(),
        foreign,
        python: v["host"]["python"].as_str().unwrap_or("").to_string(),
        tasks_ok: r["tasks"].as_array().map(|t| t.len()) == Some(tasks as usize),
    })
}

/// Kills process group `pgid` (the program and its workers).
fn kill_group(pgid: u32) {
    if cfg!(unix) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .status();
    }
}

/// Waits (up to `max_s`) until other processes use at most `noisy` cores.
fn wait_for_quiet(noisy: f64, max_s: f64) {
    let t0 = Instant::now();
    loop {
        let Some(b0) = busy_ticks() else { return };
        std::thread::sleep(Duration::from_millis(500));
        let Some(b1) = busy_ticks() else { return };
        let load = (b1 - b0) as f64 / 100.0 / 0.5;
        if load <= noisy || t0.elapsed().as_secs_f64() >= max_s {
            return;
        }
    }
}

/// Non-idle CPU time of the whole machine, in clock ticks (`/proc/stat`, USER_HZ = 100).
fn busy_ticks() -> Option<i64> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let v: Vec<i64> = text
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|x| x.parse().ok())
        .collect();
    if v.len() < 8 {
        return None;
    }
    Some(v.iter().sum::<i64>() - v[3] - v[4])
}

/// CPU time of this process's waited-for children (and theirs), in clock ticks.
fn children_ticks() -> Option<i64> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces) start at field 3.
    let rest = &text[text.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // cutime and cstime are fields 16 and 17 (1-based), i.e. 13 and 14 here.
    Some(f.get(13)?.parse::<i64>().ok()? + f.get(14)?.parse::<i64>().ok()?)
}

pub(super) fn loadavg() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let v: Vec<f64> = text
        .split_whitespace()
        .take(3)
        .filter_map(|x| x.parse().ok())
        .collect();
    (v.len() == 3).then(|| [v[0], v[1], v[2]])
}

pub(super) fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// Today's date (UTC), `YYYY-MM-DD`.
pub(super) fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
