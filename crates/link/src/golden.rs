//! The golden links file (`tests/golden-links`): links of every format version, each followed
//! by the summary its scenario must reproduce. One renderer, used by the native test and by
//! the browser test that proves wasm runs equal native ones, nanosecond for nanosecond.

use whenasync_sim::simulate;

use crate::{decode, scenario_of};

/// Recomputes the file: comments, blank lines and `link …` lines are kept, and each link is
/// followed by one line per model with its exact makespan, p50, p99 and completed count.
pub fn recompute(golden: &str) -> Result<String, String> {
    let mut out = String::new();
    for line in golden.lines() {
        if line.starts_with("  ") {
            continue; // the old summary lines: recomputed below
        }
        out.push_str(line);
        out.push('\n');
        if let Some(link) = line.strip_prefix("link ") {
            let sc = decode(link)
                .and_then(|l| scenario_of(&l))
                .map_err(|e| format!("{link}: {e}"))?;
            let runs = simulate(&sc).map_err(|e| format!("{link}: {e}"))?;
            for run in runs {
                let s = &run.summary;
                out.push_str(&format!(
                    "  {} makespan_ns={} p50_ns={} p99_ns={} completed={}\n",
                    run.model, s.makespan, s.latency.p50, s.latency.p99, s.completed
                ));
            }
        }
    }
    Ok(out)
}
