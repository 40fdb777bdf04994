//! Scratch: prints the summary of a scenario file under each model.
fn main() {
    let path = std::env::args().nth(1).expect("path");
    let text = std::fs::read_to_string(path).expect("read");
    let sc = whenasync_sim::Scenario::from_json(&text).expect("parse");
    for run in whenasync_sim::simulate(&sc).expect("sim") {
        let s = &run.summary;
        println!("{:<24} makespan {:>10.3} ms  p50 {:>9.3} p99 {:>9.3} ms  util {:.2} gilwait {:.1} ms contention {:.2} lag p99 {:.3} ms events {} segs {} tsegs {}",
            run.model, s.makespan as f64/1e6, s.latency.p50 as f64/1e6, s.latency.p99 as f64/1e6, s.core_utilisation, s.gil_wait as f64/1e6, s.gil_contention, s.loop_lag.p99 as f64/1e6, s.events, run.segments.len(), run.task_segments.len());
    }
}
