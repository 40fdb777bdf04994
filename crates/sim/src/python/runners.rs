//! The step runners: `run_steps` (on a thread, every wait blocks it), `run_steps_async` (a
//! coroutine on an event loop), and the per-process executors that `offload` steps use.

use std::fmt::Write as _;

use super::Gen;
use crate::scenario::PoolSpec;

impl Gen<'_> {
    pub(super) fn pools_helper(&mut self) {
        let has_thread = self
            .uses
            .pools
            .iter()
            .any(|&p| matches!(self.ck.pools[p as usize].spec, PoolSpec::Thread { .. }));
        let has_process = self
            .uses
            .pools
            .iter()
            .any(|&p| matches!(self.ck.pools[p as usize].spec, PoolSpec::Process { .. }));
        let initargs = if self.uses.cpu_nogil {
            "(LOOPS_PER_MS, PBKDF2_PER_MS)"
        } else {
            "(LOOPS_PER_MS,)"
        };
        self.p(r#"

_pools = {}
_pools_lock = threading.Lock()


def pool(name):
    """This process's executor `name`, created on first use: each process has its own."""
    with _pools_lock:
        if not _pools:  # shut them down when this process exits, before it waits for children
            multiprocessing.util.Finalize(None, shutdown_pools, exitpriority=100)
        if name not in _pools:
            kind, workers, start = POOLS[name]
"#);
        match (has_thread, has_process) {
            (true, false) => self.p(
                "            _pools[name] = ThreadPoolExecutor(workers, thread_name_prefix=name)\n",
            ),
            (false, true) => {
                let _ = write!(
                    self.out,
                    "            _pools[name] = ProcessPoolExecutor(\n                workers, mp_context=multiprocessing.get_context(start),\n                initializer=init_worker, initargs={initargs})\n"
                );
            }
            _ => {
                let _ = write!(
                    self.out,
                    "            if kind == \"thread\":\n                _pools[name] = ThreadPoolExecutor(workers, thread_name_prefix=name)\n            else:\n                _pools[name] = ProcessPoolExecutor(\n                    workers, mp_context=multiprocessing.get_context(start),\n                    initializer=init_worker, initargs={initargs})\n"
                );
            }
        }
        self.p(r#"        return _pools[name]


def shutdown_pools():
    for executor in list(_pools.values()):
        executor.shutdown()
"#);
    }

    pub(super) fn blocking_steps(&mut self) {
        let process_offload = self
            .uses
            .pools
            .iter()
            .any(|&p| matches!(self.ck.pools[p as usize].spec, PoolSpec::Process { .. }));
        let sig = if process_offload {
            "def run_steps(steps, payload=None):"
        } else {
            "def run_steps(steps):"
        };
        let _ = write!(
            self.out,
            r#"

{sig}
    """Runs steps on this thread: every wait blocks the thread (and frees the GIL)."""
    for step in steps:
        match step:
            case ["cpu", ms]:
                cpu(ms)
"#
        );
        if self.uses.cpu_nogil {
            self.p("            case [\"cpu_nogil\", ms]:\n                cpu_nogil(ms)\n");
        }
        self.p(r#"            case ["io", ms]:
                time.sleep(seconds(ms))  # a sync driver: the thread waits for the reply
            case ["blocking_io", ms]:
                time.sleep(seconds(ms))
"#);
        if process_offload {
            self.p(r#"            case ["offload", name, inner, kb]:
                # pool.submit(...).result(): the arguments are pickled to a worker process
                pool(name).submit(run_steps, inner, bytes(round(kb * 1024))).result()
"#);
        }
        if self.offloads_to(false) {
            self.p(r#"            case ["offload", name, inner]:
                pool(name).submit(run_steps, inner).result()  # this thread blocks on the future
"#);
        }
        if self.uses.gather {
            self.p(r#"            case ["gather", branches]:
                for branch in branches:  # off an event loop, the sub-calls run one after another
                    run_steps(branch)
"#);
        }
    }

    pub(super) fn async_steps(&mut self) {
        self.p(r#"

async def run_steps_async(steps):
    """Runs steps as a coroutine on the event loop."""
    for step in steps:
        match step:
            case ["cpu", ms]:
                cpu(ms)  # on the loop thread: the loop is frozen meanwhile
"#);
        if self.uses.cpu_nogil {
            self.p(
                "            case [\"cpu_nogil\", ms]:\n                cpu_nogil(ms)  # frees the GIL, but the loop still waits for it\n",
            );
        }
        self.p(r#"            case ["io", ms]:
                await asyncio.sleep(seconds(ms))  # suspends: the loop runs other tasks
            case ["blocking_io", ms]:
                time.sleep(seconds(ms))  # blocks the loop thread: nothing else runs
"#);
        let process_offload = self
            .uses
            .pools
            .iter()
            .any(|&p| matches!(self.ck.pools[p as usize].spec, PoolSpec::Process { .. }));
        if process_offload {
            self.p(
                r#"            case ["offload", name, inner, kb]:
                payload = bytes(round(kb * 1024))  # pickled to the worker process
                await asyncio.get_running_loop().run_in_executor(pool(name), run_steps, inner, payload)
"#,
            );
        }
        let default_thread = self.uses.pools.contains(&0)
            && matches!(self.ck.pools[0].spec, PoolSpec::Thread { .. });
        if default_thread {
            self.p(r#"            case ["offload", "default", inner]:
                await asyncio.to_thread(run_steps, inner)  # the loop's default executor
"#);
        }
        if self
            .uses
            .pools
            .iter()
            .any(|&p| p != 0 && matches!(self.ck.pools[p as usize].spec, PoolSpec::Thread { .. }))
        {
            self.p(r#"            case ["offload", name, inner]:
                await asyncio.get_running_loop().run_in_executor(pool(name), run_steps, inner)
"#);
        }
        if self.uses.gather {
            self.p(r#"            case ["gather", branches]:
                await asyncio.gather(*(run_steps_async(b) for b in branches))
"#);
        }
    }

    /// `loop.set_default_executor(...)` when the default pool is offloaded to, in the loop's
    /// process: the default executor has the simulator's size, not this machine's.
    pub(super) fn default_executor_line(&self, indent: &str) -> String {
        if self.uses.pools.contains(&0) && matches!(self.ck.pools[0].spec, PoolSpec::Thread { .. })
        {
            format!("{indent}asyncio.get_running_loop().set_default_executor(pool(\"default\"))\n")
        } else {
            String::new()
        }
    }
}
