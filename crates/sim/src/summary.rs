//! Figures of a run: latency statistics, utilisation, GIL contention, loop lag; and the
//! final lane order (threads of each process, then its GIL, then the cores).

use crate::duration::Ns;
use crate::engine::Totals;
use crate::run::{Kind, Lane, LaneKind, Segment, Stats, Summary, TaskRecord, KIND_COUNT};

/// Nearest-rank statistics of `values` (reordered in place: partitioned, not sorted, which
/// keeps a million-task summary linear).
pub fn stats(values: &mut [Ns]) -> Stats {
    if values.is_empty() {
        return Stats::default();
    }
    let n = values.len();
    let rank = |p: f64| ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
    let sum: u128 = values.iter().map(|&v| v as u128).sum();
    // Each selection leaves everything above its rank to the right, so the next, higher rank
    // is selected among those alone.
    let mut pick = |from: usize, at: usize| -> Ns {
        let (_, v, _) = values[from..].select_nth_unstable(at - from);
        *v
    };
    let (r50, r90, r99) = (rank(0.50), rank(0.90), rank(0.99));
    let p50 = pick(0, r50);
    let p90 = pick(r50, r90);
    let p99 = pick(r90, r99);
    let max = pick(r99, n - 1);
    Stats {
        count: n as u64,
        mean: sum as f64 / n as f64,
        p50,
        p90,
        p99,
        max,
    }
}

/// `(arrival, latency)` of each task that completed, as the summary counts them (neither
/// cancelled nor timed out), in task order, ns.
pub fn latency_points(tasks: &[TaskRecord]) -> impl Iterator<Item = (Ns, Ns)> + '_ {
    tasks
        .iter()
        .filter(|t| !t.cancelled && !t.timed_out)
        .filter_map(|t| t.latency().map(|l| (t.arrival, l)))
}

/// The tasks of a run that completed, as the summary counts them (neither cancelled nor
/// timed out): their `(arrival, latency)` in task order, and their latencies sorted ascending,
/// ns. The latency plots are drawn from these: in the page (built for size) this runs in the
/// simulator's crate, built for speed, when a million-task run's figures land.
pub fn latencies(tasks: &[TaskRecord]) -> (Vec<(Ns, Ns)>, Vec<Ns>) {
    let mut points = Vec::with_capacity(tasks.len());
    points.extend(latency_points(tasks));
    let mut sorted: Vec<Ns> = points.iter().map(|p| p.1).collect();
    sort_ns(&mut sorted);
    (points, sorted)
}

/// Sorts `values` ascending: a least-significant-digit radix sort, 11 bits a pass, which
/// skips the passes where every value has the same digit (a latency in ns uses about 40 of
/// its 64 bits, so four passes). The page sorts a big run's latencies on its main thread,
/// where `sort_unstable` took 4 ms per 100,000 of them.
pub fn sort_ns(values: &mut Vec<Ns>) {
    const BITS: usize = 11;
    const MASK: u64 = (1 << BITS) - 1;
    const PASSES: usize = 64usize.div_ceil(BITS);
    let n = values.len();
    if n < 1024 {
        values.sort_unstable();
        return;
    }
    // Every pass's histogram from one read of the values.
    let mut counts = vec![[0usize; 1 << BITS]; PASSES];
    for &v in values.iter() {
        for (p, c) in counts.iter_mut().enumerate() {
            c[((v >> (p * BITS)) & MASK) as usize] += 1;
        }
    }
    let mut other: Vec<Ns> = vec![0; n];
    for (p, c) in counts.iter_mut().enumerate() {
        if c.contains(&n) {
            continue;
        }
        let mut at = 0;
        for k in c.iter_mut() {
            (*k, at) = (at, at + *k);
        }
        for &v in values.iter() {
            let d = ((v >> (p * BITS)) & MASK) as usize;
            other[c[d]] = v;
            c[d] += 1;
        }
        std::mem::swap(values, &mut other);
    }
}

