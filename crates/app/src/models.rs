//! Execution: the models to run the workload under (add, remove, change each one's family and
//! parameters), whether the page compares all of them or shows one, and the verdict sentence
//! over the runs when comparing.

use leptos::prelude::*;
use whenasync_sim::insights::verdict;
use whenasync_sim::validate::limits::MAX_MODELS;
use whenasync_sim::{validate, Model, Scenario, StartMethod};

use crate::app::Playground;
use crate::editor::fields::{error_note, field, icon_button, select, Choice, Spec};
use crate::editor::fields::{OPT_U32, U32};
use crate::editor::{edit, focus_later};

/// The families of execution model, in menu order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// One thread, one task after another.
    Sync,
    /// One asyncio event loop.
    Async,
    /// `ThreadPoolExecutor(N)`.
    Threads,
    /// `ProcessPoolExecutor(N)`.
    Processes,
    /// `uvicorn --workers N`.
    Server,
}

impl Family {
    /// Every family, in menu order.
    pub const ALL: [Family; 5] = [
        Family::Sync,
        Family::Async,
        Family::Threads,
        Family::Processes,
        Family::Server,
    ];

    /// The family of `m`.
    pub fn of(m: &Model) -> Family {
        match m {
            Model::Sync => Family::Sync,
            Model::Async { .. } => Family::Async,
            Model::Threads { .. } => Family::Threads,
            Model::Processes { .. } => Family::Processes,
            Model::Server { .. } => Family::Server,
        }
    }

    /// The menu key (the format's `kind`).
    pub fn key(self) -> &'static str {
        match self {
            Family::Sync => "sync",
            Family::Async => "async",
            Family::Threads => "threads",
            Family::Processes => "processes",
            Family::Server => "server",
        }
    }

    /// The family with key `key`.
    pub fn from_key(key: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.key() == key)
    }

    /// What it is in Python.
    pub fn python(self) -> &'static str {
        match self {
            Family::Sync => "one thread runs the tasks one after another; every wait blocks",
            Family::Async => "one asyncio event loop runs every task as a coroutine",
            Family::Threads => "ThreadPoolExecutor(N): a FIFO queue, N threads, one GIL",
            Family::Processes => {
                "ProcessPoolExecutor(N): each task in a worker process with its own GIL, plus start-up and pickling"
            }
            Family::Server => "uvicorn --workers N / gunicorn: N processes, each running an inner model",
        }
    }
}

/// The workers of `m`, if it has any.
fn workers_of(m: &Model) -> Option<u32> {
    match *m {
        Model::Threads { workers }
        | Model::Processes { workers, .. }
        | Model::Server { workers, .. } => Some(workers),
        _ => None,
    }
}

/// `m` as a model of family `to`, keeping its worker count where it has one.
pub fn convert_model(m: &Model, to: Family, cores: u32) -> Model {
    if Family::of(m) == to {
        return m.clone();
    }
    let workers = workers_of(m);
    match to {
        Family::Sync => Model::Sync,
        Family::Async => Model::Async { limit: None },
        Family::Threads => Model::Threads {
            workers: workers.unwrap_or(8),
        },
        Family::Processes => Model::Processes {
            workers: workers.unwrap_or(cores.max(1)),
            start: StartMethod::Fork,
        },
        Family::Server => Model::Server {
            workers: workers.unwrap_or(cores.max(1)),
            inner: Box::new(Model::Async { limit: None }),
        },
    }
}

/// The model "Add model" appends: the first family the list lacks, else a bigger thread pool.
pub fn next_model(models: &[Model], cores: u32) -> Model {
    Family::ALL
        .into_iter()
        .find(|f| !models.iter().any(|m| Family::of(m) == *f))
        .map(|f| convert_model(&Model::Sync, f, cores))
        .unwrap_or(Model::Threads { workers: 32 })
}

fn start_key(s: StartMethod) -> &'static str {
    match s {
        StartMethod::Fork => "fork",
        StartMethod::Spawn => "spawn",
        StartMethod::Forkserver => "forkserver",
    }
}

