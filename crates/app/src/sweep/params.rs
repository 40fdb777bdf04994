//! What a sweep varies and how its points are built and judged: the parameters, the points of
//! a range, the scenario at each point, and the winner at each point. Pure: tested natively.

use whenasync_sim::{validate, Arrivals, Dist, Dur, Model, Scenario, Step, SEC};
use whenasync_worker::Figures;

use crate::plot;

/// Most points in one sweep.
pub const MAX_POINTS: usize = 40;

/// Most estimated events of a whole sweep (all points × models): a few seconds of work.
pub const MAX_SWEEP_EVENTS: u64 = 400_000_000;

/// The parameter a sweep varies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Param {
    /// Threads or processes of every pool model (and server worker processes).
    Workers,
    /// The share of each task's time that is I/O, total time kept.
    IoShare,
    /// Arrivals per second (Poisson rate, or one over the interval).
    ArrivalRate,
    /// The asyncio concurrency limit (semaphore size).
    Limit,
}

impl Param {
    /// Every parameter, in picker order.
    pub const ALL: [Param; 4] = [
        Param::Workers,
        Param::IoShare,
        Param::ArrivalRate,
        Param::Limit,
    ];

    /// The picker label.
    pub fn label(self) -> &'static str {
        match self {
            Param::Workers => "Workers",
            Param::IoShare => "I/O share",
            Param::ArrivalRate => "Arrival rate",
            Param::Limit => "Concurrency limit",
        }
    }

    /// A stable name, for test hooks.
    pub fn name(self) -> &'static str {
        match self {
            Param::Workers => "workers",
            Param::IoShare => "io_share",
            Param::ArrivalRate => "arrival_rate",
            Param::Limit => "limit",
        }
    }

    /// Whether values are whole numbers.
    pub fn integer(self) -> bool {
        matches!(self, Param::Workers | Param::Limit)
    }

    /// A value with its unit: `8 workers`, `45 %`, `300 /s`, `limit 8`.
    pub fn format(self, v: f64) -> String {
        match self {
            Param::Workers if v.round() == 1.0 => "1 worker".to_owned(),
            Param::Workers => format!("{} workers", v.round() as i64),
            Param::IoShare => format!("{} %", plot::number(v * 100.0)),
            Param::ArrivalRate => format!("{} /s", plot::number(v)),
            Param::Limit => format!("limit {}", v.round() as i64),
        }
    }

    /// A range of values with the unit once: `1 to 8 workers`, `5 % to 45 %`.
    pub fn format_range(self, a: f64, b: f64) -> String {
        match self {
            Param::Workers => format!("{} to {} workers", a.round() as i64, b.round() as i64),
            Param::IoShare => format!("{} to {}", self.format(a), self.format(b)),
            Param::ArrivalRate => format!("{} to {} /s", plot::number(a), plot::number(b)),
            Param::Limit => format!("limits {} to {}", a.round() as i64, b.round() as i64),
        }
    }

    /// The axis title.
    pub fn axis_title(self) -> &'static str {
        match self {
            Param::Workers => "workers per pool",
            Param::IoShare => "I/O share of each task's time",
            Param::ArrivalRate => "arrival rate (requests per second)",
            Param::Limit => "asyncio concurrency limit",
        }
    }

    /// Why this parameter means nothing for `sc`, if it does not.
    pub fn unavailable(self, sc: &Scenario) -> Option<&'static str> {
        match self {
            Param::Workers => {
                (!sc.models.iter().any(has_workers)).then_some("no model has a pool of workers")
            }
            Param::Limit => {
                (!sc.models.iter().any(has_loop)).then_some("no model runs an asyncio event loop")
            }
            Param::ArrivalRate => match sc.workload.arrivals {
                Arrivals::Poisson { .. } | Arrivals::Interval { .. } => None,
                _ => Some("tasks do not arrive at a rate (a burst or closed loop)"),
            },
            Param::IoShare => (!sc.workload.classes.iter().any(|c| {
                let (io, cpu) = means(&c.steps);
                io > 0.0 && cpu > 0.0
            }))
            .then_some("no task class has both CPU and I/O steps"),
        }
    }

    /// A sensible default range for `sc`: (from, to, points).
    pub fn default_range(self, sc: &Scenario) -> (f64, f64, usize) {
        match self {
            Param::Workers => (1.0, 16.0, 16),
            Param::Limit => {
                let n = f64::from(sc.workload.arrivals.count()).clamp(2.0, 64.0);
                (1.0, n, (n as usize).min(16))
            }
            Param::IoShare => (0.05, 0.95, 19),
            Param::ArrivalRate => {
                let rate = current_rate(sc).unwrap_or(100.0);
                (rate * 0.25, rate * 2.0, 12)
            }
        }
    }

    /// `sc` with this parameter set to `v` (everywhere it applies).
    pub fn apply(self, sc: &Scenario, v: f64) -> Scenario {
        let mut out = sc.clone();
        match self {
            Param::Workers => {
                let n = (v.round() as u32).max(1);
                for m in &mut out.models {
                    set_workers(m, n);
                }
            }
            Param::Limit => {
                let k = (v.round() as u32).max(1);
                for m in &mut out.models {
                    set_limit(m, k);
                }
            }
            Param::ArrivalRate => {
                let rate = v.max(1e-6);
                match &mut out.workload.arrivals {
                    Arrivals::Poisson { rate_per_s, .. } => *rate_per_s = rate,
                    Arrivals::Interval { every, .. } => {
                        *every = Dur((SEC as f64 / rate).round().max(1.0) as u64);
                    }
                    _ => {}
                }
            }
            Param::IoShare => {
                let share = v.clamp(0.0, 1.0);
                for class in &mut out.workload.classes {
                    let (io, cpu) = means(&class.steps);
                    if io > 0.0 && cpu > 0.0 {
                        let total = io + cpu;
                        let (io_k, cpu_k) = (share * total / io, (1.0 - share) * total / cpu);
                        scale_steps(&mut class.steps, io_k, cpu_k);
                    }
                }
            }
        }
        out
    }

    /// How model `m` is named on a sweep of this parameter: the swept number becomes a
    /// letter (`threads(N)`, `async(limit K)`).
    pub fn series_label(self, m: &Model) -> String {
        match (self, m) {
            (Param::Workers, Model::Threads { .. }) => "threads(N)".to_owned(),
            (Param::Workers, Model::Processes { .. }) => {
                let label = m.label();
                let start = label
                    .split_once(", ")
                    .map_or("", |(_, s)| s.trim_end_matches(')'));
                format!("processes(N, {start})")
            }
            (Param::Workers, Model::Server { inner, .. }) => {
                format!("server(N × {})", inner.label())
            }
            (Param::Limit, Model::Async { .. }) => "async(limit K)".to_owned(),
            (Param::Limit, Model::Server { workers, inner }) if has_loop(inner) => {
                format!("server({workers} × async(limit K))")
            }
            _ => m.label(),
        }
    }

    /// Whether model `m` changes with this parameter (the others are flat references).
    pub fn affects(self, m: &Model) -> bool {
        match self {
            Param::Workers => has_workers(m),
            Param::Limit => has_loop(m),
            Param::IoShare | Param::ArrivalRate => true,
        }
    }
}

