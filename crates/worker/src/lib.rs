//! The playground's Web Worker, seen from both sides: the messages the page and the worker
//! exchange ([`protocol`]), and the compact binary form a [`whenasync_sim::Run`] travels in
//! ([`wire`]).
//!
//! ```text
//!   page (crates/app)                           worker (src/shell.rs)
//!     new Worker("whenasync-worker.js"), then    ──▶ instantiates the page's own wasm module,
//!       { glue, module }                              calls serve(): posts Ready
//!     Request::Simulate { job, scenario, model } ──▶ simulate_model_with_progress
//!                      ◀── Reply::Progress { job, fraction } (a few per second)
//!                      ◀── Reply::Run { job, bytes }       (wire::encode, transferred)
//!     Request::Outline { … }                     ──▶ Reply::Run (no trace: figures first)
//!     Request::Figures { … }                     ──▶ Reply::Figures (sweeps: numbers only)
//! ```
//!
//! The protocol and the codec are plain Rust (no browser types), tested natively; `shell`
//! is the thin wasm glue around them, linked into the page's module (one wasm for the page
//! and its workers: downloaded and compiled once).

pub mod protocol;
#[cfg(target_arch = "wasm32")]
pub mod shell;
pub mod wire;

pub use protocol::{Figures, Reply, Request};
