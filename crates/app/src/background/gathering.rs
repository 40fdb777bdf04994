//! The runs of one heavy scenario while they arrive: each model's two jobs (outline, whole
//! run), how far they are, and what is received and waiting to be decoded.

use whenasync_sim::{Run, Scenario};

use super::incoming::Incoming;

/// The share of a job's progress for simulating; the rest is for receiving its run.
pub(super) const SIMULATE_SHARE: f64 = 0.8;

/// The share of the progress bar for the outlines; the rest is for the full runs.
pub(super) const OUTLINE_SHARE: f64 = 0.2;

/// Which of a model's two jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Part {
    /// The run without its trace: figures first.
    Outline = 0,
    /// The whole run.
    Whole = 1,
}

/// Longest slice of decoding per turn of the event loop, ms.
pub(super) const DECODE_SLICE_MS: f64 = 8.0;

/// Shortest time between two moves of the progress bar, ms (its width eases in between).
pub(super) const PROGRESS_EVERY_MS: f64 = 100.0;

/// The runs of one heavy scenario, arriving.
pub(super) struct Gathering {
    pub(super) group: u32,
    pub(super) scenario: Scenario,
    /// Per model, how far its outline and its full job are, 0 to 1.
    pub(super) fractions: Vec<[f64; 2]>,
    /// Runs received and being copied into wasm memory and decoded.
    pub(super) incoming: Vec<Incoming>,
    /// Whether a decoding turn is scheduled.
    pub(super) pumping: bool,
    /// Each model's outline, until they are delivered.
    pub(super) outlines: Vec<Option<Result<Run, String>>>,
    pub(super) runs: Vec<Option<Result<Run, String>>>,
    pub(super) started: f64,
    /// When the progress bar last moved ([`PROGRESS_EVERY_MS`]).
    pub(super) shown_at: f64,
    /// Set when the outlines are delivered (none yet: they have not been), then again in the
    /// next task, once the effects have drawn them: the time `Timing::figures_ms` reports.
    pub(super) figures_ms: Option<f64>,
    pub(super) simulate_ms: f64,
    pub(super) decode_ms: f64,
    pub(super) bytes: usize,
    /// The scenario's JSON while its full runs wait for the outlines to be on screen.
    pub(super) held_json: Option<String>,
}

impl Gathering {
    /// The next run to work on: outlines first (the figures wait for them), then the run that
    /// arrived last (already under way).
    pub(super) fn next_incoming(&mut self) -> Option<Incoming> {
        match self.incoming.iter().position(|i| i.part == Part::Outline) {
            Some(i) => Some(self.incoming.remove(i)),
            None => self.incoming.pop(),
        }
    }

    /// Where model `model`'s outline or whole run goes once received.
    pub(super) fn slot(&mut self, part: Part, model: usize) -> &mut Option<Result<Run, String>> {
        match part {
            Part::Outline => &mut self.outlines[model],
            Part::Whole => &mut self.runs[model],
        }
    }
}
