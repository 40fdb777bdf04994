//! What the page shows of background simulation: the progress bar, the line saying how long
//! it took, and the `window.whenasync.load` hook that scripts and the tests use.

use leptos::prelude::*;
use whenasync_sim::Scenario;

use crate::format;

/// The progress bar of a scenario simulating in the background; once it is done, a line
/// saying how long that took.
#[component]
pub fn BackgroundProgress() -> impl IntoView {
    let pg = expect_context::<crate::Playground>();
    let progress = pg.background.progress;
    view! {
        <BackgroundTiming />
        {move || {
            progress
                .get()
                .map(|p| {
                    let pct = (p.fraction * 100.0).clamp(0.0, 100.0);
                    let what = format!(
                        "{} {} tasks × {} {} in the background",
                        if p.figures_ready {
                            "Figures are up · tracing"
                        } else {
                            "Simulating"
                        },
                        crate::plot::count(u64::from(p.tasks)),
                        p.models,
                        if p.models == 1 { "model" } else { "models" },
                    );
                    let workers = format!(
                        "{} Web {} · the page stays usable; an edit starts over",
                        p.workers,
                        if p.workers == 1 { "Worker" } else { "Workers" },
                    );
                    view! {
                        <section class="card sim-progress" data-testid="sim-progress">
                            <div class="sim-progress-head">
                                <strong id="sim-progress-label">{what}</strong>
                                <span class="pct">{format!("{pct:.0} %")}</span>
                            </div>
                            <div
                                class="progress-track"
                                role="progressbar"
                                aria-labelledby="sim-progress-label"
                                aria-valuemin="0"
                                aria-valuemax="100"
                                aria-valuenow=format!("{pct:.0}")
                            >
                                <div class="progress-fill" style:width=format!("{pct:.1}%")></div>
                            </div>
                            <p class="hint">{workers}</p>
                        </section>
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
