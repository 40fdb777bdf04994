//! Tests of the generator: embedded arrivals, think times and plans are exactly the engine's,
//! scenario text cannot escape, and every model gets its runner.

use super::text::{lit, ms};
use super::*;
use crate::duration::Ns;
use crate::plan::{draw_task, PStep, Plan};
use crate::scenario::Scenario;
use crate::validate::validate;

fn checked(json: &str) -> Checked {
    validate(&Scenario::from_json(json).expect("parse")).expect("valid")
}

fn scenario(arrivals: &str, extra: &str) -> Checked {
    checked(&format!(
        r#"{{"version": 1, "seed": 42,
            "workload": {{
              "classes": [
                {{"name": "a", "weight": 3, "steps": [{{"cpu": {{"uniform": ["1ms", "3ms"]}}}},
                   {{"io": {{"exp": "10ms"}}}},
                   {{"gather": [[{{"io": "5ms"}}], [{{"cpu_nogil": "1.5ms"}}, {{"blocking_io": {{"lognormal": {{"median": "2ms", "sigma": 0.5}}}}}}]]}},
                   {{"offload": {{"pool": "procs", "steps": [{{"cpu": "7us"}}]}}}}]}},
                {{"name": "b \"quoted\"\n", "payload_kb": 256, "steps": [{{"repeat": {{"times": 3, "steps": [{{"cpu": "0.5ms"}}]}}}},
                   {{"offload": {{"steps": [{{"blocking_io": "1ms"}}]}}}}]}}
              ],
              "arrivals": {arrivals}{extra}
            }},
            "pools": {{"procs": {{"kind": "process", "workers": 2, "start": "spawn"}}}},
            "models": [{{"kind": "sync"}}, {{"kind": "async", "limit": 3}}, {{"kind": "threads", "workers": 4}},
                       {{"kind": "processes", "workers": 2}},
                       {{"kind": "server", "workers": 2, "inner": {{"kind": "async"}}}},
                       {{"kind": "server", "workers": 2, "inner": {{"kind": "threads", "workers": 2}}}}]
        }}"#
    ))
}

#[test]
fn ms_is_exact() {
    assert_eq!(ms(0), "0");
    assert_eq!(ms(1), "0.000001");
    assert_eq!(ms(200_000), "0.2");
    assert_eq!(ms(100_000_000), "100");
    assert_eq!(ms(12_345_678_901), "12345.678901");
}

#[test]
fn arrival_times_are_the_engines() {
    for arrivals in [
        r#"{"poisson": {"rate_per_s": 300, "count": 200}}"#,
        r#"{"interval": {"every": "7.5ms", "count": 50}}"#,
        r#"{"burst": {"count": 20}}"#,
    ] {
        let ck = scenario(arrivals, "");
        let times = arrival_times(&ck).expect("open loop");
        for model in &ck.scenario.models {
            let run = crate::simulate_model(&ck, model).expect("run");
            let engine: Vec<Ns> = run.tasks.iter().map(|t| t.arrival).collect();
            assert_eq!(times, engine, "{arrivals} under {}", model.label());
        }
    }
}

#[test]
fn think_times_are_the_engines() {
    // Closed loop: task k ≥ clients is issued when the (k − clients)-th response comes
    // back, a think time (drawn for the finished task) later.
    let ck = scenario(
        r#"{"closed_loop": {"clients": 3, "think": {"exp": "4ms"}, "count": 40}}"#,
        "",
    );
    assert!(arrival_times(&ck).is_none());
    let think = think_times(&ck);
    assert_eq!(think.len(), 40);
    let run = crate::simulate_model(&ck, &Model::Sync).expect("run");
    let mut ends: Vec<(Ns, u32)> = run
        .tasks
        .iter()
        .map(|t| (t.end.expect("finished"), t.id))
        .collect();
    ends.sort();
    for (k, &(end, n)) in ends.iter().enumerate().take(40 - 3) {
        let issued = &run.tasks[3 + k];
        assert_eq!(
            issued.arrival,
            end + think[n as usize],
            "task {}",
            issued.id
        );
    }
}

