//! Drawing concrete tasks from the workload: each task's class and step durations, sampled
//! from its own seeded random stream so that a task's plan does not depend on the model, on
//! the order the engine asks for it, or on the platform (`libm`, never the platform's `ln`).

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

use crate::duration::{Dist, Ns};
use crate::validate::CStep;

/// A seeded random stream.
pub struct Rng(Pcg64Mcg);

/// Stream identifiers, so that the streams of one seed never overlap.
const STREAM_ARRIVALS: u64 = 0x4152_5249_5641_4c53;

impl Rng {
    /// The stream of task `id` under `seed`.
    pub fn for_task(seed: u64, id: u64) -> Rng {
        Rng(Pcg64Mcg::seed_from_u64(mix(seed, id.wrapping_add(1))))
    }

    /// The stream of arrival gaps under `seed`.
    pub fn for_arrivals(seed: u64) -> Rng {
        Rng(Pcg64Mcg::seed_from_u64(mix(seed, STREAM_ARRIVALS)))
    }

    /// Uniform in [0, 1), 53 bits.
    pub fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A sample of `d`, in ns.
    pub fn sample(&mut self, d: &Dist) -> Ns {
        let v = match *d {
            Dist::Fixed(x) => return x.0,
            Dist::Uniform(a, b) => a.0 as f64 + self.unit() * (b.0 - a.0) as f64,
            Dist::Exp(m) => -(m.0 as f64) * libm::log(1.0 - self.unit()),
            Dist::LogNormal { median, sigma } => {
                // Box–Muller; 1 - u keeps the log finite.
                let u1 = 1.0 - self.unit();
                let u2 = self.unit();
                let z =
                    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2);
                median.0 as f64 * libm::exp(sigma * z)
            }
        };
        (libm::round(v) as Ns).min(d.max())
    }
}

/// The gaps between Poisson arrivals under a seed: exponential, from [`Rng::for_arrivals`],
/// rounded to the ns. Drawn `AHEAD` (32) at a time: each gap is a chain of a random
/// draw, a logarithm, a division and a rounding, and a batch lets the processor overlap the
/// chains of neighbouring gaps. The values and their order are those of drawing one at a time.
pub struct PoissonGaps {
    rng: Rng,
    rate_per_s: f64,
    ahead: [Ns; Self::AHEAD],
    /// The next gap to hand out is `ahead[next]`; `AHEAD` when the batch is used up.
    next: usize,
}

impl PoissonGaps {
    const AHEAD: usize = 32;

    /// The gaps of `rate_per_s` arrivals per second under `seed`.
    pub fn new(seed: u64, rate_per_s: f64) -> Self {
        PoissonGaps {
            rng: Rng::for_arrivals(seed),
            rate_per_s,
            ahead: [0; Self::AHEAD],
            next: Self::AHEAD,
        }
    }

    /// The next gap, ns.
    #[inline]
    pub fn next_gap(&mut self) -> Ns {
        if self.next == Self::AHEAD {
            self.draw_ahead();
        }
        let gap = self.ahead[self.next];
        self.next += 1;
        gap
    }

    #[inline(never)]
    fn draw_ahead(&mut self) {
        for gap in &mut self.ahead {
            let u = self.rng.unit();
            *gap = libm::round(-libm::log(1.0 - u) / self.rate_per_s * 1e9) as Ns;
        }
        self.next = 0;
    }
}

