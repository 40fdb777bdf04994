//! A pool of Web Workers (one per hardware thread) that simulate off the page's main thread:
//! heavy scenarios ([`crate::background`]) and sweeps ([`crate::sweep`]).
//!
//! A worker runs the page's own wasm module: `web/whenasync-worker.js` imports the page's JS
//! glue and instantiates the `WebAssembly.Module` the page posts it, already compiled, then
//! calls `whenasync_serve_worker`. The page and its workers download and compile one wasm.
//!
//! Jobs queue FIFO and go to the first idle worker; workers start lazily, and a worker is only
//! sent work after it has posted `Ready` (a message posted before its wasm has loaded would be
//! dropped). Jobs belong to a *group*; cancelling a group drops its queued jobs and terminates
//! the workers busy with it, so a stale simulation stops costing CPU at once.
//! A worker that fails to load or crashes fails its job with a message (`onerror`), never
//! silently.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, MessageEvent, Worker, WorkerOptions, WorkerType};
use whenasync_worker::{Reply, Request};

/// The workers' script (`web/whenasync-worker.js`, never hashed), beside the page's JS glue.
pub const WORKER_SCRIPT: &str = "whenasync-worker.js";

#[wasm_bindgen]
extern "C" {
    /// The URL of the JS glue that loaded this module (`import.meta.url` in the glue), which
    /// the workers import: it also locates [`WORKER_SCRIPT`], under any sub-path.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static GLUE_URL: String;
}

/// A simulation worker's entry point: `web/whenasync-worker.js` calls it once it has
/// instantiated this module in the worker (whose `main` mounts nothing: there is no window).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn whenasync_serve_worker() {
    whenasync_worker::shell::serve();
}

/// The most workers the pool starts, whatever the hardware says.
pub const MAX_WORKERS: usize = 8;

/// What a job's listener hears: every reply about the job, the last one being `Run`,
/// `Figures` or `Failed`; with a `Run`, the run's bytes (still in JS memory:
/// copying them into wasm is the listener's business, a slice at a time).
pub type Listener = Rc<RefCell<dyn FnMut(Reply, Option<Uint8Array>)>>;

struct Job {
    id: u32,
    group: u32,
    request: Request,
    listener: Listener,
}

struct Slot {
    worker: Worker,
    ready: bool,
    job: Option<Job>,
    // Kept alive as long as the worker.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

#[derive(Default)]
struct Pool {
    slots: Vec<Option<Slot>>,
    queue: VecDeque<Job>,
    next_job: u32,
    /// Whether [`warm`] has been called: the pool keeps [`size`] workers from then on.
    warm: bool,
    /// Set when a worker failed before it was ready: the script is missing or broken, and
    /// starting more would fail the same way.
    broken: Option<String>,
}

thread_local! {
    static POOL: RefCell<Pool> = RefCell::new(Pool::default());
}

/// How many workers the pool uses: `navigator.hardwareConcurrency`, 1 to [`MAX_WORKERS`].
pub fn size() -> usize {
    let n = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency());
    if n.is_finite() && n >= 1.0 {
        (n as usize).min(MAX_WORKERS)
    } else {
        1
    }
}

/// Queues `request` (its job id is replaced by a fresh one) in `group`; `listener` hears
/// its replies. Returns the job id.
pub fn submit(
    group: u32,
    mut request: Request,
    listener: impl FnMut(Reply, Option<Uint8Array>) + 'static,
) -> u32 {
    let listener: Listener = Rc::new(RefCell::new(listener));
    let id = POOL.with(|p| {
        let mut p = p.borrow_mut();
        p.next_job = p.next_job.wrapping_add(1);
        p.next_job
    });
    *request.job_mut() = id;
    let broken = POOL.with(|p| p.borrow().broken.clone());
    if let Some(message) = broken {
        (listener.borrow_mut())(Reply::Failed { job: id, message }, None);
        return id;
    }
    POOL.with(|p| {
        p.borrow_mut().queue.push_back(Job {
            id,
            group,
            request,
            listener,
        })
    });
    dispatch();
    id
}

/// Drops `group`'s queued jobs and terminates the workers running its jobs; once the pool is
/// warm ([`warm`]), replacements start at once, so the next job does not wait for one to load.
/// Their listeners hear nothing more.
pub fn cancel(group: u32) {
    let replace = POOL.with(|p| {
        let mut p = p.borrow_mut();
        p.queue.retain(|j| j.group != group);
        let mut terminated = false;
        for slot in &mut p.slots {
            if slot
                .as_ref()
                .is_some_and(|s| s.job.as_ref().is_some_and(|j| j.group == group))
            {
                if let Some(s) = slot.take() {
                    s.worker.terminate();
                    terminated = true;
                }
            }
        }
        terminated && p.warm
    });
    if replace {
        warm();
    }
    dispatch();
}

