//! Hard limits that keep any input bounded in time and memory.

use crate::duration::{Ns, SEC};

/// Most tasks in one scenario.
pub const MAX_TASKS: u32 = 1_000_000;
/// Most task classes.
pub const MAX_CLASSES: usize = 64;
/// Most steps in one class, counting nested ones.
pub const MAX_STEPS: usize = 256;
/// Most steps of one task once `repeat`s are unrolled.
pub const MAX_EXPANDED_STEPS: usize = 10_000;
/// Deepest nesting of `gather`/`offload`/`repeat`.
pub const MAX_DEPTH: usize = 8;
/// Longest single step (largest possible sample).
pub const MAX_STEP: Ns = 3600 * SEC;
/// Most threads or processes in one pool or model.
pub const MAX_WORKERS: u32 = 1024;
/// Most cores.
pub const MAX_CORES: u32 = 256;
/// Most execution models in one scenario.
pub const MAX_MODELS: usize = 8;
/// Most named pools.
pub const MAX_POOLS: usize = 16;
/// Latest arrival, or longest think time × requests per client.
pub const MAX_HORIZON: Ns = 24 * 3600 * SEC;
/// Most events one run may process (checked by estimate before, and enforced during).
pub const MAX_EVENTS: u64 = 200_000_000;
