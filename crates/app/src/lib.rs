//! The whenasync playground: a Leptos (client-side rendered) app that simulates a scenario
//! with `whenasync-sim` in the browser and draws what every worker, GIL and core did.
//!
//! ```text
//!   Playground.scenario ──Memo──▶ Playground.runs ──▶ SummaryTable, Legend
//!        (RwSignal)                                └─▶ RunPanel ─▶ GanttChart (canvas)
//! ```
//!
//! `main.rs` only mounts [`App`]; everything else lives here so tests can mount components.
//! Colours are defined once, in [`theme`].

pub mod app;
pub mod axis;
pub mod chart;
pub mod format;
pub mod gantt;
pub mod panels;
pub mod theme;

pub use app::{App, Playground, LANDING_PRESET};
