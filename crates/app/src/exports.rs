//! Exports of what is on screen, all made in the browser (no upload server): a PNG of any
//! chart, the per-task records as CSV, the Chrome trace-event JSON the command line writes
//! (`whenasync trace`), and "Open in Perfetto", which hands that trace to Perfetto UI
//! through `window.open` + `postMessage` after its PING/PONG handshake.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, Url};
use whenasync_sim::export::{chrome_trace, tasks_csv};
use whenasync_sim::Run;

use crate::app::Playground;
use crate::deferred::LoadFailed;
use crate::theme::{self, Scheme};

/// Where "Open in Perfetto" goes.
pub const PERFETTO_ORIGIN: &str = "https://ui.perfetto.dev";
/// The page it opens.
pub const PERFETTO_URL: &str = "https://ui.perfetto.dev/#!/";
/// How often the page asks the Perfetto tab whether it is ready, ms.
const PING_MS: u64 = 50;
/// How long it keeps asking before giving up, ms.
const PING_FOR_MS: u64 = 30_000;

/// The writers of the CSV and trace exports: a run's per-task records and its Chrome
/// trace-event JSON, the simulator's code that only an export needs.
#[derive(Clone, Copy)]
pub struct Writers {
    csv: fn(&Run) -> String,
    trace: fn(&Run) -> String,
}

crate::chunk!(
    /// The exports' writers (crate::deferred).
    static WRITERS: Writers = exports("the exports") {
        Writers {
            csv: tasks_csv,
            trace: chrome_trace,
        }
    }
);

/// `s` as a file-name part: lower-case letters, digits and single dashes (`threads(10)` →
/// `threads-10`), at most 60 characters; `run` if nothing is left.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "run".to_owned()
    } else {
        out
    }
}

/// The start of every exported file's name: `whenasync-<scenario>-<model>`.
pub fn file_stem(scenario: &str, model: &str) -> String {
    format!("whenasync-{}-{}", slug(scenario), slug(model))
}

/// Saves `blob` as the file `name` (a download, through an object URL).
pub fn download(name: &str, blob: &Blob) -> Result<(), JsValue> {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let url = Url::create_object_url_with_blob(blob)?;
    let a: HtmlAnchorElement = doc.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.set_attribute("hidden", "")?;
    let body = doc.body().ok_or_else(|| JsValue::from_str("no body"))?;
    body.append_child(&a)?;
    a.click();
    a.remove();
    set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        Duration::from_secs(30),
    );
    Ok(())
}

/// Saves `text` as the file `name` of type `mime`.
pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    download(name, &blob)
}

/// Saves `canvas` as a PNG named `name`: on the page's surface colour (the chart itself is
/// transparent) under a line of `title`.
pub fn download_png(
    canvas: &HtmlCanvasElement,
    title: &str,
    scheme: Scheme,
    name: String,
) -> Result<(), JsValue> {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let header = (28.0 * dpr).round();
    let (w, h) = (canvas.width(), canvas.height());
    if w == 0 || h == 0 {
        return Err(JsValue::from_str("the chart is not drawn yet"));
    }
    let out: HtmlCanvasElement = doc.create_element("canvas")?.dyn_into()?;
    out.set_width(w);
    out.set_height(h + header as u32);
    let ctx: web_sys::CanvasRenderingContext2d = out
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .dyn_into()?;
    let chrome = theme::chrome(scheme);
    ctx.set_fill_style_str(chrome.surface);
    ctx.fill_rect(0.0, 0.0, f64::from(w), f64::from(h) + header);
    ctx.set_fill_style_str(chrome.text);
    ctx.set_font(&format!(
        "600 {}px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        (13.0 * dpr).round()
    ));
    ctx.set_text_baseline("middle");
    ctx.fill_text_with_max_width(title, 10.0 * dpr, header / 2.0, f64::from(w) - 20.0 * dpr)?;
    ctx.draw_image_with_html_canvas_element(canvas, 0.0, header)?;
    let done = Closure::once_into_js(move |blob: JsValue| match blob.dyn_into::<Blob>() {
        Ok(blob) => {
            if let Err(e) = download(&name, &blob) {
                leptos::logging::warn!("PNG export: {e:?}");
            }
        }
        Err(_) => leptos::logging::warn!("PNG export: the browser made no image"),
    });
    out.to_blob(done.unchecked_ref())
}

