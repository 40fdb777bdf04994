//! The edge: a parsed [`Scenario`] becomes a [`Checked`] one, or a [`ScenarioError`] that names
//! the field and the limit. After this, simulation cannot fail except by exceeding the event
//! budget, which the estimate here is designed to make rare.

use std::fmt;

use crate::duration::{Dist, Dur, Ns, MS, SEC, US};
use crate::scenario::{Arrivals, Model, PoolSpec, Scenario, StartMethod, Step};

/// Hard limits that keep any input bounded in time and memory.
pub mod limits {
    use crate::duration::{Ns, SEC};
    /// Most tasks in one scenario.
    pub const MAX_TASKS: u32 = 1_000_000;
    /// Most task classes.
    pub const MAX_CLASSES: usize = 64;
    /// Most steps in one class, counting nested ones.
    pub const MAX_STEPS: usize = 256;
    /// Most steps of one task once `repeat`s are unrolled.
    pub const MAX_EXPANDED_STEPS: usize = 10_000;
    /// Deepest nesting of `gather`/`offload`/`repeat`.
    pub const MAX_DEPTH: usize = 8;
    /// Longest single step (largest possible sample).
    pub const MAX_STEP: Ns = 3600 * SEC;
    /// Most threads or processes in one pool or model.
    pub const MAX_WORKERS: u32 = 1024;
    /// Most cores.
    pub const MAX_CORES: u32 = 256;
    /// Most execution models in one scenario.
    pub const MAX_MODELS: usize = 8;
    /// Most named pools.
    pub const MAX_POOLS: usize = 16;
    /// Latest arrival, or longest think time × requests per client.
    pub const MAX_HORIZON: Ns = 24 * 3600 * SEC;
    /// Most events one run may process (checked by estimate before, and enforced during).
    pub const MAX_EVENTS: u64 = 200_000_000;
}
use limits::*;

/// Why a scenario was refused. `Display` is one lower-case line naming the field and limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    /// The text is not valid JSON or does not match the format (serde's message, with line
    /// and column).
    Parse(String),
    /// The `version` is not one this build reads (a link from the future, or garbage).
    UnsupportedVersion(String),
    /// A field has a value the model cannot mean.
    Invalid {
        /// Path of the field, like `workload.classes[0].steps[2].cpu`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A size is over its limit.
    TooBig {
        /// Path of the field.
        field: String,
        /// The value given (or estimated).
        value: u64,
        /// The limit.
        limit: u64,
    },
    /// The run needed more events than [`limits::MAX_EVENTS`].
    TooManyEvents {
        /// The budget that was exceeded.
        limit: u64,
    },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Parse(m) => write!(f, "invalid scenario: {m}"),
            ScenarioError::UnsupportedVersion(v) => write!(
                f,
                "unsupported scenario version {v}: this build reads version {}",
                crate::scenario::FORMAT_VERSION
            ),
            ScenarioError::Invalid { field, problem } => write!(f, "{field}: {problem}"),
            ScenarioError::TooBig {
                field,
                value,
                limit,
            } => {
                write!(f, "{field}: {value} is over the limit of {limit}")
            }
            ScenarioError::TooManyEvents { limit } => {
                write!(
                    f,
                    "the run needs more than {limit} events; make the scenario smaller"
                )
            }
        }
    }
}

