//! `whenasync bench`: the engine's speed (events per second) and peak memory on the reference
//! scenario — a `ThreadPoolExecutor(8)` sharing one GIL, requests of 2 ms CPU, 20 ms I/O and
//! 1 ms CPU arriving as Poisson traffic at 300 requests/s. Two figures: a full run (every
//! segment written down, as the charts need) and a figures-only run (as sweeps use).

use std::time::Instant;

use whenasync_sim::presets::bench_scenario;
use whenasync_sim::{
    event_counts, simulate_model, simulate_summary, validate, Model, ScenarioError,
};

/// Runs the benchmark `repeat` times; `full_too` also times the full run.
pub fn run(tasks: u32, repeat: u32, full_too: bool) -> Result<(), ScenarioError> {
    let ck = validate(&bench_scenario(tasks))?;
    let model = Model::Threads { workers: 8 };
    let mut full = f64::INFINITY;
    let mut figures_only = f64::INFINITY;
    let mut segments = 0;
    let mut events = 0;
    // The figures-only runs first, then the full runs: interleaved, each figures-only run
    // came after a full run had handed its 57 MB of segments back to the system allocator,
    // and paid to fault memory back in (about 13 % of its time, with glibc).
    for _ in 0..repeat {
        let t0 = Instant::now();
        let summary = simulate_summary(&ck, &model)?;
        figures_only = figures_only.min(t0.elapsed().as_secs_f64());
        events = summary.events;
        std::hint::black_box(&summary);
    }
    if full_too {
        for _ in 0..repeat {
            let t0 = Instant::now();
            let run = simulate_model(&ck, &model)?;
            full = full.min(t0.elapsed().as_secs_f64());
            segments = run.segments.len() + run.task_segments.len();
            std::hint::black_box(&run);
        }
    }
    let counts = event_counts(&ck, &model)?;
    let seg_bytes = std::mem::size_of::<whenasync_sim::Segment>();
    let rate = |secs: f64| events as f64 / secs / 1e6;
    println!(
        "scenario: threads(8), {tasks} requests (2 ms CPU, 20 ms I/O, 1 ms CPU), Poisson 300/s"
    );
    println!("events:                {events}");
    // A timer that ends early is cancelled if it is the next of the GIL waiters' timed waits
    // to come due; any other stays in the queue, popped later to do nothing, and counted.
    println!(
        "  of which superseded:  {} ({:.1} %: timeouts whose wait had ended); {} timers \
         cancelled, not counted",
        counts.superseded,
        100.0 * counts.superseded as f64 / events.max(1) as f64,
        counts.cancelled
    );
    if full_too {
        println!(
            "full run (segments):   {full:.4} s, {:.2} M events/s (best of {repeat})",
            rate(full)
        );
    }
    println!(
        "figures only:          {figures_only:.4} s, {:.2} M events/s (best of {repeat})",
        rate(figures_only)
    );
    if full_too {
        println!("segments:              {segments} ({seg_bytes} bytes each)");
    }
    match peak_rss_kb() {
        Some(kb) => println!("peak memory (RSS):     {:.1} MB", kb as f64 / 1024.0),
        None => println!("peak memory (RSS):     unavailable on this platform"),
    }
    Ok(())
}

/// Peak resident set size of this process, from `/proc/self/status` (Linux).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