fn has_workers(m: &Model) -> bool {
    matches!(
        m,
        Model::Threads { .. } | Model::Processes { .. } | Model::Server { .. }
    )
}

fn has_loop(m: &Model) -> bool {
    match m {
        Model::Async { .. } => true,
        Model::Server { inner, .. } => has_loop(inner),
        _ => false,
    }
}

fn set_workers(m: &mut Model, n: u32) {
    match m {
        Model::Threads { workers } | Model::Processes { workers, .. } => *workers = n,
        Model::Server { workers, .. } => *workers = n,
        Model::Sync | Model::Async { .. } => {}
    }
}

fn set_limit(m: &mut Model, k: u32) {
    match m {
        Model::Async { limit } => *limit = Some(k),
        Model::Server { inner, .. } => set_limit(inner, k),
        _ => {}
    }
}

fn current_rate(sc: &Scenario) -> Option<f64> {
    match sc.workload.arrivals {
        Arrivals::Poisson { rate_per_s, .. } => Some(rate_per_s),
        Arrivals::Interval { every, .. } if every.0 > 0 => Some(SEC as f64 / every.0 as f64),
        _ => None,
    }
}

/// Mean I/O and CPU time of `steps`, ns (gather branches and offloads count in full, repeats
/// times over: the work a task asks for, not its wall time).
pub fn means(steps: &[Step]) -> (f64, f64) {
    let mut io = 0.0;
    let mut cpu = 0.0;
    for s in steps {
        match s {
            Step::Cpu(d) | Step::CpuNogil(d) => cpu += d.mean(),
            Step::Io(d) | Step::BlockingIo(d) => io += d.mean(),
            Step::Offload(o) => {
                let (i, c) = means(&o.steps);
                io += i;
                cpu += c;
            }
            Step::Gather(branches) => {
                for b in branches {
                    let (i, c) = means(b);
                    io += i;
                    cpu += c;
                }
            }
            Step::Repeat(r) => {
                let (i, c) = means(&r.steps);
                io += i * f64::from(r.times);
                cpu += c * f64::from(r.times);
            }
        }
    }
    (io, cpu)
}