/// SplitMix64 finaliser over (seed, stream): decorrelates nearby seeds and ids.
fn mix(seed: u64, stream: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Draws task `id`: its class (by weight) and its plan. Independent of the model and of the
/// order tasks are drawn in.
pub fn draw_task(ck: &crate::validate::Checked, id: u32) -> (u32, Plan) {
    let mut plan = Plan::default();
    let class = draw_task_into(ck, id, &mut plan);
    (class, plan)
}

/// Like [`draw_task`], drawing the plan into `plan` (cleared first, its memory reused).
pub fn draw_task_into(ck: &crate::validate::Checked, id: u32, plan: &mut Plan) -> u32 {
    let sc = &ck.scenario;
    let mut rng = Rng::for_task(sc.seed, id as u64);
    let class = class_of(sc, &mut rng);
    plan.redraw(&ck.classes[class], &mut rng, cpu_scale(sc));
    class as u32
}

/// The class of a task, by weight: the first draw of its stream.
fn class_of(sc: &crate::scenario::Scenario, rng: &mut Rng) -> usize {
    let total: f64 = sc.workload.classes.iter().map(|c| c.weight).sum();
    let x = rng.unit() * total;
    let mut acc = 0.0;
    for (i, c) in sc.workload.classes.iter().enumerate() {
        acc += c.weight;
        if x < acc {
            return i;
        }
    }
    sc.workload.classes.len() - 1
}

/// How much longer Python CPU takes on this machine (free-threaded builds are slower).
fn cpu_scale(sc: &crate::scenario::Scenario) -> f64 {
    if sc.machine.free_threaded {
        sc.machine.free_threaded_slowdown
    } else {
        1.0
    }
}

/// Draws tasks exactly as [`draw_task_into`] does, but copies the plan of a class whose every
/// duration is fixed (most workloads) instead of drawing it: it is the same for every task, and
/// a fixed duration takes nothing from the stream, so nothing after it changes.
pub struct Drawer {
    fixed: Vec<Option<Plan>>,
}

impl Drawer {
    /// The fixed plans of `ck`'s classes.
    pub fn new(ck: &crate::validate::Checked) -> Self {
        let scale = cpu_scale(&ck.scenario);
        let fixed = ck
            .classes
            .iter()
            .map(|steps| {
                all_fixed(steps).then(|| Plan::draw(steps, &mut Rng::for_task(0, 0), scale))
            })
            .collect();
        Drawer { fixed }
    }

    /// Task `id`'s class, with its plan drawn (or copied) into `plan`.
    pub fn draw_into(&self, ck: &crate::validate::Checked, id: u32, plan: &mut Plan) -> u32 {
        let (class, drawn) = self.draw_unless_fixed(ck, id, plan);
        if let (false, Some(fixed)) = (drawn, self.fixed_plan(class as usize)) {
            plan.copy_from(fixed);
        }
        class
    }

    /// The plan of class `class` if all its durations are fixed (every task of it has it).
    pub fn fixed_plan(&self, class: usize) -> Option<&Plan> {
        self.fixed.get(class)?.as_ref()
    }

    /// Whether there is one class and its plan is fixed: every task has that plan.
    #[inline]
    pub fn only_fixed(&self) -> bool {
        matches!(self.fixed.as_slice(), [Some(_)])
    }

    /// Task `id`'s class, and whether its plan was drawn into `plan`: not when the class's
    /// plan is fixed ([`Self::fixed_plan`]; `plan` is left as it was). The same draws as
    /// [`Self::draw_into`].
    pub fn draw_unless_fixed(
        &self,
        ck: &crate::validate::Checked,
        id: u32,
        plan: &mut Plan,
    ) -> (u32, bool) {
        let sc = &ck.scenario;
        if let [Some(_)] = self.fixed.as_slice() {
            return (0, false);
        }
        let mut rng = Rng::for_task(sc.seed, id as u64);
        let class = class_of(sc, &mut rng);
        if self.fixed[class].is_some() {
            return (class as u32, false);
        }
        plan.redraw(&ck.classes[class], &mut rng, cpu_scale(sc));
        (class as u32, true)
    }
}

/// Whether every duration in `steps` (and their nested bodies) is fixed.
fn all_fixed(steps: &[CStep]) -> bool {
    steps.iter().all(|s| match s {
        CStep::Cpu(d) | CStep::CpuNogil(d) | CStep::Io(d) | CStep::BlockingIo(d) => {
            matches!(d, Dist::Fixed(_))
        }
        CStep::Offload(_, inner) => all_fixed(inner),
        CStep::Gather(branches) => branches.iter().all(|b| all_fixed(b)),
    })
}

/// One step with its duration drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PStep {
    /// Python CPU, ns.
    Cpu(Ns),
    /// GIL-free CPU, ns.
    CpuNoGil(Ns),
    /// Awaited I/O, ns.
    Io(Ns),
    /// Blocking call, ns.
    Blocking(Ns),
    /// Run sequence `seq` on pool `pool` and wait.
    Offload {
        /// Pool index.
        pool: u16,
        /// Sequence index in [`Plan::seqs`].
        seq: u32,
    },
    /// Run sequences `first .. first + n` concurrently and wait for all.
    Gather {
        /// First sequence index.
        first: u32,
        /// Number of branches.
        n: u32,
    },
}

