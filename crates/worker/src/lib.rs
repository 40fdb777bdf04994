//! The playground's Web Worker, seen from both sides: the messages the page and the worker
//! exchange ([`protocol`]), and the compact binary form a [`whenasync_sim::Run`] travels in
//! ([`wire`]).
//!
//! ```text
//!   page (crates/app)                           worker (src/main.rs)
//!     new Worker("whenasync-worker_loader.js") ──▶ loads its wasm, posts Ready
//!     Request::Simulate { job, scenario, model } ──▶ simulate_model_with_progress
//!                      ◀── Reply::Progress { job, fraction } (a few per second)
//!                      ◀── Reply::Run { job, bytes }       (wire::encode, transferred)
//!     Request::Outline { … }                     ──▶ Reply::Run (no trace: figures first)
//!     Request::Figures { … }                     ──▶ Reply::Figures (sweeps: numbers only)
//!     Request::Python { … }                      ──▶ Reply::Python (the program's text)
//! ```
//!
//! The library is plain Rust (no browser types), so both the codec and the protocol are
//! tested natively; the binary is the thin wasm shell around it.

pub mod protocol;
pub mod wire;

pub use protocol::{Figures, Reply, Request};
