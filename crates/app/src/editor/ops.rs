//! Pure edits of a [`Scenario`]: where a list of steps lives (and its path in the validator's
//! words), converting a step to another kind or a distribution to another shape, moving steps,
//! and matching a validation error to the field it names. No DOM here: tested natively.
//!
//! `ops/path.rs` finds lists of steps, `ops/convert.rs` converts steps and distributions,
//! `ops/text.rs` parses and prints the values typed into fields.
//!
//! [`Scenario`]: whenasync_sim::Scenario

mod convert;
mod path;
#[cfg(test)]
mod tests;
mod text;

use whenasync_sim::ScenarioError;

pub use convert::{central, convert_dist, convert_step, dist_mut, dist_of, DistKind, StepKind};
pub use path::{Hop, ListAt};
pub use text::{dur_text, number_text, parse_count, parse_number, parse_u32};

/// Moves item `from` to `to` in `list` (both in range, or nothing happens).
pub fn move_item<T>(list: &mut [T], from: usize, to: usize) -> bool {
    if from >= list.len() || to >= list.len() || from == to {
        return false;
    }
    if from < to {
        list[from..=to].rotate_left(1);
    } else {
        list[to..=from].rotate_right(1);
    }
    true
}

/// The field an error names, and what is wrong with it, in words for the spot next to it.
pub fn error_parts(e: &ScenarioError) -> (String, String) {
    match e {
        ScenarioError::Invalid { field, problem } => (field.clone(), problem.clone()),
        ScenarioError::TooBig {
            field,
            value,
            limit,
        } => {
            // "…steps (steps in one class)": the parenthesis says what was counted.
            let (field, what) = match field.split_once(" (") {
                Some((f, rest)) => (f.to_owned(), format!(" ({}", rest)),
                None => (field.clone(), String::new()),
            };
            (field, format!("{value}{what} is over the limit of {limit}"))
        }
        other => (String::new(), other.to_string()),
    }
}

/// Whether an error about `error_field` belongs next to the field called `field`.
pub fn names_field(error_field: &str, field: &str) -> bool {
    error_field == field
}
