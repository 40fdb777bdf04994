//! The named pools offload steps can target: adding, renaming (with the steps that use them),
//! their kind, workers and start method.

use leptos::prelude::*;
use whenasync_sim::{PoolSpec, Scenario, StartMethod, Step};

use crate::app::Playground;
use crate::editor::fields::{field, icon_button, select, Choice, Spec, U32};
use crate::editor::{edit, focus_later};

/// Every named pool, with an "Add pool" button.
#[component]
pub(super) fn Pools() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let names = crate::editor::pool_names(pg);
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
    use whenasync_sim::validate;

    #[test]
    fn renaming_a_pool_renames_the_steps_that_use_it() {
        let mut s = Scenario::from_json(include_str!(
            "../../../../../examples/api-with-reports.json"
        ))
        .expect("the example parses");
        rename_pool(&mut s, "reports", "pdf");
        assert!(s.pools.contains_key("pdf") && !s.pools.contains_key("reports"));
        validate(&s).expect("still valid: the offload follows the rename");
    }
}
