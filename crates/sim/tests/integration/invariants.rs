//! Property tests of the engine's invariants over random small scenarios. A failing case
//! prints its scenario JSON (and proptest its seed), so it can be replayed with the CLI.

use proptest::prelude::*;
use whenasync_sim::plan::{draw_task, PStep};
use whenasync_sim::{
    event_counts, simulate_model, simulate_model_within, simulate_summary, validate, Kind,
    LaneKind, Model, Run, Scenario,
};

/// A random step list, at most one level of `offload`/`gather` nesting.
fn steps_json(depth: u32) -> BoxedStrategy<String> {
    let dur = prop_oneof![
        (1u32..40).prop_map(|ms| format!("\"{ms}ms\"")),
        (1u32..20, 20u32..40).prop_map(|(a, b)| format!("{{\"uniform\":[\"{a}ms\",\"{b}ms\"]}}")),
        (1u32..20).prop_map(|ms| format!("{{\"exp\":\"{ms}ms\"}}")),
        (1u32..20)
            .prop_map(|ms| format!("{{\"lognormal\":{{\"median\":\"{ms}ms\",\"sigma\":0.5}}}}")),
    ];
    let leaf = (0u32..4, dur).prop_map(|(k, d)| {
        let kind = ["cpu", "cpu_nogil", "io", "blocking_io"][k as usize];
        format!("{{\"{kind}\":{d}}}")
    });
    if depth == 0 {
        return prop::collection::vec(leaf, 1..4)
            .prop_map(|v| format!("[{}]", v.join(",")))
            .boxed();
    }
    let inner = steps_json(depth - 1);
    let nested = prop_oneof![
        3 => leaf,
        1 => (inner.clone(), prop::bool::ANY).prop_map(|(s, proc_pool)| {
            let pool = if proc_pool { "procs" } else { "default" };
            format!("{{\"offload\":{{\"pool\":\"{pool}\",\"steps\":{s}}}}}")
        }),
        1 => prop::collection::vec(inner.clone(), 1..4).prop_map(|bs| format!("{{\"gather\":[{}]}}", bs.join(","))),
        1 => (inner, 1u32..4).prop_map(|(s, n)| format!("{{\"repeat\":{{\"times\":{n},\"steps\":{s}}}}}")),
    ];
    prop::collection::vec(nested, 1..5)
        .prop_map(|v| format!("[{}]", v.join(",")))
        .boxed()
}