/// Orders lanes for display and renumbers the segments to match, grouped by lane in time order.
pub(crate) fn order_lanes(
    lanes: Vec<Lane>,
    mut segments: Vec<Segment>,
) -> (Vec<Lane>, Vec<Segment>) {
    let key = |l: &Lane| {
        let group = match l.kind {
            LaneKind::Core => 2u8,
            _ => 0,
        };
        let gil_last = matches!(l.kind, LaneKind::Gil) as u8;
        let loop_first = !l.is_loop as u8;
        (group, l.process.unwrap_or(0), gil_last, loop_first, l.id)
    };
    let mut order: Vec<&Lane> = lanes.iter().collect();
    order.sort_by_key(|l| key(l));
    let mut remap = vec![0u32; lanes.len()];
    for (new, l) in order.iter().enumerate() {
        remap[l.id as usize] = new as u32;
    }
    let mut out: Vec<Lane> = order.into_iter().cloned().collect();
    for (i, l) in out.iter_mut().enumerate() {
        l.id = i as u32;
    }
    // Each lane closes its segments in time order, so a stable bucket pass by lane (O(n))
    // gives lane-then-time order without sorting.
    let mut starts = vec![0usize; lanes.len() + 1];
    for s in &segments {
        starts[remap[s.lane as usize] as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut ordered = vec![
        Segment {
            lane: 0,
            task: 0,
            kind: Kind::Running,
            start: 0,
            end: 0
        };
        segments.len()
    ];
    for mut s in segments.drain(..) {
        s.lane = remap[s.lane as usize];
        let slot = &mut starts[s.lane as usize];
        ordered[*slot] = s;
        *slot += 1;
    }
    let segments = ordered;
    // Lanes that never did anything (an unused GIL of a single-threaded process is still
    // shown: it is part of the story) are kept; the views decide what to hide.
    (out, segments)
}

/// What the summary needs of one task.
pub(crate) struct Outcome {
    pub arrival: Ns,
    pub end: Option<Ns>,
    pub cancelled: bool,
    pub timed_out: bool,
}

/// Computes the summary of a finished run from its tasks and the totals kept as it ran.
pub(crate) fn summarise(
    tasks: impl ExactSizeIterator<Item = Outcome>,
    time_by_kind: [Ns; KIND_COUNT],
    cores: u32,
    totals: &Totals,
    events: u64,
    loop_lags: &mut [Ns],
) -> Summary {
    let mut s = Summary {
        events,
        ..Summary::default()
    };
    let mut lat = Vec::with_capacity(tasks.len());
    for t in tasks {
        match t.end {
            None => s.unfinished += 1,
            Some(end) => {
                s.makespan = s.makespan.max(end);
                // A timed-out task ran on, but its caller had given up: not a completion.
                if t.cancelled {
                    s.cancelled += 1;
                } else if t.timed_out {
                    s.timed_out += 1;
                } else {
                    s.completed += 1;
                    lat.push(end - t.arrival);
                }
            }
        }
    }
    s.time_by_kind = time_by_kind;
    s.latency = stats(&mut lat);
    if s.makespan > 0 {
        s.throughput_per_s = s.completed as f64 / (s.makespan as f64 / 1e9);
    }
    s.gil_wait = totals.gil_wait;
    let span = cores as u128 * s.makespan as u128;
    if span > 0 {
        s.core_utilisation = totals.core_busy as f64 / span as f64;
    }
    if s.makespan > 0 {
        s.gil_contention = totals.gil_wait_union as f64 / s.makespan as f64;
    }
    s.loop_lag = stats(loop_lags);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<Ns> = (1..=100).collect();
        let s = stats(&mut v);
        assert_eq!((s.p50, s.p90, s.p99, s.max), (50, 90, 99, 100));
        assert_eq!(stats(&mut [7]).p99, 7);
    }

    #[test]
    fn selection_gives_the_sorted_ranks() {
        // Every length up to 300, with repeats, against ranks read off a sorted copy.
        let mut x: u64 = 1;
        for n in 1..300usize {
            let mut v: Vec<Ns> = (0..n)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (x >> 33) % 50
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort_unstable();
            let rank = |p: f64| sorted[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
            let s = stats(&mut v);
            assert_eq!(
                (s.p50, s.p90, s.p99, s.max),
                (rank(0.5), rank(0.9), rank(0.99), sorted[n - 1]),
                "n = {n}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn the_radix_sort_sorts(
            mut wide in proptest::collection::vec(proptest::num::u64::ANY, 0..3000),
            mut narrow in proptest::collection::vec(0u64..5_000_000, 0..3000),
        ) {
            for values in [&mut wide, &mut narrow] {
                let mut expected = values.clone();
                expected.sort_unstable();
                sort_ns(values);
                proptest::prop_assert_eq!(&*values, &expected);
            }
        }
    }

    /// The plots' latencies are the summary's: every preset's runs (one cancels tasks and
    /// times some out) give as many, sorted, with the summary's nearest-rank percentiles.
    #[test]
    fn latencies_are_the_summarys() {
        let mut skipped = 0;
        for scenario in crate::presets::all() {
            for run in crate::simulate(&scenario).expect("a preset simulates") {
                let (points, sorted) = latencies(&run.tasks);
                let s = &run.summary;
                assert_eq!(
                    points.len() as u64,
                    s.completed,
                    "{} {}",
                    scenario.name,
                    run.model
                );
                assert_eq!(sorted.len(), points.len());
                assert!(sorted.is_sorted());
                let mut again = sorted.clone();
                assert_eq!(
                    stats(&mut again),
                    s.latency,
                    "{} {}",
                    scenario.name,
                    run.model
                );
                skipped += s.cancelled + s.timed_out;
            }
        }
        assert!(skipped > 0, "no preset left a task out");
    }
}
