//! The playground's root: one scenario signal, one memo of runs that every view reads, and the
//! page chrome (light or dark) following the system's colour scheme.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use whenasync_sim::{presets, Ns, Run, Scenario, ScenarioError};

use crate::background::{self, Background, BackgroundProgress};
use crate::chart::View;
use crate::deferred::deferred_near;
use crate::editor::Inspector;
use crate::gantt::{ChartState, ZoomBar};
use crate::latency::LatencyPanel;
use crate::models::Verdict;
use crate::panels::{ErrorBanner, Legend, ModelPicker, RunPanel, ScenarioCard, SummaryTable};
use crate::sweep::SweepPanel;
use crate::theme::{self, Scheme};

/// When the playground starts its Web Workers, after it mounts: once the landing charts are
/// drawn (about 0.4 s), so loading them never competes with the first screen.
const WARM_WORKERS_AFTER: std::time::Duration = std::time::Duration::from_millis(1500);

/// The preset the landing page opens.
pub const LANDING_PRESET: &str = "gather-10-queries";

/// The playground's state, shared with every component through context.
#[derive(Clone, Copy, Debug)]
pub struct Playground {
    /// The scenario being explored (none if it could not be loaded).
    pub scenario: RwSignal<Option<Scenario>>,
    /// One run per model, or the reason there are none. Every chart reads this memo. Heavy
    /// scenarios are simulated in Web Workers ([`background`]); meanwhile this holds no runs
    /// and [`Background::progress`] says how far they are. Read it with `with` where you can:
    /// a 100,000-task run is large to clone.
    pub runs: Memo<Result<Vec<Run>, String>>,
    /// The model shown alone, by index into the runs; `None` compares all of them.
    pub focus: RwSignal<Option<usize>>,
    /// Gantt rows by worker or by task.
    pub view: RwSignal<View>,
    /// Light or dark mode.
    pub scheme: RwSignal<Scheme>,
    /// Simulation off the main thread: progress and timings.
    pub background: Background,
    /// What the Gantt charts share: the zoom window, the time cursor, the highlight.
    pub chart: ChartState,
    /// The scenario as the editor shows it: `scenario` itself, or an edit the validator
    /// refused (the page keeps the last valid scenario's runs meanwhile). See [`crate::editor`].
    pub draft: RwSignal<Option<Scenario>>,
    /// Why the validator refused `draft`, if it did.
    pub draft_error: Memo<Option<ScenarioError>>,
}

impl Playground {
    /// State for `scenario`, simulated lazily.
    pub fn new(scenario: Result<Scenario, String>, scheme: Scheme) -> Self {
        let (scenario, error) = match scenario {
            Ok(s) => (Some(s), None),
            Err(e) => (None, Some(e)),
        };
        let scenario = RwSignal::new(scenario);
        let background = Background::new();
        let runs = Memo::new_owning(move |prev| {
            scenario.with(|s| match s {
                Some(s) => background.runs(s, prev),
                None => (
                    Err(error
                        .clone()
                        .unwrap_or_else(|| "no scenario loaded".to_owned())),
                    true,
                ),
            })
        });
        let draft = RwSignal::new(scenario.get_untracked());
        let draft_error = Memo::new(move |_| {
            draft.with(|d| d.as_ref().and_then(|d| whenasync_sim::validate(d).err()))
        });
        crate::editor::keep_draft(scenario, draft);
        Playground {
            scenario,
            runs,
            focus: RwSignal::new(None),
            view: RwSignal::new(View::Workers),
            scheme: RwSignal::new(scheme),
            background,
            chart: ChartState::new(),
            draft,
            draft_error,
        }
    }

    /// The end of the time axis for the runs on screen: the longest makespan when comparing,
    /// so small multiples share one axis.
    pub fn axis_end(&self) -> Ns {
        let focus = self.focus.get();
        self.runs.with(|runs| match runs {
            Ok(runs) => runs
                .iter()
                .enumerate()
                .filter(|(i, _)| focus.is_none_or(|f| f == *i))
                .map(|(_, r)| r.summary.makespan)
                .max()
                .unwrap_or(1)
                .max(1),
            Err(_) => 1,
        })
    }
}

/// The scenario the landing page shows.
pub fn landing_scenario() -> Result<Scenario, String> {
    match presets::get(LANDING_PRESET) {
        Some(Ok(s)) => Ok(s),
        Some(Err(e)) => Err(format!("the preset {LANDING_PRESET:?} is invalid: {e}")),
        None => Err(format!(
            "the preset {LANDING_PRESET:?} is missing from this build"
        )),
    }
}

/// The colour scheme the system asks for.
pub fn preferred_scheme() -> Scheme {
    let dark = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches());
    if dark {
        Scheme::Dark
    } else {
        Scheme::Light
    }
}

/// Keeps `scheme` in step with the system setting while the current owner lives.
pub(crate) fn follow_system_scheme(scheme: RwSignal<Scheme>) {
    let Some(query) = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
    else {
        return;
    };
    let callback = Closure::<dyn FnMut(web_sys::MediaQueryListEvent)>::new(
        move |ev: web_sys::MediaQueryListEvent| {
            scheme.set(if ev.matches() {
                Scheme::Dark
            } else {
                Scheme::Light
            });
        },
    );
    if query
        .add_event_listener_with_callback("change", callback.as_ref().unchecked_ref())
        .is_err()
    {
        return;
    }
    let guard = SendWrapper::new((query, callback));
    on_cleanup(move || {
        let (query, callback) = guard.take();
        let _ =
            query.remove_event_listener_with_callback("change", callback.as_ref().unchecked_ref());
    });
}

