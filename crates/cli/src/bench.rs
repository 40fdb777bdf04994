//! `whenasync bench`: the engine's speed (events per second) and peak memory on the reference
//! scenario — a `ThreadPoolExecutor(8)` sharing one GIL, requests of 2 ms CPU, 20 ms I/O and
//! 1 ms CPU arriving as Poisson traffic at 300 requests/s.

use std::time::Instant;

use whenasync_sim::presets::bench_scenario;
use whenasync_sim::{simulate_model, validate, Model, ScenarioError};

pub fn run(tasks: u32, repeat: u32) -> Result<(), ScenarioError> {
    let ck = validate(&bench_scenario(tasks))?;
    let model = Model::Threads { workers: 8 };
    let mut best = f64::INFINITY;
    let mut events = 0;
    let mut segments = 0;
    for _ in 0..repeat {
        let t0 = Instant::now();
        let run = simulate_model(&ck, &model)?;
        let secs = t0.elapsed().as_secs_f64();
        best = best.min(secs);
        events = run.summary.events;
        segments = run.segments.len() + run.task_segments.len();
        std::hint::black_box(&run);
    }
    let seg_bytes = std::mem::size_of::<whenasync_sim::Segment>();
    println!(
        "scenario: threads(8), {tasks} requests (2 ms CPU, 20 ms I/O, 1 ms CPU), Poisson 300/s"
    );
    println!("events:            {events}");
    println!("best of {repeat}:         {:.3} s", best);
    println!("events per second: {:.2} M", events as f64 / best / 1e6);
    println!("segments:          {segments} ({seg_bytes} bytes each)");
    match peak_rss_kb() {
        Some(kb) => println!("peak memory (RSS): {:.1} MB", kb as f64 / 1024.0),
        None => println!("peak memory (RSS): unavailable on this platform"),
    }
    Ok(())
}

/// Peak resident set size of this process, from `/proc/self/status` (Linux).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
