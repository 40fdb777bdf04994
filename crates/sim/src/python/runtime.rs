//! The shared runtime every program carries: the clock and arrival bookkeeping, the event-loop
//! runner, and the step primitives with their start-up calibration (`spin`, `cpu`,
//! `cpu_nogil`, `init_worker` for process workers). The step runners come from
//! [`super::runners`].

use std::fmt::Write as _;

use super::{Gen, Shape};

impl Gen<'_> {
    pub(super) fn measuring(&mut self) {
        self.p(
            r#"# ── Measuring ──────────────────────────────────────────────────────────────────────
now = time.perf_counter_ns  # CLOCK_MONOTONIC on Linux: the same clock in every process
T0 = 0                      # when the first task may arrive
"#,
        );
        if self.closed {
            self.p("ARRIVAL = [None] * COUNT    # ms since T0; a closed loop fills it in as requests go out\n");
        } else {
            self.p("ARRIVAL = [a * SCALE for a in ARRIVAL_MS]  # ms since T0\n");
        }
        self.p(r#"START, END = [None] * COUNT, [None] * COUNT
CANCELLED, TIMED_OUT = [False] * COUNT, [False] * COUNT


def elapsed_ms():
    return (now() - T0) / 1e6


def seconds(ms):
    return ms * SCALE / 1000
"#);
        if self.on_loop || self.shape == Shape::Server {
            if self.select_loop() {
                self.p(r#"

def run_loop(main):
    """asyncio.run(main) on a select() loop. asyncio.sleep stands in for I/O, and a reply would
    wake the loop at once; the default loop's epoll counts its timeout in whole ms, so an idle
    loop would wake up to 1 ms late, where select() counts µs (this program has few fds)."""
    factory = lambda: asyncio.SelectorEventLoop(selectors.SelectSelector())
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)
"#);
            } else {
                self.p(r#"

def run_loop(main):
    """asyncio.run(main). With this many connections the fds outgrow select(), so this is the
    default epoll loop, whose timers (asyncio.sleep, the stand-in for I/O) can wake up to 1 ms
    late on an idle loop: epoll counts its timeout in whole ms."""
    return asyncio.run(main)
"#);
            }
        }
        if self.timeout {
            self.p("\n\ndef deadline(n):\n    return ARRIVAL[n] + TIMEOUT_MS\n");
        }
        if matches!(self.shape, Shape::Sync | Shape::Pool) {
            self.p(r#"

def sleep_until(at_ms):
    time.sleep(max(0.0, at_ms - elapsed_ms()) / 1000)
"#);
        }
        if matches!(self.shape, Shape::Async | Shape::Server) {
            self.p(r#"

async def sleep_until_async(at_ms):
    if at_ms > elapsed_ms():
        await asyncio.sleep((at_ms - elapsed_ms()) / 1000)
"#);
        }
        self.p("\n\n");
    }

    pub(super) fn steps(&mut self) {
        self.p(
            r#"# ── The steps ──────────────────────────────────────────────────────────────────────
LOOPS_PER_MS = 0.0   # iterations of spin() per ms of CPU, measured at start-up
"#,
        );
        if self.uses.cpu_nogil {
            self.p("PBKDF2_PER_MS = 0.0  # pbkdf2_hmac iterations per ms of CPU\n");
        }
        self.p(r#"

def spin(n):
    for _ in range(n):
        pass
"#);
        if self.uses.cpu_nogil {
            self.p(r#"

def pbkdf2(n):
    hashlib.pbkdf2_hmac("sha256", b"whenasync", b"salt", n)
"#);
        }
        self.p(r#"

def cpu_ms(f, n):
    """CPU time of f(n), on this thread's CPU clock: being preempted does not inflate it."""
    t = time.thread_time_ns()
    f(n)
    return (time.thread_time_ns() - t) / 1e6


def loops_per_ms():
    return 300_000 / statistics.median(cpu_ms(spin, 300_000) for _ in range(7))


def calibrate():
    """How many iterations make 1 ms of CPU, measured once (the median of several runs)."""
    global LOOPS_PER_MS
"#);
        if self.uses.cpu_nogil {
            self.p("    global PBKDF2_PER_MS\n");
        }
        self.p(r#"    spin(200_000)  # warm up
    LOOPS_PER_MS = loops_per_ms()
"#);
        if self.uses.cpu_nogil {
            self.p("    PBKDF2_PER_MS = 5_000 / statistics.median(cpu_ms(pbkdf2, 5_000) for _ in range(7))\n");
        }
        if self.process_pools() {
            let extra = if self.uses.cpu_nogil {
                ", pbkdf2_per_ms"
            } else {
                ""
            };
            let extra_set = if self.uses.cpu_nogil {
                "\n    global PBKDF2_PER_MS\n    PBKDF2_PER_MS = pbkdf2_per_ms"
            } else {
                ""
            };
            let _ = write!(
                self.out,
                r#"

def init_worker(loops_per_ms{extra}):
    """In a worker process (spawn re-imports this file): take the parent's calibration."""
    global LOOPS_PER_MS
    LOOPS_PER_MS = loops_per_ms{extra_set}
    sys.setswitchinterval(SWITCH_INTERVAL_S)
"#
            );
        }
        self.p(r#"

def cpu(ms):
    """Pure-Python work: holds the GIL (another thread gets it only by asking, every switch
    interval) until this thread has used `ms` of CPU. It spins in calibrated chunks of about
    50 µs and reads the thread's CPU clock between them: a machine's speed drifts (other
    tenants of a VM, turbo), so a fixed count of iterations is not a fixed amount of CPU."""
    end = time.thread_time_ns() + ms * SCALE * 1e6
    while (left := end - time.thread_time_ns()) > 0:
        spin(min(round(left / 1e6 * LOOPS_PER_MS), round(0.05 * LOOPS_PER_MS)) + 1)
"#);
        if self.uses.cpu_nogil {
            self.p(r#"

def cpu_nogil(ms):
    """C code that releases the GIL for its whole run: other threads run Python meanwhile."""
    n = round(ms * SCALE * PBKDF2_PER_MS)
    if n:
        pbkdf2(n)
"#);
        }
        if !self.uses.pools.is_empty() {
            self.pools_helper();
        }
        if self.blocking_runner() {
            self.blocking_steps();
        }
        if self.on_loop {
            self.async_steps();
        }
        self.p("\n\n");
    }
}
