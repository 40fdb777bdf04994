//! Why a scenario was refused: [`ScenarioError`], whose `Display` names the field and the
//! limit. Parsing refuses here; `whenasync_sim::validate` and the engine refuse with it too.

use std::fmt;

/// Why a scenario was refused. `Display` is one lower-case line naming the field and limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    /// The text is not valid JSON or does not match the format (serde's message, with line
    /// and column).
    Parse(String),
    /// The `version` is not one this build reads (a link from the future, or garbage).
    UnsupportedVersion(String),
    /// A field has a value the model cannot mean.
    Invalid {
        /// Path of the field, like `workload.classes[0].steps[2].cpu`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A size is over its limit.
    TooBig {
        /// Path of the field.
        field: String,
        /// The value given (or estimated).
        value: u64,
        /// The limit.
        limit: u64,
    },
    /// The run needed more events than the engine's budget
    /// (`whenasync_sim::validate::limits::MAX_EVENTS`).
    TooManyEvents {
        /// The budget that was exceeded.
        limit: u64,
    },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Parse(m) => write!(f, "invalid scenario: {m}"),
            ScenarioError::UnsupportedVersion(v) => write!(
                f,
                "unsupported scenario version {v}: this build reads version {}",
                crate::scenario::FORMAT_VERSION
            ),
            ScenarioError::Invalid { field, problem } => write!(f, "{field}: {problem}"),
            ScenarioError::TooBig {
                field,
                value,
                limit,
            } => {
                write!(f, "{field}: {value} is over the limit of {limit}")
            }
            ScenarioError::TooManyEvents { limit } => {
                write!(
                    f,
                    "the run needs more than {limit} events; make the scenario smaller"
                )
            }
        }
    }
}

impl std::error::Error for ScenarioError {}
