//! Pools that run work items on threads or processes: thread pools (`to_thread`, executors),
//! process pools and their start methods, the server workers' shared accept queue, `submit`,
//! and a worker thread taking its next item.

use std::collections::VecDeque;

use crate::engine::os::{Role, TState, Thread};
use crate::engine::{Engine, Sid, Tid, NONE};
use crate::run::{Kind, LaneKind, RESOURCE_TRACKER};
use crate::scenario::{PoolSpec, StartMethod};
use crate::validate::start_cost;

pub(crate) struct Pool {
    queue: VecDeque<Sid>,
    idle: VecDeque<Tid>,
    threads: Vec<Tid>,
    pub max: u32,
    /// Thread pool: the process its threads live in. Process pool: `NONE`.
    proc: u32,
    /// Process pool start-up cost per worker, ns (`None` for thread pools).
    start: Option<u64>,
    started: bool,
    /// Process pool under spawn or forkserver: a worker starts at a submit that finds none
    /// idle (`_adjust_process_count`), not all at the first submit.
    pub(super) on_demand: bool,
    /// `_idle_worker_semaphore`: released once per finished work item, acquired by a submit.
    pub(super) idle_sem: u32,
    lazy: bool,
    /// Whether picking up a work item costs `thread_switch` (an executor hand-off).
    pub handoff: bool,
    pub prefix: String,
    pub numbered: bool,
}

