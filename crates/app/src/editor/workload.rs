//! The workload: task classes (name, weight, payload, steps), arrivals, timeout, seed, and the
//! named pools that offload steps can target.

use leptos::prelude::*;
use whenasync_sim::{Arrivals, Dist, Dur, PoolSpec, Scenario, StartMethod, Step, TaskClass, MS};

use super::fields::{error_note, field, icon_button, select, Choice, Codec, Spec};
use super::fields::{F64, OPT_DUR, U32, U64};
use super::ops::ListAt;
use super::steps::{dist_params, dist_select, step_list, DistAt};
use super::{edit, focus_later};
use crate::app::Playground;
use crate::format;

/// A name (any text; the validator bounds its length).
const NAME: Codec<String> = Codec {
    parse: |t| Ok(t.to_owned()),
    format: |s| s.clone(),
    steps: false,
};

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

/// Every task class, with an "Add class" button.
#[component]
fn Classes() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let count = Memo::new(move |_| {
        pg.draft
            .with(|d| d.as_ref().map_or(0, |s| s.workload.classes.len()))
    });
    let add = move |_| {
        let mut n = 0;
        edit(pg, |s| {
            let k = s.workload.classes.len() + 1;
            s.workload.classes.push(TaskClass {
                name: format!("class {k}"),
                weight: 1.0,
                steps: vec![
                    Step::Cpu(Dist::Fixed(Dur(MS))),
                    Step::Io(Dist::Fixed(Dur(10 * MS))),
                ],
                payload_kb: 1.0,
            });
            n = s.workload.classes.len();
        });
        focus_later(vec![format!("ed-c{}-name", n.saturating_sub(1))]);
    };
    view! {
        <div class="classes">
            {move || {
                let n = count.get();
                (0..n).map(|c| class_card(c, n)).collect_view()
            }}
        </div>
        {error_note(vec!["workload.classes".to_owned()], true)}
        <button type="button" class="add" on:click=add>
            "+ Add task class"
        </button>
    }
}

/// Class `c` of `n`: its name, weight, payload and steps.
fn class_card(c: usize, n: usize) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let f = format!("workload.classes[{c}]");
    let share = Memo::new(move |_| {
        pg.draft.with(|d| {
            let s = d.as_ref()?;
            let total: f64 = s.workload.classes.iter().map(|k| k.weight.max(0.0)).sum();
            let w = s.workload.classes.get(c)?.weight;
            (total > 0.0 && w.is_finite()).then(|| w / total)
        })
    });
    let remove = move || {
        edit(pg, |s| {
            if s.workload.classes.len() > 1 && c < s.workload.classes.len() {
                s.workload.classes.remove(c);
            }
        });
        focus_later(vec![format!("ed-c{}-name", c.saturating_sub(1))]);
    };
    view! {
        <div class="cls" role="group" aria-label=format!("Task class {}", c + 1)>
            <div class="cls-head">
                {field(
                    Spec::new(format!("ed-c{c}-name"), format!("{f}.name"), "w-l")
                        .aria(format!("Name of task class {}", c + 1))
                        .title("Shown in charts and task records"),
                    NAME,
                    move |s| s.workload.classes.get(c).map(|k| k.name.clone()),
                    move |s, v| {
                        if let Some(k) = s.workload.classes.get_mut(c) {
                            k.name = v;
                        }
                    },
                )}
                {icon_button(
                    Some(format!("ed-c{c}-rm")),
                    "×",
                    format!("Remove task class {}", c + 1),
                    n <= 1,
                    remove,
                )}
            </div>
            <div class="row">
                {field(
                    Spec::new(format!("ed-c{c}-weight"), format!("{f}.weight"), "w-xs")
                        .label("weight")
                        .title("Relative weight when drawing each task's class (0 = never drawn)")
                        .mode("decimal"),
                    F64,
                    move |s| s.workload.classes.get(c).map(|k| k.weight),
                    move |s, v| {
                        if let Some(k) = s.workload.classes.get_mut(c) {
                            k.weight = v;
                        }
                    },
                )}
                <span class="share muted" aria-live="polite">
                    {move || share.get().map(|x| format!("{} of tasks", format::percent(x)))}
                </span>
                {field(
                    Spec::new(format!("ed-c{c}-payload"), format!("{f}.payload_kb"), "w-xs")
                        .label("payload")
                        .unit("KB")
                        .title("Arguments + result, pickled whenever the task (or an offload of it) runs in a worker process")
                        .mode("decimal"),
                    F64,
                    move |s| s.workload.classes.get(c).map(|k| k.payload_kb),
                    move |s, v| {
                        if let Some(k) = s.workload.classes.get_mut(c) {
                            k.payload_kb = v;
                        }
                    },
                )}
            </div>
            {step_list(ListAt::class(c))}
        </div>
    }
}

