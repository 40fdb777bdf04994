//! What the latency and sweep plots share: a canvas sized to the device's pixels, linear and
//! logarithmic scales with round ticks, a frame with gridlines and labelled axes, and a few
//! number formats (counts, sizes). Pure where it can be, so the arithmetic is tested natively.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use whenasync_sim::Ns;

use crate::axis;
use crate::theme::Chrome;

/// Small text on plots.
pub const FONT_SMALL: &str = "11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/// `n` with thousands separators: `100,000`.
pub fn count(n: u64) -> String {
    whenasync_sim::duration::grouped(n)
}

/// A size in bytes with its unit: `512 B`, `12.3 KB`, `215 MB` (powers of 1000).
pub fn bytes(n: u64) -> String {
    let v = n as f64;
    let (value, unit) = if n >= 1_000_000_000 {
        (v / 1e9, "GB")
    } else if n >= 1_000_000 {
        (v / 1e6, "MB")
    } else if n >= 1_000 {
        (v / 1e3, "KB")
    } else {
        return format!("{n} B");
    };
    if value >= 100.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// A plain number with about three significant figures and no trailing zeros: `0.25`, `12`,
/// `1,500`.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_owned();
    }
    if v.abs() >= 1000.0 && v.fract() == 0.0 {
        let s = count(v.abs() as u64);
        return if v < 0.0 { format!("-{s}") } else { s };
    }
    let s = if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// How values map to one axis of a plot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// Evenly spaced values, `min` to `max`.
    Linear {
        /// Lowest value on the axis.
        min: f64,
        /// Highest value on the axis.
        max: f64,
    },
    /// Evenly spaced powers, `min` to `max` (both > 0): for latencies that span orders of
    /// magnitude across models.
    Log {
        /// Lowest value on the axis.
        min: f64,
        /// Highest value on the axis.
        max: f64,
    },
}

impl Scale {
    /// A linear scale from 0 to `max`, or logarithmic when the positive values span more
    /// than `log_ratio` (max / min).
    pub fn auto(min_positive: f64, max: f64, log_ratio: f64) -> Self {
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            1.0
        };
        if min_positive.is_finite() && min_positive > 0.0 && max / min_positive > log_ratio {
            // Whole powers of ten at both ends, so the ticks land on them.
            Scale::Log {
                min: 10f64.powf(min_positive.log10().floor()),
                max: 10f64.powf(max.log10().ceil()),
            }
        } else {
            Scale::Linear { min: 0.0, max }
        }
    }

    /// Where `v` falls, 0 at the axis's start and 1 at its end (outside for values beyond).
    pub fn fraction(&self, v: f64) -> f64 {
        match *self {
            Scale::Linear { min, max } => (v - min) / (max - min).max(f64::MIN_POSITIVE),
            Scale::Log { min, max } => {
                let v = v.max(min * 1e-3);
                (v / min).ln() / (max / min).ln().max(f64::MIN_POSITIVE)
            }
        }
    }

    /// [`Scale::fraction`] with its constants worked out once, for mapping many values.
    pub fn fraction_fn(&self) -> impl Fn(f64) -> f64 {
        let (log, lo, inv) = match *self {
            Scale::Linear { min, max } => (false, min, 1.0 / (max - min).max(f64::MIN_POSITIVE)),
            Scale::Log { min, max } => (
                true,
                min.ln(),
                1.0 / (max / min).ln().max(f64::MIN_POSITIVE),
            ),
        };
        let floor = match *self {
            Scale::Log { min, .. } => min * 1e-3,
            Scale::Linear { .. } => f64::NEG_INFINITY,
        };
        move |v: f64| {
            if log {
                (v.max(floor).ln() - lo) * inv
            } else {
                (v - lo) * inv
            }
        }
    }

    /// The value at `fraction` of the axis.
    pub fn value(&self, fraction: f64) -> f64 {
        match *self {
            Scale::Linear { min, max } => min + fraction * (max - min),
            Scale::Log { min, max } => min * (max / min).powf(fraction),
        }
    }

    /// Whether this is a logarithmic scale.
    pub fn is_log(&self) -> bool {
        matches!(self, Scale::Log { .. })
    }

    /// Tick values: round steps (1, 2, 5 × 10ⁿ) on a linear axis, at most `max_ticks`
    /// intervals; powers of ten (and 2×, 5× when there is room) on a log axis.
    pub fn ticks(&self, max_ticks: usize) -> Vec<f64> {
        let max_ticks = max_ticks.max(1);
        match *self {
            Scale::Linear { min, max } => {
                let step = nice_step((max - min) / max_ticks as f64);
                let first = (min / step).ceil() as i64;
                let last = (max / step + 1e-9).floor() as i64;
                (first..=last).map(|i| i as f64 * step).collect()
            }
            Scale::Log { min, max } => {
                let decades = (max / min).log10().round().max(1.0) as usize;
                let mults: &[f64] = if decades * 3 <= max_ticks {
                    &[1.0, 2.0, 5.0]
                } else {
                    &[1.0]
                };
                // Thin out the decades when there are too many for the room.
                let every = decades.div_ceil(max_ticks).max(1);
                let mut out = Vec::new();
                let mut p = min;
                let mut i = 0;
                while p <= max * (1.0 + 1e-9) {
                    if i % every == 0 {
                        for m in mults {
                            let v = p * m;
                            if v <= max * (1.0 + 1e-9) {
                                out.push(v);
                            }
                        }
                    }
                    p *= 10.0;
                    i += 1;
                }
                out
            }
        }
    }
}

