//! Snapshot tests: small runs rendered as text, one line per lane, times in µs. Refresh with
//! `UPDATE_EXPECT=1 cargo test -p whenasync-sim --test integration` and read the diff: each
//! line is a claim about CPython's behaviour.

use expect_test::{expect, Expect};
use whenasync_sim::{simulate, Scenario, NO_TASK};

fn render(json: &str) -> String {
    let sc = Scenario::from_json(json).expect("valid scenario");
    let mut out = String::new();
    for run in simulate(&sc).expect("runs") {
        out.push_str(&format!(
            "{} · makespan {} µs\n",
            run.model,
            run.summary.makespan / 1000
        ));
        for lane in &run.lanes {
            let segs: Vec<String> = run
                .segments
                .iter()
                .filter(|s| s.lane == lane.id)
                .map(|s| {
                    let task = if s.task == NO_TASK {
                        String::new()
                    } else {
                        format!("#{}", s.task)
                    };
                    format!(
                        "{}{task} {}-{}",
                        s.kind.name(),
                        s.start / 1000,
                        s.end / 1000
                    )
                })
                .collect();
            if !segs.is_empty() {
                out.push_str(&format!("  {}: {}\n", lane.name, segs.join(", ")));
            }
        }
        for i in &run.insights {
            out.push_str(&format!("  > {}\n", i.text));
        }
    }
    out
}

fn check(json: &str, expect: Expect) {
    expect.assert_eq(&render(json));
}

