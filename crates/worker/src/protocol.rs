//! Messages between the page and a worker, as serde types (`serde-wasm-bindgen` turns them
//! into plain JS objects and back: `{"Progress": {"job": 3, "fraction": 0.5}}`). Externally
//! tagged on purpose: an internally tagged enum buffers every property to find its tag, which
//! costs code size on the page.

use serde::{Deserialize, Serialize};
use whenasync_sim::{validate, Scenario, Summary};

/// Segments (worker and task) the runs of one scenario may keep together, split evenly between
/// its models: at most 10 million × 32 bytes, 320 MB on the page.
pub const TRACE_BUDGET: usize = 10_000_000;

/// Segments one run may keep: a 100,000-task run keeps its whole trace (about 2.2 million
/// under a thread pool); a 1,000,000-task one keeps the first part of it, which keeps its
/// trip to the page (simulate, transfer, decode) within about 3 s.
pub const RUN_BUDGET: usize = 2_500_000;

/// What the page asks a worker to do. Every job carries an id the replies repeat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Simulate model `model` (an index into the scenario's models) and send the whole run,
    /// with progress reports on the way.
    Simulate {
        /// The job id.
        job: u32,
        /// The scenario, as JSON (the versioned file format).
        scenario: String,
        /// Which of its models.
        model: u32,
    },
    /// Simulate model `model` and send its run without a trace (no segments, `trace_end` 0):
    /// tasks, summary and insights, which the page shows while the whole run is simulated.
    /// It writes nothing down, so it costs a fraction of [`Request::Simulate`]. Its tasks carry
    /// their times but not their time by kind (all zero): the page plots latencies from an
    /// outline and exports per-task records only from the whole run, and the times by kind
    /// would be about 40 % of the bytes it decodes before the figures are up.
    Outline {
        /// The job id.
        job: u32,
        /// The scenario, as JSON.
        scenario: String,
        /// Which of its models.
        model: u32,
    },
    /// Simulate model `model` and send only its figures (one point of a sweep).
    Figures {
        /// The job id.
        job: u32,
        /// The scenario, as JSON.
        scenario: String,
        /// Which of its models.
        model: u32,
    },
}

impl Request {
    /// The job id.
    pub fn job(&self) -> u32 {
        *self.fields().0
    }

    /// The job id, to set it.
    pub fn job_mut(&mut self) -> &mut u32 {
        match self {
            Request::Simulate { job, .. }
            | Request::Outline { job, .. }
            | Request::Figures { job, .. } => job,
        }
    }

    /// (job id, scenario JSON, model index): every request has the three.
    fn fields(&self) -> (&u32, &str, u32) {
        match self {
            Request::Simulate {
                job,
                scenario,
                model,
            }
            | Request::Outline {
                job,
                scenario,
                model,
            }
            | Request::Figures {
                job,
                scenario,
                model,
            } => (job, scenario, *model),
        }
    }
}

/// The few numbers a sweep charts, for one model at one point.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Makespan, ns.
    pub makespan: f64,
    /// Median latency, ns.
    pub p50: f64,
    /// 99th percentile latency, ns.
    pub p99: f64,
    /// Completed tasks per second.
    pub throughput: f64,
    /// Tasks that never finished (a deadlock makes the point meaningless).
    pub unfinished: f64,
}

impl Figures {
    /// The figures of a run's summary.
    pub fn of(s: &Summary) -> Self {
        Figures {
            makespan: s.makespan as f64,
            p50: s.latency.p50 as f64,
            p99: s.latency.p99 as f64,
            throughput: s.throughput_per_s,
            unfinished: s.unfinished as f64,
        }
    }
}

/// What a worker tells the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// The worker's wasm has loaded: messages posted from now on are heard. (Messages posted
    /// to a worker before its module has loaded are dropped, so the page waits for this.)
    Ready,
    /// A rough fraction of `job` done, 0 to 1.
    Progress {
        /// The job id.
        job: u32,
        /// Fraction done.
        fraction: f64,
    },
    /// The run of a [`Request::Simulate`] job. Its bytes (`wire::encode(&run)`) travel beside
    /// this message, as a transferred `Uint8Array` in its [`PAYLOAD`] property, so that
    /// neither side converts hundreds of megabytes in one go.
    Run {
        /// The job id.
        job: u32,
        /// Length of the payload, bytes.
        len: f64,
        /// Milliseconds spent simulating (wall clock, in the worker).
        simulate_ms: f64,
    },
    /// The figures of a [`Request::Figures`] job.
    Figures {
        /// The job id.
        job: u32,
        /// The figures.
        figures: Figures,
        /// Milliseconds spent simulating.
        simulate_ms: f64,
    },
    /// The job could not run: the scenario is invalid or too big (one line, for the page).
    Failed {
        /// The job id.
        job: u32,
        /// Why.
        message: String,
    },
}

