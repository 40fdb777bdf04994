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
///
/// Written through serde's derive rather than `serde_json::Value`: one pass, no map per event,
/// and no `Value` code in the page (6 KB of its gzipped wasm). Keys come in alphabetical order,
/// as they did when this was built from `Value`s; a test holds the two to the same bytes.
pub fn chrome_trace(run: &Run) -> String {
    use std::borrow::Cow;
    const CORES_PID: u32 = 100_000;
    let pid_of = |lane: &crate::run::Lane| match lane.kind {
        LaneKind::Core => CORES_PID,
        _ => lane.process.unwrap_or(0) + 1,
    };
    let meta = |name: &'static str, pid: u32, tid: u32, args| Event {
        args,
        cat: None,
        dur: None,
        name: Cow::Borrowed(name),
        ph: "M",
        pid,
        tid,
        ts: None,
    };
    let mut events: Vec<Event> = Vec::with_capacity(run.segments.len() * 2 + run.lanes.len() * 2);
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
            let args = Args {
                name: Some(Cow::Owned(pname)),
                ..Args::default()
            };
            events.push(meta("process_name", pid, 0, args));
        }
        let args = Args {
            name: Some(Cow::Borrowed(lane.name.as_str())),
            ..Args::default()
        };
        events.push(meta("thread_name", pid, lane.id, args));
        let args = Args {
            sort_index: Some(lane.id),
            ..Args::default()
        };
        events.push(meta("thread_sort_index", pid, lane.id, args));
    }
    // Each GIL's counter track, named once.
    let counters: Vec<Option<String>> = run
        .lanes
        .iter()
        .map(|l| (l.kind == LaneKind::Gil).then(|| format!("{} holder (task + 1)", l.name)))
        .collect();
    let us = |ns: Ns| ns as f64 / 1e3;
    for s in &run.segments {
        let lane = &run.lanes[s.lane as usize];
        let pid = pid_of(lane);
        let name = if s.task == NO_TASK {
            Cow::Borrowed(s.kind.label())
        } else {
            Cow::Owned(format!("task {} · {}", s.task, s.kind.label()))
        };
        let task = (s.task != NO_TASK).then_some(s.task as u64);
        events.push(Event {
            args: Args {
                kind: Some(s.kind.name()),
                task,
                ..Args::default()
            },
            cat: Some(s.kind.name()),
            dur: Some(us(s.end - s.start)),
            name,
            ph: "X",
            pid,
            tid: s.lane,
            ts: Some(us(s.start)),
        });
        if let Some(Some(cname)) = counters.get(s.lane as usize) {
            // Counter: which task holds this GIL (task id + 1; 0 = free).
            let holder = task.map_or(0, |t| t + 1);
            for (ts, task) in [(s.start, holder), (s.end, 0)] {
                events.push(Event {
                    args: Args {
                        task: Some(task),
                        ..Args::default()
                    },
                    cat: None,
                    dur: None,
                    name: Cow::Borrowed(cname.as_str()),
                    ph: "C",
                    pid,
                    tid: s.lane,
                    ts: Some(us(ts)),
                });
            }
        }
    }
    let trace = Trace {
        display_time_unit: "ms",
        other_data: OtherData {
            generator: "whenasync",
            model: &run.model,
        },
        trace_events: events,
    };
    serde_json::to_string(&trace).unwrap_or_default()
}

/// A trace-event file. Every struct here lists its keys alphabetically (see [`chrome_trace`]).
#[derive(serde::Serialize)]
struct Trace<'a> {
    #[serde(rename = "displayTimeUnit")]
    display_time_unit: &'static str,
    #[serde(rename = "otherData")]
    other_data: OtherData<'a>,
    #[serde(rename = "traceEvents")]
    trace_events: Vec<Event<'a>>,
}

#[derive(serde::Serialize)]
struct OtherData<'a> {
    generator: &'static str,
    model: &'a str,
}

#[derive(serde::Serialize)]
struct Event<'a> {
    args: Args<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cat: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dur: Option<f64>,
    name: std::borrow::Cow<'a, str>,
    ph: &'static str,
    pid: u32,
    tid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<f64>,
}

#[derive(Default, serde::Serialize)]
struct Args<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<std::borrow::Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sort_index: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    task: Option<u64>,
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

#[cfg(test)]
mod tests;
