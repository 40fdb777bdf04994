//! Browser tests of the editor (wasm-bindgen-test in headless Chromium): typing into the
//! mounted inspector edits the scenario signal and re-simulates the runs; refused input leaves
//! both alone and says why next to the field; the gallery loads presets.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};
use whenasync_app::app::landing_scenario;
use whenasync_app::editor::Inspector;
use whenasync_app::theme::Scheme;
use whenasync_app::Playground;
use whenasync_sim::{Dist, Dur, Step, MS, SEC};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the inspector over the landing preset; returns its state and its root element.
fn mounted() -> (Playground, HtmlElement, Box<dyn std::any::Any>) {
    let root: HtmlElement = document()
        .create_element("div")
        .expect("a div")
        .unchecked_into();
    document()
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("appended");
    let state = Rc::new(Cell::new(None));
    let out = state.clone();
    let handle = mount_to(root.clone(), move || {
        let pg = Playground::new(landing_scenario(), Scheme::Light);
        out.set(Some(pg));
        provide_context(pg);
        view! { <Inspector /> }
    });
    (state.get().expect("the playground"), root, Box::new(handle))
}

/// Shows the inspector's tab `id` ("workload", …) as a user does, with a click unless it
/// already shows (a click on the tab that shows collapses the inspector). A tab's fields are
/// built the first time it shows; in a narrow window the inspector starts collapsed.
async fn open_tab(root: &HtmlElement, id: &str) {
    let tab: HtmlElement = element(root, &format!("#tab-{id}"));
    let selected = tab.get_attribute("aria-selected").as_deref() == Some("true");
    let collapsed = element::<HtmlElement>(root, "[data-testid=inspector]")
        .class_list()
        .contains("closed");
    if !selected || collapsed {
        tab.click();
        leptos::task::tick().await;
    }
    assert!(
        root.query_selector(&format!("#panel-{id}:not([hidden]) > *"))
            .ok()
            .flatten()
            .is_some(),
        "the {id} tab shows nothing"
    );
}

fn element<T: JsCast>(root: &HtmlElement, selector: &str) -> T {
    root.query_selector(selector)
        .expect("a valid selector")
        .unwrap_or_else(|| panic!("no element {selector}"))
        .unchecked_into()
}

/// Types `text` into the input, as one `input` event (what the browser sends on paste).
fn type_into(root: &HtmlElement, selector: &str, text: &str) {
    let input: HtmlInputElement = element(root, selector);
    input.set_value(text);
    let ev = web_sys::Event::new("input").expect("an event");
    ev.init_event_with_bubbles("input", true);
    input.dispatch_event(&ev).expect("dispatched");
}

/// Chooses `value` in the select, as the browser does.
fn choose(root: &HtmlElement, selector: &str, value: &str) {
    let select: HtmlSelectElement = element(root, selector);
    select.set_value(value);
    let ev = web_sys::Event::new("change").expect("an event");
    ev.init_event_with_bubbles("change", true);
    select.dispatch_event(&ev).expect("dispatched");
}

fn sync_makespan(pg: Playground) -> u64 {
    pg.runs
        .with(|r| r.as_ref().expect("runs")[0].summary.makespan)
}

