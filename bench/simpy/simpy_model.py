"""The `whenasync bench` reference model, written in SimPy.

ThreadPoolExecutor(N) threads share one GIL and the machine's cores. Each request runs its steps
(`cpu` needs the GIL and a core, `io` releases both and sleeps). The rules are the ones of
docs/model.md (CPython 3.2+ `ceval_gil.c`):

- a thread that finds the GIL taken waits one switch interval (+ timer slack); if no switch
  happened meanwhile it sets the drop request, and the holder drops at once (an interrupt) and
  queues behind the other waiters;
- a released GIL goes to the first waiter (FIFO; an interrupt ends its timed wait), who runs
  after `gil_handoff`;
- blocking (I/O, an idle worker waiting for work) releases the GIL and the core; an I/O wait is
  a timer (`time.sleep`), which the kernel fires a timer slack late;
- runnable threads share the cores FIFO with a round-robin time slice;
- picking up a work item costs `thread_switch` of Python.

Time is integer nanoseconds, like the engine's.
"""

from collections import deque

import simpy

US = 1_000
MS = 1_000_000

# docs/model.md, "Machine defaults" (crates/scenario/src/scenario.rs: `Machine::default`).
MACHINE = {
    "cores": 4,
    "switch_interval": 5 * MS,
    "gil_timer_slack": 50 * US,
    "thread_switch": 10 * US,
    "gil_handoff": 20 * US,
    "os_time_slice": 4 * MS,
}


class Gil:
    """One process's GIL: a holder, FIFO waiters and a switch counter."""

    def __init__(self, env, m):
        self.env = env
        self.interval = m["switch_interval"] + m["gil_timer_slack"]
        self.handoff = m["gil_handoff"]
        self.holder = None
        self.last_holder = None
        self.switch_no = 0
        self.waiters = deque()  # threads in their timed wait, interrupted when handed the GIL
        self.wait_total = 0  # time threads spent waiting for it, ns
        self.drops = 0  # drop requests set

    def _take(self, t):
        self.holder = t
        if self.last_holder is not t:
            self.last_holder = t
            self.switch_no += 1

    def acquire(self, t):
        """Takes the GIL for thread `t` (a generator: `yield from gil.acquire(t)`)."""
        if self.holder is None:
            self._take(t)
            return
        env = self.env
        since = env.now
        self.waiters.append(t)
        while True:
            switch_no = self.switch_no
            try:
                yield env.timeout(self.interval)
            except simpy.Interrupt:  # handed the GIL by `release`
                break
            if self.holder is not None and self.switch_no == switch_no:
                self.drops += 1
                self.holder.drop_request()
        yield env.timeout(self.handoff)  # the new holder's wake-up
        self.wait_total += env.now - since

    def release(self, t):
        """`t` releases the GIL; the first waiter gets it."""
        assert self.holder is t
        self.holder = None
        if self.waiters:
            w = self.waiters.popleft()
            self._take(w)
            w.proc.interrupt()


class PyThread:
    """A pool thread: runs Python with the GIL on a core, or blocks holding neither."""

    def __init__(self, sim):
        self.sim = sim
        self.env = sim.env
        self.has_gil = False
        self.core = None  # the granted core request
        self.slice_end = 0
        self.computing = False
        self.drop = False
        self.proc = self.env.process(sim.worker(self))

    def drop_request(self):
        """The GIL's drop request: a computing holder drops at its next check (now)."""
        self.drop = True
        if self.computing:
            self.proc.interrupt()

    def python(self, left):
        """Runs `left` ns of Python code: GIL first, then a core, round-robin slices."""
        env, sim = self.env, self.sim
        while left > 0:
            if not self.has_gil:
                if self.core is not None:
                    self.leave_core()
                yield from sim.gil.acquire(self)
                self.has_gil = True
            if self.core is None:
                self.core = sim.cores.request()
                yield self.core
                self.slice_end = env.now + sim.m["os_time_slice"]
            if self.drop:
                self.release_gil()
                continue
            if env.now >= self.slice_end:
                if sim.cores.queue:
                    self.leave_core()  # time slice over and others wait: to the back
                    continue
                self.slice_end = env.now + sim.m["os_time_slice"]
            start = env.now
            self.computing = True
            try:
                yield env.timeout(min(left, self.slice_end - start))
            except simpy.Interrupt:
                # The drop request: bank the work done, drop the GIL, queue for it again.
                self.release_gil()
            self.computing = False
            left -= env.now - start

    def release_gil(self):
        self.drop = False
        self.has_gil = False
        self.sim.gil.release(self)

    def leave_core(self):
        self.sim.cores.release(self.core)
        self.core = None

    def block(self):
        """Blocking (I/O, waiting for work) releases the core and the GIL."""
        if self.core is not None:
            self.leave_core()
        if self.has_gil:
            self.release_gil()


class ThreadPoolModel:
    """`ThreadPoolExecutor(workers)` fed by a list of arrival times (ns)."""

    def __init__(self, arrivals, steps, workers, machine=MACHINE):
        self.env = simpy.Environment()
        self.m = machine
        self.gil = Gil(self.env, machine)
        self.cores = simpy.Resource(self.env, capacity=machine["cores"])
        self.queue = simpy.Store(self.env)
        self.workers = workers
        self.threads = []
        self.steps = steps  # [("cpu" | "io", ns), ...]
        self.arrivals = arrivals
        self.ends = [None] * len(arrivals)
        self.env.process(self.arrive())

    def arrive(self):
        env = self.env
        for n, at in enumerate(self.arrivals):
            yield env.timeout(at - env.now)
            self.queue.put(n)
            # No idle thread will take it: start another, up to `workers` (on demand).
            if self.unclaimed() > 0 and len(self.threads) < self.workers:
                self.threads.append(PyThread(self))

    def unclaimed(self):
        """Queued work items that no idle thread is already waiting for."""
        return len(self.queue.items) - len(self.queue.get_queue)

    def worker(self, me):
        env = self.env
        while True:
            if self.unclaimed() <= 0:
                me.block()  # idle: waits on the queue's condition variable
            n = yield self.queue.get()
            yield from me.python(self.m["thread_switch"])
            for kind, d in self.steps:
                if kind == "cpu":
                    yield from me.python(d)
                else:
                    me.block()
                    yield env.timeout(d + self.m["gil_timer_slack"])
            self.ends[n] = env.now

    def run(self):
        self.env.run()
        return self.ends

    def events(self):
        """Events SimPy scheduled (every one is processed by the end of the run)."""
        return next(self.env._eid)
