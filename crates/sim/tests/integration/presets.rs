//! Presets: every file in `presets/` is registered, parses, validates and runs; and every
//! preset's claim holds on the run's own numbers. The claims are asserted as ratios, orderings
//! and bounds that a wrong engine or a badly tuned preset would break, not as copies of the
//! output. Where a claim needs a variant the scenario cannot hold (one workload per scenario),
//! the test builds the variant by editing the preset's steps.

mod helpers;

mod blocked_loop;
mod cpu_gil;
mod every_preset;
mod format_docs;
mod servers;
mod waits;