/// The arrival patterns, in menu order.
const ARRIVALS: [(&str, &str, &str); 4] = [
    ("burst", "burst", "All tasks at t = 0: a batch, asyncio.gather over N calls"),
    ("poisson", "Poisson", "Open-loop Poisson arrivals at a rate: a public web server"),
    ("interval", "interval", "One task every fixed interval"),
    (
        "closed_loop",
        "closed loop",
        "C clients, each sending a request, waiting for the response, thinking, and sending the next",
    ),
];

fn arrivals_key(a: &Arrivals) -> &'static str {
    match a {
        Arrivals::Burst { .. } => "burst",
        Arrivals::Poisson { .. } => "poisson",
        Arrivals::Interval { .. } => "interval",
        Arrivals::ClosedLoop { .. } => "closed_loop",
    }
}

/// `a` as the pattern `key`, keeping the task count.
pub fn convert_arrivals(a: &Arrivals, key: &str) -> Arrivals {
    let count = a.count();
    match key {
        "poisson" => Arrivals::Poisson {
            rate_per_s: 100.0,
            count,
        },
        "interval" => Arrivals::Interval {
            every: Dur(10 * MS),
            count,
        },
        "closed_loop" => Arrivals::ClosedLoop {
            clients: count.clamp(1, 10),
            think: Dist::Exp(Dur(10 * MS)),
            count,
        },
        _ => Arrivals::Burst { count },
    }
}

fn set_count(a: &mut Arrivals, v: u32) {
    match a {
        Arrivals::Burst { count }
        | Arrivals::Poisson { count, .. }
        | Arrivals::Interval { count, .. }
        | Arrivals::ClosedLoop { count, .. } => *count = v,
    }
}