/// Parses the `PLANS = [...]` and `TASK_PLAN = ...` of a program.
fn embedded(program: &str) -> (Vec<serde_json::Value>, Vec<usize>) {
    let start = program.find("\nPLANS = [\n").expect("PLANS") + "\nPLANS = ".len();
    let end = start + program[start..].find("\n]\n").expect("end of PLANS") + 2;
    let plans: Vec<serde_json::Value> =
        serde_json::from_str(&program[start..end].replace(",\n]", "\n]")).expect("PLANS is JSON");
    let line = program
        .lines()
        .find(|l| l.starts_with("TASK_PLAN = "))
        .expect("TASK_PLAN");
    let expr = line["TASK_PLAN = ".len()..]
        .split("  #")
        .next()
        .expect("expr")
        .trim();
    let count: usize = program
        .lines()
        .find_map(|l| l.strip_prefix("COUNT = "))
        .expect("COUNT")
        .parse()
        .expect("count");
    let of_task = if let Some(n) = expr.strip_prefix("list(range(") {
        (0..n.trim_end_matches("))").parse::<usize>().expect("n")).collect()
    } else if let Some((v, n)) = expr.strip_prefix('[').and_then(|e| e.split_once("] * ")) {
        vec![v.parse().expect("plan"); n.parse().expect("n")]
    } else {
        // A multi-line literal or runs(...): read up to the closing bracket.
        let from = program.find("TASK_PLAN = ").expect("TASK_PLAN");
        let text = &program[from + "TASK_PLAN = ".len()..];
        let end = text.find("\n]").expect("end") + 2;
        let body = &text[..end];
        if let Some(r) = body.strip_prefix("runs(") {
            let pairs: Vec<(usize, usize)> =
                serde_json::from_str(&r.replace(",\n]", "\n]")).expect("runs");
            pairs.iter().flat_map(|&(p, k)| vec![p; k]).collect()
        } else {
            serde_json::from_str(&body.replace(",\n]", "\n]")).expect("list")
        }
    };
    assert_eq!(of_task.len(), count);
    (plans, of_task)
}

/// Turns an embedded steps list back into drawn steps, to compare with `draw_task`.
fn steps_back(v: &serde_json::Value, out: &mut Vec<String>) {
    for s in v.as_array().expect("steps") {
        let a = s.as_array().expect("step");
        let kind = a[0].as_str().expect("kind");
        let ns = |x: &serde_json::Value| (x.as_f64().expect("ms") * 1e6).round() as Ns;
        match kind {
            "offload" => {
                let pool = a[1].as_str().expect("pool");
                out.push(format!("offload {pool} {}", a.len()));
                steps_back(&a[2], out);
                out.push("end".into());
            }
            "gather" => {
                for b in a[1].as_array().expect("branches") {
                    out.push("branch".into());
                    steps_back(b, out);
                }
                out.push("end".into());
            }
            _ => out.push(format!("{kind} {}", ns(&a[1]))),
        }
    }
}

fn drawn(ck: &Checked, plan: &Plan, seq: u32, out: &mut Vec<String>) {
    let mut pc = 0;
    while let Some(step) = plan.step(seq, pc) {
        match step {
            PStep::Cpu(d) => out.push(format!("cpu {d}")),
            PStep::CpuNoGil(d) => out.push(format!("cpu_nogil {d}")),
            PStep::Io(d) => out.push(format!("io {d}")),
            PStep::Blocking(d) => out.push(format!("blocking_io {d}")),
            PStep::Offload { pool, seq } => {
                let p = &ck.pools[pool as usize];
                let n = if matches!(p.spec, PoolSpec::Process { .. }) {
                    4
                } else {
                    3
                };
                out.push(format!("offload {} {n}", p.name));
                drawn(ck, plan, seq, out);
                out.push("end".into());
            }
            PStep::Gather { first, n } => {
                for b in 0..n {
                    out.push("branch".into());
                    drawn(ck, plan, first + b, out);
                }
                out.push("end".into());
            }
        }
        pc += 1;
    }
}

