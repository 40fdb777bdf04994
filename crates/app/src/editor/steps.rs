//! Lists of steps, recursively: each step's kind and duration distribution, a container's
//! nested steps (offload to a pool, gather branches, repeat), and moving steps with buttons or
//! Alt+↑/↓ from anywhere in the row.
//!
//! Rows are keyed by index and re-render only when a list's length changes; everything else
//! (values, a step's kind, a distribution's shape) updates in place, so the control being used
//! keeps its focus.

use std::sync::Arc;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use whenasync_sim::{Dist, Dur, Scenario, Step, MS};

use super::fields::{error_note, field, icon_button, select, Choice, Spec, DUR, F64, U32};
use super::ops::{
    convert_dist, convert_step, dist_mut, dist_of, move_item, DistKind, Hop, ListAt, StepKind,
};
use super::{edit, focus_later};
use crate::app::Playground;

/// Reads a distribution somewhere in the scenario.
pub type DistGet = Arc<dyn Fn(&Scenario) -> Option<&Dist> + Send + Sync>;
/// Finds a distribution somewhere in the scenario, to change it.
pub type DistGetMut = Arc<dyn Fn(&mut Scenario) -> Option<&mut Dist> + Send + Sync>;

/// Where a distribution lives: a step's duration or a closed loop's think time.
#[derive(Clone)]
pub struct DistAt {
    /// Reads it.
    pub get: DistGet,
    /// Changes it.
    pub get_mut: DistGetMut,
}

impl DistAt {
    /// From two accessors.
    pub fn new<G, M>(get: G, get_mut: M) -> Self
    where
        G: for<'a> Fn(&'a Scenario) -> Option<&'a Dist> + Send + Sync + 'static,
        M: for<'a> Fn(&'a mut Scenario) -> Option<&'a mut Dist> + Send + Sync + 'static,
    {
        DistAt {
            get: Arc::new(get),
            get_mut: Arc::new(get_mut),
        }
    }

    /// The duration of leaf step `i` of `at`.
    pub fn step(at: &ListAt, i: usize) -> Self {
        let (a, b) = (at.clone(), at.clone());
        DistAt::new(
            move |s| a.get(s)?.get(i).and_then(dist_of),
            move |s| b.get_mut(s)?.get_mut(i).and_then(dist_mut),
        )
    }
}

/// The menu of distribution shapes.
fn dist_choices() -> Vec<Choice> {
    DistKind::ALL
        .into_iter()
        .map(|k| (k.key(), k.key().to_owned(), k.meaning().to_owned()))
        .collect()
}

/// The shape menu of the distribution at `d`.
pub fn dist_select(d: DistAt, id: String, aria: String) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let get = d.get.clone();
    let current = move || {
        pg.draft
            .with(|s| s.as_ref().and_then(|s| get(s)).map(DistKind::of))
            .unwrap_or(DistKind::Fixed)
            .key()
            .to_owned()
    };
    let pick = move |key: String| {
        let Some(k) = DistKind::from_key(&key) else {
            return;
        };
        let get_mut = d.get_mut.clone();
        edit(pg, move |s| {
            if let Some(x) = get_mut(s) {
                *x = convert_dist(x, k);
            }
        });
    };
    select(id, aria, dist_choices(), current, pick)
}

/// One duration parameter of the distribution at `d`.
fn dur_param(
    d: &DistAt,
    spec: Spec,
    read: fn(&Dist) -> Option<Dur>,
    write: fn(&mut Dist, Dur),
) -> AnyView {
    let (get, get_mut) = (d.get.clone(), d.get_mut.clone());
    field(
        spec,
        DUR,
        move |s| get(s).and_then(read),
        move |s, v| {
            if let Some(x) = get_mut(s) {
                write(x, v);
            }
        },
    )
}