/// Writes the theme's colours as CSS custom properties on `<html>`, so the stylesheet and the
/// canvas charts use one palette.
fn apply_scheme(scheme: Scheme) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    apply_scheme_to(&root, scheme);
}

/// Writes the theme's colours as CSS custom properties on `el` (the page's root, or an
/// embed's shadow host), with `color-scheme` and `data-scheme`.
pub(crate) fn apply_scheme_to(el: &web_sys::HtmlElement, scheme: Scheme) {
    let style = el.style();
    for (name, value) in theme::css_vars(scheme) {
        let _ = style.set_property(name, value);
    }
    let name = match scheme {
        Scheme::Light => "light",
        Scheme::Dark => "dark",
    };
    let _ = style.set_property("color-scheme", name);
    let _ = el.set_attribute("data-scheme", name);
}

/// Views below the Gantt charts, in a chunk of their own (crate::deferred): a first visit
/// often never scrolls to them.
#[derive(Clone, Copy)]
pub struct Below {
    /// The latency plots.
    pub latency: fn() -> AnyView,
    /// The sweep.
    pub sweep: fn() -> AnyView,
}

crate::chunk!(
    /// The latency plots and the sweep.
    pub static BELOW: Below = below("the latency plots and the sweep") {
        Below {
            latency: || view! { <LatencyPanel /> }.into_any(),
            sweep: || view! { <SweepPanel /> }.into_any(),
        }
    }
);

/// The room the latency plots and the sweep take until their code is loaded, so that the page
/// does not jump when it is.
const BELOW_HEIGHT: &str = "60rem";

/// The whole playground, opened on the link in the address bar.
#[component]
pub fn App(
    /// What [`crate::url::open`] made of the link: its scenario and view, or the landing
    /// preset ([`LANDING_PRESET`]) and why the link failed.
    opened: crate::url::Opened,
) -> impl IntoView {
    let pg = Playground::new(opened.scenario.clone(), preferred_scheme());
    provide_context(pg);
    crate::url::apply_view(pg, &opened.view, false);
    crate::url::install(pg, opened.error);
    follow_system_scheme(pg.scheme);
    Effect::new(move |_| apply_scheme(pg.scheme.get()));
    // Heavy scenarios go to the workers; a stale simulation is cancelled on every edit.
    Effect::new(move |_| {
        pg.scenario
            .with(|s| pg.background.ensure(s.as_ref(), pg.scenario))
    });
    background::install_page_hook(pg.scenario);
    // Load the workers while the reader looks at the landing charts: a big scenario or a
    // sweep then starts at once instead of waiting for them.
    set_timeout(crate::workers::warm, WARM_WORKERS_AFTER);
    // Below the charts, the latency plots and the sweep are built once the page above them
    // has painted (a frame, then a task): the Gantt charts come about 40 ms sooner.
    let below_fold = RwSignal::new(false);
    request_animation_frame(move || {
        set_timeout(move || below_fold.set(true), std::time::Duration::ZERO)
    });
    pg.chart.follow(pg.scenario);
    // The runs on screen are the previous edit's while a heavy edit simulates: dimmed.
    let outdated = move || {
        pg.background.outdated.get() && pg.runs.with(|r| r.as_ref().is_ok_and(|r| !r.is_empty()))
    };

    view! {
        <div class="shell" data-testid="app">
            <header class="topbar">
                <div class="brand">
                    <span class="logo" aria-hidden="true"></span>
                    "whenasync"
                </div>
                <p class="tagline">
                    "sync, asyncio, threads or processes: who wins this workload, and why"
                </p>
                <crate::share::ShareBar />
            </header>
            <crate::url::LinkBanner />
            <main class="layout">
                <aside class="sidebar">
                    <Inspector />
                    <ScenarioCard />
                    <Legend />
                </aside>
                <section
                    class="content"
                    class:outdated=outdated
                    aria-busy=move || pg.background.outdated.get().to_string()
                >
                    <ErrorBanner />
                    <ModelPicker />
                    <Verdict />
                    <SummaryTable />
                    <BackgroundProgress />
                    <Runs />
                    <Show when=move || below_fold.get()>
                        {deferred_near(
                            &BELOW,
                            |below| view! { {(below.latency)()} {(below.sweep)()} },
                            BELOW_HEIGHT,
                        )}
                    </Show>
                </section>
            </main>
        </div>
    }
}

/// The Gantt panels of the runs on screen: all models on one shared time axis (one zoom
/// window, one cursor), or one. Panels read their run from the memo by index, never a copy.
#[component]
fn Runs() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let end = Signal::derive(move || pg.axis_end());
    let view = Signal::from(pg.view);
    let scheme = Signal::from(pg.scheme);
    let shown = move || {
        let focus = pg.focus.get();
        pg.runs.with(|runs| match runs {
            Ok(runs) => (0..runs.len())
                .filter(|i| focus.is_none_or(|f| f == *i))
                .map(|i| (i, runs[i].model.clone()))
                .collect::<Vec<_>>(),
            Err(_) => Vec::new(),
        })
    };
    // The zoom bar sticks to the top while the charts scroll by, and only then.
    view! {
        <div class="gantt-area">
            <Show when=move || !shown().is_empty()>
                <ZoomBar end />
            </Show>
            <div class="runs" data-testid="runs">
                <For
                    each=shown
                    key=|(i, model)| (*i, model.clone())
                    children=move |(index, _)| view! { <RunPanel index end view scheme /> }
                />
            </div>
        </div>
    }
}
