"""Shared helpers for the CPython micro-benchmarks.

Every script measures with repetitions and prints one JSON object whose figures
are summaries {median, p10, p90, n, unit}; times are integer nanoseconds.
"""
import json
import os
import statistics
import sys
import time

now = time.perf_counter_ns  # monotonic, ns resolution
LOAD_AT_START = os.getloadavg()


def summary(samples, unit="ns"):
    """Median, 10th and 90th percentile and count of a list of samples."""
    s = sorted(samples)
    if len(s) > 1:
        q = statistics.quantiles(s, n=10, method="inclusive")
        p10, p90 = q[0], q[-1]
    else:
        p10 = p90 = s[0]
    r = lambda v: round(v) if unit == "ns" else round(v, 3)
    return {"median": r(statistics.median(s)), "p10": r(p10), "p90": r(p90),
            "n": len(s), "unit": unit}


def fit_line(xs, ys):
    """Ordinary least squares y = a + b*x; returns (a, b)."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    b = (sum((x - mx) * (y - my) for x, y in zip(xs, ys))
         / sum((x - mx) ** 2 for x in xs))
    return my - b * mx, b


def emit(quantity, result):
    """Print the result as JSON, with the load average before and after."""
    out = {"quantity": quantity, **result,
           "loadavg_start": [round(x, 2) for x in LOAD_AT_START],
           "loadavg_end": [round(x, 2) for x in os.getloadavg()]}
    json.dump(out, sys.stdout, indent=2)
    print()