/// Starts every worker the pool uses ([`size`]) ahead of any job: loading one takes a few
/// hundred milliseconds (fetching and compiling its wasm), which a big scenario or a sweep
/// would otherwise wait for. The page calls this once it has drawn; from then on the pool
/// stays full.
pub fn warm() {
    loop {
        let start = POOL.with(|p| {
            let mut p = p.borrow_mut();
            p.warm = true;
            let live = p.slots.iter().filter(|s| s.is_some()).count();
            live < size() && p.broken.is_none()
        });
        if !start {
            return;
        }
        if let Err(message) = start_worker() {
            fail_everything(message);
            return;
        }
    }
}

/// Hands queued jobs to idle ready workers, starting workers while there is work for them.
fn dispatch() {
    loop {
        let step = POOL.with(|p| {
            let mut p = p.borrow_mut();
            if p.queue.is_empty() {
                return Step::Done;
            }
            let idle = p
                .slots
                .iter()
                .position(|s| s.as_ref().is_some_and(|s| s.ready && s.job.is_none()));
            if let Some(i) = idle {
                let job = p.queue.pop_front().expect("the queue is not empty");
                let slot = p.slots[i].as_mut().expect("an idle slot exists");
                let message = serde_wasm_bindgen::to_value(&job.request);
                let worker = slot.worker.clone();
                slot.job = Some(job);
                return Step::Post(worker, message.map_err(|e| e.to_string()), i);
            }
            let starting = p
                .slots
                .iter()
                .filter(|s| s.as_ref().is_some_and(|s| !s.ready))
                .count();
            let live = p.slots.iter().filter(|s| s.is_some()).count();
            if starting < p.queue.len() && live < size() && p.broken.is_none() {
                return Step::Start;
            }
            Step::Done
        });
        match step {
            Step::Done => return,
            Step::Post(worker, Ok(message), _) => {
                let _ = worker.post_message(&message);
            }
            Step::Post(_, Err(e), i) => finish(i, |id| Reply::Failed {
                job: id,
                message: e,
            }),
            Step::Start => {
                if let Err(message) = start_worker() {
                    fail_everything(message);
                    return;
                }
            }
        }
    }
}

enum Step {
    Done,
    Post(Worker, Result<JsValue, String>, usize),
    Start,
}

/// The URL a worker starts from. A worker's script must have the page's origin, and an embed
/// on a blog runs the site's glue from another origin. There, workers start from a `blob:`
/// module of the page's origin whose one line imports the site's worker script, fetched with
/// the site's CORS headers as the glue and the wasm are. The stub is made once and kept for
/// the page's life (a few bytes), for every worker the pool starts or replaces.
fn worker_url(script: &web_sys::Url) -> Result<String, String> {
    thread_local! {
        static STUB: RefCell<Option<String>> = const { RefCell::new(None) };
    }
    let page = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    if script.origin() == page {
        return Ok(script.href());
    }
    if let Some(stub) = STUB.with_borrow(Clone::clone) {
        return Ok(stub);
    }
    let source = format!(
        "import {};",
        js_sys::JSON::stringify(&script.href().into())
            .ok()
            .and_then(|s| s.as_string())
            .ok_or("cannot quote the worker script's URL")?
    );
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let parts = js_sys::Array::of1(&source.into());
    let stub = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .and_then(|b| web_sys::Url::create_object_url_with_blob(&b))
        .map_err(|e| format!("cannot start a Web Worker from another origin: {e:?}"))?;
    STUB.set(Some(stub.clone()));
    Ok(stub)
}

/// The page's build: the hash in its JS glue's name (`whenasync-app-<hash>.js`), or the
/// whole name where there is none.
pub fn page_build() -> String {
    GLUE_URL.with(|glue| {
        let path = glue.split(['?', '#']).next().unwrap_or_default();
        let name = path.rsplit('/').next().unwrap_or_default();
        let stem = name.strip_suffix(".js").unwrap_or(name);
        stem.rsplit('-').next().unwrap_or(stem).to_owned()
    })
}

/// The URL of `file` beside the page's JS glue.
pub fn beside_glue(file: &str) -> Result<web_sys::Url, String> {
    let glue = GLUE_URL.with(String::clone);
    web_sys::Url::new_with_base(file, &glue)
        .map_err(|e| format!("cannot locate {file} beside {glue}: {e:?}"))
}

/// Starts a module worker on [`WORKER_SCRIPT`] and posts it `{ glue, module }`: the script
/// imports the JS glue at `glue`, instantiates `module` (a `WebAssembly.Module`, or the URL
/// of a wasm file) with it, and calls the glue's `whenasync_serve_worker`.
pub fn start_module_worker(glue: &str, module: &JsValue) -> Result<Worker, String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(&worker_url(&beside_glue(WORKER_SCRIPT)?)?, &options)
        .map_err(|e| format!("cannot start a Web Worker: {e:?}"))?;
    let boot = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&boot, &"glue".into(), &glue.into());
    let _ = js_sys::Reflect::set(&boot, &"module".into(), module);
    if let Err(e) = worker.post_message(&boot) {
        worker.terminate();
        return Err(format!("cannot start a Web Worker: {e:?}"));
    }
    Ok(worker)
}

