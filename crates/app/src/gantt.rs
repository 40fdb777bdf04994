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

mod draw;
mod state;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, ResizeObserver, ResizeObserverEntry};
use whenasync_sim::{Ns, NO_TASK};

use crate::axis::Window;
use crate::chart::{self, Rows, View};
use crate::format;
use crate::plot::now_ms;
use crate::theme::Scheme;

use draw::draw_overlay;
pub use draw::{cursor_label, draw, Drawn};
pub use state::{ChartState, Cursor, Highlight, RunSource};

/// Where things go in a chart, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Geometry {
    /// Width of the label column left of the plot.
    pub label_width: f64,
    /// Space above the first row.
    pub top: f64,
    /// Distance between the tops of neighbouring rows.
    pub pitch: f64,
    /// Height of a full bar.
    pub bar: f64,
    /// Extra space between row groups (workers, cores).
    pub group_gap: f64,
    /// Height of the time axis under the rows.
    pub axis: f64,
    /// Space right of the plot, so the last tick label fits.
    pub right: f64,
}

/// The geometry every chart uses.
pub const GEOMETRY: Geometry = Geometry {
    label_width: 124.0,
    top: 6.0,
    pitch: 18.0,
    bar: 13.0,
    group_gap: 8.0,
    axis: 26.0,
    right: 18.0,
};

/// The label column on a narrow (phone) screen.
const NARROW_LABEL_WIDTH: f64 = 84.0;

impl Geometry {
    /// This geometry for a chart `width` CSS pixels wide: a narrower label column on phones.
    pub fn for_width(width: f64) -> Self {
        let mut g = GEOMETRY;
        if width < 560.0 {
            g.label_width = NARROW_LABEL_WIDTH;
        }
        g
    }

    /// The top of each row, and the total height of the chart.
    pub fn row_tops(&self, rows: &Rows) -> (Vec<f64>, f64) {
        let mut y = self.top;
        let mut tops = Vec::with_capacity(rows.rows.len());
        let mut group = rows.rows.first().map(|r| r.group);
        for row in &rows.rows {
            if Some(row.group) != group {
                y += self.group_gap;
                group = Some(row.group);
            }
            tops.push(y);
            y += self.pitch;
        }
        (tops, y + self.axis)
    }

    /// Width of the plot area of a chart `width` CSS pixels wide.
    pub fn plot_width(&self, width: f64) -> f64 {
        (width - self.label_width - self.right).max(1.0)
    }

    /// The x of time `t` in `window` on a chart `width` CSS pixels wide.
    pub fn x(&self, t: Ns, window: Window, width: f64) -> f64 {
        self.label_width + self.plot_width(width) * window.fraction(t)
    }

    /// The time at x (inverse of [`Geometry::x`]), if x is over the plot.
    pub fn t(&self, x: f64, window: Window, width: f64) -> Option<Ns> {
        let f = (x - self.label_width) / self.plot_width(width);
        (0.0..=1.0).contains(&f).then(|| window.at(f))
    }

    /// The row under y, if any.
    pub fn row_at(&self, tops: &[f64], y: f64) -> Option<usize> {
        let i = tops.iter().rposition(|top| y >= top - 2.0)?;
        (y < tops[i] + self.pitch - 2.0).then_some(i)
    }
}

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

/// A drag in progress: where it started and the window then.
#[derive(Clone, Copy, Debug)]
struct Drag {
    x: f64,
    window: Window,
    moved: bool,
}

