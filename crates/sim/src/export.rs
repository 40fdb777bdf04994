//! Exports of runs: the JSON schema of `whenasync run --json`, Chrome trace-event JSON (opens
//! in Perfetto UI and `chrome://tracing`), and CSV of per-task records. Pure functions from
//! runs to text, shared by the command line and the page.

use serde_json::{json, Map, Value};

use crate::duration::Ns;
use crate::run::{Kind, LaneKind, Run, Stats, NO_TASK};

fn ms(ns: Ns) -> f64 {
    ns as f64 / 1e6
}

fn stats_ms(s: &Stats) -> Value {
    json!({ "mean": s.mean / 1e6, "p50": ms(s.p50), "p90": ms(s.p90), "p99": ms(s.p99), "max": ms(s.max) })
}

/// One run in the `whenasync run --json` schema.
pub fn run_json(run: &Run) -> Value {
    let s = &run.summary;
    let mut by_kind = Map::new();
    for k in Kind::ALL {
        by_kind.insert(k.name().into(), json!(ms(s.time_by_kind[k as usize])));
    }
    let tasks: Vec<Value> = run
        .tasks
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "class": run.classes.get(t.class as usize).cloned().unwrap_or_default(),
                "arrival_ms": ms(t.arrival),
                "start_ms": t.start.map(ms),
                "end_ms": t.end.map(ms),
                "latency_ms": t.latency().map(ms),
                "cancelled": t.cancelled,
                "timed_out": t.timed_out,
            })
        })
        .collect();
    let insights: Vec<Value> = run
        .insights
        .iter()
        .map(|i| json!({ "rule": i.rule, "text": i.text, "task": i.task, "lane": i.lane, "start_ms": ms(i.start), "end_ms": ms(i.end) }))
        .collect();
    json!({
        "model": run.model,
        "family": run.family,
        "makespan_ms": ms(s.makespan),
        "throughput_per_s": s.throughput_per_s,
        "completed": s.completed,
        "cancelled": s.cancelled,
        "timed_out": s.timed_out,
        "unfinished": s.unfinished,
        "latency_ms": stats_ms(&s.latency),
        "core_utilisation": s.core_utilisation,
        "gil_wait_ms": ms(s.gil_wait),
        "gil_contention": s.gil_contention,
        "loop_lag_ms": stats_ms(&s.loop_lag),
        "time_by_kind_ms": by_kind,
        "events": s.events,
        "tasks": tasks,
        "insights": insights,
    })
}

/// Several runs of one scenario, with the verdict when there is one.
pub fn runs_json(runs: &[Run], verdict: Option<&str>) -> Value {
    let mut v = json!({ "runs": runs.iter().map(run_json).collect::<Vec<_>>() });
    if let Some(text) = verdict {
        v["verdict"] = json!(text);
    }
    v
}

/// Chrome trace-event JSON of one run: each lane is a thread (grouped into its process, cores
/// in a "CPU cores" process), each segment a complete slice, and each GIL's holder a counter.
pub fn chrome_trace(run: &Run) -> String {
    const CORES_PID: u32 = 100_000;
    let pid_of = |lane: &crate::run::Lane| match lane.kind {
        LaneKind::Core => CORES_PID,
        _ => lane.process.unwrap_or(0) + 1,
    };
    let mut events = Vec::with_capacity(run.segments.len() * 2 + run.lanes.len() * 2);
    let mut named = std::collections::BTreeSet::new();
    for lane in &run.lanes {
        let pid = pid_of(lane);
        if named.insert(pid) {
            let pname = if pid == CORES_PID {
                "CPU cores".to_string()
            } else if pid == 1 {
                format!("{} · main process", run.model)
            } else {
                format!("process {}", pid - 1)
            };
            events.push(json!({ "ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": { "name": pname } }));
        }
        events.push(json!({ "ph": "M", "name": "thread_name", "pid": pid, "tid": lane.id, "args": { "name": lane.name } }));
        events.push(json!({ "ph": "M", "name": "thread_sort_index", "pid": pid, "tid": lane.id, "args": { "sort_index": lane.id } }));
    }
    let us = |ns: Ns| ns as f64 / 1e3;
    for s in &run.segments {
        let lane = &run.lanes[s.lane as usize];
        let pid = pid_of(lane);
        let name = if s.task == NO_TASK {
            s.kind.label().to_string()
        } else {
            format!("task {} · {}", s.task, s.kind.label())
        };
        let mut args = json!({ "kind": s.kind.name() });
        if s.task != NO_TASK {
            args["task"] = json!(s.task);
        }
        events.push(json!({
            "ph": "X", "name": name, "cat": s.kind.name(), "pid": pid, "tid": s.lane,
            "ts": us(s.start), "dur": us(s.end - s.start), "args": args,
        }));
        if lane.kind == LaneKind::Gil {
            // Counter: which task holds this GIL (task id + 1; 0 = free).
            let holder = if s.task == NO_TASK {
                0
            } else {
                s.task as u64 + 1
            };
            let cname = format!("{} holder (task + 1)", lane.name);
            events.push(json!({ "ph": "C", "name": cname, "pid": pid, "tid": s.lane, "ts": us(s.start), "args": { "task": holder } }));
            events.push(json!({ "ph": "C", "name": cname, "pid": pid, "tid": s.lane, "ts": us(s.end), "args": { "task": 0 } }));
        }
    }
    json!({ "traceEvents": events, "displayTimeUnit": "ms", "otherData": { "model": run.model, "generator": "whenasync" } })
        .to_string()
}

/// CSV of per-task records, with time per kind in ms.
pub fn tasks_csv(run: &Run) -> String {
    let mut out =
        String::from("id,class,arrival_ms,start_ms,end_ms,latency_ms,cancelled,timed_out");
    for k in Kind::ALL {
        out.push(',');
        out.push_str(k.name());
        out.push_str("_ms");
    }
    out.push('\n');
    let opt = |v: Option<Ns>| v.map(|x| format!("{}", ms(x))).unwrap_or_default();
    for t in &run.tasks {
        let class = run
            .classes
            .get(t.class as usize)
            .map(|c| csv_field(c))
            .unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}",
            t.id,
            class,
            ms(t.arrival),
            opt(t.start),
            opt(t.end),
            opt(t.latency()),
            t.cancelled,
            t.timed_out
        ));
        for k in Kind::ALL {
            out.push_str(&format!(",{}", ms(t.time_by_kind[k as usize])));
        }
        out.push('\n');
    }
    out
}

fn csv_field(s: &str) -> String {
    // Also defuse spreadsheet formulas in names that came from a link.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}
