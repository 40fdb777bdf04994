//! The workload: task classes (name, weight, payload, steps), arrivals, timeout, seed, and the
//! named pools that offload steps can target.
//!
//! `workload/classes.rs` edits the task classes, `workload/arrivals.rs` the arrivals, timeout
//! and seed, `workload/pools.rs` the named pools.

mod arrivals;
mod classes;
mod pools;

use leptos::prelude::*;

use arrivals::ArrivalsEditor;
use classes::Classes;
use pools::Pools;

pub use arrivals::convert_arrivals;
pub use pools::rename_pool;

/// Task classes, arrivals, timeout and seed.
#[component]
pub fn WorkloadEditor() -> impl IntoView {
    view! {
        <section class="ed-group" aria-labelledby="ed-classes-h">
            <h3 id="ed-classes-h">"Task classes"</h3>
            <p class="ed-hint">
                "What one task does, step by step. Tasks are drawn from the classes by weight. "
                <kbd>"Alt"</kbd>"+"<kbd>"↑"</kbd>"/"<kbd>"↓"</kbd>" moves the focused step."
            </p>
            <Classes />
        </section>
        <section class="ed-group" aria-labelledby="ed-arrivals-h">
            <h3 id="ed-arrivals-h">"Arrivals"</h3>
            <ArrivalsEditor />
        </section>
        <section class="ed-group" aria-labelledby="ed-pools-h">
            <h3 id="ed-pools-h">"Pools"</h3>
            <p class="ed-hint">
                "Named executors for offload steps. \"default\" is the loop's ThreadPoolExecutor, min(32, cores + 4) threads."
            </p>
            <Pools />
        </section>
    }
}
