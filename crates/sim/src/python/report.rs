//! The program's ending: the report in the JSON schema of `whenasync run --json` (plus the
//! host's calibration and load) and `main`, which pins the CPUs, calibrates and runs the model.

use std::fmt::Write as _;

use super::Gen;

impl Gen<'_> {
    pub(super) fn report(&mut self) {
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

    pub(super) fn main(&mut self) {
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
