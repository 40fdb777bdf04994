//! The task classes: one card per class (name, weight and its share of tasks, payload, steps)
//! and adding or removing classes.

use leptos::prelude::*;
use whenasync_sim::{Dist, Dur, Step, TaskClass, MS};

use crate::app::Playground;
use crate::editor::fields::{error_note, field, icon_button, Codec, Spec, F64};
use crate::editor::ops::ListAt;
use crate::editor::steps::step_list;
use crate::editor::{edit, focus_later};
use crate::format;

/// A name (any text; the validator bounds its length).
const NAME: Codec<String> = Codec {
    parse: |t| Ok(t.to_owned()),
    format: |s| s.clone(),
    steps: false,
};

/// Every task class, with an "Add class" button.
#[component]
pub(super) fn Classes() -> impl IntoView {
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
