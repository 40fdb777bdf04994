//! The trace export against the way it was first written, from `serde_json::Value`s: the same
//! bytes for every model of every preset.

use serde_json::json;

use super::chrome_trace;
use crate::duration::Ns;
use crate::run::{LaneKind, Run, NO_TASK};

/// The reference: `chrome_trace` as it was built from `json!` values (keys in a `Value` map
/// come out alphabetically).
pub fn chrome_trace_from_values(run: &Run) -> String {
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

#[test]
fn the_trace_is_the_one_values_wrote() {
    let (mut gil_counters, mut compared) = (0, 0);
    for scenario in crate::presets::all() {
        for run in crate::simulate(&scenario).expect("a preset simulates") {
            // The biggest runs take seconds through `Value`s in a debug build, and add nothing.
            if run.segments.len() > 50_000 {
                continue;
            }
            compared += 1;
            let trace = chrome_trace(&run);
            assert!(
                trace == chrome_trace_from_values(&run),
                "{} {}: the trace differs",
                scenario.name,
                run.model
            );
            gil_counters += trace.matches(r#""ph":"C""#).count();
        }
    }
    // The presets exercise every kind of event: metadata, slices and GIL counters.
    assert!(
        gil_counters > 0 && compared >= 30,
        "{compared} runs, {gil_counters} counters"
    );
}
