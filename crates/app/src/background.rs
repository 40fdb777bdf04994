//! Where a scenario is simulated: on the spot when it is light (the page redraws in the same
//! frame), or in Web Workers when it would take longer than a frame, with a progress bar,
//! while the page stays usable.
//!
//! ```text
//!   scenario ──▶ validate ──light──▶ simulate here ──────────────────────┐
//!                   │                                                    ├─▶ Playground.runs
//!                   └──heavy──▶ per model: an outline job, then a full job ┘    (Memo)
//! ```
//!
//! Figures come first: each model's *outline* (its run without a trace: tasks, summary,
//! insights) simulates several times faster than the whole run and is delivered as soon as
//! every model has one, so the verdict, table and latency plots are up while the traces, far
//! bigger, are still being simulated and decoded; the Gantt charts say so meanwhile
//! ([`Background::tracing`]).
//!
//! A result is delivered together with the scenario it was computed for, and the runs memo
//! takes it only if that is still the scenario on screen: an edit made meanwhile makes it
//! stale, and it is dropped (its workers are terminated as soon as the edit happens).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Uint8Array;
use leptos::prelude::*;
use whenasync_sim::{validate, Checked, Run, Scenario};
use whenasync_worker::{Reply, Request};

use crate::plot::now_ms;
use crate::workers;

mod gathering;
mod incoming;
mod view;

use gathering::{
    Gathering, Part, DECODE_SLICE_MS, OUTLINE_SHARE, PROGRESS_EVERY_MS, SIMULATE_SHARE,
};
use incoming::{next_task, Incoming};
pub use view::{install_page_hook, BackgroundProgress, BackgroundTiming};

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
    /// Whether the figures are on screen and only the traces are still to come.
    pub figures_ready: bool,
    /// Workers sharing the work.
    pub workers: usize,
}

