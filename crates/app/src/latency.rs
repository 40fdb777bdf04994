//! Latency plots of the runs on screen: a histogram, a CDF and latency over arrival time,
//! every model overlaid in its own series colour ([`theme::series_color`], with its own dash
//! pattern), p50 / p90 / p99 / max marked and tabled with units.
//!
//! The axis turns logarithmic when latencies span orders of magnitude (sync at 30 minutes next
//! to async at 100 ms). Drawing is bounded by pixels: the CDF is sampled once per pixel
//! column by binary search, and the scatter plots each device pixel once per model, so
//! 100,000 tasks draw as fast as 10.

use std::sync::Arc;

use leptos::prelude::*;
use whenasync_sim::{summary, Ns, Run, Stats};

use crate::app::Playground;
use crate::format;
use crate::gantt::observe_width;
use crate::plot::{self, Scale};
use crate::theme::{self, Scheme};

mod draw;
mod scatter;

use draw::{draw, Plot};
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
    /// Latencies of completed tasks, ascending, ns. Shared: a memo's new value may reuse
    /// the last one's (see [`series_again`]), and equal pointers compare equal at once.
    pub sorted: Arc<Vec<Ns>>,
    /// (arrival, latency) of each completed task, ns, in task order.
    pub points: Arc<Vec<(Ns, Ns)>>,
    /// The run's own latency figures (the summary table's).
    pub stats: Stats,
}

/// The latencies of `run` (run `index`): tasks that completed, as in the summary.
pub fn series_of(run: &Run, index: usize) -> Series {
    let (points, sorted) = summary::latencies(&run.tasks);
    Series {
        index,
        model: run.model.clone(),
        sorted: Arc::new(sorted),
        points: Arc::new(points),
        stats: run.summary.latency,
    }
}

/// Like [`series_of`], sharing `last`'s latencies when `run` has the same ones (checked task
/// by task, without sorting). A heavy scenario's outlines are replaced by its whole runs,
/// whose tasks are the same: at 1,000,000 tasks × 4 models, collecting and sorting them again
/// would hold the main thread for tens of milliseconds, for an equal result.
pub fn series_again(run: &Run, index: usize, last: Option<&Series>) -> Series {
    match last {
        Some(last)
            if last.index == index
                && last.model == run.model
                && last.stats == run.summary.latency
                && summary::latency_points(&run.tasks).eq(last.points.iter().copied()) =>
        {
            last.clone()
        }
        _ => series_of(run, index),
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
    let series = Memo::new(move |last: Option<&Vec<Series>>| {
        let focus = pg.focus.get();
        pg.runs.with(|runs| match runs {
            Ok(runs) => runs
                .iter()
                .enumerate()
                .filter(|(i, _)| focus.is_none_or(|f| f == *i))
                .map(|(i, r)| {
                    let last = last.and_then(|l: &Vec<Series>| l.iter().find(|s| s.index == i));
                    series_again(r, i, last)
                })
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
    fn equal_latencies_share_the_last_series_and_others_do_not() {
        let scenario = presets::get("gather-10-queries")
            .expect("exists")
            .expect("parses");
        let runs = simulate(&scenario).expect("simulates");
        let first = series_of(&runs[1], 1);
        // The whole run after its outline: the same latencies, shared, not sorted again.
        let outline = Run {
            segments: Vec::new(),
            task_segments: Vec::new(),
            ..runs[1].clone()
        };
        let again = series_again(&outline, 1, Some(&first));
        assert!(Arc::ptr_eq(&again.sorted, &first.sorted));
        assert!(Arc::ptr_eq(&again.points, &first.points));
        // One task ends a nanosecond later: computed afresh, and right.
        let mut later = runs[1].clone();
        let t = later
            .tasks
            .iter_mut()
            .find(|t| t.end.is_some())
            .expect("a finished task");
        t.end = t.end.map(|e| e + 1);
        let fresh = series_again(&later, 1, Some(&first));
        assert!(!Arc::ptr_eq(&fresh.points, &first.points));
        assert_eq!(fresh, series_of(&later, 1));
        assert_ne!(fresh.points, first.points);
        // Another model's run, or another index, is never taken for it.
        let other = series_again(&runs[0], 0, Some(&first));
        assert_eq!(other, series_of(&runs[0], 0));
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
