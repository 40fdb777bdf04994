//! What the page shows of background simulation: the progress bar, the line saying how long
//! it took, and the `window.whenasync.load` hook that scripts and the tests use.

use leptos::prelude::*;
use whenasync_sim::Scenario;

use crate::background::Progress;
use crate::format;

/// What a background simulation is doing, e.g. "Simulating 100,000 tasks × 4 models in the
/// background".
fn describe(p: &Progress) -> String {
    format!(
        "{} {} tasks × {} {} in the background",
        if p.figures_ready {
            "Figures are up · tracing"
        } else {
            "Simulating"
        },
        crate::plot::count(u64::from(p.tasks)),
        p.models,
        if p.models == 1 { "model" } else { "models" },
    )
}

/// The progress bar of a scenario simulating in the background; once it is done, a line
/// saying how long that took. With runs on screen (an edit's previous runs, or the figures
/// while their traces come) the progress is one line in the timing line's place, so nothing
/// below it moves; with none, it is a card. Either is built once and follows the progress in
/// place.
#[component]
pub fn BackgroundProgress() -> impl IntoView {
    let pg = expect_context::<crate::Playground>();
    let progress = pg.background.progress;
    let active = Memo::new(move |_| progress.with(Option::is_some));
    let compact = Memo::new(move |_| {
        active.get() && pg.runs.with(|r| r.as_ref().is_ok_and(|r| !r.is_empty()))
    });
    let pct = move || {
        progress.with(|p| {
            p.as_ref()
                .map_or(0.0, |p| (p.fraction * 100.0).clamp(0.0, 100.0))
        })
    };
    let what = move || progress.with(|p| p.as_ref().map(describe).unwrap_or_default());
    let workers = move || {
        let n = progress.with(|p| p.as_ref().map_or(0, |p| p.workers));
        format!(
            "{n} Web {} · the page stays usable; an edit starts over",
            if n == 1 { "Worker" } else { "Workers" },
        )
    };
    let bar = move || {
        view! {
            <div
                class="progress-track"
                role="progressbar"
                aria-labelledby="sim-progress-label"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || format!("{:.0}", pct())
            >
                <div class="progress-fill" style:width=move || format!("{:.0}%", pct())></div>
            </div>
        }
    };
    view! {
        <BackgroundTiming />
        {move || {
            active
                .get()
                .then(|| {
                    if compact.get() {
                        view! {
                            <div
                                class="hint sim-timing sim-progress compact"
                                data-testid="sim-progress"
                                title=workers
                            >
                                <span id="sim-progress-label">{what}</span>
                                <span class="pct">{move || format!("{:.0} %", pct())}</span>
                                {bar()}
                            </div>
                        }
                            .into_any()
                    } else {
                        view! {
                            <section class="card sim-progress" data-testid="sim-progress">
                                <div class="sim-progress-head">
                                    <strong id="sim-progress-label">{what}</strong>
                                    <span class="pct">{move || format!("{:.0} %", pct())}</span>
                                </div>
                                {bar()}
                                <p class="hint">{workers}</p>
                            </section>
                        }
                            .into_any()
                    }
                })
        }}
    }
}

/// A line under the summary saying how long the last background simulation took.
#[component]
pub fn BackgroundTiming() -> impl IntoView {
    let pg = expect_context::<crate::Playground>();
    let timing = pg.background.timing;
    let shown = move || pg.background.progress.get().is_none() && timing.get().is_some();
    view! {
        <Show when=shown>
            {move || {
                timing
                    .get()
                    .map(|t| {
                        view! {
                            <p
                                class="hint sim-timing"
                                data-testid="sim-timing"
                                data-figures-ms=t.figures_ms.map(|ms| format!("{ms:.0}"))
                                data-total-ms=format!("{:.0}", t.total_ms)
                                data-simulate-ms=format!("{:.0}", t.simulate_ms)
                                data-decode-ms=format!("{:.0}", t.decode_ms)
                                data-bytes=t.bytes.to_string()
                            >
                                {format!(
                                    "Simulated in background workers: {}traces in {} ({} of runs decoded in {}).",
                                    t.figures_ms
                                        .map(|ms| {
                                            format!(
                                                "figures in {}, ",
                                                format::duration((ms * 1e6) as u64),
                                            )
                                        })
                                        .unwrap_or_default(),
                                    format::duration((t.total_ms * 1e6) as u64),
                                    crate::plot::bytes(t.bytes as u64),
                                    format::duration((t.decode_ms * 1e6) as u64),
                                )}
                            </p>
                        }
                    })
            }}
        </Show>
    }
}

/// `window.whenasync.load(json)`: loads a scenario from its JSON text and returns `null`, or
/// the reason it cannot be read. A small, documented hook for scripts and the end-to-end
/// tests (a 100,000-task scenario is easier to pass as JSON than to type into the editor).
pub fn install_page_hook(scenario: RwSignal<Option<Scenario>>) {
    use wasm_bindgen::prelude::*;
    let Some(window) = web_sys::window() else {
        return;
    };
    let load = Closure::<dyn Fn(String) -> JsValue>::new(move |json: String| {
        match Scenario::from_json(&json) {
            Ok(s) => {
                scenario.set(Some(s));
                JsValue::NULL
            }
            Err(e) => JsValue::from_str(&e.to_string()),
        }
    });
    let api = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&api, &"load".into(), load.as_ref());
    let _ = js_sys::Reflect::set(&window, &"whenasync".into(), &api);
    // The hook lives as long as the page.
    load.forget();
}
