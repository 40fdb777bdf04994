//! The address bar kept in step with the playground: [`install`]'s effect writes the link to
//! what is on screen (replaceState for edits, after they settle; pushState when another
//! scenario loads), and Back, Forward or a pasted link open theirs.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use whenasync_link::{self as link, SourceParam, View as LinkView};

use super::{
    apply_view, deflate, location_fragment, open, page_url, view_of, widget_param, LinkState,
    Opened, REPLACE_DELAY,
};
use crate::app::Playground;

/// What the page shows after a link it could not open on load.
const INSTEAD_ON_LOAD: &str = "The playground opened its default scenario instead.";
/// …and after one opened from the address bar or history later.
const INSTEAD_LATER: &str = "The scenario on screen is unchanged.";

#[derive(Default)]
struct Sync {
    /// The fragment of what is on screen, last computed.
    latest: String,
    /// A replaceState waiting for edits to settle.
    pending: Option<TimeoutHandle>,
    /// Set while a fragment from the address bar or history is being applied: no push then.
    applying: bool,
    /// The last scenario deflated: its compact JSON and its `s=` parameter. A change of the
    /// view alone reuses it.
    packed: Option<(String, String)>,
    /// Counts the effect's runs: a deflate that ends after a later run is dropped.
    generation: u64,
    /// What runs whose deflate was dropped leave to the next fragment settled: it is still the
    /// first, or still owes history an entry.
    owed: Change,
}

/// What the change that a fragment follows was, taken when it happened: a scenario being
/// deflated may take a turn of the event loop.
#[derive(Clone, Copy, Default)]
struct Change {
    /// The first fragment: the address bar already holds what was opened (or a bad link, kept
    /// so it can be copied into a bug report).
    first: bool,
    /// Another scenario (a preset from the gallery, not a link from the address bar or
    /// history being applied): an entry of its own in history.
    push: bool,
}

/// Keeps the URL in step with the playground while the current owner lives, shows why a link
/// could not be opened, and follows the back and forward buttons. `error` is the opening
/// link's error, if any. Provides [`LinkState`].
pub fn install(pg: Playground, error: Option<String>) {
    let state = LinkState {
        error: RwSignal::new(error.map(|e| (e, INSTEAD_ON_LOAD))),
        source: RwSignal::new(None),
    };
    provide_context(state);
    let sync = StoredValue::new_local(Sync::default());

    // The scenario's name and half of the link, worked out once per scenario: a zoom or a pan
    // changes only the view's half.
    let scenario_half = Memo::new(move |_| {
        pg.scenario.with(|s| {
            s.as_ref().map(|s| {
                let source = link::link_for(s, LinkView::default()).source;
                (s.name.clone(), link::source_param(&source))
            })
        })
    });

    Effect::new(move |prev: Option<Option<String>>| {
        let half = scenario_half.get();
        let name = half.as_ref().map(|(name, _)| name.clone());
        let view = view_of(pg, None);
        let Some((_, param)) = half else {
            return name;
        };
        let (change, generation) = sync
            .try_update_value(|s| {
                let another = prev.as_ref().is_some_and(|p| *p != name) && !s.applying;
                s.owed = Change {
                    first: s.owed.first || prev.is_none(),
                    push: s.owed.push || another,
                };
                s.generation += 1;
                (s.owed, s.generation)
            })
            .unwrap_or_default();
        let json = match param {
            SourceParam::Ready(source) => {
                settle(state, sync, source, &view, change);
                return name;
            }
            SourceParam::Deflate(json) => json,
        };
        let packed = sync.with_value(|s| {
            s.packed
                .as_ref()
                .filter(|(j, _)| *j == json)
                .map(|(_, p)| p.clone())
        });
        if let Some(source) = packed {
            settle(state, sync, source, &view, change);
            return name;
        }
        leptos::task::spawn_local(async move {
            let source = link::scenario_param(&deflate::deflate_raw(json.as_bytes()).await);
            let current = sync
                .try_update_value(|s| {
                    let current = s.generation == generation;
                    if current {
                        s.packed = Some((json, source.clone()));
                    }
                    current
                })
                .unwrap_or(false);
            if current {
                settle(state, sync, source, &view, change);
            }
        });
        name
    });

    // Back, forward, or a link pasted into the address bar of the open page.
    let on_navigate = move || {
        let fragment = location_fragment();
        if sync.with_value(|s| s.latest == fragment) {
            return;
        }
        if widget_param(&fragment).is_some() {
            // An embed link: the page becomes the embed.
            let _ = web_sys::window().map(|w| w.location().reload());
            return;
        }
        cancel_pending(sync);
        leptos::task::spawn_local(async move {
            let Opened {
                scenario,
                view,
                error,
            } = open(&fragment).await;
            // Overtaken by another navigation while the link was inflating.
            if location_fragment() != fragment {
                return;
            }
            if let Some(e) = error {
                state.error.try_set(Some((e, INSTEAD_LATER)));
                return;
            }
            state.error.try_set(None);
            let Ok(scenario) = scenario else {
                return;
            };
            if sync.try_update_value(|s| s.applying = true).is_none() {
                return;
            }
            pg.scenario.try_set(Some(scenario));
            apply_view(pg, &view, true);
            set_timeout(
                move || {
                    let _ = sync.try_update_value(|s| s.applying = false);
                },
                Duration::from_millis(1),
            );
        });
    };
    let popstate = window_event_listener(leptos::ev::popstate, move |_| on_navigate());
    let hashchange = window_event_listener(leptos::ev::hashchange, move |_| on_navigate());
    on_cleanup(move || {
        popstate.remove();
        hashchange.remove();
        cancel_pending(sync);
    });
}

/// The link to what is on screen is `source` (its scenario's half) and `view`: kept for
/// sharing, and written into the address bar as `change` asks.
fn settle(
    state: LinkState,
    sync: StoredValue<Sync, LocalStorage>,
    source: String,
    view: &LinkView,
    change: Change,
) {
    let fragment = link::fragment(&source, view);
    if state.source.try_get_untracked().flatten().as_ref() != Some(&source) {
        state.source.try_set(Some(source));
    }
    // Held by the page's owner, which this may outlive by a turn of the event loop.
    let settled = sync.try_update_value(|s| {
        s.latest = fragment.clone();
        s.owed = Change::default();
    });
    if settled.is_none() {
        return;
    }
    if change.first {
        return;
    }
    if location_fragment() == fragment {
        cancel_pending(sync);
        return;
    }
    if change.push {
        cancel_pending(sync);
        write_url(&fragment, true);
    } else if sync.try_with_value(|s| s.pending.is_none()) == Some(true) {
        let handle = set_timeout_with_handle(
            move || {
                let latest = sync
                    .try_update_value(|s| {
                        s.pending = None;
                        s.latest.clone()
                    })
                    .unwrap_or_default();
                if !latest.is_empty() && location_fragment() != latest {
                    write_url(&latest, false);
                }
            },
            REPLACE_DELAY,
        )
        .ok();
        sync.try_update_value(|s| s.pending = handle);
    }
}

fn cancel_pending(sync: StoredValue<Sync, LocalStorage>) {
    if let Some(h) = sync.try_update_value(|s| s.pending.take()).flatten() {
        h.clear();
    }
}

/// Writes `fragment` into the address bar: a new history entry when `push`.
fn write_url(fragment: &str, push: bool) {
    let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
        return;
    };
    let url = format!("{}#{fragment}", page_url());
    let done = if push {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    };
    if let Err(e) = done {
        leptos::logging::warn!("cannot update the address bar: {e:?}");
    }
}
