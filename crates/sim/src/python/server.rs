//! The server model's driver: worker processes sharing one listening Unix socket (as
//! uvicorn/gunicorn workers share a TCP socket), each an event loop or threads, and this
//! process as the clients that connect at each arrival time.

use std::fmt::Write as _;

use super::Gen;
use crate::scenario::Model;

impl Gen<'_> {
    pub(super) fn server_model(&mut self) {
        let async_inner = self.on_loop;
        // With executors of its own, a worker must exit cleanly when run_model terminates it,
        // shutting its executors down.
        let on_term = if self.uses.pools.is_empty() {
            ""
        } else {
            "    signal.signal(signal.SIGTERM, lambda *_: sys.exit())  # on terminate(): exit cleanly\n"
        };
        // Requests carry the task id and, with a timeout, its deadline on the shared clock.
        let (read, send) = if self.timeout {
            (
                "n, deadline_ns = map(int, LINE.split())",
                "writer.write(f\"{n} {T0 + round(deadline(n) * 1e6)}\\n\".encode())",
            )
        } else {
            ("n = int(LINE)", "writer.write(f\"{n}\\n\".encode())")
        };
        if async_inner {
            let read_line = if self.timeout {
                read.replace("LINE", "(await reader.readline())")
            } else {
                read.replace("int(LINE)", "int(await reader.readline())")
            };
            let body = self
                .async_handler_body("        ", "await run_steps_async(PLANS[TASK_PLAN[n]][1])");
            let (status_init, handler) = if self.timeout {
                (
                    "        start, status = now(), \"done\"\n",
                    format!(
                        "{}        except TimeoutError:  # cancelled at its deadline\n            status = \"cancelled\"\n",
                        body.replace("DEADLINE_S", "(deadline_ns - now()) / 1e9")
                    ),
                )
            } else {
                ("        start, status = now(), \"done\"\n", body)
            };
            let limit_init = if self.limit.is_some() {
                "    LIMIT = asyncio.Semaphore(LIMIT)\n"
            } else {
                ""
            };
            let limit_global = if self.limit.is_some() {
                "    global LIMIT\n"
            } else {
                ""
            };
            let default_exec = self.default_executor_line("    ");
            let _ = write!(
                self.out,
                r#"def worker_main(listener, ready):
    """One worker process: an event loop serving connections from the shared socket."""
{on_term}    run_loop(serve(listener, ready))


async def serve(listener, ready):
    """Serve each connection as a task on this worker's loop."""
{limit_global}{limit_init}{default_exec}
    async def on_connection(reader, writer):
        {read_line}
{status_init}{handler}        writer.write(f"{{start}} {{now()}} {{status}}\n".encode())
        await writer.drain()
        writer.close()

    # asyncio accepts when its loop polls (up to 100 waiting connections at a time), so a busy
    # worker leaves new connections to the others.
    server = await asyncio.start_unix_server(on_connection, sock=listener)
    ready.wait()
    await server.serve_forever()
"#
            );
        } else {
            let read_line = read.replace("LINE", "f.readline()");
            let serve_one = if self.timeout {
                r#"            start = now()
            if start >= deadline_ns:  # its caller gave up while it waited to be accepted
                conn.sendall(f"- {deadline_ns} cancelled\n".encode())
                continue
            run_steps(PLANS[TASK_PLAN[n]][1])
            end = now()
            conn.sendall(f"{start} {end} {'timed_out' if end > deadline_ns else 'done'}\n".encode())
"#
            } else {
                r#"            start = now()
            run_steps(PLANS[TASK_PLAN[n]][1])
            conn.sendall(f"{start} {now()} done\n".encode())
"#
            };
            let threads = matches!(self.model, Model::Server { inner, .. } if matches!(**inner, Model::Threads { .. }));
            let main = if threads {
                r#"def worker_main(listener, ready):
    """One worker process: THREADS threads, each taking the next connection from the shared
    socket when it is free (one accept queue for all threads of all workers)."""
ON_TERM    for _ in range(THREADS - 1):
        threading.Thread(target=serve, args=(listener,), daemon=True).start()
    ready.wait()
    serve(listener)
"#
            } else {
                r#"def worker_main(listener, ready):
    """One worker process, one thread: it takes the next connection from the shared socket
    when it is free (one accept queue for all workers)."""
ON_TERM    ready.wait()
    serve(listener)
"#
            };
            let main = main.replace("ON_TERM", on_term);
            let _ = write!(
                self.out,
                r#"{main}

def serve(listener):
    while True:
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as f:
            {read_line}
{serve_one}"#
            );
        }
        let _ = write!(
            self.out,
            r#"

async def request(path, n):
    """One client request: connect, send the task id, read when it started and ended."""
    reader, writer = await asyncio.open_unix_connection(path)
    {send}
    start, end, status = (await reader.readline()).decode().split()
    writer.close()
    START[n] = None if start == "-" else (int(start) - T0) / 1e6
    END[n] = (int(end) - T0) / 1e6
    CANCELLED[n], TIMED_OUT[n] = status == "cancelled", status == "timed_out"
"#
        );
        self.async_drive();
        self.p(r#"

def run_model():
    """WORKERS pre-started worker processes (forked, as gunicorn does; uvicorn --workers spawns
    them) share one listening socket. This process is the clients."""
    global T0
    path = os.path.join(tempfile.mkdtemp(), "server.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(min(COUNT, 4096))  # the accept queue
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(WORKERS + 1)
    workers = [context.Process(target=worker_main, args=(listener, ready))
               for _ in range(WORKERS)]
    for w in workers:
        w.start()
    ready.wait()  # every worker is up before the first request
    T0 = now()
    run_loop(drive(lambda n: asyncio.create_task(request(path, n))))
    for w in workers:
        w.terminate()
        w.join()
    listener.close()
    os.unlink(path)
    os.rmdir(os.path.dirname(path))
"#);
    }
}