fn field_errors(root: &HtmlElement) -> String {
    let list = root
        .query_selector_all("[data-testid=field-error]")
        .expect("a selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.text_content())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[wasm_bindgen_test]
async fn editing_a_duration_updates_the_scenario_and_the_runs() {
    let (pg, root, _handle) = mounted();
    leptos::task::tick().await;
    open_tab(&root, "workload").await;
    // The landing preset: ten 100 ms queries, one after another under sync (≈ 1 s).
    let before = sync_makespan(pg);
    assert!(before > SEC && before < SEC + 100 * MS, "{before}");

    type_into(&root, "#ed-c0-s1-v0", "300ms");
    leptos::task::tick().await;
    let step = pg
        .scenario
        .with(|s| s.as_ref().expect("a scenario").workload.classes[0].steps[1].clone());
    assert_eq!(step, Step::Io(Dist::Fixed(Dur(300 * MS))));
    let after = sync_makespan(pg);
    assert!(after > 3 * SEC && after < 3 * SEC + 100 * MS, "{after}");
    assert_eq!(field_errors(&root), "");

    // A new shape for the same step keeps its typical value and re-simulates too.
    choose(&root, "#ed-c0-s1-dist", "uniform");
    leptos::task::tick().await;
    let step = pg
        .scenario
        .with(|s| s.as_ref().expect("a scenario").workload.classes[0].steps[1].clone());
    assert_eq!(step, Step::Io(Dist::Uniform(Dur(150 * MS), Dur(450 * MS))));
    assert_ne!(sync_makespan(pg), after);
}

#[wasm_bindgen_test]
async fn text_that_does_not_parse_is_refused_next_to_its_field() {
    let (pg, root, _handle) = mounted();
    leptos::task::tick().await;
    open_tab(&root, "workload").await;
    let scenario = pg.scenario.get_untracked();
    let runs = sync_makespan(pg);

    type_into(&root, "#ed-c0-s1-v0", "2.5 mx");
    leptos::task::tick().await;
    let errors = field_errors(&root);
    assert!(errors.contains("unknown unit"), "{errors}");
    let input: HtmlInputElement = element(&root, "#ed-c0-s1-v0");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    // Nothing changed: the last good scenario and its runs stay.
    assert_eq!(pg.scenario.get_untracked(), scenario);
    assert_eq!(sync_makespan(pg), runs);

    // Fixing the text clears the message and applies the edit.
    type_into(&root, "#ed-c0-s1-v0", "50ms");
    leptos::task::tick().await;
    assert_eq!(field_errors(&root), "");
    assert!(sync_makespan(pg) < runs);
}

#[wasm_bindgen_test]
async fn values_the_validator_refuses_keep_the_last_run_and_say_why() {
    let (pg, root, _handle) = mounted();
    leptos::task::tick().await;
    open_tab(&root, "workload").await;
    let runs = sync_makespan(pg);

    type_into(&root, "#ed-count", "0");
    leptos::task::tick().await;
    assert!(pg.draft_error.get_untracked().is_some());
    assert_eq!(
        pg.scenario
            .with_untracked(|s| s.as_ref().map(|s| s.workload.arrivals.count())),
        Some(10)
    );
    assert_eq!(sync_makespan(pg), runs);
    let errors = field_errors(&root);
    assert!(errors.contains("must be at least 1"), "{errors}");
    let status = element::<HtmlElement>(&root, "[data-testid=editor-status]")
        .text_content()
        .unwrap_or_default();
    assert!(status.contains("workload.arrivals.count"), "{status}");

    type_into(&root, "#ed-count", "20");
    leptos::task::tick().await;
    assert!(pg.draft_error.get_untracked().is_none());
    assert!(sync_makespan(pg) > 2 * runs - 50 * MS);
}

#[wasm_bindgen_test]
async fn steps_are_added_moved_and_removed() {
    let (pg, root, _handle) = mounted();
    leptos::task::tick().await;
    open_tab(&root, "workload").await;
    let steps = move || {
        pg.scenario.with(|s| {
            s.as_ref().expect("a scenario").workload.classes[0]
                .steps
                .clone()
        })
    };
    let first = steps();
    assert_eq!(first.len(), 3);

    element::<HtmlElement>(&root, "#ed-c0-s0-down").click();
    leptos::task::tick().await;
    let moved = steps();
    assert_eq!(moved[0], first[1]);
    assert_eq!(moved[1], first[0]);

    element::<HtmlElement>(&root, "#ed-c0-add").click();
    leptos::task::tick().await;
    assert_eq!(steps().len(), 4);

    choose(&root, "#ed-c0-s3-kind", "offload");
    leptos::task::tick().await;
    assert!(matches!(steps()[3], Step::Offload(_)));
    // The nested list of the offload is editable like any other.
    type_into(&root, "#ed-c0-o3-s0-v0", "7ms");
    leptos::task::tick().await;
    match &steps()[3] {
        Step::Offload(o) => assert_eq!(o.steps, vec![Step::Cpu(Dist::Fixed(Dur(7 * MS)))]),
        other => panic!("{other:?}"),
    }

    element::<HtmlElement>(&root, "#ed-c0-s3-rm").click();
    leptos::task::tick().await;
    assert_eq!(steps(), moved);
}

#[wasm_bindgen_test]
async fn a_tab_is_built_when_it_first_shows_and_then_kept() {
    let (_pg, root, _handle) = mounted();
    leptos::task::tick().await;
    let built = |id: &str| {
        root.query_selector(&format!("#panel-{id} > *"))
            .ok()
            .flatten()
            .is_some()
    };
    assert!(!built("workload") && !built("machine") && !built("execution"));
    open_tab(&root, "workload").await;
    // A draft the editor refuses stays in its field while another tab shows.
    type_into(&root, "#ed-c0-s1-v0", "2.5 mx");
    leptos::task::tick().await;
    open_tab(&root, "machine").await;
    assert!(built("workload") && built("machine") && !built("execution"));
    let input: HtmlInputElement = element(&root, "#ed-c0-s1-v0");
    assert_eq!(input.value(), "2.5 mx");
}

#[wasm_bindgen_test]
async fn the_gallery_loads_a_preset_and_marks_it() {
    let (pg, root, _handle) = mounted();
    leptos::task::tick().await;
    open_tab(&root, "presets").await;
    element::<HtmlElement>(&root, "#preset-gil-convoy").click();
    leptos::task::tick().await;
    assert_eq!(
        pg.scenario
            .with_untracked(|s| s.as_ref().map(|s| s.name.clone())),
        Some("gil-convoy".to_owned())
    );
    let current: HtmlElement = element(&root, "[aria-current=true]");
    assert_eq!(current.id(), "preset-gil-convoy");
    assert!(pg
        .runs
        .with_untracked(|r| r.as_ref().is_ok_and(|r| r.len() == 2)));
}