/// A start-method menu bound to the value `read` finds in the draft.
pub fn start_select<R, W>(id: String, aria: String, read: R, write: W) -> AnyView
where
    R: Fn(&Scenario) -> Option<StartMethod> + Send + Sync + Clone + 'static,
    W: Fn(&mut Scenario, StartMethod) + 'static,
{
    let pg = expect_context::<Playground>();
    let choices: Vec<Choice> = vec![
        ("fork", "fork".to_owned(), "fork: copy-on-write clone of the parent (Linux default before 3.14); cheapest start-up".to_owned()),
        ("spawn", "spawn".to_owned(), "spawn: a fresh interpreter that re-imports the main module (macOS, Windows default); slowest".to_owned()),
        ("forkserver", "forkserver".to_owned(), "forkserver: forks from a clean server process (Linux default from 3.14)".to_owned()),
    ];
    let current = move || {
        start_key(
            pg.draft
                .with(|d| d.as_ref().and_then(&read))
                .unwrap_or_default(),
        )
        .to_owned()
    };
    let pick = move |k: String| {
        let v = match k.as_str() {
            "spawn" => StartMethod::Spawn,
            "forkserver" => StartMethod::Forkserver,
            _ => StartMethod::Fork,
        };
        edit(pg, |s| write(s, v));
    };
    view! {
        <label class="mini" for=id.clone()>"start"</label>
        {select(id, aria, choices, current, pick)}
    }
    .into_any()
}

fn family_choices(families: &[Family]) -> Vec<Choice> {
    families
        .iter()
        .map(|f| (f.key(), f.key().to_owned(), f.python().to_owned()))
        .collect()
}

