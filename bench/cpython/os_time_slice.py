"""os_time_slice_ns: how long the OS lets a CPU-bound process run before preempting it.

First, report any scheduler tunable the kernel exposes (CFS sched_min_granularity_ns,
EEVDF base_slice_ns; sched_rr_timeslice_ms is for SCHED_RR only, not for normal
processes), and the kernel's timer tick (CONFIG_HZ) when /proc/config.gz exists:
preemption among equal CPU-bound tasks happens at a tick. Then estimate it: PROCS CPU-bound processes pinned to one core with
os.sched_setaffinity each spin reading perf_counter_ns; a jump > GAP means the
process was preempted. Run lengths between jumps are its time slices, jump
lengths the time the others ran. A single process pinned alone is the control
(jumps there are background noise: interrupts, other load).
"""
import gzip
import multiprocessing as mp
import os
import re

from common import emit, now, summary

PROCS, SECONDS, GAP = 3, 2.0, 100_000  # ns
TUNABLES = ("/proc/sys/kernel/sched_min_granularity_ns",
            "/sys/kernel/debug/sched/min_granularity_ns",
            "/sys/kernel/debug/sched/base_slice_ns",
            "/proc/sys/kernel/sched_base_slice_ns",
            "/proc/sys/kernel/sched_rr_timeslice_ms")


def read_tunables():
    found = {}
    for path in TUNABLES:
        try:
            with open(path) as f:
                found[path] = f.read().strip()
        except OSError:
            pass
    try:
        with gzip.open("/proc/config.gz", "rt") as f:
            found["CONFIG_HZ"] = re.search(r"^CONFIG_HZ=(\d+)", f.read(), re.M).group(1)
    except (OSError, AttributeError):
        pass
    return found


def spin_and_sample(cpu, until, out):
    os.sched_setaffinity(0, {cpu})
    runs, gaps = [], []
    last = start = now()
    while last < until:
        t = now()
        if t - last > GAP:
            runs.append(last - start)  # ran from start to last, then preempted
            gaps.append(t - last)
            start = t
        last = t
    out.put((runs[1:], gaps[1:]))   # first run began at an arbitrary point


def measure(n, cpu):
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    until = now() + int(SECONDS * 1e9) + 50_000_000  # all start before the window
    procs = [ctx.Process(target=spin_and_sample, args=(cpu, until, q)) for _ in range(n)]
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    for p in procs:
        p.join()
    runs = [r for rs, _ in results for r in rs]
    gaps = [g for _, gs in results for g in gs]
    return {"run_between_preemptions": summary(runs) if runs else None,
            "preempted_for": summary(gaps) if gaps else None,
            "preemptions_per_s_per_proc": round(len(gaps) / n / SECONDS, 1)}


def main():
    cpu = max(os.sched_getaffinity(0))
    return {"tunables": read_tunables(), "pinned_cpu": cpu,
            "control_1_proc": measure(1, cpu), f"{PROCS}_procs": measure(PROCS, cpu)}


if __name__ == "__main__":
    emit("os_time_slice_ns", main())
