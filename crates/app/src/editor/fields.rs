//! The editor's inputs: a text field bound to one value of the draft scenario (parsed on
//! every keystroke, with its parse or validation message right below it), and a select.
//!
//! A field keeps the text the user typed: the model's value only replaces it when the model
//! changes from elsewhere (a preset, a reorder), never as an echo of the user's own typing,
//! so "2.50ms" is not rewritten to "2.5ms" under the caret.

use std::rc::Rc;
use std::sync::Arc;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use whenasync_sim::{Dur, Scenario};

use super::edit;
use super::ops::{error_parts, names_field, number_text, parse_count, parse_number, parse_u32};
use crate::app::Playground;

/// How a value is read from and written as text.
pub struct Codec<T: 'static> {
    /// Text → value, or why not.
    pub parse: fn(&str) -> Result<T, String>,
    /// Value → text.
    pub format: fn(&T) -> String,
    /// Whether ArrowUp/ArrowDown step the value by 1 (Shift: 10).
    pub steps: bool,
}

/// A duration like `2.5ms`.
pub const DUR: Codec<Dur> = Codec {
    parse: Dur::parse,
    format: |d| d.to_string(),
    steps: false,
};

/// An optional duration: empty means none.
pub const OPT_DUR: Codec<Option<Dur>> = Codec {
    parse: |t| {
        if t.trim().is_empty() {
            Ok(None)
        } else {
            Dur::parse(t).map(Some)
        }
    },
    format: |d| d.map(|d| d.to_string()).unwrap_or_default(),
    steps: false,
};

/// A whole number up to 2³².
pub const U32: Codec<u32> = Codec {
    parse: parse_u32,
    format: |v| v.to_string(),
    steps: true,
};

/// An optional whole number: empty means none.
pub const OPT_U32: Codec<Option<u32>> = Codec {
    parse: |t| {
        if t.trim().is_empty() {
            Ok(None)
        } else {
            parse_u32(t).map(Some)
        }
    },
    format: |v| v.map(|v| v.to_string()).unwrap_or_default(),
    steps: true,
};

/// A whole number up to 2⁶⁴ (seeds).
pub const U64: Codec<u64> = Codec {
    parse: parse_count,
    format: |v| v.to_string(),
    steps: true,
};

/// A decimal number.
pub const F64: Codec<f64> = Codec {
    parse: parse_number,
    format: |v| number_text(*v),
    steps: false,
};

/// How a field looks and which validator field it answers for.
#[derive(Clone, Debug, Default)]
pub struct Spec {
    /// DOM id (unique on the page).
    pub id: String,
    /// A visible label, if any.
    pub label: Option<String>,
    /// The accessible name when it should say more than the visible label.
    pub aria: Option<String>,
    /// Tooltip.
    pub title: Option<String>,
    /// Placeholder (e.g. the default).
    pub placeholder: Option<String>,
    /// A unit shown after the input.
    pub unit: Option<&'static str>,
    /// The validator's name for the value (`machine.cores`), to show its message here.
    pub field: String,
    /// Width class: `w-xs`, `w-s`, `w-m`, `w-l`.
    pub width: &'static str,
    /// `inputmode` for on-screen keyboards.
    pub inputmode: &'static str,
}

impl Spec {
    /// A spec with an id, the validator field, and a width.
    pub fn new(id: impl Into<String>, field: impl Into<String>, width: &'static str) -> Self {
        Spec {
            id: id.into(),
            field: field.into(),
            width,
            inputmode: "text",
            ..Spec::default()
        }
    }

    /// With a visible label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// With an accessible name.
    pub fn aria(mut self, aria: impl Into<String>) -> Self {
        self.aria = Some(aria.into());
        self
    }

    /// With a tooltip.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// With a placeholder.
    pub fn placeholder(mut self, p: impl Into<String>) -> Self {
        self.placeholder = Some(p.into());
        self
    }

