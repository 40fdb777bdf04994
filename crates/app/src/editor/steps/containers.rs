//! What a container step holds besides its list: an offload's pool menu and a gather's
//! branches, each branch a list of steps.

use std::sync::Arc;

use leptos::prelude::*;
use whenasync_sim::{Dist, Dur, Step, MS};

use super::step_list;
use crate::app::Playground;
use crate::editor::edit;
use crate::editor::fields::{error_note, icon_button};
use crate::editor::ops::{Hop, ListAt};

/// The pool menu of offload step `i` of `at`: "default" and every named pool.
pub(super) fn pool_select(
    at: &ListAt,
    i: usize,
    row: &str,
    name: &str,
    step_field: &str,
) -> AnyView {
    let pg = expect_context::<Playground>();
    let names = crate::editor::pool_names(pg);
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
pub(super) fn gather_branches(at: &ListAt, i: usize, name: &str, step_field: &str) -> AnyView {
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
