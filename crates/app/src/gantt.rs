//! The Gantt chart: rows × time on a `<canvas>`, drawn with the Canvas 2D API, with zoom
//! (wheel at the pointer, buttons, `+` `−` `0`), pan (drag, arrow keys), a time cursor (hover,
//! or click / Enter to pin it) and a highlight (an insight's span), all shared by the charts on
//! screen through [`ChartState`], so small multiples keep one time axis.
//!
//! Drawn by hand rather than with a plotting crate: a Gantt chart is rectangles, a few lines
//! and text, and the raw API keeps the wasm small and gives exact control over crisp,
//! device-pixel-aligned bars. The bars go through [`chart::raster`], so drawing costs one
//! rectangle per run of same-coloured pixels however many segments a lane has. The cursor and
//! highlight live on a second canvas on top, so moving the pointer never redraws the bars.
//! Colours come from [`crate::theme`] only.

mod aria;
mod draw;
mod geometry;
mod input;
mod readout;
mod state;
mod zoom_bar;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, ResizeObserver, ResizeObserverEntry};
use whenasync_sim::Ns;

use crate::axis::Window;
use crate::chart::{self, View};
use crate::plot::now_ms;
use crate::theme::Scheme;

use draw::draw_overlay;
pub use draw::{cursor_label, draw, Drawn};
pub use geometry::{Geometry, GEOMETRY};
use input::Input;
use readout::CursorReadout;
pub use state::{ChartState, Cursor, Highlight, RunSource};
pub use zoom_bar::{ZoomBar, ZoomBarProps};

/// Watches an element's width; disconnects when the owner is cleaned up. The width is read at
/// once too (the observer's first report then matches it), so a chart draws once on mount,
/// not twice.
pub(crate) fn observe_width(el: &web_sys::Element, width: RwSignal<f64>) {
    let now = el.get_bounding_client_rect().width();
    if now > 0.0 && (now - width.get_untracked()).abs() >= 0.5 {
        width.set(now);
    }
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        if let Ok(entry) = entries.get(0).dyn_into::<ResizeObserverEntry>() {
            let w = entry.content_rect().width();
            if w > 0.0 && (w - width.get_untracked()).abs() >= 0.5 {
                width.set(w);
            }
        }
    });
    let Ok(observer) = ResizeObserver::new(callback.as_ref().unchecked_ref()) else {
        width.set(f64::from(el.client_width()).max(1.0));
        return;
    };
    observer.observe(el);
    let guard = SendWrapper::new((observer, callback));
    on_cleanup(move || {
        let (observer, _callback) = guard.take();
        observer.disconnect();
    });
}

