//! The sweep chart: makespan or p99 of every model across the swept values, the winner's
//! changes marked, and the same in words.

use web_sys::HtmlCanvasElement;

use super::{changes, winners, Metric, Param, Sweep};
use crate::plot::{self, Axis, Frame, Scale};
use crate::theme::{self, Scheme};

const CHART_HEIGHT: f64 = 260.0;

pub(super) fn draw(
    canvas: &HtmlCanvasElement,
    sweep: &Sweep,
    metric: Metric,
    width: f64,
    scheme: Scheme,
) -> Result<(), wasm_bindgen::JsValue> {
    let chrome = theme::chrome(scheme);
    let (ctx, _) = plot::prepare(canvas, width, CHART_HEIGHT)?;
    let f = Frame {
        left: 56.0,
        top: 46.0,
        right: width - 16.0,
        bottom: CHART_HEIGHT - 42.0,
    };
    let (lo, hi) = (
        sweep.values.first().copied().unwrap_or(0.0),
        sweep.values.last().copied().unwrap_or(1.0),
    );
    let x_scale = Scale::Linear {
        min: lo,
        max: if hi > lo { hi } else { lo + 1.0 },
    };
    let ys: Vec<f64> = sweep
        .figures
        .iter()
        .flatten()
        .flatten()
        .map(|f| metric.of(f))
        .filter(|v| *v > 0.0)
        .collect();
    let y_min = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let y_max = ys.iter().copied().fold(0.0, f64::max).max(1.0);
    let y_scale = match Scale::auto(y_min, y_max, 50.0) {
        Scale::Linear { .. } => {
            let step = plot::nice_step(y_max / 4.0);
            Scale::Linear {
                min: 0.0,
                max: (y_max / step).ceil().max(1.0) * step,
            }
        }
        log => log,
    };
    let x_ticks: Vec<f64> = {
        let mut t = x_scale.ticks(((f.width() / 80.0) as usize).max(2));
        if sweep.param.integer() {
            t.retain(|v| v.fract() == 0.0);
        }
        t
    };
    let x = Axis {
        scale: x_scale,
        ticks: x_ticks
            .iter()
            .map(|&v| {
                let label = match sweep.param {
                    Param::IoShare => format!("{} %", plot::number(v * 100.0)),
                    _ => plot::number(v),
                };
                (v, label)
            })
            .collect(),
        title: sweep.param.axis_title().to_owned(),
    };
    let y_ticks = y_scale.ticks(4);
    let y_labels = plot::duration_labels(&y_scale, &y_ticks);
    let y = Axis {
        scale: y_scale,
        ticks: y_ticks.into_iter().zip(y_labels).collect(),
        title: format!(
            "{}{}",
            metric.label(),
            if y_scale.is_log() { " (log scale)" } else { "" }
        ),
    };
    plot::draw_axes(&ctx, &f, &x, &y, chrome)?;

    // The winner at each point, as a strip of cells above the plot.
    let winners = winners(&sweep.figures, metric);
    let n = sweep.values.len();
    let cell = |i: usize| {
        let at = |j: usize| f.x(&x_scale, sweep.values[j]);
        let left = if i == 0 {
            f.left
        } else {
            (at(i - 1) + at(i)) / 2.0
        };
        let right = if i + 1 == n {
            f.right
        } else {
            (at(i) + at(i + 1)) / 2.0
        };
        (left, right)
    };
    for (i, w) in winners.iter().enumerate() {
        if let Some(w) = w {
            let (l, r) = cell(i);
            ctx.set_fill_style_str(theme::series_color(*w, scheme));
            ctx.fill_rect(l, f.top - 30.0, (r - l - 1.0).max(1.0), 8.0);
        }
    }
    ctx.set_font(plot::FONT_SMALL);
    ctx.set_fill_style_str(chrome.muted);
    ctx.set_text_align("right");
    ctx.set_text_baseline("middle");
    ctx.fill_text("winner", f.left - 6.0, f.top - 26.0)?;

    // Where the winner changes: a dashed line between the two points, named; names that
    // would overlap the one before move down a line.
    let mut placed: Vec<(f64, f64, f64)> = Vec::new(); // (left, right, y)
    for (a, b, to) in changes(&winners) {
        let px =
            plot::crisp((f.x(&x_scale, sweep.values[a]) + f.x(&x_scale, sweep.values[b])) / 2.0);
        ctx.set_stroke_style_str(chrome.text);
        ctx.set_line_width(1.0);
        plot::set_dash(&ctx, &[4.0, 3.0])?;
        ctx.begin_path();
        ctx.move_to(px, f.top - 32.0);
        ctx.line_to(px, f.bottom);
        ctx.stroke();
        plot::set_dash(&ctx, &[])?;
        ctx.set_fill_style_str(chrome.text);
        let label = format!("→ {}", sweep.models[to].0);
        let w = ctx.measure_text(&label)?.width();
        let (align, at, left) = if px + w + 6.0 > f.right {
            ("right", px - 4.0, px - 4.0 - w)
        } else {
            ("left", px + 4.0, px + 4.0)
        };
        let mut y = f.top + 2.0;
        while placed
            .iter()
            .any(|&(l, r, py)| py == y && left < r + 6.0 && left + w > l - 6.0)
        {
            y += 14.0;
        }
        placed.push((left, left + w, y));
        ctx.set_text_align(align);
        ctx.set_text_baseline("top");
        ctx.fill_text(&label, at, y)?;
    }

    // One line per model, with a dot at each point it has.
    for (m, _) in sweep.models.iter().enumerate() {
        let colour = theme::series_color(m, scheme);
        ctx.set_stroke_style_str(colour);
        ctx.set_fill_style_str(colour);
        ctx.set_line_width(2.0);
        plot::set_dash(&ctx, theme::series_dash(m))?;
        ctx.begin_path();
        let mut pen = false;
        let mut dots = Vec::new();
        for (p, row) in sweep.figures.iter().enumerate() {
            match row[m] {
                Some(fig) if fig.unfinished == 0.0 && metric.of(&fig) > 0.0 => {
                    let (px, py) = (
                        f.x(&x_scale, sweep.values[p]),
                        f.y(&y_scale, metric.of(&fig)).clamp(f.top, f.bottom),
                    );
                    if pen {
                        ctx.line_to(px, py);
                    } else {
                        ctx.move_to(px, py);
                        pen = true;
                    }
                    dots.push((px, py));
                }
                _ => pen = false,
            }
        }
        ctx.stroke();
        plot::set_dash(&ctx, &[])?;
        for (px, py) in dots {
            ctx.begin_path();
            ctx.arc(px, py, 2.75, 0.0, std::f64::consts::TAU)?;
            ctx.fill();
        }
    }
    canvas.set_attribute("data-drawn", "true")?;
    canvas.set_attribute("data-changes", &changes(&winners).len().to_string())?;
    Ok(())
}

/// The winners in words: `async from 1 to 3 workers; threads(8) from 4 to 16 workers`.
pub fn summary(sweep: &Sweep, metric: Metric) -> String {
    let w = winners(&sweep.figures, metric);
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < w.len() {
        let Some(m) = w[i] else {
            i += 1;
            continue;
        };
        let mut j = i;
        while j + 1 < w.len() && w[j + 1] == Some(m) {
            j += 1;
        }
        let name = &sweep.models[m].0;
        parts.push(if i == j {
            format!("{name} at {}", sweep.param.format(sweep.values[i]))
        } else {
            format!(
                "{name} at {}",
                sweep.param.format_range(sweep.values[i], sweep.values[j])
            )
        });
        i = j + 1;
    }
    if parts.is_empty() {
        return String::new();
    }
    format!("Lowest {}: {}.", metric.label(), parts.join("; "))
}
