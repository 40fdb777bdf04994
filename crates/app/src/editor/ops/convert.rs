//! The kinds of step and shapes of distribution the menus offer, and converting a step or a
//! distribution to another while keeping what carries over.

use whenasync_sim::scenario::{Offload, Repeat};
use whenasync_sim::{Dist, Dur, Step, MS};

/// The kinds of step, in the order the editor offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// `cpu`
    Cpu,
    /// `cpu_nogil`
    CpuNogil,
    /// `io`
    Io,
    /// `blocking_io`
    BlockingIo,
    /// `offload`
    Offload,
    /// `gather`
    Gather,
    /// `repeat`
    Repeat,
}

impl StepKind {
    /// Every kind, in menu order.
    pub const ALL: [StepKind; 7] = [
        StepKind::Cpu,
        StepKind::CpuNogil,
        StepKind::Io,
        StepKind::BlockingIo,
        StepKind::Offload,
        StepKind::Gather,
        StepKind::Repeat,
    ];

    /// The kind of `step`.
    pub fn of(step: &Step) -> StepKind {
        match step {
            Step::Cpu(_) => StepKind::Cpu,
            Step::CpuNogil(_) => StepKind::CpuNogil,
            Step::Io(_) => StepKind::Io,
            Step::BlockingIo(_) => StepKind::BlockingIo,
            Step::Offload(_) => StepKind::Offload,
            Step::Gather(_) => StepKind::Gather,
            Step::Repeat(_) => StepKind::Repeat,
        }
    }

    /// The key in the scenario format (`"cpu_nogil"`), also the menu label.
    pub fn key(self) -> &'static str {
        match self {
            StepKind::Cpu => "cpu",
            StepKind::CpuNogil => "cpu_nogil",
            StepKind::Io => "io",
            StepKind::BlockingIo => "blocking_io",
            StepKind::Offload => "offload",
            StepKind::Gather => "gather",
            StepKind::Repeat => "repeat",
        }
    }

    /// The kind with key `key`.
    pub fn from_key(key: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// What the kind is in Python, for tooltips.
    pub fn python(self) -> &'static str {
        match self {
            StepKind::Cpu => "pure-Python CPU work: needs the GIL and a core",
            StepKind::CpuNogil => {
                "C code that releases the GIL (hashlib, zlib, NumPy): needs a core, not the GIL"
            }
            StepKind::Io => {
                "awaited I/O (await asyncio.sleep, asyncpg, httpx.AsyncClient): frees the loop"
            }
            StepKind::BlockingIo => {
                "a blocking call (time.sleep, requests, psycopg2): releases the GIL, blocks its thread and freezes an event loop"
            }
            StepKind::Offload => {
                "asyncio.to_thread / run_in_executor: run these steps on a pool and await them"
            }
            StepKind::Gather => "asyncio.gather of sub-calls: the branches run concurrently",
            StepKind::Repeat => "a for loop: the body N times, each iteration drawn anew",
        }
    }

    /// A leaf kind has a duration distribution; the others contain steps.
    pub fn is_leaf(self) -> bool {
        matches!(
            self,
            StepKind::Cpu | StepKind::CpuNogil | StepKind::Io | StepKind::BlockingIo
        )
    }
}

/// The distribution of a leaf step.
pub fn dist_of(step: &Step) -> Option<&Dist> {
    match step {
        Step::Cpu(d) | Step::CpuNogil(d) | Step::Io(d) | Step::BlockingIo(d) => Some(d),
        _ => None,
    }
}

/// The distribution of a leaf step, mutably.
pub fn dist_mut(step: &mut Step) -> Option<&mut Dist> {
    match step {
        Step::Cpu(d) | Step::CpuNogil(d) | Step::Io(d) | Step::BlockingIo(d) => Some(d),
        _ => None,
    }
}

/// The first leaf distribution in `steps`, depth first.
fn first_dist(steps: &[Step]) -> Option<Dist> {
    steps.iter().find_map(|s| match s {
        Step::Offload(o) => first_dist(&o.steps),
        Step::Repeat(r) => first_dist(&r.steps),
        Step::Gather(b) => b.iter().find_map(|b| first_dist(b)),
        leaf => dist_of(leaf).cloned(),
    })
}