/// Compare all or one, and the list of models.
#[component]
pub fn ExecutionEditor() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let labels = Memo::new(move |_| {
        pg.draft.with(|d| {
            d.as_ref()
                .map(|s| s.models.iter().map(Model::label).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let count = Memo::new(move |_| labels.with(Vec::len));
    let last_one = StoredValue::new(0usize);
    let one = move || pg.focus.get().is_some();
    let show_one = move |_: leptos::ev::Event| {
        let i = last_one
            .get_value()
            .min(count.get_untracked().saturating_sub(1));
        pg.focus.set(Some(i));
    };
    let compare = move |_: leptos::ev::Event| {
        if let Some(i) = pg.focus.get_untracked() {
            last_one.set_value(i);
        }
        pg.focus.set(None);
    };
    let pick_one = move |ev: leptos::ev::Event| {
        if let Ok(i) = event_target_value(&ev).parse::<usize>() {
            last_one.set_value(i);
            pg.focus.set(Some(i));
        }
    };
    let add = move |_: leptos::ev::MouseEvent| {
        let mut n = 0;
        edit(pg, |s| {
            if s.models.len() < MAX_MODELS {
                let m = next_model(&s.models, s.machine.cores);
                s.models.push(m);
            }
            n = s.models.len();
        });
        focus_later(vec![format!("ed-m{}-family", n.saturating_sub(1))]);
    };
    view! {
        <section class="ed-group" aria-labelledby="ed-show-h">
            <h3 id="ed-show-h">"Show"</h3>
            <div class="row mode" role="radiogroup" aria-labelledby="ed-show-h">
                <label class="radio">
                    <input
                        type="radio"
                        name="ed-mode"
                        id="ed-mode-compare"
                        prop:checked=move || !one()
                        on:change=compare
                    />
                    "Compare all"
                </label>
                <label class="radio">
                    <input
                        type="radio"
                        name="ed-mode"
                        id="ed-mode-one"
                        prop:checked=one
                        on:change=show_one
                    />
                    "One model"
                </label>
                <select
                    class="in sel"
                    id="ed-mode-model"
                    aria-label="The model shown alone"
                    disabled=move || !one()
                    on:change=pick_one
                >
                    {move || {
                        labels
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, l)| {
                                view! {
                                    <option
                                        value=i.to_string()
                                        prop:selected=move || pg.focus.get() == Some(i)
                                    >
                                        {l}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
        </section>
        <section class="ed-group" aria-labelledby="ed-models-h">
            <h3 id="ed-models-h">
                "Models "
                <span class="muted">{move || format!("{} of at most {MAX_MODELS}", count.get())}</span>
            </h3>
            <p class="ed-hint">"The same tasks run under each model: same classes, same durations, same arrivals."</p>
            <ol class="models">
                {move || {
                    let n = count.get();
                    (0..n).map(|i| model_row(i, n)).collect_view()
                }}
            </ol>
            {error_note(vec!["models".to_owned()], true)}
            <button
                type="button"
                class="add"
                id="ed-add-model"
                on:click=add
                disabled=move || { count.get() >= MAX_MODELS }
            >
                "+ Add model"
            </button>
        </section>
    }
}

/// Model `i` of `n`: family and parameters.
fn model_row(i: usize, n: usize) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let f = format!("models[{i}]");
    let id = format!("ed-m{i}");
    let family = Memo::new(move |_| {
        pg.draft
            .with(|d| d.as_ref().and_then(|s| s.models.get(i).map(Family::of)))
            .unwrap_or(Family::Sync)
    });
    let inner = Memo::new(move |_| {
        pg.draft
            .with(|d| match d.as_ref().and_then(|s| s.models.get(i)) {
                Some(Model::Server { inner, .. }) => Some(Family::of(inner)),
                _ => None,
            })
    });
    let label = Memo::new(move |_| {
        pg.draft
            .with(|d| d.as_ref().and_then(|s| s.models.get(i).map(Model::label)))
            .unwrap_or_default()
    });
    let set_family = move |k: String| {
        let Some(to) = Family::from_key(&k) else {
            return;
        };
        edit(pg, |s| {
            let cores = s.machine.cores;
            if let Some(m) = s.models.get_mut(i) {
                *m = convert_model(m, to, cores);
            }
        });
    };
    let remove = move || {
        edit(pg, |s| {
            if s.models.len() > 1 && i < s.models.len() {
                s.models.remove(i);
            }
        });
        pg.focus.update(|f| {
            *f = match *f {
                Some(j) if j == i => None,
                Some(j) if j > i => Some(j - 1),
                other => other,
            }
        });
        focus_later(vec![
            format!("ed-m{}-family", i.min(n.saturating_sub(2))),
            "ed-add-model".to_owned(),
        ]);
    };
    let params = {
        let (id, f) = (id.clone(), f.clone());
        move || {
            let workers = move |f: &str, id: &str, what: &'static str, inner: bool| {
                workers_field(i, f.to_owned(), id.to_owned(), what, inner)
            };
            let limit = move |f: &str, id: &str, inner: bool| {
                limit_field(i, f.to_owned(), id.to_owned(), inner)
            };
            match family.get() {
                Family::Sync => ().into_any(),
                Family::Async => limit(&f, &id, false),
                Family::Threads => workers(&f, &id, "workers", false),
                Family::Processes => view! {
                    {workers(&f, &id, "workers", false)}
                    {start_select(
                        format!("{id}-start"),
                        format!("Start method of model {}", i + 1),
                        move |s: &Scenario| match s.models.get(i)? {
                            Model::Processes { start, .. } => Some(*start),
                            _ => None,
                        },
                        move |s: &mut Scenario, v| {
                            if let Some(Model::Processes { start, .. }) = s.models.get_mut(i) {
                                *start = v;
                            }
                        },
                    )}
                }
                .into_any(),
                Family::Server => {
                    let (fi, idi) = (format!("{f}.inner"), format!("{id}-inner"));
                    let set_inner = move |k: String| {
                        let Some(to) = Family::from_key(&k) else {
                            return;
                        };
                        edit(pg, |s| {
                            let cores = s.machine.cores;
                            if let Some(Model::Server { inner, .. }) = s.models.get_mut(i) {
                                let next = convert_model(inner, to, cores);
                                // A server's workers keep their own thread count small.
                                **inner = match next {
                                    Model::Threads { .. }
                                        if Family::of(inner) != Family::Threads =>
                                    {
                                        Model::Threads { workers: 8 }
                                    }
                                    m => m,
                                };
                            }
                        });
                    };
                    view! {
                        {workers(&f, &id, "workers", false)}
                        <span class="mini" aria-hidden="true">"×"</span>
                        {select(
                            format!("{id}-inner-family"),
                            format!("What each worker process of model {} runs", i + 1),
                            family_choices(&[Family::Sync, Family::Async, Family::Threads]),
                            move || inner.get().unwrap_or(Family::Async).key().to_owned(),
                            set_inner,
                        )}
                        {move || match inner.get() {
                            Some(Family::Async) => limit(&fi, &idi, true),
                            Some(Family::Threads) => workers(&fi, &idi, "threads", true),
                            _ => ().into_any(),
                        }}
                    }
                    .into_any()
                }
            }
        }
    };
    let row_error = error_note(vec![f.clone(), format!("{f}.inner")], true);
    view! {
        <li class="model" data-testid="model-row">
            <div class="model-head">
                <span class="num" aria-hidden="true">{i + 1}</span>
                {select(
                    format!("{id}-family"),
                    format!("Model {} family", i + 1),
                    family_choices(&Family::ALL),
                    move || family.get().key().to_owned(),
                    set_family,
                )}
                <span class="model-label muted" data-testid="model-label">{move || label.get()}</span>
                <span class="acts">
                    {icon_button(
                        Some(format!("{id}-rm")),
                        "×",
                        format!("Remove model {}", i + 1),
                        n <= 1,
                        remove,
                    )}
                </span>
            </div>
            <div class="row model-params">{params}</div>
            {row_error}
        </li>
    }
}

/// The worker count of model `i` (of its inner model when `inner`), as a field.
fn workers_field(i: usize, f: String, id: String, what: &'static str, inner: bool) -> AnyView {
    field(
        Spec::new(format!("{id}-workers"), format!("{f}.workers"), "w-xs")
            .label(what)
            .title("1 to 1024; ↑/↓ to step, Shift for 10")
            .mode("numeric"),
        U32,
        move |s: &Scenario| {
            let m = s.models.get(i)?;
            let m = match (m, inner) {
                (Model::Server { inner, .. }, true) => inner.as_ref(),
                (m, _) => m,
            };
            workers_of(m)
        },
        move |s: &mut Scenario, v| {
            let Some(m) = s.models.get_mut(i) else {
                return;
            };
            let m = match (m, inner) {
                (Model::Server { inner, .. }, true) => inner.as_mut(),
                (m, _) => m,
            };
            match m {
                Model::Threads { workers }
                | Model::Processes { workers, .. }
                | Model::Server { workers, .. } => *workers = v,
                _ => {}
            }
        },
    )
}

/// The concurrency limit of async model `i` (of its inner model when `inner`), as a field.
fn limit_field(i: usize, f: String, id: String, inner: bool) -> AnyView {
    field(
        Spec::new(format!("{id}-limit"), format!("{f}.limit"), "w-xs")
            .label("limit")
            .placeholder("none")
            .title("At most this many tasks in flight: an asyncio.Semaphore or a connection pool of this size. Empty: no limit")
            .mode("numeric"),
        OPT_U32,
        move |s: &Scenario| match s.models.get(i)? {
            Model::Server { inner: m, .. } if inner => match **m {
                Model::Async { limit } => Some(limit),
                _ => None,
            },
            Model::Async { limit } if !inner => Some(*limit),
            _ => None,
        },
        move |s: &mut Scenario, v| match s.models.get_mut(i) {
            Some(Model::Server { inner: m, .. }) if inner => {
                if let Model::Async { limit } = m.as_mut() {
                    *limit = v;
                }
            }
            Some(Model::Async { limit }) if !inner => *limit = v,
            _ => {}
        },
    )
}

/// The verdict over the runs on screen, when comparing: who wins, by how much, and why.
#[component]
pub fn Verdict() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let text = Memo::new(move |_| {
        if pg.focus.get().is_some() {
            return None;
        }
        pg.scenario.with(|s| {
            let checked = validate(s.as_ref()?).ok()?;
            pg.runs
                .with(|r| r.as_ref().ok().and_then(|runs| verdict(runs, &checked)))
        })
    });
    view! {
        <div class="verdict-slot" aria-live="polite">
            {move || {
                text.get()
                    .map(|t| {
                        view! {
                            <p class="verdict" data-testid="verdict">
                                <span class="verdict-label">"Verdict"</span>
                                <span class="verdict-text">{t}</span>
                            </p>
                        }
                    })
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::presets;

    #[test]
    fn every_family_conversion_validates() {
        for preset in presets::all() {
            for to in Family::ALL {
                let mut s = preset.clone();
                s.models[0] = convert_model(&s.models[0], to, s.machine.cores);
                assert_eq!(Family::of(&s.models[0]), to);
                validate(&s).unwrap_or_else(|e| panic!("{} as {to:?}: {e}", preset.name));
            }
        }
    }

    #[test]
    fn added_models_fill_in_missing_families() {
        let mut models = vec![Model::Sync, Model::Async { limit: None }];
        models.push(next_model(&models, 4));
        assert_eq!(models[2], Model::Threads { workers: 8 });
        models.push(next_model(&models, 4));
        assert_eq!(
            models[3],
            Model::Processes {
                workers: 4,
                start: StartMethod::Fork
            }
        );
        for f in Family::ALL {
            assert_eq!(Family::from_key(f.key()), Some(f));
        }
    }
}
