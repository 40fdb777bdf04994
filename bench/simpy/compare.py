"""Runs `whenasync bench` and the SimPy model of the same scenario; prints both side by side.

Usage (from the repository root, after `cargo build --release -p whenasync-cli`):
    python bench/simpy/compare.py [--tasks N] [--repeat R] [--own-arrivals] [--heavy]

`bench/simpy/run.sh` does the set-up (virtual environment, build) and then runs this.
"""

import argparse
import json
import math
import os
import random
import re
import subprocess
import sys
import time

import simpy

from simpy_model import MACHINE, ThreadPoolModel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MS = 1_000_000
WORKERS = 8
SEED = 42
# `whenasync_sim::presets::bench_scenario`: its steps (ns) and Poisson rate.
REFERENCE = ([("cpu", 2 * MS), ("io", 20 * MS), ("cpu", 1 * MS)], 300)
# Long enough CPU bursts that GIL waiters time out and set the drop request (outputs only).
HEAVY = ([("cpu", 12 * MS), ("io", 20 * MS), ("cpu", 3 * MS // 2)], 60)


def scenario(tasks, steps, rate):
    """The scenario file: `bench_scenario(tasks)` for the reference steps and rate."""
    return {
        "version": 1,
        "name": "bench-threadpool",
        "seed": SEED,
        "workload": {
            "classes": [
                {"name": "request", "steps": [{kind: f"{ns // 1000}us"} for kind, ns in steps]}
            ],
            "arrivals": {"poisson": {"rate_per_s": rate, "count": tasks}},
        },
        "models": [{"kind": "threads", "workers": WORKERS}],
    }


def whenasync(*args):
    exe = os.path.join(ROOT, "target", "release", "whenasync")
    return subprocess.run([exe, *args], check=True, capture_output=True, text=True).stdout


def bench(tasks, repeat):
    """`whenasync bench`: its events and its timings, [(label, seconds)]."""
    out = whenasync("bench", "--tasks", str(tasks), "--repeat", str(repeat))
    events = int(re.search(r"events:\s+(\d+)", out).group(1))
    # Every timing line ("full run (segments)", "figures only") says "best of R".
    timings = [
        (line.split(":")[0].strip(), float(re.search(r"([\d.]+) s\b", line).group(1)))
        for line in out.splitlines()
        if "best of" in line and re.search(r"[\d.]+ s\b", line)
    ]
    if not timings:
        sys.exit(f"cannot read the timings of `whenasync bench`:\n{out}")
    return events, timings


def native_run(tasks, steps, rate):
    """The scenario through `whenasync run`: its events, arrival times (ns) and figures."""
    path = os.path.join(ROOT, "target", f"simpy-bench-{tasks}-{rate}.json")
    with open(path, "w") as f:
        json.dump(scenario(tasks, steps, rate), f)
    run = json.loads(whenasync("run", path, "--model", f"threads({WORKERS})", "--json"))["runs"][0]
    arrivals = [round(t["arrival_ms"] * 1e6) for t in run["tasks"]]
    lat = run["latency_ms"]
    figures = {
        "completed": run["completed"],
        "makespan": run["makespan_ms"],
        **{k: lat[k] for k in ("mean", "p50", "p90", "p99", "max")},
        "gil_wait": run["gil_wait_ms"],
    }
    return run["events"], arrivals, figures


def python_arrivals(tasks, rate):
    """Poisson arrivals from Python's own generator (a different draw of the same process)."""
    rng = random.Random(SEED)
    t, out = 0, []
    for _ in range(tasks):
        out.append(t)
        t += round(rng.expovariate(rate) * 1e9)
    return out


def rank(sorted_values, p):
    """Nearest-rank percentile, as `whenasync_sim::summary::stats`."""
    n = len(sorted_values)
    return sorted_values[min(max(math.ceil(p * n), 1), n) - 1]


def run_simpy(arrivals, steps):
    """The SimPy model, once: its time and its outputs."""
    model = ThreadPoolModel(arrivals, steps, WORKERS)
    t0 = time.perf_counter()
    ends = model.run()
    secs = time.perf_counter() - t0
    lat = sorted(e - a for a, e in zip(arrivals, ends) if e is not None)
    figures = {
        "completed": len(lat),
        "makespan": max(e for e in ends if e is not None) / 1e6,
        "mean": sum(lat) / len(lat) / 1e6,
        "p50": rank(lat, 0.50) / 1e6,
        "p90": rank(lat, 0.90) / 1e6,
        "p99": rank(lat, 0.99) / 1e6,
        "max": lat[-1] / 1e6,
        "gil_wait": model.gil.wait_total / 1e6,
    }
    return secs, model.events(), model.gil.drops, figures


def rate(events, secs):
    return f"{events / secs / 1e6:.2f} M/s"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="rounds: each runs whenasync bench (best of 3) and then SimPy once; the best of "
        "each engine is kept",
    )
    ap.add_argument(
        "--own-arrivals",
        action="store_true",
        help="SimPy draws its own Poisson arrivals instead of replaying the engine's",
    )
    ap.add_argument(
        "--heavy",
        action="store_true",
        help="outputs only, on a variant with 12 ms CPU bursts at 60/s (drop requests happen)",
    )
    args = ap.parse_args()
    steps, per_s = HEAVY if args.heavy else REFERENCE

    n_events, arrivals, n_fig = native_run(args.tasks, steps, per_s)
    if args.own_arrivals:
        arrivals = python_arrivals(args.tasks, per_s)
    # Rounds, so that both engines are timed in the same seconds of a shared machine: a
    # 25 ms run timed only in one busy second would not be compared fairly with SimPy's.
    timings, ratios, s_secs = {}, [], math.inf
    for _ in range(1 if args.heavy else args.repeat):
        if not args.heavy:
            b_events, round_timings = bench(args.tasks, 3)
            if b_events != n_events:
                print(
                    f"warning: `whenasync run` counts {n_events:,} events, `whenasync bench` "
                    f"{b_events:,}: has bench_scenario() changed? (compare.py: REFERENCE)\n"
                )
            for label, secs in round_timings:
                timings[label] = min(timings.get(label, math.inf), secs)
        secs, s_events, drops, s_fig = run_simpy(arrivals, steps)
        s_secs = min(s_secs, secs)
        if not args.heavy:
            ratios.append(secs / dict(round_timings)["figures only"])
    timings = list(timings.items())

    desc = ", ".join(f"{ns / MS:g} ms {'I/O' if kind == 'io' else 'CPU'}" for kind, ns in steps)
    print(
        f"scenario: threads({WORKERS}) sharing one GIL, {args.tasks:,} requests ({desc}), "
        f"Poisson {per_s}/s, {MACHINE['cores']} cores"
        + ("" if args.heavy else " (whenasync bench's)")
    )
    print(
        "arrivals: SimPy drew its own (Python's random)"
        if args.own_arrivals
        else "arrivals: SimPy replays the engine's arrival times (same input, exactly)"
    )
    print(f"GIL drop requests in the SimPy run: {drops:,}")
    py = f"{sys.implementation.name} {sys.version.split()[0]}"
    print()
    repeat = (
        f" (best of {args.repeat} rounds; a round runs whenasync 3 times, then SimPy once)"
        if timings
        else ""
    )
    print(f"wall time{repeat}, events, events per second:")
    s_rate = rate(s_events, s_secs)
    print(f"  SimPy {simpy.__version__} ({py}): {s_secs:.2f} s, {s_events:,}, {s_rate}")
    for label, secs in timings:
        print(
            f"  whenasync, {label}: {secs:.3f} s, {n_events:,}, {rate(n_events, secs)}"
            f"  -> {s_secs / secs:.0f}x faster than SimPy"
        )
    if ratios:
        ratios.sort()
        print(
            f"figures only, round by round (both engines in the same seconds): "
            f"{ratios[0]:.0f}x to {ratios[-1]:.0f}x faster than SimPy, "
            f"median {ratios[len(ratios) // 2]:.0f}x"
        )
    if timings:
        print("The full run also writes down every segment for the charts; the figures-only run,")
        print("like the SimPy model, keeps just the figures. Events are each engine's own unit")
        print("(SimPy's: process resumptions, Store/Resource requests, conditions, interrupts).")
    print()
    print(f"{'output':22}{'whenasync':>14}{'SimPy':>14}{'difference':>12}")
    rows = [
        ("completed", "completed"),
        ("makespan, ms", "makespan"),
        ("latency mean, ms", "mean"),
        ("latency p50, ms", "p50"),
        ("latency p90, ms", "p90"),
        ("latency p99, ms", "p99"),
        ("latency max, ms", "max"),
        ("GIL wait, all, ms", "gil_wait"),
    ]
    worst = 0.0
    for label, key in rows:
        a, b = n_fig[key], s_fig[key]
        diff = (b - a) / a * 100 if a else 0.0
        if key != "max":  # one extreme sample: reported, not held to a few %
            worst = max(worst, abs(diff))
        fmt = "{:>14,}" if key == "completed" else "{:>14,.3f}"
        print(f"{label:22}{fmt.format(a)}{fmt.format(b)}{diff:>+11.2f}%")
    if args.own_arrivals:
        print("different random arrivals: expect agreement as statistics; the tails vary by draw")
    else:
        verdict = "agree" if worst < 3 else "DIFFER"
        print(f"the two models {verdict}: largest difference {worst:.2f} % (max latency aside)")


if __name__ == "__main__":
    main()
