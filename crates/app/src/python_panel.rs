//! "Python": the runnable program of the scenario on screen under one model — the text
//! `whenasync python` prints — in a dialog with Copy and Download .py.
//!
//! The program is written when the dialog opens, by the Python writer
//! (`python_panel/writer.rs`): a wasm module of its own, loaded in a worker of its own the
//! first time, so that the page does not carry the generator, and a program never waits
//! behind the runs the pool has under way.
//!
//! The chip and dialog's fixed markup is one constant (`HTML`, no data in it), and its few
//! moving parts are written directly: about half what the same dialog costs as reactive views.
//! Text from the scenario only ever goes in through `textContent`, never as markup. What the
//! buttons do is in a chunk of the page's wasm (crate::deferred), loaded on the first click.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlDialogElement, HtmlElement};
use whenasync_sim::Scenario;

use crate::app::Playground;
use crate::deferred::LoadFailed;
use crate::exports::{download_text, file_stem};
use crate::share::copy_text;

mod writer;

/// How long "Copied" stays, ms.
const CONFIRM_MS: u64 = 4000;

/// The chip and its dialog, fixed markup. The dialog's parts are found by `data-testid`
/// ([`part`]) and its buttons by `data-action` (one click listener serves them all).
const HTML: &str = r#"<button type="button" class="chip" data-action="open" data-testid="export-python" aria-haspopup="dialog" title="The runnable Python program of this model (standard library only)">Python</button><dialog class="embed-dialog python-dialog" data-testid="python-dialog">
<header class="card-head"><h2 data-testid="python-title"></h2><button type="button" class="link" data-action="close" data-testid="python-close">Close</button></header>
<p class="hint">Run it with <code data-testid="python-run"></code> (Python 3.11+, standard library only): it does this work for real and prints what happened as JSON, in the schema of <code>whenasync run --json</code>.</p>
<div class="python-actions"><button type="button" class="secondary" data-action="copy" data-testid="python-copy">Copy</button><button type="button" class="secondary" data-action="download" data-testid="python-download">Download .py</button><span class="share-status" role="status" aria-live="polite" data-testid="python-status"></span></div>
<p class="hint" role="status" data-testid="python-notice"></p>
<pre class="python-code" tabindex="0" role="region" aria-label="Python program" data-testid="python-code"></pre>
</dialog>"#;