/// Starts one worker in a free slot, and sends it this module to run.
fn start_worker() -> Result<(), String> {
    let glue = GLUE_URL.with(String::clone);
    let worker = start_module_worker(&glue, &wasm_bindgen::module())?;
    let index = POOL.with(|p| {
        let mut p = p.borrow_mut();
        match p.slots.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                p.slots.push(None);
                p.slots.len() - 1
            }
        }
    });
    let this = worker.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let data = ev.data();
        // Take the payload off first: serde reads every property of a tagged enum, and would
        // copy a run's hundreds of megabytes into wasm in one go.
        let key = JsValue::from_str(whenasync_worker::protocol::PAYLOAD);
        let payload = js_sys::Reflect::get(&data, &key)
            .ok()
            .and_then(|p| p.dyn_into::<Uint8Array>().ok());
        if payload.is_some() {
            if let Some(object) = data.dyn_ref::<js_sys::Object>() {
                let _ = js_sys::Reflect::delete_property(object, &key);
            }
        }
        match serde_wasm_bindgen::from_value::<Reply>(data) {
            Ok(reply) => on_reply(index, &this, reply, payload),
            Err(e) => leptos::logging::warn!("worker: unreadable reply: {e}"),
        }
    });
    let this = worker.clone();
    // An `ErrorEvent` when the worker's code threw; a plain `Event` when a module worker's
    // script could not load.
    let on_error = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
        ev.prevent_default();
        let message = js_sys::Reflect::get(&ev, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_default();
        on_failure(index, &this, message);
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    POOL.with(|p| {
        p.borrow_mut().slots[index] = Some(Slot {
            worker,
            ready: false,
            job: None,
            _on_message: on_message,
            _on_error: on_error,
        })
    });
    Ok(())
}

/// Whether slot `index` still holds `worker` (it may have been terminated and reused).
fn holds(p: &Pool, index: usize, worker: &Worker) -> bool {
    p.slots
        .get(index)
        .and_then(Option::as_ref)
        .is_some_and(|s| JsValue::from(&s.worker) == JsValue::from(worker))
}

fn on_reply(index: usize, worker: &Worker, reply: Reply, payload: Option<Uint8Array>) {
    let listener = POOL.with(|p| {
        let mut p = p.borrow_mut();
        if !holds(&p, index, worker) {
            return None;
        }
        let slot = p.slots[index].as_mut().expect("held");
        match &reply {
            Reply::Ready => {
                slot.ready = true;
                None
            }
            Reply::Progress { job, .. } => slot
                .job
                .as_ref()
                .filter(|j| j.id == *job)
                .map(|j| j.listener.clone()),
            Reply::Run { job, .. } | Reply::Figures { job, .. } | Reply::Failed { job, .. } => {
                // A worker that could not read a request fails with job u32::MAX: that is
                // the job it was given.
                let done = slot.job.take_if(|j| j.id == *job || *job == u32::MAX);
                done.map(|j| j.listener)
            }
        }
    });
    if let Some(listener) = listener {
        (listener.borrow_mut())(reply, payload);
    }
    dispatch();
}

fn on_failure(index: usize, worker: &Worker, message: String) {
    let (job, never_ready) = POOL.with(|p| {
        let mut p = p.borrow_mut();
        if !holds(&p, index, worker) {
            return (None, false);
        }
        let slot = p.slots[index].take().expect("held");
        slot.worker.terminate();
        (slot.job, !slot.ready)
    });
    let message = if message.is_empty() {
        "the background worker failed".to_owned()
    } else {
        format!("the background worker failed: {message}")
    };
    if let Some(job) = job {
        (job.listener.borrow_mut())(
            Reply::Failed {
                job: job.id,
                message: message.clone(),
            },
            None,
        );
    }
    if never_ready {
        fail_everything(message);
    } else {
        dispatch();
    }
}

/// Fails the queued jobs and stops starting workers: the worker script cannot load.
fn fail_everything(message: String) {
    let jobs: Vec<Job> = POOL.with(|p| {
        let mut p = p.borrow_mut();
        p.broken = Some(message.clone());
        p.queue.drain(..).collect()
    });
    for job in jobs {
        (job.listener.borrow_mut())(
            Reply::Failed {
                job: job.id,
                message: message.clone(),
            },
            None,
        );
    }
}

/// Ends slot `index`'s job with the reply `make(job id)`.
fn finish(index: usize, make: impl FnOnce(u32) -> Reply) {
    let job = POOL.with(|p| {
        p.borrow_mut()
            .slots
            .get_mut(index)
            .and_then(Option::as_mut)
            .and_then(|s| s.job.take())
    });
    if let Some(job) = job {
        (job.listener.borrow_mut())(make(job.id), None);
    }
}

/// A fresh group id, for [`submit`] and [`cancel`].
pub fn new_group() -> u32 {
    thread_local! {
        static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    NEXT.with(|n| {
        n.set(n.get().wrapping_add(1));
        n.get()
    })
}
