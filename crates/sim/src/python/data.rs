//! The workload as data: the arrival times and think times the engine draws, every task's
//! concrete plan (deduplicated into a table of distinct plans), and the program's data section
//! (`MODEL`, `POOLS`, `PLANS`, `TASK_PLAN`, `ARRIVAL_MS` / `THINK_MS`, …) that embeds them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::text::{lit, ms, num, start_name};
use super::Gen;
use crate::duration::Ns;
use crate::plan::{draw_task, PStep, Plan, PoissonGaps, Rng};
use crate::scenario::{Arrivals, Model, PoolSpec};
use crate::validate::Checked;

/// Arrival time of every task, ns, exactly as the engine schedules them; `None` for closed-loop
/// arrivals (those depend on when responses come back: see [`think_times`]).
///
/// Poisson gaps come from [`PoissonGaps`], as the engine's do: task 0 arrives at 0
/// and task `n + 1` one gap after task `n`.
pub fn arrival_times(ck: &Checked) -> Option<Vec<Ns>> {
    let sc = &ck.scenario;
    match sc.workload.arrivals {
        Arrivals::Burst { count } => Some(vec![0; count as usize]),
        Arrivals::Interval { every, count } => {
            Some((0..count as u64).map(|n| n * every.0).collect())
        }
        Arrivals::Poisson { rate_per_s, count } => {
            let mut gaps = PoissonGaps::new(sc.seed, rate_per_s);
            let mut at = 0;
            let mut out = Vec::with_capacity(count as usize);
            for _ in 0..count {
                out.push(at);
                at += gaps.next_gap();
            }
            Some(out)
        }
        Arrivals::ClosedLoop { .. } => None,
    }
}

/// Closed-loop arrivals: the think time a client waits after task `n`'s response before it
/// sends its next request, ns, for every task (the engine draws it from task `n`'s own think
/// stream). Empty for open-loop arrivals.
pub fn think_times(ck: &Checked) -> Vec<Ns> {
    let sc = &ck.scenario;
    match &sc.workload.arrivals {
        Arrivals::ClosedLoop { think, count, .. } => (0..*count as u64)
            .map(|n| Rng::for_task(sc.seed ^ 0x0074_6869_6e6b, n).sample(think))
            .collect(),
        _ => Vec::new(),
    }
}

/// The steps of sequence `seq` of a plan as a JSON (and Python) list.
fn steps_lit(ck: &Checked, plan: &Plan, seq: u32, kb: f64, out: &mut String) {
    out.push('[');
    let mut pc = 0;
    while let Some(step) = plan.step(seq, pc) {
        if pc > 0 {
            out.push_str(", ");
        }
        match step {
            PStep::Cpu(d) => {
                let _ = write!(out, "[\"cpu\", {}]", ms(d));
            }
            PStep::CpuNoGil(d) => {
                let _ = write!(out, "[\"cpu_nogil\", {}]", ms(d));
            }
            PStep::Io(d) => {
                let _ = write!(out, "[\"io\", {}]", ms(d));
            }
            PStep::Blocking(d) => {
                let _ = write!(out, "[\"blocking_io\", {}]", ms(d));
            }
            PStep::Offload { pool, seq } => {
                let p = &ck.pools[pool as usize];
                let _ = write!(out, "[\"offload\", {}, ", lit(&p.name));
                steps_lit(ck, plan, seq, kb, out);
                if matches!(p.spec, PoolSpec::Process { .. }) {
                    let _ = write!(out, ", {}", num(kb));
                }
                out.push(']');
            }
            PStep::Gather { first, n } => {
                out.push_str("[\"gather\", [");
                for b in 0..n {
                    if b > 0 {
                        out.push_str(", ");
                    }
                    steps_lit(ck, plan, first + b, kb, out);
                }
                out.push_str("]]");
            }
        }
        pc += 1;
    }
    out.push(']');
}

/// The distinct plans of the tasks (`[class, steps]` literals, in order of first use) and the
/// plan of each task.
fn plans(ck: &Checked) -> (Vec<String>, Vec<u32>) {
    let count = ck.scenario.workload.arrivals.count();
    let mut index: BTreeMap<String, u32> = BTreeMap::new();
    let mut table = Vec::new();
    let mut of_task = Vec::with_capacity(count as usize);
    for n in 0..count {
        let (class, plan) = draw_task(ck, n);
        let kb = ck.scenario.workload.classes[class as usize].payload_kb;
        let mut s = format!("[{class}, ");
        steps_lit(ck, &plan, 0, kb, &mut s);
        s.push(']');
        let id = *index.entry(s.clone()).or_insert_with(|| {
            table.push(s);
            (table.len() - 1) as u32
        });
        of_task.push(id);
    }
    (table, of_task)
}

/// A list of numbers as Python: `[x] * n` when all equal, else a wrapped literal.
fn list_lit(items: &[String], indent: &str) -> String {
    if let Some(first) = items.first() {
        if items.iter().all(|x| x == first) {
            return format!("[{first}] * {}", items.len());
        }
    }
    let mut out = String::from("[\n");
    let mut line = String::new();
    for x in items {
        if !line.is_empty() && line.len() + x.len() + 2 > 88 {
            let _ = writeln!(out, "{indent}{}", line.trim_end());
            line.clear();
        }
        line.push_str(x);
        line.push_str(", ");
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{}", line.trim_end());
    }
    out.push(']');
    out
}