/// The parameters of the distribution at `d`, which has shape `kind`. The validator's message
/// about the distribution (`field`) is shown after the last parameter.
pub fn dist_params(d: DistAt, kind: DistKind, id: &str, name: &str, field_name: String) -> AnyView {
    let spec = |n: usize, what: &str, last: bool| {
        Spec::new(
            format!("{id}-v{n}"),
            if last {
                field_name.clone()
            } else {
                String::new()
            },
            "w-s",
        )
        .aria(format!("{name} {what}"))
        .placeholder("e.g. 2.5ms")
        .title(format!(
            "{what}: a number and a unit (ns, us, ms, s), e.g. 2.5ms"
        ))
        .mode("decimal")
    };
    match kind {
        DistKind::Fixed => dur_param(
            &d,
            spec(0, "duration", true),
            |x| match x {
                Dist::Fixed(v) => Some(*v),
                _ => None,
            },
            |x, v| {
                if let Dist::Fixed(a) = x {
                    *a = v;
                }
            },
        ),
        DistKind::Uniform => view! {
            {dur_param(
                &d,
                spec(0, "lower bound", false).label("from"),
                |x| match x {
                    Dist::Uniform(a, _) => Some(*a),
                    _ => None,
                },
                |x, v| {
                    if let Dist::Uniform(a, _) = x {
                        *a = v;
                    }
                },
            )}
            {dur_param(
                &d,
                spec(1, "upper bound", true).label("to"),
                |x| match x {
                    Dist::Uniform(_, b) => Some(*b),
                    _ => None,
                },
                |x, v| {
                    if let Dist::Uniform(_, b) = x {
                        *b = v;
                    }
                },
            )}
        }
        .into_any(),
        DistKind::Exp => dur_param(
            &d,
            spec(0, "mean", true).label("mean"),
            |x| match x {
                Dist::Exp(v) => Some(*v),
                _ => None,
            },
            |x, v| {
                if let Dist::Exp(a) = x {
                    *a = v;
                }
            },
        ),
        DistKind::LogNormal => {
            let (get, get_mut) = (d.get.clone(), d.get_mut.clone());
            view! {
                {dur_param(
                    &d,
                    spec(0, "median", false).label("median"),
                    |x| match x {
                        Dist::LogNormal { median, .. } => Some(*median),
                        _ => None,
                    },
                    |x, v| {
                        if let Dist::LogNormal { median, .. } = x {
                            *median = v;
                        }
                    },
                )}
                {field(
                    Spec::new(format!("{id}-v1"), field_name.clone(), "w-xs")
                        .label("σ")
                        .aria(format!("{name} sigma"))
                        .title("σ: the standard deviation of the log, 0 to 4 (1 is heavy-tailed)")
                        .mode("decimal"),
                    F64,
                    move |s| match get(s)? {
                        Dist::LogNormal { sigma, .. } => Some(*sigma),
                        _ => None,
                    },
                    move |s, v| {
                        if let Some(Dist::LogNormal { sigma, .. }) = get_mut(s) {
                            *sigma = v;
                        }
                    },
                )}
            }
            .into_any()
        }
    }
}

/// The step a new "Add step" appends: a millisecond of Python.
fn new_step() -> Step {
    Step::Cpu(Dist::Fixed(Dur(MS)))
}

/// An editable list of steps with an "Add step" button.
pub fn step_list(at: ListAt) -> AnyView {
    let pg = expect_context::<Playground>();
    let len = {
        let at = at.clone();
        Memo::new(move |_| {
            pg.draft
                .with(|d| d.as_ref().and_then(|s| at.get(s)).map_or(0, Vec::len))
        })
    };
    let dom = at.dom();
    let add_id = format!("ed-{dom}-add");
    let add = {
        let at = at.clone();
        let dom = dom.clone();
        move |_| {
            let mut at_len = 0;
            edit(pg, |s| {
                if let Some(list) = at.get_mut(s) {
                    list.push(new_step());
                    at_len = list.len();
                }
            });
            focus_later(vec![format!("ed-{dom}-s{}-kind", at_len.saturating_sub(1))]);
        }
    };
    let error = error_note(vec![at.field()], true);
    let nested = at.depth() > 0;
    let rows = {
        let at = at.clone();
        move || {
            let n = len.get();
            (0..n).map(|i| step_row(at.clone(), i, n)).collect_view()
        }
    };
    let aria = at.describe();
    view! {
        <ol class="steps" class:nested=nested aria-label=aria>
            {rows}
        </ol>
        {error}
        <button type="button" class="add" id=add_id on:click=add>
            "+ Add step"
        </button>
    }
    .into_any()
}

