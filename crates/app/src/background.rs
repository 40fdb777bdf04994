//! Where a scenario is simulated: on the spot when it is light (the page redraws in the same
//! frame), or in Web Workers when it would take longer than a frame, with a progress bar,
//! while the page stays usable.
//!
//! ```text
//!   scenario ──▶ validate ──light──▶ simulate here ────────────────┐
//!                   │                                              ├─▶ Playground.runs (Memo)
//!                   └──heavy──▶ one worker job per model ─▶ decode ┘   (nothing while pending)
//! ```
//!
//! A result is delivered together with the scenario it was computed for, and the runs memo
//! takes it only if that is still the scenario on screen: an edit made meanwhile makes it
//! stale, and it is dropped (its workers are terminated as soon as the edit happens).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Uint8Array;
use leptos::prelude::*;
use whenasync_sim::{validate, Checked, Run, Scenario};
use whenasync_worker::{wire, Reply, Request};

use crate::format;
use crate::workers;

/// Above this many estimated events (summed over the models), a scenario is simulated in
/// workers. Measured in headless Chromium on 2 cores: 10,000 requests × 4 models (840,000
/// estimated events; the estimate runs about 3× over the real count) simulate and redraw on
/// the main thread in about 120 ms, a few frames; a worker round trip costs about 0.3 s
/// whatever the size, so lighter scenarios stay here and feel instant.
pub const HEAVY_EVENTS: u64 = 1_000_000;

/// Whether `checked` is simulated off the main thread.
pub fn is_heavy(checked: &Checked) -> bool {
    total_events(checked) > HEAVY_EVENTS
}

fn total_events(checked: &Checked) -> u64 {
    checked
        .estimated_events
        .saturating_mul(checked.scenario.models.len() as u64)
}

/// A simulation under way in the workers.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Fraction done over all models, 0 to 1.
    pub fraction: f64,
    /// Tasks in the scenario.
    pub tasks: u32,
    /// Models being simulated.
    pub models: usize,
    /// Workers sharing the work.
    pub workers: usize,
}

/// How the last heavy scenario went, for the page (and the browser benchmark).
#[derive(Clone, Debug, PartialEq)]
pub struct Timing {
    /// From the edit to every run decoded on the page, ms.
    pub total_ms: f64,
    /// The longest single model's simulation inside its worker, ms.
    pub simulate_ms: f64,
    /// Decoding the runs on the page, ms.
    pub decode_ms: f64,
    /// Bytes of runs transferred from the workers.
    pub bytes: usize,
}

struct Delivery {
    scenario: Scenario,
    runs: Result<Vec<Run>, String>,
}

struct Inflight {
    scenario: Scenario,
    group: u32,
}

/// The state of background simulation, shared through [`crate::Playground`].
#[derive(Clone, Copy, Debug)]
pub struct Background {
    /// Some while a heavy scenario is being simulated in workers.
    pub progress: RwSignal<Option<Progress>>,
    /// Timings of the last heavy scenario.
    pub timing: RwSignal<Option<Timing>>,
    delivered: RwSignal<u64>,
    delivery: StoredValue<Option<Delivery>, LocalStorage>,
    inflight: StoredValue<Option<Inflight>, LocalStorage>,
    /// The scenario whose runs the memo holds.
    held: StoredValue<Option<Scenario>, LocalStorage>,
}

impl Default for Background {
    fn default() -> Self {
        Self::new()
    }
}

impl Background {
    /// Nothing simulated yet.
    pub fn new() -> Self {
        Background {
            progress: RwSignal::new(None),
            timing: RwSignal::new(None),
            delivered: RwSignal::new(0),
            delivery: StoredValue::new_local(None),
            inflight: StoredValue::new_local(None),
            held: StoredValue::new_local(None),
        }
    }