    /// With a unit after the input.
    pub fn unit(mut self, unit: &'static str) -> Self {
        self.unit = Some(unit);
        self
    }

    /// With an `inputmode`.
    pub fn mode(mut self, mode: &'static str) -> Self {
        self.inputmode = mode;
        self
    }
}

/// The validator's message for `field`, if the draft is refused because of it.
pub fn validator_message(pg: Playground, field: &str) -> Option<String> {
    pg.draft_error.with(|e| {
        e.as_ref().and_then(|e| {
            let (f, m) = error_parts(e);
            names_field(&f, field).then_some(m)
        })
    })
}

/// Reads a field's value from the draft, as text.
type ReadText = Arc<dyn Fn(&Scenario) -> Option<String> + Send + Sync>;
/// Parses a field's text and, if it parses, writes it to the draft; returns the value as the
/// model will show it, or the parse error.
type Apply = Arc<dyn Fn(&str) -> Result<String, String> + Send + Sync>;

/// The validator's message about any of `fields`, where it is shown: inline (after a control,
/// on a line of its own in a wrapping row) or as a block.
pub fn error_note(fields: Vec<String>, block: bool) -> AnyView {
    let pg = expect_context::<Playground>();
    let class = if block { "fld-err block" } else { "fld-err" };
    (move || {
        fields
            .iter()
            .find_map(|f| validator_message(pg, f))
            .map(|m| view! { <span class=class data-testid="field-error">{m}</span> })
    })
    .into_any()
}

/// A text input bound to the value `read` finds in the draft; every keystroke that parses is
/// written with `write` (and re-simulates when the scenario validates).
///
/// Only this shim is generic: the view is built once, by `text_field`, over type-erased
/// closures, which keeps the wasm small however many fields there are.
pub fn field<T, R, W>(spec: Spec, codec: Codec<T>, read: R, write: W) -> AnyView
where
    T: Clone + Send + Sync + 'static,
    R: Fn(&Scenario) -> Option<T> + Send + Sync + 'static,
    W: Fn(&mut Scenario, T) + Send + Sync + 'static,
{
    let pg = expect_context::<Playground>();
    let Codec {
        parse,
        format,
        steps,
    } = codec;
    let read: ReadText = Arc::new(move |s| read(s).map(|v| format(&v)));
    let apply: Apply = Arc::new(move |t| {
        let v = parse(t)?;
        let shown = format(&v);
        edit(pg, |s| write(s, v));
        Ok(shown)
    });
    text_field(spec, read, apply, steps)
}

