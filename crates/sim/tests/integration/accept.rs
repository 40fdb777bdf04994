//! The listening socket that async server workers share (exec.rs, event loop rule 5): a
//! polling loop accepts every waiting connection, up to asyncio's 100, and a busy loop only
//! when it next polls.

use whenasync_sim::{simulate, Run, Scenario, MS};

fn run(json: &str) -> Run {
    let sc = Scenario::from_json(json).expect("valid scenario");
    simulate(&sc).expect("runs").remove(0)
}

/// When each task was accepted and created on its loop, ms.
fn starts(run: &Run) -> Vec<u64> {
    run.tasks
        .iter()
        .map(|t| t.start.expect("every task starts") / MS)
        .collect()
}

/// 151 connections at once to one worker: it takes the first while idle; the other 150 wait
/// in the backlog while it computes. At its next poll (1 ms) it accepts 100, the most one run
/// of `_accept_connection` takes; the other 50 wait for the poll after the next iteration,
/// which first runs the 100 new tasks' first steps (100 ms).
#[test]
fn one_poll_accepts_at_most_100_waiting_connections() {
    let r = run(
        r#"{"version":1,"machine":{"await_overhead":"0ns","task_create":"0ns"},
        "workload":{"classes":[{"name":"req","steps":[{"cpu":"1ms"}]}],
        "arrivals":{"burst":{"count":151}}},
        "models":[{"kind":"server","workers":1,"inner":{"kind":"async"}}]}"#,
    );
    let s = starts(&r);
    assert_eq!(s[0], 0);
    assert!(s[1..=100].iter().all(|&t| t == 1), "{:?}", &s[1..=100]);
    assert!(s[101..].iter().all(|&t| t == 101), "{:?}", &s[101..]);
    assert_eq!(r.summary.makespan, 151 * MS);
}

/// Idle workers all wake on a connection (no `EPOLLEXCLUSIVE`) and the first to accept wins
/// it; the race is settled deterministically, in turn from the worker after the last winner, so
/// requests that find every worker idle go round the workers.
#[test]
fn idle_workers_take_turns_at_winning_a_connection() {
    let r = run(
        r#"{"version":1,"machine":{"cores":4,"await_overhead":"0ns","task_create":"0ns"},
        "workload":{"classes":[{"name":"req","steps":[{"cpu":"1ms"}]}],
        "arrivals":{"interval":{"every":"2ms","count":6}}},
        "models":[{"kind":"server","workers":4,"inner":{"kind":"async"}}]}"#,
    );
    let loops: Vec<u32> = r.lanes.iter().filter(|l| l.is_loop).map(|l| l.id).collect();
    let ran_on = |task: u32| {
        let seg = r
            .segments
            .iter()
            .find(|s| s.task == task && loops.contains(&s.lane))
            .expect("the task ran on a loop");
        loops
            .iter()
            .position(|&l| l == seg.lane)
            .expect("a loop lane")
    };
    let order: Vec<usize> = (0..6).map(ran_on).collect();
    assert_eq!(order, [0, 1, 2, 3, 0, 1]);
}

/// A connection whose caller gives up while it waits in the backlog is cancelled there: no
/// worker runs it, and the worker that polls next drops it from the backlog.
#[test]
fn a_connection_cancelled_in_the_backlog_is_never_run() {
    let r = run(
        r#"{"version":1,"machine":{"await_overhead":"0ns","task_create":"0ns"},
        "workload":{"classes":[{"name":"req","steps":[{"cpu":"30ms"}]}],
        "arrivals":{"interval":{"every":"1ms","count":3}},"timeout":"20ms"},
        "models":[{"kind":"server","workers":1,"inner":{"kind":"async"}}]}"#,
    );
    let t = &r.tasks;
    // #0 keeps the only worker busy past both deadlines.
    assert!(t[1].cancelled && t[1].start.is_none(), "{:?}", t[1]);
    assert!(t[2].cancelled && t[2].start.is_none(), "{:?}", t[2]);
    assert_eq!(t[1].end, Some(21 * MS));
    assert_eq!(t[2].end, Some(22 * MS));
}
