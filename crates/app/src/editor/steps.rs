//! Lists of steps, recursively: each step's kind and duration distribution, a container's
//! nested steps (offload to a pool, gather branches, repeat), and moving steps with buttons or
//! Alt+↑/↓ from anywhere in the row.
//!
//! Rows are keyed by index and re-render only when a list's length changes; everything else
//! (values, a step's kind, a distribution's shape) updates in place, so the control being used
//! keeps its focus.
//!
//! `steps/dist.rs` edits a duration distribution, `steps/row.rs` one step's row,
//! `steps/containers.rs` an offload's pool menu and a gather's branches.

mod containers;
mod dist;
mod row;

use leptos::prelude::*;
use whenasync_sim::{Dist, Dur, Step, MS};

use super::fields::error_note;
use super::ops::ListAt;
use super::{edit, focus_later};
use crate::app::Playground;
use row::step_row;

pub use dist::{dist_params, dist_select, DistAt, DistGet, DistGetMut};

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
