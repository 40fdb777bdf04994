//! Claims about servers of worker processes: throughput scales with workers up to the cores
//! (with greedy accept's tail), and at moderate load sync workers match async ones.

use whenasync_sim::MS;

use super::helpers::{load, ms, ratio_within, run_preset, within, Runs};

/// N worker processes multiply CPU throughput up to the core count.
#[test]
fn uvicorn_workers() {
    let r = run_preset("uvicorn-workers");
    let tp = |n: u32| {
        r.get(&format!("server({n} × async)"))
            .summary
            .throughput_per_s
    };
    let (t1, t2, t4, t8) = (tp(1), tp(2), tp(4), tp(8));
    ratio_within("1 worker req/s", t1, 90.0, 101.0);
    ratio_within("2 / 1 workers", t2 / t1, 1.85, 2.05);
    ratio_within("4 / 1 workers", t4 / t1, 3.6, 4.05);
    // Four cores: eight workers only share them.
    ratio_within("8 / 4 workers", t8 / t4, 0.9, 1.05);
    let p50 = |n: u32| r.get(&format!("server({n} × async)")).summary.latency.p50;
    assert!(
        p50(1) > p50(2) && p50(2) > p50(4),
        "latency falls with workers"
    );
    ratio_within("p50 1 / 4 workers", p50(1) as f64 / p50(4) as f64, 3.3, 4.7);
    // Greedy accept: the worker that polls first after the clients' opening burst takes it
    // all, and its requests wait behind each other while other workers have few.
    for n in [4, 8] {
        let l = &r.get(&format!("server({n} × async)")).summary.latency;
        assert!(
            l.p99 > 2 * l.p50,
            "{n} workers: p99 {:.0} ms should be more than twice p50 {:.0} ms",
            ms(l.p99),
            ms(l.p50)
        );
        // And the run says so, pointing at the batch on its loop.
        let run = r.get(&format!("server({n} × async)"));
        let i = run
            .insights
            .iter()
            .find(|i| i.rule == "greedy_accept")
            .unwrap_or_else(|| panic!("{n} workers: no greedy_accept insight"));
        assert!(
            i.text.contains("waiting connections in a single poll"),
            "{}",
            i.text
        );
        assert!(i.lane.is_some_and(|l| run.lanes[l as usize].is_loop));
        assert!(i.end > i.start);
    }
    // A thread pool accepts one connection at a time: nothing to say.
    let sc = load("sync-crud-is-fine");
    let r = Runs::of(&sc);
    for run in &r.0 {
        if !run.model.contains("async") {
            assert!(
                run.insights.iter().all(|i| i.rule != "greedy_accept"),
                "{}",
                run.model
            );
        }
    }
}

/// Moderate CRUD load: four sync workers match four async workers.
#[test]
fn sync_crud_is_fine() {
    let r = run_preset("sync-crud-is-fine");
    let sync = &r.get("server(4 × sync)").summary;
    let asy = &r.get("server(4 × async)").summary;
    assert!(sync.core_utilisation < 0.5, "well below capacity");
    ratio_within(
        "p50 sync / async",
        sync.latency.p50 as f64 / asy.latency.p50 as f64,
        0.93,
        1.07,
    );
    ratio_within(
        "p99 sync / async",
        sync.latency.p99 as f64 / asy.latency.p99 as f64,
        0.85,
        1.15,
    );
    // Nobody queues for long: p99 stays within a few service times.
    assert!(
        sync.latency.p99 <= 40 * MS,
        "sync p99 {:.1} ms",
        ms(sync.latency.p99)
    );
    within("sync p50", sync.latency.p50, 5 * MS, 9 * MS);
    ratio_within(
        "throughput sync / async",
        sync.throughput_per_s / asy.throughput_per_s,
        0.99,
        1.01,
    );
}