    /// The body of the runs memo (`Memo::new_owning`): the runs of `scenario`, and whether
    /// they differ from `prev`. Light scenarios are simulated here and now; a heavy one gives
    /// its delivered runs, the runs already held, or none while the workers are busy.
    pub fn runs(
        &self,
        scenario: &Scenario,
        prev: Option<Result<Vec<Run>, String>>,
    ) -> (Result<Vec<Run>, String>, bool) {
        let checked = match validate(scenario) {
            Ok(c) => c,
            Err(e) => {
                self.held.set_value(None);
                return changed(Err(e.to_string()), prev);
            }
        };
        if !is_heavy(&checked) {
            self.held.set_value(Some(scenario.clone()));
            let runs = checked
                .scenario
                .models
                .iter()
                .map(|m| whenasync_sim::simulate_model(&checked, m))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string());
            return changed(runs, prev);
        }
        self.delivered.track();
        let delivery = self
            .delivery
            .try_update_value(|d| d.take_if(|d| d.scenario == *scenario))
            .flatten();
        if let Some(d) = delivery {
            self.held.set_value(Some(scenario.clone()));
            return (d.runs, true);
        }
        let held = self.held.with_value(|h| h.as_ref() == Some(scenario));
        match prev {
            // The same scenario was set again: keep its runs.
            Some(prev) if held => (prev, false),
            _ => {
                self.held.set_value(None);
                (Ok(Vec::new()), true)
            }
        }
    }

    /// Starts simulating `scenario` in the workers if it is heavy and neither held nor under
    /// way; cancels a simulation that is no longer wanted. Called by an effect on every edit.
    pub fn ensure(&self, scenario: Option<&Scenario>, current: RwSignal<Option<Scenario>>) {
        let heavy = scenario.and_then(|s| validate(s).ok().filter(is_heavy).map(|c| (s, c)));
        let Some((scenario, checked)) = heavy else {
            self.cancel();
            if self.timing.get_untracked().is_some() {
                self.timing.set(None);
            }
            return;
        };
        if self
            .inflight
            .with_value(|i| i.as_ref().is_some_and(|i| i.scenario == *scenario))
        {
            return;
        }
        self.cancel();
        if self.held.with_value(|h| h.as_ref() == Some(scenario)) {
            return;
        }
        self.start(scenario.clone(), &checked, current);
    }

    /// Stops the simulation under way, if any.
    pub fn cancel(&self) {
        if let Some(i) = self.inflight.try_update_value(Option::take).flatten() {
            workers::cancel(i.group);
        }
        if self.progress.get_untracked().is_some() {
            self.progress.set(None);
        }
    }

    fn start(&self, scenario: Scenario, checked: &Checked, current: RwSignal<Option<Scenario>>) {
        let group = workers::new_group();
        let models = checked.scenario.models.len();
        let json = scenario.to_json();
        let tasks = scenario.workload.arrivals.count();
        let pool = workers::size().min(models);
        self.inflight.set_value(Some(Inflight {
            scenario: scenario.clone(),
            group,
        }));
        self.progress.set(Some(Progress {
            fraction: 0.0,
            tasks,
            models,
            workers: pool,
        }));
        let state = Rc::new(RefCell::new(Gathering {
            group,
            scenario: scenario.clone(),
            fractions: vec![0.0; models],
            incoming: Vec::new(),
            pumping: false,
            runs: (0..models).map(|_| None).collect(),
            started: now_ms(),
            simulate_ms: 0.0,
            decode_ms: 0.0,
            bytes: 0,
        }));
        let bg = *self;
        for model in 0..models {
            let state = state.clone();
            let request = Request::Simulate {
                job: 0,
                scenario: json.clone(),
                model: model as u32,
            };
            workers::submit(group, request, move |reply, payload| {
                if bg.is_stale(&state, current) {
                    return;
                }
                let mut st = state.borrow_mut();
                match reply {
                    Reply::Progress { fraction, .. } => {
                        st.fractions[model] = fraction * SIMULATE_SHARE;
                        drop(st);
                        bg.report(&state);
                    }
                    Reply::Run { simulate_ms, .. } => {
                        st.simulate_ms = st.simulate_ms.max(simulate_ms);
                        st.fractions[model] = SIMULATE_SHARE;
                        match payload {
                            Some(array) => {
                                let len = array.length() as usize;
                                st.bytes += len;
                                st.incoming.push(Incoming {
                                    model,
                                    stage: Stage::Copying {
                                        array,
                                        buf: Vec::with_capacity(len),
                                    },
                                    total: len.max(1),
                                });
                            }
                            None => {
                                st.runs[model] =
                                    Some(Err("the worker sent a run without its bytes".into()))
                            }
                        }
                        drop(st);
                        bg.pump(state.clone(), current);
                    }
                    Reply::Failed { message, .. } => {
                        let scenario = st.scenario.clone();
                        drop(st);
                        workers::cancel(group);
                        bg.deliver(scenario, Err(message), None);
                    }
                    Reply::Ready | Reply::Figures { .. } | Reply::Python { .. } => {}
                }
            });
        }
    }

    /// Whether `state` belongs to a simulation that is no longer wanted: cancelled, or for a
    /// scenario that is no longer on screen.
    fn is_stale(
        &self,
        state: &Rc<RefCell<Gathering>>,
        current: RwSignal<Option<Scenario>>,
    ) -> bool {
        let st = state.borrow();
        !self
            .inflight
            .with_value(|i| i.as_ref().is_some_and(|i| i.group == st.group))
            || !current.with_untracked(|c| c.as_ref() == Some(&st.scenario))
    }

    fn report(&self, state: &Rc<RefCell<Gathering>>) {
        let st = state.borrow();
        let total = st.fractions.iter().sum::<f64>() / st.fractions.len().max(1) as f64;
        self.progress.update(|p| {
            if let Some(p) = p {
                p.fraction = total;
            }
        });
    }

    /// Decodes the runs that have arrived a slice at a time ([`DECODE_SLICE_MS`] per turn of
    /// the event loop), so frames keep coming while hundreds of megabytes are read; delivers
    /// the runs when the last one is decoded.
    fn pump(&self, state: Rc<RefCell<Gathering>>, current: RwSignal<Option<Scenario>>) {
        {
            let mut st = state.borrow_mut();
            if st.pumping {
                return;
            }
            st.pumping = true;
        }
        let bg = *self;
        let tick = move || {
            let state = state;
            state.borrow_mut().pumping = false;
            if bg.is_stale(&state, current) {
                return;
            }
            let t = now_ms();
            {
                let mut st = state.borrow_mut();
                while now_ms() - t < DECODE_SLICE_MS {
                    let Some(mut inc) = st.incoming.pop() else {
                        break;
                    };
                    match inc.advance() {
                        Ok(Some(run)) => {
                            st.fractions[inc.model] = 1.0;
                            st.runs[inc.model] = Some(Ok(run));
                        }
                        Ok(None) => {
                            st.fractions[inc.model] =
                                SIMULATE_SHARE + (1.0 - SIMULATE_SHARE) * inc.done();
                            st.incoming.push(inc);
                        }
                        Err(e) => st.runs[inc.model] = Some(Err(e)),
                    }
                }
                st.decode_ms += now_ms() - t;
            }
            bg.report(&state);
            let (more, complete) = {
                let st = state.borrow();
                (!st.incoming.is_empty(), st.runs.iter().all(Option::is_some))
            };
            if more {
                bg.pump(state, current);
            } else if complete {
                let mut st = state.borrow_mut();
                let runs: Result<Vec<Run>, String> = st.runs.drain(..).flatten().collect();
                let timing = Timing {
                    total_ms: now_ms() - st.started,
                    simulate_ms: st.simulate_ms,
                    decode_ms: st.decode_ms,
                    bytes: st.bytes,
                };
                let scenario = st.scenario.clone();
                drop(st);
                bg.deliver(scenario, runs, Some(timing));
            }
        };
        set_timeout(tick, std::time::Duration::ZERO);
    }

    fn deliver(&self, scenario: Scenario, runs: Result<Vec<Run>, String>, timing: Option<Timing>) {
        self.inflight.set_value(None);
        self.delivery.set_value(Some(Delivery { scenario, runs }));
        self.progress.set(None);
        if timing.is_some() {
            self.timing.set(timing);
        }
        self.delivered.update(|n| *n += 1);
    }
}