/// Opens Perfetto UI in a new tab and hands it `trace` (Chrome trace-event JSON) once it
/// answers the PING/PONG handshake. `status` hears how it went.
pub fn open_in_perfetto(trace: String, title: String, file_name: String, status: RwSignal<String>) {
    let Some(win) = web_sys::window() else {
        return;
    };
    // Not `noopener`: the handle is how the trace gets there.
    let handle = match win.open_with_url(PERFETTO_URL) {
        Ok(Some(h)) => JsValue::from(h),
        _ => {
            status.set("The browser blocked the new tab: allow pop-ups for this page".to_owned());
            return;
        }
    };
    status.set("Opening Perfetto UI…".to_owned());
    // Called through the object, so a stand-in window (tests) works too.
    let post = {
        let handle = handle.clone();
        move |message: &JsValue| -> bool {
            js_sys::Reflect::get(&handle, &"postMessage".into())
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
                .is_some_and(|f| {
                    f.call2(&handle, message, &JsValue::from_str(PERFETTO_ORIGIN))
                        .is_ok()
                })
        }
    };
    let done = Rc::new(Cell::new(false));
    let interval: Rc<RefCell<Option<IntervalHandle>>> = Rc::new(RefCell::new(None));
    let listener: Rc<RefCell<Option<WindowListenerHandle>>> = Rc::new(RefCell::new(None));
    let stop = {
        let (interval, listener) = (interval.clone(), listener.clone());
        move || {
            if let Some(i) = interval.borrow_mut().take() {
                i.clear();
            }
            if let Some(l) = listener.borrow_mut().take() {
                l.remove();
            }
        }
    };
    let on_message = {
        let (done, post, stop) = (done.clone(), post.clone(), stop.clone());
        move |ev: web_sys::MessageEvent| {
            if done.get() || ev.origin() != PERFETTO_ORIGIN {
                return;
            }
            if ev.data().as_string().as_deref() != Some("PONG") {
                return;
            }
            done.set(true);
            stop();
            let buffer = js_sys::Uint8Array::from(trace.as_bytes()).buffer();
            let inner = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&inner, &"buffer".into(), &buffer);
            let _ = js_sys::Reflect::set(&inner, &"title".into(), &title.as_str().into());
            let _ = js_sys::Reflect::set(&inner, &"fileName".into(), &file_name.as_str().into());
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"perfetto".into(), &inner);
            status.set(if post(&message) {
                "Trace sent to Perfetto UI".to_owned()
            } else {
                "Perfetto UI could not be reached".to_owned()
            });
        }
    };
    *listener.borrow_mut() = Some(window_event_listener(leptos::ev::message, on_message));
    let started = js_sys::Date::now();
    let ping = {
        let (done, stop) = (done.clone(), stop.clone());
        move || {
            if done.get() {
                return;
            }
            let closed = js_sys::Reflect::get(&handle, &"closed".into())
                .ok()
                .is_some_and(|c| c.is_truthy());
            if closed || js_sys::Date::now() - started > PING_FOR_MS as f64 {
                done.set(true);
                stop();
                status.set(
                    "Perfetto UI did not answer: download the trace and open it there".to_owned(),
                );
                return;
            }
            post(&JsValue::from_str("PING"));
        }
    };
    *interval.borrow_mut() = set_interval_with_handle(ping, Duration::from_millis(PING_MS)).ok();
}

/// The canvas that `ev`'s button belongs to: the first match of `selector` inside the
/// button's closest `scope`.
fn canvas_near(ev: &web_sys::MouseEvent, scope: &str, selector: &str) -> Option<HtmlCanvasElement> {
    ev.current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|b| b.closest(scope).ok().flatten())
        .and_then(|s| s.query_selector(selector).ok().flatten())
        .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok())
}

/// A "PNG" button that saves the chart next to it: the first `selector` inside its closest
/// `scope` (a CSS selector, e.g. `figure`).
#[component]
pub fn PngButton(
    /// The element around both the button and the chart.
    scope: &'static str,
    /// The chart's canvas inside it.
    selector: &'static str,
    /// What the chart shows, for the file name and the image's title line.
    #[prop(into)]
    what: Signal<String>,
) -> impl IntoView {
    let pg = use_context::<Playground>();
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(canvas) = canvas_near(&ev, scope, selector) else {
            return;
        };
        let (scenario, title, scheme) = match pg {
            Some(pg) => (
                pg.scenario
                    .with_untracked(|s| s.as_ref().map(|s| (s.name.clone(), s.title.clone())))
                    .unwrap_or_default(),
                what.get_untracked(),
                pg.scheme.get_untracked(),
            ),
            None => (Default::default(), what.get_untracked(), Scheme::Light),
        };
        let name = format!("{}.png", file_stem(&scenario.0, &title));
        let line = format!("whenasync · {} · {title}", scenario.1);
        if let Err(e) = download_png(&canvas, &line, scheme, name) {
            leptos::logging::warn!("PNG export: {e:?}");
        }
    };
    view! {
        <button
            type="button"
            class="chip"
            data-testid="export-png"
            title="Download this chart as a PNG image"
            aria-label=move || format!("Download the {} chart as PNG", what.get())
            on:click=on_click
        >
            "PNG"
        </button>
    }
}

