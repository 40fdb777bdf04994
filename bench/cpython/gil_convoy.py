"""gil_handoff_ns and the convoy effect.

Part 1, convoy: the main thread does `time.sleep(SLEEP)` in a loop and times each
call, first alone (baseline), then beside one pure-Python CPU-bound thread. Beside
it, each return from sleep must re-take the GIL: the I/O thread waits one switch
interval, asks the holder to drop, and only then runs. Extra per call =
median(with spinner) - median(alone). Repeated for switch intervals of 1, 5
(the default) and 10 ms; a line fit extra = slope * interval + constant shows the
cost is one interval per call (slope ~ 1) plus a small constant: the kernel's
timer slack on the timed wait (/proc/self/timerslack_ns, 50 µs by default) and
the hand-off itself.

Part 2, hand-off latency: two CPU-bound threads each record every gap in their
own timeline (perf_counter_ns jumps > GAP). At a forced switch from X to Y,
latency = Y's first timestamp after its gap - X's last timestamp before its gap:
the time from the old holder stopping (it dropped at the drop request) to the new
holder running Python code. The gap lengths also give the GIL hold time.
"""
import sys
import threading
import time

from common import emit, fit_line, now, summary

SLEEP = 0.0001              # 100 µs blocking call
CONVOY_SECONDS = 1.0
GAP = 200_000               # ns; a thread that lost the GIL is stalled ~ 5 ms
HANDOFF_SECONDS = 2.0
spinning = False


def spinner():
    x = 0
    while spinning:         # pure Python: needs the GIL all the time
        x += 1


def sleep_loop(seconds):
    """Time each time.sleep(SLEEP) call for `seconds`."""
    lat, end = [], now() + seconds * 1e9
    while now() < end:
        t0 = now()
        time.sleep(SLEEP)
        lat.append(now() - t0)
    return lat


def convoy(interval):
    global spinning
    sys.setswitchinterval(interval)
    alone = sleep_loop(CONVOY_SECONDS / 2)
    spinning = True
    t = threading.Thread(target=spinner)
    t.start()
    time.sleep(0.01)        # let the spinner take the GIL
    beside = sleep_loop(CONVOY_SECONDS)
    spinning = False
    t.join()
    a, b = summary(alone), summary(beside)
    return {"switch_interval_ns": round(interval * 1e9), "sleep_alone": a,
            "sleep_beside_cpu_thread": b, "extra_per_call_ns": b["median"] - a["median"],
            "calls_per_s_alone": round(len(alone) / (CONVOY_SECONDS / 2)),
            "calls_per_s_beside": round(len(beside) / CONVOY_SECONDS)}


def record_gaps(until, gaps):
    last = now()
    while last < until:
        t = now()
        if t - last > GAP:
            gaps.append((last, t))  # (last timestamp before, first after)
        last = t


def handoffs():
    sys.setswitchinterval(0.005)
    until = now() + int(HANDOFF_SECONDS * 1e9)
    gaps = ([], [])
    threads = [threading.Thread(target=record_gaps, args=(until, g)) for g in gaps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat, hold = [], []
    for y, x in ((0, 1), (1, 0)):
        for y_stop, y_resume in gaps[y]:
            # X was running after Y stopped and was stalled when Y resumed.
            for x_stop, x_resume in gaps[x]:
                if y_stop < x_stop <= y_resume <= x_resume:
                    lat.append(y_resume - x_stop)
                    hold.append(x_stop - y_stop)  # X's turn, roughly
                    break
    return {"handoff_latency": summary(lat), "hold_time": summary(hold)}


def main():
    default = sys.getswitchinterval()
    runs = [convoy(i) for i in (0.001, 0.005, 0.010)]
    constant, slope = fit_line([r["switch_interval_ns"] for r in runs],
                               [r["extra_per_call_ns"] for r in runs])
    with open("/proc/self/timerslack_ns") as f:
        slack = int(f.read())
    out = {"default_switch_interval_ns": round(default * 1e9), "sleep_s": SLEEP,
           "timer_slack_ns": slack, "convoy": runs,
           "convoy_fit": {"extra_per_interval": round(slope, 3), "constant_ns": round(constant)},
           **handoffs()}
    sys.setswitchinterval(default)
    return out


if __name__ == "__main__":
    emit("gil_handoff_ns", main())