/// The property of a [`Reply::Run`] message that holds the run's bytes.
pub const PAYLOAD: &str = "payload";

/// Runs one request to completion in this thread, reporting progress through `progress`
/// (job, fraction). `now_ms` reads a wall clock (the worker's `Date.now`), for the timings.
/// Returns the reply and, for a run, its bytes (see [`Reply::Run`]). Pure apart from those
/// two callbacks, so the worker's behaviour is tested natively.
pub fn handle(
    request: &Request,
    progress: &mut dyn FnMut(u32, f64),
    now_ms: &dyn Fn() -> f64,
) -> (Reply, Option<Vec<u8>>) {
    let mut payload = None;
    let reply = answer(request, progress, now_ms, &mut payload);
    (reply, payload)
}

fn answer(
    request: &Request,
    progress: &mut dyn FnMut(u32, f64),
    now_ms: &dyn Fn() -> f64,
    payload: &mut Option<Vec<u8>>,
) -> Reply {
    let (&job, scenario, model) = request.fields();
    let failed = |message: String| Reply::Failed { job, message };
    let scenario = match Scenario::from_json(scenario) {
        Ok(s) => s,
        Err(e) => return failed(e.to_string()),
    };
    let checked = match validate(&scenario) {
        Ok(c) => c,
        Err(e) => return failed(e.to_string()),
    };
    let Some(model) = checked.scenario.models.get(model as usize).cloned() else {
        return failed(format!("the scenario has no model {model}"));
    };
    let started = now_ms();
    // A progress report every 1 % at most: posting a message costs more than a few events.
    let mut last = -1.0_f64;
    let mut report = |f: f64| {
        if f - last >= 0.01 || f >= 1.0 {
            last = f;
            progress(job, f.clamp(0.0, 1.0));
        }
    };
    if let Request::Figures { .. } = request {
        // A sweep point needs only figures: no segments are written down.
        return match whenasync_sim::simulate_summary(&checked, &model) {
            Ok(summary) => Reply::Figures {
                job,
                figures: Figures::of(&summary),
                simulate_ms: now_ms() - started,
            },
            Err(e) => failed(e.to_string()),
        };
    }
    // The page holds every model's run at once: past a budget, a run keeps its trace only up
    // to where the budget ran out (`Run::trace_end`), so a million tasks fit in a tab.
    let budget = match request {
        // The budget's smallest: the trace stops at its first segment, and is dropped below.
        Request::Outline { .. } => 1,
        _ => (TRACE_BUDGET / checked.scenario.models.len().max(1)).min(RUN_BUDGET),
    };
    let mut run = match whenasync_sim::simulate_model_within(&checked, &model, budget, &mut report)
    {
        Ok(run) => run,
        Err(e) => return failed(e.to_string()),
    };
    if let Request::Outline { .. } = request {
        run.segments = Vec::new();
        run.task_segments = Vec::new();
        run.trace_end = Some(0);
        for t in &mut run.tasks {
            t.time_by_kind = Default::default();
        }
    }
    let simulate_ms = now_ms() - started;
    let bytes = crate::wire::encode(&run);
    let len = bytes.len() as f64;
    *payload = Some(bytes);
    Reply::Run {
        job,
        len,
        simulate_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::{presets, TaskRecord};

    fn landing_json() -> String {
        presets::get("gather-10-queries")
            .expect("the preset exists")
            .expect("it parses")
            .to_json()
    }

    #[test]
    fn a_simulate_job_returns_the_same_run_as_the_page_would_compute() {
        let json = landing_json();
        let request = Request::Simulate {
            job: 7,
            scenario: json.clone(),
            model: 1,
        };
        let mut reports = Vec::new();
        let (reply, payload) = handle(&request, &mut |job, f| reports.push((job, f)), &|| 0.0);
        let Reply::Run { job, len, .. } = reply else {
            panic!("expected a run, got {reply:?}");
        };
        assert_eq!(job, 7);
        let bytes = payload.expect("a run has a payload");
        assert_eq!(len, bytes.len() as f64);
        let expected = whenasync_sim::simulate(&Scenario::from_json(&json).expect("parses"))
            .expect("simulates")
            .remove(1);
        assert_eq!(crate::wire::decode(&bytes).expect("decodes"), expected);
        assert!(reports
            .iter()
            .all(|(j, f)| *j == 7 && (0.0..=1.0).contains(f)));
        assert_eq!(reports.last().map(|r| r.1), Some(1.0));
    }

    #[test]
    fn a_huge_run_keeps_its_trace_within_the_budget() {
        // Eight models share the budget; a threads(8) request leaves about 22 segments.
        let budget = (TRACE_BUDGET / 8).min(RUN_BUDGET);
        let tasks = (budget / 10) as u32;
        let mut scenario = presets::bench_scenario(tasks);
        scenario.models = (1..=8)
            .rev()
            .map(|workers| whenasync_sim::Model::Threads { workers })
            .collect();
        let request = Request::Simulate {
            job: 1,
            scenario: scenario.to_json(),
            model: 0,
        };
        let (_, payload) = handle(&request, &mut |_, _| {}, &|| 0.0);
        let run = crate::wire::decode(&payload.expect("a run")).expect("decodes");
        let kept = run.segments.len() + run.task_segments.len();
        // Within the budget, give or take the spans still open at the cut (clipped to it).
        assert!(
            kept <= budget + budget / 100,
            "{kept} segments kept, budget {budget}"
        );
        let cut = run.trace_end.expect("the trace is cut");
        assert!(cut < run.summary.makespan);
        assert_eq!(run.tasks.len(), tasks as usize);
        assert_eq!(run.summary.completed, u64::from(tasks));
    }

    #[test]
    fn an_outline_is_the_run_without_its_trace() {
        let json = landing_json();
        let request = Request::Outline {
            job: 9,
            scenario: json.clone(),
            model: 1,
        };
        let (reply, payload) = handle(&request, &mut |_, _| {}, &|| 0.0);
        assert!(matches!(reply, Reply::Run { job: 9, .. }), "{reply:?}");
        let outline = crate::wire::decode(&payload.expect("a payload")).expect("decodes");
        let whole = whenasync_sim::simulate(&Scenario::from_json(&json).expect("parses"))
            .expect("simulates")
            .remove(1);
        assert!(!whole.segments.is_empty());
        assert!(outline.segments.is_empty() && outline.task_segments.is_empty());
        assert_eq!(outline.trace_end, Some(0));
        // The tasks as they are, but for their time by kind (the insights used it).
        assert_eq!(outline.tasks.len(), whole.tasks.len());
        assert!(whole
            .tasks
            .iter()
            .any(|t| t.time_by_kind.iter().any(|v| *v > 0)));
        for (o, w) in outline.tasks.iter().zip(&whole.tasks) {
            assert_eq!(o.time_by_kind, [0; whenasync_sim::run::KIND_COUNT]);
            let bare = TaskRecord {
                time_by_kind: o.time_by_kind,
                ..w.clone()
            };
            assert_eq!(*o, bare);
        }
        assert_eq!(outline.summary, whole.summary);
        assert_eq!(outline.insights, whole.insights);
        assert_eq!(outline.lanes, whole.lanes);
    }

    #[test]
    fn figures_and_failures() {
        let request = Request::Figures {
            job: 3,
            scenario: landing_json(),
            model: 0,
        };
        match handle(&request, &mut |_, _| {}, &|| 0.0).0 {
            Reply::Figures {
                job: 3, figures, ..
            } => {
                // The figures-only run gives the full run's figures.
                let ck = validate(&Scenario::from_json(&landing_json()).expect("parses"))
                    .expect("valid");
                let run =
                    whenasync_sim::simulate_model(&ck, &ck.scenario.models[0]).expect("simulates");
                assert_eq!(figures, Figures::of(&run.summary));
                assert!(figures.makespan > 1e9, "{figures:?}");
            }
            other => panic!("expected figures, got {other:?}"),
        }
        let bad = Request::Simulate {
            job: 4,
            scenario: "{".into(),
            model: 0,
        };
        assert!(matches!(
            handle(&bad, &mut |_, _| {}, &|| 0.0),
            (Reply::Failed { job: 4, .. }, None)
        ));
        let no_model = Request::Figures {
            job: 5,
            scenario: landing_json(),
            model: 99,
        };
        match handle(&no_model, &mut |_, _| {}, &|| 0.0).0 {
            Reply::Failed { message, .. } => assert!(message.contains("99"), "{message}"),
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn every_request_carries_its_job_id() {
        let mut requests = [
            Request::Simulate {
                job: 1,
                scenario: String::new(),
                model: 0,
            },
            Request::Outline {
                job: 2,
                scenario: String::new(),
                model: 0,
            },
            Request::Figures {
                job: 3,
                scenario: String::new(),
                model: 0,
            },
        ];
        for (i, r) in requests.iter_mut().enumerate() {
            assert_eq!(r.job(), i as u32 + 1);
            *r.job_mut() = 40 + i as u32;
            assert_eq!(r.job(), 40 + i as u32);
        }
    }
}