/// How the last heavy scenario went, for the page (and the browser benchmark).
#[derive(Clone, Debug, PartialEq)]
pub struct Timing {
    /// From the edit to every model's figures drawn on the page (the outlines), ms.
    pub figures_ms: Option<f64>,
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
    /// True while the runs on screen are outlines whose traces are still being simulated
    /// (derived from `progress`, so it changes only when that phase begins or ends).
    pub tracing: Memo<bool>,
    /// True while the runs on screen are the previous edit's, kept until the new figures
    /// arrive: the page dims them.
    pub outdated: Memo<bool>,
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
        let progress = RwSignal::new(None::<Progress>);
        Background {
            progress,
            timing: RwSignal::new(None),
            tracing: Memo::new(move |_| {
                progress.with(|p| p.as_ref().is_some_and(|p| p.figures_ready))
            }),
            outdated: Memo::new(move |_| {
                progress.with(|p| p.as_ref().is_some_and(|p| !p.figures_ready))
            }),
            delivered: RwSignal::new(0),
            delivery: StoredValue::new_local(None),
            inflight: StoredValue::new_local(None),
            held: StoredValue::new_local(None),
        }
    }

    /// The body of the runs memo (`Memo::new_owning`): the runs of `scenario`, and whether
    /// they differ from `prev`. Light scenarios are simulated here and now; a heavy one gives
    /// its delivered runs, the runs already held, the previous runs of the same models while
    /// the workers are busy, or none.
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
            // An edit that kept the models: their previous runs stay on screen, dimmed (see
            // [`Background::outdated`]), until the new figures replace them in place; the page
            // neither blanks nor rebuilds its charts.
            Some(Ok(prev)) if same_models(&prev, &checked.scenario) => {
                self.held.set_value(None);
                (Ok(prev), false)
            }
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
        let json = scenario.to_compact_json();
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
            figures_ready: false,
        }));
        let state = Rc::new(RefCell::new(Gathering {
            group,
            scenario: scenario.clone(),
            fractions: vec![[0.0; 2]; models],
            incoming: Vec::new(),
            pumping: false,
            outlines: (0..models).map(|_| None).collect(),
            runs: (0..models).map(|_| None).collect(),
            started: now_ms(),
            shown_at: f64::NEG_INFINITY,
            figures_ms: None,
            simulate_ms: 0.0,
            decode_ms: 0.0,
            bytes: 0,
            held_json: None,
        }));
        // The queue is first come, first served: every outline goes before any full run. When
        // the outlines take every worker, the full runs wait until the outlines are on screen,
        // so the page decodes and draws the figures without every core simulating at the same
        // time. With a worker to spare, they start at once.
        self.submit(&state, current, Part::Outline, &json);
        if models < workers::size() {
            self.submit(&state, current, Part::Whole, &json);
        } else {
            state.borrow_mut().held_json = Some(json);
        }
    }

    /// Queues every model's outline or full job.
    fn submit(
        &self,
        state: &Rc<RefCell<Gathering>>,
        current: RwSignal<Option<Scenario>>,
        part: Part,
        json: &str,
    ) {
        let (group, models) = {
            let st = state.borrow();
            (st.group, st.runs.len())
        };
        for model in 0..models {
            let (job, scenario, model_ix) = (0, json.to_owned(), model as u32);
            let request = match part {
                Part::Outline => Request::Outline {
                    job,
                    scenario,
                    model: model_ix,
                },
                Part::Whole => Request::Simulate {
                    job,
                    scenario,
                    model: model_ix,
                },
            };
            let listener = self.listener(state.clone(), current, model, part);
            workers::submit(group, request, listener);
        }
    }

    /// What hears the replies to one model's outline or full job.
    fn listener(
        &self,
        state: Rc<RefCell<Gathering>>,
        current: RwSignal<Option<Scenario>>,
        model: usize,
        part: Part,
    ) -> impl FnMut(Reply, Option<Uint8Array>) + 'static {
        let bg = *self;
        move |reply, payload| {
            if bg.is_stale(&state, current) {
                return;
            }
            let mut st = state.borrow_mut();
            match reply {
                Reply::Progress { fraction, .. } => {
                    st.fractions[model][part as usize] = fraction * SIMULATE_SHARE;
                    drop(st);
                    bg.report(&state);
                }
                Reply::Run { simulate_ms, .. } => {
                    if part == Part::Whole {
                        st.simulate_ms = st.simulate_ms.max(simulate_ms);
                    }
                    st.fractions[model][part as usize] = SIMULATE_SHARE;
                    match payload {
                        Some(array) => {
                            st.bytes += array.length() as usize;
                            st.incoming.push(Incoming::new(model, part, array));
                        }
                        None => {
                            *st.slot(part, model) =
                                Some(Err("the worker sent a run without its bytes".into()))
                        }
                    }
                    drop(st);
                    bg.pump(state.clone(), current);
                }
                Reply::Failed { message, .. } => {
                    let (scenario, group) = (st.scenario.clone(), st.group);
                    drop(st);
                    workers::cancel(group);
                    bg.deliver(scenario, Err(message), None);
                }
                Reply::Ready | Reply::Figures { .. } => {}
            }
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
        let mut st = state.borrow_mut();
        // Workers report every 1 % of each model; the bar follows at most every
        // `PROGRESS_EVERY_MS`: each redraw is a frame of style, layout and paint on a main thread
        // that shares the machine's cores with the workers doing the run.
        let now = now_ms();
        if now - st.shown_at < PROGRESS_EVERY_MS {
            return;
        }
        st.shown_at = now;
        let share = |part: Part| {
            st.fractions.iter().map(|f| f[part as usize]).sum::<f64>()
                / st.fractions.len().max(1) as f64
        };
        let total =
            OUTLINE_SHARE * share(Part::Outline) + (1.0 - OUTLINE_SHARE) * share(Part::Whole);
        self.progress.maybe_update(|p| match p {
            Some(p) if p.fraction != total => {
                p.fraction = total;
                true
            }
            _ => false,
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
                    let Some(mut inc) = st.next_incoming() else {
                        break;
                    };
                    let (model, part) = (inc.model, inc.part);
                    let slot = st.slot(part, model);
                    match inc.advance() {
                        Ok(Some(run)) => *slot = Some(Ok(run)),
                        Ok(None) => {
                            st.fractions[model][part as usize] =
                                SIMULATE_SHARE + (1.0 - SIMULATE_SHARE) * inc.done();
                            st.incoming.push(inc);
                            continue;
                        }
                        Err(e) => *slot = Some(Err(e)),
                    }
                    st.fractions[model][part as usize] = 1.0;
                }
                st.decode_ms += now_ms() - t;
            }
            bg.report(&state);
            let (more, complete) = {
                let st = state.borrow();
                (!st.incoming.is_empty(), st.runs.iter().all(Option::is_some))
            };
            if !complete {
                bg.deliver_outlines(&state, current);
            }
            if more {
                bg.pump(state, current);
            } else if complete {
                let mut st = state.borrow_mut();
                let runs: Result<Vec<Run>, String> = st.runs.drain(..).flatten().collect();
                let timing = Timing {
                    figures_ms: st.figures_ms,
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
        next_task(tick);
    }

    /// Puts the outlines on screen once every model has one (and none failed), if the full
    /// runs are still to come.
    fn deliver_outlines(
        &self,
        state: &Rc<RefCell<Gathering>>,
        current: RwSignal<Option<Scenario>>,
    ) {
        let mut st = state.borrow_mut();
        if st.figures_ms.is_some() || !st.outlines.iter().all(Option::is_some) {
            return;
        }
        // Every outline is in: the full runs may start, once the figures are drawn (the
        // effects that draw them run before the next task).
        if let Some(json) = st.held_json.take() {
            let (bg, state) = (*self, state.clone());
            next_task(move || {
                if !bg.is_stale(&state, current) {
                    bg.submit(&state, current, Part::Whole, &json);
                }
            });
        }
        if !st.outlines.iter().all(|o| matches!(o, Some(Ok(_)))) {
            // An outline that failed to decode: the full runs will say why.
            return;
        }
        st.figures_ms = Some(now_ms() - st.started);
        let runs = st.outlines.drain(..).flatten().collect();
        let scenario = st.scenario.clone();
        drop(st);
        self.delivery.set_value(Some(Delivery { scenario, runs }));
        // The effects that this wakes draw the figures before the next task: timed then, the
        // figures' time covers their drawing.
        let state = state.clone();
        next_task(move || {
            let mut st = state.borrow_mut();
            st.figures_ms = Some(now_ms() - st.started);
        });
        self.progress.update(|p| {
            if let Some(p) = p {
                p.figures_ready = true;
            }
        });
        self.delivered.update(|n| *n += 1);
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

/// Whether `runs` are of `scenario`'s models, in order.
fn same_models(runs: &[Run], scenario: &Scenario) -> bool {
    !runs.is_empty()
        && runs.len() == scenario.models.len()
        && runs
            .iter()
            .zip(&scenario.models)
            .all(|(r, m)| r.model == m.label())
}

fn changed(
    next: Result<Vec<Run>, String>,
    prev: Option<Result<Vec<Run>, String>>,
) -> (Result<Vec<Run>, String>, bool) {
    let differs = prev.as_ref() != Some(&next);
    (next, differs)
}
