//! The presets: scenario files with stable names (they appear in links), each reproducing a
//! claim from the articles in `shared/seeds/`. The files live in `presets/` at the repository
//! root and are compiled in, so every build carries the same presets.

use crate::scenario::Scenario;
use crate::validate::ScenarioError;

/// `(name, JSON)` of every preset, in gallery order. Names are part of the public interface.
pub const PRESETS: &[(&str, &str)] = &[(
    "gather-10-queries",
    include_str!("../../../presets/gather-10-queries.json"),
)];

/// Names of every preset, in gallery order.
pub fn names() -> impl Iterator<Item = &'static str> {
    PRESETS.iter().map(|(n, _)| *n)
}

/// The preset called `name`, parsed.
pub fn get(name: &str) -> Option<Result<Scenario, ScenarioError>> {
    PRESETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, json)| Scenario::from_json(json))
}

/// Every preset, parsed. A preset that does not parse is a bug caught by the tests.
pub fn all() -> Vec<Scenario> {
    PRESETS
        .iter()
        .filter_map(|(_, json)| Scenario::from_json(json).ok())
        .collect()
}
