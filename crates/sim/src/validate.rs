//! The edge: a parsed [`Scenario`] becomes a [`Checked`] one, or a [`ScenarioError`] that names
//! the field and the limit. After this, simulation cannot fail except by exceeding the event
//! budget, which the estimate here is designed to make rare.
//!
//! Layout (private submodules in `validate/`): `error` (constructors of [`ScenarioError`],
//! whose type is the scenario format's), `fields` (single
//! fields: ranges, workers, distributions, arrivals, models), `steps` (a class's steps
//! resolved and costed); [`limits`] is public. This file holds the resolved types, the order of
//! the checks and [`start_cost`].

mod error;
mod fields;
pub mod limits;
mod steps;

use crate::duration::{Dist, Dur, Ns, MS, SEC, US};
#[cfg(doc)]
use crate::scenario::Step;
use crate::scenario::{PoolSpec, Scenario, StartMethod};

use error::{invalid, too_big};
use fields::{check_arrivals, check_model, check_range, check_workers};
use limits::*;
use steps::{check_steps, Cost};
pub use whenasync_scenario::ScenarioError;

/// A step with its pool resolved to an index into [`Checked::pools`].
#[derive(Clone, Debug, PartialEq)]
pub enum CStep {
    /// See [`Step::Cpu`].
    Cpu(Dist),
    /// See [`Step::CpuNogil`].
    CpuNogil(Dist),
    /// See [`Step::Io`].
    Io(Dist),
    /// See [`Step::BlockingIo`].
    BlockingIo(Dist),
    /// See [`Step::Offload`].
    Offload(u16, Vec<CStep>),
    /// See [`Step::Gather`].
    Gather(Vec<Vec<CStep>>),
}

/// A pool that offload steps can target. Index 0 is `"default"`.
#[derive(Clone, Debug, PartialEq)]
pub struct CPool {
    /// Its name.
    pub name: String,
    /// Threads (in the submitting process) or processes.
    pub spec: PoolSpec,
}

/// A scenario that passed validation.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    /// The scenario as given.
    pub scenario: Scenario,
    /// Steps of each class, resolved.
    pub classes: Vec<Vec<CStep>>,
    /// Pools; index 0 is `"default"` (`min(32, cores + 4)` threads unless overridden).
    pub pools: Vec<CPool>,
    /// Estimated events of the heaviest model.
    pub estimated_events: u64,
}

