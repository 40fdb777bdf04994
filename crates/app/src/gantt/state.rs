//! What the charts on screen share ([`ChartState`]: window, cursor, highlight) and where a
//! chart reads its run ([`RunSource`]).

use leptos::prelude::*;
use whenasync_sim::{Ns, Run};

use crate::axis::Window;
use crate::format;

/// The time cursor: where the pointer is, or where it was pinned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The instant, ns.
    pub t: Ns,
    /// Pinned by a click or Enter: stays when the pointer leaves, and lists every row's state.
    pub pinned: bool,
}

/// What an insight points at, drawn over the chart of its model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Highlight {
    /// The run's model label.
    pub model: String,
    /// The lane it points at (worker rows).
    pub lane: Option<u32>,
    /// The task it points at (task rows, and its bars on worker rows).
    pub task: Option<u32>,
    /// Start of the span, ns.
    pub start: Ns,
    /// End of the span, ns.
    pub end: Ns,
}

/// What the charts on screen share: one zoom window (one time axis for small multiples), one
/// time cursor, one highlight, and a message for screen readers.
#[derive(Clone, Copy, Debug)]
pub struct ChartState {
    /// The visible window; `None` shows the whole axis.
    pub window: RwSignal<Option<Window>>,
    /// The time cursor.
    pub cursor: RwSignal<Option<Cursor>>,
    /// The highlighted span (from an insight).
    pub highlight: RwSignal<Option<Highlight>>,
    /// The last change, said by a polite live region.
    pub announce: RwSignal<String>,
}

impl Default for ChartState {
    fn default() -> Self {
        Self::new()
    }
}

impl ChartState {
    /// The whole axis, no cursor, no highlight.
    pub fn new() -> Self {
        ChartState {
            window: RwSignal::new(None),
            cursor: RwSignal::new(None),
            highlight: RwSignal::new(None),
            announce: RwSignal::new(String::new()),
        }
    }

    /// The window on screen for an axis ending at `end` (tracked).
    pub fn visible(&self, end: Ns) -> Window {
        self.window
            .get()
            .map_or(Window::full(end), |w| w.clamp(end))
    }

    fn visible_untracked(&self, end: Ns) -> Window {
        self.window
            .get_untracked()
            .map_or(Window::full(end), |w| w.clamp(end))
    }

    /// Shows `w` (clamped to the axis), and says so.
    pub fn show(&self, w: Window, end: Ns) {
        let w = w.clamp(end);
        let next = (!w.is_full(end)).then_some(w);
        if self.window.get_untracked() != next {
            self.window.set(next);
        }
        self.announce.set(if w.is_full(end) {
            format!("Showing the whole run, 0 to {}", format::duration(end))
        } else {
            format!(
                "Showing {} to {}",
                format::duration(w.start),
                format::duration(w.end)
            )
        });
    }

    /// Zooms by `factor` (> 1 in) about `anchor`, or about the pinned cursor if it is on
    /// screen, or about the middle.
    pub fn zoom(&self, factor: f64, anchor: Option<Ns>, end: Ns) {
        let w = self.visible_untracked(end);
        let anchor = anchor
            .or_else(|| {
                self.cursor
                    .get_untracked()
                    .filter(|c| c.pinned && c.t >= w.start && c.t <= w.end)
                    .map(|c| c.t)
            })
            .unwrap_or_else(|| w.at(0.5));
        self.show(w.zoom(factor, anchor, end), end);
    }

    /// Pans by `fraction` of the window.
    pub fn pan(&self, fraction: f64, end: Ns) {
        self.show(self.visible_untracked(end).pan(fraction, end), end);
    }

    /// The whole axis again.
    pub fn reset(&self, end: Ns) {
        self.show(Window::full(end), end);
    }

    /// Starts over (whole axis, no cursor, no highlight) whenever another scenario is loaded
    /// (its name changes); edits of the same scenario keep the zoom, so a detail stays in view
    /// while it is tuned.
    pub fn follow(&self, scenario: RwSignal<Option<whenasync_sim::Scenario>>) {
        let state = *self;
        Effect::new(move |prev: Option<Option<String>>| {
            let name = scenario.with(|s| s.as_ref().map(|s| s.name.clone()));
            if prev.is_some_and(|p| p != name) {
                state.window.set(None);
                state.cursor.set(None);
                state.highlight.set(None);
            }
            name
        });
    }

    /// Zooms to an insight's span on `model`'s chart and highlights it.
    pub fn point_at(&self, highlight: Highlight, end: Ns) {
        let w = Window::around(highlight.start, highlight.end, 0.2, end);
        self.show(w, end);
        self.announce.set(format!(
            "Zoomed to {} to {}, highlighting {}",
            format::duration(w.start),
            format::duration(w.end),
            match (highlight.lane, highlight.task) {
                (_, Some(t)) => format!("task {t}"),
                (Some(l), None) => format!("lane {l}"),
                (None, None) => "the span".to_owned(),
            }
        ));
        self.highlight.set(Some(highlight));
    }
}

/// Where a chart reads its run: the playground's runs memo (by index, never copied) or a run
/// of its own.
#[derive(Clone, Copy, Debug)]
pub enum RunSource {
    /// Run `index` of the playground's runs.
    Playground(Memo<Result<Vec<Run>, String>>, usize),
    /// A run held by the chart's owner.
    Stored(StoredValue<Run>),
}

impl RunSource {
    /// Calls `f` with the run, tracking it.
    pub fn with<R>(&self, f: impl FnOnce(&Run) -> R) -> Option<R> {
        match self {
            RunSource::Playground(runs, i) => {
                runs.with(|r| r.as_ref().ok().and_then(|r| r.get(*i)).map(f))
            }
            RunSource::Stored(run) => run.try_with_value(f),
        }
    }

    /// Calls `f` with the run, without tracking (event handlers).
    pub fn with_untracked<R>(&self, f: impl FnOnce(&Run) -> R) -> Option<R> {
        match self {
            RunSource::Playground(runs, i) => {
                runs.with_untracked(|r| r.as_ref().ok().and_then(|r| r.get(*i)).map(f))
            }
            RunSource::Stored(run) => run.try_with_value(f),
        }
    }
}
