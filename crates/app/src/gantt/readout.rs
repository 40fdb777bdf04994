//! The cursor readout under a chart: with the cursor pinned, what every row was doing at that
//! instant ([`chart::states_at`]).

use leptos::prelude::*;
use whenasync_sim::NO_TASK;

use super::{ChartState, RunSource};
use crate::chart::{self, Rows, View};
use crate::format;
use crate::theme::Scheme;

/// Under a chart with a pinned cursor: what every row was doing at that instant.
#[component]
pub(super) fn CursorReadout(
    run: RunSource,
    rows: Memo<Rows>,
    state: ChartState,
    view: Signal<View>,
    scheme: Signal<Scheme>,
) -> impl IntoView {
    /// Most rows listed (task view can have 120 rows; the busy ones come first).
    const MAX_LISTED: usize = 24;
    let pinned = move || state.cursor.get().filter(|c| c.pinned);
    let content = move || {
        let c = pinned()?;
        let view = view.get();
        let _ = scheme.get();
        let items = rows.with(|rows| {
            run.with(|run| {
                let mut items: Vec<(String, Option<chart::Bar>)> = chart::states_at(run, rows, c.t)
                    .into_iter()
                    .map(|(row, bar)| (row.label.trim().to_owned(), bar))
                    .collect();
                if view == View::Tasks {
                    items.retain(|(_, b)| b.is_some());
                }
                items
            })
        })?;
        let total = items.len();
        let listed = items
            .into_iter()
            .take(MAX_LISTED)
            .map(|(label, bar)| {
                let (kind, what) = match bar {
                    Some(b) => {
                        let task = if b.task != NO_TASK && view == View::Workers {
                            format!(" · task {}", b.task)
                        } else {
                            String::new()
                        };
                        (Some(b.kind), format!("{}{task}", b.kind.label()))
                    }
                    None => (None, "idle".to_owned()),
                };
                view! {
                    <li>
                        <span class="who">{label}</span>
                        {kind.map(|kind| view! { <crate::panels::Swatch kind /> })}
                        <span class:muted=kind.is_none()>{what}</span>
                    </li>
                }
            })
            .collect_view();
        let more = (total > MAX_LISTED).then(|| format!("and {} more", total - MAX_LISTED));
        Some(view! {
            <div class="cursor-readout" data-testid="cursor-readout" aria-live="polite">
                <p class="readout-head">
                    <strong>{format!("At {}", format::duration(c.t))}</strong>
                    <span class="muted">
                        {if total == 0 { " nothing was running" } else { "" }}
                    </span>
                    <button
                        type="button"
                        class="link"
                        on:click=move |_| state.cursor.set(None)
                    >
                        "clear"
                    </button>
                </p>
                <ul>{listed}</ul>
                {more.map(|m| view! { <p class="note">{m}</p> })}
            </div>
        })
    };
    view! { {content} }
}