/// A task's drawn steps: sequence 0 is the task body; offload and gather bodies are further
/// sequences. Flat so that a running strand is just `(sequence, position)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// `(start, len)` ranges into `steps`.
    pub seqs: Vec<(u32, u32)>,
    /// All steps.
    pub steps: Vec<PStep>,
}

impl Plan {
    /// Step `pc` of sequence `seq`, if any.
    pub fn step(&self, seq: u32, pc: u32) -> Option<PStep> {
        let (start, len) = *self.seqs.get(seq as usize)?;
        if pc < len {
            self.steps.get((start + pc) as usize).copied()
        } else {
            None
        }
    }

    /// Draws a plan for `steps`. `cpu_scale` stretches Python CPU (free-threaded builds).
    pub fn draw(steps: &[CStep], rng: &mut Rng, cpu_scale: f64) -> Plan {
        let mut plan = Plan::default();
        plan.redraw(steps, rng, cpu_scale);
        plan
    }

    /// Becomes a copy of `other`, reusing its memory (a derived `clone_from` would allocate).
    fn copy_from(&mut self, other: &Plan) {
        self.seqs.clone_from(&other.seqs);
        self.steps.clone_from(&other.steps);
    }

    /// Draws over this plan, reusing its memory.
    fn redraw(&mut self, steps: &[CStep], rng: &mut Rng, cpu_scale: f64) {
        self.seqs.clear();
        self.steps.clear();
        self.seqs.push((0, 0));
        self.fill(0, steps, rng, cpu_scale);
    }

