//! Latency plots of the runs on screen: a histogram, a CDF and latency over arrival time,
//! every model overlaid in its own series colour ([`theme::series_color`], with its own dash
//! pattern), p50 / p90 / p99 / max marked and tabled with units.
//!
//! The axis turns logarithmic when latencies span orders of magnitude (sync at 30 minutes next
//! to async at 100 ms). Drawing is bounded by pixels: the CDF is sampled once per pixel
//! column by binary search, and the scatter plots each device pixel once per model, so
//! 100,000 tasks draw as fast as 10.

use leptos::prelude::*;
use web_sys::HtmlCanvasElement;
use whenasync_sim::{Ns, Run, Stats};

use crate::app::Playground;
use crate::format;
use crate::gantt::observe_width;
use crate::plot::{self, Axis, Frame, Scale};
use crate::theme::{self, Scheme};

mod scatter;
pub use scatter::scatter_pixels;

/// Latencies spanning more than this ratio (max / min) get a logarithmic axis.
pub const LOG_RATIO: f64 = 50.0;

/// The latencies of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Index of the run among the playground's runs: its colour.
    pub index: usize,
    /// Its model label.
    pub model: String,
    /// Latencies of completed tasks, ascending, ns.
    pub sorted: Vec<Ns>,
    /// (arrival, latency) of each completed task, ns, in task order.
    pub points: Vec<(Ns, Ns)>,
    /// The run's own latency figures (the summary table's).
    pub stats: Stats,
}

/// The latencies of `run` (run `index`): tasks that completed, as in the summary.
pub fn series_of(run: &Run, index: usize) -> Series {
    let points: Vec<(Ns, Ns)> = run
        .tasks
        .iter()
        .filter(|t| !t.cancelled && !t.timed_out)
        .filter_map(|t| t.latency().map(|l| (t.arrival, l)))
        .collect();
    let mut sorted: Vec<Ns> = points.iter().map(|p| p.1).collect();
    sorted.sort_unstable();
    Series {
        index,
        model: run.model.clone(),
        sorted,
        points,
        stats: run.summary.latency,
    }
}

/// The latency axis for `series`: from 0 (or a power of ten, when logarithmic) to a little
/// past the largest latency.
pub fn latency_scale(series: &[Series]) -> Scale {
    let min = series
        .iter()
        .filter_map(|s| s.sorted.iter().find(|&&v| v > 0))
        .min()
        .copied()
        .unwrap_or(1) as f64;
    let max = series
        .iter()
        .filter_map(|s| s.sorted.last())
        .max()
        .copied()
        .unwrap_or(1)
        .max(1) as f64;
    match Scale::auto(min, max, LOG_RATIO) {
        Scale::Linear { .. } => {
            // Round the top up to a tick, so the last bar is not cut by the frame.
            let step = plot::nice_step(max / 8.0);
            Scale::Linear {
                min: 0.0,
                max: (max / step).ceil().max(1.0) * step,
            }
        }
        log => log,
    }
}

/// How many of `sorted` fall in each of `bins` equal slices of `scale` (logarithmic slices on
/// a log scale). Values beyond either end count in the end bins. A binary search per bin edge,
/// not a logarithm per value: a million latencies bin in microseconds.
pub fn histogram(sorted: &[Ns], scale: &Scale, bins: usize) -> Vec<u32> {
    let bins = bins.max(1);
    let below = |k: usize| match k {
        0 => 0,
        k if k >= bins => sorted.len(),
        k => {
            let edge = scale.value(k as f64 / bins as f64);
            sorted.partition_point(|&v| (v as f64) < edge)
        }
    };
    (0..bins)
        .map(|k| (below(k + 1) - below(k)) as u32)
        .collect()
}

/// The share of `sorted` at or below `v`.
pub fn cdf_at(sorted: &[Ns], v: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let n = sorted.partition_point(|&x| (x as f64) <= v);
    n as f64 / sorted.len() as f64
}

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
enum Plot {
    Histogram,
    Cdf,
    OverTime,
}

impl Plot {
    fn title(self) -> &'static str {
        match self {
            Plot::Histogram => "Histogram",
            Plot::Cdf => "Cumulative distribution",
            Plot::OverTime => "Latency over time",
        }
    }

    fn test_id(self) -> &'static str {
        match self {
            Plot::Histogram => "latency-histogram",
            Plot::Cdf => "latency-cdf",
            Plot::OverTime => "latency-scatter",
        }
    }
}

