//! Drawing a Gantt chart onto its canvases: the bars (through [`chart::raster`], one rectangle
//! per run of same-coloured device pixels), axis, labels, the trace's cut and the makespan
//! marker; and on the overlay, the cursor and the highlight.

use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;
use whenasync_sim::{Ns, Run};

use super::{Cursor, Geometry, Highlight};
use crate::axis::{self, Window};
use crate::chart::{self, Rows, View};
use crate::plot::prepare;
use crate::theme::{self, Mark, Scheme};

/// What a drawing left behind, for tests and the aria label.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Drawn {
    /// Tick labels, left to right.
    pub ticks: Vec<String>,
    /// Rectangles filled for bars.
    pub rects: usize,
}

const FONT_SMALL: &str = "11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const FONT_LABEL: &str = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/// Draws `rows` of `run` onto `canvas`, `width` CSS pixels wide, showing `window`. The run's
/// makespan gets a dashed marker when it ends before the axis does (shared axes). `pending`:
/// the run is an outline whose trace is on its way (see [`crate::background`]).
pub fn draw(
    canvas: &HtmlCanvasElement,
    run: &Run,
    rows: &Rows,
    width: f64,
    window: Window,
    scheme: Scheme,
    pending: bool,
) -> Result<Drawn, JsValue> {
    let g = Geometry::for_width(width);
    let chrome = theme::chrome(scheme);
    let (tops, height) = g.row_tops(rows);
    let (ctx, dpr) = prepare(canvas, width, height)?;
    let mut drawn = Drawn::default();

    let plot_left = g.label_width;
    let plot_right = plot_left + g.plot_width(width);
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
    let ticks = axis::ticks_in(window, max_ticks);
    ctx.set_font(FONT_SMALL);
    ctx.set_text_baseline("top");
    ctx.set_line_width(1.0);
    for &t in &ticks.values {
        let x = crisp(g.x(t, window, width));
        ctx.set_stroke_style_str(chrome.grid);
        ctx.begin_path();
        ctx.move_to(x, g.top - 2.0);
        ctx.line_to(x, plot_bottom + 4.0);
        ctx.stroke();
        let label = axis::label(t, ticks.step, window.end);
        // Centred under its tick, but never past either end of the canvas.
        let half = ctx.measure_text(&label)?.width() / 2.0;
        let (align, at) = if x - half < plot_left - 8.0 {
            ("left", x)
        } else if x + half > width - 1.0 {
            ("right", width - 1.0)
        } else {
            ("center", x)
        };
        ctx.set_fill_style_str(chrome.muted);
        ctx.set_text_align(align);
        ctx.fill_text(&label, at, plot_bottom + 8.0)?;
        drawn.ticks.push(label);
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

    // Bars: one rectangle per run of same-kind device pixels, whatever the segment count.
    let px = ((plot_right - plot_left) * dpr).round().max(1.0) as u32;
    let column = |c: u32| plot_left + f64::from(c) / dpr;
    for (row, top) in rows.rows.iter().zip(&tops) {
        let mut current = None;
        let mut alpha = 3;
        for span in chart::raster(row.bars(run), window, px) {
            if current != Some(span.kind) {
                ctx.set_fill_style_str(theme::kind_color(span.kind, scheme));
                current = Some(span.kind);
            }
            if alpha != span.density {
                ctx.set_global_alpha(chart::DENSITY_ALPHA[usize::from(span.density.min(3))]);
                alpha = span.density;
            }
            let (x0, x1) = (column(span.x0), column(span.x1));
            match theme::mark(span.kind) {
                Mark::Thin => ctx.fill_rect(x0, *top + g.bar / 2.0 - 1.5, x1 - x0, 3.0),
                Mark::Bar | Mark::Tick => ctx.fill_rect(x0, *top, x1 - x0, g.bar),
            }
            drawn.rects += 1;
        }
        ctx.set_global_alpha(1.0);
        for instant in chart::instants(row, window) {
            ctx.set_fill_style_str(theme::kind_color(instant.kind, scheme));
            let x = snap(g.x(instant.start, window, width), dpr);
            ctx.fill_rect(x - 1.0, *top - 2.0, 2.5, g.bar + 4.0);
            drawn.rects += 1;
        }
    }

    // A huge run keeps its trace only up to a budget: past the cut, a veil says so rather than
    // an empty chart suggesting idle workers.
    if let Some(cut) = run.trace_end.filter(|&c| c < window.end) {
        let x = g.x(cut.max(window.start), window, width).max(plot_left);
        ctx.set_fill_style_str(chrome.stripe);
        ctx.set_global_alpha(0.85);
        ctx.fill_rect(x, g.top - 2.0, plot_right - x, plot_bottom - g.top + 2.0);
        ctx.set_global_alpha(1.0);
        ctx.set_stroke_style_str(chrome.muted);
        ctx.begin_path();
        ctx.move_to(crisp(x), g.top - 2.0);
        ctx.line_to(crisp(x), plot_bottom);
        ctx.stroke();
        if plot_right - x > 120.0 {
            ctx.set_font(FONT_SMALL);
            ctx.set_text_align("left");
            ctx.set_text_baseline("top");
            ctx.set_fill_style_str(chrome.muted);
            let note = if pending {
                "trace on its way…"
            } else {
                "trace not kept past here"
            };
            ctx.fill_text(note, x + 8.0, g.top)?;
        }
        canvas.set_attribute("data-trace-end", &cut.to_string())?;
    } else {
        canvas.remove_attribute("data-trace-end")?;
    }

    // Where this run ends, when the axis is shared with longer runs.
    let makespan = run.summary.makespan;
    if makespan > window.start && makespan < window.end {
        let x = crisp(g.x(makespan, window, width));
        ctx.set_stroke_style_str(chrome.muted);
        ctx.set_line_dash(&js_sys::Array::of2(&3.0.into(), &3.0.into()))?;
        ctx.begin_path();
        ctx.move_to(x, g.top - 2.0);
        ctx.line_to(x, plot_bottom);
        ctx.stroke();
        ctx.set_line_dash(&js_sys::Array::new())?;
    }

    // Row labels, on the surface colour so bars panned under them stay out of the way.
    ctx.set_fill_style_str(chrome.surface);
    ctx.fill_rect(0.0, 0.0, plot_left - 1.0, plot_bottom);
    ctx.set_font(FONT_LABEL);
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
    // Hooks for tests: a finished drawing, its window and its tick labels.
    canvas.set_attribute("data-drawn", "true")?;
    canvas.set_attribute("data-window", &format!("{},{}", window.start, window.end))?;
    canvas.set_attribute("data-ticks", &drawn.ticks.join("|"))?;
    Ok(drawn)
}

/// Draws the cursor and the highlight on the overlay canvas.
#[allow(clippy::too_many_arguments)]
pub(super) fn draw_overlay(
    canvas: &HtmlCanvasElement,
    rows: &Rows,
    width: f64,
    window: Window,
    scheme: Scheme,
    cursor: Option<Cursor>,
    highlight: Option<&Highlight>,
    view: View,
) -> Result<(), JsValue> {
    let g = Geometry::for_width(width);
    let chrome = theme::chrome(scheme);
    let (tops, height) = g.row_tops(rows);
    let (ctx, _) = prepare(canvas, width, height)?;
    let plot_left = g.label_width;
    let plot_right = plot_left + g.plot_width(width);
    let plot_bottom = height - g.axis;
    let clip = |x: f64| x.clamp(plot_left, plot_right);

    if let Some(h) = highlight {
        let (x0, x1) = (
            clip(g.x(h.start, window, width)),
            clip(g.x(h.end, window, width)),
        );
        let (x0, x1) = if x1 - x0 < 4.0 {
            let mid = (x0 + x1) / 2.0;
            (clip(mid - 2.0), clip(mid + 2.0))
        } else {
            (x0, x1)
        };
        ctx.set_global_alpha(0.14);
        ctx.set_fill_style_str(chrome.accent);
        ctx.fill_rect(x0, g.top - 4.0, x1 - x0, plot_bottom - g.top + 4.0);
        ctx.set_global_alpha(1.0);
        ctx.set_stroke_style_str(chrome.accent);
        ctx.set_line_width(2.0);
        let target = rows.rows.iter().position(|r| match view {
            View::Workers => h.lane.is_some() && r.lane == h.lane,
            View::Tasks => h.task.is_some() && r.task == h.task,
        });
        match target {
            Some(i) => ctx.stroke_rect(x0, tops[i] - 3.0, x1 - x0, g.bar + 6.0),
            None => ctx.stroke_rect(x0, g.top - 4.0, x1 - x0, plot_bottom - g.top + 4.0),
        }
        if let Some(i) = target {
            // A marker in the label column, so the row is found at a glance.
            ctx.set_fill_style_str(chrome.accent);
            ctx.fill_rect(2.0, tops[i], 4.0, g.bar);
        }
    }

    if let Some(c) = cursor.filter(|c| c.t >= window.start && c.t <= window.end) {
        let x = crisp(g.x(c.t, window, width));
        ctx.set_stroke_style_str(if c.pinned { chrome.accent } else { chrome.text });
        ctx.set_line_width(if c.pinned { 1.5 } else { 1.0 });
        ctx.set_global_alpha(if c.pinned { 1.0 } else { 0.55 });
        ctx.begin_path();
        ctx.move_to(x, g.top - 4.0);
        ctx.line_to(x, plot_bottom);
        ctx.stroke();
        ctx.set_global_alpha(1.0);
        // The time, in a pill on the axis.
        let label = cursor_label(c.t, window);
        ctx.set_font(FONT_SMALL);
        let w = ctx.measure_text(&label)?.width() + 10.0;
        let left = (x - w / 2.0).clamp(plot_left, (width - w - 1.0).max(plot_left));
        ctx.set_fill_style_str(if c.pinned { chrome.accent } else { chrome.text });
        ctx.fill_rect(left, plot_bottom + 4.0, w, 16.0);
        ctx.set_fill_style_str(chrome.surface);
        ctx.set_text_align("left");
        ctx.set_text_baseline("middle");
        ctx.fill_text(&label, left + 5.0, plot_bottom + 12.5)?;
    }
    Ok(())
}

/// The cursor's time, precise enough for the window it is in (`333.123 s` when zoomed in).
pub fn cursor_label(t: Ns, window: Window) -> String {
    let mut step: Ns = 1;
    while step.saturating_mul(10) <= window.span() / 400 {
        step *= 10;
    }
    axis::label(t, step, t.max(1))
}

/// `v` rounded to the nearest device pixel.
fn snap(v: f64, dpr: f64) -> f64 {
    (v * dpr).round() / dpr
}

/// Half-pixel aligned, so one-pixel lines stay sharp.
fn crisp(v: f64) -> f64 {
    v.floor() + 0.5
}

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::{MS, SEC};

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
