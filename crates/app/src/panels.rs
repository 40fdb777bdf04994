//! The panels around the charts: the scenario card, the legend, the model and view pickers,
//! the summary table, and one panel per run with its Gantt chart and insights.

use std::collections::BTreeSet;

use leptos::prelude::*;
use whenasync_sim::{Kind, Ns, Run};

use crate::app::Playground;
use crate::chart::View;
use crate::format;
use crate::gantt::GanttChart;
use crate::theme::{self, Mark, Scheme};

/// What a model family is, in Python's words.
fn family_blurb(family: &str) -> &'static str {
    match family {
        "sync" => "one thread, one task after another",
        "async" => "one asyncio event loop thread",
        "threads" => "ThreadPoolExecutor: threads share one GIL",
        "processes" => "ProcessPoolExecutor: one GIL per process",
        "workers" | "server" => "server worker processes",
        _ => "",
    }
}

/// The scenario's title, description and the claim it lets people check.
#[component]
pub fn ScenarioCard() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let field = move |f: fn(&whenasync_sim::Scenario) -> String| {
        move || pg.scenario.with(|s| s.as_ref().map(f).unwrap_or_default())
    };
    let claim = field(|s| s.claim.clone());
    view! {
        <section class="card scenario" data-testid="scenario">
            <p class="eyebrow">"Preset · " {field(|s| s.name.clone())}</p>
            <h1 data-testid="scenario-title">{field(|s| s.title.clone())}</h1>
            <p class="description">{field(|s| s.description.clone())}</p>
            <Show when=move || !claim().is_empty()>
                <p class="claim">
                    <span class="claim-label">"Claim"</span>
                    {claim}
                </p>
            </Show>
        </section>
    }
}

/// The kinds present in `runs`, in legend order.
pub fn kinds_present(runs: &[Run]) -> Vec<Kind> {
    let present: BTreeSet<Kind> = runs
        .iter()
        .flat_map(|r| {
            r.segments
                .iter()
                .map(|s| s.kind)
                .chain(r.task_segments.iter().map(|s| s.kind))
        })
        .collect();
    Kind::ALL
        .into_iter()
        .filter(|k| present.contains(k))
        .collect()
}

/// One colour swatch, shaped like the kind's marks on the chart.
#[component]
pub fn Swatch(
    /// The kind whose colour and shape to show.
    kind: Kind,
) -> impl IntoView {
    let class = match theme::mark(kind) {
        Mark::Bar => "swatch bar",
        Mark::Thin => "swatch thin",
        Mark::Tick => "swatch tick",
    };
    view! {
        <span
            class=class
            style:background=format!("var({})", theme::css_var_name(kind))
            aria-hidden="true"
        ></span>
    }
}

