//! Pointer, wheel and keyboard input on a Gantt chart: hovering shows a tooltip and moves the
//! cursor, a drag or the arrow keys pan, the wheel or `+` `−` `0` zoom, and a click or Enter
//! pins the cursor.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use whenasync_sim::Ns;

use super::{ChartState, Cursor, Geometry, RunSource};
use crate::axis::Window;
use crate::chart::{self, Rows, View};

/// A tooltip: where it goes (x, y in CSS pixels), its headline and its timing.
pub(super) type Tooltip = (f64, f64, (String, String));

/// A drag in progress: where it started and the window then.
#[derive(Clone, Copy, Debug)]
pub(super) struct Drag {
    x: f64,
    window: Window,
    moved: bool,
}

/// What one chart's event handlers read and change; copied into each of them.
#[derive(Clone, Copy)]
pub(super) struct Input {
    /// Where the run is.
    pub(super) run: RunSource,
    /// The chart's rows.
    pub(super) rows: Memo<Rows>,
    /// Rows by worker or by task.
    pub(super) view: Signal<View>,
    /// The right end of the time axis.
    pub(super) end: Signal<Ns>,
    /// The run's own makespan.
    pub(super) makespan: Memo<Ns>,
    /// The window, cursor and highlight shared with the other charts.
    pub(super) state: ChartState,
    /// The visible window.
    pub(super) window: Memo<Window>,
    /// The chart's width, CSS pixels.
    pub(super) width: RwSignal<f64>,
    /// The tooltip shown, if any.
    pub(super) tooltip: RwSignal<Option<Tooltip>>,
    /// The drag in progress, if any.
    pub(super) drag: StoredValue<Option<Drag>>,
}

impl Input {
    /// Pointer position → (x, y, time under it) in chart coordinates.
    fn at(self, ev: &web_sys::MouseEvent) -> (f64, f64, Option<Ns>) {
        let (x, y) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
        let w = self.width.get_untracked();
        let t = Geometry::for_width(w).t(x, self.window.get_untracked(), w);
        (x, y, t)
    }

    fn hover(self, x: f64, y: f64, t: Option<Ns>) {
        let Input {
            run,
            rows,
            view,
            state,
            width,
            tooltip,
            ..
        } = self;
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
    }

    /// A press starts a drag (or a click).
    pub(super) fn pointer_down(self, ev: web_sys::PointerEvent) {
        if ev.button() != 0 {
            return;
        }
        let (x, _, _) = self.at(&ev);
        self.drag.set_value(Some(Drag {
            x,
            window: self.window.get_untracked(),
            moved: false,
        }));
        if let Some(target) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
    }

    /// A drag pans; otherwise the pointer hovers.
    pub(super) fn pointer_move(self, ev: web_sys::PointerEvent) {
        let Input {
            state,
            drag,
            width,
            end,
            tooltip,
            ..
        } = self;
        let (x, y, t) = self.at(&ev);
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
        self.hover(x, y, t);
    }

    /// The end of a drag (announced), or a click, which pins or unpins the cursor.
    pub(super) fn pointer_up(self, ev: web_sys::PointerEvent) {
        let Input {
            state,
            drag,
            window,
            end,
            ..
        } = self;
        let Some(d) = drag.get_value() else {
            return;
        };
        drag.set_value(None);
        let (_, _, t) = self.at(&ev);
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
    }

    /// A cancelled pointer ends any drag.
    pub(super) fn pointer_cancel(self) {
        self.drag.set_value(None);
    }

    /// The pointer left: no tooltip, and no cursor unless it is pinned.
    pub(super) fn leave(self) {
        self.tooltip.set(None);
        if self.state.cursor.get_untracked().is_some_and(|c| !c.pinned) {
            self.state.cursor.set(None);
        }
    }

    /// The wheel zooms at the pointer; sideways (or with shift) it pans.
    pub(super) fn wheel(self, ev: web_sys::WheelEvent) {
        let full = self.end.get_untracked();
        let w = self.window.get_untracked();
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
            let (_, _, t) = self.at(&ev);
            w.zoom(2f64.powf(-dy / 300.0), t.unwrap_or_else(|| w.at(0.5)), full)
        };
        // Nothing to do (all the way out, or in): let the page scroll instead.
        if next == w {
            return;
        }
        ev.prevent_default();
        let next = (!next.is_full(full)).then_some(next);
        self.state.window.set(next);
    }

    /// The keys in [`super::aria::KEYS`]: zoom, pan, reset, pin the cursor, clear.
    pub(super) fn key(self, ev: web_sys::KeyboardEvent) {
        let Input {
            state,
            window,
            end,
            makespan,
            tooltip,
            ..
        } = self;
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
    }
}