/// What a step's row shows below its head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    Leaf,
    Offload,
    Gather,
    Repeat,
}

fn body_of(kind: StepKind) -> Body {
    match kind {
        StepKind::Offload => Body::Offload,
        StepKind::Gather => Body::Gather,
        StepKind::Repeat => Body::Repeat,
        _ => Body::Leaf,
    }
}

fn kind_choices() -> Vec<Choice> {
    StepKind::ALL
        .into_iter()
        .map(|k| (k.key(), k.key().to_owned(), k.python().to_owned()))
        .collect()
}

/// Step `i` of the `n` steps of `at`.
fn step_row(at: ListAt, i: usize, n: usize) -> AnyView {
    let pg = expect_context::<Playground>();
    let dom = at.dom();
    let row = format!("ed-{dom}-s{i}");
    let name = at.step_name(i);
    let step_field = at.step_field(i);
    let kind = {
        let at = at.clone();
        Memo::new(move |_| {
            pg.draft
                .with(|d| d.as_ref().and_then(|s| at.get(s)?.get(i).map(StepKind::of)))
                .unwrap_or(StepKind::Cpu)
        })
    };
    let body = Memo::new(move |_| body_of(kind.get()));
    let dist_kind = {
        let at = at.clone();
        Memo::new(move |_| {
            pg.draft.with(|d| {
                d.as_ref()
                    .and_then(|s| at.get(s)?.get(i).and_then(dist_of).map(DistKind::of))
            })
        })
    };

    // Moving and removing, with the focus following the step.
    let move_to = {
        let at = at.clone();
        let dom = dom.clone();
        move |to: usize, suffix: &str| {
            edit(pg, |s| {
                if let Some(list) = at.get_mut(s) {
                    move_item(list, i, to);
                }
            });
            focus_later(vec![
                format!("ed-{dom}-s{to}-{suffix}"),
                format!("ed-{dom}-s{to}-kind"),
            ]);
        }
    };
    let remove = {
        let at = at.clone();
        let dom = dom.clone();
        move || {
            edit(pg, |s| {
                if let Some(list) = at.get_mut(s) {
                    if list.len() > 1 && i < list.len() {
                        list.remove(i);
                    }
                }
            });
            let next = i.min(n.saturating_sub(2));
            focus_later(vec![
                format!("ed-{dom}-s{next}-kind"),
                format!("ed-{dom}-add"),
            ]);
        }
    };
    let on_key = {
        let move_to = move_to.clone();
        let row = row.clone();
        move |ev: KeyboardEvent| {
            if !ev.alt_key() || !matches!(ev.key().as_str(), "ArrowUp" | "ArrowDown") {
                return;
            }
            // The innermost row handles it; outer rows never see it.
            ev.prevent_default();
            ev.stop_propagation();
            let to = match ev.key().as_str() {
                "ArrowUp" if i > 0 => i - 1,
                "ArrowDown" if i + 1 < n => i + 1,
                _ => return,
            };
            let target = event_target::<web_sys::Element>(&ev).id();
            let suffix = target
                .strip_prefix(&format!("{row}-"))
                .unwrap_or("kind")
                .to_owned();
            move_to(to, &suffix);
        }
    };

    let set_kind = {
        let at = at.clone();
        move |key: String| {
            let Some(k) = StepKind::from_key(&key) else {
                return;
            };
            edit(pg, |s| {
                if let Some(step) = at.get_mut(s).and_then(|l| l.get_mut(i)) {
                    *step = convert_step(step, k);
                }
            });
        }
    };
    let kind_select = select(
        format!("{row}-kind"),
        format!("{name} kind"),
        kind_choices(),
        move || kind.get().key().to_owned(),
        set_kind,
    );

    // The head's middle: a leaf's distribution shape, an offload's pool, a repeat's count.
    let head_extra = {
        let at = at.clone();
        let row = row.clone();
        let name = name.clone();
        let step_field = step_field.clone();
        move || match body.get() {
            Body::Leaf => dist_select(
                DistAt::step(&at, i),
                format!("{row}-dist"),
                format!("{name} distribution"),
            )
            .into_any(),
            Body::Offload | Body::Gather => ().into_any(),
            Body::Repeat => {
                let (a, b) = (at.clone(), at.clone());
                let unrolled = format!("{step_field}.repeat");
                view! {
                    {field(
                        Spec::new(format!("{row}-times"), format!("{step_field}.repeat.times"), "w-xs")
                            .label("×")
                            .aria(format!("{name} iterations"))
                            .title("Iterations of the loop body (each drawn anew); ↑/↓ to step")
                            .mode("numeric"),
                        U32,
                        move |s| match a.get(s)?.get(i)? {
                            Step::Repeat(r) => Some(r.times),
                            _ => None,
                        },
                        move |s, v| {
                            if let Some(Step::Repeat(r)) = b.get_mut(s).and_then(|l| l.get_mut(i)) {
                                r.times = v;
                            }
                        },
                    )}
                    {error_note(vec![unrolled.clone()], false)}
                }
                .into_any()
            }
        }
    };

    let body_view = {
        let at = at.clone();
        let row = row.clone();
        let name = name.clone();
        let step_field = step_field.clone();
        move || match body.get() {
            Body::Leaf => {
                // Re-created when the step's kind changes: the validator names the kind.
                let k = kind.get();
                let Some(dk) = dist_kind.get() else {
                    return ().into_any();
                };
                view! {
                    <div class="step-params">
                        {dist_params(
                            DistAt::step(&at, i),
                            dk,
                            &row,
                            &name,
                            format!("{step_field}.{}", k.key()),
                        )}
                    </div>
                }
                .into_any()
            }
            Body::Offload => view! {
                <div class="step-params">{pool_select(&at, i, &row, &name, &step_field)}</div>
                {step_list(at.child(Hop::Offload(i)))}
            }
            .into_any(),
            Body::Repeat => step_list(at.child(Hop::Repeat(i))),
            Body::Gather => gather_branches(&at, i, &name, &step_field),
        }
    };

    let (up, down) = (move_to.clone(), move_to);
    view! {
        <li class="step" id=row.clone() on:keydown=on_key data-kind=move || kind.get().key()>
            <div class="step-head">
                <span class="num" aria-hidden="true">{i + 1}</span>
                {kind_select}
                {head_extra}
                <span class="acts">
                    {icon_button(
                        Some(format!("{row}-up")),
                        "↑",
                        format!("Move {name} up (Alt+↑)"),
                        i == 0,
                        move || up(i.saturating_sub(1), "up"),
                    )}
                    {icon_button(
                        Some(format!("{row}-down")),
                        "↓",
                        format!("Move {name} down (Alt+↓)"),
                        i + 1 >= n,
                        move || down(i + 1, "down"),
                    )}
                    {icon_button(Some(format!("{row}-rm")), "×", format!("Remove {name}"), n <= 1, remove)}
                </span>
            </div>
            {body_view}
        </li>
    }
    .into_any()
}

