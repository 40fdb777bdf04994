//! The per-model drivers of one process: the model section's dispatch, and `run_model` with its
//! clients (`drive`) for the sync, async and pool (threads, processes) models. The server
//! model is in [`super::server`].

use std::fmt::Write as _;

use super::{Gen, Shape};
use crate::scenario::Model;

impl Gen<'_> {
    pub(super) fn model_section(&mut self) {
        let label = self.model.label();
        let _ = writeln!(
            self.out,
            "# ── The model: {label} {}",
            "─".repeat(70usize.saturating_sub(label.chars().count()))
        );
        match self.shape {
            Shape::Sync => self.sync_model(),
            Shape::Async => self.async_model(),
            Shape::Pool => self.pool_model(),
            Shape::Server => self.server_model(),
        }
        self.p("\n\n");
    }

    fn sync_model(&mut self) {
        let run_one = if self.timeout {
            r#"    if elapsed_ms() >= deadline(n):  # its caller gave up while it waited in line
        CANCELLED[n], END[n] = True, deadline(n)
    else:
        START[n] = elapsed_ms()
        run_steps(PLANS[TASK_PLAN[n]][1])
        END[n] = elapsed_ms()
        TIMED_OUT[n] = END[n] > deadline(n)  # too late: its caller gave up meanwhile
"#
        } else {
            r#"    START[n] = elapsed_ms()
    run_steps(PLANS[TASK_PLAN[n]][1])
    END[n] = elapsed_ms()
"#
        };
        let _ = write!(
            self.out,
            "def serve(n):\n    \"\"\"Task n, on this thread.\"\"\"\n{run_one}"
        );
        if self.closed {
            self.p(r#"

def run_model():
    """sync: one thread serves the requests in arrival order. Each of the CLIENTS clients sends
    its next request THINK_MS after its response (a closed loop)."""
    global T0
    T0 = now()
    waiting = [(0.0, c) for c in range(CLIENTS)]  # (arrival ms, task): requests not served yet
    for c in range(CLIENTS):
        ARRIVAL[c] = 0.0
    next_id = CLIENTS
    while waiting:
        at, n = heapq.heappop(waiting)
        sleep_until(at)
        serve(n)
        if next_id < COUNT:  # that client thinks, then sends its next request
            ARRIVAL[next_id] = END[n] + THINK_MS[n] * SCALE
            heapq.heappush(waiting, (ARRIVAL[next_id], next_id))
            next_id += 1
"#);
        } else {
            self.p(r#"

def run_model():
    """sync: one thread runs the tasks one after another, in arrival order."""
    global T0
    T0 = now()
    for n in range(COUNT):
        sleep_until(ARRIVAL[n])
        serve(n)
"#);
        }
    }

    pub(super) fn async_handler_body(&self, indent: &str, run: &str) -> String {
        // `run` is the awaited body; wrap it in the semaphore and the deadline as needed.
        let mut body = String::new();
        let mut ind = indent.to_string();
        if self.timeout {
            body.push_str(&format!("{ind}try:\n"));
            ind.push_str("    ");
            body.push_str(&format!(
                "{ind}# asyncio.wait_for(..., timeout): the same, without an extra task\n{ind}async with asyncio.timeout(DEADLINE_S):\n"
            ));
            ind.push_str("    ");
        }
        if self.limit.is_some() {
            body.push_str(&format!(
                "{ind}async with LIMIT:  # at most LIMIT tasks in flight\n"
            ));
            ind.push_str("    ");
        }
        body.push_str(&format!("{ind}{run}\n"));
        body
    }

    fn async_model(&mut self) {
        let mut handle = String::from(
            "async def handle(n):\n    \"\"\"Task n: a coroutine on the loop.\"\"\"\n",
        );
        let inner =
            self.async_handler_body("    ", "await run_steps_async(PLANS[TASK_PLAN[n]][1])");
        if self.timeout {
            handle.push_str(&inner.replace("DEADLINE_S", "(deadline(n) - elapsed_ms()) / 1000"));
            handle.push_str("    except TimeoutError:  # cancelled at its deadline\n        CANCELLED[n] = True\n");
        } else {
            handle.push_str(&inner);
        }
        handle.push_str("    END[n] = elapsed_ms()\n");
        self.p(&handle);
        let limit_global = if self.limit.is_some() { ", LIMIT" } else { "" };
        let limit_init = if self.limit.is_some() {
            "    LIMIT = asyncio.Semaphore(LIMIT)\n"
        } else {
            ""
        };
        let default_exec = self.default_executor_line("    ");
        self.async_drive();
        let _ = write!(
            self.out,
            r#"

def start(n):
    """A task arrives: create it (it takes its first step in a later loop iteration)."""
    START[n] = elapsed_ms()
    return asyncio.create_task(handle(n))


async def serve():
    global T0{limit_global}
{limit_init}{default_exec}    T0 = now()
    await drive(start)


def run_model():
    """async: one event loop runs every task as a coroutine."""
    run_loop(serve())
"#
        );
    }

    /// `drive(submit)` on an event loop: the clients of the async and server models.
    pub(super) fn async_drive(&mut self) {
        if self.closed {
            self.p(r#"

async def drive(submit):
    """CLIENTS clients: each sends a request, awaits its response, thinks, sends the next."""
    ids = itertools.count(CLIENTS)

    async def client(n, at):
        while n < COUNT:
            await sleep_until_async(at)
            ARRIVAL[n] = at
            await submit(n)
            at, n = END[n] + THINK_MS[n] * SCALE, next(ids)

    await asyncio.gather(*(client(c, 0.0) for c in range(CLIENTS)))
"#);
        } else {
            self.p(r#"

async def drive(submit):
    """The clients: each task arrives at its time (a burst: all at once)."""
    tasks = []
    for n in range(COUNT):
        await sleep_until_async(ARRIVAL[n])
        tasks.append(submit(n))
    await asyncio.gather(*tasks)
"#);
        }
    }

    fn pool_model(&mut self) {
        let processes = matches!(self.model, Model::Processes { .. });
        let sig = if processes {
            "def handle(n, payload):"
        } else {
            "def handle(n):"
        };
        let where_ = if processes {
            "in a worker process"
        } else {
            "on a pool thread"
        };
        let _ = write!(
            self.out,
            r#"def record(n, future):
    if not future.cancelled():
        START[n], END[n] = ((t - T0) / 1e6 for t in future.result())


{sig}
    """Task n, {where_}: when it started and ended."""
    start = now()
    run_steps(PLANS[TASK_PLAN[n]][1])
    return start, now()
"#
        );
        if self.timeout {
            self.p(r#"

def wait_until_deadline(n, future):
    """`future.result(timeout=...)` until task n's deadline. A task still queued then is
    cancelled; a running one cannot be stopped: it runs on, timed out."""
    try:
        future.result(timeout=max(0.0, deadline(n) - elapsed_ms()) / 1000)
    except TimeoutError:
        if future.cancel():
            CANCELLED[n], END[n] = True, deadline(n)
        else:
            TIMED_OUT[n] = True
"#);
        }
        match (self.closed, self.timeout) {
            (false, false) => self.p(r#"

def drive(submit):
    """The clients: submit each task at its arrival time, then collect the results."""
    futures = []
    for n in range(COUNT):
        sleep_until(ARRIVAL[n])
        futures.append(submit(n))
    for n, future in enumerate(futures):
        record(n, future)
"#),
            (false, true) => self.p(r#"

def drive(submit):
    """The clients: submit each task at its arrival time; give up on it at its deadline."""
    futures, waited = [], 0
    for n in range(COUNT):
        while waited < n and deadline(waited) <= ARRIVAL[n]:  # deadlines before this arrival
            wait_until_deadline(waited, futures[waited])
            waited += 1
        sleep_until(ARRIVAL[n])
        futures.append(submit(n))
    for n in range(waited, COUNT):
        wait_until_deadline(n, futures[n])
    for n, future in enumerate(futures):
        record(n, future)
"#),
            (true, _) => {
                let wait = if self.timeout {
                    "            wait_until_deadline(n, future)\n            if not future.cancelled():\n                future.exception()  # the client gave up; the task still ends\n"
                } else {
                    ""
                };
                let _ = write!(
                    self.out,
                    r#"

def drive(submit):
    """CLIENTS clients, a thread each: send a request, wait for its response, think, repeat."""
    ids, lock = itertools.count(CLIENTS), threading.Lock()

    def client(n):
        at = 0.0
        while n < COUNT:
            sleep_until(at)
            ARRIVAL[n] = at
            future = submit(n)
{wait}            record(n, future)
            with lock:
                at, n = END[n] + THINK_MS[n] * SCALE, next(ids)

    clients = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
    for c in clients:
        c.start()
    for c in clients:
        c.join()
"#
                );
            }
        }
        if processes {
            let initargs = if self.uses.cpu_nogil {
                "(LOOPS_PER_MS, PBKDF2_PER_MS)"
            } else {
                "(LOOPS_PER_MS,)"
            };
            let _ = write!(
                self.out,
                r#"

def run_model():
    """ProcessPoolExecutor(WORKERS): each task runs in a worker process with its own GIL. Under
    fork the workers all start at the first submit; under spawn or forkserver one starts at each
    submit that finds none idle (and the executor starts multiprocessing's resource tracker).
    Each task's arguments are pickled to its worker."""
    global T0
    context = multiprocessing.get_context(START_METHOD)
    with ProcessPoolExecutor(WORKERS, mp_context=context,
                             initializer=init_worker, initargs={initargs}) as executor:
        T0 = now()
        drive(lambda n: executor.submit(
            handle, n, bytes(round(PAYLOAD_KB[PLANS[TASK_PLAN[n]][0]] * 1024))))
"#
            );
        } else {
            self.p(r#"

def run_model():
    """ThreadPoolExecutor(WORKERS): tasks queue FIFO for WORKERS threads that share one GIL."""
    global T0
    with ThreadPoolExecutor(WORKERS) as executor:
        T0 = now()
        drive(lambda n: executor.submit(handle, n))
"#);
        }
    }
}
