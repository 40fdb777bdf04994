//! The equivalent Python program of a scenario under one execution model: a self-contained,
//! runnable Python 3.11+ program (standard library only) that does the same work the simulator
//! modelled — the very tasks it drew, arriving at the very times it drew — under the same
//! execution model, and prints what happened in the JSON schema of `whenasync run --json`.
//!
//! It is how the simulator is checked against real CPython (`whenasync fidelity`), and what a
//! reader copies to see a claim for themselves. The program embeds the concrete plan of every
//! task (from [`crate::plan::draw_task`]) and the arrival times (from the same arrival stream
//! as the engine) as data, rather than re-implementing the random streams in Python.
//!
//! | step | Python |
//! |---|---|
//! | `cpu(d)` | a pure-Python loop (calibrated at start-up), spun until the thread used `d` of CPU |
//! | `cpu_nogil(d)` | `hashlib.pbkdf2_hmac` with a calibrated iteration count; it releases the GIL |
//! | `io(d)` | `await asyncio.sleep(d)` on a loop; `time.sleep(d)` on a thread (a sync driver) |
//! | `blocking_io(d)` | `time.sleep(d)` (on a loop it freezes the loop) |
//! | `offload(pool, steps)` | `asyncio.to_thread` / `loop.run_in_executor(pool, …)`; `pool.submit(…).result()` on a thread |
//! | `gather(branches)` | `asyncio.gather` on a loop; the branches in turn on a thread |
//!
//! Everything that comes from the scenario (names, descriptions) is written as JSON string
//! literals (valid Python) or as comments stripped of control characters, so no scenario,
//! however hostile, can change the program's code.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::duration::Ns;
use crate::plan::{draw_task, PStep, Plan, Rng};
use crate::scenario::{Arrivals, Model, PoolSpec, StartMethod};
use crate::validate::{CStep, Checked};

/// Most tasks a generated program embeds; bigger scenarios get a program that explains and
/// exits.
pub const MAX_TASKS: u32 = 20_000;

