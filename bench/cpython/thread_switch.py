"""thread_switch_ns: one hand-off between two Python threads.

Two threads ping-pong ROUNDS times; each round is two hand-offs, so
per hand-off = wall / (2 * ROUNDS). A hand-off is: wake the other thread (futex),
block this one, and pass the GIL. Four primitives:
  lock     a pair of threading.Lock used as binary semaphores (the floor)
  event    a pair of threading.Event (Condition-based, like Future.result())
  simpleq  a pair of queue.SimpleQueue (C; ThreadPoolExecutor's work queue)
  queue    a pair of queue.Queue (Condition-based producer/consumer)
Each is run with both threads free to use both cores ("any_core") and pinned to
one core ("one_core", a true context switch on that core).
For reference, tpe_round_trip: submit(noop).result() on a warm
ThreadPoolExecutor(1), per call (two hand-offs plus the executor's bookkeeping).
"""
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

from common import emit, now, summary

ROUNDS, REPS = 4000, 7


def lock_pair():
    a, b = threading.Lock(), threading.Lock()
    a.acquire()
    b.acquire()
    return (a.release, b.acquire), (b.release, a.acquire)  # (signal, wait) per side


def event_pair():
    a, b = threading.Event(), threading.Event()

    def waiter(e):
        def wait():
            e.wait()
            e.clear()
        return wait
    return (a.set, waiter(b)), (b.set, waiter(a))


def simpleq_pair():
    a, b = queue.SimpleQueue(), queue.SimpleQueue()
    return (lambda: a.put(None), b.get), (lambda: b.put(None), a.get)


def queue_pair():
    a, b = queue.Queue(), queue.Queue()
    return (lambda: a.put(None), b.get), (lambda: b.put(None), a.get)


def pingpong(make_pair):
    (ping, wait_pong), (pong, wait_ping) = make_pair()

    def other():
        for _ in range(ROUNDS):
            wait_ping()
            pong()
    t = threading.Thread(target=other)
    t.start()
    t0 = now()
    for _ in range(ROUNDS):
        ping()
        wait_pong()
    dt = now() - t0
    t.join()
    return dt / (2 * ROUNDS)


def tpe_round_trip(ex):
    t0 = now()
    for _ in range(ROUNDS):
        ex.submit(int).result()
    return (now() - t0) / ROUNDS


def main():
    out = {}
    all_cpus = os.sched_getaffinity(0)
    for where, cpus in (("any_core", all_cpus), ("one_core", {max(all_cpus)})):
        os.sched_setaffinity(0, cpus)  # new threads inherit the main thread's mask
        for name, pair in (("lock", lock_pair), ("event", event_pair),
                           ("simpleq", simpleq_pair), ("queue", queue_pair)):
            pingpong(pair)  # warm-up
            out[f"{name}_{where}"] = summary([pingpong(pair) for _ in range(REPS)])
        with ThreadPoolExecutor(1) as ex:
            tpe_round_trip(ex)  # warm-up
            out[f"tpe_round_trip_{where}"] = summary([tpe_round_trip(ex) for _ in range(REPS)])
    os.sched_setaffinity(0, all_cpus)
    return out


if __name__ == "__main__":
    emit("thread_switch_ns", {"per_handoff": main()})
