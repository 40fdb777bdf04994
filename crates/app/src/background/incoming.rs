//! A run arriving from a worker, received a slice at a time so frames keep coming while
//! hundreds of megabytes are copied and decoded; and the scheduling of those slices.

use std::cell::RefCell;
use std::collections::VecDeque;

use js_sys::Uint8Array;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use whenasync_sim::Run;
use whenasync_worker::wire;

use super::Part;

/// Records decoded between two looks at the clock.
const DECODE_RECORDS: usize = 40_000;

/// Bytes copied from JS into wasm memory per slice.
const COPY_BYTES: usize = 4 << 20;

/// One run arriving: its bytes copied from the worker's `Uint8Array` into wasm memory a slice
/// at a time, then decoded a slice at a time.
pub(super) struct Incoming {
    pub model: usize,
    pub part: Part,
    pub stage: Stage,
    /// Bytes in all.
    pub total: usize,
}

pub(super) enum Stage {
    /// The first `buf.len()` bytes of `array` are copied. A slice at a time through a
    /// temporary `Vec`: the only safe way to fill a `Vec` from JS without first zeroing it,
    /// which cost as much as the copy (and `resize` wrote the zeros a byte at a time in the
    /// size-optimised build: 170 ms over a 100,000-task load).
    Copying {
        array: Uint8Array,
        buf: Vec<u8>,
    },
    Decoding(Box<wire::Decoder>),
}

impl Incoming {
    /// A run of `array.length()` bytes arriving for `model`'s `part`.
    pub fn new(model: usize, part: Part, array: Uint8Array) -> Self {
        let total = array.length() as usize;
        Incoming {
            model,
            part,
            stage: Stage::Copying {
                array,
                buf: Vec::with_capacity(total),
            },
            total: total.max(1),
        }
    }

    /// One slice of work; the run when it is complete.
    pub fn advance(&mut self) -> Result<Option<Run>, String> {
        match &mut self.stage {
            Stage::Copying { array, buf } => {
                let (from, len) = (buf.len(), array.length() as usize);
                let to = (from + COPY_BYTES).min(len);
                buf.extend_from_slice(&array.subarray(from as u32, to as u32).to_vec());
                if to >= len {
                    let bytes = std::mem::take(buf);
                    let d = wire::Decoder::new(bytes).map_err(|e| e.to_string())?;
                    self.stage = Stage::Decoding(Box::new(d));
                }
                Ok(None)
            }
            Stage::Decoding(d) => {
                if d.step(DECODE_RECORDS).map_err(|e| e.to_string())? {
                    let Stage::Decoding(d) = std::mem::replace(
                        &mut self.stage,
                        Stage::Copying {
                            array: Uint8Array::new_with_length(0),
                            buf: Vec::new(),
                        },
                    ) else {
                        unreachable!("decoding")
                    };
                    d.finish().map(Some).map_err(|e| e.to_string())
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// Roughly how far along, 0 to 1 (copying is the first half).
    pub fn done(&self) -> f64 {
        match &self.stage {
            Stage::Copying { buf, .. } => 0.5 * buf.len() as f64 / self.total as f64,
            Stage::Decoding(d) => {
                let left = d.remaining() as f64 * 25.0;
                0.5 + 0.5 * (1.0 - (left / self.total as f64).min(1.0))
            }
        }
    }
}

/// Runs `f` in a task of its own, as soon as the event loop is free. A zero `setTimeout` is
/// clamped to 4 ms once timeouts nest five deep, which idled a third of the time while a big
/// run was decoded in 8 ms slices; a message on a `MessageChannel` is not clamped, and the
/// browser still renders between tasks when a frame is due.
pub(super) fn next_task(f: impl FnOnce() + 'static) {
    type Channel = (web_sys::MessageChannel, Closure<dyn FnMut(JsValue)>);
    thread_local! {
        static CHANNEL: Option<Channel> =
            web_sys::MessageChannel::new().ok().map(|channel| {
                let on_message = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {
                    if let Some(f) = NEXT.with(|q| q.borrow_mut().pop_front()) {
                        f();
                    }
                });
                channel.port1().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
                (channel, on_message)
            });
        static NEXT: RefCell<VecDeque<Box<dyn FnOnce()>>> = RefCell::new(VecDeque::new());
    }
    let posted = CHANNEL.with(|c| {
        c.as_ref()
            .is_some_and(|(channel, _)| channel.port2().post_message(&JsValue::NULL).is_ok())
    });
    if posted {
        NEXT.with(|q| q.borrow_mut().push_back(Box::new(f)));
    } else {
        set_timeout(f, std::time::Duration::ZERO);
    }
}