/// Keys the chart answers, for `aria-keyshortcuts`.
const KEYS: &str = "+ - 0 ArrowLeft ArrowRight Home End Enter Escape";

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
    let tooltip = RwSignal::new(None::<(f64, f64, (String, String))>);
    let drag = StoredValue::new(None::<Drag>);
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

    // Pointer position → (x, y, time under it) in chart coordinates.
    let at = move |ev: &web_sys::MouseEvent| {
        let (x, y) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
        let w = width.get_untracked();
        let t = Geometry::for_width(w).t(x, window.get_untracked(), w);
        (x, y, t)
    };

    let hover = move |x: f64, y: f64, t: Option<Ns>| {
        let w = width.get_untracked();
        let g = Geometry::for_width(w);
        let view = view.get_untracked();
        let text = rows.with_untracked(|rows| {
            let (tops, _) = g.row_tops(rows);
            let row = &rows.rows[g.row_at(&tops, y)?];
            let t = t?;
            run.with_untracked(|run| {
                chart::bar_at(row.bars(run), t).map(|bar| chart::describe(row, &bar, view))
            })
            .flatten()
        });
        // Keep the tooltip inside the chart near its right edge.
        let left = (x + 14.0).min(w - 300.0).max(0.0);
        tooltip.set(text.map(|t| (left, y + 14.0, t)));
        let pinned = state.cursor.get_untracked().is_some_and(|c| c.pinned);
        if !pinned {
            state.cursor.set(t.map(|t| Cursor { t, pinned: false }));
        }
    };

    let on_pointer_down = move |ev: web_sys::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        let (x, _, _) = at(&ev);
        drag.set_value(Some(Drag {
            x,
            window: window.get_untracked(),
            moved: false,
        }));
        if let Some(target) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
    };

    let on_pointer_move = move |ev: web_sys::PointerEvent| {
        let (x, y, t) = at(&ev);
        if let Some(mut d) = drag.get_value() {
            if d.moved || (x - d.x).abs() > 3.0 {
                d.moved = true;
                drag.set_value(Some(d));
                let w = width.get_untracked();
                let plot = Geometry::for_width(w).plot_width(w);
                let by = -(x - d.x) / plot * d.window.span() as f64;
                let full = end.get_untracked();
                let next = d.window.shift(by, full);
                let next = (!next.is_full(full)).then_some(next);
                if state.window.get_untracked() != next {
                    state.window.set(next);
                }
                tooltip.set(None);
                return;
            }
        }
        hover(x, y, t);
    };

    let on_pointer_up = move |ev: web_sys::PointerEvent| {
        let Some(d) = drag.get_value() else {
            return;
        };
        drag.set_value(None);
        let (_, _, t) = at(&ev);
        if d.moved {
            state.show(window.get_untracked(), end.get_untracked());
        } else if let Some(t) = t {
            // A click pins the cursor there; a click on the pinned cursor's spot unpins it.
            let same = state
                .cursor
                .get_untracked()
                .is_some_and(|c| c.pinned && c.t == t);
            state
                .cursor
                .set((!same).then_some(Cursor { t, pinned: true }));
        }
    };

    let on_leave = move |_| {
        tooltip.set(None);
        if state.cursor.get_untracked().is_some_and(|c| !c.pinned) {
            state.cursor.set(None);
        }
    };

    let on_wheel = move |ev: web_sys::WheelEvent| {
        let full = end.get_untracked();
        let w = window.get_untracked();
        let scale = match ev.delta_mode() {
            1 => 16.0,  // lines
            2 => 400.0, // pages
            _ => 1.0,
        };
        let (dx, dy) = (ev.delta_x() * scale, ev.delta_y() * scale);
        let next = if dx.abs() > dy.abs() || ev.shift_key() {
            // Sideways (or shift + wheel): pan.
            let d = if dx.abs() > dy.abs() { dx } else { dy };
            w.pan(d / 800.0, full)
        } else {
            let (_, _, t) = at(&ev);
            w.zoom(2f64.powf(-dy / 300.0), t.unwrap_or_else(|| w.at(0.5)), full)
        };
        // Nothing to do (all the way out, or in): let the page scroll instead.
        if next == w {
            return;
        }
        ev.prevent_default();
        let next = (!next.is_full(full)).then_some(next);
        state.window.set(next);
    };

    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let full = end.get_untracked();
        let step = if ev.shift_key() { 0.5 } else { 0.1 };
        // Zoom about the pinned cursor if there is one on screen; otherwise about the middle of
        // what this chart's run shows (a shared axis can run on long after this run ended).
        let anchor = || {
            let w = window.get_untracked();
            let pinned = state
                .cursor
                .get_untracked()
                .filter(|c| c.pinned && c.t >= w.start && c.t <= w.end)
                .map(|c| c.t);
            let own_end = makespan.get_untracked().clamp(w.start + 1, w.end);
            pinned.or(Some(w.start + (own_end - w.start) / 2))
        };
        match ev.key().as_str() {
            "+" | "=" => state.zoom(2.0, anchor(), full),
            "-" | "_" => state.zoom(0.5, anchor(), full),
            "0" => state.reset(full),
            "ArrowLeft" => state.pan(-step, full),
            "ArrowRight" => state.pan(step, full),
            "Home" => state.pan(-1e9, full),
            "End" => state.pan(1e9, full),
            "Enter" | " " => {
                let pinned = state.cursor.get_untracked().filter(|c| c.pinned);
                let mid = window.get_untracked().at(0.5);
                state.cursor.set(match pinned {
                    Some(_) => None,
                    None => Some(Cursor {
                        t: mid,
                        pinned: true,
                    }),
                });
            }
            "Escape" => {
                state.cursor.set(None);
                state.highlight.set(None);
                tooltip.set(None);
            }
            _ => return,
        }
        ev.prevent_default();
    };

    let label = move || {
        let win = window.get();
        rows.with(|r| {
            let names: Vec<&str> = r.rows.iter().take(6).map(|r| r.label.trim()).collect();
            let more = if r.rows.len() > 6 { ", …" } else { "" };
            format!(
                "Gantt chart of {}, rows {}: {} rows ({}{more}). Showing {} to {} of {}. \
                 Plus and minus zoom, arrow keys pan, 0 resets, Enter pins a time cursor.",
                model.get(),
                view.get().label(),
                r.rows.len(),
                names.join(", "),
                if win.start == 0 {
                    "0".to_owned()
                } else {
                    format::duration(win.start)
                },
                format::duration(win.end),
                format::duration(makespan.get()),
            )
        })
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
                aria-keyshortcuts=KEYS
                on:pointerdown=on_pointer_down
                on:pointermove=on_pointer_move
                on:pointerup=on_pointer_up
                on:pointercancel=move |_| drag.set_value(None)
                on:pointerleave=on_leave
                on:wheel=on_wheel
                on:keydown=on_key
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

/// Under a chart with a pinned cursor: what every row was doing at that instant.
#[component]
fn CursorReadout(
    run: RunSource,
    rows: Memo<Rows>,
    state: ChartState,
    view: Signal<View>,
    scheme: Signal<Scheme>,
) -> impl IntoView {
    /// Most rows listed (task view can have 120 rows; the busy ones come first).
    const MAX_LISTED: usize = 24;
    let pinned = move || state.cursor.get().filter(|c| c.pinned);
    let content = move || {
        let c = pinned()?;
        let view = view.get();
        let _ = scheme.get();
        let items = rows.with(|rows| {
            run.with(|run| {
                let mut items: Vec<(String, Option<chart::Bar>)> = chart::states_at(run, rows, c.t)
                    .into_iter()
                    .map(|(row, bar)| (row.label.trim().to_owned(), bar))
                    .collect();
                if view == View::Tasks {
                    items.retain(|(_, b)| b.is_some());
                }
                items
            })
        })?;
        let total = items.len();
        let listed = items
            .into_iter()
            .take(MAX_LISTED)
            .map(|(label, bar)| {
                let (kind, what) = match bar {
                    Some(b) => {
                        let task = if b.task != NO_TASK && view == View::Workers {
                            format!(" · task {}", b.task)
                        } else {
                            String::new()
                        };
                        (Some(b.kind), format!("{}{task}", b.kind.label()))
                    }
                    None => (None, "idle".to_owned()),
                };
                view! {
                    <li>
                        <span class="who">{label}</span>
                        {kind.map(|kind| view! { <crate::panels::Swatch kind /> })}
                        <span class:muted=kind.is_none()>{what}</span>
                    </li>
                }
            })
            .collect_view();
        let more = (total > MAX_LISTED).then(|| format!("and {} more", total - MAX_LISTED));
        Some(view! {
            <div class="cursor-readout" data-testid="cursor-readout" aria-live="polite">
                <p class="readout-head">
                    <strong>{format!("At {}", format::duration(c.t))}</strong>
                    <span class="muted">
                        {if total == 0 { " nothing was running" } else { "" }}
                    </span>
                    <button
                        type="button"
                        class="link"
                        on:click=move |_| state.cursor.set(None)
                    >
                        "clear"
                    </button>
                </p>
                <ul>{listed}</ul>
                {more.map(|m| view! { <p class="note">{m}</p> })}
            </div>
        })
    };
    view! { {content} }
}

/// The zoom controls shared by every chart on screen: −, +, reset, what the window shows,
/// and a live region that tells screen readers what changed.
#[component]
pub fn ZoomBar(
    /// The end of the shared time axis.
    #[prop(into)]
    end: Signal<Ns>,
) -> impl IntoView {
    let state = expect_context::<crate::Playground>().chart;
    let window = Memo::new(move |_| state.visible(end.get()));
    let is_full = move || window.get().is_full(end.get());
    let shown = move || {
        let w = window.get();
        let full = end.get();
        let share = w.span() as f64 / full.max(1) as f64;
        if w.is_full(full) {
            format!("0 – {} · whole run", format::duration(full))
        } else {
            format!(
                "{} – {} · {} of {}",
                cursor_label(w.start, w),
                cursor_label(w.end, w),
                format::percent(share),
                format::duration(full)
            )
        }
    };
    view! {
        <div class="zoom-bar" data-testid="zoom-bar" role="toolbar" aria-label="Time axis">
            <div class="segmented zoom-buttons">
                <button
                    type="button"
                    data-testid="zoom-out"
                    aria-label="Zoom out"
                    title="Zoom out (−)"
                    disabled=is_full
                    on:click=move |_| state.zoom(0.5, None, end.get_untracked())
                >
                    "−"
                </button>
                <button
                    type="button"
                    data-testid="zoom-in"
                    aria-label="Zoom in"
                    title="Zoom in (+)"
                    on:click=move |_| state.zoom(2.0, None, end.get_untracked())
                >
                    "+"
                </button>
                <button
                    type="button"
                    data-testid="zoom-reset"
                    title="Show the whole run (0)"
                    disabled=is_full
                    on:click=move |_| {
                        state.reset(end.get_untracked());
                        state.highlight.set(None);
                    }
                >
                    "Reset"
                </button>
            </div>
            <span class="zoom-window" data-testid="zoom-window">{shown}</span>
            <span class="zoom-hint">
                "Wheel or + − zooms · drag or ← → pans · click pins a time cursor"
            </span>
            <span class="visually-hidden" aria-live="polite">{move || state.announce.get()}</span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::{MS, SEC};

    #[test]
    fn x_and_t_are_inverse_in_any_window() {
        let g = GEOMETRY;
        let w = Window {
            start: 200 * MS,
            end: 700 * MS,
        };
        let width = 1_000.0;
        assert_eq!(g.x(200 * MS, w, width), g.label_width);
        assert_eq!(g.x(700 * MS, w, width), g.label_width + g.plot_width(width));
        let x = g.x(450 * MS, w, width);
        assert_eq!(g.t(x, w, width), Some(450 * MS));
        assert_eq!(g.t(g.label_width - 5.0, w, width), None);
    }

    #[test]
    fn rows_are_found_under_the_pointer() {
        let g = GEOMETRY;
        let tops = [6.0, 24.0, 50.0];
        assert_eq!(g.row_at(&tops, 10.0), Some(0));
        assert_eq!(g.row_at(&tops, 30.0), Some(1));
        assert_eq!(g.row_at(&tops, 45.0), None);
        assert_eq!(g.row_at(&tops, 2.0), None);
    }

    #[test]
    fn the_cursor_label_gets_more_precise_when_zoomed_in() {
        let whole = Window::full(400 * SEC);
        assert_eq!(cursor_label(333_123_456_789, whole), "333 s");
        let zoomed = Window {
            start: 333 * SEC,
            end: 333 * SEC + 10 * MS,
        };
        assert_eq!(cursor_label(333_123_456_789, zoomed), "333.12346 s");
    }
}