fn scale_dist(d: &mut Dist, k: f64) {
    let s = |v: Dur| Dur((v.0 as f64 * k).round().max(0.0) as u64);
    *d = match *d {
        Dist::Fixed(v) => Dist::Fixed(s(v)),
        Dist::Uniform(a, b) => Dist::Uniform(s(a), s(b)),
        Dist::Exp(m) => Dist::Exp(s(m)),
        Dist::LogNormal { median, sigma } => Dist::LogNormal {
            median: s(median),
            sigma,
        },
    };
}

fn scale_steps(steps: &mut [Step], io_k: f64, cpu_k: f64) {
    for s in steps {
        match s {
            Step::Cpu(d) | Step::CpuNogil(d) => scale_dist(d, cpu_k),
            Step::Io(d) | Step::BlockingIo(d) => scale_dist(d, io_k),
            Step::Offload(o) => scale_steps(&mut o.steps, io_k, cpu_k),
            Step::Gather(branches) => {
                for b in branches {
                    scale_steps(b, io_k, cpu_k);
                }
            }
            Step::Repeat(r) => scale_steps(&mut r.steps, io_k, cpu_k),
        }
    }
}

/// `n` values from `from` to `to`, evenly spaced (whole and distinct when `integer`).
pub fn points(from: f64, to: f64, n: usize, integer: bool) -> Vec<f64> {
    let n = n.clamp(2, MAX_POINTS);
    let (a, b) = (from.min(to), from.max(to));
    let mut out: Vec<f64> = (0..n)
        .map(|i| a + (b - a) * i as f64 / (n - 1) as f64)
        .map(|v| if integer { v.round().max(1.0) } else { v })
        .collect();
    out.dedup();
    out
}

/// What a sweep charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Time until the last task finished.
    Makespan,
    /// 99th percentile latency.
    P99,
}

impl Metric {
    /// The figure of this metric.
    pub fn of(self, f: &Figures) -> f64 {
        match self {
            Metric::Makespan => f.makespan,
            Metric::P99 => f.p99,
        }
    }

    /// Its name.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Makespan => "makespan",
            Metric::P99 => "p99 latency",
        }
    }
}

/// The best model at each point (lowest metric among runs that finished every task), if any
/// model has a figure there.
pub fn winners(figures: &[Vec<Option<Figures>>], metric: Metric) -> Vec<Option<usize>> {
    figures
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .filter_map(|(m, f)| {
                    f.filter(|f| f.unfinished == 0.0)
                        .map(|f| (m, metric.of(&f)))
                })
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(m, _)| m)
        })
        .collect()
}

/// Where the winner changes: (index of the point before, index after, new winner).
pub fn changes(winners: &[Option<usize>]) -> Vec<(usize, usize, usize)> {
    let known: Vec<(usize, usize)> = winners
        .iter()
        .enumerate()
        .filter_map(|(i, w)| w.map(|w| (i, w)))
        .collect();
    known
        .windows(2)
        .filter(|p| p[0].1 != p[1].1)
        .map(|p| (p[0].0, p[1].0, p[1].1))
        .collect()
}

