//! Time axes: the visible window (zoom and pan as pure arithmetic), where the ticks go, and
//! what they say. Round steps (1, 2 or 5 × 10ⁿ ns) so labels read as `0, 200 ms, 400 ms`,
//! never `0, 187 ms`.

use whenasync_sim::{Ns, MS, SEC, US};

/// Tick positions along a time axis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticks {
    /// Distance between neighbouring ticks, ns.
    pub step: Ns,
    /// Tick positions from 0 up to the axis end, inclusive where one falls on it.
    pub values: Vec<Ns>,
}

/// Ticks for an axis from 0 to `end`, at most `max_ticks` intervals apart (at least 1).
pub fn ticks(end: Ns, max_ticks: u32) -> Ticks {
    let end = end.max(1);
    let max_ticks = Ns::from(max_ticks.max(1));
    let mut magnitude: Ns = 1;
    let step = 'search: loop {
        for m in [1, 2, 5] {
            let step = magnitude.saturating_mul(m);
            if end.div_ceil(step) <= max_ticks {
                break 'search step;
            }
        }
        match magnitude.checked_mul(10) {
            Some(next) => magnitude = next,
            None => break end,
        }
    };
    let values = (0..=end / step).map(|i| i * step).collect();
    Ticks { step, values }
}

/// The narrowest window a chart zooms to, ns: a few events apart still read apart.
pub const MIN_SPAN: Ns = 100;

/// The visible part of a time axis, `[start, end)` in ns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// First visible instant.
    pub start: Ns,
    /// End of the visible range (exclusive), always after `start`.
    pub end: Ns,
}

impl Window {
    /// Everything from 0 to `end`.
    pub fn full(end: Ns) -> Self {
        Window {
            start: 0,
            end: end.max(1),
        }
    }

    /// Length, ns (at least 1).
    pub fn span(&self) -> Ns {
        self.end.saturating_sub(self.start).max(1)
    }

    /// Whether this window shows all of `[0, full_end)`.
    pub fn is_full(&self, full_end: Ns) -> bool {
        self.start == 0 && self.end >= full_end
    }

    /// This window moved and shrunk as little as possible to fit in `[0, full_end)`, and at
    /// least [`MIN_SPAN`] wide (unless the whole axis is narrower).
    pub fn clamp(self, full_end: Ns) -> Self {
        let full_end = full_end.max(1);
        let span = self
            .end
            .saturating_sub(self.start)
            .clamp(MIN_SPAN.min(full_end), full_end);
        let start = self.start.min(full_end - span);
        Window {
            start,
            end: start + span,
        }
    }

    /// Zoomed by `factor` (> 1 zooms in, < 1 out) about `anchor`, which stays where it was on
    /// screen; clamped to `[0, full_end)`.
    pub fn zoom(self, factor: f64, anchor: Ns, full_end: Ns) -> Self {
        if !factor.is_finite() || factor <= 0.0 {
            return self.clamp(full_end);
        }
        let span = self.span() as f64;
        let new_span = (span / factor)
            .max(MIN_SPAN as f64)
            .min(full_end.max(1) as f64);
        let anchor = anchor.clamp(self.start, self.end) as f64;
        let at = (anchor - self.start as f64) / span;
        let start = (anchor - at * new_span).max(0.0);
        Window {
            start: start.round() as Ns,
            end: (start + new_span).round() as Ns,
        }
        .clamp(full_end)
    }

    /// Moved by `fraction` of its own span (negative: earlier), clamped to `[0, full_end)`.
    pub fn pan(self, fraction: f64, full_end: Ns) -> Self {
        self.shift(fraction * self.span() as f64, full_end)
    }

    /// Moved by `by` ns (negative: earlier), clamped to `[0, full_end)`.
    pub fn shift(self, by: f64, full_end: Ns) -> Self {
        let span = self.span();
        let start = (self.start as f64 + by).max(0.0).round() as Ns;
        Window {
            start,
            end: start.saturating_add(span),
        }
        .clamp(full_end)
    }

    /// A window that shows `[start, end)` with a margin of `pad` × its length on each side
    /// (and at least [`MIN_SPAN`] around an instant), clamped to `[0, full_end)`.
    pub fn around(start: Ns, end: Ns, pad: f64, full_end: Ns) -> Self {
        let (start, end) = (start.min(end), start.max(end));
        let len = (end - start).max(MIN_SPAN) as f64;
        let margin = len * pad.max(0.0);
        let s = (start as f64 - margin).max(0.0);
        let e = (start as f64 + len + margin).max(s + 1.0);
        Window {
            start: s.round() as Ns,
            end: e.round() as Ns,
        }
        .clamp(full_end)
    }

    /// Where `t` falls, as a fraction of the window (0 at `start`, 1 at `end`).
    pub fn fraction(&self, t: Ns) -> f64 {
        (t as f64 - self.start as f64) / self.span() as f64
    }

    /// The instant at `fraction` of the window.
    pub fn at(&self, fraction: f64) -> Ns {
        (self.start as f64 + fraction * self.span() as f64)
            .max(0.0)
            .round() as Ns
    }
}

/// Ticks for the window `w`, at most `max_ticks` intervals across it: multiples of a round
/// step that fall inside the window.
pub fn ticks_in(w: Window, max_ticks: u32) -> Ticks {
    let step = ticks(w.span(), max_ticks).step;
    let first = w.start.div_ceil(step);
    let last = w.end / step;
    let values = (first..=last).map(|i| i * step).collect();
    Ticks { step, values }
}

