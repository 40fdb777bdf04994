//! The Gantt chart: rows × time on a `<canvas>`, drawn with the Canvas 2D API.
//!
//! Drawn by hand rather than with a plotting crate: a Gantt chart is rectangles, a few lines
//! and text, and the raw API keeps the wasm small and gives exact control over crisp,
//! device-pixel-aligned bars. Colours come from [`crate::theme`] only.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ResizeObserver, ResizeObserverEntry};
use whenasync_sim::{Ns, Run};

use crate::axis;
use crate::chart::{self, Rows, View};
use crate::format;
use crate::theme::{self, Mark, Scheme};

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

impl Geometry {
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

    /// The x of time `t` on a plot `width` CSS pixels wide whose axis ends at `end`.
    pub fn x(&self, t: Ns, end: Ns, width: f64) -> f64 {
        let plot = (width - self.label_width - self.right).max(1.0);
        self.label_width + plot * (t as f64 / end.max(1) as f64)
    }

    /// The time at x, inverse of [`Geometry::x`].
    pub fn t(&self, x: f64, end: Ns, width: f64) -> Option<Ns> {
        let plot = (width - self.label_width - self.right).max(1.0);
        let f = (x - self.label_width) / plot;
        (0.0..=1.0)
            .contains(&f)
            .then(|| (f * end.max(1) as f64) as Ns)
    }
}

/// Draws `rows` onto `canvas`, `width` CSS pixels wide, with a time axis from 0 to `end`.
/// `makespan` gets a dashed marker (it differs from `end` when charts share an axis).
pub fn draw(
    canvas: &HtmlCanvasElement,
    rows: &Rows,
    width: f64,
    end: Ns,
    makespan: Ns,
    scheme: Scheme,
) -> Result<(), JsValue> {
    let g = GEOMETRY;
    let chrome = theme::chrome(scheme);
    let (tops, height) = g.row_tops(rows);
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    canvas.set_width((width * dpr).round() as u32);
    canvas.set_height((height * dpr).round() as u32);
    web_sys::HtmlElement::style(canvas).set_property("height", &format!("{height}px"))?;
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .dyn_into()?;
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0)?;
    ctx.clear_rect(0.0, 0.0, width, height);

    let plot_left = g.label_width;
    let plot_right = g.x(end, end, width);
    let plot_bottom = height - g.axis;

    // Stripes behind every other row, so a row can be followed across the chart.
    ctx.set_fill_style_str(chrome.stripe);
    for (i, top) in tops.iter().enumerate() {
        if i % 2 == 1 {
            ctx.fill_rect(plot_left, *top - 2.0, plot_right - plot_left, g.pitch);
        }
    }

    // Grid lines and tick labels.
    let max_ticks = ((plot_right - plot_left) / 90.0).floor().max(1.0) as u32;
    let ticks = axis::ticks(end, max_ticks);
    ctx.set_font("11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif");
    ctx.set_text_baseline("top");
    ctx.set_line_width(1.0);
    for &t in &ticks.values {
        let x = crisp(g.x(t, end, width));
        ctx.set_stroke_style_str(chrome.grid);
        ctx.begin_path();
        ctx.move_to(x, g.top - 2.0);
        ctx.line_to(x, plot_bottom + 4.0);
        ctx.stroke();
        let label = format::tick(t, ticks.step);
        // Centred under its tick, but never past either end of the canvas.
        let half = ctx.measure_text(&label)?.width() / 2.0;
        let (align, at) = if t == 0 {
            ("left", x)
        } else if x + half > width - 1.0 {
            ("right", width - 1.0)
        } else {
            ("center", x)
        };
        ctx.set_fill_style_str(chrome.muted);
        ctx.set_text_align(align);
        ctx.fill_text(&label, at, plot_bottom + 8.0)?;
    }
    ctx.set_stroke_style_str(chrome.border);
    ctx.begin_path();
    ctx.move_to(plot_left, crisp(plot_bottom + 0.5));
    ctx.line_to(plot_right, crisp(plot_bottom + 0.5));
    ctx.stroke();

    // Group separators.
    for (i, row) in rows.rows.iter().enumerate().skip(1) {
        if row.group != rows.rows[i - 1].group {
            let y = crisp(tops[i] - g.group_gap / 2.0 - 2.0);
            ctx.set_stroke_style_str(chrome.border);
            ctx.begin_path();
            ctx.move_to(8.0, y);
            ctx.line_to(plot_right, y);
            ctx.stroke();
        }
    }

    // Bars. One fill style change per kind change keeps this fast for long rows.
    let min_w = 1.0 / dpr;
    for (row, top) in rows.rows.iter().zip(&tops) {
        let mut current = None;
        for bar in &row.bars {
            if current != Some(bar.kind) {
                ctx.set_fill_style_str(theme::kind_color(bar.kind, scheme));
                current = Some(bar.kind);
            }
            // Snapped to device pixels: crisp edges, and a bar too short to see still
            // covers one whole pixel in its own colour.
            let x0 = snap(g.x(bar.start, end, width), dpr);
            let x1 = snap(g.x(bar.end.min(end), end, width), dpr).max(x0 + min_w);
            match theme::mark(bar.kind) {
                Mark::Bar => ctx.fill_rect(x0, *top, x1 - x0, g.bar),
                Mark::Thin => ctx.fill_rect(x0, *top + g.bar / 2.0 - 1.5, x1 - x0, 3.0),
                Mark::Tick => ctx.fill_rect(x0 - 1.0, *top - 2.0, 2.5, g.bar + 4.0),
            }
        }
    }

    // Where this run ends, when the axis is shared with longer runs.
    if makespan > 0 && makespan < end {
        let x = crisp(g.x(makespan, end, width));
        ctx.set_stroke_style_str(chrome.muted);
        ctx.set_line_dash(&js_sys::Array::of2(&3.0.into(), &3.0.into()))?;
        ctx.begin_path();
        ctx.move_to(x, g.top - 2.0);
        ctx.line_to(x, plot_bottom);
        ctx.stroke();
        ctx.set_line_dash(&js_sys::Array::new())?;
    }

    // Row labels.
    ctx.set_font("12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif");
    ctx.set_text_align("right");
    ctx.set_text_baseline("middle");
    ctx.set_fill_style_str(chrome.text);
    for (row, top) in rows.rows.iter().zip(&tops) {
        ctx.fill_text_with_max_width(
            &row.label,
            plot_left - 10.0,
            top + g.bar / 2.0,
            plot_left - 16.0,
        )?;
    }
    // A hook for tests: the canvas holds a finished drawing.
    canvas.set_attribute("data-drawn", "true")?;
    Ok(())
}

