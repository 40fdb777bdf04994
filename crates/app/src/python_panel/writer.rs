//! The page's side of the Python writer (`crates/python-wasm`): a wasm module of its own, so
//! that the page does not carry the generator (16 KiB gzipped). It runs in one Web Worker,
//! started the first time a program is asked for and kept for the page's life; the pool's
//! workers, which may be busy for seconds with a big scenario, never see these requests.
//!
//! One request waits at a time (the dialog is modal): a newer one replaces it. A writer that
//! fails to load, or fails while writing, answers the request with why, and is dropped: the
//! next request starts a fresh one.

use std::cell::{Cell, RefCell};

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, MessageEvent, Worker};

use crate::workers::{beside_glue, start_module_worker};

/// The writer's JS glue and wasm, which Trunk writes beside the page's glue, unhashed.
const GLUE: &str = "whenasync-python.js";
const WASM: &str = "whenasync-python_bg.wasm";

/// Hears the program, or why there is none.
pub type Done = Box<dyn FnOnce(Result<String, String>)>;

struct Writer {
    worker: Worker,
    /// The worker has posted `{ ready }`: a request posted before would be lost.
    ready: bool,
    /// The request waiting for its answer: its id, the message, and who hears the answer.
    waiting: Option<(u32, JsValue, Done)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

thread_local! {
    static WRITER: RefCell<Option<Writer>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

/// Asks for the program of model `model` (an index) of `scenario` (its JSON). `done` hears
/// the answer, unless a newer request replaces this one first.
pub fn write(scenario: String, model: usize, done: Done) {
    let id = NEXT_ID.get().wrapping_add(1);
    NEXT_ID.set(id);
    let message = Object::new();
    let _ = Reflect::set(&message, &"id".into(), &id.into());
    let _ = Reflect::set(&message, &"scenario".into(), &scenario.into());
    let _ = Reflect::set(&message, &"model".into(), &(model as f64).into());
    if WRITER.with_borrow(Option::is_none) {
        match start() {
            Ok(writer) => WRITER.set(Some(writer)),
            Err(why) => return done(Err(why)),
        }
    }
    // Waiting first, so that a failure to post reaches this request's `done`; posted now if
    // the writer is ready, else once it says so.
    let failed = WRITER.with_borrow_mut(|w| {
        let w = w.as_mut()?;
        w.waiting = Some((id, message.into(), done));
        if w.ready {
            post_waiting(w)
        } else {
            None
        }
    });
    if let Some(why) = failed {
        fail(why);
    }
}

/// Posts the waiting request, if any, to the writer; why not, if that fails.
fn post_waiting(w: &Writer) -> Option<String> {
    let (_, message, _) = w.waiting.as_ref()?;
    w.worker
        .post_message(message)
        .err()
        .map(|e| format!("cannot reach the Python writer: {e:?}"))
}

/// The URL of `file` beside the page's glue, with the page's build in its query: the
/// writer's files keep their names from one build to the next, and a browser must not pair a
/// new page with an old writer from its cache.
fn url_of(file: &str) -> Result<String, String> {
    let url = beside_glue(file)?;
    url.search_params().set("v", &crate::workers::page_build());
    Ok(url.href())
}

/// Starts the writer's worker.
fn start() -> Result<Writer, String> {
    let worker = start_module_worker(&url_of(GLUE)?, &url_of(WASM)?.into())?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        let data = ev.data();
        let field = |key: &str| Reflect::get(&data, &key.into()).unwrap_or(JsValue::UNDEFINED);
        if field("ready").is_truthy() {
            let failed = WRITER.with_borrow_mut(|w| {
                let w = w.as_mut()?;
                w.ready = true;
                post_waiting(w)
            });
            if let Some(why) = failed {
                fail(why);
            }
            return;
        }
        let id = field("id").as_f64();
        let done = WRITER.with_borrow_mut(|w| {
            let w = w.as_mut()?;
            match &w.waiting {
                Some((waiting, _, _)) if Some(f64::from(*waiting)) == id => {
                    w.waiting.take().map(|(_, _, done)| done)
                }
                _ => None,
            }
        });
        if let Some(done) = done {
            done(match field("program").as_string() {
                Some(program) => Ok(program),
                None => Err(field("error")
                    .as_string()
                    .unwrap_or_else(|| "the Python writer sent no program".into())),
            });
        }
    });
    // An `ErrorEvent` when the writer's code threw (a panic, a wasm that failed to load); a
    // plain `Event` when the worker's script could not load.
    let on_error = Closure::<dyn FnMut(Event)>::new(|ev: Event| {
        ev.prevent_default();
        let message = Reflect::get(&ev, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "its script did not load".into());
        let message = message.trim_start_matches("Uncaught ");
        let message = message.trim_start_matches("Error: ");
        fail(format!(
            "the Python writer could not run ({message}); open this again to retry"
        ));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Writer {
        worker,
        ready: false,
        waiting: None,
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// Drops the writer, and tells the waiting request `why`.
fn fail(why: String) {
    let Some(writer) = WRITER.take() else {
        return;
    };
    writer.worker.terminate();
    if let Some((_, _, done)) = writer.waiting {
        done(Err(why));
    }
}