/// Arrival pattern and its parameters, the per-task timeout and the seed.
#[component]
fn ArrivalsEditor() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let key = Memo::new(move |_| {
        pg.draft
            .with(|d| d.as_ref().map(|s| arrivals_key(&s.workload.arrivals)))
            .unwrap_or("burst")
    });
    let choices: Vec<Choice> = ARRIVALS
        .iter()
        .map(|(k, l, t)| (*k, (*l).to_owned(), (*t).to_owned()))
        .collect();
    let pick = move |k: String| {
        edit(pg, |s| {
            if arrivals_key(&s.workload.arrivals) != k {
                s.workload.arrivals = convert_arrivals(&s.workload.arrivals, &k);
            }
        })
    };
    let params = move || match key.get() {
        "poisson" => field(
            Spec::new("ed-rate", "workload.arrivals.poisson.rate_per_s", "w-s")
                .label("rate")
                .unit("/s")
                .title("Mean arrivals per second")
                .mode("decimal"),
            F64,
            |s| match s.workload.arrivals {
                Arrivals::Poisson { rate_per_s, .. } => Some(rate_per_s),
                _ => None,
            },
            |s, v| {
                if let Arrivals::Poisson { rate_per_s, .. } = &mut s.workload.arrivals {
                    *rate_per_s = v;
                }
            },
        ),
        "interval" => field(
            Spec::new("ed-every", "workload.arrivals.interval.every", "w-s")
                .label("every")
                .title("Gap between arrivals, e.g. 250ms")
                .mode("decimal"),
            super::fields::DUR,
            |s| match s.workload.arrivals {
                Arrivals::Interval { every, .. } => Some(every),
                _ => None,
            },
            |s, v| {
                if let Arrivals::Interval { every, .. } = &mut s.workload.arrivals {
                    *every = v;
                }
            },
        ),
        "closed_loop" => {
            let think = DistAt::new(
                |s| match &s.workload.arrivals {
                    Arrivals::ClosedLoop { think, .. } => Some(think),
                    _ => None,
                },
                |s| match &mut s.workload.arrivals {
                    Arrivals::ClosedLoop { think, .. } => Some(think),
                    _ => None,
                },
            );
            let kind = Memo::new(move |_| {
                pg.draft
                    .with(|d| match d.as_ref().map(|s| &s.workload.arrivals) {
                        Some(Arrivals::ClosedLoop { think, .. }) => {
                            Some(super::ops::DistKind::of(think))
                        }
                        _ => None,
                    })
            });
            let t2 = think.clone();
            view! {
                {field(
                    Spec::new("ed-clients", "workload.arrivals.closed_loop.clients", "w-xs")
                        .label("clients")
                        .title("Concurrent clients (at most one per request); ↑/↓ to step")
                        .mode("numeric"),
                    U32,
                    |s| match s.workload.arrivals {
                        Arrivals::ClosedLoop { clients, .. } => Some(clients),
                        _ => None,
                    },
                    |s, v| {
                        if let Arrivals::ClosedLoop { clients, .. } = &mut s.workload.arrivals {
                            *clients = v;
                        }
                    },
                )}
                <span class="break"></span>
                <label class="mini" for="ed-think-dist">"think"</label>
                {dist_select(think, "ed-think-dist".to_owned(), "Think time distribution".to_owned())}
                {move || {
                    kind.get()
                        .map(|k| {
                            dist_params(
                                t2.clone(),
                                k,
                                "ed-think",
                                "think time",
                                "workload.arrivals.closed_loop.think".to_owned(),
                            )
                        })
                }}
            }
            .into_any()
        }
        _ => ().into_any(),
    };
    // Limits on the whole pattern ("count / rate", "count × every") name the pattern.
    let arrivals_error = error_note(
        ARRIVALS
            .iter()
            .map(|(k, _, _)| format!("workload.arrivals.{k}"))
            .collect(),
        true,
    );
    view! {
        <div class="row">
            <label class="mini" for="ed-arrivals">"pattern"</label>
            {select(
                "ed-arrivals".to_owned(),
                "Arrival pattern".to_owned(),
                choices,
                move || key.get().to_owned(),
                pick,
            )}
            {field(
                Spec::new("ed-count", "workload.arrivals.count", "w-s")
                    .label("count")
                    .unit("tasks")
                    .title("Number of tasks (1 to 1,000,000); ↑/↓ to step, Shift for 10")
                    .mode("numeric"),
                U32,
                |s| Some(s.workload.arrivals.count()),
                |s, v| set_count(&mut s.workload.arrivals, v),
            )}
        </div>
        <div class="row">{params}</div>
        {arrivals_error}
        <div class="row">
            {field(
                Spec::new("ed-timeout", "workload.timeout", "w-s")
                    .label("timeout")
                    .placeholder("none")
                    .title("Per-task deadline (asyncio.wait_for): a task still running at arrival + timeout is cancelled where Python can cancel it. Empty: none")
                    .mode("decimal"),
                OPT_DUR,
                |s| Some(s.workload.timeout),
                |s, v| s.workload.timeout = v,
            )}
            {field(
                Spec::new("ed-seed", "seed", "w-s")
                    .label("seed")
                    .title("Seed of every random draw: classes, durations, arrival gaps, think times")
                    .mode("numeric"),
                U64,
                |s| Some(s.seed),
                |s, v| s.seed = v,
            )}
            {icon_button(
                Some("ed-reseed".to_owned()),
                "⟳",
                "Draw a new random seed".to_owned(),
                false,
                move || {
                    let seed = (js_sys::Math::random() * 1e9) as u64;
                    edit(pg, |s| s.seed = seed);
                },
            )}
        </div>
    }
}