/// The view of [`field`].
fn text_field(spec: Spec, read: ReadText, apply: Apply, steps: bool) -> AnyView {
    let pg = expect_context::<Playground>();
    let model = Memo::new(move |_| {
        pg.draft
            .with(|d| d.as_ref().and_then(|s| read(s)))
            .unwrap_or_default()
    });
    let text = RwSignal::new(model.get_untracked());
    let local = RwSignal::new(None::<String>);
    // The text of the user's own last write: its echo from the model must not touch the input.
    let echo = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        let m = model.get();
        if echo.with_value(|e| e.as_deref() == Some(m.as_str())) {
            return;
        }
        echo.set_value(None);
        text.set(m);
        local.set(None);
    });
    let take = move |t: String| {
        text.set(t.clone());
        match apply(&t) {
            Ok(shown) => {
                local.set(None);
                echo.set_value(Some(shown));
            }
            Err(m) => local.set(Some(m)),
        }
    };
    let on_input = {
        let take = take.clone();
        move |ev| take(event_target_value(&ev))
    };
    let on_key = move |ev: KeyboardEvent| {
        if !steps || ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
            return;
        }
        let delta: i64 = match ev.key().as_str() {
            "ArrowUp" => 1,
            "ArrowDown" => -1,
            _ => return,
        };
        ev.prevent_default();
        let delta = if ev.shift_key() { delta * 10 } else { delta };
        let now = text.get_untracked();
        let base = if now.trim().is_empty() {
            0
        } else {
            match parse_count(&now) {
                Ok(v) => i64::try_from(v).unwrap_or(i64::MAX),
                Err(_) => return,
            }
        };
        take(base.saturating_add(delta).max(0).to_string());
    };

    let field_name = spec.field.clone();
    let verr = move || validator_message(pg, &field_name);
    let error = move || local.get().or_else(verr.clone());
    let bad = {
        let error = error.clone();
        move || error().is_some()
    };
    let err_id = format!("{}-err", spec.id);
    let described = err_id.clone();
    let has_err = bad.clone();
    let Spec {
        id,
        label,
        aria,
        title,
        placeholder,
        unit,
        width,
        inputmode,
        ..
    } = spec;
    let for_id = id.clone();
    let bad_class = bad.clone();
    view! {
        <span class="fld" class:bad=bad_class title=title>
            {label.map(|l| view! { <label for=for_id>{l}</label> })}
            <input
                id=id
                class=format!("in {width}")
                type="text"
                inputmode=inputmode
                spellcheck="false"
                autocomplete="off"
                aria-label=aria
                placeholder=placeholder
                aria-invalid=move || bad().to_string()
                aria-describedby=move || has_err().then(|| described.clone())
                prop:value=move || text.get()
                on:input=on_input
                on:keydown=on_key
            />
            {unit.map(|u| view! { <span class="unit" aria-hidden="true">{u}</span> })}
        </span>
        {move || {
            error()
                .map(|m| {
                    view! {
                        <span class="fld-err" id=err_id.clone() data-testid="field-error">
                            {m}
                        </span>
                    }
                })
        }}
    }
    .into_any()
}

/// One option of a [`select`]: key, label, tooltip.
pub type Choice = (&'static str, String, String);

/// A `<select>` showing `current()` and calling `pick` with the chosen key.
pub fn select<C, P>(id: String, aria: String, choices: Vec<Choice>, current: C, pick: P) -> AnyView
where
    C: Fn() -> String + Send + Sync + 'static,
    P: Fn(String) + 'static,
{
    select_view(id, aria, choices, Arc::new(current), Rc::new(pick))
}

/// The view of [`select`], over type-erased closures (one copy in the wasm).
fn select_view(
    id: String,
    aria: String,
    choices: Vec<Choice>,
    current: Arc<dyn Fn() -> String + Send + Sync>,
    pick: Rc<dyn Fn(String)>,
) -> AnyView {
    let title = {
        let choices = choices.clone();
        let current = current.clone();
        move || {
            let c = current();
            choices
                .iter()
                .find(|(k, _, _)| *k == c)
                .map(|(_, _, t)| t.clone())
                .unwrap_or_default()
        }
    };
    view! {
        <select
            id=id
            class="in sel"
            aria-label=aria
            title=title
            on:change=move |ev| pick(event_target_value(&ev))
        >
            {choices
                .into_iter()
                .map(|(key, label, tip)| {
                    let current = current.clone();
                    view! {
                        <option value=key title=tip prop:selected=move || current() == key>
                            {label}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
    .into_any()
}

/// A small square button with a glyph and an accessible name.
pub fn icon_button<F>(
    id: Option<String>,
    glyph: &'static str,
    label: String,
    disabled: bool,
    on: F,
) -> AnyView
where
    F: Fn() + 'static,
{
    icon_button_view(id, glyph, label, disabled, Rc::new(on))
}

/// The view of [`icon_button`] (one copy in the wasm).
fn icon_button_view(
    id: Option<String>,
    glyph: &'static str,
    label: String,
    disabled: bool,
    on: Rc<dyn Fn()>,
) -> AnyView {
    view! {
        <button
            id=id
            type="button"
            class="icon"
            aria-label=label.clone()
            title=label
            disabled=disabled
            on:click=move |_| on()
        >
            <span aria-hidden="true">{glyph}</span>
        </button>
    }
    .into_any()
}