/// Checks every field and limit.
pub fn validate(sc: &Scenario) -> Result<Checked, ScenarioError> {
    if sc.version != crate::scenario::FORMAT_VERSION {
        return Err(ScenarioError::UnsupportedVersion(sc.version.to_string()));
    }
    let m = &sc.machine;
    if m.cores == 0 {
        return Err(invalid("machine.cores", "must be at least 1"));
    }
    if m.cores > MAX_CORES {
        return Err(too_big("machine.cores", m.cores.into(), MAX_CORES.into()));
    }
    check_range(
        "machine.switch_interval",
        m.switch_interval,
        Dur(US),
        Dur(SEC),
    )?;
    check_range(
        "machine.os_time_slice",
        m.os_time_slice,
        Dur(100 * US),
        Dur(SEC),
    )?;
    for (name, d) in [
        ("machine.await_overhead", m.await_overhead),
        ("machine.task_create", m.task_create),
        ("machine.thread_switch", m.thread_switch),
        ("machine.gil_handoff", m.gil_handoff),
        ("machine.gil_timer_slack", m.gil_timer_slack),
        ("machine.ipc_fixed", m.ipc_fixed),
        ("machine.ipc_per_kb", m.ipc_per_kb),
    ] {
        check_range(name, d, Dur(0), Dur(100 * MS))?;
    }
    for (name, d) in [
        ("machine.process_start_fork", m.process_start_fork),
        ("machine.process_start_spawn", m.process_start_spawn),
        (
            "machine.process_start_forkserver",
            m.process_start_forkserver,
        ),
    ] {
        check_range(name, d, Dur(0), Dur(60 * SEC))?;
    }
    if !(m.free_threaded_slowdown.is_finite() && (0.5..=4.0).contains(&m.free_threaded_slowdown)) {
        return Err(invalid(
            "machine.free_threaded_slowdown",
            "must be between 0.5 and 4",
        ));
    }

    // Pools: "default" first, then the named ones in name order.
    if sc.pools.len() > MAX_POOLS {
        return Err(too_big("pools", sc.pools.len() as u64, MAX_POOLS as u64));
    }
    let default_threads = (m.cores + 4).min(32);
    let mut pools = vec![CPool {
        name: "default".into(),
        spec: sc
            .pools
            .get("default")
            .cloned()
            .unwrap_or(PoolSpec::Thread {
                workers: default_threads,
            }),
    }];
    for (name, spec) in &sc.pools {
        if name != "default" {
            pools.push(CPool {
                name: name.clone(),
                spec: spec.clone(),
            });
        }
    }
    for p in &pools {
        let workers = match p.spec {
            PoolSpec::Thread { workers } | PoolSpec::Process { workers, .. } => workers,
        };
        check_workers(&format!("pools.{}.workers", p.name), workers)?;
    }

    // Workload.
    let w = &sc.workload;
    if w.classes.is_empty() {
        return Err(invalid("workload.classes", "needs at least one task class"));
    }
    if w.classes.len() > MAX_CLASSES {
        return Err(too_big(
            "workload.classes",
            w.classes.len() as u64,
            MAX_CLASSES as u64,
        ));
    }
    let mut total_weight = 0.0;
    let mut classes = Vec::with_capacity(w.classes.len());
    let mut per_task_events = 0.0f64;
    let mut per_task_cpu = 0.0f64;
    for (i, c) in w.classes.iter().enumerate() {
        let field = format!("workload.classes[{i}]");
        if !(c.weight.is_finite() && c.weight >= 0.0 && c.weight <= 1e9) {
            return Err(invalid(
                format!("{field}.weight"),
                "must be a number from 0 to 1e9",
            ));
        }
        if !(c.payload_kb.is_finite() && (0.0..=1e6).contains(&c.payload_kb)) {
            return Err(invalid(
                format!("{field}.payload_kb"),
                "must be a number from 0 to 1000000",
            ));
        }
        if c.name.chars().count() > 64 {
            return Err(too_big(
                format!("{field}.name"),
                c.name.chars().count() as u64,
                64,
            ));
        }
        total_weight += c.weight;
        let mut count = 0usize;
        let mut cost = Cost::default();
        let steps = check_steps(
            &c.steps,
            &format!("{field}.steps"),
            1,
            &mut count,
            &pools,
            &mut cost,
        )?;
        if steps.is_empty() {
            return Err(invalid(format!("{field}.steps"), "needs at least one step"));
        }
        classes.push(steps);
        per_task_events = per_task_events.max(cost.events);
        per_task_cpu = per_task_cpu.max(cost.cpu);
    }
    if total_weight <= 0.0 {
        return Err(invalid("workload.classes", "weights must not all be zero"));
    }
    let count = sc.workload.arrivals.count();
    if count == 0 {
        return Err(invalid("workload.arrivals.count", "must be at least 1"));
    }
    if count > MAX_TASKS {
        return Err(too_big(
            "workload.arrivals.count",
            count.into(),
            MAX_TASKS.into(),
        ));
    }
    check_arrivals(&sc.workload.arrivals)?;
    if let Some(t) = w.timeout {
        check_range("workload.timeout", t, Dur(US), Dur(MAX_STEP))?;
    }

    // Models.
    if sc.models.is_empty() {
        return Err(invalid("models", "needs at least one execution model"));
    }
    if sc.models.len() > MAX_MODELS {
        return Err(too_big("models", sc.models.len() as u64, MAX_MODELS as u64));
    }
    for (i, model) in sc.models.iter().enumerate() {
        check_model(model, &format!("models[{i}]"), true)?;
    }

    // Event budget: each step costs a few events; CPU work under a contended GIL costs a
    // time-out and a hand-off per switch interval; the OS costs one per time slice.
    let n = count as f64;
    let switch = (m.switch_interval.0.min(m.os_time_slice.0)) as f64;
    let est = n * (per_task_events + 6.0 + 3.0 * per_task_cpu / switch);
    let estimated_events = if est.is_finite() && est < u64::MAX as f64 {
        est as u64
    } else {
        u64::MAX
    };
    if estimated_events > MAX_EVENTS {
        return Err(too_big(
            "estimated events (tasks × steps, CPU time / switch interval)",
            estimated_events,
            MAX_EVENTS,
        ));
    }
    Ok(Checked {
        scenario: sc.clone(),
        classes,
        pools,
        estimated_events,
    })
}

/// Start-up CPU time of a worker process for a start method.
pub fn start_cost(m: &crate::scenario::Machine, s: StartMethod) -> Ns {
    match s {
        StartMethod::Fork => m.process_start_fork.0,
        StartMethod::Spawn => m.process_start_spawn.0,
        StartMethod::Forkserver => m.process_start_forkserver.0,
    }
}