/// Every named pool, with an "Add pool" button.
#[component]
fn Pools() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let names = Memo::new(move |_| {
        pg.draft.with(|d| {
            d.as_ref()
                .map(|s| s.pools.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let add = move |_| {
        let mut name = String::new();
        edit(pg, |s| {
            let k = (1..).find(|k| !s.pools.contains_key(&format!("pool{k}")));
            name = format!("pool{}", k.unwrap_or(1));
            s.pools
                .insert(name.clone(), PoolSpec::Thread { workers: 4 });
        });
        focus_later(vec![format!("ed-pool-{name}-kind")]);
    };
    view! {
        <div class="pools">
            {move || names.get().into_iter().map(pool_row).collect_view()}
        </div>
        <button type="button" class="add" on:click=add>
            "+ Add pool"
        </button>
    }
}

/// Renames pool `from` to `to`, and every offload step that names it.
pub fn rename_pool(s: &mut Scenario, from: &str, to: &str) {
    fn walk(steps: &mut [Step], from: &str, to: &str) {
        for step in steps {
            match step {
                Step::Offload(o) => {
                    if o.pool == from {
                        o.pool = to.to_owned();
                    }
                    walk(&mut o.steps, from, to);
                }
                Step::Repeat(r) => walk(&mut r.steps, from, to),
                Step::Gather(b) => b.iter_mut().for_each(|b| walk(b, from, to)),
                _ => {}
            }
        }
    }
    if let Some(spec) = s.pools.remove(from) {
        s.pools.insert(to.to_owned(), spec);
        for c in &mut s.workload.classes {
            walk(&mut c.steps, from, to);
        }
    }
}

/// One named pool: name (renamed on Enter or leaving the field), kind, workers, start method.
fn pool_row(name: String) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let id = format!("ed-pool-{name}");
    let kind = {
        let name = name.clone();
        Memo::new(move |_| {
            pg.draft.with(|d| {
                d.as_ref()
                    .and_then(|s| s.pools.get(&name))
                    .map(|p| matches!(p, PoolSpec::Process { .. }))
            })
        })
    };
    let rename_error = RwSignal::new(None::<String>);
    let rename = {
        let name = name.clone();
        move |ev: leptos::ev::Event| {
            let to = event_target_value(&ev).trim().to_owned();
            if to == name {
                rename_error.set(None);
                return;
            }
            let taken = pg
                .draft
                .with_untracked(|d| d.as_ref().is_some_and(|s| s.pools.contains_key(&to)));
            if to.is_empty() {
                rename_error.set(Some("a pool needs a name".to_owned()));
            } else if taken {
                rename_error.set(Some(format!("there is already a pool named {to:?}")));
            } else {
                rename_error.set(None);
                edit(pg, |s| rename_pool(s, &name, &to));
            }
        }
    };
    let kinds: Vec<Choice> = vec![
        (
            "thread",
            "threads".to_owned(),
            "ThreadPoolExecutor in the submitting process: shares its GIL".to_owned(),
        ),
        (
            "process",
            "processes".to_owned(),
            "ProcessPoolExecutor: own GIL each; start-up and pickling costs".to_owned(),
        ),
    ];
    let (n1, n2, n3, n4, n5) = (
        name.clone(),
        name.clone(),
        name.clone(),
        name.clone(),
        name.clone(),
    );
    let set_kind = move |k: String| {
        edit(pg, |s| {
            if let Some(p) = s.pools.get_mut(&n1) {
                let workers = match *p {
                    PoolSpec::Thread { workers } | PoolSpec::Process { workers, .. } => workers,
                };
                *p = if k == "process" {
                    PoolSpec::Process {
                        workers,
                        start: StartMethod::Fork,
                    }
                } else {
                    PoolSpec::Thread { workers }
                };
            }
        })
    };
    let remove = move || {
        edit(pg, |s| {
            s.pools.remove(&n2);
        })
    };
    let start_id = format!("{id}-start");
    view! {
        <div class="pool row" role="group" aria-label=format!("Pool {name}")>
            <input
                id=format!("{id}-name")
                class="in w-m"
                type="text"
                spellcheck="false"
                aria-label=format!("Name of pool {name}")
                title="The name offload steps use; renaming updates them. Enter to apply"
                prop:value=name.clone()
                aria-invalid=move || rename_error.get().is_some().to_string()
                on:change=rename
            />
            {select(
                format!("{id}-kind"),
                format!("Kind of pool {name}"),
                kinds,
                move || if kind.get() == Some(true) { "process" } else { "thread" }.to_owned(),
                set_kind,
            )}
            {field(
                Spec::new(format!("{id}-workers"), format!("pools.{name}.workers"), "w-xs")
                    .label("workers")
                    .title("Threads or processes in the pool (1 to 1024); ↑/↓ to step")
                    .mode("numeric"),
                U32,
                move |s| {
                    s.pools.get(&n3).map(|p| match *p {
                        PoolSpec::Thread { workers } | PoolSpec::Process { workers, .. } => workers,
                    })
                },
                move |s, v| match s.pools.get_mut(&n4) {
                    Some(PoolSpec::Thread { workers } | PoolSpec::Process { workers, .. }) => {
                        *workers = v
                    }
                    None => {}
                },
            )}
            {move || {
                (kind.get() == Some(true))
                    .then(|| {
                        let n = n5.clone();
                        crate::models::start_select(
                            start_id.clone(),
                            format!("Start method of pool {n}"),
                            {
                                let n = n.clone();
                                move |s: &Scenario| match s.pools.get(&n) {
                                    Some(PoolSpec::Process { start, .. }) => Some(*start),
                                    _ => None,
                                }
                            },
                            move |s: &mut Scenario, v| {
                                if let Some(PoolSpec::Process { start, .. }) = s.pools.get_mut(&n) {
                                    *start = v;
                                }
                            },
                        )
                    })
            }}
            {icon_button(None, "×", format!("Remove pool {name}"), false, remove)}
            {move || {
                rename_error.get().map(|m| view! { <span class="fld-err" data-testid="field-error">{m}</span> })
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::{presets, validate};

    #[test]
    fn renaming_a_pool_renames_the_steps_that_use_it() {
        let mut s = Scenario::from_json(include_str!("../../../../examples/api-with-reports.json"))
            .expect("the example parses");
        rename_pool(&mut s, "reports", "pdf");
        assert!(s.pools.contains_key("pdf") && !s.pools.contains_key("reports"));
        validate(&s).expect("still valid: the offload follows the rename");
    }

    #[test]
    fn arrivals_convert_keeping_the_count() {
        for preset in presets::all() {
            for (key, _, _) in ARRIVALS {
                let mut s = preset.clone();
                s.workload.arrivals = convert_arrivals(&s.workload.arrivals, key);
                assert_eq!(arrivals_key(&s.workload.arrivals), key);
                assert_eq!(
                    s.workload.arrivals.count(),
                    preset.workload.arrivals.count()
                );
                validate(&s).unwrap_or_else(|e| panic!("{} as {key}: {e}", preset.name));
            }
        }
    }
}