const PLOT_HEIGHT: f64 = 210.0;
const PERCENTILES: [(&str, f64); 3] = [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)];

fn draw(
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

/// One plot: a titled canvas that redraws when the series, its width or the colours change.
#[component]
fn LatencyPlot(plot: Plot, series: Memo<Vec<Series>>, scheme: Signal<Scheme>) -> impl IntoView {
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let width = RwSignal::new(0.0_f64);
    Effect::new(move |_| {
        if let Some(canvas) = canvas_ref.get() {
            observe_width(&canvas, width);
        }
    });
    Effect::new(move |_| {
        let scheme = scheme.get();
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let w = width.get();
        if w <= 0.0 {
            return;
        }
        let started = plot::now_ms();
        series.with(|s| match draw(&canvas, plot, s, w, scheme) {
            Ok(()) => {
                let ms = plot::now_ms() - started;
                let _ = canvas.set_attribute("data-draw-ms", &format!("{ms:.2}"));
            }
            Err(e) => leptos::logging::warn!("latency plot: {e:?}"),
        });
    });
    let label = move || {
        series.with(|all| {
            let each: Vec<String> = all
                .iter()
                .map(|s| {
                    format!(
                        "{}: p50 {}, p99 {}, max {}",
                        s.model,
                        format::duration(s.stats.p50),
                        format::duration(s.stats.p99),
                        format::duration(s.stats.max)
                    )
                })
                .collect();
            format!("{} of task latency. {}.", plot.title(), each.join("; "))
        })
    };
    view! {
        <figure class="plot">
            <figcaption>
                {plot.title()}
                <crate::exports::PngButton scope="figure" selector="canvas" what=plot.title().to_owned() />
            </figcaption>
            <canvas node_ref=canvas_ref data-testid=plot.test_id() role="img" aria-label=label></canvas>
        </figure>
    }
}

/// A short line that shows a model's colour and dash, as its lines are drawn.
#[component]
pub fn SeriesKey(
    /// The model's index among the runs.
    index: usize,
) -> impl IntoView {
    let dash = theme::series_dash(index)
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <svg class="series-key" width="22" height="10" viewBox="0 0 22 10" aria-hidden="true">
            <line
                x1="1"
                y1="5"
                x2="21"
                y2="5"
                stroke=format!("var({})", theme::SERIES_VARS[index % theme::SERIES_VARS.len()])
                stroke-width="2.5"
                stroke-dasharray=dash
            ></line>
        </svg>
    }
}

