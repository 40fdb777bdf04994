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
pub mod background;
pub mod boot;
pub mod chart;
pub mod crash;
#[macro_use]
pub mod deferred;
pub mod editor;
pub mod embed;
pub mod exports;
pub mod format;
pub mod gallery;
pub mod gantt;
pub mod insight_links;
pub mod latency;
pub mod machine;
pub mod models;
pub mod panels;
pub mod plot;
pub mod python_panel;
pub mod share;
pub mod sweep;
pub mod theme;
pub mod url;
pub mod workers;

pub use app::{App, Playground, LANDING_PRESET};
