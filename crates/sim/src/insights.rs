//! Insights: short sentences that say why a run looks the way it does.
use crate::run::{Insight, Run};
use crate::validate::Checked;

/// Explains a run.
pub fn explain(_run: &Run, _ck: &Checked) -> Vec<Insight> {
    Vec::new()
}
