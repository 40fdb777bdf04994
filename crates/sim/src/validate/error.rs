//! The two constructors of [`ScenarioError`] the checks use. The type itself belongs to the
//! scenario format (`whenasync_scenario`), which refuses with it as it parses.

use whenasync_scenario::ScenarioError;

pub(super) fn invalid(field: impl Into<String>, problem: impl Into<String>) -> ScenarioError {
    ScenarioError::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

pub(super) fn too_big(field: impl Into<String>, value: u64, limit: u64) -> ScenarioError {
    ScenarioError::TooBig {
        field: field.into(),
        value,
        limit,
    }
}
