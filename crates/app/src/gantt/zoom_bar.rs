//! The zoom bar above the charts: buttons that zoom and reset the shared window, what it
//! shows, and a live region for screen readers.

use leptos::prelude::*;
use whenasync_sim::Ns;

use super::cursor_label;
use crate::format;

/// The zoom controls shared by every chart on screen: −, +, reset, what the window shows,
/// and a live region that tells screen readers what changed.
#[component]
pub fn ZoomBar(
    /// The end of the shared time axis.
    #[prop(into)]
    end: Signal<Ns>,
) -> impl IntoView {
    let state = expect_context::<crate::Playground>().chart;
    let window = Memo::new(move |_| state.visible(end.get()));
    let is_full = move || window.get().is_full(end.get());
    let shown = move || {
        let w = window.get();
        let full = end.get();
        let share = w.span() as f64 / full.max(1) as f64;
        if w.is_full(full) {
            format!("0 – {} · whole run", format::duration(full))
        } else {
            format!(
                "{} – {} · {} of {}",
                cursor_label(w.start, w),
                cursor_label(w.end, w),
                format::percent(share),
                format::duration(full)
            )
        }
    };
    view! {
        <div class="zoom-bar" data-testid="zoom-bar" role="toolbar" aria-label="Time axis">
            <div class="segmented zoom-buttons">
                <button
                    type="button"
                    data-testid="zoom-out"
                    aria-label="Zoom out"
                    title="Zoom out (−)"
                    disabled=is_full
                    on:click=move |_| state.zoom(0.5, None, end.get_untracked())
                >
                    "−"
                </button>
                <button
                    type="button"
                    data-testid="zoom-in"
                    aria-label="Zoom in"
                    title="Zoom in (+)"
                    on:click=move |_| state.zoom(2.0, None, end.get_untracked())
                >
                    "+"
                </button>
                <button
                    type="button"
                    data-testid="zoom-reset"
                    title="Show the whole run (0)"
                    disabled=is_full
                    on:click=move |_| {
                        state.reset(end.get_untracked());
                        state.highlight.set(None);
                    }
                >
                    "Reset"
                </button>
            </div>
            <span class="zoom-window" data-testid="zoom-window">{shown}</span>
            <span class="zoom-hint">
                "Wheel or + − zooms · drag or ← → pans · click pins a time cursor"
            </span>
            <span class="visually-hidden" aria-live="polite">{move || state.announce.get()}</span>
        </div>
    }
}