/// The latency card: the three plots and a table of percentiles, for the runs on screen.
#[component]
pub fn LatencyPanel() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let series = Memo::new(move |_| {
        let focus = pg.focus.get();
        pg.runs.with(|runs| match runs {
            Ok(runs) => runs
                .iter()
                .enumerate()
                .filter(|(i, _)| focus.is_none_or(|f| f == *i))
                .map(|(i, r)| series_of(r, i))
                .collect(),
            Err(_) => Vec::new(),
        })
    });
    let scheme = Signal::from(pg.scheme);
    let caption = move || {
        series.with(|s| {
            let n: Vec<usize> = s.iter().map(|s| s.sorted.len()).collect();
            let log = latency_scale(s).is_log();
            let tasks = match (n.iter().min(), n.iter().max()) {
                (Some(a), Some(b)) if a == b => format!("{} completed tasks", plot::count(*a as u64)),
                (Some(a), Some(b)) => format!(
                    "{}–{} completed tasks",
                    plot::count(*a as u64),
                    plot::count(*b as u64)
                ),
                _ => String::new(),
            };
            if log {
                format!("{tasks} per model · latency on a log scale (the models differ by orders of magnitude)")
            } else {
                format!("{tasks} per model")
            }
        })
    };
    // One row per model on screen: an edit updates the figures' text in place (rebuilding a
    // row would re-set every attribute in it) and nothing clones the series.
    let row = move |index: usize| {
        let text = move |f: fn(&Series) -> String| {
            move || {
                series.with(|s| {
                    s.iter()
                        .find(|s| s.index == index)
                        .map(f)
                        .unwrap_or_default()
                })
            }
        };
        view! {
            <tr data-testid="latency-row">
                <th scope="row">
                    <SeriesKey index />
                    {text(|s| s.model.clone())}
                </th>
                <td>{text(|s| format::duration(s.stats.p50))}</td>
                <td>{text(|s| format::duration(s.stats.p90))}</td>
                <td>{text(|s| format::duration(s.stats.p99))}</td>
                <td>{text(|s| format::duration(s.stats.max))}</td>
            </tr>
        }
    };
    // The rows are rebuilt only when the models on screen change.
    let indices =
        Memo::new(move |_| series.with(|s| s.iter().map(|s| s.index).collect::<Vec<_>>()));
    view! {
        <Show when=move || series.with(|s| s.iter().any(|s| !s.sorted.is_empty()))>
            <section class="card latency" data-testid="latency" aria-labelledby="latency-title">
                <header class="card-head">
                    <h2 id="latency-title">"Latency"</h2>
                    <span class="muted">{caption}</span>
                </header>
                <div class="plots">
                    <LatencyPlot plot=Plot::Histogram series scheme />
                    <LatencyPlot plot=Plot::Cdf series scheme />
                    <LatencyPlot plot=Plot::OverTime series scheme />
                </div>
                <div class="table-scroll">
                <table class="percentiles" data-testid="latency-table">
                    <thead>
                        <tr>
                            <th scope="col">"Model"</th>
                            <th scope="col">"p50"</th>
                            <th scope="col">"p90"</th>
                            <th scope="col">"p99"</th>
                            <th scope="col">"max"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || indices.get().into_iter().map(row).collect_view()}
                    </tbody>
                </table>
                </div>
            </section>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::{presets, simulate, MS};

    #[test]
    fn histogram_bins_cover_the_scale() {
        let s = Scale::Linear {
            min: 0.0,
            max: 100.0,
        };
        let v = [0, 5, 9, 10, 55, 99, 100, 250];
        assert_eq!(histogram(&v, &s, 10), vec![3, 1, 0, 0, 0, 1, 0, 0, 0, 3]);
        assert_eq!(histogram(&[], &s, 4), vec![0, 0, 0, 0]);
        assert_eq!(histogram(&v, &s, 0), vec![8]);
        // On a log scale, each decade gets the same number of bins.
        let log = Scale::Log {
            min: 1.0,
            max: 1000.0,
        };
        assert_eq!(histogram(&[2, 20, 200, 999], &log, 3), vec![1, 1, 2]);
    }

    #[test]
    fn cdf_counts_values_at_or_below() {
        let v = [10, 20, 20, 30];
        assert_eq!(cdf_at(&v, 5.0), 0.0);
        assert_eq!(cdf_at(&v, 20.0), 0.75);
        assert_eq!(cdf_at(&v, 30.0), 1.0);
        assert_eq!(cdf_at(&[], 1.0), 0.0);
    }

    #[test]
    fn histogram_by_binary_search_agrees_with_the_formula() {
        // Pseudo-random latencies over five decades, on a log scale and a linear one.
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        let mut values: Vec<Ns> = (0..20_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                1_000 + (x % 100_000_000_000) / (1 + x % 100_000)
            })
            .collect();
        values.sort_unstable();
        for scale in [
            Scale::Log {
                min: 1e3,
                max: 1e11,
            },
            Scale::Linear { min: 0.0, max: 2e9 },
        ] {
            let f = scale.fraction_fn();
            let mut bins = vec![0u32; 37];
            for &v in &values {
                let i = (f(v as f64) * 37.0).floor().max(0.0) as usize;
                bins[i.min(36)] += 1;
            }
            assert_eq!(histogram(&values, &scale, 37), bins, "{scale:?}");
        }
    }

    #[test]
    fn series_follow_the_summary() {
        let scenario = presets::get("gather-10-queries")
            .expect("exists")
            .expect("parses");
        let runs = simulate(&scenario).expect("simulates");
        let all: Vec<Series> = runs
            .iter()
            .enumerate()
            .map(|(i, r)| series_of(r, i))
            .collect();
        for (s, r) in all.iter().zip(&runs) {
            assert_eq!(
                s.sorted.len() as u64,
                r.summary.latency.count,
                "{}",
                r.model
            );
            assert_eq!(s.sorted.last().copied(), Some(r.summary.latency.max));
        }
        // Sync's 1 s next to async's 100 ms: a linear axis to a round top.
        let scale = latency_scale(&all);
        assert!(!scale.is_log(), "{scale:?}");
        let Scale::Linear { max, .. } = scale else {
            unreachable!()
        };
        assert!(
            max >= 1_000.0 * MS as f64 && max <= 1_200.0 * MS as f64,
            "{max}"
        );
    }
}