#[test]
fn gather_creates_every_task_before_any_runs() {
    check(
        r#"{"version":1,"machine":{"await_overhead":"10us","task_create":"5us"},
            "workload":{"classes":[{"name":"fanout","steps":[{"cpu":"100us"},{"gather":[[{"cpu":"200us"},{"io":"1ms"}],[{"io":"2ms"}],[{"cpu":"300us"}]]},{"cpu":"100us"}]}],
            "arrivals":{"burst":{"count":1}}},
            "models":[{"kind":"async"}]}"#,
        expect![[r#"
            async · makespan 2520 µs
              event loop: overhead#0 0-15, running#0 15-115, overhead#0 115-140, running#0 140-340, overhead#0 340-360, running#0 360-660, overhead#0 1390-1400, overhead#0 2400-2420, running#0 2420-2520
              GIL: overhead#0 0-15, running#0 15-115, overhead#0 115-140, running#0 140-340, overhead#0 340-360, running#0 360-660, overhead#0 1390-1400, overhead#0 2400-2420, running#0 2420-2520
              core 0: overhead#0 0-15, running#0 15-115, overhead#0 115-140, running#0 140-340, overhead#0 340-360, running#0 360-660, overhead#0 1390-1400, overhead#0 2400-2420, running#0 2420-2520
              > Awaits, resumes and task creation cost the loop 90 µs of CPU, 13 % on top of the 700 µs of real work.
              > 82 % of the tasks' work is waiting on I/O: how many waits overlap, not CPU speed, sets the pace.
        "#]],
    );
}

#[test]
fn io_thread_beside_cpu_thread_pays_the_switch_interval() {
    check(
        r#"{"version":1,"seed":3,"machine":{"switch_interval":"5ms","gil_handoff":"0ns","thread_switch":"0ns"},
            "workload":{"classes":[
              {"name":"cpu","steps":[{"cpu":"30ms"}]},
              {"name":"io","steps":[{"blocking_io":"1ms"},{"cpu":"100us"},{"blocking_io":"1ms"},{"cpu":"100us"},{"blocking_io":"1ms"},{"cpu":"100us"}]}],
            "arrivals":{"interval":{"every":"1us","count":2}}},
            "models":[{"kind":"threads","workers":2}]}"#,
        expect![[r#"
            threads(2) · makespan 30301 µs
              thread 1: blocked#0 0-1050, gil_wait#0 1050-6100, running#0 6100-6200, blocked#0 6200-7250, gil_wait#0 7250-12300, running#0 12300-12400, blocked#0 12400-13450, gil_wait#0 13450-18500, running#0 18500-18600
              thread 2: running#1 1-6100, gil_wait#1 6100-6200, running#1 6200-12300, gil_wait#1 12300-12400, running#1 12400-18500, gil_wait#1 18500-18600, running#1 18600-30301
              GIL: running#1 1-6100, running#0 6100-6200, running#1 6200-12300, running#0 12300-12400, running#1 12400-18500, running#0 18500-18600, running#1 18600-30301
              core 0: running#1 1-6100, running#0 6100-6200, running#1 6200-12300, running#0 12300-12400, running#1 12400-18500, running#0 18500-18600, running#1 18600-30301
              > After each of its 3 blocking calls, thread 1 waited a mean 5.05 ms to win the GIL back from a CPU-bound thread (switch interval 5.00 ms): the convoy effect.
              > 2 threads shared one GIL, so their Python code ran one at a time: cores were 25 % busy and threads spent 15.4 ms waiting for the GIL.
        "#]],
    );
}

#[test]
fn blocking_sleep_freezes_the_loop() {
    check(
        r#"{"version":1,"machine":{"await_overhead":"0ns","task_create":"0ns"},
            "workload":{"classes":[{"name":"req","steps":[{"cpu":"1ms"},{"blocking_io":"20ms"},{"io":"5ms"}]}],
            "arrivals":{"interval":{"every":"2ms","count":3}}},
            "models":[{"kind":"async"}]}"#,
        expect![[r#"
            async · makespan 68200 µs
              event loop: running#0 0-1000, blocked#0 1000-21050, running#1 21050-22050, blocked#1 22050-42100, running#2 42100-43100, blocked#2 43100-63150
              GIL: running#0 0-1000, running#1 21050-22050, running#2 42100-43100
              core 0: running#0 0-1000, running#1 21050-22050, running#2 42100-43100
              > Task 0's blocking call froze the event loop for 20.1 ms; 2 other tasks waited behind it. Blocking calls froze the loop 3 times, 60.1 ms in all.
              > 96 % of the tasks' work is waiting on I/O: how many waits overlap, not CPU speed, sets the pace.
        "#]],
    );
}

#[test]
fn spawned_processes_share_one_core() {
    check(
        r#"{"version":1,"machine":{"cores":1,"process_start_spawn":"20ms","ipc_fixed":"100us","ipc_per_kb":"0ns","os_time_slice":"5ms"},
            "workload":{"classes":[{"name":"job","steps":[{"cpu":"10ms"}]}],"arrivals":{"burst":{"count":2}}},
            "models":[{"kind":"processes","workers":2,"start":"spawn"}]}"#,
        expect![[r#"
            processes(2, spawn) · makespan 80200 µs
              resource tracker: overhead 0-5000, core_wait 5000-15000, overhead 15000-20000, core_wait 20000-30000, overhead 30000-35000, core_wait 35000-45000, overhead 45000-50000
              resource tracker · GIL: overhead 0-5000, core_wait 5000-15000, overhead 15000-20000, core_wait 20000-30000, overhead 30000-35000, core_wait 35000-45000, overhead 45000-50000
              process 1: core_wait 0-5000, overhead 5000-10000, core_wait 10000-20000, overhead 20000-25000, core_wait 25000-35000, overhead 35000-40000, core_wait 40000-50000, overhead 50000-55000, core_wait#0 55000-60000, overhead#0 60000-60100, running#0 60100-65000, core_wait#0 65000-70000, running#0 70000-75000, core_wait#0 75000-80000, running#0 80000-80100
              process 1 · GIL: core_wait 0-5000, overhead 5000-10000, core_wait 10000-20000, overhead 20000-25000, core_wait 25000-35000, overhead 35000-40000, core_wait 40000-50000, overhead 50000-55000, core_wait#0 55000-60000, overhead#0 60000-60100, running#0 60100-65000, core_wait#0 65000-70000, running#0 70000-75000, core_wait#0 75000-80000, running#0 80000-80100
              process 2: core_wait 0-10000, overhead 10000-15000, core_wait 15000-25000, overhead 25000-30000, core_wait 30000-40000, overhead 40000-45000, core_wait 45000-55000, overhead 55000-60000, core_wait#1 60000-65000, overhead#1 65000-65100, running#1 65100-70000, core_wait#1 70000-75000, running#1 75000-80000, core_wait#1 80000-80100, running#1 80100-80200
              process 2 · GIL: core_wait 0-10000, overhead 10000-15000, core_wait 15000-25000, overhead 25000-30000, core_wait 30000-40000, overhead 40000-45000, core_wait 45000-55000, overhead 55000-60000, core_wait#1 60000-65000, overhead#1 65000-65100, running#1 65100-70000, core_wait#1 70000-75000, running#1 75000-80000, core_wait#1 80000-80100, running#1 80100-80200
              core 0: overhead 0-5000, overhead 5000-10000, overhead 10000-15000, overhead 15000-20000, overhead 20000-25000, overhead 25000-30000, overhead 30000-35000, overhead 35000-40000, overhead 40000-45000, overhead 45000-50000, overhead 50000-55000, overhead 55000-60000, overhead#0 60000-60100, running#0 60100-65000, overhead#1 65000-65100, running#1 65100-70000, running#0 70000-75000, running#1 75000-80000, running#0 80000-80100, running#1 80100-80200
              > Starting 2 worker processes and the resource tracker (spawn) took 20.0 ms of CPU each before any task ran: 25 % of the makespan.
              > More threads and processes were runnable than the 1 core: work waited 25.1 ms in all for a core, so each ran slower than alone.
              > Tasks waited a mean 57.5 ms for a free worker, 72 % of their latency: the number of workers, not the work, sets the pace.
        "#]],
    );
}

/// CPython 3.11's `ProcessPoolExecutor.submit`: under spawn (and forkserver) a worker starts
/// only when a submit finds none idle (`_adjust_process_count`), so spaced tasks reuse one
/// worker; under fork all start at the first submit (`_launch_processes`, gh-90622).
#[test]
fn spawn_starts_workers_on_demand_fork_all_at_once() {
    check(
        r#"{"version":1,"machine":{"cores":4,"process_start_fork":"1ms","process_start_spawn":"20ms","ipc_fixed":"100us","ipc_per_kb":"0ns"},
            "workload":{"classes":[{"name":"job","steps":[{"cpu":"10ms"}]}],"arrivals":{"interval":{"every":"50ms","count":3}}},
            "models":[{"kind":"processes","workers":4,"start":"spawn"},{"kind":"processes","workers":4,"start":"fork"}]}"#,
        expect![[r#"
            processes(4, spawn) · makespan 110100 µs
              resource tracker: overhead 0-20000
              resource tracker · GIL: overhead 0-20000
              process 1: overhead 0-20000, overhead#0 20000-20100, running#0 20100-30100, overhead#1 50000-50100, running#1 50100-60100, overhead#2 100000-100100, running#2 100100-110100
              process 1 · GIL: overhead 0-20000, overhead#0 20000-20100, running#0 20100-30100, overhead#1 50000-50100, running#1 50100-60100, overhead#2 100000-100100, running#2 100100-110100
              core 0: overhead 0-20000
              core 1: overhead 0-20000, overhead#0 20000-20100, running#0 20100-30100, overhead#1 50000-50100, running#1 50100-60100, overhead#2 100000-100100, running#2 100100-110100
              > Starting 1 worker process and the resource tracker (spawn) took 20.0 ms of CPU each before any task ran: 18 % of the makespan.
              > Tasks waited a mean 6.67 ms for a free worker, 40 % of their latency: the number of workers, not the work, sets the pace.
            processes(4, fork) · makespan 110100 µs
              process 1: overhead 0-1000, overhead#0 1000-1100, running#0 1100-11100
              process 1 · GIL: overhead 0-1000, overhead#0 1000-1100, running#0 1100-11100
              process 2: overhead 0-1000, overhead#1 50000-50100, running#1 50100-60100
              process 2 · GIL: overhead 0-1000, overhead#1 50000-50100, running#1 50100-60100
              process 3: overhead 0-1000, overhead#2 100000-100100, running#2 100100-110100
              process 3 · GIL: overhead 0-1000, overhead#2 100000-100100, running#2 100100-110100
              process 4: overhead 0-1000
              process 4 · GIL: overhead 0-1000
              core 0: overhead 0-1000, overhead#0 1000-1100, running#0 1100-11100
              core 1: overhead 0-1000, overhead#1 50000-50100, running#1 50100-60100
              core 2: overhead 0-1000, overhead#2 100000-100100, running#2 100100-110100
              core 3: overhead 0-1000
        "#]],
    );
}

#[test]
fn to_thread_work_competes_with_the_loop_for_the_gil() {
    check(
        r#"{"version":1,"machine":{"await_overhead":"0ns","task_create":"0ns","thread_switch":"0ns","gil_handoff":"0ns"},
            "workload":{"classes":[
              {"name":"heavy","weight":1,"steps":[{"offload":{"steps":[{"cpu":"30ms"}]}}]},
              {"name":"light","weight":1,"steps":[{"io":"2ms"},{"cpu":"100us"}]}],
            "arrivals":{"interval":{"every":"1ms","count":2}}},
            "models":[{"kind":"async"}]}"#,
        expect![[r#"
            async · makespan 30100 µs
              event loop: gil_wait#1 3050-8100, running#1 8100-8200
              to_thread 1: running#0 0-8100, gil_wait#0 8100-8200, running#0 8200-30100
              GIL: running#0 0-8100, running#1 8100-8200, running#0 8200-30100
              core 0: running#0 0-8100, running#1 8100-8200, running#0 8200-30100
              > The event loop waited 5.05 ms in all for the GIL held by its pool threads (up to 5.05 ms at a time): offloading Python CPU to threads does not give the loop its latency back.
        "#]],
    );
}

#[test]
fn a_busy_worker_accepts_every_waiting_connection() {
    // Worker 1 takes #0 and worker 2 #1 while idle; #2–#5 arrive while both compute and wait
    // in the socket's backlog. Worker 1 polls first (at 20 ms) and accepts all four at once
    // (asyncio's `_accept_connection`), so it serves them one after another while worker 2,
    // polling a millisecond later, finds nothing and stays idle.
    check(
        r#"{"version":1,"machine":{"cores":2,"await_overhead":"0ns","task_create":"0ns"},
            "workload":{"classes":[{"name":"req","steps":[{"cpu":"20ms"}]}],
            "arrivals":{"interval":{"every":"1ms","count":6}}},
            "models":[{"kind":"server","workers":2,"inner":{"kind":"async"}}]}"#,
        expect![[r#"
            server(2 × async) · makespan 100000 µs
              worker 1 · loop: running#0 0-20000, running#2 20000-40000, running#3 40000-60000, running#4 60000-80000, running#5 80000-100000
              worker 1 · GIL: running#0 0-20000, running#2 20000-40000, running#3 40000-60000, running#4 60000-80000, running#5 80000-100000
              worker 2 · loop: running#1 1000-21000
              worker 2 · GIL: running#1 1000-21000
              core 0: running#0 0-20000, running#2 20000-40000, running#3 40000-60000, running#4 60000-80000, running#5 80000-100000
              core 1: running#1 1000-21000
              > At 20.0 ms one worker's loop accepted 4 waiting connections in a single poll (asyncio takes up to 100 per readable event), so they ran one after another on that loop while the other worker took only what arrived later. That batch is the tail: p99 95.0 ms against p50 38.0 ms.
              > Tasks waited a mean 11.0 ms for a free worker, 22 % of their latency: the number of workers, not the work, sets the pace.
        "#]],
    );
}
