//! The playground's state in its URL: opened from the fragment on load, written back as the
//! user works.
//!
//! ```text
//!   location.hash ──whenasync_link::decode──▶ scenario_of ──▶ Playground (scenario, focus,
//!        ▲                    │ error                            rows, zoom window)
//!        │                    └──▶ LinkBanner (text) + the landing preset
//!        └── replaceState (edits, debounced) / pushState (another scenario loaded) ◀── effect
//!                                             (an edited scenario deflated by the browser first)
//! ```
//!
//! A link is input from a stranger: every failure is a [`whenasync_link::LinkError`], shown as
//! text, never as HTML. Preset links stay readable (`#preset=NAME&m=…`); an edited scenario is
//! `#s=1.…`. The embed parameter `w=` (see [`crate::embed`]) is never written here.
//!
//! URLs are written in full (origin, path, query, fragment): with `<base data-trunk-public-url>`
//! a bare `"#…"` would resolve against the base, not the page.

mod address_bar;
pub mod deflate;

pub use address_bar::install;

use std::time::Duration;

use leptos::prelude::*;
use whenasync_link::{self as link, View as LinkView};
use whenasync_sim::Scenario;

use crate::app::{landing_scenario, Playground};
use crate::axis::Window;
use crate::chart::View;

/// How long edits settle before the URL is replaced: a drag or a typed number writes once,
/// and Chromium's limit on history calls (about 100 in 10 s) is never reached.
pub const REPLACE_DELAY: Duration = Duration::from_millis(250);

/// What a link opens.
#[derive(Clone, Debug)]
pub struct Opened {
    /// The scenario: the link's, or the landing preset's when the link could not be opened.
    pub scenario: Result<Scenario, String>,
    /// The view the link asks for (the default view when it could not be opened).
    pub view: LinkView,
    /// Why the link could not be opened (the `LinkError`'s sentence), if it could not.
    pub error: Option<String>,
}

/// Opens `fragment` (with or without `#`): an empty fragment is the landing preset. Only an
/// `s=` link awaits anything: the browser inflating its scenario.
pub async fn open(fragment: &str) -> Opened {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.trim().is_empty() {
        return Opened {
            scenario: landing_scenario(),
            view: LinkView::default(),
            error: None,
        };
    }
    let link = match link::parse(fragment) {
        Ok(link::Parsed {
            payload: link::Payload::Ready(source),
            view,
        }) => Ok(link::Link { source, view }),
        Ok(link::Parsed {
            payload: link::Payload::Deflated(bytes),
            view,
        }) => deflate::inflate_raw(&bytes, link::MAX_INFLATED_BYTES)
            .await
            .and_then(|json| link::scenario_from_json(&json))
            .map(|sc| link::Link {
                source: link::Source::Scenario(Box::new(sc)),
                view,
            }),
        Err(e) => Err(e),
    };
    let opened = link.and_then(|l| link::scenario_of(&l).map(|s| (s, l.view)));
    match opened {
        Ok((scenario, view)) => Opened {
            scenario: Ok(scenario),
            view,
            error: None,
        },
        Err(e) => Opened {
            scenario: landing_scenario(),
            view: LinkView::default(),
            error: Some(e.to_string()),
        },
    }
}

/// The page's fragment, without `#`. The browser percent-encodes what may not stand in a
/// fragment; `whenasync_link::decode` decodes it.
pub fn location_fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.strip_prefix('#').map(str::to_owned).unwrap_or(h))
        .unwrap_or_default()
}

/// The page's URL without its fragment: origin, path and query.
pub fn page_url() -> String {
    let Some(loc) = web_sys::window().map(|w| w.location()) else {
        return String::new();
    };
    format!(
        "{}{}{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default(),
        loc.search().unwrap_or_default()
    )
}

/// The value of the embed parameter `w=` in `fragment`, if there is one. Read without
/// decoding the rest, so a damaged link still opens as an embed (with its banner).
pub fn widget_param(fragment: &str) -> Option<String> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let fragment = fragment.get(..link::MAX_LINK_CHARS).unwrap_or(fragment);
    fragment
        .split('&')
        .find_map(|p| p.strip_prefix("w="))
        .map(|w| w.chars().take(40).collect())
}

/// `fragment` without its `w=` parameter: the playground link of an embed.
pub fn without_widget(fragment: &str) -> String {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    fragment
        .split('&')
        .filter(|p| !p.starts_with("w=") && !p.is_empty())
        .collect::<Vec<_>>()
        .join("&")
}

/// The view on screen, as a link says it (tracked).
pub fn view_of(pg: Playground, widget: Option<String>) -> LinkView {
    LinkView {
        model: pg.focus.get().map(|i| i as u32),
        by_task: pg.view.get() == View::Tasks,
        window: pg.chart.window.get().map(|w| (w.start, w.end)),
        widget,
    }
}

