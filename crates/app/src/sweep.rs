//! Sweeps: one parameter (workers, I/O share, arrival rate, concurrency limit) across a range,
//! every model of the scenario simulated at every point in parallel Web Workers (one per
//! hardware thread), and a chart of makespan or p99 per model that marks where the winner
//! changes.
//!
//! The page never simulates a sweep itself: each (point, model) is one worker job that sends
//! back a handful of figures, so the main thread only draws.

use leptos::prelude::*;
use web_sys::HtmlCanvasElement;
use whenasync_sim::{validate, Arrivals, Dist, Dur, Model, Scenario, Step, SEC};
use whenasync_worker::{Figures, Reply, Request};

use crate::app::Playground;
use crate::format;
use crate::gantt::observe_width;
use crate::latency::SeriesKey;
use crate::plot::{self, Axis, Frame, Scale};
use crate::theme::{self, Scheme};
use crate::workers;

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

/// One sweep, running or done.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// What varies.
    pub param: Param,
    /// The values, in order.
    pub values: Vec<f64>,
    /// Model labels (as in the scenario) and whether the parameter affects each.
    pub models: Vec<(String, bool)>,
    /// Figures by point, then model; `None` until they arrive.
    pub figures: Vec<Vec<Option<Figures>>>,
    /// Jobs finished (including failures).
    pub done: usize,
    /// The first failure, if any.
    pub error: Option<String>,
    /// The scenario it was run on (to tell when an edit made it stale).
    pub scenario: Scenario,
    /// The worker group running it.
    pub group: u32,
    /// Wall time so far (or in total), ms.
    pub elapsed_ms: f64,
    /// When it started (page clock), ms.
    pub started_ms: f64,
}

impl Sweep {
    /// Jobs in all.
    pub fn total(&self) -> usize {
        self.values.len() * self.models.len()
    }

