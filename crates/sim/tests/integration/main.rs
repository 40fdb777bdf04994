//! The simulator's integration tests: one binary, one module per concern.

mod invariants;
mod presets;
mod snapshots;
mod tidy;