/// `v` rounded to the nearest device pixel.
fn snap(v: f64, dpr: f64) -> f64 {
    (v * dpr).round() / dpr
}

/// Half-pixel aligned, so one-pixel lines stay sharp.
fn crisp(v: f64) -> f64 {
    v.floor() + 0.5
}

/// Watches an element's width; disconnects when the owner is cleaned up.
fn observe_width(el: &web_sys::Element, width: RwSignal<f64>) {
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        if let Ok(entry) = entries.get(0).dyn_into::<ResizeObserverEntry>() {
            let w = entry.content_rect().width();
            if w > 0.0 && (w - width.get_untracked()).abs() >= 0.5 {
                width.set(w);
            }
        }
    });
    let Ok(observer) = ResizeObserver::new(callback.as_ref().unchecked_ref()) else {
        return;
    };
    observer.observe(el);
    let guard = SendWrapper::new((observer, callback));
    on_cleanup(move || {
        let (observer, _callback) = guard.take();
        observer.disconnect();
    });
}

/// A Gantt chart of one run.
#[component]
pub fn GanttChart(
    /// The run to draw.
    run: Run,
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
    let makespan = run.summary.makespan;
    let model = run.model.clone();
    let run = StoredValue::new(run);
    let rows = Memo::new(move |_| run.with_value(|r| chart::rows(r, view.get())));
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let width = RwSignal::new(0.0_f64);
    let tooltip = RwSignal::new(None::<(f64, f64, (String, String))>);

    Effect::new(move |_| {
        if let Some(canvas) = canvas_ref.get() {
            observe_width(&canvas, width);
        }
    });

    Effect::new(move |_| {
        let (w, end, scheme) = (width.get(), end.get(), scheme.get());
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let w = if w > 0.0 {
            w
        } else {
            f64::from(canvas.client_width())
        };
        if w <= 0.0 {
            return;
        }
        rows.with(|rows| {
            if let Err(e) = draw(&canvas, rows, w, end, makespan, scheme) {
                leptos::logging::warn!("gantt: {e:?}");
            }
        });
    });

    let on_move = move |ev: leptos::ev::MouseEvent| {
        let (x, y) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
        let w = width.get_untracked();
        let text = rows.with_untracked(|rows| {
            let (tops, _) = GEOMETRY.row_tops(rows);
            let i = tops.iter().rposition(|top| y >= top - 2.0)?;
            let row = rows.rows.get(i).filter(|_| y < tops[i] + GEOMETRY.pitch)?;
            let t = GEOMETRY.t(x, end.get_untracked(), w)?;
            let bar = chart::bar_at(row, t)?;
            Some(chart::describe(row, bar, view.get_untracked()))
        });
        // Keep the tooltip inside the chart near its right edge.
        let left = (x + 14.0).min(w - 300.0).max(0.0);
        tooltip.set(text.map(|t| (left, y + 14.0, t)));
    };

    let hidden = move || rows.with(|r| r.hidden);
    view! {
        <div class="gantt">
            <canvas
                node_ref=canvas_ref
                data-testid="gantt-canvas"
                data-model=model.clone()
                role="img"
                aria-label=format!("Gantt chart of {model}")
                on:mousemove=on_move
                on:mouseleave=move |_| tooltip.set(None)
            ></canvas>
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
                <p class="note">{move || format!("{} more tasks not shown", hidden())}</p>
            </Show>
        </div>
    }
}
