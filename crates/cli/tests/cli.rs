//! The command line as a user runs it: real process, real files, exit codes.

use std::process::{Command, Output};

fn whenasync(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_whenasync"))
        .args(args)
        .output()
        .expect("run whenasync")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    // Cargo's scratch directory for integration tests, inside target/: nothing is left in /tmp.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn presets_lists_names_and_titles() {
    let o = whenasync(&["presets"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.lines()
            .any(|l| l.starts_with("gather-10-queries ") && l.len() > 30),
        "{out}"
    );
}

#[test]
fn run_json_follows_the_schema() {
    let o = whenasync(&["run", "gather-10-queries", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    let runs = v["runs"].as_array().expect("runs");
    assert!(runs.len() >= 2);
    for r in runs {
        for key in [
            "model",
            "makespan_ms",
            "throughput_per_s",
            "latency_ms",
            "tasks",
            "insights",
        ] {
            assert!(!r[key].is_null(), "missing {key} in {r}");
        }
        for key in ["mean", "p50", "p90", "p99", "max"] {
            assert!(r["latency_ms"][key].is_number(), "latency_ms.{key}");
        }
        let t = &r["tasks"][0];
        for key in [
            "id",
            "class",
            "arrival_ms",
            "start_ms",
            "end_ms",
            "latency_ms",
            "cancelled",
        ] {
            assert!(!t[key].is_null(), "missing task field {key}");
        }
    }
    let makespan = |family: &str| {
        runs.iter()
            .find(|r| r["family"] == family)
            .and_then(|r| r["makespan_ms"].as_f64())
            .expect(family)
    };
    assert!(makespan("async") * 5.0 < makespan("sync"));
    assert!(
        v["verdict"]
            .as_str()
            .is_some_and(|s| s.starts_with("async")),
        "{}",
        v["verdict"]
    );
}

#[test]
fn run_prints_a_readable_summary_with_insights_and_verdict() {
    let o = whenasync(&["run", "gather-10-queries"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains("makespan") && out.contains(" ms") && out.contains("verdict: "),
        "{out}"
    );
    let one = whenasync(&["run", "gather-10-queries", "--model", "async"]);
    let out = stdout(&one);
    assert!(out.contains("\nasync") && !out.contains("\nsync"), "{out}");
}

#[test]
fn trace_writes_chrome_trace_events() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("trace.json");
    let o = whenasync(&[
        "trace",
        "gather-10-queries",
        "--model",
        "async",
        "-o",
        path.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("trace")).expect("JSON");
    let events = v["traceEvents"].as_array().expect("traceEvents");
    let slices = events.iter().filter(|e| e["ph"] == "X").count();
    let names = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .count();
    let counters = events.iter().filter(|e| e["ph"] == "C").count();
    assert!(
        slices > 10 && names >= 3 && counters > 0,
        "{slices} slices, {names} lanes, {counters} counters"
    );
    for e in events.iter().filter(|e| e["ph"] == "X") {
        assert!(e["ts"].as_f64().is_some() && e["dur"].as_f64().is_some_and(|d| d >= 0.0));
    }
}

#[test]
fn csv_has_a_row_per_task() {
    let o = whenasync(&["csv", "gather-10-queries", "--model", "sync"]);
    assert!(o.status.success());
    let out = stdout(&o);
    let mut lines = out.lines();
    assert!(lines
        .next()
        .is_some_and(|h| h.starts_with("id,class,arrival_ms")));
    assert_eq!(lines.count(), 10);
}

/// Bad input: one line on stderr naming the problem, exit code 2, nothing on stdout.
fn assert_refused(args: &[&str], needle: &str) {
    let o = whenasync(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains(needle),
        "{args:?}: expected {needle:?} in {err}"
    );
    assert!(stdout(&o).is_empty());
}

#[test]
fn bad_input_is_refused_with_one_clear_line() {
    assert_refused(&["run", "no-such-preset"], "presets: gather-10-queries");
    let broken = temp_file("broken.json", "{\"version\": 1, \"workload\": ");
    assert_refused(&["run", broken.to_str().expect("utf8")], "invalid scenario");
    let future = temp_file("future.json", r#"{"version": 99, "workload": {}}"#);
    assert_refused(
        &["run", future.to_str().expect("utf8")],
        "unsupported scenario version 99",
    );
    let huge = temp_file(
        "huge.json",
        r#"{"version":1,"workload":{"classes":[{"name":"a","steps":[{"io":"1ms"}]}],"arrivals":{"burst":{"count":5000000}}}}"#,
    );
    assert_refused(
        &["run", huge.to_str().expect("utf8")],
        "over the limit of 1000000",
    );
    let typo = temp_file(
        "typo.json",
        r#"{"version":1,"workload":{"classes":[{"name":"a","steps":[{"cpuu":"1ms"}]}],"arrivals":{"burst":{"count":5}}}}"#,
    );
    assert_refused(
        &["run", typo.to_str().expect("utf8")],
        "unknown variant `cpuu`",
    );
    assert_refused(
        &["run", "gather-10-queries", "--model", "quantum"],
        "unknown model \"quantum\"",
    );
}
