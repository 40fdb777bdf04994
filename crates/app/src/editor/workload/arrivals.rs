//! How tasks arrive: the pattern (burst, Poisson, interval, closed loop) and its parameters,
//! the task count, the per-task timeout and the seed.

use leptos::prelude::*;
use whenasync_sim::{Arrivals, Dist, Dur, MS};

use crate::app::Playground;
use crate::editor::edit;
use crate::editor::fields::{error_note, field, icon_button, select, Choice, Spec};
use crate::editor::fields::{F64, OPT_DUR, U32, U64};
use crate::editor::steps::{dist_params, dist_select, DistAt};

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
pub(super) fn ArrivalsEditor() -> impl IntoView {
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
            crate::editor::fields::DUR,
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
                            Some(crate::editor::ops::DistKind::of(think))
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

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::{presets, validate};

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