/// A Gantt chart of one run, zoomable and pannable, sharing its window, cursor and highlight
/// with the other charts through the playground's [`ChartState`] (or its own, alone).
#[component]
pub fn GanttChart(
    /// Where the run is.
    run: RunSource,
    /// The right end of the time axis: the run's own makespan, or the longest makespan when
    /// charts are compared on a shared axis.
    #[prop(into)]
    end: Signal<Ns>,
    /// Rows by worker or by task.
    #[prop(into)]
    view: Signal<View>,
    /// Light or dark colours.
    #[prop(into)]
    scheme: Signal<Scheme>,
) -> impl IntoView {
    let pg = use_context::<crate::Playground>();
    let state = pg.map_or_else(ChartState::new, |p| p.chart);
    // An outline's trace is still being simulated (never so in an embed).
    let tracing = Signal::derive(move || pg.is_some_and(|p| p.background.tracing.get()));
    let window = Memo::new(move |_| state.visible(end.get()));
    // Task rows follow the window (in a big run, the tasks alive there); worker rows do not,
    // so zooming them never rebuilds rows.
    let rows = Memo::new(move |_| {
        let view = view.get();
        let w = match view {
            View::Tasks => window.get(),
            View::Workers => Window::full(1),
        };
        run.with(|r| chart::rows(r, view, w)).unwrap_or_default()
    });
    let model = Memo::new(move |_| run.with(|r| r.model.clone()).unwrap_or_default());
    let makespan = Memo::new(move |_| run.with(|r| r.summary.makespan).unwrap_or(0));
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let overlay_ref = NodeRef::<leptos::html::Canvas>::new();
    let width = RwSignal::new(0.0_f64);
    let tooltip = RwSignal::new(None::<input::Tooltip>);
    let drag = StoredValue::new(None::<input::Drag>);
    let draw_ms = RwSignal::new(0.0_f64);

    Effect::new(move |_| {
        if let Some(canvas) = canvas_ref.get() {
            observe_width(&canvas, width);
        }
    });

    // Charts draw once their width is known (see observe_width).
    let chart_width = move |_: &HtmlCanvasElement| width.get();

    // The bars: redrawn when the run, rows, width, window or colours change.
    Effect::new(move |_| {
        let (win, scheme) = (window.get(), scheme.get());
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let w = chart_width(&canvas);
        if w <= 0.0 {
            return;
        }
        let started = now_ms();
        let pending = tracing.get();
        let result =
            rows.with(|rows| run.with(|run| draw(&canvas, run, rows, w, win, scheme, pending)));
        match result {
            Some(Err(e)) => leptos::logging::warn!("gantt: {e:?}"),
            Some(Ok(_)) => {
                let ms = now_ms() - started;
                draw_ms.set(ms);
                let _ = canvas.set_attribute("data-draw-ms", &format!("{ms:.2}"));
            }
            None => {}
        }
    });

    // The cursor and highlight, on their own canvas.
    Effect::new(move |_| {
        let (win, scheme, cursor, view) =
            (window.get(), scheme.get(), state.cursor.get(), view.get());
        let highlight = state.highlight.get();
        let Some(overlay) = overlay_ref.get() else {
            return;
        };
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let w = chart_width(&canvas);
        if w <= 0.0 {
            return;
        }
        let model = model.get();
        let mine = highlight.as_ref().filter(|h| h.model == model);
        rows.with(|rows| {
            if let Err(e) = draw_overlay(&overlay, rows, w, win, scheme, cursor, mine, view) {
                leptos::logging::warn!("gantt overlay: {e:?}");
            }
        });
    });

    let input = Input {
        run,
        rows,
        view,
        end,
        makespan,
        state,
        window,
        width,
        tooltip,
        drag,
    };

    let label = move || {
        let win = window.get();
        rows.with(|r| aria::label(&model.get(), view.get(), r, win, makespan.get()))
    };

    let hidden = move || rows.with(|r| r.hidden);
    let cut = Memo::new(move |_| {
        run.with(|r| r.trace_end.map(|c| (c, r.summary.makespan, r.tasks.len())))
            .flatten()
    });
    view! {
        <div class="gantt">
            <canvas
                node_ref=canvas_ref
                data-testid="gantt-canvas"
                data-model=move || model.get()
                role="img"
                tabindex="0"
                aria-label=label
                aria-keyshortcuts=aria::KEYS
                on:pointerdown=move |ev| input.pointer_down(ev)
                on:pointermove=move |ev| input.pointer_move(ev)
                on:pointerup=move |ev| input.pointer_up(ev)
                on:pointercancel=move |_| input.pointer_cancel()
                on:pointerleave=move |_| input.leave()
                on:wheel=move |ev| input.wheel(ev)
                on:keydown=move |ev| input.key(ev)
            ></canvas>
            <canvas node_ref=overlay_ref class="gantt-overlay" aria-hidden="true"></canvas>
            {move || {
                tooltip
                    .get()
                    .map(|(x, y, (headline, timing))| {
                        view! {
                            <div
                                class="tooltip"
                                data-testid="gantt-tooltip"
                                style:left=format!("{x}px")
                                style:top=format!("{y}px")
                            >
                                <strong>{headline}</strong>
                                <span>{timing}</span>
                            </div>
                        }
                    })
            }}
            <Show when=move || { hidden() > 0 }>
                <p class="note">
                    {move || {
                        format!(
                            "The first {} tasks alive in this window are shown; {} more are not: zoom in to see them.",
                            chart::MAX_TASK_ROWS,
                            crate::plot::count(hidden() as u64),
                        )
                    }}
                </p>
            </Show>
            {move || {
                cut.get()
                    .map(|(cut, makespan, tasks)| {
                        if tracing.get() {
                            return view! {
                                <p class="note" data-testid="trace-pending">
                                    {format!(
                                        "Figures first: the figures and latency above cover all {} tasks; this chart's trace is still being simulated.",
                                        crate::plot::count(tasks as u64),
                                    )}
                                </p>
                            }
                            .into_any();
                        }
                        view! {
                            <p class="note" data-testid="trace-cut">
                                {format!(
                                    "Too many segments to keep: the trace covers the first {} of {}. Figures and latency cover all {} tasks.",
                                    crate::format::duration(cut),
                                    crate::format::duration(makespan),
                                    crate::plot::count(tasks as u64),
                                )}
                            </p>
                        }
                        .into_any()
                    })
            }}
            <CursorReadout run rows state view scheme />
        </div>
    }
}
