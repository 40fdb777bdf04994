//! One step's row: its kind menu, what its head shows for that kind, its body (a
//! distribution's parameters or nested steps), and moving or removing it.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use whenasync_sim::Step;

use super::containers::{gather_branches, pool_select};
use super::dist::{dist_params, dist_select, DistAt};
use super::step_list;
use crate::app::Playground;
use crate::editor::fields::{error_note, field, icon_button, select, Choice, Spec, U32};
use crate::editor::ops::{convert_step, dist_of, move_item, DistKind, Hop, ListAt, StepKind};
use crate::editor::{edit, focus_later};

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
pub(super) fn step_row(at: ListAt, i: usize, n: usize) -> AnyView {
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
