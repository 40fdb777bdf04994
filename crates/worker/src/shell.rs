//! The worker's side of the plumbing: reads each [`Request`] posted to this Web Worker, answers
//! it with progress reports and one result, and posts `Ready` first. All the logic is in
//! [`protocol::handle`]; this is only the JS glue. The worker runs the page's own wasm module
//! (`web/whenasync-worker.js` instantiates it and calls the page's export, which calls [`serve`]).

use crate::{protocol, Reply, Request};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts `reply`, with a run's bytes beside it in a transferred `Uint8Array`.
fn post(reply: &Reply, payload: Option<Vec<u8>>) {
    let serializer = serde_wasm_bindgen::Serializer::new();
    let Ok(message) = reply.serialize(&serializer) else {
        return;
    };
    let transfer = js_sys::Array::new();
    if let Some(bytes) = payload {
        let array = js_sys::Uint8Array::from(&bytes[..]);
        drop(bytes);
        let _ = js_sys::Reflect::set(&message, &protocol::PAYLOAD.into(), &array);
        transfer.push(&array.buffer());
    }
    let _ = scope().post_message_with_transfer(&message, &transfer);
}

/// Serves requests in this worker until it is terminated: sets the message handler, then
/// posts `Ready`. Called by `web/whenasync-worker.js` once the page's wasm is instantiated here.
pub fn serve() {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        let request: Request = match serde_wasm_bindgen::from_value(ev.data()) {
            Ok(r) => r,
            Err(e) => {
                post(
                    &Reply::Failed {
                        job: u32::MAX,
                        message: format!("unreadable request: {e}"),
                    },
                    None,
                );
                return;
            }
        };
        let (reply, payload) = protocol::handle(
            &request,
            &mut |job, fraction| post(&Reply::Progress { job, fraction }, None),
            &js_sys::Date::now,
        );
        post(&reply, payload);
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&Reply::Ready, None);
}