fn model_json() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(r#"{"kind":"sync"}"#.to_string()),
        Just(r#"{"kind":"async"}"#.to_string()),
        (1u32..4).prop_map(|k| format!(r#"{{"kind":"async","limit":{k}}}"#)),
        (1u32..6).prop_map(|n| format!(r#"{{"kind":"threads","workers":{n}}}"#)),
        (1u32..4, 0u32..3).prop_map(|(n, s)| {
            let start = ["fork", "spawn", "forkserver"][s as usize];
            format!(r#"{{"kind":"processes","workers":{n},"start":"{start}"}}"#)
        }),
        (1u32..4, 0u32..3).prop_map(|(n, i)| {
            let inner = [
                r#"{"kind":"sync"}"#,
                r#"{"kind":"async"}"#,
                r#"{"kind":"threads","workers":2}"#,
            ][i as usize];
            format!(r#"{{"kind":"server","workers":{n},"inner":{inner}}}"#)
        }),
    ]
}

fn arrivals_json() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..16).prop_map(|n| format!(r#"{{"burst":{{"count":{n}}}}}"#)),
        (1u32..16, 10u32..500)
            .prop_map(|(n, r)| format!(r#"{{"poisson":{{"rate_per_s":{r},"count":{n}}}}}"#)),
        (1u32..16, 0u32..30)
            .prop_map(|(n, e)| format!(r#"{{"interval":{{"every":"{e}ms","count":{n}}}}}"#)),
        (1u32..4, 4u32..16, 0u32..20).prop_map(|(c, n, t)| format!(
            r#"{{"closed_loop":{{"clients":{c},"think":"{t}ms","count":{n}}}}}"#
        )),
    ]
}

prop_compose! {
    fn scenario()(
        classes in prop::collection::vec((steps_json(1), 1u32..4), 1..3),
        arrivals in arrivals_json(),
        model in model_json(),
        cores in 1u32..5,
        switch_ms in 1u32..8,
        slice_ms in 1u32..5,
        timeout in prop::option::of(20u32..200),
        free_threaded in prop::bool::weighted(0.1),
        seed in any::<u64>(),
    ) -> Scenario {
        let classes: Vec<String> = classes.iter().enumerate()
            .map(|(i, (steps, w))| format!(r#"{{"name":"c{i}","weight":{w},"steps":{steps}}}"#))
            .collect();
        let timeout = timeout.map(|t| format!(r#","timeout":"{t}ms""#)).unwrap_or_default();
        let json = format!(r#"{{
            "version": 1, "seed": {seed},
            "workload": {{ "classes": [{}], "arrivals": {arrivals}{timeout} }},
            "machine": {{ "cores": {cores}, "switch_interval": "{switch_ms}ms", "os_time_slice": "{slice_ms}ms", "free_threaded": {free_threaded} }},
            "pools": {{ "procs": {{ "kind": "process", "workers": 2 }} }},
            "models": [{model}]
        }}"#, classes.join(","));
        Scenario::from_json(&json).unwrap_or_else(|e| panic!("generated scenario is invalid: {e}\n{json}"))
    }
}

fn run_of(sc: &Scenario) -> Run {
    let ck = validate(sc).unwrap_or_else(|e| panic!("{e}\n{}", sc.to_json()));
    simulate_model(&ck, &sc.models[0]).unwrap_or_else(|e| panic!("{e}\n{}", sc.to_json()))
}

/// Spans per lane never overlap and are ordered.
fn check_lanes_are_sequential(run: &Run) -> Result<(), String> {
    for w in run.segments.windows(2) {
        if w[0].lane == w[1].lane && w[1].start < w[0].end {
            return Err(format!(
                "lane {} overlaps: {:?} then {:?}",
                run.lanes[w[0].lane as usize].name, w[0], w[1]
            ));
        }
    }
    Ok(())
}

/// Maximum number of spans (from `spans`) open at once.
fn max_concurrent(mut spans: Vec<(u64, u64)>) -> usize {
    let mut edges: Vec<(u64, i32)> = spans
        .drain(..)
        .flat_map(|(a, b)| [(a, 1), (b, -1)])
        .collect();
    edges.sort(); // ends (-1) sort before starts (+1) at the same instant
    let (mut cur, mut max) = (0i32, 0i32);
    for (_, d) in edges {
        cur += d;
        max = max.max(cur);
    }
    max as usize
}

fn check_gil_and_cores(run: &Run, sc: &Scenario) -> Result<(), String> {
    let running_on_cores: Vec<(u64, u64)> = run
        .segments
        .iter()
        .filter(|s| run.lanes[s.lane as usize].kind == LaneKind::Thread && s.kind.on_core())
        .map(|s| (s.start, s.end))
        .collect();
    let n = max_concurrent(running_on_cores);
    if n > sc.machine.cores as usize {
        return Err(format!(
            "{n} threads ran at once on {} cores",
            sc.machine.cores
        ));
    }
    if sc.machine.free_threaded {
        return Ok(());
    }
    let processes: std::collections::BTreeSet<u32> =
        run.lanes.iter().filter_map(|l| l.process).collect();
    for p in processes {
        let python: Vec<(u64, u64)> = run
            .segments
            .iter()
            .filter(|s| {
                let l = &run.lanes[s.lane as usize];
                l.kind == LaneKind::Thread && l.process == Some(p) && s.kind == Kind::Running
            })
            .map(|s| (s.start, s.end))
            .collect();
        if max_concurrent(python) > 1 {
            return Err(format!(
                "two threads of process {p} ran Python code at once"
            ));
        }
    }
    Ok(())
}

fn check_tasks_tile(run: &Run) -> Result<(), String> {
    let mut by_strand: std::collections::BTreeMap<(u32, u32), Vec<_>> = Default::default();
    for s in &run.task_segments {
        by_strand.entry((s.task, s.branch)).or_default().push(*s);
    }
    for t in &run.tasks {
        if let Some(start) = t.start {
            if start < t.arrival {
                return Err(format!(
                    "task {} started at {start} before it arrived at {}",
                    t.id, t.arrival
                ));
            }
        }
        let Some(end) = t.end else { continue };
        let segs = by_strand
            .get(&(t.id, 0))
            .ok_or(format!("task {} has no segments", t.id))?;
        let mut segs = segs.clone();
        segs.sort_by_key(|s| (s.start, s.end));
        if segs[0].start != t.arrival {
            return Err(format!(
                "task {} segments begin at {} but it arrived at {}",
                t.id, segs[0].start, t.arrival
            ));
        }
        for w in segs.windows(2) {
            if w[0].end != w[1].start {
                return Err(format!(
                    "task {} has a gap or overlap: {:?} then {:?}",
                    t.id, w[0], w[1]
                ));
            }
        }
        let last = segs.last().map(|s| s.end).unwrap_or(0);
        if last != end {
            return Err(format!(
                "task {} segments end at {last} but it ended at {end}",
                t.id
            ));
        }
    }
    for ((task, branch), segs) in &by_strand {
        let mut segs = segs.clone();
        segs.sort_by_key(|s| (s.start, s.end));
        for w in segs.windows(2) {
            if w[0].end != w[1].start {
                return Err(format!(
                    "task {task} branch {branch} has a gap or overlap: {:?} then {:?}",
                    w[0], w[1]
                ));
            }
        }
    }
    Ok(())
}

/// CPU on cores equals the CPU the tasks asked for, when everything ran to completion.
fn check_cpu_conserved(run: &Run, sc: &Scenario) -> Result<(), String> {
    let s = &run.summary;
    if s.unfinished > 0 || s.cancelled > 0 || s.timed_out > 0 {
        return Ok(());
    }
    let ck = validate(sc).map_err(|e| e.to_string())?;
    let mut asked = 0u64;
    for t in &run.tasks {
        let (class, plan) = draw_task(&ck, t.id);
        if class != t.class {
            return Err(format!(
                "task {} drawn as class {class} but ran as {}",
                t.id, t.class
            ));
        }
        asked += plan
            .steps
            .iter()
            .map(|p| match p {
                PStep::Cpu(d) | PStep::CpuNoGil(d) => *d,
                _ => 0,
            })
            .sum::<u64>();
    }
    let on_thread_lanes: u64 = run
        .segments
        .iter()
        .filter(|s| {
            run.lanes[s.lane as usize].kind == LaneKind::Thread
                && matches!(s.kind, Kind::Running | Kind::RunningNoGil)
        })
        .map(|s| s.end - s.start)
        .sum();
    let overhead: u64 = run
        .segments
        .iter()
        .filter(|s| run.lanes[s.lane as usize].kind == LaneKind::Thread && s.kind == Kind::Overhead)
        .map(|s| s.end - s.start)
        .sum();
    let on_cores: u64 = run
        .segments
        .iter()
        .filter(|s| run.lanes[s.lane as usize].kind == LaneKind::Core)
        .map(|s| s.end - s.start)
        .sum();
    if on_thread_lanes != asked {
        return Err(format!(
            "threads ran {on_thread_lanes} ns of task CPU but tasks asked for {asked} ns"
        ));
    }
    if on_cores != asked + overhead {
        return Err(format!(
            "cores were busy {on_cores} ns but work + overhead is {} ns",
            asked + overhead
        ));
    }
    Ok(())
}

/// The summary's busy-core, GIL-wait and GIL-contention figures (kept as the run goes)
/// agree with the segments, recomputed here the slow way.
fn check_summary_matches_segments(run: &Run) -> Result<(), String> {
    let s = &run.summary;
    let of_lane = |kind: LaneKind| {
        run.segments
            .iter()
            .filter(move |seg| run.lanes[seg.lane as usize].kind == kind)
    };
    let core_busy: u64 = of_lane(LaneKind::Core).map(|seg| seg.end - seg.start).sum();
    let mut waits: Vec<(u64, u64)> = of_lane(LaneKind::Thread)
        .filter(|seg| seg.kind == Kind::GilWait)
        .map(|seg| (seg.start, seg.end))
        .collect();
    let gil_wait: u64 = waits.iter().map(|(a, b)| b - a).sum();
    waits.sort_unstable();
    let (mut union, mut reach) = (0u64, 0u64);
    for (a, b) in waits {
        union += b.saturating_sub(a.max(reach));
        reach = reach.max(b);
    }
    let span = run.cores as f64 * s.makespan as f64;
    let utilisation = if span > 0.0 {
        core_busy as f64 / span
    } else {
        0.0
    };
    let contention = if s.makespan > 0 {
        union as f64 / s.makespan as f64
    } else {
        0.0
    };
    if s.gil_wait != gil_wait {
        return Err(format!(
            "gil_wait {} but segments say {gil_wait}",
            s.gil_wait
        ));
    }
    if s.core_utilisation != utilisation || s.gil_contention != contention {
        return Err(format!(
            "utilisation {} / contention {} but segments say {utilisation} / {contention}",
            s.core_utilisation, s.gil_contention
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn a_segment_budget_cuts_the_trace_and_nothing_else(sc in scenario(), budget in 1usize..400) {
        let full = run_of(&sc);
        let ck = validate(&sc).expect("valid");
        let cut = simulate_model_within(&ck, &sc.models[0], budget, &mut |_| {}).expect("runs");
        prop_assert_eq!(&cut.summary, &full.summary);
        prop_assert_eq!(&cut.tasks, &full.tasks);
        match cut.trace_end {
            None => {
                prop_assert_eq!(&cut.segments, &full.segments);
                prop_assert_eq!(&cut.task_segments, &full.task_segments);
            }
            Some(end) => {
                // Every segment of the cut trace is the full run's, clipped at the cut; the
                // budget is kept to within the segments open at the cut.
                prop_assert!(cut.segments.len() + cut.task_segments.len() <= budget + cut.lanes.len() + full.task_segments.len());
                let clipped: Vec<_> = full
                    .segments
                    .iter()
                    .filter(|s| s.start < end)
                    .map(|s| (s.lane, s.task, s.kind, s.start, s.end.min(end)))
                    .collect();
                let mut got: Vec<_> = cut.segments.iter().map(|s| (s.lane, s.task, s.kind, s.start, s.end)).collect();
                // Merging stops at the cut, so compare the covered time per lane and kind.
                let cover = |v: &mut Vec<(u32, u32, Kind, u64, u64)>| {
                    let mut m = std::collections::BTreeMap::new();
                    for &(l, _, k, a, b) in v.iter() { *m.entry((l, k)).or_insert(0u64) += b - a; }
                    m
                };
                prop_assert_eq!(cover(&mut got), cover(&mut clipped.clone()));
                prop_assert!(cut.task_segments.iter().all(|s| s.end <= end));
            }
        }
    }

    #[test]
    fn summary_only_runs_give_the_same_figures(sc in scenario()) {
        let run = run_of(&sc);
        prop_assert!(check_summary_matches_segments(&run).is_ok(), "{:?}\n{}", check_summary_matches_segments(&run), sc.to_json());
        let ck = validate(&sc).expect("valid");
        let summary = simulate_summary(&ck, &sc.models[0]).expect("runs");
        prop_assert_eq!(&summary, &run.summary);
        // The benchmark's count is the run's, and superseded events are some of them.
        let counts = event_counts(&ck, &sc.models[0]).expect("runs");
        prop_assert_eq!(counts.events, summary.events);
        prop_assert!(counts.superseded < counts.events);
    }

    #[test]
    fn invariants_hold(sc in scenario()) {
        let run = run_of(&sc);
        let ctx = || sc.to_json();
        prop_assert!(check_lanes_are_sequential(&run).is_ok(), "{:?}\n{}", check_lanes_are_sequential(&run), ctx());
        prop_assert!(check_gil_and_cores(&run, &sc).is_ok(), "{:?}\n{}", check_gil_and_cores(&run, &sc), ctx());
        prop_assert!(check_tasks_tile(&run).is_ok(), "{:?}\n{}", check_tasks_tile(&run), ctx());
        prop_assert!(check_cpu_conserved(&run, &sc).is_ok(), "{:?}\n{}", check_cpu_conserved(&run, &sc), ctx());
    }

    #[test]
    fn same_seed_same_run(sc in scenario()) {
        prop_assert_eq!(run_of(&sc), run_of(&sc));
    }

    #[test]
    fn every_task_finishes_without_self_offload(sc in scenario()) {
        // Deadlock needs a pool waiting on itself; a process-pool worker offloading to
        // "procs" creates its own pool, and async offloads never block a worker. Only a
        // task that blocks every worker of a bounded pool on a nested submit can hang.
        let run = run_of(&sc);
        let nested_blocking = matches!(sc.models[0], Model::Sync | Model::Threads { .. } | Model::Processes { .. } | Model::Server { .. });
        if !nested_blocking {
            prop_assert_eq!(run.summary.unfinished, 0, "{}", sc.to_json());
        }
        let ended = run.summary.completed + run.summary.cancelled + run.summary.timed_out + run.summary.unfinished;
        prop_assert_eq!(ended, run.tasks.len() as u64);
    }
}

#[test]
fn different_seeds_differ() {
    let json = |seed: u64| {
        format!(
            r#"{{"version":1,"seed":{seed},"workload":{{"classes":[{{"name":"a","steps":[{{"io":{{"exp":"10ms"}}}}]}}],"arrivals":{{"poisson":{{"rate_per_s":100,"count":50}}}}}},"models":[{{"kind":"async"}}]}}"#
        )
    };
    let a = run_of(&Scenario::from_json(&json(1)).expect("valid"));
    let b = run_of(&Scenario::from_json(&json(2)).expect("valid"));
    assert_ne!(a.summary.makespan, b.summary.makespan);
}

#[test]
fn progress_rises_to_one_and_does_not_change_the_run() {
    let json = r#"{"version":1,"workload":{"classes":[{"name":"a","steps":[{"cpu":"1ms"},{"io":"5ms"}]}],"arrivals":{"poisson":{"rate_per_s":500,"count":40000}}},"models":[{"kind":"threads","workers":4}]}"#;
    let sc = Scenario::from_json(json).expect("valid");
    let ck = validate(&sc).expect("valid");
    let mut seen = Vec::new();
    let with =
        whenasync_sim::simulate_model_with_progress(&ck, &sc.models[0], &mut |p| seen.push(p))
            .expect("runs");
    assert!(seen.len() > 2, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(seen.last(), Some(&1.0));
    assert!(seen[0] > 0.0 && seen[0] < 1.0, "{seen:?}");
    assert_eq!(with, simulate_model(&ck, &sc.models[0]).expect("runs"));
}

/// In the benchmark's scenario a GIL waiter is usually handed the GIL before its switch
/// interval runs out: its timer is cancelled (it is the next waiter's to come due), and the
/// few left behind come due to do nothing. A lone thread computing and sleeping in turn waits
/// for no GIL.
#[test]
fn gil_timers_are_cancelled_or_superseded() {
    let ck = validate(&whenasync_sim::presets::bench_scenario(2_000)).expect("valid");
    let c = event_counts(&ck, &Model::Threads { workers: 8 }).expect("runs");
    assert!(c.cancelled > c.events / 10, "{c:?}");
    assert!(c.superseded > 0 && c.superseded < c.cancelled / 10, "{c:?}");
    let c = event_counts(&ck, &Model::Sync).expect("runs");
    assert_eq!((c.superseded, c.cancelled), (0, 0), "{c:?}");
}
