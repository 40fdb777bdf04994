//! Helpers shared by the preset tests: load and run a preset, look runs up by model label,
//! latency of one class, bounds with readable messages, and rewriting a preset's steps into
//! the variant a claim needs.

use std::path::Path;

use whenasync_sim::summary::stats;
use whenasync_sim::{presets, simulate, Ns, Run, Scenario, Stats, Step, MS};

/// The preset called `name`, parsed.
pub(super) fn load(name: &str) -> Scenario {
    presets::get(name)
        .unwrap_or_else(|| panic!("preset {name:?} is not registered"))
        .unwrap_or_else(|e| panic!("preset {name:?}: {e}"))
}

/// The runs of a scenario, looked up by model label.
pub(super) struct Runs(pub(super) Vec<Run>);

impl Runs {
    pub(super) fn of(sc: &Scenario) -> Runs {
        Runs(simulate(sc).unwrap_or_else(|e| panic!("{}: {e}", sc.name)))
    }

    pub(super) fn get(&self, label: &str) -> &Run {
        self.0.iter().find(|r| r.model == label).unwrap_or_else(|| {
            let have: Vec<&str> = self.0.iter().map(|r| r.model.as_str()).collect();
            panic!("no run labelled {label:?}; runs: {have:?}")
        })
    }
}

/// Simulates the preset `name`.
pub(super) fn run_preset(name: &str) -> Runs {
    Runs::of(&load(name))
}

/// Latency statistics of the completed tasks of class `class`.
pub(super) fn class_latency(run: &Run, class: &str) -> Stats {
    let ci = run
        .classes
        .iter()
        .position(|c| c == class)
        .unwrap_or_else(|| panic!("no class {class:?}"));
    let mut lat: Vec<Ns> = run
        .tasks
        .iter()
        .filter(|t| t.class as usize == ci && !t.cancelled)
        .filter_map(|t| t.latency())
        .collect();
    assert!(!lat.is_empty(), "{}: no completed {class} task", run.model);
    stats(&mut lat)
}

/// Nanoseconds as milliseconds, for messages.
pub(super) fn ms(ns: Ns) -> f64 {
    ns as f64 / MS as f64
}

/// Asserts `lo <= x <= hi` (all in ns), naming the figure.
#[track_caller]
pub(super) fn within(what: &str, x: Ns, lo: Ns, hi: Ns) {
    assert!(
        (lo..=hi).contains(&x),
        "{what} = {:.3} ms, expected {:.3}..={:.3} ms",
        ms(x),
        ms(lo),
        ms(hi)
    );
}

/// Asserts `lo <= x <= hi` for a ratio.
#[track_caller]
pub(super) fn ratio_within(what: &str, x: f64, lo: f64, hi: f64) {
    assert!(
        (lo..=hi).contains(&x),
        "{what} = {x:.3}, expected {lo}..={hi}"
    );
}

/// Rewrites every step of every class (recursively, inside `gather` and `offload`): `f` returns
/// the replacement steps for a step, or `None` to keep it (and rewrite inside it).
pub(super) fn rewrite_steps(sc: &mut Scenario, f: &dyn Fn(&Step) -> Option<Vec<Step>>) {
    fn walk(steps: &[Step], f: &dyn Fn(&Step) -> Option<Vec<Step>>) -> Vec<Step> {
        let mut out = Vec::new();
        for s in steps {
            if let Some(repl) = f(s) {
                out.extend(repl);
                continue;
            }
            out.push(match s {
                Step::Gather(branches) => {
                    Step::Gather(branches.iter().map(|b| walk(b, f)).collect())
                }
                Step::Offload(o) => {
                    let mut o = o.clone();
                    o.steps = walk(&o.steps, f);
                    Step::Offload(o)
                }
                other => other.clone(),
            });
        }
        out
    }
    for c in &mut sc.workload.classes {
        c.steps = walk(&c.steps, f);
    }
}

/// The async-driver / `asyncio.sleep` variant: every `blocking_io` becomes an awaited `io`.
pub(super) fn blocking_to_awaited(sc: &mut Scenario) {
    rewrite_steps(sc, &|s| match s {
        Step::BlockingIo(d) => Some(vec![Step::Io(d.clone())]),
        _ => None,
    });
}

/// The "no `to_thread`" variant: offloaded steps run inline, on the caller's thread.
pub(super) fn inline_offloads(sc: &mut Scenario) {
    rewrite_steps(sc, &|s| match s {
        Step::Offload(o) => Some(o.steps.clone()),
        _ => None,
    });
}

pub(super) fn presets_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../presets")
}