    /// Whether jobs are still out.
    pub fn running(&self) -> bool {
        self.done < self.total() && self.error.is_none()
    }
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

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Starts a sweep of `points` (built by [`plan`]) in the workers; `state` follows it.
fn start(
    state: RwSignal<Option<Sweep>>,
    sc: &Scenario,
    param: Param,
    values: Vec<f64>,
    points: Vec<Scenario>,
) {
    if let Some(old) = state.get_untracked() {
        workers::cancel(old.group);
    }
    let group = workers::new_group();
    let models: Vec<(String, bool)> = sc
        .models
        .iter()
        .map(|m| (param.series_label(m), param.affects(m)))
        .collect();
    let n_models = models.len();
    state.set(Some(Sweep {
        param,
        figures: vec![vec![None; n_models]; values.len()],
        values,
        models,
        done: 0,
        error: None,
        scenario: sc.clone(),
        group,
        elapsed_ms: 0.0,
        started_ms: now_ms(),
    }));
    for (p, point) in points.iter().enumerate() {
        let json = point.to_json();
        for m in 0..n_models {
            let request = Request::Figures {
                job: 0,
                scenario: json.clone(),
                model: m as u32,
            };
            workers::submit(group, request, move |reply, _| {
                state.update(|s| {
                    let Some(s) = s.as_mut().filter(|s| s.group == group) else {
                        return;
                    };
                    match reply {
                        Reply::Figures { figures, .. } => {
                            s.figures[p][m] = Some(figures);
                            s.done += 1;
                        }
                        Reply::Failed { message, .. } => {
                            s.done += 1;
                            if s.error.is_none() {
                                s.error = Some(message);
                            }
                            workers::cancel(group);
                        }
                        _ => return,
                    }
                    s.elapsed_ms = now_ms() - s.started_ms;
                });
            });
        }
    }
}

const CHART_HEIGHT: f64 = 260.0;

fn draw(
    canvas: &HtmlCanvasElement,
    sweep: &Sweep,
    metric: Metric,
    width: f64,
    scheme: Scheme,
) -> Result<(), wasm_bindgen::JsValue> {
    let chrome = theme::chrome(scheme);
    let (ctx, _) = plot::prepare(canvas, width, CHART_HEIGHT)?;
    let f = Frame {
        left: 56.0,
        top: 46.0,
        right: width - 16.0,
        bottom: CHART_HEIGHT - 42.0,
    };
    let (lo, hi) = (
        sweep.values.first().copied().unwrap_or(0.0),
        sweep.values.last().copied().unwrap_or(1.0),
    );
    let x_scale = Scale::Linear {
        min: lo,
        max: if hi > lo { hi } else { lo + 1.0 },
    };
    let ys: Vec<f64> = sweep
        .figures
        .iter()
        .flatten()
        .flatten()
        .map(|f| metric.of(f))
        .filter(|v| *v > 0.0)
        .collect();
    let y_min = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let y_max = ys.iter().copied().fold(0.0, f64::max).max(1.0);
    let y_scale = match Scale::auto(y_min, y_max, 50.0) {
        Scale::Linear { .. } => {
            let step = plot::nice_step(y_max / 4.0);
            Scale::Linear {
                min: 0.0,
                max: (y_max / step).ceil().max(1.0) * step,
            }
        }
        log => log,
    };
    let x_ticks: Vec<f64> = {
        let mut t = x_scale.ticks(((f.width() / 80.0) as usize).max(2));
        if sweep.param.integer() {
            t.retain(|v| v.fract() == 0.0);
        }
        t
    };
    let x = Axis {
        scale: x_scale,
        ticks: x_ticks
            .iter()
            .map(|&v| {
                let label = match sweep.param {
                    Param::IoShare => format!("{} %", plot::number(v * 100.0)),
                    _ => plot::number(v),
                };
                (v, label)
            })
            .collect(),
        title: sweep.param.axis_title().to_owned(),
    };
    let y_ticks = y_scale.ticks(4);
    let y_labels = plot::duration_labels(&y_scale, &y_ticks);
    let y = Axis {
        scale: y_scale,
        ticks: y_ticks.into_iter().zip(y_labels).collect(),
        title: format!(
            "{}{}",
            metric.label(),
            if y_scale.is_log() { " (log scale)" } else { "" }
        ),
    };
    plot::draw_axes(&ctx, &f, &x, &y, chrome)?;

    // The winner at each point, as a strip of cells above the plot.
    let winners = winners(&sweep.figures, metric);
    let n = sweep.values.len();
    let cell = |i: usize| {
        let at = |j: usize| f.x(&x_scale, sweep.values[j]);
        let left = if i == 0 {
            f.left
        } else {
            (at(i - 1) + at(i)) / 2.0
        };
        let right = if i + 1 == n {
            f.right
        } else {
            (at(i) + at(i + 1)) / 2.0
        };
        (left, right)
    };
    for (i, w) in winners.iter().enumerate() {
        if let Some(w) = w {
            let (l, r) = cell(i);
            ctx.set_fill_style_str(theme::series_color(*w, scheme));
            ctx.fill_rect(l, f.top - 30.0, (r - l - 1.0).max(1.0), 8.0);
        }
    }
    ctx.set_font(plot::FONT_SMALL);
    ctx.set_fill_style_str(chrome.muted);
    ctx.set_text_align("right");
    ctx.set_text_baseline("middle");
    ctx.fill_text("winner", f.left - 6.0, f.top - 26.0)?;

    // Where the winner changes: a dashed line between the two points, named; names that
    // would overlap the one before move down a line.
    let mut placed: Vec<(f64, f64, f64)> = Vec::new(); // (left, right, y)
    for (a, b, to) in changes(&winners) {
        let px =
            plot::crisp((f.x(&x_scale, sweep.values[a]) + f.x(&x_scale, sweep.values[b])) / 2.0);
        ctx.set_stroke_style_str(chrome.text);
        ctx.set_line_width(1.0);
        plot::set_dash(&ctx, &[4.0, 3.0])?;
        ctx.begin_path();
        ctx.move_to(px, f.top - 32.0);
        ctx.line_to(px, f.bottom);
        ctx.stroke();
        plot::set_dash(&ctx, &[])?;
        ctx.set_fill_style_str(chrome.text);
        let label = format!("→ {}", sweep.models[to].0);
        let w = ctx.measure_text(&label)?.width();
        let (align, at, left) = if px + w + 6.0 > f.right {
            ("right", px - 4.0, px - 4.0 - w)
        } else {
            ("left", px + 4.0, px + 4.0)
        };
        let mut y = f.top + 2.0;
        while placed
            .iter()
            .any(|&(l, r, py)| py == y && left < r + 6.0 && left + w > l - 6.0)
        {
            y += 14.0;
        }
        placed.push((left, left + w, y));
        ctx.set_text_align(align);
        ctx.set_text_baseline("top");
        ctx.fill_text(&label, at, y)?;
    }

    // One line per model, with a dot at each point it has.
    for (m, _) in sweep.models.iter().enumerate() {
        let colour = theme::series_color(m, scheme);
        ctx.set_stroke_style_str(colour);
        ctx.set_fill_style_str(colour);
        ctx.set_line_width(2.0);
        plot::set_dash(&ctx, theme::series_dash(m))?;
        ctx.begin_path();
        let mut pen = false;
        let mut dots = Vec::new();
        for (p, row) in sweep.figures.iter().enumerate() {
            match row[m] {
                Some(fig) if fig.unfinished == 0.0 && metric.of(&fig) > 0.0 => {
                    let (px, py) = (
                        f.x(&x_scale, sweep.values[p]),
                        f.y(&y_scale, metric.of(&fig)).clamp(f.top, f.bottom),
                    );
                    if pen {
                        ctx.line_to(px, py);
                    } else {
                        ctx.move_to(px, py);
                        pen = true;
                    }
                    dots.push((px, py));
                }
                _ => pen = false,
            }
        }
        ctx.stroke();
        plot::set_dash(&ctx, &[])?;
        for (px, py) in dots {
            ctx.begin_path();
            ctx.arc(px, py, 2.75, 0.0, std::f64::consts::TAU)?;
            ctx.fill();
        }
    }
    canvas.set_attribute("data-drawn", "true")?;
    canvas.set_attribute("data-changes", &changes(&winners).len().to_string())?;
    Ok(())
}

/// The winners in words: `async from 1 to 3 workers; threads(8) from 4 to 16 workers`.
pub fn summary(sweep: &Sweep, metric: Metric) -> String {
    let w = winners(&sweep.figures, metric);
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < w.len() {
        let Some(m) = w[i] else {
            i += 1;
            continue;
        };
        let mut j = i;
        while j + 1 < w.len() && w[j + 1] == Some(m) {
            j += 1;
        }
        let name = &sweep.models[m].0;
        parts.push(if i == j {
            format!("{name} at {}", sweep.param.format(sweep.values[i]))
        } else {
            format!(
                "{name} at {}",
                sweep.param.format_range(sweep.values[i], sweep.values[j])
            )
        });
        i = j + 1;
    }
    if parts.is_empty() {
        return String::new();
    }
    format!("Lowest {}: {}.", metric.label(), parts.join("; "))
}

/// The sweep card: parameter, range, metric, a run button, progress and the chart.
#[component]
pub fn SweepPanel() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let param = RwSignal::new(Param::Workers);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let count = RwSignal::new(String::new());
    let metric = RwSignal::new(None::<Metric>);
    let sweep = RwSignal::new(None::<Sweep>);
    let problem = RwSignal::new(None::<String>);
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let width = RwSignal::new(0.0_f64);

