//! The panels around the charts: the scenario card, the legend, the model and view pickers,
//! the summary table, and one panel per run with its Gantt chart and insights.

use leptos::prelude::*;
use whenasync_sim::{Insight, Kind, Ns, Run};

use crate::app::Playground;
use crate::chart::View;
use crate::format;
use crate::gantt::{GanttChart, RunSource};
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
    // Edited: the editor's scenario is no longer the preset it was loaded from.
    let edited = move || {
        pg.draft
            .with(|d| d.as_ref().is_some_and(|s| !crate::gallery::pristine(s)))
    };
    let reset = move |_| {
        let name = pg
            .draft
            .with_untracked(|d| d.as_ref().map(|s| s.name.clone()));
        if let Some(p) = name.as_deref().and_then(crate::gallery::preset) {
            crate::gallery::load(pg, p.clone());
        }
    };
    view! {
        <section class="card scenario" data-testid="scenario">
            <p class="eyebrow">
                "Preset · " {field(|s| s.name.clone())}
                <Show when=edited>
                    <span class="tag" data-testid="edited">"edited"</span>
                    <button
                        type="button"
                        class="link"
                        on:click=reset
                        title="Discard every edit and reload the preset"
                    >
                        "reset"
                    </button>
                </Show>
            </p>
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

/// The kinds present in `runs`, in legend order. One pass with a flag per kind (no set, no
/// sort), stopping early once every kind has been seen: millions of segments cost a few ms.
/// A run without a trace (an outline, while the whole run is on its way) has no segments:
/// its kinds are those its tasks spent time in, which are its task segments' kinds.
pub fn kinds_present(runs: &[Run]) -> Vec<Kind> {
    let mut present = [false; whenasync_sim::run::KIND_COUNT];
    let mut missing = present.len();
    let mut see = |k: Kind| {
        let seen = &mut present[k as usize];
        if !*seen {
            *seen = true;
            missing -= 1;
        }
        missing == 0
    };
    'scan: for r in runs {
        if r.segments.is_empty() && r.task_segments.is_empty() {
            for k in Kind::ALL {
                if r.summary.time_by_kind[k as usize] > 0 && see(k) {
                    break 'scan;
                }
            }
            continue;
        }
        for k in r
            .segments
            .iter()
            .map(|s| s.kind)
            .chain(r.task_segments.iter().map(|s| s.kind))
        {
            if see(k) {
                break 'scan;
            }
        }
    }
    Kind::ALL
        .into_iter()
        .filter(|k| present[*k as usize])
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
    // A memo: the list is rebuilt only when the kinds on screen change, not on every edit.
    let kinds = Memo::new(move |_| {
        pg.runs
            .with(|r| r.as_deref().map(kinds_present).unwrap_or_default())
    });
    view! {
        <section class="card legend" data-testid="legend">
            <h2>"Legend"</h2>
            <ul>
                {move || {
                    kinds
                        .get()
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
    // A memo: the tabs are rebuilt only when the models change, not on every edit.
    let labels = Memo::new(move |_| {
        pg.runs.with(|r| match r {
            Ok(runs) => runs.iter().map(|r| r.model.clone()).collect(),
            Err(_) => Vec::<String>::new(),
        })
    });
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
                    labels
                        .get()
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

/// The text `f` gives of item `at` of `items` (empty once there is no such item), for a view
/// that follows the list in place instead of being rebuilt with it.
fn text_at<T: Send + Sync + 'static>(
    items: Memo<Vec<T>>,
    at: usize,
    f: fn(&T) -> String,
) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || items.with(|l| l.get(at).map(f).unwrap_or_default())
}

/// One row of the summary table, formatted.
#[derive(Clone, Debug, PartialEq)]
struct SummaryRow {
    model: String,
    share: String,
    fastest: bool,
    cells: [String; 6],
}

/// The figures of every run side by side, fastest makespan marked.
///
/// Rows are keyed by position and their cells follow the figures in place: an edit changes
/// text, not elements (rebuilding a row would re-set every attribute in it).
#[component]
pub fn SummaryTable() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let rows = Memo::new(move |_| {
        pg.runs.with(|r| {
            let Ok(runs) = r else { return Vec::new() };
            let longest = runs
                .iter()
                .map(|r| r.summary.makespan)
                .max()
                .unwrap_or(1)
                .max(1);
            let fastest = runs.iter().map(|r| r.summary.makespan).min();
            runs.iter()
                .map(|r| {
                    let s = &r.summary;
                    SummaryRow {
                        model: r.model.clone(),
                        share: format!("{:.1}%", s.makespan as f64 / longest as f64 * 100.0),
                        fastest: runs_fastest(fastest, s.makespan),
                        cells: [
                            format::duration(s.makespan),
                            format::rate(s.throughput_per_s),
                            format::duration(s.latency.p50),
                            format::duration(s.latency.p99),
                            format::percent(s.core_utilisation),
                            format::percent(s.gil_contention),
                        ],
                    }
                })
                .collect::<Vec<_>>()
        })
    });
    // The rows are rebuilt only when their number changes.
    let count = Memo::new(move |_| rows.with(Vec::len));
    let row = move |i: usize| {
        let text = move |f: fn(&SummaryRow) -> String| text_at(rows, i, f);
        let fastest = move || rows.with(|r| r.get(i).is_some_and(|r| r.fastest));
        view! {
            <tr
                data-testid="summary-row"
                class:focused=move || pg.focus.get() == Some(i)
                on:click=move |_| pg.focus.set(Some(i))
            >
                <th scope="row">
                    {text(|r| r.model.clone())}
                    <Show when=fastest>
                        <span class="badge">"fastest"</span>
                    </Show>
                </th>
                <td class="makespan" data-testid="makespan">
                    <span class="meter" style:width=text(|r| r.share.clone())></span>
                    <span class="value">{text(|r| r.cells[0].clone())}</span>
                </td>
                <td>{text(|r| r.cells[1].clone())}</td>
                <td>{text(|r| r.cells[2].clone())}</td>
                <td>{text(|r| r.cells[3].clone())}</td>
                <td>{text(|r| r.cells[4].clone())}</td>
                <td>{text(|r| r.cells[5].clone())}</td>
            </tr>
        }
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
                <tbody>
                    {move || (0..count.get()).map(row).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

fn runs_fastest(fastest: Option<Ns>, makespan: Ns) -> bool {
    fastest == Some(makespan)
}

/// One run: its key figures, its Gantt chart and the insights that explain it. The run is
/// read from the playground's memo by `index`, so a panel follows edits without being
/// rebuilt and never copies the run.
#[component]
pub fn RunPanel(
    /// Which run of the playground's runs.
    index: usize,
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
    let pg = expect_context::<Playground>();
    let read = move |f: fn(&Run) -> String| {
        move || {
            pg.runs
                .with(|r| r.as_ref().ok().and_then(|r| r.get(index)).map(f))
                .unwrap_or_default()
        }
    };
    let model = read(|r| r.model.clone());
    let blurb = read(|r| family_blurb(r.family).to_owned());
    let makespan = read(|r| format!("makespan {}", format::duration(r.summary.makespan)));
    let p50 = read(|r| format!("p50 {}", format::duration(r.summary.latency.p50)));
    let p99 = read(|r| format!("p99 {}", format::duration(r.summary.latency.p99)));
    let insights = Memo::new(move |_| {
        pg.runs
            .with(|r| {
                r.as_ref()
                    .ok()
                    .and_then(|r| r.get(index))
                    .map(|r| r.insights.clone())
            })
            .unwrap_or_default()
    });
    let count = Memo::new(move |_| insights.with(Vec::len));
    let run = RunSource::Playground(pg.runs, index);
    view! {
        <article class="card run" data-testid="run-panel" data-model=model>
            <header class="run-head">
                <h2>{model}</h2>
                <span class="blurb">{blurb}</span>
                <span class="figures" data-testid="run-figures">
                    <span class="fig">{makespan}</span>
                    " · "
                    <span class="fig">{p50}</span>
                    " · "
                    <span class="fig">{p99}</span>
                </span>
                <crate::exports::RunExports index />
            </header>
            <GanttChart run end view scheme />
            <ul class="insights" data-testid="insights">
                <Show when=move || insights.with(Vec::is_empty)>
                    <li class="muted">"Nothing notable in this run."</li>
                </Show>
                // By position: an insight follows its run's edits in place, and the list is
                // rebuilt only when the number of insights changes.
                {move || {
                    (0..count.get())
                        .map(|at| view! { <InsightItem at insights model=Signal::derive(model) end /> })
                        .collect_view()
                }}
            </ul>
        </article>
    }
}

/// Insight `at` of a run: its sentence, and a button that zooms the chart above to the span
/// that proves it and highlights the lane or task. It follows `insights` in place, so an edit
/// changes its text, not its element (rebuilding would re-set every attribute), and a click
/// points at the current span.
#[component]
fn InsightItem(
    at: usize,
    insights: Memo<Vec<Insight>>,
    #[prop(into)] model: Signal<String>,
    #[prop(into)] end: Signal<Ns>,
) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let text = text_at(insights, at, |i| i.text.clone());
    let rule = text_at(insights, at, |i| i.rule.to_owned());
    let label = text_at(insights, at, |i| {
        format!("Show on the chart: {}", crate::insight_links::describe(i))
    });
    let pointed = Memo::new(move |_| {
        insights.with(|l| {
            l.get(at)
                .is_some_and(|i| crate::insight_links::target(i, "").is_some())
        })
    });
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let target = insights.with_untracked(|l| {
            l.get(at)
                .and_then(|i| crate::insight_links::target(i, &model.get_untracked()))
        });
        let Some(target) = target else {
            return;
        };
        // A lane is a row of the worker view only: show that view for it.
        if target.lane.is_some()
            && target.task.is_none()
            && pg.view.get_untracked() != View::Workers
        {
            pg.view.set(View::Workers);
        }
        pg.chart.point_at(target, end.get_untracked());
        crate::insight_links::reveal_chart(&ev);
    };
    view! {
        <li data-rule=rule>
            {move || {
                if pointed.get() {
                    view! {
                        <button
                            type="button"
                            class="insight"
                            data-testid="insight"
                            aria-label=label
                            on:click=on_click
                        >
                            <span class="insight-text">{text}</span>
                            <span class="insight-go" aria-hidden="true">"Show ›"</span>
                        </button>
                    }
                        .into_any()
                } else {
                    view! { <span class="insight-text">{text}</span> }.into_any()
                }
            }}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::{presets, simulate};

    /// The kinds of the task segments alone (the legend of the by-task view).
    fn task_kinds(r: &Run) -> Vec<Kind> {
        Kind::ALL
            .into_iter()
            .filter(|k| r.task_segments.iter().any(|s| s.kind == *k))
            .collect()
    }

    #[test]
    fn an_outline_has_a_legend_of_its_tasks_kinds() {
        let sc = presets::get("gil-convoy")
            .expect("a preset")
            .expect("valid");
        for whole in simulate(&sc).expect("simulates") {
            let outline = Run {
                segments: Vec::new(),
                task_segments: Vec::new(),
                trace_end: Some(0),
                ..whole.clone()
            };
            let kinds = kinds_present(std::slice::from_ref(&outline));
            assert!(kinds.contains(&Kind::Running), "{kinds:?}");
            assert_eq!(kinds, task_kinds(&whole));
            // Every kind the outline names is one the whole run shows.
            let shown = kinds_present(std::slice::from_ref(&whole));
            assert!(
                kinds.iter().all(|k| shown.contains(k)),
                "{kinds:?} ⊄ {shown:?}"
            );
        }
    }
}