#[test]
fn embedded_plans_are_draw_task() {
    for arrivals in [
        r#"{"poisson": {"rate_per_s": 300, "count": 300}}"#,
        r#"{"burst": {"count": 5}}"#,
    ] {
        let ck = scenario(arrivals, "");
        let text = program(&ck, &Model::Threads { workers: 4 });
        let (plans, of_task) = embedded(&text);
        for (n, &p) in of_task.iter().enumerate() {
            let (class, plan) = draw_task(&ck, n as u32);
            let entry = plans[p].as_array().expect("plan");
            assert_eq!(entry[0].as_u64(), Some(class as u64), "task {n}");
            let (mut want, mut got) = (Vec::new(), Vec::new());
            drawn(&ck, &plan, 0, &mut want);
            steps_back(&entry[1], &mut got);
            assert_eq!(got, want, "task {n}");
        }
    }
}

#[test]
fn identical_tasks_share_one_plan() {
    let ck = checked(
        r#"{"version": 1, "workload": {"classes": [{"name": "q", "steps": [{"io": "1s"}]}],
            "arrivals": {"burst": {"count": 10000}}}, "models": [{"kind": "async"}]}"#,
    );
    let text = program(&ck, &Model::Async { limit: None });
    assert!(text.contains("TASK_PLAN = [0] * 10000"), "{text}");
    assert!(text.contains("ARRIVAL_MS = [0] * 10000"));
    assert!(text.len() < 12_000, "{} bytes", text.len());
}

#[test]
fn too_many_tasks_are_refused_with_a_reason() {
    let ck = checked(
        r#"{"version": 1, "name": "huge", "workload": {"classes": [{"name": "q", "steps": [{"io": "1ms"}]}],
            "arrivals": {"burst": {"count": 20001}}}}"#,
    );
    let text = program(&ck, &Model::Sync);
    assert!(text.contains("raise SystemExit"));
    assert!(text.contains("20000"));
    assert!(text.lines().count() < 10);
}

#[test]
fn scenario_text_cannot_escape_its_comment_or_string() {
    let ck = checked(
        r#"{"version": 1, "name": "x\nimport os; os.system('boom')",
            "title": "\"\"\"\\N{oops} \r\u2028evil()", "description": "coding: latin-1",
            "workload": {"classes": [{"name": "c\"]\nevil()\n#", "steps": [{"io": "1ms"}]}],
            "arrivals": {"burst": {"count": 2}}},
            "pools": {"p\"\n": {"kind": "thread", "workers": 2}}}"#,
    );
    let text = program(&ck, &Model::Sync);
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("import os;") && !line.starts_with("evil()"),
            "{line}"
        );
    }
    // User text never lands on the first two lines (a coding cookie there would change how
    // Python decodes the file).
    assert!(!text.lines().take(2).any(|l| l.contains("latin")));
}

#[test]
fn loops_use_select_unless_a_server_may_outgrow_it() {
    let server = |count: u32| {
        checked(&format!(
            r#"{{"version": 1, "workload": {{"classes": [{{"name": "q", "steps": [{{"io": "1ms"}}]}}],
                "arrivals": {{"burst": {{"count": {count}}}}}}},
                "models": [{{"kind": "server", "workers": 2, "inner": {{"kind": "async"}}}}]}}"#
        ))
    };
    let model = Model::Server {
        workers: 2,
        inner: Box::new(Model::Async { limit: None }),
    };
    let small = program(&server(100), &model);
    assert!(small.contains("selectors.SelectSelector()") && small.contains("import selectors"));
    let big = program(&server(1000), &model);
    assert!(big.contains("return asyncio.run(main)") && !big.contains("selectors"));
    let asyncio = program(&server(5000), &Model::Async { limit: None });
    assert!(asyncio.contains("selectors.SelectSelector()"));
}

#[test]
fn every_model_gets_its_own_runner() {
    let ck = scenario(
        r#"{"poisson": {"rate_per_s": 300, "count": 30}}"#,
        r#", "timeout": "50ms""#,
    );
    for model in &ck.scenario.models {
        let text = program(&ck, model);
        assert!(text.contains("def run_model():"), "{}", model.label());
        assert!(text.contains(&format!("MODEL = {}", lit(&model.label()))));
        assert!(text.ends_with("if __name__ == \"__main__\":\n    main()\n"));
        match model {
            Model::Async { .. } => assert!(text.contains("asyncio.timeout(")),
            Model::Threads { .. } | Model::Processes { .. } => {
                assert!(text.contains("future.result(timeout="))
            }
            _ => {}
        }
    }
}