    // The default metric follows the verdict's: makespan for a batch, p99 for a server.
    let default_metric = move || {
        pg.scenario
            .with(|s| match s.as_ref().map(|s| &s.workload.arrivals) {
                Some(Arrivals::Burst { .. }) | None => Metric::Makespan,
                Some(_) => Metric::P99,
            })
    };
    let metric_now = move || metric.get().unwrap_or_else(default_metric);

    // A new parameter (or scenario) resets the range to its default.
    let unavailable = move |p: Param| {
        pg.scenario
            .with(|s| s.as_ref().and_then(|s| p.unavailable(s)))
    };
    Effect::new(move |_| {
        let p = param.get();
        pg.scenario.with(|s| {
            if let Some(s) = s {
                let (a, b, n) = p.default_range(s);
                let fmt = |v: f64| {
                    if p.integer() {
                        format!("{}", v.round() as i64)
                    } else {
                        plot::number(v)
                    }
                };
                let (a, b) = match p {
                    Param::IoShare => (plot::number(a * 100.0), plot::number(b * 100.0)),
                    _ => (fmt(a), fmt(b)),
                };
                from.set(a);
                to.set(b);
                count.set(n.to_string());
            }
        })
    });
    // The first parameter that applies is picked for a new scenario.
    Effect::new(move |_| {
        let current = param.get_untracked();
        if unavailable(current).is_some() {
            if let Some(p) = Param::ALL.into_iter().find(|p| unavailable(*p).is_none()) {
                param.set(p);
            }
        }
    });