/// The round step (1, 2 or 5 × 10ⁿ) at least `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * magnitude >= raw * (1.0 - 1e-9) {
            return m * magnitude;
        }
    }
    10.0 * magnitude
}

/// Labels for duration ticks (ns) on a scale: one unit along a linear axis, each value in its
/// own unit on a log axis (`1 ms`, `10 ms`, `100 ms`, `1 s`).
pub fn duration_labels(scale: &Scale, ticks: &[f64]) -> Vec<String> {
    match *scale {
        Scale::Linear { max, .. } => {
            let step = if ticks.len() >= 2 {
                (ticks[1] - ticks[0]).round().max(1.0) as Ns
            } else {
                max.max(1.0) as Ns
            };
            ticks
                .iter()
                .map(|&t| axis::label(t.round().max(0.0) as Ns, step, max as Ns))
                .collect()
        }
        Scale::Log { .. } => ticks
            .iter()
            .map(|&t| {
                let ns = t.round().max(1.0) as Ns;
                axis::label(ns, ns, ns)
            })
            .collect(),
    }
}

/// The plot area inside a canvas, CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Left edge of the plot area.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Right edge.
    pub right: f64,
    /// Bottom edge.
    pub bottom: f64,
}

impl Frame {
    /// The x of `v` on `scale`.
    pub fn x(&self, scale: &Scale, v: f64) -> f64 {
        self.left + (self.right - self.left) * scale.fraction(v)
    }

    /// The y of `v` on `scale` (up is more).
    pub fn y(&self, scale: &Scale, v: f64) -> f64 {
        self.bottom - (self.bottom - self.top) * scale.fraction(v)
    }

    /// Width of the plot area.
    pub fn width(&self) -> f64 {
        self.right - self.left
    }

    /// Height of the plot area.
    pub fn height(&self) -> f64 {
        self.bottom - self.top
    }
}

/// One axis: its scale, ticks with their labels, and a title.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// Values to positions.
    pub scale: Scale,
    /// Tick values and labels.
    pub ticks: Vec<(f64, String)>,
    /// What the axis measures, with its unit.
    pub title: String,
}

/// Sizes `canvas` to `width` × `height` CSS pixels at the device's pixel ratio (only when that
/// changes: resizing clears it), clears it, and returns its context scaled to CSS pixels.
pub fn prepare(
    canvas: &HtmlCanvasElement,
    width: f64,
    height: f64,
) -> Result<(CanvasRenderingContext2d, f64), JsValue> {
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let (w, h) = ((width * dpr).round() as u32, (height * dpr).round() as u32);
    if canvas.width() != w {
        canvas.set_width(w);
    }
    if canvas.height() != h {
        canvas.set_height(h);
    }
    web_sys::HtmlElement::style(canvas).set_property("height", &format!("{height}px"))?;
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .dyn_into()
        .map_err(JsValue::from)?;
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0)?;
    ctx.clear_rect(0.0, 0.0, width, height);
    Ok((ctx, dpr))
}

