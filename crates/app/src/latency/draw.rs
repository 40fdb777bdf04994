//! Drawing the latency plots: the histogram, the cumulative distribution and latency over
//! time, with their axes and percentile marks.

use web_sys::HtmlCanvasElement;

use super::{cdf_at, histogram, latency_scale, scatter, scatter_pixels, Series};
use crate::plot::{self, Axis, Frame, Scale};
use crate::theme::{self, Scheme};

/// The x axis of the time plots: arrivals, or completions when every task arrived at once
/// (a burst has nothing to spread over arrival time).
fn time_axis(series: &[Series]) -> (bool, Scale) {
    let burst = series.iter().all(|s| s.points.iter().all(|p| p.0 == 0));
    let max = series
        .iter()
        .flat_map(|s| s.points.iter().map(|&(a, l)| if burst { a + l } else { a }))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    (burst, Scale::Linear { min: 0.0, max })
}

fn frame(width: f64, height: f64, right_labels: bool) -> Frame {
    Frame {
        left: 52.0,
        top: 22.0,
        right: width - if right_labels { 30.0 } else { 14.0 },
        bottom: height - 40.0,
    }
}

fn duration_axis(scale: Scale, max_ticks: usize, title: &str) -> Axis {
    let ticks = scale.ticks(max_ticks);
    let labels = plot::duration_labels(&scale, &ticks);
    Axis {
        scale,
        ticks: ticks.into_iter().zip(labels).collect(),
        title: title.to_owned(),
    }
}

fn share_axis(max: f64, title: &str) -> Axis {
    let scale = Scale::Linear { min: 0.0, max };
    let ticks = scale.ticks(4);
    Axis {
        scale,
        ticks: ticks
            .into_iter()
            .map(|v| (v, format!("{} %", plot::number(v * 100.0))))
            .collect(),
        title: title.to_owned(),
    }
}

/// The three plots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Plot {
    Histogram,
    Cdf,
    OverTime,
}

impl Plot {
    pub(super) fn title(self) -> &'static str {
        match self {
            Plot::Histogram => "Histogram",
            Plot::Cdf => "Cumulative distribution",
            Plot::OverTime => "Latency over time",
        }
    }

    pub(super) fn test_id(self) -> &'static str {
        match self {
            Plot::Histogram => "latency-histogram",
            Plot::Cdf => "latency-cdf",
            Plot::OverTime => "latency-scatter",
        }
    }
}

const PLOT_HEIGHT: f64 = 210.0;
const PERCENTILES: [(&str, f64); 3] = [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)];