impl std::error::Error for ScenarioError {}

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> ScenarioError {
    ScenarioError::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

fn too_big(field: impl Into<String>, value: u64, limit: u64) -> ScenarioError {
    ScenarioError::TooBig {
        field: field.into(),
        value,
        limit,
    }
}

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

#[derive(Default)]
struct Cost {
    events: f64,
    cpu: f64,
}

fn check_range(field: &str, d: Dur, lo: Dur, hi: Dur) -> Result<(), ScenarioError> {
    if d < lo || d > hi {
        return Err(invalid(field, format!("{d} is outside {lo}..{hi}")));
    }
    Ok(())
}

fn check_workers(field: &str, workers: u32) -> Result<(), ScenarioError> {
    if workers == 0 {
        return Err(invalid(field, "must be at least 1"));
    }
    if workers > MAX_WORKERS {
        return Err(too_big(field, workers.into(), MAX_WORKERS.into()));
    }
    Ok(())
}

fn check_dist(field: &str, d: &Dist) -> Result<(), ScenarioError> {
    match *d {
        Dist::Fixed(_) | Dist::Exp(_) => {}
        Dist::Uniform(a, b) => {
            if a > b {
                return Err(invalid(
                    field,
                    format!("uniform bounds are reversed ({a} > {b})"),
                ));
            }
        }
        Dist::LogNormal { sigma, .. } => {
            if !(sigma.is_finite() && (0.0..=4.0).contains(&sigma)) {
                return Err(invalid(field, "lognormal sigma must be between 0 and 4"));
            }
        }
    }
    if d.max() > MAX_STEP {
        return Err(invalid(
            field,
            format!(
                "can last up to {}, over the limit of {}",
                Dur(d.max()),
                Dur(MAX_STEP)
            ),
        ));
    }
    Ok(())
}

fn check_steps(
    steps: &[Step],
    field: &str,
    depth: usize,
    count: &mut usize,
    pools: &[CPool],
    cost: &mut Cost,
) -> Result<Vec<CStep>, ScenarioError> {
    if depth > MAX_DEPTH {
        return Err(too_big(
            format!("{field} (nesting depth)"),
            depth as u64,
            MAX_DEPTH as u64,
        ));
    }
    let mut out = Vec::with_capacity(steps.len());
    for (i, s) in steps.iter().enumerate() {
        *count += 1;
        if *count > MAX_STEPS {
            return Err(too_big(
                format!("{field} (steps in one class)"),
                *count as u64,
                MAX_STEPS as u64,
            ));
        }
        let f = format!("{field}[{i}]");
        cost.events += 4.0;
        out.push(match s {
            Step::Cpu(d) => {
                check_dist(&format!("{f}.cpu"), d)?;
                cost.cpu += d.mean();
                CStep::Cpu(d.clone())
            }
            Step::CpuNogil(d) => {
                check_dist(&format!("{f}.cpu_nogil"), d)?;
                cost.cpu += d.mean();
                CStep::CpuNogil(d.clone())
            }
            Step::Io(d) => {
                check_dist(&format!("{f}.io"), d)?;
                CStep::Io(d.clone())
            }
            Step::BlockingIo(d) => {
                check_dist(&format!("{f}.blocking_io"), d)?;
                CStep::BlockingIo(d.clone())
            }
            Step::Offload(o) => {
                let idx = pools.iter().position(|p| p.name == o.pool).ok_or_else(|| {
                    invalid(
                        format!("{f}.offload.pool"),
                        format!("no pool named {:?} (declare it in `pools`)", o.pool),
                    )
                })?;
                cost.events += 4.0;
                let inner = check_steps(
                    &o.steps,
                    &format!("{f}.offload.steps"),
                    depth + 1,
                    count,
                    pools,
                    cost,
                )?;
                if inner.is_empty() {
                    return Err(invalid(
                        format!("{f}.offload.steps"),
                        "needs at least one step",
                    ));
                }
                CStep::Offload(idx as u16, inner)
            }
            Step::Gather(branches) => {
                if branches.is_empty() {
                    return Err(invalid(format!("{f}.gather"), "needs at least one branch"));
                }
                let mut bs = Vec::with_capacity(branches.len());
                for (j, b) in branches.iter().enumerate() {
                    cost.events += 4.0;
                    let inner = check_steps(
                        b,
                        &format!("{f}.gather[{j}]"),
                        depth + 1,
                        count,
                        pools,
                        cost,
                    )?;
                    if inner.is_empty() {
                        return Err(invalid(
                            format!("{f}.gather[{j}]"),
                            "a branch needs at least one step",
                        ));
                    }
                    bs.push(inner);
                }
                CStep::Gather(bs)
            }
            Step::Repeat(r) => {
                if r.times == 0 {
                    return Err(invalid(format!("{f}.repeat.times"), "must be at least 1"));
                }
                if r.times as usize > MAX_EXPANDED_STEPS {
                    return Err(too_big(
                        format!("{f}.repeat.times"),
                        r.times.into(),
                        MAX_EXPANDED_STEPS as u64,
                    ));
                }
                let mut body_cost = Cost::default();
                let body = check_steps(
                    &r.steps,
                    &format!("{f}.repeat.steps"),
                    depth + 1,
                    count,
                    pools,
                    &mut body_cost,
                )?;
                if body.is_empty() {
                    return Err(invalid(
                        format!("{f}.repeat.steps"),
                        "needs at least one step",
                    ));
                }
                cost.events += body_cost.events * r.times as f64;
                cost.cpu += body_cost.cpu * r.times as f64;
                // Unrolled here, so the engine never sees a loop.
                let n = r.times as usize;
                if expanded_len(&body).saturating_mul(n) > MAX_EXPANDED_STEPS {
                    return Err(too_big(
                        format!("{f}.repeat (steps once unrolled)"),
                        (expanded_len(&body).saturating_mul(n)) as u64,
                        MAX_EXPANDED_STEPS as u64,
                    ));
                }
                for _ in 0..n {
                    out.extend(body.iter().cloned());
                }
                continue;
            }
        });
    }
    Ok(out)
}

/// Steps of a resolved list, counting nested ones.
fn expanded_len(steps: &[CStep]) -> usize {
    steps
        .iter()
        .map(|s| match s {
            CStep::Offload(_, inner) => 1 + expanded_len(inner),
            CStep::Gather(bs) => 1 + bs.iter().map(|b| expanded_len(b)).sum::<usize>(),
            _ => 1,
        })
        .sum()
}

fn check_arrivals(a: &Arrivals) -> Result<(), ScenarioError> {
    match *a {
        Arrivals::Burst { .. } => {}
        Arrivals::Poisson { rate_per_s, count } => {
            if !(rate_per_s.is_finite() && rate_per_s > 0.0 && rate_per_s <= 1e7) {
                return Err(invalid(
                    "workload.arrivals.poisson.rate_per_s",
                    "must be a number above 0 and at most 10000000",
                ));
            }
            let horizon = count as f64 / rate_per_s * SEC as f64;
            if horizon > MAX_HORIZON as f64 {
                return Err(too_big(
                    "workload.arrivals.poisson (count / rate, seconds)",
                    (horizon / SEC as f64) as u64,
                    MAX_HORIZON / SEC,
                ));
            }
        }
        Arrivals::Interval { every, count } => {
            let horizon = (every.0 as u128) * count as u128;
            if horizon > MAX_HORIZON as u128 {
                return Err(too_big(
                    "workload.arrivals.interval (count × every, seconds)",
                    (horizon / SEC as u128) as u64,
                    MAX_HORIZON / SEC,
                ));
            }
        }
        Arrivals::ClosedLoop {
            clients,
            ref think,
            count,
        } => {
            if clients == 0 {
                return Err(invalid(
                    "workload.arrivals.closed_loop.clients",
                    "must be at least 1",
                ));
            }
            if clients > count {
                return Err(invalid("workload.arrivals.closed_loop.clients", format!("{clients} clients for {count} requests: use at most one client per request")));
            }
            check_dist("workload.arrivals.closed_loop.think", think)?;
            let per_client = (count / clients + 1) as u128;
            if per_client * think.max() as u128 > MAX_HORIZON as u128 {
                return Err(too_big(
                    "workload.arrivals.closed_loop (think × requests per client, seconds)",
                    (per_client * think.max() as u128 / SEC as u128) as u64,
                    MAX_HORIZON / SEC,
                ));
            }
        }
    }
    Ok(())
}

fn check_model(model: &Model, field: &str, top: bool) -> Result<(), ScenarioError> {
    match model {
        Model::Sync => Ok(()),
        Model::Async { limit } => match limit {
            Some(0) => Err(invalid(format!("{field}.limit"), "must be at least 1")),
            _ => Ok(()),
        },
        Model::Threads { workers } => check_workers(&format!("{field}.workers"), *workers),
        Model::Processes { workers, .. } => {
            if !top {
                return Err(invalid(
                    field,
                    "a server's workers run sync, async or threads",
                ));
            }
            check_workers(&format!("{field}.workers"), *workers)
        }
        Model::Server { workers, inner } => {
            if !top {
                return Err(invalid(
                    field,
                    "a server's workers run sync, async or threads",
                ));
            }
            check_workers(&format!("{field}.workers"), *workers)?;
            check_model(inner, &format!("{field}.inner"), false)?;
            if let Model::Threads { workers: t } = **inner {
                if workers.saturating_mul(t) > 4 * MAX_WORKERS {
                    return Err(too_big(
                        format!("{field} (threads in all workers)"),
                        (workers * t).into(),
                        (4 * MAX_WORKERS).into(),
                    ));
                }
            }
            Ok(())
        }
    }
}

/// Start-up CPU time of a worker process for a start method.
pub fn start_cost(m: &crate::scenario::Machine, s: StartMethod) -> Ns {
    match s {
        StartMethod::Fork => m.process_start_fork.0,
        StartMethod::Spawn => m.process_start_spawn.0,
        StartMethod::Forkserver => m.process_start_forkserver.0,
    }
}
