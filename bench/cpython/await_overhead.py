"""await_overhead_ns: cost of one suspend/resume round trip of an asyncio task.

Variants, all on the default asyncio event loop (C-accelerated Task and Future):
  sleep0_n100  100 tasks each `await asyncio.sleep(0)` M times. sleep(0) yields
               to the loop; the task is re-queued with call_soon and resumed on the
               next iteration. Per op = wall / (tasks * M). The loop polls the
               selector once per iteration, i.e. once per 100 resumes here.
  sleep0_n1    the same with a single task: every resume pays one loop iteration,
               including one selector poll (an epoll_wait(0) syscall).
  timer_n100   100 tasks each `await asyncio.sleep(1e-9)`: the timer path that
               `await asyncio.sleep(d)` takes (future + call_later + heap), with a
               delay below the clock resolution so the timers are due at once.
  future_n100  each await is on a fresh Future resolved by loop.call_soon(
               fut.set_result): the shape of a real I/O completion (a callback
               completes a future, which re-queues the waiting task).
  plain_await  `await noop()` where noop never suspends: no loop involved, just a
               coroutine call; empty_loop is the bare `for` loop for reference.
"""
import asyncio

from common import emit, now, summary

M, REPS = 1000, 7


async def sleeper(m):
    for _ in range(m):
        await asyncio.sleep(0)


async def timer_sleeper(m):
    for _ in range(m):
        await asyncio.sleep(1e-9)


async def future_waiter(m):
    loop = asyncio.get_running_loop()
    for _ in range(m):
        fut = loop.create_future()
        loop.call_soon(fut.set_result, None)
        await fut


async def noop():
    return None


async def plain(m):
    for _ in range(m):
        await noop()


async def empty(m):
    for _ in range(m):
        pass


async def per_op(body, tasks, m):
    """Wall time of `tasks` concurrent tasks each running body(m), per op."""
    t0 = now()
    await asyncio.gather(*(body(m) for _ in range(tasks)))
    return (now() - t0) / (tasks * m)


async def main():
    cases = {
        "sleep0_n100": (sleeper, 100, M),
        "sleep0_n1": (sleeper, 1, 100 * M),
        "timer_n100": (timer_sleeper, 100, M),
        "future_n100": (future_waiter, 100, M),
        "plain_await": (plain, 1, 100 * M),
        "empty_loop": (empty, 1, 100 * M),
    }
    samples = {k: [] for k in cases}
    await per_op(sleeper, 100, 100)  # warm-up
    for _ in range(REPS):
        for name, (body, tasks, m) in cases.items():
            samples[name].append(await per_op(body, tasks, m))
    return {k: summary(v) for k, v in samples.items()}


if __name__ == "__main__":
    emit("await_overhead_ns", {"per_op": asyncio.run(main())})