/// The share of the progress bar for simulating; the rest is for receiving the runs.
const SIMULATE_SHARE: f64 = 0.8;

/// Longest slice of decoding per turn of the event loop, ms.
const DECODE_SLICE_MS: f64 = 8.0;

/// Records decoded between two looks at the clock.
const DECODE_RECORDS: usize = 40_000;

/// The runs of one heavy scenario, arriving.
struct Gathering {
    group: u32,
    scenario: Scenario,
    fractions: Vec<f64>,
    /// Runs received and being copied into wasm memory and decoded.
    incoming: Vec<Incoming>,
    /// Whether a decoding turn is scheduled.
    pumping: bool,
    runs: Vec<Option<Result<Run, String>>>,
    started: f64,
    simulate_ms: f64,
    decode_ms: f64,
    bytes: usize,
}

/// Bytes copied from JS into wasm memory per slice.
const COPY_BYTES: usize = 4 << 20;

/// One run arriving: its bytes copied from the worker's `Uint8Array` into wasm memory a slice
/// at a time, then decoded a slice at a time.
struct Incoming {
    model: usize,
    stage: Stage,
    /// Bytes in all.
    total: usize,
}

enum Stage {
    Copying { array: Uint8Array, buf: Vec<u8> },
    Decoding(Box<wire::Decoder>),
}