/// The pool menu of offload step `i` of `at`: "default" and every named pool.
fn pool_select(at: &ListAt, i: usize, row: &str, name: &str, step_field: &str) -> AnyView {
    let pg = expect_context::<Playground>();
    let names = Memo::new(move |_| {
        pg.draft.with(|d| {
            d.as_ref()
                .map(|s| s.pools.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let (a, b) = (at.clone(), at.clone());
    let current = Arc::new(move || {
        pg.draft
            .with(|d| {
                d.as_ref().and_then(|s| match a.get(s)?.get(i)? {
                    Step::Offload(o) => Some(o.pool.clone()),
                    _ => None,
                })
            })
            .unwrap_or_else(|| "default".to_owned())
    });
    let id = format!("{row}-pool");
    let aria = format!("{name} pool");
    let pool_field = format!("{step_field}.offload.pool");
    view! {
        <label class="mini" for=id.clone()>"pool"</label>
        {move || {
            let mut keys = vec!["default".to_owned()];
            keys.extend(names.get().into_iter().filter(|k| k != "default"));
            let now = current();
            if !keys.contains(&now) {
                keys.push(now.clone());
            }
            let b = b.clone();
            let current = current.clone();
            let pick = move |key: String| {
                edit(pg, |s| {
                    if let Some(Step::Offload(o)) = b.get_mut(s).and_then(|l| l.get_mut(i)) {
                        o.pool = key;
                    }
                });
            };
            // Options own their keys; `select` wants static ones, so build them here.
            view! {
                <select
                    id=id.clone()
                    class="in sel"
                    aria-label=aria.clone()
                    title="The executor the steps run on: \"default\" is the loop's ThreadPoolExecutor (min(32, cores + 4) threads); add named pools under Pools"
                    on:change=move |ev| pick(event_target_value(&ev))
                >
                    {keys
                        .into_iter()
                        .map(|k| {
                            let current = current.clone();
                            let (key, value) = (k.clone(), k.clone());
                            view! {
                                <option value=value prop:selected=move || current() == key>
                                    {k}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            }
        }}
        {error_note(vec![pool_field], false)}
    }
    .into_any()
}

/// The branches of gather step `i` of `at`, each a list of steps.
fn gather_branches(at: &ListAt, i: usize, name: &str, step_field: &str) -> AnyView {
    let pg = expect_context::<Playground>();
    let count = {
        let at = at.clone();
        Memo::new(move |_| {
            pg.draft.with(|d| {
                d.as_ref()
                    .and_then(|s| match at.get(s)?.get(i)? {
                        Step::Gather(b) => Some(b.len()),
                        _ => None,
                    })
                    .unwrap_or(0)
            })
        })
    };
    let gather_field = format!("{step_field}.gather");
    let branches = {
        let at = at.clone();
        let name = name.to_owned();
        move || {
            let n = count.get();
            (0..n)
                .map(|j| {
                    let at2 = at.clone();
                    let remove = move || {
                        edit(pg, |s| {
                            if let Some(Step::Gather(b)) = at2.get_mut(s).and_then(|l| l.get_mut(i))
                            {
                                if b.len() > 1 && j < b.len() {
                                    b.remove(j);
                                }
                            }
                        });
                    };
                    view! {
                        <div class="branch">
                            <div class="branch-head">
                                <span>{format!("branch {}", j + 1)}</span>
                                {icon_button(
                                    None,
                                    "×",
                                    format!("Remove branch {} of {name}", j + 1),
                                    n <= 1,
                                    remove,
                                )}
                            </div>
                            {step_list(at.child(Hop::Gather(i, j)))}
                        </div>
                    }
                })
                .collect_view()
        }
    };
    let add = {
        let at = at.clone();
        move |_| {
            edit(pg, |s| {
                if let Some(Step::Gather(b)) = at.get_mut(s).and_then(|l| l.get_mut(i)) {
                    b.push(vec![Step::Io(Dist::Fixed(Dur(10 * MS)))]);
                }
            });
        }
    };
    view! {
        <div class="branches">
            {branches}
            {error_note(vec![gather_field], true)}
            <button type="button" class="add" on:click=add>
                "+ Add branch"
            </button>
        </div>
    }
    .into_any()
}
