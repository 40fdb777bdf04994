//! Smoke test of `whenasync python`: for every preset and model (and a few scenarios that
//! cover what the presets do not: closed loops, timeouts on pools, offloads to thread and
//! process pools, limits, servers of threads), the generated program parses, runs under
//! python3 at a tiny scale (`WHENASYNC_SCALE=0.05`, fewer tasks), exits 0 and prints JSON in
//! the schema of `whenasync run --json` with the right number of tasks. Timings are not
//! checked here: that is `whenasync fidelity`'s job, on a quiet machine.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Tasks per program in the smoke run.
const SMOKE_TASKS: u64 = 40;

fn whenasync(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_whenasync"))
        .args(args)
        .output()
        .expect("run whenasync")
}

fn dir() -> PathBuf {
    // Cargo's scratch directory for integration tests, inside target/: nothing is left in /tmp.
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("python-programs");
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// The scenario with at most `SMOKE_TASKS` tasks (and no more clients than tasks).
fn reduced(mut v: Value) -> Value {
    let arrivals = v["workload"]["arrivals"]
        .as_object_mut()
        .expect("arrivals")
        .values_mut()
        .next()
        .expect("one kind");
    let count = arrivals["count"].as_u64().expect("count").min(SMOKE_TASKS);
    arrivals["count"] = count.into();
    if let Some(c) = arrivals.get("clients").and_then(Value::as_u64) {
        arrivals["clients"] = c.min(count).into();
    }
    v
}

fn labels(scenario: &Path) -> Vec<String> {
    let o = whenasync(&["run", scenario.to_str().expect("path"), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).expect("run --json");
    v["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| r["model"].as_str().expect("model").to_string())
        .collect()
}

/// Runs a program at scale 0.05; a program still running after `limit` is killed (a hang is a
/// failure, not a stuck test).
fn python3_with_timeout(program: &Path, limit: Duration) -> Result<Output, String> {
    let out = program.with_extension("out");
    let err = program.with_extension("err");
    let file = |p: &Path| std::fs::File::create(p).map_err(|e| e.to_string());
    let mut cmd = Command::new("python3");
    // Its own process group, so that a hang is killed with its worker processes.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd
        .arg(program)
        .current_dir(program.parent().expect("dir"))
        .env("WHENASYNC_SCALE", "0.05")
        .stdin(Stdio::null())
        .stdout(file(&out)?)
        .stderr(file(&err)?)
        .spawn()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    let t0 = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if t0.elapsed() > limit {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {limit:?}: killed"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ok(Output {
        status,
        stdout: std::fs::read(&out).map_err(|e| e.to_string())?,
        stderr: std::fs::read(&err).map_err(|e| e.to_string())?,
    })
}

/// Generates, parses and runs one program; returns a failure message, if any.
fn check(scenario: &Path, model: &str, count: u64) -> Result<(), String> {
    let o = whenasync(&["python", scenario.to_str().expect("path"), "--model", model]);
    if !o.status.success() {
        return Err(format!(
            "whenasync python failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let stem = scenario.file_stem().and_then(|s| s.to_str()).unwrap_or("x");
    let safe: String = model
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    let program = scenario.with_file_name(format!("{stem}-{safe}.py"));
    std::fs::write(&program, &o.stdout).map_err(|e| e.to_string())?;
    let run = python3_with_timeout(&program, Duration::from_secs(60))?;
    if !run.status.success() {
        return Err(format!(
            "exit {:?}: {}",
            run.status.code(),
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    let v: Value = serde_json::from_slice(&run.stdout).map_err(|e| {
        format!(
            "output is not JSON ({e}): {}",
            String::from_utf8_lossy(&run.stdout)
        )
    })?;
    let r = &v["runs"][0];
    if r["model"] != model {
        return Err(format!("model {} instead of {model}", r["model"]));
    }
    for key in ["makespan_ms", "throughput_per_s"] {
        if !r[key].is_number() {
            return Err(format!("{key} missing"));
        }
    }
    for key in ["completed", "cancelled", "timed_out", "unfinished"] {
        if !r[key].is_u64() {
            return Err(format!("{key} missing"));
        }
    }
    for key in ["mean", "p50", "p90", "p99", "max"] {
        if !r["latency_ms"][key].is_number() {
            return Err(format!("latency_ms.{key} missing"));
        }
    }
    let tasks = r["tasks"].as_array().ok_or("tasks missing")?;
    if tasks.len() as u64 != count {
        return Err(format!("{} tasks instead of {count}", tasks.len()));
    }
    for (i, t) in tasks.iter().enumerate() {
        if t["id"] != i as u64 || !t["class"].is_string() || !t["arrival_ms"].is_number() {
            return Err(format!("task {i}: {t}"));
        }
        for key in ["start_ms", "end_ms", "latency_ms"] {
            if !(t[key].is_number() || t[key].is_null()) {
                return Err(format!("task {i}: {key} in {t}"));
            }
        }
        if !t["cancelled"].is_boolean() || !t["timed_out"].is_boolean() {
            return Err(format!("task {i}: flags in {t}"));
        }
    }
    if r["unfinished"] != 0 {
        return Err(format!("{} unfinished tasks", r["unfinished"]));
    }
    let total: u64 = ["completed", "cancelled", "timed_out"]
        .iter()
        .map(|k| r[*k].as_u64().unwrap_or(0))
        .sum();
    if total != count {
        return Err(format!(
            "completed + cancelled + timed out = {total}, not {count}"
        ));
    }
    if !v["host"]["loops_per_ms"].is_number() {
        return Err("host.loops_per_ms missing".into());
    }
    Ok(())
}

/// Checks every (scenario, model) pair, a few at a time.
fn check_all(jobs: Vec<(PathBuf, String, u64)>) {
    let jobs = Mutex::new(jobs);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| loop {
                let Some((path, model, count)) = jobs.lock().expect("jobs").pop() else {
                    return;
                };
                if let Err(e) = check(&path, &model, count) {
                    failures
                        .lock()
                        .expect("failures")
                        .push(format!("{} · {model}: {e}", path.display()));
                }
            });
        }
    });
    let failures = failures.into_inner().expect("failures");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_preset_program_parses_runs_and_reports() {
    let presets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../presets");
    let dir = dir().join("presets");
    std::fs::create_dir_all(&dir).expect("dir");
    let mut jobs = Vec::new();
    let mut full_programs = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&presets)
        .expect("presets")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    for file in files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).expect("read"))
            .expect("preset JSON");
        let small = reduced(v);
        let count = small["workload"]["arrivals"]
            .as_object()
            .and_then(|a| a.values().next())
            .and_then(|a| a["count"].as_u64())
            .expect("count");
        let path = dir.join(file.file_name().expect("name"));
        std::fs::write(&path, small.to_string()).expect("write");
        for label in labels(&file) {
            // The full-size program must parse too (it embeds every task).
            let o = whenasync(&["python", file.to_str().expect("path"), "--model", &label]);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let full = dir.join(format!(
                "full-{}-{}.py",
                file.file_stem().and_then(|s| s.to_str()).expect("stem"),
                full_programs.len()
            ));
            std::fs::write(&full, &o.stdout).expect("write");
            full_programs.push(full);
            jobs.push((path.clone(), label, count));
        }
    }
    let parse = Command::new("python3")
        .arg("-c")
        .arg("import ast, sys\nfor p in sys.argv[1:]:\n    ast.parse(open(p, encoding='utf-8').read(), p)")
        .args(&full_programs)
        .output()
        .expect("python3");
    assert!(
        parse.status.success(),
        "{}",
        String::from_utf8_lossy(&parse.stderr)
    );
    check_all(jobs);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn programs_cover_closed_loops_timeouts_offloads_and_servers() {
    let dir = dir().join("features");
    std::fs::create_dir_all(&dir).expect("dir");
    let workload = |arrivals: &str, timeout: &str| {
        format!(
            r#"{{"version": 1, "seed": 5, "name": "features",
              "workload": {{
                "classes": [
                  {{"name": "web \"1\"", "weight": 3, "steps": [
                    {{"cpu": {{"uniform": ["0.5ms", "2ms"]}}}},
                    {{"gather": [[{{"io": {{"exp": "5ms"}}}}], [{{"cpu_nogil": "1ms"}}, {{"blocking_io": "2ms"}}]]}},
                    {{"offload": {{"steps": [{{"cpu": "1ms"}}, {{"io": "1ms"}}]}}}},
                    {{"offload": {{"pool": "procs", "steps": [{{"cpu": "2ms"}}]}}}},
                    {{"offload": {{"pool": "io", "steps": [{{"blocking_io": "3ms"}}]}}}}]}},
                  {{"name": "batch", "payload_kb": 64, "steps": [
                    {{"repeat": {{"times": 3, "steps": [{{"cpu": "1ms"}}, {{"io": "2ms"}}]}}}}]}}
                ],
                "arrivals": {arrivals}{timeout}
              }},
              "pools": {{"procs": {{"kind": "process", "workers": 2, "start": "spawn"}},
                         "io": {{"kind": "thread", "workers": 3}}}},
              "models": [
                {{"kind": "sync"}}, {{"kind": "async"}}, {{"kind": "async", "limit": 4}},
                {{"kind": "threads", "workers": 4}}, {{"kind": "processes", "workers": 2, "start": "forkserver"}},
                {{"kind": "server", "workers": 2, "inner": {{"kind": "sync"}}}},
                {{"kind": "server", "workers": 2, "inner": {{"kind": "async", "limit": 3}}}},
                {{"kind": "server", "workers": 2, "inner": {{"kind": "threads", "workers": 2}}}}
              ]}}"#
        )
    };
    let cases = [
        (
            "closed",
            r#"{"closed_loop": {"clients": 5, "think": {"exp": "3ms"}, "count": 24}}"#,
            r#", "timeout": "400ms""#,
            24,
        ),
        (
            "poisson",
            r#"{"poisson": {"rate_per_s": 400, "count": 24}}"#,
            r#", "timeout": "300ms""#,
            24,
        ),
        (
            "interval",
            r#"{"interval": {"every": "4ms", "count": 16}}"#,
            "",
            16,
        ),
        (
            "closed-no-timeout",
            r#"{"closed_loop": {"clients": 4, "think": "2ms", "count": 16}}"#,
            "",
            16,
        ),
        (
            "burst-tight-timeout",
            r#"{"burst": {"count": 16}}"#,
            r#", "timeout": "60ms""#,
            16,
        ),
    ];
    let mut jobs = Vec::new();
    for (name, arrivals, timeout, count) in cases {
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, workload(arrivals, timeout)).expect("write");
        for label in labels(&path) {
            jobs.push((path.clone(), label, count));
        }
    }
    check_all(jobs);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn python_needs_one_model_and_refuses_huge_scenarios() {
    let o = whenasync(&["python", "gather-10-queries", "--model", "all"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("name one"));
    let huge = dir().join("huge.json");
    std::fs::write(
        &huge,
        r#"{"version": 1, "workload": {"classes": [{"name": "q", "steps": [{"io": "1ms"}]}],
            "arrivals": {"burst": {"count": 50000}}}, "models": [{"kind": "async"}]}"#,
    )
    .expect("write");
    let o = whenasync(&["python", huge.to_str().expect("path"), "--model", "async"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("raise SystemExit") && text.contains("20000"),
        "{text}"
    );
    let run = Command::new("python3")
        .arg("-c")
        .arg(text.as_ref())
        .output()
        .expect("python3");
    assert!(!run.status.success());
    let _ = std::fs::remove_file(&huge);
    let _ = std::fs::remove_dir(dir());
}

#[test]
fn fidelity_runs_a_preset_and_prints_the_table() {
    let o = whenasync(&[
        "fidelity",
        "--quick",
        "--no-write",
        "--preset",
        "time-sleep-in-async",
        "--retries",
        "0",
        "--wait-s",
        "0",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "| time-sleep-in-async | sync |",
        "| time-sleep-in-async | threads(10) |",
        "### Winners",
    ] {
        assert!(out.contains(needle), "{needle} missing in\n{out}");
    }
    assert!(!out.contains("failed:"), "{out}");
}