/// The page's clock (`performance.now()`), ms: for draw and simulation timings.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Draws gridlines, tick labels and axis titles around `frame`.
pub fn draw_axes(
    ctx: &CanvasRenderingContext2d,
    frame: &Frame,
    x: &Axis,
    y: &Axis,
    chrome: &Chrome,
) -> Result<(), JsValue> {
    ctx.set_line_width(1.0);
    ctx.set_font(FONT_SMALL);
    // Horizontal gridlines with y labels.
    ctx.set_text_align("right");
    ctx.set_text_baseline("middle");
    for (v, label) in &y.ticks {
        let py = crisp(frame.y(&y.scale, *v));
        ctx.set_stroke_style_str(chrome.grid);
        ctx.begin_path();
        ctx.move_to(frame.left, py);
        ctx.line_to(frame.right, py);
        ctx.stroke();
        ctx.set_fill_style_str(chrome.muted);
        ctx.fill_text(label, frame.left - 6.0, py)?;
    }
    // Vertical gridlines with x labels, kept inside the canvas.
    ctx.set_text_baseline("top");
    let mut last_right = f64::NEG_INFINITY;
    for (v, label) in &x.ticks {
        let px = crisp(frame.x(&x.scale, *v));
        ctx.set_stroke_style_str(chrome.grid);
        ctx.begin_path();
        ctx.move_to(px, frame.top);
        ctx.line_to(px, frame.bottom + 3.0);
        ctx.stroke();
        let w = ctx.measure_text(label)?.width();
        let left = (px - w / 2.0).min(frame.right + 12.0 - w);
        if left < last_right + 6.0 {
            continue; // no room: skip the label, keep the gridline
        }
        ctx.set_fill_style_str(chrome.muted);
        ctx.set_text_align("left");
        ctx.fill_text(label, left, frame.bottom + 6.0)?;
        last_right = left + w;
    }
    // The frame's bottom and left edges.
    ctx.set_stroke_style_str(chrome.border);
    ctx.begin_path();
    ctx.move_to(crisp(frame.left), frame.top);
    ctx.line_to(crisp(frame.left), crisp(frame.bottom));
    ctx.line_to(frame.right, crisp(frame.bottom));
    ctx.stroke();
    // Titles: x under the labels, y along the top left.
    ctx.set_fill_style_str(chrome.muted);
    ctx.set_text_align("center");
    ctx.set_text_baseline("top");
    ctx.fill_text(
        &x.title,
        (frame.left + frame.right) / 2.0,
        frame.bottom + 22.0,
    )?;
    ctx.set_text_align("left");
    ctx.set_text_baseline("bottom");
    ctx.fill_text(&y.title, 4.0, frame.top - 6.0)?;
    Ok(())
}

/// Half-pixel aligned, so one-pixel lines stay sharp.
pub fn crisp(v: f64) -> f64 {
    v.floor() + 0.5
}

/// Sets a line dash (`[]`: solid).
pub fn set_dash(ctx: &CanvasRenderingContext2d, dash: &[f64]) -> Result<(), JsValue> {
    let array = js_sys::Array::new();
    for d in dash {
        array.push(&JsValue::from_f64(*d));
    }
    ctx.set_line_dash(&array)
}

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::MS;

    #[test]
    fn counts_sizes_and_numbers() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(100_000), "100,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(12_345), "12.3 KB");
        assert_eq!(bytes(215_000_000), "215 MB");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(12.0), "12");
        assert_eq!(number(1500.0), "1,500");
        assert_eq!(number(33.33), "33.3");
    }

    #[test]
    fn linear_ticks_are_round() {
        let s = Scale::Linear {
            min: 0.0,
            max: 97.0,
        };
        assert_eq!(s.ticks(5), vec![0.0, 20.0, 40.0, 60.0, 80.0]);
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(nice_step(0.0), 1.0);
    }

    #[test]
    fn latencies_across_orders_of_magnitude_get_a_log_scale() {
        let s = Scale::auto(0.1e9 * 0.35, 1946.0e9, 50.0);
        let Scale::Log { min, max } = s else {
            panic!("{s:?}")
        };
        assert_eq!((min, max), (1e7, 1e13));
        assert!((s.fraction(1e10) - 0.5).abs() < 1e-9);
        assert!((s.value(0.5) - 1e10).abs() < 1.0);
        let f = s.fraction_fn();
        for v in [1e7, 3.3e9, 1e10, 1e13] {
            assert!((f(v) - s.fraction(v)).abs() < 1e-12, "{v}");
        }
        let ticks = s.ticks(6);
        assert_eq!(ticks.first(), Some(&1e7));
        assert_eq!(ticks.last(), Some(&1e13));
        let labels = duration_labels(&s, &ticks);
        assert_eq!(labels[0], "10 ms");
        assert_eq!(labels.last().map(String::as_str), Some("10000 s"));
        // Close values stay linear from 0.
        assert_eq!(
            Scale::auto(100.0 * MS as f64, 1_000.0 * MS as f64, 50.0),
            Scale::Linear { min: 0.0, max: 1e9 }
        );
    }

    #[test]
    fn duration_labels_on_a_linear_axis_share_a_unit() {
        let s = Scale::Linear {
            min: 0.0,
            max: 1.2e9,
        };
        let ticks = s.ticks(4);
        assert_eq!(duration_labels(&s, &ticks), vec!["0", "0.5 s", "1.0 s"]);
    }

    #[test]
    fn frame_maps_values_to_pixels() {
        let f = Frame {
            left: 40.0,
            top: 10.0,
            right: 240.0,
            bottom: 110.0,
        };
        let s = Scale::Linear {
            min: 0.0,
            max: 10.0,
        };
        assert_eq!(f.x(&s, 5.0), 140.0);
        assert_eq!(f.y(&s, 10.0), 10.0);
        assert_eq!(f.y(&s, 0.0), 110.0);
    }
}