/// The exports of run `index` of the playground: PNG of its Gantt chart, CSV, trace,
/// Perfetto, and its Python program ([`crate::python_panel`]). Lives in the run's panel.
#[component]
pub fn RunExports(
    /// Which run of the playground's runs.
    index: usize,
) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let status = RwSignal::new(String::new());
    let model = Signal::derive(move || {
        pg.runs
            .with(|r| {
                r.as_ref()
                    .ok()
                    .and_then(|r| r.get(index))
                    .map(|r| r.model.clone())
            })
            .unwrap_or_default()
    });
    // (file stem, scenario title, what `f` makes of the run)
    let with_run = move |f: fn(&Run) -> String| {
        let (name, title) = pg
            .scenario
            .with_untracked(|s| s.as_ref().map(|s| (s.name.clone(), s.title.clone())))
            .unwrap_or_default();
        pg.runs.with_untracked(|r| {
            r.as_ref().ok().and_then(|r| r.get(index)).map(|run| {
                (
                    file_stem(&name, &run.model),
                    format!("{title} · {}", run.model),
                    f(run),
                )
            })
        })
    };
    // The CSV and trace writers are in a chunk of their own, loaded on the first export (or
    // when a pointer or the keyboard reaches these buttons: crate::deferred).
    let export = move |pick: fn(Writers) -> fn(&Run) -> String,
                       then: fn(String, String, String, RwSignal<String>)| {
        leptos::task::spawn_local(async move {
            let writers = WRITERS.get().await;
            // The run panel may have gone while the code loaded (another scenario).
            if status.is_disposed() {
                return;
            }
            match writers {
                Ok(writers) => {
                    // Whatever an earlier click said (that the code did not load) is past.
                    status.set(String::new());
                    if let Some((stem, title, text)) = with_run(pick(writers)) {
                        then(stem, title, text, status);
                    }
                }
                Err(LoadFailed) => status.set(WRITERS.failure()),
            }
        });
    };
    let csv = move |_| {
        export(
            |w| w.csv,
            |stem, _, text, _| {
                if let Err(e) = download_text(&format!("{stem}-tasks.csv"), "text/csv", &text) {
                    leptos::logging::warn!("CSV export: {e:?}");
                }
            },
        )
    };
    let trace = move |_| {
        export(
            |w| w.trace,
            |stem, _, text, _| {
                if let Err(e) =
                    download_text(&format!("{stem}-trace.json"), "application/json", &text)
                {
                    leptos::logging::warn!("trace export: {e:?}");
                }
            },
        )
    };
    let perfetto = move |_| {
        export(
            |w| w.trace,
            |stem, title, text, status| {
                open_in_perfetto(
                    text,
                    format!("whenasync · {title}"),
                    format!("{stem}-trace.json"),
                    status,
                )
            },
        )
    };
    // While only the figures are up (an outline: no segments, no time by kind), the run has
    // no trace and no per-task breakdown to export yet.
    let tracing = pg.background.tracing;
    let tip = move |ready: &'static str| {
        move || {
            if tracing.get() {
                "Waiting for this run's trace, still being simulated"
            } else {
                ready
            }
        }
    };
    view! {
        <div
            class="exports"
            role="group"
            aria-label="Export"
            data-testid="exports"
            on:pointerenter=|_| WRITERS.prefetch()
            on:focusin=|_| WRITERS.prefetch()
        >
            <PngButton scope="[data-testid=run-panel]" selector="[data-testid=gantt-canvas]" what=model />
            <button
                type="button"
                class="chip"
                data-testid="export-csv"
                disabled=move || tracing.get()
                title=tip("Download the per-task records as CSV")
                on:click=csv
            >
                "CSV"
            </button>
            <button
                type="button"
                class="chip"
                data-testid="export-trace"
                disabled=move || tracing.get()
                title=tip("Download the Chrome trace-event JSON (chrome://tracing, Perfetto)")
                on:click=trace
            >
                "Trace"
            </button>
            <button
                type="button"
                class="chip"
                data-testid="export-perfetto"
                disabled=move || tracing.get()
                title=tip("Open this run in Perfetto UI (a new tab; the trace goes there from this page, no server)")
                on:click=perfetto
            >
                "Perfetto ↗"
            </button>
            <crate::python_panel::PythonButton index />
            <span class="export-status" role="status" aria-live="polite" data-testid="export-status">
                {move || status.get()}
            </span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_tidy() {
        assert_eq!(slug("threads(10)"), "threads-10");
        assert_eq!(slug("processes(4, fork)"), "processes-4-fork");
        assert_eq!(slug("<script>"), "script");
        assert_eq!(slug("../../"), "run");
        assert_eq!(
            file_stem("gather-10-queries", "async"),
            "whenasync-gather-10-queries-async"
        );
        assert!(slug(&"x".repeat(500)).len() <= 60);
    }
}