/// The element `python-{name}` inside `dialog`.
fn part(dialog: &Element, name: &str) -> Option<HtmlElement> {
    let selector = format!("[data-testid=python-{name}]");
    dialog
        .query_selector(&selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
}

/// Sets the text of part `name`.
fn say(dialog: &Element, name: &str, text: &str) {
    if let Some(e) = part(dialog, name) {
        e.set_text_content(Some(text));
    }
}

/// Shows the program, or (`Err`) why there is none.
fn show_program(dialog: &Element, program: Result<&str, &str>) {
    let ready = program.is_ok();
    say(dialog, "notice", program.err().unwrap_or_default());
    say(dialog, "code", program.unwrap_or_default());
    for (name, attribute, on) in [
        ("notice", "hidden", ready),
        ("code", "hidden", !ready),
        ("copy", "disabled", !ready),
        ("download", "disabled", !ready),
    ] {
        if let Some(e) = part(dialog, name) {
            let _ = e.toggle_attribute_with_force(attribute, on);
        }
    }
}

/// Selects the program's text and focuses it, for the user to copy (Ctrl+C).
fn select_code(dialog: &Element) {
    let Some(code) = part(dialog, "code") else {
        return;
    };
    let _ = code.focus();
    if let Some(selection) = web_sys::window().and_then(|w| w.get_selection().ok().flatten()) {
        let _ = selection.select_all_children(&code);
    }
}

/// One chip's dialog, and what it shows.
#[derive(Clone, Copy)]
struct Dialog {
    pg: Playground,
    /// Which run (and model) of the playground's runs.
    index: usize,
    /// The program on show, for Copy and Download.
    program: StoredValue<Option<String>>,
    /// Counts the dialog's openings: an answer for an earlier one is not shown.
    opened: StoredValue<u32>,
}

/// What the dialog's buttons do, but Close: in a chunk of its own (crate::deferred), loaded
/// on the first click of a Python chip, or when a pointer or the keyboard reaches one.
#[derive(Clone, Copy)]
struct Actions {
    act: fn(Dialog, &str, HtmlDialogElement),
}

crate::chunk!(
    /// The Python dialog's actions.
    static ACTIONS: Actions = python("the Python dialog") {
        Actions { act }
    }
);

/// Does `action` (`open`, `copy`, `download`) in dialog `d`.
fn act(s: Dialog, action: &str, d: HtmlDialogElement) {
    let Dialog {
        pg,
        index,
        program,
        opened,
    } = s;
    let model = move || {
        pg.runs
            .with_untracked(|r| {
                r.as_ref()
                    .ok()
                    .and_then(|r| r.get(index))
                    .map(|r| r.model.clone())
            })
            .unwrap_or_default()
    };
    let stem = move || {
        let name = pg
            .scenario
            .with_untracked(|s| s.as_ref().map(|s| s.name.clone()))
            .unwrap_or_default();
        file_stem(&name, &model())
    };
    match action {
        // Opening writes the program of the scenario on screen.
        "open" => {
            let id = format!("python-dialog-title-{index}");
            let _ = d.set_attribute("aria-labelledby", &id);
            if let Some(title) = part(&d, "title") {
                title.set_id(&id);
                title.set_text_content(Some(&format!("Python program · {}", model())));
            }
            say(&d, "run", &format!("python3 {}.py", stem()));
            say(&d, "status", "");
            program.set_value(None);
            show_program(&d, Err("Writing the program…"));
            let _ = d.show_modal();
            let this = opened.get_value().wrapping_add(1);
            opened.set_value(this);
            let shown = d.clone();
            let done: writer::Done = Box::new(move |written| {
                // Closed, reopened, or gone with its run panel meanwhile: not for this dialog.
                if !shown.open() || opened.try_get_value() != Some(this) {
                    return;
                }
                match &written {
                    Ok(text) => show_program(&shown, Ok(text)),
                    Err(why) => show_program(&shown, Err(&format!("No program: {why}"))),
                }
                program.try_set_value(written.ok());
            });
            match pg
                .scenario
                .with_untracked(|s| s.as_ref().map(Scenario::to_json))
            {
                Some(json) => writer::write(json, index, done),
                None => done(Err("no scenario is loaded".into())),
            }
        }
        "copy" => {
            let Some(text) = program.get_value() else {
                return;
            };
            leptos::task::spawn_local(async move {
                let said = if copy_text(&text).await {
                    "Copied"
                } else {
                    select_code(&d);
                    "The browser refused the clipboard: the program is selected, copy it"
                };
                say(&d, "status", said);
                // Cleared a while later, unless something else was said meanwhile.
                set_timeout(
                    move || {
                        if let Some(s) =
                            part(&d, "status").filter(|s| s.text_content().as_deref() == Some(said))
                        {
                            s.set_text_content(None);
                        }
                    },
                    std::time::Duration::from_millis(CONFIRM_MS),
                );
            });
        }
        "download" => {
            if let Some(text) = program.get_value() {
                if let Err(e) = download_text(&format!("{}.py", stem()), "text/x-python", &text) {
                    leptos::logging::warn!("Python export: {e:?}");
                }
            }
        }
        _ => {}
    }
}

/// The "Python" chip of run `index`'s exports, and the dialog it opens.
#[component]
pub fn PythonButton(
    /// Which run (and model) of the playground's runs.
    index: usize,
) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let state = Dialog {
        pg,
        index,
        program: StoredValue::new(None),
        opened: StoredValue::new(0),
    };
    let root = NodeRef::<leptos::html::Span>::new();
    let dialog = move || {
        root.get_untracked()
            .and_then(|r| r.query_selector("dialog").ok().flatten())
            .and_then(|d| d.dyn_into::<HtmlDialogElement>().ok())
    };
    // Another scenario loaded meanwhile (the Back button) makes the program stale: close.
    Effect::new(move |ran: Option<()>| {
        pg.scenario.track();
        if ran.is_some() {
            if let Some(d) = dialog() {
                d.close();
            }
        }
    });
    // One listener for every button, by its `data-action`.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(d) = dialog() else {
            return;
        };
        let action = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("[data-action]").ok().flatten())
            .and_then(|b| b.get_attribute("data-action"));
        match action {
            Some(a) if a == "close" => d.close(),
            Some(a) => leptos::task::spawn_local(async move {
                let actions = ACTIONS.get().await;
                // The run panel may have gone while the code loaded (another scenario).
                if state.opened.is_disposed() {
                    return;
                }
                match actions {
                    Ok(code) => (code.act)(state, &a, d),
                    Err(LoadFailed) => {
                        let why = format!("{}. Close and try again.", ACTIONS.failure());
                        show_program(&d, Err(&why));
                        if !d.open() {
                            let _ = d.show_modal();
                        }
                    }
                }
            }),
            None => {}
        }
    };
    view! {
        <span
            class="python-export"
            node_ref=root
            inner_html=HTML
            on:click=on_click
            on:pointerenter=|_| ACTIONS.prefetch()
            on:focusin=|_| ACTIONS.prefetch()
        ></span>
    }
}
