//! The scenario editor: a tabbed inspector (presets, workload, machine, execution) that edits
//! a *draft* of the scenario.
//!
//! ```text
//!   input ──parse──▶ edit(draft) ──validate──ok──▶ Playground.scenario ──▶ runs (re-simulated)
//!     │                                  └─refused──▶ message next to the field; the last
//!     └─ parse error: message next to the field        valid runs stay on screen
//! ```
//!
//! Every keystroke that parses is an edit; every edit that validates re-simulates at once.

pub mod fields;
pub mod ops;
pub mod steps;
pub mod workload;

use std::time::Duration;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use whenasync_sim::{validate, Scenario};

use crate::app::Playground;
use crate::deferred::deferred;
use crate::gallery::PresetGallery;
use crate::machine::MachineEditor;
use crate::models::ExecutionEditor;
use workload::WorkloadEditor;

/// Applies `f` to the draft; if the result validates it becomes the scenario (and is
/// re-simulated), otherwise it stays a draft and the validator's message shows in the editor.
pub fn edit(pg: Playground, f: impl FnOnce(&mut Scenario)) {
    let Some(mut next) = pg.draft.get_untracked() else {
        return;
    };
    f(&mut next);
    if pg.draft.with_untracked(|d| d.as_ref() == Some(&next)) {
        return;
    }
    if validate(&next).is_ok() && pg.scenario.with_untracked(|s| s.as_ref() != Some(&next)) {
        pg.scenario.set(Some(next.clone()));
    }
    pg.draft.set(Some(next));
}

/// Keeps `draft` equal to `scenario` whenever the scenario changes from outside the editor
/// (a preset, a link): a refused draft is dropped then.
pub fn keep_draft(scenario: RwSignal<Option<Scenario>>, draft: RwSignal<Option<Scenario>>) {
    Effect::new(move |_| {
        scenario.with(|s| {
            if draft.with_untracked(|d| d != s) {
                draft.set(s.clone());
            }
        })
    });
}

/// The draft's named pools, in order: the pools list and every step's pool menu follow it.
pub fn pool_names(pg: Playground) -> Memo<Vec<String>> {
    Memo::new(move |_| {
        pg.draft.with(|d| {
            d.as_ref()
                .map(|s| s.pools.keys().cloned().collect())
                .unwrap_or_default()
        })
    })
}

/// Focuses the first of `ids` that exists and is enabled, once the current update has been
/// rendered (lists re-render when their length changes, and the focused control with them).
pub fn focus_later(ids: Vec<String>) {
    set_timeout(
        move || {
            let doc = document();
            for id in &ids {
                let Some(el) = doc
                    .get_element_by_id(id)
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                else {
                    continue;
                };
                if el.has_attribute("disabled") {
                    continue;
                }
                let _ = el.focus();
                return;
            }
        },
        Duration::ZERO,
    );
}

/// The bodies of the workload, machine and execution tabs, in a chunk of their own: most
/// visits never edit, and the editors are the page's largest views.
#[derive(Clone, Copy)]
pub struct TabBodies {
    workload: fn() -> AnyView,
    machine: fn() -> AnyView,
    execution: fn() -> AnyView,
}

crate::chunk!(
    /// The editor's tabs but the presets (crate::deferred).
    static EDITOR: TabBodies = editor("the editor") {
        TabBodies {
            workload: || view! { <WorkloadEditor /> }.into_any(),
            machine: || view! { <MachineEditor /> }.into_any(),
            execution: || view! { <ExecutionEditor /> }.into_any(),
        }
    }
);

/// The inspector's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// The preset gallery.
    Presets,
    /// Task classes, arrivals, pools.
    Workload,
    /// Cores, switch interval, overheads.
    Machine,
    /// Models, compare or one.
    Execution,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 4] = [Tab::Presets, Tab::Workload, Tab::Machine, Tab::Execution];

    /// Its label.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Presets => "Presets",
            Tab::Workload => "Workload",
            Tab::Machine => "Machine",
            Tab::Execution => "Execution",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Tab::Presets => "presets",
            Tab::Workload => "workload",
            Tab::Machine => "machine",
            Tab::Execution => "execution",
        }
    }
}