impl Incoming {
    /// One slice of work; the run when it is complete.
    fn advance(&mut self) -> Result<Option<Run>, String> {
        match &mut self.stage {
            Stage::Copying { array, buf } => {
                let from = buf.len();
                let to = (from + COPY_BYTES).min(self.total);
                buf.resize(to, 0);
                array
                    .subarray(from as u32, to as u32)
                    .copy_to(&mut buf[from..to]);
                if to >= self.total {
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
    fn done(&self) -> f64 {
        match &self.stage {
            Stage::Copying { buf, .. } => 0.5 * buf.len() as f64 / self.total as f64,
            Stage::Decoding(d) => {
                let left = d.remaining() as f64 * 25.0;
                0.5 + 0.5 * (1.0 - (left / self.total as f64).min(1.0))
            }
        }
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

fn changed(
    next: Result<Vec<Run>, String>,
    prev: Option<Result<Vec<Run>, String>>,
) -> (Result<Vec<Run>, String>, bool) {
    let differs = prev.as_ref() != Some(&next);
    (next, differs)
}

/// The progress bar of a scenario simulating in the background; once it is done, a line
/// saying how long that took.
#[component]
pub fn BackgroundProgress() -> impl IntoView {
    let pg = expect_context::<crate::Playground>();
    let progress = pg.background.progress;
    view! {
        <BackgroundTiming />
        {move || {
            progress
                .get()
                .map(|p| {
                    let pct = (p.fraction * 100.0).clamp(0.0, 100.0);
                    let what = format!(
                        "Simulating {} tasks × {} {} in the background",
                        crate::plot::count(u64::from(p.tasks)),
                        p.models,
                        if p.models == 1 { "model" } else { "models" },
                    );
                    let workers = format!(
                        "{} Web {} · the page stays usable; an edit starts over",
                        p.workers,
                        if p.workers == 1 { "Worker" } else { "Workers" },
                    );
                    view! {
                        <section class="card sim-progress" data-testid="sim-progress">
                            <div class="sim-progress-head">
                                <strong id="sim-progress-label">{what}</strong>
                                <span class="pct">{format!("{pct:.0} %")}</span>
                            </div>
                            <div
                                class="progress-track"
                                role="progressbar"
                                aria-labelledby="sim-progress-label"
                                aria-valuemin="0"
                                aria-valuemax="100"
                                aria-valuenow=format!("{pct:.0}")
                            >
                                <div class="progress-fill" style:width=format!("{pct:.1}%")></div>
                            </div>
                            <p class="hint">{workers}</p>
                        </section>
                    }
                })
        }}
    }
}

/// A line under the summary saying how long the last background simulation took.
#[component]
pub fn BackgroundTiming() -> impl IntoView {
    let pg = expect_context::<crate::Playground>();
    let timing = pg.background.timing;
    let shown = move || pg.background.progress.get().is_none() && timing.get().is_some();
    view! {
        <Show when=shown>
            {move || {
                timing
                    .get()
                    .map(|t| {
                        view! {
                            <p
                                class="hint sim-timing"
                                data-testid="sim-timing"
                                data-total-ms=format!("{:.0}", t.total_ms)
                                data-simulate-ms=format!("{:.0}", t.simulate_ms)
                                data-decode-ms=format!("{:.0}", t.decode_ms)
                                data-bytes=t.bytes.to_string()
                            >
                                {format!(
                                    "Simulated in background workers in {} ({} of runs decoded in {}).",
                                    format::duration((t.total_ms * 1e6) as u64),
                                    crate::plot::bytes(t.bytes as u64),
                                    format::duration((t.decode_ms * 1e6) as u64),
                                )}
                            </p>
                        }
                    })
            }}
        </Show>
    }
}

/// `window.whenasync.load(json)`: loads a scenario from its JSON text and returns `null`, or
/// the reason it cannot be read. A small, documented hook for scripts and the end-to-end
/// tests (a 100,000-task scenario is easier to pass as JSON than to type into the editor).
pub fn install_page_hook(scenario: RwSignal<Option<Scenario>>) {
    use wasm_bindgen::prelude::*;
    let Some(window) = web_sys::window() else {
        return;
    };
    let load = Closure::<dyn Fn(String) -> JsValue>::new(move |json: String| {
        match Scenario::from_json(&json) {
            Ok(s) => {
                scenario.set(Some(s));
                JsValue::NULL
            }
            Err(e) => JsValue::from_str(&e.to_string()),
        }
    });
    let api = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&api, &"load".into(), load.as_ref());
    let _ = js_sys::Reflect::set(&window, &"whenasync".into(), &api);
    // The hook lives as long as the page.
    load.forget();
}