/// What each colour means, for the kinds in the current runs.
#[component]
pub fn Legend() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let kinds = move || {
        pg.runs
            .with(|r| r.as_deref().map(kinds_present).unwrap_or_default())
    };
    view! {
        <section class="card legend" data-testid="legend">
            <h2>"Legend"</h2>
            <ul>
                {move || {
                    kinds()
                        .into_iter()
                        .map(|kind| {
                            view! {
                                <li data-kind=kind.name()>
                                    <Swatch kind />
                                    {kind.label()}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <p class="hint">"Hover a chart for details. Time axis in simulated time."</p>
        </section>
    }
}

/// A visible message when the scenario cannot be simulated.
#[component]
pub fn ErrorBanner() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let error = move || pg.runs.with(|r| r.as_ref().err().cloned());
    view! {
        <Show when=move || error().is_some()>
            <div class="banner error" role="alert" data-testid="error-banner">
                <strong>"This scenario cannot run: "</strong>
                {error}
            </div>
        </Show>
    }
}

/// Tabs to compare every model or focus on one, and the by-worker / by-task switch.
#[component]
pub fn ModelPicker() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let labels = move || {
        pg.runs.with(|r| match r {
            Ok(runs) => runs.iter().map(|r| r.model.clone()).collect(),
            Err(_) => Vec::<String>::new(),
        })
    };
    let tab = move |focus: Option<usize>, label: String| {
        let selected = move || pg.focus.get() == focus;
        view! {
            <button
                type="button"
                role="tab"
                class="tab"
                data-testid="model-tab"
                aria-selected=move || selected().to_string()
                on:click=move |_| pg.focus.set(focus)
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="toolbar">
            <div class="tabs" role="tablist" aria-label="Models" data-testid="model-picker">
                {tab(None, "Compare all".to_owned())}
                {move || {
                    labels()
                        .into_iter()
                        .enumerate()
                        .map(|(i, label)| tab(Some(i), label))
                        .collect_view()
                }}
            </div>
            <div class="segmented" role="group" aria-label="Rows" data-testid="view-picker">
                {View::ALL
                    .into_iter()
                    .map(|v| {
                        view! {
                            <button
                                type="button"
                                aria-pressed=move || (pg.view.get() == v).to_string()
                                on:click=move |_| pg.view.set(v)
                            >
                                {v.label()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </div>
    }
}

/// The figures of every run side by side, fastest makespan marked.
#[component]
pub fn SummaryTable() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let rows = move || {
        let runs = pg.runs.get().unwrap_or_default();
        let longest = runs
            .iter()
            .map(|r| r.summary.makespan)
            .max()
            .unwrap_or(1)
            .max(1);
        let fastest = runs.iter().map(|r| r.summary.makespan).min();
        runs.into_iter()
            .enumerate()
            .map(|(i, run)| {
                let s = &run.summary;
                let share = s.makespan as f64 / longest as f64 * 100.0;
                let is_fastest = runs_fastest(fastest, s.makespan);
                view! {
                    <tr
                        data-testid="summary-row"
                        class:focused=move || pg.focus.get() == Some(i)
                        on:click=move |_| pg.focus.set(Some(i))
                    >
                        <th scope="row">
                            {run.model.clone()}
                            <Show when=move || is_fastest>
                                <span class="badge">"fastest"</span>
                            </Show>
                        </th>
                        <td class="makespan" data-testid="makespan">
                            <span class="meter" style:width=format!("{share:.1}%")></span>
                            <span class="value">{format::duration(s.makespan)}</span>
                        </td>
                        <td>{format::rate(s.throughput_per_s)}</td>
                        <td>{format::duration(s.latency.p50)}</td>
                        <td>{format::duration(s.latency.p99)}</td>
                        <td>{format::percent(s.core_utilisation)}</td>
                        <td>{format::percent(s.gil_contention)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card summary" data-testid="summary">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Model"</th>
                        <th scope="col">"Makespan"</th>
                        <th scope="col">"Throughput"</th>
                        <th scope="col">"Latency p50"</th>
                        <th scope="col">"Latency p99"</th>
                        <th scope="col">"Cores busy"</th>
                        <th scope="col">"GIL contention"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

fn runs_fastest(fastest: Option<Ns>, makespan: Ns) -> bool {
    fastest == Some(makespan)
}

/// One run: its key figures, its Gantt chart and the insights that explain it.
#[component]
pub fn RunPanel(
    /// The run to show.
    run: Run,
    /// The right end of the time axis (shared when comparing).
    #[prop(into)]
    end: Signal<Ns>,
    /// Rows by worker or by task.
    #[prop(into)]
    view: Signal<View>,
    /// Light or dark colours.
    #[prop(into)]
    scheme: Signal<Scheme>,
) -> impl IntoView {
    let s = run.summary.clone();
    let insights = run.insights.clone();
    let blurb = family_blurb(run.family);
    let model = run.model.clone();
    let title = run.model.clone();
    let figures = format!(
        "makespan {} · p50 {} · p99 {}",
        format::duration(s.makespan),
        format::duration(s.latency.p50),
        format::duration(s.latency.p99)
    );
    view! {
        <article class="card run" data-testid="run-panel" data-model=model>
            <header class="run-head">
                <h2>{title}</h2>
                <span class="blurb">{blurb}</span>
                <span class="figures" data-testid="run-figures">{figures}</span>
            </header>
            <GanttChart run end view scheme />
            <ul class="insights" data-testid="insights">
                {if insights.is_empty() {
                    view! { <li class="muted">"Nothing notable in this run."</li> }.into_any()
                } else {
                    insights
                        .into_iter()
                        .map(|i| view! { <li data-rule=i.rule>{i.text}</li> })
                        .collect_view()
                        .into_any()
                }}
            </ul>
        </article>
    }
}