    fn fill(&mut self, seq: usize, steps: &[CStep], rng: &mut Rng, cpu_scale: f64) {
        // Sequences must be contiguous: reserve this one's slots first, then fill nested
        // sequences after it.
        let start = self.steps.len();
        self.seqs[seq] = (start as u32, steps.len() as u32);
        self.steps.resize(start + steps.len(), PStep::Cpu(0));
        for (i, s) in steps.iter().enumerate() {
            let p = match s {
                CStep::Cpu(d) => {
                    let v = rng.sample(d);
                    PStep::Cpu(if cpu_scale == 1.0 {
                        v
                    } else {
                        libm::round(v as f64 * cpu_scale) as Ns
                    })
                }
                CStep::CpuNogil(d) => PStep::CpuNoGil(rng.sample(d)),
                CStep::Io(d) => PStep::Io(rng.sample(d)),
                CStep::BlockingIo(d) => PStep::Blocking(rng.sample(d)),
                CStep::Offload(pool, inner) => {
                    let s = self.seqs.len();
                    self.seqs.push((0, 0));
                    self.fill(s, inner, rng, cpu_scale);
                    PStep::Offload {
                        pool: *pool,
                        seq: s as u32,
                    }
                }
                CStep::Gather(branches) => {
                    let first = self.seqs.len();
                    for _ in branches {
                        self.seqs.push((0, 0));
                    }
                    for (j, b) in branches.iter().enumerate() {
                        self.fill(first + j, b, rng, cpu_scale);
                    }
                    PStep::Gather {
                        first: first as u32,
                        n: branches.len() as u32,
                    }
                }
            };
            self.steps[start + i] = p;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duration::{Dur, MS};

    #[test]
    fn poisson_gaps_are_the_draws_one_at_a_time() {
        // Across several batches: each gap is the next draw of the arrival stream, in order.
        for (seed, rate) in [(42, 300.0), (7, 0.5), (u64::MAX, 1e6)] {
            let mut gaps = PoissonGaps::new(seed, rate);
            let mut rng = Rng::for_arrivals(seed);
            for i in 0..3 * PoissonGaps::AHEAD + 5 {
                let u = rng.unit();
                let want = libm::round(-libm::log(1.0 - u) / rate * 1e9) as Ns;
                assert_eq!(gaps.next_gap(), want, "gap {i}, seed {seed}");
            }
        }
    }

    #[test]
    fn the_drawer_draws_what_draw_task_draws() {
        // Every preset, and mixes of fixed and random classes, free-threaded too.
        let mut scenarios = crate::presets::all();
        for (classes, free) in [
            (
                r#"[{"name":"a","weight":3,"steps":[{"cpu":"2ms"},{"gather":[[{"io":"5ms"}],[{"offload":{"steps":[{"cpu":"1ms"}]}}]]}]},{"name":"b","steps":[{"io":{"exp":"3ms"}},{"cpu":"1ms"}]}]"#,
                false,
            ),
            (
                r#"[{"name":"a","steps":[{"cpu":"2ms"},{"io":"1ms"}]},{"name":"b","weight":0.5,"steps":[{"cpu":"3ms"}]}]"#,
                true,
            ),
        ] {
            let json = format!(
                r#"{{"version":1,"seed":5,"machine":{{"free_threaded":{free}}},"workload":{{"classes":{classes},"arrivals":{{"burst":{{"count":10}}}}}},"models":[{{"kind":"sync"}}]}}"#
            );
            scenarios.push(crate::Scenario::from_json(&json).expect("parses"));
        }
        for sc in scenarios {
            let ck = crate::validate(&sc).expect("valid");
            let drawer = Drawer::new(&ck);
            let mut plan = Plan::default();
            let mut drawn = Plan::default();
            for id in 0..300 {
                let class = drawer.draw_into(&ck, id, &mut plan);
                assert_eq!(
                    (class, plan.clone()),
                    draw_task(&ck, id),
                    "{} task {id}",
                    sc.name
                );
                // Drawn unless fixed: the same class, and the same plan either way.
                let (c, was_drawn) = drawer.draw_unless_fixed(&ck, id, &mut drawn);
                let shared = drawer.fixed_plan(c as usize);
                assert_eq!(was_drawn, shared.is_none(), "{} task {id}", sc.name);
                assert_eq!(
                    (c, shared.unwrap_or(&drawn)),
                    (class, &plan),
                    "{} task {id}",
                    sc.name
                );
            }
        }
    }

    #[test]
    fn same_seed_same_samples_and_streams_differ() {
        let d = Dist::Exp(Dur(10 * MS));
        let a: Vec<Ns> = (0..5)
            .map(|_| 0)
            .scan(Rng::for_task(7, 3), |r, _| Some(r.sample(&d)))
            .collect();
        let b: Vec<Ns> = (0..5)
            .map(|_| 0)
            .scan(Rng::for_task(7, 3), |r, _| Some(r.sample(&d)))
            .collect();
        let c: Vec<Ns> = (0..5)
            .map(|_| 0)
            .scan(Rng::for_task(7, 4), |r, _| Some(r.sample(&d)))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn sample_means_are_close() {
        let mut r = Rng::for_task(1, 1);
        for d in [
            Dist::Uniform(Dur(MS), Dur(3 * MS)),
            Dist::Exp(Dur(2 * MS)),
            Dist::LogNormal {
                median: Dur(2 * MS),
                sigma: 0.5,
            },
        ] {
            let n = 20_000;
            let mean = (0..n).map(|_| r.sample(&d) as f64).sum::<f64>() / n as f64;
            let rel = (mean - d.mean()).abs() / d.mean();
            assert!(rel < 0.03, "{d:?}: mean {mean} vs {}", d.mean());
        }
    }

    #[test]
    fn nested_sequences_are_contiguous() {
        let steps = vec![
            CStep::Cpu(Dist::Fixed(Dur(1))),
            CStep::Gather(vec![
                vec![CStep::Io(Dist::Fixed(Dur(2)))],
                vec![
                    CStep::Cpu(Dist::Fixed(Dur(3))),
                    CStep::Io(Dist::Fixed(Dur(4))),
                ],
            ]),
            CStep::Offload(0, vec![CStep::Cpu(Dist::Fixed(Dur(5)))]),
        ];
        let p = Plan::draw(&steps, &mut Rng::for_task(0, 0), 1.0);
        assert_eq!(p.step(0, 0), Some(PStep::Cpu(1)));
        let Some(PStep::Gather { first, n: 2 }) = p.step(0, 1) else {
            panic!("gather")
        };
        assert_eq!(p.step(first, 0), Some(PStep::Io(2)));
        assert_eq!(p.step(first + 1, 1), Some(PStep::Io(4)));
        let Some(PStep::Offload { pool: 0, seq }) = p.step(0, 2) else {
            panic!("offload")
        };
        assert_eq!(p.step(seq, 0), Some(PStep::Cpu(5)));
        assert_eq!(p.step(0, 3), None);
    }
}
