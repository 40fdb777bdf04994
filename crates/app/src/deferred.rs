//! Code the first screen does not need: kept out of the page's wasm, in chunks that load the
//! first time a reader asks for them (the editor's tabs, the Embed dialog, …).
//!
//! ```text
//!   chunk!(EDITOR …) ── page build (feature `split`) ──▶ split_editor-<build>.wasm, fetched
//!        │                      on first use (crates/wasm-split, scripts/shims/wasm-bindgen)
//!        └──────────── any other build ──────────────────▶ the same code, in the page's wasm
//!
//!   deferred(&EDITOR, show) ── loaded? ──yes──▶ show(code)
//!                                └─no──▶ "Loading …" ──▶ show(code)
//!                                                   └──▶ "did not load" + Retry
//!
//!   deferred_near(&BELOW, show, height) ── a placeholder of that height, until it comes
//!                                          within half a screen of the viewport ──▶ deferred
//! ```
//!
//! A chunk hands back plain function pointers into its code ([`Chunk::get`]); once loaded,
//! they are kept, and every later use is an ordinary call. Without the `split` feature (tests,
//! lints, `cargo build`) the wasm holds every chunk's code, and a load succeeds at once.
//!
//! Deferred so far, with what each weighs gzipped (README, Performance): the editor's tabs but
//! the presets ([`crate::editor`]), the latency plots and the sweep ([`crate::app::BELOW`]), the
//! CSV and trace writers ([`crate::exports`]), the Embed dialog ([`crate::share`]) and the
//! Python dialog's actions ([`crate::python_panel`]).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::thread::LocalKey;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

/// A chunk's code did not arrive (the network failed, or the server has another build).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadFailed;

#[cfg(feature = "split")]
impl From<wasm_split_helpers::SplitLoaderError> for LoadFailed {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        LoadFailed
    }
}

/// A chunk's load, under way.
pub type Loading<T> = Pin<Box<dyn Future<Output = Result<T, LoadFailed>>>>;

/// A chunk of code loaded on first use, and what it hands back: `T`, function pointers into
/// it. Declared with [`chunk!`](crate::chunk).
pub struct Chunk<T: 'static> {
    /// What it is, for the reader: "the editor".
    pub what: &'static str,
    /// Starts loading it.
    pub load: fn() -> Loading<T>,
    /// Its code, once loaded.
    pub loaded: &'static LocalKey<Cell<Option<T>>>,
}

impl<T: Copy + 'static> Chunk<T> {
    /// Its code, if loaded already.
    pub fn ready(&'static self) -> Option<T> {
        self.loaded.get()
    }

    /// Its code: at once if loaded, else once it is. A failed load is not remembered: the
    /// next call tries again.
    pub async fn get(&'static self) -> Result<T, LoadFailed> {
        if let Some(code) = self.ready() {
            return Ok(code);
        }
        let code = (self.load)().await?;
        self.loaded.set(Some(code));
        Ok(code)
    }

    /// Starts loading it, if it is not loaded (before it is needed: a pointer over its tab).
    pub fn prefetch(&'static self) {
        if self.ready().is_none() {
            leptos::task::spawn_local(async move {
                let _ = self.get().await;
            });
        }
    }
}

