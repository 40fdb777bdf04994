"""ipc_fixed_ns and ipc_per_kb_ns: round trip of a task on a warm process pool.

A warm ProcessPoolExecutor(1) (fork) runs f(payload) for bytes payloads of 0, 1,
10, 100 and 1000 KB; round trip = submit to result. Two functions:
  consume  returns len(payload): payload travels one way (the usual shape:
           arguments in, a small result out)
  echo     returns the payload: it travels both ways
Sizes are interleaved, in a shuffled order each repetition, so that background
noise and the previous call's after-effects hit them all alike. Fit: median round trip = fixed + per_kb * KB (least squares over the
per-size medians).
"""
from concurrent.futures import ProcessPoolExecutor
import multiprocessing as mp
import random

from common import emit, fit_line, now, summary

SIZES_KB, REPS = (0, 1, 10, 100, 1000), 41


def consume(b):
    return len(b)


def echo(b):
    return b


def main():
    payloads = {kb: bytes(kb * 1024) for kb in SIZES_KB}
    samples = {(f.__name__, kb): [] for f in (consume, echo) for kb in SIZES_KB}
    with ProcessPoolExecutor(1, mp_context=mp.get_context("fork")) as ex:
        for _ in range(50):  # warm up: worker started, code paths hot
            ex.submit(consume, payloads[1]).result()
        order, rng = list(samples), random.Random(0)
        for _ in range(REPS):
            rng.shuffle(order)
            for name, kb in order:
                f = consume if name == "consume" else echo
                t0 = now()
                ex.submit(f, payloads[kb]).result()
                samples[(name, kb)].append(now() - t0)
    result = {}
    for name in ("consume", "echo"):
        med = {kb: summary(samples[(name, kb)]) for kb in SIZES_KB}
        fixed, per_kb = fit_line(list(SIZES_KB), [m["median"] for m in med.values()])
        result[name] = {"round_trip_by_kb": {str(kb): m for kb, m in med.items()},
                        "fixed_ns": round(fixed), "per_kb_ns": round(per_kb, 1)}
    return result


if __name__ == "__main__":
    emit("ipc_ns", main())
