"""process_start_ns per start method (fork, forkserver, spawn).

For each repetition: create ProcessPoolExecutor(1, mp_context=ctx), submit a
trivial function and wait for its result (cold: includes starting the worker),
then submit it again (warm). start-up = cold - warm.
The worker also returns time.process_time_ns() at its first call: the CPU its
process has used so far, i.e. the per-process CPU cost of starting it (a forked
child's CPU clock starts at zero; a spawned one pays the interpreter start-up
and re-import of the main module).
forkserver's first repetition also starts the fork server itself; it is reported
separately and left out of the median.
A forkserver or spawn executor also starts multiprocessing's resource tracker
(its queues' semaphores register with it): one more fresh interpreter, started
once per program. At the end the fork server and the resource tracker are
stopped and reaped, so that run_all.py counts their CPU as ours, not as foreign
load (private API); the CPU the tracker used, almost all of it its start-up, is
read from RUSAGE_CHILDREN around its reaping.
"""
import multiprocessing as mp
import multiprocessing.forkserver
import multiprocessing.resource_tracker
import resource
import time
from concurrent.futures import ProcessPoolExecutor

from common import emit, now, summary

REPS = {"fork": 15, "forkserver": 10, "spawn": 8}


def ping():
    return time.process_time_ns()


def once(ctx):
    t0 = now()
    with ProcessPoolExecutor(1, mp_context=ctx) as ex:
        worker_cpu = ex.submit(ping).result()
        t1 = now()
        ex.submit(ping).result()
        t2 = now()
    t3 = now()
    return {"startup_ns": (t1 - t0) - (t2 - t1), "cold_ns": t1 - t0,
            "warm_ns": t2 - t1, "shutdown_ns": t3 - t2, "worker_cpu_ns": worker_cpu}


def main():
    out = {"parent_max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    for method, reps in REPS.items():
        ctx = mp.get_context(method)
        runs = [once(ctx) for _ in range(reps + (method == "forkserver"))]
        if method == "forkserver":
            out["forkserver_first_startup_ns"] = runs.pop(0)["startup_ns"]
        out[method] = {k: summary([r[k] for r in runs]) for k in runs[0]}
    mp.forkserver._forkserver._stop()               # reap the fork server
    before = children_cpu_ns()
    mp.resource_tracker._resource_tracker._stop()   # and the resource tracker
    out["resource_tracker_cpu_ns"] = children_cpu_ns() - before
    return out


def children_cpu_ns():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return round((r.ru_utime + r.ru_stime) * 1e9)


if __name__ == "__main__":
    emit("process_start_ns", main())