/// Declares a [`Chunk`]: `chunk!(pub static NAME: Type = module("what") { body })`, where
/// `body` builds the `Type` (function pointers into the code to defer). With the `split`
/// feature, `body` and all it alone reaches go to the wasm chunk `module`; chunks that share a
/// `module` load together.
#[macro_export]
macro_rules! chunk {
    ($(#[$doc:meta])* $vis:vis static $name:ident: $t:ty = $module:ident($what:literal) $body:block) => {
        // The splitter's import and export are `extern "C"` and `no_mangle`, which the
        // `unsafe_code` lint flags; they are the macro's, and only in the page's build.
        #[allow(unsafe_code, non_snake_case)]
        mod $name {
            use super::*;
            use $crate::deferred::{LoadFailed, Loading};

            #[cfg_attr(feature = "split", wasm_split_helpers::wasm_split($module, fallible))]
            fn code() -> Result<$t, LoadFailed> {
                Ok($body)
            }

            pub fn load() -> Loading<$t> {
                #[cfg(feature = "split")]
                return Box::pin(code());
                #[cfg(not(feature = "split"))]
                return Box::pin(std::future::ready(code()));
            }

            thread_local!(pub static LOADED: std::cell::Cell<Option<$t>> = const { std::cell::Cell::new(None) });
        }

        $(#[$doc])*
        $vis static $name: $crate::deferred::Chunk<$t> = $crate::deferred::Chunk {
            what: $what,
            load: $name::load,
            loaded: &$name::LOADED,
        };
    };
}

/// Where a deferred view stands.
#[derive(Clone, Copy, Debug)]
enum Status<T> {
    Loading,
    Ready(T),
    Failed,
}

/// The view `show` makes of `chunk`'s code: at once if loaded, else a line that says it is
/// loading, then the view; if the load fails, a message and a Retry button, and the rest of
/// the page goes on working.
pub fn deferred<T, V>(
    chunk: &'static Chunk<T>,
    show: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Copy + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let status = RwSignal::new(chunk.ready().map_or(Status::Loading, Status::Ready));
    let load = move || {
        status.set(Status::Loading);
        leptos::task::spawn_local(async move {
            let loaded = match chunk.get().await {
                Ok(code) => Status::Ready(code),
                Err(LoadFailed) => Status::Failed,
            };
            // The view may have gone while its code loaded (another scenario, a closed tab).
            status.try_set(loaded);
        });
    };
    if matches!(status.get_untracked(), Status::Loading) {
        load();
    }
    move || match status.get() {
        Status::Ready(code) => show(code).into_any(),
        Status::Loading => view! {
            <p class="deferred muted" role="status" data-testid="deferred-loading">
                "Loading " {chunk.what} "…"
            </p>
        }
        .into_any(),
        Status::Failed => view! {
            <div class="deferred failed" role="alert" data-testid="deferred-failed">
                <p>{chunk.failure()} "."</p>
                <button type="button" class="secondary" on:click=move |_| load()>
                    "Retry"
                </button>
            </div>
        }
        .into_any(),
    }
}

impl<T> Chunk<T> {
    /// What the reader is told when it did not load: "The editor did not load: …" (no full
    /// stop, for the caller to end or go on).
    pub fn failure(&self) -> String {
        let mut chars = self.what.chars();
        let what = chars
            .next()
            .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
            .unwrap_or_default();
        format!("{what} did not load: the network failed, or the site has changed since this page loaded")
    }
}

/// How near the viewport a [`deferred_near`] view starts loading: half a screen above or
/// below it, so that it is usually there by the time the reader scrolls to it.
const NEAR: &str = "50% 0px";

/// [`deferred`], once the place it takes comes within half a screen of the viewport: a view
/// below the fold loads when the reader scrolls toward it, and a first visit that never does
/// is spared its code. Until then it is an empty box `height` tall (CSS), so the page does not
/// jump.
pub fn deferred_near<T, V>(
    chunk: &'static Chunk<T>,
    show: impl Fn(T) -> V + Send + Sync + 'static,
    height: &'static str,
) -> impl IntoView
where
    T: Copy + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let near = RwSignal::new(chunk.ready().is_some());
    let node = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if near.get_untracked() {
            return;
        }
        if let Some(el) = node.get() {
            watch_near(&el, near);
        }
    });
    let show = std::sync::Arc::new(show);
    view! {
        <div
            node_ref=node
            class="deferred-near"
            data-testid="deferred-near"
            style:min-height=move || (!near.get()).then_some(height)
        >
            {move || {
                let show = show.clone();
                near.get().then(|| deferred(chunk, move |code| show(code)))
            }}
        </div>
    }
}

/// Sets `near` once `el` comes within [`NEAR`] of the viewport. A browser without
/// IntersectionObserver sets it at once.
fn watch_near(el: &web_sys::Element, near: RwSignal<bool>) {
    let callback = Closure::<dyn FnMut(js_sys::Array, IntersectionObserver)>::new(
        move |entries: js_sys::Array, observer: IntersectionObserver| {
            let seen = entries.iter().any(|e| {
                e.dyn_into::<IntersectionObserverEntry>()
                    .is_ok_and(|e| e.is_intersecting())
            });
            if seen {
                observer.disconnect();
                near.set(true);
            }
        },
    );
    let options = IntersectionObserverInit::new();
    options.set_root_margin(NEAR);
    let Ok(observer) =
        IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options)
    else {
        near.set(true);
        return;
    };
    observer.observe(el);
    let guard = SendWrapper::new((observer, callback));
    on_cleanup(move || {
        let (observer, _callback) = guard.take();
        observer.disconnect();
    });
}
