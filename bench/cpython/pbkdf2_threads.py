"""pbkdf2: a GIL-releasing C call (cpu_nogil) on 1 vs 2 threads.

hashlib.pbkdf2_hmac('sha256', ...) releases the GIL for its whole run. Calibrated
to ~100 ms, it is run
  one          once, alone
  sequential2  twice, one after the other
  threads2     once in each of 2 threads started together
On 2 free cores threads2 should take about as long as one (speedup ~2).
iterations_per_ms is what a Python program generator needs to turn a cpu_nogil(d)
step into pbkdf2_hmac(..., iterations=round(d_ms * iterations_per_ms)).
"""
import hashlib
import threading

from common import emit, now, summary

TARGET_NS, REPS = 100_000_000, 7


def pbkdf2(iterations):
    hashlib.pbkdf2_hmac("sha256", b"password", b"salt" * 4, iterations)


def timed(f, *args):
    t0 = now()
    f(*args)
    return now() - t0


def threads2(iterations):
    ts = [threading.Thread(target=pbkdf2, args=(iterations,)) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def main():
    probe = 100_000
    per_ms = probe / (min(timed(pbkdf2, probe) for _ in range(3)) / 1e6)
    iterations = int(per_ms * TARGET_NS / 1e6)
    one, seq, thr = [], [], []
    for _ in range(REPS):
        one.append(timed(pbkdf2, iterations))
        seq.append(timed(lambda: (pbkdf2(iterations), pbkdf2(iterations))))
        thr.append(timed(threads2, iterations))
    o, s, t = summary(one), summary(seq), summary(thr)
    return {"hash": "sha256", "iterations": iterations,
            "iterations_per_ms": round(iterations / (o["median"] / 1e6)),
            "one": o, "sequential2": s, "threads2": t,
            "threads2_speedup": round(s["median"] / t["median"], 3)}


if __name__ == "__main__":
    emit("pbkdf2", main())