/// Checks and builds the scenarios of a sweep: one per value, or why the sweep cannot run.
pub fn plan(sc: &Scenario, param: Param, values: &[f64]) -> Result<Vec<Scenario>, String> {
    if let Some(why) = param.unavailable(sc) {
        return Err(format!("{} cannot be swept here: {why}", param.label()));
    }
    let mut events: u64 = 0;
    let mut out = Vec::with_capacity(values.len());
    for &v in values {
        let point = param.apply(sc, v);
        let checked = validate(&point).map_err(|e| format!("at {}: {e}", param.format(v)))?;
        events = events.saturating_add(
            checked
                .estimated_events
                .saturating_mul(checked.scenario.models.len() as u64),
        );
        out.push(point);
    }
    if events > MAX_SWEEP_EVENTS {
        return Err(format!(
            "this sweep would need about {} million events, over the limit of {} million: use fewer points or a smaller scenario",
            events / 1_000_000,
            MAX_SWEEP_EVENTS / 1_000_000
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::{chart::summary, Sweep};
    use whenasync_sim::{presets, MS};

    fn landing() -> Scenario {
        presets::get("gather-10-queries")
            .expect("exists")
            .expect("parses")
    }

    #[test]
    fn points_are_even_and_whole_when_needed() {
        assert_eq!(points(1.0, 16.0, 4, true), vec![1.0, 6.0, 11.0, 16.0]);
        assert_eq!(points(1.0, 3.0, 10, true), vec![1.0, 2.0, 3.0]);
        assert_eq!(points(0.0, 1.0, 3, false), vec![0.0, 0.5, 1.0]);
        assert_eq!(points(5.0, 1.0, 1, true), vec![1.0, 5.0]);
        assert_eq!(points(1.0, 100.0, 1_000, false).len(), MAX_POINTS);
    }

    #[test]
    fn workers_and_limits_change_only_the_models_they_mean() {
        let sc = landing();
        let at8 = Param::Workers.apply(&sc, 8.0);
        assert_eq!(at8.models[0], Model::Sync);
        assert_eq!(at8.models[2], Model::Threads { workers: 8 });
        assert!(matches!(at8.models[3], Model::Processes { workers: 8, .. }));
        let lim = Param::Limit.apply(&sc, 3.0);
        assert_eq!(lim.models[1], Model::Async { limit: Some(3) });
        assert_eq!(lim.models[2], sc.models[2]);
        assert!(Param::Workers.affects(&sc.models[2]));
        assert!(!Param::Workers.affects(&sc.models[0]));
        assert_eq!(Param::Workers.series_label(&sc.models[2]), "threads(N)");
        assert_eq!(
            Param::Workers.series_label(&sc.models[3]),
            "processes(N, fork)"
        );
        assert_eq!(Param::Limit.series_label(&sc.models[1]), "async(limit K)");
        assert_eq!(Param::Limit.series_label(&sc.models[0]), "sync");
    }

    #[test]
    fn io_share_keeps_each_tasks_total_time() {
        let sc = landing();
        let (io0, cpu0) = means(&sc.workload.classes[0].steps);
        let half = Param::IoShare.apply(&sc, 0.5);
        let (io, cpu) = means(&half.workload.classes[0].steps);
        assert!((io - cpu).abs() <= 2.0, "{io} vs {cpu}");
        assert!((io + cpu - (io0 + cpu0)).abs() <= 2.0);
        assert!(validate(&half).is_ok());
    }

    #[test]
    fn arrival_rate_needs_a_rate() {
        let sc = landing();
        assert!(Param::ArrivalRate.unavailable(&sc).is_some());
        let mut poisson = sc.clone();
        poisson.workload.arrivals = Arrivals::Poisson {
            rate_per_s: 50.0,
            count: 10,
        };
        assert!(Param::ArrivalRate.unavailable(&poisson).is_none());
        let fast = Param::ArrivalRate.apply(&poisson, 200.0);
        assert!(
            matches!(fast.workload.arrivals, Arrivals::Poisson { rate_per_s, .. } if rate_per_s == 200.0)
        );
        let mut interval = sc;
        interval.workload.arrivals = Arrivals::Interval {
            every: Dur(10 * MS),
            count: 10,
        };
        let every = Param::ArrivalRate.apply(&interval, 50.0);
        assert!(
            matches!(every.workload.arrivals, Arrivals::Interval { every, .. } if every == Dur(20 * MS))
        );
    }

    fn fig(v: f64) -> Option<Figures> {
        Some(Figures {
            makespan: v,
            p99: v,
            ..Figures::default()
        })
    }

    #[test]
    fn winners_and_where_they_change() {
        let figures = vec![
            vec![fig(1.0), fig(2.0)],
            vec![fig(3.0), fig(2.0)],
            vec![None, None],
            vec![fig(5.0), fig(4.0)],
            vec![fig(1.0), fig(4.0)],
        ];
        let w = winners(&figures, Metric::Makespan);
        assert_eq!(w, vec![Some(0), Some(1), None, Some(1), Some(0)]);
        assert_eq!(changes(&w), vec![(0, 1, 1), (3, 4, 0)]);
        // A run that left tasks unfinished never wins.
        let stuck = vec![vec![
            Some(Figures {
                unfinished: 1.0,
                ..Figures::default()
            }),
            fig(9.0),
        ]];
        assert_eq!(winners(&stuck, Metric::P99), vec![Some(1)]);
    }

    #[test]
    fn a_sweep_is_planned_or_refused_with_a_reason() {
        let sc = landing();
        let values = points(1.0, 8.0, 8, true);
        assert_eq!(plan(&sc, Param::Workers, &values).map(|p| p.len()), Ok(8));
        let err = plan(&sc, Param::ArrivalRate, &values).expect_err("a burst has no rate");
        assert!(err.contains("Arrival rate"), "{err}");
        let err = plan(&sc, Param::Workers, &[5_000.0]).expect_err("too many workers");
        assert!(err.contains("5000 workers"), "{err}");
    }

    #[test]
    fn the_summary_names_ranges() {
        let sweep = Sweep {
            param: Param::Workers,
            values: vec![1.0, 2.0, 3.0],
            models: vec![("async".into(), false), ("threads(8)".into(), true)],
            figures: vec![
                vec![fig(1.0), fig(2.0)],
                vec![fig(1.0), fig(2.0)],
                vec![fig(3.0), fig(2.0)],
            ],
            done: 6,
            error: None,
            scenario: landing(),
            group: 0,
            elapsed_ms: 0.0,
            started_ms: 0.0,
        };
        assert_eq!(
            summary(&sweep, Metric::Makespan),
            "Lowest makespan: async at 1 to 2 workers; threads(8) at 3 workers."
        );
    }
}
