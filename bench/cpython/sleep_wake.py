"""timer slack: how late a blocked thread wakes, by a timer and by a reply.

1. `time.sleep(d)` on a thread (not the main one), d = 1 µs, 0.1 ms, 1 ms, 10 ms: the
   overshoot (measured duration - d). Linux fires a sleeping thread's timer up to the
   thread's timer slack late (/proc/self/timerslack_ns, 50 µs by default) so that it can
   coalesce wake-ups; the rest is the wake-up and the call itself.
2. The same with this thread's slack set to 1 ns (prctl PR_SET_TIMERSLACK through ctypes;
   Linux only): what is left is the wake-up.
3. A reply: a thread blocked in `recv()` on a socket pair, woken by another process that
   timestamps and sends a byte at random moments; latency = return of recv - send.
   No timer is involved, so no slack.
4. `await asyncio.sleep(d)` on an otherwise idle event loop built on `select()` (what the
   generated programs use): its select() timeout is a timer too.
Every figure is the overshoot beyond d in ns (median, p10, p90).
"""
import asyncio
import ctypes
import os
import random
import selectors
import socket
import sys
import threading
import time

from common import emit, now, summary

DURATIONS = {1_000: 300, 100_000: 300, 1_000_000: 150, 10_000_000: 30}  # d (ns): reps
PR_SET_TIMERSLACK = 29


def set_slack(ns):
    """Sets this thread's timer slack (Linux); returns whether it worked."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_TIMERSLACK, ctypes.c_ulong(ns), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def sleeps(slack_ns):
    """On a new thread (a thread's slack is its own): time.sleep overshoot per duration."""
    out = {}

    def body():
        if slack_ns is not None and not set_slack(slack_ns):
            out["error"] = "prctl failed"
            return
        for d, reps in DURATIONS.items():
            over = []
            for _ in range(reps):
                t0 = now()
                time.sleep(d / 1e9)
                over.append(now() - t0 - d)
            out[f"{d}ns"] = summary(over)

    t = threading.Thread(target=body)
    t.start()
    t.join()
    return out


def replies(n=300):
    """A thread blocked in recv() is woken by a byte another process sends."""
    a, b = socket.socketpair()
    pid = os.fork()
    if pid == 0:                      # the sender: its own process, its own GIL
        a.close()
        rnd = random.Random(1)
        for _ in range(n):
            time.sleep(rnd.uniform(0.0005, 0.0015))
            b.send(now().to_bytes(8, "little"))
        os._exit(0)
    b.close()
    lat = []

    def body():
        for _ in range(n):
            sent = int.from_bytes(a.recv(8), "little")
            lat.append(now() - sent)

    t = threading.Thread(target=body)
    t.start()
    t.join()
    os.waitpid(pid, 0)
    a.close()
    return summary(lat)


def loop_sleeps():
    """`await asyncio.sleep(d)` on an idle select() loop: overshoot per duration."""
    async def main():
        out = {}
        for d, reps in DURATIONS.items():
            over = []
            for _ in range(reps):
                t0 = now()
                await asyncio.sleep(d / 1e9)
                over.append(now() - t0 - d)
            out[f"{d}ns"] = summary(over)
        return out

    loop = asyncio.SelectorEventLoop(selectors.SelectSelector())
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()


def main():
    with open("/proc/self/timerslack_ns") as f:
        slack = int(f.read())
    return {"timer_slack_ns": slack,
            "thread_sleep_overshoot": sleeps(None),
            "thread_sleep_overshoot_slack_1ns": sleeps(1) if sys.platform == "linux" else None,
            "reply_wakeup": replies(),
            "loop_sleep_overshoot": loop_sleeps()}


if __name__ == "__main__":
    emit("sleep_wake_ns", main())
