"""cpu_threads: 4 pure-Python CPU-bound jobs, sequential vs 4 threads vs 4 processes.

A busy loop calibrated to ~200 ms of pure-Python work is run
  sequential  4 times, one after another, in the main thread
  threads     once in each of 4 threads started together (one GIL)
  processes   once in each of 4 worker processes of a warm multiprocessing
              Pool (fork), one GIL each: parallel up to the core count
For threads we also record when each thread finished, as a fraction of the wall
time: under the GIL they take turns every switch interval and all finish together
near the end, instead of one after another.
"""
import multiprocessing as mp
import os
import threading

from common import emit, now, summary

JOBS, TARGET_NS, REPS = 4, 200_000_000, 3


def spin(n):
    x = 0
    for i in range(n):
        x += i
    return x


def calibrate():
    """Loop count that takes ~TARGET_NS in this interpreter."""
    n = 1_000_000
    for _ in range(2):  # second pass on a ~TARGET_NS run corrects warm-up effects
        t0 = now()
        spin(n)
        n = int(n * TARGET_NS / (now() - t0))
    return n


def sequential(n):
    t0 = now()
    for _ in range(JOBS):
        spin(n)
    return now() - t0


def threads(n):
    ends = []
    workers = [threading.Thread(target=lambda: (spin(n), ends.append(now())))
               for _ in range(JOBS)]
    t0 = now()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = now() - t0
    return wall, [(e - t0) / wall for e in sorted(ends)]


def processes(pool, n):
    t0 = now()
    pool.map(spin, [n] * JOBS, chunksize=1)
    return now() - t0


def main():
    n = calibrate()
    seq, thr, proc, finish = [], [], [], []
    with mp.get_context("fork").Pool(JOBS) as pool:
        pool.map(spin, [1000] * JOBS)  # warm the workers
        for _ in range(REPS):
            seq.append(sequential(n))
            wall, ends = threads(n)
            thr.append(wall)
            finish.append(ends)
            proc.append(processes(pool, n))
    s, t, p = summary(seq), summary(thr), summary(proc)
    return {"loop_count": n, "cpus": os.cpu_count(),
            "one_job_ns": round(s["median"] / JOBS),
            "sequential_wall": s, "threads_wall": t, "processes_wall": p,
            "threads_over_sequential": round(t["median"] / s["median"], 3),
            "processes_speedup": round(s["median"] / p["median"], 3),
            "thread_finish_fractions": [[round(f, 3) for f in e] for e in finish]}


if __name__ == "__main__":
    emit("cpu_threads", main())
