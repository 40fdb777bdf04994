//! The worker's side of the exchange: the message handler around [`crate::write`].

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts an object of `fields`.
fn post(fields: &[(&str, JsValue)]) {
    let message = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&message, &(*key).into(), value);
    }
    let _ = scope().post_message(&message);
}

/// Answers `{ id, scenario, model }` with `{ id, program }` or `{ id, error }`.
fn answer(data: &JsValue) {
    let field = |key: &str| Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let id = field("id");
    let scenario = field("scenario").as_string();
    let model = field("model").as_f64();
    let written = match (scenario, model) {
        (Some(scenario), Some(model)) if model >= 0.0 && model.fract() == 0.0 => {
            crate::write(&scenario, model as usize)
        }
        _ => Err("the page's request has no scenario or no model".into()),
    };
    match written {
        Ok(program) => post(&[("id", id), ("program", program.into())]),
        Err(why) => post(&[("id", id), ("error", why.into())]),
    }
}

/// Sets the message handler, then posts `{ ready: true }`: a message that arrived before the
/// handler would be lost, so the page waits for it.
pub fn serve() {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| answer(&ev.data()));
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&[("ready", true.into())]);
}