/// Arrival time of every task, ns, exactly as the engine schedules them; `None` for closed-loop
/// arrivals (those depend on when responses come back: see [`think_times`]).
///
/// Poisson gaps come from [`Rng::for_arrivals`] with the engine's formula: task 0 arrives at 0
/// and task `n + 1` one gap after task `n`.
pub fn arrival_times(ck: &Checked) -> Option<Vec<Ns>> {
    let sc = &ck.scenario;
    match sc.workload.arrivals {
        Arrivals::Burst { count } => Some(vec![0; count as usize]),
        Arrivals::Interval { every, count } => {
            Some((0..count as u64).map(|n| n * every.0).collect())
        }
        Arrivals::Poisson { rate_per_s, count } => {
            let mut rng = Rng::for_arrivals(sc.seed);
            let mut at = 0;
            let mut out = Vec::with_capacity(count as usize);
            for _ in 0..count {
                out.push(at);
                let u = rng.unit();
                at += libm::round(-libm::log(1.0 - u) / rate_per_s * 1e9) as Ns;
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

/// A duration in ms, exactly (a decimal with up to six places: whole nanoseconds).
fn ms(ns: Ns) -> String {
    let (whole, frac) = (ns / 1_000_000, ns % 1_000_000);
    if frac == 0 {
        whole.to_string()
    } else {
        let f = format!("{frac:06}");
        format!("{whole}.{}", f.trim_end_matches('0'))
    }
}

/// A string as a JSON literal, which is also a valid Python literal.
fn lit(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// Text from the scenario made safe for a `#` comment: no control or line-separator characters.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` as `#` comment lines of at most `width` characters, each starting with `prefix`.
fn comment(out: &mut String, prefix: &str, text: &str, width: usize) {
    let mut line = String::new();
    for word in clean(text).split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            let _ = writeln!(out, "# {prefix}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "# {prefix}{line}");
    }
}

/// What the workload uses, to emit only the code it needs.
#[derive(Default)]
struct Uses {
    cpu_nogil: bool,
    gather: bool,
    /// Pool indices offloaded to.
    pools: Vec<u16>,
}

impl Uses {
    fn scan(&mut self, steps: &[CStep]) {
        for s in steps {
            match s {
                CStep::CpuNogil(_) => self.cpu_nogil = true,
                CStep::Offload(p, inner) => {
                    if !self.pools.contains(p) {
                        self.pools.push(*p);
                    }
                    self.scan(inner);
                }
                CStep::Gather(bs) => {
                    self.gather = true;
                    for b in bs {
                        self.scan(b);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Python's name of a start method.
fn start_name(s: StartMethod) -> &'static str {
    match s {
        StartMethod::Fork => "fork",
        StartMethod::Spawn => "spawn",
        StartMethod::Forkserver => "forkserver",
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

/// A finite number as a short literal (`1`, `0.5`, `1024`).
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
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

/// What a model means, in one line of Python vocabulary.
fn model_meaning(model: &Model) -> String {
    match model {
        Model::Sync => "one thread runs the tasks one after another, in arrival order".into(),
        Model::Async { limit: None } => "one asyncio event loop runs every task as a coroutine".into(),
        Model::Async { limit: Some(k) } => format!(
            "one asyncio event loop; at most {k} tasks in flight (asyncio.Semaphore({k}))"
        ),
        Model::Threads { workers } => format!(
            "ThreadPoolExecutor({workers}): tasks queue FIFO for {workers} threads that share one GIL"
        ),
        Model::Processes { workers, start } => format!(
            "ProcessPoolExecutor({workers}, mp_context=get_context({:?})): each task runs in a worker process with its own GIL",
            start_name(*start)
        ),
        Model::Server { workers, inner } => format!(
            "{workers} worker processes (uvicorn --workers / gunicorn) share one listening socket; each runs {}",
            match **inner {
                Model::Async { .. } => "an event loop".to_string(),
                Model::Threads { workers: t } => format!("{t} threads"),
                _ => "one thread".to_string(),
            }
        ),
    }
}

fn arrivals_meaning(a: &Arrivals) -> String {
    match a {
        Arrivals::Burst { count } => format!("{count} tasks, all at t = 0 (a burst)"),
        Arrivals::Poisson { rate_per_s, count } => {
            format!("{count} tasks, Poisson arrivals at {rate_per_s}/s (open loop)")
        }
        Arrivals::Interval { every, count } => format!("{count} tasks, one every {every}"),
        Arrivals::ClosedLoop { clients, count, .. } => format!(
            "{count} requests from {clients} clients, each waiting for its response and thinking before the next (closed loop)"
        ),
    }
}

/// The program for `model` over a checked scenario. Pure: the same input gives the same text.
pub fn program(checked: &Checked, model: &Model) -> String {
    let sc = &checked.scenario;
    let count = sc.workload.arrivals.count();
    let name = if sc.name.is_empty() {
        "scenario".to_string()
    } else {
        clean(&sc.name)
    };
    if count > MAX_TASKS {
        return format!(
            "#!/usr/bin/env python3\n\
             # Generated by `whenasync python`.\n\
             #\n\
             # {name} has {count} tasks; the generated program embeds every task's plan and is\n\
             # limited to {MAX_TASKS} tasks. Lower workload.arrivals.count and generate again.\n\
             raise SystemExit(\"whenasync: {count} tasks is over the limit of {MAX_TASKS} for a generated program\")\n"
        );
    }
    Gen::new(checked, model).build(&name)
}

/// Which run loop a model needs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Sync,
    Async,
    Pool,
    Server,
}

struct Gen<'a> {
    ck: &'a Checked,
    model: &'a Model,
    shape: Shape,
    uses: Uses,
    closed: bool,
    timeout: bool,
    /// The model's own event loop (async, or server of async workers) and its limit.
    on_loop: bool,
    limit: Option<u32>,
    out: String,
}

impl<'a> Gen<'a> {
    fn new(ck: &'a Checked, model: &'a Model) -> Self {
        let mut uses = Uses::default();
        for c in &ck.classes {
            uses.scan(c);
        }
        uses.pools.sort_unstable();
        let shape = match model {
            Model::Sync => Shape::Sync,
            Model::Async { .. } => Shape::Async,
            Model::Threads { .. } | Model::Processes { .. } => Shape::Pool,
            Model::Server { .. } => Shape::Server,
        };
        let (on_loop, limit) = match model {
            Model::Async { limit } => (true, *limit),
            Model::Server { inner, .. } => match **inner {
                Model::Async { limit } => (true, limit),
                _ => (false, None),
            },
            _ => (false, None),
        };
        Gen {
            ck,
            model,
            shape,
            uses,
            closed: matches!(ck.scenario.workload.arrivals, Arrivals::ClosedLoop { .. }),
            timeout: ck.scenario.workload.timeout.is_some(),
            on_loop,
            limit,
            out: String::with_capacity(16 * 1024),
        }
    }

    fn p(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// Event loops run on `select()` (µs timeouts) unless a server may hold more connections
    /// than `select()` takes (file descriptors below 1024).
    fn select_loop(&self) -> bool {
        !(self.shape == Shape::Server && self.ck.scenario.workload.arrivals.count() > 900)
    }

    /// Blocking step runner needed: the model runs tasks on threads, or work is offloaded.
    fn blocking_runner(&self) -> bool {
        !self.on_loop || !self.uses.pools.is_empty()
    }

    fn offloads_to(&self, process: bool) -> bool {
        self.uses
            .pools
            .iter()
            .any(|&p| matches!(self.ck.pools[p as usize].spec, PoolSpec::Process { .. }) == process)
    }

    fn process_pools(&self) -> bool {
        matches!(self.model, Model::Processes { .. })
            || self
                .uses
                .pools
                .iter()
                .any(|&p| matches!(self.ck.pools[p as usize].spec, PoolSpec::Process { .. }))
    }

    fn build(mut self, name: &str) -> String {
        self.header(name);
        self.imports();
        self.data();
        self.measuring();
        self.steps();
        self.model_section();
        self.report();
        self.main();
        self.out
    }

    fn header(&mut self, name: &str) {
        let sc = &self.ck.scenario;
        let label = self.model.label();
        let m = &sc.machine;
        let mut h = String::from("#!/usr/bin/env python3\n# Generated by `whenasync python`: a scenario run for real under one execution model.\n#\n");
        comment(&mut h, "", &format!("Scenario: {name}"), 88);
        if !sc.title.is_empty() {
            comment(&mut h, "  ", &sc.title, 86);
        }
        if !sc.description.is_empty() {
            comment(&mut h, "  ", &sc.description, 86);
        }
        if !sc.claim.is_empty() {
            comment(&mut h, "  ", &format!("Claim: {}", sc.claim), 86);
        }
        h.push_str("#\n");
        comment(
            &mut h,
            "",
            &format!("Model: {label} — {}.", model_meaning(self.model)),
            88,
        );
        comment(
            &mut h,
            "",
            &format!(
                "Workload: {}; seed {}{}. Every duration and arrival below was drawn by the \
                 simulator, so this program does the very work the simulator predicted.",
                arrivals_meaning(&sc.workload.arrivals),
                sc.seed,
                match sc.workload.timeout {
                    Some(t) => format!("; each task times out {t} after it arrives"),
                    None => String::new(),
                }
            ),
            88,
        );
        comment(
            &mut h,
            "",
            &format!(
                "Machine: {} cores (the program pins itself to {} CPUs when it has more), \
                 switch interval {}.",
                m.cores, m.cores, m.switch_interval
            ),
            88,
        );
        h.push_str(
            "#\n\
             # Run:  python3 program.py > measured.json      (Python 3.11+, standard library only)\n\
             #       WHENASYNC_SCALE=0.1 python3 program.py   (every duration × 0.1: a quick run)\n\
             # It prints JSON in the schema of `whenasync run --json` plus \"host\" (calibration, load);\n\
             # the calibration goes to stderr.\n\
             #\n\
             # Steps: cpu → a calibrated pure-Python loop (holds the GIL); cpu_nogil → pbkdf2_hmac\n\
             # (C that releases the GIL); io → `await asyncio.sleep` on a loop, `time.sleep` on a\n\
             # thread (a sync driver); blocking_io → time.sleep; offload → asyncio.to_thread /\n\
             # run_in_executor; gather → asyncio.gather (on a thread: the sub-calls in turn).\n",
        );
        if self.shape == Shape::Server {
            h.push_str(
                "#\n\
                 # The workers share one listening Unix socket, as uvicorn/gunicorn workers share a TCP\n\
                 # socket: a worker takes a connection only when it is free to (a blocked worker does\n\
                 # not accept). The clients are this process, connecting at each arrival time.\n",
            );
        }
        if sc.machine.free_threaded {
            h.push_str(
                "#\n# The scenario is for free-threaded CPython (3.13t): run it with python3.13t.\n",
            );
        }
        h.push('\n');
        self.out.push_str(&h);
    }

    fn imports(&mut self) {
        let mut mods: Vec<&str> = vec![
            "json",
            "math",
            "os",
            "resource",
            "statistics",
            "sys",
            "time",
        ];
        let asyncio = self.on_loop || self.shape == Shape::Server;
        if asyncio {
            mods.push("asyncio");
            if self.select_loop() {
                mods.push("selectors");
            }
        }
        if self.uses.cpu_nogil {
            mods.push("hashlib");
        }
        if self.closed && self.shape != Shape::Sync {
            mods.push("itertools");
        }
        if self.closed && self.shape == Shape::Sync {
            mods.push("heapq");
        }
        if !self.uses.pools.is_empty() {
            mods.push("multiprocessing.util");
        } else if self.process_pools() || self.shape == Shape::Server {
            mods.push("multiprocessing");
        }
        if self.shape == Shape::Server && !self.uses.pools.is_empty() {
            mods.push("signal");
        }
        if self.shape == Shape::Server {
            mods.push("socket");
            mods.push("tempfile");
        }
        let threads_inner = matches!(self.model, Model::Server { inner, .. } if matches!(**inner, Model::Threads { .. }));
        if !self.uses.pools.is_empty()
            || (self.closed && self.shape == Shape::Pool)
            || threads_inner
        {
            mods.push("threading");
        }
        mods.sort_unstable();
        for m in mods {
            let _ = writeln!(self.out, "import {m}");
        }
        let mut exec: Vec<&str> = Vec::new();
        let thread_pool = matches!(self.model, Model::Threads { .. })
            || self
                .uses
                .pools
                .iter()
                .any(|&p| matches!(self.ck.pools[p as usize].spec, PoolSpec::Thread { .. }));
        if self.process_pools() {
            exec.push("ProcessPoolExecutor");
        }
        if thread_pool {
            exec.push("ThreadPoolExecutor");
        }
        if !exec.is_empty() {
            let _ = writeln!(
                self.out,
                "from concurrent.futures import {}",
                exec.join(", ")
            );
        }
        self.p("\nSCALE = float(os.environ.get(\"WHENASYNC_SCALE\", \"1\"))  # multiplies every duration\n\n");
    }

    fn data(&mut self) {
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

    fn measuring(&mut self) {
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

    fn steps(&mut self) {
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

    fn pools_helper(&mut self) {
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

    fn blocking_steps(&mut self) {
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

    fn async_steps(&mut self) {
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
    fn default_executor_line(&self, indent: &str) -> String {
        if self.uses.pools.contains(&0) && matches!(self.ck.pools[0].spec, PoolSpec::Thread { .. })
        {
            format!("{indent}asyncio.get_running_loop().set_default_executor(pool(\"default\"))\n")
        } else {
            String::new()
        }
    }

    fn model_section(&mut self) {
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

    fn async_handler_body(&self, indent: &str, run: &str) -> String {
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
    fn async_drive(&mut self) {
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

    fn server_model(&mut self) {
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

    fn report(&mut self) {
        self.p(
            r#"# ── Report, in the schema of `whenasync run --json` ─────────────────────────────────
def stats(values):
    """Mean and nearest-rank percentiles, as the simulator computes them."""
    v = sorted(values)
    if not v:
        return {"mean": 0.0, "p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0}
    rank = lambda p: v[min(len(v), max(1, math.ceil(p * len(v)))) - 1]
    return {"mean": sum(v) / len(v), "p50": rank(0.50), "p90": rank(0.90), "p99": rank(0.99),
            "max": v[-1]}


def report(host):
    done = [n for n in range(COUNT)
            if END[n] is not None and not CANCELLED[n] and not TIMED_OUT[n]]
    makespan = max((e for e in END if e is not None), default=0.0)
    tasks = [{"id": n, "class": CLASSES[PLANS[TASK_PLAN[n]][0]], "arrival_ms": ARRIVAL[n],
              "start_ms": START[n], "end_ms": END[n],
              "latency_ms": None if END[n] is None else END[n] - ARRIVAL[n],
              "cancelled": CANCELLED[n], "timed_out": TIMED_OUT[n]} for n in range(COUNT)]
    run = {"model": MODEL, "family": FAMILY, "makespan_ms": makespan,
           "throughput_per_s": len(done) / (makespan / 1000) if makespan > 0 else 0.0,
           "completed": len(done), "cancelled": sum(CANCELLED), "timed_out": sum(TIMED_OUT),
           "unfinished": END.count(None),
           "latency_ms": stats(END[n] - ARRIVAL[n] for n in done), "tasks": tasks}
    json.dump({"runs": [run], "host": host}, sys.stdout)
    print()


"#,
        );
    }

    fn main(&mut self) {
        let nogil_host = if self.uses.cpu_nogil {
            " \"pbkdf2_per_ms\": PBKDF2_PER_MS,"
        } else {
            ""
        };
        let nogil_note = if self.uses.cpu_nogil {
            "\n    print(f\"calibration: 1 ms of pbkdf2_hmac = {PBKDF2_PER_MS:,.0f} iterations\", file=sys.stderr)"
        } else {
            ""
        };
        let shutdown = if self.uses.pools.is_empty() {
            ""
        } else {
            "    shutdown_pools()\n"
        };
        let _ = write!(
            self.out,
            r#"def cpu_seconds():
    """CPU time of this process and of its children that have exited (the workers)."""
    return sum(r.ru_utime + r.ru_stime
               for r in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))


def main():
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) > CORES:
            os.sched_setaffinity(0, cpus[:CORES])  # the simulated machine's cores
        elif len(cpus) < CORES:
            print(f"note: the scenario assumes {{CORES}} cores; this machine gives {{len(cpus)}}",
                  file=sys.stderr)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    calibrate()
    print(f"calibration: 1 ms of Python = {{LOOPS_PER_MS:,.0f}} loop iterations", file=sys.stderr){nogil_note}
    load, cpu0, wall = os.getloadavg(), cpu_seconds(), time.perf_counter()
    run_model()
{shutdown}    report({{"python": sys.version.split()[0], "cpus": os.cpu_count(), "scale": SCALE,
            "cores_used": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "loops_per_ms": LOOPS_PER_MS,{nogil_host}
            # the same measurement after the run: a drift means the machine changed under us
            "loops_per_ms_after": loops_per_ms(),
            "loadavg_start": load, "loadavg_end": os.getloadavg(),
            "wall_s": time.perf_counter() - wall,
            "cpu_s": cpu_seconds() - cpu0}})


if __name__ == "__main__":
    main()
"#
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;
    use crate::validate::validate;

    fn checked(json: &str) -> Checked {
        validate(&Scenario::from_json(json).expect("parse")).expect("valid")
    }

    fn scenario(arrivals: &str, extra: &str) -> Checked {
        checked(&format!(
            r#"{{"version": 1, "seed": 42,
                "workload": {{
                  "classes": [
                    {{"name": "a", "weight": 3, "steps": [{{"cpu": {{"uniform": ["1ms", "3ms"]}}}},
                       {{"io": {{"exp": "10ms"}}}},
                       {{"gather": [[{{"io": "5ms"}}], [{{"cpu_nogil": "1.5ms"}}, {{"blocking_io": {{"lognormal": {{"median": "2ms", "sigma": 0.5}}}}}}]]}},
                       {{"offload": {{"pool": "procs", "steps": [{{"cpu": "7us"}}]}}}}]}},
                    {{"name": "b \"quoted\"\n", "payload_kb": 256, "steps": [{{"repeat": {{"times": 3, "steps": [{{"cpu": "0.5ms"}}]}}}},
                       {{"offload": {{"steps": [{{"blocking_io": "1ms"}}]}}}}]}}
                  ],
                  "arrivals": {arrivals}{extra}
                }},
                "pools": {{"procs": {{"kind": "process", "workers": 2, "start": "spawn"}}}},
                "models": [{{"kind": "sync"}}, {{"kind": "async", "limit": 3}}, {{"kind": "threads", "workers": 4}},
                           {{"kind": "processes", "workers": 2}},
                           {{"kind": "server", "workers": 2, "inner": {{"kind": "async"}}}},
                           {{"kind": "server", "workers": 2, "inner": {{"kind": "threads", "workers": 2}}}}]
            }}"#
        ))
    }

    #[test]
    fn ms_is_exact() {
        assert_eq!(ms(0), "0");
        assert_eq!(ms(1), "0.000001");
        assert_eq!(ms(200_000), "0.2");
        assert_eq!(ms(100_000_000), "100");
        assert_eq!(ms(12_345_678_901), "12345.678901");
    }

    #[test]
    fn arrival_times_are_the_engines() {
        for arrivals in [
            r#"{"poisson": {"rate_per_s": 300, "count": 200}}"#,
            r#"{"interval": {"every": "7.5ms", "count": 50}}"#,
            r#"{"burst": {"count": 20}}"#,
        ] {
            let ck = scenario(arrivals, "");
            let times = arrival_times(&ck).expect("open loop");
            for model in &ck.scenario.models {
                let run = crate::simulate_model(&ck, model).expect("run");
                let engine: Vec<Ns> = run.tasks.iter().map(|t| t.arrival).collect();
                assert_eq!(times, engine, "{arrivals} under {}", model.label());
            }
        }
    }

    #[test]
    fn think_times_are_the_engines() {
        // Closed loop: task k ≥ clients is issued when the (k − clients)-th response comes
        // back, a think time (drawn for the finished task) later.
        let ck = scenario(
            r#"{"closed_loop": {"clients": 3, "think": {"exp": "4ms"}, "count": 40}}"#,
            "",
        );
        assert!(arrival_times(&ck).is_none());
        let think = think_times(&ck);
        assert_eq!(think.len(), 40);
        let run = crate::simulate_model(&ck, &Model::Sync).expect("run");
        let mut ends: Vec<(Ns, u32)> = run
            .tasks
            .iter()
            .map(|t| (t.end.expect("finished"), t.id))
            .collect();
        ends.sort();
        for (k, &(end, n)) in ends.iter().enumerate().take(40 - 3) {
            let issued = &run.tasks[3 + k];
            assert_eq!(
                issued.arrival,
                end + think[n as usize],
                "task {}",
                issued.id
            );
        }
    }

    /// Parses the `PLANS = [...]` and `TASK_PLAN = ...` of a program.
    fn embedded(program: &str) -> (Vec<serde_json::Value>, Vec<usize>) {
        let start = program.find("\nPLANS = [\n").expect("PLANS") + "\nPLANS = ".len();
        let end = start + program[start..].find("\n]\n").expect("end of PLANS") + 2;
        let plans: Vec<serde_json::Value> =
            serde_json::from_str(&program[start..end].replace(",\n]", "\n]"))
                .expect("PLANS is JSON");
        let line = program
            .lines()
            .find(|l| l.starts_with("TASK_PLAN = "))
            .expect("TASK_PLAN");
        let expr = line["TASK_PLAN = ".len()..]
            .split("  #")
            .next()
            .expect("expr")
            .trim();
        let count: usize = program
            .lines()
            .find_map(|l| l.strip_prefix("COUNT = "))
            .expect("COUNT")
            .parse()
            .expect("count");
        let of_task = if let Some(n) = expr.strip_prefix("list(range(") {
            (0..n.trim_end_matches("))").parse::<usize>().expect("n")).collect()
        } else if let Some((v, n)) = expr.strip_prefix('[').and_then(|e| e.split_once("] * ")) {
            vec![v.parse().expect("plan"); n.parse().expect("n")]
        } else {
            // A multi-line literal or runs(...): read up to the closing bracket.
            let from = program.find("TASK_PLAN = ").expect("TASK_PLAN");
            let text = &program[from + "TASK_PLAN = ".len()..];
            let end = text.find("\n]").expect("end") + 2;
            let body = &text[..end];
            if let Some(r) = body.strip_prefix("runs(") {
                let pairs: Vec<(usize, usize)> =
                    serde_json::from_str(&r.replace(",\n]", "\n]")).expect("runs");
                pairs.iter().flat_map(|&(p, k)| vec![p; k]).collect()
            } else {
                serde_json::from_str(&body.replace(",\n]", "\n]")).expect("list")
            }
        };
        assert_eq!(of_task.len(), count);
        (plans, of_task)
    }

    /// Turns an embedded steps list back into drawn steps, to compare with `draw_task`.
    fn steps_back(v: &serde_json::Value, out: &mut Vec<String>) {
        for s in v.as_array().expect("steps") {
            let a = s.as_array().expect("step");
            let kind = a[0].as_str().expect("kind");
            let ns = |x: &serde_json::Value| (x.as_f64().expect("ms") * 1e6).round() as Ns;
            match kind {
                "offload" => {
                    let pool = a[1].as_str().expect("pool");
                    out.push(format!("offload {pool} {}", a.len()));
                    steps_back(&a[2], out);
                    out.push("end".into());
                }
                "gather" => {
                    for b in a[1].as_array().expect("branches") {
                        out.push("branch".into());
                        steps_back(b, out);
                    }
                    out.push("end".into());
                }
                _ => out.push(format!("{kind} {}", ns(&a[1]))),
            }
        }
    }

    fn drawn(ck: &Checked, plan: &Plan, seq: u32, out: &mut Vec<String>) {
        let mut pc = 0;
        while let Some(step) = plan.step(seq, pc) {
            match step {
                PStep::Cpu(d) => out.push(format!("cpu {d}")),
                PStep::CpuNoGil(d) => out.push(format!("cpu_nogil {d}")),
                PStep::Io(d) => out.push(format!("io {d}")),
                PStep::Blocking(d) => out.push(format!("blocking_io {d}")),
                PStep::Offload { pool, seq } => {
                    let p = &ck.pools[pool as usize];
                    let n = if matches!(p.spec, PoolSpec::Process { .. }) {
                        4
                    } else {
                        3
                    };
                    out.push(format!("offload {} {n}", p.name));
                    drawn(ck, plan, seq, out);
                    out.push("end".into());
                }
                PStep::Gather { first, n } => {
                    for b in 0..n {
                        out.push("branch".into());
                        drawn(ck, plan, first + b, out);
                    }
                    out.push("end".into());
                }
            }
            pc += 1;
        }
    }

    #[test]
    fn embedded_plans_are_draw_task() {
        for arrivals in [
            r#"{"poisson": {"rate_per_s": 300, "count": 300}}"#,
            r#"{"burst": {"count": 5}}"#,
        ] {
            let ck = scenario(arrivals, "");
            let text = program(&ck, &Model::Threads { workers: 4 });
            let (plans, of_task) = embedded(&text);
            for (n, &p) in of_task.iter().enumerate() {
                let (class, plan) = draw_task(&ck, n as u32);
                let entry = plans[p].as_array().expect("plan");
                assert_eq!(entry[0].as_u64(), Some(class as u64), "task {n}");
                let (mut want, mut got) = (Vec::new(), Vec::new());
                drawn(&ck, &plan, 0, &mut want);
                steps_back(&entry[1], &mut got);
                assert_eq!(got, want, "task {n}");
            }
        }
    }

    #[test]
    fn identical_tasks_share_one_plan() {
        let ck = checked(
            r#"{"version": 1, "workload": {"classes": [{"name": "q", "steps": [{"io": "1s"}]}],
                "arrivals": {"burst": {"count": 10000}}}, "models": [{"kind": "async"}]}"#,
        );
        let text = program(&ck, &Model::Async { limit: None });
        assert!(text.contains("TASK_PLAN = [0] * 10000"), "{text}");
        assert!(text.contains("ARRIVAL_MS = [0] * 10000"));
        assert!(text.len() < 12_000, "{} bytes", text.len());
    }

    #[test]
    fn too_many_tasks_are_refused_with_a_reason() {
        let ck = checked(
            r#"{"version": 1, "name": "huge", "workload": {"classes": [{"name": "q", "steps": [{"io": "1ms"}]}],
                "arrivals": {"burst": {"count": 20001}}}}"#,
        );
        let text = program(&ck, &Model::Sync);
        assert!(text.contains("raise SystemExit"));
        assert!(text.contains("20000"));
        assert!(text.lines().count() < 10);
    }

    #[test]
    fn scenario_text_cannot_escape_its_comment_or_string() {
        let ck = checked(
            r#"{"version": 1, "name": "x\nimport os; os.system('boom')",
                "title": "\"\"\"\\N{oops} \r\u2028evil()", "description": "coding: latin-1",
                "workload": {"classes": [{"name": "c\"]\nevil()\n#", "steps": [{"io": "1ms"}]}],
                "arrivals": {"burst": {"count": 2}}},
                "pools": {"p\"\n": {"kind": "thread", "workers": 2}}}"#,
        );
        let text = program(&ck, &Model::Sync);
        for line in text.lines() {
            assert!(
                !line.trim_start().starts_with("import os;") && !line.starts_with("evil()"),
                "{line}"
            );
        }
        // User text never lands on the first two lines (a coding cookie there would change how
        // Python decodes the file).
        assert!(!text.lines().take(2).any(|l| l.contains("latin")));
    }

    #[test]
    fn loops_use_select_unless_a_server_may_outgrow_it() {
        let server = |count: u32| {
            checked(&format!(
                r#"{{"version": 1, "workload": {{"classes": [{{"name": "q", "steps": [{{"io": "1ms"}}]}}],
                    "arrivals": {{"burst": {{"count": {count}}}}}}},
                    "models": [{{"kind": "server", "workers": 2, "inner": {{"kind": "async"}}}}]}}"#
            ))
        };
        let model = Model::Server {
            workers: 2,
            inner: Box::new(Model::Async { limit: None }),
        };
        let small = program(&server(100), &model);
        assert!(small.contains("selectors.SelectSelector()") && small.contains("import selectors"));
        let big = program(&server(1000), &model);
        assert!(big.contains("return asyncio.run(main)") && !big.contains("selectors"));
        let asyncio = program(&server(5000), &Model::Async { limit: None });
        assert!(asyncio.contains("selectors.SelectSelector()"));
    }

    #[test]
    fn every_model_gets_its_own_runner() {
        let ck = scenario(
            r#"{"poisson": {"rate_per_s": 300, "count": 30}}"#,
            r#", "timeout": "50ms""#,
        );
        for model in &ck.scenario.models {
            let text = program(&ck, model);
            assert!(text.contains("def run_model():"), "{}", model.label());
            assert!(text.contains(&format!("MODEL = {}", lit(&model.label()))));
            assert!(text.ends_with("if __name__ == \"__main__\":\n    main()\n"));
            match model {
                Model::Async { .. } => assert!(text.contains("asyncio.timeout(")),
                Model::Threads { .. } | Model::Processes { .. } => {
                    assert!(text.contains("future.result(timeout="))
                }
                _ => {}
            }
        }
    }
}
