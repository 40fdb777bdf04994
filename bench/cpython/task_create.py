"""task_create_ns: cost of creating one asyncio task with asyncio.gather.

For N trivial coroutines (N = 1000, 10000), time separately:
  coro_ns        building the coroutine objects ([body(i) for i in range(N)])
  create_ns      asyncio.gather(*coros): wraps each in a Task and queues its first
                 step with call_soon; nothing runs yet
  run_ns         awaiting the gather: every task takes its (only) step
all per task. It also checks the event-loop contract: no body starts before
gather() has returned (all N tasks created), and bodies start in creation order.
"""
import asyncio

from common import emit, now, summary

REPS = {1000: 21, 10000: 7}


async def body(i, starts):
    starts.append((now(), i))


async def once(n):
    starts = []
    t0 = now()
    coros = [body(i, starts) for i in range(n)]
    t1 = now()
    fut = asyncio.gather(*coros)  # creates n Tasks
    t2 = now()
    await fut                     # yields: now the tasks run
    t3 = now()
    return {
        "coro_ns": (t1 - t0) / n,
        "create_ns": (t2 - t1) / n,
        "run_ns": (t3 - t2) / n,
        "first_start_after_gather_call_ns": starts[0][0] - t1,
        "started_before_gather_returned": sum(t < t2 for t, _ in starts),
        "in_creation_order": [i for _, i in starts] == list(range(n)),
    }


async def main():
    out = {}
    await once(100)  # warm-up
    for n, reps in REPS.items():
        runs = [await once(n) for _ in range(reps)]
        out[f"n{n}"] = {
            **{k: summary([r[k] for r in runs]) for k in
               ("coro_ns", "create_ns", "run_ns", "first_start_after_gather_call_ns")},
            "started_before_gather_returned": max(r["started_before_gather_returned"] for r in runs),
            "all_in_creation_order": all(r["in_creation_order"] for r in runs),
        }
    return out


if __name__ == "__main__":
    emit("task_create_ns", asyncio.run(main()))
