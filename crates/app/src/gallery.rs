//! The preset gallery: every preset with its title and a one-line gist; a click (or Enter)
//! loads it and re-simulates; the current one is marked, and so is an edited one.
//! ↑/↓, Home and End move between presets.

use std::sync::OnceLock;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use whenasync_sim::{presets, Scenario};

use crate::app::Playground;
use crate::editor::focus_later;

/// Every preset, parsed once.
pub fn all() -> &'static [Scenario] {
    static ALL: OnceLock<Vec<Scenario>> = OnceLock::new();
    ALL.get_or_init(presets::all)
}

/// The preset called `name`.
pub fn preset(name: &str) -> Option<&'static Scenario> {
    all().iter().find(|s| s.name == name)
}

/// The first sentence of `text` (up to the first ". " or the end).
pub fn gist(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

/// Shows `scenario`: the runs are re-simulated, the editor follows, every model is compared.
pub fn load(pg: Playground, scenario: Scenario) {
    pg.focus.set(None);
    pg.draft.set(Some(scenario.clone()));
    pg.scenario.set(Some(scenario));
}

/// Whether the scenario in the editor is the preset it started from, unchanged.
pub fn pristine(s: &Scenario) -> bool {
    preset(&s.name).is_some_and(|p| p == s)
}

/// The list of presets.
#[component]
pub fn PresetGallery() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let current = Memo::new(move |_| {
        pg.draft
            .with(|d| d.as_ref().map(|s| (s.name.clone(), pristine(s))))
    });
    let count = all().len();
    let on_key = move |ev: KeyboardEvent| {
        let id = event_target::<web_sys::Element>(&ev).id();
        let Some(i) = id
            .strip_prefix("preset-")
            .and_then(|n| all().iter().position(|s| s.name == n))
        else {
            return;
        };
        let next = match ev.key().as_str() {
            "ArrowDown" => (i + 1).min(count - 1),
            "ArrowUp" => i.saturating_sub(1),
            "Home" => 0,
            "End" => count - 1,
            _ => return,
        };
        ev.prevent_default();
        focus_later(vec![format!("preset-{}", all()[next].name)]);
    };
    view! {
        <p class="ed-hint">
            {format!("{count} scenarios, each reproducing a claim from the articles. ")}
            "Enter or click loads one; ↑/↓ to move."
        </p>
        <ul class="gallery" data-testid="gallery" aria-label="Presets" on:keydown=on_key>
            {all()
                .iter()
                .map(|s| {
                    let name = s.name.clone();
                    let is = {
                        let name = name.clone();
                        move || current.with(|c| c.as_ref().is_some_and(|(n, _)| *n == name))
                    };
                    let edited = {
                        let is = is.clone();
                        move || is() && current.with(|c| c.as_ref().is_some_and(|(_, p)| !p))
                    };
                    let tip = format!("{}\n\nClaim: {}", s.description, s.claim);
                    let models = s
                        .models
                        .iter()
                        .map(|m| m.label())
                        .collect::<Vec<_>>()
                        .join(" · ");
                    let scenario = s.clone();
                    let is2 = is.clone();
                    view! {
                        <li>
                            <button
                                type="button"
                                class="preset"
                                id=format!("preset-{name}")
                                data-testid="preset"
                                data-name=name.clone()
                                title=tip
                                aria-current=move || is().then_some("true")
                                on:click=move |_| load(pg, scenario.clone())
                            >
                                <span class="p-title">
                                    {s.title.clone()}
                                    {move || {
                                        is2()
                                            .then(|| {
                                                let mark = if edited() { "edited" } else { "current" };
                                                view! { <span class="p-mark">{mark}</span> }
                                            })
                                    }}
                                </span>
                                <span class="p-gist">{gist(&s.description).to_owned()}</span>
                                <span class="p-models">{models}</span>
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_has_a_title_and_a_gist() {
        assert_eq!(all().len(), presets::PRESETS.len());
        for s in all() {
            assert!(!s.title.is_empty(), "{}", s.name);
            let g = gist(&s.description);
            assert!(g.len() > 20 && g.ends_with('.'), "{}: {g:?}", s.name);
            assert!(pristine(s));
        }
        assert_eq!(gist("One. Two."), "One.");
        assert_eq!(gist("No stop"), "No stop");
    }
}