/// Whether the draft is the scenario on screen, or why not.
#[component]
pub fn EditorStatus() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let error = move || pg.draft_error.get().map(|e| e.to_string());
    let revert = move |_| {
        let s = pg.scenario.get_untracked();
        pg.draft.set(s);
    };
    view! {
        <div class="ed-status" aria-live="polite" data-testid="editor-status">
            {move || {
                error()
                    .map(|e| {
                        view! {
                            <div class="ed-refused">
                                <p>
                                    <strong>"Not applied: "</strong>
                                    <code>{e}</code>
                                    <br />
                                    <span class="muted">
                                        "The charts show the last valid scenario."
                                    </span>
                                </p>
                                <button type="button" class="add" on:click=revert>
                                    "Discard edit"
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}

/// Whether the page is phone-sized (one column): the inspector then starts collapsed, so the
/// charts are on the first screen.
fn narrow() -> bool {
    window()
        .match_media("(max-width: 900px)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// The tabbed inspector: presets, workload, machine, execution. ←/→ move between tabs; the
/// chevron (or the active tab, clicked again) collapses it.
#[component]
pub fn Inspector() -> impl IntoView {
    let tab = RwSignal::new(Tab::Presets);
    let open = RwSignal::new(!narrow());
    let on_key = move |ev: KeyboardEvent| {
        let i = Tab::ALL
            .iter()
            .position(|t| *t == tab.get_untracked())
            .unwrap_or(0);
        let n = Tab::ALL.len();
        let next = match ev.key().as_str() {
            "ArrowRight" => (i + 1) % n,
            "ArrowLeft" => (i + n - 1) % n,
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        tab.set(Tab::ALL[next]);
        focus_later(vec![format!("tab-{}", Tab::ALL[next].id())]);
    };
    // A tab's body is built the first time it shows, then kept (its fields and their drafts
    // survive a switch away). Most visits never open three of the four: on the landing page,
    // their 329 of its 825 elements were built hidden, 10-20 ms of its 260 to the charts.
    let panel = move |t: Tab, body: fn() -> AnyView| {
        let shown = Memo::new(move |before: Option<&bool>| {
            before.copied().unwrap_or(false) || (open.get() && tab.get() == t)
        });
        view! {
            <div
                class="ed-panel"
                role="tabpanel"
                id=format!("panel-{}", t.id())
                aria-labelledby=format!("tab-{}", t.id())
                hidden=move || !open.get() || tab.get() != t
                data-testid=format!("panel-{}", t.id())
            >
                {move || shown.get().then(body)}
            </div>
        }
    };
    view! {
        <section class="card inspector" class:closed=move || !open.get() data-testid="inspector">
            <div
                class="ed-tabs"
                role="tablist"
                aria-label="Scenario"
                on:keydown=on_key
                on:pointerenter=|_| EDITOR.prefetch()
                on:focusin=|_| EDITOR.prefetch()
            >
                {Tab::ALL
                    .into_iter()
                    .map(|t| {
                        view! {
                            <button
                                type="button"
                                role="tab"
                                id=format!("tab-{}", t.id())
                                aria-controls=format!("panel-{}", t.id())
                                aria-selected=move || (tab.get() == t).to_string()
                                tabindex=move || if tab.get() == t { "0" } else { "-1" }
                                data-testid="inspector-tab"
                                on:click=move |_| {
                                    if tab.get_untracked() == t {
                                        open.update(|o| *o = !*o);
                                    } else {
                                        tab.set(t);
                                        open.set(true);
                                    }
                                }
                            >
                                {t.label()}
                            </button>
                        }
                    })
                    .collect_view()}
                <button
                    type="button"
                    class="ed-toggle"
                    data-testid="inspector-toggle"
                    aria-expanded=move || open.get().to_string()
                    aria-label=move || if open.get() { "Collapse the editor" } else { "Expand the editor" }
                    title=move || if open.get() { "Collapse the editor" } else { "Expand the editor" }
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    <span aria-hidden="true">{move || if open.get() { "▴" } else { "▾" }}</span>
                </button>
            </div>
            <EditorStatus />
            {panel(Tab::Presets, || view! { <PresetGallery /> }.into_any())}
            {panel(Tab::Workload, || deferred(&EDITOR, |t| (t.workload)()).into_any())}
            {panel(Tab::Machine, || deferred(&EDITOR, |t| (t.machine)()).into_any())}
            {panel(Tab::Execution, || deferred(&EDITOR, |t| (t.execution)()).into_any())}
        </section>
    }
}
