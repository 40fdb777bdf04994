//! Sweeps: one parameter (workers, I/O share, arrival rate, concurrency limit) across a range,
//! every model of the scenario simulated at every point in parallel Web Workers (one per
//! hardware thread), and a chart of makespan or p99 per model that marks where the winner
//! changes.
//!
//! The page never simulates a sweep itself: each (point, model) is one worker job that sends
//! back a handful of figures, so the main thread only draws.

mod chart;
mod params;

use leptos::prelude::*;
use whenasync_sim::{Arrivals, Scenario};
use whenasync_worker::{Figures, Reply, Request};

use crate::app::Playground;
use crate::gantt::observe_width;
use crate::latency::SeriesKey;
use crate::plot::now_ms;
use crate::workers;
use crate::{format, plot};

use chart::{draw, summary};
pub use params::{
    changes, means, plan, points, winners, Metric, Param, MAX_POINTS, MAX_SWEEP_EVENTS,
};

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
        let json = point.to_compact_json();
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
            whenasync_sim::number::parse_decimal(&s.get_untracked().replace(',', ""))
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