    let run = move |_| {
        problem.set(None);
        let p = param.get_untracked();
        let parse = |s: RwSignal<String>| {
            s.get_untracked()
                .trim()
                .replace(',', "")
                .parse::<f64>()
                .ok()
        };
        let (Some(mut a), Some(mut b), Some(n)) = (parse(from), parse(to), parse(count)) else {
            problem.set(Some("from, to and points must be numbers".to_owned()));
            return;
        };
        if p == Param::IoShare {
            a /= 100.0;
            b /= 100.0;
            if !(0.0..=1.0).contains(&a) || !(0.0..=1.0).contains(&b) {
                problem.set(Some("I/O share is between 0 and 100 %".to_owned()));
                return;
            }
        }
        if a <= 0.0 && p != Param::IoShare {
            problem.set(Some(format!("{} must be above 0", p.label())));
            return;
        }
        let values = points(a, b, n.round().max(2.0) as usize, p.integer());
        let Some(sc) = pg.scenario.get_untracked() else {
            return;
        };
        match plan(&sc, p, &values) {
            Ok(scenarios) => start(sweep, &sc, p, values, scenarios),
            Err(e) => problem.set(Some(e)),
        }
    };
    let stop = move |_| {
        if let Some(s) = sweep.get_untracked() {
            workers::cancel(s.group);
            sweep.update(|s| {
                if let Some(s) = s {
                    s.error = Some("stopped".to_owned());
                }
            });
        }
    };

    Effect::new(move |_| {
        if let Some(canvas) = canvas_ref.get() {
            observe_width(&canvas, width);
        }
    });
    Effect::new(move |_| {
        let (scheme, metric) = (pg.scheme.get(), metric_now());
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let w = width.get();
        sweep.with(|s| {
            if let Some(s) = s.as_ref().filter(|_| w > 0.0) {
                if let Err(e) = draw(&canvas, s, metric, w, scheme) {
                    leptos::logging::warn!("sweep: {e:?}");
                }
            }
        });
    });

    let running = move || sweep.with(|s| s.as_ref().is_some_and(Sweep::running));
    let progress = move || {
        sweep.with(|s| {
            s.as_ref().map(|s| {
                let pct = s.done as f64 / s.total().max(1) as f64 * 100.0;
                (pct, s.done, s.total())
            })
        })
    };
    let stale = move || {
        sweep.with(|s| {
            s.as_ref()
                .is_some_and(|s| pg.scenario.with(|c| c.as_ref() != Some(&s.scenario)))
        })
    };
    let status = move || {
        sweep.with(|s| {
            let s = s.as_ref()?;
            Some(if let Some(e) = &s.error {
                format!("Sweep ended early: {e}")
            } else if s.running() {
                format!(
                    "Simulating {} of {} runs in {} Web Workers…",
                    s.done,
                    s.total(),
                    workers::size()
                )
            } else {
                format!(
                    "{} runs ({} points × {} models) in {}.",
                    s.total(),
                    s.values.len(),
                    s.models.len(),
                    format::duration((s.elapsed_ms * 1e6) as u64)
                )
            })
        })
    };
    let words = move || {
        sweep.with(|s| {
            s.as_ref()
                .map(|s| summary(s, metric_now()))
                .unwrap_or_default()
        })
    };
    let legend = move || {
        sweep.with(|s| {
            s.as_ref().map(|s| {
                s.models
                    .iter()
                    .enumerate()
                    .map(|(i, (label, affected))| {
                        let note = if *affected { "" } else { " (unaffected)" };
                        view! {
                            <li>
                                <SeriesKey index=i />
                                {format!("{label}{note}")}
                            </li>
                        }
                    })
                    .collect_view()
            })
        })
    };

