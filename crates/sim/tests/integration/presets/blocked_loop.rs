//! Claims about blocking the event loop: CPU, `time.sleep` or a sync driver in an `async def`
//! stalls every request behind it, and the fixes (threads, workers, awaiting, `to_thread`) do
//! not.

use whenasync_sim::MS;

use super::helpers::{
    blocking_to_awaited, class_latency, inline_offloads, load, ms, ratio_within, run_preset,
    within, Runs,
};

/// 200 ms of CPU on the loop stalls every request behind it; threads and worker processes
/// contain the damage.
#[test]
fn cpu_in_async_handler() {
    let r = run_preset("cpu-in-async-handler");
    let asy = r.get("async");
    let server = r.get("server(4 × async)");
    let threads = r.get("threads(40)");
    assert!(
        class_latency(asy, "report").count >= 5,
        "the seed should draw several reports"
    );
    // Every model serves an unstalled request in its unloaded time (≈ 21.5 ms).
    for run in [asy, server, threads] {
        within(
            &format!("{} api p50", run.model),
            class_latency(run, "api").p50,
            21 * MS,
            23 * MS,
        );
    }
    // The loop is frozen for the whole 200 ms of each report.
    within(
        "async loop lag max",
        asy.summary.loop_lag.max,
        190 * MS,
        210 * MS,
    );
    let (a, s, t) = (
        class_latency(asy, "api").p99,
        class_latency(server, "api").p99,
        class_latency(threads, "api").p99,
    );
    assert!(
        a >= 200 * MS,
        "async api p99 {:.1} ms: requests should wait out a 200 ms stall",
        ms(a)
    );
    // Workers share one listening socket: an idle worker takes new requests, so only the few
    // already in flight on a worker when its report starts wait it out.
    assert!(
        s * 2 < a && t * 2 < a,
        "server and threads should keep api p99 far below async's: async {} server {} threads {}",
        ms(a),
        ms(s),
        ms(t)
    );
    // The GIL preempts the report every switch interval: a few intervals at most.
    assert!(t <= 60 * MS, "threads(40) api p99 {:.1} ms", ms(t));
    assert!(
        a as f64 >= 4.0 * t as f64,
        "async api p99 should be far above threads'"
    );
}

/// `time.sleep` on the loop serializes the handlers; `await asyncio.sleep` (io) does not.
#[test]
fn time_sleep_in_async() {
    let sc = load("time-sleep-in-async");
    let r = Runs::of(&sc);
    let (sync, asy, threads) = (r.get("sync"), r.get("async"), r.get("threads(10)"));
    within("sync makespan", sync.summary.makespan, 950 * MS, 1100 * MS);
    ratio_within(
        "async / sync makespan",
        asy.summary.makespan as f64 / sync.summary.makespan as f64,
        0.98,
        1.05,
    );
    within(
        "threads(10) makespan",
        threads.summary.makespan,
        95 * MS,
        120 * MS,
    );
    // The last handler waited for nine sleeps before it could even start its own.
    assert!(
        asy.summary.loop_lag.max >= 700 * MS,
        "loop lag max {:.1} ms",
        ms(asy.summary.loop_lag.max)
    );
    // The fix: the same handlers awaiting the sleep.
    let mut fixed = sc.clone();
    blocking_to_awaited(&mut fixed);
    let f = Runs::of(&fixed);
    within(
        "async with asyncio.sleep",
        f.get("async").summary.makespan,
        95 * MS,
        120 * MS,
    );
    ratio_within(
        "async time.sleep / asyncio.sleep",
        asy.summary.makespan as f64 / f.get("async").summary.makespan as f64,
        8.0,
        10.5,
    );
}

/// A sync driver in `async def` routes overloads the loop; `def` routes on 40 threads and an
/// async driver both keep up.
#[test]
fn sync_db_in_async_route() {
    let sc = load("sync-db-in-async-route");
    let r = Runs::of(&sc);
    let (asy, threads) = (r.get("async"), r.get("threads(40)"));
    // The loop serves one 22 ms request at a time: ≈ 45 req/s against 100 req/s offered.
    ratio_within(
        "async throughput (req/s)",
        asy.summary.throughput_per_s,
        40.0,
        50.0,
    );
    assert!(
        asy.summary.makespan >= 2 * threads.summary.makespan,
        "async should still be draining its queue long after the traffic stopped"
    );
    within(
        "threads(40) p99",
        threads.summary.latency.p99,
        22 * MS,
        35 * MS,
    );
    assert!(
        asy.summary.latency.p99 >= 1000 * MS,
        "async p99 {:.0} ms: overloaded",
        ms(asy.summary.latency.p99)
    );
    // The async-driver variant: the same routes awaiting the query.
    let mut fixed = sc.clone();
    blocking_to_awaited(&mut fixed);
    let f = Runs::of(&fixed);
    let fixed_async = f.get("async");
    within(
        "async-driver p99",
        fixed_async.summary.latency.p99,
        22 * MS,
        35 * MS,
    );
    ratio_within(
        "async-driver p99 / threads(40) p99",
        fixed_async.summary.latency.p99 as f64 / threads.summary.latency.p99 as f64,
        0.8,
        1.25,
    );
}

/// `to_thread` keeps the loop free for fast requests while legacy calls block pool threads.
#[test]
fn offload_to_thread() {
    let sc = load("offload-to-thread");
    let r = Runs::of(&sc);
    let (sync, asy) = (r.get("sync"), r.get("async"));
    let fast_async = class_latency(asy, "fast");
    let fast_sync = class_latency(sync, "fast");
    // Fast requests on the loop: their own 6 ms, whatever the legacy calls do.
    within("async fast p99", fast_async.p99, 6 * MS, 10 * MS);
    within(
        "async legacy p99",
        class_latency(asy, "legacy").p99,
        100 * MS,
        110 * MS,
    );
    assert!(
        fast_sync.p99 >= 100 * MS,
        "sync fast p99 {:.1} ms",
        ms(fast_sync.p99)
    );
    assert!(fast_sync.p99 >= 10 * fast_async.p99);
    // Without to_thread the blocking call runs on the loop and fast requests queue behind it.
    let mut inline = sc.clone();
    inline_offloads(&mut inline);
    let i = Runs::of(&inline);
    let fast_inline = class_latency(i.get("async"), "fast");
    assert!(
        fast_inline.p99 >= 10 * fast_async.p99,
        "blocking on the loop: fast p99 {:.1} ms vs {:.1} ms offloaded",
        ms(fast_inline.p99),
        ms(fast_async.p99)
    );
    assert!(i.get("async").summary.loop_lag.max >= 90 * MS);
    assert!(
        asy.summary.loop_lag.max <= 5 * MS,
        "offloaded: the loop never stalls"
    );
}