/// A tick label: the unit suits the whole axis (`unit_of`, its largest value), the decimals
/// suit the `step`, so every label on one axis reads alike: `0.5 s, 1.0 s, 1.5 s`;
/// `333.11 s, 333.12 s`.
pub fn label(ns: Ns, step: Ns, unit_of: Ns) -> String {
    if ns == 0 {
        return "0".to_owned();
    }
    let (scale, unit) = if unit_of >= SEC {
        (SEC, "s")
    } else if unit_of >= MS {
        (MS, "ms")
    } else if unit_of >= US {
        (US, "µs")
    } else {
        (1, "ns")
    };
    let mut decimals = 0;
    let mut quantum = scale;
    while quantum > 1 && !step.max(1).is_multiple_of(quantum) && decimals < 9 {
        quantum /= 10;
        decimals += 1;
    }
    format!("{:.*} {unit}", decimals, ns as f64 / scale as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_steps_within_the_budget() {
        let t = ticks(1_003 * MS, 8);
        assert_eq!(t.step, 200 * MS);
        assert_eq!(
            t.values,
            vec![0, 200 * MS, 400 * MS, 600 * MS, 800 * MS, 1_000 * MS]
        );
        assert_eq!(ticks(102 * MS, 10).step, 20 * MS);
        assert_eq!(ticks(100 * MS, 10).step, 10 * MS);
    }

    #[test]
    fn zoom_keeps_the_anchor_in_place() {
        let full = 1_000 * MS;
        let w = Window::full(full).zoom(2.0, 250 * MS, full);
        assert_eq!(
            w,
            Window {
                start: 125 * MS,
                end: 625 * MS
            }
        );
        // The anchor sits at the same fraction of the window before and after.
        assert!((w.fraction(250 * MS) - 0.25).abs() < 1e-9);
        // Zooming back out returns to the whole axis, never beyond it.
        assert_eq!(w.zoom(0.5, 250 * MS, full), Window::full(full));
        assert_eq!(w.zoom(0.01, 0, full), Window::full(full));
        // However far in, never narrower than MIN_SPAN.
        assert_eq!(w.zoom(1e12, 300 * MS, full).span(), MIN_SPAN);
        assert_eq!(w.zoom(f64::NAN, 0, full), w);
    }

    #[test]
    fn pan_stops_at_both_ends() {
        let full = 1_000 * MS;
        let w = Window {
            start: 100 * MS,
            end: 300 * MS,
        };
        assert_eq!(
            w.pan(0.5, full),
            Window {
                start: 200 * MS,
                end: 400 * MS
            }
        );
        assert_eq!(
            w.pan(-5.0, full),
            Window {
                start: 0,
                end: 200 * MS
            }
        );
        assert_eq!(
            w.pan(50.0, full),
            Window {
                start: 800 * MS,
                end: full
            }
        );
        assert_eq!(Window::full(full).pan(0.3, full), Window::full(full));
        // A window left over from a longer run shrinks to fit a shorter one.
        let old = Window {
            start: 900 * MS,
            end: 2_000 * MS,
        };
        assert_eq!(old.clamp(full), Window::full(full));
    }

    #[test]
    fn around_pads_a_span_and_widens_an_instant() {
        let full = 1_000 * MS;
        let w = Window::around(400 * MS, 500 * MS, 0.25, full);
        assert_eq!(
            w,
            Window {
                start: 375 * MS,
                end: 525 * MS
            }
        );
        let instant = Window::around(700 * MS, 700 * MS, 1.0, full);
        assert!(instant.start < 700 * MS && instant.end > 700 * MS);
        assert_eq!(Window::around(0, 2_000 * MS, 0.1, full), Window::full(full));
    }

    #[test]
    fn ticks_in_a_window_are_round_multiples_inside_it() {
        let w = Window {
            start: 333_114 * MS,
            end: 333_172 * MS,
        };
        let t = ticks_in(w, 6);
        assert_eq!(t.step, 10 * MS);
        assert_eq!(t.values.first(), Some(&(333_120 * MS)));
        assert_eq!(t.values.last(), Some(&(333_170 * MS)));
        let labels: Vec<String> = t.values.iter().map(|&v| label(v, t.step, w.end)).collect();
        assert_eq!(labels[0], "333.12 s");
        assert_eq!(ticks_in(Window::full(1_003 * MS), 8).values.len(), 6);
    }

    #[test]
    fn labels_share_a_unit_along_an_axis() {
        assert_eq!(label(500 * MS, 500 * MS, 1_500 * MS), "0.5 s");
        assert_eq!(label(SEC, 500 * MS, 1_500 * MS), "1.0 s");
        assert_eq!(label(200 * MS, 200 * MS, 1_000 * MS), "0.2 s");
        assert_eq!(label(200 * MS, 200 * MS, 900 * MS), "200 ms");
        assert_eq!(label(20 * US, 5 * US, 40 * US), "20 µs");
        assert_eq!(label(0, 5, 10), "0");
        assert_eq!(label(7, 1, 9), "7 ns");
    }

    #[test]
    fn degenerate_axes_do_not_panic() {
        assert_eq!(ticks(0, 5).values, vec![0, 1]);
        assert!(!ticks(Ns::MAX, 0).values.is_empty());
        assert!(ticks(7, 100).step >= 1);
    }
}