/// The task → plan map: `[0] * n`, `list(range(n))`, runs of equal plans, or a list.
fn task_plan_lit(of_task: &[u32]) -> String {
    let n = of_task.len();
    if of_task.iter().enumerate().all(|(i, &p)| p as usize == i) {
        return format!("list(range({n}))");
    }
    let mut runs: Vec<(u32, usize)> = Vec::new();
    for &p in of_task {
        match runs.last_mut() {
            Some((q, k)) if *q == p => *k += 1,
            _ => runs.push((p, 1)),
        }
    }
    if runs.len() == 1 {
        return format!("[{}] * {n}", runs[0].0);
    }
    if runs.len() * 2 < n / 2 {
        let items: Vec<String> = runs.iter().map(|(p, k)| format!("[{p}, {k}]")).collect();
        return format!("runs({})", list_lit(&items, "    "));
    }
    let items: Vec<String> = of_task.iter().map(|p| p.to_string()).collect();
    list_lit(&items, "    ")
}

impl Gen<'_> {
    pub(super) fn data(&mut self) {
        let ck = self.ck;
        let sc = &ck.scenario;
        let m = &sc.machine;
        let mut d = String::new();
        d.push_str("# ── The workload, as the simulator drew it ─────────────────────────────────────────\n");
        let _ = writeln!(d, "MODEL = {}", lit(&self.model.label()));
        let _ = writeln!(d, "FAMILY = {}", lit(self.model.family()));
        let _ = writeln!(
            d,
            "CORES = {}  # the program pins itself to this many CPUs when it has more",
            m.cores
        );
        let _ = writeln!(
            d,
            "SWITCH_INTERVAL_S = {}  # sys.setswitchinterval",
            m.switch_interval.0 as f64 / 1e9
        );
        match self.model {
            Model::Threads { workers } | Model::Processes { workers, .. } => {
                let _ = writeln!(d, "WORKERS = {workers}");
            }
            Model::Server { workers, inner } => {
                let _ = writeln!(d, "WORKERS = {workers}  # worker processes");
                if let Model::Threads { workers: t } = **inner {
                    let _ = writeln!(d, "THREADS = {t}  # threads in each worker");
                }
            }
            _ => {}
        }
        if let Model::Processes { start, .. } = self.model {
            let _ = writeln!(d, "START_METHOD = {}", lit(start_name(*start)));
        }
        if let Some(k) = self.limit {
            let _ = writeln!(d, "LIMIT = {k}  # tasks in flight (asyncio.Semaphore)");
        }
        if !self.uses.pools.is_empty() {
            d.push_str(
                "# Executors that offload steps name: [kind, workers, start method].\nPOOLS = {\n",
            );
            for &i in &self.uses.pools {
                let p = &ck.pools[i as usize];
                let spec = match p.spec {
                    PoolSpec::Thread { workers } => format!("[\"thread\", {workers}, None]"),
                    PoolSpec::Process { workers, start } => {
                        format!("[\"process\", {workers}, {}]", lit(start_name(start)))
                    }
                };
                let _ = writeln!(d, "    {}: {spec},", lit(&p.name));
            }
            d.push_str("}\n");
        }
        let classes: Vec<String> = sc.workload.classes.iter().map(|c| lit(&c.name)).collect();
        let _ = writeln!(d, "CLASSES = [{}]", classes.join(", "));
        if matches!(self.model, Model::Processes { .. }) {
            let kbs: Vec<String> = sc
                .workload
                .classes
                .iter()
                .map(|c| num(c.payload_kb))
                .collect();
            let _ = writeln!(
                d,
                "PAYLOAD_KB = [{}]  # arguments pickled to a worker process, per class",
                kbs.join(", ")
            );
        }
        if let Some(t) = sc.workload.timeout {
            let _ = writeln!(
                d,
                "TIMEOUT_MS = {} * SCALE  # each task's deadline: its arrival + TIMEOUT_MS",
                ms(t.0)
            );
        }
        let (table, of_task) = plans(ck);
        d.push_str(
            "# A plan is [class, steps]. A step is [kind, ms], [\"offload\", pool, steps] (with the\n\
             # payload in KB last for a process pool) or [\"gather\", [steps, ...]].\n",
        );
        d.push_str("PLANS = [\n");
        for p in &table {
            let _ = writeln!(d, "    {p},");
        }
        d.push_str("]\n");
        let task_plan = task_plan_lit(&of_task);
        if task_plan.starts_with("runs(") {
            d.push_str("\n\ndef runs(pairs):\n    \"\"\"[[plan, n], ...]: n tasks in a row with that plan.\"\"\"\n    return [plan for plan, n in pairs for _ in range(n)]\n\n\n");
        }
        let _ = writeln!(d, "TASK_PLAN = {task_plan}  # the plan of each task");
        let _ = writeln!(d, "COUNT = {}", of_task.len());
        match &sc.workload.arrivals {
            Arrivals::ClosedLoop { clients, .. } => {
                let _ = writeln!(d, "CLIENTS = {clients}");
                let think: Vec<String> = think_times(ck).into_iter().map(ms).collect();
                let _ = writeln!(
                    d,
                    "# A client thinks THINK_MS[n] after task n's response, then sends task `next id`.\nTHINK_MS = {}",
                    list_lit(&think, "    ")
                );
            }
            Arrivals::Interval { every, .. } => {
                let _ = writeln!(
                    d,
                    "ARRIVAL_MS = [n * {} for n in range(COUNT)]  # one every {every}",
                    ms(every.0)
                );
            }
            _ => {
                let times: Vec<String> = arrival_times(ck)
                    .unwrap_or_default()
                    .into_iter()
                    .map(ms)
                    .collect();
                let _ = writeln!(d, "ARRIVAL_MS = {}", list_lit(&times, "    "));
            }
        }
        d.push('\n');
        self.out.push_str(&d);
    }
}