pub(super) fn draw(
    canvas: &HtmlCanvasElement,
    plot_kind: Plot,
    series: &[Series],
    width: f64,
    scheme: Scheme,
) -> Result<(), wasm_bindgen::JsValue> {
    let chrome = theme::chrome(scheme);
    let (ctx, dpr) = plot::prepare(canvas, width, PLOT_HEIGHT)?;
    let f = frame(width, PLOT_HEIGHT, plot_kind == Plot::Cdf);
    let scale = latency_scale(series);
    let x_ticks = ((f.width() / 70.0).floor() as usize).max(2);
    let single = series.len() == 1;
    match plot_kind {
        Plot::Histogram => {
            let bins = ((f.width() / 9.0).round() as usize).clamp(8, 60);
            let counts: Vec<Vec<u32>> = series
                .iter()
                .map(|s| histogram(&s.sorted, &scale, bins))
                .collect();
            let top = series
                .iter()
                .zip(&counts)
                .flat_map(|(s, c)| {
                    let n = s.sorted.len().max(1) as f64;
                    c.iter().map(move |&k| f64::from(k) / n)
                })
                .fold(0.0_f64, f64::max);
            let y_max = plot::nice_step(top.max(0.01) * 1.1 / 4.0) * 4.0;
            let x = duration_axis(scale, x_ticks, "latency");
            let y = share_axis(y_max.min(1.0), "share of tasks");
            plot::draw_axes(&ctx, &f, &x, &y, chrome)?;
            for (s, c) in series.iter().zip(&counts) {
                let n = s.sorted.len().max(1) as f64;
                let colour = theme::series_color(s.index, scheme);
                ctx.begin_path();
                ctx.move_to(f.left, f.bottom);
                for (i, &k) in c.iter().enumerate() {
                    let x0 = f.left + f.width() * i as f64 / bins as f64;
                    let x1 = f.left + f.width() * (i + 1) as f64 / bins as f64;
                    let yv = f.y(&y.scale, f64::from(k) / n);
                    ctx.line_to(x0, yv);
                    ctx.line_to(x1, yv);
                }
                ctx.line_to(f.right, f.bottom);
                ctx.set_global_alpha(if single { 0.35 } else { 0.16 });
                ctx.set_fill_style_str(colour);
                ctx.fill();
                ctx.set_global_alpha(1.0);
                ctx.set_stroke_style_str(colour);
                ctx.set_line_width(1.5);
                plot::set_dash(&ctx, theme::series_dash(s.index))?;
                ctx.stroke();
                plot::set_dash(&ctx, &[])?;
            }
            if let [s] = series {
                mark_percentiles(&ctx, &f, &scale, s, chrome)?;
            }
        }
        Plot::Cdf => {
            let x = duration_axis(scale, x_ticks, "latency");
            let y = share_axis(1.0, "tasks at or below");
            plot::draw_axes(&ctx, &f, &x, &y, chrome)?;
            // Guides at the percentiles, labelled at the right.
            ctx.set_font(plot::FONT_SMALL);
            for (name, level) in PERCENTILES {
                let py = plot::crisp(f.y(&y.scale, level));
                ctx.set_stroke_style_str(chrome.muted);
                plot::set_dash(&ctx, &[2.0, 3.0])?;
                ctx.begin_path();
                ctx.move_to(f.left, py);
                ctx.line_to(f.right, py);
                ctx.stroke();
                plot::set_dash(&ctx, &[])?;
                ctx.set_fill_style_str(chrome.muted);
                ctx.set_text_align("left");
                ctx.set_text_baseline("middle");
                // p90 and p99 sit close together: nudge them apart.
                let nudge = match name {
                    "p90" => 4.0,
                    "p99" => -3.0,
                    _ => 0.0,
                };
                ctx.fill_text(name, f.right + 4.0, py + nudge)?;
            }
            let columns = (f.width() * dpr).round().max(2.0) as usize;
            for s in series {
                if s.sorted.is_empty() {
                    continue;
                }
                let colour = theme::series_color(s.index, scheme);
                ctx.begin_path();
                for c in 0..=columns {
                    let fx = c as f64 / columns as f64;
                    let share = cdf_at(&s.sorted, scale.value(fx));
                    let (px, py) = (f.left + fx * f.width(), f.y(&y.scale, share));
                    if c == 0 {
                        ctx.move_to(px, py);
                    } else {
                        ctx.line_to(px, py);
                    }
                }
                ctx.set_stroke_style_str(colour);
                ctx.set_line_width(2.0);
                plot::set_dash(&ctx, theme::series_dash(s.index))?;
                ctx.stroke();
                plot::set_dash(&ctx, &[])?;
                // Where the curve crosses each guide: the model's own p50 / p90 / p99.
                ctx.set_fill_style_str(colour);
                for (value, level) in [(s.stats.p50, 0.5), (s.stats.p90, 0.9), (s.stats.p99, 0.99)]
                {
                    ctx.begin_path();
                    ctx.arc(
                        f.x(&scale, value as f64),
                        f.y(&y.scale, level),
                        3.0,
                        0.0,
                        std::f64::consts::TAU,
                    )?;
                    ctx.fill();
                }
            }
            if let [s] = series {
                mark_percentiles(&ctx, &f, &scale, s, chrome)?;
            }
        }
        Plot::OverTime => {
            let (burst, tx) = time_axis(series);
            let x_scale = tx;
            let x = duration_axis(
                x_scale,
                x_ticks,
                if burst {
                    "completion time (all arrived at once)"
                } else {
                    "arrival time"
                },
            );
            let y = duration_axis(scale, 4, "latency");
            plot::draw_axes(&ctx, &f, &x, &y, chrome)?;
            let (w, h) = (
                (f.width() * dpr).round().max(1.0) as usize,
                (f.height() * dpr).round().max(1.0) as usize,
            );
            // Bigger dots when there are few, so ten tasks read as ten points.
            let n: usize = series.iter().map(|s| s.points.len()).sum();
            let dot = if n <= 400 {
                5.0
            } else if n <= 5_000 {
                3.5
            } else {
                2.5_f64.max(2.0 / dpr)
            };
            // Every series' dots go into one image, drawn with one call; a margin of a dot
            // lets the dots on the frame's edges show whole, as before.
            let size = (dot * dpr).round().max(1.0) as usize;
            let m = size as u32;
            let mut layer = scatter::Layer::new(w + 2 * size, h + 2 * size);
            for s in series {
                let pts = s
                    .points
                    .iter()
                    .map(|&(a, l)| (if burst { a + l } else { a }, l));
                let rgb = scatter::rgb(theme::series_color(s.index, scheme)).unwrap_or_default();
                for (px, py) in scatter_pixels(pts, &x_scale, &scale, w, h) {
                    layer.dot(px + m, py + m, size, rgb, 191);
                }
            }
            let margin = f64::from(m) / dpr;
            layer.draw(
                &ctx,
                f.left - margin,
                f.top - margin,
                (w + 2 * size) as f64 / dpr,
                (h + 2 * size) as f64 / dpr,
            )?;
        }
    }
    canvas.set_attribute("data-drawn", "true")?;
    Ok(())
}

/// Dashed verticals at one model's p50 / p90 / p99 / max, labelled above the plot.
fn mark_percentiles(
    ctx: &web_sys::CanvasRenderingContext2d,
    f: &Frame,
    scale: &Scale,
    s: &Series,
    chrome: &theme::Chrome,
) -> Result<(), wasm_bindgen::JsValue> {
    ctx.set_font(plot::FONT_SMALL);
    let mut last_right = f64::NEG_INFINITY;
    for (name, value) in [
        ("p50", s.stats.p50),
        ("p90", s.stats.p90),
        ("p99", s.stats.p99),
        ("max", s.stats.max),
    ] {
        let px = plot::crisp(f.x(scale, value as f64).clamp(f.left, f.right));
        ctx.set_stroke_style_str(chrome.text);
        ctx.set_global_alpha(0.6);
        plot::set_dash(ctx, &[3.0, 3.0])?;
        ctx.begin_path();
        ctx.move_to(px, f.top);
        ctx.line_to(px, f.bottom);
        ctx.stroke();
        plot::set_dash(ctx, &[])?;
        ctx.set_global_alpha(1.0);
        // Labels that would collide move up a line.
        let w = ctx.measure_text(name)?.width();
        let row = if px - w / 2.0 < last_right + 3.0 {
            1.0
        } else {
            0.0
        };
        ctx.set_fill_style_str(chrome.text);
        ctx.set_text_align("center");
        ctx.set_text_baseline("bottom");
        ctx.fill_text(name, px, f.top - 2.0 - row * 11.0)?;
        if row == 0.0 {
            last_right = px + w / 2.0;
        }
    }
    Ok(())
}