    let field = move |label: &'static str,
                      value: RwSignal<String>,
                      id: &'static str,
                      unit: Signal<String>| {
        view! {
            <label class="field" for=id>
                <span>{label}</span>
                <span class="input-unit">
                    <input
                        id=id
                        type="text"
                        inputmode="decimal"
                        data-testid=id
                        prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev))
                    />
                    <span class="unit">{move || unit.get()}</span>
                </span>
            </label>
        }
    };
    let unit = Signal::derive(move || {
        match param.get() {
            Param::IoShare => "%",
            Param::ArrivalRate => "/s",
            _ => "",
        }
        .to_owned()
    });
    let no_unit = Signal::derive(String::new);

    view! {
        <section class="card sweep" data-testid="sweep" aria-labelledby="sweep-title">
            <header class="card-head">
                <h2 id="sweep-title">"Sweep"</h2>
                <span class="muted">"Vary one parameter and see where the winner changes"</span>
                <crate::exports::PngButton
                    scope="[data-testid=sweep]"
                    selector="[data-testid=sweep-canvas]"
                    what="sweep".to_owned()
                />
            </header>
            <div class="sweep-controls">
                <label class="field" for="sweep-param">
                    <span>"Parameter"</span>
                    <select
                        id="sweep-param"
                        data-testid="sweep-param"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some(p) = Param::ALL.into_iter().find(|p| p.name() == v) {
                                param.set(p);
                            }
                        }
                    >
                        {Param::ALL
                            .into_iter()
                            .map(|p| {
                                let why = move || unavailable(p);
                                view! {
                                    <option
                                        value=p.name()
                                        selected=move || param.get() == p
                                        disabled=move || why().is_some()
                                        title=move || why().map(|w| format!("Not here: {w}"))
                                    >
                                        {move || match why() {
                                            Some(_) => format!("{} (n/a)", p.label()),
                                            None => p.label().to_owned(),
                                        }}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                {field("From", from, "sweep-from", unit)}
                {field("To", to, "sweep-to", unit)}
                {field("Points", count, "sweep-points", no_unit)}
                <div class="field">
                    <span id="sweep-metric-label">"Chart"</span>
                    <div class="segmented" role="group" aria-labelledby="sweep-metric-label">
                        {[Metric::Makespan, Metric::P99]
                            .into_iter()
                            .map(|m| {
                                view! {
                                    <button
                                        type="button"
                                        aria-pressed=move || (metric_now() == m).to_string()
                                        on:click=move |_| metric.set(Some(m))
                                    >
                                        {match m {
                                            Metric::Makespan => "makespan",
                                            Metric::P99 => "p99",
                                        }}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                </div>
                <div class="field actions">
                    <Show
                        when=running
                        fallback=move || {
                            view! {
                                <button type="button" class="primary" data-testid="sweep-run" on:click=run>
                                    "Run sweep"
                                </button>
                            }
                        }
                    >
                        <button type="button" class="secondary" data-testid="sweep-stop" on:click=stop>
                            "Stop"
                        </button>
                    </Show>
                </div>
            </div>
            {move || problem.get().map(|p| view! { <p class="banner error" role="alert">{p}</p> })}
            {move || {
                progress()
                    .filter(|_| running())
                    .map(|(pct, done, total)| {
                        view! {
                            <div
                                class="progress-track"
                                data-testid="sweep-progress"
                                role="progressbar"
                                aria-label="Sweep progress"
                                aria-valuemin="0"
                                aria-valuemax=total.to_string()
                                aria-valuenow=done.to_string()
                            >
                                <div class="progress-fill" style:width=format!("{pct:.1}%")></div>
                            </div>
                        }
                    })
            }}
            <p class="hint" data-testid="sweep-status" aria-live="polite">
                {status}
                {move || stale().then_some(" The scenario has changed since: run it again to update.")}
            </p>
            <div class="sweep-chart" class:empty=move || sweep.with(Option::is_none)>
                <canvas
                    node_ref=canvas_ref
                    data-testid="sweep-canvas"
                    role="img"
                    aria-label=move || {
                        let w = words();
                        if w.is_empty() { "Sweep chart: no sweep yet".to_owned() } else { format!("Sweep chart. {w}") }
                    }
                ></canvas>
                <Show when=move || sweep.with(Option::is_none)>
                    <p class="placeholder">
                        "Pick a parameter and a range, then run: every model is simulated at every point, in parallel."
                    </p>
                </Show>
            </div>
            <p class="sweep-summary" data-testid="sweep-summary">{words}</p>
            <ul class="series-legend">{legend}</ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
