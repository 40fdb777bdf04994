//! Claims about waiting: many waits overlap on one loop (or on enough threads), gathered
//! queries cost the slowest one, and `asyncio.wait` cancels what threads can only abandon.

use whenasync_sim::{MS, SEC};

use super::helpers::{load, ms, ratio_within, run_preset, within, Runs};

/// Ten 100 ms queries: gathered on a loop ≈ 0.1 s, one after another ≈ 1 s.
#[test]
fn gather_10_queries() {
    let r = run_preset("gather-10-queries");
    let (sync, asy) = (r.get("sync"), r.get("async"));
    within("async makespan", asy.summary.makespan, 90 * MS, 120 * MS);
    within("sync makespan", sync.summary.makespan, 950 * MS, 1100 * MS);
    let speedup = sync.summary.makespan as f64 / asy.summary.makespan as f64;
    ratio_within("sync / async", speedup, 8.0, 10.5);
    // Ten threads overlap the waits as well as the loop does.
    let threads = r.get("threads(10)");
    ratio_within(
        "threads(10) / async",
        threads.summary.makespan as f64 / asy.summary.makespan as f64,
        0.9,
        1.1,
    );
    // Four processes block in their I/O: three rounds (4 + 4 + 2).
    within(
        "processes(4) makespan",
        r.get("processes(4, fork)").summary.makespan,
        290 * MS,
        330 * MS,
    );
}

/// One request, three gathered queries of 30, 80 and 50 ms: the max, not the sum.
#[test]
fn dashboard_gather() {
    let r = run_preset("dashboard-gather");
    let (sync, asy) = (
        &r.get("sync").summary.latency,
        &r.get("async").summary.latency,
    );
    // Async: the slowest query (80 ms) plus a few ms of Python, never more.
    within("async p50", asy.p50, 80 * MS, 85 * MS);
    within("async p99", asy.p99, 80 * MS, 85 * MS);
    // Sync: the sum (160 ms) plus the same Python.
    within("sync p50", sync.p50, 160 * MS, 166 * MS);
    ratio_within(
        "sync / async p50",
        sync.p50 as f64 / asy.p50 as f64,
        1.8,
        2.1,
    );
    // Requests 250 ms apart never queue, so the latency is the request's own.
    within("sync p99 - p50", sync.p99 - sync.p50, 0, MS);
}

/// 10,000 one-second requests: one loop ≈ 1.4 s, a 40-thread pool ≈ 250 s.
#[test]
fn c10k_slow_requests() {
    let r = run_preset("c10k-slow-requests");
    let (asy, threads) = (r.get("async"), r.get("threads(40)"));
    within("async makespan", asy.summary.makespan, SEC, 2 * SEC);
    within("async p50", asy.summary.latency.p50, SEC, 3 * SEC / 2);
    within(
        "threads(40) makespan",
        threads.summary.makespan,
        245 * SEC,
        260 * SEC,
    );
    ratio_within(
        "threads(40) / async p50",
        threads.summary.latency.p50 as f64 / asy.summary.latency.p50 as f64,
        50.0,
        200.0,
    );
}

/// `asyncio.wait(timeout=1)` cancels the stragglers at 1 s; threads can only abandon them.
#[test]
fn wait_timeout_cancel() {
    let sc = load("wait-timeout-cancel");
    let timeout = sc.workload.timeout.expect("the preset sets a timeout").0;
    let r = Runs::of(&sc);
    let (asy, threads) = (r.get("async"), r.get("threads(20)"));
    let a = &asy.summary;
    assert!(
        a.cancelled >= 2,
        "the seed should give a few stragglers, got {}",
        a.cancelled
    );
    assert!(a.completed >= 15);
    within(
        "async makespan",
        a.makespan,
        timeout - 50 * MS,
        timeout + MS,
    );
    for t in asy.tasks.iter().filter(|t| t.cancelled) {
        within(
            &format!("task {} cancelled at", t.id),
            t.end.unwrap_or(0),
            timeout,
            timeout + MS,
        );
    }
    // Threads cannot cancel a running call: the same tasks pass the deadline and run on.
    let th = &threads.summary;
    assert_eq!(th.cancelled, 0);
    assert_eq!(th.timed_out, a.cancelled);
    let cancelled: Vec<u32> = asy
        .tasks
        .iter()
        .filter(|t| t.cancelled)
        .map(|t| t.id)
        .collect();
    let timed_out: Vec<u32> = threads
        .tasks
        .iter()
        .filter(|t| t.timed_out)
        .map(|t| t.id)
        .collect();
    assert_eq!(cancelled, timed_out, "the same stragglers");
    assert!(
        th.makespan >= timeout + timeout / 2,
        "threads run on to {:.0} ms",
        ms(th.makespan)
    );
}
