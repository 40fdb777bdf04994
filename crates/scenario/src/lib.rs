//! The scenario file format (`docs/scenario-format.md`): the types a scenario is made of,
//! durations and the distributions they are drawn from, and JSON in and out
//! ([`Scenario::from_json`], [`Scenario::to_json`]).
//!
//! It is a crate of its own, below `whenasync-sim`, for the page's sake: Cargo sets the
//! optimisation level per crate, the page builds the simulator for speed and everything else
//! for size, and the JSON code serde derives for these types is compiled in the crate that
//! parses them. Here it is built for size (15 KB less gzipped wasm than inside the
//! simulator's crate), while the engine that runs a scenario stays fast. Models and pools,
//! objects tagged by `kind`, are read flat (`tagged.rs`) rather than through serde's buffering
//! of tagged enums: 10 KB less again.
//! `whenasync-sim` re-exports all of it: `whenasync_sim::Scenario` is this crate's.

pub mod duration;
mod error;
pub mod number;
pub mod scenario;
mod tagged;

pub use duration::{Dist, Dur, Ns, MS, SEC, US};
pub use error::ScenarioError;
pub use scenario::{
    Arrivals, Machine, Model, PoolSpec, Scenario, StartMethod, Step, TaskClass, Workload,
};