/// The steps a container holds (a gather's first branch).
fn inner_steps(step: &Step) -> Option<Vec<Step>> {
    match step {
        Step::Offload(o) => Some(o.steps.clone()),
        Step::Repeat(r) => Some(r.steps.clone()),
        Step::Gather(b) => b.first().cloned(),
        _ => None,
    }
}

fn leaf(kind: StepKind, d: Dist) -> Step {
    match kind {
        StepKind::CpuNogil => Step::CpuNogil(d),
        StepKind::Io => Step::Io(d),
        StepKind::BlockingIo => Step::BlockingIo(d),
        _ => Step::Cpu(d),
    }
}

/// `step` as a step of kind `to`, keeping what carries over: a leaf keeps its distribution;
/// a leaf made a container becomes its body (`cpu(d)` → `offload([cpu(d)])`, a gather of two
/// copies, a repeat of two); a container made a leaf takes its first leaf's distribution.
pub fn convert_step(step: &Step, to: StepKind) -> Step {
    if StepKind::of(step) == to {
        return step.clone();
    }
    let body = inner_steps(step).unwrap_or_else(|| vec![step.clone()]);
    match to {
        StepKind::Offload => Step::Offload(Offload {
            pool: "default".to_owned(),
            steps: body,
        }),
        StepKind::Repeat => Step::Repeat(Repeat {
            times: 2,
            steps: body,
        }),
        StepKind::Gather => match step {
            Step::Offload(_) | Step::Repeat(_) => Step::Gather(vec![body]),
            _ => Step::Gather(vec![body.clone(), body]),
        },
        leaf_kind => {
            let d = dist_of(step)
                .cloned()
                .or_else(|| first_dist(&body))
                .unwrap_or(Dist::Fixed(Dur(MS)));
            leaf(leaf_kind, d)
        }
    }
}

/// The shapes of a distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DistKind {
    /// Always the same.
    Fixed,
    /// Uniform between two bounds.
    Uniform,
    /// Exponential with a mean.
    Exp,
    /// Log-normal with a median and σ.
    LogNormal,
}

impl DistKind {
    /// Every shape, in menu order.
    pub const ALL: [DistKind; 4] = [
        DistKind::Fixed,
        DistKind::Uniform,
        DistKind::Exp,
        DistKind::LogNormal,
    ];

    /// The shape of `d`.
    pub fn of(d: &Dist) -> DistKind {
        match d {
            Dist::Fixed(_) => DistKind::Fixed,
            Dist::Uniform(..) => DistKind::Uniform,
            Dist::Exp(_) => DistKind::Exp,
            Dist::LogNormal { .. } => DistKind::LogNormal,
        }
    }

    /// The menu key.
    pub fn key(self) -> &'static str {
        match self {
            DistKind::Fixed => "fixed",
            DistKind::Uniform => "uniform",
            DistKind::Exp => "exp",
            DistKind::LogNormal => "lognormal",
        }
    }

    /// The shape with key `key`.
    pub fn from_key(key: &str) -> Option<DistKind> {
        DistKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// What it means, for tooltips.
    pub fn meaning(self) -> &'static str {
        match self {
            DistKind::Fixed => "always exactly this long",
            DistKind::Uniform => "uniform between the bounds",
            DistKind::Exp => "exponential with this mean (samples capped at 20 × the mean)",
            DistKind::LogNormal => {
                "log-normal with this median and shape σ (heavy-tailed, like real latencies)"
            }
        }
    }
}

/// A typical value of `d`: the fixed value, the midpoint, the mean or the median.
pub fn central(d: &Dist) -> Dur {
    match *d {
        Dist::Fixed(v) | Dist::Exp(v) => v,
        Dist::Uniform(a, b) => Dur(a.0 / 2 + b.0 / 2 + (a.0 % 2 + b.0 % 2) / 2),
        Dist::LogNormal { median, .. } => median,
    }
}

/// `d` reshaped to `to` around the same typical value (a uniform spans ±50 %).
pub fn convert_dist(d: &Dist, to: DistKind) -> Dist {
    if DistKind::of(d) == to {
        return d.clone();
    }
    let c = central(d);
    match to {
        DistKind::Fixed => Dist::Fixed(c),
        DistKind::Uniform => Dist::Uniform(Dur(c.0 / 2), Dur(c.0.saturating_add(c.0 / 2))),
        DistKind::Exp => Dist::Exp(c),
        DistKind::LogNormal => Dist::LogNormal {
            median: c,
            sigma: 0.5,
        },
    }
}