impl Engine<'_> {
    // ---- building ----

    pub(in crate::engine) fn add_thread_pool(
        &mut self,
        proc: u32,
        max: u32,
        prefix: &str,
        numbered: bool,
    ) -> u32 {
        self.pools.push(Pool {
            queue: VecDeque::new(),
            idle: VecDeque::new(),
            threads: Vec::new(),
            max,
            proc,
            start: None,
            started: true,
            on_demand: false,
            idle_sem: 0,
            lazy: true,
            handoff: true,
            prefix: prefix.to_string(),
            numbered,
        });
        (self.pools.len() - 1) as u32
    }

    pub(in crate::engine) fn add_process_pool(
        &mut self,
        max: u32,
        start: StartMethod,
        prefix: &str,
        numbered: bool,
    ) -> u32 {
        let cost = start_cost(self.m, start);
        self.pools.push(Pool {
            queue: VecDeque::new(),
            idle: VecDeque::new(),
            threads: Vec::new(),
            max,
            proc: NONE,
            start: Some(cost),
            started: false,
            on_demand: start != StartMethod::Fork,
            idle_sem: 0,
            lazy: false,
            handoff: true,
            prefix: prefix.to_string(),
            numbered,
        });
        (self.pools.len() - 1) as u32
    }

    /// Server workers running sync or threads: one shared accept queue over `workers`
    /// pre-started processes of `per` threads each.
    pub(in crate::engine) fn add_server_pool(&mut self, workers: u32, per: u32) -> u32 {
        let pool = self.add_thread_pool(NONE, workers * per, "worker", true);
        self.pools[pool as usize].lazy = false;
        for w in 0..workers {
            let p = self.add_proc(format!("worker {}", w + 1));
            for i in 0..per {
                let name = if per == 1 {
                    format!("worker {}", w + 1)
                } else {
                    format!("worker {} · thread {}", w + 1, i + 1)
                };
                self.spawn_thread(pool, p, name);
            }
        }
        pool
    }

    /// Adds a thread to `pool` in process `proc`; it starts idle.
    fn spawn_thread(&mut self, pool: u32, proc: u32, name: String) -> Tid {
        let lane = self.rec.add_lane(LaneKind::Thread, name, Some(proc), false);
        let t = self.threads.len() as Tid;
        self.threads
            .push(Thread::new(proc, lane, Role::Worker(pool)));
        self.pools[pool as usize].threads.push(t);
        self.pools[pool as usize].idle.push_back(t);
        t
    }

    pub(in crate::engine) fn add_pool_thread(&mut self, pool: u32) -> Tid {
        let n = self.pools[pool as usize].threads.len() as u32;
        let name = self.pool_lane_name(pool, n);
        let proc = self.pools[pool as usize].proc;
        self.spawn_thread(pool, proc, name)
    }

    /// The pool instance for pool `idx` of the scenario, as seen from process `proc`.
    pub(super) fn pool_for(&mut self, proc: u32, idx: u16) -> u32 {
        if let Some(&p) = self.pool_at.get(&(proc, idx)) {
            return p;
        }
        let name = &self.ck.pools[idx as usize].name;
        let owner = &self.procs[proc as usize].label;
        let base = match name.as_str() {
            "default" => "to_thread".to_string(),
            n => format!("pool {n}"),
        };
        let prefix = if owner.is_empty() {
            base
        } else {
            format!("{owner} · {base}")
        };
        let p = match *self.default_pool_spec(idx) {
            PoolSpec::Thread { workers } => self.add_thread_pool(proc, workers, &prefix, true),
            PoolSpec::Process { workers, start } => {
                self.add_process_pool(workers, start, &prefix, true)
            }
        };
        self.pool_at.insert((proc, idx), p);
        p
    }

    // ---- work ----

    /// Queues strand `s` on pool `pool` (`executor.submit`).
    pub(in crate::engine) fn submit(&mut self, pool: u32, s: Sid) {
        self.strand_state(s, Kind::Queued);
        let p = &mut self.pools[pool as usize];
        p.queue.push_back(s);
        if p.on_demand {
            self.adjust_process_count(pool);
        } else if p.start.is_some() && !p.started {
            self.start_processes(pool);
            return;
        }
        if let Some(t) = self.pools[pool as usize].idle.pop_front() {
            self.unpark(t);
        } else if self.pools[pool as usize].lazy
            && (self.pools[pool as usize].threads.len() as u32) < self.pools[pool as usize].max
        {
            let t = self.add_pool_thread(pool);
            self.pools[pool as usize].idle.retain(|&x| x != t);
            self.unpark(t);
        }
    }

    /// A fork pool starts all its workers at the first submit (`_launch_processes`: forking
    /// once the executor's thread runs could deadlock, gh-90622); each pays its start-up.
    fn start_processes(&mut self, pool: u32) {
        self.pools[pool as usize].started = true;
        for _ in 0..self.pools[pool as usize].max {
            self.start_process(pool);
        }
    }

    /// A spawn or forkserver pool at a submit (`_adjust_process_count`): a worker left idle by
    /// a finished item takes it (the semaphore); otherwise one more worker starts, up to max.
    fn adjust_process_count(&mut self, pool: u32) {
        let p = &mut self.pools[pool as usize];
        if p.idle_sem > 0 {
            p.idle_sem -= 1;
        } else if (p.threads.len() as u32) < p.max {
            if !self.tracker_started {
                self.start_resource_tracker();
            }
            self.start_process(pool);
        }
    }

    /// Starts one worker process of `pool`: it boots (start-up CPU in the child), then takes
    /// work.
    fn start_process(&mut self, pool: u32) {
        let n = self.pools[pool as usize].threads.len();
        let name = format!("{} {}", self.pools[pool as usize].prefix, n + 1);
        let p = self.add_proc(name.clone());
        let t = self.spawn_thread(pool, p, name);
        self.pools[pool as usize].idle.retain(|&x| x != t);
        let cost = self.pools[pool as usize].start.unwrap_or(0);
        self.boot(t, cost);
    }

    /// Thread `t` of a new process boots: interpreter start-up is CPU work in the child.
    fn boot(&mut self, t: Tid, cost: u64) {
        self.threads[t as usize].state = TState::Parked;
        if cost > 0 {
            self.compute(t, cost, true, Kind::Overhead);
        } else {
            self.unpark(t);
        }
    }

    /// The first spawn or forkserver pool of a run starts `multiprocessing`'s resource tracker
    /// (its queues' semaphores register with it): one more spawned interpreter, which boots at
    /// the cost of a spawn start-up and then sleeps for the rest of the run.
    fn start_resource_tracker(&mut self) {
        self.tracker_started = true;
        let pool = self.add_thread_pool(NONE, 1, RESOURCE_TRACKER, false);
        self.pools[pool as usize].lazy = false;
        self.pools[pool as usize].handoff = false;
        let p = self.add_proc(RESOURCE_TRACKER.to_string());
        let t = self.spawn_thread(pool, p, RESOURCE_TRACKER.to_string());
        self.pools[pool as usize].idle.retain(|&x| x != t);
        self.boot(t, self.m.process_start_spawn.0);
    }

    pub(super) fn worker_advance(&mut self, t: Tid, pool: u32) {
        loop {
            if let Some(s) = self.threads[t as usize].strand {
                if self.run_blocking_step(t, s) {
                    return;
                }
                continue;
            }
            // Take the next work item.
            let next = loop {
                match self.pools[pool as usize].queue.pop_front() {
                    Some(s) if !self.strands[s as usize].alive => {
                        self.free_strands.push(s); // cancelled while queued
                        continue;
                    }
                    other => break other,
                }
            };
            let Some(s) = next else {
                self.pools[pool as usize].idle.push_back(t);
                self.park(t, None, None);
                return;
            };
            self.threads[t as usize].strand = Some(s);
            let task = self.strands[s as usize].task;
            let tk = &mut self.tasks[task as usize];
            if tk.start.is_none() {
                tk.start = Some(self.now);
            }
            // Pick-up cost: unpickling and IPC in a process pool, the thread hand-off otherwise.
            let cost = if self.pools[pool as usize].start.is_some() {
                let kb = self.ck.scenario.workload.classes[tk.class as usize].payload_kb;
                self.m.ipc_fixed.0 + libm::round(self.m.ipc_per_kb.0 as f64 * kb) as u64
            } else if self.pools[pool as usize].handoff {
                self.m.thread_switch.0
            } else {
                0
            };
            self.strands[s as usize].ipc = cost;
            if cost > 0 {
                self.compute(t, cost, true, Kind::Overhead);
                return;
            }
        }
    }
}
