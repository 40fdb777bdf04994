//! The simulator's integration tests: one binary, one module per concern.

mod accept;
mod invariants;
mod presets;
mod snapshots;
mod tidy;