/// The fragment (without `#`) of what is on screen, with `widget` for an embed (tracked):
/// `None` until the scenario's half of it is ready ([`LinkState::source`]).
pub fn fragment_of(pg: Playground, links: LinkState, widget: Option<String>) -> Option<String> {
    let view = view_of(pg, widget);
    links
        .source
        .with(|s| s.as_ref().map(|s| link::fragment(s, &view)))
}

/// The full link to what is on screen.
pub fn share_url(pg: Playground, links: LinkState) -> Option<String> {
    let fragment = untrack(|| fragment_of(pg, links, None))?;
    Some(format!("{}#{fragment}", page_url()))
}

/// Shows the model, rows and zoom window `view` asks for. The window is set on the next
/// turn of the event loop when `later`: a new scenario resets the zoom first
/// ([`crate::gantt::ChartState::follow`]).
pub fn apply_view(pg: Playground, view: &LinkView, later: bool) {
    let models = pg
        .scenario
        .with_untracked(|s| s.as_ref().map_or(0, |s| s.models.len()));
    let focus = view.model.map(|m| m as usize).filter(|m| *m < models);
    if pg.focus.get_untracked() != focus {
        pg.focus.set(focus);
    }
    let rows = if view.by_task {
        View::Tasks
    } else {
        View::Workers
    };
    if pg.view.get_untracked() != rows {
        pg.view.set(rows);
    }
    let window = view.window.map(|(start, end)| Window { start, end });
    if later {
        set_timeout(move || pg.chart.window.set(window), Duration::ZERO);
    } else {
        pg.chart.window.set(window);
    }
}

/// Why the link in the address bar could not be opened, for [`LinkBanner`], and the link to
/// what is on screen, for sharing.
#[derive(Clone, Copy, Debug)]
pub struct LinkState {
    /// The `LinkError`'s sentence, and what the page shows instead.
    pub error: RwSignal<Option<(String, &'static str)>>,
    /// The scenario's half of the link to what is on screen (`preset=…`, or `s=1.…` once the
    /// browser has deflated an edited scenario; a millisecond or so after the edit).
    pub source: RwSignal<Option<String>>,
}

/// A visible message when the link could not be opened: what was wrong, as text.
#[component]
pub fn LinkBanner() -> impl IntoView {
    let Some(state) = use_context::<LinkState>() else {
        return ().into_any();
    };
    let error = move || state.error.get();
    view! {
        <Show when=move || error().is_some()>
            <div class="banner error link-banner" role="alert" data-testid="link-banner">
                <p>
                    <strong>"This link could not be opened: "</strong>
                    <span data-testid="link-error">{move || error().map(|e| e.0)}</span>
                    "."
                </p>
                <p class="muted">{move || error().map(|e| e.1)}</p>
                <button
                    type="button"
                    class="link"
                    data-testid="link-banner-dismiss"
                    on:click=move |_| state.error.set(None)
                >
                    "Dismiss"
                </button>
            </div>
        </Show>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widget_parameter_is_read_without_decoding() {
        assert_eq!(
            widget_param("#preset=gather-10-queries&w=gantt"),
            Some("gantt".into())
        );
        assert_eq!(
            widget_param("s=1.damaged&w=latency&m=1"),
            Some("latency".into())
        );
        assert_eq!(widget_param("preset=x&m=compare"), None);
        assert_eq!(
            without_widget("#preset=gather-10-queries&m=1&w=gantt"),
            "preset=gather-10-queries&m=1"
        );
    }

    /// `open(fragment)` for a link that needs no inflating: ready at its first poll.
    fn open_now(fragment: &str) -> Opened {
        use std::future::Future;
        use std::task::{Context, Poll, Waker};
        let mut opening = std::pin::pin!(open(fragment));
        match opening
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(o) => o,
            Poll::Pending => panic!("{fragment}: opening it awaited the browser"),
        }
    }

    #[test]
    fn a_bad_link_opens_the_landing_preset_with_its_reason() {
        let o = open_now("#s=9.AAAA&m=1");
        assert_eq!(
            o.scenario.as_ref().map(|s| s.name.as_str()),
            Ok(crate::LANDING_PRESET)
        );
        assert!(o.error.is_some_and(|e| e.contains("newer version")));
        let o = open_now("");
        assert!(o.error.is_none() && o.scenario.is_ok());
        let o = open_now("#preset=cpu-in-async-handler&m=1&lanes=task&t=5-900");
        assert!(o.error.is_none(), "{:?}", o.error);
        assert_eq!(o.view.model, Some(1));
        assert!(o.view.by_task);
        assert_eq!(o.view.window, Some((5, 900)));
    }
}
